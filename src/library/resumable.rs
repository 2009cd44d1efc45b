//! Resumable uploads in the domain (tus 1.0; the protocol itself is
//! `transfer::tus`'s, docs/resumable.md): created with a sendspace upload
//! identifier, whose rules they keep (single use, bound to its caller,
//! the tier's size limit and the disk quota reserved whole at creation);
//! acknowledged offsets and a lock per upload in the database, so any node
//! can take the next request; their bytes in a local partial file (fs) or
//! an S3 multipart upload plus a tail object (`Writer`); completed into a
//! file by `uploads::store`, exactly as a form upload; given up at their
//! expiry.

use std::net::IpAddr;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};

use crate::blobs::{hash_file, Blobs, Digest, Partial, StorageError, Sums, Written};
use crate::db::files::LimitAction;
use crate::db::tus::TusPart;
use crate::db::{now, now_ms};
use crate::library::limits::AskedLimits;
use crate::library::uploads::{self, Asked, Reserve, Stored, UploadState};
use crate::library::{Error, Library, Result};
use crate::secrets::{random_string, LOWER_ALNUM};

pub use crate::db::tus::TusRow as Upload;

/// What a client asks to create.
pub struct New {
    /// The sendspace identifier and its signed companion.
    pub upload_identifier: String,
    pub extra_info: String,
    pub length: i64,
    /// `Upload-Metadata` as sent.
    pub metadata: String,
    pub file_name: String,
    pub asked: Asked,
    pub ip: IpAddr,
    /// A part of a concatenation (`Upload-Concat: partial`).
    pub partial: bool,
}

/// The identifier an upload names, if its caller holds it and it is still
/// open to this kind of upload: unused, or — for a part of a
/// concatenation — claimed by the parts before it.
async fn identifier(lib: &Library, new: &mut New, partial: bool) -> Result<uploads::Ident> {
    let ident = uploads::get(lib, &new.upload_identifier)
        .await?
        .ok_or_else(uploads::unknown_identifier)?;
    let open =
        ident.state == UploadState::Unused || (partial && ident.state == UploadState::Uploading);
    if !uploads::extra_info_ok(lib, &ident.id, &new.extra_info) || !open || ident.expires <= now() {
        return Err(uploads::unknown_identifier());
    }
    if !ident.request_id.is_empty() {
        // The request's caps are taken whole when the upload starts.
        if partial || new.length < 0 {
            return Err(Error::BadValueText(
                "An upload into a file request states its Upload-Length and is not a concatenation"
                    .into(),
            ));
        }
        let request = lib
            .db
            .file_request(&ident.request_id)
            .await?
            .ok_or_else(uploads::unknown_identifier)?;
        crate::library::requests::force(&request, &mut new.asked);
    }
    uploads::check_texts(&new.asked)?;
    uploads::check_limits(lib, ident.user_id, new.asked.limits).await?;
    uploads::check_folder(lib, ident.user_id, &new.asked.folder_id).await?;
    uploads::recipients(lib, ident.user_id.is_none(), &new.asked.recipient_email)?;
    Ok(ident)
}

/// The account an identifier charges and its quota (None: anonymous or
/// unlimited).
async fn quota_of(lib: &Library, ident: &uploads::Ident) -> Result<Option<(i64, i64)>> {
    Ok(match ident.user_id {
        Some(uid) => {
            let user = lib.db.user_by_id(uid).await?.ok_or(Error::SessionBad)?;
            Some((uid, user.diskspace(&lib.cfg))).filter(|(_, q)| *q >= 0)
        }
        None => None,
    })
}

/// Charges `n` bytes to the identifier's account.
async fn reserve(lib: &Library, quota: Option<(i64, i64)>, upload_id: &str, n: i64) -> Result<()> {
    let Some((uid, quota)) = quota else {
        return Ok(());
    };
    match uploads::reserve(lib, uid, upload_id, n, quota).await? {
        Reserve::Granted => Ok(()),
        Reserve::Full => Err(Error::DiskspaceLimit),
        Reserve::Lost => Err(uploads::unknown_identifier()),
    }
}

/// The row of a new upload.
fn row(lib: &Library, new: New, upload_id: &str, blob_key: String) -> Upload {
    let id = random_string(32, LOWER_ALNUM);
    Upload {
        upload_id: upload_id.to_string(),
        upload_length: new.length,
        upload_offset: 0,
        reserved: 0,
        metadata: new.metadata,
        file_name: new.file_name,
        folder_id: new.asked.folder_id,
        description: new.asked.description,
        password_sealed: if new.asked.password.is_empty() {
            String::new()
        } else {
            lib.secrets.seal(&new.asked.password)
        },
        recipient_email: new.asked.recipient_email,
        recipient_message: new.asked.recipient_message,
        notify_uploader: i64::from(new.asked.notify_uploader),
        time_limit: new.asked.limits.time_limit,
        downloads_limit: new.asked.limits.downloads_limit,
        limit_action: new.asked.limits.limit_action.code(),
        ip: new.ip.to_string(),
        // A part's bytes, once complete on S3, wait under the upload's own
        // prefix (never listed as a blob).
        blob_key: match blob_key.as_str() {
            "" => format!("{RESUMABLE_PREFIX}{id}/whole"),
            _ => blob_key,
        },
        file_id: String::new(),
        expires: now() + lib.cfg.limits.tus_expiry_secs,
        multipart_id: String::new(),
        tail_key: String::new(),
        concat: String::new(),
        id,
    }
}

