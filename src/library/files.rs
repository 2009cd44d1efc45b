//! Files: the owner's lookups, set info (as one typed change), moves,
//! deleting (row, quota, then blob), blob removal and its retries, delete
//! links, and the checks before a download.

use std::net::IpAddr;

use crate::db::files::{self as rows, is_id, File, FileUpdate, LimitAction};
use crate::db::folders::ROOT;
use crate::db::throttle::Counter;
use crate::db::trash::{self, TrashReason};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::audit::{Actor, Entry, Event};
use crate::library::{folders, id_from_url_or_id, limits, Error, Library, Result, MAX_NAME};

/// Longest time limit in seconds: a century is plenty and keeps
/// `now + secs` far from overflow.
pub const MAX_TIME_LIMIT: i64 = 100 * 366 * 86400;

/// Seconds before a failed blob removal is tried again.
const BLOB_RETRY_SECS: i64 = 300;

/// The caller's file `id`: another user's id is the same `FileNotFound`
/// as a missing one.
pub async fn own(db: &Db, user_id: i64, id: &str) -> Result<File> {
    if !is_id(id) {
        return Err(Error::FileNotFound);
    }
    db.own_file(user_id, id).await?.ok_or(Error::FileNotFound)
}

/// `own` for showing the file (`files.getInfo`): the copy may be up to
/// `limits.session_cache_ms` behind a change made on another node.
pub async fn shown(db: &Db, user_id: i64, id: &str) -> Result<File> {
    if !is_id(id) {
        return Err(Error::FileNotFound);
    }
    db.own_file_shown(user_id, id)
        .await?
        .ok_or(Error::FileNotFound)
}

/// What `files.setInfo` asks to change: absent leaves a value alone, an
/// empty text clears it (an empty folder is the root). Lengths and ranges
/// are the front end's to check, in its parameters' order.
#[derive(Debug, Default, Clone)]
pub struct SetInfo {
    pub name: Option<String>,
    pub description: Option<String>,
    /// In clear; empty removes the password.
    pub password: Option<String>,
    /// Seconds from now (0 = none), at most `MAX_TIME_LIMIT`.
    pub time_limit: Option<i64>,
    pub downloads_limit: Option<i64>,
    pub limit_action: Option<LimitAction>,
    pub limit_action_to_folder: Option<String>,
    pub folder: Option<String>,
}

/// The update `info` makes, once its folders are checked to be the
/// user's (`FolderNotFound` otherwise). Setting any limit re-arms a
/// blocked file.
pub async fn prepare(lib: &Library, user: &User, info: &SetInfo) -> Result<FileUpdate> {
    let user_id = user.id;
    // A tier with a longest time limit keeps every file within it: none
    // (0) would be forever (docs/api-notes.md).
    if let (Some(secs), Some(max)) = (
        info.time_limit,
        limits::max_time_limit(&lib.cfg, limits::Uploader::Account(user)),
    ) {
        if secs == 0 || secs > max {
            return Err(limits::too_long(max));
        }
    }
    let mut update = FileUpdate {
        // A rename is cleaned like an uploaded name (docs/api-notes.md).
        name: info
            .name
            .as_deref()
            .map(|n| dropspace_proto::upload::clean_name(n, MAX_NAME)),
        description: info.description.clone(),
        password_sealed: info.password.as_ref().map(|p| {
            if p.is_empty() {
                String::new()
            } else {
                lib.secrets.seal(p)
            }
        }),
        time_limit: info
            .time_limit
            .map(|secs| (secs, if secs == 0 { 0 } else { now() + secs })),
        download_limit: info.downloads_limit,
        limit_action: info.limit_action,
        ..FileUpdate::default()
    };
    update.rearm =
        info.time_limit.is_some() || info.downloads_limit.is_some() || info.limit_action.is_some();
    if let Some(to) = &info.limit_action_to_folder {
        update.limit_action_to_folder = Some(if to.trim().is_empty() {
            String::new()
        } else {
            folders::own_folder_id(&lib.db, user_id, to).await?
        });
    }
    if let Some(f) = &info.folder {
        update.folder_id = Some(if f.trim().is_empty() {
            ROOT.to_string()
        } else {
            folders::own_folder_id(&lib.db, user_id, f).await?
        });
    }
    Ok(update)
}

/// The update of `files.moveToFolder`, once `folder` is checked to be the
/// user's.
pub async fn move_to(db: &Db, user_id: i64, folder: &str) -> Result<FileUpdate> {
    Ok(FileUpdate {
        folder_id: Some(folders::own_folder_id(db, user_id, folder).await?),
        ..FileUpdate::default()
    })
}

