//! The HTTP transfer path: upload ingest, progress, throttling, ranged
//! downloads. Method logic lives in `api/`; this is the byte path.

use axum::Router;

use crate::state::App;

/// Routes of the transfer path (`/upload/…`, `/progress/…`, `/dl/…`).
pub fn routes() -> Router<App> {
    Router::new()
}

/// Background jobs of the transfer path (progress and orphan-blob cleanup).
pub fn spawn_background(_app: &App) {}
