//! The fs backend's byte path, without OpenDAL or tokio::fs in between
//! (docs/performance.md, "Large transfers, round two"): a writer that hands
//! whole blocks to one blocking job at a time, which hashes, writes and
//! starts write-back early, so receiving and storing overlap and the final
//! fsync has little left; and a reader that reads ahead one chunk with
//! `pread` on a blocking thread while the previous chunk is being sent.

use std::collections::HashSet;
use std::fs::File;
use std::future::Future;
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::Stream;
use tokio::task::{spawn_blocking, JoinHandle};

use super::digest::{Digest, Sums};
use crate::secrets::random_string;

/// A block is handed to the disk job once it holds this much and the job
/// is idle: a slow upload holds this twice (the block and the spare).
const MIN_BLOCK: usize = 16 * 1024;
/// A resumable upload's smallest block: it waits for its acknowledgement
/// chunk by chunk, so fewer, larger jobs serve it better than a form
/// upload's (docs/performance.md); a slow one holds this twice.
const PARTIAL_MIN_BLOCK: usize = 256 * 1024;
/// While the job is busy the next block of a fast upload grows up to
/// this; then the request waits for the disk.
const MAX_BLOCK: usize = 1024 * 1024;
/// A block that reached `MIN_BLOCK` within this is a fast upload's and may
/// keep growing while the job is busy; a slower one (or one of many
/// uploads queued for the blocking pool) waits for the job instead of
/// holding more memory (docs/performance.md).
const FAST_FILL: Duration = Duration::from_millis(20);
/// What the blocks of all uploads together may grow past their smallest
/// size. A fast upload grows its block while the disk is busy; a slow one
/// whose backlog is read at once looks fast for a moment, and a thousand
/// of them behind a busy disk must not each grow to `MAX_BLOCK`
/// (docs/performance.md).
const GROWTH_BUDGET: usize = 64 * 1024 * 1024;
static GROWN: Budget = Budget {
    used: AtomicUsize::new(0),
    limit: GROWTH_BUDGET,
};

/// Bytes shared out up to a limit.
struct Budget {
    used: AtomicUsize,
    limit: usize,
}

/// The bytes one writer took from a `Budget`, given back when it drops.
struct Growth {
    budget: &'static Budget,
    held: usize,
}

impl Growth {
    fn new(budget: &'static Budget) -> Growth {
        Growth { budget, held: 0 }
    }

    /// Takes `n` more bytes if the budget has them.
    fn take(&mut self, n: usize) -> bool {
        let taken = self
            .budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + n <= self.budget.limit).then_some(used + n)
            })
            .is_ok();
        if taken {
            self.held += n;
        }
        taken
    }
}

impl Drop for Growth {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.held, Ordering::AcqRel);
    }
}

/// Write-back of written bytes is started every this many bytes.
const WRITEBACK: u64 = 4 * 1024 * 1024;
/// Bytes read at a time by a download, one chunk read ahead.
pub const READ_CHUNK: usize = 1024 * 1024;

/// The temporary files of the writers alive in this process: the sweep of
/// abandoned ones leaves them alone (a slow upload may not touch its file
/// for longer than the sweep's grace).
#[derive(Clone, Default)]
pub struct Live(Arc<Mutex<HashSet<PathBuf>>>);

impl Live {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn holds(&self, path: &Path) -> bool {
        self.set().contains(path)
    }
}

/// A file being written and what has gone into it; it moves into each
/// blocking job and back. A new blob's file is created by the first job,
/// so a small blob is created, written, synced and renamed by one.
struct Disk {
    path: PathBuf,
    file: Option<File>,
    /// The checksums of what was written, when it is hashed here.
    hasher: Option<Digest>,
    written: u64,
    /// Write-back has been started for the bytes before this offset.
    started: u64,
}

impl Disk {
    fn file(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&self.path)?;
            self.file = Some(file);
        }
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("blob file not open"))
    }

    fn put(&mut self, block: &[u8]) -> io::Result<()> {
        if block.is_empty() {
            return Ok(());
        }
        if let Some(h) = self.hasher.as_mut() {
            h.update(block);
        }
        self.file()?.write_all(block)?;
        self.written += block.len() as u64;
        if self.written - self.started >= WRITEBACK {
            let (from, len) = (self.started, self.written - self.started);
            start_writeback(self.file()?, from, len);
            self.started = self.written;
        }
        Ok(())
    }
}

