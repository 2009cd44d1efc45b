//! Files: the rows, their ids, and every statement on the `files` table
//! (set info, delete with its quota, download counting and limit actions).

use crate::db::folders::ROOT;
use crate::db::lock::UserLock;
use crate::db::read::{read_row, Param};
use crate::db::Db;
use crate::secrets::{random_string, Secrets, LOWER_ALNUM};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct File {
    pub id: String,
    pub user_id: Option<i64>,
    pub folder_id: String,
    pub name: String,
    pub description: String,
    pub password_sealed: String,
    pub size: i64,
    pub blob_key: String,
    pub checksum: String,
    /// Known for files stored since migration 0098 (`fsck --repair` fills
    /// in older ones; docs/zip.md).
    pub crc32: Option<i64>,
    pub content_type: String,
    pub uploaded: i64,
    pub downloads: i64,
    pub time_limit: i64,
    pub time_limit_at: i64,
    pub download_limit: i64,
    pub limit_action: i64,
    pub limit_action_to_folder: String,
    pub limit_reached: i64,
    pub delete_hash: String,
}

read_row!(File {
    id,
    user_id,
    folder_id,
    name,
    description,
    password_sealed,
    size,
    blob_key,
    checksum,
    crc32,
    content_type,
    uploaded,
    downloads,
    time_limit,
    time_limit_at,
    download_limit,
    limit_action,
    limit_action_to_folder,
    limit_reached,
    delete_hash,
});

pub const FILE_COLUMNS: &str = "id, user_id, folder_id, name, description, password_sealed, size, blob_key, \
     checksum, crc32, content_type, uploaded, downloads, time_limit, time_limit_at, download_limit, limit_action, \
     limit_action_to_folder, limit_reached, delete_hash";

/// What happens when a file's download or time limit is reached (the
/// guide's `limit_action`, stored as its number).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitAction {
    /// None chosen: downloads are blocked.
    #[default]
    Unset = 0,
    Block = 1,
    /// The file and its blob are deleted.
    Delete = 2,
    /// The file moves to `limit_action_to_folder`.
    Move = 3,
}

impl LimitAction {
    /// The stored (and wire) number.
    pub fn code(self) -> i64 {
        self as i64
    }

    pub fn from_code(code: i64) -> Option<LimitAction> {
        match code {
            0 => Some(LimitAction::Unset),
            1 => Some(LimitAction::Block),
            2 => Some(LimitAction::Delete),
            3 => Some(LimitAction::Move),
            _ => None,
        }
    }
}

/// A new random 6-character id (`[a-z0-9]`) for files and folders; callers
/// retry on the (rare) unique-key collision.
pub fn new_id() -> String {
    random_string(6, LOWER_ALNUM)
}

/// Whether a string has the shape of a file/folder id.
pub fn is_id(s: &str) -> bool {
    dropspace_proto::links::is_id(s)
}

impl File {
    /// The download password in clear ('' = none).
    pub fn password(&self, secrets: &Secrets) -> String {
        if self.password_sealed.is_empty() {
            String::new()
        } else {
            secrets.open(&self.password_sealed).unwrap_or_default()
        }
    }

    /// The limit action; an unknown stored number counts as none (blocks).
    pub fn action(&self) -> LimitAction {
        LimitAction::from_code(self.limit_action).unwrap_or(LimitAction::Unset)
    }
}

/// The columns one set-info (or move) changes; `None` leaves a column alone.
#[derive(Debug, Default, Clone)]
pub struct FileUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub password_sealed: Option<String>,
    /// `time_limit` and `time_limit_at` (0 = none) together.
    pub time_limit: Option<(i64, i64)>,
    pub download_limit: Option<i64>,
    pub limit_action: Option<LimitAction>,
    pub limit_action_to_folder: Option<String>,
    /// Clears `limit_reached`: setting any limit re-arms a blocked file.
    pub rearm: bool,
    pub folder_id: Option<String>,
}

/// A column value for the dynamic UPDATE.
enum Val<'a> {
    Text(&'a str),
    Int(i64),
}

impl FileUpdate {
    /// The assignments, in the column order of the guide's parameters.
    fn sets(&self) -> Vec<(&'static str, Val<'_>)> {
        let mut sets = Vec::new();
        if let Some(v) = &self.name {
            sets.push(("name", Val::Text(v)));
        }
        if let Some(v) = &self.description {
            sets.push(("description", Val::Text(v)));
        }
        if let Some(v) = &self.password_sealed {
            sets.push(("password_sealed", Val::Text(v)));
        }
        if let Some((secs, at)) = self.time_limit {
            sets.push(("time_limit", Val::Int(secs)));
            sets.push(("time_limit_at", Val::Int(at)));
        }
        if let Some(n) = self.download_limit {
            sets.push(("download_limit", Val::Int(n)));
        }
        if let Some(a) = self.limit_action {
            sets.push(("limit_action", Val::Int(a.code())));
        }
        if let Some(v) = &self.limit_action_to_folder {
            sets.push(("limit_action_to_folder", Val::Text(v)));
        }
        if self.rearm {
            sets.push(("limit_reached", Val::Int(0)));
        }
        if let Some(v) = &self.folder_id {
            sets.push(("folder_id", Val::Text(v)));
        }
        sets
    }

