//! `Range` and `If-Range` for downloads and previews: the parsing lives in
//! `dropspace-proto` (fuzzed there, see docs/fuzzing.md); here the answer's
//! part, status and `Content-Range`, shared by both handlers.

use std::ops::Range;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use dropspace_proto::range::{if_range_matches, parse, Ask};

/// The bytes of `size` a request asks for (a single range, dropped when
/// `If-Range` names another version), or why not.
pub fn requested(
    headers: &HeaderMap,
    size: u64,
    etag: &str,
    last_modified: &str,
) -> Result<Range<u64>, Unsatisfiable> {
    let mut ask = parse(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        size,
    );
    if let Some(cond) = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        if !if_range_matches(cond, etag, last_modified) {
            ask = Ask::Whole;
        }
    }
    match ask {
        Ask::Whole => Ok(0..size),
        Ask::Part(r) => Ok(r),
        Ask::Unsatisfiable => Err(Unsatisfiable(size)),
    }
}

/// The 416 answer to a range outside a file of this size.
pub struct Unsatisfiable(u64);

impl IntoResponse for Unsatisfiable {
    fn into_response(self) -> Response {
        (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [
                (header::CONTENT_RANGE, format!("bytes */{}", self.0)),
                (header::ACCEPT_RANGES, "bytes".to_string()),
            ],
        )
            .into_response()
    }
}

/// 206 with its `Content-Range` for a part, 200 for the whole.
pub fn status_for(h: &mut HeaderMap, part: &Range<u64>, size: u64) -> StatusCode {
    if *part == (0..size) {
        return StatusCode::OK;
    }
    let value = format!(
        "bytes {}-{}/{}",
        part.start,
        part.end.saturating_sub(1),
        size
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        h.insert(header::CONTENT_RANGE, v);
    }
    StatusCode::PARTIAL_CONTENT
}
