//! Small files' bytes kept in the database (`inline_blobs`), inserted by
//! the upload's commit with the file row (docs/architecture.md, "Small
//! files inline"). The domain reads them through `library::content`.

use crate::db::Db;

/// Keys of bytes kept here start with this; the blob store's keys start
/// with two hex digits.
const INLINE_PREFIX: &str = "inline/";

/// The key under which an upload's blob, started as `key`, is kept here
/// when it stayed small.
pub fn inline_key(key: &str) -> String {
    let id = key.rsplit('/').next().unwrap_or(key);
    format!("{INLINE_PREFIX}{id}")
}

/// Whether a file's key names bytes kept here.
pub fn is_inline(key: &str) -> bool {
    key.starts_with(INLINE_PREFIX)
}

impl Db {
    /// The bytes stored under `blob_key`, if any.
    pub async fn inline_blob(&self, blob_key: &str) -> sqlx::Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT data FROM inline_blobs WHERE blob_key = $1")
            .bind(blob_key)
            .fetch_optional(&self.pool)
            .await
    }

    /// How many bytes are stored under `blob_key`, if any.
    pub async fn inline_blob_size(&self, blob_key: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar(
            "SELECT CAST(length(data) AS BIGINT) FROM inline_blobs WHERE blob_key = $1",
        )
        .bind(blob_key)
        .fetch_optional(&self.pool)
        .await
    }

    /// Removes the bytes stored under `blob_key`; a missing row is not an error.
    pub async fn delete_inline_blob(&self, blob_key: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM inline_blobs WHERE blob_key = $1")
            .bind(blob_key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every key with stored bytes (fsck looks for ones no file names).
    pub async fn inline_blob_keys(&self) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar("SELECT blob_key FROM inline_blobs")
            .fetch_all(&self.pool)
            .await
    }
}
