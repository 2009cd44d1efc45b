//! Abuse limits: how fast an address or an account may call the API and
//! start uploads, and how many uploads it may stream at once. Rates are
//! kept per node, in memory (GCRA buckets from `governor`): a client spread
//! over N nodes gets at most N times the rate, which bounds the load each
//! node sees; nothing here is state another node needs. The per-account
//! cap on open uploads is counted in the database, so it holds across nodes.
//!
//! Public pages opened by id or token (`PageKind`) have a bucket of their
//! own that a wrong guess overdraws: a 404 costs `page_miss_weight` views,
//! so guessing runs at a fraction of the rate a visitor gets (docs/security.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Limits;
use crate::library::Error;

/// Who a rate is kept for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Address(IpAddr),
    Account(i64),
}

/// The public pages with a rate per address (`Abuse::page_view`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// A page or feed: each view costs one, a miss more.
    Page,
    /// A download through a recipient link: only misses cost (a download
    /// manager's many Range requests must not run out), and it is refused
    /// while the address's page budget is spent.
    Download,
    /// `progress_url`, polled by uploaders: a budget of its own.
    Progress,
}

/// The key a per-address rate is kept under: the address, or for IPv6 its
/// /64 (what one host usually gets; rotating within it escapes nothing).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
        v4 => v4,
    }
}

/// A GCRA rate per address that a charge may overdraw (governor's buckets
/// never go below empty, so a charge they cannot take would be free and a
/// guesser would keep the full rate). Each key keeps the instant its bucket
/// is full again; the debt is bounded by the burst plus one charge.
struct Overdraw {
    /// One view.
    cost: Duration,
    /// How far ahead of now the full-again instant may be and still allow
    /// a view: the burst less one.
    tolerance: Duration,
    full_at: Mutex<HashMap<IpAddr, Instant>>,
}

impl Overdraw {
    fn new(per: Duration, count: u32, burst: u32) -> Option<Overdraw> {
        let count = NonZeroU32::new(count)?;
        let cost = per / count.get();
        Some(Overdraw {
            cost,
            tolerance: cost * (burst.max(1) - 1),
            full_at: Mutex::default(),
        })
    }

