//! `/tus/`: resumable uploads over the tus 1.0.0 protocol — core, creation,
//! creation-with-upload, creation-defer-length, termination, expiration,
//! checksum (sha1, sha256) and concatenation — bound to the sendspace
//! upload rules (docs/resumable.md). The HTTP side only: the rules and the
//! bytes' place (a local partial file or an S3 multipart upload) are
//! `library::resumable`'s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use sha1::Digest;

use crate::api::error::ApiError;
use crate::http::ClientIp;
use crate::library::limits::AskedLimits;
use crate::library::progress::Counter;
use crate::library::resumable::{self, Lock, Upload, Writer};
use crate::library::uploads::{self, Asked};
use crate::library::Error;
use crate::state::App;

const VERSION: &str = "1.0.0";
const EXTENSIONS: &str = "creation,creation-with-upload,creation-defer-length,termination,\
     expiration,checksum,concatenation";
const CHECKSUMS: &str = "sha1,sha256";
/// The one body type of a PATCH.
const OCTETS: &str = "application/offset+octet-stream";
/// Headers a page on another origin may read.
const EXPOSED: &str = "Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, \
     Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Defer-Length, \
     Upload-Metadata, Upload-Expires, Upload-Concat, X-Dropspace-File-Id, \
     X-Dropspace-Download-Url, X-Dropspace-Delete-Url, X-Dropspace-Error, X-Dropspace-Scan, \
     X-Dropspace-Receipt-Url";
/// Headers a page on another origin may send.
const ALLOWED: &str = "Content-Type, Tus-Resumable, Upload-Checksum, Upload-Length, \
     Upload-Metadata, Upload-Offset, Upload-Defer-Length, Upload-Concat, X-HTTP-Method-Override, \
     X-Requested-With";
/// The header naming the file a completed upload became.
const FILE_ID: &str = "x-dropspace-file-id";

/// An answer with the headers every tus answer carries.
fn reply(status: StatusCode, headers: &[(&str, String)], text: &str) -> Response {
    let mut resp = (status, text.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert("tus-resumable", HeaderValue::from_static(VERSION));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            h.insert(n, v);
        }
    }
    resp
}

fn refuse(status: StatusCode, text: &str) -> Response {
    reply(status, &[], &format!("{text}\n"))
}

