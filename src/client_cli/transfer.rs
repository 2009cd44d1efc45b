//! `upload` and `download`, with progress bars on a terminal.

use std::path::{Path, PathBuf};

use dropspace_client::{
    ErrorCode, FileChanges, Resume, Standing, UploadInfo, UploadOptions, Uploaded,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use super::config::{PartOf, Partials, Pending, Unfinished};
use super::encryption::{self, Sealing};
use super::{human, Ctx, Failure};
use dropspace_client::encryption::{self as encryption_age, Unlock};

fn bar(ctx: &Ctx, len: Option<u64>, label: &str) -> ProgressBar {
    if !ctx.out.bars {
        return ProgressBar::hidden();
    }
    let (bar, template) = match len {
        Some(n) => (
            ProgressBar::new(n),
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        ),
        None => (ProgressBar::no_length(), "{msg} {bytes} {bytes_per_sec}"),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    bar
}

/// Bytes per request of a file's resumable upload, unless `--chunk-size`.
const FILE_CHUNK: u64 = 50 << 20;
/// … and of standard input's, each held in memory until acknowledged.
const STDIN_CHUNK: u64 = 8 << 20;

/// `upload`'s arguments.
pub struct UploadJob<'a> {
    /// Paths; `-` is standard input.
    pub files: &'a [PathBuf],
    /// `--name`: the file name of standard input's upload.
    pub stdin_name: Option<String>,
    pub options: &'a UploadOptions,
    /// Limits set with `files.setInfo` once each file is up (the upload
    /// form has no field for them).
    pub limits: Option<FileChanges>,
    pub speed_limit: u64,
    /// Resumable (tus) when the server offers it.
    pub resume: bool,
    pub chunk_size: Option<u64>,
    pub parallel: u64,
    /// `--encrypt`: whom each file is encrypted to.
    pub sealing: Option<Sealing>,
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The file name of standard input's upload: `--name`, required.
fn stdin_name(job: &UploadJob<'_>) -> Result<Option<String>, Failure> {
    let dashes = job.files.iter().filter(|p| is_stdin(p)).count();
    match (dashes, job.stdin_name.as_deref().map(str::trim)) {
        (0, None) => Ok(None),
        (0, Some(_)) => Err(Failure::Usage(
            "--name names the upload from standard input: give `-` as the file".into(),
        )),
        (1, Some(n)) if !n.is_empty() => Ok(Some(n.to_string())),
        (1, _) => Err(Failure::Usage(
            "upload - reads the file from standard input: --name NAME is required \
             (the name the file gets on the server)"
                .into(),
        )),
        _ => Err(Failure::Usage(
            "standard input (`-`) can be uploaded once per command".into(),
        )),
    }
}

pub async fn upload(ctx: &Ctx, job: UploadJob<'_>) -> Result<(), Failure> {
    let session = ctx.client.session_key().is_some();
    let from_stdin = stdin_name(&job)?;
    if job.limits.is_some() && !session {
        let why = match &ctx.session_elsewhere {
            Some(_) => ctx.not_logged_in(),
            None => Failure::Usage(
                "--expire, --downloads and --action need a login: limits are set with \
                 files.setInfo, on an account's files only"
                    .into(),
            ),
        };
        return Err(why.context("upload"));
    }
    if !session && ctx.api_key.is_none() {
        // Anonymous uploads need the API key; say why there is no session.
        return Err(match &ctx.session_elsewhere {
            Some(_) => ctx.not_logged_in(),
            None => Failure::Usage(
                "not logged in and no API key for an anonymous upload: run `dropspace client \
                 login`, or pass --api-key (or set DROPSPACE_API_KEY)"
                    .into(),
            ),
        });
    }
    if job.sealing.is_some() && from_stdin.is_some() {
        return Err(Failure::Usage(
            "--encrypt reads files, not standard input: write it to a file first".into(),
        ));
    }
    let mut results = Vec::new();
    for path in job.files {
        let sent = match &from_stdin {
            Some(name) if is_stdin(path) => upload_stdin(ctx, &job, name).await?,
            _ => upload_file(ctx, &job, path).await?,
        };
        let Sent {
            name,
            size,
            done,
            sealed,
        } = sent;
        // A new key travels in the link, after `#`: never to the server.
        let keyed = |url: String| match &sealed {
            Some(s) => s.link(&url),
            None => url,
        };
        let mut limited = None;
        if let Some(changes) = &job.limits {
            let set = super::commands::set_limits(ctx, &done.file_id, changes).await;
            limited = Some(set.map_err(|e| {
                e.retold(|why| {
                    format!(
                        "{name} was uploaded as file {id}, but setting its limits failed: \
                         {why}. The file is there without them: `dropspace client limit {id} \
                         …` sets them, `dropspace client rm {id}` removes it",
                        id = done.file_id
                    )
                })
            })?);
        }
        let (download_url, delete_url) = match (&limited, session) {
            (Some((f, _)), _) => (Some(f.download_page_url.clone()), f.delete_url.clone()),
            (None, true) => {
                let f = ctx.client.file_info(&done.file_id).await?;
                (Some(f.download_page_url), f.delete_url)
            }
            (None, false) => (done.download_url.clone(), done.delete_url.clone()),
        };
        let download_url = download_url.map(keyed);
        if !ctx.out.json {
            println!(
                "{name}\t{}\t{}",
                done.file_id,
                download_url.as_deref().unwrap_or("")
            );
            if let Some(d) = &delete_url {
                println!("  delete: {d}");
            }
            if let Some((f, expires)) = &limited {
                if let Some(text) = human::limits(f, *expires) {
                    println!("  limit: {text}");
                }
            }
        }
        let mut v = json!({
            "file": path.display().to_string(),
            "name": name,
            "size": size,
            "file_id": done.file_id,
            "download_url": download_url,
            "delete_url": delete_url,
        });
        if sealed.is_some() {
            v["encrypted"] = json!(true);
        }
        if let Some((f, expires)) = &limited {
            v["limits"] = json!({
                "time_limit": f.time_limit,
                "expires": expires,
                "download_limit": f.download_limit,
                "limit_action": f.limit_action,
                "limit_action_to_folder": f.limit_action_to_folder,
            });
        }
        results.push(v);
    }
    if ctx.out.json {
        println!("{}", serde_json::Value::Array(results));
    }
    Ok(())
}

/// One file up: its name on the server, its size and the answer (and,
/// encrypted, the copy that was sent).
struct Sent {
    name: String,
    size: u64,
    done: Uploaded,
    sealed: Option<encryption::Sealed>,
}

async fn upload_file(ctx: &Ctx, job: &UploadJob<'_>, given: &Path) -> Result<Sent, Failure> {
    let io = |e: std::io::Error| Failure::Io(format!("{}: {e}", given.display()));
    if !std::fs::metadata(given).map_err(io)?.is_file() {
        return Err(Failure::Io(format!("{}: not a file", given.display())));
    }
    let name = given
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    // Encrypted, what is sent is the encrypted copy, as NAME.age.
    let sealed = match &job.sealing {
        Some(how) => Some(encryption::seal(given, &name, how).await?),
        None => None,
    };
    let (path, name) = match &sealed {
        Some(s) => (s.path.as_path(), s.name.clone()),
        None => (given, name),
    };
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    let meta = file.metadata().await.map_err(io)?;
    let size = sealed.as_ref().map_or(meta.len(), |s| s.size);
    let pb = bar(ctx, Some(size), &name);
    let shown = pb.clone();
    let progress = move |sent| shown.set_position(sent);
    let how = Resume {
        chunk_size: job.chunk_size.unwrap_or(FILE_CHUNK),
        growing: sealed.as_ref().and_then(|s| s.making.clone()),
        ..Default::default()
    };
    let done = if job.resume && size > 0 {
        let key = match &sealed {
            Some(s) => s.pending_key.clone(),
            None => Pending::key(path, &meta),
        };
        let one = Resumable {
            path,
            key: &key,
            name: &name,
            size,
            how: &how,
            parallel: job.parallel,
        };
        resumable(ctx, &one, job.options, job.speed_limit, file, progress).await
    } else {
        match fresh_info(ctx, job.speed_limit).await {
            Ok(info) => {
                let form = Form {
                    name: &name,
                    size,
                    growing: how.growing.as_ref(),
                };
                send_form(ctx, &info, &form, file, job.options, progress).await
            }
            Err(e) => Err(e),
        }
    };
    pb.finish_and_clear();
    let done = done?;
    if let Some(s) = &sealed {
        s.remove();
    }
    Ok(Sent {
        name,
        size,
        done,
        sealed,
    })
}

/// A file sent in one form POST: its name on the server, its size, and
/// whether it is a copy still being made.
struct Form<'a> {
    name: &'a str,
    size: u64,
    growing: Option<&'a dropspace_client::Growing>,
}

/// Sends `file` in one form POST — a copy still being made once it is
/// whole, since the form reads it once from its start.
async fn send_form(
    ctx: &Ctx,
    info: &UploadInfo,
    form: &Form<'_>,
    file: tokio::fs::File,
    options: &UploadOptions,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Uploaded, Failure> {
    if let Some(growing) = form.growing {
        growing.reach(form.size).await?;
    }
    Ok(ctx
        .client
        .upload(info, form.name, Some(form.size), file, options, progress)
        .await?)
}

/// A reader that counts what passes through it.
struct Counted<R> {
    inner: R,
    seen: Arc<AtomicU64>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counted<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len().saturating_sub(before) as u64;
        self.seen.fetch_add(read, Ordering::Relaxed);
        polled
    }
}

/// Bytes already read, then the rest of a reader; the bytes are let go
/// once read (memory stays at one chunk).
struct Prefixed<R> {
    head: Option<(Vec<u8>, usize)>,
    rest: R,
}

impl<R: AsyncRead + Unpin> AsyncRead for Prefixed<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Some((head, at)) = &mut self.head {
            let n = (head.len() - *at).min(buf.remaining());
            buf.put_slice(&head[*at..*at + n]);
            *at += n;
            if *at == head.len() {
                self.head = None;
            }
            if n > 0 {
                return Poll::Ready(Ok(()));
            }
        }
        Pin::new(&mut self.rest).poll_read(cx, buf)
    }
}