/// Where a part's or an upload's own objects live on S3.
const RESUMABLE_PREFIX: &str = "tus/";

/// Creates an upload: checks the identifier and what the upload asks for,
/// claims the identifier and reserves the whole length against the quota.
/// A part of a concatenation joins the parts claimed before it and
/// reserves its own length.
pub async fn create(lib: &Library, mut new: New) -> Result<Upload> {
    let partial = new.partial;
    let ident = identifier(lib, &mut new, partial).await?;
    if ident.max_file_size >= 0 && new.length > ident.max_file_size {
        return Err(Error::TooLarge(ident.max_file_size));
    }
    let quota = quota_of(lib, &ident).await?;
    if partial {
        return create_part(lib, new, ident, quota).await;
    }
    // A deferred length (-1) reserves nothing yet: its PATCHes do (`Room`).
    let length = new.length.max(0);
    let mut upload = row(lib, new, &ident.id, Blobs::new_key());
    let ident = uploads::claim(lib, &ident.id, length, &upload.blob_key)
        .await?
        .ok_or_else(uploads::unknown_identifier)?;
    if let Err(e) = reserve(lib, quota, &ident.id, length).await {
        give_up(lib, &ident.id, &upload.blob_key, "no space for the upload").await;
        return Err(e);
    }
    upload.reserved = if quota.is_some() { length } else { 0 };
    if let Err(e) = lib.db.insert_tus(&upload).await {
        give_up(
            lib,
            &ident.id,
            &upload.blob_key,
            "the upload could not be recorded",
        )
        .await;
        return Err(e.into());
    }
    Ok(upload)
}

/// A part of a concatenation. Its row goes in first, so that parts created
/// at once (tus clients do) find each other: one claims the identifier,
/// the others see its row and join.
async fn create_part(
    lib: &Library,
    new: New,
    ident: uploads::Ident,
    quota: Option<(i64, i64)>,
) -> Result<Upload> {
    let length = new.length;
    let mut upload = row(lib, new, &ident.id, String::new());
    upload.concat = "partial".into();
    lib.db.insert_tus(&upload).await?;
    let claimed = match ident.state {
        UploadState::Unused => uploads::claim(lib, &ident.id, length, &Blobs::new_key())
            .await?
            .is_some(),
        _ => false,
    };
    let parts = lib.db.tus_of_identifier(&ident.id).await?;
    let joined = claimed
        || parts
            .iter()
            .any(|p| p.concat == "partial" && p.id != upload.id);
    let total: i64 = parts.iter().map(|p| p.upload_length).sum();
    let refused = if !joined {
        Some(uploads::unknown_identifier())
    } else if parts.len() as i64 > lib.cfg.limits.tus_max_parts.max(1) {
        Some(bad_parts(&format!(
            "at most {} parts per upload",
            lib.cfg.limits.tus_max_parts.max(1)
        )))
    } else if ident.max_file_size >= 0 && total > ident.max_file_size {
        Some(Error::TooLarge(ident.max_file_size))
    } else {
        reserve(lib, quota, &ident.id, length).await.err()
    };
    if let Some(e) = refused {
        lib.db.delete_tus(&upload.id).await?;
        if claimed {
            give_up_identifier(lib, &ident.id, "no space for the upload").await;
        }
        return Err(e);
    }
    if quota.is_some() {
        lib.db.set_tus_reserved(&upload.id, length).await?;
        upload.reserved = length;
    }
    Ok(upload)
}

/// What went wrong with a concatenation's parts, as the client hears it.
fn bad_parts(why: &str) -> Error {
    Error::BadValueText(format!("Upload-Concat: {why}").into())
}

