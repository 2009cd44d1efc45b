//! `/activate/{token}`: the link in the registration mail.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::http::html::{esc, page};
use crate::state::App;

/// Activates the account the token belongs to. Safe to open twice: the
/// token is cleared on first use and a second visit says it is unknown.
pub async fn activate(State(app): State<App>, Path(token): Path<String>) -> Response {
    match crate::library::accounts::activate(&app.db, &token).await {
        Ok(Some(name)) => page(
            StatusCode::OK,
            "Account activated",
            &format!(
                "<div class=\"notice notice-ok\"><p>The account <b>{}</b> is active. You can log in now.</p></div>\
                 <p><a class=\"btn\" href=\"/login\">Log in</a></p>",
                esc(&name)
            ),
        ),
        Ok(None) => page(
            StatusCode::NOT_FOUND,
            "Unknown activation link",
            "<p class=\"notice notice-warn\">This activation link is unknown or was already used.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "activation");
            crate::http::html::try_later("The server could not activate the account right now.")
        }
    }
}