/// Standard input as one file named `name`, its length unknown: over tus
/// with the length declared by the last request (creation-defer-length),
/// each chunk held in memory until acknowledged — memory stays at about one
/// chunk however long the stream. A stream shorter than one chunk is known
/// whole before the upload starts and gets an ordinary resumable upload; a
/// server without resumable uploads (or `--no-resume`, `--speed-limit`)
/// gets the form, sent chunked. Standard input cannot be read twice: an
/// upload that fails is ended on the server and cannot be continued.
async fn upload_stdin(ctx: &Ctx, job: &UploadJob<'_>, name: &str) -> Result<Sent, Failure> {
    let seen = Arc::new(AtomicU64::new(0));
    let mut stdin = Counted {
        inner: tokio::io::stdin(),
        seen: seen.clone(),
    };
    let pb = bar(ctx, None, name);
    let shown = pb.clone();
    let progress = move |sent| shown.set_position(sent);
    let failed = |e: Failure| {
        e.context(&format!(
            "standard input ({name}): the upload failed; standard input cannot be read again, \
             so run the whole command again"
        ))
    };
    let done: Result<Uploaded, Failure> = async {
        if !job.resume {
            let info = fresh_info(ctx, job.speed_limit).await?;
            return Ok(ctx
                .client
                .upload(&info, name, None, stdin, job.options, progress)
                .await?);
        }
        let how = Resume {
            chunk_size: job.chunk_size.unwrap_or(STDIN_CHUNK),
            ..Default::default()
        };
        // The first chunk tells whether the stream is short.
        let mut first = Vec::new();
        (&mut stdin)
            .take(how.chunk_size)
            .read_to_end(&mut first)
            .await
            .map_err(|e| Failure::Io(format!("standard input: {e}")))?;
        let n = first.len() as u64;
        let whole = n < how.chunk_size;
        let info = fresh_info(ctx, job.speed_limit).await?;
        let offered = if first.is_empty() {
            // An empty file always goes through the form.
            false
        } else if whole {
            ctx.client.resumable_offered(&info).await?
        } else {
            ctx.client.resumable_deferred_offered(&info).await?
        };
        let rest = Prefixed {
            head: Some((first, 0)),
            rest: stdin,
        };
        if !offered {
            return Ok(ctx
                .client
                .upload(&info, name, None, rest, job.options, progress)
                .await?);
        }
        let (url, length) = if whole {
            let url = ctx
                .client
                .resumable_create(&info, name, n, job.options)
                .await?;
            (url, Some(n))
        } else {
            let url = ctx
                .client
                .resumable_create_deferred(&info, name, job.options)
                .await?;
            (url, None)
        };
        let sent = ctx
            .client
            .resumable_send_stream(&url, rest, length, &how, progress)
            .await;
        if sent.is_err() {
            // Its bytes cannot be sent again: end it, its space returned.
            let _ = ctx.client.resumable_terminate(&url).await;
        }
        Ok(sent?)
    }
    .await;
    pb.finish_and_clear();
    Ok(Sent {
        name: name.to_string(),
        size: seen.load(Ordering::Relaxed),
        done: done.map_err(failed)?,
        sealed: None,
    })
}

