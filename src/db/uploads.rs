//! Upload identifiers (`upload_ids`), the blobs they write (`pending_blobs`)
//! and the disk space they hold while they stream.
//!
//! An identifier moves through `Unused → Uploading → Done | Failed`, each
//! step one conditional statement, so it is used once on any number of
//! nodes. While uploading it carries `reserved`: bytes already charged to
//! the account's `disk_used`. Every transaction here takes the users row
//! before the upload_ids row (the order of the per-user lock), so they
//! cannot deadlock.

use crate::db::group::{Outcome, Tx};
use crate::db::read::{Param, ReadRow};
use crate::db::{now, now_ms, Db};

/// The state of an upload identifier (`upload_ids.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// Handed out, not used yet.
    Unused,
    /// Its upload is streaming now.
    Uploading,
    /// Its upload is stored.
    Done,
    /// Its upload failed or was given up.
    Failed,
}

impl UploadState {
    /// The value stored in the schema.
    pub const fn code(self) -> i64 {
        match self {
            UploadState::Unused => 0,
            UploadState::Uploading => 1,
            UploadState::Done => 2,
            UploadState::Failed => 3,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown upload state {0}")]
pub struct UnknownState(i64);

impl TryFrom<i64> for UploadState {
    type Error = UnknownState;

    fn try_from(v: i64) -> Result<Self, UnknownState> {
        Ok(match v {
            0 => UploadState::Unused,
            1 => UploadState::Uploading,
            2 => UploadState::Done,
            3 => UploadState::Failed,
            other => return Err(UnknownState(other)),
        })
    }
}

/// What `upload.getInfo` bound an identifier to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ident {
    pub id: String,
    /// None for anonymous uploads.
    pub user_id: Option<i64>,
    pub api_version: String,
    /// KB/s, 0 = none.
    pub speed_limit: i64,
    /// The tier's limit when it was handed out; -1 = none.
    pub max_file_size: i64,
    #[sqlx(try_from = "i64")]
    pub state: UploadState,
    pub expires: i64,
    /// The file request it uploads into ('' = none; docs/file-requests.md).
    pub request_id: String,
}

const IDENT_COLUMNS: &str =
    "id, user_id, api_version, speed_limit, max_file_size, state, expires, request_id";

impl ReadRow for Ident {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let state: i64 = row.get("state")?;
        Ok(Ident {
            id: row.get("id")?,
            user_id: row.get("user_id")?,
            api_version: row.get("api_version")?,
            speed_limit: row.get("speed_limit")?,
            max_file_size: row.get("max_file_size")?,
            state: UploadState::try_from(state).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Integer,
                    e.into(),
                )
            })?,
            expires: row.get("expires")?,
            request_id: row.get("request_id")?,
        })
    }
}

/// A new identifier's row.
pub struct NewIdent<'a> {
    pub id: &'a str,
    pub user_id: Option<i64>,
    pub api_version: &'a str,
    pub speed_limit: i64,
    pub max_file_size: i64,
    pub expires: i64,
    /// The file request it uploads into ('' = none).
    pub request_id: &'a str,
}

/// The answer of `Db::claim_upload_id`.
#[derive(Debug)]
pub enum Claim {
    Claimed(Ident),
    /// Unknown, used or expired.
    Unknown,
    /// Its file request is closed, expired, or its caps would be passed.
    RequestRefused,
}

/// The answer of `Db::reserve_upload_space`.
#[derive(Debug, PartialEq, Eq)]
pub enum Reserve {
    Granted,
    /// The account has not that much space left.
    Full,
    /// The identifier is no longer uploading (given up as stale).
    Lost,
}

/// A finished upload's row, as the commit stores it.
#[derive(Clone)]
pub struct NewFile {
    pub user_id: Option<i64>,
    pub folder_id: String,
    pub name: String,
    pub description: String,
    pub password_sealed: String,
    pub size: i64,
    /// The blob the upload wrote (pending until the commit).
    pub blob_key: String,
    /// The bytes, when they are kept in the database instead of a blob
    /// (under `inline_blobs::inline_key(blob_key)`).
    pub inline: Option<Vec<u8>>,
    pub checksum: String,
    /// None where it is not known (docs/zip.md).
    pub crc32: Option<i64>,
    pub content_type: String,
    pub delete_hash: String,
    /// Stored hidden until its virus scan (docs/scanning.md).
    pub quarantined: bool,
    /// Seconds from the commit (0: none), as `files.setInfo` sets them.
    pub time_limit: i64,
    pub download_limit: i64,
    pub limit_action: i64,
}

