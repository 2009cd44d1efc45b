//! The byte path: streaming uploads to an upload URL and resumable
//! downloads from a direct URL.

use std::path::Path;

use futures_util::StreamExt;
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use tokio::io::{AsyncRead, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use crate::error::{Error, ErrorCode, Result};
use crate::types::{Downloaded, Progress, UploadInfo, UploadOptions, Uploaded};
use crate::xml::{api_error, Element};
use crate::Client;

/// Reads of the upload source and writes of a download go in blocks of
/// this size: memory stays flat whatever the file's size.
const BLOCK: usize = 64 * 1024;

impl Client {
    /// POSTs one file to the upload URL of `info` (from
    /// [`upload_info`](Client::upload_info) or
    /// [`anonymous_upload_info`](Client::anonymous_upload_info)).
    ///
    /// The body streams from `reader`, one 64 KiB block at a time; nothing
    /// is read whole into memory. With `size` the request carries a
    /// `Content-Length` (the server can refuse an oversized file before it
    /// arrives, and its progress meter knows the total); without, it is
    /// sent chunked. `progress` is called with the bytes of the file read
    /// so far, as they are handed to the connection.
    pub async fn upload<R, F>(
        &self,
        info: &UploadInfo,
        file_name: &str,
        size: Option<u64>,
        reader: R,
        options: &UploadOptions,
        progress: F,
    ) -> Result<Uploaded>
    where
        R: AsyncRead + Send + 'static,
        F: Fn(u64) + Send + Sync + 'static,
    {
        let mut sent = 0u64;
        let stream = ReaderStream::with_capacity(reader, BLOCK).map(move |chunk| {
            if let Ok(c) = &chunk {
                sent += c.len() as u64;
                progress(sent);
            }
            chunk
        });
        let body = reqwest::Body::wrap_stream(stream);
        let part = match size {
            Some(n) => Part::stream_with_length(body, n),
            None => Part::stream(body),
        }
        .file_name(file_name.to_string())
        .mime_str("application/octet-stream")?;

        let mut form = Form::new();
        if info.max_file_size > 0 {
            form = form.text("MAX_FILE_SIZE", info.max_file_size.to_string());
        }
        form = form
            .text("UPLOAD_IDENTIFIER", info.upload_identifier.clone())
            .text("extra_info", info.extra_info.clone());
        for (name, value) in options.fields() {
            form = form.text(name, value);
        }
        form = form.part("userfile", part);

        let resp = self.http.post(&info.url).multipart(form).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Status {
                status: status.as_u16(),
                url: info.url.clone(),
            });
        }
        parse_upload_answer(&resp.text().await?)
    }

    /// The live progress of an upload (its `progress_url`), e.g. from a
    /// second task or another program.
    pub async fn progress(&self, info: &UploadInfo) -> Result<Progress> {
        let resp = self.http.get(&info.progress_url).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Status {
                status: status.as_u16(),
                url: info.progress_url.clone(),
            });
        }
        let root = Element::parse(&resp.text().await?)?;
        if root.name != "progress" {
            return Err(Error::Malformed(format!(
                "expected <progress>, got <{}>",
                root.name
            )));
        }
        Ok(Progress::from_element(&root))
    }

    /// Downloads `url` (a direct URL, e.g. [`DownloadInfo::url`]) into
    /// `path`, resuming a partial file: when `path` already holds bytes, only
    /// the rest is asked for with `Range`, and the bytes there are kept.
    ///
    /// `expected` is the file's full size when known (from
    /// `download.getInfo`); a longer file at `path` then starts afresh. A
    /// server that ignores the range (200) gets the file rewritten from the
    /// start. The length on disk is checked at the end ([`Error::Length`]).
    /// `progress` gets (bytes on disk, total when known).
    ///
    /// [`DownloadInfo::url`]: crate::DownloadInfo::url
    pub async fn download_to<F>(
        &self,
        url: &str,
        path: &Path,
        expected: Option<u64>,
        mut progress: F,
    ) -> Result<Downloaded>
    where
        F: FnMut(u64, Option<u64>),
    {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .await?;
        let mut have = file.metadata().await?.len();
        if expected.is_some_and(|total| have > total) {
            file.set_len(0).await?;
            have = 0;
        }
        if expected == Some(have) && have > 0 {
            progress(have, expected);
            return Ok(Downloaded {
                size: have,
                resumed_from: have,
                fetched: 0,
            });
        }
        let mut req = self.http.get(url);
        if have > 0 {
            req = req.header(RANGE, format!("bytes={have}-"));
        }
        let mut resp = req.send().await?;
        let status = resp.status();
        let (start, total) = match status {
            StatusCode::PARTIAL_CONTENT if have > 0 => {
                let (first, total) = content_range(&resp)?;
                if first != have {
                    return Err(Error::Malformed(format!(
                        "asked for bytes from {have}, got from {first}"
                    )));
                }
                (have, total.or(expected))
            }
            StatusCode::OK => (0, resp.content_length().or(expected)),
            StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
                // Either the file is already whole, or it changed: the
                // answer's `bytes */size` tells which.
                let total = content_range_total(&resp);
                if total == Some(have) {
                    progress(have, total);
                    return Ok(Downloaded {
                        size: have,
                        resumed_from: have,
                        fetched: 0,
                    });
                }
                drop(resp);
                file.set_len(0).await?;
                return Box::pin(self.download_to(url, path, expected, progress)).await;
            }
            other => {
                return Err(Error::Status {
                    status: other.as_u16(),
                    url: strip_query(url),
                })
            }
        };
        if start == 0 {
            file.set_len(0).await?;
        }
        file.seek(std::io::SeekFrom::Start(start)).await?;
        let mut out = tokio::io::BufWriter::with_capacity(BLOCK, file);
        let mut done = start;
        progress(done, total);
        while let Some(chunk) = resp.chunk().await? {
            out.write_all(&chunk).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
        out.flush().await?;
        let file = out.into_inner();
        file.sync_all().await?;
        let size = file.metadata().await?.len();
        // Both the answer's length and the caller's must hold.
        for want in [total, expected].into_iter().flatten() {
            if size != want {
                return Err(Error::Length {
                    expected: want,
                    got: size,
                });
            }
        }
        Ok(Downloaded {
            size,
            resumed_from: start,
            fetched: done - start,
        })
    }
}

