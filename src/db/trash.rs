//! The trash (docs/expiry.md): files of accounts that were deleted or
//! expired, kept with their `files` columns until `purge_at`. Trashing
//! moves the row out of `files` (so no listing, download or quota sees
//! it), restoring moves it back with the same id, blob and checksums.
//! Purging is claimed by deleting the row, so several nodes purge once.

use crate::db::files::delete_file_row;
use crate::db::folders::ROOT;
use crate::db::lock::UserLock;
use crate::db::Db;

/// The columns a trashed file keeps (those of `files` but the expiry
/// warning mark, which a restore starts afresh).
const KEPT: &str = "id, user_id, folder_id, name, description, password_sealed, size, blob_key, \
     checksum, crc32, content_type, uploaded, downloads, time_limit, time_limit_at, download_limit, \
     limit_action, limit_action_to_folder, limit_reached, bytes_served, bytes_reserved, quarantined";

/// Why a file is in the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrashReason {
    /// Its owner (or its delete link) deleted it.
    Deleted,
    /// Its time or download limit's action deleted it.
    Expired,
}

impl TrashReason {
    pub fn code(self) -> i64 {
        match self {
            TrashReason::Deleted => 1,
            TrashReason::Expired => 2,
        }
    }

    pub fn from_code(code: i64) -> TrashReason {
        match code {
            2 => TrashReason::Expired,
            _ => TrashReason::Deleted,
        }
    }
}

/// A file in the trash, as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Trashed {
    pub id: String,
    pub user_id: i64,
    pub folder_id: String,
    pub name: String,
    pub size: i64,
    pub blob_key: String,
    reason: i64,
    pub trashed_at: i64,
    pub purge_at: i64,
}

impl Trashed {
    pub fn reason(&self) -> TrashReason {
        TrashReason::from_code(self.reason)
    }
}

const TRASHED: &str = "id, user_id, folder_id, name, size, blob_key, reason, trashed_at, purge_at";

/// The outcome of a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    /// Back among the owner's files, in this folder.
    Done(String),
    /// Not in the owner's trash (purged, restored, someone else's).
    NotFound,
    /// The owner's quota has no room for it.
    OverQuota,
}

/// Moves `owner`'s file into the trash and frees its disk space, under
/// the owner's lock; its blob key, None when the row was gone. The blob
/// stays until the trash is purged.
pub async fn trash_file_row(
    lock: &mut UserLock,
    file_id: &str,
    owner: i64,
    reason: TrashReason,
    now: i64,
    purge_at: i64,
) -> sqlx::Result<Option<String>> {
    let sql = format!(
        "INSERT INTO trash ({KEPT}, reason, trashed_at, purge_at) \
         SELECT {}, $2, $3, $4 FROM files WHERE id = $1 AND user_id = $5",
        // Open download claims end with the row.
        KEPT.replace("bytes_reserved", "0")
    );
    let moved = sqlx::query(&sql)
        .bind(file_id)
        .bind(reason.code())
        .bind(now)
        .bind(purge_at)
        .bind(owner)
        .execute(lock.conn())
        .await?;
    if moved.rows_affected() != 1 {
        return Ok(None);
    }
    delete_file_row(lock, file_id, Some(owner)).await
}

/// Moves a trashed file of `owner` back into `files` under the owner's
/// lock: into its folder, or the root when that folder is gone; refused
/// when the owner's disk space (`quota` bytes, -1: none) has no room.
pub async fn restore_file_row(
    lock: &mut UserLock,
    file_id: &str,
    owner: i64,
    quota: i64,
) -> sqlx::Result<Restored> {
    let size: Option<i64> =
        sqlx::query_scalar("SELECT size FROM trash WHERE id = $1 AND user_id = $2")
            .bind(file_id)
            .bind(owner)
            .fetch_optional(lock.conn())
            .await?;
    let Some(size) = size else {
        return Ok(Restored::NotFound);
    };
    let charged = sqlx::query(
        "UPDATE users SET disk_used = disk_used + $1 WHERE id = $2 AND ($3 < 0 OR disk_used + $1 <= $3)",
    )
    .bind(size)
    .bind(owner)
    .bind(quota)
    .execute(lock.conn())
    .await?;
    if charged.rows_affected() != 1 {
        return Ok(Restored::OverQuota);
    }
    let sql = format!(
        "INSERT INTO files ({KEPT}) SELECT {} FROM trash t WHERE t.id = $1 AND t.user_id = $2",
        KEPT.replace(
            "folder_id",
            "CASE WHEN t.folder_id = $3 OR EXISTS (SELECT 1 FROM folders d WHERE d.id = t.folder_id \
             AND d.user_id = t.user_id) THEN t.folder_id ELSE $3 END"
        )
    );
    sqlx::query(&sql)
        .bind(file_id)
        .bind(owner)
        .bind(ROOT)
        .execute(lock.conn())
        .await?;
    let folder: String = sqlx::query_scalar("SELECT folder_id FROM files WHERE id = $1")
        .bind(file_id)
        .fetch_one(lock.conn())
        .await?;
    sqlx::query("DELETE FROM trash WHERE id = $1")
        .bind(file_id)
        .execute(lock.conn())
        .await?;
    Ok(Restored::Done(folder))
}

impl Db {
    /// `owner`'s trash, latest first.
    pub async fn trash_of(&self, owner: i64) -> sqlx::Result<Vec<Trashed>> {
        sqlx::query_as(&format!(
            "SELECT {TRASHED} FROM trash WHERE user_id = $1 ORDER BY trashed_at DESC, id"
        ))
        .bind(owner)
        .fetch_all(&self.pool)
        .await
    }

    /// One file of `owner`'s trash.
    pub async fn trashed(&self, owner: i64, file_id: &str) -> sqlx::Result<Option<Trashed>> {
        sqlx::query_as(&format!(
            "SELECT {TRASHED} FROM trash WHERE id = $1 AND user_id = $2"
        ))
        .bind(file_id)
        .bind(owner)
        .fetch_optional(&self.pool)
        .await
    }

    /// Up to 500 trashed files due to be purged at `now`.
    pub async fn trash_due(&self, now: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar("SELECT id FROM trash WHERE purge_at <= $1 ORDER BY purge_at LIMIT 500")
            .bind(now)
            .fetch_all(&self.pool)
            .await
    }

    /// Claims a due trashed file by deleting its row (one node wins); its
    /// blob key to remove.
    pub async fn claim_purge(&self, file_id: &str, now: i64) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("DELETE FROM trash WHERE id = $1 AND purge_at <= $2 RETURNING blob_key")
            .bind(file_id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
    }

    /// Deletes `owner`'s trashed file for good; its blob key to remove.
    pub async fn purge_trashed(&self, owner: i64, file_id: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("DELETE FROM trash WHERE id = $1 AND user_id = $2 RETURNING blob_key")
            .bind(file_id)
            .bind(owner)
            .fetch_optional(&self.pool)
            .await
    }
}
