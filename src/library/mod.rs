//! The library: logic shared by files, folders and address book methods and
//! their pages (download limits and their actions, deleting files, mail).

pub mod accounts;
pub mod auth;
pub mod bandwidth;
pub mod contacts;
pub mod error;
pub mod file_send;
pub mod groups;
pub mod limits;
pub mod links;
pub mod mail;
pub mod progress;
pub mod uploads;

use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::files::{is_id, File, Folder, FILE_COLUMNS, FOLDER_COLUMNS};
use crate::db::Db;
use crate::mail::Mailer;
use crate::secrets::Secrets;

pub use contacts::collect_addresses;
pub use error::{Error, Result};

/// What the domain works with: the parts every node opens, and nothing of
/// HTTP. `state::AppState` holds one and adds the front ends' node-local
/// parts; domain functions take `&Library` (or just the part they need).
pub struct Library {
    pub cfg: Config,
    pub db: Db,
    pub blobs: Blobs,
    pub secrets: Secrets,
    pub mail: Mailer,
    /// Base of every URL handed out, without a trailing slash.
    pub public_url: String,
    /// This node's running uploads (their progress is flushed to the database).
    pub progress: progress::Board,
    /// Download bytes not yet charged to their accounts.
    pub charges: bandwidth::Charges,
}