    /// Under the lock: `key`'s full-again instant (now at the earliest),
    /// and whether a view is allowed now, else how long until it is.
    fn state(
        &self,
        map: &HashMap<IpAddr, Instant>,
        key: IpAddr,
        now: Instant,
    ) -> (Instant, Result<(), Duration>) {
        let full_at = map.get(&key).copied().unwrap_or(now).max(now);
        let allowed = match (full_at - now).checked_sub(self.tolerance) {
            Some(wait) if !wait.is_zero() => Err(wait),
            _ => Ok(()),
        };
        (full_at, allowed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Instant>> {
        self.full_at.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `key` may have a view now; else how long until it may.
    fn allows(&self, key: IpAddr) -> Result<(), Duration> {
        self.state(&self.lock(), key, Instant::now()).1
    }

    /// Takes one view, when there is one to take.
    fn take(&self, key: IpAddr) -> Result<(), Duration> {
        let mut map = self.lock();
        let (full_at, allowed) = self.state(&map, key, Instant::now());
        if allowed.is_ok() {
            map.insert(key, full_at + self.cost);
        }
        allowed
    }

    /// Charges `n` views whatever is left: the bucket may go below empty.
    fn charge(&self, key: IpAddr, n: u32) {
        if n == 0 {
            return;
        }
        let mut map = self.lock();
        let (full_at, _) = self.state(&map, key, Instant::now());
        map.insert(key, full_at + self.cost * n);
    }

    fn forget_full(&self) {
        let now = Instant::now();
        self.lock().retain(|_, full_at| *full_at > now);
    }
}

pub struct Abuse {
    pages: Option<Overdraw>,
    progress: Option<Overdraw>,
    miss_weight: u32,
    api_by_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    api_by_account: Option<DefaultKeyedRateLimiter<i64>>,
    upload_starts: Option<DefaultKeyedRateLimiter<Who>>,
    open_by_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max_open_by_address: usize,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    per: Duration,
    count: u32,
    burst: u32,
) -> Option<DefaultKeyedRateLimiter<K>> {
    let count = NonZeroU32::new(count)?;
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(count);
    let quota = Quota::with_period(per / count.get())?.allow_burst(burst);
    Some(RateLimiter::keyed(quota))
}

/// The answer to a client over its rate, with the whole seconds to wait
/// (sendspace answers 15, "try again later": clients already back off on it).
fn too_fast(wait: Duration) -> Error {
    Error::TooFast(wait.as_secs() + 1)
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &Option<DefaultKeyedRateLimiter<K>>,
    key: &K,
) -> Result<(), Error> {
    match limiter {
        Some(l) => l
            .check_key(key)
            .map_err(|not_until| too_fast(not_until.wait_time_from(DefaultClock::default().now()))),
        None => Ok(()),
    }
}

impl Abuse {
    pub fn new(limits: &Limits) -> Abuse {
        let second = Duration::from_secs(1);
        let minute = Duration::from_secs(60);
        Abuse {
            pages: Overdraw::new(
                minute,
                limits.page_views_per_address,
                limits.page_views_burst,
            ),
            progress: Overdraw::new(
                minute,
                limits.progress_polls_per_address,
                limits.progress_polls_burst,
            ),
            miss_weight: limits.page_miss_weight,
            api_by_address: limiter(
                second,
                limits.api_calls_per_address,
                limits.api_burst_per_address,
            ),
            api_by_account: limiter(
                second,
                limits.api_calls_per_account,
                limits.api_burst_per_account,
            ),
            upload_starts: limiter(
                Duration::from_secs(60),
                limits.upload_starts_per_minute,
                limits.upload_starts_burst,
            ),
            open_by_address: Arc::default(),
            max_open_by_address: limits.open_uploads_per_address,
        }
    }

    pub fn api_call(&self, ip: IpAddr) -> Result<(), Error> {
        check(&self.api_by_address, &ip)
    }

    pub fn api_call_by(&self, account: i64) -> Result<(), Error> {
        check(&self.api_by_account, &account)
    }

    /// An upload identifier asked for by `ip`, for `account` if any.
    pub fn upload_start(&self, ip: IpAddr, account: Option<i64>) -> Result<(), Error> {
        check(&self.upload_starts, &Who::Address(ip))?;
        match account {
            Some(id) => check(&self.upload_starts, &Who::Account(id)),
            None => Ok(()),
        }
    }

    /// A public page of `kind` asked for by `ip`: `TooFast` with the wait
    /// when the address has spent its views.
    pub fn page_view(&self, ip: IpAddr, kind: PageKind) -> Result<(), Error> {
        let key = address_key(ip);
        let result = match (kind, &self.pages, &self.progress) {
            (PageKind::Page, Some(b), _) => b.take(key),
            (PageKind::Download, Some(b), _) => b.allows(key),
            (PageKind::Progress, _, Some(b)) => b.take(key),
            _ => Ok(()),
        };
        result.map_err(too_fast)
    }

    /// The page `ip` asked for did not exist: the views a miss costs
    /// beyond the one already taken.
    pub fn page_missed(&self, ip: IpAddr, kind: PageKind) {
        let key = address_key(ip);
        match (kind, &self.pages) {
            (PageKind::Page, Some(b)) => b.charge(key, self.miss_weight.saturating_sub(1)),
            (PageKind::Download, Some(b)) => b.charge(key, self.miss_weight.max(1)),
            // Upload identifiers are not guessable; an unknown one is a
            // `fail` document, not a miss.
            _ => {}
        }
    }

    /// Counts an upload from `ip` as open until the returned guard drops;
    /// None when the address already streams its maximum.
    pub fn open_upload(&self, ip: IpAddr) -> Option<OpenUpload> {
        let mut open = self
            .open_by_address
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if self.max_open_by_address > 0 && *n >= self.max_open_by_address {
            return None;
        }
        *n += 1;
        Some(OpenUpload {
            ip,
            open: self.open_by_address.clone(),
        })
    }

    /// Forgets buckets that are full again, so memory follows the clients
    /// seen lately, not every client ever seen.
    pub fn forget_idle(&self) {
        for b in [&self.pages, &self.progress].into_iter().flatten() {
            b.forget_full();
        }
        if let Some(l) = &self.api_by_address {
            l.retain_recent();
        }
        if let Some(l) = &self.api_by_account {
            l.retain_recent();
        }
        if let Some(l) = &self.upload_starts {
            l.retain_recent();
        }
    }
}

pub struct OpenUpload {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for OpenUpload {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdraw_spends_the_burst_then_waits() {
        let b = Overdraw::new(Duration::from_secs(60), 60, 3).unwrap();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            assert!(b.take(ip).is_ok());
        }
        let wait = b.take(ip).unwrap_err();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        // Another address has its own bucket.
        assert!(b.take("192.0.2.2".parse().unwrap()).is_ok());
    }

    #[test]
    fn a_charge_overdraws_and_the_wait_grows() {
        let b = Overdraw::new(Duration::from_secs(60), 60, 10).unwrap();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(b.take(ip).is_ok());
        b.charge(ip, 30);
        // 31 views spent of a burst of 10: about 22 s until one is back.
        let wait = b.allows(ip).unwrap_err();
        assert!(
            wait > Duration::from_secs(20) && wait <= Duration::from_secs(22),
            "{wait:?}"
        );
        assert!(b.take(ip).is_err());
        b.forget_full();
        assert!(b.allows(ip).is_err(), "a bucket in debt is not forgotten");
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let a = address_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = address_key("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = address_key("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        let v4: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(address_key("::ffff:192.0.2.1".parse().unwrap()), v4);
    }
}
