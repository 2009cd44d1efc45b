//! Resumable uploads over tus 1.0.0 (the server's `/tus/`): a file sent
//! in chunks, each acknowledged durably by the server, so an upload cut by
//! a dropped connection, a restarted server or a killed client continues
//! from the last acknowledged byte — in this process or a later one that
//! kept the upload's URL.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::error::{Error, Result};
use crate::types::{UploadInfo, UploadOptions, Uploaded};
use crate::Client;

const TUS: &str = "1.0.0";
/// Reads of the file being sent (docs/performance.md: larger reads were
/// not faster).
const BLOCK: usize = 64 * 1024;

/// How a resumable upload is sent.
#[derive(Clone, Debug)]
pub struct Resume {
    /// Bytes per `PATCH` request: below any proxy's body cap.
    pub chunk_size: u64,
    /// How long to keep retrying a failing chunk (connection refused, a
    /// restarting server, a lock still held by a dead request) before
    /// giving up; the upload can still be resumed later.
    pub retry_for: Duration,
    /// The file is still being written (an encrypted copy sent as it is
    /// made): each request waits for its bytes.
    pub growing: Option<Growing>,
}

impl Default for Resume {
    fn default() -> Self {
        Resume {
            chunk_size: 50 * 1024 * 1024,
            retry_for: Duration::from_secs(300),
            growing: None,
        }
    }
}

/// How far a file being written has got, as its writer tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// Its first bytes, this many, are in the file (all of it once it has
    /// its full length).
    Upto(u64),
    /// The writer failed: the file will never be whole.
    Failed(String),
}

/// The reading side of a file still being written: [`Growing::channel`]
/// makes it with its writer's side, which reports each write.
#[derive(Clone, Debug)]
pub struct Growing(tokio::sync::watch::Receiver<Written>);

impl Growing {
    /// The writer's side (`send_replace` after each write) and the reader's.
    pub fn channel() -> (tokio::sync::watch::Sender<Written>, Growing) {
        let (tx, rx) = tokio::sync::watch::channel(Written::Upto(0));
        (tx, Growing(rx))
    }

    /// Waits until the file holds its first `n` bytes.
    pub async fn reach(&self, n: u64) -> Result<()> {
        let mut rx = self.0.clone();
        loop {
            match &*rx.borrow_and_update() {
                Written::Upto(at) if *at >= n => return Ok(()),
                Written::Failed(why) => return Err(Error::Upload(why.clone())),
                Written::Upto(_) => {}
            }
            if rx.changed().await.is_err() {
                return Err(Error::Upload("the file being sent stopped growing".into()));
            }
        }
    }
}

/// Where a resumable upload stands on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Unfinished: this many bytes are acknowledged.
    At(u64),
    /// Complete: it became this file.
    Done(String),
    /// Unknown, expired or terminated: start again.
    Gone,
}

