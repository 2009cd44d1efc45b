//! Resumable uploads (`tus_uploads`): what a tus upload was created with,
//! its acknowledged offset and the lock of the PATCH writing into it. The
//! offset only moves under the lock, by one conditional UPDATE, so two
//! PATCHes on any nodes never both write (docs/resumable.md).

use crate::db::Db;

/// A resumable upload as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TusRow {
    pub id: String,
    pub upload_id: String,
    /// -1 while the client defers it (`Upload-Defer-Length`): see `length`.
    pub upload_length: i64,
    pub upload_offset: i64,
    /// Bytes of the account's space the upload holds (0: anonymous).
    pub reserved: i64,
    /// `Upload-Metadata` as the client sent it (HEAD gives it back).
    pub metadata: String,
    pub file_name: String,
    pub folder_id: String,
    pub description: String,
    pub password_sealed: String,
    pub recipient_email: String,
    pub recipient_message: String,
    pub notify_uploader: i64,
    /// The creating client's address (mail rate).
    pub ip: String,
    pub blob_key: String,
    /// The file it became; empty until complete.
    pub file_id: String,
    pub expires: i64,
    /// S3: the multipart upload its parts go into (empty until the first).
    pub multipart_id: String,
    /// S3: the object holding the acknowledged bytes past the last part.
    pub tail_key: String,
    /// `partial`, `final;<urls>` (concatenation) or empty.
    pub concat: String,
    /// The file's limits, as asked (0: none).
    pub time_limit: i64,
    pub downloads_limit: i64,
    pub limit_action: i64,
}

/// One acknowledged part of an upload's S3 multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TusPart {
    pub part_number: i64,
    pub etag: String,
    pub size: i64,
}

impl TusRow {
    /// The declared length; None while deferred.
    pub fn length(&self) -> Option<i64> {
        (self.upload_length >= 0).then_some(self.upload_length)
    }
}

const COLUMNS: &str =
    "id, upload_id, upload_length, upload_offset, reserved, metadata, file_name, \
     folder_id, description, password_sealed, recipient_email, recipient_message, notify_uploader, \
     ip, blob_key, file_id, expires, multipart_id, tail_key, concat, time_limit, downloads_limit, \
     limit_action";

