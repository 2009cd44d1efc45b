//! multipart/form-data bodies, read the two ways dropspace reads them: the
//! `/rest/` form (text fields under the 1 MiB body limit, and under a tiny
//! one) and the upload form (multer unconstrained, at most `MAX_PARTS`
//! parts, text fields up to `MAX_FIELD`, the file part streamed) with the
//! upload's own field handling, with and without the form guard in front
//! (unbounded it must change nothing). The first line is the Content-Type header,
//! the next byte picks the size of the body's chunks, the rest is the body.
#![no_main]

use bytes::Bytes;
use dropspace_proto::form_guard::{body_bound, FormGuard};
use dropspace_proto::upload::{clean_name, field_text, lower_limit, wants, MAX_FIELD, MAX_PARTS};
use futures::executor::block_on;
use futures::stream;
use libfuzzer_sys::fuzz_target;

/// The server's default `limits.max_api_body_bytes`.
const API_BODY_LIMIT: u64 = 1024 * 1024;
/// `MAX_NAME` of src/api/files.rs.
const MAX_NAME: usize = 255;

fn chunks(body: &[u8], size: usize) -> Vec<Result<Bytes, std::io::Error>> {
    body.chunks(size.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect()
}

fn rest_form(body: &[u8], boundary: &str, chunk: usize, limit: u64) {
    let stream = stream::iter(chunks(body, chunk));
    let read = dropspace_proto::form::read_text_fields(stream, boundary.to_string(), limit);
    if let Ok(fields) = block_on(read) {
        assert!(fields.iter().all(|(name, _)| !name.is_empty()));
    }
}

/// The part loop of `Ingest::run`, without storage, behind the form guard
/// when `head_limit` is given; the parts read, in order.
async fn upload_form(
    body: &[u8],
    boundary: &str,
    chunk: usize,
    head_limit: Option<u64>,
) -> (Vec<(String, usize)>, Result<(), multer::Error>) {
    let mut trace = Vec::new();
    let stream = stream::iter(chunks(body, chunk));
    let result = match head_limit {
        Some(limit) => {
            let guarded = FormGuard::new(stream, boundary, limit, body_bound(-1, limit));
            let mut form = multer::Multipart::new(guarded, boundary);
            parts(&mut form, body, &mut trace).await
        }
        None => {
            let mut form = multer::Multipart::new(stream, boundary);
            parts(&mut form, body, &mut trace).await
        }
    };
    (trace, result)
}

async fn parts(
    form: &mut multer::Multipart<'static>,
    body: &[u8],
    trace: &mut Vec<(String, usize)>,
) -> Result<(), multer::Error> {
    let mut userfile: Option<String> = None;
    let mut stored = false;
    let mut limit: i64 = -1;
    let mut parts = 0;
    while let Some(mut field) = form.next_field().await? {
        parts += 1;
        if parts > MAX_PARTS {
            return Ok(());
        }
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) if !stored && wants(userfile.as_deref(), &name, &file_name) => {
                stored = true;
                let mut size = 0usize;
                while let Some(c) = field.chunk().await? {
                    size += c.len();
                }
                assert!(size <= body.len());
                trace.push((name.clone(), size));
                let clean = clean_name(&file_name, MAX_NAME);
                assert!(!clean.is_empty() && clean != "." && clean != "..");
                assert!(clean.len() <= MAX_NAME);
                assert!(!clean
                    .chars()
                    .any(|c| c.is_control() || c == '/' || c == '\\'));
            }
            Some(_) => while field.chunk().await?.is_some() {},
            None => {
                let mut buf = Vec::new();
                while let Some(c) = field.chunk().await? {
                    if buf.len() + c.len() > MAX_FIELD {
                        return Ok(());
                    }
                    buf.extend_from_slice(&c);
                }
                trace.push((name.clone(), buf.len()));
                let value = field_text(&buf);
                match name.as_str() {
                    "MAX_FILE_SIZE" => {
                        let lowered = lower_limit(limit, value.trim());
                        assert!(
                            lowered == limit || (lowered > 0 && (limit < 0 || lowered < limit))
                        );
                        limit = lowered;
                    }
                    "userfile" => userfile = Some(value),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let Ok(ctype) = std::str::from_utf8(&data[..nl]) else {
        return;
    };
    let Ok(boundary) = multer::parse_boundary(ctype) else {
        return;
    };
    let rest = &data[nl + 1..];
    let Some((&pick, body)) = rest.split_first() else {
        return;
    };
    // 0 = the whole body in one chunk; else chunks of 1..=255 bytes.
    let chunk = if pick == 0 {
        body.len()
    } else {
        usize::from(pick)
    };
    rest_form(body, &boundary, chunk, API_BODY_LIMIT);
    rest_form(body, &boundary, chunk, u64::from(pick));
    let (plain, plain_result) = block_on(upload_form(body, &boundary, chunk, None));
    // Unbounded, the guard hands the parser the same form.
    let (open, open_result) = block_on(upload_form(body, &boundary, chunk, Some(u64::MAX)));
    assert_eq!(plain, open);
    assert_eq!(plain_result.is_ok(), open_result.is_ok());
    // Bounded, it may only cut the form short.
    let (tight, _) = block_on(upload_form(body, &boundary, chunk, Some(u64::from(pick))));
    assert!(plain.starts_with(&tight));
});
