//! The HTTP transfer path: upload ingest, progress, throttling, ranged
//! downloads: the HTTP handlers of the byte path. Upload identifiers and
//! their commit are the domain's (`library::uploads`).

pub mod ingest;
pub mod preview;
pub mod progress;
pub mod range;
pub mod serve;
pub mod throttle;
pub mod tus;
pub mod zip;

use axum::routing::{get, head, options, post};
use axum::Router;

use crate::state::App;

/// Routes of the transfer path (`/upload/…`, `/tus/…`, `/progress/…`, `/dl/…`,
/// the zips of shared folders and bundles).
/// Upload bodies have no size limit here: the upload enforces its own.
pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/upload/{ident}",
            post(ingest::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/tus", post(tus::create).options(tus::options))
        .route("/tus/", post(tus::create).options(tus::options))
        .route(
            "/tus/{id}",
            head(tus::head)
                .patch(tus::patch)
                .delete(tus::terminate)
                .layer(axum::extract::DefaultBodyLimit::disable())
                .merge(options(tus::options)),
        )
        .route("/progress/{ident}", get(progress::show))
        .route("/folder/{id}/zip", get(zip::folder))
        .route("/b/{id}/zip", get(zip::bundle))
        .route("/dl/{id}/{account}/{expires}/{sig}", get(serve::download))
        .route(
            "/dl/{id}/{account}/{expires}/{sig}/{name}",
            get(serve::download),
        )
        .route(
            "/preview/{id}/{account}/{expires}/{sig}",
            get(preview::show),
        )
}
