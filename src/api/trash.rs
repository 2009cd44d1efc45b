//! dropspace extensions of `/rest/` for the expiry lifecycle
//! (docs/api-notes.md, "Expiry and trash"): `files.extend`, `trash.list`,
//! `trash.restore`, `trash.purge`. The guide's methods answer as before.

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::{nodes, Ctx};
use crate::db::trash::TrashReason;
use crate::http::params::bad_value;
use crate::library::files::MAX_TIME_LIMIT;
use crate::library::{expiry, trash};

/// files.extend: `file_id`, optional `time_limit` (seconds from now;
/// default: the tier's extension). The file as `files.getInfo` shows it.
pub async fn extend(c: &Ctx<'_>) -> ApiResult<Reply> {
    let user = c.user()?;
    let id = c.params.required("file_id")?.trim();
    let secs = match c.params.opt_u64("time_limit")? {
        Some(0) | None => None,
        Some(s) if s > MAX_TIME_LIMIT => return Err(bad_value("time_limit").into()),
        Some(s) => Some(s),
    };
    let file = expiry::extend_file(c.app, user, id, secs).await?;
    Ok(Reply::one(nodes::file(c.app, &file, c.session()?.is_v12())))
}

fn reason(r: TrashReason) -> &'static str {
    match r {
        TrashReason::Deleted => "deleted",
        TrashReason::Expired => "expired",
    }
}

/// trash.list: `<file id name size folder_id reason trashed purge_at/>`
/// per trashed file, latest first.
pub async fn list(c: &Ctx<'_>) -> ApiResult<Reply> {
    let items = trash::list(c.app, c.user()?).await?;
    Ok(Reply::ok(
        items
            .iter()
            .map(|t| {
                Node::new("file")
                    .attr("id", &t.id)
                    .attr("name", &t.name)
                    .attr("size", t.size)
                    .attr("folder_id", &t.folder_id)
                    .attr("reason", reason(t.reason()))
                    .attr("trashed", t.trashed_at)
                    .attr("purge_at", t.purge_at)
            })
            .collect(),
    ))
}

/// trash.restore: `file_id`; `<file id folder_id/>` (the folder it is in
/// now). 9 when it is not in the trash, the disk space error when the
/// account's quota has no room for it.
pub async fn restore(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id = c.params.required("file_id")?.trim();
    let folder = trash::restore(c.app, c.user()?, id).await?;
    Ok(Reply::one(
        Node::new("file").attr("id", id).attr("folder_id", folder),
    ))
}

/// trash.purge: `file_id`; `<file id/>` once it is deleted for good.
pub async fn purge(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id = c.params.required("file_id")?.trim();
    trash::purge(c.app, c.user()?, id).await?;
    Ok(Reply::one(Node::new("file").attr("id", id)))
}
