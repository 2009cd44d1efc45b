//! Starting the server: storage, database, background workers, the router,
//! and a graceful shutdown that lets running transfers finish.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::State;
use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;

use crate::abuse::PageKind;
use crate::config::Config;
use crate::db::Db;
use crate::http::ClientIp;
use crate::library::Error;
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
    // Every HTTP method gets the envelope (HEAD without its body): clients
    // read the status attribute, never an HTTP 405. `/rest/` writes its own
    // log line per call and catches its own panics, so the layers below are
    // not on the path of its many small calls (docs/performance.md).
    let rest = Router::new()
        .route("/rest", any(api::rest))
        .route("/rest/", any(api::rest));
    Router::new()
        .route("/activate/{token}", get(pages::activate::activate))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_main))
        .merge(crate::transfer::routes())
        .merge(crate::file_send::routes())
        .merge(pages::download::routes())
        .merge(pages::delete::routes())
        .merge(pages::extend::routes())
        .merge(pages::bundle::routes())
        .merge(pages::request::routes())
        .merge(pages::folder::routes())
        .merge(pages::rss::routes())
        .merge(pages::upload::routes())
        .merge(pages::encryption::routes())
        .merge(pages::web::routes())
        .merge(pages::signup::routes())
        .merge(pages::two_factor::routes())
        .merge(pages::admin::routes())
        .merge(pages::oidc::routes())
        .merge(pages::my_files::routes())
        .merge(pages::shell::routes())
        .merge(pages::preview::routes())
        .fallback(|| async { crate::http::html::not_found() })
        .layer(middleware::from_fn_with_state(app.clone(), limit_pages))
        // Outside the page rate, so its 429 gets the shell too.
        .layer(middleware::from_fn_with_state(
            app.clone(),
            pages::shell::frame,
        ))
        .layer(middleware::from_fn(log_request))
        .layer(CatchPanicLayer::new())
        .merge(rest)
        .with_state(app)
}

/// The public pages a visitor opens by id or token, and which budget of
/// `abuse::page_view` each draws on; other routes have their own limits.
fn page_kind(route: &str) -> Option<PageKind> {
    match route {
        "/file/{id}"
        | "/folder/{id}"
        | "/rss/{id}"
        | "/activate/{token}"
        | "/delete/{id}/{secret}"
        | "/extend/{kind}/{id}/{expires}/{sig}"
        | "/s/{token}"
        | "/s/{token}/login"
        | "/s/{token}/d/{file_id}"
        | "/file/{id}/qr.svg"
        | "/folder/{id}/qr.svg"
        | "/b/{id}"
        | "/b/{id}/qr.svg"
        | "/b/{id}/delete/{secret}" => Some(PageKind::Page),
        // A folder page shows many thumbnails and a video many ranges:
        // only misses cost (docs/web.md, "Previews, thumbnails and QR codes").
        "/s/{token}/f/{file_id}"
        | "/s/{token}/zip"
        | "/folder/{id}/zip"
        | "/b/{id}/zip"
        | "/file/{id}/thumb"
        | "/preview/{id}/{account}/{expires}/{sig}" => Some(PageKind::Download),
        "/progress/{ident}" => Some(PageKind::Progress),
        _ => None,
    }
}

/// Rate of public pages per address: over it, 429 with `Retry-After` in the
/// site's frame; a 404 (an id or token that does not exist) costs more than
/// a view, so guessing runs out long before browsing (docs/security.md).
async fn limit_pages(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    req: Request,
    next: Next,
) -> Response {
    let Some(kind) = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| page_kind(m.as_str()))
    else {
        return next.run(req).await;
    };
    if let Err(Error::TooFast(wait)) = app.abuse.page_view(ip, kind) {
        metrics::counter!("dropspace_page_views_refused_total").increment(1);
        return crate::http::html::too_many_requests(wait);
    }
    let resp = next.run(req).await;
    if resp.status() == StatusCode::NOT_FOUND {
        app.abuse.page_missed(ip, kind);
    }
    resp
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

/// `/metrics` on the main listener: 404 when it has its own address.
async fn metrics_main(State(app): State<App>, headers: axum::http::HeaderMap) -> Response {
    if app.cfg.metrics_listen.is_some() {
        return crate::http::html::not_found();
    }
    metrics(State(app), headers).await
}

