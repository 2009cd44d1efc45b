//! The edit pages: `/files/file?id=` (as `files.setInfo`: name,
//! description, password, expiry, download limit and its action, folder;
//! with the link, QR code and checksum) and `/files/folder?id=` (as
//! `folders.setInfo`: name, parent, sharing; delete after a confirmation).

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    back_path, error_notice, error_page, first, folder_options, gone_note, hidden, path_label,
    pipeline, see_other, status_of, to_login, Posted,
};
use crate::api::error::ApiError;
use crate::db::download_log::Download;
use crate::db::files::{File, LimitAction};
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::http::html::{esc, human_size, time_tag};
use crate::http::params::bad_value;
use crate::http::ClientIp;
use crate::library::delivery;
use crate::library::files::{self, SetInfo, MAX_TIME_LIMIT};
use crate::library::folders::{self, FolderChanges};
use crate::library::{self, limits, MAX_NAME, MAX_TEXT};
use crate::pages::i18n::{t, t_args, t_html};
use crate::pages::web::{visitor, Visitor};
use crate::state::{App, AppState};

/// "Never", "1 hour", "7 days", "90 minutes".
fn expiry_label(secs: i64) -> String {
    let (n, key) = match secs {
        0 => return t("my-files-never"),
        s if s % 86_400 == 0 => (s / 86_400, "my-files-expiry-days"),
        s if s % 3600 == 0 => (s / 3600, "my-files-expiry-hours"),
        s if s % 60 == 0 => (s / 60, "my-files-expiry-minutes"),
        s => (s, "my-files-expiry-seconds"),
    };
    t_args(key, &[("count", n.into())])
}

fn limit_action_label(a: LimitAction) -> String {
    match a {
        LimitAction::Unset | LimitAction::Block => t("my-files-action-block"),
        LimitAction::Delete => t("my-files-action-delete"),
        LimitAction::Move => t("my-files-action-move"),
    }
}

/// The file and every folder (for the choices), after the pipeline.
async fn file_and_folders(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    id: &str,
) -> Result<(File, Vec<Folder>, Vec<Download>), ApiError> {
    pipeline(app, ip, user, false).await?;
    let (file, log) = delivery::of_file(app, user.id, id).await?;
    Ok((file, folders::all(&app.db, user.id).await?, log))
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
        Ok((file, all, log)) => {
            let saved = q.contains_key("saved");
            let page = FilePage {
                file: &file,
                all: &all,
                log: &log,
            };
            file_form(&app, &v, &user, &page, StatusCode::OK, saved, None)
        }
        Err(e) => error_page(&v, &e),
    }
}

/// What the file's edit page shows: the file, every folder, who
/// downloaded it.
struct FilePage<'a> {
    file: &'a File,
    all: &'a [Folder],
    log: &'a [Download],
}

/// The "Downloads" section: each completed download, newest first
/// (docs/receipts.md).
fn download_log(log: &[Download]) -> String {
    let title = esc(&t("my-files-download-log"));
    if log.is_empty() {
        return format!(
            "<section class=\"card\" id=\"download-log\"><h2>{title}</h2>\
             <p id=\"download-log-none\">{}</p></section>",
            esc(&t("my-files-download-log-none"))
        );
    }
    let rows: String = log
        .iter()
        .map(|d| {
            let who = if d.recipient.is_empty() {
                esc(&d.client_ip)
            } else {
                esc(&t_args(
                    "my-files-download-log-recipient",
                    &[("address", d.recipient.as_str().into())],
                ))
            };
            format!(
                "<tr><td>{}</td><td>{who}</td><td>{}</td></tr>",
                time_tag(d.at),
                esc(&human_size(d.bytes))
            )
        })
        .collect();
    format!(
        "<section class=\"card\" id=\"download-log\"><h2>{title}</h2>\
         <table class=\"details\"><thead><tr><th scope=\"col\">{when}</th>\
         <th scope=\"col\">{who}</th><th scope=\"col\">{bytes}</th></tr></thead>\
         <tbody>{rows}</tbody></table></section>",
        when = esc(&t("my-files-download-log-when")),
        who = esc(&t("my-files-download-log-who")),
        bytes = esc(&t("my-files-size")),
    )
}

