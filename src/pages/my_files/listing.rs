//! `GET /files?folder=ID&sort=…&order=…&q=…`: usage bars, breadcrumbs,
//! the folder's sub-folders and files (or the account's files matching a
//! search), sortable, with the bulk form's checkboxes (docs/my-files.md).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    back_path, error_page, folder_options, folder_param, hidden, path_label, path_of, pipeline,
    to_login, SCRIPTS,
};
use crate::api::error::ApiError;
use crate::db::files::File;
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::http::html::{esc, human_size, time_tag};
use crate::http::ClientIp;
use crate::library::folders;
use crate::pages::i18n::{t, t_args, t_html};
use crate::pages::shell::FOLDER_ICON;
use crate::pages::web::{visitor, Visitor};
use crate::state::{App, AppState};

/// A sortable column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    Size,
    Uploaded,
    Downloads,
}

impl Sort {
    fn parse(s: Option<&String>) -> Sort {
        match s.map(String::as_str) {
            Some("size") => Sort::Size,
            Some("uploaded") => Sort::Uploaded,
            Some("downloads") => Sort::Downloads,
            _ => Sort::Name,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Size => "size",
            Sort::Uploaded => "uploaded",
            Sort::Downloads => "downloads",
        }
    }

    fn cmp(self, a: &File, b: &File) -> Ordering {
        let by_name = || a.name.to_lowercase().cmp(&b.name.to_lowercase());
        match self {
            Sort::Name => by_name(),
            Sort::Size => a.size.cmp(&b.size).then_with(by_name),
            Sort::Uploaded => a.uploaded.cmp(&b.uploaded).then_with(by_name),
            Sort::Downloads => a.downloads.cmp(&b.downloads).then_with(by_name),
        }
    }
}

/// What the page was asked to show.
struct Asked {
    folder: String,
    sort: Sort,
    desc: bool,
    q: String,
}

impl Asked {
    /// The listing's URL with `sort`/`order` (and the folder or search).
    fn url(&self, sort: Sort, desc: bool) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            url.append_pair("q", &self.q);
        } else if self.folder != ROOT {
            url.append_pair("folder", &self.folder);
        }
        url.append_pair("sort", sort.as_str());
        url.append_pair("order", if desc { "desc" } else { "asc" });
        format!("/files?{}", url.finish())
    }
}

/// What `show` lists.
struct Listing {
    all: Vec<Folder>,
    current: Folder,
    folders: Vec<Folder>,
    files: Vec<File>,
}

/// The folder (as `folders.getContents` reads it), or every file whose
/// name holds `q` (each folder's contents, as `folders.getContents`), after
/// one pass through the pipeline.
async fn listing(
    app: &AppState,
    ip: IpAddr,
    user: &User,
    asked: &Asked,
) -> Result<Listing, ApiError> {
    pipeline(app, ip, user, false).await?;
    let all = folders::all(&app.db, user.id).await?;
    if asked.q.is_empty() {
        let current = folders::own(&app.db, user.id, &asked.folder).await?;
        let (subfolders, files) = folders::contents(&app.db, &current).await?;
        return Ok(Listing {
            all,
            current,
            folders: subfolders,
            files,
        });
    }
    let needle = asked.q.to_lowercase();
    let mut found = Vec::new();
    for f in &all {
        let (_, files) = folders::contents(&app.db, f).await?;
        found.extend(
            files
                .into_iter()
                .filter(|file| file.name.to_lowercase().contains(&needle)),
        );
    }
    Ok(Listing {
        current: folders::root(user.id),
        all,
        folders: Vec::new(),
        files: found,
    })
}

/// `GET /files`
pub(super) async fn show(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let asked = Asked {
        folder: folder_param(q.get("folder")),
        sort: Sort::parse(q.get("sort")),
        desc: q.get("order").map(String::as_str) == Some("desc"),
        q: q.get("q").map(|s| s.trim().to_string()).unwrap_or_default(),
    };
    let Some(user) = v.user.clone() else {
        return to_login(&back_path(&asked.folder));
    };
    let mut list = match listing(&app, ip, &user, &asked).await {
        Ok(list) => list,
        Err(e) => return error_page(&v, &e),
    };
    list.folders
        .sort_by_key(|f| (f.name.to_lowercase(), f.id.clone()));
    list.files.sort_by(|a, b| {
        let o = asked.sort.cmp(a, b);
        if asked.desc {
            o.reverse()
        } else {
            o
        }
    });
    if asked.desc && asked.sort == Sort::Name {
        list.folders.reverse();
    }
    let body = format!(
        "{usage}<p class=\"crumbs\"><a class=\"btn btn-secondary btn-sm\" href=\"/files/requests\" \
         id=\"requests-link\">{requests}</a></p>{head}{tools}{table}",
        requests = esc(&t("requests-title")),
        usage = usage(&app, &user),
        head = head(&app, &v, &asked, &list),
        tools = tools(&app, &v, &user, &asked, &list),
        table = table(&app, &v, &asked, &list),
    );
    v.page(StatusCode::OK, &t("my-files-title"), &body, SCRIPTS)
}

