//! `GET|HEAD /dl/{id}/{account}/{expires}/{signature}[/{name}]`: the bytes
//! of a file behind a signed, expiring URL, with single Range requests,
//! If-Range, ETag and Last-Modified. Downloads count by bytes delivered
//! (docs/api-notes.md, "Download counting"): a file with a download limit
//! reserves each range before the status line, and every body credits what
//! it sent when it ends or is dropped; bytes sent through an account's URL
//! are charged to that account's monthly bandwidth.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};

use super::range;
use crate::db::files::File;
use crate::http::ClientIp;
use crate::library::content::{self, ByteStream};
use crate::library::delivery::Downloader;
use crate::library::limits::{self, Admission};
use crate::library::links;
use crate::library::{self, Error, Gone};
use crate::secrets::hash_secret;
use crate::state::{App, AppState};

/// A claimed stream records its progress (and extends its lease) after
/// this many bytes, or a sixth of the lease, whichever comes first.
const REFRESH_BYTES: u64 = 4 * 1024 * 1024;

/// Called once, with the bytes a body delivered, when it ends or is
/// dropped (after they are credited).
pub type OnDelivered = Box<dyn FnOnce(u64) -> BoxFuture<'static, ()> + Send>;

/// Who is downloading.
pub struct Taker {
    /// A stable name of who asked (one signed URL, one recipient link): a
    /// resume by the same taker may release its own stalled stream's
    /// reservation. Never a secret in clear (it is stored).
    pub key: String,
    /// The account whose bandwidth the bytes are charged to (0 = nobody).
    pub account: i64,
    /// Who it is, for the download log (docs/receipts.md).
    pub who: Downloader,
    pub on_delivered: Option<OnDelivered>,
}

/// The signed parts of a direct URL; the optional trailing name is not
/// among them (serde ignores it).
#[derive(serde::Deserialize)]
pub struct Signed {
    id: String,
    account: String,
    expires: String,
    sig: String,
}

pub async fn download(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    method: Method,
    headers: HeaderMap,
    Path(p): Path<Signed>,
) -> Response {
    let url = (p.id.as_str(), p.account.as_str(), p.expires.as_str());
    serve(&app, ip, &method, &headers, url, &p.sig).await
}

fn refuse(status: StatusCode, text: impl Into<Body>) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text.into(),
    )
        .into_response()
}

async fn serve(
    app: &App,
    ip: std::net::IpAddr,
    method: &Method,
    headers: &HeaderMap,
    (id, account, expires): (&str, &str, &str),
    sig: &str,
) -> Response {
    let forged = || {
        refuse(
            StatusCode::FORBIDDEN,
            "This download link is invalid or has expired.\n",
        )
    };
    let Some(links::Signed {
        id,
        account,
        expires,
        sig,
    }) = links::Signed::parse(id, account, expires, sig)
    else {
        return forged();
    };
    let file = match app.db.file(id).await {
        Ok(Some(f)) => f,
        Ok(None) => return forged(),
        Err(e) => {
            tracing::error!(error = %e, "download: reading the file row");
            return unavailable();
        }
    };
    if !links::verify(app, &file, account, expires, sig) {
        return forged();
    }
    let taker = Taker {
        key: hash_secret(&format!("dl:{sig}")),
        account,
        who: Downloader::new(account, ip),
        on_delivered: None,
    };
    respond(app, method, headers, &file, taker).await
}

/// Serves `file` to a request that may see it (the caller checked that),
/// for `taker`.
pub async fn respond(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    file: &File,
    taker: Taker,
) -> Response {
    let size = file.size.max(0) as u64;
    let etag = etag(file);
    let last_modified = http_date(file.uploaded);
    let part = match range::requested(headers, size, &etag, &last_modified) {
        Ok(part) => part,
        Err(none) => return none.into_response(),
    };
    let is_get = method == Method::GET;
    // The bytes are opened (and the first of them read) before the status
    // line, so a store that cannot deliver answers 503 and costs no
    // download; HEAD asks the store for the blob's size.
    let stream = if is_get {
        match open(app, file, part.clone()).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "download: opening the blob");
                return unavailable();
            }
        }
    } else {
        match content::stat(&app.db, &app.blobs, &file.blob_key).await {
            Ok(Some(n)) if n == size => None,
            Ok(found) => {
                tracing::error!(
                    ?found,
                    size,
                    "download: the blob is missing or of the wrong size"
                );
                return unavailable();
            }
            Err(e) => {
                tracing::error!(error = %e, "download: asking the store for the blob");
                return unavailable();
            }
        }
    };
    let account = taker.account;
    if account > 0 && is_get && bandwidth_exhausted(app, account).await {
        return refuse(
            StatusCode::FORBIDDEN,
            "The account's bandwidth limit is reached.\n",
        );
    }
    // The limits decide before any byte goes out: HEAD only checks, an
    // empty body counts one download at once, any other GET is admitted
    // (a limited file reserves its range) and credited as it is delivered.
    let mut claim = None;
    if !is_get {
        if let Err(e) = library::check_downloadable(app, file).await {
            return match e {
                Error::Gone(why) => gone(why),
                // Its limit action has just deleted it.
                Error::FileNotFound => limit_reached(file),
                _ => unavailable(),
            };
        }
    } else if part.is_empty() {
        match library::limits::count_whole(app, file, &taker.who).await {
            Ok(true) => {}
            Ok(false) => return limit_reached(file),
            Err(_) => return unavailable(),
        }
    } else {
        match limits::admit(app, file, &taker.key, part.clone()).await {
            Ok(Admission::Go(c)) => claim = c,
            Ok(Admission::Refused) => return limit_reached(file),
            Err(e) => {
                tracing::error!(error = %e, "download: reserving the range");
                return unavailable();
            }
        }
    }
    let mut resp_headers = attachment(&file.content_type, &file.name, &etag, &last_modified);
    let h = &mut resp_headers;
    set(
        h,
        header::CONTENT_LENGTH,
        &(part.end - part.start).to_string(),
    );
    let status = range::status_for(h, &part, size);
    let Some(stream) = stream else {
        return (status, resp_headers).into_response();
    };
    let delivery = Delivery {
        app: app.clone(),
        file_id: file.id.clone(),
        claim,
        recorded: 0,
        len: part.end - part.start,
        sent: 0,
        account,
        who: taker.who,
        on_delivered: taker.on_delivered,
        settled: false,
        done: false,
        refreshed_at: Instant::now(),
    };
    if delivery.len == 0 {
        // Nothing to stream: the count above was the whole download.
        delivery.settle().await;
    } else {
        let body = Body::from_stream(futures::stream::unfold((stream, delivery), step));
        return (status, resp_headers, body).into_response();
    }
    (status, resp_headers, Body::empty()).into_response()
}

