//! The browser upload page (`/`, `/upload`) and its two small JSON helpers.
//!
//! The page's script (`/static/upload.js`) asks `POST /upload/new` for an
//! identifier per file — offered by the domain (`library::uploads`) behind
//! the same pipeline steps as `upload.getInfo` (logged in) or
//! `anonymous.uploadGetInfo` (not) — and sends each file resumably through
//! `/tus/` in chunks of `tus.chunk_bytes` with the vendored tus-js-client
//! (`/static/tus.min.js`) — an empty file, or any file in a browser
//! tus-js-client does not support, is posted to the ordinary
//! `POST /upload/{identifier}` (docs/web.md). A
//! logged-in user's upload ends with a file id, which `POST /upload/links`
//! turns into the download and delete links.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;

use super::encryption;
use super::web::{visitor, Visitor};
use crate::api::error::{ApiError, Code};
use crate::api::lists;
use crate::db::files::is_id;
use crate::db::folders::ROOT;
use crate::db::users::User;
use crate::http::html::{esc, try_later};
use crate::http::params::Params;
use crate::http::pipeline::{Gate, Pipeline};
use crate::http::ClientIp;
use crate::library::limits::Uploader;
use crate::library::{anonymous, folders, limits, uploads};
use crate::pages::i18n::{t, t_args, t_html};
use crate::state::App;

const UPLOAD_JS: &str = include_str!("static/upload.js");
/// tus-js-client 4.3.1's browser build, as published on npm (MIT licence
/// beside it); docs/web.md says how to update it.
const TUS_JS: &str = include_str!("static/vendor/tus-js-client-4.3.1.min.js");

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(show))
        .route("/upload", get(show))
        .route("/upload/new", post(new_upload))
        .route("/upload/links", post(links))
        .route("/static/upload.js", get(|| async { script(UPLOAD_JS) }))
        .route("/static/tus.min.js", get(|| async { script(TUS_JS) }))
}

pub(super) fn script(text: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        text,
    )
        .into_response()
}

