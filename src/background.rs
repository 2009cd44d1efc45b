//! Background work every node runs. Each job claims its rows with a
//! conditional statement, so running it on every node at once does the same
//! work once.

use std::time::Duration;

use crate::library::{self, bandwidth, limits, progress, scan, uploads, webhooks};
use crate::state::App;

/// How often each node looks for files whose time limit has passed.
const TIME_LIMIT_SWEEP: Duration = Duration::from_secs(2);

pub fn spawn_all(app: &App) {
    tokio::spawn(app.mail.clone().run_worker());
    spawn_webhooks(app);
    spawn_flusher(app);
    spawn_transfer_sweeps(app);
    spawn_library_sweeps(app);
    spawn_scans(app);
    let a = app.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep_expired(&a).await {
                tracing::warn!(error = %e, "sweeping expired rows");
            }
            if let Err(e) = crate::file_send::sweep(&a).await {
                tracing::warn!(error = %e, "sweeping file_send rows");
            }
            if let Err(e) = library::delivery::sweep(&a).await {
                tracing::warn!(error = %e, "sweeping the download log");
            }
            if let Err(e) = library::audit::sweep(&a.db, &a.cfg).await {
                tracing::warn!(error = %e, "sweeping the audit log");
            }
            a.abuse.forget_idle();
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// Delivers queued webhooks (docs/webhooks.md): up to `webhooks::slots`
/// attempts at once, each claimed by one conditional UPDATE; and forgets
/// old finished deliveries.
fn spawn_webhooks(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        let slots = webhooks::slots();
        let mut swept = std::time::Instant::now() - Duration::from_secs(3600);
        loop {
            if swept.elapsed() >= Duration::from_secs(600) {
                swept = std::time::Instant::now();
                if let Err(e) = webhooks::sweep(&app).await {
                    tracing::warn!(error = %format!("{e:#}"), "sweeping webhook deliveries");
                }
            }
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            match webhooks::claim(&app).await {
                Ok(Some(d)) => {
                    let app = app.clone();
                    tokio::spawn(async move {
                        if let Err(e) = webhooks::attempt(&app, &d).await {
                            tracing::warn!(delivery = d.id, error = %format!("{e:#}"), "webhook delivery");
                        }
                        drop(permit);
                    });
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "webhook queue"),
            }
            drop(permit);
            webhooks::wait(&app).await;
        }
    });
}

/// Writes this node's upload progress and download charges every
/// `progress::FLUSH_EVERY`.
fn spawn_flusher(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(progress::FLUSH_EVERY).await;
            if let Err(e) = progress::flush(&app).await {
                tracing::warn!(error = %e, "writing upload progress");
            }
            if let Err(e) = bandwidth::flush_charges(&app).await {
                tracing::warn!(error = %e, "charging download bandwidth");
            }
        }
    });
}

/// How often each node sweeps dead uploads and unattached blobs: every
/// 30 s, or twice per `limits.stale_upload_secs` when that is shorter.
fn sweep_every(app: &App) -> Duration {
    Duration::from_secs((app.cfg.limits.stale_upload_secs / 2).clamp(1, 30) as u64)
}

/// The sweeps of uploads whose node died, blobs never attached to a file,
/// spent identifiers and abandoned blob writes.
fn spawn_transfer_sweeps(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = uploads::sweep_stale(&app).await {
                tracing::warn!(error = %e, "sweeping abandoned uploads");
            }
            if let Err(e) = uploads::sweep_pending_blobs(&app).await {
                tracing::warn!(error = %e, "sweeping unattached blobs");
            }
            if let Err(e) = uploads::sweep_expired(&app).await {
                tracing::warn!(error = %e, "sweeping upload identifiers");
            }
            if let Err(e) = crate::library::resumable::sweep_expired(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "sweeping expired resumable uploads");
            }
            if let Err(e) = crate::library::bundles::sweep_empty(&app).await {
                tracing::warn!(error = %e, "sweeping empty bundles");
            }
            // Half-written blob files of a crashed node are collected after
            // the same grace as unattached blobs, on the same beat (also at
            // startup), not only hourly.
            let grace = Duration::from_secs(app.cfg.limits.pending_blob_grace_secs.max(0) as u64);
            if let Err(e) = app.blobs.sweep_tmp(grace).await {
                tracing::warn!(error = %e, "sweeping abandoned blob writes");
            }
            tokio::time::sleep(sweep_every(&app)).await;
        }
    });
}

/// The time-limit sweeper, the removal of deferred blobs and the expiry
/// of download claims whose node died.
fn spawn_library_sweeps(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = limits::sweep_time_limits(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "time-limit sweeper");
            }
            if let Err(e) = library::sweep_deleted_blobs(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "deferred blob removal");
            }
            if let Err(e) = limits::sweep_claims(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "expired download claims");
            }
            if let Err(e) = library::expiry::sweep_warnings(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "expiry warnings");
            }
            if let Err(e) = library::trash::sweep(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "purging the trash");
            }
            tokio::time::sleep(TIME_LIMIT_SWEEP).await;
        }
    });
}

/// The background virus scans of quarantined uploads (docs/scanning.md):
/// at once when this node stores one, else every `scan::SWEEP_EVERY`.
fn spawn_scans(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        scan::announce(&app).await;
        loop {
            if let Err(e) = scan::sweep_quarantine(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "scanning quarantined uploads");
            }
            app.scans.wait(scan::SWEEP_EVERY).await;
        }
    });
}

/// Deletes expired tokens, sessions and throttle rows (the temporary files
/// of abandoned blob writes go with the transfer sweeps).
pub async fn sweep_expired(app: &App) -> library::Result<()> {
    library::auth::sweep_expired(app).await
}
