//! The `progress` table: how far each upload has come, readable from any
//! node (rows are opened and closed by the upload's own transactions in
//! `db::uploads`).

use crate::db::Db;

/// One upload's progress as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Progress {
    /// `ok` (running), `done` or `fail`.
    pub status: String,
    pub uploaded: i64,
    pub total: i64,
    pub started_ms: i64,
    pub updated_ms: i64,
}

impl Progress {
    /// A row of nothing received yet, with `status`.
    pub fn empty(status: &str) -> Progress {
        Progress {
            status: status.into(),
            uploaded: 0,
            total: 0,
            started_ms: 0,
            updated_ms: 0,
        }
    }
}

impl Db {
    pub async fn progress(&self, upload_id: &str) -> sqlx::Result<Option<Progress>> {
        sqlx::query_as(
            "SELECT status, uploaded, total, started_ms, updated_ms FROM progress WHERE upload_id = $1",
        )
        .bind(upload_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Writes the bytes received of running uploads, in one transaction;
    /// rows that already ended are left alone.
    pub async fn write_progress(&self, moved: &[(String, i64)], now_ms: i64) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, received) in moved {
            sqlx::query(
                "UPDATE progress SET uploaded = $1, updated_ms = $2 WHERE upload_id = $3 AND status = 'ok'",
            )
            .bind(*received)
            .bind(now_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}
