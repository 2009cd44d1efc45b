//! The statements of the operator tools (`dropspace admin fsck`, `backup`,
//! `restore`): whole-table reads and the repairs fsck may make.

use sqlx::Connection;

use crate::db::uploads::UploadState;
use crate::db::Db;

/// A file row as fsck checks it against its blob.
#[derive(Debug, sqlx::FromRow)]
pub struct FileBlob {
    pub id: String,
    pub size: i64,
    pub blob_key: String,
    pub checksum: String,
    pub crc32: Option<i64>,
}

/// A blob a backup copies: every file row's.
#[derive(Debug, sqlx::FromRow)]
pub struct BlobRow {
    pub blob_key: String,
    pub size: i64,
    pub checksum: String,
}

/// Trashed files keep their blobs until purged (docs/expiry.md).
const BLOB_ROWS: &str = "SELECT blob_key, size, checksum FROM files \
     UNION ALL SELECT blob_key, size, checksum FROM trash";

/// An account whose recorded `disk_used` is not what it holds.
#[derive(Debug, sqlx::FromRow)]
pub struct QuotaMismatch {
    pub id: i64,
    pub user_name: String,
    pub disk_used: i64,
    pub held: i64,
}

/// What an account holds: its files plus what its running uploads
/// reserved ($1 is the uploading state).
const HELD: &str = "CAST((SELECT COALESCE(SUM(f.size), 0) FROM files f WHERE f.user_id = u.id) + \
     (SELECT COALESCE(SUM(r.reserved), 0) FROM upload_ids r WHERE r.user_id = u.id AND r.state = $1) AS BIGINT)";

impl Db {
    /// Blob keys of uploads in progress.
    pub async fn pending_blob_keys(&self) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar("SELECT blob_key FROM pending_blobs")
            .fetch_all(&self.pool)
            .await
    }

    /// Blob keys queued for deletion, and those of trashed files (kept
    /// until purged, docs/expiry.md): no orphans either way.
    pub async fn deleted_blob_keys(&self) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar("SELECT blob_key FROM deleted_blobs UNION SELECT blob_key FROM trash")
            .fetch_all(&self.pool)
            .await
    }

    /// Every file row with its blob, by id.
    pub async fn file_blobs(&self) -> sqlx::Result<Vec<FileBlob>> {
        sqlx::query_as("SELECT id, size, blob_key, checksum, crc32 FROM files ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }

    pub async fn file_exists(&self, id: &str) -> sqlx::Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Deletes a file row if it still refers to `blob_key`.
    pub async fn delete_file_of_blob(&self, id: &str, blob_key: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM files WHERE id = $1 AND blob_key = $2")
            .bind(id)
            .bind(blob_key)
            .execute(&self.pool)
            .await?;
        self.cache.file_changed(id);
        Ok(())
    }

    /// Records the checksums a file lacks (BLAKE3 hex, CRC-32), keeping
    /// those it has.
    pub async fn set_missing_checksums(
        &self,
        id: &str,
        checksum: &str,
        crc32: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE files SET checksum = CASE WHEN checksum = '' THEN $1 ELSE checksum END, \
             crc32 = COALESCE(crc32, $2) WHERE id = $3",
        )
        .bind(checksum)
        .bind(crc32)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.cache.file_changed(id);
        Ok(())
    }

    /// (file, folder) of owned files whose folder no longer exists.
    pub async fn files_in_lost_folders(&self) -> sqlx::Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT f.id, f.folder_id FROM files f WHERE f.user_id IS NOT NULL AND f.folder_id <> '0' \
             AND NOT EXISTS (SELECT 1 FROM folders d WHERE d.id = f.folder_id AND d.user_id = f.user_id)",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Moves a file to the root folder if it is still in `folder`.
    pub async fn move_file_to_root(&self, id: &str, folder: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE files SET folder_id = '0' WHERE id = $1 AND folder_id = $2")
            .bind(id)
            .bind(folder)
            .execute(&self.pool)
            .await?;
        self.cache.file_changed(id);
        Ok(())
    }

    pub async fn quota_mismatches(&self) -> sqlx::Result<Vec<QuotaMismatch>> {
        sqlx::query_as(&format!(
            "SELECT u.id, u.user_name, u.disk_used, {HELD} AS held FROM users u \
             WHERE u.disk_used <> {HELD}"
        ))
        .bind(UploadState::Uploading.code())
        .fetch_all(&self.pool)
        .await
    }

    /// Sets an account's `disk_used` to what it holds, recomputed in the
    /// statement itself, so an upload finishing meanwhile is counted either
    /// way and never twice.
    pub async fn recompute_disk_used(&self, user_id: i64) -> sqlx::Result<()> {
        sqlx::query(&format!(
            "UPDATE users AS u SET disk_used = {HELD} WHERE u.id = $2"
        ))
        .bind(UploadState::Uploading.code())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        self.cache.changed(user_id);
        Ok(())
    }

    /// Every file's blob (restore copies them back).
    pub async fn blob_rows(&self) -> sqlx::Result<Vec<BlobRow>> {
        sqlx::query_as(BLOB_ROWS).fetch_all(&self.pool).await
    }

    /// SQLite: a consistent copy of the database into the file `target`
    /// while writers go on (one read transaction).
    pub async fn vacuum_into(&self, target: &str) -> sqlx::Result<()> {
        sqlx::query(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL: opens a read-only repeatable-read transaction, exports
    /// its snapshot (for `pg_dump --snapshot`) and reads the blob rows in
    /// it. The snapshot lives until `PgSnapshot::end`.
    pub async fn begin_pg_snapshot(&self) -> sqlx::Result<PgSnapshot> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let rows = sqlx::query_as(BLOB_ROWS).fetch_all(&mut *tx).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(&mut *tx)
            .await?;
        Ok(PgSnapshot {
            tx,
            id,
            schema,
            rows,
        })
    }
}

/// An exported PostgreSQL snapshot and what was read in it.
pub struct PgSnapshot {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    /// For `pg_dump --snapshot`.
    pub id: String,
    pub schema: String,
    pub rows: Vec<BlobRow>,
}

impl PgSnapshot {
    /// Ends the transaction (and with it the snapshot).
    pub async fn end(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }
}

/// The blob rows of a SQLite snapshot file (`vacuum_into`'s), opened
/// read-only.
pub async fn sqlite_snapshot_rows(path: &str) -> sqlx::Result<Vec<BlobRow>> {
    let mut copy = sqlx::SqliteConnection::connect(&format!("sqlite://{path}?mode=ro")).await?;
    let rows = sqlx::query_as(BLOB_ROWS).fetch_all(&mut copy).await?;
    copy.close().await?;
    Ok(rows)
}

/// Whether the PostgreSQL database at `url` already holds a dropspace
/// schema (its `files` table).
pub async fn postgres_has_schema(url: &str) -> sqlx::Result<bool> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let files: Option<String> = sqlx::query_scalar("SELECT to_regclass('files')::text")
        .fetch_one(&mut conn)
        .await?;
    Ok(files.is_some())
}
