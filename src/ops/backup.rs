//! `dropspace admin backup DIR` / `restore DIR`: an online, consistent copy
//! of a deployment into a local directory, and back onto an empty one.
//!
//! Backup takes the database snapshot first (SQLite `VACUUM INTO`, or
//! `pg_dump`), then copies the blob of every file row of that snapshot.
//! Blobs of files deleted meanwhile stay in the store while the backup
//! runs: the backup holds a lease in `settings` (`backup_lease`, renewed as
//! it goes) under which no node removes a blob (`library::remove_blob`
//! queues it, the sweeper waits). Each blob is checked against
//! its recorded BLAKE3 checksum while it is copied, and again on restore.
//!
//! Layout of DIR: `manifest.json`, `dropspace.db` or `database.pgdump`,
//! `blobs/<key>`, and `secrets/master.key` when the key lives in the data
//! directory (without it the sealed secrets cannot be read: keep backups
//! as safe as the server).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, ensure, Context};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::inline_blobs::is_inline;
use crate::db::ops::BlobRow;
use crate::db::{now, Backend, Db};

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "dropspace.db";
const PG_FILE: &str = "database.pgdump";
const KEY_FILE: &str = "secrets/master.key";
use crate::db::settings::BACKUP_LEASE_SECS as LEASE_SECS;

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created: i64,
    database: String,
    files: u64,
    bytes: u64,
    secret_key_included: bool,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub files: u64,
    pub bytes: u64,
    /// Files whose blob could not be copied, with the reason.
    pub failed: Vec<String>,
}

async fn hold_lease(db: &Db) -> sqlx::Result<()> {
    db.hold_backup_lease().await
}