/// `Content-Range: bytes first-last/total` → (first, total).
fn content_range(resp: &reqwest::Response) -> Result<(u64, Option<u64>)> {
    let value = resp
        .headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Malformed("206 without Content-Range".into()))?;
    let bad = || Error::Malformed(format!("bad Content-Range {value:?}"));
    let spec = value.strip_prefix("bytes ").ok_or_else(bad)?;
    let (range, total) = spec.split_once('/').ok_or_else(bad)?;
    let (first, _) = range.split_once('-').ok_or_else(bad)?;
    let first = first.trim().parse().map_err(|_| bad())?;
    Ok((first, total.trim().parse().ok()))
}

/// The size in a 416's `Content-Range: bytes */size`.
fn content_range_total(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get(CONTENT_RANGE)?
        .to_str()
        .ok()?
        .rsplit('/')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A URL without its query, for messages (signed URLs carry secrets).
fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// The upload URL's answer: `key=value` lines for a session upload, the
/// `<upload_done>` XML for an anonymous one.
pub(crate) fn parse_upload_answer(body: &str) -> Result<Uploaded> {
    let body = body.trim_start_matches('\u{feff}').trim();
    if body.starts_with('<') {
        let root = Element::parse(body)?;
        if root.name != "upload_done" {
            return Err(Error::Malformed(format!(
                "expected <upload_done>, got <{}>",
                root.name
            )));
        }
        if root.text_of("status") == "ok" {
            return Ok(Uploaded {
                file_id: root.text_of("file_id").to_string(),
                download_url: Some(root.text_of("download_url").to_string()),
                delete_url: Some(root.text_of("delete_url").to_string()),
                bandwidth_left: None,
                diskspace_left: None,
            });
        }
        return Err(match root.child("error") {
            Some(e) => api_error(e, None),
            None => Error::Upload(body.to_string()),
        });
    }
    let get = |key: &str| {
        body.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    match get("upload_status").as_deref() {
        Some("ok") => Ok(Uploaded {
            file_id: get("file_id").unwrap_or_default(),
            download_url: None,
            delete_url: None,
            bandwidth_left: get("bandwidth_left").and_then(|v| v.parse().ok()),
            diskspace_left: get("diskspace_left").and_then(|v| v.parse().ok()),
        }),
        Some(_) => {
            let text = get("error").unwrap_or_else(|| "upload failed".into());
            match get("error_code").and_then(|c| c.parse().ok()) {
                Some(n) => Err(Error::Api {
                    code: ErrorCode::from_number(n),
                    text,
                    id: None,
                }),
                None => Err(Error::Upload(text)),
            }
        }
        None => Err(Error::Malformed(format!(
            "unexpected upload answer: {}",
            body.chars().take(200).collect::<String>()
        ))),
    }
}

/// A file behind a direct URL read as a seekable source — what
/// [`encryption::decrypt_range`](crate::encryption::decrypt_range) needs
/// to read an encrypted file's header and then only the chunks a range
/// falls in. Each stretch of reads is one `Range` request; a seek away
/// from where the current one stands starts another. Blocking: use it
/// off the async runtime (`spawn_blocking`), with that runtime's handle.
pub struct RemoteFile {
    http: reqwest::Client,
    url: String,
    len: u64,
    pos: u64,
    runtime: tokio::runtime::Handle,
    /// The answer being read (its chunks, fetched ahead by a task of the
    /// runtime while the caller works on the last ones) and the offset its
    /// next byte has.
    body: Option<(tokio::sync::mpsc::Receiver<ChunkRead>, u64)>,
    /// Bytes of it received and not read yet.
    left: bytes::Bytes,
}

impl Client {
    /// `url` (a direct download URL) as a [`RemoteFile`] of `len` bytes.
    pub fn remote_file(&self, url: &str, len: u64, runtime: tokio::runtime::Handle) -> RemoteFile {
        RemoteFile {
            http: self.http.clone(),
            url: url.to_string(),
            len,
            pos: 0,
            runtime,
            body: None,
            left: bytes::Bytes::new(),
        }
    }
}

/// How long a [`RemoteFile`] read keeps retrying a failing server (a
/// restart, a cut connection) before it gives up.
const REMOTE_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(120);

/// One chunk of an answer, its end, or why reading it failed.
type ChunkRead = std::result::Result<Option<bytes::Bytes>, reqwest::Error>;

/// Chunks a [`RemoteFile`] reads ahead of its caller (about 1 MiB).
const READ_AHEAD: usize = 64;

/// A failed read of a [`RemoteFile`], and whether asking again may help.
struct ReadFailure {
    error: std::io::Error,
    transient: bool,
}

impl ReadFailure {
    fn transient(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ReadFailure {
        ReadFailure {
            error: std::io::Error::other(error),
            transient: true,
        }
    }

    fn last(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ReadFailure {
        ReadFailure {
            error: std::io::Error::other(error),
            transient: false,
        }
    }
}

impl RemoteFile {
    fn request(&mut self) -> std::result::Result<(), ReadFailure> {
        let resp = self
            .runtime
            .block_on(
                self.http
                    .get(&self.url)
                    .header(RANGE, format!("bytes={}-", self.pos))
                    .send(),
            )
            .map_err(ReadFailure::transient)?;
        match resp.status() {
            StatusCode::PARTIAL_CONTENT => {
                let (first, _) = content_range(&resp).map_err(ReadFailure::last)?;
                if first != self.pos {
                    return Err(ReadFailure::last(format!(
                        "asked for bytes from {}, got from {first}",
                        self.pos
                    )));
                }
            }
            StatusCode::OK if self.pos == 0 => {}
            status => {
                let text = format!("HTTP status {status} from {}", strip_query(&self.url));
                return Err(
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                        ReadFailure::transient(text)
                    } else {
                        ReadFailure::last(text)
                    },
                );
            }
        }
        let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
        self.runtime.spawn(async move {
            let mut resp = resp;
            loop {
                let chunk = resp.chunk().await;
                let last = !matches!(chunk, Ok(Some(_)));
                // Dropped receiver: the reader moved elsewhere.
                if tx.send(chunk).await.is_err() || last {
                    break;
                }
            }
        });
        self.body = Some((rx, self.pos));
        self.left = bytes::Bytes::new();
        Ok(())
    }

    /// Makes `left` hold the bytes at `pos`, asking the server from `pos`
    /// when no answer under way reaches there.
    fn fill(&mut self) -> std::result::Result<(), ReadFailure> {
        if !matches!(&self.body, Some((_, at)) if *at == self.pos) {
            self.request()?;
        }
        while self.left.is_empty() {
            let Some((chunks, _)) = self.body.as_mut() else {
                return Ok(());
            };
            match chunks.blocking_recv() {
                Some(Ok(Some(chunk))) => self.left = chunk,
                Some(Ok(None)) | None => {
                    return Err(ReadFailure::transient("the answer ended early"))
                }
                Some(Err(e)) => return Err(ReadFailure::transient(e)),
            }
        }
        Ok(())
    }
}

impl std::io::Read for RemoteFile {
    /// A cut connection or a restarting server is asked again from the
    /// current offset, for up to two minutes of failures.
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let mut retry = crate::resumable::Retry::new(REMOTE_RETRY_FOR);
        loop {
            match self.fill() {
                Ok(()) => break,
                Err(f) if f.transient => {
                    self.body = None;
                    self.left = bytes::Bytes::new();
                    self.runtime
                        .block_on(retry.failed(Error::Io(f.error)))
                        .map_err(std::io::Error::other)?;
                }
                Err(f) => return Err(f.error),
            }
        }
        let n = buf.len().min(self.left.len());
        buf[..n].copy_from_slice(&self.left.split_to(n));
        self.pos += n as u64;
        if let Some((_, at)) = self.body.as_mut() {
            *at = self.pos;
        }
        Ok(n)
    }
}

impl std::io::Seek for RemoteFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before 0"))?;
        self.pos = target;
        Ok(target)
    }
}