    pub fn is_empty(&self) -> bool {
        self.sets().is_empty()
    }
}

impl Db {
    /// A file by id. Quarantined files (waiting for their virus scan,
    /// docs/scanning.md) are found by no lookup or listing here but the
    /// scanner's own (`claim_quarantined`).
    pub async fn file(&self, id: &str) -> sqlx::Result<Option<File>> {
        self.read_one(
            &format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1 AND quarantined = 0"),
            &[Param::Text(id)],
        )
        .await
    }

    /// A file only if `user_id` owns it: another user's id looks exactly
    /// like a missing one.
    pub async fn own_file(&self, user_id: i64, id: &str) -> sqlx::Result<Option<File>> {
        self.read_one(
            &format!(
                "SELECT {FILE_COLUMNS} FROM files WHERE id = $1 AND user_id = $2 AND quarantined = 0"
            ),
            &[Param::Text(id), Param::Int(user_id)],
        )
        .await
    }

    /// `own_file` for showing a file (`files.getInfo`): may answer from the
    /// session cache's copy, at most `limits.session_cache_ms` old.
    pub async fn own_file_shown(&self, user_id: i64, id: &str) -> sqlx::Result<Option<File>> {
        if let Some(file) = self.cache.file(id) {
            return Ok((file.user_id == Some(user_id)).then_some(file));
        }
        let stamp = self.cache.stamp();
        let file = self.own_file(user_id, id).await?;
        if let Some(f) = &file {
            self.cache.put_file(f, stamp);
        }
        Ok(file)
    }