/// A domain refusal as a tus client can act on it: 4xx ends the attempt,
/// 5xx and 429 are worth a retry (tus clients retry those). The text and
/// `X-Dropspace-Error` (the sendspace error code) are the ones the API
/// would answer, so a client tells the same reasons either way.
fn refused(e: Error) -> Response {
    let status = match &e {
        Error::TooLarge(_) | Error::DiskspaceLimit => StatusCode::PAYLOAD_TOO_LARGE,
        // Refused at its last byte, the upload ended (docs/scanning.md): for
        // its content, or for want of a verdict — not 503, which tus clients
        // retry against an upload that is gone.
        Error::Infected(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::ScanUnavailable => StatusCode::FAILED_DEPENDENCY,
        Error::TooFast(_) => StatusCode::TOO_MANY_REQUESTS,
        Error::Maintenance | Error::Internal(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Denied(_) | Error::SessionBad => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    let api = ApiError::from(e);
    api.log("resumable upload");
    reply(
        status,
        &[("x-dropspace-error", api.code.number().to_string())],
        &format!("{}\n", api.text()),
    )
}

fn expires_header(unix: i64) -> (&'static str, String) {
    let when =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    ("upload-expires", when.format(&format).unwrap_or_default())
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Every request but OPTIONS names the protocol version it speaks.
fn version_refused(headers: &HeaderMap) -> Option<Response> {
    match header_str(headers, "tus-resumable") {
        Some(VERSION) => None,
        _ => Some(reply(
            StatusCode::PRECONDITION_FAILED,
            &[("tus-version", VERSION.into())],
            "Tus-Resumable: 1.0.0 is required\n",
        )),
    }
}

/// Whose limit `OPTIONS` tells: `?upload_identifier=` names an upload's.
#[derive(serde::Deserialize)]
pub struct MaxSizeOf {
    #[serde(default)]
    upload_identifier: String,
}

/// `OPTIONS`: what this server speaks, and the CORS preflight.
/// `Tus-Max-Size` is the largest upload the caller may create: its
/// identifier's tier limit, else the anonymous tier's; absent when
/// unlimited.
pub async fn options(State(app): State<App>, Query(of): Query<MaxSizeOf>) -> Response {
    let mut headers = vec![
        ("tus-version", VERSION.into()),
        ("tus-extension", EXTENSIONS.into()),
        ("tus-checksum-algorithm", CHECKSUMS.into()),
        (
            "access-control-allow-methods",
            "POST, HEAD, PATCH, DELETE, OPTIONS".into(),
        ),
        ("access-control-allow-headers", ALLOWED.into()),
        ("access-control-max-age", "86400".into()),
    ];
    match resumable::max_size(&app, &of.upload_identifier).await {
        Ok(Some(max)) => headers.push(("tus-max-size", max.to_string())),
        Ok(None) => {}
        Err(e) => return refused(e),
    }
    reply(StatusCode::NO_CONTENT, &headers, "")
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs (a key
/// alone has an empty value). None when malformed.
pub fn parse_metadata(raw: &str) -> Option<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let mut parts = item.split(' ').filter(|p| !p.is_empty());
        let key = parts.next()?;
        let value = match parts.next() {
            Some(v) => {
                let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
                String::from_utf8(bytes).ok()?
            }
            None => String::new(),
        };
        if parts.next().is_some() || pairs.iter().any(|(k, _)| k == key) {
            return None;
        }
        pairs.push((key.to_string(), value));
    }
    Some(pairs)
}

/// `POST /tus/`: creates an upload; with a body (creation-with-upload) its
/// first bytes too. A refusal may leave a body unread: the connection
/// then closes, as after a refused `PATCH`.
pub async fn create(state: State<App>, ip: ClientIp, headers: HeaderMap, body: Body) -> Response {
    let mut resp = create_with(state, ip, headers, body).await;
    if resp.status() != StatusCode::CREATED {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

async fn create_with(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(r) = version_refused(&headers) {
        return r;
    }
    // Concatenation: a part, or the final upload naming its parts in order
    // (`final;<url> <url>…`, which has no length of its own).
    let concat = header_str(&headers, "upload-concat").unwrap_or("");
    let parts: Option<Vec<String>> = match concat {
        "" | "partial" => None,
        v => match v.strip_prefix("final;") {
            Some(urls) => Some(urls.split_whitespace().map(upload_id_of).collect()),
            None => return refuse(StatusCode::BAD_REQUEST, "Malformed Upload-Concat"),
        },
    };
    // A deferred length (creation-defer-length) is -1 until a PATCH
    // declares it; a part of a concatenation declares its own.
    let deferred = header_str(&headers, "upload-defer-length");
    let length = match (&parts, header_str(&headers, "upload-length"), deferred) {
        (Some(_), _, _) => 0,
        (None, Some(_), Some(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Upload-Length and Upload-Defer-Length exclude each other",
            )
        }
        (None, Some(v), None) => match upload_length(v) {
            Ok(n) => n,
            Err(why) => return refuse(StatusCode::BAD_REQUEST, why),
        },
        (None, None, Some("1")) if concat.is_empty() => -1,
        (None, None, Some("1")) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "A part of a concatenation needs its Upload-Length",
            )
        }
        (None, None, Some(_)) => {
            return refuse(StatusCode::BAD_REQUEST, "Upload-Defer-Length must be 1")
        }
        (None, None, None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Upload-Length (or Upload-Defer-Length: 1) is required",
            )
        }
    };
    let raw = header_str(&headers, "upload-metadata")
        .unwrap_or("")
        .to_string();
    let Some(meta) = parse_metadata(&raw) else {
        return refuse(StatusCode::BAD_REQUEST, "Malformed Upload-Metadata");
    };
    let get = |k: &str| {
        meta.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (ident, extra) = (get("upload_identifier"), get("extra_info"));
    if ident.is_empty() || extra.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Upload-Metadata must carry upload_identifier and extra_info (from upload.getInfo)",
        );
    }
    let name = match get("filename") {
        n if n.is_empty() => get("name"),
        n => n,
    };
    let name = match super::ingest::clean_name(&name) {
        n if n.is_empty() => "file".to_string(),
        n => n,
    };
    let limits = match AskedLimits::parse(
        &get("time_limit"),
        &get("downloads_limit"),
        &get("limit_action"),
    ) {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    let new = resumable::New {
        upload_identifier: ident,
        extra_info: extra,
        length,
        metadata: raw,
        file_name: name,
        asked: Asked {
            folder_id: get("folder_id").trim().to_string(),
            description: get("description"),
            password: get("password"),
            recipient_email: get("recipient_email").trim().to_string(),
            recipient_message: get("recipient_message").trim().to_string(),
            notify_uploader: get("notify_uploader").trim() == "1",
            limits,
        },
        ip,
        partial: concat == "partial",
    };
    if let Some(ids) = parts {
        return match resumable::concatenate(&app, new, &ids, concat).await {
            Ok((upload, stored)) => {
                let mut h = completed(&app, &upload, &stored);
                h.push(("location", app.url(&format!("/tus/{}", upload.id))));
                reply(StatusCode::CREATED, &h, "")
            }
            Err(e) => refused(e),
        };
    }
    // A body is bytes for the new upload only when typed as a PATCH's; an
    // empty upload is complete at once.
    let with_upload = header_str(&headers, "content-type") == Some(OCTETS) || length == 0;
    let check = match with_upload.then(|| checksum(&headers)).transpose() {
        Ok(c) => c.flatten(),
        Err(()) => return bad_checksum(),
    };
    let upload = match resumable::create(&app, new).await {
        Ok(u) => u,
        Err(e) => return refused(e),
    };
    let location = ("location", app.url(&format!("/tus/{}", upload.id)));
    if !with_upload {
        return reply(
            StatusCode::CREATED,
            &[
                location,
                ("upload-offset", "0".into()),
                expires_header(upload.expires),
            ],
            "",
        );
    }
    // The upload exists whatever became of its first bytes: the answer
    // says how many were kept, and the client goes on from there.
    let id = upload.id.clone();
    let first = append_at(&app, ip, &id, (0, None), check, body).await;
    if first.status() == StatusCode::NO_CONTENT {
        let mut resp = first;
        *resp.status_mut() = StatusCode::CREATED;
        if let Ok(v) = HeaderValue::from_str(&location.1) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return resp;
    }
    match find(&app, &id).await {
        Ok(now) if now.file_id.is_empty() => {
            let mut headers = state_headers(&now);
            headers.push(location);
            headers.push(("connection", "close".into()));
            reply(StatusCode::CREATED, &headers, "")
        }
        _ => first,
    }
}

/// An `Upload-Length` value: a length in bytes; Err tells what is wrong.
fn upload_length(value: &str) -> Result<i64, &'static str> {
    match value.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        Ok(_) => Err("Upload-Length must not be negative"),
        Err(_) => Err("Malformed Upload-Length"),
    }
}

/// The upload a URL of `Upload-Concat: final;…` names: its last segment.
fn upload_id_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The headers of a completed upload: its state, the file it became, and
/// for an anonymous upload the only telling of its delete link.
fn completed(app: &App, upload: &Upload, stored: &uploads::Stored) -> Vec<(&'static str, String)> {
    let mut headers = state_headers(&Upload {
        file_id: stored.file_id.clone(),
        upload_offset: upload.upload_length,
        ..upload.clone()
    });
    if stored.request_id.is_empty() {
        headers.push((
            "x-dropspace-download-url",
            app.url(&format!("/file/{}", stored.file_id)),
        ));
    } else {
        // An outsider's upload into a file request: a receipt, never a
        // link to the owner's file (docs/file-requests.md).
        headers.push((
            "x-dropspace-receipt-url",
            crate::library::requests::receipt_url(app, &stored.request_id, &stored.file_id),
        ));
    }
    if let Some(secret) = &stored.delete_secret {
        headers.push((
            "x-dropspace-delete-url",
            uploads::delete_link(app, &stored.file_id, secret),
        ));
    }
    // Hidden until a background virus scan finds it clean (docs/scanning.md).
    if stored.quarantined {
        headers.push(("x-dropspace-scan", "pending".into()));
    }
    headers
}

/// The `Upload-Checksum` a request announced; Err when malformed.
fn checksum(headers: &HeaderMap) -> Result<Option<Check>, ()> {
    match header_str(headers, "upload-checksum") {
        None => Ok(None),
        Some(v) => Check::parse(v).map(Some).ok_or(()),
    }
}

fn bad_checksum() -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        "Upload-Checksum: unsupported algorithm or malformed value",
    )
}

