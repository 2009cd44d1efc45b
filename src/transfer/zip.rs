//! `GET|HEAD /folder/{id}/zip` and `/b/{id}/zip`: a shared folder or a
//! bundle as one stored zip (docs/zip.md). Its length is exact up front
//! and single ranges are served, so an interrupted download resumes; the
//! files' bytes stream from the store with constant memory. Each file's
//! bytes inside the archive are credited to it as they are delivered, as
//! a ranged download's are.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::StreamExt;
use tokio::task::JoinHandle;

use super::range;
use super::serve::{attachment, http_date, open, set};
use crate::blobs::Gather;
use crate::blobs::StorageError;
use crate::db::files::File;
use crate::http::ClientIp;
use crate::library::content::{self, ByteStream};
use crate::library::delivery::Downloader;
use crate::library::zip::{self, Archive};
use crate::library::{limits, Error};
use crate::state::App;
use dropspace_proto::zip::Piece;

pub async fn folder(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let archive = zip::of_folder(&app, &id).await;
    let taker = ZipTaker {
        who: Downloader::new(0, ip),
        ..ZipTaker::default()
    };
    respond(&app, &method, &headers, archive, taker).await
}

pub async fn bundle(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let archive = zip::of_bundle(&app, &id).await;
    let taker = ZipTaker {
        who: Downloader::new(0, ip),
        ..ZipTaker::default()
    };
    respond(&app, &method, &headers, archive, taker).await
}

fn refuse(status: StatusCode, text: String) -> Response {
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

/// The answer for an archive (or why there is none); also My files'
/// zip of chosen files.
pub(crate) async fn respond(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    found: crate::library::Result<Option<Archive>>,
    taker: ZipTaker,
) -> Response {
    let archive = match found {
        Ok(Some(a)) if !a.files.is_empty() => a,
        Ok(Some(_)) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "Nothing here can go into a zip: files with a password or a download \
                 limit are downloaded one by one.\n"
                    .into(),
            )
        }
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "Not found.\n".into()),
        Err(Error::Denied(Some(why))) => return refuse(StatusCode::FORBIDDEN, format!("{why}.\n")),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "zip download");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "The zip is temporarily unavailable, try again later.\n".into(),
            );
        }
    };
    let size = archive.layout.len();
    let etag = format!("\"z-{}\"", archive.tag);
    let newest = archive.files.iter().map(|f| f.uploaded).max().unwrap_or(0);
    let last_modified = http_date(newest);
    let part = match range::requested(headers, size, &etag, &last_modified) {
        Ok(part) => part,
        Err(none) => return none.into_response(),
    };
    let mut h = attachment("application/zip", &archive.name, &etag, &last_modified);
    set(
        &mut h,
        header::CONTENT_LENGTH,
        &(part.end - part.start).to_string(),
    );
    let status = range::status_for(&mut h, &part, size);
    if method != Method::GET || part.is_empty() {
        return (status, h).into_response();
    }
    let body = Zipping::new(app.clone(), &archive, part, taker);
    (status, h, Body::from_stream(body.into_stream())).into_response()
}

/// A run of the response: bytes of the archive's own, or a range of a file
/// (opened ahead, its first chunk read, while the file before it is sent).
enum Run {
    Meta(Bytes),
    Content {
        file: Box<File>,
        range: Range<u64>,
        opening: Option<Opening>,
    },
}

type Opening = JoinHandle<Result<ByteStream, StorageError>>;

/// The body's state: the runs left; the chunk being gathered ahead (fs
/// store) or the file being streamed (other stores, inline bytes); and the
/// file whose bytes are being sent with how many were sent (credited when
/// the next file starts or the body is dropped).
struct Zipping {
    app: App,
    runs: VecDeque<Run>,
    gathering: Option<Gathering>,
    current: Option<ByteStream>,
    owed: Option<(Box<File>, u64)>,
    taker: ZipTaker,
}