impl Db {
    pub async fn insert_tus(&self, row: &TusRow) -> sqlx::Result<()> {
        sqlx::query(&format!(
            "INSERT INTO tus_uploads ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23)"
        ))
        .bind(&row.id)
        .bind(&row.upload_id)
        .bind(row.upload_length)
        .bind(row.upload_offset)
        .bind(row.reserved)
        .bind(&row.metadata)
        .bind(&row.file_name)
        .bind(&row.folder_id)
        .bind(&row.description)
        .bind(&row.password_sealed)
        .bind(&row.recipient_email)
        .bind(&row.recipient_message)
        .bind(row.notify_uploader)
        .bind(&row.ip)
        .bind(&row.blob_key)
        .bind(&row.file_id)
        .bind(row.expires)
        .bind(&row.multipart_id)
        .bind(&row.tail_key)
        .bind(&row.concat)
        .bind(row.time_limit)
        .bind(row.downloads_limit)
        .bind(row.limit_action)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn tus(&self, id: &str) -> sqlx::Result<Option<TusRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tus_uploads WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Takes the upload's lock for `token` until `until_ms` when nobody
    /// holds it (or its holder's lock ran out at `now_ms`).
    pub async fn lock_tus(
        &self,
        id: &str,
        token: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> sqlx::Result<bool> {
        let taken = sqlx::query(
            "UPDATE tus_uploads SET lock_token = $1, lock_until_ms = $2 \
             WHERE id = $3 AND lock_until_ms < $4",
        )
        .bind(token)
        .bind(until_ms)
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Extends a held lock; false when `token` no longer holds it.
    pub async fn renew_tus_lock(&self, id: &str, token: &str, until_ms: i64) -> sqlx::Result<bool> {
        let renewed = sqlx::query(
            "UPDATE tus_uploads SET lock_until_ms = $1 WHERE id = $2 AND lock_token = $3",
        )
        .bind(until_ms)
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    pub async fn unlock_tus(&self, id: &str, token: &str) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE tus_uploads SET lock_token = '', lock_until_ms = 0 \
             WHERE id = $1 AND lock_token = $2",
        )
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Acknowledges bytes: the offset moves from `from` to `to` only while
    /// `token` holds the lock — on S3 together with the parts that hold
    /// them and the tail object past those (one transaction).
    pub async fn advance_tus(
        &self,
        id: &str,
        token: &str,
        (from, to): (i64, i64),
        parts: &[TusPart],
        tail_key: &str,
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE tus_uploads SET upload_offset = $1, tail_key = $2 \
             WHERE id = $3 AND lock_token = $4 AND upload_offset = $5",
        )
        .bind(to)
        .bind(tail_key)
        .bind(id)
        .bind(token)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        // A part sent again (after a crash before its acknowledgement)
        // replaces the one the store had under its number.
        for part in parts {
            sqlx::query(
                "INSERT INTO tus_parts (tus_id, part_number, etag, size) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tus_id, part_number) DO UPDATE SET etag = excluded.etag, size = excluded.size",
            )
            .bind(id)
            .bind(part.part_number)
            .bind(&part.etag)
            .bind(part.size)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The uploads created with one sendspace identifier (the parts of a
    /// concatenation).
    pub async fn tus_of_identifier(&self, upload_id: &str) -> sqlx::Result<Vec<TusRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM tus_uploads WHERE upload_id = $1 ORDER BY id"
        ))
        .bind(upload_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The blob an identifier's claim will write (its pending blob).
    pub async fn pending_blob_of(&self, upload_id: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT blob_key FROM pending_blobs WHERE upload_id = $1")
            .bind(upload_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Sets the space a part of a concatenation holds.
    pub async fn set_tus_reserved(&self, id: &str, reserved: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE tus_uploads SET reserved = $1 WHERE id = $2")
            .bind(reserved)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The acknowledged parts of an upload, in order.
    pub async fn tus_parts(&self, id: &str) -> sqlx::Result<Vec<TusPart>> {
        sqlx::query_as(
            "SELECT part_number, etag, size FROM tus_parts WHERE tus_id = $1 ORDER BY part_number",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
    }

    /// Records the multipart upload of an upload whose lock `token` holds.
    pub async fn set_tus_multipart(
        &self,
        id: &str,
        token: &str,
        multipart_id: &str,
    ) -> sqlx::Result<bool> {
        let set = sqlx::query(
            "UPDATE tus_uploads SET multipart_id = $1 \
             WHERE id = $2 AND lock_token = $3 AND multipart_id = ''",
        )
        .bind(multipart_id)
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(set.rows_affected() == 1)
    }

    /// Declares the length of an upload of deferred length whose lock
    /// `token` holds; false when it was declared already or the lock lost.
    pub async fn set_tus_length(&self, id: &str, token: &str, length: i64) -> sqlx::Result<bool> {
        let set = sqlx::query(
            "UPDATE tus_uploads SET upload_length = $1 \
             WHERE id = $2 AND lock_token = $3 AND upload_length < 0",
        )
        .bind(length)
        .bind(id)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(set.rows_affected() == 1)
    }

    /// Records the file a completed upload became (all of it acknowledged).
    pub async fn complete_tus(&self, id: &str, file_id: &str) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE tus_uploads SET file_id = $1, upload_offset = upload_length WHERE id = $2",
        )
        .bind(file_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets an upload and its parts; true when this call removed it.
    pub async fn delete_tus(&self, id: &str) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM tus_parts WHERE tus_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM tus_uploads WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(gone.rows_affected() == 1)
    }

    /// Uploads expired at `now` whose lock is free at `now_ms`; at most 500.
    pub async fn expired_tus(&self, now: i64, now_ms: i64) -> sqlx::Result<Vec<TusRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM tus_uploads WHERE expires < $1 AND lock_until_ms < $2 LIMIT 500"
        ))
        .bind(now)
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await
    }
}
