//! The listing's actions: delete (after a confirmation page), share on/off,
//! a new folder, and the bulk form (move, delete, mail links, zip).

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    back_path, error_notice, error_page, file_ids, first, folder_param, gone_note, hidden, map,
    pipeline, see_other, to_login, Posted,
};
use crate::api::error::{ApiError, Code};
use crate::db::files::File;
use crate::db::users::User;
use crate::http::html::{esc, human_size};
use crate::http::params::bad_value;
use crate::http::ClientIp;
use crate::library::folders::{self, FolderChanges};
use crate::library::mail::{self, Link, MAX_RECIPIENTS};
use crate::library::{self, files, zip, MAX_NAME, MAX_TEXT};
use crate::pages::i18n::{t, t_args};
use crate::pages::web::{visitor, Visitor};
use crate::state::{App, AppState};

/// Every id the user's file, or the first failure (as `files.*` with a
/// comma list: all or nothing).
async fn own_files(app: &AppState, user: &User, ids: &[String]) -> Result<Vec<File>, ApiError> {
    if ids.is_empty() {
        return Err(ApiError::with_text(
            Code::ParameterBadValue,
            t("my-files-choose-files"),
        ));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(files::own(&app.db, user.id, id).await?);
    }
    Ok(out)
}

/// The names of `files` as a list.
fn names(files: &[File]) -> String {
    let items: String = files
        .iter()
        .map(|f| {
            format!(
                "<li>{} <span class=\"muted\">({})</span></li>",
                esc(&f.name),
                esc(&human_size(f.size))
            )
        })
        .collect();
    format!("<ul class=\"picked-files\" id=\"picked-files\">{items}</ul>")
}

/// The confirmation page of deleting `files`; its form posts
/// `/files/delete`.
fn confirm_page(v: &Visitor, files: &[File], folder: &str, gone: &str) -> Response {
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    let what = t_args(
        "my-files-delete-question",
        &[
            ("count", files.len().into()),
            (
                "name",
                files
                    .first()
                    .map(|f| f.name.clone())
                    .unwrap_or_default()
                    .into(),
            ),
        ],
    );
    let body = format!(
        "<div class=\"card confirm\"><p class=\"lead\" id=\"confirm-question\">{what}</p>{list}\
         <p id=\"confirm-warning\">{warning} {gone}</p>\
         <form method=\"post\" action=\"/files/delete\" class=\"actions\">{csrf}{ids}{back}\
         <button class=\"btn btn-danger\" type=\"submit\" id=\"confirm-delete\">{delete}</button>\
         <a class=\"btn btn-secondary\" href=\"{cancel}\" id=\"cancel\">{cancel_label}</a></form></div>",
        warning = esc(&t("my-files-delete-warning")),
        gone = esc(gone),
        delete = esc(&t("my-files-delete")),
        cancel_label = esc(&t("my-files-cancel")),
        what = esc(&what),
        list = names(files),
        csrf = hidden("csrf", &v.csrf),
        ids = hidden("file_id", &ids.join(",")),
        back = hidden("folder", folder),
        cancel = esc(&back_path(folder)),
    );
    v.page(StatusCode::OK, &t("my-files-delete-title"), &body, &[])
}

/// `GET /files/delete?file_id=ID[,ID]&folder=ID`: asks first.
pub(super) async fn confirm_delete(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let folder = folder_param(first(&q, "folder").map(str::to_string).as_ref());
    let Some(user) = v.user.clone() else {
        return to_login(&back_path(&folder));
    };
    ask_delete(&app, ip, &v, &user, &file_ids(&q), &folder).await
}

/// The question before deleting the chosen files (or why it cannot be
/// asked).
async fn ask_delete(
    app: &AppState,
    ip: IpAddr,
    v: &Visitor,
    user: &User,
    ids: &[String],
    folder: &str,
) -> Response {
    let found = match pipeline(app, ip, user, false).await {
        Ok(()) => own_files(app, user, ids).await,
        Err(e) => Err(e.into()),
    };
    match found {
        Ok(files) => confirm_page(v, &files, folder, &gone_note(app, user)),
        Err(e) => error_page(v, &e),
    }
}

/// As `files.delete` in 1.0 (a comma list, all or nothing): every id must
/// be the user's file before any is deleted; the first failure is shown.
async fn delete_files(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    ids: &[String],
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    if ids.is_empty() {
        return Err(bad_value("file_id").into());
    }
    own_files(app, user, ids).await?;
    let mut first_failure = Ok(());
    for id in ids {
        if !library::delete_file(app, id, Some(user.id)).await? && first_failure.is_ok() {
            first_failure = Err(ApiError::new(Code::FileNotFound));
        }
    }
    first_failure
}