/// A new upload identifier, for the account or anonymous.
async fn fresh_info(ctx: &Ctx, speed_limit: u64) -> Result<UploadInfo, Failure> {
    Ok(if ctx.client.session_key().is_some() {
        ctx.client.upload_info(speed_limit).await?
    } else {
        ctx.client.anonymous_upload_info(speed_limit).await?
    })
}

/// One file sent resumably.
struct Resumable<'a> {
    path: &'a Path,
    /// The file's key in the pending uploads (path, size, mtime).
    key: &'a str,
    name: &'a str,
    size: u64,
    how: &'a Resume,
    /// Parts sent at once (1: one upload).
    parallel: u64,
}

/// Parts below this size are not worth a request of their own.
const MIN_PART: u64 = 1 << 20;

/// Sends a file over tus — as `parallel` parts at once, joined at the end,
/// when it is large enough — continuing the upload a previous run left for
/// this very file; the form when the server takes no resumable uploads.
/// An interrupted upload stays in the pending list: running the same
/// command again continues it.
async fn resumable(
    ctx: &Ctx,
    job: &Resumable<'_>,
    options: &UploadOptions,
    speed_limit: u64,
    file: tokio::fs::File,
    progress: impl Fn(u64) + Send + Sync + Clone + 'static,
) -> Result<Uploaded, Failure> {
    let mut pending = Pending::load()?;
    let earlier = match pending.uploads.get(job.key) {
        Some(Unfinished::Single(url)) => match ctx.client.resumable_standing(url).await {
            Ok(Standing::At(_)) => Some(Unfinished::Single(url.clone())),
            Ok(Standing::Done(file_id)) => {
                forget(&mut pending, job.key)?;
                return Ok(Uploaded {
                    file_id,
                    download_url: None,
                    delete_url: None,
                    bandwidth_left: None,
                    diskspace_left: None,
                });
            }
            _ => None,
        },
        Some(Unfinished::Parts { parts, info }) => {
            let mut alive = true;
            for url in parts {
                alive &= matches!(
                    ctx.client.resumable_standing(url).await,
                    Ok(Standing::At(_))
                );
            }
            alive.then(|| Unfinished::Parts {
                parts: parts.clone(),
                info: info.clone(),
            })
        }
        None => None,
    };
    let unfinished = match earlier {
        Some(u) => u,
        None => {
            let info = fresh_info(ctx, speed_limit).await?;
            if !ctx.client.resumable_offered(&info).await? {
                let form = Form {
                    name: job.name,
                    size: job.size,
                    growing: job.how.growing.as_ref(),
                };
                return send_form(ctx, &info, &form, file, options, progress).await;
            }
            let n = job.parallel.min(job.size / MIN_PART).max(1);
            let u = if n == 1 {
                let url = ctx
                    .client
                    .resumable_create(&info, job.name, job.size, options)
                    .await?;
                Unfinished::Single(url)
            } else {
                let mut parts = Vec::new();
                for range in split(job.size, n) {
                    parts.push(
                        ctx.client
                            .resumable_create_part(&info, range.end - range.start)
                            .await?,
                    );
                }
                Unfinished::Parts { parts, info }
            };
            pending.uploads.insert(job.key.to_string(), u.clone());
            pending.save()?;
            u
        }
    };
    let interrupted = |e: dropspace_client::Error| {
        Failure::from(e).context(&format!(
            "{}: interrupted; run the same upload again to continue",
            job.path.display()
        ))
    };
    let done = match unfinished {
        Unfinished::Single(url) => ctx
            .client
            .resumable_send(&url, job.path, job.size, job.how, progress)
            .await
            .map_err(interrupted)?,
        Unfinished::Parts { parts, info } => {
            let ranges = split(job.size, parts.len() as u64);
            let sent: Arc<Vec<AtomicU64>> =
                Arc::new(parts.iter().map(|_| AtomicU64::new(0)).collect());
            let sends = parts
                .iter()
                .zip(ranges)
                .enumerate()
                .map(|(i, (url, range))| {
                    let (sent, progress) = (sent.clone(), progress.clone());
                    let each = move |n: u64| {
                        sent[i].store(n, Ordering::Relaxed);
                        progress(sent.iter().map(|s| s.load(Ordering::Relaxed)).sum());
                    };
                    ctx.client
                        .resumable_send_range(url, job.path, range, job.how, each)
                });
            futures::future::try_join_all(sends)
                .await
                .map_err(interrupted)?;
            ctx.client
                .resumable_join(&info, job.name, &parts, options)
                .await
                .map_err(interrupted)?
        }
    };
    forget(&mut Pending::load()?, job.key)?;
    Ok(done)
}