pub async fn backup(cfg: &Config, db: &Db, blobs: &Blobs, dir: &Path) -> anyhow::Result<Summary> {
    if dir.exists() {
        ensure!(
            std::fs::read_dir(dir)?.next().is_none(),
            "{} is not empty",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir.join("blobs"))
        .with_context(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    hold_lease(db).await?;
    let result = copy_out(cfg, db, blobs, &dir).await;
    db.end_backup_lease().await?;
    result
}

async fn copy_out(cfg: &Config, db: &Db, blobs: &Blobs, dir: &Path) -> anyhow::Result<Summary> {
    let rows = snapshot(cfg, db, dir).await?;
    let mut summary = Summary::default();
    let mut renewed = now();
    for BlobRow {
        blob_key: key,
        size,
        checksum,
    } in rows
    {
        if now() - renewed > LEASE_SECS / 3 {
            hold_lease(db).await?;
            renewed = now();
        }
        let size = u64::try_from(size).context("negative file size")?;
        // Small files' bytes are rows of the snapshot.
        if is_inline(&key) {
            summary.files += 1;
            summary.bytes += size;
            continue;
        }
        let path = blob_path(dir, &key)?;
        match copy_blob_out(blobs, &key, size, &path).await {
            Ok(sum) if checksum.is_empty() || crate::secrets::ct_eq(&sum, &checksum) => {
                summary.files += 1;
                summary.bytes += size;
            }
            Ok(_) => summary.failed.push(format!(
                "blob {key}: checksum differs from the recorded one"
            )),
            Err(e) => summary.failed.push(format!("blob {key}: {e:#}")),
        }
    }

    let key_file = cfg.data_dir.join(KEY_FILE);
    let secret_key_included = cfg.secret_key.is_none() && key_file.exists();
    if secret_key_included {
        let target = dir.join(KEY_FILE);
        std::fs::create_dir_all(target.parent().context("key path")?)?;
        std::fs::copy(&key_file, &target)?;
        restrict(&target)?;
    }
    let manifest = Manifest {
        format: 1,
        created: now(),
        database: match db.backend {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        files: summary.files,
        bytes: summary.bytes,
        secret_key_included,
    };
    std::fs::write(dir.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(summary)
}

/// Takes the database snapshot into `dir` and returns the blobs it
/// refers to, read from that very snapshot: a file deleted a moment later
/// is still listed (its blob is kept by the lease), one uploaded later is not.
async fn snapshot(cfg: &Config, db: &Db, dir: &Path) -> anyhow::Result<Vec<BlobRow>> {
    match db.backend {
        Backend::Sqlite => {
            let target = dir.join(SQLITE_FILE);
            let target = target.to_str().context("backup path is not UTF-8")?;
            db.vacuum_into(target).await.context("VACUUM INTO")?;
            let rows = crate::db::ops::sqlite_snapshot_rows(target)
                .await
                .context("opening the snapshot")?;
            Ok(rows)
        }
        Backend::Postgres => {
            // pg_dump runs in the snapshot of this transaction, and the
            // rows are read in it too.
            let mut snap = db.begin_pg_snapshot().await?;
            let mut cmd = pg_command("pg_dump", &cfg.database_url())?;
            cmd.arg("--format=custom")
                .arg("--no-owner")
                .arg(format!("--snapshot={}", snap.id))
                .arg("--file")
                .arg(dir.join(PG_FILE));
            if snap.schema != "public" {
                cmd.arg(format!("--schema={}", snap.schema));
            }
            tokio::task::spawn_blocking(move || run(&mut cmd, "pg_dump")).await??;
            let rows = std::mem::take(&mut snap.rows);
            snap.end().await?;
            Ok(rows)
        }
    }
}

/// Keys are generated by the server (`ab/abcdef…`); anything else in a
/// database is refused rather than turned into a path.
fn blob_path(dir: &Path, key: &str) -> anyhow::Result<PathBuf> {
    let valid = !key.is_empty()
        && key.len() <= 128
        && !key.starts_with('/')
        && !key.contains("..")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-' || b == b'_');
    ensure!(valid, "unexpected blob key {key:?}");
    Ok(dir.join("blobs").join(key))
}

/// Streams a blob into a local file (synced); returns its BLAKE3.
async fn copy_blob_out(blobs: &Blobs, key: &str, size: u64, path: &Path) -> anyhow::Result<String> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let stream = blobs.read(key, 0..size).await?;
    futures::pin_mut!(stream);
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = blake3::Hasher::new();
    while let Some(chunk) = stream.try_next().await? {
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// Restores DIR onto an empty deployment (no database yet, or an empty
/// one; an empty blob store) and returns what it copied.
pub async fn restore(cfg: &Config, dir: &Path) -> anyhow::Result<Summary> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(dir.join(MANIFEST))
            .with_context(|| format!("{} holds no backup", dir.display()))?,
    )?;
    ensure!(
        manifest.format == 1,
        "unknown backup format {}",
        manifest.format
    );
    let url = cfg.database_url();
    let postgres = url.starts_with("postgres");
    ensure!(
        manifest.database == if postgres { "postgres" } else { "sqlite" },
        "the backup holds a {} database, the configuration names another kind",
        manifest.database
    );

    restore_key(cfg, dir, manifest.secret_key_included)?;
    if postgres {
        ensure_empty_postgres(&url).await?;
        run(
            pg_command("pg_restore", &url)?
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg(dir.join(PG_FILE)),
            "pg_restore",
        )?;
    } else {
        let path = sqlite_path(&url)?;
        ensure!(
            !path.exists(),
            "{} exists: restore needs an empty data directory",
            path.display()
        );
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension("restoring");
        std::fs::copy(dir.join(SQLITE_FILE), &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
    }

    // Brings an older backup's schema up to date.
    let db = Db::connect(cfg).await?;
    // The snapshot was taken under the backup's own lease.
    db.end_backup_lease().await?;
    let blobs = Blobs::new(cfg)?;
    ensure!(
        blobs.list().await?.is_empty(),
        "the blob store is not empty: restore needs an empty one"
    );
    let rows = db.blob_rows().await?;
    let mut summary = Summary::default();
    for BlobRow {
        blob_key: key,
        size,
        checksum,
    } in rows
    {
        if is_inline(&key) {
            summary.files += 1;
            summary.bytes += size as u64;
            continue;
        }
        match copy_blob_in(&blobs, &blob_path(dir, &key)?, &key).await {
            Ok((sum, n))
                if n == size as u64
                    && (checksum.is_empty() || crate::secrets::ct_eq(&sum, &checksum)) =>
            {
                summary.files += 1;
                summary.bytes += n;
            }
            Ok(_) => summary
                .failed
                .push(format!("blob {key}: the copy in the backup is damaged")),
            Err(e) => summary.failed.push(format!("blob {key}: {e:#}")),
        }
    }
    Ok(summary)
}

async fn copy_blob_in(blobs: &Blobs, path: &Path, key: &str) -> anyhow::Result<(String, u64)> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut writer = blobs.writer(key).await?;
    let mut hasher = blake3::Hasher::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
        if let Err(e) = writer.write(bytes::Bytes::copy_from_slice(&buf[..n])).await {
            writer.abort().await;
            return Err(e.into());
        }
    }
    writer.finish().await?;
    Ok((hasher.finalize().to_hex().to_string(), total))
}

fn restore_key(cfg: &Config, dir: &Path, included: bool) -> anyhow::Result<()> {
    if !included {
        ensure!(
            cfg.secret_key.is_some(),
            "the backup holds no secret key: configure the deployment's secret_key before restoring"
        );
        return Ok(());
    }
    let target = cfg.data_dir.join(KEY_FILE);
    let saved = std::fs::read(dir.join(KEY_FILE))?;
    if target.exists() {
        ensure!(
            std::fs::read(&target)? == saved,
            "{} holds another secret key than the backup",
            target.display()
        );
        return Ok(());
    }
    std::fs::create_dir_all(target.parent().context("key path")?)?;
    std::fs::write(&target, saved)?;
    restrict(&target)
}

async fn ensure_empty_postgres(url: &str) -> anyhow::Result<()> {
    ensure!(
        !crate::db::ops::postgres_has_schema(url).await?,
        "the database already holds a dropspace schema: restore needs an empty one"
    );
    Ok(())
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("not a SQLite URL")?;
    let path = rest.split('?').next().unwrap_or(rest);
    ensure!(
        !path.is_empty() && path != ":memory:",
        "no SQLite file in {url}"
    );
    Ok(PathBuf::from(path))
}

/// `program --dbname=URL` with the password taken out of the URL (userinfo
/// or `?password=`) and handed over in `PGPASSWORD`: a command line is
/// readable by every local user (`ps`, `/proc/*/cmdline`), the environment
/// is not.
fn pg_command(program: &str, url: &str) -> anyhow::Result<Command> {
    let mut parsed = url::Url::parse(url).context("parsing database_url")?;
    let mut password = parsed
        .password()
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|p| !p.is_empty());
    let _ = parsed.set_password(None);
    // The query is filtered raw: libpq percent-decodes but reads `+` as
    // `+`, so re-encoding it as a form would change other options.
    if let Some(query) = parsed.query().map(str::to_owned) {
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("password", v)) => {
                    let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                    password.get_or_insert_with(|| v.into_owned());
                }
                _ => kept.push(pair),
            }
        }
        parsed.set_query(
            Some(&kept.join("&"))
                .filter(|q| !q.is_empty())
                .map(|q| q.as_str()),
        );
    }
    let mut cmd = Command::new(program);
    cmd.arg(format!("--dbname={parsed}"));
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    Ok(cmd)
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("running {what} (install the PostgreSQL client tools)"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::pg_command;

    fn parts(cmd: &std::process::Command) -> (Vec<String>, Option<String>) {
        let args = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let pw = cmd
            .get_envs()
            .find(|(k, _)| *k == "PGPASSWORD")
            .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
        (args, pw)
    }

    #[test]
    fn pg_tools_get_the_password_in_the_environment() {
        let cmd = pg_command(
            "pg_dump",
            "postgres://dropspace:s%40cret%2Fpw@db.example:5433/ds?sslmode=require",
        )
        .unwrap();
        let (args, pw) = parts(&cmd);
        assert_eq!(
            args,
            ["--dbname=postgres://dropspace@db.example:5433/ds?sslmode=require"]
        );
        assert_eq!(pw.as_deref(), Some("s@cret/pw"));

        let cmd = pg_command(
            "pg_restore",
            "postgresql://u@localhost/ds?password=hunter2&options=-c%20search_path%3Dt_1",
        )
        .unwrap();
        let (args, pw) = parts(&cmd);
        assert!(args.iter().all(|a| !a.contains("hunter2")), "{args:?}");
        assert_eq!(
            args,
            ["--dbname=postgresql://u@localhost/ds?options=-c%20search_path%3Dt_1"]
        );
        assert_eq!(pw.as_deref(), Some("hunter2"));

        let (args, pw) = parts(&pg_command("pg_dump", "postgres://u@localhost/ds").unwrap());
        assert_eq!(args, ["--dbname=postgres://u@localhost/ds"]);
        assert_eq!(pw, None);
    }
}
