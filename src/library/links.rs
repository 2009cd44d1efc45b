//! Signed, expiring direct download URLs:
//! `{public_url}/dl/{file_id}/{account}/{expires}/{signature}/{name}`.
//! The signature covers the file id, its blob key (a later file that reuses
//! the id gets nothing), the account to charge (0 = nobody) and the expiry;
//! the trailing name is cosmetic (for `wget` and `curl -O`) and unsigned.
//! The parsing and the message format are in `dropspace-proto` (fuzzed
//! there); this side knows the file rows and the server's key.

use super::Library;
use crate::db::files::File;
use crate::db::now;

pub use dropspace_proto::links::{url_name, Signed};

fn message(file: &File, account: i64, expires: i64) -> String {
    dropspace_proto::links::message(&file.id, &file.blob_key, account, expires)
}

/// A direct URL for `file`, charged to `account` (0 = nobody: an
/// anonymous visitor of the download page).
pub fn direct_url(lib: &Library, file: &File, account: i64) -> String {
    let expires = now() + lib.cfg.limits.download_url_ttl_secs;
    let sig = lib.secrets.sign(&message(file, account, expires));
    lib.url(&format!(
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
pub fn verify(lib: &Library, file: &File, account: i64, expires: i64, sig: &str) -> bool {
    expires >= now() && lib.secrets.verify(&message(file, account, expires), sig)
}
