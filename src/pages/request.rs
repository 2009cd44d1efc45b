//! File requests' public side (docs/file-requests.md): `/r/{token}` shows
//! the request — its title, message and caps, never the folder nor what
//! others sent — and the upload form, behind the request's password when
//! it has one (`POST /r/{token}` checks it and hands the page a signed
//! pass). The page's script (`/static/upload.js`) asks `POST
//! /r/{token}/new` for an identifier per file, through the pipeline steps
//! of an anonymous upload, and sends each file through `/tus/`; the last
//! answer carries the file's receipt link,
//! `/r/{token}/receipt/{file_id}/{sig}`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;

use super::upload::{api_error, checked_visitor, drop_zone, json_error, results_area, MIN_CHUNK};
use super::web::{visitor, Visitor};
use crate::api::error::ApiError;
use crate::db::file_requests::FileRequest;
use crate::http::html::{esc, human_size, page, time_tag, try_later};
use crate::http::pipeline::{Gate, Pipeline};
use crate::http::ClientIp;
use crate::library::requests::{self, State as RequestState};
use crate::library::Error;
use crate::pages::i18n::{t, t_args};
use crate::state::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/r/{token}", get(show).post(unlock))
        .route("/r/{token}/new", post(new_upload))
        .route("/r/{token}/receipt/{file_id}/{sig}", get(receipt))
}

/// The request behind a link, or the page to answer instead.
async fn find(app: &App, token: &str) -> Result<FileRequest, Response> {
    match requests::find(app, token).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(not_found()),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "file request page");
            Err(try_later(&t("request-unavailable")))
        }
    }
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        &t("request-not-found-title"),
        &format!(
            "<p id=\"not-found\">{}</p>",
            esc(&t("request-not-found-text"))
        ),
    )
}

/// `GET /r/{token}`
async fn show(State(app): State<App>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    let r = match find(&app, &token).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let v = visitor(&app, &headers).await;
    let body = if requests::has_password(&r) {
        password_form(&v, None)
    } else {
        upload_form(&app, &v, &r, "").await
    };
    answer(&app, &v, &r, &body).await
}

/// `POST /r/{token}` (fields `csrf`, `password`): the upload form once the
/// password is right.
async fn unlock(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let r = match find(&app, &token).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let v = visitor(&app, &headers).await;
    if !v.csrf_ok(form.get("csrf").map(String::as_str).unwrap_or("")) {
        return super::web::forbidden(&v);
    }
    let given = form.get("password").map(String::as_str).unwrap_or("");
    let body = match requests::unlock(&app, &r, given, ip).await {
        Ok(pass) => upload_form(&app, &v, &r, &pass).await,
        Err(Error::BadPassword) => password_form(&v, Some(t("request-wrong-password"))),
        Err(Error::PasswordWait(secs)) => password_form(
            &v,
            Some(t_args(
                "download-password-wait",
                &[("seconds", secs.into())],
            )),
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "file request password");
            return try_later(&t("request-unavailable"));
        }
    };
    answer(&app, &v, &r, &body).await
}

/// The request's page around `body` (its form), or the reason it takes
/// nothing now.
async fn answer(app: &App, v: &Visitor, r: &FileRequest, body: &str) -> Response {
    let owner = match app.db.user_by_id(r.user_id).await {
        Ok(Some(u)) => u.user_name,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "file request owner");
            return try_later(&t("request-unavailable"));
        }
    };
    let lead = format!(
        "<p class=\"lead\" id=\"asker\">{}</p>",
        esc(&t_args("request-lead", &[("name", owner.into())]))
    );
    let message = match r.message.as_str() {
        "" => String::new(),
        m => format!(
            "<p id=\"request-message\" class=\"pre-line\">{}</p>",
            esc(m)
        ),
    };
    let (status, rest) = match requests::state(r) {
        RequestState::Open => (StatusCode::OK, format!("{}{body}", caps(r))),
        closed => (
            StatusCode::GONE,
            format!(
                "<p class=\"notice notice-error\" id=\"request-closed\">{}</p>",
                esc(&t(match closed {
                    RequestState::Expired => "request-expired",
                    RequestState::Full => "request-full",
                    _ => "request-closed",
                }))
            ),
        ),
    };
    let body = format!(
        "{lead}<div class=\"card\"><h2 id=\"request-title\">{title}</h2>{message}</div>{rest}",
        title = esc(&r.title),
    );
    v.page(
        status,
        &t("request-page-title"),
        &body,
        super::encryption::UPLOAD_SCRIPTS,
    )
}

