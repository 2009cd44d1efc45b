//! `folders.*` methods: read the parameters, call `library::folders`,
//! answer. Folder `0` is each user's root: it cannot be renamed, moved,
//! shared or deleted (11).

use crate::api::envelope::{Node, Reply};
use crate::api::error::{ApiError, ApiResult, Code};
use crate::api::files::{folder_param, id_list, required_folder, share, text_param, MAX_NAME};
use crate::api::{nodes, Ctx};
use crate::db::folders::Folder;
use crate::http::params::bad_value;
use crate::library::folders::{self, FolderChanges};
use crate::library::mail::Link;

/// `shared`: 0/1, present but empty is 0.
fn shared_flag(c: &Ctx<'_>) -> ApiResult<Option<bool>> {
    match c.params.get("shared").map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(false)),
        Some(_) => Ok(c.params.opt_flag("shared")?),
    }
}

pub async fn create(c: &Ctx<'_>) -> ApiResult<Reply> {
    let user = c.user()?;
    folders::may_create(&c.app.cfg, user)?;
    let name = text_param(c, "name", MAX_NAME)?.unwrap_or("").trim();
    if name.is_empty() {
        return Err(bad_value("name").into());
    }
    let shared = shared_flag(c)?.unwrap_or(false);
    let parent = folder_param(c, "parent_folder_id")?;
    let folder = folders::create(c.app, user.id, name, shared, parent).await?;
    Ok(Reply::one(nodes::folder(c.app, &folder)))
}

pub async fn get_all(c: &Ctx<'_>) -> ApiResult<Reply> {
    let all = folders::all(&c.app.db, c.user()?.id).await?;
    Ok(Reply::ok(
        all.iter().map(|f| nodes::folder(c.app, f)).collect(),
    ))
}

pub async fn get_contents(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = folders::own(&c.app.db, c.user()?.id, required_folder(c, "folder_id")?).await?;
    let (subfolders, files) = folders::contents(&c.app.db, &folder).await?;
    let v12 = c.session()?.is_v12();
    let mut children: Vec<Node> = subfolders.iter().map(|f| nodes::folder(c.app, f)).collect();
    children.extend(files.iter().map(|f| nodes::file(c.app, f, v12)));
    Ok(Reply::ok(children))
}

/// `<folder …/>` with `total_files`, `total_size` and `total_folders`,
/// counted over the folder and everything below it.
pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = folders::own(&c.app.db, c.user()?.id, required_folder(c, "folder_id")?).await?;
    let totals = folders::totals(&c.app.db, &folder).await?;
    Ok(Reply::one(
        nodes::folder(c.app, &folder)
            .attr("total_files", totals.files)
            .attr("total_size", totals.size)
            .attr("total_folders", totals.folders),
    ))
}

/// The caller's folder other than the root: 11 for the root, 10 if missing.
async fn own_not_root(c: &Ctx<'_>, id: &str) -> ApiResult<Folder> {
    Ok(folders::own_not_root(&c.app.db, c.user()?.id, id).await?)
}

pub async fn set_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, required_folder(c, "folder_id")?).await?;
    let changes = FolderChanges {
        name: text_param(c, "name", MAX_NAME)?.map(str::to_string),
        shared: shared_flag(c)?,
        parent: folder_param(c, "parent_folder_id")?.map(str::to_string),
    };
    let now_folder = folders::set_info(c.app, &folder, &changes).await?;
    Ok(Reply::one(nodes::folder(c.app, &now_folder)))
}

pub async fn move_folder(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, required_folder(c, "folder_id")?).await?;
    folders::move_under(c.app, &folder, required_folder(c, "parent_folder_id")?).await?;
    Ok(Reply::ok(vec![
        Node::text("status", "ok"),
        Node::text("id", &folder.id),
    ]))
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let folder = own_not_root(c, required_folder(c, "folder_id")?).await?;
    folders::delete(c.app, &folder).await?;
    Ok(Reply::ok(vec![
        Node::text("status", "ok"),
        Node::text("id", &folder.id),
    ]))
}

/// Any session may read any shared folder: by id (10 when unknown, 33 when
/// private) or by a full URL of this server (26 for any other URL).
pub async fn get_shared(c: &Ctx<'_>) -> ApiResult<Reply> {
    let shared = folders::shared(c.app, c.params.required("folder_id")?).await?;
    let brief = |tag: &'static str, f: &Folder| {
        Node::new(tag)
            .attr("id", &f.id)
            .attr("name", &f.name)
            .attr("parent_folder_id", &f.parent_id)
    };
    let mut children = vec![brief("current", &shared.folder)];
    children.extend(shared.folders.iter().map(|f| brief("folder", f)));
    children.extend(shared.files.iter().map(|f| {
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
        if !folders::is_folder_id(&id) {
            checked.push((id, Err(bad_value("folder_id").into())));
            continue;
        }
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
