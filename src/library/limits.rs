//! Download limits (`downloads_limit`, `time_limit`) and their actions:
//! 1 blocks downloads, 2 deletes the file and its blob, 3 moves the file to
//! `limit_action_to_folder`. Every decision is one conditional UPDATE, so a
//! limit of N lets exactly N downloads through on any number of nodes, and
//! each action runs once.

use crate::db::files::{File, FILE_COLUMNS, ROOT};
use crate::db::now;
use crate::error::{ApiError, ApiResult, Code};
use crate::library::Library;

pub const BLOCK: i64 = 1;
pub const DELETE: i64 = 2;
pub const MOVE: i64 = 3;

/// Counts one download of `file_id` if its limits still allow one; false
/// when they do not (the download must be refused). The download that
/// reaches `download_limit` runs the limit action.
pub async fn count_download(app: &Library, file_id: &str) -> ApiResult<bool> {
    let counted: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE files SET downloads = downloads + 1 \
         WHERE id = $1 AND limit_reached = 0 \
         AND (download_limit = 0 OR downloads < download_limit) \
         AND (time_limit_at = 0 OR time_limit_at > $2) \
         RETURNING downloads, download_limit",
    )
    .bind(file_id)
    .bind(now())
    .fetch_optional(&app.db.pool)
    .await?;
    let Some((downloads, limit)) = counted else {
        return Ok(false);
    };
    if limit > 0 && downloads == limit {
        // The download itself goes ahead whatever the action's fate.
        if let Err(e) = on_download_limit(app, file_id).await {
            tracing::error!(file_id, error = %format!("{e:#}"), "download limit action");
        }
    }
    Ok(true)
}

/// Runs the limit action of a file whose download limit was just reached.
/// Only the one download that reached it calls this.
pub async fn on_download_limit(app: &Library, file_id: &str) -> anyhow::Result<()> {
    match app.db.file(file_id).await? {
        Some(file) => apply_limit_action(app, &file).await,
        None => Ok(()),
    }
}

/// Action 2 deletes the row and frees the owner's space at once, and the
/// blob after `limits.deleted_blob_grace_secs`: the download that reached
/// the limit opens the blob only after this returns. Action 3
/// moves the file and clears its limits (it starts afresh in the new
/// folder, so the action cannot loop); a target folder that is gone (or an
/// anonymous file) falls back to blocking. Anything else blocks.
async fn apply_limit_action(app: &Library, file: &File) -> anyhow::Result<()> {
    if file.limit_action == DELETE {
        if let Some(blob_key) = super::delete_file_row(app, &file.id, None).await? {
            super::remove_blob_later(app, &blob_key, app.cfg.limits.deleted_blob_grace_secs)
                .await?;
        }
        return Ok(());
    }
    if file.limit_action == MOVE {
        if let Some(owner) = file.user_id {
            let target = &file.limit_action_to_folder;
            let moved = sqlx::query(
                "UPDATE files SET folder_id = $1, download_limit = 0, time_limit = 0, time_limit_at = 0, \
                 limit_action = 0, limit_action_to_folder = '', limit_reached = 0 \
                 WHERE id = $2 AND ($1 = $3 OR EXISTS (SELECT 1 FROM folders WHERE id = $1 AND user_id = $4))",
            )
            .bind(target)
            .bind(&file.id)
            .bind(ROOT)
            .bind(owner)
            .execute(&app.db.pool)
            .await?;
            if moved.rows_affected() == 1 {
                return Ok(());
            }
        }
    }
    sqlx::query("UPDATE files SET limit_reached = 1 WHERE id = $1")
        .bind(&file.id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}

/// Claims a file whose time limit has passed and runs its action; false
/// when another node (or an earlier call) already did.
async fn expire(app: &Library, file_id: &str) -> anyhow::Result<bool> {
    let claimed: Option<File> = sqlx::query_as(&format!(
        "UPDATE files SET limit_reached = 1 \
         WHERE id = $1 AND time_limit_at > 0 AND time_limit_at <= $2 AND limit_reached = 0 \
         RETURNING {FILE_COLUMNS}"
    ))
    .bind(file_id)
    .bind(now())
    .fetch_optional(&app.db.pool)
    .await?;
    match claimed {
        Some(file) => apply_limit_action(app, &file).await.map(|_| true),
        None => Ok(false),
    }
}

/// Acts on every file whose time limit has passed, so limits act even when
/// nobody downloads. Returns how many this call acted on.
pub async fn sweep_time_limits(app: &Library) -> anyhow::Result<usize> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM files WHERE time_limit_at > 0 AND time_limit_at <= $1 AND limit_reached = 0 \
         ORDER BY time_limit_at LIMIT 500",
    )
    .bind(now())
    .fetch_all(&app.db.pool)
    .await?;
    let mut acted = 0;
    for id in due {
        if expire(app, &id).await? {
            acted += 1;
        }
    }
    Ok(acted)
}

/// Whether a file may be downloaded now: 11 once a limit blocked it, 9 when
/// its limit action deleted it. A passed time limit the sweeper has not
/// reached yet is acted on here first.
pub async fn check_downloadable(app: &Library, file: &File) -> ApiResult<()> {
    if file.time_limit_at > 0 && file.time_limit_at <= now() && file.limit_reached == 0 {
        expire(app, &file.id).await?;
        let now_file = app
            .db
            .file(&file.id)
            .await?
            .ok_or_else(|| ApiError::new(Code::FileNotFound))?;
        return blocked(&now_file);
    }
    blocked(file)
}

fn blocked(file: &File) -> ApiResult<()> {
    let time_passed = file.time_limit_at > 0 && file.time_limit_at <= now();
    let count_reached = file.download_limit > 0 && file.downloads >= file.download_limit;
    if file.limit_reached != 0 || time_passed || count_reached {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "The download limit of this file has been reached",
        ));
    }
    Ok(())
}
