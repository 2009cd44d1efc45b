//! `/folder/{id}`: the public listing of a shared folder — its files (each
//! linking to its download page) and its shared sub-folders. A private or
//! unknown folder is the same plain 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::shell::FOLDER_ICON;
use crate::db::files::File;
use crate::http::html::{esc, human_size, not_found, page, time_tag, try_later};
use crate::library::folders::{self, Shared};
use crate::library::zip;
use crate::pages::i18n::{t, t_args};
use crate::state::App;

pub fn routes() -> Router<App> {
    Router::new().route("/folder/{id}", get(show))
}

async fn show(State(app): State<App>, Path(id): Path<String>) -> Response {
    let Shared {
        folder,
        folders,
        files,
    } = match folders::shared_listing(&app.db, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "shared folder page");
            return try_later(&t("folder-unavailable"));
        }
    };
    let mut rows = String::new();
    for f in &folders {
        rows.push_str(&format!(
            "<tr><td>{FOLDER_ICON}<a href=\"{}\">{}</a></td><td></td><td></td></tr>\n",
            esc(&app.url(&format!("/folder/{}", f.id))),
            esc(&f.name)
        ));
    }
    for f in &files {
        rows.push_str(&format!(
            "<tr><td>{} <a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
            // A thumbnail or a type icon (docs/web.md, "Previews, thumbnails and QR codes").
            crate::pages::preview::listing_icon(&app, f),
            esc(&app.url(&format!("/file/{}", f.id))),
            esc(&f.name),
            esc(&human_size(f.size)),
            time_tag(f.uploaded),
        ));
    }
    let listing = if rows.is_empty() {
        format!(
            "<div class=\"card empty\"><p class=\"empty-title\">{}</p></div>",
            esc(&t("folder-empty"))
        )
    } else {
        format!(
            "<div class=\"table-wrap\"><table class=\"listing\">\n<thead><tr><th>{}</th><th>{}</th>\
             <th>{}</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table></div>",
            esc(&t("folder-name")),
            esc(&t("folder-size")),
            esc(&t("folder-uploaded")),
        )
    };
    let zip = if files.is_empty() && folders.is_empty() {
        String::new()
    } else {
        zip_actions(&format!("/folder/{}/zip", folder.id), &files)
    };
    let body = format!(
        "<p class=\"actions\"><span class=\"tag\">{shared}</span> <a href=\"{rss}\">{feed}</a></p>\n{zip}{listing}{qr}",
        shared = esc(&t("folder-shared")),
        feed = esc(&t("folder-rss")),
        rss = esc(&app.url(&format!("/rss/{}", folder.id))),
        qr = crate::pages::preview::folder_qr_img(&folder.id, &folder.name),
    );
    page(StatusCode::OK, &folder.name, &body)
}

/// The "Download all as zip" button of a folder or bundle page, and which
/// of `files` stay out of it (docs/zip.md).
pub fn zip_actions(href: &str, files: &[File]) -> String {
    let left_out = files.iter().filter(|f| !zip::zippable(f)).count();
    let hint = if left_out > 0 {
        format!(
            "<p class=\"hint\" id=\"zip-left-out\">{}</p>",
            esc(&t_args("zip-left-out", &[("count", left_out.into())]))
        )
    } else {
        String::new()
    };
    format!(
        "<p class=\"actions\"><a class=\"btn\" id=\"zip\" href=\"{}\" download>{}</a></p>{hint}\n",
        esc(href),
        esc(&t("zip-download"))
    )
}