/// `size` bytes as `n` ranges of (nearly) equal length.
fn split(size: u64, n: u64) -> Vec<std::ops::Range<u64>> {
    let n = n.max(1);
    (0..n).map(|i| size * i / n..size * (i + 1) / n).collect()
}

/// Drops the pending upload saved under `key`, if any.
pub fn forget_pending(key: &str) -> Result<(), Failure> {
    forget(&mut Pending::load()?, key)
}

fn forget(pending: &mut Pending, key: &str) -> Result<(), Failure> {
    if pending.uploads.remove(key).is_some() {
        pending.save()?;
    }
    Ok(())
}

/// `scheme://host[:port]` of a URL, for downloads without a configured
/// server.
pub fn origin_of(target: &str) -> Option<String> {
    let url = url::Url::parse(target).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

/// Where the bytes come from and what is known about them.
struct Source {
    url: String,
    name: String,
    file_id: String,
    size: Option<u64>,
    /// The answer's `ETag` where the bytes behind `url` can change (a zip).
    validator: String,
}

/// Where a download may go: `--output` and `--force`.
pub struct Target {
    pub output: Option<PathBuf>,
    pub force: bool,
}

/// `NAME.part` beside `dest`: where its bytes gather until complete.
fn part_of(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// `NAME (n).ext` for `NAME.ext`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem} ({n}).{}", ext.to_string_lossy()),
        None => format!("{stem} ({n})"),
    };
    path.with_file_name(name)
}

