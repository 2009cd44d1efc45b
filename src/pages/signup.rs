//! The pages of people who are not logged in (docs/accounts.md): `/signup`
//! (when `registration` is on: `auth.register`'s rules and activation
//! mail) and a forgotten password — `/reset` mails a single-use link,
//! `/reset/{token}` sets the new password.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use crate::api::error::ApiError;
use crate::http::html::{esc, notice};
use crate::http::pipeline::Pipeline;
use crate::http::ClientIp;
use crate::library::accounts::{self, Registration, MAX_PASSWORD, MIN_PASSWORD};
use crate::library::Error;
use crate::pages::i18n::{t, t_args};
use crate::pages::web::{visitor, Visitor};
use crate::state::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/signup", get(signup_form).post(signup))
        .route("/reset", get(reset_form).post(reset_request))
        .route("/reset/{token}", get(new_password_form).post(new_password))
}

type Fields = HashMap<String, String>;

fn field<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

fn done_page(v: &Visitor, title: &str, text: &str) -> Response {
    v.page(StatusCode::OK, title, &notice(true, text), &[])
}

/// The text a refusal shows: the domain's own words (a rule broken, a rate
/// spent) or a generic line for a failure.
fn refusal(e: Error) -> (StatusCode, String) {
    match e {
        Error::Registration(text) | Error::Invalid(text) => (StatusCode::BAD_REQUEST, text.into()),
        Error::Denied(Some(text)) => (StatusCode::FORBIDDEN, text.into()),
        Error::TooFast(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            t_args("account-mail-wait", &[("seconds", wait.into())]),
        ),
        e => {
            let e = ApiError::from(e);
            e.log("account page");
            (StatusCode::SERVICE_UNAVAILABLE, t("login-unavailable"))
        }
    }
}

fn password_fields(min: usize) -> String {
    format!(
        "<div class=\"field\"><label for=\"password\">{password} <span class=\"muted\">{hint}</span></label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" \
         minlength=\"{min}\" maxlength=\"{MAX_PASSWORD}\" required></div>\
         <div class=\"field\"><label for=\"again\">{again}</label>\
         <input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" \
         minlength=\"{min}\" maxlength=\"{MAX_PASSWORD}\" required></div>",
        password = esc(&t("login-password")),
        hint = esc(&t_args("account-password-min", &[("count", min.into())])),
        again = esc(&t("account-password-again")),
    )
}

/// The sign-up form, with what was typed kept (but the passwords).
fn signup_page(v: &Visitor, status: StatusCode, form: &Fields, error: Option<&str>) -> Response {
    let value = |k: &str| esc(field(form, k));
    let body = format!(
        "{error}<form method=\"post\" action=\"/signup\" class=\"card narrow\" id=\"signup-form\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <div class=\"field\"><label for=\"user_name\">{name_label} <span class=\"muted\">{name_hint}</span></label>\
         <input id=\"user_name\" name=\"user_name\" autocomplete=\"username\" required pattern=\"[A-Za-z0-9]{{3,20}}\" \
         maxlength=\"20\" value=\"{user_name}\"></div>\
         <div class=\"field\"><label for=\"full_name\">{full_label}</label>\
         <input id=\"full_name\" name=\"full_name\" autocomplete=\"name\" required maxlength=\"20\" value=\"{full_name}\"></div>\
         <div class=\"field\"><label for=\"email\">{email_label}</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"{email}\"></div>\
         <div class=\"field\"><label for=\"password\">{password_label} <span class=\"muted\">{password_hint}</span></label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"4\" maxlength=\"20\" required></div>\
         <div class=\"field\"><label for=\"again\">{again_label}</label>\
         <input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"4\" maxlength=\"20\" required></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"signup-submit\">{submit}</button></div>\
         <p class=\"muted\"><a href=\"/login\">{have}</a></p></form>",
        error = error.map(|e| notice(false, e)).unwrap_or_default(),
        csrf = esc(&v.csrf),
        name_label = esc(&t("signup-user-name")),
        name_hint = esc(&t("signup-user-name-hint")),
        user_name = value("user_name"),
        full_label = esc(&t("signup-full-name")),
        full_name = value("full_name"),
        email_label = esc(&t("signup-email")),
        email = value("email"),
        password_label = esc(&t("login-password")),
        password_hint = esc(&t("signup-password-hint")),
        again_label = esc(&t("account-password-again")),
        submit = esc(&t("signup-submit")),
        have = esc(&t("signup-have-account")),
    );
    v.page(status, &t("signup-title"), &body, &[])
}

fn closed(v: &Visitor) -> Response {
    v.page(
        StatusCode::NOT_FOUND,
        &t("signup-title"),
        &notice(false, &t("signup-closed")),
        &[],
    )
}

/// `GET /signup`
async fn signup_form(State(app): State<App>, headers: HeaderMap) -> Response {
    let v = visitor(&app, &headers).await;
    if !app.cfg.registration {
        return closed(&v);
    }
    signup_page(&v, StatusCode::OK, &Fields::new(), None)
}

