//! `/files`: the logged-in user's files and folders (docs/my-files.md).
//! Every action calls the domain functions the API's methods call
//! (`files.setInfo`, `files.moveToFolder`, `files.delete`, `files.sendMail`,
//! `folders.create`, `folders.setInfo`, `folders.delete`), after the same
//! pipeline steps (`http::pipeline`), so the pages get the API's ownership
//! checks, limits, maintenance mode, rates and error texts. Plain forms
//! (POST, `csrf`, 303 back); `/static/my-files.js` only adds the copy-link
//! buttons and a select-all box.

mod account;
mod actions;
mod edit;
mod listing;
mod requests;
mod trash;

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::web::{forbidden, visitor, Visitor};
use crate::api::error::{ApiError, Code};
use crate::db::files::is_id;
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::http::html::esc;
use crate::http::pipeline::{Gate, Pipeline};
use crate::library;
use crate::pages::i18n::{t, t_args};
use crate::state::{App, AppState};

const MY_FILES_JS: &str = include_str!("../static/my-files.js");

/// The scripts of the listing page.
const SCRIPTS: &[&str] = &["/static/my-files.js"];

pub fn routes() -> Router<App> {
    Router::new()
        .route("/files", get(listing::show))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/app-passwords", post(account::create_app_password))
        .route(
            "/account/app-passwords/revoke",
            post(account::revoke_app_password),
        )
        .route("/account/sessions/end", post(account::end_sessions))
        .route("/account/keys", post(account::add_age_key))
        .route("/account/keys/remove", post(account::remove_age_key))
        .route("/account/email", post(account::change_email))
        .route(
            "/account/email/{token}",
            get(account::confirm_email_form).post(account::confirm_email),
        )
        .route("/account/delete", post(account::delete_account))
        .route("/account/2fa/setup", post(account::two_factor_setup))
        .route("/account/2fa/enable", post(account::two_factor_enable))
        .route("/account/2fa/recovery", post(account::two_factor_change))
        .route("/account/2fa/disable", post(account::two_factor_change))
        .route(
            "/files/delete",
            get(actions::confirm_delete).post(actions::delete),
        )
        .route("/files/share", post(actions::share))
        .route("/files/bulk", post(actions::bulk))
        .route("/files/zip", get(actions::zip_files))
        .route("/files/mail", post(actions::mail))
        .route("/files/folder/new", post(actions::new_folder))
        .route("/files/file", get(edit::file_page).post(edit::save_file))
        .route("/files/extend", post(trash::extend))
        .route("/files/trash", get(trash::show))
        .route("/files/trash/restore", post(trash::restore))
        .route("/files/trash/purge", post(trash::purge))
        .route(
            "/files/folder",
            get(edit::folder_page).post(edit::save_folder),
        )
        .route(
            "/files/folder/delete",
            get(edit::confirm_folder_delete).post(edit::delete_folder),
        )
        .route(
            "/files/requests",
            get(requests::show).post(requests::create),
        )
        .route("/files/requests/close", post(requests::close))
        .route("/static/my-files.js", get(|| async { script() }))
}

fn script() -> Response {
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
        MY_FILES_JS,
    )
        .into_response()
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
    see_other(&format!("/login?next={next}"))
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn back_path(folder: &str) -> String {
    if folder == ROOT {
        "/files".into()
    } else {
        format!("/files?folder={folder}")
    }
}

