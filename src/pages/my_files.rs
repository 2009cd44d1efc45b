//! `/files`: the logged-in user's files and folders, one folder at a time,
//! with delete (files) and share on/off (folders). Everything goes through
//! the API's own methods (`api::call_as`: `folders.getContents`,
//! `folders.getInfo`, `files.delete`, `folders.setInfo`), so the pages get
//! the API's ownership checks, maintenance mode and quota accounting.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::web::{forbidden, visitor, Visitor};
use crate::api::envelope::Node;
use crate::db::files::{is_id, ROOT};
use crate::error::{ApiError, Code};
use crate::http::html::{date, human_size};
use crate::http::html::{esc, page_with};
use crate::http::params::Params;
use crate::state::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/files", get(show))
        .route("/files/delete", post(delete))
        .route("/files/share", post(share))
}

fn attr<'a>(n: &'a Node, key: &str) -> &'a str {
    n.attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A folder id from a form or query: the root unless it is an id.
fn folder_param(value: Option<&String>) -> String {
    match value.map(|s| s.trim()) {
        Some(id) if is_id(id) => id.to_string(),
        _ => ROOT.to_string(),
    }
}

fn to_login(next: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/login?next={next}"))],
    )
        .into_response()
}

fn back_to(folder: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, back_path(folder))],
    )
        .into_response()
}