/// Disk space and bandwidth as `<meter>`s with their figures in words
/// (as `auth.getAccountInfo`'s `diskspace_left` and `bandwidth_left`).
fn usage(app: &AppState, user: &User) -> String {
    let tier = user.tier(&app.cfg);
    let quota = user.diskspace(&app.cfg);
    let disk = bar(
        "disk",
        &t("my-files-disk"),
        user.disk_used,
        (quota >= 0).then_some(quota),
    );
    let left = user.bandwidth_left(&app.cfg);
    let bandwidth = if tier.bandwidth >= 0 {
        bar(
            "bandwidth",
            &t("my-files-bandwidth"),
            (tier.bandwidth - left).max(0),
            Some(tier.bandwidth),
        )
    } else {
        bar("bandwidth", &t("my-files-bandwidth"), -1, None)
    };
    format!(
        "<section class=\"usage\" aria-label=\"{}\">{disk}{bandwidth}</section>",
        esc(&t("my-files-usage"))
    )
}

fn bar(id: &str, label: &str, used: i64, of: Option<i64>) -> String {
    let (meter, text) = match of {
        Some(total) => (
            format!(
                "<meter id=\"{id}-use\" min=\"0\" max=\"{max}\" value=\"{value}\" \
                 low=\"{low}\" high=\"{high}\" optimum=\"0\" aria-describedby=\"{id}-text\"></meter>",
                max = total.max(1),
                value = used.clamp(0, total.max(1)),
                low = total.max(1) * 7 / 10,
                high = total.max(1) * 9 / 10,
            ),
            t_args(
                "my-files-used-of",
                &[
                    ("used", human_size(used.max(0)).into()),
                    ("total", human_size(total.max(0)).into()),
                ],
            ),
        ),
        None if used >= 0 => (
            String::new(),
            t_args("my-files-used-no-limit", &[("used", human_size(used).into())]),
        ),
        None => (String::new(), t("my-files-no-limit")),
    };
    format!(
        "<div class=\"usage-item\"><label for=\"{id}-use\" class=\"usage-label\">{label}</label>{meter}\
         <span class=\"usage-text\" id=\"{id}-text\">{text}</span></div>",
        label = esc(label),
        text = esc(&text),
    )
}

/// Breadcrumbs (or the search's heading) and the current folder's actions.
fn head(app: &AppState, v: &Visitor, asked: &Asked, list: &Listing) -> String {
    if !asked.q.is_empty() {
        return format!(
            "<div class=\"crumbs\"><p id=\"search-title\">{}</p>\
             <a class=\"btn btn-secondary btn-sm\" href=\"/files\" id=\"clear-search\">{}</a></div>",
            t_html("my-files-search-title", &[], &[("query", &format!("<b>{}</b>", esc(&asked.q)))]),
            esc(&t("my-files-clear-search"))
        );
    }
    let chain = path_of(&list.all, &list.current.id);
    let mut crumbs = String::new();
    let root = t("my-files-title");
    for (i, f) in chain.iter().enumerate() {
        let name = if f.id == ROOT { &root } else { &f.name };
        if i + 1 == chain.len() {
            let id = if f.id == ROOT {
                ""
            } else {
                " id=\"folder-name\""
            };
            crumbs.push_str(&format!(
                "<li><span aria-current=\"page\"{id}>{}</span></li>",
                esc(name)
            ));
        } else {
            crumbs.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(&back_path(&f.id)),
                esc(name)
            ));
        }
    }
    // At the top level the page's title says where you are.
    let mut html = if chain.len() > 1 {
        format!(
            "<nav class=\"breadcrumbs\" aria-label=\"{}\"><ol>{crumbs}</ol></nav>",
            esc(&t("my-files-breadcrumb"))
        )
    } else {
        String::new()
    };
    let f = &list.current;
    if f.id != ROOT {
        let up = if f.parent_id.is_empty() {
            ROOT
        } else {
            &f.parent_id
        };
        html.push_str(&format!(
            "<div class=\"crumbs\"><a href=\"{}\" id=\"up\" class=\"btn btn-secondary btn-sm\">&larr; {}</a> {} \
             <a href=\"/files/folder?id={}\" class=\"btn btn-secondary btn-sm\" id=\"edit-folder\">{}</a></div>",
            esc(&back_path(up)),
            esc(&t("my-files-up")),
            share_form(app, &hidden("csrf", &v.csrf), f, &f.id),
            esc(&f.id),
            esc(&t("my-files-edit-folder")),
        ));
    }
    html
}

