//! The HTTP transfer path: upload ingest, progress, throttling, ranged
//! downloads: the HTTP handlers of the byte path. Upload identifiers and
//! their commit are the domain's (`library::uploads`).

pub mod ingest;
pub mod progress;
pub mod range;
pub mod serve;
pub mod throttle;

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
