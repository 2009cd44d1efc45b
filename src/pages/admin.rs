//! The admin console (`/admin`, docs/admin.md): for accounts with the admin
//! role only (others get 404; logged-out visitors the login). Every form
//! carries the CSRF token; destructive actions (deleting an account,
//! revoking an API key, maintenance mode on) ask for the admin's password
//! again. Each action is the same domain function the `dropspace admin`
//! commands call, audited as `admin:NAME` with the address.

use std::collections::HashMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::web::{forbidden, redirect, visitor, Visitor};
use crate::api::error::ApiError;
use crate::db::audit::AuditFilter;
use crate::db::users::{bandwidth_period, User};
use crate::http::html::{esc, human_size, not_found, notice, time_tag};
use crate::http::ClientIp;
use crate::library::audit::Origin;
use crate::library::auth::{password_login, PasswordLogin};
use crate::library::{accounts, admin, anonymous, audit, two_factor};
use crate::pages::i18n::{t, t_args};
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/maintenance", post(maintenance))
        .route("/admin/anonymous", post(anonymous_policy))
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", get(user_page).post(user_action))
        .route("/admin/keys", get(keys).post(create_key))
        .route("/admin/keys/revoke", post(revoke_key))
        .route("/admin/audit", get(audit_log))
}

type Fields = HashMap<String, String>;

fn field<'a>(form: &'a Fields, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// The visitor and their account when it is an admin's; else the answer.
async fn admin_visitor(
    app: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<(Visitor, User), Response> {
    let v = visitor(app, headers).await;
    match v.user.clone() {
        None => {
            let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Err(redirect(&format!("/login?next={next}")))
        }
        Some(u) if u.is_admin == 0 => Err(not_found()),
        Some(u) => Ok((v, u)),
    }
}

/// A console GET: an admin's (else the login, or a 404).
struct Admin {
    v: Visitor,
}

impl FromRequestParts<App> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let (v, _) = admin_visitor(app, &parts.headers, parts.uri.path()).await?;
        Ok(Admin { v })
    }
}

/// A console POST: an admin's, its form, its CSRF token checked.
struct AdminForm {
    v: Visitor,
    me: User,
    form: Fields,
}

impl FromRequest<App> for AdminForm {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let Form(form) = Form::<Fields>::from_request(req, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let (v, me) = admin_visitor(app, &headers, "/admin").await?;
        if !v.csrf_ok(field(&form, "csrf")) {
            return Err(forbidden(&v));
        }
        Ok(AdminForm { v, me, form })
    }
}

/// Seconds a single sign-on login stands for re-entering the password.
const RECENT_LOGIN_SECS: i64 = 600;

/// The admin's password again, for destructive actions; None when right.
/// An admin without a password here (single sign-on) must have logged in
/// within the last ten minutes instead.
async fn reauth_refused(
    app: &AppState,
    v: &Visitor,
    admin: &User,
    form: &Fields,
    ip: std::net::IpAddr,
) -> Option<String> {
    if admin.auth_source == crate::library::oidc::OIDC
        || (app.cfg.oidc.sso_only && crate::library::oidc::enabled(&app.cfg.oidc))
    {
        return (v.logged_in_at < crate::db::now() - RECENT_LOGIN_SECS)
            .then(|| t("admin-reauth-sso"));
    }
    match password_login(
        app,
        &admin.user_name,
        field(form, "password"),
        ip,
        "admin console",
    )
    .await
    {
        Ok(PasswordLogin::Ok(_)) => None,
        Ok(PasswordLogin::Wait(wait)) => Some(t_args("login-wait", &[("seconds", wait.into())])),
        Ok(PasswordLogin::Wrong) => Some(t("admin-reauth-wrong")),
        Err(e) => {
            ApiError::from(e).log("admin console");
            Some(t("login-unavailable"))
        }
    }
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

fn password_field(id: &str) -> String {
    format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label>\
         <input id=\"{id}\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></div>",
        esc(&t("admin-your-password"))
    )
}

