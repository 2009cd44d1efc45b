//! The second step of a browser login for accounts with two-factor login
//! (docs/accounts.md): `/login/2fa` asks for a code from the app or a
//! recovery code — or, for an account the policy requires it of that has
//! none yet, enrols it there (QR code, first code, recovery codes).
//!
//! Between the two steps the browser holds `ds_2fa`: the account, an
//! expiry and `next`, signed with the server key over a fingerprint of
//! the account's password hash (a new password voids it). It opens
//! nothing by itself; any node can check it.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::web::{
    add_cookie, cookie, cookies, finish_login, redirect, safe_next, visitor, Visitor,
};
use crate::db::now;
use crate::db::users::User;
use crate::http::html::{esc, notice};
use crate::http::ClientIp;
use crate::library::audit::Origin;
use crate::library::{auth, two_factor};
use crate::pages::i18n::{t, t_args};
use crate::secrets::hash_secret;
use crate::state::{App, AppState};

const CHALLENGE_COOKIE: &str = "ds_2fa";
/// Seconds between the password and the code.
const CHALLENGE_SECS: i64 = 300;

pub fn routes() -> Router<App> {
    Router::new().route("/login/2fa", get(show).post(submit))
}

fn signed_part(user: &User, expires: i64, next: &str) -> String {
    let fingerprint = &hash_secret(&user.password_hash)[..16];
    format!("2fa:{}:{expires}:{fingerprint}:{next}", user.id)
}

/// After the right password: the challenge cookie, and on to the code.
pub fn challenge(app: &AppState, user: &User, next: &str) -> Response {
    let expires = now() + CHALLENGE_SECS;
    let next_b64 = URL_SAFE_NO_PAD.encode(next.as_bytes());
    let sig = app.secrets.sign(&signed_part(user, expires, next));
    let mut resp = redirect("/login/2fa");
    add_cookie(
        &mut resp,
        &cookie(
            app,
            CHALLENGE_COOKIE,
            &format!("{}.{expires}.{next_b64}.{sig}", user.id),
            CHALLENGE_SECS,
        ),
    );
    resp
}

/// The account and `next` of a live challenge cookie.
async fn pending(app: &AppState, headers: &HeaderMap) -> Option<(User, String)> {
    for value in cookies(headers, CHALLENGE_COOKIE) {
        let mut parts = value.splitn(4, '.');
        let (Some(uid), Some(expires), Some(next_b64), Some(sig)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(uid), Ok(expires)) = (uid.parse::<i64>(), expires.parse::<i64>()) else {
            continue;
        };
        let Some(next) = URL_SAFE_NO_PAD
            .decode(next_b64.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        else {
            continue;
        };
        if expires < now() {
            continue;
        }
        let Ok(Some(user)) = app.db.user_by_id(uid).await else {
            continue;
        };
        if user.is_active() && app.secrets.verify(&signed_part(&user, expires, &next), sig) {
            return Some((user, safe_next(Some(&next))));
        }
    }
    None
}

fn page(v: &Visitor, user: &User, status: StatusCode, error: Option<&str>) -> Response {
    let error = error.map(|e| notice(false, e)).unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\" action=\"/login/2fa\" class=\"card narrow\" id=\"code-form\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p>{intro}</p>\
         <div class=\"field\"><label for=\"code\">{label}</label>\
         <input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" required autofocus></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"code-submit\">{submit}</button></div></form>",
        csrf = esc(&v.csrf),
        intro = esc(&t_args("two-factor-intro", &[("name", user.user_name.clone().into())])),
        label = esc(&t("two-factor-code")),
        submit = esc(&t("two-factor-submit")),
    );
    v.page(status, &t("two-factor-title"), &body, &[])
}

/// The enrolment the policy asks for before the login completes.
async fn enrol_page(
    app: &AppState,
    v: &Visitor,
    user: &User,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let enrolment = match two_factor::enrolment(app, user).await {
        Ok(e) => e,
        Err(e) => {
            crate::api::error::ApiError::from(e).log("two-factor enrolment");
            return crate::http::html::try_later(&t("login-unavailable"));
        }
    };
    let error = error.map(|e| notice(false, e)).unwrap_or_default();
    let body = format!(
        "{error}<p class=\"notice notice-warn\">{required}</p>{setup}",
        required = esc(&t("two-factor-required")),
        setup = setup_form(&enrolment, &v.csrf, "/login/2fa"),
    );
    v.page(status, &t("two-factor-title"), &body, &[])
}

