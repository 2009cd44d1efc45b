//! Previews on the download page (docs/web.md, "Previews, thumbnails and QR
//! codes"): which files get one, the content type each is shown as (from a
//! whitelist by the file's name, never the upload's own type), and the
//! signed inline URLs that serve them:
//! `/preview/{file_id}/{account}/{expires}/{signature}`. The signature
//! covers the same parts as a direct download URL's under another prefix,
//! so neither can stand in for the other.

use super::{encryption, Library, Result};
use crate::config::Config;
use crate::db::files::{is_id, File};
use crate::db::now;
use crate::db::Db;

/// What a preview shows a file as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Image,
    Video,
    Audio,
    Pdf,
    /// Its first `preview.text_bytes` as plain text: text, code, and the
    /// markup a browser would run or render (HTML, SVG, XML).
    Text,
}

/// The type a file is served as in a preview, and how it is shown. Only
/// these; a name not listed gets no preview (and is served as plain text
/// if asked for all the same).
const TYPES: &[(&str, Kind, &str)] = &[
    ("png", Kind::Image, "image/png"),
    ("jpg", Kind::Image, "image/jpeg"),
    ("jpeg", Kind::Image, "image/jpeg"),
    ("gif", Kind::Image, "image/gif"),
    ("webp", Kind::Image, "image/webp"),
    ("mp4", Kind::Video, "video/mp4"),
    ("m4v", Kind::Video, "video/mp4"),
    ("webm", Kind::Video, "video/webm"),
    ("mp3", Kind::Audio, "audio/mpeg"),
    ("ogg", Kind::Audio, "audio/ogg"),
    ("oga", Kind::Audio, "audio/ogg"),
    ("opus", Kind::Audio, "audio/ogg"),
    ("wav", Kind::Audio, "audio/wav"),
    ("m4a", Kind::Audio, "audio/mp4"),
    ("aac", Kind::Audio, "audio/aac"),
    ("flac", Kind::Audio, "audio/flac"),
    ("pdf", Kind::Pdf, "application/pdf"),
];

/// Names shown as text. Markup is among them on purpose: it is shown, never
/// rendered (`text/plain` under `nosniff` and a sandbox).
const TEXT: &[&str] = &[
    "txt",
    "text",
    "md",
    "markdown",
    "rst",
    "csv",
    "tsv",
    "log",
    "json",
    "jsonl",
    "ndjson",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "xml",
    "html",
    "htm",
    "xhtml",
    "svg",
    "css",
    "js",
    "mjs",
    "ts",
    "tsx",
    "jsx",
    "rs",
    "go",
    "py",
    "rb",
    "pl",
    "php",
    "java",
    "kt",
    "kts",
    "scala",
    "c",
    "h",
    "cc",
    "cpp",
    "hpp",
    "cxx",
    "cs",
    "swift",
    "m",
    "sh",
    "bash",
    "zsh",
    "fish",
    "ps1",
    "bat",
    "sql",
    "lua",
    "r",
    "tex",
    "diff",
    "patch",
    "srt",
    "vtt",
    "properties",
    "gradle",
    "cmake",
    "mk",
    "dockerfile",
    "makefile",
    "gitignore",
    "env",
    "lock",
];

pub const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

/// The lowercase extension of a name (or the whole name for `Makefile`,
/// `Dockerfile`).
fn extension(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit_once('.') {
        Some((_, ext)) => ext.to_string(),
        None => lower,
    }
}

/// How a file of this name is previewed, if it is.
pub fn kind(name: &str) -> Option<Kind> {
    let ext = extension(name);
    if let Some((_, kind, _)) = TYPES.iter().find(|(e, _, _)| *e == ext) {
        return Some(*kind);
    }
    TEXT.contains(&ext.as_str()).then_some(Kind::Text)
}

/// The Content-Type a preview of this name is served with: the whitelist's,
/// else plain text.
pub fn content_type(name: &str) -> &'static str {
    let ext = extension(name);
    TYPES
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map_or(PLAIN_TEXT, |(_, _, t)| t)
}