/// `GET /` and `GET /upload`
async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let v = visitor(&app, &headers).await;
    let tier;
    let uploader = match &v.user {
        Some(u) => Uploader::Account(u),
        None => match anonymous::current(&app.db, &app.cfg).await {
            Ok(policy) if policy.tier.enabled => {
                tier = policy.tier;
                Uploader::Anonymous(&tier)
            }
            Ok(_) => return log_in_to_upload(&v),
            Err(e) => {
                ApiError::from(e).log("upload page");
                return try_later(&t("upload-unavailable"));
            }
        },
    };
    let whose = match &v.user {
        Some(u) => t_html(
            "upload-to-account",
            &[],
            &[("name", &format!("<b>{}</b>", esc(&u.user_name)))],
        ),
        None => esc(&t("upload-anonymous")),
    };
    let body = format!(
        "<p class=\"lead\">{whose}</p>\
         <noscript><p class=\"notice notice-error\">{needs_js}</p></noscript>\
         <form id=\"upload-form\" class=\"card\" data-csrf=\"{csrf}\" data-chunk=\"{chunk}\" data-account=\"{account}\">\
         {drop_zone}\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"description\">{description} <span class=\"muted\">{optional}</span></label>\
         <textarea id=\"description\" rows=\"2\" maxlength=\"10000\"></textarea></div>\
         <div class=\"field\"><label for=\"password\">{password} <span class=\"muted\">{optional}</span></label>\
         <input id=\"password\" type=\"text\" autocomplete=\"off\" maxlength=\"255\" aria-describedby=\"password-hint\">\
         <span class=\"hint\" id=\"password-hint\">{password_hint}</span></div>\
         <div class=\"field\"><label for=\"recipients\">{recipients} <span class=\"muted\">{optional}</span></label>\
         <input id=\"recipients\" type=\"text\" autocomplete=\"email\" aria-describedby=\"recipients-hint\">\
         <span class=\"hint\" id=\"recipients-hint\">{recipients_hint}</span></div>\
         <div class=\"field\"><label for=\"message\">{message} <span class=\"muted\">{optional}</span></label>\
         <textarea id=\"message\" rows=\"2\"></textarea></div>\
         <div class=\"field\"><label for=\"expiry\">{expiry_label}</label>\
         <select id=\"expiry\" aria-describedby=\"expiry-hint\">{expiry}</select>\
         <span class=\"hint\" id=\"expiry-hint\">{expiry_hint}</span></div>\
         <div class=\"field\"><label for=\"downloads\">{downloads} <span class=\"muted\">{optional}</span></label>\
         <input id=\"downloads\" type=\"number\" min=\"0\" step=\"1\" inputmode=\"numeric\" aria-describedby=\"downloads-hint\">\
         <span class=\"hint\" id=\"downloads-hint\">{downloads_hint}</span></div>\
         {folder}\
         </div>\
         <p class=\"check\"><input type=\"checkbox\" id=\"bundle\" checked> \
         <label for=\"bundle\">{bundle}</label></p>{encrypt}\
         <div class=\"actions\"><button class=\"btn\" id=\"start\" type=\"submit\">{start}</button>\
         <span id=\"status\" class=\"status\" role=\"status\"></span></div>\
         </form>{results}",
        needs_js = esc(&t("upload-needs-js")),
        drop_zone = drop_zone(),
        optional = esc(&t("upload-optional")),
        description = esc(&t("upload-description")),
        password = esc(&t("upload-password")),
        password_hint = esc(&t("upload-password-hint")),
        recipients = esc(&t("upload-recipients")),
        recipients_hint = esc(&t("upload-recipients-hint")),
        message = esc(&t("upload-message")),
        expiry_label = esc(&t("upload-expiry")),
        expiry_hint = esc(&t("upload-expiry-hint")),
        downloads = esc(&t("upload-downloads")),
        downloads_hint = esc(&t("upload-downloads-hint")),
        bundle = esc(&t("upload-bundle")),
        start = esc(&t("upload-start")),
        results = results_area(),
        csrf = esc(&v.csrf),
        chunk = app.cfg.tus.chunk_bytes.max(MIN_CHUNK),
        expiry = expiry_options(
            &limits::expiry_choices(&app.cfg, uploader),
            limits::default_time_limit(&app.cfg, uploader),
        ),
        folder = folder_field(&app, v.user.as_ref()).await,
        account = u8::from(v.user.is_some()),
        encrypt = encryption::upload_choice(v.user.is_some()),
    );
    v.page(
        StatusCode::OK,
        &t("upload-title"),
        &body,
        encryption::UPLOAD_SCRIPTS,
    )
}

/// The upload page for visitors while anonymous uploads are off: log in
/// (or sign up, where accounts are open).
fn log_in_to_upload(v: &Visitor) -> Response {
    let body = format!(
        "<div class=\"card\" id=\"uploads-closed\"><p class=\"lead\">{lead}</p>\
         <div class=\"actions\"><a class=\"btn\" href=\"/login?next=%2Fupload\">{log_in}</a></div></div>",
        lead = esc(&t("upload-anonymous-off")),
        log_in = esc(&t("login-submit")),
    );
    v.page(StatusCode::OK, &t("upload-title"), &body, &[])
}

/// The expiry choices as `<option>`s, the tier's default preselected,
/// else the longest ("never" where offered: files keep unless asked
/// otherwise).
fn expiry_options(choices: &[i64], default: Option<i64>) -> String {
    let longest = default.filter(|d| choices.contains(d)).or_else(|| {
        choices
            .iter()
            .copied()
            .max_by_key(|&s| if s == 0 { i64::MAX } else { s })
    });
    choices
        .iter()
        .map(|&secs| {
            let selected = if Some(secs) == longest {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{secs}\"{selected}>{}</option>",
                expiry_label(secs)
            )
        })
        .collect()
}