/// The final upload of a concatenation: the parts (`ids`, in order, all
/// finished, all of this identifier) joined into one file, exactly as an
/// upload of their bytes; the parts are gone after. `concat` is the
/// `Upload-Concat` header, for `HEAD`.
pub async fn concatenate(
    lib: &Library,
    mut new: New,
    ids: &[String],
    concat: &str,
) -> Result<(Upload, Stored)> {
    let ident = identifier(lib, &mut new, true).await?;
    if ident.state != UploadState::Uploading {
        return Err(bad_parts("no parts were sent with this identifier"));
    }
    let mut parts: Vec<Upload> = Vec::new();
    for id in ids {
        let part = lib
            .db
            .tus(id)
            .await?
            .filter(|p| p.concat == "partial" && p.upload_id == ident.id && p.file_id.is_empty())
            .ok_or_else(|| bad_parts("a part that is not one of this upload's"))?;
        if part.upload_offset != part.upload_length {
            return Err(bad_parts("a part is not finished"));
        }
        if parts.iter().any(|p| p.id == part.id) {
            return Err(bad_parts("a part named twice"));
        }
        parts.push(part);
    }
    if parts.is_empty() {
        return Err(bad_parts("no parts named"));
    }
    let total: i64 = parts.iter().map(|p| p.upload_length).sum();
    if ident.max_file_size >= 0 && total > ident.max_file_size {
        return Err(Error::TooLarge(ident.max_file_size));
    }
    let blob_key =
        lib.db.pending_blob_of(&ident.id).await?.ok_or_else(|| {
            Error::internal(anyhow::anyhow!("a claimed identifier without its blob"))
        })?;
    let mut upload = row(
        lib,
        New {
            length: total,
            ..new
        },
        &ident.id,
        blob_key,
    );
    upload.concat = concat.to_string();
    upload.reserved = parts.iter().map(|p| p.reserved).sum();
    lib.db.insert_tus(&upload).await?;
    let made = match join(lib, &parts, &upload.blob_key).await {
        Ok(written) => finish(lib, &upload, written).await,
        Err(e) => Err(e),
    };
    let stored = match made {
        Ok(stored) => stored,
        Err(e) => {
            if let Err(t) = terminate(lib, &upload, &e.to_string()).await {
                tracing::warn!(error = %t, "ending a failed concatenation");
            }
            return Err(e);
        }
    };
    // The file is made: a part's leftovers failing to go is only logged
    // (the expiry sweep finds no row for them; fsck and the store's own
    // lifecycle rules see them under `tus/`).
    for part in &parts {
        if let Err(e) = remove_bytes(lib, part).await {
            tracing::warn!(error = %e, "removing a joined part's bytes");
        }
        lib.db.delete_tus(&part.id).await?;
    }
    upload.file_id = stored.file_id.clone();
    upload.upload_offset = total;
    Ok((upload, stored))
}

/// S3 copies at most this much into one part of a multipart upload...
const MAX_COPY: u64 = 5 << 30;
/// ...and at least this much into each part but the last.
const MIN_PART: u64 = 5 << 20;

/// The parts' bytes, in order, written as one blob (or kept inline).
async fn join(lib: &Library, parts: &[Upload], blob_key: &str) -> Result<Written> {
    use futures::StreamExt;
    let total: u64 = parts.iter().map(|p| p.upload_length as u64).sum();
    let on_s3 = parts
        .first()
        .is_some_and(|p| lib.blobs.partial_path(&p.id).is_none());
    let copyable = parts
        .split_last()
        .is_some_and(|(_, rest)| rest.iter().all(|p| p.upload_length as u64 >= MIN_PART));
    if on_s3 && copyable && total > lib.cfg.storage.inline_max_bytes as u64 {
        return copy_join(lib, parts, blob_key, total).await;
    }
    let mut writer = lib
        .blobs
        .writer_or_inline(blob_key, lib.cfg.storage.inline_max_bytes)
        .await
        .map_err(stored)?;
    for part in parts {
        let len = part.upload_length as u64;
        let mut bytes = match lib.blobs.partial_path(&part.id) {
            Some(path) => crate::blobs::read_file(path, len)
                .await
                .map_err(Error::internal)?
                .boxed(),
            None => lib
                .blobs
                .read(&part.blob_key, 0..len)
                .await
                .map_err(stored)?
                .boxed(),
        };
        while let Some(block) = bytes.next().await {
            let block = block.map_err(Error::internal)?;
            writer.write(block).await.map_err(stored)?;
        }
    }
    writer.finish_or_inline().await.map_err(stored)
}

/// On S3 the store copies the parts into the file itself (no byte passes
/// through the server); the file is read back once for its checksum, as
/// the parts' own hashes cannot be joined.
async fn copy_join(lib: &Library, parts: &[Upload], blob_key: &str, total: u64) -> Result<Written> {
    let mp = lib.blobs.multipart_create(blob_key).await.map_err(stored)?;
    let copied = async {
        let mut etags: Vec<String> = Vec::new();
        for part in parts {
            let len = part.upload_length as u64;
            // A part past the copy limit goes in even pieces of it.
            let pieces = len.div_ceil(MAX_COPY).max(1);
            let piece = len.div_ceil(pieces).max(1);
            let mut at = 0;
            while at < len {
                let end = (at + piece).min(len);
                let n = u16::try_from(etags.len() + 1)
                    .ok()
                    .filter(|n| *n <= 10_000)
                    .ok_or(Error::TooLarge(total as i64))?;
                let etag = lib
                    .blobs
                    .multipart_copy(blob_key, &mp, n, (&part.blob_key, at..end))
                    .await
                    .map_err(stored)?;
                etags.push(etag);
                at = end;
            }
        }
        lib.blobs
            .multipart_complete(blob_key, &mp, &etags)
            .await
            .map_err(stored)
    }
    .await;
    if let Err(e) = copied {
        if let Err(a) = lib.blobs.multipart_abort(blob_key, &mp).await {
            tracing::warn!(error = %a, "aborting a joining multipart upload");
        }
        return Err(e);
    }
    let (sums, n) = lib.blobs.hash(blob_key).await.map_err(stored)?;
    if n != total {
        return Err(Error::internal(anyhow::anyhow!(
            "the joined file holds {n} bytes, not {total}"
        )));
    }
    Ok(Written { sums, inline: None })
}