/// The file a download writes (docs/cli.md): `--output FILE`, else the
/// file's name in `--output DIR` or here. Nothing that exists is touched:
/// an existing `--output FILE` is refused without `--force`, and a taken
/// name — the file, or a `.part` that is not this download's own — becomes
/// `NAME (1).ext`, `NAME (2).ext`…
fn destination(
    to: &Target,
    name: &str,
    partials: &Partials,
    this: &PartOf,
) -> Result<PathBuf, Failure> {
    let foreign_part = |dest: &Path| {
        let part = part_of(dest);
        part.exists() && !partials.holds(&part, this)
    };
    let first = match &to.output {
        Some(p) if !p.is_dir() => {
            if !to.force && (p.exists() || foreign_part(p)) {
                let what = if p.exists() { p.clone() } else { part_of(p) };
                return Err(Failure::Usage(format!(
                    "{} exists; --force replaces it",
                    what.display()
                )));
            }
            return Ok(p.clone());
        }
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    };
    if to.force {
        return Ok(first);
    }
    let taken = |p: &Path| p.exists() || foreign_part(p);
    if !taken(&first) {
        return Ok(first);
    }
    (1..10_000)
        .map(|n| numbered(&first, n))
        .find(|p| !taken(p))
        .ok_or_else(|| Failure::Usage(format!("no free name for {}", first.display())))
}

/// How a download is opened: what decrypts it, and `--range`.
pub struct Opening {
    pub unlock: Option<Unlock>,
    /// Bytes `start..end` (None: to the end).
    pub range: Option<(u64, Option<u64>)>,
}

/// `--range START-END` (both included) or `START-`.
pub fn parse_range(text: &str) -> Result<(u64, Option<u64>), String> {
    let bad = || format!("{text}: a range is START-END or START- (bytes, END included)");
    let (start, end) = text.trim().split_once('-').ok_or_else(bad)?;
    let start: u64 = start.trim().parse().map_err(|_| bad())?;
    let end = match end.trim() {
        "" => None,
        e => Some(e.parse::<u64>().map_err(|_| bad())?),
    };
    match end {
        Some(e) if e < start => Err(bad()),
        _ => Ok((start, end.map(|e| e + 1))),
    }
}

pub async fn download(
    ctx: &Ctx,
    target: &str,
    to: Target,
    password: Option<&str>,
    opening: Opening,
) -> Result<(), Failure> {
    // A link's `#key=…` is for this client only; never sent anywhere.
    let target = target.split('#').next().unwrap_or(target);
    let src = if target.contains("/dl/") {
        // A direct URL: fetch it as it is.
        Source {
            url: target.to_string(),
            name: last_segment(target),
            file_id: String::new(),
            size: None,
            validator: String::new(),
        }
    } else if ctx.client.session_key().is_some() {
        let info = ctx.client.download_info(target, password).await?;
        Source {
            url: info.url,
            name: info.name,
            file_id: info.file_id,
            size: Some(info.file_size),
            validator: String::new(),
        }
    } else {
        from_page(ctx, target, password).await?
    };
    if let Some(range) = opening.range {
        return fetch_range(ctx, src, to, opening.unlock, range).await;
    }
    let Some(unlock) = opening.unlock else {
        let got = fetch(ctx, src, to).await?;
        report(ctx, &got, None);
        return Ok(());
    };
    fetch_decrypted(ctx, src, to, unlock).await
}

/// The length of `src`: as its source said, else a `HEAD` request's.
async fn size_of(ctx: &Ctx, src: &Source) -> Result<u64, Failure> {
    match src.size {
        Some(n) => Ok(n),
        None => Ok(ctx.client.remote_size(&src.url).await?),
    }
}

/// What a `.part` of `src` is the start of (docs/cli.md): the file id, or
/// the URL without its query (and a zip's `ETag`).
fn part_source(src: &Source) -> String {
    match (src.file_id.as_str(), src.validator.as_str()) {
        ("", "") => src.url.split('?').next().unwrap_or_default().to_string(),
        ("", validator) => format!("{} {validator}", src.url),
        (id, _) => id.to_string(),
    }
}

