//! `/extend/{f|s}/{id}/{expires}/{signature}`: the one-click extend link
//! of an expiry warning (docs/expiry.md). GET only shows the item and a
//! button (mail scanners and link prefetchers open GET links); the button
//! POSTs to the same URL, which extends it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::http::html::{esc, page, time_tag, try_later};
use crate::library::expiry::{self, Item};
use crate::library::Error;
use crate::pages::i18n::{t, t_html};
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new().route(
        "/extend/{kind}/{id}/{expires}/{sig}",
        get(confirm).post(extend),
    )
}

type Link = Path<(String, String, i64, String)>;

/// A link that is not (or no longer) valid: 404 with one text whatever
/// the reason, so a guess learns nothing.
fn refused() -> Response {
    page(
        StatusCode::NOT_FOUND,
        &t("extend-invalid-title"),
        &format!(
            "<p class=\"notice notice-error\" id=\"invalid\">{}</p>",
            esc(&t("extend-invalid"))
        ),
    )
}

fn failed(e: Error) -> Response {
    match e {
        Error::Denied(_) | Error::FileNotFound => refused(),
        e => {
            tracing::error!(error = %format!("{e:#}"), "extend link");
            try_later(&t("extend-unavailable"))
        }
    }
}

async fn target(
    app: &AppState,
    kind: &str,
    id: &str,
    expires: i64,
    sig: &str,
) -> Result<expiry::Target, Error> {
    let item = Item::parse(kind, id).ok_or(Error::Denied(None))?;
    expiry::target(app, item, expires, sig).await
}

async fn confirm(State(app): State<App>, Path((kind, id, expires, sig)): Link) -> Response {
    match target(&app, &kind, &id, expires, &sig).await {
        Ok(t_) => page(
            StatusCode::OK,
            &t("extend-title"),
            &format!(
                "<div class=\"card narrow\"><p>{}</p>\
                 <form method=\"post\" class=\"actions\"><button class=\"btn btn-primary\" type=\"submit\" id=\"extend\">{}</button></form></div>",
                t_html(
                    "extend-question",
                    &[],
                    &[
                        ("name", &format!("<b id=\"name\">{}</b>", esc(&t_.name))),
                        ("date", &time_tag(t_.expires)),
                    ]
                ),
                esc(&t("extend-button")),
            ),
        ),
        Err(e) => failed(e),
    }
}

async fn extend(State(app): State<App>, Path((kind, id, expires, sig)): Link) -> Response {
    let Some(item) = Item::parse(&kind, &id) else {
        return refused();
    };
    let name = match expiry::target(&app, item.clone(), expires, &sig).await {
        Ok(t_) => t_.name,
        Err(e) => return failed(e),
    };
    match expiry::extend_by_link(&app, item, expires, &sig).await {
        Ok(until) => page(
            StatusCode::OK,
            &t("extend-done-title"),
            &format!(
                "<p class=\"notice notice-ok\" id=\"extended\">{}</p>",
                t_html(
                    "extend-done",
                    &[],
                    &[
                        ("name", &format!("<b>{}</b>", esc(&name))),
                        ("date", &time_tag(until)),
                    ]
                )
            ),
        ),
        Err(e) => failed(e),
    }
}
