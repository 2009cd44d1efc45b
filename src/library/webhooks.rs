//! Webhooks (docs/webhooks.md): endpoints of an account or of the operator,
//! the events they subscribe to, and their delivery. `emit` queues one
//! delivery per matching endpoint in `webhook_deliveries`; a worker on every
//! node claims due deliveries (one conditional UPDATE each) and POSTs them
//! signed per the Standard Webhooks conventions, retrying with exponential
//! backoff.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::Serialize;
use sha2::Sha256;
use tokio::sync::{Notify, Semaphore};

use crate::config::WebhooksConfig;
use crate::db::files::{File, LimitAction};
use crate::db::webhooks::{ClaimedDelivery, DeliveryState, Endpoint, NewDelivery};
use crate::db::{now, Db};
use crate::library::{Error, Library, Result};
use crate::secrets::{random_string, Secrets, LOWER_ALNUM};

/// The event types, as named in payloads and subscriptions.
pub const EVENT_TYPES: [&str; 5] = [
    "upload.completed",
    "download.completed",
    "file_request.uploaded",
    "share.expiring",
    "file.expired",
];

/// Longest endpoint URL.
const MAX_URL: usize = 2000;
/// Deliveries attempted at once by one node.
const CONCURRENCY: usize = 8;

/// Wakes this node's delivery worker when a delivery is queued.
#[derive(Default)]
pub struct Wake(Notify);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A file as events describe it: never its password, delete link or blob.
#[derive(Debug, Clone, Serialize)]
pub struct FileData {
    pub file_id: String,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    /// BLAKE3 of the bytes, hex.
    pub checksum: String,
    pub folder_id: String,
    pub password_protected: bool,
    pub uploaded: String,
    pub owner: Option<Owner>,
    pub links: Links,
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub user_id: i64,
    pub user_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Links {
    /// The file's download page.
    pub download_page: String,
}

/// `download.completed`: a whole copy of a file was delivered.
#[derive(Debug, Clone, Serialize)]
pub struct DownloadData {
    pub file: FileData,
    /// Whole copies this delivery completed (1 but for rare merged credits).
    pub copies: i64,
    /// The file's whole copies delivered so far.
    pub downloads: i64,
}

/// `file_request.uploaded`: an outsider uploaded a file into a file request.
#[derive(Debug, Clone, Serialize)]
pub struct FileRequestUploadData {
    pub request_id: String,
    pub title: String,
    pub file: FileData,
    /// The uploader's name or address, as they gave it (may be empty).
    pub uploader: String,
}

/// `share.expiring`: a file, bundle or file_send link expires soon.
#[derive(Debug, Clone, Serialize)]
pub struct ShareExpiringData {
    /// `file`, `bundle` or `send`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub expires: String,
    /// The share's page.
    pub link: String,
    /// For a send: the recipients who have not downloaded yet.
    pub pending_recipients: Vec<String>,
}

/// `file.expired`: a file's time limit passed and its action ran.
#[derive(Debug, Clone, Serialize)]
pub struct FileExpiredData {
    pub file: FileData,
    /// `deleted`, `blocked` or `moved`.
    pub action: String,
}

/// An event and its data.
#[derive(Debug, Clone)]
pub enum Event {
    UploadCompleted(FileData),
    DownloadCompleted(DownloadData),
    FileRequestUploaded(FileRequestUploadData),
    ShareExpiring(ShareExpiringData),
    FileExpired(FileExpiredData),
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::UploadCompleted(_) => EVENT_TYPES[0],
            Event::DownloadCompleted(_) => EVENT_TYPES[1],
            Event::FileRequestUploaded(_) => EVENT_TYPES[2],
            Event::ShareExpiring(_) => EVENT_TYPES[3],
            Event::FileExpired(_) => EVENT_TYPES[4],
        }
    }

    fn data(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            Event::UploadCompleted(d) => serde_json::to_value(d),
            Event::DownloadCompleted(d) => serde_json::to_value(d),
            Event::FileRequestUploaded(d) => serde_json::to_value(d),
            Event::ShareExpiring(d) => serde_json::to_value(d),
            Event::FileExpired(d) => serde_json::to_value(d),
        }
    }

    /// The body sent: `{"type", "timestamp", "data"}`.
    pub fn payload(&self, at: i64) -> serde_json::Result<String> {
        serde_json::to_string(&serde_json::json!({
            "type": self.kind(),
            "timestamp": rfc3339(at),
            "data": self.data()?,
        }))
    }
}

