//! `folders.*` methods. Folder `0` is each user's root: it exists for every
//! user, cannot be renamed, moved, shared or deleted (11). Structure
//! changes run under the per-user lock (`library::lock_user`), so two
//! racing moves can never build a cycle.

use crate::api::envelope::{Node, Reply};
use crate::api::files::{id_list, own_folder_id, share, text_param, MAX_NAME};
use crate::api::{nodes, Ctx};
use crate::db::files::{is_id, File, Folder, FILE_COLUMNS, FOLDER_COLUMNS, ROOT};
use crate::db::now;
use crate::error::{ApiError, ApiResult, Code};
use crate::http::params::bad_value;
use crate::library;
use crate::library::mail::Link;
use crate::state::AppState;

/// The root as a `<folder/>`: no name, never shared, no parent.
fn root(user_id: i64) -> Folder {
    Folder {
        id: ROOT.into(),
        user_id,
        parent_id: String::new(),
        name: String::new(),
        shared: 0,
        created: 0,
    }
}

/// The caller's folder `id` (the root included), or 10.
async fn own(c: &Ctx<'_>, id: &str) -> ApiResult<Folder> {
    let uid = c.user()?.id;
    let id = id.trim();
    if id == ROOT {
        return Ok(root(uid));
    }
    if !is_id(id) {
        return Err(ApiError::new(Code::FolderNotFound));
    }
    c.app
        .db
        .folder(id)
        .await?
        .filter(|f| f.user_id == uid)
        .ok_or_else(|| ApiError::new(Code::FolderNotFound))
}

/// The caller's folder other than the root: 11 for the root, 10 if missing.
async fn own_not_root(c: &Ctx<'_>, id: &str) -> ApiResult<Folder> {
    if id.trim() == ROOT {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "The root folder cannot be changed",
        ));
    }
    own(c, id).await
}

fn shared_flag(c: &Ctx<'_>) -> ApiResult<Option<i64>> {
    match c.params.get("shared").map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(0)),
        Some(_) => Ok(c.params.opt_flag("shared")?.map(i64::from)),
    }
}

pub async fn create(c: &Ctx<'_>) -> ApiResult<Reply> {
    let user = c.user()?;
    if !user.tier(&c.app.cfg).capable_folders {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "Folders are not available to this account",
        ));
    }
    let name = text_param(c, "name", MAX_NAME)?.unwrap_or("").trim();
    if name.is_empty() {
        return Err(bad_value("name").into());
    }
    let shared = shared_flag(c)?.unwrap_or(0);
    let parent = match c.params.get("parent_folder_id").map(str::trim) {
        None | Some("") => ROOT.to_string(),
        Some(p) => own_folder_id(c, p).await?,
    };
    let mut tx = library::lock_user(c.app, user.id).await?;
    if parent != ROOT {
        let still: Option<String> =
            sqlx::query_scalar("SELECT id FROM folders WHERE id = $1 AND user_id = $2")
                .bind(&parent)
                .bind(user.id)
                .fetch_optional(&mut *tx)
                .await?;
        if still.is_none() {
            return Err(ApiError::new(Code::FolderNotFound));
        }
    }
    let folder = loop {
        let folder = Folder {
            id: crate::db::files::new_id(),
            user_id: user.id,
            parent_id: parent.clone(),
            name: name.to_string(),
            shared,
            created: now(),
        };
        let inserted = sqlx::query(
            "INSERT INTO folders (id, user_id, parent_id, name, shared, created) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&folder.id)
        .bind(folder.user_id)
        .bind(&folder.parent_id)
        .bind(&folder.name)
        .bind(folder.shared)
        .bind(folder.created)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            break folder;
        }
    };
    tx.commit().await?;
    Ok(Reply::one(nodes::folder(c.app, &folder)))
}