/// "Never", "1 hour", "7 days", "90 minutes" (in the request's language).
fn expiry_label(secs: i64) -> String {
    let (n, key) = match secs {
        0 => return t("upload-never"),
        s if s % 86_400 == 0 => (s / 86_400, "upload-days"),
        s if s % 3600 == 0 => (s / 3600, "upload-hours"),
        s if s % 60 == 0 => (s / 60, "upload-minutes"),
        s => (s, "upload-seconds"),
    };
    t_args(key, &[("count", n.into())])
}

/// Where files are dropped or chosen, and the list of those chosen.
pub(super) fn drop_zone() -> String {
    format!(
        "<div id=\"drop\" class=\"drop\">{UPLOAD_ICON}<p class=\"drop-title\">{drop}</p>\
         <p class=\"muted\">{or}</p><label for=\"files\" class=\"visually-hidden\">{choose}</label>\
         <input type=\"file\" id=\"files\" name=\"userfile\" multiple></div>\
         <ul id=\"chosen\" class=\"chosen\" aria-label=\"{chosen}\"></ul>",
        drop = esc(&t("upload-drop")),
        or = esc(&t("upload-or")),
        choose = esc(&t("upload-choose")),
        chosen = esc(&t("upload-chosen")),
    )
}

/// Below the form: each file's progress and outcome, the live regions
/// and the script's words.
pub(super) fn results_area() -> String {
    format!(
        "<section aria-label=\"{results}\"><div id=\"results\"></div></section>\
         <div id=\"announce\" class=\"visually-hidden\" role=\"status\"></div>\
         <div id=\"toast\" class=\"toast\" role=\"status\"></div>{messages}",
        results = esc(&t("upload-results")),
        messages = script_messages(),
    )
}

/// The script's messages (keys `upload-js-*` and the size units, with
/// their variables left as `{name}` for it to fill in), as a JSON data
/// block: not a script, so the CSP stays `script-src 'self'`
/// (docs/languages.md).
fn script_messages() -> String {
    const MESSAGES: &[(&str, &[&str])] = &[
        ("upload-js-bytes-one", &["count"]),
        ("upload-js-bytes-other", &["count"]),
        ("upload-js-uploading-one", &["count"]),
        ("upload-js-uploading-other", &["count"]),
        ("upload-js-retry-one", &["count"]),
        ("upload-js-retry-other", &["count"]),
        ("upload-js-copy", &[]),
        ("upload-js-copied", &[]),
        ("upload-js-link-download", &[]),
        ("upload-js-link-delete", &[]),
        ("upload-js-link-bundle", &[]),
        ("upload-js-link-receipt", &[]),
        ("upload-js-copy-download", &["name"]),
        ("upload-js-copy-delete", &["name"]),
        ("upload-js-copy-bundle", &["name"]),
        ("upload-js-copy-receipt", &["name"]),
        ("upload-js-copied-download", &["name"]),
        ("upload-js-copied-delete", &["name"]),
        ("upload-js-copied-bundle", &["name"]),
        ("upload-js-copied-receipt", &["name"]),
        ("upload-js-upload-failed", &[]),
        ("upload-js-connection-failed", &[]),
        ("upload-js-was-cancelled", &[]),
        ("upload-js-secs", &["s"]),
        ("upload-js-mins", &["m", "s"]),
        ("upload-js-hours", &["h", "m"]),
        ("upload-js-speed", &["rate", "left"]),
        ("upload-js-resuming", &[]),
        ("upload-js-cancel", &[]),
        ("upload-js-cancel-label", &["name"]),
        ("upload-js-progress-label", &["name"]),
        ("upload-js-overall", &["count"]),
        ("upload-js-overall-label", &[]),
        ("upload-js-too-large", &["max"]),
        ("upload-js-scanning", &[]),
        ("upload-js-done", &[]),
        ("upload-js-cancelled", &[]),
        ("upload-js-failed", &["reason"]),
        ("upload-js-one-link", &["count"]),
        ("upload-js-all-files", &["count"]),
        ("upload-js-qr-alt", &["count"]),
        ("upload-js-bundle-ready", &["count"]),
        ("upload-js-choose-first", &[]),
        ("upload-js-folder-name", &["when"]),
        ("upload-js-bundle-failed", &["reason"]),
        ("upload-js-encrypting", &[]),
        ("upload-js-passphrase-short", &[]),
        ("upload-js-to-nobody", &[]),
        ("upload-js-link-key", &[]),
        ("upload-js-copy-key", &["name"]),
        ("upload-js-copied-key", &["name"]),
        ("size-kb", &["value"]),
        ("size-mb", &["value"]),
        ("size-gb", &["value"]),
        ("size-tb", &["value"]),
    ];
    let map: serde_json::Map<String, serde_json::Value> = MESSAGES
        .iter()
        .map(|(key, vars)| {
            let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = vars
                .iter()
                .map(|v| (*v, format!("{{{v}}}").into()))
                .collect();
            let name = key.strip_prefix("upload-js-").unwrap_or(key);
            (name.to_string(), t_args(key, &args).into())
        })
        .collect();
    json_data("i18n", map)
}

