//! `/files/trash`: the user's trash (docs/expiry.md) — deleted and
//! expired files with their purge time, restore and delete forever — and
//! `POST /files/extend`, the Extend button beside a file's expiry.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{error_page, first, hidden, pipeline, see_other, to_login, Posted};
use crate::api::error::ApiError;
use crate::db::trash::TrashReason;
use crate::http::html::{esc, human_size, notice, time_tag};
use crate::http::ClientIp;
use crate::library::{expiry, trash};
use crate::pages::i18n::t;
use crate::pages::web::visitor;
use crate::state::App;

/// `POST /files/extend` (`csrf`, `id`): the file's expiry moved by the
/// tier's extension (as the extend link of a warning would).
pub(super) async fn extend(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    let done = async {
        pipeline(&app, ip, &user, true).await?;
        expiry::extend_file(&app, &user, &id, None).await
    };
    match done.await {
        Ok(_) => see_other(&format!("/files/file?id={id}&saved=1")),
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// `GET /files/trash[?done=restored|purged]`
pub(super) async fn show(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let v = visitor(&app, &headers).await;
    let Some(user) = v.user.clone() else {
        return to_login("/files/trash");
    };
    let items = async {
        pipeline(&app, ip, &user, false).await?;
        trash::list(&app, &user).await
    };
    let items = match items.await {
        Ok(items) => items,
        Err(e) => return error_page(&v, &ApiError::from(e)),
    };
    let notice = match q.get("done").map(String::as_str) {
        Some("restored") => Some("trash-restored"),
        Some("purged") => Some("trash-purged"),
        _ => None,
    }
    .map(|key| notice(true, &t(key)))
    .unwrap_or_default();
    let csrf = hidden("csrf", &v.csrf);
    let rows: String = items
        .iter()
        .map(|f| {
            let why = t(match f.reason() {
                TrashReason::Deleted => "trash-reason-deleted",
                TrashReason::Expired => "trash-reason-expired",
            });
            format!(
                "<tr data-id=\"{id}\"><td>{name}</td><td>{size}</td><td>{when} ({why})</td><td>{purge}</td>\
                 <td class=\"row-actions\">\
                 <form method=\"post\" action=\"/files/trash/restore\" class=\"inline\">{csrf}{fid}\
                 <button class=\"btn btn-secondary btn-sm restore\" type=\"submit\">{l_restore}</button></form> \
                 <form method=\"post\" action=\"/files/trash/purge\" class=\"inline\">{csrf}{fid}\
                 <button class=\"btn btn-danger btn-sm purge\" type=\"submit\">{l_purge}</button></form></td></tr>",
                id = esc(&f.id),
                name = esc(&f.name),
                size = esc(&human_size(f.size)),
                when = time_tag(f.trashed_at),
                why = esc(&why),
                purge = time_tag(f.purge_at),
                fid = hidden("id", &f.id),
                l_restore = esc(&t("trash-restore")),
                l_purge = esc(&t("trash-delete")),
            )
        })
        .collect();
    let table = if items.is_empty() {
        format!(
            "<p class=\"empty\" id=\"trash-empty\">{}</p>",
            esc(&t("trash-empty"))
        )
    } else {
        format!(
            "<table class=\"files\" id=\"trash\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th></th></tr></thead><tbody>{rows}</tbody></table>",
            esc(&t("trash-name")),
            esc(&t("trash-size")),
            esc(&t("trash-when")),
            esc(&t("trash-purge")),
        )
    };
    v.page(
        StatusCode::OK,
        &t("trash-title"),
        &format!(
            "<p><a class=\"btn btn-secondary btn-sm\" href=\"/files\" id=\"back\">&larr; {}</a></p>{notice}\
             <p>{}</p>{table}",
            esc(&t("my-files-title")),
            esc(&t("trash-intro")),
        ),
        &[],
    )
}

/// `POST /files/trash/restore` (`csrf`, `id`)
pub(super) async fn restore(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    posted: Posted,
) -> Response {
    act(app, ip, posted, true).await
}

/// `POST /files/trash/purge` (`csrf`, `id`)
pub(super) async fn purge(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    posted: Posted,
) -> Response {
    act(app, ip, posted, false).await
}

async fn act(
    app: App,
    ip: std::net::IpAddr,
    Posted { v, user, form }: Posted,
    restore: bool,
) -> Response {
    let id = first(&form, "id").unwrap_or_default().trim().to_string();
    let done = async {
        pipeline(&app, ip, &user, true).await?;
        if restore {
            trash::restore(&app, &user, &id).await.map(|_| "restored")
        } else {
            trash::purge(&app, &user, &id).await.map(|_| "purged")
        }
    };
    match done.await {
        Ok(what) => see_other(&format!("/files/trash?done={what}")),
        Err(crate::library::Error::DiskspaceLimit) => v.page(
            StatusCode::BAD_REQUEST,
            &t("trash-title"),
            &format!(
                "{}<p><a class=\"btn btn-secondary\" href=\"/files/trash\">{}</a></p>",
                notice(false, &t("trash-over-quota")),
                esc(&t("trash-title")),
            ),
            &[],
        ),
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}
