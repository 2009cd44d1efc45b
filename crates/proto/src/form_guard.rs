//! A bound in front of the upload form's multipart parser (docs/security.md,
//! "Abuse limits"). The parser (multer) keeps everything it has not framed
//! yet: a body with no boundary, or a part head that never ends, would be
//! buffered whole and rescanned on every chunk. This stream wrapper follows
//! the same framing on its own and refuses the body once more than
//! `head_limit` bytes arrive outside part bodies in one stretch (preamble and
//! first head, or boundary line and head), or once the whole body passes
//! `total_limit`. Part bodies pass through as they come (no copy); the bytes
//! of a stretch outside bodies are held and handed on at once when the body
//! after it starts, so the parser frames each head in one pass.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;

/// Longest boundary taken (RFC 2046 allows 70 characters).
pub const MAX_BOUNDARY: usize = 200;

/// Why a body was refused.
#[derive(Debug)]
pub enum GuardError {
    /// More than this many bytes outside part bodies in one stretch.
    HeadTooLong(u64),
    /// The whole body passed this many bytes.
    BodyTooLarge(u64),
    /// A boundary longer than `MAX_BOUNDARY`.
    BadBoundary,
    /// The body itself could not be read.
    Read(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::HeadTooLong(n) => {
                write!(f, "the form's part headers are longer than {n} bytes")
            }
            GuardError::BodyTooLarge(n) => write!(f, "the form is larger than {n} bytes"),
            GuardError::BadBoundary => write!(f, "the form's boundary is too long"),
            GuardError::Read(e) => write!(f, "reading the body: {e}"),
        }
    }
}

impl std::error::Error for GuardError {}

/// Where the framing is, as the parser frames it: `--B` starts the first
/// part anywhere; a boundary line ends at its first CRLF; the head runs to
/// the first CRLF CRLF after it; a body ends at `CRLF--B`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    Preamble,
    BoundaryLine,
    Head,
    Body,
}

/// The pure framing scanner: finds the next stage change in a chunk,
/// carrying at most a pattern's length of bytes across chunks.
struct Framing {
    /// `\r\n--` + boundary.
    delimiter: Vec<u8>,
    stage: Stage,
    /// The last bytes seen in this stage that may start a match.
    carry: Vec<u8>,
}

impl Framing {
    fn pattern(&self) -> &[u8] {
        match self.stage {
            Stage::Preamble => &self.delimiter[2..],
            Stage::BoundaryLine => b"\r\n",
            Stage::Head => b"\r\n\r\n",
            Stage::Body => &self.delimiter,
        }
    }

    /// The end (exclusive) of the current stage's pattern in `chunk`, if it
    /// ends there; the stage then moves on and the carry starts over.
    fn find(&mut self, chunk: &[u8]) -> Option<usize> {
        let pattern = self.pattern().to_vec();
        let keep = pattern.len() - 1;
        let mut end = None;
        if !self.carry.is_empty() {
            // A match that starts in the carry ends within `keep` bytes.
            let mut joint = self.carry.clone();
            joint.extend_from_slice(&chunk[..chunk.len().min(keep)]);
            if let Some(i) = memchr::memmem::find(&joint, &pattern) {
                end = Some(i + pattern.len() - self.carry.len());
            }
        }
        if end.is_none() {
            end = memchr::memmem::find(chunk, &pattern).map(|i| i + pattern.len());
        }
        match end {
            Some(e) => {
                self.carry.clear();
                self.stage = match self.stage {
                    Stage::Preamble | Stage::Body => Stage::BoundaryLine,
                    Stage::BoundaryLine => Stage::Head,
                    Stage::Head => Stage::Body,
                };
                Some(e)
            }
            None => {
                self.carry.extend_from_slice(chunk);
                let cut = self.carry.len().saturating_sub(keep);
                self.carry.drain(..cut);
                None
            }
        }
    }
}

