//! `/files`: the logged-in user's files and folders, one folder at a time,
//! with delete (files) and share on/off (folders). The pages call the same
//! domain functions as the API's `folders.getContents`, `folders.getInfo`,
//! `files.delete` and `folders.setInfo`, after the same pipeline steps
//! (`http::pipeline`), so they get the same ownership checks, maintenance
//! mode, rates and quota accounting, and show failures with the API's text
//! and number.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::shell::FOLDER_ICON;
use super::web::{forbidden, visitor, Visitor};
use crate::api::error::{ApiError, Code};
use crate::db::files::is_id;
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::http::html::{date, esc, human_size};
use crate::http::params::Params;
use crate::http::pipeline::{Gate, Pipeline};
use crate::http::ClientIp;
use crate::library::folders::{self, FolderChanges};
use crate::library::{self, files};
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/files", get(show))
        .route("/files/delete", post(delete))
        .route("/files/share", post(share))
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

/// A failure as a page: the API's text and number, with a fitting status.
fn error_page(v: &Visitor, e: &ApiError) -> Response {
    e.log("my files");
    let status = match e.code {
        Code::FileNotFound | Code::FolderNotFound => StatusCode::NOT_FOUND,
        Code::SystemMaintenance => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    v.page(
        status,
        "My files",
        &format!(
            "<p class=\"notice notice-error\" id=\"error\">{} (error {})</p>\
             <p><a class=\"btn btn-secondary\" href=\"/files\">Back to my files</a></p>",
            esc(e.text()),
            e.code.number()
        ),
        &[],
    )
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

/// The steps `/rest/` takes before one of its methods, for a page acting
/// as the user: the address's rate, maintenance mode when the action
/// writes, the account's rate (a paid membership's end is not checked by
/// these methods).
async fn pipeline(app: &AppState, ip: IpAddr, user: &User, writes: bool) -> library::Result<()> {
    let p = Pipeline::new(app, ip);
    p.address()?;
    p.open_for(Gate {
        writes,
        ..Gate::default()
    })
    .await?;
    p.account(Some(user), Gate::default())
}

/// What `show` lists: the folder (unless the root) and its contents.
struct Listing {
    current: Option<Folder>,
    folders: Vec<Folder>,
    files: Vec<crate::db::files::File>,
}

/// The folder (as `folders.getContents` reads it), after one pass through
/// the pipeline.
async fn listing(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    folder: &str,
) -> Result<Listing, ApiError> {
    pipeline(app, ip, user, false).await?;
    let shown = folders::own(&app.db, user.id, folder).await?;
    let (subfolders, files) = folders::contents(&app.db, &shown).await?;
    Ok(Listing {
        current: (shown.id != ROOT).then_some(shown),
        folders: subfolders,
        files,
    })
}

/// `GET /files[?folder=ID]`
async fn show(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let folder = folder_param(q.get("folder"));
    let Some(user) = v.user.clone() else {
        return to_login(&back_path(&folder));
    };
    let list = match listing(&app, ip, &user, &folder).await {
        Ok(list) => list,
        Err(e) => return error_page(&v, &e),
    };
    let csrf = hidden("csrf", &v.csrf);
    let mut head = String::new();
    if let Some(f) = &list.current {
        let up = if f.parent_id.is_empty() || f.parent_id == ROOT {
            "/files".to_string()
        } else {
            format!("/files?folder={}", f.parent_id)
        };
        head = format!(
            "<div class=\"crumbs\"><a href=\"{}\" id=\"up\" class=\"btn btn-secondary btn-sm\">&larr; Up</a> \
             <span>Folder <b id=\"folder-name\">{}</b></span> {}</div>",
            esc(&up),
            esc(&f.name),
            share_form(&app, &csrf, f, &folder),
        );
    }
    let mut rows = String::new();
    for f in &list.folders {
        rows.push_str(&format!(
            "<tr class=\"folder\" data-id=\"{id}\"><td>{FOLDER_ICON}<a href=\"/files?folder={id}\">{name}</a></td>\
             <td class=\"num\"></td><td class=\"hide-sm\"></td><td class=\"row-actions\">{share}</td></tr>\n",
            id = esc(&f.id),
            name = esc(&f.name),
            share = share_form(&app, &csrf, f, &folder),
        ));
    }
    for f in &list.files {
        rows.push_str(&format!(
            "<tr class=\"file\" data-id=\"{id}\"><td><a class=\"name\" href=\"{url}\">{name}</a></td>\
             <td class=\"num\">{size}</td><td class=\"hide-sm\">{date}</td><td class=\"row-actions\">\
             <form method=\"post\" action=\"/files/delete\" class=\"inline\">{csrf}{fid}{back}\
             <button class=\"btn btn-danger btn-sm delete\" type=\"submit\" aria-label=\"Delete {name}\">Delete</button>\
             </form></td></tr>\n",
            id = esc(&f.id),
            url = esc(&app.url(&format!("/file/{}", f.id))),
            name = esc(&f.name),
            size = esc(&human_size(f.size)),
            date = esc(&date(f.uploaded)),
            fid = hidden("file_id", &f.id),
            back = hidden("folder", &folder),
        ));
    }
    let listing = if rows.is_empty() {
        let hint = if list.current.is_some() {
            "This folder is empty."
        } else {
            "Files you upload while logged in are listed here."
        };
        format!(
            "<div class=\"card empty\" id=\"empty\"><p class=\"empty-title\">Nothing here yet</p>\
             <p>{hint}</p><p><a class=\"btn\" href=\"/upload\">Upload a file</a></p></div>"
        )
    } else {
        format!(
            "<div class=\"table-wrap\"><table id=\"listing\" class=\"listing\"><thead><tr><th>Name</th>\
             <th class=\"num\">Size</th><th class=\"hide-sm\">Uploaded</th><th><span class=\"visually-hidden\">Actions</span></th></tr></thead>\
             <tbody>\n{rows}</tbody></table></div>"
        )
    };
    v.page(StatusCode::OK, "My files", &format!("{head}{listing}"), &[])
}

fn back_path(folder: &str) -> String {
    if folder == ROOT {
        "/files".into()
    } else {
        format!("/files?folder={folder}")
    }
}

/// The share on/off button of a folder, and its public link when shared.
fn share_form(app: &AppState, csrf: &str, f: &Folder, back: &str) -> String {
    let shared = f.shared == 1;
    let link = if shared {
        format!(
            "<a class=\"public\" href=\"{}\" aria-label=\"Public page of {}\">public page</a> ",
            esc(&app.url(&format!("/folder/{}", f.id))),
            esc(&f.name)
        )
    } else {
        String::new()
    };
    let label = if shared { "Stop sharing" } else { "Share" };
    format!(
        "{link}<form method=\"post\" action=\"/files/share\" class=\"inline\">{csrf}{fid}{to}{back}\
         <button class=\"btn btn-secondary btn-sm share\" type=\"submit\" aria-label=\"{label} {name}\">{label}</button></form>",
        fid = hidden("folder_id", &f.id),
        to = hidden("shared", if shared { "0" } else { "1" }),
        back = hidden("folder", back),
        name = esc(&f.name),
    )
}

/// Checks login and CSRF of a POST; the visitor and their account, or the
/// response to give.
async fn checked(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(Visitor, User), Response> {
    let v = visitor(app, headers).await;
    let Some(user) = v.user.clone() else {
        return Err(to_login("/files"));
    };
    if !v.csrf_ok(form.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(forbidden(&v));
    }
    Ok((v, user))
}

/// As `files.delete` in 1.0 (a comma list, all or nothing): every id must
/// be the user's file before any is deleted; the first failure is shown.
async fn delete_files(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    file_id: String,
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    let params = Params::from_pairs([("file_id".to_string(), file_id)]);
    let ids = crate::api::lists::param(&params, "file_id")?;
    for id in &ids {
        files::own(&app.db, user.id, id).await?;
    }
    let mut first_failure = Ok(());
    for id in &ids {
        if !library::delete_file(app, id, Some(user.id)).await? && first_failure.is_ok() {
            first_failure = Err(ApiError::new(Code::FileNotFound));
        }
    }
    first_failure
}

/// As `folders.setInfo` with `shared` alone.
async fn share_folder(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    folder_id: &str,
    shared: bool,
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    let folder = folders::own_not_root(&app.db, user.id, folder_id).await?;
    let changes = FolderChanges {
        shared: Some(shared),
        ..FolderChanges::default()
    };
    folders::set_info(app, &folder, &changes).await?;
    Ok(())
}

/// `POST /files/delete` (`csrf`, `file_id`, `folder` to return to)
async fn delete(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (v, user) = match checked(&app, &headers, &form).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let file_id = form.get("file_id").cloned().unwrap_or_default();
    done(&v, &form, delete_files(&app, ip, &user, file_id).await)
}

/// `POST /files/share` (`csrf`, `folder_id`, `shared` 1/0, `folder` to return to)
async fn share(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (v, user) = match checked(&app, &headers, &form).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let folder_id = form.get("folder_id").cloned().unwrap_or_default();
    let shared = form.get("shared").map(String::as_str) == Some("1");
    done(
        &v,
        &form,
        share_folder(&app, ip, &user, &folder_id, shared).await,
    )
}

/// Back to the folder the form came from, or the failure.
fn done(v: &Visitor, form: &HashMap<String, String>, outcome: Result<(), ApiError>) -> Response {
    match outcome {
        Ok(()) => back_to(&folder_param(form.get("folder"))),
        Err(e) => error_page(v, &e),
    }
}
