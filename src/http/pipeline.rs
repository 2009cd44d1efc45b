//! The one request pipeline. Every call from `/rest/`, `/api/` and the web
//! pages passes the same steps; each front end composes them in the order
//! its protocol sets (the guide's error precedence puts its own parameter
//! checks between the first two):
//!
//! 1. `address`: the client address's API rate;
//! 2. `open_for`: maintenance mode refuses methods that write;
//! 3. (the front end finds the account: session key, signature or cookie)
//! 4. `account`: the account's API rate, an ended paid membership where the
//!    method checks it, the upload-start rate;
//! 5. (the front end runs the method and renders the outcome)
//! 6. `record`: one log line and the metrics — never a parameter.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

use metrics::{Counter, Histogram};

use crate::db::users::User;
use crate::library::{Error, Result};
use crate::state::AppState;

pub struct Pipeline<'a> {
    app: &'a AppState,
    pub ip: IpAddr,
}

/// What a method asks of the pipeline.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gate {
    /// Changes state: refused in maintenance mode.
    pub writes: bool,
    /// Refused for an account whose paid membership has ended.
    pub expiry: bool,
    /// Hands out an upload identifier (rate-limited apart).
    pub upload_start: bool,
}

impl<'a> Pipeline<'a> {
    pub fn new(app: &'a AppState, ip: IpAddr) -> Pipeline<'a> {
        Pipeline { app, ip }
    }

    pub fn app(&self) -> &'a AppState {
        self.app
    }

    /// Step 1: the address's API rate.
    pub fn address(&self) -> Result<()> {
        self.app.abuse.api_call(self.ip)
    }

    /// Step 2: maintenance mode (a row every node reads) refuses writes.
    pub async fn open_for(&self, gate: Gate) -> Result<()> {
        if gate.writes && self.app.db.maintenance().await? {
            return Err(Error::Maintenance);
        }
        Ok(())
    }

    /// Step 4, once the account (if any) is known.
    pub fn account(&self, user: Option<&User>, gate: Gate) -> Result<()> {
        if let Some(user) = user {
            self.app.abuse.api_call_by(user.id)?;
            if gate.expiry && user.membership_expired() {
                return Err(Error::MembershipExpired);
            }
        }
        if gate.upload_start {
            self.app.abuse.upload_start(self.ip, user.map(|u| u.id))?;
        }
        Ok(())
    }
}

/// Which front end a call came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Front {
    /// `/rest/`: the sendspace API.
    Rest,
    /// `/api/`: the file_send API.
    FileSend,
}

/// Step 6: one log line and the metrics of a finished call. Only the
/// method's table name and the outcome: parameters carry passwords,
/// tokens and session keys and are never logged.
pub fn record(front: Front, method: &'static str, outcome: &str, started: Instant) {
    let elapsed = started.elapsed();
    match front {
        Front::Rest => {
            tracing::info!(method, outcome, ms = elapsed.as_millis() as u64, "api call");
            rest_metrics(method, outcome, elapsed.as_secs_f64());
        }
        Front::FileSend => {
            tracing::info!(
                method,
                outcome,
                ms = elapsed.as_millis() as u64,
                "file_send call"
            );
            metrics::counter!("dropspace_file_send_requests_total", "outcome" => outcome.to_string())
                .increment(1);
        }
    }
}

/// A `/rest/` call's duration and outcome. The registry's handles are kept
/// per thread: finding them by name hashes the labels on every call, a
/// visible part of a small call's time (docs/performance.md).
fn rest_metrics(method: &'static str, outcome: &str, seconds: f64) {
    type Kept = HashMap<&'static str, (Histogram, HashMap<String, Counter>)>;
    thread_local! {
        static KEPT: RefCell<Kept> = RefCell::new(HashMap::new());
    }
    KEPT.with_borrow_mut(|kept| {
        let (histogram, counters) = kept.entry(method).or_insert_with(|| {
            let h =
                metrics::histogram!("dropspace_api_request_duration_seconds", "method" => method);
            (h, HashMap::new())
        });
        histogram.record(seconds);
        match counters.get(outcome) {
            Some(counter) => counter.increment(1),
            None => {
                let counter = metrics::counter!(
                    "dropspace_api_requests_total",
                    "method" => method,
                    "outcome" => outcome.to_string()
                );
                counter.increment(1);
                counters.insert(outcome.to_string(), counter);
            }
        }
    });
}
