//! Upload progress, readable from any node: each upload bumps an in-memory
//! counter per chunk (no lock, no I/O), and one task per node writes every
//! counter that moved to the `progress` table in a single transaction twice
//! a second. The start and the end of an upload are written at once by the
//! upload itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Library, Result};
use crate::db::now_ms;
use crate::db::uploads::UploadState;

pub use crate::db::progress::Progress;

/// How often a node writes the progress of its running uploads (and the
/// bandwidth its downloads used).
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Bytes received so far of one running upload.
#[derive(Default)]
pub struct Counter {
    received: AtomicI64,
    flushed: AtomicI64,
}

impl Counter {
    pub fn add(&self, n: usize) {
        self.received.fetch_add(n as i64, Ordering::Relaxed);
    }

    pub fn received(&self) -> i64 {
        self.received.load(Ordering::Relaxed)
    }
}

/// This node's running uploads, by identifier.
#[derive(Default)]
pub struct Board {
    live: Mutex<HashMap<String, Arc<Counter>>>,
}

impl Board {
    /// Registers the counter of an upload that starts now.
    pub fn insert(&self, id: &str, counter: Arc<Counter>) {
        if let Ok(mut live) = self.live.lock() {
            live.insert(id.to_string(), counter);
        }
    }

    pub fn close(&self, id: &str) {
        if let Ok(mut live) = self.live.lock() {
            live.remove(id);
        }
    }

    pub fn running(&self) -> usize {
        self.live.lock().map(|l| l.len()).unwrap_or(0)
    }

    /// The uploads whose count moved since the last flush.
    fn moved(&self) -> Vec<(String, i64)> {
        let Ok(live) = self.live.lock() else {
            return Vec::new();
        };
        live.iter()
            .filter_map(|(id, c)| {
                let now = c.received();
                (c.flushed.swap(now, Ordering::Relaxed) != now).then(|| (id.clone(), now))
            })
            .collect()
    }
}

/// Writes the counters that moved; rows that already ended are left alone.
pub async fn flush(lib: &Library) -> Result<()> {
    let moved = lib.progress.moved();
    if moved.is_empty() {
        return Ok(());
    }
    lib.db.write_progress(&moved, now_ms()).await?;
    Ok(())
}

/// An upload's progress as any node sees it. An identifier handed out but
/// not used yet reads as a running upload of nothing (a poller may start
/// before the upload); an unknown one as failed.
pub async fn status(lib: &Library, id: &str) -> Result<Progress> {
    if let Some(p) = lib.db.progress(id).await? {
        return Ok(p);
    }
    Ok(match lib.db.upload_id(id).await {
        Ok(Some(i)) if i.state == UploadState::Unused => Progress::empty("ok"),
        // Claimed since the first read: the claim commits its progress row
        // with the identifier's state, so it is there now.
        Ok(Some(_)) => lib
            .db
            .progress(id)
            .await?
            .unwrap_or_else(|| Progress::empty("fail")),
        _ => Progress::empty("fail"),
    })
}
