//! `Range` and `If-Range` for downloads (RFC 9110 §14): one byte range per
//! request. Several ranges, other units or a malformed header are ignored
//! (the whole file is sent), as the RFC allows; a well-formed range that
//! starts past the end is unsatisfiable (416).

use std::ops::Range;

/// What a `Range` header asks of a file of a given size.
#[derive(Debug, PartialEq, Eq)]
pub enum Ask {
    /// No usable Range header: the whole file, 200.
    Whole,
    /// One satisfiable range, 206.
    Part(Range<u64>),
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// Interprets a `Range` header value against `size`.
pub fn parse(header: Option<&str>, size: u64) -> Ask {
    let Some(value) = header else {
        return Ask::Whole;
    };
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ask::Whole;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return Ask::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ask::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (first.is_empty(), last.is_empty()) {
        // bytes=-N: the last N bytes.
        (true, false) => {
            if !digits(last) {
                return Ask::Whole;
            }
            match last.parse::<u64>() {
                Ok(0) => Ask::Unsatisfiable,
                Ok(n) if size > 0 => Ask::Part(size.saturating_sub(n)..size),
                Ok(_) => Ask::Unsatisfiable,
                // More digits than u64 holds: the whole file is "the last N".
                Err(_) if size > 0 => Ask::Part(0..size),
                Err(_) => Ask::Unsatisfiable,
            }
        }
        // bytes=A- or bytes=A-B
        (false, _) => {
            if !digits(first) || !(last.is_empty() || digits(last)) {
                return Ask::Whole;
            }
            let Ok(start) = first.parse::<u64>() else {
                return Ask::Unsatisfiable;
            };
            let end = if last.is_empty() {
                size
            } else {
                match last.parse::<u64>() {
                    Ok(l) if l < start => return Ask::Whole,
                    Ok(l) => l.saturating_add(1).min(size),
                    Err(_) => size,
                }
            };
            if start >= size {
                Ask::Unsatisfiable
            } else {
                Ask::Part(start..end)
            }
        }
        (true, true) => Ask::Whole,
    }
}

/// Whether an `If-Range` value still names the stored file: a strong ETag
/// equal to ours, or exactly our `Last-Modified` date. Anything else means
/// the client's partial copy is stale and must get the whole file.
pub fn if_range_matches(value: &str, etag: &str, last_modified: &str) -> bool {
    let value = value.trim();
    if value.starts_with("W/") {
        return false;
    }
    if value.starts_with('"') {
        return value == etag;
    }
    value == last_modified
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges() {
        assert_eq!(parse(None, 10), Ask::Whole);
        assert_eq!(parse(Some("bytes=0-"), 10), Ask::Part(0..10));
        assert_eq!(parse(Some("bytes=0-0"), 10), Ask::Part(0..1));
        assert_eq!(parse(Some("bytes=2-5"), 10), Ask::Part(2..6));
        assert_eq!(parse(Some("bytes=9-"), 10), Ask::Part(9..10));
        assert_eq!(parse(Some("bytes=9-9"), 10), Ask::Part(9..10));
        assert_eq!(parse(Some("bytes=5-100"), 10), Ask::Part(5..10));
        assert_eq!(parse(Some("bytes=-3"), 10), Ask::Part(7..10));
        assert_eq!(parse(Some("bytes=-30"), 10), Ask::Part(0..10));
        assert_eq!(parse(Some(" bytes= 1 - 2 "), 10), Ask::Part(1..3));
    }

    #[test]
    fn unsatisfiable_and_ignored() {
        assert_eq!(parse(Some("bytes=10-"), 10), Ask::Unsatisfiable);
        assert_eq!(parse(Some("bytes=10-20"), 10), Ask::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 10), Ask::Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-"), 0), Ask::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-5"), 0), Ask::Unsatisfiable);
        assert_eq!(
            parse(Some("bytes=99999999999999999999999-"), 10),
            Ask::Unsatisfiable
        );
        // Malformed, other units, several ranges, reversed: the whole file.
        for h in [
            "bytes=5-2",
            "bytes=a-b",
            "bytes=-",
            "bytes=1-2,4-5",
            "items=0-1",
            "bytes=+1-2",
            "bytes=1--2",
            "",
        ] {
            assert_eq!(parse(Some(h), 10), Ask::Whole, "{h}");
        }
    }

    #[test]
    fn if_range() {
        let lm = "Tue, 01 Dec 2026 10:00:00 GMT";
        assert!(if_range_matches("\"abc\"", "\"abc\"", lm));
        assert!(!if_range_matches("\"abd\"", "\"abc\"", lm));
        assert!(!if_range_matches("W/\"abc\"", "\"abc\"", lm));
        assert!(if_range_matches(lm, "\"abc\"", lm));
        assert!(!if_range_matches(
            "Tue, 01 Dec 2026 10:00:01 GMT",
            "\"abc\"",
            lm
        ));
    }
}