/// Unix seconds as RFC 3339 (UTC).
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Whether an endpoint subscribed to `kind`.
fn subscribed(endpoint: &Endpoint, kind: &str) -> bool {
    endpoint.events.split(',').any(|e| e == kind)
}

/// Queues `event` for every endpoint of `owner` (None: an anonymous
/// upload's) and every operator-wide endpoint that subscribed to it;
/// returns how many deliveries were queued.
pub async fn emit(lib: &Library, owner: Option<i64>, event: Event) -> Result<usize> {
    let endpoints = lib.db.webhooks_for(owner).await?;
    queue(lib, &endpoints, &event).await
}

async fn queue(lib: &Library, endpoints: &[Endpoint], event: &Event) -> Result<usize> {
    let targets: Vec<&Endpoint> = endpoints
        .iter()
        .filter(|e| subscribed(e, event.kind()))
        .collect();
    if targets.is_empty() {
        return Ok(0);
    }
    let t = now();
    let payload = event.payload(t).map_err(Error::internal)?;
    if payload.len() > lib.cfg.webhooks.max_payload_bytes {
        tracing::warn!(
            event = event.kind(),
            bytes = payload.len(),
            "webhook payload over webhooks.max_payload_bytes, not sent"
        );
        return Ok(0);
    }
    let ids: Vec<String> = targets.iter().map(|_| message_id()).collect();
    let list: Vec<NewDelivery> = targets
        .iter()
        .zip(&ids)
        .map(|(e, id)| NewDelivery {
            endpoint_id: e.id,
            msg_id: id,
            event: event.kind(),
            payload: &payload,
        })
        .collect();
    lib.db.queue_webhooks(&list, t).await?;
    lib.webhooks.wake();
    Ok(list.len())
}

/// `emit` for the hooks in the upload, download and expiry paths: a
/// webhook never fails what caused it, so a failure is logged here.
pub async fn notify(lib: &Library, owner: Option<i64>, event: Event) {
    if let Err(e) = emit(lib, owner, event).await {
        tracing::warn!(error = %format!("{e:#}"), "queueing webhooks");
    }
}

/// A `webhook-id`: unique per message, the same on each of its attempts.
fn message_id() -> String {
    format!("msg_{}", random_string(24, LOWER_ALNUM))
}

/// A file row as events describe it.
pub async fn file_data(lib: &Library, file: &File) -> Result<FileData> {
    let owner = match file.user_id {
        Some(uid) => lib.db.user_by_id(uid).await?.map(|u| Owner {
            user_id: u.id,
            user_name: u.user_name,
        }),
        None => None,
    };
    Ok(FileData {
        file_id: file.id.clone(),
        name: file.name.clone(),
        size: file.size,
        content_type: file.content_type.clone(),
        checksum: file.checksum.clone(),
        folder_id: file.folder_id.clone(),
        password_protected: !file.password_sealed.is_empty(),
        uploaded: rfc3339(file.uploaded),
        owner,
        links: Links {
            download_page: lib.url(&format!("/file/{}", file.id)),
        },
    })
}

