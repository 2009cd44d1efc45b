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
use crate::http::html::{date, human_size, time_tag};
use crate::http::html::{esc, page, try_later, with_meta};
use crate::http::ClientIp;
use crate::library;
use crate::library::thumbs;
use crate::library::{links, Error, Gone};
use crate::pages::encryption;
use crate::pages::i18n::{t, t_args};
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
            return try_later(&t("download-unavailable"));
        }
    };
    match library::check_downloadable(app, &file).await {
        Ok(()) => {}
        Err(Error::Gone(why)) => return gone(&file, why),
        // Its limit action has just deleted it.
        Err(Error::FileNotFound) => return file_not_found(),
        Err(e) => {
            tracing::error!(error = %e, "download page limits");
            return try_later(&t("download-unavailable"));
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
                        password_form(Some(&t("download-wrong-password")))
                    ),
                )
            }
            Err(Error::PasswordWait(wait)) => {
                return page(
                    StatusCode::TOO_MANY_REQUESTS,
                    &file.name,
                    &format!(
                        "{details}{}",
                        password_form(Some(&t_args(
                            "download-password-wait",
                            &[("seconds", wait.into())]
                        )))
                    ),
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "download page password");
                return try_later(&t("download-unavailable"));
            }
        }
    }
    let v = web::visitor(app, headers).await;
    let account = v.user.as_ref().map_or(0, |u| u.id);
    let url = links::direct_url(app, &file, account);
    let encrypted = library::encryption::is_encrypted(&file);
    // Preview and QR code: docs/web.md, "Previews, thumbnails and QR codes".
    let extras = crate::pages::preview::download_extras(app, &file, account);
    let body = format!(
        "{details}{decrypt}<p><a class=\"btn{secondary}\" id=\"download\" href=\"{}\" rel=\"nofollow\">{}</a></p>{extras}",
        esc(&url),
        esc(&t(if encrypted { "download-button-encrypted" } else { "download-button" })),
        decrypt = if encrypted { encryption::decrypt_card(&file, &url) } else { String::new() },
        secondary = if encrypted { " btn-secondary" } else { "" },
    );
    let scripts = if encrypted {
        encryption::DECRYPT_SCRIPTS
    } else {
        &[]
    };
    let resp = v.page(StatusCode::OK, &file.name, &body, scripts);
    let resp = crate::pages::preview::allow_preview(with_meta(resp, link_preview(app, &file)));
    if encrypted {
        encryption::allow_decrypted_pictures(resp)
    } else {
        resp
    }
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
        meta.push(("og:title", t("download-preview-shared")));
        meta.push(("og:description", t("download-preview-open")));
        meta.push(("twitter:card", "summary".to_string()));
        return meta;
    }
    let mut description = t_args(
        "download-preview-size",
        &[("size", human_size(file.size).into())],
    );
    let told: String = file.description.trim().chars().take(200).collect();
    if !told.is_empty() {
        description = format!("{told} ({description})");
    }
    meta.push(("og:title", file.name.clone()));
    meta.push(("og:description", description));
    if thumbs::eligible(&app.cfg, file) {
        meta.push(("og:image", app.url(&format!("/file/{}/thumb", file.id))));
        meta.push((
            "og:image:alt",
            t_args(
                "download-preview-picture",
                &[("name", file.name.as_str().into())],
            ),
        ));
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
        "<form method=\"post\" class=\"card narrow\"><p>{}</p>\
         <div class=\"field\"><label for=\"password\">{}</label>\
         <input type=\"password\" name=\"password\" id=\"password\" autofocus required{invalid}>{error}</div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{}</button></div></form>",
        esc(&t("download-protected")),
        esc(&t("download-password")),
        esc(&t("download-unlock")),
    )
}

fn details(file: &File) -> String {
    let description = if file.description.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th>{}</th><td class=\"pre\">{}</td></tr>",
            esc(&t("download-description")),
            esc(&file.description)
        )
    };
    let limits = limit_rows(file);
    let encrypted = if crate::library::encryption::is_encrypted(file) {
        format!(
            "<tr><th>{}</th><td id=\"encrypted\">{}</td></tr>",
            esc(&t("download-encrypted")),
            esc(&t("download-encrypted-how"))
        )
    } else {
        String::new()
    };
    // Checked by `b3sum` after the download (rows from before checksums
    // were kept have none until `admin fsck --repair`).
    let checksum = if file.checksum.is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th>{} <span class=\"muted\">(BLAKE3)</span></th>\
             <td><code class=\"hash\" id=\"checksum\">{}</code></td></tr>",
            esc(&t("download-checksum")),
            esc(&file.checksum)
        )
    };
    format!(
        "<div class=\"box\"><table class=\"details\"><tr><th>{}</th><td class=\"named\">{icon}<span id=\"name\">{}</span></td></tr>\
         <tr><th>{}</th><td id=\"size\">{}</td></tr>{description}\
         <tr><th>{}</th><td>{}</td></tr>{encrypted}{limits}{checksum}</table></div>",
        esc(&t("download-name")),
        esc(&file.name),
        esc(&t("download-size")),
        esc(&t_args(
            "download-size-exact",
            &[
                ("size", human_size(file.size).into()),
                ("bytes", file.size.into())
            ]
        )),
        esc(&t("download-uploaded")),
        time_tag(file.uploaded),
        icon = super::preview::type_icon(file),
    )
}

/// The rows of a limited file: when it expires, how many downloads are left.
fn limit_rows(file: &File) -> String {
    let mut rows = String::new();
    if file.time_limit_at > 0 {
        rows += &format!(
            "<tr><th>{}</th><td id=\"expires\">{}</td></tr>",
            esc(&t("download-expires")),
            time_tag(file.time_limit_at)
        );
    }
    if file.download_limit > 0 {
        let left = (file.download_limit - file.downloads).max(0);
        rows += &format!(
            "<tr><th>{}</th><td id=\"downloads-left\">{left}</td></tr>",
            esc(&t("download-downloads-left"))
        );
    }
    rows
}

/// A file that exists but can no longer be downloaded: 410, with why.
/// `data-reason` lets the command-line client tell the two apart.
fn gone(file: &File, why: Gone) -> Response {
    let (reason, text) = match why {
        Gone::Expired => (
            "expired",
            t_args(
                "download-expired",
                &[("date", date(file.time_limit_at).into())],
            ),
        ),
        Gone::LimitReached => ("limit", t("download-limit-reached")),
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
        &t("download-not-found-title"),
        &format!(
            "<p id=\"not-found\">{}</p>",
            esc(&t("download-not-found-text"))
        ),
    )
}