/// What the request takes, as a list; nothing when it has no caps.
fn caps(r: &FileRequest) -> String {
    let mut items = Vec::new();
    if r.max_files > 0 {
        items.push(esc(&t_args(
            "request-cap-files",
            &[("count", r.max_files.into())],
        )));
    }
    if r.max_bytes > 0 {
        items.push(esc(&t_args(
            "request-cap-bytes",
            &[("size", human_size(r.max_bytes).into())],
        )));
    }
    if r.max_file_size > 0 {
        items.push(esc(&t_args(
            "request-cap-file-size",
            &[("size", human_size(r.max_file_size).into())],
        )));
    }
    if r.expires > 0 {
        items.push(format!(
            "{} {}",
            esc(&t("request-cap-until")),
            time_tag(r.expires)
        ));
    }
    let private = format!(
        "<p class=\"muted\" id=\"request-private\">{}</p>",
        esc(&t("request-private"))
    );
    if items.is_empty() {
        return private;
    }
    let items: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
    format!("<ul class=\"caps\" id=\"request-caps\">{items}</ul>{private}")
}

fn password_form(v: &Visitor, error: Option<String>) -> String {
    let (invalid, error) = match error {
        Some(e) => (
            " aria-invalid=\"true\" aria-describedby=\"password-error\"",
            format!(
                "<p class=\"field-error\" id=\"password-error\" role=\"alert\">{}</p>",
                esc(&e)
            ),
        ),
        None => ("", String::new()),
    };
    format!(
        "<form method=\"post\" class=\"card\" id=\"request-password\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <div class=\"field\"><label for=\"password\">{label}</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"off\" required{invalid}>\
         {error}</div><div class=\"actions\"><button class=\"btn\" type=\"submit\">{open}</button></div></form>",
        csrf = esc(&v.csrf),
        label = esc(&t("request-password")),
        open = esc(&t("request-open")),
    )
}

/// The request's owner's user name, for the page's words ('' if gone).
async fn owner_name(app: &App, r: &FileRequest) -> String {
    match app.db.user_by_id(r.user_id).await {
        Ok(Some(u)) => u.user_name,
        _ => String::new(),
    }
}