/// The headers of bytes sent as a download (a file, a zip): named, typed,
/// validated for ranges, never sniffed, cached or run as a page.
pub(super) fn attachment(
    content_type: &str,
    name: &str,
    etag: &str,
    last_modified: &str,
) -> HeaderMap {
    let mut h = HeaderMap::new();
    set(&mut h, header::ACCEPT_RANGES, "bytes");
    set(&mut h, header::CONTENT_TYPE, content_type);
    set(
        &mut h,
        header::CONTENT_DISPOSITION,
        &content_disposition(name),
    );
    set(&mut h, header::ETAG, etag);
    set(&mut h, header::LAST_MODIFIED, last_modified);
    set(&mut h, header::CACHE_CONTROL, "private, no-transform");
    set(&mut h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Uploaded HTML must never run as a page of this origin.
    set(
        &mut h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    h
}

pub(super) fn set(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

fn unavailable() -> Response {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "Download is temporarily unavailable, try again later.\n",
    )
}

/// A refusal by the file's limits, named by what the file shows (the
/// request that found it blocked may have raced another download).
fn limit_reached(file: &File) -> Response {
    gone(library::limits::gone(file).unwrap_or(Gone::LimitReached))
}

fn gone(why: Gone) -> Response {
    refuse(StatusCode::FORBIDDEN, format!("{}.\n", why.text()))
}

/// Whether an account with a bandwidth allowance has used it up.
pub(super) async fn bandwidth_exhausted(app: &AppState, account: i64) -> bool {
    match app.db.user_by_id(account).await {
        Ok(Some(u)) => u.bandwidth_left(&app.cfg) == 0,
        _ => false,
    }
}

/// The blob's bytes in `range` (fs: read ahead on a blocking thread; S3:
/// the store's ranged reader). The first chunk is read here: readers open
/// lazily (S3 does no I/O until the first read), and a failure must show
/// before the status line is sent.
pub(super) async fn open(
    app: &AppState,
    file: &File,
    range: std::ops::Range<u64>,
) -> Result<ByteStream, crate::blobs::StorageError> {
    let len = range.end - range.start;
    if len == 0 {
        return Ok(Box::pin(futures::stream::empty()));
    }
    started(Box::pin(Exact {
        inner: content::read(&app.db, &app.blobs, &file.blob_key, range).await?,
        left: len,
        done: false,
    }))
    .await
}

/// A body whose first chunk is read before the status line goes out: a
/// store that cannot deliver then answers 503 instead of a broken 200.
pub(super) async fn started(
    mut stream: ByteStream,
) -> Result<ByteStream, crate::blobs::StorageError> {
    match stream.next().await {
        None => Ok(Box::pin(futures::stream::empty())),
        Some(Err(e)) => Err(crate::blobs::StorageError(e.to_string())),
        Some(Ok(first)) => Ok(Box::pin(
            futures::stream::once(std::future::ready(Ok(first))).chain(stream),
        )),
    }
}

/// Fails a body that ends before its `Content-Length` (a blob shorter
/// than its row): the error makes hyper drop the connection, so the client
/// sees a broken transfer rather than a clean, short end.
struct Exact {
    inner: ByteStream,
    left: u64,
    done: bool,
}

impl Stream for Exact {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.left = self.left.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                self.done = true;
                if self.left > 0 {
                    Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "blob shorter than its file",
                    ))))
                } else {
                    Poll::Ready(None)
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A download body's bookkeeping: what it sent, its claim (files with a
/// download limit), the account to charge. The final chunk is credited
/// before it is yielded, so a client holding every byte sees the count; a
/// body dropped early (the client went away) is credited from `Drop`.
struct Delivery {
    app: App,
    file_id: String,
    claim: Option<i64>,
    /// What the claim's last refresh recorded.
    recorded: u64,
    len: u64,
    sent: u64,
    account: i64,
    who: Downloader,
    on_delivered: Option<OnDelivered>,
    settled: bool,
    done: bool,
    refreshed_at: Instant,
}

impl Delivery {
    /// Whether a claimed stream should record its progress now.
    fn refresh_due(&self, sent: u64) -> bool {
        let lease = limits::claim_lease_secs(&self.app.cfg) as u64;
        sent - self.recorded >= REFRESH_BYTES
            || self.refreshed_at.elapsed() >= Duration::from_millis(lease * 1000 / 6)
    }

    /// Charges the account (synchronously, in memory) and marks the body
    /// settled; what is left to write is the returned `Credit`.
    fn close(&mut self) -> Credit {
        self.settled = true;
        metrics::counter!("dropspace_download_bytes_total").increment(self.sent);
        if self.account > 0 && self.sent > 0 {
            self.app.charges.add(self.account, self.sent as i64);
        }
        Credit {
            app: self.app.clone(),
            file_id: self.file_id.clone(),
            claim: self.claim.map(|id| (id, self.recorded)),
            sent: self.sent,
            who: std::mem::take(&mut self.who),
            on_delivered: self.on_delivered.take(),
        }
    }

    async fn settle(mut self) {
        self.close().write().await;
    }
}

/// A closed body's bytes, to credit to the file (and its claim, with what
/// the claim's last refresh recorded), then to report to `on_delivered`.
struct Credit {
    app: App,
    file_id: String,
    claim: Option<(i64, u64)>,
    sent: u64,
    who: Downloader,
    on_delivered: Option<OnDelivered>,
}

impl Credit {
    async fn write(self) {
        let Credit {
            app,
            file_id,
            claim,
            sent,
            who,
            on_delivered,
        } = self;
        if let Err(e) = limits::settle(&app, &file_id, claim, sent, &who).await {
            tracing::error!(file_id, error = %e, "download: crediting the bytes sent");
        }
        if let Some(f) = on_delivered {
            f(sent).await;
        }
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let credit = self.close();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(credit.write());
            }
            // No runtime (shutdown): the claim's lease runs out and the
            // sweep credits what it recorded.
            Err(_) => tracing::warn!("download dropped without a runtime; left to the sweep"),
        }
    }
}