/// A console page: the section links, then `body`.
fn page(v: &Visitor, status: StatusCode, title: &str, body: &str) -> Response {
    let nav: String = [
        ("/admin", "admin-overview"),
        ("/admin/users", "admin-users"),
        ("/admin/keys", "admin-keys"),
        ("/admin/audit", "admin-audit"),
    ]
    .iter()
    .map(|(href, key)| {
        format!(
            "<a class=\"btn btn-secondary btn-sm\" href=\"{href}\">{}</a>",
            esc(&t(key))
        )
    })
    .collect::<Vec<_>>()
    .join(" ");
    v.page(
        status,
        title,
        &format!(
            "<nav class=\"actions\" id=\"admin-nav\" aria-label=\"{}\">{nav}</nav>{body}",
            esc(&t("admin-title"))
        ),
        &[],
    )
}

fn done_query(q: &HashMap<String, String>) -> String {
    match q.get("done").map(String::as_str) {
        Some(
            key @ ("maintenance" | "policy" | "created" | "saved" | "revoked" | "deleted"
            | "mailed"),
        ) => notice(true, &t(&format!("admin-done-{key}"))),
        _ => String::new(),
    }
}

/// `GET /admin`: totals, maintenance mode, the biggest files.
async fn overview(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
    Admin { v, .. }: Admin,
) -> Response {
    let period = bandwidth_period(crate::db::now());
    let read = async {
        let totals = app.db.totals(period).await?;
        let big = app.db.biggest_files(10).await?;
        let maintenance = app.db.maintenance().await?;
        let policy = anonymous::current(&app.db, &app.cfg).await?;
        Ok::<_, crate::library::Error>((totals, big, maintenance, policy))
    };
    let (totals, big, maintenance, policy) = match read.await {
        Ok(r) => r,
        Err(e) => return error(&v, e),
    };
    let stat = |key: &str, value: String| {
        format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(&t(key)),
            esc(&value)
        )
    };
    let rows: String = big
        .iter()
        .map(|f| {
            format!(
                "<tr><td><a href=\"/file/{id}\">{name}</a></td><td>{size}</td><td>{owner}</td></tr>",
                id = esc(&f.id),
                name = esc(&f.name),
                size = esc(&human_size(f.size)),
                owner = if f.owner.is_empty() { esc(&t("admin-anonymous")) } else { esc(&f.owner) },
            )
        })
        .collect();
    let (state_key, next, button_class) = if maintenance {
        ("admin-maintenance-on", "off", "btn")
    } else {
        ("admin-maintenance-off", "on", "btn btn-danger")
    };
    let reauth = if next == "on" {
        password_field("maintenance-password")
    } else {
        String::new()
    };
    let body = format!(
        "{done}<section class=\"card\" id=\"totals\"><h2>{usage}</h2><table class=\"files console\">{stats}</table></section>\
         <form method=\"post\" action=\"/admin/maintenance\" class=\"card\" id=\"maintenance\"><h2>{m_heading}</h2>\
         {csrf}{state}<p>{m_state}</p>{reauth}<div class=\"actions\"><button class=\"{button_class}\" type=\"submit\">{m_button}</button></div></form>\
         {anonymous}\
         <section class=\"card\" id=\"biggest\"><h2>{big_heading}</h2><table class=\"files console\"><thead><tr>\
         <th scope=\"col\">{c_name}</th><th scope=\"col\">{c_size}</th><th scope=\"col\">{c_owner}</th></tr></thead><tbody>{rows}</tbody></table></section>",
        done = done_query(&q),
        usage = esc(&t("admin-usage")),
        stats = [
            stat("admin-accounts", totals.accounts.to_string()),
            stat("admin-files", totals.files.to_string()),
            stat("admin-stored", human_size(totals.bytes)),
            stat("admin-anonymous-files", format!("{} ({})", totals.anonymous_files, human_size(totals.anonymous_bytes))),
            stat("admin-bandwidth", human_size(totals.bandwidth)),
        ]
        .concat(),
        m_heading = esc(&t("admin-maintenance")),
        csrf = hidden("csrf", &v.csrf),
        state = hidden("state", next),
        m_state = esc(&t(state_key)),
        m_button = esc(&t(if next == "on" { "admin-maintenance-turn-on" } else { "admin-maintenance-turn-off" })),
        anonymous = anonymous_form(&v, &policy),
        big_heading = esc(&t("admin-biggest")),
        c_name = esc(&t("account-name")),
        c_size = esc(&t("trash-size")),
        c_owner = esc(&t("admin-owner")),
    );
    page(&v, StatusCode::OK, &t("admin-title"), &body)
}

