//! `POST /upload/{identifier}`: the guide's upload form, streamed from the
//! request body straight into blob storage. Memory per upload is one chunk
//! plus the blob writer's buffer, whatever the file size.
//!
//! An upload either commits completely — blob synced and visible, file row,
//! disk space, identifier and progress in one transaction — or leaves
//! nothing: a failure, a rejected field or a client that goes away aborts
//! the blob and returns the reserved space (the `Ingest` guard does it even
//! when the request future is dropped mid-body).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;

use super::throttle::Throttle;
use crate::api::envelope::{error_node, to_xml, Node};
use crate::api::error::{ApiError, Code};
use crate::blobs::{BlobWriter, Blobs};
use crate::http::ClientIp;
use crate::library::limits::AskedLimits;
use crate::library::mail;
use crate::library::progress::Counter;
use crate::library::uploads::{self, Ident, Reserve, UploadState};
use crate::library::MAX_NAME;
use crate::state::{App, AppState};

use dropspace_proto::form_guard::{self, FormGuard};
/// Bounds of the form and its pure field handling: in `dropspace-proto`
/// (fuzzed there with multer driven as here).
use dropspace_proto::upload::{MAX_FIELD, MAX_PARTS};
/// After a failure, this much more of the body is read and dropped so the
/// client, still sending, gets to read the answer instead of a reset.
const DRAIN_BYTES: u64 = 16 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// How the answer is given: a redirect, `key=value` text (sessions) or
/// `<upload_done>` XML (anonymous).
#[derive(Default)]
struct Answer {
    anonymous: bool,
    redirect: Option<url::Url>,
}

/// A stored upload.
struct Done {
    file_id: String,
    /// Anonymous uploads: the secret of their delete link.
    delete_secret: Option<String>,
    bandwidth_left: i64,
    diskspace_left: i64,
    /// Hidden until a background virus scan finds it clean (docs/scanning.md).
    quarantined: bool,
}

