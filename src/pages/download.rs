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
use crate::http::html::{esc, not_found, page, try_later};
use crate::http::ClientIp;
use crate::library;
use crate::library::{links, Error};
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
        return not_found();
    }
    let file = match app.db.file(id).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "download page");
            return try_later("This page cannot be shown right now.");
        }
    };
    let details = details(&file);
    if library::check_downloadable(app, &file).await.is_err() {
        return page(
            StatusCode::GONE,
            &file.name,
            &format!("{details}<p>This file can no longer be downloaded: its download limit has been reached.</p>"),
        );
    }
    if !file.password(&app.secrets).is_empty() {
        let form = "<form method=\"post\"><p><label>Password <input type=\"password\" name=\"password\" autofocus required></label> \
                    <button class=\"btn\" type=\"submit\">Unlock</button></p></form>";
        let Some((given, ip)) = password else {
            return page(
                StatusCode::OK,
                &file.name,
                &format!("{details}<p>This file is protected by a password.</p>{form}"),
            );
        };
        match library::files::check_password(app, &file, given, ip).await {
            Ok(()) => {}
            Err(Error::BadPassword) => {
                return page(
                    StatusCode::FORBIDDEN,
                    &file.name,
                    &format!("{details}<p><b>Wrong password.</b> A wrong or empty password was given.</p>{form}"),
                )
            }
            Err(Error::PasswordWait(wait)) => {
                return page(
                    StatusCode::TOO_MANY_REQUESTS,
                    &file.name,
                    &format!("{details}<p><b>Too many wrong passwords.</b> Wait {wait} seconds before trying again.</p>{form}"),
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "download page password");
                return try_later("This page cannot be shown right now.");
            }
        }
    }
    let account = web::visitor(app, headers).await.user.map_or(0, |u| u.id);
    let url = links::direct_url(app, &file, account);
    page(
        StatusCode::OK,
        &file.name,
        &format!(
            "{details}<p><a class=\"btn\" id=\"download\" href=\"{}\" rel=\"nofollow\">Download</a></p>",
            esc(&url)
        ),
    )
}

fn details(file: &File) -> String {
    let description = if file.description.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th>Description</th><td style=\"white-space:pre-wrap\">{}</td></tr>",
            esc(&file.description)
        )
    };
    format!(
        "<div class=\"box\"><table><tr><th>Name</th><td id=\"name\">{}</td></tr>\
         <tr><th>Size</th><td id=\"size\">{} ({} bytes)</td></tr>{description}\
         <tr><th>Uploaded</th><td>{}</td></tr></table></div>",
        esc(&file.name),
        esc(&human_size(file.size)),
        file.size,
        esc(&date(file.uploaded)),
    )
}