fn error(v: &Visitor, e: crate::library::Error) -> Response {
    let e = ApiError::from(e);
    e.log("admin console");
    page(
        v,
        StatusCode::BAD_REQUEST,
        &t("admin-title"),
        &notice(false, e.text()),
    )
}

/// `POST /admin/maintenance` (`state` on|off; turning it on asks for the
/// password).
async fn maintenance(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    let on = field(&form, "state") == "on";
    if on {
        if let Some(text) = reauth_refused(&app, &v, &me, &form, ip).await {
            return page(
                &v,
                StatusCode::FORBIDDEN,
                &t("admin-title"),
                &notice(false, &text),
            );
        }
    }
    match admin::set_maintenance(&app.db, on, Origin::admin(&me, ip)).await {
        Ok(()) => redirect("/admin?done=maintenance"),
        Err(e) => error(&v, e),
    }
}

/// The anonymous-upload policy's form: on or off, largest file, longest
/// expiry (as typed: `300M`, `7d`), and back to the configuration's.
fn anonymous_form(v: &Visitor, policy: &anonymous::Policy) -> String {
    let tier = &policy.tier;
    let typed_size = match tier.max_file_size {
        n if n <= 0 => "unlimited".to_string(),
        n => [(30, "G"), (20, "M"), (10, "K")]
            .iter()
            .find(|(shift, _)| n % (1i64 << shift) == 0)
            .map_or(n.to_string(), |(shift, unit)| {
                format!("{}{unit}", n >> shift)
            }),
    };
    let typed_expiry = match tier.max_time_limit_secs {
        n if n <= 0 => "none".to_string(),
        n => [(86_400, "d"), (3600, "h"), (60, "m")]
            .iter()
            .find(|(secs, _)| n % secs == 0)
            .map_or(n.to_string(), |(secs, unit)| format!("{}{unit}", n / secs)),
    };
    let (source, reset) = if policy.from_console {
        (
            t("admin-anonymous-from-console"),
            format!(
                "<button class=\"btn btn-secondary\" type=\"submit\" name=\"reset\" value=\"1\">{}</button>",
                esc(&t("admin-anonymous-reset"))
            ),
        )
    } else {
        (t("admin-anonymous-from-config"), String::new())
    };
    format!(
        "<form method=\"post\" action=\"/admin/anonymous\" class=\"card\" id=\"anonymous-uploads\"><h2>{heading}</h2>{csrf}\
         <p class=\"muted\">{source}</p>\
         <p class=\"check\"><input type=\"checkbox\" id=\"anonymous-on\" name=\"uploads\" value=\"on\"{checked}> \
         <label for=\"anonymous-on\">{enabled}</label></p>\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"anonymous-size\">{size}</label>\
         <input id=\"anonymous-size\" name=\"max_file_size\" value=\"{typed_size}\" required aria-describedby=\"anonymous-size-hint\">\
         <span class=\"hint\" id=\"anonymous-size-hint\">{size_hint}</span></div>\
         <div class=\"field\"><label for=\"anonymous-expiry\">{expiry}</label>\
         <input id=\"anonymous-expiry\" name=\"max_expiry\" value=\"{typed_expiry}\" required aria-describedby=\"anonymous-expiry-hint\">\
         <span class=\"hint\" id=\"anonymous-expiry-hint\">{expiry_hint}</span></div></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{save}</button> {reset}</div></form>",
        heading = esc(&t("admin-anonymous-heading")),
        csrf = hidden("csrf", &v.csrf),
        source = esc(&source),
        checked = if tier.enabled { " checked" } else { "" },
        enabled = esc(&t("admin-anonymous-enabled")),
        size = esc(&t("admin-anonymous-max-size")),
        size_hint = esc(&t("admin-anonymous-max-size-hint")),
        expiry = esc(&t("admin-anonymous-max-expiry")),
        expiry_hint = esc(&t("admin-anonymous-max-expiry-hint")),
        save = esc(&t("admin-anonymous-save")),
    )
}

