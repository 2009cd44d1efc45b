//! `auth.*`: registration, tokens, login with `tokened_password`, sessions.
//! The rules live in `library::auth` and `library::accounts`; this module
//! reads the parameters and writes the sendspace answers.

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::{Ctx, Session};
use crate::http::params::Params;
use crate::library::accounts::{self, Registration};
use crate::library::auth;
use crate::state::AppState;

/// 18 for an unknown key, 25 when the key demands a newer `app_version`.
pub async fn check_api_key(app: &AppState, params: &Params) -> ApiResult<()> {
    let key = params.get("api_key").unwrap_or("");
    Ok(auth::check_api_key(&app.db, key, params.get("app_version")).await?)
}

pub async fn register(c: &Ctx<'_>) -> ApiResult<Reply> {
    check_api_key(c.app, c.params).await?;
    let p = c.params;
    let r = Registration {
        user_name: p.get("user_name").unwrap_or("").trim(),
        full_name: p.get("full_name").unwrap_or(""),
        email: p.get("email").unwrap_or("").trim(),
        password: p.get("password").unwrap_or(""),
        address: c.client_ip,
    };
    accounts::register(c.app, &r).await?;
    Ok(Reply::status_ok())
}

pub async fn create_token(c: &Ctx<'_>) -> ApiResult<Reply> {
    check_api_key(c.app, c.params).await?;
    let version = c.params.get("api_version").unwrap_or("1.0").trim();
    let token = auth::create_token(c.app, version).await?;
    Ok(Reply::one(Node::text("token", token)))
}

pub async fn login(c: &Ctx<'_>) -> ApiResult<Reply> {
    let app = c.app;
    let p = c.params;
    let auth::LoggedIn { session_key, user } = auth::login(
        app,
        p.get("user_name").unwrap_or("").trim(),
        p.get("token").unwrap_or("").trim(),
        p.get("tokened_password").unwrap_or(""),
        c.client_ip,
    )
    .await?;
    let tier = user.tier(&app.cfg);
    let flag = |b: bool| if b { "1" } else { "0" };
    Ok(Reply::ok(vec![
        Node::text("session_key", session_key),
        Node::text("email", &user.email),
        Node::text("membership_type", &user.membership),
        Node::text("membership_ends", user.membership_ends),
        Node::text("capable_upload", flag(tier.capable_upload)),
        Node::text("capable_download", flag(tier.capable_download)),
        Node::text("capable_folders", flag(tier.capable_folders)),
        Node::text("capable_files", flag(tier.capable_files)),
        Node::text("bandwidth_left", user.bandwidth_left(&app.cfg)),
        Node::text("diskspace_left", user.diskspace_left(&app.cfg)),
    ]))
}

/// Looks up a live session and refreshes its idle timer; anything else is 6.
pub async fn load_session(app: &AppState, key: &str) -> ApiResult<Session> {
    let auth::LiveSession {
        user,
        api_version,
        key_hash,
    } = auth::load_session(app, key).await?;
    Ok(Session {
        user,
        api_version,
        key_hash,
    })
}

pub async fn check_session(c: &Ctx<'_>) -> ApiResult<Reply> {
    let user = c.user()?;
    Ok(Reply::ok(vec![
        Node::text("session", "ok"),
        Node::text("bandwidth_left", user.bandwidth_left(&c.app.cfg)),
        Node::text("diskspace_left", user.diskspace_left(&c.app.cfg)),
    ]))
}

pub async fn logout(c: &Ctx<'_>) -> ApiResult<Reply> {
    let session = c.session()?;
    auth::close_session(&c.app.db, &session.key_hash).await?;
    Ok(Reply::status_ok())
}
