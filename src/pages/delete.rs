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
use crate::pages::i18n::{t, t_html};
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
            Err(try_later(&t("delete-unavailable")))
        }
    }
}

async fn confirm(State(app): State<App>, Path((id, secret)): Path<(String, String)>) -> Response {
    match lookup(&app, &id, &secret).await {
        Ok(Some(file)) => {
            // A file of an account may go to its trash (docs/expiry.md).
            let trashed = match file.user_id {
                Some(uid) => library::trash::keep_secs(&app, uid).await.unwrap_or(0) > 0,
                None => false,
            };
            confirm_page(&file, trashed)
        }
        Ok(None) => not_found(),
        Err(resp) => resp,
    }
}

fn confirm_page(file: &File, trashed: bool) -> Response {
    page(
            StatusCode::OK,
            &t("delete-title"),
            &format!(
                "<div class=\"card narrow\"><p>{}</p>\
                 <form method=\"post\" class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">{}</button>\
                 <a class=\"btn btn-secondary\" href=\"/\">{}</a></form></div>",
                t_html(
                    if trashed {
                        "delete-question-trash"
                    } else {
                        "delete-question"
                    },
                    &[],
                    &[("name", &format!("<b id=\"name\">{}</b>", esc(&file.name)))]
                ),
                esc(&t("delete-button")),
                esc(&t("delete-keep")),
            ),
    )
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
            &t("delete-done-title"),
            &format!(
                "<p class=\"notice notice-ok\">{}</p>",
                t_html(
                    "delete-done",
                    &[],
                    &[("name", &format!("<b>{}</b>", esc(&file.name)))]
                )
            ),
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "deleting a file");
            try_later(&t("delete-failed"))
        }
    }
}
