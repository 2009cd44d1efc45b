//! Web login for the browser pages: `/login` (form and POST), `/logout`.
//!
//! A login is a random token in the `ds_web` cookie; the database keeps only
//! its SHA-256 (`web_sessions`), so every node can check it and logging out
//! ends it everywhere. Every form carries a CSRF token: an HMAC, under the
//! server key, of the login's token hash — or, before login, of a random
//! visitor id in the `ds_visitor` cookie. Cookies are `HttpOnly;
//! SameSite=Lax; Path=/`, plus `Secure` when `public_url` is https.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::db::users::User;
use crate::http::html::{esc, page_as, try_later, Account};
use crate::http::ClientIp;
use crate::library::auth::{self, password_login, PasswordLogin};
use crate::pages::i18n::{t, t_args};
use crate::secrets::{ct_eq, hash_secret, random_string, LOWER_ALNUM};
use crate::state::{App, AppState};

pub const SESSION_COOKIE: &str = "ds_web";
pub const VISITOR_COOKIE: &str = "ds_visitor";
const COOKIE_MAX_AGE: i64 = 30 * 86400;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

/// Who is asking: the logged-in user (if any) and the CSRF token their
/// forms must carry. `set_cookie` is the visitor cookie to hand out when
/// the request had none.
pub struct Visitor {
    pub user: Option<User>,
    /// When this browser logged in (0: it did not).
    pub logged_in_at: i64,
    token_hash: Option<String>,
    pub csrf: String,
    /// Logged in: the token of the visitor cookie the browser still has,
    /// so a page opened before the login (in another tab) keeps working.
    before_login: Option<String>,
    set_cookie: Option<String>,
}

impl Visitor {
    /// Whether `given` is this visitor's CSRF token (constant time).
    pub fn csrf_ok(&self, given: &str) -> bool {
        !given.is_empty() && ct_eq(given, &self.csrf)
    }

    /// `csrf_ok`, or the token of pages this browser got before it logged
    /// in: for the upload page's requests, so a page left open across a
    /// login in another tab keeps uploading (docs/web.md, "CSRF").
    pub fn csrf_ok_since_before_login(&self, given: &str) -> bool {
        self.csrf_ok(given)
            || (!given.is_empty()
                && self
                    .before_login
                    .as_deref()
                    .is_some_and(|t| ct_eq(given, t)))
    }

    /// Adds the visitor cookie to a response when it is new; pages with a
    /// CSRF token or a user's listing are never stored by caches.
    pub fn finish(&self, mut resp: Response) -> Response {
        if let Some(c) = &self.set_cookie {
            add_cookie(&mut resp, c);
        }
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }

    /// This browser's login as the sessions page names it.
    pub fn session_handle(&self) -> Option<&str> {
        self.token_hash
            .as_deref()
            .and_then(|h| h.get(..crate::db::sessions::HANDLE_LEN))
    }

    /// The header's account part (the shell draws it: `pages::shell`).
    pub fn account(&self) -> Account {
        match &self.user {
            Some(u) => Account::LoggedIn {
                name: Some(u.user_name.clone()),
                csrf: self.csrf.clone(),
            },
            None => Account::LoggedOut,
        }
    }

    /// A page for this visitor, finished (`finish`).
    pub fn page(
        &self,
        status: StatusCode,
        title: &str,
        body: &str,
        scripts: &'static [&'static str],
    ) -> Response {
        self.finish(page_as(status, title, body, scripts, self.account()))
    }
}

/// The header's account part from the cookies alone, for pages that did
/// not look the login up: a `ds_web` cookie reads as logged in, with the
/// logout token it would have. Unchecked, so no database query; a stale
/// cookie shows a Log out button, which clears it.
pub fn account_hint(app: &AppState, headers: &HeaderMap) -> Account {
    match cookies(headers, SESSION_COOKIE).next() {
        Some(token) => Account::LoggedIn {
            name: None,
            csrf: app
                .secrets
                .sign(&format!("csrf:web:{}", hash_secret(token))),
        },
        None => Account::LoggedOut,
    }
}

pub(crate) fn cookies<'a>(
    headers: &'a HeaderMap,
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name && !v.is_empty()).then_some(v)
        })
}

pub(crate) fn add_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

