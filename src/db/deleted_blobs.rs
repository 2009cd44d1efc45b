//! Blobs waiting to be removed (retries, and removals a backup or a
//! download's grace period deferred). Each row is claimed by deleting it.

use crate::db::Db;

impl Db {
    /// Queues `blob_key` for removal at `after` (unix seconds); a key
    /// already queued takes the new time.
    pub async fn queue_blob_removal(&self, blob_key: &str, after: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO deleted_blobs (blob_key, delete_after) VALUES ($1, $2) \
             ON CONFLICT (blob_key) DO UPDATE SET delete_after = excluded.delete_after",
        )
        .bind(blob_key)
        .bind(after)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Up to 500 queued keys due at `now`, oldest first.
    pub async fn due_blob_removals(&self, now: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT blob_key FROM deleted_blobs WHERE delete_after <= $1 ORDER BY delete_after LIMIT 500",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// Claims a queued key by deleting its row; false when another node did.
    pub async fn claim_blob_removal(&self, blob_key: &str) -> sqlx::Result<bool> {
        let claimed = sqlx::query("DELETE FROM deleted_blobs WHERE blob_key = $1")
            .bind(blob_key)
            .execute(&self.pool)
            .await?;
        Ok(claimed.rows_affected() == 1)
    }
}
