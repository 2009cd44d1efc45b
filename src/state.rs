//! What every request handler shares. Nothing here is needed by another
//! node: durable state lives in the database and the blob store.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::secrets::Secrets;

pub type App = Arc<AppState>;

pub struct AppState {
    pub cfg: Config,
    pub db: Db,
    pub blobs: Blobs,
    pub secrets: Secrets,
    pub mail: Mailer,
    /// Base of every URL handed out, without a trailing slash.
    pub public_url: String,
    pub metrics: Option<PrometheusHandle>,
    /// Set on SIGTERM: `/healthz` reports draining so a load balancer moves away.
    pub draining: AtomicBool,
    /// This node's running uploads (their progress is flushed to the database).
    pub progress: crate::transfer::progress::Board,
    /// Download bytes not yet charged to their accounts.
    pub charges: crate::transfer::serve::Charges,
    /// Request rates and open uploads per address and account.
    pub abuse: crate::abuse::Abuse,
}

impl AppState {
    pub fn new(
        cfg: Config,
        parts: crate::server::Parts,
        public_url: String,
        metrics: Option<PrometheusHandle>,
    ) -> AppState {
        AppState {
            abuse: crate::abuse::Abuse::new(&cfg.limits),
            cfg,
            db: parts.db,
            blobs: parts.blobs,
            secrets: parts.secrets,
            mail: parts.mail,
            public_url,
            metrics,
            draining: AtomicBool::new(false),
            progress: Default::default(),
            charges: Default::default(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
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
