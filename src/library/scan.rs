//! Virus scanning of uploads with ClamAV's clamd (docs/scanning.md). A
//! finished upload's bytes are scanned before it becomes a file
//! (`before_commit`, called by `uploads::store`, so form and resumable
//! uploads alike): an infected one is refused (`Error::Infected`) and its
//! front end removes what it wrote, as for any failed upload. A file over
//! `scan.max_bytes` is stored quarantined instead — hidden from every
//! lookup and listing — and scanned in the background
//! (`sweep_quarantine`): made visible when clean, deleted when infected.

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;

use crate::blobs::Written;
use crate::clamd::{self, Address, ScanError, Verdict};
use crate::db::files::File;
use crate::db::now;
use crate::library::{content, Error, Library, Result};

/// A quarantined file taken for a scan is left to that node this long (a
/// node that died mid-scan leaves it to the others after it).
const LEASE_SECS: i64 = 3600;
/// A quarantined file whose scan gave no verdict is tried again after this.
pub const RETRY_SECS: i64 = 300;
/// How often each node looks for quarantined files when nothing wakes it.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// The longest signature name told to the uploader.
const MAX_NAME: usize = 100;

/// Wakes this node's background scanner when it stores a quarantined file.
#[derive(Default)]
pub struct Wake(Notify);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Until woken, at most `at_most`.
    pub async fn wait(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.0.notified()).await;
    }
}

/// clamd's address; None when scanning is off. (`Config::check` refused
/// an address that does not parse.)
fn address(lib: &Library) -> Option<Address> {
    let text = lib.cfg.scan.clamd.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    Address::parse(text).ok()
}

fn timeout(lib: &Library) -> Duration {
    Duration::from_secs(lib.cfg.scan.timeout_secs.max(1))
}

fn counted(outcome: &'static str) {
    metrics::counter!("dropspace_scans_total", "outcome" => outcome).increment(1);
}

/// A signature's name as the uploader is told it: printable ASCII, short.
fn shown(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(MAX_NAME)
        .collect();
    if clean.is_empty() {
        "unnamed signature".into()
    } else {
        clean
    }
}

/// Scans a finished upload (its blob `blob_key` of `size` bytes, or its
/// inline bytes) before it is committed. Ok(true): store it quarantined
/// (over `scan.max_bytes`); Ok(false): store it visible (clean, not
/// scanned because scanning is off or it is large and quarantine is off,
/// or no verdict with `scan.fail_closed = false`). Err: refused — infected,
/// or no verdict with `scan.fail_closed`.
pub async fn before_commit(
    lib: &Library,
    blob_key: &str,
    written: &Written,
    size: i64,
) -> Result<bool> {
    let Some(addr) = address(lib) else {
        return Ok(false);
    };
    let max = lib.cfg.scan.max_bytes;
    if max >= 0 && size > max {
        if lib.cfg.scan.quarantine_large {
            counted("quarantined");
            return Ok(true);
        }
        tracing::info!(
            size,
            max_bytes = max,
            "upload stored unscanned: larger than scan.max_bytes"
        );
        counted("skipped");
        return Ok(false);
    }
    let verdict = match &written.inline {
        Some(bytes) => clamd::scan_bytes(&addr, timeout(lib), Bytes::copy_from_slice(bytes)).await,
        None if size <= 0 => clamd::scan_bytes(&addr, timeout(lib), Bytes::new()).await,
        None => {
            let stream = lib
                .blobs
                .read(blob_key, 0..size as u64)
                .await
                .map_err(|e| Error::internal(anyhow::anyhow!("reading an upload to scan: {e}")))?;
            clamd::scan(&addr, timeout(lib), Box::pin(stream)).await
        }
    };
    match verdict {
        Ok(Verdict::Clean) => {
            counted("clean");
            Ok(false)
        }
        Ok(Verdict::Infected(name)) => {
            counted("infected");
            tracing::warn!(signature = %name, size, "upload refused: virus found");
            Err(Error::Infected(shown(&name).into()))
        }
        Err(ScanError::Source(e)) => Err(Error::internal(e)),
        Err(e) => {
            counted("error");
            if lib.cfg.scan.fail_closed {
                tracing::error!(error = %e, "upload refused: no virus scan verdict (scan.fail_closed)");
                Err(Error::ScanUnavailable)
            } else {
                tracing::warn!(
                    error = %e,
                    "upload stored unscanned: no virus scan verdict (scan.fail_closed = false)"
                );
                Ok(false)
            }
        }
    }
}