/// The largest upload a caller may create: the tier limit of the
/// identifier it names, else the anonymous-upload policy's; None when
/// unlimited.
pub async fn max_size(lib: &Library, upload_identifier: &str) -> Result<Option<i64>> {
    let max = match upload_identifier {
        // Off or not, OPTIONS answers (it is also the CORS preflight).
        "" => {
            crate::library::anonymous::current(&lib.db, &lib.cfg)
                .await?
                .tier
                .max_file_size
        }
        id => match uploads::get(lib, id).await? {
            Some(ident) => ident.max_file_size,
            None => return Err(uploads::unknown_identifier()),
        },
    };
    Ok((max >= 0).then_some(max))
}

/// How far a PATCH may write into an upload: to its declared length; with
/// the length deferred, to the tier's limit, the account's space reserved
/// as the bytes come (a step ahead, as the form does for a body of unknown
/// length).
pub struct Room {
    /// The offset no byte may pass (None: unlimited).
    limit: Option<i64>,
    deferred: bool,
    quota: Option<(i64, i64)>,
    /// The account's space the upload holds: it covers bytes up to here.
    reserved: i64,
}

/// Past the room an upload has.
pub enum Over {
    /// More bytes than the declared length.
    Length,
    /// Past the tier's limit or the account's space (deferred length).
    Limit(Error),
}

impl Room {
    pub async fn of(lib: &Library, upload: &Upload) -> Result<Room> {
        if let Some(length) = upload.length() {
            return Ok(Room {
                limit: Some(length),
                deferred: false,
                quota: None,
                reserved: upload.reserved,
            });
        }
        let ident = uploads::get(lib, &upload.upload_id)
            .await?
            .ok_or_else(uploads::unknown_identifier)?;
        Ok(Room {
            limit: (ident.max_file_size >= 0).then_some(ident.max_file_size),
            deferred: true,
            quota: quota_of(lib, &ident).await?,
            reserved: upload.reserved,
        })
    }

    /// The account's space the upload holds now.
    pub fn reserved(&self) -> i64 {
        self.reserved
    }

    /// Makes room for bytes up to offset `end`.
    pub async fn admit(&mut self, lib: &Library, upload: &Upload, end: i64) -> Result<(), Over> {
        match self.limit {
            Some(limit) if end > limit && self.deferred => {
                return Err(Over::Limit(Error::TooLarge(limit)))
            }
            Some(limit) if end > limit => return Err(Over::Length),
            _ => {}
        }
        let Some((uid, quota)) = self.quota.filter(|_| self.deferred && end > self.reserved) else {
            return Ok(());
        };
        let need = end - self.reserved;
        let grow = |n: i64| async move {
            lib.db
                .reserve_tus_space(uid, (&upload.upload_id, &upload.id), n, quota)
                .await
                .map_err(|e| Over::Limit(e.into()))
        };
        for n in [need.max(uploads::RESERVE_STEP), need] {
            match grow(n).await? {
                Reserve::Granted => {
                    self.reserved += n;
                    return Ok(());
                }
                Reserve::Full => {}
                Reserve::Lost => return Err(Over::Limit(uploads::unknown_identifier())),
            }
        }
        Err(Over::Limit(Error::DiskspaceLimit))
    }
}

/// Declares the length of an upload created with its length deferred
/// (the first PATCH that knows it says `Upload-Length`), under `lock`;
/// the upload as it is now. The same length again is no change; another
/// one is refused, as is one below the offset. Past the tier's limit or
/// the account's space it is refused with the error that ends the upload.
pub async fn declare_length(
    lib: &Library,
    upload: Upload,
    lock: &Lock,
    length: i64,
) -> Result<Upload> {
    match upload.length() {
        Some(l) if l == length => return Ok(upload),
        Some(_) => {
            return Err(Error::BadValueText(
                "Upload-Length cannot change once declared".into(),
            ))
        }
        None => {}
    }
    if length < upload.upload_offset {
        return Err(Error::BadValueText(
            "Upload-Length is below the upload's offset".into(),
        ));
    }
    let mut room = Room::of(lib, &upload).await?;
    match room.admit(lib, &upload, length).await {
        Ok(()) => {}
        Err(Over::Limit(e)) => return Err(e),
        Err(Over::Length) => return Err(Error::TooLarge(length)),
    }
    if !lib
        .db
        .set_tus_length(&upload.id, &lock.token, length)
        .await?
    {
        return Err(lost());
    }
    Ok(Upload {
        upload_length: length,
        reserved: room.reserved,
        ..upload
    })
}

/// An upload by its id; None when unknown (or swept).
pub async fn get(lib: &Library, id: &str) -> Result<Option<Upload>> {
    Ok(lib.db.tus(id).await?)
}

/// Whether an upload is past its expiry (and no longer takes bytes).
pub fn expired(upload: &Upload) -> bool {
    upload.expires < now()
}

/// The lock of one writer of an upload.
pub struct Lock {
    pub token: String,
}

/// How long a lock holds without renewal: a writer renews it while bytes
/// keep coming; one whose node died frees the upload after this.
pub fn lock_ms(lib: &Library) -> i64 {
    (lib.cfg.limits.upload_idle_secs.max(1) as i64) * 2000
}