/// Prometheus text; with `metrics_token` only for its bearer.
async fn metrics(State(app): State<App>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = app.cfg.metrics_token.as_deref().filter(|t| !t.is_empty()) {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !crate::secrets::ct_eq(given.trim(), token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need their bearer token\n",
            )
                .into_response();
        }
    }
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
    raise_open_files_limit();
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("binding {}", cfg.listen))?;
    let bound = listener.local_addr()?;
    let grace = Duration::from_secs(cfg.shutdown_grace_secs);
    let public_url = public_url(&cfg, bound);
    // The first key only once the address is ours: a start that cannot
    // listen leaves the next one to create and tell it.
    if !parts.db.has_api_key().await? {
        let key = create_api_key(&parts.db, "default", "").await?;
        println!("api key: {key}");
        println!(
            "next: create a user with `dropspace admin user create --user-name NAME \
             --email ADDRESS --password PASSWORD`,"
        );
        println!("      then open {public_url}/ or log in with `dropspace client login`");
    }
    if cfg
        .mail
        .smtp_url
        .as_deref()
        .is_none_or(|u| u.trim().is_empty())
    {
        tracing::info!(
            outbox = %cfg.data_dir.join("outbox").display(),
            "no mail.smtp_url: mail is written to the outbox directory instead of sent"
        );
    }
    let app: App = Arc::new(AppState::new(cfg, parts, public_url, install_metrics()));
    crate::background::spawn_all(&app);
    if let Some(addr) = app.cfg.metrics_listen.clone() {
        let l = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| format!("binding metrics_listen {addr}"))?;
        let at = l.local_addr()?;
        let routes = Router::new()
            .route("/metrics", get(metrics))
            .with_state(app.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(l, routes).await {
                tracing::error!(error = %e, "metrics listener");
            }
        });
        println!("metrics on http://{at}");
    }

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut server = tokio::spawn(accept_loop(
        listener,
        router(app.clone()),
        ConnLimits::new(&app.cfg),
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
    let mut http2 = builder.http2();
    http2
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    // Pings find peers that vanished or stopped reading while a request
    // is open (the idle timeout covers connections with none).
    if limits.http2_ping_secs > 0 {
        let ping = Duration::from_secs(limits.http2_ping_secs);
        http2.keep_alive_interval(ping).keep_alive_timeout(ping);
    }
    builder
}

/// Each socket is a file descriptor: a low soft limit (often 1024, even
/// 256) would let a few hundred idle connections lock everyone out.
fn raise_open_files_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(nofile) => tracing::info!(nofile, "open files limit"),
        Err(e) => tracing::warn!(error = %e, "raising the open files limit"),
    }
}

/// The accept loop's limits on connections (docs/security.md).
#[derive(Clone, Copy)]
struct ConnLimits {
    max_head: usize,
    first_byte: Duration,
    /// From the first byte to the first request (HTTP/1: hyper's header
    /// timeout does the same; HTTP/2: the preface alone is not a request).
    first_request: Duration,
    idle: Duration,
    per_address: usize,
}

impl ConnLimits {
    fn new(cfg: &Config) -> ConnLimits {
        let l = &cfg.limits;
        ConnLimits {
            max_head: l.max_header_bytes,
            first_byte: Duration::from_secs(l.first_byte_secs.max(1)),
            first_request: Duration::from_secs(l.header_read_secs.max(1)),
            idle: Duration::from_secs(l.idle_connection_secs.max(1)),
            // Behind a proxy every connection comes from the proxy.
            per_address: if cfg.trust_forwarded_for {
                0
            } else {
                l.connections_per_address
            },
        }
    }
}

/// Open connections per client address (IPv6: per /64, what one host
/// usually gets).
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open connection of an address; dropping it gives the place back.
struct AddressSlot {
    map: PerAddress,
    key: IpAddr,
}