pub async fn upload(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(ident_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut answer = Answer::default();
    let outcome = match app.abuse.open_upload(ip) {
        Some(_open) => receive(&app, ip, &ident_id, &headers, body, &mut answer).await,
        None => Err(too_many_uploads()),
    };
    let label = match &outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.code.number().to_string(),
    };
    metrics::counter!("dropspace_uploads_total", "outcome" => label).increment(1);
    let failed = outcome.is_err();
    let mut resp = respond(&app, &answer, outcome);
    // A refused upload may leave its body unread: the client must not send
    // its next request on this connection (it would find it closed).
    if failed {
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

async fn receive(
    app: &App,
    ip: IpAddr,
    ident_id: &str,
    headers: &HeaderMap,
    body: Body,
    answer: &mut Answer,
) -> Result<Done, ApiError> {
    let ident = uploads::get(app, ident_id)
        .await
        .map_err(domain)?
        .ok_or_else(bad_identifier)?;
    answer.anonymous = ident.user_id.is_none();
    if app.db.maintenance().await.map_err(temp_error)? {
        return Err(ApiError::new(Code::SystemMaintenance));
    }
    let max_open = app.cfg.limits.open_uploads_per_account;
    if let (Some(uid), true) = (ident.user_id, max_open > 0) {
        if uploads::open_count(app, uid).await.map_err(domain)? >= max_open {
            return Err(too_many_uploads());
        }
    }
    let raw_ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(raw_ctype).map_err(|_| {
        ApiError::with_text(
            Code::InvalidParameter,
            "The upload must be a multipart/form-data POST",
        )
    })?;
    let total = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    // A used or expired identifier is refused before the body is read.
    if ident.state != UploadState::Unused || ident.expires <= crate::db::now() {
        return Err(bad_identifier());
    }
    // Claimed (spent) only once the form has shown its `extra_info`, or
    // when its file starts (docs/security.md): a form that shows nothing
    // leaves the identifier to its owner.
    let blob_key = Blobs::new_key();
    let counter = Arc::new(Counter::default());
    let head_limit = app.cfg.limits.form_head_bytes;
    let body_limit = form_guard::body_bound(ident.max_file_size, head_limit);
    let mut ingest = Ingest::new(app.clone(), ip, ident, counter.clone(), total, blob_key);
    let stream = body
        .into_data_stream()
        .inspect_ok(move |chunk| counter.add(chunk.len()));
    // Bounded before multer sees it: multer buffers what it cannot frame.
    let stream = FormGuard::new(stream, &boundary, head_limit, body_limit);
    let mut form = multer::Multipart::new(stream, boundary);
    match ingest.run(&mut form, answer).await {
        Ok(done) => Ok(done),
        Err(e) => {
            ingest.fail(&e).await;
            if !ingest.body_broken {
                drain(&mut form).await;
            }
            Err(e)
        }
    }
}

fn too_many_uploads() -> ApiError {
    ApiError::with_text(
        Code::UploadTempError,
        "Too many uploads at once; try again when one has finished",
    )
}

fn bad_identifier() -> ApiError {
    uploads::unknown_identifier().into()
}

/// Storage or database trouble during an upload is 13 (try again later).
fn temp_error(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "upload");
    ApiError::new(Code::UploadTempError)
}

/// A domain error as the upload answers it: trouble inside is 13, the
/// rest as everywhere on `/rest/`.
fn domain(e: crate::library::Error) -> ApiError {
    match e {
        crate::library::Error::Internal(e) => temp_error(format!("{e:#}")),
        other => other.into(),
    }
}

/// One upload in flight; dropping it unfinished cleans up after it.
struct Ingest {
    app: App,
    /// The uploader's address (mail rate).
    ip: IpAddr,
    ident: Ident,
    /// Body bytes received (progress).
    counter: Arc<Counter>,
    /// The request's Content-Length (0 when unknown).
    total: i64,
    fields: HashMap<String, String>,
    /// Smallest of the tier's and the form's `MAX_FILE_SIZE`; -1 = none.
    limit: i64,
    quota: i64,
    reserved: i64,
    writer: Option<BlobWriter>,
    /// Chosen and recorded as pending when the identifier was claimed.
    blob_key: String,
    /// The identifier is taken by this upload (`uploads::claim`).
    claimed: bool,
    /// The form carried the identifier's `extra_info`. A claimed upload
    /// that fails without it gives its identifier back.
    verified: bool,
    /// The body could not be read further (client gone, malformed).
    body_broken: bool,
    settled: bool,
    /// Until the file's bytes start: the form must get there by then.
    head_deadline: Option<Instant>,
}

/// A stored file part (its checksum comes with the finished blob).
struct Stored {
    name: String,
    size: i64,
}

impl Ingest {
    fn new(
        app: App,
        ip: IpAddr,
        ident: Ident,
        counter: Arc<Counter>,
        total: i64,
        blob_key: String,
    ) -> Ingest {
        let limit = ident.max_file_size;
        Ingest {
            app,
            ip,
            ident,
            counter,
            total,
            fields: HashMap::new(),
            limit,
            quota: -1,
            reserved: 0,
            writer: None,
            blob_key,
            claimed: false,
            verified: false,
            body_broken: false,
            settled: false,
            head_deadline: None,
        }
    }

    async fn run(
        &mut self,
        form: &mut multer::Multipart<'static>,
        answer: &mut Answer,
    ) -> Result<Done, ApiError> {
        let user = match self.ident.user_id {
            Some(uid) => Some(
                self.app
                    .db
                    .user_by_id(uid)
                    .await
                    .map_err(temp_error)?
                    .ok_or_else(|| ApiError::new(Code::SessionBad))?,
            ),
            None => None,
        };
        if let Some(u) = &user {
            self.quota = u.diskspace(&self.app.cfg);
        }
        let idle = Duration::from_secs(self.app.cfg.limits.upload_idle_secs.max(1));
        let head_secs = self.app.cfg.limits.form_head_secs.max(1);
        self.head_deadline = Some(Instant::now() + Duration::from_secs(head_secs));
        let mut stored: Option<Stored> = None;
        let mut parts = 0;
        loop {
            let (wait, late) = self.patience(idle);
            let field = match tokio::time::timeout(wait, form.next_field()).await {
                Err(_) => return Err(self.broken(late)),
                Ok(Err(e)) => return Err(self.malformed(e)),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(f))) => f,
            };
            parts += 1;
            if parts > MAX_PARTS {
                return Err(ApiError::with_text(
                    Code::InvalidParameter,
                    "Too many fields in the upload form",
                ));
            }
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) if stored.is_none() && self.wants(&name, &file_name) => {
                    self.claim().await?;
                    stored = Some(self.store(field, &file_name, idle).await?);
                }
                // Another file part: read past it.
                Some(_) => self.skip(field, idle).await?,
                None => {
                    let value = self.text(field, idle).await?;
                    self.check_field(&name, &value, answer).await?;
                    self.fields.insert(name, value);
                }
            }
        }
        let stored = stored.ok_or_else(|| {
            ApiError::with_text(Code::ParameterMissing, "Parameter missing: userfile")
        })?;
        // Fields that came after the file are checked now.
        let extra = self
            .fields
            .get("extra_info")
            .map(String::as_str)
            .unwrap_or("");
        if !uploads::extra_info_ok(&self.app, &self.ident.id, extra) {
            return Err(bad_identifier());
        }
        self.verified = true;
        if self.limit >= 0 && stored.size > self.limit {
            return Err(too_large(self.limit));
        }
        self.commit(stored, user).await
    }

    /// Takes the identifier for this upload (once); a used, expired or
    /// unknown one is refused.
    async fn claim(&mut self) -> Result<(), ApiError> {
        if self.claimed {
            return Ok(());
        }
        // A file request's uploads go through /tus/ only, where their
        // length is known before a byte is taken (docs/file-requests.md).
        if !self.ident.request_id.is_empty() {
            return Err(bad_identifier());
        }
        let ident = uploads::claim(&self.app, &self.ident.id, self.total, &self.blob_key)
            .await
            .map_err(domain)?
            .ok_or_else(bad_identifier)?;
        self.ident = ident;
        self.claimed = true;
        self.app
            .progress
            .insert(&self.ident.id, self.counter.clone());
        Ok(())
    }

    /// Whether a file part is the upload: the part a text field `userfile`
    /// names, else the first file part of any name (with a file chosen).
    fn wants(&self, part: &str, file_name: &str) -> bool {
        let userfile = self.fields.get("userfile").map(String::as_str);
        dropspace_proto::upload::wants(userfile, part, file_name)
    }

    /// Checks a text field as it arrives, so a bad form fails before its
    /// file is streamed (fields usually come first).
    async fn check_field(
        &mut self,
        name: &str,
        value: &str,
        answer: &mut Answer,
    ) -> Result<(), ApiError> {
        let value = value.trim();
        match name {
            "extra_info" => {
                if !uploads::extra_info_ok(&self.app, &self.ident.id, value) {
                    return Err(bad_identifier());
                }
                self.verified = true;
                self.claim().await?;
            }
            "UPLOAD_IDENTIFIER" if !value.is_empty() && value != self.ident.id => {
                return Err(bad_identifier())
            }
            // MAX_FILE_SIZE can only lower the server's limit; a value that
            // is no positive number is ignored, as browsers treat it.
            "MAX_FILE_SIZE" => self.limit = dropspace_proto::upload::lower_limit(self.limit, value),
            "folder_id" => uploads::check_folder(&self.app, self.ident.user_id, value)
                .await
                .map_err(domain)?,
            "recipient_email" => {
                uploads::recipients(&self.app, self.ident.user_id.is_none(), value)
                    .map_err(domain)?;
            }
            "recipient_message" | "description" | "password" => {
                uploads::check_text(name, value).map_err(domain)?
            }
            // Early, as the other fields: a bad limit fails before the bytes.
            "time_limit" => {
                let limits = AskedLimits::parse(value, "", "").map_err(domain)?;
                uploads::check_limits(&self.app, self.ident.user_id, limits)
                    .await
                    .map_err(domain)?;
            }
            "downloads_limit" => {
                AskedLimits::parse("", value, "").map_err(domain)?;
            }
            "limit_action" => {
                AskedLimits::parse("", "", value).map_err(domain)?;
            }
            "redirect_url" => {
                answer.redirect = url::Url::parse(value)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"));
            }
            _ => {}
        }
        Ok(())
    }

    fn broken(&mut self, text: &str) -> ApiError {
        self.body_broken = true;
        ApiError::with_text(Code::InvalidParameter, text)
    }

    /// A parser error; the guard's refusals (docs/security.md) say which bound.
    fn malformed(&mut self, e: multer::Error) -> ApiError {
        let guard = match &e {
            multer::Error::StreamReadFailed(inner) => {
                inner.downcast_ref::<form_guard::GuardError>()
            }
            _ => None,
        };
        match guard {
            Some(g) => self.broken(&format!("Malformed upload body: {g}")),
            None => self.broken(&format!("Malformed upload body: {e}")),
        }
    }

    /// How long to wait for the next bytes, and what to say when they do
    /// not come: the idle limit, or less while the form has not reached
    /// its file.
    fn patience(&self, idle: Duration) -> (Duration, &'static str) {
        if let Some(deadline) = self.head_deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left <= idle {
                return (left, "The upload form did not reach its file in time");
            }
        }
        (idle, "The client stopped sending")
    }

    async fn next_chunk(
        &mut self,
        field: &mut multer::Field<'static>,
        idle: Duration,
    ) -> Result<Option<bytes::Bytes>, ApiError> {
        let (wait, late) = self.patience(idle);
        match tokio::time::timeout(wait, field.chunk()).await {
            Err(_) => Err(self.broken(late)),
            Ok(Err(e)) => Err(self.malformed(e)),
            Ok(Ok(chunk)) => Ok(chunk),
        }
    }

    async fn text(
        &mut self,
        mut field: multer::Field<'static>,
        idle: Duration,
    ) -> Result<String, ApiError> {
        let mut buf = Vec::new();
        while let Some(chunk) = self.next_chunk(&mut field, idle).await? {
            if buf.len() + chunk.len() > MAX_FIELD {
                return Err(ApiError::with_text(
                    Code::InvalidParameter,
                    "A text field of the upload form is too long",
                ));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(dropspace_proto::upload::field_text(&buf))
    }

    async fn skip(
        &mut self,
        mut field: multer::Field<'static>,
        idle: Duration,
    ) -> Result<(), ApiError> {
        while self.next_chunk(&mut field, idle).await?.is_some() {}
        Ok(())
    }

    /// Streams the file part into a new blob, enforcing the size limit and
    /// the disk quota as the bytes arrive, at the identifier's speed limit.
    async fn store(
        &mut self,
        mut field: multer::Field<'static>,
        file_name: &str,
        idle: Duration,
    ) -> Result<Stored, ApiError> {
        // The file's bytes have started: from here only the idle limit.
        self.head_deadline = None;
        let key = self.blob_key.clone();
        let inline_max = self.app.cfg.storage.inline_max_bytes;
        let writer = self.app.blobs.writer_or_inline(&key, inline_max);
        self.writer = Some(writer.await.map_err(temp_error)?);
        // Most uploads announce their size: reserve it whole up front when
        // it fits, so a parallel upload cannot take the space half-way.
        if self.total > 0 && self.quota >= 0 {
            let ahead = if self.limit >= 0 {
                self.total.min(self.limit)
            } else {
                self.total
            };
            self.reserve_exact(ahead).await?;
        }
        let mut throttle = Throttle::new(self.ident.speed_limit);
        let mut size: i64 = 0;
        while let Some(chunk) = self.next_chunk(&mut field, idle).await? {
            size += chunk.len() as i64;
            // Space first: a file that fits no limit is told it is out of
            // space (20) rather than too large for the form (21).
            if self.quota >= 0 && size > self.reserved {
                self.reserve_more(size - self.reserved).await?;
            }
            if self.limit >= 0 && size > self.limit {
                return Err(too_large(self.limit));
            }
            let n = chunk.len();
            if let Some(w) = self.writer.as_mut() {
                w.write(chunk).await.map_err(temp_error)?;
            }
            throttle.pace(n).await;
        }
        metrics::counter!("dropspace_upload_bytes_total").increment(size as u64);
        Ok(Stored {
            name: clean_name(file_name),
            size,
        })
    }

    /// Reserves `n` bytes if they fit; a miss is not an error here.
    async fn reserve_exact(&mut self, n: i64) -> Result<bool, ApiError> {
        let Some(uid) = self.ident.user_id else {
            return Ok(true);
        };
        match uploads::reserve(&self.app, uid, &self.ident.id, n, self.quota)
            .await
            .map_err(domain)?
        {
            Reserve::Granted => {
                self.reserved += n;
                Ok(true)
            }
            Reserve::Full => Ok(false),
            Reserve::Lost => Err(bad_identifier()),
        }
    }

    /// Reserves at least `need` more bytes (a step ahead when it fits);
    /// 20 when even `need` does not.
    async fn reserve_more(&mut self, need: i64) -> Result<(), ApiError> {
        if need < uploads::RESERVE_STEP && self.reserve_exact(uploads::RESERVE_STEP).await? {
            return Ok(());
        }
        if self.reserve_exact(need).await? {
            return Ok(());
        }
        Err(ApiError::new(Code::ProDiskspaceLimit))
    }

    async fn commit(
        &mut self,
        stored: Stored,
        user: Option<crate::db::users::User>,
    ) -> Result<Done, ApiError> {
        let field = |name: &str| {
            self.fields
                .get(name)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let asked = uploads::Asked {
            folder_id: field("folder_id"),
            recipient_email: field("recipient_email"),
            notify_uploader: field("notify_uploader") == "1",
            recipient_message: field("recipient_message"),
            description: self.fields.get("description").cloned().unwrap_or_default(),
            password: self.fields.get("password").cloned().unwrap_or_default(),
            limits: AskedLimits::parse(
                &field("time_limit"),
                &field("downloads_limit"),
                &field("limit_action"),
            )
            .map_err(domain)?,
        };
        let written = match self.writer.take() {
            Some(w) => w.finish_or_inline().await.map_err(temp_error)?,
            None => return Err(temp_error("the upload has no blob writer")),
        };
        let up = uploads::Upload {
            ident: &self.ident,
            ip: self.ip,
            user: user.as_ref(),
            blob_key: &self.blob_key,
            reserved: self.reserved,
            received: self.counter.received(),
        };
        let done = uploads::store(&self.app, &up, &stored.name, stored.size, written, &asked)
            .await
            .map_err(domain)?;
        self.settled = true;
        self.app.progress.close(&self.ident.id);
        // From the commit's own figures: another query here would wait for
        // a pool connection behind other uploads' commits while this file
        // is already stored and its client still unanswered.
        let (bandwidth_left, diskspace_left) = match user {
            Some(mut u) => {
                if let Some(used) = done.disk_used {
                    u.disk_used = used;
                }
                (
                    u.bandwidth_left(&self.app.cfg),
                    u.diskspace_left(&self.app.cfg),
                )
            }
            None => (-1, -1),
        };
        Ok(Done {
            file_id: done.file_id,
            delete_secret: done.delete_secret,
            bandwidth_left,
            diskspace_left,
            quarantined: done.quarantined,
        })
    }

    /// Undoes everything of a failed upload, now.
    async fn fail(&mut self, err: &ApiError) {
        self.settled = true;
        if !self.claimed {
            return;
        }
        cleanup(
            self.app.clone(),
            self.ident.id.clone(),
            self.writer.take(),
            self.blob_key.clone(),
            err.text().to_string(),
            !self.verified,
        )
        .await;
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        if !self.claimed {
            return;
        }
        self.app.progress.close(&self.ident.id);
        if self.settled {
            return;
        }
        // The request was dropped mid-body (client gone, server stopping).
        let app = self.app.clone();
        let id = self.ident.id.clone();
        let writer = self.writer.take();
        let key = self.blob_key.clone();
        let give_back = !self.verified;
        tokio::spawn(cleanup(
            app,
            id,
            writer,
            key,
            "upload interrupted".into(),
            give_back,
        ));
    }
}

/// Undoes a failed upload; `give_back`: the identifier returns to unused
/// (the form never proved it was its owner's).
async fn cleanup(
    app: App,
    upload_id: String,
    writer: Option<BlobWriter>,
    blob_key: String,
    error: String,
    give_back: bool,
) {
    if let Some(w) = writer {
        w.abort().await;
    }
    crate::library::remove_blob(&app, &blob_key).await;
    if let Err(e) = uploads::drop_pending_blob(&app, &blob_key).await {
        tracing::warn!(error = %e, "forgetting a pending blob; the sweeper will");
    }
    if let Err(e) = uploads::release(&app, &upload_id, &error, give_back).await {
        tracing::warn!(error = %e, "releasing a failed upload; the sweeper will");
    }
}

/// Reads and drops what is left of the body, within bounds.
async fn drain(form: &mut multer::Multipart<'static>) {
    let started = Instant::now();
    let mut dropped = 0u64;
    let work = async {
        while let Ok(Some(mut field)) = form.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                dropped += chunk.len() as u64;
                if dropped > DRAIN_BYTES {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME.saturating_sub(started.elapsed()), work).await;
}

fn too_large(limit: i64) -> ApiError {
    ApiError::with_text(
        Code::ParameterBadValue,
        format!("The file is larger than the maximum file size ({limit} bytes)"),
    )
}

/// The stored name of an uploaded file: the last path component of the
/// name as sent, control characters removed, at most `MAX_NAME` bytes
/// (docs/api-notes.md). It is only ever data, never part of a path.
pub fn clean_name(raw: &str) -> String {
    dropspace_proto::upload::clean_name(raw, MAX_NAME)
}

fn respond(app: &AppState, answer: &Answer, outcome: Result<Done, ApiError>) -> Response {
    if let Err(e) = &outcome {
        e.log("upload");
    }
    if let Some(target) = &answer.redirect {
        let mut url = target.clone();
        let (status, id) = match &outcome {
            Ok(done) => ("ok", done.file_id.as_str()),
            Err(_) => ("fail", ""),
        };
        url.query_pairs_mut()
            .append_pair("upload_status", status)
            .append_pair("file_id", id);
        return match HeaderValue::from_str(url.as_str()) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => plain(&outcome),
        };
    }
    if answer.anonymous {
        return xml(app, &outcome);
    }
    plain(&outcome)
}

/// `upload_status=…` lines for session uploads.
fn plain(outcome: &Result<Done, ApiError>) -> Response {
    let body = match outcome {
        Ok(d) => format!(
            "upload_status=ok\nfile_id={}\nbandwidth_left={}\ndiskspace_left={}\n{}",
            d.file_id,
            d.bandwidth_left,
            d.diskspace_left,
            if d.quarantined {
                "scan_status=pending\n"
            } else {
                ""
            }
        ),
        Err(e) => format!(
            "upload_status=fail\nerror={}\nerror_code={}\n",
            mail::one_line(e.text()),
            e.code.number()
        ),
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The `<upload_done>` document of anonymous uploads.
fn xml(app: &AppState, outcome: &Result<Done, ApiError>) -> Response {
    let tree = match outcome {
        Ok(d) => {
            let done = Node::new("upload_done")
                .child(Node::text("status", "ok"))
                .child(Node::text(
                    "download_url",
                    app.url(&format!("/file/{}", d.file_id)),
                ))
                .child(Node::text(
                    "delete_url",
                    uploads::delete_link(app, &d.file_id, d.delete_secret.as_deref().unwrap_or("")),
                ))
                .child(Node::text("file_id", &d.file_id));
            if d.quarantined {
                done.child(Node::text("scan_status", "pending"))
            } else {
                done
            }
        }
        Err(e) => Node::new("upload_done")
            .child(Node::text("status", "fail"))
            .child(error_node(e)),
    };
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        )],
        to_xml(&tree),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_component() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\me\\r.pdf"), "r.pdf");
        assert_eq!(clean_name("a\nb\r\"c\".txt"), "ab\"c\".txt");
        assert_eq!(clean_name("<script>.html"), "<script>.html");
        assert_eq!(clean_name(".."), "file");
        let long = "é".repeat(300);
        assert_eq!(clean_name(&long).len(), MAX_NAME - 1);
    }
}
