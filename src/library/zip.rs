//! Zip downloads of a shared folder (with its shared sub-folders), a
//! bundle, files chosen in My files or what a file_send sent (docs/zip.md): which files go in and under which names, their
//! CRC-32s, and the archive's layout — every byte known before the first
//! is sent, so the archive has an exact length and resumes by range.

use dropspace_proto::zip::{safe_names, Entry, Layout};

use super::content;
use super::folders;
use super::limits::gone;
use super::{bundles, encryption, Error, Library, Result};
use crate::db::files::File;

/// An archive ready to serve: its layout and, by entry, the file whose
/// bytes each entry holds.
pub struct Archive {
    /// The download's name, `….zip`.
    pub name: String,
    pub layout: Layout,
    pub files: Vec<File>,
    /// Validator of these exact contents (a strong ETag's value).
    pub tag: String,
    /// Files listed on the page but left out (a password or a download
    /// limit: they follow their own download rules).
    pub left_out: usize,
}

/// Whether a file goes into zips: one with a download password or a
/// download limit keeps its own page's rules, and a blocked one is gone.
pub fn zippable(file: &File) -> bool {
    file.password_sealed.is_empty() && file.download_limit == 0 && gone(file).is_none()
}

/// A shared folder's archive: its files at the top, each shared sub-folder
/// as a folder of the archive, as the public pages show them. None when the
/// folder is unknown or private.
pub async fn of_folder(lib: &Library, id: &str) -> Result<Option<Archive>> {
    let Some(top) = folders::shared_listing(&lib.db, id).await? else {
        return Ok(None);
    };
    let max = lib.cfg.limits.zip_max_files;
    let name = top.folder.name.clone();
    let mut items: Vec<(String, File)> = Vec::new();
    let mut pending = vec![(String::new(), top)];
    let mut seen = 0usize;
    while let Some((prefix, shared)) = pending.pop() {
        seen += 1 + shared.files.len();
        if seen > max {
            return Err(Error::denied(format!(
                "This folder holds more than {max} files and folders: too many for one zip"
            )));
        }
        for f in shared.files {
            items.push((format!("{prefix}{}", f.name), f));
        }
        for sub in shared.folders {
            if let Some(inner) = folders::shared_listing(&lib.db, &sub.id).await? {
                pending.push((format!("{prefix}{}/", sub.name), inner));
            }
        }
    }
    Ok(Some(build(lib, &name, items).await?))
}

/// A bundle's archive; None when the bundle is unknown.
pub async fn of_bundle(lib: &Library, id: &str) -> Result<Option<Archive>> {
    let Some((bundle, files)) = bundles::open(lib, id).await? else {
        return Ok(None);
    };
    let items = files.into_iter().map(|f| (f.name.clone(), f)).collect();
    Ok(Some(
        build(lib, &format!("bundle-{}", bundle.id), items).await?,
    ))
}

/// An account's chosen files (already checked to be its own), named
/// `name`.zip.
pub async fn of_files(lib: &Library, name: &str, files: Vec<File>) -> Result<Archive> {
    let items = files.into_iter().map(|f| (f.name.clone(), f)).collect();
    build(lib, name, items).await
}

/// Files already chosen with the path each has in the archive (a
/// file_send's files, its folders' under their names).
pub async fn of_paths(lib: &Library, name: &str, items: Vec<(String, File)>) -> Result<Archive> {
    build(lib, name, items).await
}

async fn build(lib: &Library, name: &str, items: Vec<(String, File)>) -> Result<Archive> {
    let listed = items.len();
    let mut items: Vec<(String, File)> = items
        .into_iter()
        .filter(|(_, f)| zippable(f))
        .map(|(path, f)| (encryption::zip_path(path, &f), f))
        .collect();
    let left_out = listed - items.len();
    // Oldest first: the order a reader expects, and the same every time.
    items.sort_by(|a, b| (a.1.uploaded, &a.1.id).cmp(&(b.1.uploaded, &b.1.id)));
    let names = safe_names(items.iter().map(|(n, _)| n.as_str()));
    let mut entries = Vec::with_capacity(items.len());
    let mut files = Vec::with_capacity(items.len());
    let mut tag = blake3::Hasher::new();
    for ((_, file), name) in items.into_iter().zip(names) {
        let crc32 = crc32_of(lib, &file).await?;
        for part in [
            file.id.as_bytes(),
            file.blob_key.as_bytes(),
            name.as_bytes(),
            &crc32.to_le_bytes(),
        ] {
            tag.update(&(part.len() as u64).to_le_bytes());
            tag.update(part);
        }
        entries.push(Entry {
            name,
            size: file.size.max(0) as u64,
            crc32,
            modified: file.uploaded,
        });
        files.push(file);
    }
    Ok(Archive {
        name: format!("{}.zip", safe_names([name]).remove(0).replace('/', "_")),
        layout: Layout::new(&entries),
        files,
        tag: tag.finalize().to_hex()[..32].to_string(),
        left_out,
    })
}

/// A file's CRC-32: kept since its upload, else read from its bytes once
/// and kept (files from before migration 0098).
async fn crc32_of(lib: &Library, file: &File) -> Result<u32> {
    if let Some(crc) = file.crc32.and_then(|c| u32::try_from(c).ok()) {
        return Ok(crc);
    }
    let sums = content::sums(&lib.db, &lib.blobs, &file.blob_key, file.size.max(0) as u64)
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("reading {}: {e}", file.id)))?
        .ok_or(Error::FileNotFound)?;
    if file.checksum.is_empty() || crate::secrets::ct_eq(&file.checksum, &sums.blake3) {
        lib.db
            .set_missing_checksums(&file.id, &sums.blake3, i64::from(sums.crc32))
            .await?;
    }
    Ok(sums.crc32)
}