/// The guarded body: yields the inner stream's bytes unchanged (part bodies
/// as they come, the rest once framed), or a `GuardError`.
pub struct FormGuard<S> {
    inner: S,
    framing: Framing,
    head_limit: u64,
    total_limit: u64,
    total: u64,
    /// Bytes outside bodies in the current stretch, held.
    held: BytesMut,
    /// The unscanned rest of a chunk.
    rest: Option<Bytes>,
    failed: Option<GuardError>,
    done: bool,
}

impl<S> FormGuard<S> {
    /// `head_limit`: bytes allowed outside part bodies in one stretch;
    /// `total_limit`: the whole body (`u64::MAX` = unbounded).
    pub fn new(inner: S, boundary: &str, head_limit: u64, total_limit: u64) -> FormGuard<S> {
        let failed = (boundary.is_empty() || boundary.len() > MAX_BOUNDARY)
            .then_some(GuardError::BadBoundary);
        FormGuard {
            inner,
            framing: Framing {
                delimiter: format!("\r\n--{boundary}").into_bytes(),
                stage: Stage::Preamble,
                carry: Vec::new(),
            },
            head_limit,
            total_limit,
            total: 0,
            held: BytesMut::new(),
            rest: None,
            failed,
            done: false,
        }
    }

    fn fail(&mut self, e: GuardError) -> Poll<Option<Result<Bytes, GuardError>>> {
        self.done = true;
        self.held = BytesMut::new();
        self.rest = None;
        Poll::Ready(Some(Err(e)))
    }
}

/// The bound on a whole upload body: the file's size limit (`-1` = none)
/// plus every other part a form may have at its largest.
pub fn body_bound(max_file_size: i64, head_limit: u64) -> u64 {
    use crate::upload::{MAX_FIELD, MAX_PARTS};
    if max_file_size < 0 {
        return u64::MAX;
    }
    let parts = MAX_PARTS as u64;
    (max_file_size as u64)
        .saturating_add((parts + 1).saturating_mul(head_limit))
        .saturating_add(parts.saturating_mul(MAX_FIELD as u64))
}