/// Asks the kernel to start writing a range out now instead of leaving it
/// all to the final fsync; failure only loses the head start.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for the call's duration; the call
    // only starts write-back of the file's pages and touches no memory.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

type Job = JoinHandle<io::Result<(Disk, Vec<u8>)>>;

/// Bytes on their way to a `Disk`: gathered in blocks, each hashed and
/// written by a blocking job while the next block fills. The request waits
/// for the disk only when a fast upload's block is full.
struct Blocks {
    /// The smallest block handed to a job (`MIN_BLOCK` or more).
    min_block: usize,
    /// The file while no job has it.
    disk: Option<Disk>,
    job: Option<Job>,
    /// Bytes waiting for the next job, copied out of the request's
    /// buffers: holding those instead pins memory far larger than the
    /// bytes (docs/performance.md).
    block: Vec<u8>,
    /// The buffer of the last finished job, reused for the next block.
    spare: Vec<u8>,
    /// When the block got its first bytes.
    filling_since: Option<Instant>,
    /// The block's and the spare's room past `min_block`, from `GROWN`.
    growth: Growth,
}

fn joined<T>(r: Result<io::Result<T>, tokio::task::JoinError>) -> io::Result<T> {
    r.map_err(io::Error::other)?
}

impl Blocks {
    fn new(disk: Disk, min_block: usize) -> Blocks {
        Blocks {
            min_block,
            disk: Some(disk),
            job: None,
            block: Vec::new(),
            spare: Vec::new(),
            filling_since: None,
            growth: Growth::new(&GROWN),
        }
    }

    async fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.block.capacity() == 0 {
                self.block.reserve_exact(self.min_block);
            }
            let since = *self.filling_since.get_or_insert_with(Instant::now);
            // Filled up to its capacity, never reallocated on the way.
            let take = bytes.len().min(self.block.capacity() - self.block.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() < self.min_block {
                continue;
            }
            let idle = self.job.as_ref().is_none_or(|j| j.is_finished());
            let fast = since.elapsed() < FAST_FILL;
            if idle || !fast || self.block.len() >= MAX_BLOCK {
                self.submit().await?;
            } else if self.block.len() == self.block.capacity() {
                let more = self.block.capacity().min(MAX_BLOCK - self.block.len());
                // Out of budget, the upload waits for the disk instead.
                if self.growth.take(more) {
                    self.block.reserve_exact(more);
                } else {
                    self.submit().await?;
                }
            }
        }
        Ok(())
    }

    /// Waits for the job in flight and takes the file back.
    async fn settle(&mut self) -> io::Result<Disk> {
        if let Some(job) = self.job.take() {
            let (disk, buf) = joined(job.await)?;
            // Only a fast upload's large blocks are worth keeping.
            if buf.capacity() > self.min_block {
                self.spare = buf;
            }
            self.disk = Some(disk);
        }
        self.disk
            .take()
            .ok_or_else(|| io::Error::other("blob writer used after a failure"))
    }

    /// Hands the block to a new job once the previous one is done.
    async fn submit(&mut self) -> io::Result<()> {
        let mut disk = self.settle().await?;
        self.filling_since = None;
        let mut block = std::mem::replace(&mut self.block, std::mem::take(&mut self.spare));
        self.job = Some(spawn_blocking(move || {
            disk.put(&block)?;
            block.clear();
            Ok((disk, block))
        }));
        Ok(())
    }

    /// Writes what is gathered, then runs `op` on the disk, in one job.
    async fn on_disk<T: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut Disk) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let mut disk = self.settle().await?;
        self.filling_since = None;
        let block = std::mem::take(&mut self.block);
        let (disk, out) = joined(
            spawn_blocking(move || {
                disk.put(&block)?;
                let out = op(&mut disk)?;
                Ok((disk, out))
            })
            .await,
        )?;
        self.disk = Some(disk);
        Ok(out)
    }
}

/// An unfinished blob in `blobs-tmp`: visible under its key only after
/// `finish` (synced, renamed, directory synced).
pub struct FsWriter {
    tmp: PathBuf,
    live: Live,
    dest: PathBuf,
    root: PathBuf,
    blocks: Blocks,
}