/// New folder and search.
fn tools(app: &AppState, v: &Visitor, user: &User, asked: &Asked, list: &Listing) -> String {
    let new_folder = if user.tier(&app.cfg).capable_folders && asked.q.is_empty() {
        format!(
            "<form method=\"post\" action=\"/files/folder/new\" class=\"tool\" id=\"new-folder\">{csrf}{parent}\
             <label for=\"new-folder-name\">{label}</label>\
             <input id=\"new-folder-name\" name=\"name\" required maxlength=\"255\" autocomplete=\"off\">\
             <button class=\"btn btn-secondary btn-sm\" type=\"submit\" id=\"create-folder\">{create}</button></form>",
            label = esc(&t("my-files-new-folder")),
            create = esc(&t("my-files-create")),
            csrf = hidden("csrf", &v.csrf),
            parent = hidden("folder", &list.current.id),
        )
    } else {
        String::new()
    };
    format!(
        "<div class=\"tools\">{new_folder}\
         <form method=\"get\" action=\"/files\" class=\"tool\" role=\"search\">\
         <label for=\"q\">{search}</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\" maxlength=\"255\">\
         <button class=\"btn btn-secondary btn-sm\" type=\"submit\" id=\"search\">{search}</button></form>\
         <a class=\"btn btn-secondary btn-sm\" href=\"/files/trash\" id=\"trash-link\">{trash}</a></div>",
        search = esc(&t("my-files-search")),
        trash = esc(&t("trash-link")),
        q = esc(&asked.q)
    )
}

/// A column header: a link that sorts by it (ascending first, then the
/// other way), `aria-sort` on the one sorted by.
fn sort_header(asked: &Asked, sort: Sort, label: &str, class: &str) -> String {
    let active = asked.sort == sort;
    let aria = match (active, asked.desc) {
        (true, false) => " aria-sort=\"ascending\"",
        (true, true) => " aria-sort=\"descending\"",
        _ => "",
    };
    let arrow = match (active, asked.desc) {
        (true, false) => " <span aria-hidden=\"true\">&uarr;</span>",
        (true, true) => " <span aria-hidden=\"true\">&darr;</span>",
        _ => "",
    };
    format!(
        "<th scope=\"col\" class=\"{class}\"{aria}><a class=\"sort\" id=\"sort-{key}\" href=\"{href}\">{label}{arrow}</a></th>",
        key = sort.as_str(),
        href = esc(&asked.url(sort, active && !asked.desc)),
        label = esc(label),
    )
}

/// "3" or "3 of 5".
pub(super) fn downloads(f: &File) -> String {
    if f.download_limit > 0 {
        t_args(
            "my-files-downloads-of",
            &[
                ("count", f.downloads.into()),
                ("limit", f.download_limit.into()),
            ],
        )
    } else {
        f.downloads.to_string()
    }
}

/// As HTML (a `<time>`).
pub(super) fn expires(f: &File) -> String {
    if f.limit_reached != 0 {
        esc(&t("my-files-blocked"))
    } else if f.time_limit_at > 0 {
        time_tag(f.time_limit_at)
    } else {
        esc(&t("my-files-never"))
    }
}