/// Takes the upload's lock; None when another request holds it.
pub async fn lock(lib: &Library, id: &str) -> Result<Option<Lock>> {
    let token = random_string(24, LOWER_ALNUM);
    let now = now_ms();
    let taken = lib.db.lock_tus(id, &token, now, now + lock_ms(lib)).await?;
    Ok(taken.then_some(Lock { token }))
}

/// Extends the lock; false when it was lost (the writer must stop).
pub async fn renew(lib: &Library, id: &str, lock: &Lock) -> Result<bool> {
    Ok(lib
        .db
        .renew_tus_lock(id, &lock.token, now_ms() + lock_ms(lib))
        .await?)
}

pub async fn unlock(lib: &Library, id: &str, lock: &Lock) -> Result<()> {
    Ok(lib.db.unlock_tus(id, &lock.token).await?)
}

/// Makes a complete upload a file, exactly as a form upload becomes one.
pub async fn finish(lib: &Library, upload: &Upload, written: Written) -> Result<Stored> {
    let ident = uploads::get(lib, &upload.upload_id)
        .await?
        .ok_or_else(uploads::unknown_identifier)?;
    let user = match ident.user_id {
        Some(uid) => Some(lib.db.user_by_id(uid).await?.ok_or(Error::SessionBad)?),
        None => None,
    };
    let asked = Asked {
        folder_id: upload.folder_id.clone(),
        description: upload.description.clone(),
        password: match upload.password_sealed.as_str() {
            "" => String::new(),
            sealed => lib
                .secrets
                .open(sealed)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("unreadable sealed password")))?,
        },
        recipient_email: upload.recipient_email.clone(),
        recipient_message: upload.recipient_message.clone(),
        notify_uploader: upload.notify_uploader != 0,
        limits: AskedLimits {
            time_limit: upload.time_limit,
            downloads_limit: upload.downloads_limit,
            limit_action: LimitAction::from_code(upload.limit_action).unwrap_or_default(),
        },
    };
    let up = uploads::Upload {
        ident: &ident,
        ip: upload.ip.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
        user: user.as_ref(),
        blob_key: &upload.blob_key,
        reserved: upload.reserved,
        received: upload.upload_length,
    };
    let stored = uploads::store(
        lib,
        &up,
        &upload.file_name,
        upload.upload_length,
        written,
        &asked,
    )
    .await?;
    lib.db.complete_tus(&upload.id, &stored.file_id).await?;
    Ok(stored)
}

fn stored(e: StorageError) -> Error {
    Error::internal(anyhow::anyhow!("{e}"))
}

/// What a writer hears when another request took the upload over.
fn lost() -> Error {
    Error::UploadUnavailable(Some("Another request took over this upload".into()))
}

/// The checksums' state of uploads whose chunks came through this node, by
/// upload, with the acknowledged offset it covers: an upload sent to one
/// node is hashed as it arrives; one whose chunks went elsewhere is read
/// back at the end (a hasher cannot travel between nodes).
#[derive(Default)]
pub struct Hashers(std::sync::Mutex<std::collections::HashMap<String, (i64, Digest)>>);

/// At most this many uploads' hashers are kept (about 2 KiB each); past it
/// one is dropped and its upload read back at the end.
const MAX_HASHERS: usize = 10_000;

impl Hashers {
    /// The hasher covering exactly `offset` bytes of `id`, taken out.
    fn take(&self, id: &str, offset: i64) -> Option<Digest> {
        let mut map = self.0.lock().ok()?;
        match map.remove(id) {
            Some((at, h)) if at == offset => Some(h),
            _ => None,
        }
    }

    fn put(&self, id: &str, offset: i64, hasher: Digest) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_HASHERS {
                if let Some(k) = map.keys().next().cloned() {
                    map.remove(&k);
                }
            }
            map.insert(id.to_string(), (offset, hasher));
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(id);
        }
    }
}

/// Adds bytes to an upload at its acknowledged offset, under its lock, and
/// acknowledges them (`keep`) or makes the file (`complete`). Nothing past
/// the acknowledged offset counts until acknowledged: the next writer
/// starts from the acknowledged offset again.
pub struct Writer {
    id: String,
    token: String,
    /// The upload's length.
    length: i64,
    /// The acknowledged offset.
    acked: i64,
    /// Bytes written past `acked`, not acknowledged yet.
    pending: i64,
    /// The checksums of everything written so far, when this node saw
    /// all of it (S3; a partial file keeps its own).
    hasher: Option<Digest>,
    sink: Sink,
}

enum Sink {
    /// fs: the partial file, synced before an acknowledgement.
    Fs { file: Box<Partial>, path: PathBuf },
    /// S3: full parts into the multipart upload, the rest in memory until
    /// it fills a part or is kept as the tail object.
    S3(Box<S3Sink>),
}

struct S3Sink {
    blob_key: String,
    multipart_id: String,
    /// Parts acknowledged in the database, in order.
    parts: Vec<TusPart>,
    /// Parts sent but not acknowledged yet.
    sent: Vec<TusPart>,
    /// The bytes past the last part: the acknowledged tail, then new ones.
    buf: BytesMut,
    /// The tail object the database names now ("" for none).
    tail_key: String,
    part_size: usize,
}

