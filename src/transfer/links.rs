//! Signed, expiring direct download URLs:
//! `{public_url}/dl/{file_id}/{account}/{expires}/{signature}/{name}`.
//! The signature covers the file id, its blob key (a later file that reuses
//! the id gets nothing), the account to charge (0 = nobody) and the expiry;
//! the trailing name is cosmetic (for `wget` and `curl -O`) and unsigned.

use crate::db::files::File;
use crate::db::now;
use crate::state::AppState;

fn message(file: &File, account: i64, expires: i64) -> String {
    format!("dl:{}:{}:{}:{}", file.id, file.blob_key, account, expires)
}

/// A direct URL for `file`, charged to `account` (0 for page downloads).
pub fn direct_url(app: &AppState, file: &File, account: i64) -> String {
    let expires = now() + app.cfg.limits.download_url_ttl_secs;
    let sig = app.secrets.sign(&message(file, account, expires));
    app.url(&format!(
        "/dl/{}/{}/{}/{}/{}",
        file.id,
        account,
        expires,
        sig,
        url_name(&file.name)
    ))
}

/// Whether a URL's parts were signed by this server for this very file and
/// have not expired.
pub fn verify(app: &AppState, file: &File, account: i64, expires: i64, sig: &str) -> bool {
    expires >= now() && app.secrets.verify(&message(file, account, expires), sig)
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
}
