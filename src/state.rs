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
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
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