/// The status a failure is shown with.
fn status_of(e: &ApiError) -> StatusCode {
    match e.code {
        Code::FileNotFound | Code::FolderNotFound => StatusCode::NOT_FOUND,
        Code::SystemMaintenance => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// A failure shown inline: the API's text and number.
fn error_notice(e: &ApiError) -> String {
    let text = t_args(
        "my-files-error",
        &[
            ("text", e.text().to_string().into()),
            ("code", e.code.number().into()),
        ],
    );
    crate::http::html::notice(false, &text)
}

/// A failure as a page: the API's text and number, with a fitting status.
fn error_page(v: &Visitor, e: &ApiError) -> Response {
    e.log("my files");
    v.page(
        status_of(e),
        &t("my-files-title"),
        &format!(
            "{}<p><a class=\"btn btn-secondary\" href=\"/files\">{}</a></p>",
            error_notice(e),
            esc(&t("my-files-back"))
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

/// What a delete question adds: the files wait in the trash when the
/// account's tier keeps one, else they are gone for good (docs/expiry.md).
fn gone_note(app: &AppState, user: &User) -> String {
    t(if library::trash::kept_for(&app.cfg, user) > 0 {
        "my-files-gone-to-trash"
    } else {
        "my-files-gone-for-good"
    })
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

/// A My files form POST, its login and CSRF token checked: the visitor,
/// their account and the form's fields. Refused with the login redirect or
/// the 403 page (`checked`).
pub(super) struct Posted {
    pub v: Visitor,
    pub user: User,
    pub form: Vec<(String, String)>,
}

impl FromRequest<App> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let Form(form) = Form::<Vec<(String, String)>>::from_request(req, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let (v, user) = checked(app, &headers, first(&form, "csrf")).await?;
        Ok(Posted { v, user, form })
    }
}

/// Checks login and CSRF of a POST; the visitor and their account, or the
/// response to give.
async fn checked(
    app: &App,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<(Visitor, User), Response> {
    let v = visitor(app, headers).await;
    let Some(user) = v.user.clone() else {
        return Err(to_login("/files"));
    };
    if !v.csrf_ok(csrf.unwrap_or("")) {
        return Err(forbidden(&v));
    }
    Ok((v, user))
}

/// The first value of `name` in a form that may repeat names.
fn first<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every `file_id` of a form, comma lists split, blanks dropped.
fn file_ids(form: &[(String, String)]) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == "file_id")
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn map(form: &[(String, String)]) -> HashMap<String, String> {
    form.iter().cloned().collect()
}

/// A folder's path from the root, for breadcrumbs and folder choices:
/// `all` is `folders::all` (root first).
fn path_of<'a>(all: &'a [Folder], id: &str) -> Vec<&'a Folder> {
    let mut chain = Vec::new();
    let mut at = id;
    // A cycle cannot exist (the domain refuses one), but never loop on one.
    while chain.len() <= all.len() {
        let Some(f) = all.iter().find(|f| f.id == at) else {
            break;
        };
        chain.push(f);
        if f.id == ROOT {
            break;
        }
        at = if f.parent_id.is_empty() {
            ROOT
        } else {
            &f.parent_id
        };
    }
    chain.reverse();
    chain
}

/// A folder's name for choices: "My files / Photos / 2024".
fn path_label(all: &[Folder], id: &str) -> String {
    let root = t("my-files-title");
    path_of(all, id)
        .iter()
        .map(|f| {
            if f.id == ROOT {
                root.as_str()
            } else {
                f.name.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// `<option>`s of every folder (by path), `selected` chosen, `skip` and
/// what lies below it left out (a folder cannot move under itself).
fn folder_options(all: &[Folder], selected: &str, skip: Option<&str>) -> String {
    let mut labelled: Vec<(String, &Folder)> = all
        .iter()
        .filter(|f| match skip {
            Some(s) => !path_of(all, &f.id).iter().any(|p| p.id == s),
            None => true,
        })
        .map(|f| (path_label(all, &f.id), f))
        .collect();
    labelled.sort_by(|a, b| {
        (a.1.id != ROOT, a.0.to_lowercase()).cmp(&(b.1.id != ROOT, b.0.to_lowercase()))
    });
    labelled
        .iter()
        .map(|(label, f)| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                esc(&f.id),
                if f.id == selected { " selected" } else { "" },
                esc(label)
            )
        })
        .collect()
}