impl Client {
    /// The length of the file behind a direct URL (a `HEAD` request).
    pub async fn remote_size(&self, url: &str) -> Result<u64> {
        let resp = self.http.head(url).send().await?;
        if !resp.status().is_success() {
            return Err(Error::Status {
                status: resp.status().as_u16(),
                url: strip_query(url),
            });
        }
        resp.headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| Error::Malformed("no Content-Length".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_answer() {
        let u = parse_upload_answer(
            "upload_status=ok\nfile_id=abc123\nbandwidth_left=-1\ndiskspace_left=100\n",
        )
        .expect("ok");
        assert_eq!(u.file_id, "abc123");
        assert_eq!(u.bandwidth_left, Some(-1));
        assert_eq!(u.diskspace_left, Some(100));
    }

    #[test]
    fn session_failure_with_code() {
        let e = parse_upload_answer("upload_status=fail\nerror=Folder not found\nerror_code=10\n")
            .expect_err("fail");
        assert_eq!(e.code(), Some(ErrorCode::FolderNotFound));
        let e = parse_upload_answer("upload_status=fail\nerror=nope\n").expect_err("fail");
        assert!(matches!(e, Error::Upload(t) if t == "nope"));
    }

    #[test]
    fn anonymous_answers() {
        let u = parse_upload_answer(
            "<upload_done><status>ok</status><download_url>http://h/file/abc123</download_url>\
             <delete_url>http://h/delete/abc123/x</delete_url><file_id>abc123</file_id></upload_done>",
        )
        .expect("ok");
        assert_eq!(u.download_url.as_deref(), Some("http://h/file/abc123"));
        let e = parse_upload_answer(
            "<upload_done><status>fail</status><error code=\"21\" text=\"too large\"/></upload_done>",
        )
        .expect_err("fail");
        assert_eq!(e.code(), Some(ErrorCode::ParameterBadValue));
    }
}