impl S3Sink {
    /// Sends what is left as the last part and makes the parts the object
    /// `key`.
    async fn complete_parts(
        &mut self,
        lib: &Library,
        id: &str,
        token: &str,
        key: &str,
    ) -> Result<()> {
        if !self.buf.is_empty() {
            let last = std::mem::take(&mut self.buf).freeze();
            self.send_part(lib, id, token, last).await?;
        }
        let etags: Vec<String> = self
            .parts
            .iter()
            .chain(&self.sent)
            .map(|p| p.etag.clone())
            .collect();
        lib.blobs
            .multipart_complete(key, &self.multipart_id, &etags)
            .await
            .map_err(stored)
    }

    fn in_parts(&self) -> i64 {
        self.parts.iter().chain(&self.sent).map(|p| p.size).sum()
    }

    /// Sends one part, starting the multipart upload with the first.
    async fn send_part(
        &mut self,
        lib: &Library,
        id: &str,
        token: &str,
        bytes: Bytes,
    ) -> Result<()> {
        if self.multipart_id.is_empty() {
            let mp = lib
                .blobs
                .multipart_create(&self.blob_key)
                .await
                .map_err(stored)?;
            if !lib.db.set_tus_multipart(id, token, &mp).await? {
                let _ = lib.blobs.multipart_abort(&self.blob_key, &mp).await;
                return Err(lost());
            }
            self.multipart_id = mp;
        }
        let number = self.parts.len() + self.sent.len() + 1;
        // S3 takes at most 10,000 parts.
        let n = match u16::try_from(number) {
            Ok(n) if n <= 10_000 => n,
            _ => return Err(Error::TooLarge(self.in_parts())),
        };
        let size = bytes.len() as i64;
        let etag = lib
            .blobs
            .multipart_put(&self.blob_key, &self.multipart_id, n, bytes)
            .await
            .map_err(stored)?;
        self.sent.push(TusPart {
            part_number: number as i64,
            etag,
            size,
        });
        Ok(())
    }
}

impl Writer {
    /// Opens an upload for writing at its acknowledged offset; `upload` is
    /// its row as read under `lock`.
    pub async fn open(lib: &Library, upload: &Upload, lock: &Lock) -> Result<Writer> {
        let start = upload.upload_offset;
        let mut hasher = match start {
            0 => Some(Digest::default()),
            _ => lib.hashers.take(&upload.id, start),
        };
        let sink = match lib.blobs.partial_path(&upload.id) {
            // The partial file hashes as it writes, off the request's task.
            Some(path) => Sink::Fs {
                file: Box::new(
                    Partial::open(path.clone(), start as u64, hasher.take())
                        .await
                        .map_err(Error::internal)?,
                ),
                path,
            },
            None => {
                let parts = lib.db.tus_parts(&upload.id).await?;
                let in_parts: i64 = parts.iter().map(|p| p.size).sum();
                let tail = start - in_parts;
                let mut buf = BytesMut::new();
                if tail > 0 {
                    let bytes = lib.blobs.get(&upload.tail_key).await.map_err(stored)?;
                    if bytes.len() as i64 != tail {
                        return Err(Error::internal(anyhow::anyhow!(
                            "the tail object holds {} bytes, not {tail}",
                            bytes.len()
                        )));
                    }
                    buf.extend_from_slice(&bytes);
                }
                Sink::S3(Box::new(S3Sink {
                    blob_key: upload.blob_key.clone(),
                    multipart_id: upload.multipart_id.clone(),
                    parts,
                    sent: Vec::new(),
                    buf,
                    tail_key: upload.tail_key.clone(),
                    part_size: lib.blobs.part_size().max(1),
                }))
            }
        };
        Ok(Writer {
            id: upload.id.clone(),
            token: lock.token.clone(),
            length: upload.upload_length,
            acked: start,
            pending: 0,
            hasher,
            sink,
        })
    }

    /// The bytes written past the acknowledged offset.
    pub fn pending(&self) -> i64 {
        self.pending
    }

    /// Adds bytes. `eager`: full S3 parts are acknowledged as soon as they
    /// are stored (a checksum that must vouch for the whole body says no).
    pub async fn write(&mut self, lib: &Library, bytes: &[u8], eager: bool) -> Result<()> {
        if let Some(h) = self.hasher.as_mut() {
            h.update(bytes);
        }
        match &mut self.sink {
            Sink::Fs { file, .. } => file.write(bytes).await.map_err(Error::internal)?,
            Sink::S3(s3) => {
                s3.buf.extend_from_slice(bytes);
                while s3.buf.len() >= s3.part_size {
                    let part = s3.buf.split_to(s3.part_size).freeze();
                    s3.send_part(lib, &self.id, &self.token, part).await?;
                }
            }
        }
        self.pending += bytes.len() as i64;
        if let (true, Sink::S3(s3)) = (eager, &mut self.sink) {
            let to = s3.in_parts();
            // The last byte is acknowledged only with the file made
            // (`complete`): an upload at its full length has its file.
            if !s3.sent.is_empty() && (self.length < 0 || to < self.length) {
                let old_tail = std::mem::take(&mut s3.tail_key);
                if !lib
                    .db
                    .advance_tus(&self.id, &self.token, (self.acked, to), &s3.sent, "")
                    .await?
                {
                    return Err(lost());
                }
                s3.parts.append(&mut s3.sent);
                forget_tail(lib, &old_tail).await;
                self.pending -= to - self.acked;
                self.acked = to;
            }
        }
        Ok(())
    }

