//! Download limits (`downloads_limit`, `time_limit`) and their actions
//! (`LimitAction`): block downloads, delete the file and its blob, or move
//! the file to `limit_action_to_folder`. Every decision is one conditional
//! UPDATE, so a limit of N lets exactly N downloads through on any number
//! of nodes, and each action runs once.

use crate::db::files::File;
pub use crate::db::files::LimitAction;
use crate::db::now;
use crate::library::{files, Error, Library, Result};

/// Counts one download of `file_id` if its limits still allow one; false
/// when they do not (the download must be refused). The download that
/// reaches `download_limit` runs the limit action.
pub async fn count_download(lib: &Library, file_id: &str) -> Result<bool> {
    let Some((downloads, limit)) = lib.db.count_download(file_id, now()).await? else {
        return Ok(false);
    };
    if limit > 0 && downloads == limit {
        // The download itself goes ahead whatever the action's fate, so
        // its failure is logged here.
        if let Err(e) = on_download_limit(lib, file_id).await {
            tracing::error!(file_id, error = %format!("{e:#}"), "download limit action");
        }
    }
    Ok(true)
}

/// Runs the limit action of a file whose download limit was just reached.
/// Only the one download that reached it calls this.
pub async fn on_download_limit(lib: &Library, file_id: &str) -> Result<()> {
    match lib.db.file(file_id).await? {
        Some(file) => apply_limit_action(lib, &file).await,
        None => Ok(()),
    }
}

/// Delete removes the row and frees the owner's space at once, and the
/// blob after `limits.deleted_blob_grace_secs`: the download that reached
/// the limit opens the blob only after this returns. Move moves the file
/// and clears its limits (it starts afresh in the new folder, so the
/// action cannot loop); a target folder that is gone (or an anonymous
/// file) falls back to blocking. Anything else blocks.
async fn apply_limit_action(lib: &Library, file: &File) -> Result<()> {
    match file.action() {
        LimitAction::Delete => {
            if let Some(blob_key) = files::delete_file_row(lib, &file.id, None).await? {
                files::remove_blob_later(lib, &blob_key, lib.cfg.limits.deleted_blob_grace_secs)
                    .await?;
            }
            return Ok(());
        }
        LimitAction::Move => {
            if let Some(owner) = file.user_id {
                if lib
                    .db
                    .move_on_limit(&file.id, &file.limit_action_to_folder, owner)
                    .await?
                {
                    return Ok(());
                }
            }
        }
        LimitAction::Unset | LimitAction::Block => {}
    }
    lib.db.block_downloads(&file.id).await?;
    Ok(())
}

/// Claims a file whose time limit has passed and runs its action; false
/// when another node (or an earlier call) already did.
async fn expire(lib: &Library, file_id: &str) -> Result<bool> {
    match lib.db.claim_expired(file_id, now()).await? {
        Some(file) => apply_limit_action(lib, &file).await.map(|_| true),
        None => Ok(false),
    }
}

/// Acts on every file whose time limit has passed, so limits act even when
/// nobody downloads. Returns how many this call acted on.
pub async fn sweep_time_limits(lib: &Library) -> Result<usize> {
    let mut acted = 0;
    for id in lib.db.due_time_limits(now()).await? {
        if expire(lib, &id).await? {
            acted += 1;
        }
    }
    Ok(acted)
}

/// Whether a file may be downloaded now: `Denied` once a limit blocked it,
/// `FileNotFound` when its limit action deleted it. A passed time limit
/// the sweeper has not reached yet is acted on here first.
pub async fn check_downloadable(lib: &Library, file: &File) -> Result<()> {
    if file.time_limit_at > 0 && file.time_limit_at <= now() && file.limit_reached == 0 {
        expire(lib, &file.id).await?;
        let now_file = lib.db.file(&file.id).await?.ok_or(Error::FileNotFound)?;
        return blocked(&now_file);
    }
    blocked(file)
}

fn blocked(file: &File) -> Result<()> {
    let time_passed = file.time_limit_at > 0 && file.time_limit_at <= now();
    let count_reached = file.download_limit > 0 && file.downloads >= file.download_limit;
    if file.limit_reached != 0 || time_passed || count_reached {
        return Err(Error::denied(
            "The download limit of this file has been reached",
        ));
    }
    Ok(())
}