/// Runs `make` (which reads what the event needs) only when an endpoint of
/// `owner` or the operator subscribed to `kind`: the upload and download
/// paths pay one lookup when nobody listens.
async fn emit_file_event<F, Fut>(lib: &Library, owner: Option<i64>, kind: &str, make: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Event>>>,
{
    let outcome = async {
        if !lib.db.has_webhooks_for(owner, kind).await? {
            return Ok(0);
        }
        let endpoints = lib.db.webhooks_for(owner).await?;
        match make().await? {
            Some(event) => queue(lib, &endpoints, &event).await,
            None => Ok(0),
        }
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!(event = kind, error = %format!("{e:#}"), "queueing webhooks");
    }
}

/// `upload.completed`: a finished upload became this file
/// (`uploads::store`, whichever way its bytes came).
pub async fn upload_completed(lib: &Library, owner: Option<i64>, file_id: &str) {
    emit_file_event(lib, owner, EVENT_TYPES[0], || async {
        Ok(match lib.db.file(file_id).await? {
            Some(file) => Some(Event::UploadCompleted(file_data(lib, &file).await?)),
            None => None,
        })
    })
    .await
}

/// `download.completed`: a credit of served bytes completed whole copies
/// of a file (docs/api-notes.md, "Download counting"). Called from
/// `delivery::completed` with the row it read, before the limit action,
/// which may remove the file.
pub async fn download_completed(lib: &Library, file: &File, copies: i64, downloads: i64) {
    emit_file_event(lib, file.user_id, EVENT_TYPES[1], || async {
        Ok(Some(Event::DownloadCompleted(DownloadData {
            file: file_data(lib, file).await?,
            copies,
            downloads,
        })))
    })
    .await
}

/// `file.expired`: the time-limit sweep claimed this file and ran its
/// action (`file`: the row as it was before).
pub async fn file_expired(lib: &Library, file: &File) {
    let action = match file.action() {
        LimitAction::Delete => "deleted",
        LimitAction::Move => "moved",
        LimitAction::Unset | LimitAction::Block => "blocked",
    };
    emit_file_event(lib, file.user_id, EVENT_TYPES[4], || async {
        Ok(Some(Event::FileExpired(FileExpiredData {
            file: file_data(lib, file).await?,
            action: action.to_string(),
        })))
    })
    .await
}

// ---- endpoints ----

/// A new endpoint's secret, shown once: `whsec_` and 32 random bytes in
/// base64 (the Standard Webhooks form).
pub fn new_secret() -> String {
    let key: [u8; 32] = rand::thread_rng().gen();
    format!("whsec_{}", B64.encode(key))
}

/// The key bytes of a `whsec_…` secret.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    (key.len() >= 16 && key.len() <= 64).then_some(key)
}

/// `webhook-signature` of a message: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` keyed with the secret's bytes.
pub fn signature(key: &[u8], msg_id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// The event list of a subscription: known names, comma-separated, each
/// once; empty means all.
pub fn parse_events(text: &str) -> Result<String> {
    let mut out: Vec<&str> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(known) = EVENT_TYPES.iter().find(|k| **k == name) else {
            return Err(Error::BadValueText(
                format!(
                    "unknown event {name:?}; events are {}",
                    EVENT_TYPES.join(", ")
                )
                .into(),
            ));
        };
        if !out.contains(known) {
            out.push(known);
        }
    }
    if out.is_empty() {
        out = EVENT_TYPES.to_vec();
    }
    Ok(out.join(","))
}