/// The table with the bulk form above it, or the empty card.
fn table(app: &AppState, v: &Visitor, asked: &Asked, list: &Listing) -> String {
    let csrf = hidden("csrf", &v.csrf);
    let back = if asked.q.is_empty() {
        list.current.id.clone()
    } else {
        ROOT.to_string()
    };
    let mut rows = String::new();
    for f in &list.folders {
        rows.push_str(&format!(
            "<tr class=\"folder\" data-id=\"{id}\"><td></td><td>{FOLDER_ICON}<a href=\"/files?folder={id}\">{name}</a></td>\
             <td class=\"num\"></td><td class=\"hide-sm\"></td><td class=\"num hide-sm\"></td><td class=\"hide-sm\"></td>\
             <td class=\"row-actions\">{share} <a class=\"btn btn-secondary btn-sm edit\" href=\"/files/folder?id={id}\" \
             aria-label=\"{edit_named}\">{edit}</a></td></tr>\n",
            edit = esc(&t("my-files-edit")),
            edit_named = esc(&named("my-files-edit-folder-named", &f.name)),
            id = esc(&f.id),
            name = esc(&f.name),
            share = share_form(app, &csrf, f, &back),
        ));
    }
    for f in &list.files {
        let url = app.url(&format!("/file/{}", f.id));
        let whereabouts = if asked.q.is_empty() {
            String::new()
        } else {
            format!(
                "<br><span class=\"muted in-folder\">{}</span>",
                t_html(
                    "my-files-in-folder",
                    &[],
                    &[(
                        "folder",
                        &format!(
                            "<a href=\"{}\">{}</a>",
                            esc(&back_path(&f.folder_id)),
                            esc(&path_label(&list.all, &f.folder_id))
                        )
                    )]
                )
            )
        };
        let locked = if f.password_sealed.is_empty() {
            String::new()
        } else {
            format!(
                " <span class=\"tag\">{}</span>",
                esc(&t("my-files-password-tag"))
            )
        };
        let delete = format!(
            "/files/delete?file_id={}&folder={}",
            f.id,
            if asked.q.is_empty() { &back } else { ROOT }
        );
        rows.push_str(&format!(
            "<tr class=\"file\" data-id=\"{id}\"><td class=\"pick\">\
             <input type=\"checkbox\" name=\"file_id\" value=\"{id}\" form=\"bulk\" aria-label=\"{select}\"></td>\
             <td>{icon} <a class=\"name\" href=\"{url}\">{name}</a>{locked}{whereabouts}</td>\
             <td class=\"num\">{size}</td><td class=\"hide-sm\">{date}</td><td class=\"num downloads hide-sm\">{downloads}</td>\
             <td class=\"hide-sm expires\">{expires}</td><td class=\"row-actions\">\
             <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
             aria-label=\"{copy_named}\" hidden>{copy}</button> \
             <a class=\"btn btn-secondary btn-sm edit\" href=\"/files/file?id={id}\" aria-label=\"{edit_named}\">{edit}</a> \
             <a class=\"btn btn-danger btn-sm delete\" href=\"{delete}\" aria-label=\"{delete_named}\">{delete_label}</a>\
             </td></tr>\n",
            id = esc(&f.id),
            icon = crate::pages::preview::listing_icon(app, f),
            url = esc(&url),
            name = esc(&f.name),
            size = esc(&human_size(f.size)),
            date = time_tag(f.uploaded),
            downloads = esc(&downloads(f)),
            expires = expires(f),
            delete = esc(&delete),
            select = esc(&named("my-files-select-file", &f.name)),
            copy_named = esc(&named("my-files-copy-link-to", &f.name)),
            copy = esc(&t("my-files-copy-link")),
            edit_named = esc(&named("my-files-edit-file", &f.name)),
            edit = esc(&t("my-files-edit")),
            delete_named = esc(&named("my-files-delete-file", &f.name)),
            delete_label = esc(&t("my-files-delete")),
        ));
    }
    if rows.is_empty() {
        let (title, hint) = if !asked.q.is_empty() {
            ("my-files-no-match-title", "my-files-no-match")
        } else if list.current.id != ROOT {
            ("my-files-empty-title", "my-files-empty-folder")
        } else {
            ("my-files-empty-title", "my-files-empty-root")
        };
        return format!(
            "<div class=\"card empty\" id=\"empty\"><p class=\"empty-title\">{}</p>\
             <p>{}</p><p><a class=\"btn\" href=\"/upload\">{}</a></p></div>",
            esc(&t(title)),
            esc(&t(hint)),
            esc(&t("my-files-upload"))
        );
    }
    let bulk = if list.files.is_empty() {
        String::new()
    } else {
        format!(
            "<form id=\"bulk\" method=\"post\" action=\"/files/bulk\" class=\"bulk\" aria-label=\"{selected}\">{csrf}{back}\
             <span class=\"bulk-title\">{with}</span>\
             <span class=\"bulk-move\"><label for=\"bulk-target\">{move_to}</label>\
             <select id=\"bulk-target\" name=\"target\">{options}</select>\
             <button class=\"btn btn-secondary btn-sm\" type=\"submit\" name=\"action\" value=\"move\" id=\"bulk-move\">{move_}</button></span>\
             <button class=\"btn btn-secondary btn-sm\" type=\"submit\" name=\"action\" value=\"mail\" id=\"bulk-mail\">{mail}</button>\
             <button class=\"btn btn-secondary btn-sm\" type=\"submit\" name=\"action\" value=\"zip\" id=\"bulk-zip\">{zip}</button>\
             <button class=\"btn btn-danger btn-sm\" type=\"submit\" name=\"action\" value=\"delete\" id=\"bulk-delete\">{delete}</button>\
             <span id=\"picked\" class=\"muted\" role=\"status\" data-one=\"{one}\" data-many=\"{many}\"></span></form>",
            selected = esc(&t("my-files-selected-files")),
            with = esc(&t("my-files-with-selected")),
            move_to = esc(&t("my-files-move-to")),
            move_ = esc(&t("my-files-move")),
            mail = esc(&t("my-files-mail-links")),
            zip = esc(&t("zip-download-selected")),
            delete = esc(&t("my-files-delete")),
            one = esc(&t("my-files-picked-one")),
            many = esc(&t("my-files-picked-many")),
            back = hidden("folder", &back),
            options = folder_options(&list.all, &back, None),
        )
    };
    format!(
        "{bulk}<div class=\"table-wrap\"><table id=\"listing\" class=\"listing my-files\"><thead><tr>\
         <th scope=\"col\" class=\"pick\"><input type=\"checkbox\" id=\"select-all\" aria-label=\"{select_all}\" hidden>\
         <span class=\"visually-hidden\">{select}</span></th>\
         {name}{size}{uploaded}{downloads}<th scope=\"col\" class=\"hide-sm\">{expires}</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">{actions}</span></th></tr></thead>\
         <tbody>\n{rows}</tbody></table></div>{copied}",
        name = sort_header(asked, Sort::Name, &t("my-files-name"), ""),
        size = sort_header(asked, Sort::Size, &t("my-files-size"), "num"),
        uploaded = sort_header(asked, Sort::Uploaded, &t("my-files-uploaded"), "hide-sm"),
        downloads = sort_header(
            asked,
            Sort::Downloads,
            &t("my-files-downloads"),
            "num hide-sm",
        ),
        select_all = esc(&t("my-files-select-all")),
        select = esc(&t("my-files-select")),
        expires = esc(&t("my-files-expires")),
        actions = esc(&t("my-files-actions")),
        copied = copied_status(),
    )
}