/// The upload form of the request page; `pass` proves the password.
async fn upload_form(app: &App, v: &Visitor, r: &FileRequest, pass: &str) -> String {
    // An encrypted request's page encrypts to its owner's keys
    // (docs/encryption.md, "Encrypted file requests").
    let (recipients, encrypted) = match requests::recipients(app, r).await {
        Ok(keys) if keys.is_empty() => (String::new(), String::new()),
        Ok(keys) => (
            format!(" data-recipients=\"{}\"", esc(&keys.join(","))),
            format!(
                "<p class=\"notice\" id=\"request-encrypted\">{}</p>",
                esc(&t_args(
                    "request-encrypted",
                    &[("name", owner_name(app, r).await.into())]
                ))
            ),
        ),
        Err(e) => {
            return format!(
                "<p class=\"notice notice-error\" id=\"request-closed\">{}</p>",
                esc(ApiError::from(e).text())
            )
        }
    };
    format!(
        "<noscript><p class=\"notice notice-error\">{needs_js}</p></noscript>\
         <form id=\"upload-form\" class=\"card\" data-csrf=\"{csrf}\" data-chunk=\"{chunk}\" \
         data-account=\"0\" data-request=\"{id}\" data-pass=\"{pass}\"{recipients}>{encrypted}{drop_zone}\
         <div class=\"field\"><label for=\"description\">{note} <span class=\"muted\">{optional}</span></label>\
         <textarea id=\"description\" rows=\"2\" maxlength=\"10000\"></textarea></div>\
         <div class=\"actions\"><button class=\"btn\" id=\"start\" type=\"submit\">{start}</button>\
         <span id=\"status\" class=\"status\" role=\"status\"></span></div></form>{results}",
        needs_js = esc(&t("upload-needs-js")),
        csrf = esc(&v.csrf),
        chunk = app.cfg.tus.chunk_bytes.max(MIN_CHUNK),
        id = esc(&r.id),
        pass = esc(pass),
        drop_zone = drop_zone(),
        note = esc(&t("request-note")),
        optional = esc(&t("upload-optional")),
        start = esc(&t("upload-start")),
        results = results_area(),
    )
}

/// `POST /r/{token}/new` (fields `csrf`, `pass`): an identifier for one
/// file, through the pipeline steps of an anonymous upload's start.
async fn new_upload(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = match checked_visitor(&app, &headers, &form).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let r = match requests::find(&app, &token).await {
        Ok(Some(r)) => r,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, 0, &t("request-not-found-text")),
        Err(e) => return api_error(&e.into()),
    };
    if !requests::pass_ok(&app, &r, form.get("pass").map(String::as_str).unwrap_or("")) {
        return json_error(StatusCode::FORBIDDEN, 0, &t("request-wrong-password"));
    }
    let p = Pipeline::new(&app, ip);
    let gate = Gate {
        writes: true,
        expiry: true,
        upload_start: true,
    };
    let offer = async {
        p.address()?;
        p.account(None, gate)?;
        p.open_for(gate).await?;
        requests::offer(&app, &r, "1.0").await
    }
    .await;
    match offer {
        Ok(offer) => v.finish(
            Json(json!({
                "progress_url": offer.progress_url,
                "max_file_size": offer.max_file_size.to_string(),
                "upload_identifier": offer.id,
                "extra_info": offer.extra_info,
                "anonymous": false,
                "request": true,
            }))
            .into_response(),
        ),
        Err(e) => api_error(&e.into()),
    }
}

/// `GET /r/{token}/receipt/{file_id}/{sig}`: what the owner received, for
/// the outsider who sent it.
async fn receipt(
    State(app): State<App>,
    Path((token, file_id, sig)): Path<(String, String, String)>,
) -> Response {
    if !requests::receipt_ok(&app, &token, &file_id, &sig) {
        return not_found();
    }
    let r = match find(&app, &token).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let file = match app.db.file(&file_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "file request receipt");
            return try_later(&t("request-unavailable"));
        }
    };
    let row = |key: &str, value: String| {
        format!(
            "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>",
            esc(&t(key))
        )
    };
    let body = format!(
        "<p class=\"lead\" id=\"receipt-lead\">{lead}</p><div class=\"table-wrap\">\
         <table class=\"listing\" id=\"receipt\"><tbody>{rows}</tbody></table></div>",
        lead = esc(&t_args(
            "request-receipt-lead",
            &[("title", r.title.clone().into())]
        )),
        rows = [
            row("request-receipt-name", esc(&file.name)),
            row("request-receipt-size", esc(&human_size(file.size))),
            row("request-receipt-bytes", file.size.to_string()),
            row(
                "request-receipt-checksum",
                format!("<code id=\"checksum\">{}</code>", esc(&file.checksum)),
            ),
            row("request-receipt-received", time_tag(file.uploaded)),
        ]
        .concat(),
    );
    page(StatusCode::OK, &t("request-receipt-title"), &body)
}