/// An endpoint as its owner sees it (the secret only at creation).
#[derive(Debug, Clone)]
pub struct Registered {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// Registers an endpoint for an account (`user_id`) or the operator
/// (None); `secret` None generates one. Account endpoints must be public
/// addresses unless `webhooks.allow_private_addresses`.
pub async fn add(
    db: &Db,
    secrets: &Secrets,
    cfg: &WebhooksConfig,
    user_id: Option<i64>,
    url: &str,
    events: &str,
    secret: Option<&str>,
) -> Result<Registered> {
    let url = url.trim();
    let parsed = check_url(url)?;
    let events = parse_events(events)?;
    let secret = match secret {
        Some(s) => {
            if secret_key(s).is_none() {
                return Err(Error::BadValueText(
                    "the secret must be whsec_ and 16 to 64 bytes in base64".into(),
                ));
            }
            s.to_string()
        }
        None => new_secret(),
    };
    if let Some(uid) = user_id {
        if db.count_webhooks(uid).await? >= cfg.endpoints_per_account {
            return Err(Error::denied(format!(
                "at most {} webhook endpoints per account",
                cfg.endpoints_per_account
            )));
        }
        if !cfg.allow_private_addresses {
            // Refused now when it already resolves to a private address;
            // checked again at every delivery (DNS may change).
            if let Ok(addrs) = resolve(&parsed).await {
                if addrs.iter().any(|a| !is_public(a.ip())) {
                    return Err(private_refused());
                }
            }
        }
    }
    let t = now();
    let id = db
        .add_webhook(user_id, url, &secrets.seal(&secret), &events, t)
        .await?;
    let endpoint = Endpoint {
        id,
        user_id,
        url: url.to_string(),
        secret_sealed: String::new(),
        events,
        created: t,
        last_at: 0,
        last_status: String::new(),
        last_attempts: 0,
    };
    Ok(Registered { endpoint, secret })
}

fn private_refused() -> Error {
    Error::BadValueText("webhook URLs must not point to private or loopback addresses".into())
}

/// An account's (None: the operator's) endpoints.
pub async fn list(db: &Db, user_id: Option<i64>) -> Result<Vec<Endpoint>> {
    Ok(db.webhooks_of(user_id).await?)
}

/// Removes an endpoint of `user_id` (None: an operator-wide one).
pub async fn remove(db: &Db, user_id: Option<i64>, id: i64) -> Result<()> {
    if db.remove_webhook(user_id, id).await? {
        Ok(())
    } else {
        Err(Error::BadValueText("no such webhook".into()))
    }
}

/// An http(s) URL with a host, within `MAX_URL`.
fn check_url(url: &str) -> Result<url::Url> {
    let bad = |why: &str| Error::BadValueText(format!("webhook URL {why}").into());
    if url.len() > MAX_URL {
        return Err(bad("is too long"));
    }
    let parsed = url::Url::parse(url).map_err(|_| bad("is not a valid URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    Ok(parsed)
}

// ---- addresses ----

/// The addresses a URL's host resolves to.
async fn resolve(url: &url::Url) -> std::io::Result<Vec<SocketAddr>> {
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(url::Host::Domain(d)) => tokio::net::lookup_host((d, port)).await?.collect(),
        None => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(std::io::Error::other("the host has no address"));
    }
    Ok(addrs)
}

/// Whether an address is on the public internet: not loopback, private,
/// link-local, shared (CGNAT), multicast, documentation or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address inside.
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let o = v6.octets();
                return is_public_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || o[0] >= 240)
}

// ---- delivery ----

/// How many deliveries one node attempts at once (the worker in
/// `background` holds a permit per attempt).
pub fn slots() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(CONCURRENCY))
}

/// Claims the next due delivery for this node (one conditional UPDATE:
/// safe on every node at once), for `attempt`.
pub async fn claim(lib: &Library) -> Result<Option<ClaimedDelivery>> {
    let t = now();
    let lease = lib.cfg.webhooks.timeout_secs as i64 + 60;
    Ok(lib.db.claim_webhook(t, t + lease).await?)
}

/// Until a delivery is queued on this node, or a retry may be due.
pub async fn wait(lib: &Library) {
    let idle = Duration::from_secs(lib.cfg.webhooks.retry_base_secs.clamp(1, 5) as u64);
    let _ = tokio::time::timeout(idle, lib.webhooks.0.notified()).await;
}

/// Forgets finished deliveries past `webhooks.keep_deliveries_secs`.
pub async fn sweep(lib: &Library) -> Result<()> {
    lib.db
        .sweep_webhook_deliveries(now() - lib.cfg.webhooks.keep_deliveries_secs)
        .await?;
    Ok(())
}