impl PerAddress {
    fn claim(&self, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let key = crate::abuse::address_key(ip);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.entry(key).or_insert(0);
        if max > 0 && *open >= max {
            return None;
        }
        *open += 1;
        Some(AddressSlot {
            map: self.clone(),
            key,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.map.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.key) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// What a connection is doing: requests open (a response body still
/// streaming counts), since when none is, and whether it made any; the
/// watcher is woken by the first request (see `begin`).
struct Activity {
    state: Mutex<(usize, Instant, bool)>,
    changed: tokio::sync::Notify,
}

/// One open request; dropped with its response body.
struct Busy(Arc<Activity>);

impl Activity {
    fn begin(self: &Arc<Self>) -> Busy {
        let mut a = self.state.lock().unwrap_or_else(|e| e.into_inner());
        a.0 += 1;
        // Only the first request can make the watcher's deadline earlier
        // (idle may be shorter than the first-request timeout); after it,
        // deadlines only move later, and the watcher finds that when it
        // wakes. No wake-up per request: it cost 5-8 % of small calls.
        if !a.2 {
            a.2 = true;
            self.changed.notify_one();
        }
        Busy(self.clone())
    }

    /// When to look again, and whether the connection idled out.
    fn check(&self, limits: &ConnLimits) -> (Instant, bool) {
        let a = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if a.0 > 0 {
            return (now + limits.idle, false);
        }
        let until = a.1
            + if a.2 {
                limits.idle
            } else {
                limits.first_request
            };
        (until, now >= until)
    }

    fn made_requests(&self) -> bool {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).2
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut a = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        a.0 -= 1;
        if a.0 == 0 {
            a.1 = Instant::now();
        }
    }
}

/// How long a connection closed for idling may take to say goodbye (an
/// HTTP/2 GOAWAY waits for a ping answer that may never come).
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Serves connections until `stop` turns true, then lets the open ones
/// finish their requests (the caller bounds how long).
async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ConnLimits,
    builder: Builder<TokioExecutor>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let builder = Arc::new(builder);
    let tracker = tokio_util::task::TaskTracker::new();
    let per_address = PerAddress::default();
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
        let Some(slot) = per_address.claim(peer.ip(), limits.per_address) else {
            // Closed at once; not logged per connection (a flood would
            // fill the log), counted instead.
            metrics::counter!("dropspace_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tracker.spawn(serve_connection(
            stream,
            peer,
            slot,
            builder.clone(),
            router.clone(),
            limits,
            stop.clone(),
        ));
    }
    tracker.close();
    tracker.wait().await;
    Ok(())
}

/// One connection, from its first byte to its close: closed when its
/// first byte or first request is late, when it has had no request open
/// for `idle`, or (gracefully) when the server stops.
async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    _slot: AddressSlot,
    builder: Arc<Builder<TokioExecutor>>,
    router: Router,
    limits: ConnLimits,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // Protocol detection waits for bytes: it gets `first_byte` to see one.
    let mut probe = [0u8; 1];
    tokio::select! {
        peeked = tokio::time::timeout(limits.first_byte, stream.peek(&mut probe)) => {
            if !matches!(peeked, Ok(Ok(n)) if n > 0) {
                return;
            }
        }
        _ = stop.changed() => return,
    }
    let activity = Arc::new(Activity {
        state: Mutex::new((0, Instant::now(), false)),
        changed: tokio::sync::Notify::new(),
    });
    let seen = activity.clone();
    let service =
        hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            let busy = seen.begin();
            async move {
                let resp = if head_size(&req) > limits.max_head {
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE.into_response()
                } else {
                    router.oneshot(req).await?
                };
                // The request stays open until its body is sent (or dropped).
                Ok::<_, std::convert::Infallible>(resp.map(|body| {
                    axum::body::Body::new(body.map_frame(move |frame| {
                        let _ = &busy;
                        frame
                    }))
                }))
            }
        });
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut stopping = false;
    let mut idled_out: Option<Instant> = None;
    loop {
        let (wake, idle) = match idled_out {
            Some(at) => (at + CLOSE_GRACE, false),
            None => activity.check(&limits),
        };
        if idle {
            if !activity.made_requests() {
                // Nothing to be polite about.
                return;
            }
            conn.as_mut().graceful_shutdown();
            idled_out = Some(Instant::now());
            continue;
        }
        tokio::select! {
            res = conn.as_mut() => {
                if let Err(e) = res {
                    tracing::debug!(error = %e, "connection");
                }
                return;
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = activity.changed.notified(), if idled_out.is_none() => {}
            _ = tokio::time::sleep_until(wake.into()) => {
                if idled_out.is_some() {
                    return;
                }
            }
        }
    }
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
