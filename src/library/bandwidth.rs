//! Download bandwidth: bytes served are charged to the account whose URL
//! was used, in batches.

use super::{Library, Result};
use crate::db::now;
use crate::db::users::bandwidth_period;

/// Bytes served per account, not yet written: one transaction every
/// `FLUSH_EVERY` charges them all (a write per response would queue every
/// download behind the database; measured with 64 concurrent ranges).
#[derive(Default)]
pub struct Charges {
    pending: std::sync::Mutex<std::collections::HashMap<i64, i64>>,
}

impl Charges {
    pub fn add(&self, account: i64, bytes: i64) {
        if let Ok(mut p) = self.pending.lock() {
            *p.entry(account).or_default() += bytes;
        }
    }

    pub(crate) fn take(&self) -> std::collections::HashMap<i64, i64> {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }
}

/// Adds the pending charges to this month's bandwidth use (a new month
/// starts from zero); what cannot be written now is kept for the next try.
pub async fn flush_charges(lib: &Library) -> Result<()> {
    let due = lib.charges.take();
    if due.is_empty() {
        return Ok(());
    }
    let written = lib.db.charge_bandwidth(bandwidth_period(now()), &due).await;
    if written.is_err() {
        for (account, bytes) in due {
            lib.charges.add(account, bytes);
        }
    }
    Ok(written?)
}
