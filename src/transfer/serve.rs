//! `GET|HEAD /dl/{id}/{account}/{expires}/{signature}[/{name}]`: the bytes
//! of a file behind a signed, expiring URL, with single Range requests,
//! If-Range, ETag and Last-Modified. A request that starts at byte 0 counts
//! one download (and may hit the download limit); bytes sent through a
//! session's URL are charged to that account's monthly bandwidth.

use std::io::SeekFrom;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::range::{self, Ask};
use crate::db::files::File;
use crate::library;
use crate::library::links;
use crate::state::{App, AppState};

/// Read size for file-system blobs: large enough that the copy costs
/// little next to the socket, small enough to stay a constant per download.
const READ_CHUNK: usize = 256 * 1024;

type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

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
    method: Method,
    headers: HeaderMap,
    Path(p): Path<Signed>,
) -> Response {
    serve(
        &app, &method, &headers, &p.id, &p.account, &p.expires, &p.sig,
    )
    .await
}

fn refuse(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}

async fn serve(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    id: &str,
    account: &str,
    expires: &str,
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
    respond(app, method, headers, &file, account).await.0
}

/// Serves `file` to a request that may see it (the caller checked that),
/// charging `account` (0 = nobody). Also says whether this request counted
/// as a download (a GET from byte 0 that the limits let through).
pub async fn respond(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    file: &File,
    account: i64,
) -> (Response, bool) {
    let size = file.size.max(0) as u64;
    let etag = etag(file);
    let last_modified = http_date(file.uploaded);
    let mut ask = range::parse(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        size,
    );
    if let Some(cond) = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        if !range::if_range_matches(cond, &etag, &last_modified) {
            ask = Ask::Whole;
        }
    }
    let part = match ask {
        Ask::Whole => 0..size,
        Ask::Part(r) => r,
        Ask::Unsatisfiable => {
            let resp = (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [
                    (header::CONTENT_RANGE, format!("bytes */{size}")),
                    (header::ACCEPT_RANGES, "bytes".to_string()),
                ],
            )
                .into_response();
            return (resp, false);
        }
    };
    let partial = part != (0..size);
    let is_get = method == Method::GET;
    // The bytes are opened (and the first of them read) before the status
    // line, so a store that cannot deliver answers 503 and costs no
    // download; HEAD asks the store for the blob's size.
    let stream = if is_get {
        match open(app, file, part.clone()).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "download: opening the blob");
                return (unavailable(), false);
            }
        }
    } else {
        match app.blobs.stat(&file.blob_key).await {
            Ok(Some(n)) if n == size => None,
            Ok(found) => {
                tracing::error!(
                    ?found,
                    size,
                    "download: the blob is missing or of the wrong size"
                );
                return (unavailable(), false);
            }
            Err(e) => {
                tracing::error!(error = %e, "download: asking the store for the blob");
                return (unavailable(), false);
            }
        }
    };
    // The limits decide before any byte goes out. Only a GET from byte 0
    // is a download of its own; resumed ranges and HEAD just check.
    let counted = is_get && part.start == 0;
    if counted {
        match library::count_download(app, &file.id).await {
            Ok(true) => {}
            Ok(false) => return (limit_reached(), false),
            Err(_) => return (unavailable(), false),
        }
    } else if library::check_downloadable(app, file).await.is_err() {
        return (limit_reached(), false);
    }
    if account > 0 && is_get && bandwidth_exhausted(app, account).await {
        return (
            refuse(
                StatusCode::FORBIDDEN,
                "The account's bandwidth limit is reached.\n",
            ),
            false,
        );
    }
    let mut resp_headers = HeaderMap::new();
    let h = &mut resp_headers;
    set(h, header::ACCEPT_RANGES, "bytes");
    set(h, header::CONTENT_TYPE, &file.content_type);
    set(
        h,
        header::CONTENT_DISPOSITION,
        &content_disposition(&file.name),
    );
    set(h, header::ETAG, &etag);
    set(h, header::LAST_MODIFIED, &last_modified);
    set(
        h,
        header::CONTENT_LENGTH,
        &(part.end - part.start).to_string(),
    );
    set(h, header::CACHE_CONTROL, "private, no-transform");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Uploaded HTML must never run as a page of this origin.
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    if partial {
        set(
            h,
            header::CONTENT_RANGE,
            &format!(
                "bytes {}-{}/{}",
                part.start,
                part.end.saturating_sub(1),
                size
            ),
        );
    }
    let status = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let Some(stream) = stream else {
        return ((status, resp_headers).into_response(), false);
    };
    let charge = (account > 0).then(|| (app.clone(), account));
    let body = Body::from_stream(Metered::new(stream, charge));
    ((status, resp_headers, body).into_response(), counted)
}

fn set(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
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

fn limit_reached() -> Response {
    refuse(
        StatusCode::FORBIDDEN,
        "The download limit of this file has been reached.\n",
    )
}

/// Whether an account with a bandwidth allowance has used it up.
async fn bandwidth_exhausted(app: &AppState, account: i64) -> bool {
    match app.db.user_by_id(account).await {
        Ok(Some(u)) => u.bandwidth_left(&app.cfg) == 0,
        _ => false,
    }
}

/// The blob's bytes in `range`: a plain file read for the fs backend, the
/// store's ranged reader otherwise. The first chunk is read here: readers
/// open lazily (S3 does no I/O until the first read), and a failure must
/// show before the status line is sent.
async fn open(
    app: &AppState,
    file: &File,
    range: std::ops::Range<u64>,
) -> Result<ByteStream, crate::blobs::StorageError> {
    let len = range.end - range.start;
    let stream: ByteStream = if let Some(path) = app.blobs.local_path(&file.blob_key) {
        let io = |e: std::io::Error| crate::blobs::StorageError(e.to_string());
        let mut f = tokio::fs::File::open(&path).await.map_err(io)?;
        if range.start > 0 {
            f.seek(SeekFrom::Start(range.start)).await.map_err(io)?;
        }
        let reader = f.take(len);
        Box::pin(tokio_util::io::ReaderStream::with_capacity(
            reader, READ_CHUNK,
        ))
    } else if len == 0 {
        return Ok(Box::pin(futures::stream::empty()));
    } else {
        Box::pin(app.blobs.read(&file.blob_key, range).await?)
    };
    let mut stream = Exact {
        inner: stream,
        left: len,
        done: false,
    };
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

/// Counts what a response body really sent; when the body ends (or the
/// client goes away) the bytes are charged to the account, if any.
struct Metered {
    inner: ByteStream,
    sent: u64,
    charge: Option<(App, i64)>,
}

impl Metered {
    fn new(inner: ByteStream, charge: Option<(App, i64)>) -> Metered {
        Metered {
            inner,
            sent: 0,
            charge,
        }
    }
}

impl Stream for Metered {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            self.sent += chunk.len() as u64;
        }
        polled
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        metrics::counter!("dropspace_download_bytes_total").increment(self.sent);
        if let (Some((app, account)), true) = (self.charge.take(), self.sent > 0) {
            app.charges.add(account, self.sent as i64);
        }
    }
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
