//! The trash of accounts (docs/expiry.md): deleted and expired files kept
//! for their tier's `trash_secs`, restored by their owner or purged —
//! by the owner at once, or by the background sweep when due.

use crate::config::Config;
use crate::db::now;
use crate::db::trash::{self, Restored, Trashed};
use crate::db::users::User;
use crate::library::{files, Error, Library, Result};

/// Seconds the account's tier keeps deleted files (0: no trash).
pub async fn keep_secs(lib: &Library, user_id: i64) -> Result<i64> {
    Ok(match lib.db.user_by_id(user_id).await? {
        Some(u) => kept_for(&lib.cfg, &u),
        None => 0,
    })
}

/// The same, for an account already read.
pub fn kept_for(cfg: &Config, user: &User) -> i64 {
    user.tier(cfg).trash_secs.max(0)
}

/// The user's trash, latest first.
pub async fn list(lib: &Library, user: &User) -> Result<Vec<Trashed>> {
    Ok(lib.db.trash_of(user.id).await?)
}

/// Moves the user's trashed file back among their files, under the same
/// id (into its folder, or the root when that is gone): the folder it is
/// in now. `FileNotFound` when it is not in their trash,
/// `DiskspaceLimit` when their quota has no room for it.
pub async fn restore(lib: &Library, user: &User, file_id: &str) -> Result<String> {
    if !crate::db::files::is_id(file_id) {
        return Err(Error::FileNotFound);
    }
    let quota = user.diskspace(&lib.cfg);
    let mut lock = lib.db.lock_user(user.id).await?;
    match trash::restore_file_row(&mut lock, file_id, user.id, quota).await? {
        Restored::Done(folder) => {
            lock.commit().await?;
            lib.db.cache.file_changed(file_id);
            Ok(folder)
        }
        Restored::NotFound => {
            lock.rollback().await?;
            Err(Error::FileNotFound)
        }
        Restored::OverQuota => {
            lock.rollback().await?;
            Err(Error::DiskspaceLimit)
        }
    }
}

/// Deletes the user's trashed file for good (its bytes at once).
/// `FileNotFound` when it is not in their trash.
pub async fn purge(lib: &Library, user: &User, file_id: &str) -> Result<()> {
    if !crate::db::files::is_id(file_id) {
        return Err(Error::FileNotFound);
    }
    let key = lib
        .db
        .purge_trashed(user.id, file_id)
        .await?
        .ok_or(Error::FileNotFound)?;
    files::remove_blob(lib, &key).await;
    Ok(())
}

/// Purges every trashed file whose time is up; each row is claimed by
/// deleting it, so several nodes purge each once. Returns how many this
/// call purged.
pub async fn sweep(lib: &Library) -> Result<usize> {
    let t = now();
    let mut purged = 0;
    for id in lib.db.trash_due(t).await? {
        if let Some(key) = lib.db.claim_purge(&id, t).await? {
            files::remove_blob(lib, &key).await;
            purged += 1;
        }
    }
    Ok(purged)
}