impl FsWriter {
    pub async fn create(
        root: &Path,
        tmp_dir: &Path,
        live: &Live,
        key: &str,
    ) -> io::Result<FsWriter> {
        let tmp = tmp_dir.join(format!("{}.part", random_string(24, b"0123456789abcdef")));
        live.set().insert(tmp.clone());
        Ok(FsWriter {
            tmp: tmp.clone(),
            live: live.clone(),
            dest: root.join(key),
            root: root.to_path_buf(),
            blocks: Blocks::new(
                Disk {
                    path: tmp,
                    file: None,
                    hasher: Some(Digest::default()),
                    written: 0,
                    started: 0,
                },
                MIN_BLOCK,
            ),
        })
    }

    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.blocks.write(bytes).await
    }

    /// Writes what is left, syncs the file, renames it into place and
    /// syncs the directory; returns the checksums.
    pub async fn finish(mut self) -> io::Result<Sums> {
        let (dest, root) = (self.dest.clone(), self.root.clone());
        let done = self
            .blocks
            .on_disk(move |disk| {
                disk.file()?.sync_all()?;
                let sum = disk.hasher.take().map(|h| h.finalize()).unwrap_or_default();
                disk.file = None;
                move_into_place(&disk.path, &dest, &root)?;
                Ok(sum)
            })
            .await;
        if done.is_err() {
            self.remove().await;
        }
        done
    }

    /// Drops the unfinished blob and its temporary file.
    pub async fn abort(mut self) {
        // Settling takes the file back from any job; it closes here.
        let _ = self.blocks.settle().await;
        self.remove().await;
    }

    async fn remove(&self) {
        let tmp = self.tmp.clone();
        let _ = spawn_blocking(move || std::fs::remove_file(tmp)).await;
    }
}

impl Drop for FsWriter {
    fn drop(&mut self) {
        self.live.set().remove(&self.tmp);
    }
}

/// Renames a synced file to its key's path under `root`, creating the
/// key's directory when it is new; durable once this returns.
fn move_into_place(tmp: &Path, dest: &Path, root: &Path) -> io::Result<()> {
    let dir = dest.parent().unwrap_or(root);
    if let Err(e) = std::fs::rename(tmp, dest) {
        if e.kind() != io::ErrorKind::NotFound {
            return Err(e);
        }
        // The key's directory is new — or was, until another blob made it
        // since: making it again is harmless, giving up was not.
        crate::secrets::create_private_dir(dir)?;
        sync_dir(root)?;
        std::fs::rename(tmp, dest)?;
    }
    sync_dir(dir)
}

/// Makes the 256 directories new keys go in (`Blobs::new_key`), synced,
/// before any blob does: a blob renamed into a directory another upload
/// has just made, but not yet synced into the root, could be lost with it.
pub fn make_key_dirs(root: &Path) -> io::Result<()> {
    let mut made = false;
    for prefix in 0..=255u8 {
        let dir = root.join(format!("{prefix:02x}"));
        if !dir.is_dir() {
            crate::secrets::create_private_dir(&dir)?;
            made = true;
        }
    }
    if made {
        sync_dir(root)?;
    }
    Ok(())
}

/// A rename is durable once its directory is synced.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// `range` of a blob file as a stream of chunks; one read runs ahead on a
/// blocking thread while the caller sends the chunk before it.
pub struct FsReader {
    file: Arc<File>,
    next: u64,
    end: u64,
    job: Option<JoinHandle<io::Result<Bytes>>>,
    /// Length of the read in flight.
    asked: usize,
}

impl FsReader {
    pub async fn open(path: PathBuf, range: std::ops::Range<u64>) -> io::Result<FsReader> {
        let file = joined(spawn_blocking(move || File::open(path)).await)?;
        Ok(FsReader {
            file: Arc::new(file),
            next: range.start,
            end: range.end.max(range.start),
            job: None,
            asked: 0,
        })
    }

    fn spawn_read(&mut self) {
        let (file, at) = (self.file.clone(), self.next);
        let len = (self.end - at).min(READ_CHUNK as u64) as usize;
        self.next += len as u64;
        self.asked = len;
        // Allocated here, where the sent chunk will be freed: the runtime's
        // worker keeps reusing the same memory (docs/performance.md).
        let mut buf = Vec::with_capacity(len);
        self.job = Some(spawn_blocking(move || {
            read_into(&file, &mut buf, at, len)?;
            Ok(Bytes::from(buf))
        }));
    }
}

