//! Folders. Folder `0` is each user's root: it exists for every user and
//! cannot be renamed, moved, shared or deleted. Structure changes run
//! under the per-user lock (`db::lock`), so two racing moves can never
//! build a cycle.

use crate::config::Config;
use crate::db::files::{is_id, File};
use crate::db::folders::{self as rows, Totals};
use crate::db::folders::{Folder, ROOT};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::audit::{Actor, Entry, Event};
use crate::library::{id_from_url_or_id, Error, Library, Result};

/// The root as a folder: no name, never shared, no parent.
pub fn root(user_id: i64) -> Folder {
    Folder {
        id: ROOT.into(),
        user_id,
        parent_id: String::new(),
        name: String::new(),
        shared: 0,
        created: 0,
    }
}

/// Whether `id` has the shape of a folder id: the root `0` or a file/folder
/// id. Anything else is a malformed parameter, not a missing folder.
pub fn is_folder_id(id: &str) -> bool {
    id == ROOT || is_id(id)
}

/// The user's folder `id` (the root included), else `FolderNotFound`.
pub async fn own(db: &Db, user_id: i64, id: &str) -> Result<Folder> {
    let id = id.trim();
    if id == ROOT {
        return Ok(root(user_id));
    }
    if !is_id(id) {
        return Err(Error::FolderNotFound);
    }
    db.folder(id)
        .await?
        .filter(|f| f.user_id == user_id)
        .ok_or(Error::FolderNotFound)
}

/// The user's folder other than the root (which is `Denied`).
pub async fn own_not_root(db: &Db, user_id: i64, id: &str) -> Result<Folder> {
    if id.trim() == ROOT {
        return Err(Error::denied("The root folder cannot be changed"));
    }
    own(db, user_id, id).await
}

/// A folder the user may put files in: the root or their own (its id),
/// else `FolderNotFound`.
pub async fn own_folder_id(db: &Db, user_id: i64, id: &str) -> Result<String> {
    let id = id.trim();
    if id == ROOT || (is_id(id) && db.owns_folder(user_id, id).await?) {
        Ok(id.to_string())
    } else {
        Err(Error::FolderNotFound)
    }
}

/// Whether the user's membership has folders at all.
pub fn may_create(cfg: &Config, user: &User) -> Result<()> {
    if user.tier(cfg).capable_folders {
        Ok(())
    } else {
        Err(Error::denied("Folders are not available to this account"))
    }
}

/// Creates a folder under `parent` (the root when None or empty); the
/// parent is checked again under the user's lock.
pub async fn create(
    lib: &Library,
    user_id: i64,
    name: &str,
    shared: bool,
    parent: Option<&str>,
) -> Result<Folder> {
    let parent = match parent.map(str::trim) {
        None | Some("") => ROOT.to_string(),
        Some(p) => own_folder_id(&lib.db, user_id, p).await?,
    };
    let mut lock = lib.db.lock_user(user_id).await?;
    if !rows::owns_folder(lock.conn(), user_id, &parent).await? {
        return Err(Error::FolderNotFound);
    }
    let folder = loop {
        let folder = Folder {
            id: crate::db::files::new_id(),
            user_id,
            parent_id: parent.clone(),
            name: name.to_string(),
            shared: i64::from(shared),
            created: now(),
        };
        if rows::insert_folder(&mut lock, &folder).await? {
            break folder;
        }
    };
    lock.commit().await?;
    if shared {
        audit_share(lib, &folder, true).await;
    }
    Ok(folder)
}

/// Audits a folder's sharing turned on or off.
async fn audit_share(lib: &Library, folder: &Folder, shared: bool) {
    let event = if shared {
        Event::FolderShared
    } else {
        Event::FolderUnshared
    };
    Entry::new(event, Actor::User)
        .account(folder.user_id)
        .detail(format!("folder {} ({})", folder.id, folder.name))
        .record(&lib.db)
        .await;
}

/// The name the root goes by in the full listing: clients built against
/// sendspace.com look the root up by it (docs/api-notes.md).
pub const ROOT_NAME: &str = "Default";

/// All of the user's folders: the root first (named `ROOT_NAME`), then the
/// folders the user made, parents first.
pub async fn all(db: &Db, user_id: i64) -> Result<Vec<Folder>> {
    let mut all = vec![Folder {
        name: ROOT_NAME.into(),
        ..root(user_id)
    }];
    all.extend(db.user_folders(user_id).await?);
    Ok(all)
}