/// Scans the quarantined files that are due, one at a time: each is taken
/// with a conditional statement first, so nodes share the work. Returns
/// how many were scanned.
pub async fn sweep_quarantine(lib: &Library) -> Result<usize> {
    let mut n = 0;
    for id in lib.db.quarantine_due(now()).await? {
        let Some(file) = lib
            .db
            .claim_quarantined(&id, now(), now() + LEASE_SECS)
            .await?
        else {
            continue;
        };
        scan_quarantined(lib, &file).await?;
        n += 1;
    }
    Ok(n)
}

/// One quarantined file: visible when clean, deleted (row, space, bytes)
/// when infected; without a verdict tried again after `RETRY_SECS`, or
/// with `scan.fail_closed = false` made visible unscanned.
async fn scan_quarantined(lib: &Library, file: &File) -> Result<()> {
    let Some(addr) = address(lib) else {
        // Scanning was turned off: uploads are taken unscanned now, and so
        // are the files it left waiting.
        tracing::warn!(file_id = %file.id, "quarantined file made visible unscanned: scan.clamd is unset");
        lib.db.release_quarantined(&file.id).await?;
        return Ok(());
    };
    let verdict = match content::read(
        &lib.db,
        &lib.blobs,
        &file.blob_key,
        0..file.size.max(0) as u64,
    )
    .await
    {
        Ok(stream) => clamd::scan(&addr, timeout(lib), stream).await,
        Err(e) => Err(ScanError::Source(std::io::Error::other(e.to_string()))),
    };
    match verdict {
        Ok(Verdict::Clean) => {
            counted("clean");
            if lib.db.release_quarantined(&file.id).await? {
                tracing::info!(file_id = %file.id, "quarantined file found clean: now visible");
                crate::library::webhooks::upload_completed(lib, file.user_id, &file.id).await;
            }
        }
        Ok(Verdict::Infected(name)) => {
            counted("infected");
            tracing::warn!(file_id = %file.id, signature = %name, "quarantined file deleted: virus found");
            delete(lib, file).await?;
        }
        Err(ScanError::Source(e)) => {
            tracing::warn!(file_id = %file.id, error = %e, "reading a quarantined file to scan; trying again later");
            lib.db
                .retry_quarantined(&file.id, now() + RETRY_SECS)
                .await?;
        }
        Err(e) if lib.cfg.scan.fail_closed => {
            counted("error");
            tracing::error!(
                file_id = %file.id,
                error = %e,
                retry_secs = RETRY_SECS,
                "quarantined file stays hidden: no virus scan verdict (scan.fail_closed)"
            );
            lib.db
                .retry_quarantined(&file.id, now() + RETRY_SECS)
                .await?;
        }
        Err(e) => {
            counted("error");
            tracing::warn!(
                file_id = %file.id,
                error = %e,
                "quarantined file made visible unscanned: no virus scan verdict (scan.fail_closed = false)"
            );
            lib.db.release_quarantined(&file.id).await?;
        }
    }
    Ok(())
}

/// Deletes an infected quarantined file as `files.delete` would: its row
/// and its owner's space in one transaction, then its bytes.
async fn delete(lib: &Library, file: &File) -> Result<()> {
    let mut lock = lib.db.lock_owner(file.user_id).await?;
    match crate::db::files::delete_file_row(&mut lock, &file.id, file.user_id).await? {
        Some(blob_key) => {
            lock.commit().await?;
            lib.db.cache.file_changed(&file.id);
            crate::library::remove_blob(lib, &blob_key).await;
        }
        None => lock.rollback().await?,
    }
    Ok(())
}

/// Says at start whether scanning is on and clamd answers.
pub async fn announce(lib: &Library) {
    let Some(addr) = address(lib) else {
        return;
    };
    let cfg = &lib.cfg.scan;
    match clamd::ping(&addr, timeout(lib)).await {
        Ok(()) => tracing::info!(
            clamd = %addr,
            fail_closed = cfg.fail_closed,
            max_bytes = cfg.max_bytes,
            quarantine_large = cfg.quarantine_large,
            "uploads are scanned for viruses"
        ),
        Err(e) => tracing::warn!(
            clamd = %addr,
            error = %e,
            fail_closed = cfg.fail_closed,
            "uploads are scanned for viruses, but clamd does not answer"
        ),
    }
}