/// The upload a request names: 404 unknown, 410 expired unfinished.
async fn find(app: &App, id: &str) -> Result<Upload, Response> {
    match resumable::get(app, id).await {
        Ok(Some(u)) if u.file_id.is_empty() && resumable::expired(&u) => {
            Err(refuse(StatusCode::GONE, "The upload expired"))
        }
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(refuse(StatusCode::NOT_FOUND, "No such upload")),
        Err(e) => Err(refused(e)),
    }
}

/// The headers that describe an upload's state.
fn state_headers(upload: &Upload) -> Vec<(&'static str, String)> {
    let mut h = vec![("upload-offset", upload.upload_offset.to_string())];
    match upload.length() {
        Some(length) => h.push(("upload-length", length.to_string())),
        None => h.push(("upload-defer-length", "1".into())),
    }
    if !upload.metadata.is_empty() {
        h.push(("upload-metadata", upload.metadata.clone()));
    }
    if !upload.concat.is_empty() {
        h.push(("upload-concat", upload.concat.clone()));
    }
    if upload.file_id.is_empty() {
        h.push(expires_header(upload.expires));
    } else {
        h.push((FILE_ID, upload.file_id.clone()));
    }
    h
}

/// `HEAD /tus/{id}`: the acknowledged offset.
pub async fn head(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(r) = version_refused(&headers) {
        return r;
    }
    match find(&app, &id).await {
        Ok(upload) => reply(StatusCode::OK, &state_headers(&upload), ""),
        Err(r) => r,
    }
}