/// The image type the first bytes of a file show, among those previewed.
pub fn sniff_image(head: &[u8]) -> Option<&'static str> {
    match image::guess_format(head).ok()? {
        image::ImageFormat::Png => Some("image/png"),
        image::ImageFormat::Jpeg => Some("image/jpeg"),
        image::ImageFormat::Gif => Some("image/gif"),
        image::ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

/// How `file` is previewed on its download page, if at all. Never a file
/// with a download limit: a preview is not counted, so it would get round
/// the limit, nor an encrypted one. Media, images and PDFs over `preview.max_bytes` get none; a
/// text shows only its first `preview.text_bytes` whatever its size.
pub fn previewable(cfg: &Config, file: &File) -> Option<Kind> {
    if cfg.preview.max_bytes <= 0 || file.download_limit > 0 || encryption::is_encrypted(file) {
        return None;
    }
    let kind = kind(&file.name)?;
    if kind == Kind::Text {
        return (cfg.preview.text_bytes > 0).then_some(kind);
    }
    (file.size <= cfg.preview.max_bytes).then_some(kind)
}

/// Whether a preview URL of `file` may serve it now: it is previewable, or
/// renamed since to a name not listed (then shown as capped plain text).
pub fn may_serve(cfg: &Config, file: &File) -> bool {
    if encryption::is_encrypted(file) {
        return false;
    }
    match kind(&file.name) {
        Some(_) => previewable(cfg, file).is_some(),
        None => cfg.preview.max_bytes > 0 && cfg.preview.text_bytes > 0 && file.download_limit <= 0,
    }
}

/// How many bytes of `file` its preview serves.
pub fn served_len(cfg: &Config, file: &File) -> u64 {
    let size = file.size.max(0) as u64;
    match kind(&file.name) {
        Some(Kind::Image | Kind::Video | Kind::Audio | Kind::Pdf) => size,
        // Text, and a name not listed: plain text, capped.
        _ => size.min(cfg.preview.text_bytes.max(0) as u64),
    }
}

fn message(file: &File, account: i64, expires: i64) -> String {
    format!("preview:{}:{}:{account}:{expires}", file.id, file.blob_key)
}

/// The path (same origin as the page that shows it, for its CSP) of a
/// preview of `file`, charged to `account` (0 = nobody).
pub fn url_path(lib: &Library, file: &File, account: i64) -> String {
    let expires = now() + lib.cfg.preview.url_ttl_secs;
    let sig = lib.secrets.sign(&message(file, account, expires));
    format!("/preview/{}/{account}/{expires}/{sig}", file.id)
}

/// Whether a preview URL's parts were signed by this server for this very
/// file and have not expired.
pub fn verify(lib: &Library, file: &File, account: i64, expires: i64, sig: &str) -> bool {
    expires >= now() && lib.secrets.verify(&message(file, account, expires), sig)
}

/// Whether `id` names a shared folder (its QR code is shown to anyone).
pub async fn shared_folder(db: &Db, id: &str) -> Result<bool> {
    if !is_id(id) {
        return Ok(false);
    }
    Ok(db.folder(id).await?.is_some_and(|f| f.shared != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_whitelist() {
        assert_eq!(content_type("a.PNG"), "image/png");
        assert_eq!(content_type("clip.mp4"), "video/mp4");
        assert_eq!(content_type("doc.pdf"), "application/pdf");
        for shown_as_text in [
            "x.svg", "x.html", "x.htm", "x.xml", "x.js", "noext", "x.exe",
        ] {
            assert_eq!(content_type(shown_as_text), PLAIN_TEXT, "{shown_as_text}");
        }
        assert_eq!(kind("page.HTML"), Some(Kind::Text));
        assert_eq!(kind("Makefile"), Some(Kind::Text));
        assert_eq!(kind("archive.zip"), None);
        assert_eq!(kind("song.m4a"), Some(Kind::Audio));
    }

    #[test]
    fn images_are_sniffed() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0...."), Some("image/jpeg"));
        assert_eq!(sniff_image(b"<svg xmlns="), None);
    }
}
