//! Anonymous bundles (docs/web.md, "Bundles"): the files of one anonymous
//! upload behind one link, with a delete link that removes them all. The
//! uploader proves each file with its delete secret, which only the
//! uploader was told. (An account's files uploaded together go into a new
//! shared folder instead: its page is the bundle.)

use crate::db::bundles::Bundle;
use crate::db::files::{is_id, File};
use crate::db::now;
use crate::library::{files, Error, Library, Result};
use crate::secrets::{ct_eq, hash_secret, random_string, LOWER_ALNUM};

/// A bundle just made: its id and the only telling of its delete secret.
pub struct Made {
    pub id: String,
    pub delete_secret: String,
}

/// Whether `s` looks like a bundle id (12 of `[a-z0-9]`).
pub fn is_bundle_id(s: &str) -> bool {
    s.len() == 12
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Bundles the anonymous files `members` names (file id and delete
/// secret each, in the order given; repeats count once). Each must exist,
/// be anonymous and match its secret — else `FileNotFound`, telling no
/// more — and there must be one to `limits.bundle_max_files`.
pub async fn create(lib: &Library, members: &[(String, String)]) -> Result<Made> {
    let max = lib.cfg.limits.bundle_max_files;
    if members.is_empty() {
        return Err(Error::Missing("files".into()));
    }
    let mut ids: Vec<String> = Vec::with_capacity(members.len());
    for (id, secret) in members {
        if ids.contains(id) {
            continue;
        }
        if ids.len() == max {
            return Err(Error::BadValueText(
                format!("At most {max} files in one bundle").into(),
            ));
        }
        let file = match is_id(id) {
            true => lib.db.file(id).await?,
            false => None,
        };
        match file {
            Some(f) if f.user_id.is_none() && files::delete_secret_ok(lib, &f, secret) => {
                ids.push(f.id)
            }
            _ => return Err(Error::FileNotFound),
        }
    }
    let delete_secret = random_string(24, LOWER_ALNUM);
    for _ in 0..8 {
        let id = random_string(12, LOWER_ALNUM);
        if lib
            .db
            .insert_bundle(&id, &hash_secret(&delete_secret), now(), &ids)
            .await?
        {
            return Ok(Made { id, delete_secret });
        }
    }
    Err(Error::internal(anyhow::anyhow!("no free bundle id")))
}

/// A bundle and its files that still exist; None when unknown.
pub async fn open(lib: &Library, id: &str) -> Result<Option<(Bundle, Vec<File>)>> {
    if !is_bundle_id(id) {
        return Ok(None);
    }
    let Some(bundle) = lib.db.bundle(id).await? else {
        return Ok(None);
    };
    let files = lib.db.bundle_files(id).await?;
    Ok(Some((bundle, files)))
}

/// Whether `secret` is the bundle's delete secret (constant time).
pub fn delete_secret_ok(bundle: &Bundle, secret: &str) -> bool {
    !secret.is_empty() && ct_eq(&hash_secret(secret), &bundle.delete_hash)
}

pub fn url(lib: &Library, id: &str) -> String {
    lib.url(&format!("/b/{id}"))
}

pub fn delete_link(lib: &Library, id: &str, secret: &str) -> String {
    lib.url(&format!("/b/{id}/delete/{secret}"))
}

/// Deletes the bundle's files (bytes and rows) and then the bundle; the
/// number of files deleted.
pub async fn delete(lib: &Library, bundle: &Bundle) -> Result<usize> {
    let mut deleted = 0;
    for file in lib.db.bundle_files(&bundle.id).await? {
        if files::delete_file(lib, &file.id, None).await? {
            deleted += 1;
        }
    }
    lib.db.delete_bundle(&bundle.id).await?;
    Ok(deleted)
}

/// Removes bundles whose files are all gone (an hour after they were
/// made, so a bundle is never swept while it is being filled).
pub async fn sweep_empty(lib: &Library) -> Result<usize> {
    let empty = lib.db.empty_bundles(now() - 3600).await?;
    for id in &empty {
        lib.db.delete_bundle(id).await?;
    }
    Ok(empty.len())
}
