//! `speed_limit`: an upload is read no faster than the rate asked for.
//! Not reading the body lets TCP flow control slow the client down, so the
//! server holds no more than one chunk per throttled upload.

use std::time::{Duration, Instant};

pub struct Throttle {
    /// Bytes per second; 0 = unlimited.
    rate: u64,
    started: Instant,
    bytes: u64,
}

impl Throttle {
    /// `kb_per_sec` as the guide's `speed_limit` (kilobytes, 0 = none).
    pub fn new(kb_per_sec: i64) -> Throttle {
        Throttle {
            rate: (kb_per_sec.max(0) as u64).saturating_mul(1024),
            started: Instant::now(),
            bytes: 0,
        }
    }

    /// How long to pause after `n` more bytes so the average stays at the rate.
    pub fn after(&mut self, n: usize) -> Option<Duration> {
        if self.rate == 0 {
            return None;
        }
        self.bytes = self.bytes.saturating_add(n as u64);
        let due = Duration::from_secs_f64(self.bytes as f64 / self.rate as f64);
        due.checked_sub(self.started.elapsed())
            .filter(|d| *d > Duration::from_millis(1))
    }

    /// Pauses as `after` says.
    pub async fn pace(&mut self, n: usize) {
        if let Some(wait) = self.after(n) {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_never_waits() {
        let mut t = Throttle::new(0);
        assert_eq!(t.after(10 << 20), None);
    }

    #[test]
    fn limited_waits_in_proportion() {
        let mut t = Throttle::new(100);
        // 100 KiB at 100 KB/s is due after about one second.
        let wait = t.after(100 * 1024).expect("waits");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        let wait = t.after(100 * 1024).expect("waits");
        assert!(wait > Duration::from_millis(1900));
    }
}
