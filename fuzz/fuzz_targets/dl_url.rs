//! Signed download URLs: a request path taken apart as the `/dl/` routes
//! do (segments percent-decoded, 4 or 5 of them), parsed and verified; and
//! URLs made from arbitrary parts, which must verify after the round trip,
//! with the Content-Disposition header their download answers with.
//! Input lines: a request path, then the id, account, expiry and file name
//! of a URL to make.
#![no_main]

use dropspace_proto::links::{content_disposition, message, sign, url_name, verify, Signed};
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;

const KEY: [u8; 32] = [0x5a; 32];
const BLOB_KEY: &str = "blobs/ab/ab12cd-0123456789";

/// The path segments after `/dl/`, decoded as axum's `Path` does (a
/// segment that is not UTF-8 once decoded is refused).
fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix("/dl/")?;
    let raw: Vec<&str> = rest.split('/').collect();
    if !(4..=5).contains(&raw.len()) || raw.iter().any(|s| s.is_empty()) {
        return None;
    }
    raw.iter()
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        })
        .collect()
}

fn check(path: &str) -> bool {
    let Some(seg) = segments(path) else {
        return false;
    };
    let Some(s) = Signed::parse(&seg[0], &seg[1], &seg[2], &seg[3]) else {
        return false;
    };
    let msg = message(s.id, BLOB_KEY, s.account, s.expires);
    let ok = verify(&KEY, &msg, s.sig);
    // Only the one canonical signature is accepted.
    assert_eq!(ok, s.sig == sign(&KEY, &msg));
    ok
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    check(lines.next().unwrap_or(""));

    let id_line = lines.next().unwrap_or("");
    let number = |s: Option<&str>| {
        let s = s.unwrap_or("");
        s.trim().parse::<i64>().unwrap_or(s.len() as i64)
    };
    let account = number(lines.next());
    let expires = number(lines.next());
    let name = lines.next().unwrap_or("");

    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let id: String = id_line
        .bytes()
        .chain(std::iter::repeat(b'a'))
        .take(6)
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect();
    let sig = sign(&KEY, &message(&id, BLOB_KEY, account, expires));
    // The real name travels in Content-Disposition: a valid header value
    // whatever it holds, and `filename*` gives it back exactly.
    let disposition = content_disposition(name);
    assert!(disposition
        .bytes()
        .all(|b| b == b' ' || b.is_ascii_graphic()));
    let (head, encoded) = disposition
        .split_once("; filename*=UTF-8''")
        .expect("filename*");
    let fallback = head
        .strip_prefix("attachment; filename=\"")
        .and_then(|f| f.strip_suffix('"'))
        .expect("quoted filename");
    assert!(!fallback.contains(['"', '\\']));
    assert_eq!(
        percent_decode_str(encoded).decode_utf8().ok().as_deref(),
        Some(name)
    );
    let name = url_name(name);
    assert!(name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._~-".contains(&b)));
    assert!(!name.trim_matches('.').is_empty() && name.len() <= 100);
    let url = format!("/dl/{id}/{account}/{expires}/{sig}/{name}");
    assert!(check(&url), "{url}");
    // Any other account or expiry is refused with the same signature.
    let other = format!("/dl/{id}/{}/{expires}/{sig}", account.wrapping_add(1));
    assert!(!check(&other));
    let other = format!("/dl/{id}/{account}/{}/{sig}", expires.wrapping_sub(1));
    assert!(!check(&other));
});