/// An encrypted file decrypted as it arrives, in one pass
/// (docs/encryption.md): `NAME.part` (NAME without `.age`) only ever holds
/// plaintext that age has authenticated, and an interrupted download
/// continues from its length — age's chunks open from any offset. A file
/// that is not an age file is fetched as it is.
async fn fetch_decrypted(
    ctx: &Ctx,
    src: Source,
    to: Target,
    unlock: Unlock,
) -> Result<(), Failure> {
    let size = size_of(ctx, &src).await?;
    let blocking = |e: tokio::task::JoinError| Failure::Io(e.to_string());
    let mut head =
        ctx.client
            .remote_file(&src.url, size.min(34), tokio::runtime::Handle::current());
    let head = tokio::task::spawn_blocking(move || {
        let mut h = Vec::new();
        std::io::Read::read_to_end(&mut head, &mut h).map(|_| h)
    })
    .await
    .map_err(blocking)?
    .map_err(|e| Failure::Io(format!("{}: {e}", src.name)))?;
    if !encryption_age::is_age(&head) {
        let got = fetch(ctx, src, to).await?;
        report(ctx, &got, None);
        return Ok(());
    }
    let name = encryption::plain_name(&safe_name(&src.name));
    let this = PartOf {
        source: format!("{} decrypted", part_source(&src)),
        size: None,
    };
    let mut partials = Partials::load()?;
    let path = destination(&to, &name, &partials, &this)?;
    let part = part_of(&path);
    let key = Partials::key(&part);
    let from = if partials.holds(&part, &this) {
        std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0)
    } else {
        let _ = std::fs::remove_file(&part);
        partials.downloads.insert(key.clone(), this);
        partials.save()?;
        0
    };
    let pb = bar(ctx, None, &name);
    let remote = ctx
        .client
        .remote_file(&src.url, size, tokio::runtime::Handle::current());
    let written = write_part(&part, from, move |out| {
        encryption_age::decrypt_range(&unlock, remote, from..u64::MAX, out)
    })
    .await?;
    pb.finish_and_clear();
    let fetched = match written {
        Ok(n) => n,
        Err(e) => {
            if from == 0 {
                // Nothing decrypted (a wrong key): nothing kept.
                let _ = std::fs::remove_file(&part);
                partials.downloads.remove(&key);
                partials.save()?;
            }
            return Err(Failure::Io(format!("{}: {e}", src.name)));
        }
    };
    std::fs::rename(&part, &path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    partials.downloads.remove(&key);
    partials.save()?;
    let size = from + fetched;
    let got = Fetched {
        path,
        name: src.name,
        file_id: src.file_id,
        done: dropspace_client::Downloaded {
            size,
            resumed_from: from,
            fetched,
        },
    };
    report(ctx, &got, Some((&got.path, size)));
    Ok(())
}

/// Writes `part` from byte `from` on (anything past it cut away) with what
/// `fill` writes, then syncs it — off the async runtime, since `fill`
/// blocks (it reads a [`dropspace_client::RemoteFile`]). The bytes `fill`
/// wrote, or why writing failed.
async fn write_part(
    part: &Path,
    from: u64,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<u64> + Send + 'static,
) -> Result<std::io::Result<u64>, Failure> {
    let part = part.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::{Seek, Write};
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&part)?;
        file.set_len(from)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, &file);
        out.seek(std::io::SeekFrom::Start(from))?;
        let n = fill(&mut out)?;
        out.flush()?;
        drop(out);
        file.sync_all()?;
        Ok(n)
    })
    .await
    .map_err(|e| Failure::Io(e.to_string()))
}

/// `download --range`: bytes `start..end` of the file — of its plaintext
/// when `unlock` opens it, reading only the encrypted chunks they fall in
/// — written to the destination through `NAME.part`.
async fn fetch_range(
    ctx: &Ctx,
    src: Source,
    to: Target,
    unlock: Option<Unlock>,
    (start, end): (u64, Option<u64>),
) -> Result<(), Failure> {
    let size = size_of(ctx, &src).await?;
    let name = match &unlock {
        Some(_) => encryption::plain_name(&safe_name(&src.name)),
        None => safe_name(&src.name),
    };
    let partials = Partials::load()?;
    let none = PartOf {
        source: String::new(),
        size: None,
    };
    let path = destination(&to, &name, &partials, &none)?;
    let part = part_of(&path);
    let remote = ctx
        .client
        .remote_file(&src.url, size, tokio::runtime::Handle::current());
    let written = write_part(&part, 0, move |out| match unlock {
        Some(unlock) => {
            let end = end.unwrap_or(u64::MAX);
            encryption_age::decrypt_range(&unlock, remote, start..end, out)
        }
        None => {
            let mut remote = remote;
            std::io::Seek::seek(&mut remote, std::io::SeekFrom::Start(start))?;
            let want = end.unwrap_or(size).saturating_sub(start);
            std::io::copy(&mut std::io::Read::take(remote, want), out)
        }
    })
    .await?;
    let n = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(Failure::Io(format!("{}: {e}", src.name)));
        }
    };
    std::fs::rename(&part, &path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    ctx.out.emit(
        json!({
            "path": path.display().to_string(),
            "name": src.name,
            "file_id": src.file_id,
            "range_start": start,
            "size": n,
        }),
        || println!("{}\t{} from byte {start}", path.display(), human::size(n)),
    );
    Ok(())
}