/// A script's data as a JSON block of the page (`<script
/// type="application/json">`): data, not a script, so the CSP stays
/// `script-src 'self'`.
pub(super) fn json_data(id: &str, map: serde_json::Map<String, serde_json::Value>) -> String {
    // `<` escaped: nothing in the data can close the element.
    let json = serde_json::Value::Object(map)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    format!("<script type=\"application/json\" id=\"{id}\">{json}</script>")
}

/// A logged-in user picks the folder the files go to.
async fn folder_field(app: &App, user: Option<&User>) -> String {
    let Some(user) = user else {
        return String::new();
    };
    let all = match folders::all(&app.db, user.id).await {
        Ok(all) => all,
        Err(e) => {
            // The page still uploads, into the root.
            tracing::error!(error = %format!("{e:#}"), "upload page folders");
            Vec::new()
        }
    };
    let root = t("upload-folder-root");
    let options: String = all
        .iter()
        .map(|f| {
            let name = if f.id == ROOT {
                root.as_str()
            } else {
                f.name.as_str()
            };
            format!("<option value=\"{}\">{}</option>", esc(&f.id), esc(name))
        })
        .collect();
    format!(
        "<div class=\"field\"><label for=\"folder\">{}</label>\
         <select id=\"folder\">{options}</select></div>",
        esc(&t("upload-folder"))
    )
}

/// The smallest chunk the page sends, whatever `tus.chunk_bytes` says.
pub(super) const MIN_CHUNK: u64 = 64 * 1024;

/// The drop zone's picture (decorative).
const UPLOAD_ICON: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">\
    <path d=\"M12 16V4m-5 5 5-5 5 5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3\" fill=\"none\" \
    stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>";

/// A JSON error: `{"error": text, "code": n}`.
pub(super) fn json_error(status: StatusCode, code: i64, text: &str) -> Response {
    (status, Json(json!({ "error": text, "code": code }))).into_response()
}

