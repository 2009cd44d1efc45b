//! Request signatures of the file_send API: the lowercase hex HMAC-SHA256
//! of a message, keyed with the lowercase hex SHA-1 of the API secret. For a
//! GET the message is the full request URL (`{public_url}/api/{method}`)
//! with its query parameters sorted by name, `signature` left out, each
//! pair exactly as sent; for any other method it is the method URL alone.
//!
//! A credential in signed-body mode signs its POSTs with `body_message`
//! instead: the method URL, `?`, and every parameter the call carries
//! (`signature` left out) in one canonical form (docs/file-send.md).

use hmac::{Hmac, Mac};
use sha1::Digest;
use sha2::Sha256;

/// Lowercase hex SHA-1 of the secret: the HMAC key.
pub fn signing_key(secret: &str) -> String {
    hex::encode(sha1::Sha1::digest(secret.as_bytes()))
}

/// Lowercase hex HMAC-SHA256 of `message` under `key`.
pub fn sign(key: &str, message: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The message a request signs (see the module doc).
pub fn message(public_url: &str, path: &str, is_get: bool, raw_query: Option<&str>) -> String {
    let base = format!("{public_url}/api/{path}");
    if !is_get {
        return base;
    }
    let mut pairs: Vec<(String, &str)> = raw_query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let key = p.split('=').next().unwrap_or("");
            let decoded = percent_encoding::percent_decode_str(&key.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned();
            (decoded, p)
        })
        .filter(|(k, _)| k != "signature")
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query: Vec<&str> = pairs.into_iter().map(|(_, p)| p).collect();
    format!("{base}?{}", query.join("&"))
}

/// Bytes kept as they are in a canonical parameter: RFC 3986 unreserved.
const CANONICAL: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A name or value as the canonical string writes it: UTF-8, every byte
/// but `A-Z a-z 0-9 - . _ ~` as `%XX` (uppercase hex; a space is `%20`).
pub fn canonical_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, CANONICAL).to_string()
}

/// The message a call signs in signed-body mode:
/// `{public_url}/api/{path}?` then `name=value` for every parameter but
/// `signature` (decoded values, as the server reads them — query and body
/// together, one value per name), each encoded by `canonical_encode`,
/// sorted by name (bytewise), joined by `&`.
pub fn body_message<'a>(
    public_url: &str,
    path: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| *k != "signature")
        .map(|(k, v)| (canonical_encode(k), canonical_encode(v)))
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{public_url}/api/{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_sorts_by_decoded_name_and_drops_the_signature() {
        let m = message(
            "https://x.test",
            "send",
            true,
            Some("timestamp=1&signature=ff&api_key=K&a%62c=2&&z=%zz"),
        );
        assert_eq!(
            m,
            "https://x.test/api/send?a%62c=2&api_key=K&timestamp=1&z=%zz"
        );
        assert_eq!(
            message("https://x.test", "send", false, Some("b=1")),
            "https://x.test/api/send"
        );
    }

    #[test]
    fn body_messages_are_canonical() {
        let m = body_message(
            "https://x.test",
            "file_send",
            [
                ("timestamp", "10"),
                ("signature", "ff"),
                ("non_users", "a@b.c,d+e@f.g"),
                ("message", "Hi there~ 100%*"),
                ("api_key", "K"),
                ("file_id", "abc123"),
            ],
        );
        assert_eq!(
            m,
            "https://x.test/api/file_send?api_key=K&file_id=abc123\
             &message=Hi%20there~%20100%25%2A&non_users=a%40b.c%2Cd%2Be%40f.g&timestamp=10"
        );
        assert_eq!(canonical_encode("é/"), "%C3%A9%2F");
    }

    #[test]
    fn signatures_are_lowercase_hex() {
        let key = signing_key("secret");
        assert_eq!(key, "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4");
        let sig = sign(&key, "m");
        assert_eq!(sig.len(), 64);
        assert!(sig
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
}