/// A folder's sub-folders (by name) and files (oldest first).
pub async fn contents(db: &Db, folder: &Folder) -> Result<(Vec<Folder>, Vec<File>)> {
    let folders = db.child_folders(folder.user_id, &folder.id).await?;
    let files = db.folder_files(folder.user_id, &folder.id).await?;
    Ok((folders, files))
}

/// Counts over the folder and everything below it.
pub async fn totals(db: &Db, folder: &Folder) -> Result<Totals> {
    Ok(db.folder_totals(folder.user_id, &folder.id).await?)
}

/// Moves `folder` under `target` (`BadTargetFolder` for a target that is
/// missing, not the owner's, the folder itself or below it). The checks
/// and the update run under the user's lock, so racing moves see each
/// other.
pub async fn move_under(lib: &Library, folder: &Folder, target: &str) -> Result<()> {
    let target = target.trim();
    if target == folder.id || (target != ROOT && !is_id(target)) {
        return Err(Error::BadTargetFolder);
    }
    let uid = folder.user_id;
    let mut lock = lib.db.lock_user(uid).await?;
    if target != ROOT && !rows::may_move_under(&mut lock, uid, &folder.id, target).await? {
        return Err(Error::BadTargetFolder);
    }
    if !rows::set_parent(&mut lock, uid, &folder.id, target).await? {
        return Err(Error::FolderNotFound);
    }
    lock.commit().await?;
    Ok(())
}

/// What `folders.setInfo` asks to change; None leaves a value alone.
#[derive(Debug, Default, Clone)]
pub struct FolderChanges {
    pub name: Option<String>,
    pub shared: Option<bool>,
    /// The new parent; empty is the root.
    pub parent: Option<String>,
}

/// Moves (when the parent changes), renames and (un)shares a folder that
/// is not the root; the folder as it is now.
pub async fn set_info(lib: &Library, folder: &Folder, changes: &FolderChanges) -> Result<Folder> {
    if let Some(parent) = &changes.parent {
        let parent = if parent.trim().is_empty() {
            ROOT
        } else {
            parent.as_str()
        };
        if parent.trim() != folder.parent_id {
            move_under(lib, folder, parent).await?;
        }
    }
    if changes.name.is_some() || changes.shared.is_some() {
        lib.db
            .update_folder(
                folder.user_id,
                &folder.id,
                changes.name.as_deref(),
                changes.shared,
            )
            .await?;
    }
    if let Some(shared) = changes.shared.filter(|s| *s != (folder.shared != 0)) {
        audit_share(lib, folder, shared).await;
    }
    own(&lib.db, folder.user_id, &folder.id).await
}

/// Deletes an empty folder (`FolderNotEmpty` otherwise).
pub async fn delete(lib: &Library, folder: &Folder) -> Result<()> {
    let mut lock = lib.db.lock_user(folder.user_id).await?;
    if !rows::delete_empty_folder(&mut lock, folder.user_id, &folder.id).await? {
        return Err(Error::FolderNotEmpty);
    }
    lock.commit().await?;
    Ok(())
}

/// A shared folder with what it shows anyone: its shared sub-folders and
/// its files.
#[derive(Debug, Clone)]
pub struct Shared {
    pub folder: Folder,
    pub folders: Vec<Folder>,
    pub files: Vec<File>,
}

async fn shared_contents(db: &Db, folder: Folder) -> Result<Shared> {
    let folders = db.shared_child_folders(folder.user_id, &folder.id).await?;
    let files = db
        .folder_files_newest_first(folder.user_id, &folder.id)
        .await?;
    Ok(Shared {
        folder,
        folders,
        files,
    })
}

/// Any user may read any shared folder: by id (`FolderNotFound` when
/// unknown, `FolderIsPrivate` when not shared) or by a full URL of this
/// server (`NotOurUrl` for any other URL).
pub async fn shared(lib: &Library, input: &str) -> Result<Shared> {
    let input = input.trim();
    let id = match id_from_url_or_id(lib, input, "/folder/") {
        Some(id) => id,
        None if input.contains("://") => return Err(Error::NotOurUrl),
        None => return Err(Error::FolderNotFound),
    };
    let folder = lib.db.folder(&id).await?.ok_or(Error::FolderNotFound)?;
    if folder.shared == 0 {
        return Err(Error::FolderIsPrivate);
    }
    shared_contents(&lib.db, folder).await
}

/// A shared folder by id with what it shows; None for a missing or
/// private one (pages say nothing more).
pub async fn shared_listing(db: &Db, id: &str) -> Result<Option<Shared>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(folder) = db.folder(id).await?.filter(|f| f.shared != 0) else {
        return Ok(None);
    };
    Ok(Some(shared_contents(db, folder).await?))
}