    /// Acknowledges what was written (synced, or stored on S3); the new
    /// acknowledged offset.
    pub async fn keep(mut self, lib: &Library) -> Result<i64> {
        let to = self.acked + self.pending;
        let mut hasher = self.hasher.take();
        if let Sink::Fs { file, .. } = &mut self.sink {
            hasher = file.sync().await.map_err(Error::internal)?;
        }
        if self.pending == 0 {
            if let Some(h) = hasher {
                lib.hashers.put(&self.id, to, h);
            }
            return Ok(to);
        }
        let moved = match self.sink {
            Sink::Fs { .. } => {
                lib.db
                    .advance_tus(&self.id, &self.token, (self.acked, to), &[], "")
                    .await?
            }
            Sink::S3(s3) => {
                let tail_key = if s3.buf.is_empty() {
                    String::new()
                } else {
                    let key = format!("tus/{}/{to}", self.id);
                    lib.blobs.put(&key, s3.buf.freeze()).await.map_err(stored)?;
                    key
                };
                let moved = lib
                    .db
                    .advance_tus(&self.id, &self.token, (self.acked, to), &s3.sent, &tail_key)
                    .await?;
                let stale = if moved { s3.tail_key } else { tail_key };
                forget_tail(lib, &stale).await;
                moved
            }
        };
        match (moved, hasher) {
            (true, Some(h)) => lib.hashers.put(&self.id, to, h),
            (true, None) => {}
            (false, _) => return Err(lost()),
        }
        Ok(to)
    }

    /// Finishes a part of a concatenation: every byte acknowledged and kept
    /// where the final upload reads it (fs: the partial file; S3: one
    /// object under the part's own key), no file made.
    pub async fn seal(self, lib: &Library, upload: &Upload) -> Result<i64> {
        let mut s3 = match self.sink {
            Sink::S3(s3) => s3,
            Sink::Fs { .. } => return self.keep(lib).await,
        };
        let to = self.acked + self.pending;
        if s3.parts.is_empty() && s3.sent.is_empty() {
            let bytes = std::mem::take(&mut s3.buf).freeze();
            lib.blobs
                .put(&upload.blob_key, bytes)
                .await
                .map_err(stored)?;
        } else {
            s3.complete_parts(lib, &self.id, &self.token, &upload.blob_key)
                .await?;
        }
        if !lib
            .db
            .advance_tus(&self.id, &self.token, (self.acked, to), &s3.sent, "")
            .await?
        {
            return Err(lost());
        }
        forget_tail(lib, &s3.tail_key).await;
        Ok(to)
    }

    /// Drops what was written and not acknowledged.
    pub async fn discard(self) {
        if let Sink::Fs { mut file, .. } = self.sink {
            let _ = file.truncate(self.acked as u64).await;
        }
    }

    /// Makes the complete upload a file: its bytes moved into the store (or
    /// kept in the database when small), its checksum read back.
    pub async fn complete(self, lib: &Library, upload: &Upload) -> Result<Stored> {
        let length = upload.upload_length;
        let short =
            |n: u64| Error::internal(anyhow::anyhow!("the upload holds {n} bytes, not {length}"));
        let inline_max = lib.cfg.storage.inline_max_bytes as i64;
        let finalize = |h: Digest| h.finalize();
        let seen = self.hasher.map(finalize);
        let (written, leftover) = match self.sink {
            Sink::Fs { mut file, path } => {
                let seen = file.sync().await.map_err(Error::internal)?.map(finalize);
                drop(file);
                let written = if length <= inline_max {
                    let bytes = tokio::fs::read(&path).await.map_err(Error::internal)?;
                    if bytes.len() as i64 != length {
                        return Err(short(bytes.len() as u64));
                    }
                    Written {
                        sums: Sums::of(&bytes),
                        inline: Some(bytes),
                    }
                } else {
                    let (sums, n) = match seen {
                        Some(sum) => {
                            let n = tokio::fs::metadata(&path)
                                .await
                                .map_err(Error::internal)?
                                .len();
                            (sum, n)
                        }
                        None => hash_file(path.clone()).await.map_err(Error::internal)?,
                    };
                    if n as i64 != length {
                        return Err(short(n));
                    }
                    lib.blobs
                        .adopt(&path, &upload.blob_key)
                        .await
                        .map_err(stored)?;
                    Written { sums, inline: None }
                };
                (written, Leftover::File(path))
            }
            Sink::S3(mut s3) => {
                let tail = std::mem::take(&mut s3.tail_key);
                let written = if s3.parts.is_empty() && s3.sent.is_empty() {
                    // One part's worth or less: one object, or inline.
                    let bytes = s3.buf.freeze();
                    if bytes.len() as i64 != length {
                        return Err(short(bytes.len() as u64));
                    }
                    let sums = Sums::of(&bytes);
                    if length <= inline_max {
                        Written {
                            sums,
                            inline: Some(bytes.to_vec()),
                        }
                    } else {
                        lib.blobs
                            .put(&upload.blob_key, bytes)
                            .await
                            .map_err(stored)?;
                        Written { sums, inline: None }
                    }
                } else {
                    s3.complete_parts(lib, &self.id, &self.token, &upload.blob_key)
                        .await?;
                    let (sums, n) = match seen {
                        Some(sum) => (sum, s3.in_parts() as u64),
                        None => lib.blobs.hash(&upload.blob_key).await.map_err(stored)?,
                    };
                    if n as i64 != length {
                        return Err(short(n));
                    }
                    Written { sums, inline: None }
                };
                (written, Leftover::Tail(tail))
            }
        };
        let stored = finish(lib, upload, written).await?;
        match leftover {
            Leftover::File(path) => {
                let _ = tokio::fs::remove_file(&path).await;
            }
            Leftover::Tail(key) => forget_tail(lib, &key).await,
        }
        Ok(stored)
    }
}