/// `POST /admin/anonymous`: the policy as the form gives it, or
/// (`reset`) the configuration's again.
async fn anonymous_policy(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    let by = Origin::admin(&me, ip);
    let done = if field(&form, "reset") == "1" {
        anonymous::reset(&app.db, &app.cfg, by).await
    } else {
        let change = anonymous::Change {
            enabled: Some(field(&form, "uploads") == "on"),
            max_file_size: Some(field(&form, "max_file_size")),
            max_expiry: Some(field(&form, "max_expiry")),
        };
        anonymous::change(&app.db, &app.cfg, change, by).await
    };
    match done {
        Ok(_) => redirect("/admin?done=policy#anonymous-uploads"),
        Err(e) => error(&v, e),
    }
}

/// The tiers as `<option>`s, `selected` chosen.
fn membership_options(selected: &str) -> String {
    ["lite", "pro", "max"]
        .iter()
        .map(|m| {
            let mark = if *m == selected { " selected" } else { "" };
            format!("<option value=\"{m}\"{mark}>{m}</option>")
        })
        .collect()
}

/// An account's status as the console says it.
fn status_text(disabled: i64, activated: i64) -> String {
    if disabled != 0 {
        t("admin-status-disabled")
    } else if activated == 0 {
        t("admin-status-inactive")
    } else {
        t("admin-status-active")
    }
}

