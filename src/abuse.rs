//! Abuse limits: how fast an address or an account may call the API and
//! start uploads, and how many uploads it may stream at once. Rates are
//! kept per node, in memory (GCRA buckets from `governor`): a client spread
//! over N nodes gets at most N times the rate, which bounds the load each
//! node sees; nothing here is state another node needs. The per-account
//! cap on open uploads is counted in the database, so it holds across nodes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

pub struct Abuse {
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
        Abuse {
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