/// What a completed upload leaves to remove once it is a file.
enum Leftover {
    File(PathBuf),
    Tail(String),
}

/// Removes a tail object no longer named by its upload (best effort: the
/// upload's termination removes any it names).
async fn forget_tail(lib: &Library, key: &str) {
    if !key.is_empty() {
        if let Err(e) = lib.blobs.delete(key).await {
            tracing::warn!(error = %e, "removing a resumable upload's old tail");
        }
    }
}

/// Ends an unfinished upload: its bytes removed, its identifier spent, its
/// space returned. A completed one is only forgotten (its file stays).
pub async fn terminate(lib: &Library, upload: &Upload, why: &str) -> Result<()> {
    // A part ends its whole concatenation: the identifier they share is
    // spent (and a failed final leaves its parts nothing to join).
    let group = match upload.concat.as_str() {
        "" => vec![lib
            .db
            .tus(&upload.id)
            .await?
            .unwrap_or_else(|| upload.clone())],
        _ => {
            let mut rows = lib.db.tus_of_identifier(&upload.upload_id).await?;
            rows.retain(|r| r.file_id.is_empty());
            rows
        }
    };
    for row in &group {
        lib.hashers.forget(&row.id);
        if row.file_id.is_empty() {
            remove_bytes(lib, row).await?;
        }
    }
    lib.hashers.forget(&upload.id);
    // Space back before the rows go: an upload no longer found holds none.
    if upload.file_id.is_empty() {
        match upload.concat.as_str() {
            "" => give_up(lib, &upload.upload_id, &upload.blob_key, why).await,
            _ => give_up_identifier(lib, &upload.upload_id, why).await,
        }
    }
    for row in &group {
        lib.db.delete_tus(&row.id).await?;
    }
    lib.db.delete_tus(&upload.id).await?;
    Ok(())
}

/// Removes an unfinished upload's bytes: its partial file, or on S3 its
/// multipart upload, tail and (a finished part) its whole object. `row`
/// as it is now: a writer may have started a multipart upload or moved its
/// tail since an earlier read.
async fn remove_bytes(lib: &Library, row: &Upload) -> Result<()> {
    if let Some(path) = lib.blobs.partial_path(&row.id) {
        let _ = tokio::fs::remove_file(path).await;
    }
    // A finished part's multipart upload was completed into its object.
    let sealed = row.concat == "partial" && row.length() == Some(row.upload_offset);
    if !row.multipart_id.is_empty() && !sealed {
        lib.blobs
            .multipart_abort(&row.blob_key, &row.multipart_id)
            .await
            .map_err(stored)?;
    }
    forget_tail(lib, &row.tail_key).await;
    if row.blob_key.starts_with(RESUMABLE_PREFIX) {
        forget_tail(lib, &row.blob_key).await;
    }
    Ok(())
}

/// Spends an identifier claimed by a concatenation's parts (its pending
/// blob, if any, with it).
async fn give_up_identifier(lib: &Library, upload_id: &str, why: &str) {
    match lib.db.pending_blob_of(upload_id).await {
        Ok(Some(key)) => give_up(lib, upload_id, &key, why).await,
        _ => {
            if let Err(e) = uploads::release(lib, upload_id, why, false).await {
                tracing::warn!(error = %e, "releasing a resumable upload; the sweeper will");
            }
        }
    }
}

/// Spends the identifier of a failed upload and returns what it held.
async fn give_up(lib: &Library, upload_id: &str, blob_key: &str, why: &str) {
    crate::library::remove_blob(lib, blob_key).await;
    if let Err(e) = uploads::drop_pending_blob(lib, blob_key).await {
        tracing::warn!(error = %e, "forgetting a pending blob; the sweeper will");
    }
    if let Err(e) = uploads::release(lib, upload_id, why, false).await {
        tracing::warn!(error = %e, "releasing a resumable upload; the sweeper will");
    }
}

/// Gives up the uploads past their expiry (and forgets completed ones).
pub async fn sweep_expired(lib: &Library) -> Result<usize> {
    let mut n = 0;
    for upload in lib.db.expired_tus(now(), now_ms()).await? {
        terminate(lib, &upload, "the resumable upload expired").await?;
        n += 1;
    }
    Ok(n)
}
