//! `/account`: the signed-in user's own account (docs/accounts.md) — a new
//! password (the old one re-entered; every other session ends), app
//! passwords for sendspace clients (shown once, revocable), and the
//! account's web and API sessions with where and when they were used,
//! ended one by one or all but this one at once, and the age public keys
//! it publishes for senders to encrypt to (docs/encryption.md).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{error_page, first, hidden, pipeline, see_other, to_login, Posted};
use crate::api::error::ApiError;
use crate::db::users::User;
use crate::http::html::{esc, notice, time_tag};
use crate::http::ClientIp;
use crate::library::accounts::{self, MAX_PASSWORD, MIN_PASSWORD};
use crate::library::audit::{self, Event, Origin};
use crate::library::auth::{self, password_login, PasswordLogin};
use crate::library::{age_keys, two_factor};
use crate::pages::i18n::{t, t_args};
use crate::pages::two_factor as two_factor_page;
use crate::pages::web::{self, visitor, Visitor};
use crate::state::{App, AppState};

/// `GET /account[?done=…]`
pub(super) async fn show(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let Some(user) = v.user.clone() else {
        return to_login("/account");
    };
    let notice = match q.get("done").map(String::as_str) {
        Some("password") => notice(true, &t("account-password-changed")),
        Some("revoked") => notice(true, &t("account-app-password-revoked")),
        Some("ended") => notice(true, &t("account-session-ended")),
        Some("ended-all") => notice(true, &t("account-sessions-ended")),
        Some("key-added") => notice(true, &t("account-key-added")),
        Some("key-removed") => notice(true, &t("account-key-removed")),
        _ => String::new(),
    };
    render(&app, &v, &user, StatusCode::OK, &notice).await
}

