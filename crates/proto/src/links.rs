//! Signed, expiring direct download URLs:
//! `{public_url}/dl/{file_id}/{account}/{expires}/{signature}/{name}`.
//! The signature covers the file id, its blob key (a later file that reuses
//! the id gets nothing), the account to charge (0 = nobody) and the expiry;
//! the trailing name is cosmetic (for `wget` and `curl -O`) and unsigned.
//! The signature is HMAC-SHA256 in URL-safe base64 without padding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What a direct URL's signature covers.
pub fn message(file_id: &str, blob_key: &str, account: i64, expires: i64) -> String {
    format!("dl:{file_id}:{blob_key}:{account}:{expires}")
}

/// A file id: six lowercase letters or digits.
pub fn is_id(s: &str) -> bool {
    s.len() == 6
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The signed path segments of a `/dl/` URL, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signed<'a> {
    pub id: &'a str,
    pub account: i64,
    pub expires: i64,
    pub sig: &'a str,
}

impl<'a> Signed<'a> {
    /// The (already percent-decoded) segments; `None` for any that cannot
    /// be ours, before any lookup.
    pub fn parse(id: &'a str, account: &str, expires: &str, sig: &'a str) -> Option<Signed<'a>> {
        let account = account.parse::<i64>().ok()?;
        let expires = expires.parse::<i64>().ok()?;
        is_id(id).then_some(Signed {
            id,
            account,
            expires,
            sig,
        })
    }
}

fn mac(key: &[u8], msg: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA256 of `msg` under `key`, URL-safe base64 without padding.
pub fn sign(key: &[u8], msg: &str) -> String {
    B64.encode(mac(key, msg))
}

/// Constant-time check of a `sign` output.
pub fn verify(key: &[u8], msg: &str, sig: &str) -> bool {
    match B64.decode(sig) {
        Ok(given) => mac(key, msg).as_slice().ct_eq(&given).into(),
        Err(_) => false,
    }
}

/// The name as a last path segment that needs no escaping anywhere
/// (`[A-Za-z0-9._~-]`); the real name travels in Content-Disposition.
pub fn url_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    // Never `.` or `..`, which clients and proxies resolve away.
    if out.trim_matches('.').is_empty() {
        out = "file".into();
    }
    out
}

/// `attachment` with the name twice (RFC 6266): an ASCII fallback for old
/// clients and the exact UTF-8 name as RFC 5987 `filename*`.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, RFC5987).to_string();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Everything but RFC 5987 `attr-char` is percent-encoded.
const RFC5987: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_names_are_plain() {
        assert_eq!(url_name("report 2026.pdf"), "report_2026.pdf");
        assert_eq!(url_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(url_name(".."), "file");
        assert_eq!(url_name("naïve <b>.txt"), "na_ve__b_.txt");
        assert_eq!(url_name(""), "file");
    }

    #[test]
    fn signed_segments() {
        let s = Signed::parse("ab12cd", "0", "1790000000", "sig").expect("valid");
        assert_eq!((s.id, s.account, s.expires), ("ab12cd", 0, 1_790_000_000));
        assert!(Signed::parse("AB12CD", "0", "1", "s").is_none());
        assert!(Signed::parse("ab12c", "0", "1", "s").is_none());
        assert!(Signed::parse("ab12cd", "x", "1", "s").is_none());
        assert!(Signed::parse("ab12cd", "0", "99999999999999999999", "s").is_none());
    }

    #[test]
    fn disposition_has_both_names() {
        assert_eq!(
            content_disposition("a b.txt"),
            "attachment; filename=\"a b.txt\"; filename*=UTF-8''a%20b.txt"
        );
        let d = content_disposition("x\r\nSet-Cookie: a=b\u{7f}é");
        assert!(d.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "{d}");
    }

    #[test]
    fn signatures() {
        let key = [7u8; 32];
        let msg = message("ab12cd", "blobs/k", 3, 100);
        let sig = sign(&key, &msg);
        assert!(verify(&key, &msg, &sig));
        assert!(!verify(&key, &message("ab12cd", "blobs/k", 4, 100), &sig));
        assert!(!verify(&[8u8; 32], &msg, &sig));
        assert!(!verify(&key, &msg, &format!("{sig}=")));
        assert!(!verify(&key, &msg, ""));
    }
}
