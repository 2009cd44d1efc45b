//! `/activate/{token}`: the link in the registration mail.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::html::{esc, page};
use crate::pages::i18n::{t, t_html};
use crate::state::App;

/// Activates the account the token belongs to. Safe to open twice: the
/// token is cleared on first use and a second visit says it is unknown.
pub async fn activate(State(app): State<App>, Path(token): Path<String>) -> Response {
    match crate::library::accounts::activate(&app.db, &token).await {
        Ok(Some(name)) => page(
            StatusCode::OK,
            &t("activate-title"),
            &format!(
                "<div class=\"notice notice-ok\"><p>{}</p></div>\
                 <p><a class=\"btn\" href=\"/login\">{}</a></p>",
                t_html(
                    "activate-done",
                    &[],
                    &[("name", &format!("<b>{}</b>", esc(&name)))]
                ),
                esc(&t("activate-log-in")),
            ),
        ),
        Ok(None) => page(
            StatusCode::NOT_FOUND,
            &t("activate-unknown-title"),
            &format!(
                "<p class=\"notice notice-warn\">{}</p>",
                esc(&t("activate-unknown"))
            ),
        ),
        Err(e) => {
            tracing::error!(error = %e, "activation");
            crate::http::html::try_later(&t("activate-failed"))
        }
    }
}
