//! Thumbnails of images for the shared folder page (docs/web.md, "Previews,
//! thumbnails and QR codes"): made with the `image` crate on first request,
//! off the async threads, under `image::Limits` (decompression bombs), and
//! kept in the blob store under `thumbs/{blob key}` — blob keys are never
//! reused, and `content::delete` removes a file's thumbnail with its bytes.
//! An image that cannot be made into one leaves an empty blob there, so it
//! is not decoded again.

use std::sync::OnceLock;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use tokio::sync::Semaphore;

use super::content;
use super::preview::{self, Kind};
use super::Library;
use crate::blobs::{StorageError, THUMB_PREFIX};
use crate::config::{Config, PreviewConfig};
use crate::db::files::File;

/// The blob key of a file's thumbnail.
pub fn key(blob_key: &str) -> String {
    format!("{THUMB_PREFIX}{blob_key}")
}

/// Whether `file` gets a thumbnail: an image by name, small enough, and
/// neither password-protected nor limited (its page shows it or counts it;
/// a thumbnail would do neither), nor encrypted.
pub fn eligible(cfg: &Config, file: &File) -> bool {
    cfg.preview.thumb_source_max_bytes > 0
        && file.size > 0
        && file.size <= cfg.preview.thumb_source_max_bytes
        && file.password_sealed.is_empty()
        && file.download_limit <= 0
        && !super::encryption::is_encrypted(file)
        && preview::kind(&file.name) == Some(Kind::Image)
}

pub enum Thumb {
    Ready {
        bytes: Bytes,
        content_type: &'static str,
    },
    /// Not an image the server reads, damaged, or over the limits.
    Unsupported,
}

/// The type of a stored thumbnail, from its first bytes.
fn stored_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    }
}

/// Makes at most `preview.thumb_concurrency` thumbnails at once on this
/// node: each holds its source and decoded pixels in memory.
fn permits(cfg: &PreviewConfig) -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(cfg.thumb_concurrency.max(1)))
}

/// The thumbnail of an `eligible` file: the stored one, else made now and
/// stored.
pub async fn thumbnail(lib: &Library, file: &File) -> Result<Thumb, StorageError> {
    let thumb_key = key(&file.blob_key);
    if let Some(found) = stored(lib, &thumb_key).await? {
        return Ok(found);
    }
    let _permit = permits(&lib.cfg.preview)
        .acquire()
        .await
        .map_err(|e| StorageError(e.to_string()))?;
    // Made by another request while this one waited.
    if let Some(found) = stored(lib, &thumb_key).await? {
        return Ok(found);
    }
    let source = read_whole(lib, file).await?;
    let cfg = lib.cfg.preview.clone();
    let made = tokio::task::spawn_blocking(move || make(&source, &cfg))
        .await
        .map_err(|e| StorageError(format!("thumbnail task: {e}")))?;
    let (bytes, thumb) = match made {
        Ok((bytes, content_type)) => {
            let bytes = Bytes::from(bytes);
            let thumb = Thumb::Ready {
                bytes: bytes.clone(),
                content_type,
            };
            (bytes, thumb)
        }
        Err(e) => {
            tracing::info!(file_id = %file.id, error = %e, "no thumbnail for this image");
            (Bytes::new(), Thumb::Unsupported)
        }
    };
    lib.blobs.put(&thumb_key, bytes).await?;
    metrics::counter!("dropspace_thumbnails_made_total").increment(1);
    // A file deleted meanwhile has had its thumbnail removed already: this
    // one would be left behind.
    match lib.db.file(&file.id).await {
        Ok(Some(f)) if f.blob_key == file.blob_key => {}
        _ => {
            let _ = lib.blobs.delete(&thumb_key).await;
        }
    }
    Ok(thumb)
}

async fn stored(lib: &Library, thumb_key: &str) -> Result<Option<Thumb>, StorageError> {
    match lib.blobs.stat(thumb_key).await? {
        None => Ok(None),
        Some(0) => Ok(Some(Thumb::Unsupported)),
        Some(_) => {
            let bytes = lib.blobs.get(thumb_key).await?;
            Ok(Some(Thumb::Ready {
                content_type: stored_type(&bytes),
                bytes,
            }))
        }
    }
}

/// The file's bytes, at most `thumb_source_max_bytes` of them.
async fn read_whole(lib: &Library, file: &File) -> Result<Vec<u8>, StorageError> {
    let size = file.size.max(0) as u64;
    let cap = lib.cfg.preview.thumb_source_max_bytes.max(0) as u64;
    let mut stream = content::read(&lib.db, &lib.blobs, &file.blob_key, 0..size.min(cap)).await?;
    let mut buf = BytesMut::with_capacity(size.min(cap) as usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| StorageError(e.to_string()))?;
        if (buf.len() + chunk.len()) as u64 > cap {
            return Err(StorageError("image larger than its row".into()));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.to_vec())
}

/// Decodes `source` within the limits and writes a thumbnail that fits in
/// `thumb_px` square: PNG when it has transparency, else JPEG.
pub fn make(
    source: &[u8],
    cfg: &PreviewConfig,
) -> Result<(Vec<u8>, &'static str), image::ImageError> {
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
    let mut reader = ImageReader::new(std::io::Cursor::new(source)).with_guessed_format()?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP)
    ) {
        return Err(image::ImageError::Unsupported(
            image::error::UnsupportedError::from_format_and_kind(
                image::error::ImageFormatHint::Unknown,
                image::error::UnsupportedErrorKind::Format(image::error::ImageFormatHint::Unknown),
            ),
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(cfg.thumb_max_dimension);
    limits.max_image_height = Some(cfg.thumb_max_dimension);
    limits.max_alloc = Some(cfg.thumb_max_alloc_bytes);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    // The pixels themselves count too, whatever the decoder checks inside.
    if decoder.total_bytes() > cfg.thumb_max_alloc_bytes {
        return Err(image::ImageError::Limits(
            image::error::LimitError::from_kind(image::error::LimitErrorKind::InsufficientMemory),
        ));
    }
    let orientation = decoder.orientation()?;
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    let px = cfg.thumb_px.max(1);
    let thumb = img.thumbnail(px, px);
    let mut out = std::io::Cursor::new(Vec::new());
    if thumb.color().has_alpha() {
        thumb
            .to_rgba8()
            .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))?;
        Ok((out.into_inner(), "image/png"))
    } else {
        thumb
            .to_rgb8()
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out, 80,
            ))?;
        Ok((out.into_inner(), "image/jpeg"))
    }
}