/// `download --zip`: a shared folder (id or page URL) or a bundle (page
/// URL) as one zip, named as the server names it (docs/zip.md). The
/// archive's `ETag` is part of what a `.part` continues, so a folder that
/// changed meanwhile starts over instead of splicing two archives.
pub async fn download_zip(ctx: &Ctx, target: &str, to: Target) -> Result<(), Failure> {
    let target = target.trim().trim_end_matches('/');
    let usage = || {
        Failure::Usage(format!(
            "{target}: not a shared folder's id or page, or a bundle's page"
        ))
    };
    // A page's URL gains `/zip` (whatever path the server lives under);
    // an id is a shared folder of the configured server.
    let (url, id) = match origin_of(target) {
        Some(_) => {
            let mut url = url::Url::parse(target).map_err(|_| usage())?;
            url.set_query(None);
            url.set_fragment(None);
            let parts: Vec<String> = url
                .path_segments()
                .map(|p| p.map(str::to_string).collect())
                .unwrap_or_default();
            let id = match parts.as_slice() {
                [.., kind, id] if kind == "folder" || kind == "b" => id.clone(),
                _ => return Err(usage()),
            };
            let path = format!("{}/zip", url.path());
            url.set_path(&path);
            (url.to_string(), id)
        }
        None if !target.is_empty() && !target.contains(['/', '?', '#']) => {
            let url = ctx
                .client
                .base_url()
                .join(&format!("folder/{target}/zip"))
                .map_err(|e| Failure::Usage(format!("{target}: {e}")))?;
            (url.to_string(), target.to_string())
        }
        None => return Err(usage()),
    };
    let resp = ctx
        .client
        .http()
        .head(&url)
        .send()
        .await
        .map_err(|e| Failure::Io(super::network(&e)))?;
    let api = |code: ErrorCode, text: &str| Failure::Api {
        code: code.number(),
        text: text.to_string(),
    };
    match resp.status().as_u16() {
        200 => {}
        404 => {
            return Err(api(
                ErrorCode::FolderNotFound,
                "No shared folder or bundle here, or nothing in it can go into a zip",
            ))
        }
        403 => {
            return Err(api(
                ErrorCode::PermissionDenied,
                "Too many files for one zip",
            ))
        }
        other => return Err(Failure::Io(format!("HTTP status {other} from {url}"))),
    }
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let name = disposition_name(&header("content-disposition")).unwrap_or(format!("{id}.zip"));
    let src = Source {
        url,
        name,
        file_id: String::new(),
        size: header("content-length").parse().ok(),
        validator: header("etag"),
    };
    let got = fetch(ctx, src, to).await?;
    report(ctx, &got, None);
    Ok(())
}

/// The name in `Content-Disposition`'s `filename*=UTF-8''…`.
fn disposition_name(value: &str) -> Option<String> {
    let encoded = value.split("filename*=UTF-8''").nth(1)?.split(';').next()?;
    let name = percent_encoding::percent_decode_str(encoded.trim())
        .decode_utf8()
        .ok()?
        .into_owned();
    (!name.is_empty()).then_some(name)
}

/// A finished download: where it is and what it took.
struct Fetched {
    path: PathBuf,
    name: String,
    file_id: String,
    done: dropspace_client::Downloaded,
}

/// Fetches `src` into its destination through `NAME.part`, continuing
/// this client's own unfinished `.part` of the same source.
async fn fetch(ctx: &Ctx, src: Source, to: Target) -> Result<Fetched, Failure> {
    let name = safe_name(&src.name);
    let this = PartOf {
        source: part_source(&src),
        size: src.size,
    };
    let mut partials = Partials::load()?;
    let path = destination(&to, &name, &partials, &this)?;
    let part = part_of(&path);
    let key = Partials::key(&part);
    // Only this client's own start of this very file is continued.
    if !partials.holds(&part, &this) {
        match std::fs::remove_file(&part) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure::Io(format!("{}: {e}", part.display()))),
        }
        partials.downloads.insert(key.clone(), this);
        partials.save()?;
    }
    let pb = bar(ctx, src.size, &name);
    let shown = pb.clone();
    let mut first = true;
    let done = ctx
        .client
        .download_to(&src.url, &part, src.size, move |have, total| {
            if let Some(t) = total {
                shown.set_length(t);
            }
            shown.set_position(have);
            if first {
                // A resumed file starts part-way: the rate and ETA count
                // from here, not from zero.
                shown.reset_eta();
                first = false;
            }
        })
        .await;
    pb.finish_and_clear();
    let done = done?;
    std::fs::rename(&part, &path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    partials.downloads.remove(&key);
    partials.save()?;
    Ok(Fetched {
        path,
        name: src.name,
        file_id: src.file_id,
        done,
    })
}