/// A chunk of the archive read on a blocking thread, and the files' bytes
/// it holds.
struct Gathering {
    job: JoinHandle<std::io::Result<Bytes>>,
    files: Vec<(Box<File>, u64)>,
}

/// The size of a gathered chunk: a plain download's read size.
const GATHER_CHUNK: u64 = crate::blobs::READ_CHUNK as u64;

/// Who takes a zip: the account its bytes are charged to (0: nobody), and
/// what to do once bytes of a file inside it were delivered (a file_send
/// recipient's download receipt).
#[derive(Clone, Default)]
pub struct ZipTaker {
    pub account: i64,
    /// Who it is, for the download log (docs/receipts.md).
    pub who: Downloader,
    pub on_file: Option<FileHook>,
}

/// Told a file and how many of its bytes the zip just delivered.
pub type FileHook = Arc<dyn Fn(File, u64) -> BoxFuture<'static, ()> + Send + Sync>;

impl Zipping {
    fn new(app: App, archive: &Archive, part: Range<u64>, taker: ZipTaker) -> Zipping {
        let runs = archive
            .layout
            .pieces(part)
            .into_iter()
            .map(|p| match p {
                Piece::Meta(b) => Run::Meta(Bytes::copy_from_slice(b)),
                Piece::Content { entry, range } => Run::Content {
                    file: Box::new(archive.files[entry].clone()),
                    range,
                    opening: None,
                },
            })
            .collect();
        Zipping {
            app,
            runs,
            gathering: None,
            current: None,
            owed: None,
            taker,
        }
    }

    fn into_stream(self) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send {
        futures::stream::unfold(self, |mut z| async move {
            let item = z.next().await?;
            Some((item, z))
        })
    }