/// `DELETE /tus/{id}`: ends an upload at once.
pub async fn terminate(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = version_refused(&headers) {
        return r;
    }
    let upload = match find(&app, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match resumable::lock(&app, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return refuse(StatusCode::LOCKED, "Another request is writing this upload"),
        Err(e) => return refused(e),
    }
    match resumable::terminate(&app, &upload, "upload terminated by the client").await {
        Ok(()) => reply(StatusCode::NO_CONTENT, &[], ""),
        Err(e) => refused(e),
    }
}

/// The checksum a PATCH announced (`Upload-Checksum: <algorithm> <base64>`).
enum Check {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

impl Check {
    fn parse(value: &str) -> Option<Check> {
        let (algo, b64) = value.split_once(' ')?;
        let want = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .ok()?;
        match algo {
            "sha1" => Some(Check::Sha1(sha1::Sha1::new(), want)),
            "sha256" => Some(Check::Sha256(sha2::Sha256::new(), want)),
            _ => None,
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Check::Sha1(h, _) => h.update(bytes),
            Check::Sha256(h, _) => h.update(bytes),
        }
    }

    fn matches(self) -> bool {
        let (got, want) = match self {
            Check::Sha1(h, want) => (h.finalize().to_vec(), want),
            Check::Sha256(h, want) => (h.finalize().to_vec(), want),
        };
        crate::secrets::ct_eq(&hex::encode(got), &hex::encode(want))
    }
}

/// How a PATCH's body ended.
enum Ended {
    /// All of it arrived.
    Whole,
    /// More than the upload's length was sent.
    TooLong,
    /// Past the tier's limit or the account's space (deferred length).
    Over(Error),
    /// The client stopped sending or went away.
    Cut,
    /// The lock was lost to another request.
    Lost,
}

/// `PATCH /tus/{id}`: appends the body at the acknowledged offset. A
/// refusal may leave the body unread: the connection then closes, so the
/// client does not send its next request into it.
pub async fn patch(
    state: State<App>,
    ip: ClientIp,
    id: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut resp = append(state, ip, id, headers, body).await;
    if resp.status() != StatusCode::NO_CONTENT {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

async fn append(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(r) = version_refused(&headers) {
        return r;
    }
    if header_str(&headers, "content-type") != Some(OCTETS) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/offset+octet-stream",
        );
    }
    let Some(offset) = header_str(&headers, "upload-offset").and_then(|v| v.parse::<i64>().ok())
    else {
        return refuse(StatusCode::BAD_REQUEST, "Upload-Offset is required");
    };
    let Ok(check) = checksum(&headers) else {
        return bad_checksum();
    };
    let declared = match header_str(&headers, "upload-length").map(upload_length) {
        Some(Ok(n)) => Some(n),
        Some(Err(why)) => return refuse(StatusCode::BAD_REQUEST, why),
        None => None,
    };
    append_at(&app, ip, &id, (offset, declared), check, body).await
}

/// Appends a body at `offset`, the upload's acknowledged offset, under its
/// lock; `declared`: the `Upload-Length` of an upload of deferred length.
async fn append_at(
    app: &App,
    ip: std::net::IpAddr,
    id: &str,
    (offset, declared): (i64, Option<i64>),
    check: Option<Check>,
    body: Body,
) -> Response {
    let upload = match find(app, id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if offset != upload.upload_offset {
        return reply(
            StatusCode::CONFLICT,
            &[("upload-offset", upload.upload_offset.to_string())],
            "Upload-Offset does not match the upload's offset\n",
        );
    }
    if !upload.file_id.is_empty() {
        return reply(StatusCode::NO_CONTENT, &state_headers(&upload), "");
    }
    let Some(_open) = app.abuse.open_upload(ip) else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many uploads at once; try again when one has finished",
        );
    };
    let lock = match resumable::lock(app, id).await {
        Ok(Some(l)) => l,
        Ok(None) => return refuse(StatusCode::LOCKED, "Another request is writing this upload"),
        Err(e) => return refused(e),
    };
    let mut held = Held {
        app: app.clone(),
        id: id.to_string(),
        lock,
        keep: check.is_none(),
        writer: None,
        armed: true,
    };
    // Read again under the lock: a request that finished meanwhile moved
    // the offset, and writing starts again at the offset read here.
    let resp = match find(app, id).await {
        Ok(now) if now.upload_offset == offset && now.file_id.is_empty() => {
            write_locked(app, (now, declared), &mut held, check, body).await
        }
        Ok(now) => reply(
            StatusCode::CONFLICT,
            &[("upload-offset", now.upload_offset.to_string())],
            "Upload-Offset does not match the upload's offset\n",
        ),
        Err(r) => r,
    };
    held.release().await;
    resp
}

/// A PATCH's lock and its writer. `release` frees the upload; when the
/// request is dropped instead (its client went away mid-body and hyper
/// drops the handler), what was written is kept — acknowledged, unless a
/// checksum was to vouch for it — and the upload freed, in the background.
struct Held {
    app: App,
    id: String,
    lock: Lock,
    keep: bool,
    writer: Option<Writer>,
    armed: bool,
}

impl Held {
    fn writer(&mut self) -> Result<&mut Writer, Error> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::internal(anyhow::anyhow!("no writer open")))
    }

    async fn release(mut self) {
        self.armed = false;
        if let Err(e) = resumable::unlock(&self.app, &self.id, &self.lock).await {
            tracing::warn!(error = %format!("{e:#}"), "unlocking a resumable upload");
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (app, id) = (self.app.clone(), std::mem::take(&mut self.id));
        let lock = Lock {
            token: std::mem::take(&mut self.lock.token),
        };
        let writer = self.writer.take().filter(|_| self.keep);
        tokio::spawn(async move {
            if let Some(w) = writer {
                if let Err(e) = w.keep(&app).await {
                    tracing::warn!(error = %format!("{e:#}"), "keeping a cut upload's bytes");
                }
            }
            if let Err(e) = resumable::unlock(&app, &id, &lock).await {
                tracing::warn!(error = %format!("{e:#}"), "unlocking a resumable upload");
            }
        });
    }
}

