//! The library: the domain. Files, folders, the address book, download
//! limits and their actions, sharing mail, links, progress and bandwidth;
//! typed inputs and outputs and one error type (`Error`), nothing of HTTP
//! or of any wire format.

pub mod accounts;
pub mod admin;
pub mod age_keys;
pub mod anonymous;
pub mod audit;
pub mod auth;
pub mod bandwidth;
pub mod bundles;
pub mod contacts;
pub mod content;
pub mod delivery;
pub mod directory;
pub mod encryption;
pub mod error;
pub mod expiry;
pub mod file_send;
pub mod files;
pub mod folders;
pub mod groups;
pub mod ldap;
pub mod limits;
pub mod links;
pub mod mail;
pub mod oidc;
pub mod preview;
pub mod progress;
pub mod receipts;
pub mod requests;
pub mod resumable;
pub mod scan;
pub mod thumbs;
pub mod trash;
pub mod two_factor;
pub mod uploads;
pub mod webhooks;
pub mod zip;

use crate::blobs::Blobs;
use crate::config::Config;
use crate::db::files::is_id;
use crate::db::Db;
use crate::mail::Mailer;
use crate::secrets::Secrets;

pub use contacts::collect_addresses;
pub use error::{Error, Gone, Result};
pub use files::{
    delete_file, delete_secret, delete_secret_ok, delete_url, remove_blob, remove_blob_later,
    sweep_deleted_blobs,
};
pub use limits::{check_downloadable, count_download, on_download_limit};

/// What the domain works with: the parts every node opens, and nothing of
/// HTTP. `state::AppState` holds one and adds the front ends' node-local
/// parts; domain functions take `&Library` (or just the part they need).
pub struct Library {
    pub cfg: Config,
    pub db: Db,
    pub blobs: Blobs,
    pub secrets: Secrets,
    pub mail: Mailer,
    /// Base of every URL handed out, without a trailing slash.
    pub public_url: String,
    /// This node's running uploads (their progress is flushed to the database).
    pub progress: progress::Board,
    /// Download bytes not yet charged to their accounts.
    pub charges: bandwidth::Charges,
    /// Checksums of resumable uploads running through this node.
    pub hashers: resumable::Hashers,
    /// Wakes this node's scanner of quarantined uploads (docs/scanning.md).
    pub scans: scan::Wake,
    /// Wakes this node's webhook delivery worker (docs/webhooks.md).
    pub webhooks: webhooks::Wake,
}

impl Library {
    /// An absolute URL of this server for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }
}

/// Longest name (of a file, folder, contact) and password, in characters.
pub const MAX_NAME: usize = 255;
/// Longest description or message, in characters.
pub const MAX_TEXT: usize = 10_000;

/// An id, or a full URL of this server (http or https, with or without
/// `www.`) whose path is `{prefix}{id}`. None for anything else (26).
pub fn id_from_url_or_id(app: &Library, input: &str, prefix: &str) -> Option<String> {
    let input = input.trim();
    if is_id(input) {
        return Some(input.to_string());
    }
    let given = url::Url::parse(input).ok()?;
    let ours = url::Url::parse(&app.public_url).ok()?;
    if !matches!(given.scheme(), "http" | "https") {
        return None;
    }
    let bare = |u: &url::Url| {
        let host = u.host_str().unwrap_or("").to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        (host, u.port())
    };
    let (gh, gp) = bare(&given);
    let (oh, op) = bare(&ours);
    // `port()` is None for the scheme's default, so http and https URLs of
    // a server on the default ports both match.
    if gh != oh || gp != op {
        return None;
    }
    let base_path = ours.path().trim_end_matches('/');
    let rest = given.path().strip_prefix(base_path)?.strip_prefix(prefix)?;
    let id = rest.trim_end_matches('/');
    is_id(id).then(|| id.to_string())
}
