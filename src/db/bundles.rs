//! Anonymous bundles (`bundles`, `bundle_files`): files uploaded together
//! behind one link. A bundle holds no bytes: its files keep their own rows,
//! limits and delete links; a file gone is simply no longer listed.

use crate::db::files::{File, FILE_COLUMNS};
use crate::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Bundle {
    pub id: String,
    /// SHA-256 of the bundle's delete secret.
    pub delete_hash: String,
    pub created: i64,
}

impl Db {
    /// Stores a bundle of `file_ids` (in that order) in one transaction;
    /// false when the id is taken.
    pub async fn insert_bundle(
        &self,
        id: &str,
        delete_hash: &str,
        created: i64,
        file_ids: &[String],
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO bundles (id, delete_hash, created) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(delete_hash)
        .bind(created)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(false);
        }
        for (position, file_id) in file_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bundle_files (bundle_id, file_id, position) VALUES ($1, $2, $3) \
                 ON CONFLICT (bundle_id, file_id) DO NOTHING",
            )
            .bind(id)
            .bind(file_id)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn bundle(&self, id: &str) -> sqlx::Result<Option<Bundle>> {
        sqlx::query_as("SELECT id, delete_hash, created FROM bundles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The bundle's files that still exist (and are not held for a virus
    /// scan), in upload order. Each was uploaded before the bundle was
    /// made: a later file that drew a deleted member's id is not listed.
    pub async fn bundle_files(&self, id: &str) -> sqlx::Result<Vec<File>> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM (SELECT files.*, bundle_files.position AS position FROM files \
             JOIN bundle_files ON files.id = bundle_files.file_id \
             JOIN bundles ON bundles.id = bundle_files.bundle_id \
             WHERE bundle_files.bundle_id = $1 AND files.quarantined = 0 \
             AND files.uploaded <= bundles.created) AS f ORDER BY position"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await
    }

    /// Removes the bundle itself (its files are deleted one by one first).
    pub async fn delete_bundle(&self, id: &str) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM bundle_files WHERE bundle_id = $1",
            "DELETE FROM bundles WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Bundles created before `before` none of whose files exist any more.
    pub async fn empty_bundles(&self, before: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT id FROM bundles WHERE created < $1 AND NOT EXISTS (\
             SELECT 1 FROM bundle_files JOIN files ON files.id = bundle_files.file_id \
             WHERE bundle_files.bundle_id = bundles.id AND files.uploaded <= bundles.created) \
             LIMIT 500",
        )
        .bind(before)
        .fetch_all(&self.pool)
        .await
    }
}
