//! `GET|HEAD /preview/{id}/{account}/{expires}/{signature}`: a file's bytes
//! shown inline on its download page (docs/web.md, "Previews, thumbnails
//! and QR codes"). Signed like `/dl/` under another prefix; the type comes
//! from the whitelist in `library::preview` (images also by their first
//! bytes), everything else is plain text; single ranges (video and audio
//! seek); never counted as a download, but the bytes sent are charged to
//! the signed account's bandwidth like a download's.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::range;
use super::serve::{content_disposition, http_date};
use crate::db::files::File;
use crate::library::content::{self, ByteStream};
use crate::library::preview::{self, Kind};
use crate::library::{self, links, Error};
use crate::state::{App, AppState};

/// Every preview answer's sandbox: no script, no plugin, nothing loaded
/// from elsewhere. Uploaded markup is never served as such anyway.
pub const CSP: &str = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; \
     style-src 'unsafe-inline'; frame-ancestors 'self'";

/// PDFs go without the sandbox: Chromium will not open its viewer in a
/// sandboxed frame, and Safari fails to show some PDFs under a `sandbox`
/// CSP (Chromium 156 drops the response's CSP for its viewer anyway).
/// The viewer runs the document in its own origin, never as a page of
/// this one; the fixed type and `nosniff` keep anything else from being
/// read as a PDF (docs/web.md).
pub const CSP_PDF: &str = "default-src 'none'; img-src 'self'; media-src 'self'; \
     style-src 'unsafe-inline'; frame-ancestors 'self'";

#[derive(serde::Deserialize)]
pub struct Signed {
    id: String,
    account: String,
    expires: String,
    sig: String,
}

fn refuse(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(preview::PLAIN_TEXT),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        text,
    )
        .into_response()
}

fn unavailable() -> Response {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "The preview is temporarily unavailable, try again later.\n",
    )
}

pub async fn show(
    State(app): State<App>,
    method: Method,
    headers: HeaderMap,
    Path(p): Path<Signed>,
) -> Response {
    let forged = || {
        refuse(
            StatusCode::FORBIDDEN,
            "This preview link is invalid or has expired.\n",
        )
    };
    let Some(links::Signed {
        id,
        account,
        expires,
        sig,
    }) = links::Signed::parse(&p.id, &p.account, &p.expires, &p.sig)
    else {
        return forged();
    };
    let file = match app.db.file(id).await {
        Ok(Some(f)) => f,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "There is no such file.\n"),
        Err(e) => {
            tracing::error!(error = %e, "preview: reading the file row");
            return unavailable();
        }
    };
    if !preview::verify(&app, &file, account, expires, sig) {
        return forged();
    }
    match library::check_downloadable(&app, &file).await {
        Ok(()) => {}
        Err(Error::FileNotFound) => {
            return refuse(StatusCode::NOT_FOUND, "There is no such file.\n")
        }
        Err(Error::Internal(e)) => {
            tracing::error!(error = %e, "preview: the file's limits");
            return unavailable();
        }
        Err(_) => return refuse(StatusCode::GONE, "This file can no longer be downloaded.\n"),
    }
    // A URL minted before a download limit was set shows nothing.
    if !preview::may_serve(&app.cfg, &file) {
        return refuse(StatusCode::FORBIDDEN, "This file has no preview.\n");
    }
    if account > 0
        && method == Method::GET
        && super::serve::bandwidth_exhausted(&app, account).await
    {
        return refuse(
            StatusCode::FORBIDDEN,
            "The account's bandwidth limit is reached.\n",
        );
    }
    respond(&app, &method, &headers, &file, account).await
}

/// The type a preview of `file` is served as: the whitelist's by name; an
/// image also by its first bytes (a PNG named `.jpg` is shown as a PNG,
/// anything that is not a known image as plain text).
async fn content_type(app: &AppState, file: &File) -> Result<&'static str, Response> {
    let by_name = preview::content_type(&file.name);
    if preview::kind(&file.name) != Some(Kind::Image) {
        return Ok(by_name);
    }
    let head_len = (file.size.max(0) as u64).min(16);
    let head = match read_head(app, file, head_len).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "preview: reading the first bytes");
            return Err(unavailable());
        }
    };
    Ok(preview::sniff_image(&head).unwrap_or(preview::PLAIN_TEXT))
}