/// Appends up to `len` of the file's bytes from `at` on to `buf` (fewer
/// where the file ends), without zeroing the room first: `pread` writes
/// straight into the allocation (zeroing a chunk cost as much as reading
/// it). The number of bytes read.
fn read_into(file: &File, buf: &mut Vec<u8>, at: u64, len: usize) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    buf.reserve(len);
    let start = buf.len();
    while buf.len() - start < len {
        let offset = at + (buf.len() - start) as u64;
        let offset = libc::off_t::try_from(offset).map_err(io::Error::other)?;
        let room = len - (buf.len() - start);
        // SAFETY: the pointer and length stay within the buffer's spare
        // capacity, and pread writes at most that many bytes.
        let n = unsafe {
            libc::pread(
                file.as_raw_fd(),
                buf.as_mut_ptr().add(buf.len()).cast(),
                room,
                offset,
            )
        };
        match n {
            0 => break,
            n if n > 0 => {
                // SAFETY: pread wrote these `n` bytes (n <= room).
                unsafe { buf.set_len(buf.len() + n as usize) };
            }
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
    Ok(buf.len() - start)
}

/// `Blobs::gather` on the fs store: the parts' bytes copied, and the blobs'
/// ranges read with `pread`, into one buffer.
pub fn gather(root: PathBuf, parts: Vec<super::Gather>) -> JoinHandle<io::Result<Bytes>> {
    let len = parts
        .iter()
        .map(|p| match p {
            super::Gather::Bytes(b) => b.len(),
            super::Gather::Blob { range, .. } => (range.end - range.start) as usize,
        })
        .sum();
    // Allocated here, on the worker that frees the sent chunk, as FsReader's.
    let mut buf = Vec::with_capacity(len);
    spawn_blocking(move || {
        for part in parts {
            match part {
                super::Gather::Bytes(b) => buf.extend_from_slice(&b),
                super::Gather::Blob { key, range } => {
                    let file = File::open(root.join(&key))?;
                    let want = (range.end - range.start) as usize;
                    let got = read_into(&file, &mut buf, range.start, want).map_err(|e| {
                        io::Error::new(e.kind(), format!("reading blob {key}: {e}"))
                    })?;
                    if got < want {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("reading blob {key}: it ended {} bytes early", want - got),
                        ));
                    }
                }
            }
        }
        Ok(Bytes::from(buf))
    })
}

impl Stream for FsReader {
    type Item = io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.job.is_none() {
            if self.next >= self.end {
                return Poll::Ready(None);
            }
            self.spawn_read();
        }
        let Some(job) = self.job.as_mut() else {
            return Poll::Ready(None);
        };
        let res = joined(ready!(Pin::new(job).poll(cx)));
        self.job = None;
        match res {
            // The file ended early: the caller's length check reports it.
            Ok(chunk) if chunk.is_empty() => {
                self.next = self.end;
                Poll::Ready(None)
            }
            Ok(chunk) => {
                if chunk.len() < self.asked {
                    self.next = self.end;
                } else if self.next < self.end {
                    self.spawn_read();
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Err(e) => {
                self.next = self.end;
                Poll::Ready(Some(Err(e)))
            }
        }
    }
}

impl Drop for FsReader {
    fn drop(&mut self) {
        // A read ahead that nobody will take: its result is dropped with it.
        if let Some(job) = self.job.take() {
            job.abort();
        }
    }
}

/// A resumable upload's unfinished file, appended to by one request at a
/// time: opened at the acknowledged offset (bytes after it, written but
/// never acknowledged, are dropped), written (and hashed) in blocks as a
/// new blob is, and synced before the offset moves on.
pub struct Partial {
    blocks: Blocks,
}

impl Partial {
    /// `hasher`: the checksums of the acknowledged bytes, to go on with
    /// (None: not hashed here).
    pub async fn open(path: PathBuf, offset: u64, hasher: Option<Digest>) -> io::Result<Partial> {
        let file = joined(
            spawn_blocking({
                let path = path.clone();
                move || {
                    if let Some(dir) = path.parent() {
                        crate::secrets::create_private_dir(dir)?;
                    }
                    // Only a new upload starts a file: acknowledged bytes
                    // that are gone must not come back as zeros.
                    let mut file = std::fs::OpenOptions::new()
                        .write(true)
                        .create(offset == 0)
                        .truncate(false)
                        .mode(0o600)
                        .open(&path)?;
                    if file.metadata()?.len() < offset {
                        return Err(io::Error::other("the partial file lost acknowledged bytes"));
                    }
                    file.set_len(offset)?;
                    file.seek(SeekFrom::Start(offset))?;
                    Ok(file)
                }
            })
            .await,
        )?;
        Ok(Partial {
            blocks: Blocks::new(
                Disk {
                    path,
                    file: Some(file),
                    hasher,
                    written: offset,
                    started: offset,
                },
                PARTIAL_MIN_BLOCK,
            ),
        })
    }

    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.blocks.write(bytes).await
    }