/// The share on/off button of a folder, and its public link when shared.
/// `back`: the folder whose listing to return to.
pub(super) fn share_form(app: &AppState, csrf: &str, f: &Folder, back: &str) -> String {
    let shared = f.shared == 1;
    let link = if shared {
        format!(
            "<a class=\"public\" href=\"{}\" aria-label=\"{}\">{}</a> ",
            esc(&app.url(&format!("/folder/{}", f.id))),
            esc(&named("my-files-public-page-of", &f.name)),
            esc(&t("my-files-public-page"))
        )
    } else {
        String::new()
    };
    let (label, label_named) = if shared {
        ("my-files-unshare", "my-files-unshare-named")
    } else {
        ("my-files-share", "my-files-share-named")
    };
    format!(
        "{link}<form method=\"post\" action=\"/files/share\" class=\"inline\">{csrf}{fid}{to}{back}\
         <button class=\"btn btn-secondary btn-sm share\" type=\"submit\" aria-label=\"{named}\">{label}</button></form>",
        fid = hidden("folder_id", &f.id),
        to = hidden("shared", if shared { "0" } else { "1" }),
        back = hidden("folder", back),
        named = esc(&named(label_named, &f.name)),
        label = esc(&t(label)),
    )
}

/// A message naming a file or folder (`$name`).
pub(super) fn named(key: &str, name: &str) -> String {
    t_args(key, &[("name", name.to_string().into())])
}

/// Where the script announces a copied link, with its words.
pub(super) fn copied_status() -> String {
    format!(
        "<div id=\"copied\" class=\"visually-hidden\" role=\"status\" data-copied=\"{}\" \
         data-done=\"{}\" data-failed=\"{}\"></div>",
        esc(&t("my-files-copied")),
        esc(&t("my-files-link-copied")),
        esc(&t("my-files-copy-failed"))
    )
}
