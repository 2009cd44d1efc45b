//! The connection attack of `tests/hostile.rs` and `bench/hostile.sh`
//! (through `examples/hostile.rs`, which includes this file): many hostile
//! connections at once — upload forms that never frame a part, part heads
//! that never end, forms that trickle a byte at a time, silent sockets,
//! HTTP/2 prefaces with nothing after them, idle keep-alive — while a
//! client from another address polls `/healthz`. It measures; the caller
//! decides what passes. Only std, tokio and reqwest, so the example can use
//! it as it is.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The kinds of hostile connection, in the order `mix` deals them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An upload body that never has a boundary line (64 KiB chunks).
    NoBoundary,
    /// A part head that never ends (header lines, over and over).
    EndlessHead,
    /// A form that sends a text field one byte every 100 ms: never idle,
    /// never reaching its file.
    Trickle,
    /// Connects and sends nothing.
    Silent,
    /// The HTTP/2 preface and an empty SETTINGS frame, then nothing.
    PrefaceOnly,
    /// One keep-alive request, then nothing.
    IdleKeepAlive,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::NoBoundary,
        Kind::EndlessHead,
        Kind::Trickle,
        Kind::Silent,
        Kind::PrefaceOnly,
        Kind::IdleKeepAlive,
    ];

    /// Whether it posts to an upload URL (one identifier each).
    pub fn uploads(self) -> bool {
        matches!(self, Kind::NoBoundary | Kind::EndlessHead | Kind::Trickle)
    }
}

/// `n` connections, the kinds dealt in turn.
pub fn mix(n: usize) -> Vec<Kind> {
    (0..n).map(|i| Kind::ALL[i % Kind::ALL.len()]).collect()
}

/// What one hostile connection got.
#[derive(Debug)]
pub struct Outcome {
    pub kind: Kind,
    /// Everything the server sent on it.
    pub answer: String,
    /// The server closed it (or refused it) within the bound.
    pub closed: bool,
}

/// What the whole attack measured.
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// `/healthz` meanwhile: HTTP status (0: no answer) and latency.
    pub health: Vec<(u16, Duration)>,
    /// The server's resident memory before, and its peak during, in KiB.
    pub rss_before_kib: u64,
    pub rss_peak_kib: u64,
    pub took: Duration,
}

impl Report {
    pub fn rss_growth_mib(&self) -> f64 {
        self.rss_peak_kib.saturating_sub(self.rss_before_kib) as f64 / 1024.0
    }

    /// The `p`-th percentile (0–100) of the `/healthz` latencies.
    pub fn health_percentile(&self, p: f64) -> Duration {
        let mut v: Vec<Duration> = self.health.iter().map(|(_, d)| *d).collect();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[i.min(v.len() - 1)]
    }

    /// One line of figures.
    pub fn summary(&self) -> String {
        format!(
            "{} hostile connections: peak RSS growth {:.1} MiB (from {} KiB), \
             /healthz p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} probes, {:.1} s",
            self.outcomes.len(),
            self.rss_growth_mib(),
            self.rss_before_kib,
            ms(self.health_percentile(50.0)),
            ms(self.health_percentile(99.0)),
            ms(self.health_percentile(100.0)),
            self.health.len(),
            self.took.as_secs_f64(),
        )
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A process's resident memory: (now, peak), in KiB, from /proc.
pub fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets a process's peak (VmHWM) to its resident size now, where the
/// kernel lets us; else the peak stays the one since it started (which
/// can only make a growth figure larger).
pub fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// Runs `kinds` against `addr` (`host:port`) at once, each upload kind on
/// one of `uploads` (upload URL paths, used in order), while `health`
/// polls `health_url` every 20 ms; returns when every connection was closed
/// or has had `bound`. `pid` is the server's, for its memory.
pub async fn run(
    addr: &str,
    kinds: &[Kind],
    uploads: &[String],
    health: &reqwest::Client,
    health_url: &str,
    pid: u32,
    bound: Duration,
) -> Report {
    reset_peak(pid);
    let (rss_before_kib, _) = rss_kib(pid);
    let started = Instant::now();
    let mut paths = uploads.iter();
    let mut tasks = Vec::new();
    for &kind in kinds {
        let path = if kind.uploads() {
            paths.next().cloned()
        } else {
            None
        };
        let addr = addr.to_string();
        tasks.push(tokio::spawn(async move {
            attack(&addr, kind, path.as_deref(), bound).await
        }));
    }
    let (done_tx, mut done_rx) = tokio::sync::watch::channel(false);
    let probe = async {
        let mut got = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = done_rx.changed() => return got,
                _ = tick.tick() => {}
            }
            let at = Instant::now();
            let status = match health.get(health_url).send().await {
                Ok(resp) => {
                    let code = resp.status().as_u16();
                    match resp.text().await {
                        Ok(_) => code,
                        Err(_) => 0,
                    }
                }
                Err(_) => 0,
            };
            got.push((status, at.elapsed()));
        }
    };
    let attacks = async {
        let mut outcomes = Vec::new();
        for t in tasks {
            if let Ok(o) = t.await {
                outcomes.push(o);
            }
        }
        let _ = done_tx.send(true);
        outcomes
    };
    let (outcomes, health) = tokio::join!(attacks, probe);
    let (_, rss_peak_kib) = rss_kib(pid);
    Report {
        outcomes,
        health,
        rss_before_kib,
        rss_peak_kib,
        took: started.elapsed(),
    }
}