/// The user's folders: all of them (parents first), or the children of one.
async fn user_folders(
    app: &AppState,
    user_id: i64,
    parent: Option<&str>,
) -> sqlx::Result<Vec<Folder>> {
    let Some(parent) = parent else {
        return sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 ORDER BY created, id"
        ))
        .bind(user_id)
        .fetch_all(&app.db.pool)
        .await;
    };
    sqlx::query_as(&format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 ORDER BY name, id"
    ))
    .bind(user_id)
    .bind(parent)
    .fetch_all(&app.db.pool)
    .await
}

pub async fn get_all(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folders = user_folders(c.app, c.user()?.id, None).await?;
    Ok(Reply::ok(
        folders.iter().map(|f| nodes::folder(c.app, f)).collect(),
    ))
}

pub async fn get_contents(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own(c, c.params.required("folder_id")?).await?;
    let uid = folder.user_id;
    let folders = user_folders(c.app, uid, Some(&folder.id)).await?;
    let files: Vec<File> = sqlx::query_as(&format!(
        "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 ORDER BY uploaded, id"
    ))
    .bind(uid)
    .bind(&folder.id)
    .fetch_all(&c.app.db.pool)
    .await?;
    let v12 = c.session()?.is_v12();
    let mut children: Vec<Node> = folders.iter().map(|f| nodes::folder(c.app, f)).collect();
    children.extend(files.iter().map(|f| nodes::file(c.app, f, v12)));
    Ok(Reply::ok(children))
}

/// `<folder …/>` with `total_files`, `total_size` and `total_folders`,
/// counted over the folder and everything below it.
pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own(c, c.params.required("folder_id")?).await?;
    let (folders, files, size): (i64, i64, i64) = sqlx::query_as(
        "WITH RECURSIVE tree(id) AS ( \
           SELECT CAST($1 AS TEXT) \
           UNION SELECT f.id FROM folders f JOIN tree t ON f.parent_id = t.id WHERE f.user_id = $2 \
         ) SELECT \
           (SELECT COUNT(*) FROM tree) - 1, \
           (SELECT COUNT(*) FROM files WHERE user_id = $2 AND folder_id IN (SELECT id FROM tree)), \
           (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE user_id = $2 AND folder_id IN (SELECT id FROM tree))",
    )
    .bind(&folder.id)
    .bind(folder.user_id)
    .fetch_one(&c.app.db.pool)
    .await?;
    Ok(Reply::one(
        nodes::folder(c.app, &folder)
            .attr("total_files", files)
            .attr("total_size", size)
            .attr("total_folders", folders),
    ))
}

/// Moves `folder` under `target` (31 for a target that is missing, not
/// the caller's, the folder itself or below it). The checks and the
/// update run under the user's lock, so racing moves see each other.
async fn move_under(c: &Ctx<'_>, folder: &Folder, target: &str) -> ApiResult<()> {
    let bad_target = || ApiError::new(Code::BadTargetFolder);
    let target = target.trim();
    if target == folder.id || (target != ROOT && !is_id(target)) {
        return Err(bad_target());
    }
    let uid = folder.user_id;
    let mut tx = library::lock_user(c.app, uid).await?;
    if target != ROOT {
        // The target's ancestors, itself included; `UNION` ends the walk
        // even on a (never expected) cycle.
        let hits: (i64, i64) = sqlx::query_as(
            "WITH RECURSIVE up(id, parent_id) AS ( \
               SELECT id, parent_id FROM folders WHERE id = $1 AND user_id = $2 \
               UNION SELECT f.id, f.parent_id FROM folders f JOIN up ON f.id = up.parent_id WHERE f.user_id = $2 \
             ) SELECT (SELECT COUNT(*) FROM up WHERE id = $1), (SELECT COUNT(*) FROM up WHERE id = $3)",
        )
        .bind(target)
        .bind(uid)
        .bind(&folder.id)
        .fetch_one(&mut *tx)
        .await?;
        if hits.0 == 0 || hits.1 > 0 {
            return Err(bad_target());
        }
    }
    let moved = sqlx::query("UPDATE folders SET parent_id = $1 WHERE id = $2 AND user_id = $3")
        .bind(target)
        .bind(&folder.id)
        .bind(uid)
        .execute(&mut *tx)
        .await?;
    if moved.rows_affected() == 0 {
        return Err(ApiError::new(Code::FolderNotFound));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn set_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, c.params.required("folder_id")?).await?;
    let name = text_param(c, "name", MAX_NAME)?;
    let shared = shared_flag(c)?;
    if let Some(parent) = c.params.get("parent_folder_id") {
        let parent = if parent.trim().is_empty() {
            ROOT
        } else {
            parent
        };
        if parent.trim() != folder.parent_id {
            move_under(c, &folder, parent).await?;
        }
    }
    if name.is_some() || shared.is_some() {
        sqlx::query(
            "UPDATE folders SET name = COALESCE($1, name), shared = COALESCE($2, shared) WHERE id = $3 AND user_id = $4",
        )
        .bind(name.map(str::to_string))
        .bind(shared)
        .bind(&folder.id)
        .bind(folder.user_id)
        .execute(&c.app.db.pool)
        .await?;
    }
    let now_folder = own(c, &folder.id).await?;
    Ok(Reply::one(nodes::folder(c.app, &now_folder)))
}