impl<S, E> Stream for FormGuard<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Item = Result<Bytes, GuardError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(e) = this.failed.take() {
            return this.fail(e);
        }
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            let chunk = match this.rest.take() {
                Some(c) => c,
                None => match Pin::new(&mut this.inner).poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(None) => {
                        this.done = true;
                        if this.held.is_empty() {
                            return Poll::Ready(None);
                        }
                        return Poll::Ready(Some(Ok(this.held.split().freeze())));
                    }
                    Poll::Ready(Some(Err(e))) => return this.fail(GuardError::Read(e.into())),
                    Poll::Ready(Some(Ok(c))) => {
                        this.total = this.total.saturating_add(c.len() as u64);
                        if this.total > this.total_limit {
                            return this.fail(GuardError::BodyTooLarge(this.total_limit));
                        }
                        c
                    }
                },
            };
            if chunk.is_empty() {
                continue;
            }
            if this.framing.stage == Stage::Body {
                // Passed on as it is; only the framing is looked at.
                return Poll::Ready(Some(Ok(match this.framing.find(&chunk) {
                    None => chunk,
                    Some(end) => {
                        if end < chunk.len() {
                            this.rest = Some(chunk.slice(end..));
                        }
                        chunk.slice(..end)
                    }
                })));
            }
            let end = this.framing.find(&chunk);
            let taken = end.unwrap_or(chunk.len());
            if (this.held.len() + taken) as u64 > this.head_limit {
                return this.fail(GuardError::HeadTooLong(this.head_limit));
            }
            this.held.extend_from_slice(&chunk[..taken]);
            if taken < chunk.len() {
                this.rest = Some(chunk.slice(taken..));
            }
            if end.is_some() && this.framing.stage == Stage::Body {
                return Poll::Ready(Some(Ok(this.held.split().freeze())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::{stream, StreamExt};

    const FORM: &[u8] = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--XyZ  \r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--Xy\r\n--XyZ--\r\nepilogue";

    fn run(body: &[u8], chunk: usize, head: u64, total: u64) -> (Vec<Bytes>, Option<GuardError>) {
        let chunks: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut g = FormGuard::new(stream::iter(chunks), "XyZ", head, total);
        let mut out = Vec::new();
        while let Some(item) = block_on(g.next()) {
            match item {
                Ok(b) => out.push(b),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[test]
    fn passes_every_byte_in_order_whatever_the_chunks() {
        for chunk in 1..=FORM.len() {
            let (out, err) = run(FORM, chunk, 1024, u64::MAX);
            assert!(err.is_none(), "chunk {chunk}: {err:?}");
            assert_eq!(out.concat(), FORM, "chunk {chunk}");
        }
    }

    #[test]
    fn heads_are_handed_on_whole() {
        let (out, _) = run(FORM, 1, 1024, u64::MAX);
        assert!(out.contains(&Bytes::from_static(
            b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
        )));
        // The file's bytes (and a near-boundary inside them) came through.
        assert!(out.concat().windows(8).any(|w| w == b"\r\n--Xy\r\n"));
    }

    #[test]
    fn a_body_without_boundary_or_an_endless_head_is_refused() {
        let junk = vec![b'j'; 10_000];
        for chunk in [1, 7, 4096, 10_000] {
            let (out, err) = run(&junk, chunk, 1024, u64::MAX);
            assert!(
                matches!(err, Some(GuardError::HeadTooLong(1024))),
                "{err:?}"
            );
            assert!(out.is_empty());
        }
        let mut endless = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n".to_vec();
        endless.extend(std::iter::repeat_n(b"X-A: b\r\n".as_slice(), 500).flatten());
        let (_, err) = run(&endless, 100, 1024, u64::MAX);
        assert!(matches!(err, Some(GuardError::HeadTooLong(_))), "{err:?}");
        // The same body under a larger bound comes through (at the end).
        let (out, err) = run(&endless, 100, 1 << 20, u64::MAX);
        assert!(err.is_none());
        assert_eq!(out.concat(), endless);
    }

    #[test]
    fn the_whole_body_is_bounded() {
        let (_, err) = run(FORM, 16, 1024, 100);
        assert!(
            matches!(err, Some(GuardError::BodyTooLarge(100))),
            "{err:?}"
        );
        let (_, err) = run(FORM, 16, 1024, FORM.len() as u64);
        assert!(err.is_none());
        assert_eq!(body_bound(-1, 10), u64::MAX);
        assert_eq!(body_bound(1000, 10), 1000 + 65 * 10 + 64 * 64 * 1024);
    }

    #[test]
    fn long_boundaries_are_refused() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![];
        let mut g = FormGuard::new(stream::iter(chunks), &"b".repeat(201), 10, 10);
        assert!(matches!(
            block_on(g.next()),
            Some(Err(GuardError::BadBoundary))
        ));
        assert!(block_on(g.next()).is_none());
    }

    /// multer reads the same fields through the guard as without it.
    #[test]
    fn multer_sees_the_same_form() {
        async fn fields(body: Vec<u8>, chunk: usize, guard: bool) -> Vec<(String, Vec<u8>)> {
            let chunks: Vec<Result<Bytes, std::io::Error>> = body
                .chunks(chunk)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let mut mp = if guard {
                multer::Multipart::new(
                    FormGuard::new(stream::iter(chunks), "XyZ", 1024, u64::MAX),
                    "XyZ",
                )
            } else {
                multer::Multipart::new(stream::iter(chunks), "XyZ")
            };
            let mut out = Vec::new();
            while let Some(f) = mp.next_field().await.expect("field") {
                let name = f.name().unwrap_or("").to_string();
                out.push((name, f.bytes().await.expect("bytes").to_vec()));
            }
            out
        }
        for chunk in [1, 2, 5, 17, FORM.len()] {
            let plain = block_on(fields(FORM.to_vec(), chunk, false));
            assert_eq!(plain.len(), 2);
            assert_eq!(plain[1].1, b"\r\n--Xy");
            assert_eq!(block_on(fields(FORM.to_vec(), chunk, true)), plain);
        }
    }
}
