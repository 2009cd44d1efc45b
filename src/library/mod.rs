//! The library: logic shared by files, folders and address book methods and
//! their pages (download limits and their actions, deleting files, mail).

pub mod contacts;
pub mod limits;
pub mod lists;
pub mod mail;

use std::time::Duration;

use crate::api::envelope::Node;
use crate::db::files::{is_id, File, Folder, FILE_COLUMNS, FOLDER_COLUMNS};
use crate::state::{App, AppState};

pub use contacts::collect_addresses;
pub use limits::{check_downloadable, count_download, on_download_limit};

/// How often each node looks for files whose time limit has passed.
const TIME_LIMIT_SWEEP: Duration = Duration::from_secs(2);

/// Background jobs of the library (the time-limit sweeper). Every node runs
/// it; each file is claimed by one conditional UPDATE, so it acts once.
pub fn spawn_background(app: &App) {
    let app = app.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = limits::sweep_time_limits(&app).await {
                tracing::warn!(error = %format!("{e:#}"), "time-limit sweeper");
            }
            tokio::time::sleep(TIME_LIMIT_SWEEP).await;
        }
    });
}

/// The `<file/>` element as the owner sees it; 1.2 sessions also get
/// `delete_url`.
pub fn file_node(app: &AppState, file: &File, v12: bool) -> Node {
    let node = file.node(app);
    if v12 {
        node.attr("delete_url", delete_url(app, &file.id))
    } else {
        node
    }
}

/// `{public_url}/delete/{id}/{secret}` for any file. Owned files store no
/// delete secret, so the secret is derived from the server key and the id:
/// it needs no storage, survives moves, and dies with the file.
pub fn delete_url(app: &AppState, file_id: &str) -> String {
    app.url(&format!(
        "/delete/{file_id}/{}",
        delete_secret(app, file_id)
    ))
}

pub fn delete_secret(app: &AppState, file_id: &str) -> String {
    app.secrets.sign(&format!("delete:{file_id}"))
}

/// Whether `secret` may delete `file`: the stored anonymous delete secret
/// (hashed) or the derived one of `delete_url`, compared in constant time.
pub fn delete_secret_ok(app: &AppState, file: &File, secret: &str) -> bool {
    let stored = !file.delete_hash.is_empty()
        && crate::secrets::ct_eq(&crate::secrets::hash_secret(secret), &file.delete_hash);
    stored || app.secrets.verify(&format!("delete:{}", file.id), secret)
}

/// Starts a transaction holding the user's row as a lock: on PostgreSQL a
/// row lock, on SQLite the database write lock (the first statement writes).
/// Folder structure changes, file moves and contact adds of one user run
/// under it, one at a time, so checks made inside stay true until commit.
/// Lock order is always users, then files/folders.
pub async fn lock_user(
    app: &AppState,
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
pub async fn delete_file(
    app: &AppState,
    file_id: &str,
    owner: Option<i64>,
) -> anyhow::Result<bool> {
    let Some(file) = app.db.file(file_id).await? else {
        return Ok(false);
    };
    if owner.is_some() && file.user_id != owner {
        return Ok(false);
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
        return Ok(false);
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
    remove_blob(app, &blob_key).await;
    Ok(true)
}

/// Removes a blob no row refers to any more. Unlinking a file that a
/// download still reads is safe on the fs backend. On failure the key is
/// left in `pending_blobs` for the orphan sweeper.
pub async fn remove_blob(app: &AppState, blob_key: &str) {
    if let Err(e) = app.blobs.delete(blob_key).await {
        tracing::warn!(error = %e, "deleting blob; left for the orphan sweeper");
        let _ = sqlx::query(
            "INSERT INTO pending_blobs (blob_key, created) VALUES ($1, $2) ON CONFLICT (blob_key) DO NOTHING",
        )
        .bind(blob_key)
        .bind(crate::db::now())
        .execute(&app.db.pool)
        .await;
    }
}

/// An id, or a full URL of this server (http or https, with or without
/// `www.`) whose path is `{prefix}{id}`. None for anything else (26).
pub fn id_from_url_or_id(app: &AppState, input: &str, prefix: &str) -> Option<String> {
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
    app: &AppState,
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
    app: &AppState,
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