    /// Writes what is gathered and syncs the file: everything written so
    /// far survives a crash once this returns. Hands back the hasher,
    /// covering every byte written.
    pub async fn sync(&mut self) -> io::Result<Option<Digest>> {
        self.blocks
            .on_disk(|disk| {
                disk.file()?.sync_data()?;
                Ok(disk.hasher.take())
            })
            .await
    }

    /// Cuts the file back to `len` bytes (a request's bytes refused).
    pub async fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.blocks.block.clear();
        self.blocks
            .on_disk(move |disk| {
                let file = disk.file()?;
                file.set_len(len)?;
                file.seek(SeekFrom::Start(len))?;
                disk.written = len;
                disk.started = disk.started.min(len);
                disk.hasher = None;
                Ok(())
            })
            .await
    }
}

/// The checksums and length of a file, read on a blocking thread.
pub async fn hash_file(path: PathBuf) -> io::Result<(Sums, u64)> {
    joined(
        spawn_blocking(move || {
            let mut hasher = Digest::default();
            let n = hasher.update_reader(File::open(&path)?)?;
            Ok((hasher.finalize(), n))
        })
        .await,
    )
}

/// Moves a finished file into the store under `dest` below `root`
/// (synced, renamed, the directory synced).
pub async fn adopt(path: PathBuf, dest: PathBuf, root: PathBuf) -> io::Result<()> {
    joined(
        spawn_blocking(move || {
            File::open(&path)?.sync_all()?;
            move_into_place(&path, &dest, &root)
        })
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_stays_within_its_budget_and_is_given_back() {
        let budget: &'static Budget = Box::leak(Box::new(Budget {
            used: AtomicUsize::new(0),
            limit: 100,
        }));
        let mut a = Growth::new(budget);
        let mut b = Growth::new(budget);
        assert!(a.take(60));
        assert!(!b.take(60), "past the limit");
        assert!(b.take(40));
        assert!(!a.take(1));
        drop(a);
        assert_eq!(budget.used.load(Ordering::Acquire), 40);
        assert!(b.take(60));
        drop(b);
        assert_eq!(budget.used.load(Ordering::Acquire), 0);
    }

    /// Uploads finishing together into a key directory that does not exist
    /// yet: each must land, whichever of them creates the directory.
    #[test]
    fn blobs_racing_into_a_new_directory_all_land() {
        let base = tempfile::tempdir().expect("tempdir");
        for round in 0..100 {
            let root = base.path().join(format!("r{round}"));
            std::fs::create_dir(&root).expect("root");
            let barrier = Arc::new(std::sync::Barrier::new(16));
            let movers: Vec<_> = (0..16)
                .map(|i| {
                    let (root, barrier) = (root.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        let tmp = root.join(format!("t{i}"));
                        std::fs::write(&tmp, [i as u8]).expect("tmp");
                        let dest = root.join("ab").join(format!("ab{i}"));
                        barrier.wait();
                        move_into_place(&tmp, &dest, &root)
                    })
                })
                .collect();
            for (i, m) in movers.into_iter().enumerate() {
                let moved = m.join().expect("thread");
                assert!(moved.is_ok(), "round {round}, blob {i}: {moved:?}");
            }
            for i in 0..16u8 {
                let dest = root.join("ab").join(format!("ab{i}"));
                assert_eq!(std::fs::read(dest).expect("landed"), [i]);
            }
        }
    }
}
