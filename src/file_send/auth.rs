//! API credentials and request signatures of the file_send API.
//!
//! Each call carries `api_key`, `timestamp` (unix seconds) and `signature`:
//! the lowercase hex HMAC-SHA256 of a message, keyed with the lowercase hex
//! SHA-1 of the API secret. For a GET the message is the full request URL
//! (`{public_url}/api/{method}`) with its query parameters sorted by name,
//! `signature` left out, each pair exactly as sent; for a POST it is the
//! method URL alone. A timestamp more than five minutes off, or a signed
//! request seen before within that window (the same signature with the same
//! timestamp), is refused.
//!
//! An operator may harden a credential (docs/file-send.md): an address
//! allow-list (other addresses fail as an authentication failure) and the
//! signed-body mode, where a POST signs the method URL with every parameter
//! in a canonical form (`dropspace_proto::file_send::body_message`), so a
//! captured signature cannot carry other parameters or a new timestamp.

use std::net::IpAddr;

use axum::http::Method;

use super::{FsError, FsResult};
use crate::db::now;
use crate::db::users::User;
use crate::http::params::Params;
use crate::library::file_send::{accept_once, active_user, signer_of};
use crate::secrets::ct_eq;
use crate::state::AppState;

/// How far a timestamp may be from the server's clock.
pub const WINDOW_SECS: i64 = 300;

/// Key derivation and signing are in `dropspace-proto` (fuzzed there).
pub use dropspace_proto::file_send::{sign, signing_key};

/// The message a request signs (see the module doc).
pub fn message(public_url: &str, path: &str, method: &Method, raw_query: Option<&str>) -> String {
    dropspace_proto::file_send::message(public_url, path, method == Method::GET, raw_query)
}

/// Checks a call's credentials, address and signature; the calling account.
pub async fn authenticate(
    app: &AppState,
    ip: IpAddr,
    path: &str,
    method: &Method,
    raw_query: Option<&str>,
    params: &Params,
) -> FsResult<User> {
    let (Some(api_key), Some(timestamp), Some(signature)) = (
        params.get("api_key").map(str::trim),
        params.get("timestamp").map(str::trim),
        params.get("signature").map(str::trim),
    ) else {
        return Err(FsError::unauthorized(
            "api_key, timestamp and signature are required.",
        ));
    };
    let stamp: i64 = timestamp
        .parse()
        .map_err(|_| FsError::unauthorized("The timestamp is not a unix time."))?;
    if (stamp - now()).abs() > WINDOW_SECS {
        return Err(FsError::unauthorized(
            "The timestamp is more than five minutes from the server's clock.",
        ));
    }
    let Some(signer) = signer_of(app, api_key).await? else {
        return Err(FsError::unauthorized("Unknown or revoked api_key."));
    };
    if !signer.options.allowed.permits(ip) {
        return Err(FsError::unauthorized(
            "This api_key may not be used from this address.",
        ));
    }
    let signed = if signer.options.signed_body && method != Method::GET {
        dropspace_proto::file_send::body_message(&app.public_url, path, params.iter())
    } else {
        message(&app.public_url, path, method, raw_query)
    };
    let expected = sign(&signer.key, &signed);
    if !ct_eq(&expected, &signature.to_ascii_lowercase()) {
        return Err(FsError::unauthorized("The signature does not match."));
    }
    // A signed request is accepted once: the first node to record it wins.
    // A POST's signature covers only the method URL (unless signed-body), so
    // the request is the signature with its timestamp (one POST per second
    // per method and key).
    let request = format!("{}:{stamp}", signature.to_ascii_lowercase());
    if !accept_once(&app.db, &request, stamp + WINDOW_SECS + 60).await? {
        return Err(FsError::unauthorized("This signature was already used."));
    }
    active_user(&app.db, signer.user_id)
        .await?
        .ok_or_else(|| FsError::unauthorized("The account of this api_key is not active."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_messages_sort_by_name_and_drop_the_signature() {
        let m = message(
            "https://f.example.com",
            "user_info",
            &Method::GET,
            Some("timestamp=10&signature=abc&api_key=K&b=2%202&a=1"),
        );
        assert_eq!(
            m,
            "https://f.example.com/api/user_info?a=1&api_key=K&b=2%202&timestamp=10"
        );
        let m = message("http://h", "file_send.xml", &Method::POST, Some("x=1"));
        assert_eq!(m, "http://h/api/file_send.xml");
    }

    #[test]
    fn key_and_signature_are_lowercase_hex() {
        // sha1("secret") and its HMAC, as `openssl dgst` prints them.
        assert_eq!(
            signing_key("secret"),
            "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
        );
        let s = sign(&signing_key("secret"), "http://h/api/file_send");
        assert_eq!(s.len(), 64);
        assert!(s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
