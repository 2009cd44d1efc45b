//! The edit pages: `/files/file?id=` (as `files.setInfo`: name,
//! description, password, expiry, download limit and its action, folder;
//! with the link, QR code and checksum) and `/files/folder?id=` (as
//! `folders.setInfo`: name, parent, sharing; delete after a confirmation).

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;

use super::{
    back_path, checked, error_notice, error_page, first, folder_options, hidden, path_label,
    pipeline, see_other, status_of, to_login,
};
use crate::api::error::ApiError;
use crate::db::files::{File, LimitAction};
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::http::html::{date, esc, human_size};
use crate::http::params::bad_value;
use crate::http::ClientIp;
use crate::library::files::{self, SetInfo, MAX_TIME_LIMIT};
use crate::library::folders::{self, FolderChanges};
use crate::library::{self, limits, MAX_NAME, MAX_TEXT};
use crate::pages::web::{visitor, Visitor};
use crate::state::{App, AppState};

/// "Never", "1 hour", "7 days", "90 minutes".
fn expiry_label(secs: i64) -> String {
    let (n, unit) = match secs {
        0 => return "Never".to_string(),
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3600 == 0 => (s / 3600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn limit_action_label(a: LimitAction) -> &'static str {
    match a {
        LimitAction::Unset | LimitAction::Block => "Block downloads",
        LimitAction::Delete => "Delete the file",
        LimitAction::Move => "Move it to a folder",
    }
}

/// The file and every folder (for the choices), after the pipeline.
async fn file_and_folders(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
) -> Result<(File, Vec<Folder>), ApiError> {
    pipeline(app, ip, user, false).await?;
    let file = files::own(&app.db, user.id, id).await?;
    Ok((file, folders::all(&app.db, user.id).await?))
}

/// `GET /files/file?id=ID[&saved=1]`
pub(super) async fn file_page(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let id = q
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let Some(user) = v.user.clone() else {
        return to_login(&format!("/files/file?id={id}"));
    };
    match file_and_folders(&app, ip, &user, &id).await {
        Ok((file, all)) => {
            let saved = q.contains_key("saved");
            file_form(&app, &v, &user, &file, &all, StatusCode::OK, saved, None)
        }
        Err(e) => error_page(&v, &e),
    }
}

/// The file's edit page, with `error` inline above the form.
#[allow(clippy::too_many_arguments)]
fn file_form(
    app: &AppState,
    v: &Visitor,
    user: &User,
    f: &File,
    all: &[Folder],
    status: StatusCode,
    saved: bool,
    error: Option<&ApiError>,
) -> Response {
    let url = app.url(&format!("/file/{}", f.id));
    let name = esc(&f.name);
    let notice = match (error, saved) {
        (Some(e), _) => error_notice(e),
        (None, true) => {
            "<p class=\"notice notice-ok\" id=\"saved\" role=\"status\">Saved.</p>".to_string()
        }
        _ => String::new(),
    };
    let current_expiry = if f.time_limit_at > 0 {
        format!("expires {}", date(f.time_limit_at))
    } else {
        "never expires".to_string()
    };
    let expiry: String = limits::expiry_choices(&app.cfg, Some(user))
        .into_iter()
        .map(|secs| format!("<option value=\"{secs}\">{}</option>", expiry_label(secs)))
        .collect();
    let actions: String = [LimitAction::Block, LimitAction::Delete, LimitAction::Move]
        .into_iter()
        .map(|a| {
            let selected = a == f.action() || (a == LimitAction::Block && f.limit_action == 0);
            format!(
                "<option value=\"{}\"{}>{}</option>",
                a.code(),
                if selected { " selected" } else { "" },
                limit_action_label(a)
            )
        })
        .collect();
    let has_password = !f.password_sealed.is_empty();
    let clear = if has_password {
        "<p class=\"check\"><input type=\"checkbox\" id=\"clear-password\" name=\"clear_password\" value=\"1\"> \
         <label for=\"clear-password\">Remove the password</label></p>"
    } else {
        ""
    };
    let limit = if f.download_limit > 0 {
        f.download_limit.to_string()
    } else {
        String::new()
    };
    let checksum = if f.checksum.is_empty() {
        String::new()
    } else {
        format!(
            "<tr><th scope=\"row\">BLAKE3</th><td class=\"mono hash\" id=\"checksum\">{}</td></tr>",
            esc(&f.checksum)
        )
    };
    let body = format!(
        "<p><a class=\"btn btn-secondary btn-sm\" href=\"{back}\" id=\"back\">&larr; {folder}</a></p>{notice}\
         <div class=\"card file-card\"><div class=\"file-info\">\
         <div class=\"link-row\"><span class=\"label\">Link</span><a id=\"link\" href=\"{url}\">{url}</a>\
         <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
         aria-label=\"Copy link to {name}\" hidden>Copy link</button></div>\
         <table class=\"details\"><tbody>\
         <tr><th scope=\"row\">Size</th><td>{size}</td></tr>\
         <tr><th scope=\"row\">Uploaded</th><td>{uploaded}</td></tr>\
         <tr><th scope=\"row\">Downloads</th><td id=\"downloads\">{downloads}</td></tr>\
         <tr><th scope=\"row\">Expires</th><td id=\"expires\">{expires}</td></tr>{checksum}\
         </tbody></table></div>\
         <p class=\"qr\"><img id=\"qr\" src=\"/file/{id}/qr.svg\" width=\"160\" height=\"160\" \
         alt=\"QR code for the download page of {name}\"></p></div>\
         <form method=\"post\" action=\"/files/file\" class=\"card\" id=\"edit-file\">{csrf}{fid}\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"name\">Name</label>\
         <input id=\"name\" name=\"name\" required maxlength=\"255\" value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"folder\">Folder</label>\
         <select id=\"folder\" name=\"folder\">{folders}</select></div>\
         <div class=\"field\"><label for=\"description\">Description</label>\
         <textarea id=\"description\" name=\"description\" rows=\"3\" maxlength=\"10000\">{description}</textarea></div>\
         <div class=\"field\"><label for=\"password\">{pw_label}</label>\
         <input id=\"password\" name=\"password\" type=\"text\" autocomplete=\"off\" maxlength=\"255\" aria-describedby=\"password-hint\">\
         <span class=\"hint\" id=\"password-hint\">{pw_hint}</span>{clear}</div>\
         <div class=\"field\"><label for=\"expiry\">Expires after</label>\
         <select id=\"expiry\" name=\"expiry\" aria-describedby=\"expiry-hint\"><option value=\"\" selected>Unchanged</option>{expiry}</select>\
         <span class=\"hint\" id=\"expiry-hint\">Now it {current_expiry}. Counted from when you save.</span></div>\
         <div class=\"field\"><label for=\"downloads_limit\">Download limit</label>\
         <input id=\"downloads_limit\" name=\"downloads_limit\" type=\"number\" min=\"0\" step=\"1\" inputmode=\"numeric\" \
         value=\"{limit}\" aria-describedby=\"limit-hint\"><span class=\"hint\" id=\"limit-hint\">Empty or 0: no limit.</span></div>\
         <div class=\"field\"><label for=\"limit_action\">When a limit is reached</label>\
         <select id=\"limit_action\" name=\"limit_action\">{actions}</select></div>\
         <div class=\"field\"><label for=\"limit_folder\">Folder to move it to</label>\
         <select id=\"limit_folder\" name=\"limit_action_to_folder\">{limit_folders}</select></div>\
         </div><div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"save\">Save</button>\
         <a class=\"btn btn-danger\" href=\"/files/delete?file_id={id}&amp;folder={fold}\" id=\"delete\">Delete the file</a></div></form>",
        back = esc(&back_path(&f.folder_id)),
        folder = esc(&path_label(all, &f.folder_id)),
        url = esc(&url),
        size = esc(&human_size(f.size)),
        uploaded = esc(&date(f.uploaded)),
        downloads = esc(&if f.download_limit > 0 {
            format!("{} of {}", f.downloads, f.download_limit)
        } else {
            f.downloads.to_string()
        }),
        expires = esc(&if f.time_limit_at > 0 {
            date(f.time_limit_at)
        } else {
            "Never".to_string()
        }),
        id = esc(&f.id),
        fold = esc(&f.folder_id),
        csrf = hidden("csrf", &v.csrf),
        fid = hidden("id", &f.id),
        folders = folder_options(all, &f.folder_id, None),
        description = esc(&f.description),
        pw_label = if has_password {
            "New password"
        } else {
            "Download password"
        },
        pw_hint = if has_password {
            "It has a password: leave empty to keep it."
        } else {
            "None now: leave empty for none."
        },
        limit_folders = folder_options(
            all,
            if f.limit_action_to_folder.is_empty() {
                ROOT
            } else {
                &f.limit_action_to_folder
            },
            None
        ),
    );
    v.page(status, &format!("Edit {}", f.name), &body, super::SCRIPTS)
}

/// The `files.setInfo` changes a form asks for: only the fields that
/// differ from the file, checked as the API checks its parameters.
fn changes(f: &File, form: &[(String, String)]) -> Result<SetInfo, ApiError> {
    let text = |name: &str, max: usize| -> Result<Option<String>, ApiError> {
        match first(form, name) {
            Some(v) if v.chars().count() > max => Err(bad_value(name).into()),
            other => Ok(other.map(str::to_string)),
        }
    };
    let number = |name: &str| -> Result<Option<i64>, ApiError> {
        match first(form, name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| bad_value(name).into()),
        }
    };
    let mut info = SetInfo::default();
    if let Some(name) = text("name", MAX_NAME)? {
        let name = name.trim();
        if name.is_empty() {
            return Err(bad_value("name").into());
        }
        if name != f.name {
            info.name = Some(name.to_string());
        }
    }
    info.description = text("description", MAX_TEXT)?.filter(|d| *d != f.description);
    let password = text("password", MAX_NAME)?.unwrap_or_default();
    if first(form, "clear_password") == Some("1") {
        info.password = Some(String::new());
    } else if !password.is_empty() {
        info.password = Some(password);
    }
    info.time_limit = number("expiry")?;
    if info.time_limit.is_some_and(|secs| secs > MAX_TIME_LIMIT) {
        return Err(bad_value("time_limit").into());
    }
    if first(form, "downloads_limit").is_some() {
        let limit = number("downloads_limit")?.unwrap_or(0);
        if limit != f.download_limit.max(0) {
            info.downloads_limit = Some(limit);
        }
    }
    if let Some(code) = number("limit_action")? {
        let action = LimitAction::from_code(code).ok_or_else(|| bad_value("limit_action"))?;
        if action != f.action() && !(action == LimitAction::Block && f.limit_action == 0) {
            info.limit_action = Some(action);
        }
    }
    if let Some(to) = first(form, "limit_action_to_folder").map(str::trim) {
        let now = if f.limit_action_to_folder.is_empty() {
            ROOT
        } else {
            &f.limit_action_to_folder
        };
        if to != now {
            info.limit_action_to_folder = Some(to.to_string());
        }
    }
    if let Some(to) = first(form, "folder").map(str::trim) {
        if to != f.folder_id {
            info.folder = Some(to.to_string());
        }
    }
    Ok(info)
}

/// As `files.setInfo` for one file.
async fn save(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
    form: &[(String, String)],
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    let file = files::own(&app.db, user.id, id).await?;
    let info = changes(&file, form)?;
    let update = files::prepare(app, user, &info).await?;
    files::update(app, user.id, id, &update).await?;
    Ok(())
}

/// `POST /files/file` (`csrf`, `id`, the fields)
pub(super) async fn save_file(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (v, user) = match checked(&app, &headers, first(&form, "csrf")).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    match save(&app, ip, &user, &id, &form).await {
        Ok(()) => see_other(&format!("/files/file?id={id}&saved=1")),
        Err(e) => {
            e.log("my files");
            match file_and_folders(&app, ip, &user, &id).await {
                Ok((file, all)) => {
                    file_form(&app, &v, &user, &file, &all, status_of(&e), false, Some(&e))
                }
                Err(_) => error_page(&v, &e),
            }
        }
    }
}

/// The user's folder (not the root) and every folder, after the pipeline.
async fn folder_and_all(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
) -> Result<(Folder, Vec<Folder>), ApiError> {
    pipeline(app, ip, user, false).await?;
    let folder = folders::own_not_root(&app.db, user.id, id).await?;
    Ok((folder, folders::all(&app.db, user.id).await?))
}

/// `GET /files/folder?id=ID[&saved=1]`
pub(super) async fn folder_page(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let id = q
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let Some(user) = v.user.clone() else {
        return to_login(&format!("/files/folder?id={id}"));
    };
    match folder_and_all(&app, ip, &user, &id).await {
        Ok((folder, all)) => folder_form(
            &app,
            &v,
            &folder,
            &all,
            StatusCode::OK,
            q.contains_key("saved"),
            None,
        ),
        Err(e) => error_page(&v, &e),
    }
}

fn folder_form(
    app: &AppState,
    v: &Visitor,
    f: &Folder,
    all: &[Folder],
    status: StatusCode,
    saved: bool,
    error: Option<&ApiError>,
) -> Response {
    let notice = match (error, saved) {
        (Some(e), _) => error_notice(e),
        (None, true) => {
            "<p class=\"notice notice-ok\" id=\"saved\" role=\"status\">Saved.</p>".to_string()
        }
        _ => String::new(),
    };
    let csrf = hidden("csrf", &v.csrf);
    let parent = if f.parent_id.is_empty() {
        ROOT
    } else {
        &f.parent_id
    };
    let sharing = if f.shared == 1 {
        let url = app.url(&format!("/folder/{}", f.id));
        format!(
            "<p>Anyone with the link sees its files.</p>\
             <div class=\"link-row\"><span class=\"label\">Link</span><a id=\"public-link\" href=\"{url}\">{url}</a>\
             <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
             aria-label=\"Copy the link of {name}\" hidden>Copy link</button></div>{qr}",
            url = esc(&url),
            name = esc(&f.name),
            qr = crate::pages::preview::folder_qr_img(&f.id, &f.name),
        )
    } else {
        "<p>Only you see it.</p>".to_string()
    };
    let (to, label) = if f.shared == 1 {
        ("0", "Stop sharing")
    } else {
        ("1", "Share")
    };
    let body = format!(
        "<p><a class=\"btn btn-secondary btn-sm\" href=\"{back}\" id=\"back\">&larr; {name}</a></p>{notice}\
         <form method=\"post\" action=\"/files/folder\" class=\"card\" id=\"edit-folder\">{csrf}{fid}\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"name\">Name</label>\
         <input id=\"name\" name=\"name\" required maxlength=\"255\" value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"parent\">Inside</label>\
         <select id=\"parent\" name=\"parent\">{parents}</select></div></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"save\">Save</button></div></form>\
         <section class=\"card\" aria-labelledby=\"sharing-title\"><h2 id=\"sharing-title\">Sharing</h2>{sharing}\
         <form method=\"post\" action=\"/files/share\" class=\"actions\">{csrf}{sid}{to}<input type=\"hidden\" name=\"next\" value=\"edit\">\
         <button class=\"btn btn-secondary share\" type=\"submit\" id=\"share\">{label}</button></form></section>\
         <p><a class=\"btn btn-danger\" href=\"/files/folder/delete?id={id}\" id=\"delete-folder\">Delete the folder</a></p>",
        back = esc(&back_path(&f.id)),
        name = esc(&f.name),
        fid = hidden("id", &f.id),
        sid = hidden("folder_id", &f.id),
        to = hidden("shared", to),
        parents = folder_options(all, parent, Some(&f.id)),
        id = esc(&f.id),
    );
    v.page(status, &format!("Edit {}", f.name), &body, super::SCRIPTS)
}

/// As `folders.setInfo` with `name` and `parent_folder_id`.
async fn save_folder_info(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
    form: &[(String, String)],
) -> Result<(), ApiError> {
    pipeline(app, ip, user, true).await?;
    let folder = folders::own_not_root(&app.db, user.id, id).await?;
    let name = match first(form, "name").map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > MAX_NAME => {
            return Err(bad_value("name").into())
        }
        Some(n) if n != folder.name => Some(n.to_string()),
        _ => None,
    };
    let parent = first(form, "parent").map(|p| p.trim().to_string());
    if let Some(p) = &parent {
        if !p.is_empty() && !folders::is_folder_id(p) {
            return Err(bad_value("parent_folder_id").into());
        }
    }
    let changes = FolderChanges {
        name,
        shared: None,
        parent,
    };
    folders::set_info(app, &folder, &changes).await?;
    Ok(())
}