    async fn next(&mut self) -> Option<std::io::Result<Bytes>> {
        loop {
            if let Some(stream) = self.current.as_mut() {
                match stream.next().await {
                    Some(Ok(chunk)) => {
                        if let Some((_, sent)) = self.owed.as_mut() {
                            *sent += chunk.len() as u64;
                        }
                        return Some(Ok(chunk));
                    }
                    Some(Err(e)) => return Some(Err(self.fail(e))),
                    None => {
                        self.current = None;
                        self.credit();
                    }
                }
            }
            if let Some(Gathering { job, files }) = self.gathering.take() {
                let read = job.await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
                return Some(match read {
                    Ok(chunk) => {
                        self.gather_next();
                        for (file, n) in files {
                            self.owe(file, n);
                        }
                        Ok(chunk)
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "zip: reading its files");
                        Err(self.fail(std::io::Error::other("a file of the zip is unavailable")))
                    }
                });
            }
            if self.gather_next() {
                continue;
            }
            match self.runs.pop_front()? {
                Run::Meta(bytes) => return Some(Ok(bytes)),
                Run::Content {
                    file,
                    range,
                    opening,
                } => match Self::opened(&self.app, &file, range, opening).await {
                    Ok(stream) => {
                        self.current = Some(stream);
                        self.owe(file, 0);
                        self.open_next();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, file_id = file.id, "zip: opening a file");
                        let e = std::io::Error::other("a file of the zip is unavailable");
                        return Some(Err(self.fail(e)));
                    }
                },
            }
        }
    }

    /// Ends the body with `e`: nothing more is read, what was sent is
    /// credited.
    fn fail(&mut self, e: std::io::Error) -> std::io::Error {
        self.stop();
        self.credit();
        e
    }

    /// Starts reading the next chunk of the archive from the runs at the
    /// front that the store can gather (all but inline files, on the fs
    /// store): one blocking read per chunk however many files it spans,
    /// read while the chunk before it is sent. False when none can.
    fn gather_next(&mut self) -> bool {
        if !self.app.blobs.gathers() {
            return false;
        }
        let mut room = GATHER_CHUNK;
        let (mut parts, mut files) = (Vec::new(), Vec::new());
        while room > 0 {
            match self.runs.front_mut() {
                Some(Run::Meta(bytes)) if bytes.len() as u64 > room => {
                    parts.push(Gather::Bytes(bytes.split_to(room as usize)));
                    room = 0;
                }
                Some(Run::Meta(bytes)) => {
                    room -= bytes.len() as u64;
                    parts.push(Gather::Bytes(std::mem::take(bytes)));
                    self.runs.pop_front();
                }
                Some(Run::Content { file, range, .. })
                    if content::gatherable(&self.app.blobs, &file.blob_key) =>
                {
                    let n = (range.end - range.start).min(room);
                    parts.push(Gather::Blob {
                        key: file.blob_key.clone(),
                        range: range.start..range.start + n,
                    });
                    files.push((file.clone(), n));
                    range.start += n;
                    room -= n;
                    if range.is_empty() {
                        self.runs.pop_front();
                    }
                }
                _ => break,
            }
        }
        if parts.is_empty() {
            return false;
        }
        let job = self.app.blobs.gather(parts);
        self.gathering = Some(Gathering { job, files });
        true
    }

    /// Counts `n` more bytes sent of `file`, crediting the file before it
    /// when this is another.
    fn owe(&mut self, file: Box<File>, n: u64) {
        match self.owed.as_mut() {
            Some((owed, sent)) if owed.id == file.id => *sent += n,
            _ => {
                self.credit();
                self.owed = Some((file, n));
            }
        }
    }

    /// Drops the runs left, with the file being opened or the chunk being
    /// gathered ahead.
    fn stop(&mut self) {
        if let Some(g) = self.gathering.take() {
            g.job.abort();
        }
        for run in self.runs.drain(..) {
            if let Run::Content {
                opening: Some(job), ..
            } = run
            {
                job.abort();
            }
        }
    }

    /// A file's stream: the one opened ahead, else opened now.
    async fn opened(
        app: &App,
        file: &File,
        range: Range<u64>,
        opening: Option<Opening>,
    ) -> Result<ByteStream, StorageError> {
        match opening {
            Some(job) => job
                .await
                .unwrap_or_else(|e| Err(StorageError(e.to_string()))),
            None => open(app, file, range).await,
        }
    }

    /// Opens the next file while this one is sent: with many small files
    /// the store's open and first read would otherwise stall the response
    /// once per file (docs/performance.md).
    fn open_next(&mut self) {
        if self.app.blobs.gathers() {
            return;
        }
        let next = self.runs.iter_mut().find_map(|r| match r {
            Run::Content {
                file,
                range,
                opening,
            } => Some((file, range, opening)),
            Run::Meta(_) => None,
        });
        if let Some((file, range, opening @ None)) = next {
            let (app, file, range) = (self.app.clone(), file.clone(), range.clone());
            *opening = Some(tokio::spawn(async move { open(&app, &file, range).await }));
        }
    }

    /// Credits what the current run sent to its file (and charges the
    /// taker's account), in the background: the body goes on, or is being
    /// dropped.
    fn credit(&mut self) {
        let Some((file, sent)) = self.owed.take() else {
            return;
        };
        if sent == 0 {
            return;
        }
        metrics::counter!("dropspace_download_bytes_total").increment(sent);
        if self.taker.account > 0 {
            self.app.charges.add(self.taker.account, sent as i64);
        }
        let app = self.app.clone();
        let hook = self.taker.on_file.clone();
        let who = self.taker.who.clone();
        let credit = async move {
            if let Err(e) = limits::settle(&app, &file.id, None, sent, &who).await {
                tracing::error!(file_id = file.id, error = %e, "zip: crediting the bytes sent");
            }
            if let Some(hook) = hook {
                hook(*file, sent).await;
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(credit);
            }
            Err(_) => tracing::warn!("zip body dropped without a runtime; not credited"),
        }
    }
}

impl Drop for Zipping {
    fn drop(&mut self) {
        self.stop();
        self.credit();
    }
}