/// `POST /files/delete` (`csrf`, `file_id` (comma list or repeated),
/// `folder` to return to): the confirmation page's form.
pub(super) async fn delete(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let outcome = delete_files(&app, ip, &user, &file_ids(&form)).await;
    done(&v, &form, outcome)
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

/// `POST /files/share` (`csrf`, `folder_id`, `shared` 1/0, `folder` to
/// return to, or `next=edit` for the folder's edit page)
pub(super) async fn share(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let folder_id = first(&form, "folder_id").unwrap_or_default().to_string();
    let shared = first(&form, "shared") == Some("1");
    let outcome = share_folder(&app, ip, &user, &folder_id, shared).await;
    if outcome.is_ok() && first(&form, "next") == Some("edit") {
        return see_other(&format!("/files/folder?id={folder_id}"));
    }
    done(&v, &form, outcome)
}

/// Back to the folder the form came from, or the failure.
fn done(v: &Visitor, form: &[(String, String)], outcome: Result<(), ApiError>) -> Response {
    match outcome {
        Ok(()) => see_other(&back_path(&folder_param(map(form).get("folder")))),
        Err(e) => error_page(v, &e),
    }
}

/// As `folders.create`: the tier's folders, a name of 1 to `MAX_NAME`
/// characters, the parent the user's.
async fn create_folder(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    name: &str,
    parent: &str,
) -> Result<String, ApiError> {
    pipeline(app, ip, user, true).await?;
    folders::may_create(&app.cfg, user)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(bad_value("name").into());
    }
    let folder = folders::create(app, user.id, name, false, Some(parent)).await?;
    Ok(folder.id)
}

/// `POST /files/folder/new` (`csrf`, `name`, `folder`: the parent)
pub(super) async fn new_folder(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let parent = folder_param(map(&form).get("folder"));
    let name = first(&form, "name").unwrap_or_default();
    match create_folder(&app, ip, &user, name, &parent).await {
        Ok(_) => see_other(&back_path(&parent)),
        Err(e) => error_page(&v, &e),
    }
}

/// As `files.moveToFolder`: the target the user's, every file the user's
/// before any moves.
async fn move_files(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    ids: &[String],
    target: &str,
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    let update = files::move_to(&app.db, user.id, target).await?;
    own_files(app, user, ids).await?;
    for id in ids {
        files::update(app, user.id, id, &update).await?;
    }
    Ok(())
}

/// `POST /files/bulk` (`csrf`, `file_id`…, `action` move|delete|mail|zip,
/// `target` for a move, `folder` to return to): a move is done at once;
/// delete and mail show their next page, zip goes to `/files/zip`.
pub(super) async fn bulk(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let ids = file_ids(&form);
    let folder = folder_param(map(&form).get("folder"));
    match first(&form, "action") {
        Some("move") => {
            let target = first(&form, "target")
                .unwrap_or_default()
                .trim()
                .to_string();
            let outcome = move_files(&app, ip, &user, &ids, &target).await;
            done(&v, &form, outcome)
        }
        Some("delete") => ask_delete(&app, ip, &v, &user, &ids, &folder).await,
        Some("zip") => {
            let found = match pipeline(&app, ip, &user, false).await {
                Ok(()) => own_files(&app, &user, &ids).await,
                Err(e) => Err(e.into()),
            };
            match found {
                // A GET, so the browser downloads (and may resume) it.
                Ok(_) => see_other(&format!("/files/zip?files={}", ids.join(","))),
                Err(e) => error_page(&v, &e),
            }
        }
        Some("mail") => {
            let found = match pipeline(&app, ip, &user, false).await {
                Ok(()) => own_files(&app, &user, &ids).await,
                Err(e) => Err(e.into()),
            };
            match found {
                Ok(files) => mail_page(&v, StatusCode::OK, &files, &folder, "", "", None),
                Err(e) => error_page(&v, &e),
            }
        }
        _ => error_page(&v, &bad_value("action").into()),
    }
}

