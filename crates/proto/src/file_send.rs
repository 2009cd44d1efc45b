//! Request signatures of the file_send API: the lowercase hex HMAC-SHA256
//! of a message, keyed with the lowercase hex SHA-1 of the API secret. For a
//! GET the message is the full request URL (`{public_url}/api/{method}`)
//! with its query parameters sorted by name, `signature` left out, each
//! pair exactly as sent; for any other method it is the method URL alone.

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