/// A refusal of more bytes: past the tier's limit or the account's space
/// the upload ends (its reservation returned, as the form's would be).
async fn ended_by(app: &App, upload: &Upload, e: Error) -> Response {
    if matches!(e, Error::TooLarge(_) | Error::DiskspaceLimit) {
        if let Err(t) = resumable::terminate(app, upload, &e.to_string()).await {
            return refused(t);
        }
    }
    refused(e)
}

/// The body of a PATCH under the upload's lock: streamed to its writer,
/// acknowledged; the last byte makes the file.
async fn write_locked(
    app: &App,
    (upload, declared): (Upload, Option<i64>),
    held: &mut Held,
    mut check: Option<Check>,
    body: Body,
) -> Response {
    let upload = match declared {
        Some(n) => match resumable::declare_length(app, upload.clone(), &held.lock, n).await {
            Ok(u) => u,
            Err(e) => return ended_by(app, &upload, e).await,
        },
        None => upload,
    };
    let mut room = match resumable::Room::of(app, &upload).await {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    match Writer::open(app, &upload, &held.lock).await {
        Ok(w) => held.writer = Some(w),
        Err(e) => return refused(e),
    }
    let eager = check.is_none();
    let start = upload.upload_offset as u64;
    let counter = Arc::new(Counter::default());
    counter.add(start as usize);
    app.progress.insert(&upload.upload_id, counter.clone());
    let idle = Duration::from_secs(app.cfg.limits.upload_idle_secs.max(1));
    let renew_every = Duration::from_millis((resumable::lock_ms(app) / 4).max(1) as u64);
    let mut renewed = Instant::now();
    let mut stream = body.into_data_stream();
    let mut got: u64 = 0;
    let ended = loop {
        let chunk = match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(Ok(c))) => c,
            Ok(None) => break Ended::Whole,
            Ok(Some(Err(_))) | Err(_) => break Ended::Cut,
        };
        let end = upload.upload_offset + (got + chunk.len() as u64) as i64;
        match room.admit(app, &upload, end).await {
            Ok(()) => {}
            Err(resumable::Over::Length) => break Ended::TooLong,
            Err(resumable::Over::Limit(e)) => break Ended::Over(e),
        }
        if let Some(c) = check.as_mut() {
            c.update(&chunk);
        }
        let wrote = match held.writer() {
            Ok(w) => w.write(app, &chunk, eager).await,
            Err(e) => Err(e),
        };
        if let Err(e) = wrote {
            app.progress.close(&upload.upload_id);
            held.writer = None;
            return refused(e);
        }
        got += chunk.len() as u64;
        counter.add(chunk.len());
        if renewed.elapsed() >= renew_every {
            match resumable::renew(app, &upload.id, &held.lock).await {
                Ok(true) => renewed = Instant::now(),
                _ => break Ended::Lost,
            }
        }
    };
    app.progress.close(&upload.upload_id);
    // Every byte arrived, however the body ended: the upload completes.
    let end = upload.upload_offset + got as i64;
    let ended = match ended {
        Ended::Cut if Some(end) == upload.length() => Ended::Whole,
        other => other,
    };
    let Some(writer) = held.writer.take() else {
        return refused(Error::internal(anyhow::anyhow!("no writer open")));
    };
    match ended {
        Ended::TooLong => {
            return match resumable::terminate(app, &upload, "more bytes than Upload-Length").await {
                Ok(()) => refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "More bytes than the upload's Upload-Length: the upload is ended",
                ),
                Err(e) => refused(e),
            };
        }
        Ended::Over(e) => return ended_by(app, &upload, e).await,
        // Another request holds the upload now: nothing more of this one is
        // kept (the next writer starts at the acknowledged offset).
        Ended::Lost => return refuse(StatusCode::LOCKED, "Another request took over this upload"),
        Ended::Cut | Ended::Whole => {}
    }
    // A checksum vouches for the whole body only: a cut or mismatching one
    // keeps nothing.
    if let Some(c) = check {
        let whole = matches!(ended, Ended::Whole);
        if !whole || !c.matches() {
            writer.discard().await;
            return if whole {
                reply(
                    StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
                    &[("upload-offset", upload.upload_offset.to_string())],
                    "Checksum mismatch\n",
                )
            } else {
                refuse(StatusCode::BAD_REQUEST, "The body was cut; nothing kept")
            };
        }
    }
    if matches!(ended, Ended::Cut) || upload.length().is_none_or(|length| end < length) {
        let to = match writer.keep(app).await {
            Ok(to) => to,
            Err(e) => return refused(e),
        };
        if matches!(ended, Ended::Cut) {
            return refuse(
                StatusCode::BAD_REQUEST,
                "The body was cut; what arrived is kept",
            );
        }
        let upload = Upload {
            upload_offset: to,
            ..upload
        };
        return reply(StatusCode::NO_CONTENT, &state_headers(&upload), "");
    }
    // A part of a concatenation waits, whole, for its final upload.
    if upload.concat == "partial" {
        return match writer.seal(app, &upload).await {
            Ok(to) => reply(
                StatusCode::NO_CONTENT,
                &state_headers(&Upload {
                    upload_offset: to,
                    ..upload
                }),
                "",
            ),
            Err(e) => refused(e),
        };
    }
    // In a task of its own: a client gone now must not stop the file half
    // made. It settles the space the upload holds now (a deferred length
    // reserved more as it grew).
    let finishing = {
        let app = app.clone();
        let upload = Upload {
            reserved: room.reserved(),
            ..upload.clone()
        };
        tokio::spawn(async move { writer.complete(&app, &upload).await })
    };
    let finished = finishing
        .await
        .unwrap_or_else(|e| Err(Error::internal(anyhow::anyhow!("completing: {e}"))));
    match finished {
        Ok(stored) => reply(
            StatusCode::NO_CONTENT,
            &completed(app, &upload, &stored),
            "",
        ),
        // The upload ends: its identifier is spent, what it holds returned.
        Err(e) => {
            if let Err(t) = resumable::terminate(app, &upload, &e.to_string()).await {
                tracing::warn!(error = %format!("{t:#}"), "ending a failed resumable upload");
            }
            refused(e)
        }
    }
}