/// `POST /account/password` (`csrf`, `current`, `new`, `again`): the old
/// password is checked like a login (throttled, audited); the browser that
/// asked gets a new login, every other session ends.
pub(super) async fn change_password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let field = |k: &str| first(&form, k).unwrap_or("");
    let (new, again) = (field("new"), field("again"));
    let refusal = if !user.auth_source.is_empty() {
        Some((StatusCode::BAD_REQUEST, t("account-password-directory")))
    } else if accounts::check_new_password(new).is_err() {
        Some((StatusCode::BAD_REQUEST, t("account-password-too-short")))
    } else if new != again {
        Some((StatusCode::BAD_REQUEST, t("account-password-mismatch")))
    } else {
        current_refused(&app, &user, field("current"), ip, "password change").await
    };
    if let Some((status, text)) = refusal {
        return render(&app, &v, &user, status, &notice(false, &text)).await;
    }
    let changed = async {
        pipeline(&app, ip, &user, true).await?;
        accounts::set_password(&app.db, &app.secrets, &user, new, Origin::user(ip)).await?;
        auth::open_web_login(&app, user.id, ip).await
    };
    match changed.await {
        Ok(token) => {
            let mut resp = see_other("/account?done=password#password");
            web::set_login_cookie(&app, &mut resp, &token);
            resp
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// Checks the account's current password like a login (throttled,
/// audited as `via`): None when right, else the status and text to show.
async fn current_refused(
    app: &AppState,
    user: &User,
    given: &str,
    ip: std::net::IpAddr,
    via: &str,
) -> Option<(StatusCode, String)> {
    match password_login(app, &user.user_name, given, ip, via).await {
        Ok(PasswordLogin::Ok(_)) => None,
        Ok(PasswordLogin::Wait(wait)) => Some((
            StatusCode::TOO_MANY_REQUESTS,
            t_args("login-wait", &[("seconds", wait.into())]),
        )),
        Ok(PasswordLogin::Wrong) => Some((StatusCode::FORBIDDEN, t("account-password-wrong"))),
        Err(e) => {
            ApiError::from(e).log("account page");
            Some((StatusCode::SERVICE_UNAVAILABLE, t("login-unavailable")))
        }
    }
}

/// `POST /account/email` (`csrf`, `email`, `current`): mails a link to the
/// new address; the address changes when it is followed.
pub(super) async fn change_email(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let email = first(&form, "email").unwrap_or("").trim().to_string();
    let current = first(&form, "current").unwrap_or("");
    if let Some((status, text)) = current_refused(&app, &user, current, ip, "e-mail change").await {
        return render(&app, &v, &user, status, &notice(false, &text)).await;
    }
    let requested = async {
        pipeline(&app, ip, &user, true).await?;
        accounts::request_email_change(&app, &user, &email, ip).await
    };
    match requested.await {
        Ok(()) => {
            let text = t_args("account-email-sent", &[("email", email.into())]);
            render(&app, &v, &user, StatusCode::OK, &notice(true, &text)).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status = match e.code {
                crate::api::error::Code::SystemMaintenance => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            };
            render(&app, &v, &user, status, &notice(false, e.text())).await
        }
    }
}

/// `GET /account/email/{token}`: a button to confirm (a mail scanner
/// fetching the link confirms nothing).
pub(super) async fn confirm_email_form(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let body = format!(
        "<form method=\"post\" action=\"/account/email/{token}\" class=\"card narrow\" id=\"confirm-email\">\
         <p>{text}</p><div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"confirm\">{button}</button></div></form>",
        token = esc(&token),
        text = esc(&t("account-email-confirm-text")),
        button = esc(&t("account-email-confirm")),
    );
    v.page(StatusCode::OK, &t("account-email-title"), &body, &[])
}

/// `POST /account/email/{token}`: the link is the proof; no login needed.
pub(super) async fn confirm_email(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let confirmed = async {
        crate::http::pipeline::Pipeline::new(&app, ip).address()?;
        accounts::confirm_email(&app, &token, ip).await
    };
    let (status, notice) = match confirmed.await {
        Ok(email) => (
            StatusCode::OK,
            notice(
                true,
                &t_args("account-email-changed", &[("email", email.into())]),
            ),
        ),
        Err(e) => {
            let e = ApiError::from(e);
            e.log("e-mail confirmation");
            (StatusCode::NOT_FOUND, notice(false, e.text()))
        }
    };
    v.page(status, &t("account-email-title"), &notice, &[])
}

/// `POST /account/delete` (`csrf`, `current`, `confirm=1`): the account
/// with everything it holds, like `admin user delete`; the browser is
/// logged out.
pub(super) async fn delete_account(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    if first(&form, "confirm") != Some("1") {
        let text = t("account-delete-unconfirmed");
        return render(
            &app,
            &v,
            &user,
            StatusCode::BAD_REQUEST,
            &notice(false, &text),
        )
        .await;
    }
    let current = first(&form, "current").unwrap_or("");
    if let Some((status, text)) =
        current_refused(&app, &user, current, ip, "account deletion").await
    {
        return render(&app, &v, &user, status, &notice(false, &text)).await;
    }
    let deleted = async {
        pipeline(&app, ip, &user, true).await?;
        accounts::delete(&app.db, &user, Origin::user(ip)).await
    };
    match deleted.await {
        Ok(_) => {
            let mut resp = v.page(
                StatusCode::OK,
                &t("account-title"),
                &notice(true, &t("account-deleted")),
                &[],
            );
            web::clear_login_cookie(&app, &mut resp);
            resp
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// `POST /account/2fa/setup`: the QR code and the first code's field.
pub(super) async fn two_factor_setup(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, .. }: Posted,
) -> Response {
    let started = async {
        pipeline(&app, ip, &user, true).await?;
        two_factor::enrolment(&app, &user).await
    };
    match started.await {
        Ok(enrolment) => {
            let form = two_factor_page::setup_form(&enrolment, &v.csrf, "/account/2fa/enable");
            render(&app, &v, &user, StatusCode::OK, &form).await
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// `POST /account/2fa/enable` (`csrf`, `code`): on, with the recovery
/// codes shown once.
pub(super) async fn two_factor_enable(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let code = first(&form, "code").unwrap_or("");
    let enabled = async {
        pipeline(&app, ip, &user, true).await?;
        two_factor::enable(&app, &user, code, Origin::user(ip)).await
    };
    let shown = enabled
        .await
        .map(|codes| two_factor_page::codes_block(&codes));
    // Its row changed: the page shows two-factor on.
    let user = app
        .db
        .user_by_id(user.id)
        .await
        .ok()
        .flatten()
        .unwrap_or(user);
    answer(&app, &v, &user, shown).await
}

/// `POST /account/2fa/recovery` (`csrf`, `code`) and `/account/2fa/disable`
/// (`csrf`, `current`, `code`): new recovery codes, or two-factor off —
/// each after a code (and off after the password too).
pub(super) async fn two_factor_change(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Posted { v, user, form }: Posted,
) -> Response {
    let off = uri.path().ends_with("/disable");
    if off && two_factor::required(&app.cfg, &user) {
        let text = t("account-two-factor-required");
        return render(
            &app,
            &v,
            &user,
            StatusCode::FORBIDDEN,
            &notice(false, &text),
        )
        .await;
    }
    if off {
        let current = first(&form, "current").unwrap_or("");
        if let Some((status, text)) =
            current_refused(&app, &user, current, ip, "two-factor change").await
        {
            return render(&app, &v, &user, status, &notice(false, &text)).await;
        }
    }
    let code = first(&form, "code").unwrap_or("");
    let changed = async {
        pipeline(&app, ip, &user, true).await?;
        if !two_factor::verify(&app.db, &app.secrets, &user, code, Origin::user(ip)).await? {
            return Ok(None);
        }
        if off {
            two_factor::disable(&app.db, &user, Origin::user(ip)).await?;
            Ok(Some(Vec::new()))
        } else {
            two_factor::renew_recovery_codes(&app, &user, Origin::user(ip))
                .await
                .map(Some)
        }
    };
    match changed.await {
        Ok(None) => {
            let text = t("two-factor-wrong");
            render(
                &app,
                &v,
                &user,
                StatusCode::FORBIDDEN,
                &notice(false, &text),
            )
            .await
        }
        Ok(Some(codes)) => {
            let user = app
                .db
                .user_by_id(user.id)
                .await
                .ok()
                .flatten()
                .unwrap_or(user);
            let notice = if off {
                notice(true, &t("account-two-factor-off"))
            } else {
                two_factor_page::codes_block(&codes)
            };
            render(&app, &v, &user, StatusCode::OK, &notice).await
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// The two-factor section: set up, or (when on) new recovery codes and off.
async fn two_factor_section(app: &AppState, csrf: &str, user: &User) -> String {
    let heading = esc(&t("account-two-factor-heading"));
    if user.totp_enabled == 0 {
        return format!(
            "<form method=\"post\" action=\"/account/2fa/setup\" class=\"card\" id=\"two-factor\">\
             <h2>{heading}</h2>{csrf}<p>{text}</p>\
             <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"two-factor-start\">{start}</button></div></form>",
            text = esc(&t("account-two-factor-intro")),
            start = esc(&t("account-two-factor-start")),
        );
    }
    let left = app.db.recovery_codes_left(user.id).await.unwrap_or(0);
    let code_field = |id: &str| {
        format!(
            "<div class=\"field\"><label for=\"{id}\">{}</label>\
             <input id=\"{id}\" name=\"code\" autocomplete=\"one-time-code\" inputmode=\"numeric\" required></div>",
            esc(&t("two-factor-code"))
        )
    };
    format!(
        "<section class=\"card\" id=\"two-factor\"><h2>{heading}</h2>\
         <p id=\"two-factor-on\">{on}</p>\
         <form method=\"post\" action=\"/account/2fa/recovery\" id=\"renew-codes\">{csrf}{renew_code}\
         <div class=\"actions\"><button class=\"btn btn-secondary\" type=\"submit\">{renew}</button></div></form>\
         <form method=\"post\" action=\"/account/2fa/disable\" id=\"two-factor-off\">{csrf}\
         <div class=\"field\"><label for=\"off-current\">{current}</label>\
         <input id=\"off-current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></div>{off_code}\
         <div class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">{off}</button></div></form></section>",
        on = esc(&t_args("account-two-factor-status", &[("left", left.into())])),
        renew_code = code_field("renew-code"),
        renew = esc(&t("account-two-factor-renew")),
        current = esc(&t("account-password-current")),
        off_code = code_field("off-code"),
        off = esc(&t("account-two-factor-disable")),
    )
}

/// `POST /account/app-passwords` (`csrf`, `name`): the new password is on
/// this answer only (never stored in clear, never shown again).
pub(super) async fn create_app_password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let name = first(&form, "name").unwrap_or("").to_string();
    let created = async {
        pipeline(&app, ip, &user, true).await?;
        accounts::create_app_password(&app, &user, &name, Origin::user(ip)).await
    };
    let shown = created.await.map(|(_, password)| {
        format!(
            "<div class=\"notice notice-ok\" id=\"new-app-password\" role=\"status\">\
             <p>{}</p><p><code class=\"secret\" id=\"app-password\">{}</code></p><p>{}</p></div>",
            esc(&t_args(
                "account-app-password-created",
                &[("name", name.trim().into())]
            )),
            esc(&password),
            esc(&t("account-app-password-once")),
        )
    });
    answer(&app, &v, &user, shown).await
}

/// The account page after an action: with `shown` on top when it went
/// through, with the domain's reason when it was refused (400).
async fn answer(
    app: &AppState,
    v: &Visitor,
    user: &User,
    shown: crate::library::Result<String>,
) -> Response {
    use crate::library::Error;
    match shown {
        Ok(notice) => render(app, v, user, StatusCode::OK, &notice).await,
        Err(e @ (Error::Invalid(_) | Error::BadValueText(_) | Error::Denied(Some(_)))) => {
            let text = ApiError::from(e).text().to_string();
            render(app, v, user, StatusCode::BAD_REQUEST, &notice(false, &text)).await
        }
        Err(e) => error_page(v, &ApiError::from(e)),
    }
}

/// `POST /account/app-passwords/revoke` (`csrf`, `id`)
pub(super) async fn revoke_app_password(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let id = first(&form, "id").and_then(|s| s.trim().parse::<i64>().ok());
    let revoked = async {
        pipeline(&app, ip, &user, true).await?;
        match id {
            Some(id) => accounts::revoke_app_password(&app, &user, id, Origin::user(ip)).await,
            None => Ok(false),
        }
    };
    match revoked.await {
        Ok(true) => see_other("/account?done=revoked#app-passwords"),
        Ok(false) => {
            render(
                &app,
                &v,
                &user,
                StatusCode::NOT_FOUND,
                &notice(false, &t("account-app-password-unknown")),
            )
            .await
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// `POST /account/keys` (`csrf`, `public_key`, `label`): publishes an age
/// public key (docs/encryption.md, "Account keys").
pub(super) async fn add_age_key(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let added = async {
        pipeline(&app, ip, &user, true).await?;
        let key = first(&form, "public_key").unwrap_or("");
        let label = first(&form, "label").unwrap_or("");
        age_keys::add(&app, &user, label, key, Origin::user(ip)).await
    };
    match added.await {
        Ok(_) => see_other("/account?done=key-added#age-keys"),
        Err(e) => answer(&app, &v, &user, Err(e)).await,
    }
}

/// `POST /account/keys/remove` (`csrf`, `id`)
pub(super) async fn remove_age_key(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let id = first(&form, "id").and_then(|s| s.trim().parse::<i64>().ok());
    let removed = async {
        pipeline(&app, ip, &user, true).await?;
        match id {
            Some(id) => age_keys::remove(&app, &user, id, Origin::user(ip)).await,
            None => Ok(false),
        }
    };
    match removed.await {
        Ok(true) => see_other("/account?done=key-removed#age-keys"),
        Ok(false) => {
            let text = t("account-key-unknown");
            render(
                &app,
                &v,
                &user,
                StatusCode::NOT_FOUND,
                &notice(false, &text),
            )
            .await
        }
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// The age public keys the account publishes, and the form for another.
fn age_keys_section(csrf: &str, keys: &[crate::db::age_keys::AgeKey]) -> String {
    let rows: String = keys
        .iter()
        .map(|k| {
            format!(
                "<tr data-id=\"{id}\"><td>{label}</td><td><code class=\"hash\">{key}</code></td><td>{added}</td>\
                 <td class=\"row-actions\"><form method=\"post\" action=\"/account/keys/remove\" class=\"inline\">{csrf}{fid}\
                 <button class=\"btn btn-danger btn-sm\" type=\"submit\">{remove}</button></form></td></tr>",
                id = k.id,
                label = esc(&k.label),
                key = esc(&k.public_key),
                added = time_tag(k.created),
                fid = hidden("id", &k.id.to_string()),
                remove = esc(&t("account-key-remove")),
            )
        })
        .collect();
    let list = if keys.is_empty() {
        format!(
            "<p class=\"empty\" id=\"no-age-keys\">{}</p>",
            esc(&t("account-keys-none"))
        )
    } else {
        format!(
            "<table class=\"files console\" id=\"age-key-list\"><thead><tr><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
            esc(&t("account-key-label")),
            esc(&t("account-key-public")),
            esc(&t("account-created")),
        )
    };
    format!(
        "<section class=\"card\" id=\"age-keys\"><h2>{heading}</h2><p>{intro}</p>{list}\
         <form method=\"post\" action=\"/account/keys\" id=\"new-age-key-form\">{csrf}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"age-key\">{public}</label>\
         <input id=\"age-key\" name=\"public_key\" required spellcheck=\"false\" placeholder=\"age1…\"></div>\
         <div class=\"field\"><label for=\"age-key-label\">{label}</label>\
         <input id=\"age-key-label\" name=\"label\" maxlength=\"100\"></div></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{add}</button></div></form></section>",
        heading = esc(&t("account-keys-heading")),
        intro = esc(&t("account-keys-intro")),
        public = esc(&t("account-key-public")),
        label = esc(&t("account-key-label")),
        add = esc(&t("account-key-add")),
    )
}

/// `POST /account/sessions/end` (`csrf`, and `kind` + `handle` for one
/// session, or `all=1` for every one but this browser's).
pub(super) async fn end_sessions(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let all = first(&form, "all") == Some("1");
    let ended = async {
        pipeline(&app, ip, &user, true).await?;
        let ended = if all {
            let mut n = 0;
            for s in app
                .db
                .sessions_of(user.id, auth::web_lifetime(&app))
                .await?
            {
                if !(s.kind == "web" && Some(s.handle.as_str()) == v.session_handle()) {
                    n += u64::from(app.db.end_session(user.id, &s.kind, &s.handle).await?);
                }
            }
            n
        } else {
            let (kind, handle) = (first(&form, "kind"), first(&form, "handle"));
            u64::from(
                app.db
                    .end_session(user.id, kind.unwrap_or(""), handle.unwrap_or(""))
                    .await?,
            )
        };
        if ended > 0 {
            audit::note(
                &app.db,
                Event::SessionsEnded,
                Origin::user(ip),
                Some(&user),
                format!("{ended} sessions, by the account's owner"),
            )
            .await;
        }
        Ok::<_, crate::library::Error>(ended)
    };
    match ended.await {
        Ok(_) if all => see_other("/account?done=ended-all#sessions"),
        Ok(_) => see_other("/account?done=ended#sessions"),
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// The account page with `notice` on top.
async fn render(
    app: &AppState,
    v: &Visitor,
    user: &User,
    status: StatusCode,
    notice: &str,
) -> Response {
    let lists = async {
        let passwords = app.db.app_passwords(user.id).await?;
        let sessions = app.db.sessions_of(user.id, auth::web_lifetime(app)).await?;
        let keys = age_keys::list(&app.db, user.id).await?;
        Ok::<_, crate::library::Error>((passwords, sessions, keys))
    };
    let (passwords, sessions, keys) = match lists.await {
        Ok(lists) => lists,
        Err(e) => return error_page(v, &ApiError::from(e)),
    };
    let csrf = hidden("csrf", &v.csrf);
    let never = esc(&t("account-never"));
    let password_rows: String = passwords
        .iter()
        .map(|p| {
            format!(
                "<tr data-id=\"{id}\"><td>{name}</td><td><code>{prefix}…</code></td><td>{created}</td>\
                 <td>{used}</td><td class=\"row-actions\">\
                 <form method=\"post\" action=\"/account/app-passwords/revoke\" class=\"inline\">{csrf}{fid}\
                 <button class=\"btn btn-danger btn-sm revoke\" type=\"submit\" aria-label=\"{label}\">{revoke}</button>\
                 </form></td></tr>",
                id = p.id,
                name = esc(&p.name),
                prefix = esc(&p.prefix),
                created = time_tag(p.created),
                used = if p.last_used > 0 { time_tag(p.last_used) } else { never.clone() },
                fid = hidden("id", &p.id.to_string()),
                label = esc(&t_args("account-revoke-named", &[("name", p.name.clone().into())])),
                revoke = esc(&t("account-revoke")),
            )
        })
        .collect();
    let password_table = if passwords.is_empty() {
        format!(
            "<p class=\"empty\" id=\"no-app-passwords\">{}</p>",
            esc(&t("account-app-passwords-none"))
        )
    } else {
        format!(
            "<table class=\"files console\" id=\"app-password-list\"><thead><tr><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th></th></tr>\
             </thead><tbody>{password_rows}</tbody></table>",
            esc(&t("account-name")),
            esc(&t("account-starts-with")),
            esc(&t("account-created")),
            esc(&t("account-last-used")),
        )
    };
    let session_rows: String = sessions
        .iter()
        .map(|s| {
            let this = s.kind == "web" && Some(s.handle.as_str()) == v.session_handle();
            let kind = if s.kind == "web" {
                t("account-session-web")
            } else {
                t_args("account-session-api", &[("version", s.api_version.clone().into())])
            };
            let action = if this {
                format!("<span class=\"muted\">{}</span>", esc(&t("account-this-browser")))
            } else {
                format!(
                    "<form method=\"post\" action=\"/account/sessions/end\" class=\"inline\">{csrf}{kind_field}{handle}\
                     <button class=\"btn btn-secondary btn-sm end\" type=\"submit\">{end}</button></form>",
                    kind_field = hidden("kind", &s.kind),
                    handle = hidden("handle", &s.handle),
                    end = esc(&t("account-end")),
                )
            };
            format!(
                "<tr data-kind=\"{}\"{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"row-actions\">{action}</td></tr>",
                esc(&s.kind),
                if this { " class=\"this-session\"" } else { "" },
                esc(&kind),
                time_tag(s.created),
                time_tag(s.last_used),
                esc(if s.address.is_empty() { "-" } else { &s.address }),
            )
        })
        .collect();
    let body = format!(
        "<p><a class=\"btn btn-secondary btn-sm\" href=\"/files\" id=\"back\">&larr; {my_files}</a></p>{notice}\
         <p id=\"who\">{who}{console}</p>\
         <form method=\"post\" action=\"/account/password\" class=\"card\" id=\"password\">\
         <h2>{pw_heading}</h2>{csrf}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"current\">{current}</label>\
         <input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <div class=\"field\"><label for=\"new\">{new} <span class=\"muted\">{min}</span></label>\
         <input id=\"new\" name=\"new\" type=\"password\" autocomplete=\"new-password\" minlength=\"{min_len}\" maxlength=\"{max_len}\" required></div>\
         <div class=\"field\"><label for=\"again\">{again}</label>\
         <input id=\"again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"{min_len}\" maxlength=\"{max_len}\" required></div>\
         </div><p class=\"muted\">{pw_note}</p>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{pw_submit}</button></div></form>\
         <form method=\"post\" action=\"/account/email\" class=\"card\" id=\"email\">\
         <h2>{em_heading}</h2>{csrf}<p>{em_now}</p><div class=\"grid-2\">\
         <div class=\"field\"><label for=\"new-email\">{em_new}</label>\
         <input id=\"new-email\" name=\"email\" type=\"email\" autocomplete=\"email\" required></div>\
         <div class=\"field\"><label for=\"email-current\">{current}</label>\
         <input id=\"email-current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></div>\
         </div><div class=\"actions\"><button class=\"btn\" type=\"submit\">{em_submit}</button></div></form>\
         {two_factor}\
         <section class=\"card\" id=\"app-passwords\"><h2>{ap_heading}</h2><p>{ap_intro}</p>{password_table}\
         <form method=\"post\" action=\"/account/app-passwords\" id=\"new-app-password-form\">{csrf}\
         <div class=\"field\"><label for=\"app-name\">{ap_name}</label>\
         <input id=\"app-name\" name=\"name\" required maxlength=\"100\" placeholder=\"{ap_placeholder}\"></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{ap_create}</button></div></form></section>\
         {age_keys}\
         <section class=\"card\" id=\"sessions\"><h2>{s_heading}</h2>\
         <table class=\"files console\" id=\"session-list\"><thead><tr><th scope=\"col\">{s_kind}</th><th scope=\"col\">{s_opened}</th>\
         <th scope=\"col\">{s_used}</th><th scope=\"col\">{s_address}</th><th></th></tr></thead><tbody>{session_rows}</tbody></table>\
         <form method=\"post\" action=\"/account/sessions/end\" id=\"end-all\">{csrf}{all}\
         <div class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">{s_end_all}</button></div></form></section>\
         <form method=\"post\" action=\"/account/delete\" class=\"card\" id=\"delete-account\">\
         <h2>{del_heading}</h2>{csrf}<p>{del_text}</p>\
         <div class=\"field\"><label for=\"delete-current\">{current}</label>\
         <input id=\"delete-current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <p class=\"check\"><input type=\"checkbox\" id=\"delete-confirm\" name=\"confirm\" value=\"1\" required> \
         <label for=\"delete-confirm\">{del_confirm}</label></p>\
         <div class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">{del_submit}</button></div></form>",
        my_files = esc(&t("my-files-title")),
        who = esc(&t_args(
            "account-who",
            &[
                ("name", user.user_name.clone().into()),
                ("email", user.email.clone().into()),
                ("membership", user.membership.clone().into()),
            ]
        )),
        console = if user.is_admin != 0 {
            format!(
                " <a class=\"btn btn-secondary btn-sm\" href=\"/admin\" id=\"admin-console\">{}</a>",
                esc(&t("admin-console-link"))
            )
        } else {
            String::new()
        },
        pw_heading = esc(&t("account-password-heading")),
        current = esc(&t("account-password-current")),
        new = esc(&t("account-password-new")),
        min = esc(&t_args("account-password-min", &[("count", MIN_PASSWORD.into())])),
        min_len = MIN_PASSWORD,
        max_len = MAX_PASSWORD,
        again = esc(&t("account-password-again")),
        pw_note = esc(&t("account-password-note")),
        pw_submit = esc(&t("account-password-submit")),
        ap_heading = esc(&t("account-app-passwords-heading")),
        ap_intro = esc(&t("account-app-passwords-intro")),
        ap_name = esc(&t("account-app-password-name")),
        ap_placeholder = esc(&t("account-app-password-placeholder")),
        ap_create = esc(&t("account-app-password-create")),
        s_heading = esc(&t("account-sessions-heading")),
        s_kind = esc(&t("account-session-kind")),
        s_opened = esc(&t("account-session-opened")),
        s_used = esc(&t("account-last-used")),
        s_address = esc(&t("account-session-address")),
        all = hidden("all", "1"),
        s_end_all = esc(&t("account-end-all")),
        two_factor = two_factor_section(app, &csrf, user).await,
        age_keys = age_keys_section(&csrf, &keys),
        em_heading = esc(&t("account-email-heading")),
        em_now = esc(&t_args("account-email-now", &[("email", user.email.clone().into())])),
        em_new = esc(&t("account-email-new")),
        em_submit = esc(&t("account-email-submit")),
        del_heading = esc(&t("account-delete-heading")),
        del_text = esc(&t("account-delete-text")),
        del_confirm = esc(&t("account-delete-confirm")),
        del_submit = esc(&t("account-delete-submit")),
    );
    v.page(status, &t("account-title"), &body, &[])
}
