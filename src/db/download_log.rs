//! Who downloaded (`download_log`) and the signed delivery receipts of
//! file_send links (`delivery_receipts`) — docs/receipts.md. Rows are
//! written once and swept after their retention.

use crate::db::Db;

/// One completed download: a whole copy of a file delivered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Download {
    pub id: i64,
    pub file_id: String,
    /// The file's owner when the copy completed (0: anonymous).
    pub owner_id: i64,
    pub at: i64,
    pub bytes: i64,
    /// The account whose URL or login fetched it (0: none).
    pub account: i64,
    pub client_ip: String,
    /// The file_send recipient's address ('' when not a recipient link).
    pub recipient: String,
    pub send_id: i64,
}

/// A stored receipt: the exact signed text and its signature.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredReceipt {
    pub id: String,
    pub send_id: i64,
    pub file_id: String,
    pub at: i64,
    pub payload: String,
    pub signature: String,
}

const DOWNLOAD_COLUMNS: &str =
    "id, file_id, owner_id, at, bytes, account, client_ip, recipient, send_id";

impl Db {
    /// Records a completed download.
    pub async fn log_download(&self, d: &Download) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO download_log \
             (file_id, owner_id, at, bytes, account, client_ip, recipient, send_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.file_id)
        .bind(d.owner_id)
        .bind(d.at)
        .bind(d.bytes)
        .bind(d.account)
        .bind(&d.client_ip)
        .bind(&d.recipient)
        .bind(d.send_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest `limit` completed downloads of `owner`'s file
    /// `file_id`, newest first.
    pub async fn downloads_of(
        &self,
        owner: i64,
        file_id: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<Download>> {
        sqlx::query_as(&format!(
            "SELECT {DOWNLOAD_COLUMNS} FROM download_log \
             WHERE file_id = $1 AND owner_id = $2 ORDER BY at DESC, id DESC LIMIT $3"
        ))
        .bind(file_id)
        .bind(owner)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// The completed downloads through the links of one send, newest first.
    pub async fn downloads_of_send(&self, send_id: i64, limit: i64) -> sqlx::Result<Vec<Download>> {
        sqlx::query_as(&format!(
            "SELECT {DOWNLOAD_COLUMNS} FROM download_log \
             WHERE send_id = $1 ORDER BY at DESC, id DESC LIMIT $2"
        ))
        .bind(send_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Stores a receipt; false when this link already has one for this
    /// file (only the first whole delivery is receipted).
    pub async fn insert_receipt(&self, r: &StoredReceipt, token_hash: &str) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO delivery_receipts \
             (id, send_id, token_hash, file_id, at, payload, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (token_hash, file_id) DO NOTHING",
        )
        .bind(&r.id)
        .bind(r.send_id)
        .bind(token_hash)
        .bind(&r.file_id)
        .bind(r.at)
        .bind(&r.payload)
        .bind(&r.signature)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The receipts of `owner`'s sends, newest first: of one send
    /// (`send_id` > 0) and one file (`file_id` not empty) if given.
    pub async fn receipts_of(
        &self,
        owner: i64,
        send_id: i64,
        file_id: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<StoredReceipt>> {
        sqlx::query_as(
            "SELECT r.id, r.send_id, r.file_id, r.at, r.payload, r.signature \
             FROM delivery_receipts r JOIN sends s ON s.id = r.send_id \
             WHERE s.user_id = $1 AND ($2 = 0 OR r.send_id = $2) AND ($3 = '' OR r.file_id = $3) \
             ORDER BY r.at DESC, r.id LIMIT $4",
        )
        .bind(owner)
        .bind(send_id)
        .bind(file_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn receipt(&self, id: &str) -> sqlx::Result<Option<StoredReceipt>> {
        sqlx::query_as(
            "SELECT id, send_id, file_id, at, payload, signature FROM delivery_receipts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Removes log rows older than `log_before` and receipts older than
    /// `receipts_before`; how many rows went.
    pub async fn sweep_download_log(
        &self,
        log_before: i64,
        receipts_before: i64,
    ) -> sqlx::Result<u64> {
        let a = sqlx::query("DELETE FROM download_log WHERE at < $1")
            .bind(log_before)
            .execute(&self.pool)
            .await?;
        let b = sqlx::query("DELETE FROM delivery_receipts WHERE at < $1")
            .bind(receipts_before)
            .execute(&self.pool)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }
}