pub(crate) fn cookie(app: &AppState, name: &str, value: &str, max_age: i64) -> String {
    let secure = if app.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The visitor behind a request. A database failure reads as not logged in
/// (and is logged): the pages then offer the login again.
pub async fn visitor(app: &AppState, headers: &HeaderMap) -> Visitor {
    let visitor_id = cookies(headers, VISITOR_COOKIE)
        .find(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_alphanumeric()));
    let visitor_csrf = |id: &str| app.secrets.sign(&format!("csrf:visitor:{id}"));
    for token in cookies(headers, SESSION_COOKIE) {
        match auth::web_login(app, token).await {
            Ok(Some(auth::WebLogin {
                user,
                token_hash,
                created,
            })) => {
                let csrf = app.secrets.sign(&format!("csrf:web:{token_hash}"));
                return Visitor {
                    user: Some(user),
                    logged_in_at: created,
                    token_hash: Some(token_hash),
                    csrf,
                    before_login: visitor_id.map(visitor_csrf),
                    set_cookie: None,
                };
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "loading a web login"),
        }
    }
    let (id, set_cookie) = match visitor_id {
        Some(id) => (id.to_string(), None),
        None => {
            let id = random_string(32, LOWER_ALNUM);
            let c = cookie(app, VISITOR_COOKIE, &id, COOKIE_MAX_AGE);
            (id, Some(c))
        }
    };
    Visitor {
        user: None,
        logged_in_at: 0,
        token_hash: None,
        csrf: visitor_csrf(&id),
        before_login: None,
        set_cookie,
    }
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|text| {
            format!(
                "<p class=\"field-error\" id=\"error\" role=\"alert\">{}</p>",
                esc(text)
            )
        })
        .unwrap_or_default()
}

/// Whether `next` is a path of this site (never another site): an
/// absolute path, not `//`, no `\`, and no control character or whitespace
/// anywhere — browsers drop tabs and newlines, so `/\t/evil.example/`
/// would become `//evil.example/` (docs/web.md).
pub(crate) fn local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

/// Where to go after logging in: `next` when it is local, else `/files`.
pub(crate) fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if local_path(n) => n.to_string(),
        _ => "/files".to_string(),
    }
}

/// The login form; `error` (plain text) is shown under the fields, which
/// are then marked invalid.
fn form_page(
    app: &AppState,
    v: &Visitor,
    status: StatusCode,
    next: &str,
    error: Option<&str>,
) -> Response {
    let error_text = error;
    let (invalid, error) = match error {
        Some(text) => (
            " aria-invalid=\"true\" aria-describedby=\"error\"",
            format!(
                "<p class=\"field-error\" id=\"error\" role=\"alert\">{}</p>",
                esc(text)
            ),
        ),
        None => ("", String::new()),
    };
    let body = format!(
        "<form method=\"post\" action=\"/login\" class=\"card narrow\" id=\"login-form\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <div class=\"field\"><label for=\"user_name\">{user_label}</label>\
         <input name=\"user_name\" id=\"user_name\" autocomplete=\"username\" required{invalid}></div>\
         <div class=\"field\"><label for=\"password\">{password_label}</label>\
         <input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" required{invalid}>\
         {error}</div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"login-submit\">{submit}</button></div>\
         <p class=\"muted\"><a href=\"/reset\" id=\"forgot\">{forgot}</a>{signup}</p></form>",
        esc(&v.csrf),
        esc(next),
        user_label = esc(&t("login-user-name")),
        password_label = esc(&t("login-password")),
        submit = esc(&t("login-submit")),
        forgot = esc(&t("login-forgot")),
        signup = if app.cfg.registration {
            format!(
                " · <a href=\"/signup\" id=\"signup\">{}</a>",
                esc(&t("login-signup"))
            )
        } else {
            String::new()
        },
    );
    let cfg = &app.cfg.oidc;
    if !crate::library::oidc::enabled(cfg) {
        return v.page(status, &t("login-title"), &body, &[]);
    }
    let next_q: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let sso = format!(
        "<div class=\"card narrow\" id=\"sso\">{error}<a class=\"btn\" id=\"sso-login\" href=\"/oidc/login?next={next_q}\">{}</a></div>",
        esc(&cfg.button),
        error = if cfg.sso_only { error_line(error_text) } else { String::new() },
    );
    let body = if cfg.sso_only {
        sso
    } else {
        format!("{sso}{body}")
    };
    v.page(status, &t("login-title"), &body, &[])
}

/// `GET /login`
async fn login_form(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let next = safe_next(q.get("next"));
    if v.user.is_some() {
        return redirect(&next);
    }
    form_page(&app, &v, StatusCode::OK, &next, None)
}

pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// `POST /login`: CSRF, throttling, argon2; then a new web login.
async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let next = safe_next(form.get("next"));
    if !v.csrf_ok(field("csrf")) {
        return form_page(
            &app,
            &v,
            StatusCode::FORBIDDEN,
            &next,
            Some(&t("login-form-expired")),
        );
    }
    let user = match password_login(&app, field("user_name"), field("password"), ip, "web").await {
        Ok(PasswordLogin::Ok(u)) => *u,
        Ok(PasswordLogin::Wait(wait)) => {
            return form_page(
                &app,
                &v,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                Some(&t_args("login-wait", &[("seconds", wait.into())])),
            )
        }
        Ok(PasswordLogin::Wrong) => {
            return form_page(
                &app,
                &v,
                StatusCode::FORBIDDEN,
                &next,
                Some(&t("login-wrong")),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "web login");
            return try_later(&t("login-unavailable"));
        }
    };
    if crate::library::two_factor::needed(&app.cfg, &user) {
        return super::two_factor::challenge(&app, &user, &next);
    }
    finish_login(&app, user.id, ip, &next).await
}

/// Opens the browser login of an account whose login went through, and
/// goes on to `next`.
pub(crate) async fn finish_login(app: &AppState, user_id: i64, ip: IpAddr, next: &str) -> Response {
    let token = match auth::open_web_login(app, user_id, ip).await {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "storing a web login");
            return try_later(&t("login-unavailable"));
        }
    };
    let mut resp = redirect(next);
    set_login_cookie(app, &mut resp, &token);
    resp
}

/// Makes the browser forget its login.
pub(crate) fn clear_login_cookie(app: &AppState, resp: &mut Response) {
    add_cookie(resp, &cookie(app, SESSION_COOKIE, "", 0));
}

/// Hands the browser its login (`open_web_login`'s token). The database
/// decides when the login ends (idle time); the cookie only has to
/// outlive it.
pub(crate) fn set_login_cookie(app: &AppState, resp: &mut Response, token: &str) {
    add_cookie(resp, &cookie(app, SESSION_COOKIE, token, COOKIE_MAX_AGE));
}

/// `POST /logout`: ends the login in the database and clears the cookie.
async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let given = form.get("csrf").map(String::as_str).unwrap_or("");
    let Some(token_hash) = v.token_hash.as_deref() else {
        // Nothing to end; a stale cookie (the header offered Log out for
        // it, `account_hint`) goes.
        let mut resp = redirect("/");
        if cookies(&headers, SESSION_COOKIE).next().is_some() {
            clear_login_cookie(&app, &mut resp);
        }
        return resp;
    };
    if !v.csrf_ok(given) {
        return v.page(
            StatusCode::FORBIDDEN,
            &t("login-not-logged-out"),
            &format!(
                "<p class=\"notice notice-error\" id=\"error\">{}</p>",
                esc(&t("login-form-expired"))
            ),
            &[],
        );
    }
    if let Err(e) = auth::end_web_login(&app.db, token_hash).await {
        tracing::error!(error = %e, "ending a web login");
        return try_later(&t("login-logout-unavailable"));
    }
    let mut resp = redirect("/");
    clear_login_cookie(&app, &mut resp);
    resp
}

/// A 403 page for a form whose CSRF token is missing or wrong.
pub fn forbidden(v: &Visitor) -> Response {
    v.page(
        StatusCode::FORBIDDEN,
        &t("login-refused-title"),
        &format!(
            "<p class=\"notice notice-error\" id=\"error\">{}</p>",
            esc(&t("login-refused-text"))
        ),
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        let n = |s: &str| safe_next(Some(&s.to_string()));
        assert_eq!(n("/files?folder=abc123"), "/files?folder=abc123");
        assert_eq!(n("//evil.example/"), "/files");
        assert_eq!(n("https://evil.example/"), "/files");
        assert_eq!(n("/\\evil.example"), "/files");
        assert_eq!(safe_next(None), "/files");
    }

    #[test]
    fn next_has_no_control_characters_or_whitespace() {
        let n = |s: &str| safe_next(Some(&s.to_string()));
        for bad in [
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r/evil.example/",
            "\t//evil.example/",
            " //evil.example/",
            "/ /evil.example/",
            "/files\u{0}",
            "/\u{7f}/evil.example/",
            "/\u{85}/evil.example/",
            "/\u{a0}/evil.example/",
            "/\u{2028}/evil.example/",
            "/files/\\",
        ] {
            assert_eq!(n(bad), "/files", "{bad:?}");
        }
        assert_eq!(n("/files?folder=abc123#top"), "/files?folder=abc123#top");
    }
}