/// An API error as a page: the guide's text, with a fitting status.
fn error_page(v: &Visitor, e: &ApiError) -> Response {
    let status = match e.code {
        Code::FileNotFound | Code::FolderNotFound => StatusCode::NOT_FOUND,
        Code::SystemMaintenance => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    v.finish(page_with(
        status,
        "My files",
        &format!(
            "{}<p class=\"err\" id=\"error\">{} (error {})</p><p><a href=\"/files\">Back to my files</a></p>",
            v.nav(),
            esc(e.text()),
            e.code.number()
        ),
        None,
    ))
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

/// `GET /files[?folder=ID]`
async fn show(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let folder = folder_param(q.get("folder"));
    let Some(session) = v.session("1.0") else {
        return to_login(&back_path(&folder));
    };
    let ip = crate::http::client_ip(&app.cfg, &headers, peer);
    let params = Params::from_pairs([("folder_id".to_string(), folder.clone())]);
    let contents =
        match crate::api::call_as(&app, session.clone(), "folders.getContents", params, ip).await {
            Ok(r) => r.children,
            Err(e) => return error_page(&v, &e),
        };
    let csrf = hidden("csrf", &v.csrf);
    let mut head = String::new();
    if folder != ROOT {
        let params = Params::from_pairs([("folder_id".to_string(), folder.clone())]);
        let info = match crate::api::call_as(&app, session, "folders.getInfo", params, ip).await {
            Ok(r) => r.children,
            Err(e) => return error_page(&v, &e),
        };
        if let Some(f) = info.iter().find(|n| n.name == "folder") {
            let parent = attr(f, "parent_folder_id");
            let up = if parent.is_empty() || parent == ROOT {
                "/files".to_string()
            } else {
                format!("/files?folder={}", parent)
            };
            head = format!(
                "<p><a href=\"{}\" id=\"up\">&larr; Up</a> &middot; Folder <b id=\"folder-name\">{}</b> {}</p>",
                esc(&up),
                esc(attr(f, "name")),
                share_form(&csrf, f, &folder),
            );
        }
    }
    let mut rows = String::new();
    for n in contents.iter().filter(|n| n.name == "folder") {
        let id = attr(n, "id");
        rows.push_str(&format!(
            "<tr class=\"folder\" data-id=\"{id}\"><td>&#128193; <a href=\"/files?folder={id}\">{name}</a></td>\
             <td></td><td></td><td>{share}</td></tr>\n",
            id = esc(id),
            name = esc(attr(n, "name")),
            share = share_form(&csrf, n, &folder),
        ));
    }
    for n in contents.iter().filter(|n| n.name == "file") {
        let size: i64 = attr(n, "file_size").parse().unwrap_or(0);
        let uploaded: i64 = attr(n, "upload_time").parse().unwrap_or(0);
        rows.push_str(&format!(
            "<tr class=\"file\" data-id=\"{id}\"><td><a class=\"name\" href=\"{url}\">{name}</a></td>\
             <td>{size}</td><td>{date}</td><td><form method=\"post\" action=\"/files/delete\" class=\"inline\">\
             {csrf}{fid}{back}<button class=\"link delete\" type=\"submit\">Delete</button></form></td></tr>\n",
            id = esc(attr(n, "id")),
            url = esc(attr(n, "download_page_url")),
            name = esc(attr(n, "name")),
            size = esc(&human_size(size)),
            date = esc(&date(uploaded)),
            fid = hidden("file_id", attr(n, "id")),
            back = hidden("folder", &folder),
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr id=\"empty\"><td colspan=\"4\">Nothing here yet. <a href=\"/upload\">Upload a file</a>.</td></tr>\n");
    }
    let body = format!(
        "{nav}{head}<table id=\"listing\"><thead><tr><th>Name</th><th>Size</th><th>Uploaded</th><th></th></tr></thead>\
         <tbody>\n{rows}</tbody></table>",
        nav = v.nav(),
    );
    v.finish(page_with(StatusCode::OK, "My files", &body, None))
}

fn back_path(folder: &str) -> String {
    if folder == ROOT {
        "/files".into()
    } else {
        format!("/files?folder={folder}")
    }
}

/// The share on/off button of a `<folder/>`, and its public link when shared.
fn share_form(csrf: &str, f: &Node, back: &str) -> String {
    let shared = attr(f, "shared") == "1";
    let link = if shared {
        format!(
            "<a class=\"public\" href=\"{0}\">public page</a> ",
            esc(attr(f, "public_url"))
        )
    } else {
        String::new()
    };
    format!(
        "{link}<form method=\"post\" action=\"/files/share\" class=\"inline\">{csrf}{fid}{to}{back}\
         <button class=\"link share\" type=\"submit\">{label}</button></form>",
        fid = hidden("folder_id", attr(f, "id")),
        to = hidden("shared", if shared { "0" } else { "1" }),
        back = hidden("folder", back),
        label = if shared { "Stop sharing" } else { "Share" },
    )
}

/// Checks login and CSRF of a POST; the visitor's API session, or the
/// response to give.
async fn checked(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(Visitor, crate::api::Session), Response> {
    let v = visitor(app, headers).await;
    let Some(session) = v.session("1.0") else {
        return Err(to_login("/files"));
    };
    if !v.csrf_ok(form.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(forbidden(&v));
    }
    Ok((v, session))
}

/// `POST /files/delete` (`csrf`, `file_id`, `folder` to return to)
async fn delete(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let file_id = form.get("file_id").cloned().unwrap_or_default();
    let params = Params::from_pairs([("file_id".to_string(), file_id)]);
    act(&app, peer, &headers, &form, "files.delete", params).await
}

/// `POST /files/share` (`csrf`, `folder_id`, `shared` 1/0, `folder` to return to)
async fn share(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    let shared = if field("shared") == "1" { "1" } else { "0" };
    let params = Params::from_pairs([
        ("folder_id".to_string(), field("folder_id")),
        ("shared".to_string(), shared.to_string()),
    ]);
    act(&app, peer, &headers, &form, "folders.setInfo", params).await
}

/// Runs an API method for the logged-in user of a checked form, then goes
/// back to the folder the form came from (or shows the API's error).
async fn act(
    app: &App,
    peer: SocketAddr,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    method: &str,
    params: Params,
) -> Response {
    let (v, session) = match checked(app, headers, form).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let ip = crate::http::client_ip(&app.cfg, headers, peer);
    match crate::api::call_as(app, session, method, params, ip).await {
        Ok(_) => back_to(&folder_param(form.get("folder"))),
        Err(e) => error_page(&v, &e),
    }
}
