//! Single sign-on's two requests (docs/accounts.md, "Single sign-on"):
//! `/oidc/login` sends the browser to the provider with the flow's state
//! sealed in the `ds_oidc` cookie; `/oidc/callback` takes the provider's
//! answer, checks it (`library::oidc`), and opens the browser login.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::web::{add_cookie, cookie, cookies, finish_login, redirect, safe_next, visitor};
use crate::http::html::{esc, not_found, notice, try_later};
use crate::http::ClientIp;
use crate::library::{auth, oidc};
use crate::pages::i18n::t;
use crate::state::App;

const FLOW_COOKIE: &str = "ds_oidc";
/// How the audit log names these logins.
const SSO: &str = "single sign-on";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/oidc/login", get(login))
        .route("/oidc/callback", get(callback))
}

/// `GET /oidc/login[?next=]`
async fn login(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    if !oidc::enabled(&app.cfg.oidc) {
        return not_found();
    }
    match oidc::start(&app, &safe_next(q.get("next"))).await {
        Ok((url, sealed)) => {
            let mut resp = redirect(&url);
            add_cookie(&mut resp, &cookie(&app, FLOW_COOKIE, &sealed, 600));
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "single sign-on");
            try_later(&t("login-unavailable"))
        }
    }
}

/// `GET /oidc/callback?code=…&state=…` (or `error=…`)
async fn callback(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !oidc::enabled(&app.cfg.oidc) {
        return not_found();
    }
    let v = visitor(&app, &headers).await;
    let sealed = cookies(&headers, FLOW_COOKIE).next();
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let outcome = if !get("error").is_empty() {
        Ok(Err(oidc::Refused::Provider(format!(
            "{} {}",
            get("error"),
            get("error_description")
        ))))
    } else {
        oidc::finish(&app, get("code"), get("state"), sealed).await
    };
    let refused = |why: String| {
        let mut resp = v.page(
            StatusCode::FORBIDDEN,
            &t("login-title"),
            &format!(
                "{}<p><a class=\"btn\" href=\"/login\">{}</a></p>",
                notice(false, &why),
                esc(&t("login-submit"))
            ),
            &[],
        );
        add_cookie(&mut resp, &cookie(&app, FLOW_COOKIE, "", 0));
        resp
    };
    let (user, next) = match outcome {
        Ok(Ok(found)) => found,
        Ok(Err(why)) => {
            let why_text = why.to_string();
            auth::audit_login(&app, None, ip, SSO, Some(&why_text)).await;
            return refused(why.to_string());
        }
        Err(e) => {
            tracing::error!(error = %e, "single sign-on");
            return try_later(&t("login-unavailable"));
        }
    };
    if !user.is_active() {
        auth::audit_login(&app, Some(&user), ip, SSO, Some("account disabled")).await;
        return refused(t("login-wrong"));
    }
    auth::audit_login(&app, Some(&user), ip, SSO, None).await;
    let mut resp = finish_login(&app, user.id, ip, &next).await;
    add_cookie(&mut resp, &cookie(&app, FLOW_COOKIE, "", 0));
    resp
}