/// `POST /files/folder` (`csrf`, `id`, `name`, `parent`)
pub(super) async fn save_folder(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (v, user) = match checked(&app, &headers, first(&form, "csrf")).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    match save_folder_info(&app, ip, &user, &id, &form).await {
        Ok(()) => see_other(&format!("/files/folder?id={id}&saved=1")),
        Err(e) => {
            e.log("my files");
            match folder_and_all(&app, ip, &user, &id).await {
                Ok((folder, all)) => {
                    folder_form(&app, &v, &folder, &all, status_of(&e), false, Some(&e))
                }
                Err(_) => error_page(&v, &e),
            }
        }
    }
}

/// `GET /files/folder/delete?id=ID`: how much goes with it, then a form.
pub(super) async fn confirm_folder_delete(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let id = q
        .get("id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let Some(user) = v.user.clone() else {
        return to_login("/files");
    };
    let found = async {
        let (folder, _) = folder_and_all(&app, ip, &user, &id).await?;
        let totals = folders::totals(&app.db, &folder).await?;
        Ok::<_, ApiError>((folder, totals))
    }
    .await;
    let (folder, totals) = match found {
        Ok(found) => found,
        Err(e) => return error_page(&v, &e),
    };
    let files = match totals.files {
        0 => "no files".to_string(),
        1 => format!("1 file ({})", human_size(totals.size)),
        n => format!("{n} files ({})", human_size(totals.size)),
    };
    let subfolders = match totals.folders {
        0 => String::new(),
        1 => " and 1 folder".to_string(),
        n => format!(" and {n} folders"),
    };
    let body = format!(
        "<div class=\"card confirm\"><p class=\"lead\" id=\"confirm-question\">Delete the folder {name}?</p>\
         <p id=\"confirm-count\">It holds {files}{subfolders}: they are deleted with it. This cannot be undone.</p>\
         <form method=\"post\" action=\"/files/folder/delete\" class=\"actions\">{csrf}{fid}\
         <button class=\"btn btn-danger\" type=\"submit\" id=\"confirm-delete\">Delete</button>\
         <a class=\"btn btn-secondary\" href=\"/files/folder?id={id}\" id=\"cancel\">Cancel</a></form></div>",
        name = esc(&folder.name),
        files = esc(&files),
        subfolders = esc(&subfolders),
        csrf = hidden("csrf", &v.csrf),
        fid = hidden("id", &folder.id),
        id = esc(&folder.id),
    );
    v.page(StatusCode::OK, "Delete folder", &body, &[])
}

/// Deletes a folder with everything below it: each file as `files.delete`
/// does, then each folder, deepest first, as `folders.delete` (which only
/// takes empty ones). The parent to return to.
async fn delete_tree(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
) -> Result<String, ApiError> {
    pipeline(app, ip, user, true).await?;
    let top = folders::own_not_root(&app.db, user.id, id).await?;
    let parent = if top.parent_id.is_empty() {
        ROOT.to_string()
    } else {
        top.parent_id.clone()
    };
    let mut order = vec![top];
    let mut i = 0;
    while i < order.len() {
        let (subfolders, files) = folders::contents(&app.db, &order[i]).await?;
        for f in files {
            library::delete_file(app, &f.id, Some(user.id)).await?;
        }
        order.extend(subfolders);
        i += 1;
    }
    for folder in order.iter().rev() {
        folders::delete(app, folder).await?;
    }
    Ok(parent)
}

/// `POST /files/folder/delete` (`csrf`, `id`)
pub(super) async fn delete_folder(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (v, user) = match checked(&app, &headers, first(&form, "csrf")).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    match delete_tree(&app, ip, &user, &id).await {
        Ok(parent) => see_other(&back_path(&parent)),
        Err(e) => error_page(&v, &e),
    }
}
