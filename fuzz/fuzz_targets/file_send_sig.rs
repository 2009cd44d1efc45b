//! The file_send request signature: the message a GET signs from its raw
//! query string, the signed-body message built from the same pairs, and
//! the key derivation. Input lines: the API method path, the raw query,
//! `GET` or another method, the secret.
#![no_main]

use dropspace_proto::file_send::{body_message, message, sign, signing_key};
use libfuzzer_sys::fuzz_target;
use percent_encoding::percent_decode_str;

const BASE: &str = "https://files.example.test";

fn key_of(pair: &str) -> String {
    let key = pair.split('=').next().unwrap_or("");
    percent_decode_str(&key.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

struct Input<'a> {
    path: &'a str,
    query: Option<&'a str>,
    is_get: bool,
    secret: &'a str,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let input = Input {
        path: lines.next().unwrap_or(""),
        query: lines.next(),
        is_get: lines.next().is_none_or(|m| m.trim() == "GET"),
        secret: lines.next().unwrap_or(""),
    };
    let m = message(BASE, input.path, input.is_get, input.query);
    let base = format!("{BASE}/api/{}", input.path);
    if !input.is_get {
        assert_eq!(m, base);
    } else {
        let query = m
            .strip_prefix(&base)
            .and_then(|q| q.strip_prefix('?'))
            .expect("the method URL, then the query");
        let raw = input.query.unwrap_or("");
        let pairs: Vec<&str> = raw.split('&').filter(|p| !p.is_empty()).collect();
        let kept: Vec<&str> = pairs
            .iter()
            .copied()
            .filter(|p| key_of(p) != "signature")
            .collect();
        // Every pair but `signature` is signed, exactly as sent, by name.
        let signed: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        let mut a = signed.clone();
        let mut b = kept.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        let keys: Vec<String> = signed.iter().map(|p| key_of(p)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]));
        // The order the client sent them in does not matter.
        let mut reversed = pairs.clone();
        reversed.reverse();
        let mut distinct = keys.clone();
        distinct.dedup();
        if distinct.len() == keys.len() {
            let m2 = message(BASE, input.path, true, Some(&reversed.join("&")));
            assert_eq!(m, m2);
        }
    }
    body_mode(input.path, input.query.unwrap_or(""));
    let key = signing_key(input.secret);
    assert_eq!(key.len(), 40);
    let sig = sign(&key, &m);
    assert_eq!(sig.len(), 64);
    assert_eq!(sig, sign(&key, &m));
});

/// Signed-body mode: after `?` only unreserved bytes, `%XX`, one `=` per
/// pair and `&` between pairs (no name or value can pose as a separator),
/// never the signature, and the same message whatever the order.
fn body_mode(path: &str, raw: &str) {
    let params: Vec<(&str, &str)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let m = body_message(BASE, path, params.iter().copied());
    let query = m
        .strip_prefix(&format!("{BASE}/api/{path}?"))
        .expect("the method URL, then ?");
    let bytes = query.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        assert!(
            b.is_ascii_alphanumeric() || b"-._~%=&".contains(b),
            "{query}"
        );
        if *b == b'%' {
            let hex = bytes.get(i + 1..i + 3).expect("two hex digits");
            assert!(hex
                .iter()
                .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h)));
        }
    }
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let kept = params.iter().filter(|(k, _)| *k != "signature").count();
    assert_eq!(pairs.len(), kept);
    assert!(pairs.iter().all(|p| p.matches('=').count() == 1));
    assert!(!pairs.iter().any(|p| p.starts_with("signature=")));
    let mut reversed = params.clone();
    reversed.reverse();
    assert_eq!(m, body_message(BASE, path, reversed.iter().copied()));
}