impl Library {
    /// An absolute URL of this server for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}
pub use limits::{check_downloadable, count_download, on_download_limit};

/// Longest name (of a file, folder, contact) and password, in characters.
pub const MAX_NAME: usize = 255;
/// Longest description or message, in characters.
pub const MAX_TEXT: usize = 10_000;

/// Seconds before a failed blob removal is tried again.
const BLOB_RETRY_SECS: i64 = 300;

/// `{public_url}/delete/{id}/{secret}` for any file. Owned files store no
/// delete secret, so the secret is derived from the server key, the id and
/// the blob key: it needs no storage, survives renames and moves, and
/// cannot delete a later file that happens to reuse the id.
pub fn delete_url(app: &Library, file: &File) -> String {
    app.url(&format!("/delete/{}/{}", file.id, delete_secret(app, file)))
}

pub fn delete_secret(app: &Library, file: &File) -> String {
    app.secrets
        .sign(&format!("delete:{}:{}", file.id, file.blob_key))
}

/// Whether `secret` may delete `file`: the stored anonymous delete secret
/// (hashed) or the derived one of `delete_url`, compared in constant time.
pub fn delete_secret_ok(app: &Library, file: &File, secret: &str) -> bool {
    let stored = !file.delete_hash.is_empty()
        && crate::secrets::ct_eq(&crate::secrets::hash_secret(secret), &file.delete_hash);
    stored
        || app
            .secrets
            .verify(&format!("delete:{}:{}", file.id, file.blob_key), secret)
}

/// Starts a transaction holding the user's row as a lock: on PostgreSQL a
/// row lock, on SQLite the database write lock (the first statement writes).
/// Folder structure changes, file moves and contact adds of one user run
/// under it, one at a time, so checks made inside stay true until commit.
/// Lock order is always users, then files/folders.
pub async fn lock_user(
    app: &Library,
    user_id: i64,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = app.db.pool.begin().await?;
    sqlx::query("UPDATE users SET disk_used = disk_used WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Deletes a file row (only if `owner` owns it, when given), frees its
/// owner's disk space in the same transaction, then removes the blob.
/// False when there was no such file (already deleted counts as that).
/// For `files.delete` and the anonymous delete page.
pub async fn delete_file(app: &Library, file_id: &str, owner: Option<i64>) -> anyhow::Result<bool> {
    match delete_file_row(app, file_id, owner).await? {
        Some(blob_key) => {
            remove_blob(app, &blob_key).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The row and quota half of `delete_file`; returns the blob key to remove.
pub(crate) async fn delete_file_row(
    app: &Library,
    file_id: &str,
    owner: Option<i64>,
) -> anyhow::Result<Option<String>> {
    let Some(file) = app.db.file(file_id).await? else {
        return Ok(None);
    };
    if owner.is_some() && file.user_id != owner {
        return Ok(None);
    }
    let mut tx = match file.user_id {
        Some(uid) => lock_user(app, uid).await?,
        None => app.db.pool.begin().await?,
    };
    let row: Option<(i64, String)> =
        sqlx::query_as("DELETE FROM files WHERE id = $1 RETURNING size, blob_key")
            .bind(file_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((size, blob_key)) = row else {
        tx.rollback().await?;
        return Ok(None);
    };
    if let Some(uid) = file.user_id {
        sqlx::query(
            "UPDATE users SET disk_used = CASE WHEN disk_used > $1 THEN disk_used - $1 ELSE 0 END WHERE id = $2",
        )
        .bind(size)
        .bind(uid)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(blob_key))
}

/// Removes a blob no row refers to any more. Unlinking a file that a
/// download still reads is safe on the fs backend. On failure the removal
/// is retried later by the sweeper.
pub async fn remove_blob(app: &Library, blob_key: &str) {
    // A backup running now may still have to copy it (its lease is set
    // before its snapshot, so a row deleted after the snapshot sees it).
    if !matches!(app.db.backup_lease_held().await, Ok(false)) {
        if let Err(e) =
            remove_blob_later(app, blob_key, crate::db::settings::BACKUP_LEASE_SECS).await
        {
            tracing::error!(error = %e, "could not queue blob removal");
        }
        return;
    }
    if let Err(e) = app.blobs.delete(blob_key).await {
        tracing::warn!(error = %e, "deleting blob; will retry");
        if let Err(e) = remove_blob_later(app, blob_key, BLOB_RETRY_SECS).await {
            tracing::error!(error = %e, "could not queue blob removal");
        }
    }
}

/// Queues a blob for removal by the sweeper after `secs`.
pub async fn remove_blob_later(app: &Library, blob_key: &str, secs: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO deleted_blobs (blob_key, delete_after) VALUES ($1, $2) \
         ON CONFLICT (blob_key) DO UPDATE SET delete_after = excluded.delete_after",
    )
    .bind(blob_key)
    .bind(crate::db::now() + secs)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// Removes the queued blobs that are due. Each row is claimed by deleting
/// it, so several nodes never remove (or retry) the same blob twice.
pub async fn sweep_deleted_blobs(app: &Library) -> anyhow::Result<()> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT blob_key FROM deleted_blobs WHERE delete_after <= $1 ORDER BY delete_after LIMIT 500",
    )
    .bind(crate::db::now())
    .fetch_all(&app.db.pool)
    .await?;
    for key in due {
        // Checked per blob: a backup that began a moment ago may need it.
        if app.db.backup_lease_held().await? {
            return Ok(());
        }
        let claimed = sqlx::query("DELETE FROM deleted_blobs WHERE blob_key = $1")
            .bind(&key)
            .execute(&app.db.pool)
            .await?;
        if claimed.rows_affected() == 1 {
            remove_blob(app, &key).await;
        }
    }
    Ok(())
}

/// An id, or a full URL of this server (http or https, with or without
/// `www.`) whose path is `{prefix}{id}`. None for anything else (26).
pub fn id_from_url_or_id(app: &Library, input: &str, prefix: &str) -> Option<String> {
    let input = input.trim();
    if is_id(input) {
        return Some(input.to_string());
    }
    let given = url::Url::parse(input).ok()?;
    let ours = url::Url::parse(&app.public_url).ok()?;
    if !matches!(given.scheme(), "http" | "https") {
        return None;
    }
    let bare = |u: &url::Url| {
        let host = u.host_str().unwrap_or("").to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        (host, u.port())
    };
    let (gh, gp) = bare(&given);
    let (oh, op) = bare(&ours);
    // `port()` is None for the scheme's default, so http and https URLs of
    // a server on the default ports both match.
    if gh != oh || gp != op {
        return None;
    }
    let base_path = ours.path().trim_end_matches('/');
    let rest = given.path().strip_prefix(base_path)?.strip_prefix(prefix)?;
    let id = rest.trim_end_matches('/');
    is_id(id).then(|| id.to_string())
}

/// What a shared folder shows anyone: its shared sub-folders and its files.
pub async fn shared_contents(
    app: &Library,
    folder: &Folder,
) -> sqlx::Result<(Vec<Folder>, Vec<File>)> {
    let folders = sqlx::query_as(&format!(
        "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 AND shared = 1 ORDER BY name, id"
    ))
    .bind(folder.user_id)
    .bind(&folder.id)
    .fetch_all(&app.db.pool)
    .await?;
    let files = sqlx::query_as(&format!(
        "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 ORDER BY uploaded DESC, id"
    ))
    .bind(folder.user_id)
    .bind(&folder.id)
    .fetch_all(&app.db.pool)
    .await?;
    Ok((folders, files))
}

/// A shared folder by id with what it shows; None for a missing or
/// private one (pages say nothing more).
pub async fn shared_listing(
    app: &Library,
    id: &str,
) -> sqlx::Result<Option<(Folder, Vec<Folder>, Vec<File>)>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(folder) = app.db.folder(id).await?.filter(|f| f.shared != 0) else {
        return Ok(None);
    };
    let (folders, files) = shared_contents(app, &folder).await?;
    Ok(Some((folder, folders, files)))
}