pub(super) fn api_error(e: &ApiError) -> Response {
    e.log("upload page");
    let status = match e.code {
        Code::SystemMaintenance | Code::UploadTempError => StatusCode::SERVICE_UNAVAILABLE,
        Code::FileNotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    json_error(status, e.code.number() as i64, e.text())
}

/// The visitor behind a JSON request, if its form carries their CSRF token.
pub(super) async fn checked_visitor(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<Visitor, Response> {
    let v = visitor(app, headers).await;
    if v.csrf_ok_since_before_login(form.get("csrf").map(String::as_str).unwrap_or("")) {
        Ok(v)
    } else {
        Err(csrf_refused(&v))
    }
}

/// `checked_visitor` for the requests only a logged-in user may make.
pub(super) async fn checked_user(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(Visitor, User), Response> {
    let v = checked_visitor(app, headers, form).await?;
    match v.user.clone() {
        Some(user) => Ok((v, user)),
        None => Err(json_error(
            StatusCode::FORBIDDEN,
            6,
            &t("upload-not-logged-in"),
        )),
    }
}

fn csrf_refused(v: &Visitor) -> Response {
    v.finish(json_error(
        StatusCode::FORBIDDEN,
        0,
        &t("upload-csrf-refused"),
    ))
}

/// `POST /upload/new` (form field `csrf`): a fresh upload identifier with
/// the attributes of the API's `<upload/>`, and `anonymous`. The same
/// pipeline steps as `upload.getInfo` (logged in) and
/// `anonymous.uploadGetInfo` (not), in their order.
async fn new_upload(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = match checked_visitor(&app, &headers, &form).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let p = Pipeline::new(&app, ip);
    let gate = Gate {
        writes: true,
        expiry: true,
        upload_start: true,
    };
    let offer = match &v.user {
        Some(user) => {
            async {
                p.address()?;
                p.open_for(gate).await?;
                p.account(Some(user), gate)?;
                uploads::offer_for(&app, user, "1.0", 0).await
            }
            .await
        }
        None => {
            async {
                p.address()?;
                p.account(None, gate)?;
                p.open_for(gate).await?;
                uploads::offer_anonymous(&app, "1.0", 0).await
            }
            .await
        }
    };
    match offer {
        Ok(offer) => Json(json!({
            "progress_url": offer.progress_url,
            "url": offer.url,
            "max_file_size": offer.max_file_size.to_string(),
            "upload_identifier": offer.id,
            "extra_info": offer.extra_info,
            "anonymous": v.user.is_none(),
        }))
        .into_response(),
        Err(e) => api_error(&e.into()),
    }
}

/// `POST /upload/links` (fields `csrf`, `file_id`): the download page and
/// delete link of the logged-in user's own file, with the pipeline steps
/// of `files.getInfo` (a read: no maintenance check). Of a comma list,
/// the first file the user owns answers.
async fn links(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, user) = match checked_user(&app, &headers, &form).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let user = &user;
    let p = Pipeline::new(&app, ip);
    let found: Result<Option<crate::db::files::File>, ApiError> = async {
        p.address()?;
        p.account(Some(user), Gate::default())?;
        // The list as files.getInfo reads it (empty: 4; too long: 21).
        let given = form.get("file_id").cloned().unwrap_or_default();
        let ids = lists::param(&Params::from_pairs([("file_id".into(), given)]), "file_id")?;
        for id in ids {
            if !is_id(&id) {
                continue;
            }
            match app.db.own_file(user.id, &id).await {
                Ok(Some(file)) => return Ok(Some(file)),
                Ok(None) => {}
                // One id failing is that id's failure, as in files.getInfo.
                Err(e) => tracing::error!(error = %e, "internal error"),
            }
        }
        Ok(None)
    }
    .await;
    match found {
        Ok(Some(file)) => Json(json!({
            "download_url": app.url(&format!("/file/{}", file.id)),
            "delete_url": crate::library::delete_url(&app, &file),
        }))
        .into_response(),
        Ok(None) => api_error(&ApiError::new(Code::FileNotFound)),
        Err(e) => api_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_choices_read_as_words() {
        let labels: Vec<String> = [0, 60, 5400, 3600, 7200, 86_400, 604_800, 90]
            .into_iter()
            .map(expiry_label)
            .collect();
        assert_eq!(
            labels,
            [
                "Never",
                "1 minute",
                "90 minutes",
                "1 hour",
                "2 hours",
                "1 day",
                "7 days",
                "90 seconds"
            ]
        );
        // The longest is chosen; "never" counts as longest.
        assert!(
            expiry_options(&[3600, 0, 86_400], None).contains("<option value=\"0\" selected>Never")
        );
        assert!(expiry_options(&[3600, 86_400], None).contains("<option value=\"86400\" selected>"));
        // The tier's default is chosen where it has one.
        assert!(expiry_options(&[3600, 86_400], Some(3600))
            .contains("<option value=\"3600\" selected>"));
    }
}