pub async fn move_folder(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, c.params.required("folder_id")?).await?;
    move_under(c, &folder, c.params.required("parent_folder_id")?).await?;
    Ok(Reply::ok(vec![
        Node::text("status", "ok"),
        Node::text("id", &folder.id),
    ]))
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, c.params.required("folder_id")?).await?;
    let mut tx = library::lock_user(c.app, folder.user_id).await?;
    let deleted = sqlx::query(
        "DELETE FROM folders WHERE id = $1 AND user_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM files WHERE user_id = $2 AND folder_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM folders WHERE user_id = $2 AND parent_id = $1)",
    )
    .bind(&folder.id)
    .bind(folder.user_id)
    .execute(&mut *tx)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(ApiError::new(Code::FolderNotEmpty));
    }
    tx.commit().await?;
    Ok(Reply::ok(vec![
        Node::text("status", "ok"),
        Node::text("id", &folder.id),
    ]))
}

/// Any session may read any shared folder: by id (10 when unknown, 33 when
/// private) or by a full URL of this server (26 for any other URL).
pub async fn get_shared(c: &Ctx<'_>) -> ApiResult<Reply> {
    let input = c.params.required("folder_id")?.trim();
    let id = match library::id_from_url_or_id(c.app, input, "/folder/") {
        Some(id) => id,
        None if input.contains("://") => return Err(ApiError::new(Code::InvalidFileUrl)),
        None => return Err(ApiError::new(Code::FolderNotFound)),
    };
    let folder = c
        .app
        .db
        .folder(&id)
        .await?
        .ok_or_else(|| ApiError::new(Code::FolderNotFound))?;
    if folder.shared == 0 {
        return Err(ApiError::new(Code::FolderIsPrivate));
    }
    let (folders, files) = library::shared_contents(c.app, &folder).await?;
    let brief = |tag: &'static str, f: &Folder| {
        Node::new(tag)
            .attr("id", &f.id)
            .attr("name", &f.name)
            .attr("parent_folder_id", &f.parent_id)
    };
    let mut children = vec![brief("current", &folder)];
    children.extend(folders.iter().map(|f| brief("folder", f)));
    children.extend(files.iter().map(|f| {
        Node::new("file")
            .attr("id", &f.id)
            .attr("name", &f.name)
            .attr("description", &f.description)
            .attr("folder_id", &f.folder_id)
            .attr("upload_time", f.uploaded)
            .attr("file_size", f.size)
    }));
    Ok(Reply::ok(children))
}

pub async fn send_mail(c: &Ctx<'_>) -> ApiResult<Reply> {
    let mut checked = Vec::new();
    for id in id_list(c, "folder_id")? {
        let link = own_not_root(c, &id)
            .await
            .map_err(|e| match e.code {
                Code::PermissionDenied => ApiError::new(Code::FolderNotFound),
                _ => e,
            })
            .map(|f| Link {
                url: c.app.url(&format!("/folder/{}", f.id)),
                name: f.name,
            });
        checked.push((id, link));
    }
    share(c, "folder", checked).await
}