/// The file's edit page, with `error` inline above the form.
fn file_form(
    app: &AppState,
    v: &Visitor,
    user: &User,
    page: &FilePage<'_>,
    status: StatusCode,
    saved: bool,
    error: Option<&ApiError>,
) -> Response {
    let (f, all) = (page.file, page.all);
    let url = app.url(&format!("/file/{}", f.id));
    let name = esc(&f.name);
    let notice = match (error, saved) {
        (Some(e), _) => error_notice(e),
        (None, true) => {
            format!(
                "<p class=\"notice notice-ok\" id=\"saved\" role=\"status\">{}</p>",
                esc(&t("my-files-saved"))
            )
        }
        _ => String::new(),
    };
    let current_expiry = if f.time_limit_at > 0 {
        t_html(
            "my-files-expiry-now-date",
            &[],
            &[("date", &time_tag(f.time_limit_at))],
        )
    } else {
        esc(&t("my-files-expiry-now-never"))
    };
    let expiry: String = limits::expiry_choices(&app.cfg, limits::Uploader::Account(user))
        .into_iter()
        .map(|secs| {
            format!(
                "<option value=\"{secs}\">{}</option>",
                esc(&expiry_label(secs))
            )
        })
        .collect();
    let actions: String = [LimitAction::Block, LimitAction::Delete, LimitAction::Move]
        .into_iter()
        .map(|a| {
            let selected = a == f.action() || (a == LimitAction::Block && f.limit_action == 0);
            format!(
                "<option value=\"{}\"{}>{}</option>",
                a.code(),
                if selected { " selected" } else { "" },
                esc(&limit_action_label(a))
            )
        })
        .collect();
    let has_password = !f.password_sealed.is_empty();
    let clear = if has_password {
        format!(
            "<p class=\"check\"><input type=\"checkbox\" id=\"clear-password\" name=\"clear_password\" value=\"1\"> \
             <label for=\"clear-password\">{}</label></p>",
            esc(&t("my-files-remove-password"))
        )
    } else {
        String::new()
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
         <div class=\"link-row\"><span class=\"label\">{l_link}</span><a id=\"link\" href=\"{url}\">{url}</a>\
         <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
         aria-label=\"{l_copy_named}\" hidden>{l_copy}</button></div>\
         <table class=\"details\"><tbody>\
         <tr><th scope=\"row\">{l_size}</th><td>{size}</td></tr>\
         <tr><th scope=\"row\">{l_uploaded}</th><td>{uploaded}</td></tr>\
         <tr><th scope=\"row\">{l_downloads}</th><td id=\"downloads\">{downloads}</td></tr>\
         <tr><th scope=\"row\">{l_expires}</th><td id=\"expires\">{expires}{extend}</td></tr>{checksum}\
         </tbody></table></div>\
         <p class=\"qr\"><img id=\"qr\" src=\"/file/{id}/qr.svg\" width=\"160\" height=\"160\" \
         alt=\"{l_qr}\"></p></div>\
         <form method=\"post\" action=\"/files/file\" class=\"card\" id=\"edit-file\">{csrf}{fid}\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"name\">{l_name}</label>\
         <input id=\"name\" name=\"name\" required maxlength=\"255\" value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"folder\">{l_folder}</label>\
         <select id=\"folder\" name=\"folder\">{folders}</select></div>\
         <div class=\"field\"><label for=\"description\">{l_description}</label>\
         <textarea id=\"description\" name=\"description\" rows=\"3\" maxlength=\"10000\">{description}</textarea></div>\
         <div class=\"field\"><label for=\"password\">{pw_label}</label>\
         <input id=\"password\" name=\"password\" type=\"text\" autocomplete=\"off\" maxlength=\"255\" aria-describedby=\"password-hint\">\
         <span class=\"hint\" id=\"password-hint\">{pw_hint}</span>{clear}</div>\
         <div class=\"field\"><label for=\"expiry\">{l_expires_after}</label>\
         <select id=\"expiry\" name=\"expiry\" aria-describedby=\"expiry-hint\"><option value=\"\" selected>{l_unchanged}</option>{expiry}</select>\
         <span class=\"hint\" id=\"expiry-hint\">{current_expiry}</span></div>\
         <div class=\"field\"><label for=\"downloads_limit\">{l_limit}</label>\
         <input id=\"downloads_limit\" name=\"downloads_limit\" type=\"number\" min=\"0\" step=\"1\" inputmode=\"numeric\" \
         value=\"{limit}\" aria-describedby=\"limit-hint\"><span class=\"hint\" id=\"limit-hint\">{l_limit_hint}</span></div>\
         <div class=\"field\"><label for=\"limit_action\">{l_limit_action}</label>\
         <select id=\"limit_action\" name=\"limit_action\">{actions}</select></div>\
         <div class=\"field\"><label for=\"limit_folder\">{l_limit_folder}</label>\
         <select id=\"limit_folder\" name=\"limit_action_to_folder\">{limit_folders}</select></div>\
         </div><div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"save\">{l_save}</button>\
         <a class=\"btn btn-danger\" href=\"/files/delete?file_id={id}&amp;folder={fold}\" id=\"delete\">{l_delete}</a></div></form>",
        back = esc(&back_path(&f.folder_id)),
        l_link = esc(&t("my-files-link")),
        l_copy_named = esc(&super::listing::named("my-files-copy-link-to", &f.name)),
        l_copy = esc(&t("my-files-copy-link")),
        l_size = esc(&t("my-files-size")),
        l_uploaded = esc(&t("my-files-uploaded")),
        l_downloads = esc(&t("my-files-downloads")),
        l_expires = esc(&t("my-files-expires")),
        l_qr = esc(&super::listing::named("my-files-qr-alt", &f.name)),
        l_name = esc(&t("my-files-name")),
        l_folder = esc(&t("my-files-folder")),
        l_description = esc(&t("my-files-description")),
        l_expires_after = esc(&t("my-files-expires-after")),
        l_unchanged = esc(&t("my-files-unchanged")),
        l_limit = esc(&t("my-files-download-limit")),
        l_limit_hint = esc(&t("my-files-limit-hint")),
        l_limit_action = esc(&t("my-files-limit-action")),
        l_limit_folder = esc(&t("my-files-limit-folder")),
        l_save = esc(&t("my-files-save")),
        l_delete = esc(&t("my-files-delete-the-file")),
        folder = esc(&path_label(all, &f.folder_id)),
        url = esc(&url),
        size = esc(&human_size(f.size)),
        uploaded = time_tag(f.uploaded),
        downloads = esc(&super::listing::downloads(f)),
        expires = super::listing::expires(f),
        extend = if f.time_limit_at > 0 {
            format!(
                " <form method=\"post\" action=\"/files/extend\" class=\"inline\">{}{}\
                 <button class=\"btn btn-secondary btn-sm\" type=\"submit\" id=\"extend\">{}</button></form>",
                hidden("csrf", &v.csrf),
                hidden("id", &f.id),
                esc(&t("my-files-extend"))
            )
        } else {
            String::new()
        },
        id = esc(&f.id),
        fold = esc(&f.folder_id),
        csrf = hidden("csrf", &v.csrf),
        fid = hidden("id", &f.id),
        folders = folder_options(all, &f.folder_id, None),
        description = esc(&f.description),
        pw_label = esc(&t(if has_password {
            "my-files-new-password"
        } else {
            "my-files-password"
        })),
        pw_hint = esc(&t(if has_password {
            "my-files-password-keep"
        } else {
            "my-files-password-none"
        })),
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
    let body = format!(
        "{body}{}{}",
        download_log(page.log),
        super::listing::copied_status()
    );
    v.page(
        status,
        &super::listing::named("my-files-edit-title", &f.name),
        &body,
        super::SCRIPTS,
    )
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
    Posted { v, user, form }: Posted,
) -> Response {
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    match save(&app, ip, &user, &id, &form).await {
        Ok(()) => see_other(&format!("/files/file?id={id}&saved=1")),
        Err(e) => {
            e.log("my files");
            match file_and_folders(&app, ip, &user, &id).await {
                Ok((file, all, log)) => {
                    let page = FilePage {
                        file: &file,
                        all: &all,
                        log: &log,
                    };
                    file_form(&app, &v, &user, &page, status_of(&e), false, Some(&e))
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
            format!(
                "<p class=\"notice notice-ok\" id=\"saved\" role=\"status\">{}</p>",
                esc(&t("my-files-saved"))
            )
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
            "<p>{shared_text}</p>\
             <div class=\"link-row\"><span class=\"label\">{link}</span><a id=\"public-link\" href=\"{url}\">{url}</a>\
             <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
             aria-label=\"{copy_named}\" hidden>{copy}</button></div>{qr}",
            shared_text = esc(&t("my-files-shared-text")),
            link = esc(&t("my-files-link")),
            copy_named = esc(&super::listing::named("my-files-copy-folder-link", &f.name)),
            copy = esc(&t("my-files-copy-link")),
            url = esc(&url),
            qr = crate::pages::preview::folder_qr_img(&f.id, &f.name),
        )
    } else {
        format!("<p>{}</p>", esc(&t("my-files-private-text")))
    };
    let (to, label) = if f.shared == 1 {
        ("0", t("my-files-unshare"))
    } else {
        ("1", t("my-files-share"))
    };
    let body = format!(
        "<p><a class=\"btn btn-secondary btn-sm\" href=\"{back}\" id=\"back\">&larr; {name}</a></p>{notice}\
         <form method=\"post\" action=\"/files/folder\" class=\"card\" id=\"edit-folder\">{csrf}{fid}\
         <div class=\"grid-2\">\
         <div class=\"field\"><label for=\"name\">{l_name}</label>\
         <input id=\"name\" name=\"name\" required maxlength=\"255\" value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"parent\">{l_inside}</label>\
         <select id=\"parent\" name=\"parent\">{parents}</select></div></div>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\" id=\"save\">{l_save}</button></div></form>\
         <section class=\"card\" aria-labelledby=\"sharing-title\"><h2 id=\"sharing-title\">{l_sharing}</h2>{sharing}\
         <form method=\"post\" action=\"/files/share\" class=\"actions\">{csrf}{sid}{to}<input type=\"hidden\" name=\"next\" value=\"edit\">\
         <button class=\"btn btn-secondary share\" type=\"submit\" id=\"share\">{label}</button></form></section>\
         <p><a class=\"btn btn-danger\" href=\"/files/folder/delete?id={id}\" id=\"delete-folder\">{l_delete_folder}</a></p>",
        back = esc(&back_path(&f.id)),
        l_name = esc(&t("my-files-name")),
        l_save = esc(&t("my-files-save")),
        l_inside = esc(&t("my-files-inside")),
        l_sharing = esc(&t("my-files-sharing")),
        l_delete_folder = esc(&t("my-files-delete-the-folder")),
        label = esc(&label),
        name = esc(&f.name),
        fid = hidden("id", &f.id),
        sid = hidden("folder_id", &f.id),
        to = hidden("shared", to),
        parents = folder_options(all, parent, Some(&f.id)),
        id = esc(&f.id),
    );
    let body = format!("{body}{}", super::listing::copied_status());
    v.page(
        status,
        &super::listing::named("my-files-edit-title", &f.name),
        &body,
        super::SCRIPTS,
    )
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
    Posted { v, user, form }: Posted,
) -> Response {
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
    let holds = t_args(
        "my-files-folder-holds",
        &[
            ("files", totals.files.into()),
            ("size", human_size(totals.size).into()),
            ("folders", totals.folders.into()),
        ],
    );
    let name = format!("<b>{}</b>", esc(&folder.name));
    let body = format!(
        "<div class=\"card confirm\"><p class=\"lead\" id=\"confirm-question\">{question}</p>\
         <p id=\"confirm-count\">{holds} {gone}</p>\
         <form method=\"post\" action=\"/files/folder/delete\" class=\"actions\">{csrf}{fid}\
         <button class=\"btn btn-danger\" type=\"submit\" id=\"confirm-delete\">{delete}</button>\
         <a class=\"btn btn-secondary\" href=\"/files/folder?id={id}\" id=\"cancel\">{cancel}</a></form></div>",
        question = t_html("my-files-folder-delete-question", &[], &[("name", &name)]),
        holds = esc(&holds),
        gone = esc(&gone_note(&app, &user)),
        delete = esc(&t("my-files-delete")),
        cancel = esc(&t("my-files-cancel")),
        csrf = hidden("csrf", &v.csrf),
        fid = hidden("id", &folder.id),
        id = esc(&folder.id),
    );
    v.page(
        StatusCode::OK,
        &t("my-files-folder-delete-title"),
        &body,
        &[],
    )
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
    Posted { v, user, form }: Posted,
) -> Response {
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    match delete_tree(&app, ip, &user, &id).await {
        Ok(parent) => see_other(&back_path(&parent)),
        Err(e) => error_page(&v, &e),
    }
}
