//! `/file/{id}`: the download page — name, size, description, upload date
//! and a download button (a fresh signed URL). A password-protected file
//! shows a form first; the button appears once the password is right. The
//! URL is signed for the logged-in visitor's account (nobody's when
//! anonymous), so the bytes are charged to that account's bandwidth and an
//! account over it is refused (docs/security.md).

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use crate::db::files::{is_id, File};
use crate::http::html::{date, human_size};
use crate::http::html::{esc, page, try_later, with_meta};
use crate::http::ClientIp;
use crate::library;
use crate::library::thumbs;
use crate::library::{links, Error, Gone};
use crate::pages::web;
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new().route("/file/{id}", get(show).post(unlock))
}

async fn show(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    render(&app, &id, &headers, None).await
}

/// The password form posts here.
async fn unlock(
    State(app): State<App>,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let given = form.get("password").map(String::as_str).unwrap_or("");
    render(&app, &id, &headers, Some((given, ip))).await
}

/// The page; `password` is what the form sent, and from where.
async fn render(
    app: &AppState,
    id: &str,
    headers: &HeaderMap,
    password: Option<(&str, IpAddr)>,
) -> Response {
    if !is_id(id) {
        return file_not_found();
    }
    let file = match app.db.file(id).await {
        Ok(Some(f)) => f,
        Ok(None) => return file_not_found(),
        Err(e) => {
            tracing::error!(error = %e, "download page");
            return try_later("This page cannot be shown right now.");
        }
    };
    match library::check_downloadable(app, &file).await {
        Ok(()) => {}
        Err(Error::Gone(why)) => return gone(&file, why),
        // Its limit action has just deleted it.
        Err(Error::FileNotFound) => return file_not_found(),
        Err(e) => {
            tracing::error!(error = %e, "download page limits");
            return try_later("This page cannot be shown right now.");
        }
    }
    let details = details(&file);
    if !file.password(&app.secrets).is_empty() {
        let Some((given, ip)) = password else {
            return with_meta(
                page(
                    StatusCode::OK,
                    &file.name,
                    &format!("{details}{}", password_form(None)),
                ),
                link_preview(app, &file),
            );
        };
        match library::files::check_password(app, &file, given, ip).await {
            Ok(()) => {}
            Err(Error::BadPassword) => {
                return page(
                    StatusCode::FORBIDDEN,
                    &file.name,
                    &format!(
                        "{details}{}",
                        password_form(Some("Wrong password. A wrong or empty password was given."))
                    ),
                )
            }
            Err(Error::PasswordWait(wait)) => {
                return page(
                    StatusCode::TOO_MANY_REQUESTS,
                    &file.name,
                    &format!(
                        "{details}{}",
                        password_form(Some(&format!(
                            "Too many wrong passwords. Wait {wait} seconds before trying again."
                        )))
                    ),
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "download page password");
                return try_later("This page cannot be shown right now.");
            }
        }
    }
    let v = web::visitor(app, headers).await;
    let account = v.user.as_ref().map_or(0, |u| u.id);
    let url = links::direct_url(app, &file, account);
    // Preview and QR code: docs/web.md, "Previews, thumbnails and QR codes".
    let extras = crate::pages::preview::download_extras(app, &file, account);
    let body = format!(
        "{details}<p><a class=\"btn\" id=\"download\" href=\"{}\" rel=\"nofollow\">Download</a></p>{extras}",
        esc(&url)
    );
    let resp = v.page(StatusCode::OK, &file.name, &body, &[]);
    crate::pages::preview::allow_preview(with_meta(resp, link_preview(app, &file)))
}