    /// The files of one folder of a user, oldest first.
    pub async fn folder_files(&self, user_id: i64, folder_id: &str) -> sqlx::Result<Vec<File>> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 AND quarantined = 0 \
             ORDER BY uploaded, id"
        ))
        .bind(user_id)
        .bind(folder_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The files of one folder of a user, newest first (public listings).
    pub async fn folder_files_newest_first(
        &self,
        user_id: i64,
        folder_id: &str,
    ) -> sqlx::Result<Vec<File>> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 AND quarantined = 0 \
             ORDER BY uploaded DESC, id"
        ))
        .bind(user_id)
        .bind(folder_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Counts one download if the file's limits still allow one: its
    /// downloads and download limit after counting, None when refused.
    pub async fn count_download(
        &self,
        file_id: &str,
        now: i64,
    ) -> sqlx::Result<Option<(i64, i64)>> {
        let counted = sqlx::query_as(
            "UPDATE files SET downloads = downloads + 1 \
             WHERE id = $1 AND limit_reached = 0 \
             AND (download_limit = 0 OR downloads < download_limit) \
             AND (time_limit_at = 0 OR time_limit_at > $2) \
             RETURNING downloads, download_limit",
        )
        .bind(file_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await;
        self.cache.file_changed(file_id);
        counted
    }

    /// Moves a file whose limit was reached to `target` (the root or a
    /// folder `owner` still has) and clears its limits; false when the
    /// folder is gone.
    pub async fn move_on_limit(
        &self,
        file_id: &str,
        target: &str,
        owner: i64,
    ) -> sqlx::Result<bool> {
        let moved = sqlx::query(
            "UPDATE files SET folder_id = $1, download_limit = 0, time_limit = 0, time_limit_at = 0, \
             limit_action = 0, limit_action_to_folder = '', limit_reached = 0 \
             WHERE id = $2 AND ($1 = $3 OR EXISTS (SELECT 1 FROM folders WHERE id = $1 AND user_id = $4))",
        )
        .bind(target)
        .bind(file_id)
        .bind(ROOT)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        self.cache.file_changed(file_id);
        Ok(moved.rows_affected() == 1)
    }

    /// Blocks further downloads of a file.
    pub async fn block_downloads(&self, file_id: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE files SET limit_reached = 1 WHERE id = $1")
            .bind(file_id)
            .execute(&self.pool)
            .await?;
        self.cache.file_changed(file_id);
        Ok(())
    }

    /// Claims (blocks) a file whose time limit passed by `now`; None when
    /// another node (or an earlier call) already did.
    pub async fn claim_expired(&self, file_id: &str, now: i64) -> sqlx::Result<Option<File>> {
        let claimed = sqlx::query_as(&format!(
            "UPDATE files SET limit_reached = 1 \
             WHERE id = $1 AND time_limit_at > 0 AND time_limit_at <= $2 AND limit_reached = 0 \
             RETURNING {FILE_COLUMNS}"
        ))
        .bind(file_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await;
        self.cache.file_changed(file_id);
        claimed
    }

    /// Up to 500 files whose time limit passed by `now` and was not acted on.
    pub async fn due_time_limits(&self, now: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT id FROM files WHERE time_limit_at > 0 AND time_limit_at <= $1 AND limit_reached = 0 \
             ORDER BY time_limit_at LIMIT 500",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }
}

/// Quarantined files (docs/scanning.md): `files.quarantined` is 0 for a
/// visible file, else the unix time from which a node may scan it.
impl Db {
    /// Up to 100 quarantined files due for a scan at `now`, oldest first.
    pub async fn quarantine_due(&self, now: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT id FROM files WHERE quarantined > 0 AND quarantined <= $1 \
             ORDER BY quarantined, id LIMIT 100",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// Takes a due quarantined file for one scan: no other node scans it
    /// before `until`. None when it is gone, released or taken.
    pub async fn claim_quarantined(
        &self,
        id: &str,
        now: i64,
        until: i64,
    ) -> sqlx::Result<Option<File>> {
        sqlx::query_as(&format!(
            "UPDATE files SET quarantined = $1 WHERE id = $2 AND quarantined > 0 AND quarantined <= $3 \
             RETURNING {FILE_COLUMNS}"
        ))
        .bind(until.max(1))
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Puts a quarantined file's next scan at `at` (a scan without verdict).
    pub async fn retry_quarantined(&self, id: &str, at: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE files SET quarantined = $1 WHERE id = $2 AND quarantined > 0")
            .bind(at.max(1))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes a quarantined file visible; false when it was not quarantined.
    pub async fn release_quarantined(&self, id: &str) -> sqlx::Result<bool> {
        let done =
            sqlx::query("UPDATE files SET quarantined = 0 WHERE id = $1 AND quarantined > 0")
                .bind(id)
                .execute(&self.pool)
                .await?;
        self.cache.file_changed(id);
        Ok(done.rows_affected() == 1)
    }

    /// How many files wait in quarantine.
    pub async fn quarantined_count(&self) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE quarantined > 0")
            .fetch_one(&self.pool)
            .await
    }
}

/// Applies `update` to `user_id`'s file in one statement that also checks
/// the target folder (`update.folder_id`, else the root) still exists.
/// False when nothing matched (file gone or folder gone).
pub async fn update_file(
    lock: &mut UserLock,
    user_id: i64,
    file_id: &str,
    update: &FileUpdate,
) -> sqlx::Result<bool> {
    let sets = update.sets();
    let assignments: Vec<String> = sets
        .iter()
        .enumerate()
        .map(|(i, (col, _))| format!("{col} = ${}", i + 1))
        .collect();
    let n = sets.len();
    let sql = format!(
        "UPDATE files SET {} WHERE id = ${} AND user_id = ${} \
         AND (${} = '0' OR EXISTS (SELECT 1 FROM folders WHERE id = ${} AND user_id = ${}))",
        assignments.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 3,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for (_, v) in &sets {
        q = match v {
            Val::Text(s) => q.bind(s.to_string()),
            Val::Int(i) => q.bind(*i),
        };
    }
    let folder = update.folder_id.as_deref().unwrap_or(ROOT);
    let done = q
        .bind(file_id)
        .bind(user_id)
        .bind(folder)
        .execute(lock.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a file row and frees `owner`'s disk space by its size, under
/// the owner's lock; the blob key to remove, None when the row was gone.
pub async fn delete_file_row(
    lock: &mut UserLock,
    file_id: &str,
    owner: Option<i64>,
) -> sqlx::Result<Option<String>> {
    let row: Option<(i64, String)> =
        sqlx::query_as("DELETE FROM files WHERE id = $1 RETURNING size, blob_key")
            .bind(file_id)
            .fetch_optional(lock.conn())
            .await?;
    let Some((size, blob_key)) = row else {
        return Ok(None);
    };
    if let Some(uid) = owner {
        sqlx::query(
            "UPDATE users SET disk_used = CASE WHEN disk_used > $1 THEN disk_used - $1 ELSE 0 END WHERE id = $2",
        )
        .bind(size)
        .bind(uid)
        .execute(lock.conn())
        .await?;
    }
    Ok(Some(blob_key))
}
