//! End-to-end encrypted files (docs/encryption.md): age files, encrypted
//! and decrypted by their senders' and recipients' clients. The server
//! stores and serves their bytes like any others; it tells them by their
//! first bytes and keeps them as `application/age`, so that nothing reads
//! into them (no preview, no thumbnail) and a zip names them `.age`.

use crate::db::files::File;

/// The content type an age file is kept as.
pub const CONTENT_TYPE: &str = "application/age";

/// The content type of an upload named `name`.
pub fn content_type(name: &str, age: bool) -> String {
    if age {
        return CONTENT_TYPE.to_string();
    }
    mime_guess::from_path(name)
        .first_or_octet_stream()
        .to_string()
}

pub fn is_encrypted(file: &File) -> bool {
    file.content_type == CONTENT_TYPE
}

/// The path an encrypted file has inside a zip: ending `.age`, so that
/// whoever opens the archive knows what to decrypt it with.
pub fn zip_path(path: String, file: &File) -> String {
    if is_encrypted(file) && !path.to_ascii_lowercase().ends_with(".age") {
        format!("{path}.age")
    } else {
        path
    }
}