/// Applies `update` to the user's file under the user's lock (a target
/// folder deleted meanwhile is `FolderNotFound`); the file as it is now.
pub async fn update(
    lib: &Library,
    user_id: i64,
    file_id: &str,
    update: &FileUpdate,
) -> Result<File> {
    if !update.is_empty() {
        let mut lock = lib.db.lock_user(user_id).await?;
        let done = rows::update_file(&mut lock, user_id, file_id, update).await?;
        lock.commit().await?;
        if !done {
            own(&lib.db, user_id, file_id).await?;
            return Err(Error::FolderNotFound);
        }
    }
    own(&lib.db, user_id, file_id).await
}

/// Deletes a file row (only if `owner` owns it, when given), frees its
/// owner's disk space in the same transaction, then removes the blob — or
/// moves a file of an account into its trash (docs/expiry.md). False when
/// there was no such file (already deleted counts as that). For
/// `files.delete`, My files and the delete pages.
pub async fn delete_file(lib: &Library, file_id: &str, owner: Option<i64>) -> Result<bool> {
    let gone = match delete_file_row(lib, file_id, owner, TrashReason::Deleted).await? {
        Deleted::Blob(blob_key, file) => {
            remove_blob(lib, &blob_key).await;
            file
        }
        Deleted::Trashed(file) => file,
        Deleted::NoSuchFile => return Ok(false),
    };
    // Without an owner given, it was deleted through its delete link.
    let actor = if owner.is_some() {
        Actor::User
    } else {
        Actor::Visitor
    };
    Entry::new(Event::FileDeleted, actor)
        .account(gone.user_id.unwrap_or(0))
        .detail(format!("file {} ({})", gone.id, gone.name))
        .record(&lib.db)
        .await;
    Ok(true)
}

/// What deleting a file's row left to do.
pub(crate) enum Deleted {
    NoSuchFile,
    /// In its owner's trash: the blob stays until the trash is purged.
    Trashed(Box<File>),
    /// Gone: this blob is to be removed.
    Blob(String, Box<File>),
}

/// The row and quota half of `delete_file`: a file of an account whose
/// tier keeps a trash (`trash_secs` > 0) goes there, any other row is
/// deleted.
pub(crate) async fn delete_file_row(
    lib: &Library,
    file_id: &str,
    owner: Option<i64>,
    reason: TrashReason,
) -> Result<Deleted> {
    let Some(file) = lib.db.file(file_id).await? else {
        return Ok(Deleted::NoSuchFile);
    };
    if owner.is_some() && file.user_id != owner {
        return Ok(Deleted::NoSuchFile);
    }
    let keep_secs = match file.user_id {
        Some(uid) => super::trash::keep_secs(lib, uid).await?,
        None => 0,
    };
    let mut lock = lib.db.lock_owner(file.user_id).await?;
    let t = now();
    let done = match file.user_id {
        Some(uid) if keep_secs > 0 => {
            trash::trash_file_row(&mut lock, file_id, uid, reason, t, t + keep_secs)
                .await?
                .map(|_| Deleted::Trashed(Box::new(file.clone())))
        }
        _ => rows::delete_file_row(&mut lock, file_id, file.user_id)
            .await?
            .map(|blob_key| Deleted::Blob(blob_key, Box::new(file.clone()))),
    };
    match done {
        Some(deleted) => {
            lock.commit().await?;
            lib.db.cache.file_changed(file_id);
            Ok(deleted)
        }
        None => {
            lock.rollback().await?;
            Ok(Deleted::NoSuchFile)
        }
    }
}

/// Removes a blob no row refers to any more. Unlinking a file that a
/// download still reads is safe on the fs backend. On failure the removal
/// is retried later by the sweeper (the failure is logged here, as it is
/// not returned).
pub async fn remove_blob(lib: &Library, blob_key: &str) {
    // A backup running now may still have to copy it (its lease is set
    // before its snapshot, so a row deleted after the snapshot sees it).
    if !matches!(lib.db.backup_lease_held().await, Ok(false)) {
        if let Err(e) =
            remove_blob_later(lib, blob_key, crate::db::settings::BACKUP_LEASE_SECS).await
        {
            tracing::error!(error = %e, "could not queue blob removal");
        }
        return;
    }
    if let Err(e) = super::content::delete(&lib.db, &lib.blobs, blob_key).await {
        tracing::warn!(error = %e, "deleting blob; will retry");
        if let Err(e) = remove_blob_later(lib, blob_key, BLOB_RETRY_SECS).await {
            tracing::error!(error = %e, "could not queue blob removal");
        }
    }
}

/// Queues a blob for removal by the sweeper after `secs`.
pub async fn remove_blob_later(lib: &Library, blob_key: &str, secs: i64) -> Result<()> {
    lib.db.queue_blob_removal(blob_key, now() + secs).await?;
    Ok(())
}

