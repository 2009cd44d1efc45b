//! The HTTP transfer path: upload ingest, progress, throttling, ranged
//! downloads. Method logic lives in `api/`; this is the byte path.

pub mod ingest;
pub mod links;
pub mod progress;
pub mod range;
pub mod serve;
pub mod throttle;
pub mod uploads;

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use crate::state::App;

/// Routes of the transfer path (`/upload/…`, `/progress/…`, `/dl/…`).
/// Upload bodies have no size limit here: the upload enforces its own.
pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/upload/{ident}",
            post(ingest::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/progress/{ident}", get(progress::show))
        .route("/dl/{id}/{account}/{expires}/{sig}", get(serve::download))
        .route(
            "/dl/{id}/{account}/{expires}/{sig}/{name}",
            get(serve::download),
        )
}

/// How often each node sweeps dead uploads and unattached blobs: every
/// 30 s, or twice per `limits.stale_upload_secs` when that is shorter.
fn sweep_every(app: &App) -> Duration {
    Duration::from_secs((app.cfg.limits.stale_upload_secs / 2).clamp(1, 30) as u64)
}

/// Background jobs of the transfer path: the progress writer, and the
/// sweeps of uploads whose node died, blobs never attached to a file,
/// spent identifiers and abandoned blob writes. Safe on every node: each
/// row is claimed by one conditional statement.
pub fn spawn_background(app: &App) {
    progress::spawn_flusher(app);
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