/// One attempt of a claimed delivery, and its outcome recorded.
pub async fn attempt(lib: &Library, d: &ClaimedDelivery) -> Result<()> {
    let cfg = &lib.cfg.webhooks;
    let operator = d.user_id.is_none();
    let key = lib
        .secrets
        .open(&d.secret_sealed)
        .and_then(|s| secret_key(&s));
    let outcome = post(cfg, d, key.as_deref(), operator).await;
    let t = now();
    let (state, next, status) = match outcome {
        Ok(status) => (DeliveryState::Delivered, t, status),
        Err(status) if d.attempts >= cfg.max_attempts.max(1) => {
            tracing::warn!(delivery = d.id, attempts = d.attempts, status = %status, "giving up on webhook");
            (DeliveryState::GivenUp, t, status)
        }
        Err(status) => (DeliveryState::Pending, t + backoff(cfg, d.attempts), status),
    };
    lib.db
        .finish_webhook_attempt(d, state, next, &status, t)
        .await?;
    Ok(())
}

/// Seconds before attempt `attempts + 1`: `retry_base_secs` doubled per
/// attempt made, at most a day.
pub fn backoff(cfg: &WebhooksConfig, attempts: i64) -> i64 {
    let base = cfg.retry_base_secs.max(1);
    base.saturating_mul(1i64 << (attempts - 1).clamp(0, 20))
        .min(86_400)
}

/// POSTs a delivery: Ok with the 2xx status, Err with what went wrong (an
/// HTTP status or the error, never the URL).
async fn post(
    cfg: &WebhooksConfig,
    d: &ClaimedDelivery,
    key: Option<&[u8]>,
    operator: bool,
) -> std::result::Result<String, String> {
    let url = check_url(&d.url).map_err(|e| e.to_string())?;
    let mut client = reqwest::Client::builder()
        .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("dropspace-webhooks/", env!("CARGO_PKG_VERSION")));
    // Operator-wide endpoints are the operator's own and may be internal;
    // an account's must resolve to public addresses, and the request goes
    // to the addresses checked (no second lookup to rebind).
    if !operator && !cfg.allow_private_addresses {
        let addrs = resolve(&url)
            .await
            .map_err(|e| format!("cannot resolve the host: {e}"))?;
        if addrs.iter().any(|a| !is_public(a.ip())) {
            return Err("refused: the host resolves to a private address".into());
        }
        if let Some(url::Host::Domain(host)) = url.host() {
            client = client.resolve_to_addrs(host, &addrs);
        }
    }
    let key = key.ok_or("the endpoint's secret cannot be opened")?;
    let client = client.build().map_err(|e| e.without_url().to_string())?;
    let timestamp = now();
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(key, &d.msg_id, timestamp, &d.payload),
        )
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| error_text(&e))?;
    let status = resp.status();
    // Only so much of an answer is read; the rest is dropped with the
    // connection.
    let mut resp = resp;
    let mut read = 0usize;
    while read < cfg.max_response_bytes {
        match resp.chunk().await {
            Ok(Some(c)) => read += c.len(),
            _ => break,
        }
    }
    if status.is_success() {
        Ok(status.as_u16().to_string())
    } else {
        Err(format!("HTTP {}", status.as_u16()))
    }
}

/// A transport error without its URL (which may carry the endpoint's own
/// token).
fn error_text(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_whsec_base64() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_key(&s).map(|k| k.len()), Some(32));
        assert!(secret_key("whsec_not base64!").is_none());
        assert!(secret_key("whsec_AAAA").is_none());
    }

    #[test]
    fn events_are_checked() {
        assert_eq!(
            parse_events(" upload.completed,file.expired,upload.completed").unwrap(),
            "upload.completed,file.expired"
        );
        assert_eq!(parse_events("").unwrap(), EVENT_TYPES.join(","));
        assert!(parse_events("upload.started").is_err());
    }

    #[test]
    fn private_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let cfg = WebhooksConfig {
            retry_base_secs: 30,
            ..WebhooksConfig::default()
        };
        assert_eq!(backoff(&cfg, 1), 30);
        assert_eq!(backoff(&cfg, 2), 60);
        assert_eq!(backoff(&cfg, 4), 240);
        assert_eq!(backoff(&cfg, 40), 86_400);
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://example.com/hook?t=1").is_ok());
        assert!(check_url("ftp://example.com/").is_err());
        assert!(check_url("https://user:pw@example.com/").is_err());
        assert!(check_url("not a url").is_err());
    }
}
