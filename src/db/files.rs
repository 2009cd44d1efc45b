//! Files and folders: the rows and their ids.

use crate::db::Db;
use crate::secrets::{random_string, Secrets, LOWER_ALNUM};

/// The root folder id of every user.
pub const ROOT: &str = "0";

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

pub const FILE_COLUMNS: &str = "id, user_id, folder_id, name, description, password_sealed, size, blob_key, \
     checksum, content_type, uploaded, downloads, time_limit, time_limit_at, download_limit, limit_action, \
     limit_action_to_folder, limit_reached, delete_hash";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Folder {
    pub id: String,
    pub user_id: i64,
    pub parent_id: String,
    pub name: String,
    pub shared: i64,
    pub created: i64,
}

pub const FOLDER_COLUMNS: &str = "id, user_id, parent_id, name, shared, created";

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
}

impl Db {
    pub async fn file(&self, id: &str) -> sqlx::Result<Option<File>> {
        sqlx::query_as(&format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await
    }

    /// A file only if `user_id` owns it: another user's id looks exactly
    /// like a missing one.
    pub async fn own_file(&self, user_id: i64, id: &str) -> sqlx::Result<Option<File>> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&self.read)
        .await
    }

    pub async fn folder(&self, id: &str) -> sqlx::Result<Option<Folder>> {
        sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await
    }

    /// Whether `folder_id` is the root or a folder `user_id` owns.
    pub async fn owns_folder(&self, user_id: i64, folder_id: &str) -> sqlx::Result<bool> {
        owns_folder(&self.read, user_id, folder_id).await
    }
}

/// `Db::owns_folder` on any executor (a transaction, to keep the answer
/// true until it commits).
pub async fn owns_folder<'e, E>(exec: E, user_id: i64, folder_id: &str) -> sqlx::Result<bool>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if folder_id == ROOT {
        return Ok(true);
    }
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM folders WHERE id = $1 AND user_id = $2")
            .bind(folder_id)
            .bind(user_id)
            .fetch_optional(exec)
            .await?;
    Ok(found.is_some())
}
