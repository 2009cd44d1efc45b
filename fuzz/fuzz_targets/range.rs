//! `Range` and `If-Range` headers against a file size. Input lines: the
//! Range value, the file size, the If-Range value, our ETag's inside.
#![no_main]

use dropspace_proto::range::{if_range_matches, parse, Ask};
use libfuzzer_sys::fuzz_target;

const LAST_MODIFIED: &str = "Tue, 01 Dec 2026 10:00:00 GMT";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let range = lines.next();
    let size_line = lines.next().unwrap_or("");
    let if_range = lines.next().unwrap_or("");
    let etag = format!("\"{}\"", lines.next().unwrap_or("k"));
    let size = size_line
        .trim()
        .parse::<u64>()
        .unwrap_or(size_line.len() as u64);
    // Small files hit the edges more often than random sizes.
    for size in [size, size_line.len() as u64, 0, 1, u64::MAX] {
        let ask = parse(range, size);
        if let Ask::Part(r) = &ask {
            assert!(r.start < r.end && r.end <= size, "{r:?} of {size}");
        }
        if let Some(h) = range {
            // Surrounding blanks never change the answer.
            assert_eq!(parse(Some(&format!(" \t{h} ")), size), ask);
        }
    }
    if if_range_matches(if_range, &etag, LAST_MODIFIED) {
        let v = if_range.trim();
        assert!(v == etag || v == LAST_MODIFIED);
    }
    assert!(if_range_matches(&format!(" {etag}"), &etag, LAST_MODIFIED));
    assert!(!if_range_matches(
        &format!("W/{etag}"),
        &etag,
        LAST_MODIFIED
    ));
});