/// `POST /signup`: CSRF, the address's rate, then `auth.register` with the
/// form's fields.
async fn signup(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let v = visitor(&app, &headers).await;
    if !app.cfg.registration {
        return closed(&v);
    }
    if !v.csrf_ok(field(&form, "csrf")) {
        let text = t("login-form-expired");
        return signup_page(&v, StatusCode::FORBIDDEN, &form, Some(&text));
    }
    if field(&form, "password") != field(&form, "again") {
        let text = t("account-password-mismatch");
        return signup_page(&v, StatusCode::BAD_REQUEST, &form, Some(&text));
    }
    let registered = async {
        Pipeline::new(&app, ip).address()?;
        // The API's rule lets an empty password mean "make one up"; the
        // form asks for one.
        if field(&form, "password").is_empty() {
            return Err(Error::Registration("A password is required".into()));
        }
        accounts::register(
            &app,
            &Registration {
                user_name: field(&form, "user_name").trim(),
                full_name: field(&form, "full_name"),
                email: field(&form, "email").trim(),
                password: field(&form, "password"),
                address: ip,
            },
        )
        .await
    };
    match registered.await {
        Ok(()) => done_page(&v, &t("signup-title"), &t("signup-done")),
        Err(e) => {
            let (status, text) = refusal(e);
            signup_page(&v, status, &form, Some(&text))
        }
    }
}

fn reset_page(v: &Visitor, status: StatusCode, error: Option<&str>) -> Response {
    let body = format!(
        "{error}<form method=\"post\" action=\"/reset\" class=\"card narrow\" id=\"reset-form\">\
         <p>{intro}</p><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <div class=\"field\"><label for=\"user_name\">{label}</label>\
         <input id=\"user_name\" name=\"user_name\" autocomplete=\"username\" required></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"reset-submit\">{submit}</button></div></form>",
        error = error.map(|e| notice(false, e)).unwrap_or_default(),
        intro = esc(&t("reset-intro")),
        csrf = esc(&v.csrf),
        label = esc(&t("login-user-name")),
        submit = esc(&t("reset-submit")),
    );
    v.page(status, &t("reset-title"), &body, &[])
}

/// `GET /reset`
async fn reset_form(State(app): State<App>, headers: HeaderMap) -> Response {
    let v = visitor(&app, &headers).await;
    reset_page(&v, StatusCode::OK, None)
}

/// `POST /reset`: the same answer whether or not the account exists.
async fn reset_request(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let v = visitor(&app, &headers).await;
    if !v.csrf_ok(field(&form, "csrf")) {
        return reset_page(&v, StatusCode::FORBIDDEN, Some(&t("login-form-expired")));
    }
    let requested = async {
        Pipeline::new(&app, ip).address()?;
        accounts::request_password_reset(&app, field(&form, "user_name"), ip).await
    };
    match requested.await {
        Ok(()) => done_page(
            &v,
            &t("reset-title"),
            &t_args(
                "reset-sent",
                &[("minutes", accounts::link_minutes(&app).into())],
            ),
        ),
        Err(e) => {
            let (status, text) = refusal(e);
            reset_page(&v, status, Some(&text))
        }
    }
}

fn new_password_page(
    v: &Visitor,
    token: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let body = format!(
        "{error}<form method=\"post\" action=\"/reset/{token}\" class=\"card narrow\" id=\"new-password-form\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{fields}\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"new-password-submit\">{submit}</button></div></form>",
        error = error.map(|e| notice(false, e)).unwrap_or_default(),
        token = esc(token),
        csrf = esc(&v.csrf),
        fields = password_fields(MIN_PASSWORD),
        submit = esc(&t("account-password-submit")),
    );
    v.page(status, &t("reset-title"), &body, &[])
}

fn link_gone_page(v: &Visitor) -> Response {
    v.page(
        StatusCode::NOT_FOUND,
        &t("reset-title"),
        &format!(
            "{}<p><a class=\"btn btn-secondary\" href=\"/reset\">{}</a></p>",
            notice(false, &t("reset-link-gone")),
            esc(&t("reset-again"))
        ),
        &[],
    )
}

/// `GET /reset/{token}`: the form, while the link is live (it is used up
/// only by the new password).
async fn new_password_form(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let v = visitor(&app, &headers).await;
    match accounts::reset_link_user(&app, &token).await {
        Ok(Some(_)) => new_password_page(&v, &token, StatusCode::OK, None),
        Ok(None) => link_gone_page(&v),
        Err(e) => {
            let (status, text) = refusal(e);
            v.page(status, &t("reset-title"), &notice(false, &text), &[])
        }
    }
}

/// `POST /reset/{token}`: the new password, then the login page.
async fn new_password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let v = visitor(&app, &headers).await;
    if !v.csrf_ok(field(&form, "csrf")) {
        let text = t("login-form-expired");
        return new_password_page(&v, &token, StatusCode::FORBIDDEN, Some(&text));
    }
    if field(&form, "password") != field(&form, "again") {
        let text = t("account-password-mismatch");
        return new_password_page(&v, &token, StatusCode::BAD_REQUEST, Some(&text));
    }
    let reset = async {
        Pipeline::new(&app, ip).address()?;
        accounts::reset_password(&app, &token, field(&form, "password"), ip).await
    };
    match reset.await {
        Ok(_) => done_page(&v, &t("reset-title"), &t("reset-done")),
        Err(Error::Denied(_)) => link_gone_page(&v),
        Err(e) => {
            let (status, text) = refusal(e);
            new_password_page(&v, &token, status, Some(&text))
        }
    }
}
