//! What every request handler shares, assembled in one place. Nothing here
//! is needed by another node: durable state lives in the database and the
//! blob store.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::abuse::Abuse;
use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::Db;
use crate::library::Library;
use crate::mail::Mailer;
use crate::secrets::Secrets;

pub type App = Arc<AppState>;

/// The parts a node (or an admin command) opens before it serves.
pub struct Parts {
    pub db: Db,
    pub blobs: Blobs,
    pub secrets: Secrets,
    pub mail: Mailer,
}

impl Parts {
    pub async fn open(cfg: &Config) -> anyhow::Result<Parts> {
        crate::secrets::create_private_dir(&cfg.data_dir)
            .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
        warn_if_open(cfg);
        let secrets = Secrets::load(cfg.secret_key.as_deref(), &cfg.data_dir)?;
        let db = Db::connect(cfg).await?;
        let blobs = Blobs::new(cfg)?;
        let mail = Mailer::new(cfg, db.clone())?;
        Ok(Parts {
            db,
            blobs,
            secrets,
            mail,
        })
    }
}

/// A data directory made by an older version (or by hand) may be readable
/// by other local users: say so, once, at start (docs/deployment.md).
fn warn_if_open(cfg: &Config) {
    let d = &cfg.data_dir;
    let mut paths = vec![d.clone()];
    for sub in [
        "blobs",
        "blobs-tmp",
        "outbox",
        "secrets",
        "secrets/master.key",
    ] {
        paths.push(d.join(sub));
    }
    if let Some(db) = cfg.sqlite_path() {
        paths.push(db.with_file_name(format!(
            "{}-wal",
            db.file_name().unwrap_or_default().to_string_lossy()
        )));
        paths.push(db);
    }
    for (path, mode) in crate::secrets::too_open(&paths) {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{mode:o}"),
            "readable by other local users: chmod -R go-rwx {}",
            d.display()
        );
    }
}

/// The domain's parts plus what only the HTTP front ends of this node keep.
pub struct AppState {
    pub lib: Library,
    pub metrics: Option<PrometheusHandle>,
    /// Set on SIGTERM: `/healthz` reports draining so a load balancer moves away.
    pub draining: AtomicBool,
    /// Request rates and open uploads per address and account.
    pub abuse: Abuse,
}

impl Deref for AppState {
    type Target = Library;

    fn deref(&self) -> &Library {
        &self.lib
    }
}

impl AppState {
    pub fn new(
        cfg: Config,
        parts: Parts,
        public_url: String,
        metrics: Option<PrometheusHandle>,
    ) -> AppState {
        AppState {
            abuse: Abuse::new(&cfg.limits),
            lib: Library {
                cfg,
                db: parts.db,
                blobs: parts.blobs,
                secrets: parts.secrets,
                mail: parts.mail,
                public_url,
                progress: Default::default(),
                charges: Default::default(),
                hashers: Default::default(),
                scans: Default::default(),
                webhooks: Default::default(),
            },
            metrics,
            draining: AtomicBool::new(false),
        }
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

/// `public_url` from the configuration, else `http://{bound address}`.
pub fn public_url(cfg: &Config, bound: SocketAddr) -> String {
    match &cfg.public_url {
        Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
        _ => format!("http://{bound}"),
    }
}