/// Tells where a download went (`decrypted`: the decrypted file and its
/// size, which replaced the encrypted one).
fn report(ctx: &Ctx, got: &Fetched, decrypted: Option<(&Path, u64)>) {
    let done = &got.done;
    let (path, size) = decrypted.unwrap_or((&got.path, done.size));
    let mut v = json!({
        "path": path.display().to_string(),
        "name": got.name,
        "file_id": got.file_id,
        "size": size,
        "resumed_from": done.resumed_from,
        "fetched": done.fetched,
    });
    if decrypted.is_some() {
        v["decrypted"] = json!(true);
    }
    ctx.out.emit(v, || {
        let mark = if decrypted.is_some() {
            " (decrypted)"
        } else {
            ""
        };
        if done.resumed_from > 0 {
            println!(
                "{}\t{}{mark} (resumed at {})",
                path.display(),
                human::size(size),
                human::size(done.resumed_from)
            );
        } else {
            println!("{}\t{}{mark}", path.display(), human::size(size));
        }
    });
}

/// Without a session `download.getInfo` is not available: the file's
/// download page (dropspace's `/file/{id}`) hands out the direct URL in its
/// download button, after the password when the file has one.
async fn from_page(ctx: &Ctx, target: &str, password: Option<&str>) -> Result<Source, Failure> {
    let page = if origin_of(target).is_some() {
        target.to_string()
    } else {
        let base = ctx.client.base_url();
        base.join(&format!("file/{}", target.trim()))
            .map_err(|e| Failure::Usage(format!("{target}: {e}")))?
            .to_string()
    };
    let http = ctx.client.http();
    let req = match password {
        Some(p) => http.post(&page).form(&[("password", p)]),
        None => http.get(&page),
    };
    let resp = req
        .send()
        .await
        .map_err(|e| Failure::Io(super::network(&e)))?;
    let status = resp.status().as_u16();
    let api = |code: ErrorCode, text: &str| Failure::Api {
        code: code.number(),
        text: text.to_string(),
    };
    match status {
        200 => {}
        403 => {
            return Err(api(
                ErrorCode::BadPassword,
                "A wrong or empty password was given",
            ))
        }
        404 => return Err(api(ErrorCode::FileNotFound, "File not found")),
        410 => {
            // The page names why (docs/web.md): expired or used up.
            let html = resp.text().await.unwrap_or_default();
            let text = if html.contains("data-reason=\"expired\"") {
                "The file has expired"
            } else {
                "The file can no longer be downloaded (download limit reached)"
            };
            return Err(api(ErrorCode::PermissionDenied, text));
        }
        other => return Err(Failure::Io(format!("HTTP status {other} from {page}"))),
    }
    let html = resp
        .text()
        .await
        .map_err(|e| Failure::Io(super::network(&e)))?;
    let url = download_link(&html).ok_or_else(|| {
        if html.contains("name=\"password\"") {
            api(
                ErrorCode::BadPassword,
                "The file is protected by a password: pass --password",
            )
        } else {
            Failure::Io(format!(
                "{page}: no download link (log in to use download.getInfo)"
            ))
        }
    })?;
    let url = url::Url::parse(&page)
        .and_then(|p| p.join(&url))
        .map_err(|e| Failure::Io(format!("download link: {e}")))?
        .to_string();
    Ok(Source {
        name: last_segment(&url),
        url,
        file_id: String::new(),
        size: None,
        validator: String::new(),
    })
}

/// The `href` of the page's `<a … id="download" …>`.
fn download_link(html: &str) -> Option<String> {
    let at = html.find("id=\"download\"")?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

/// The last path segment of a URL, percent-decoded.
fn last_segment(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let seg = path.rsplit('/').next().unwrap_or("");
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// A file name that stays in the target directory: the server's name is
/// never used as a path.
fn safe_name(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    match cleaned.trim() {
        "" | "." | ".." => "download".into(),
        _ => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_local() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(".."), "download");
        assert_eq!(safe_name(""), "download");
        assert_eq!(safe_name("a\nb.txt"), "a_b.txt");
    }

    #[test]
    fn link_of_the_download_button() {
        let html = r#"<p><a class="btn" id="download" href="http://h/dl/a/0/1/s/x.bin" rel="nofollow">Download</a></p>"#;
        assert_eq!(
            download_link(html).as_deref(),
            Some("http://h/dl/a/0/1/s/x.bin")
        );
        assert_eq!(download_link("<p>nothing</p>"), None);
        assert_eq!(last_segment("http://h/dl/a/b/r%C3%A9.txt?x=1"), "ré.txt");
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/file/abc123").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("abc123"), None);
    }
}