/// The QR code, the secret for typing in, and the first code's field.
pub fn setup_form(enrolment: &two_factor::Enrolment, csrf: &str, action: &str) -> String {
    let qr = super::preview::qr_svg(&enrolment.url).unwrap_or_default();
    format!(
        "<form method=\"post\" action=\"{action}\" class=\"card\" id=\"two-factor-setup\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><p>{scan}</p>\
         <div class=\"qr\" id=\"totp-qr\" role=\"img\" aria-label=\"{qr_label}\">{qr}</div>\
         <p>{type_it} <code id=\"totp-secret\">{secret}</code></p>\
         <div class=\"field\"><label for=\"code\">{label}</label>\
         <input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" required></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"enable\">{submit}</button></div></form>",
        action = esc(action),
        csrf = esc(csrf),
        scan = esc(&t("two-factor-scan")),
        qr_label = esc(&t("two-factor-qr")),
        type_it = esc(&t("two-factor-type-secret")),
        secret = esc(&enrolment.secret),
        label = esc(&t("two-factor-first-code")),
        submit = esc(&t("two-factor-enable")),
    )
}

/// The recovery codes, shown once.
pub fn codes_block(codes: &[String]) -> String {
    let items: String = codes
        .iter()
        .map(|c| format!("<li><code>{}</code></li>", esc(c)))
        .collect();
    format!(
        "<div class=\"notice notice-ok\" id=\"recovery-codes\" role=\"status\"><p>{}</p><ul class=\"codes\">{items}</ul></div>",
        esc(&t("two-factor-codes"))
    )
}

/// The step's page again, with why the code was refused.
async fn refused(
    app: &AppState,
    v: &Visitor,
    user: &User,
    status: StatusCode,
    text: String,
) -> Response {
    if user.totp_enabled == 0 {
        enrol_page(app, v, user, status, Some(&text)).await
    } else {
        page(v, user, status, Some(&text))
    }
}

/// `GET /login/2fa`
async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let v = visitor(&app, &headers).await;
    let Some((user, _)) = pending(&app, &headers).await else {
        return redirect("/login");
    };
    if user.totp_enabled == 0 {
        return enrol_page(&app, &v, &user, StatusCode::OK, None).await;
    }
    page(&v, &user, StatusCode::OK, None)
}

/// `POST /login/2fa` (`csrf`, `code`): throttled like the password, then
/// the login opens (after an enrolment, with the recovery codes shown).
async fn submit(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let Some((user, next)) = pending(&app, &headers).await else {
        return redirect("/login");
    };
    let code = form.get("code").map(String::as_str).unwrap_or("");
    let enrolling = user.totp_enabled == 0;
    let refuse = |status: StatusCode, text: String| refused(&app, &v, &user, status, text);
    if !v.csrf_ok(form.get("csrf").map(String::as_str).unwrap_or("")) {
        return refuse(StatusCode::FORBIDDEN, t("login-form-expired")).await;
    }
    match auth::login_wait(&app.db, &user.user_name, ip).await {
        Ok(None) => {}
        Ok(Some(wait)) => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                t_args("login-wait", &[("seconds", wait.into())]),
            )
            .await
        }
        Err(e) => {
            crate::api::error::ApiError::from(e).log("two-factor login");
            return crate::http::html::try_later(&t("login-unavailable"));
        }
    }
    let outcome = if enrolling {
        two_factor::enable(&app, &user, code, Origin::user(ip))
            .await
            .map(Some)
    } else {
        two_factor::verify(&app.db, &app.secrets, &user, code, Origin::user(ip))
            .await
            .map(|ok| ok.then(Vec::new))
    };
    let ok = match &outcome {
        Ok(Some(_)) => true,
        Ok(None) | Err(crate::library::Error::Invalid(_)) => false,
        Err(e) => {
            tracing::error!(error = %e, "two-factor login");
            return crate::http::html::try_later(&t("login-unavailable"));
        }
    };
    let settled = auth::login_settle(&app, &user.user_name, ip, ok).await;
    let why = (!ok).then_some("wrong second factor");
    auth::audit_login(&app, Some(&user), ip, "web, second factor", why).await;
    if let Ok(Some(wait)) = settled {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            t_args("login-wait", &[("seconds", wait.into())]),
        )
        .await;
    }
    let codes = match outcome {
        Ok(Some(codes)) => codes,
        _ => return refuse(StatusCode::FORBIDDEN, t("two-factor-wrong")).await,
    };
    let mut resp = if codes.is_empty() {
        finish_login(&app, user.id, ip, &next).await
    } else {
        // Enrolled just now: the codes first, then on.
        let login = finish_login(&app, user.id, ip, &next).await;
        let mut shown = v.page(
            StatusCode::OK,
            &t("two-factor-title"),
            &format!(
                "{}<p><a class=\"btn\" href=\"{}\" id=\"continue\">{}</a></p>",
                codes_block(&codes),
                esc(&next),
                esc(&t("two-factor-continue"))
            ),
            &[],
        );
        for c in login.headers().get_all(axum::http::header::SET_COOKIE) {
            shown
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, c.clone());
        }
        shown
    };
    add_cookie(&mut resp, &cookie(&app, CHALLENGE_COOKIE, "", 0));
    resp
}