/// Why a commit did not store the file.
#[derive(Debug)]
pub enum CommitError {
    /// The identifier was given up meanwhile (stale sweep).
    Lost,
    /// The target folder is not the uploader's (any more).
    Folder,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for CommitError {
    fn from(e: sqlx::Error) -> Self {
        CommitError::Db(e)
    }
}

impl Db {
    /// Stores a new, unused identifier.
    pub async fn insert_upload_id(&self, new: &NewIdent<'_>) -> sqlx::Result<()> {
        let (id, api_version) = (new.id.to_string(), new.api_version.to_string());
        let request_id = new.request_id.to_string();
        let (user_id, speed_limit, max_file_size, expires) =
            (new.user_id, new.speed_limit, new.max_file_size, new.expires);
        self.write_grouped(Box::new(move |mut tx| {
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO upload_ids (id, user_id, api_version, speed_limit, max_file_size, state, expires, created, request_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        Param::Text(&id),
                        Param::OptInt(user_id),
                        Param::Text(&api_version),
                        Param::Int(speed_limit),
                        Param::Int(max_file_size),
                        Param::Int(UploadState::Unused.code()),
                        Param::Int(expires),
                        Param::Int(now()),
                        Param::Text(&request_id),
                    ],
                )
                .await?;
                Ok(Outcome::Commit(()))
            })
        }))
        .await
    }

    pub async fn upload_id(&self, id: &str) -> sqlx::Result<Option<Ident>> {
        self.read_one(
            &format!("SELECT {IDENT_COLUMNS} FROM upload_ids WHERE id = $1"),
            &[Param::Text(id)],
        )
        .await
    }

    /// Takes an unused, unexpired identifier for the upload starting now,
    /// opens its progress row and records the blob it will write (so a
    /// crash leaves something to collect), in one transaction; None when
    /// the identifier is unknown, used or expired. An identifier of a file
    /// request takes one file of `total` bytes from the request's caps in
    /// the same transaction (docs/file-requests.md).
    pub async fn claim_upload_id(
        &self,
        id: &str,
        total: i64,
        blob_key: &str,
    ) -> sqlx::Result<Claim> {
        let (id, blob_key) = (id.to_string(), blob_key.to_string());
        self.write_grouped(Box::new(move |tx| {
            Box::pin(claim_tx(tx, id, total, blob_key))
        }))
        .await
    }

    /// Uploads of an account streaming now, on every node.
    pub async fn open_upload_count(&self, user_id: i64) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM upload_ids WHERE user_id = $1 AND state = $2")
            .bind(user_id)
            .bind(UploadState::Uploading.code())
            .fetch_one(&self.pool)
            .await
    }

    /// Charges `n` more bytes of the upload `id` to the account, unless
    /// that passes `quota`. One transaction: concurrent uploads of one
    /// account, on any node, can never hold more than the quota together.
    pub async fn reserve_upload_space(
        &self,
        user_id: i64,
        id: &str,
        n: i64,
        quota: i64,
    ) -> sqlx::Result<Reserve> {
        self.reserve_grouped(user_id, id.to_string(), n, quota, None)
            .await
    }

    /// `reserve_upload_space` for a resumable upload of deferred length:
    /// the space its row holds grows in the same transaction.
    pub async fn reserve_tus_space(
        &self,
        user_id: i64,
        (id, tus_id): (&str, &str),
        n: i64,
        quota: i64,
    ) -> sqlx::Result<Reserve> {
        self.reserve_grouped(user_id, id.to_string(), n, quota, Some(tus_id.to_string()))
            .await
    }

    async fn reserve_grouped(
        &self,
        user_id: i64,
        id: String,
        n: i64,
        quota: i64,
        tus_id: Option<String>,
    ) -> sqlx::Result<Reserve> {
        let reserved = self
            .write_grouped(Box::new(move |tx| {
                Box::pin(reserve_tx(tx, user_id, id, n, quota, tus_id))
            }))
            .await?;
        if reserved == Reserve::Granted {
            self.cache.changed(user_id);
        }
        Ok(reserved)
    }

    /// Ends an upload that failed: the identifier goes to `to` (spent, or
    /// back to unused), its reservation returned, its progress says `fail` with `error`. False
    /// when it was not uploading any more (already settled by someone else).
    pub async fn release_upload(
        &self,
        id: &str,
        error: &str,
        to: UploadState,
    ) -> sqlx::Result<bool> {
        // Read, then give back exactly what was read in a transaction that
        // only succeeds if the row still holds that: safe against a racing
        // reserve or sweeper, and users-before-upload_ids like everything here.
        for _ in 0..5 {
            let row: Option<(Option<i64>, i64, i64, String, i64)> = sqlx::query_as(
                "SELECT user_id, reserved, state, request_id, request_bytes FROM upload_ids WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
            let Some((user_id, reserved, state, request_id, request_bytes)) = row else {
                return Ok(false);
            };
            if state != UploadState::Uploading.code() {
                return Ok(false);
            }
            let mut tx = self.pool.begin().await?;
            if let (Some(uid), true) = (user_id, reserved > 0) {
                sqlx::query(
                    "UPDATE users SET disk_used = CASE WHEN disk_used > $1 THEN disk_used - $1 ELSE 0 END WHERE id = $2",
                )
                .bind(reserved)
                .bind(uid)
                .execute(&mut *tx)
                .await?;
            }
            let ended = sqlx::query(
                "UPDATE upload_ids SET state = $1, reserved = 0, request_bytes = -1 \
                 WHERE id = $2 AND state = $3 AND reserved = $4",
            )
            .bind(to.code())
            .bind(id)
            .bind(UploadState::Uploading.code())
            .bind(reserved)
            .execute(&mut *tx)
            .await?;
            if ended.rows_affected() != 1 {
                tx.rollback().await?;
                continue;
            }
            // The file request's share goes back with the space.
            if !request_id.is_empty() && request_bytes >= 0 {
                sqlx::query(crate::db::file_requests::GIVE_BACK_SQL)
                    .bind(&request_id)
                    .bind(request_bytes)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "UPDATE progress SET status = 'fail', error = $1, updated_ms = $2 WHERE upload_id = $3",
            )
            .bind(error)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            if let Some(uid) = user_id {
                self.cache.changed(uid);
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Makes a finished upload visible, in one transaction: the account is
    /// charged the real size (its reservation settled), the identifier
    /// spent, the file row inserted, the blob no longer pending, the
    /// progress `done`. Returns the new file id and the account's
    /// `disk_used` after it.
    pub async fn commit_upload(
        &self,
        upload_id: &str,
        reserved: i64,
        received: i64,
        file: &NewFile,
    ) -> Result<(String, Option<i64>), CommitError> {
        let owner = file.user_id;
        let (upload_id, file) = (upload_id.to_string(), file.clone());
        let committed = self
            .write_grouped(Box::new(move |tx| {
                Box::pin(commit_tx(tx, upload_id, reserved, received, file))
            }))
            .await;
        if let (Ok(_), Some(uid)) = (&committed, &owner) {
            self.cache.changed(*uid);
        }
        committed
    }

    /// Forgets a pending blob (its upload removed it). True when this call
    /// deleted the row, so several nodes never act on one blob twice.
    pub async fn drop_pending_blob(&self, blob_key: &str) -> sqlx::Result<bool> {
        let gone = sqlx::query("DELETE FROM pending_blobs WHERE blob_key = $1")
            .bind(blob_key)
            .execute(&self.pool)
            .await?;
        Ok(gone.rows_affected() == 1)
    }

    /// Uploads still marked uploading whose progress has not moved since
    /// `cutoff_ms` (their node died); at most 500. Resumable uploads pause
    /// as long as they like: their own expiry ends them.
    pub async fn stale_uploads(&self, cutoff_ms: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT u.id FROM upload_ids u LEFT JOIN progress p ON p.upload_id = u.id \
             WHERE u.state = $1 AND (p.updated_ms IS NULL OR p.updated_ms < $2) \
             AND NOT EXISTS (SELECT 1 FROM tus_uploads t WHERE t.upload_id = u.id) LIMIT 500",
        )
        .bind(UploadState::Uploading.code())
        .bind(cutoff_ms)
        .fetch_all(&self.pool)
        .await
    }

    /// Pending blobs older than `cutoff` whose upload is over (or gone);
    /// at most 500.
    pub async fn due_pending_blobs(&self, cutoff: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT b.blob_key FROM pending_blobs b LEFT JOIN upload_ids u ON u.id = b.upload_id \
             WHERE b.created < $1 AND (u.id IS NULL OR u.state <> $2) LIMIT 500",
        )
        .bind(cutoff)
        .bind(UploadState::Uploading.code())
        .fetch_all(&self.pool)
        .await
    }

    /// Whether a file row refers to the blob.
    pub async fn blob_attached(&self, blob_key: &str) -> sqlx::Result<bool> {
        let attached: Option<String> =
            sqlx::query_scalar("SELECT id FROM files WHERE blob_key = $1")
                .bind(blob_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(attached.is_some())
    }

    /// Forgets identifiers that expired before `expired_before` and are not
    /// uploading, and ended progress rows last written before
    /// `progress_before_ms`.
    pub async fn forget_upload_ids(
        &self,
        expired_before: i64,
        progress_before_ms: i64,
    ) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM upload_ids WHERE expires < $1 AND state <> $2")
            .bind(expired_before)
            .bind(UploadState::Uploading.code())
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM progress WHERE status <> 'ok' AND updated_ms < $1")
            .bind(progress_before_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// `Db::claim_upload_id`'s transaction.
async fn claim_tx(
    mut tx: Tx<'_>,
    id: String,
    total: i64,
    blob_key: String,
) -> sqlx::Result<Outcome<Claim>> {
    let ident: Option<Ident> = tx
        .row(
            &format!(
                "UPDATE upload_ids SET state = $1 WHERE id = $2 AND state = $3 AND expires > $4 \
                 RETURNING {IDENT_COLUMNS}"
            ),
            &[
                Param::Int(UploadState::Uploading.code()),
                Param::Text(&id),
                Param::Int(UploadState::Unused.code()),
                Param::Int(now()),
            ],
        )
        .await?;
    let Some(ident) = ident else {
        return Ok(Outcome::Commit(Claim::Unknown));
    };
    if !ident.request_id.is_empty() {
        let taken = tx
            .execute(
                crate::db::file_requests::TAKE_SQL,
                &[
                    Param::Text(&ident.request_id),
                    Param::Int(total),
                    Param::Int(now()),
                ],
            )
            .await?;
        if taken != 1 {
            return Ok(Outcome::Rollback(Claim::RequestRefused));
        }
        tx.execute(
            "UPDATE upload_ids SET request_bytes = $1 WHERE id = $2",
            &[Param::Int(total), Param::Text(&id)],
        )
        .await?;
    }
    tx.execute(
        "INSERT INTO progress (upload_id, status, uploaded, total, started_ms, updated_ms) \
         VALUES ($1, 'ok', 0, $2, $3, $3) \
         ON CONFLICT (upload_id) DO UPDATE SET status = 'ok', uploaded = 0, total = excluded.total, \
         started_ms = excluded.started_ms, updated_ms = excluded.updated_ms, file_id = '', error = ''",
        &[Param::Text(&id), Param::Int(total), Param::Int(now_ms())],
    )
    .await?;
    tx.execute(
        "INSERT INTO pending_blobs (blob_key, created, upload_id) VALUES ($1, $2, $3)",
        &[Param::Text(&blob_key), Param::Int(now()), Param::Text(&id)],
    )
    .await?;
    Ok(Outcome::Commit(Claim::Claimed(ident)))
}

/// `Db::commit_upload`'s transaction.
async fn commit_tx(
    mut tx: Tx<'_>,
    upload_id: String,
    reserved: i64,
    received: i64,
    file: NewFile,
) -> Result<Outcome<(String, Option<i64>)>, CommitError> {
    let mut disk_used = None;
    if let Some(uid) = file.user_id {
        disk_used = tx
            .row::<(i64,)>(
                "UPDATE users SET disk_used = disk_used + $1 WHERE id = $2 RETURNING disk_used",
                &[Param::Int(file.size - reserved), Param::Int(uid)],
            )
            .await?
            .map(|(used,)| used);
    }
    let spent = tx
        .execute(
            "UPDATE upload_ids SET state = $1, reserved = 0 WHERE id = $2 AND state = $3 AND reserved = $4",
            &[
                Param::Int(UploadState::Done.code()),
                Param::Text(&upload_id),
                Param::Int(UploadState::Uploading.code()),
                Param::Int(reserved),
            ],
        )
        .await?;
    if spent != 1 {
        return Err(CommitError::Lost);
    }
    if let Some(uid) = file.user_id {
        if !crate::db::folders::owns_folder_in(&mut tx, uid, &file.folder_id).await? {
            return Err(CommitError::Folder);
        }
    }
    let stored_key = match &file.inline {
        Some(bytes) => {
            let key = crate::db::inline_blobs::inline_key(&file.blob_key);
            tx.execute(
                "INSERT INTO inline_blobs (blob_key, data) VALUES ($1, $2)",
                &[Param::Text(&key), Param::Bytes(bytes)],
            )
            .await?;
            key
        }
        None => file.blob_key.clone(),
    };
    let uploaded = now();
    for _ in 0..8 {
        let id = crate::db::files::new_id();
        let inserted = tx
            .execute(
                "INSERT INTO files (id, user_id, folder_id, name, description, password_sealed, size, blob_key, \
                 checksum, content_type, uploaded, delete_hash, quarantined, time_limit, time_limit_at, \
                 download_limit, limit_action, crc32) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                 ON CONFLICT (id) DO NOTHING",
                &[
                    Param::Text(&id),
                    Param::OptInt(file.user_id),
                    Param::Text(&file.folder_id),
                    Param::Text(&file.name),
                    Param::Text(&file.description),
                    Param::Text(&file.password_sealed),
                    Param::Int(file.size),
                    Param::Text(&stored_key),
                    Param::Text(&file.checksum),
                    Param::Text(&file.content_type),
                    Param::Int(uploaded),
                    Param::Text(&file.delete_hash),
                    // Due for its scan at once (docs/scanning.md).
                    Param::Int(i64::from(file.quarantined)),
                    Param::Int(file.time_limit),
                    Param::Int(if file.time_limit > 0 { uploaded + file.time_limit } else { 0 }),
                    Param::Int(file.download_limit),
                    Param::Int(file.limit_action),
                    Param::OptInt(file.crc32),
                ],
            )
            .await?;
        if inserted == 1 {
            tx.execute(
                "DELETE FROM pending_blobs WHERE blob_key = $1",
                &[Param::Text(&file.blob_key)],
            )
            .await?;
            tx.execute(
                "UPDATE progress SET status = 'done', file_id = $1, updated_ms = $2, uploaded = $3, \
                 total = CASE WHEN total > 0 THEN total ELSE $3 END WHERE upload_id = $4",
                &[
                    Param::Text(&id),
                    Param::Int(now_ms()),
                    Param::Int(received),
                    Param::Text(&upload_id),
                ],
            )
            .await?;
            return Ok(Outcome::Commit((id, disk_used)));
        }
    }
    Err(CommitError::Db(sqlx::Error::Protocol(
        "no free file id after 8 tries".into(),
    )))
}

/// `Db::reserve_upload_space`'s transaction.
async fn reserve_tx(
    mut tx: Tx<'_>,
    user_id: i64,
    id: String,
    n: i64,
    quota: i64,
    tus_id: Option<String>,
) -> sqlx::Result<Outcome<Reserve>> {
    let charged = tx
        .execute(
            "UPDATE users SET disk_used = disk_used + $1 WHERE id = $2 AND disk_used + $1 <= $3",
            &[Param::Int(n), Param::Int(user_id), Param::Int(quota)],
        )
        .await?;
    if charged != 1 {
        return Ok(Outcome::Rollback(Reserve::Full));
    }
    let held = tx
        .execute(
            "UPDATE upload_ids SET reserved = reserved + $1 WHERE id = $2 AND state = $3",
            &[
                Param::Int(n),
                Param::Text(&id),
                Param::Int(UploadState::Uploading.code()),
            ],
        )
        .await?;
    if held != 1 {
        return Ok(Outcome::Rollback(Reserve::Lost));
    }
    if let Some(tus_id) = tus_id {
        let grown = tx
            .execute(
                "UPDATE tus_uploads SET reserved = reserved + $1 WHERE id = $2",
                &[Param::Int(n), Param::Text(&tus_id)],
            )
            .await?;
        if grown != 1 {
            return Ok(Outcome::Rollback(Reserve::Lost));
        }
    }
    Ok(Outcome::Commit(Reserve::Granted))
}
