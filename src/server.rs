//! Starting the server: storage, database, background workers, the router,
//! and a graceful shutdown that lets running transfers finish.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::Config;
use crate::db::Db;
use crate::state::{public_url, App, AppState};
use crate::{api, pages};

/// Everything a node needs, opened from the configuration.
pub use crate::state::Parts;

pub async fn open(cfg: &Config) -> anyhow::Result<Parts> {
    Parts::open(cfg).await
}

/// Creates an API key and returns it (only its hash is stored).
pub async fn create_api_key(db: &Db, name: &str, min_app_version: &str) -> anyhow::Result<String> {
    Ok(crate::library::auth::create_api_key(db, name, min_app_version).await?)
}

pub fn router(app: App) -> Router {
    Router::new()
        // Every HTTP method gets the envelope (HEAD without its body):
        // clients read the status attribute, never an HTTP 405.
        .route("/rest", any(api::rest))
        .route("/rest/", any(api::rest))
        .route("/activate/{token}", get(pages::activate::activate))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(crate::transfer::routes())
        .merge(crate::file_send::routes())
        .merge(pages::download::routes())
        .merge(pages::delete::routes())
        .merge(pages::folder::routes())
        .merge(pages::rss::routes())
        .merge(pages::upload::routes())
        .merge(pages::web::routes())
        .merge(pages::my_files::routes())
        .fallback(|| async { crate::http::html::not_found() })
        .layer(middleware::from_fn(log_request))
        .layer(CatchPanicLayer::new())
        .with_state(app)
}

/// One log line per HTTP request: method, route pattern, status, duration.
/// Never the actual path or query: they carry passwords, tokens, session
/// keys, activation and delete secrets.
async fn log_request(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "(unrouted)".into());
    let resp = next.run(req).await;
    tracing::info!(
        %method,
        path = %path,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

async fn healthz(State(app): State<App>) -> Response {
    if app.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response();
    }
    match app.db.ping().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response(),
    }
}

async fn metrics(State(app): State<App>) -> Response {
    match &app.metrics {
        Some(h) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4",
            )],
            h.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics disabled\n").into_response(),
    }
}

fn install_metrics() -> Option<PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ];
            PrometheusBuilder::new()
                .set_buckets(&buckets)
                .ok()
                .and_then(|b| b.install_recorder().ok())
        })
        .clone()
}

/// `dropspace serve`: runs until SIGINT/SIGTERM.
pub async fn serve(cfg: Config) -> anyhow::Result<()> {
    let parts = open(&cfg).await?;
    if !parts.db.has_api_key().await? {
        let key = create_api_key(&parts.db, "default", "").await?;
        println!("api key: {key}");
    }
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("binding {}", cfg.listen))?;
    let bound = listener.local_addr()?;
    let grace = Duration::from_secs(cfg.shutdown_grace_secs);
    let public_url = public_url(&cfg, bound);
    let app: App = Arc::new(AppState::new(cfg, parts, public_url, install_metrics()));
    crate::background::spawn_all(&app);

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut server = tokio::spawn(accept_loop(
        listener,
        router(app.clone()),
        app.cfg.limits.max_header_bytes,
        connection_builder(&app.cfg.limits),
        stop_rx,
    ));
    println!("listening on http://{bound}");
    tracing::info!(%bound, public_url = %app.public_url, "listening");

    tokio::select! {
        res = &mut server => return res.context("server task")?.context("server"),
        _ = shutdown_signal() => {}
    }
    tracing::info!(
        grace_secs = grace.as_secs(),
        "shutting down: draining running transfers"
    );
    app.draining.store(true, Ordering::SeqCst);
    let _ = stop_tx.send(true);
    match tokio::time::timeout(grace, &mut server).await {
        Ok(res) => res.context("server task")?.context("server")?,
        Err(_) => tracing::warn!("grace period over; closing remaining connections"),
    }
    Ok(())
}

/// HTTP/1 and HTTP/2 connection settings: the request head must arrive
/// within `header_read_secs` (slowloris), with at most `max_headers`
/// headers (else 431). `read_buffer_bytes` sizes hyper's read buffer.
fn connection_builder(limits: &crate::config::Limits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    let mut http1 = builder.http1();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_read_secs.max(1)))
        .max_headers(limits.max_headers.max(8));
    if limits.read_buffer_bytes > 0 {
        http1.max_buf_size(limits.read_buffer_bytes.max(8192));
    }
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    builder
}

/// Serves connections until `stop` turns true, then lets the open ones
/// finish their requests (the caller bounds how long).
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Router,
    max_head: usize,
    builder: Builder<TokioExecutor>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // The only change ever sent is "stop".
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let router = router.clone();
                async move {
                    if head_size(&req) > max_head {
                        let status = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
                        return Ok(status.into_response());
                    }
                    router.oneshot(req).await
                }
            });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Bytes of a request's target and headers, as the client sent them
/// (near enough: names, values and the separators).
fn head_size<B>(req: &http::Request<B>) -> usize {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + target
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