/// The form that mails the links of `files` (as `files.sendMail`).
fn mail_page(
    v: &Visitor,
    status: StatusCode,
    files: &[File],
    folder: &str,
    emails: &str,
    message: &str,
    error: Option<&ApiError>,
) -> Response {
    let ids: Vec<&str> = files.iter().map(|f| f.id.as_str()).collect();
    let body = format!(
        "{error}<div class=\"card\"><p class=\"lead\">{lead}</p>{list}\
         <form method=\"post\" action=\"/files/mail\" id=\"mail-form\">{csrf}{ids}{back}\
         <div class=\"field\"><label for=\"emails\">{to}</label>\
         <input id=\"emails\" name=\"emails\" type=\"text\" autocomplete=\"email\" required value=\"{emails}\" \
         aria-describedby=\"emails-hint\"><span class=\"hint\" id=\"emails-hint\">{to_hint}</span></div>\
         <div class=\"field\"><label for=\"message\">{message_label} <span class=\"muted\">{optional}</span></label>\
         <textarea id=\"message\" name=\"message\" rows=\"3\" maxlength=\"10000\">{message}</textarea></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"send-mail\">{send}</button>\
         <a class=\"btn btn-secondary\" href=\"{cancel}\">{cancel_label}</a></div></form></div>",
        lead = esc(&t("my-files-mail-lead")),
        to = esc(&t("my-files-mail-to")),
        to_hint = esc(&t("my-files-mail-to-hint")),
        message_label = esc(&t("my-files-message")),
        optional = esc(&t("my-files-optional")),
        send = esc(&t("my-files-send")),
        cancel_label = esc(&t("my-files-cancel")),
        error = error.map(error_notice).unwrap_or_default(),
        list = names(files),
        csrf = hidden("csrf", &v.csrf),
        ids = hidden("file_id", &ids.join(",")),
        back = hidden("folder", folder),
        emails = esc(emails),
        message = esc(message),
        cancel = esc(&back_path(folder)),
    );
    v.page(status, &t("my-files-mail-title"), &body, &[])
}

/// As `files.sendMail`: every address valid (24), at most
/// `MAX_RECIPIENTS`, every id the caller's; one mail per recipient.
async fn send_links(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    files: &[File],
    emails: &str,
    message: &str,
) -> Result<usize, ApiError> {
    pipeline(app, ip, user, true).await?;
    if message.chars().count() > MAX_TEXT {
        return Err(bad_value("message").into());
    }
    let recipients = match mail::recipients(emails) {
        Some(r) if r.len() > MAX_RECIPIENTS => {
            return Err(ApiError::with_text(
                Code::ParameterBadValue,
                format!("At most {MAX_RECIPIENTS} recipients per call"),
            ))
        }
        Some(r) => r,
        None => return Err(ApiError::new(Code::InvalidEmail)),
    };
    let links: Vec<Link> = files
        .iter()
        .map(|f| Link {
            url: app.url(&format!("/file/{}", f.id)),
            name: f.name.clone(),
        })
        .collect();
    mail::share_links(app, ip, user, &recipients, "file", &links, message).await?;
    Ok(recipients.len())
}

/// `POST /files/mail` (`csrf`, `file_id`, `emails`, `message`, `folder`)
pub(super) async fn mail(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let folder = folder_param(map(&form).get("folder"));
    let files = match own_files(&app, &user, &file_ids(&form)).await {
        Ok(files) => files,
        Err(e) => return error_page(&v, &e),
    };
    let emails = first(&form, "emails").unwrap_or_default();
    let message = first(&form, "message").unwrap_or_default();
    match send_links(&app, ip, &user, &files, emails, message).await {
        Ok(n) => v.page(
            StatusCode::OK,
            &t("my-files-mail-title"),
            &format!(
                "<p class=\"notice notice-ok\" id=\"mailed\" role=\"status\">{}</p>\
                     <p><a class=\"btn btn-secondary\" href=\"{}\">{}</a></p>",
                esc(&t_args("my-files-mailed", &[("count", n.into())])),
                esc(&back_path(&folder)),
                esc(&t("my-files-back"))
            ),
            &[],
        ),
        Err(e) => {
            e.log("my files");
            mail_page(
                &v,
                super::status_of(&e),
                &files,
                &folder,
                emails,
                message,
                Some(&e),
            )
        }
    }
}

/// `GET /files/zip?files=ID,ID…`: the user's chosen files as one zip
/// (docs/zip.md), with ranges like any zip download.
pub(super) async fn zip_files(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let Some(user) = v.user.clone() else {
        return to_login("/files");
    };
    let ids: Vec<String> = q
        .get("files")
        .map(|l| l.split(',').map(|id| id.trim().to_string()).collect())
        .unwrap_or_default();
    let found = match pipeline(&app, ip, &user, false).await {
        Ok(()) => own_files(&app, &user, &ids).await,
        Err(e) => Err(e.into()),
    };
    match found {
        Ok(files) => {
            let archive = zip::of_files(&app, &t("my-files-title"), files).await;
            // Charged to the account, as its own download page's button is.
            let taker = crate::transfer::zip::ZipTaker {
                account: user.id,
                who: crate::library::delivery::Downloader::new(user.id, ip),
                on_file: None,
            };
            crate::transfer::zip::respond(&app, &method, &headers, archive.map(Some), taker).await
        }
        Err(e) => error_page(&v, &e),
    }
}