/// One hostile connection; returns once the server closed it or `bound`
/// passed.
pub async fn attack(addr: &str, kind: Kind, upload: Option<&str>, bound: Duration) -> Outcome {
    let Ok(conn) = TcpStream::connect(addr).await else {
        return Outcome {
            kind,
            answer: String::new(),
            closed: true,
        };
    };
    let (mut rd, mut wr) = conn.into_split();
    let post = |path: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\
             Transfer-Encoding: chunked\r\n\r\n"
        )
    };
    let chunk = |b: &[u8]| [format!("{:x}\r\n", b.len()).as_bytes(), b, b"\r\n"].concat();
    let upload = upload.unwrap_or("/upload/none").to_string();
    let writer = tokio::spawn(async move {
        match kind {
            Kind::NoBoundary | Kind::EndlessHead => {
                let (prefix, fill): (&[u8], Vec<u8>) = if kind == Kind::NoBoundary {
                    (b"", vec![b'j'; 64 * 1024])
                } else {
                    (
                        b"--XyZ\r\nContent-Disposition: form-data; name=\"userfile\"; filename=\"a\"\r\n",
                        b"X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                            .repeat(1024),
                    )
                };
                wr.write_all(post(&upload).as_bytes()).await?;
                if !prefix.is_empty() {
                    wr.write_all(&chunk(prefix)).await?;
                }
                // Up to 64 MiB, or until the server stops reading.
                let mut sent = 0;
                while sent < 64 << 20 {
                    wr.write_all(&chunk(&fill)).await?;
                    sent += fill.len();
                }
            }
            Kind::Trickle => {
                wr.write_all(post(&upload).as_bytes()).await?;
                wr.write_all(&chunk(
                    b"--XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n",
                ))
                .await?;
                loop {
                    wr.write_all(&chunk(b"d")).await?;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Kind::Silent => {}
            Kind::PrefaceOnly => {
                wr.write_all(PREFACE).await?;
                wr.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await?;
            }
            Kind::IdleKeepAlive => {
                wr.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    .await?;
            }
        }
        // Holds the connection open; the server has to close it.
        std::future::pending::<()>().await;
        std::io::Result::Ok(())
    });
    let (answer, closed) = read_until_closed(&mut rd, bound).await;
    writer.abort();
    Outcome {
        kind,
        answer,
        closed,
    }
}

/// What the server sends on `rd` until it closes the connection or
/// `bound` passes: the text, and whether it closed in time.
pub async fn read_until_closed(
    rd: &mut (impl tokio::io::AsyncRead + Unpin),
    bound: Duration,
) -> (String, bool) {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = rd.read(&mut buf).await {
            got.extend_from_slice(&buf[..n]);
        }
    };
    let closed = tokio::time::timeout(bound, read).await.is_ok();
    (String::from_utf8_lossy(&got).into_owned(), closed)
}