/// What a chat app's link preview shows (docs/web.md, "Link previews"):
/// the name, size, description and thumbnail of an open file; of a file
/// behind a password or a download limit, nothing of it. Fetching the page
/// never counts as a download.
fn link_preview(app: &AppState, file: &File) -> Vec<(&'static str, String)> {
    let mut meta = vec![
        ("og:type", "website".to_string()),
        ("og:site_name", "dropspace".to_string()),
        ("og:url", app.url(&format!("/file/{}", file.id))),
    ];
    let open = file.password_sealed.is_empty() && file.download_limit <= 0;
    if !open {
        meta.push(("og:title", "A file shared with you".to_string()));
        meta.push((
            "og:description",
            "Open the link to download it.".to_string(),
        ));
        meta.push(("twitter:card", "summary".to_string()));
        return meta;
    }
    let mut description = format!("{} to download.", human_size(file.size));
    let told: String = file.description.trim().chars().take(200).collect();
    if !told.is_empty() {
        description = format!("{told} ({description})");
    }
    meta.push(("og:title", file.name.clone()));
    meta.push(("og:description", description));
    if thumbs::eligible(&app.cfg, file) {
        meta.push(("og:image", app.url(&format!("/file/{}/thumb", file.id))));
        meta.push(("og:image:alt", format!("A small picture of {}", file.name)));
        meta.push(("twitter:card", "summary_large_image".to_string()));
    } else {
        meta.push(("twitter:card", "summary".to_string()));
    }
    meta
}

/// The password form; `error` (plain text) shows under the field, which
/// is then marked invalid.
fn password_form(error: Option<&str>) -> String {
    let (invalid, error) = match error {
        Some(text) => (
            " aria-invalid=\"true\" aria-describedby=\"password-error\"",
            format!(
                "<p class=\"field-error\" id=\"password-error\" role=\"alert\">{}</p>",
                esc(text)
            ),
        ),
        None => ("", String::new()),
    };
    format!(
        "<form method=\"post\" class=\"card narrow\"><p>This file is protected by a password.</p>\
         <div class=\"field\"><label for=\"password\">Password</label>\
         <input type=\"password\" name=\"password\" id=\"password\" autofocus required{invalid}>{error}</div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">Unlock</button></div></form>"
    )
}

fn details(file: &File) -> String {
    let description = if file.description.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th>Description</th><td class=\"pre\">{}</td></tr>",
            esc(&file.description)
        )
    };
    let limits = limit_rows(file);
    // Checked by `b3sum` after the download (rows from before checksums
    // were kept have none until `admin fsck --repair`).
    let checksum = if file.checksum.is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th>Checksum <span class=\"muted\">(BLAKE3)</span></th>\
             <td><code class=\"hash\" id=\"checksum\">{}</code></td></tr>",
            esc(&file.checksum)
        )
    };
    format!(
        "<div class=\"box\"><table class=\"details\"><tr><th>Name</th><td id=\"name\">{}</td></tr>\
         <tr><th>Size</th><td id=\"size\">{} ({} bytes)</td></tr>{description}\
         <tr><th>Uploaded</th><td>{}</td></tr>{limits}{checksum}</table></div>",
        esc(&file.name),
        esc(&human_size(file.size)),
        file.size,
        esc(&date(file.uploaded)),
    )
}

/// The rows of a limited file: when it expires, how many downloads are left.
fn limit_rows(file: &File) -> String {
    let mut rows = String::new();
    if file.time_limit_at > 0 {
        rows += &format!(
            "<tr><th>Expires</th><td id=\"expires\">{}</td></tr>",
            esc(&date(file.time_limit_at))
        );
    }
    if file.download_limit > 0 {
        let left = (file.download_limit - file.downloads).max(0);
        rows += &format!("<tr><th>Downloads left</th><td id=\"downloads-left\">{left}</td></tr>");
    }
    rows
}

/// A file that exists but can no longer be downloaded: 410, with why.
/// `data-reason` lets the command-line client tell the two apart.
fn gone(file: &File, why: Gone) -> Response {
    let (reason, text) = match why {
        Gone::Expired => (
            "expired",
            format!(
                "This file has expired: it could be downloaded until {}.",
                date(file.time_limit_at)
            ),
        ),
        Gone::LimitReached => (
            "limit",
            "This file can no longer be downloaded: its download limit has been reached."
                .to_string(),
        ),
    };
    page(
        StatusCode::GONE,
        &file.name,
        &format!(
            "{}<p id=\"gone\" data-reason=\"{reason}\">{}</p>",
            details(file),
            esc(&text)
        ),
    )
}

/// No file has this id (or never had): a page of its own, unlike an
/// expired file's or a used-up one's.
fn file_not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "File not found",
        "<p id=\"not-found\">No file has this link. It may have been deleted by its owner, \
         or the link may be incomplete.</p>",
    )
}