/// `GET /admin/users[?q=]`: the accounts (search by name or address) and
/// the form for a new one.
async fn users(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
    Admin { v, .. }: Admin,
) -> Response {
    let query = q.get("q").map(String::as_str).unwrap_or("");
    let list = match app
        .db
        .account_use(query, bandwidth_period(crate::db::now()), 500)
        .await
    {
        Ok(list) => list,
        Err(e) => return error(&v, e.into()),
    };
    let rows: String = list
        .iter()
        .map(|u| {
            let marks = [
                (u.is_admin != 0).then(|| t("admin-mark-admin")),
                (u.totp_enabled != 0).then(|| t("admin-mark-2fa")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            format!(
                "<tr data-user=\"{name}\"><td><a href=\"/admin/users/{id}\">{name}</a></td><td>{email}</td><td>{membership}</td>\
                 <td>{status}</td><td>{marks}</td><td>{files}</td><td>{disk}</td><td>{bandwidth}</td></tr>",
                id = u.id,
                name = esc(&u.user_name),
                email = esc(&u.email),
                membership = esc(&u.membership),
                status = esc(&status_text(u.disabled, u.activated)),
                marks = esc(&marks),
                files = u.files,
                disk = esc(&human_size(u.disk_used)),
                bandwidth = esc(&human_size(u.bandwidth_used)),
            )
        })
        .collect();
    let options = membership_options("lite");
    let body = format!(
        "{done}<form method=\"get\" action=\"/admin/users\" class=\"card\" id=\"search\" role=\"search\">\
         <div class=\"field\"><label for=\"q\">{search}</label><input id=\"q\" name=\"q\" value=\"{query}\"></div>\
         <div class=\"actions\"><button class=\"btn btn-secondary\" type=\"submit\">{search_button}</button></div></form>\
         <table class=\"files console\" id=\"user-list\"><thead><tr><th scope=\"col\">{c_name}</th><th scope=\"col\">{c_email}</th>\
         <th scope=\"col\">{c_membership}</th><th scope=\"col\">{c_status}</th><th scope=\"col\"></th><th scope=\"col\">{c_files}</th>\
         <th scope=\"col\">{c_disk}</th><th scope=\"col\">{c_bandwidth}</th></tr></thead><tbody>{rows}</tbody></table>\
         <form method=\"post\" action=\"/admin/users\" class=\"card\" id=\"new-user\"><h2>{new}</h2>{csrf}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"user_name\">{c_name}</label><input id=\"user_name\" name=\"user_name\" required maxlength=\"20\"></div>\
         <div class=\"field\"><label for=\"email\">{c_email}</label><input id=\"email\" name=\"email\" type=\"email\" required></div>\
         <div class=\"field\"><label for=\"membership\">{c_membership}</label><select id=\"membership\" name=\"membership\">{options}</select></div>\
         </div><p class=\"muted\">{new_note}</p><div class=\"actions\"><button class=\"btn\" type=\"submit\">{create}</button></div></form>",
        done = done_query(&q),
        search = esc(&t("admin-search")),
        query = esc(query),
        search_button = esc(&t("admin-search-button")),
        c_name = esc(&t("signup-user-name")),
        c_email = esc(&t("signup-email")),
        c_membership = esc(&t("admin-membership")),
        c_status = esc(&t("admin-status")),
        c_files = esc(&t("admin-files")),
        c_disk = esc(&t("admin-disk")),
        c_bandwidth = esc(&t("admin-bandwidth")),
        new = esc(&t("admin-new-user")),
        csrf = hidden("csrf", &v.csrf),
        new_note = esc(&t("admin-new-user-note")),
        create = esc(&t("admin-create")),
    );
    page(&v, StatusCode::OK, &t("admin-users"), &body)
}

/// `POST /admin/users`: a new activated account; its owner gets a link to
/// choose a password (the admin never knows it).
async fn create_user(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    let created = accounts::create_by_admin(
        &app,
        field(&form, "user_name").trim(),
        field(&form, "email").trim(),
        field(&form, "membership"),
        Origin::admin(&me, ip),
        ip,
    );
    match created.await {
        Ok(id) => redirect(&format!("/admin/users/{id}?done=created")),
        Err(e) => error(&v, e),
    }
}

/// `GET /admin/users/{id}`: one account and what can be done to it.
async fn user_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    Admin { v, .. }: Admin,
) -> Response {
    let user = match app.db.user_by_id(id).await {
        Ok(Some(u)) => u,
        Ok(None) => return not_found(),
        Err(e) => return error(&v, e.into()),
    };
    let csrf = hidden("csrf", &v.csrf);
    let action = |what: &str, label_key: &str, class: &str, extra: &str| {
        format!(
            "<form method=\"post\" action=\"/admin/users/{id}\" class=\"inline\">{csrf}{}{extra}\
             <button class=\"btn {class} btn-sm\" type=\"submit\" id=\"do-{what}\">{}</button></form> ",
            hidden("do", what),
            esc(&t(label_key)),
        )
    };
    let quota = match user.diskspace_override {
        None => "tier".to_string(),
        Some(-1) => "unlimited".to_string(),
        Some(q) => q.to_string(),
    };
    let options = membership_options(&user.membership);
    let facts = format!(
        "<table class=\"files console\" id=\"facts\">{}</table>",
        [
            ("signup-email", esc(&user.email)),
            ("admin-membership", esc(&user.membership)),
            (
                "admin-disk",
                format!(
                    "{} / {}",
                    esc(&human_size(user.disk_used)),
                    esc(&match user.diskspace(&app.cfg) {
                        -1 => t("admin-unlimited"),
                        q => human_size(q),
                    })
                )
            ),
            (
                "admin-status",
                esc(&status_text(user.disabled, user.activated))
            ),
            (
                "admin-mark-2fa",
                if user.totp_enabled != 0 {
                    time_tag(user.totp_enabled)
                } else {
                    esc(&t("account-never"))
                }
            ),
            (
                "admin-mark-admin",
                esc(&t(if user.is_admin != 0 {
                    "admin-yes"
                } else {
                    "admin-no"
                }))
            ),
        ]
        .iter()
        .map(|(k, v)| format!("<tr><th scope=\"row\">{}</th><td>{v}</td></tr>", esc(&t(k))))
        .collect::<String>()
    );
    let body = format!(
        "{done}{facts}<section class=\"card\" id=\"actions\"><h2>{actions}</h2><p>{toggle}{sessions}{reset}{two_factor}{admin_role}</p></section>\
         <form method=\"post\" action=\"/admin/users/{id}\" class=\"card\" id=\"plan\"><h2>{plan}</h2>{csrf}{do_plan}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"membership\">{c_membership}</label><select id=\"membership\" name=\"membership\">{options}</select></div>\
         <div class=\"field\"><label for=\"quota\">{c_quota}</label><input id=\"quota\" name=\"quota\" value=\"{quota}\" required></div></div>\
         <p class=\"muted\">{quota_note}</p><div class=\"actions\"><button class=\"btn\" type=\"submit\">{save}</button></div></form>\
         <form method=\"post\" action=\"/admin/users/{id}\" class=\"card\" id=\"delete-user\"><h2>{del}</h2>{csrf}{do_delete}\
         <p>{del_text}</p><div class=\"field\"><label for=\"confirm-name\">{del_name}</label>\
         <input id=\"confirm-name\" name=\"confirm\" required></div>{password}\
         <div class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">{del_button}</button></div></form>",
        done = done_query(&q),
        actions = esc(&t("admin-actions")),
        toggle = if user.disabled != 0 {
            action("enable", "admin-enable", "btn-secondary", "")
        } else {
            action("disable", "admin-disable", "btn-danger", "")
        },
        sessions = action("end-sessions", "admin-end-sessions", "btn-secondary", ""),
        reset = action("reset", "admin-send-reset", "btn-secondary", ""),
        two_factor = if user.totp_enabled != 0 {
            action("two-factor-off", "account-two-factor-disable", "btn-secondary", "")
        } else {
            String::new()
        },
        admin_role = if user.is_admin != 0 {
            action("admin-off", "admin-take-admin", "btn-secondary", "")
        } else {
            action("admin-on", "admin-make-admin", "btn-secondary", "")
        },
        plan = esc(&t("admin-plan")),
        do_plan = hidden("do", "plan"),
        c_membership = esc(&t("admin-membership")),
        c_quota = esc(&t("admin-quota")),
        quota_note = esc(&t("admin-quota-note")),
        save = esc(&t("admin-save")),
        del = esc(&t("account-delete-heading")),
        do_delete = hidden("do", "delete"),
        del_text = esc(&t("admin-delete-text")),
        del_name = esc(&t_args("admin-delete-type", &[("name", user.user_name.clone().into())])),
        password = password_field("remove-password"),
        del_button = esc(&t("admin-delete-button")),
    );
    page(&v, StatusCode::OK, &user.user_name, &body)
}

/// `POST /admin/users/{id}` (`do`: disable, enable, end-sessions, reset,
/// two-factor-off, admin-on, admin-off, plan (`membership`, `quota`), or
/// delete (`confirm` = the user name, `password`)).
async fn user_action(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    let user = match app.db.user_by_id(id).await {
        Ok(Some(u)) => u,
        Ok(None) => return not_found(),
        Err(e) => return error(&v, e.into()),
    };
    let by = Origin::admin(&me, ip);
    let what = field(&form, "do");
    if what == "delete" {
        if field(&form, "confirm").trim() != user.user_name {
            return page(
                &v,
                StatusCode::BAD_REQUEST,
                &user.user_name,
                &notice(false, &t("admin-delete-unconfirmed")),
            );
        }
        if let Some(text) = reauth_refused(&app, &v, &me, &form, ip).await {
            return page(
                &v,
                StatusCode::FORBIDDEN,
                &user.user_name,
                &notice(false, &text),
            );
        }
    }
    let done = async {
        match what {
            "disable" => admin::set_disabled(&app.db, &user, true, by).await,
            "enable" => admin::set_disabled(&app.db, &user, false, by).await,
            "end-sessions" => admin::end_sessions(&app.db, &user, by).await.map(drop),
            "reset" => accounts::request_password_reset(&app, &user.user_name, ip).await,
            "two-factor-off" => two_factor::disable(&app.db, &user, by).await,
            "admin-on" => admin::set_admin(&app.db, &user, true, by).await,
            "admin-off" if user.id == me.id => Err(crate::library::Error::Invalid(
                t("admin-not-yourself").into(),
            )),
            "admin-off" => admin::set_admin(&app.db, &user, false, by).await,
            "plan" => {
                let quota = admin::parse_quota(field(&form, "quota"))?;
                let membership = field(&form, "membership");
                if membership != user.membership {
                    admin::set_membership(&app.db, &user, membership, 0, by).await?;
                }
                if quota != user.diskspace_override {
                    admin::set_quota(&app.db, &user, quota, by).await?;
                }
                Ok(())
            }
            "delete" if user.id == me.id => Err(crate::library::Error::Invalid(
                t("admin-not-yourself").into(),
            )),
            "delete" => accounts::delete(&app.db, &user, by).await.map(drop),
            _ => Err(crate::library::Error::Invalid("unknown action".into())),
        }
    };
    match done.await {
        Ok(()) if what == "delete" => redirect("/admin/users?done=deleted"),
        Ok(()) if what == "reset" => redirect(&format!("/admin/users/{id}?done=mailed")),
        Ok(()) => redirect(&format!("/admin/users/{id}?done=saved")),
        Err(e) => error(&v, e),
    }
}

/// `GET /admin/keys`: the API keys and the form for a new one.
async fn keys(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
    Admin { v, .. }: Admin,
) -> Response {
    let list = match app.db.list_api_keys().await {
        Ok(list) => list,
        Err(e) => return error(&v, e.into()),
    };
    keys_page(&v, &list, &done_query(&q), StatusCode::OK)
}

fn keys_page(
    v: &Visitor,
    list: &[crate::db::api_keys::ApiKey],
    top: &str,
    status: StatusCode,
) -> Response {
    let csrf = hidden("csrf", &v.csrf);
    let rows: String = list
        .iter()
        .map(|k| {
            format!(
                "<tr data-id=\"{id}\"><td>{id}</td><td>{name}</td><td><code>{prefix}…</code></td><td>{min}</td><td>{created}</td>\
                 <td class=\"row-actions\"><form method=\"post\" action=\"/admin/keys/revoke\" class=\"inline\">{csrf}{fid}\
                 <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required aria-label=\"{pw_label}\" placeholder=\"{pw_label}\">\
                 <button class=\"btn btn-danger btn-sm\" type=\"submit\">{revoke}</button></form></td></tr>",
                id = k.id,
                name = esc(if k.name.is_empty() { "-" } else { &k.name }),
                prefix = esc(&k.prefix),
                min = esc(if k.min_app_version.is_empty() { "-" } else { &k.min_app_version }),
                created = time_tag(k.created),
                fid = hidden("id", &k.id.to_string()),
                pw_label = esc(&t("admin-your-password")),
                revoke = esc(&t("account-revoke")),
            )
        })
        .collect();
    let body = format!(
        "{top}<table class=\"files console\" id=\"key-list\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{c_name}</th>\
         <th scope=\"col\">{c_key}</th><th scope=\"col\">{c_min}</th><th scope=\"col\">{c_created}</th><th></th></tr></thead><tbody>{rows}</tbody></table>\
         <form method=\"post\" action=\"/admin/keys\" class=\"card\" id=\"new-key\"><h2>{new}</h2>{csrf}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"key-name\">{c_name}</label><input id=\"key-name\" name=\"name\" maxlength=\"100\"></div>\
         <div class=\"field\"><label for=\"min\">{c_min}</label><input id=\"min\" name=\"min_app_version\" maxlength=\"40\"></div></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{create}</button></div></form>",
        c_name = esc(&t("account-name")),
        c_key = esc(&t("account-starts-with")),
        c_min = esc(&t("admin-min-version")),
        c_created = esc(&t("account-created")),
        new = esc(&t("admin-new-key")),
        create = esc(&t("admin-create")),
    );
    page(v, status, &t("admin-keys"), &body)
}

/// `POST /admin/keys` (`name`, `min_app_version`): the key is on this
/// answer only.
async fn create_key(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    let made = async {
        let key = admin::create_api_key(
            &app.db,
            field(&form, "name").trim(),
            field(&form, "min_app_version").trim(),
            Origin::admin(&me, ip),
        )
        .await?;
        Ok::<_, crate::library::Error>((key, app.db.list_api_keys().await?))
    };
    match made.await {
        Ok((key, list)) => {
            let top = format!(
                "<div class=\"notice notice-ok\" id=\"new-key-shown\" role=\"status\"><p>{}</p><p><code class=\"secret\" id=\"api-key\">{}</code></p></div>",
                esc(&t("admin-key-once")),
                esc(&key)
            );
            keys_page(&v, &list, &top, StatusCode::OK)
        }
        Err(e) => error(&v, e),
    }
}

/// `POST /admin/keys/revoke` (`id`, `password`)
async fn revoke_key(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    AdminForm { v, me, form }: AdminForm,
) -> Response {
    if let Some(text) = reauth_refused(&app, &v, &me, &form, ip).await {
        return page(
            &v,
            StatusCode::FORBIDDEN,
            &t("admin-keys"),
            &notice(false, &text),
        );
    }
    let id = field(&form, "id").trim().parse::<i64>().unwrap_or(0);
    match admin::revoke_api_key(&app.db, id, Origin::admin(&me, ip)).await {
        Ok(()) => redirect("/admin/keys?done=revoked"),
        Err(e) => error(&v, e),
    }
}

/// `GET /admin/audit[?user=&event=&since=]`: the audit log, newest first.
async fn audit_log(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
    Admin { v, .. }: Admin,
) -> Response {
    let get = |k: &str| q.get(k).map(|s| s.trim()).unwrap_or("");
    let days = get("days").parse::<i64>().unwrap_or(0).max(0);
    let read = async {
        let user_id = match get("user") {
            "" => None,
            name => Some(app.db.user_id_by_name(name).await?.unwrap_or(-2)),
        };
        let filter = AuditFilter {
            since: if days > 0 {
                crate::db::now() - days * 86_400
            } else {
                0
            },
            user_id,
            event_prefix: get("event").to_string(),
            limit: 200,
        };
        audit::entries(&app.db, &app.cfg, filter).await
    };
    let entries = match read.await {
        Ok(e) => e,
        Err(e) => return error(&v, e),
    };
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                time_tag(e.at),
                esc(&e.event),
                esc(&e.user_name),
                esc(&e.actor),
                esc(&e.address),
                esc(&e.detail),
            )
        })
        .collect();
    let body = format!(
        "<form method=\"get\" action=\"/admin/audit\" class=\"card\" id=\"filters\"><div class=\"grid-2\">\
         <div class=\"field\"><label for=\"user\">{c_user}</label><input id=\"user\" name=\"user\" value=\"{user}\"></div>\
         <div class=\"field\"><label for=\"event\">{c_event}</label><input id=\"event\" name=\"event\" value=\"{event}\" placeholder=\"login.\"></div>\
         <div class=\"field\"><label for=\"days\">{c_days}</label><input id=\"days\" name=\"days\" type=\"number\" min=\"0\" value=\"{days_value}\"></div>\
         </div><div class=\"actions\"><button class=\"btn btn-secondary\" type=\"submit\">{filter}</button></div></form>\
         <table class=\"files console\" id=\"audit-list\"><thead><tr><th scope=\"col\">{c_time}</th><th scope=\"col\">{c_event}</th>\
         <th scope=\"col\">{c_user}</th><th scope=\"col\">{c_actor}</th><th scope=\"col\">{c_address}</th><th scope=\"col\">{c_detail}</th></tr></thead>\
         <tbody>{rows}</tbody></table>",
        c_user = esc(&t("signup-user-name")),
        user = esc(get("user")),
        c_event = esc(&t("admin-event")),
        event = esc(get("event")),
        c_days = esc(&t("admin-days")),
        days_value = if days > 0 { days.to_string() } else { String::new() },
        filter = esc(&t("admin-filter")),
        c_time = esc(&t("admin-time")),
        c_actor = esc(&t("admin-actor")),
        c_address = esc(&t("account-session-address")),
        c_detail = esc(&t("admin-detail")),
    );
    page(&v, StatusCode::OK, &t("admin-audit"), &body)
}
