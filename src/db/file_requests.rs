//! File requests (`file_requests`): links outsiders upload through into
//! one folder of the owner's (docs/file-requests.md). `files_taken` and
//! `bytes_taken` count what was received plus what streams now: an upload
//! takes its share when it starts (`claim_upload_id`, one conditional
//! statement beside the identifier's claim) and gives it back if it fails
//! (`release_upload`), so the caps hold exactly on any number of nodes.

use crate::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRequest {
    pub id: String,
    pub user_id: i64,
    pub folder_id: String,
    pub title: String,
    pub message: String,
    pub password_sealed: String,
    /// Unix seconds; 0: never.
    pub expires: i64,
    /// 0: no cap.
    pub max_files: i64,
    pub max_bytes: i64,
    pub max_file_size: i64,
    notify: i64,
    closed: i64,
    pub files_taken: i64,
    pub bytes_taken: i64,
    pub created: i64,
    encrypted: i64,
}

impl FileRequest {
    /// Uploads into it must be age files encrypted to the owner's keys.
    pub fn encrypted(&self) -> bool {
        self.encrypted != 0
    }

    pub fn notify(&self) -> bool {
        self.notify != 0
    }

    pub fn closed(&self) -> bool {
        self.closed != 0
    }
}

const COLUMNS: &str = "id, user_id, folder_id, title, message, password_sealed, expires, \
    max_files, max_bytes, max_file_size, notify, closed, files_taken, bytes_taken, created, encrypted";

/// A new request's row.
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub folder_id: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub password_sealed: &'a str,
    pub expires: i64,
    pub max_files: i64,
    pub max_bytes: i64,
    pub max_file_size: i64,
    pub notify: bool,
    pub encrypted: bool,
    pub created: i64,
}

/// The statement that takes one file of `$2` bytes from request `$1`'s
/// caps, if it is open at `$3` and they allow it.
pub(crate) const TAKE_SQL: &str = "UPDATE file_requests SET files_taken = files_taken + 1, \
     bytes_taken = bytes_taken + $2 \
     WHERE id = $1 AND closed = 0 AND (expires = 0 OR expires > $3) \
     AND (max_files = 0 OR files_taken + 1 <= max_files) \
     AND (max_bytes = 0 OR bytes_taken + $2 <= max_bytes) \
     AND (max_file_size = 0 OR $2 <= max_file_size)";

/// Gives one file of `$2` bytes back to request `$1`.
pub(crate) const GIVE_BACK_SQL: &str = "UPDATE file_requests SET \
     files_taken = CASE WHEN files_taken > 0 THEN files_taken - 1 ELSE 0 END, \
     bytes_taken = CASE WHEN bytes_taken > $2 THEN bytes_taken - $2 ELSE 0 END WHERE id = $1";

impl Db {
    /// Stores a new request; false when the id is taken.
    pub async fn insert_file_request(&self, r: &NewRequest<'_>) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO file_requests (id, user_id, folder_id, title, message, password_sealed, \
             expires, max_files, max_bytes, max_file_size, notify, created, encrypted) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING",
        )
        .bind(r.id)
        .bind(r.user_id)
        .bind(r.folder_id)
        .bind(r.title)
        .bind(r.message)
        .bind(r.password_sealed)
        .bind(r.expires)
        .bind(r.max_files)
        .bind(r.max_bytes)
        .bind(r.max_file_size)
        .bind(i64::from(r.notify))
        .bind(r.created)
        .bind(i64::from(r.encrypted))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn file_request(&self, id: &str) -> sqlx::Result<Option<FileRequest>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM file_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// An account's requests, newest first.
    pub async fn file_requests_of(&self, user_id: i64) -> sqlx::Result<Vec<FileRequest>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM file_requests WHERE user_id = $1 ORDER BY created DESC, id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Closes an account's request; false when it has no such request.
    pub async fn close_file_request(&self, user_id: i64, id: &str) -> sqlx::Result<bool> {
        let done =
            sqlx::query("UPDATE file_requests SET closed = 1 WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