async fn read_head(app: &AppState, file: &File, len: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    if len == 0 {
        return Ok(head);
    }
    let mut stream = content::read(&app.db, &app.blobs, &file.blob_key, 0..len)
        .await
        .map_err(std::io::Error::other)?;
    while let Some(chunk) = stream.next().await {
        head.extend_from_slice(&chunk?);
        if head.len() as u64 >= len {
            break;
        }
    }
    Ok(head)
}

async fn respond(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    file: &File,
    account: i64,
) -> Response {
    let content_type = match content_type(app, file).await {
        Ok(t) => t,
        Err(none) => return none.into_response(),
    };
    let size = preview::served_len(&app.cfg, file);
    // The validator names the bytes and how many of them a preview shows.
    let key = file.blob_key.rsplit('/').next().unwrap_or(&file.blob_key);
    let etag = format!("\"p-{key}-{size}\"");
    let last_modified = http_date(file.uploaded);
    let part = match range::requested(headers, size, &etag, &last_modified) {
        Ok(part) => part,
        Err(none) => return none.into_response(),
    };
    let mut h = HeaderMap::new();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, content_type);
    let disposition = content_disposition(&file.name);
    let inline = match disposition.strip_prefix("attachment") {
        Some(rest) => format!("inline{rest}"),
        None => "inline".to_string(),
    };
    set(header::CONTENT_DISPOSITION, &inline);
    set(header::ACCEPT_RANGES, "bytes");
    set(header::ETAG, &etag);
    set(header::LAST_MODIFIED, &last_modified);
    set(header::CONTENT_LENGTH, &(part.end - part.start).to_string());
    set(header::CACHE_CONTROL, "private, no-transform");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        header::CONTENT_SECURITY_POLICY,
        if content_type == "application/pdf" {
            CSP_PDF
        } else {
            CSP
        },
    );
    set(header::REFERRER_POLICY, "no-referrer");
    // Only pages of this site may embed it.
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    let status = range::status_for(&mut h, &part, size);
    if method != Method::GET || part.is_empty() {
        return (status, h, Body::empty()).into_response();
    }
    let stream = match open(app, file, part.clone()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "preview: opening the blob");
            return unavailable();
        }
    };
    let body = Charged {
        inner: stream,
        left: part.end - part.start,
        sent: 0,
        app: app.clone(),
        account,
        done: false,
    };
    (status, h, Body::from_stream(body)).into_response()
}

/// The bytes in `range`, the first chunk read before the status line (a
/// store that cannot deliver answers 503).
async fn open(
    app: &AppState,
    file: &File,
    range: std::ops::Range<u64>,
) -> Result<ByteStream, crate::blobs::StorageError> {
    super::serve::started(content::read(&app.db, &app.blobs, &file.blob_key, range).await?).await
}

/// A preview body: stops at its length (a text preview is a prefix of the
/// file), fails when the blob ends early (the client sees a broken
/// transfer, not a short one), and charges what it sent to the account
/// when it ends or is dropped. Never credited to the file: not a download.
struct Charged {
    inner: ByteStream,
    left: u64,
    sent: u64,
    app: App,
    account: i64,
    done: bool,
}

impl Stream for Charged {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done || self.left == 0 {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(mut chunk))) => {
                if chunk.len() as u64 > self.left {
                    chunk.truncate(self.left as usize);
                }
                self.left -= chunk.len() as u64;
                self.sent += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                self.done = true;
                Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "blob shorter than its file",
                ))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Charged {
    fn drop(&mut self) {
        metrics::counter!("dropspace_preview_bytes_total").increment(self.sent);
        if self.account > 0 && self.sent > 0 {
            self.app.charges.add(self.account, self.sent as i64);
        }
    }
}