/// Removes the queued blobs that are due. Each row is claimed by deleting
/// it, so several nodes never remove (or retry) the same blob twice.
pub async fn sweep_deleted_blobs(lib: &Library) -> Result<()> {
    for key in lib.db.due_blob_removals(now()).await? {
        // Checked per blob: a backup that began a moment ago may need it.
        if lib.db.backup_lease_held().await? {
            return Ok(());
        }
        if lib.db.claim_blob_removal(&key).await? {
            remove_blob(lib, &key).await;
        }
    }
    Ok(())
}

/// `{public_url}/delete/{id}/{secret}` for any file. Owned files store no
/// delete secret, so the secret is derived from the server key, the id and
/// the blob key: it needs no storage, survives renames and moves, and
/// cannot delete a later file that happens to reuse the id.
pub fn delete_url(lib: &Library, file: &File) -> String {
    lib.url(&format!("/delete/{}/{}", file.id, delete_secret(lib, file)))
}

pub fn delete_secret(lib: &Library, file: &File) -> String {
    lib.secrets
        .sign(&format!("delete:{}:{}", file.id, file.blob_key))
}

/// Whether `secret` may delete `file`: the stored anonymous delete secret
/// (hashed) or the derived one of `delete_url`, compared in constant time.
pub fn delete_secret_ok(lib: &Library, file: &File, secret: &str) -> bool {
    let stored = !file.delete_hash.is_empty()
        && crate::secrets::ct_eq(&crate::secrets::hash_secret(secret), &file.delete_hash);
    stored
        || lib
            .secrets
            .verify(&format!("delete:{}:{}", file.id, file.blob_key), secret)
}

/// The file `given` (an id or a download page URL of this server) names,
/// if `user` may download it now: their membership allows downloads, the
/// password is right, its limits allow one, their bandwidth covers it and
/// its bytes can be read.
pub async fn for_download(
    lib: &Library,
    user: &User,
    given: &str,
    password: &str,
    ip: IpAddr,
) -> Result<File> {
    let id = id_from_url_or_id(lib, given, "/file/").ok_or(Error::NotOurUrl)?;
    if !user.tier(&lib.cfg).capable_download {
        return Err(Error::denied("Downloads are not part of this membership"));
    }
    let file = lib.db.file(&id).await?.ok_or(Error::FileNotFound)?;
    check_password(lib, &file, password, ip).await?;
    limits::check_downloadable(lib, &file).await?;
    let left = user.bandwidth_left(&lib.cfg);
    if left >= 0 && left < file.size.max(1) {
        return Err(Error::BandwidthLimit);
    }
    if !matches!(
        super::content::stat(&lib.db, &lib.blobs, &file.blob_key).await,
        Ok(Some(_))
    ) {
        return Err(Error::DownloadUnavailable);
    }
    Ok(file)
}

/// A file's download password, as the download page and `download.getInfo`
/// check it: throttled per file and per client address in the database
/// (docs/security.md), like logins. While either waits the password is not
/// looked at (`PasswordWait`); a check that finds them throttled by a
/// parallel wrong try answers the same. An empty password is wrong without
/// counting (it guesses nothing); the right one clears the file's counter.
pub async fn check_password(lib: &Library, file: &File, given: &str, ip: IpAddr) -> Result<()> {
    let stored = file.password(&lib.secrets);
    check_sealed_password(lib, &format!("dl-file:{}", file.id), &stored, given, ip).await
}

/// Checks `given` against a stored password (nothing stored: always
/// right), throttled per `scope` (a file, a file request) and per address.
pub async fn check_sealed_password(
    lib: &Library,
    scope: &str,
    stored: &str,
    given: &str,
    ip: IpAddr,
) -> Result<()> {
    if stored.is_empty() {
        return Ok(());
    }
    if given.is_empty() {
        return Err(Error::BadPassword);
    }
    let limits = &lib.cfg.limits;
    let (by_file, by_address) = (scope.to_string(), format!("dl-addr:{ip}"));
    if let Some(wait) = lib.db.throttle_wait(&[&by_file, &by_address]).await? {
        return Err(Error::PasswordWait(wait));
    }
    let ok = crate::secrets::ct_eq(given, stored);
    let counters = [
        Counter {
            key: &by_file,
            free: limits.download_password_failures_per_file,
            clear_on_success: true,
        },
        Counter {
            key: &by_address,
            free: limits.download_password_failures_per_address,
            clear_on_success: false,
        },
    ];
    if let Some(wait) = lib
        .db
        .throttle_settle(&counters, !ok, limits.download_password_delay_secs)
        .await?
    {
        return Err(Error::PasswordWait(wait));
    }
    if ok {
        Ok(())
    } else {
        Err(Error::BadPassword)
    }
}