/// The tus endpoint beside an upload URL (`…/upload/<id>` → `…/tus/`).
pub fn tus_endpoint(upload_url: &str) -> Result<String> {
    let mut url = url::Url::parse(upload_url).map_err(|e| Error::Url(e.to_string()))?;
    let path = url.path().to_string();
    let base = match path.rfind("/upload/") {
        Some(i) => &path[..i],
        None => return Err(Error::Url(format!("not an upload URL: {upload_url}"))),
    };
    url.set_path(&format!("{base}/tus/"));
    url.set_query(None);
    Ok(url.to_string())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn status_error(status: StatusCode, url: &str) -> Error {
    Error::Status {
        status: status.as_u16(),
        url: url.to_string(),
    }
}

/// The refusal a tus answer carries: the sendspace error code of
/// `X-Dropspace-Error` with the body's text, as the API would answer it.
async fn refusal(resp: reqwest::Response) -> Error {
    let status = resp.status();
    let code = header(resp.headers(), "x-dropspace-error").and_then(|c| c.parse().ok());
    let text = resp.text().await.unwrap_or_default().trim().to_string();
    match code {
        Some(n) => Error::Api {
            code: crate::ErrorCode::from_number(n),
            text,
            id: None,
        },
        None if text.is_empty() => Error::Upload(status.to_string()),
        None => Error::Upload(format!("{status}: {text}")),
    }
}

/// Retries of a resumable upload's requests: a pause doubling from 250 ms
/// to 5 s between attempts, given up once failures have lasted `retry_for`
/// with no progress in between.
pub(crate) struct Retry {
    retry_for: Duration,
    failing_since: Option<Instant>,
    pause: Duration,
}

impl Retry {
    const FIRST: Duration = Duration::from_millis(250);
    const LONGEST: Duration = Duration::from_secs(5);

    pub(crate) fn new(retry_for: Duration) -> Retry {
        Retry {
            retry_for,
            failing_since: None,
            pause: Retry::FIRST,
        }
    }

    /// The server acknowledged progress: failures start counting afresh.
    fn succeeded(&mut self) {
        self.failing_since = None;
        self.pause = Retry::FIRST;
    }

    /// Waits before the next attempt, or hands `e` back once failures have
    /// lasted too long.
    pub(crate) async fn failed(&mut self, e: Error) -> Result<(), Error> {
        let since = *self.failing_since.get_or_insert_with(Instant::now);
        if since.elapsed() >= self.retry_for {
            return Err(e);
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(Retry::LONGEST);
        Ok(())
    }
}

/// Whether trying again later may help: transport trouble, a temporary
/// refusal, or the upload's lock still held by a request that died.
fn worth_retrying(e: &Error) -> bool {
    match e {
        Error::Http(_) | Error::Io(_) => true,
        Error::Status { status, .. } => matches!(status, 409 | 423 | 429 | 500..=599),
        _ => false,
    }
}

fn metadata(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let value = base64::engine::general_purpose::STANDARD.encode(v.as_bytes());
            format!("{k} {value}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The metadata of an upload that becomes a file: the identifier, the
/// name and the form's optional fields.
fn file_metadata(info: &UploadInfo, file_name: &str, options: &UploadOptions) -> String {
    let fields = options.fields();
    let mut pairs = vec![
        ("upload_identifier", info.upload_identifier.as_str()),
        ("extra_info", info.extra_info.as_str()),
        ("filename", file_name),
    ];
    pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    metadata(&pairs)
}

impl Client {
    /// Whether the server takes resumable uploads next to `info`'s upload
    /// URL (another sendspace-compatible server may not).
    pub async fn resumable_offered(&self, info: &UploadInfo) -> Result<bool> {
        Ok(self.tus_extensions(info).await?.is_some())
    }

    /// Whether the server also takes uploads whose length is declared
    /// later (tus `creation-defer-length`), for a stream of unknown size
    /// ([`resumable_create_deferred`](Client::resumable_create_deferred)).
    pub async fn resumable_deferred_offered(&self, info: &UploadInfo) -> Result<bool> {
        Ok(self
            .tus_extensions(info)
            .await?
            .is_some_and(|e| e.split(',').any(|e| e.trim() == "creation-defer-length")))
    }

    /// The tus extensions the server lists (`OPTIONS`), None when it does
    /// not speak tus there.
    async fn tus_extensions(&self, info: &UploadInfo) -> Result<Option<String>> {
        let endpoint = tus_endpoint(&info.url)?;
        let resp = self
            .http
            .request(reqwest::Method::OPTIONS, &endpoint)
            .send()
            .await?;
        let tus = resp.status() == StatusCode::NO_CONTENT
            && header(resp.headers(), "tus-version").is_some_and(|v| v.contains(TUS));
        Ok(tus.then(|| {
            header(resp.headers(), "tus-extension")
                .unwrap_or("")
                .to_string()
        }))
    }

    /// Creates a resumable upload whose length is not known yet
    /// (`Upload-Defer-Length: 1`) with `info`'s identifier (which it
    /// spends); send it with
    /// [`resumable_send_stream`](Client::resumable_send_stream), whose last
    /// request declares the length.
    pub async fn resumable_create_deferred(
        &self,
        info: &UploadInfo,
        file_name: &str,
        options: &UploadOptions,
    ) -> Result<String> {
        let meta = file_metadata(info, file_name, options);
        self.post_upload(info, &meta, &[("upload-defer-length", "1".to_string())])
            .await
    }

    /// Creates a resumable upload of `size` bytes with `info`'s identifier
    /// (which it spends); the upload's URL, to keep for resuming.
    pub async fn resumable_create(
        &self,
        info: &UploadInfo,
        file_name: &str,
        size: u64,
        options: &UploadOptions,
    ) -> Result<String> {
        let meta = file_metadata(info, file_name, options);
        self.post_upload(info, &meta, &[("upload-length", size.to_string())])
            .await
    }

    /// Creates one part of a file sent in parallel parts (`size` bytes of
    /// it); all parts use the same `info`. Send each with
    /// [`resumable_send_range`](Client::resumable_send_range), then join them
    /// with [`resumable_join`](Client::resumable_join).
    pub async fn resumable_create_part(&self, info: &UploadInfo, size: u64) -> Result<String> {
        let meta = metadata(&[
            ("upload_identifier", info.upload_identifier.as_str()),
            ("extra_info", info.extra_info.as_str()),
        ]);
        let headers = [
            ("upload-length", size.to_string()),
            ("upload-concat", "partial".to_string()),
        ];
        self.post_upload(info, &meta, &headers).await
    }

    /// Joins finished parts (their URLs, in the file's order) into the file.
    pub async fn resumable_join(
        &self,
        info: &UploadInfo,
        file_name: &str,
        parts: &[String],
        options: &UploadOptions,
    ) -> Result<Uploaded> {
        let endpoint = tus_endpoint(&info.url)?;
        let resp = self
            .http
            .post(&endpoint)
            .header("tus-resumable", TUS)
            .header("upload-concat", format!("final;{}", parts.join(" ")))
            .header("upload-metadata", file_metadata(info, file_name, options))
            .send()
            .await?;
        if resp.status() != StatusCode::CREATED {
            return Err(refusal(resp).await);
        }
        match header(resp.headers(), "x-dropspace-file-id") {
            Some(id) => Ok(done(id.to_string(), resp.headers())),
            None => Err(Error::Malformed(
                "a joined upload without its file id".into(),
            )),
        }
    }

    /// POSTs a creation; the new upload's URL.
    async fn post_upload(
        &self,
        info: &UploadInfo,
        meta: &str,
        headers: &[(&str, String)],
    ) -> Result<String> {
        let endpoint = tus_endpoint(&info.url)?;
        let mut req = self
            .http
            .post(&endpoint)
            .header("tus-resumable", TUS)
            .header("upload-metadata", meta);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await?;
        if resp.status() != StatusCode::CREATED {
            return Err(refusal(resp).await);
        }
        let location = header(resp.headers(), "location")
            .ok_or_else(|| Error::Malformed("a created upload without Location".into()))?;
        let url = url::Url::parse(&endpoint)
            .and_then(|base| base.join(location))
            .map_err(|e| Error::Url(e.to_string()))?;
        Ok(url.to_string())
    }

    /// Where the upload at `url` stands.
    pub async fn resumable_standing(&self, url: &str) -> Result<Standing> {
        let resp = self
            .http
            .head(url)
            .header("tus-resumable", TUS)
            .send()
            .await?;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND | StatusCode::GONE => return Ok(Standing::Gone),
            s => return Err(status_error(s, url)),
        }
        if let Some(id) = header(resp.headers(), "x-dropspace-file-id") {
            return Ok(Standing::Done(id.to_string()));
        }
        header(resp.headers(), "upload-offset")
            .and_then(|v| v.parse().ok())
            .map(Standing::At)
            .ok_or_else(|| Error::Malformed("HEAD without Upload-Offset".into()))
    }

    /// Ends an unfinished upload at once (its bytes removed, its space
    /// returned).
    pub async fn resumable_terminate(&self, url: &str) -> Result<()> {
        let resp = self
            .http
            .delete(url)
            .header("tus-resumable", TUS)
            .send()
            .await?;
        match resp.status() {
            StatusCode::NO_CONTENT | StatusCode::NOT_FOUND | StatusCode::GONE => Ok(()),
            _ => Err(refusal(resp).await),
        }
    }

    /// Sends the file at `path` (`size` bytes) to the upload at `url`,
    /// from the offset the server acknowledged, chunk by chunk; transport
    /// failures and temporary refusals are retried from the server's
    /// offset for `how.retry_for`. `progress` gets the bytes acknowledged
    /// or in flight, starting at the resumed offset.
    pub async fn resumable_send<F>(
        &self,
        url: &str,
        path: &Path,
        size: u64,
        how: &Resume,
        progress: F,
    ) -> Result<Uploaded>
    where
        F: Fn(u64) + Send + Sync + Clone + 'static,
    {
        match self
            .resumable_send_range(url, path, 0..size, how, progress)
            .await?
        {
            Some(done) => Ok(done),
            None => Err(Error::Malformed(
                "the upload ended without the file it became".into(),
            )),
        }
    }

    /// [`resumable_send`](Client::resumable_send) of the bytes `range` of
    /// the file at `path` — a part made by
    /// [`resumable_create_part`](Client::resumable_create_part), or the
    /// whole file. The file it became, or None for a part (finished once
    /// this returns). `progress` counts from the range's start.
    pub async fn resumable_send_range<F>(
        &self,
        url: &str,
        path: &Path,
        range: std::ops::Range<u64>,
        how: &Resume,
        progress: F,
    ) -> Result<Option<Uploaded>>
    where
        F: Fn(u64) + Send + Sync + Clone + 'static,
    {
        let size = range.end.saturating_sub(range.start);
        let mut retry = Retry::new(how.retry_for);
        // The server's offset: asked for at the start and after a failure,
        // else the last acknowledgement's.
        let mut known: Option<u64> = None;
        loop {
            let attempt = match known {
                Some(offset) => Ok(Standing::At(offset)),
                None => self.resumable_standing(url).await,
            };
            let attempt = match attempt {
                Ok(Standing::Done(file_id)) => return Ok(Some(done(file_id, &HeaderMap::new()))),
                Ok(Standing::At(offset)) if offset >= size && size > 0 => return Ok(None),
                Ok(Standing::Gone) => {
                    return Err(Error::Upload(
                        "the resumable upload is gone (expired or terminated)".into(),
                    ))
                }
                Ok(Standing::At(offset)) => {
                    progress(offset);
                    let at = (range.start, offset, size);
                    self.send_chunk(url, path, at, how, progress.clone()).await
                }
                Err(e) => Err(e),
            };
            match attempt {
                Ok(Sent::Done(uploaded)) => return Ok(Some(uploaded)),
                Ok(Sent::At(offset)) => {
                    known = Some(offset);
                    retry.succeeded();
                }
                Err(e) if worth_retrying(&e) => {
                    known = None;
                    retry.failed(e).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends everything `reader` yields (a pipe, standard input: read once,
    /// never sought) to the new upload at `url`, from its start, in
    /// requests of `how.chunk_size` bytes. Each chunk is held in memory
    /// until the server acknowledges it — memory stays at about one chunk
    /// whatever the stream's length — so a failing request is sent again
    /// from the server's acknowledged offset (for `how.retry_for`, as
    /// [`resumable_send`](Client::resumable_send) does).
    ///
    /// `length`: the upload's length when it was created with one
    /// ([`resumable_create`](Client::resumable_create)); `None` for an
    /// upload of deferred length
    /// ([`resumable_create_deferred`](Client::resumable_create_deferred)),
    /// whose last request declares the length once the stream ends (a
    /// request without bytes when the stream ends on a chunk's boundary).
    /// `progress` gets the bytes acknowledged or in flight.
    pub async fn resumable_send_stream<R, F>(
        &self,
        url: &str,
        mut reader: R,
        length: Option<u64>,
        how: &Resume,
        progress: F,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Unpin,
        F: Fn(u64) + Send + Sync + Clone + 'static,
    {
        let chunk = usize::try_from(how.chunk_size.max(1)).unwrap_or(usize::MAX);
        let mut offset = 0u64;
        loop {
            let (bytes, ended) = read_held(&mut reader, chunk).await?;
            let end = offset + bytes.len() as u64;
            if let Some(n) = length.filter(|n| end > *n) {
                return Err(Error::Upload(format!(
                    "the stream is longer than the upload's length ({n} bytes)"
                )));
            }
            let declare = match length {
                Some(_) => None,
                None => ended.then_some(end),
            };
            let at = (offset, declare);
            if let Some(done) = self
                .send_held(url, at, bytes, how, progress.clone())
                .await?
            {
                return Ok(done);
            }
            offset = end;
            if ended {
                return Err(match length {
                    Some(n) if offset < n => Error::Upload(format!(
                        "the stream ended at {offset} of the upload's {n} bytes"
                    )),
                    _ => Error::Malformed("the upload ended without the file it became".into()),
                });
            }
        }
    }

    /// Sends `bytes`, the upload's bytes from `start`, until the server
    /// acknowledges them all, retrying as
    /// [`resumable_send_range`](Client::resumable_send_range) does; the last
    /// request carries `Upload-Length: declare` when given. The file the
    /// upload became, or None when it goes on.
    async fn send_held<F>(
        &self,
        url: &str,
        (start, declare): (u64, Option<u64>),
        bytes: Bytes,
        how: &Resume,
        progress: F,
    ) -> Result<Option<Uploaded>>
    where
        F: Fn(u64) + Send + Sync + Clone + 'static,
    {
        let end = start + bytes.len() as u64;
        let mut retry = Retry::new(how.retry_for);
        let mut known = Some(start);
        loop {
            let attempt = match known {
                Some(at) => Ok(Standing::At(at)),
                None => self.resumable_standing(url).await,
            };
            let attempt = match attempt {
                Ok(Standing::Done(file_id)) => return Ok(Some(done(file_id, &HeaderMap::new()))),
                Ok(Standing::Gone) => {
                    return Err(Error::Upload(
                        "the resumable upload is gone (expired or terminated)".into(),
                    ))
                }
                Ok(Standing::At(at)) if at < start || at > end => {
                    return Err(Error::Malformed(format!(
                        "the server holds {at} bytes, outside the {start}..{end} being sent"
                    )))
                }
                Ok(Standing::At(at)) if at == end && declare.is_none() => return Ok(None),
                Ok(Standing::At(at)) => {
                    progress(at);
                    let rest = bytes.slice(usize::try_from(at - start).unwrap_or(0)..);
                    self.patch_held(url, at, rest, declare, progress.clone())
                        .await
                }
                Err(e) => Err(e),
            };
            match attempt {
                Ok(Sent::Done(uploaded)) => return Ok(Some(uploaded)),
                Ok(Sent::At(at)) if at == end && declare.is_none() => return Ok(None),
                Ok(Sent::At(at)) if at >= end => {
                    return Err(Error::Malformed(format!(
                        "the server acknowledged {at} bytes of {end} without making the file"
                    )))
                }
                Ok(Sent::At(at)) => {
                    known = Some(at);
                    retry.succeeded();
                }
                Err(e) if worth_retrying(&e) => {
                    known = None;
                    retry.failed(e).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One `PATCH` of bytes held in memory, at `offset`.
    async fn patch_held<F>(
        &self,
        url: &str,
        offset: u64,
        bytes: Bytes,
        declare: Option<u64>,
        progress: F,
    ) -> Result<Sent>
    where
        F: Fn(u64) + Send + Sync + 'static,
    {
        let len = bytes.len();
        let blocks: Vec<Bytes> = (0..len)
            .step_by(BLOCK)
            .map(|i| bytes.slice(i..(i + BLOCK).min(len)))
            .collect();
        let mut sent = offset;
        let stream = futures_util::stream::iter(blocks).map(move |block| {
            sent += block.len() as u64;
            progress(sent);
            Ok::<_, std::io::Error>(block)
        });
        let mut req = self
            .http
            .patch(url)
            .header("tus-resumable", TUS)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
            .header("content-length", len.to_string());
        if let Some(n) = declare {
            req = req.header("upload-length", n.to_string());
        }
        let resp = req.body(reqwest::Body::wrap_stream(stream)).send().await?;
        acknowledged(resp, url).await
    }

    /// One `PATCH` from `offset`.
    /// `(start, offset, size)`: the upload's bytes begin at `start` in the
    /// file, `offset` of its `size` are acknowledged.
    async fn send_chunk<F>(
        &self,
        url: &str,
        path: &Path,
        (start, offset, size): (u64, u64, u64),
        how: &Resume,
        progress: F,
    ) -> Result<Sent>
    where
        F: Fn(u64) + Send + Sync + 'static,
    {
        let len = how.chunk_size.max(1).min(size.saturating_sub(offset));
        if let Some(growing) = &how.growing {
            growing.reach(start + offset + len).await?;
        }
        let mut file = tokio::fs::File::open(path).await?;
        file.seek(std::io::SeekFrom::Start(start + offset)).await?;
        let mut sent = offset;
        let stream = ReaderStream::with_capacity(file.take(len), BLOCK).map(move |chunk| {
            if let Ok(c) = &chunk {
                sent += c.len() as u64;
                progress(sent);
            }
            chunk
        });
        let resp = self
            .http
            .patch(url)
            .header("tus-resumable", TUS)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
            .header("content-length", len.to_string())
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await?;
        acknowledged(resp, url).await
    }
}

/// What the answer to a `PATCH` says.
async fn acknowledged(resp: reqwest::Response, url: &str) -> Result<Sent> {
    let status = resp.status();
    if status != StatusCode::NO_CONTENT {
        return Err(match status.as_u16() {
            409 | 423 | 429 | 500..=599 => status_error(status, url),
            _ => refusal(resp).await,
        });
    }
    let h = resp.headers();
    if let Some(id) = header(h, "x-dropspace-file-id") {
        return Ok(Sent::Done(done(id.to_string(), h)));
    }
    header(h, "upload-offset")
        .and_then(|v| v.parse().ok())
        .map(Sent::At)
        .ok_or_else(|| Error::Malformed("PATCH answered without Upload-Offset".into()))
}

/// Up to `limit` bytes of `reader`, and whether it ended before them.
async fn read_held<R: AsyncRead + Unpin>(reader: &mut R, limit: usize) -> Result<(Bytes, bool)> {
    // Pages of the buffer are taken as bytes arrive: a short stream holds
    // only what it sent.
    let mut buf = BytesMut::with_capacity(limit);
    while buf.len() < limit {
        let want = (limit - buf.len()).min(BLOCK);
        let n = (&mut *reader).take(want as u64).read_buf(&mut buf).await?;
        if n == 0 {
            return Ok((buf.freeze(), true));
        }
    }
    Ok((buf.freeze(), false))
}

/// What a `PATCH` achieved.
enum Sent {
    /// Acknowledged up to here.
    At(u64),
    Done(Uploaded),
}

/// A completed upload as the last answer describes it.
fn done(file_id: String, h: &HeaderMap) -> Uploaded {
    Uploaded {
        file_id,
        download_url: header(h, "x-dropspace-download-url").map(str::to_string),
        delete_url: header(h, "x-dropspace-delete-url").map(str::to_string),
        bandwidth_left: None,
        diskspace_left: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_sits_beside_the_upload_url() {
        assert_eq!(
            tus_endpoint("https://files.example/base/upload/abc123").expect("url"),
            "https://files.example/base/tus/"
        );
        assert_eq!(
            tus_endpoint("http://127.0.0.1:8080/upload/x?y=1").expect("url"),
            "http://127.0.0.1:8080/tus/"
        );
        assert!(tus_endpoint("http://127.0.0.1/other").is_err());
    }

    #[test]
    fn metadata_is_base64_pairs() {
        assert_eq!(
            metadata(&[("filename", "a b.txt"), ("folder_id", "")]),
            "filename YSBiLnR4dA==,folder_id "
        );
    }
}
