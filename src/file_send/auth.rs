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

use axum::http::Method;

use super::{FsError, FsResult};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::http::params::Params;
use crate::secrets::{ct_eq, random_string, Secrets, LOWER_ALNUM, UPPER_ALNUM};
use crate::state::AppState;

/// How far a timestamp may be from the server's clock.
pub const WINDOW_SECS: i64 = 300;

/// Key derivation and signing are in `dropspace-proto` (fuzzed there).
pub use dropspace_proto::file_send::{sign, signing_key};

/// The message a request signs (see the module doc).
pub fn message(public_url: &str, path: &str, method: &Method, raw_query: Option<&str>) -> String {
    dropspace_proto::file_send::message(public_url, path, method == Method::GET, raw_query)
}

/// Checks a call's credentials and signature; the calling account.
pub async fn authenticate(
    app: &AppState,
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
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT user_id, key_sealed FROM api_credentials WHERE api_key = $1 AND revoked = 0",
    )
    .bind(api_key)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some((user_id, sealed)) = row else {
        return Err(FsError::unauthorized("Unknown or revoked api_key."));
    };
    let key = app.secrets.open(&sealed).ok_or_else(|| {
        FsError::internal("an API credential cannot be opened with this server key")
    })?;
    let expected = sign(&key, &message(&app.public_url, path, method, raw_query));
    if !ct_eq(&expected, &signature.to_ascii_lowercase()) {
        return Err(FsError::unauthorized("The signature does not match."));
    }
    // A signed request is accepted once: the first node to record it wins.
    // A POST's signature covers only the method URL, so the request is the
    // signature with its timestamp (one POST per second per method and key).
    let fresh = sqlx::query(
        "INSERT INTO seen_signatures (signature, expires) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING",
    )
    .bind(format!("{}:{stamp}", signature.to_ascii_lowercase()))
    .bind(stamp + WINDOW_SECS + 60)
    .execute(&app.db.pool)
    .await?;
    if fresh.rows_affected() != 1 {
        return Err(FsError::unauthorized("This signature was already used."));
    }
    app.db
        .user_by_id(user_id)
        .await?
        .filter(|u| u.activated != 0)
        .ok_or_else(|| FsError::unauthorized("The account of this api_key is not active."))
}

/// Creates a key/secret pair for a user; the secret is shown only now.
pub async fn create(db: &Db, secrets: &Secrets, user_id: i64) -> anyhow::Result<(String, String)> {
    let api_key = random_string(24, UPPER_ALNUM);
    let secret = random_string(40, LOWER_ALNUM);
    sqlx::query(
        "INSERT INTO api_credentials (user_id, api_key, key_sealed, created) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(&api_key)
    .bind(secrets.seal(&signing_key(&secret)))
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok((api_key, secret))
}

/// A user's keys: (api_key, created, revoked).
pub async fn list(db: &Db, user_id: i64) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT api_key, created, revoked FROM api_credentials WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
}

/// Revokes a key; false when there is no such live key.
pub async fn revoke(db: &Db, api_key: &str) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE api_credentials SET revoked = $1 WHERE api_key = $2 AND revoked = 0")
            .bind(now())
            .bind(api_key)
            .execute(&db.pool)
            .await?;
    Ok(done.rows_affected() == 1)
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