/// One step of a download body: the next chunk, its progress recorded
/// for a claimed stream (a released or swept claim stops the body with an
/// error, which breaks the connection), the final chunk credited before
/// it goes out.
async fn step(
    (mut inner, mut d): (ByteStream, Delivery),
) -> Option<(std::io::Result<Bytes>, (ByteStream, Delivery))> {
    if d.done {
        return None;
    }
    let chunk = match inner.next().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(e)) => {
            d.done = true;
            return Some((Err(e), (inner, d)));
        }
        None => {
            d.done = true;
            return None;
        }
    };
    let after = d.sent + chunk.len() as u64;
    if after >= d.len {
        d.sent = after;
        d.done = true;
        d.close().write().await;
        return Some((Ok(chunk), (inner, d)));
    }
    if let (Some(id), true) = (d.claim, d.refresh_due(after)) {
        match limits::refresh_claim(&d.app, id, after).await {
            Ok(true) => {
                d.recorded = after;
                d.refreshed_at = Instant::now();
            }
            Ok(false) => {
                d.done = true;
                let stop = std::io::Error::other("the download's reservation was released");
                return Some((Err(stop), (inner, d)));
            }
            // The lease outlasts a database hiccup; the next refresh tries again.
            Err(e) => tracing::warn!(error = %e, "download: refreshing the claim"),
        }
    }
    d.sent = after;
    Some((Ok(chunk), (inner, d)))
}

/// A strong validator: blob keys are never reused, so the key names the
/// exact bytes.
fn etag(file: &File) -> String {
    let key = file.blob_key.rsplit('/').next().unwrap_or(&file.blob_key);
    format!("\"{key}\"")
}

/// RFC 9110 IMF-fixdate.
pub fn http_date(unix: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// `attachment` with the name twice (RFC 6266); in `dropspace-proto`
/// (fuzzed there: no name breaks the header).
pub use dropspace_proto::links::content_disposition;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_has_both_names() {
        assert_eq!(
            content_disposition("a b.txt"),
            "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt"
        );
        assert_eq!(
            content_disposition("naïve \"q\".txt"),
            "attachment; filename=\"na_ve _q_.txt\"; filename*=UTF-8''na%C3%AFve%20%22q%22.txt"
        );
        // No header injection whatever the name holds.
        let d = content_disposition("x\r\nSet-Cookie: a=b");
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert!(HeaderValue::from_str(&d).is_ok());
    }

    #[test]
    fn dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
