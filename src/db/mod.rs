//! The metadata store: one schema, run on SQLite (default) or PostgreSQL
//! through sqlx's `Any` driver. Every query is written once with `$N`
//! placeholders and portable SQL (`ON CONFLICT`, `RETURNING`), and every
//! state change that races between nodes is a single conditional statement.

use std::str::FromStr;
use std::time::Duration;

pub mod account_tokens;
pub mod age_keys;
pub mod api_keys;
pub mod app_passwords;
pub mod audit;
pub mod bandwidth;
pub mod bundles;
pub mod cache;
pub mod contacts;
pub mod deleted_blobs;
pub mod download_log;
pub mod downloads;
pub mod expiry;
pub mod file_requests;
pub mod file_send;
pub mod files;
pub mod folders;
mod group;
pub mod inline_blobs;
pub mod lock;
pub mod mail_queue;
pub mod mail_rate;
pub mod ops;
pub mod progress;
pub mod read;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod trash;
pub mod tus;
pub mod two_factor;
pub mod uploads;
pub mod usage;
pub mod users;
pub mod webhooks;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use read::Readers;

use crate::config::Config;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    /// Writes and transactions (and any read that must see them).
    pub pool: AnyPool,
    /// One-row reads (`Db::read_one`). SQLite: read-only connections used
    /// in place beside the one writer, so lookups never queue behind a
    /// commit's fsync (WAL readers see every committed write) nor hop
    /// threads. PostgreSQL: the pool.
    read: Readers,
    pub backend: Backend,
    /// API sessions with their accounts, kept in process for a bounded
    /// time (`limits.session_cache_ms`).
    pub cache: std::sync::Arc<cache::SessionCache>,
    /// SQLite: the thread that commits grouped writes (`db::group`).
    writer: Option<std::sync::Arc<group::Writer>>,
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(cfg: &Config) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let url = cfg.database_url();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("database_url must start with sqlite:// or postgres://");
        };
        if backend == Backend::Sqlite {
            crate::secrets::create_private_dir(&cfg.data_dir)
                .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
        }
        let opts = AnyConnectOptions::from_str(&url).context("parsing database_url")?;
        if backend == Backend::Postgres {
            probe_postgres(&opts, &url).await?;
        }
        let pool = AnyPoolOptions::new()
            // SQLite has one writer at a time: one connection serialises
            // the writes in process instead of letting them collide and
            // sleep in SQLite's busy handler (measured: 40 % more small
            // uploads per second). Reads in WAL mode are microseconds.
            .max_connections(match backend {
                Backend::Sqlite => 1,
                Backend::Postgres => 16,
            })
            .min_connections(1)
            // No reaper task (docs/architecture.md, "Connection pools").
            .idle_timeout(None)
            .max_lifetime(None)
            // No ping before every query: a broken connection fails its
            // query, which is answered as a temporary error and retried.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .with_context(|| format!("connecting to {}", redact(&url)))?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("running database migrations")?;
        let read = match backend {
            Backend::Postgres => Readers::Pool(pool.clone()),
            Backend::Sqlite => Readers::sqlite(&url)?,
        };
        let writer = match backend {
            Backend::Postgres => None,
            Backend::Sqlite => Some(std::sync::Arc::new(group::Writer::start(
                read::sqlite_path(&url),
            )?)),
        };
        let ttl = Duration::from_millis(cfg.limits.session_cache_ms);
        Ok(Db {
            pool,
            read,
            backend,
            cache: std::sync::Arc::new(cache::SessionCache::new(ttl)),
            writer,
        })
    }
}

/// How long the first connection to PostgreSQL may take before start-up
/// gives up naming the server (the pool alone would wait 10 s and say only
/// "pool timed out").
const CONNECT_PROBE: Duration = Duration::from_secs(5);

/// One connection before the pool: a failure names the server and why.
async fn probe_postgres(opts: &AnyConnectOptions, url: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let at = url::Url::parse(url)
        .ok()
        .map(|u| {
            format!(
                "{}:{}",
                u.host_str()
                    .filter(|h| !h.is_empty())
                    .unwrap_or("localhost"),
                u.port().unwrap_or(5432)
            )
        })
        .unwrap_or_else(|| redact(url));
    match tokio::time::timeout(CONNECT_PROBE, sqlx::AnyConnection::connect_with(opts)).await {
        Err(_) => anyhow::bail!(
            "cannot connect to PostgreSQL at {at}: no answer within {} s",
            CONNECT_PROBE.as_secs()
        ),
        Ok(Err(sqlx::Error::Io(e))) => {
            anyhow::bail!("cannot connect to PostgreSQL at {at}: {e}")
        }
        Ok(Err(e)) => anyhow::bail!("cannot connect to PostgreSQL at {at}: {e}"),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
    }
}

/// A database URL with any password replaced, for logs and errors.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Db {
    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> sqlx::Result<()> {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map(|_| ())
    }
}
