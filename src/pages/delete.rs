//! `/delete/{id}/{secret}`: the delete link of a file. GET only asks (a
//! link prefetcher or mail scanner must not delete anything); the button
//! POSTs to the same URL, which deletes the file, its blob and its space.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::db::files::{is_id, File};
use crate::http::html::{esc, not_found, page, try_later};
use crate::library;
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new().route("/delete/{id}/{secret}", get(confirm).post(delete))
}

/// The file a delete link names, if its secret is right.
async fn lookup(app: &AppState, id: &str, secret: &str) -> Result<Option<File>, Response> {
    if !is_id(id) {
        return Ok(None);
    }
    match app.db.file(id).await {
        Ok(f) => Ok(f.filter(|f| library::delete_secret_ok(app, f, secret))),
        Err(e) => {
            tracing::error!(error = %e, "delete page");
            Err(try_later("This page cannot be shown right now."))
        }
    }
}

async fn confirm(State(app): State<App>, Path((id, secret)): Path<(String, String)>) -> Response {
    match lookup(&app, &id, &secret).await {
        Ok(Some(file)) => page(
            StatusCode::OK,
            "Delete file",
            &format!(
                "<div class=\"card narrow\"><p>Delete <b id=\"name\">{}</b> for good? This cannot be undone.</p>\
                 <form method=\"post\" class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">Delete</button>\
                 <a class=\"btn btn-secondary\" href=\"/\">Keep it</a></form></div>",
                esc(&file.name)
            ),
        ),
        Ok(None) => not_found(),
        Err(resp) => resp,
    }
}

async fn delete(State(app): State<App>, Path((id, secret)): Path<(String, String)>) -> Response {
    let file = match lookup(&app, &id, &secret).await {
        Ok(Some(file)) => file,
        Ok(None) => return not_found(),
        Err(resp) => return resp,
    };
    match library::delete_file(&app, &file.id, None).await {
        Ok(_) => page(
            StatusCode::OK,
            "File deleted",
            &format!(
                "<p class=\"notice notice-ok\"><b>{}</b> was deleted.</p>",
                esc(&file.name)
            ),
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "deleting a file");
            try_later("The file could not be deleted right now.")
        }
    }
}
