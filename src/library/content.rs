//! A file's bytes wherever they are kept: the blob store, or the database
//! for files of at most `storage.inline_max_bytes` (docs/architecture.md,
//! "Small files inline"). Everything that reads, sizes or removes a file's
//! bytes goes through here.

use std::ops::Range;
use std::pin::Pin;

use bytes::Bytes;
use futures::{Stream, StreamExt};

use crate::blobs::{Blobs, Digest, StorageError, Sums};
use crate::db::inline_blobs::is_inline;
use crate::db::Db;

pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

fn db_error(e: sqlx::Error) -> StorageError {
    StorageError(format!("database: {e}"))
}

/// Whether the bytes under `key` can be read with `Blobs::gather`: kept
/// in the blob store (not inline), on a store that gathers.
pub fn gatherable(blobs: &Blobs, key: &str) -> bool {
    blobs.gathers() && !is_inline(key)
}

/// Streams `range` of the bytes under `key`.
pub async fn read(
    db: &Db,
    blobs: &Blobs,
    key: &str,
    range: Range<u64>,
) -> Result<ByteStream, StorageError> {
    if !is_inline(key) {
        return Ok(blobs.read(key, range).await?.boxed());
    }
    let data = db
        .inline_blob(key)
        .await
        .map_err(db_error)?
        .ok_or_else(|| StorageError(format!("no inline bytes under {key}")))?;
    let end = (range.end as usize).min(data.len());
    let start = (range.start as usize).min(end);
    let part = Bytes::from(data).slice(start..end);
    Ok(futures::stream::once(std::future::ready(Ok(part))).boxed())
}

/// The checksums of the `size` bytes under `key`, read back; None if they
/// vanished meanwhile.
pub async fn sums(
    db: &Db,
    blobs: &Blobs,
    key: &str,
    size: u64,
) -> Result<Option<Sums>, StorageError> {
    let mut stream = match read(db, blobs, key, 0..size).await {
        Ok(s) => s,
        Err(_) if stat(db, blobs, key).await.is_ok_and(|s| s.is_none()) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut digest = Digest::default();
    while let Some(chunk) = stream.next().await {
        digest.update(&chunk.map_err(|e| StorageError(e.to_string()))?);
    }
    Ok(Some(digest.finalize()))
}

/// The size of the bytes under `key`, or None when there are none.
pub async fn stat(db: &Db, blobs: &Blobs, key: &str) -> Result<Option<u64>, StorageError> {
    if !is_inline(key) {
        return blobs.stat(key).await;
    }
    let size = db.inline_blob_size(key).await.map_err(db_error)?;
    Ok(size.map(|n| n.max(0) as u64))
}

/// Removes the bytes under `key`, and their thumbnail if one was made
/// (`thumbs`); missing ones are not an error.
pub async fn delete(db: &Db, blobs: &Blobs, key: &str) -> Result<(), StorageError> {
    if !is_inline(key) {
        blobs.delete(key).await?;
        return blobs.delete(&super::thumbs::key(key)).await;
    }
    db.delete_inline_blob(key).await.map_err(db_error)?;
    // The row is gone already; a store that fails now leaves only a
    // thumbnail nothing shows.
    if let Err(e) = blobs.delete(&super::thumbs::key(key)).await {
        tracing::warn!(error = %e, "removing the thumbnail of an inline file");
    }
    Ok(())
}
