//! Resumable uploads in the domain (tus 1.0; the protocol itself is
//! `transfer::tus`'s, docs/resumable.md): created with a sendspace upload
//! identifier, whose rules they keep (single use, bound to its caller,
//! the tier's size limit and the disk quota reserved whole at creation);
//! acknowledged offsets and a lock per upload in the database, so any node
//! can take the next request; completed into a file by `uploads::store`,
//! exactly as a form upload; given up at their expiry.

use std::net::IpAddr;

use crate::blobs::{Blobs, Written};
use crate::db::{now, now_ms};
use crate::library::uploads::{self, Asked, Reserve, Stored, UploadState};
use crate::library::{Error, Library, Result};
use crate::secrets::{random_string, LOWER_ALNUM};

pub use crate::db::tus::TusRow as Upload;

/// Whether this server takes resumable uploads (their unfinished bytes
/// live in local partial files: the fs storage backend, for now).
pub fn offered(lib: &Library) -> bool {
    lib.blobs.keeps_partials()
}

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
}

/// Creates an upload: checks the identifier and what the upload asks for,
/// claims the identifier and reserves the whole length against the quota.
pub async fn create(lib: &Library, new: New) -> Result<Upload> {
    let ident = uploads::get(lib, &new.upload_identifier)
        .await?
        .ok_or_else(uploads::unknown_identifier)?;
    if !uploads::extra_info_ok(lib, &ident.id, &new.extra_info)
        || ident.state != UploadState::Unused
        || ident.expires <= now()
    {
        return Err(uploads::unknown_identifier());
    }
    if ident.max_file_size >= 0 && new.length > ident.max_file_size {
        return Err(Error::TooLarge(ident.max_file_size));
    }
    uploads::check_texts(&new.asked)?;
    uploads::check_folder(lib, ident.user_id, &new.asked.folder_id).await?;
    uploads::recipients(lib, ident.user_id.is_none(), &new.asked.recipient_email)?;
    let quota = match ident.user_id {
        Some(uid) => {
            let user = lib.db.user_by_id(uid).await?.ok_or(Error::SessionBad)?;
            Some((uid, user.tier(&lib.cfg).diskspace))
        }
        None => None,
    };
    let blob_key = Blobs::new_key();
    let ident = uploads::claim(lib, &ident.id, new.length, &blob_key)
        .await?
        .ok_or_else(uploads::unknown_identifier)?;
    let mut reserved = 0;
    if let Some((uid, quota)) = quota.filter(|(_, q)| *q >= 0) {
        let refused = match uploads::reserve(lib, uid, &ident.id, new.length, quota).await {
            Ok(Reserve::Granted) => None,
            Ok(Reserve::Full) => Some(Error::DiskspaceLimit),
            Ok(Reserve::Lost) => Some(uploads::unknown_identifier()),
            Err(e) => Some(e),
        };
        if let Some(e) = refused {
            give_up(lib, &ident.id, &blob_key, "no space for the upload").await;
            return Err(e);
        }
        reserved = new.length;
    }
    let upload = Upload {
        id: random_string(32, LOWER_ALNUM),
        upload_id: ident.id.clone(),
        upload_length: new.length,
        upload_offset: 0,
        reserved,
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
        ip: new.ip.to_string(),
        blob_key,
        file_id: String::new(),
        expires: now() + lib.cfg.limits.tus_expiry_secs,
    };
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

/// The largest upload a caller may create: the tier limit of the
/// identifier it names, else the anonymous tier's; None when unlimited.
pub async fn max_size(lib: &Library, upload_identifier: &str) -> Result<Option<i64>> {
    let max = match upload_identifier {
        "" => lib.cfg.tiers.anonymous.max_file_size,
        id => match uploads::get(lib, id).await? {
            Some(ident) => ident.max_file_size,
            None => return Err(uploads::unknown_identifier()),
        },
    };
    Ok((max >= 0).then_some(max))
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

/// Acknowledges the bytes from `from` up to `to` (synced by the caller);
/// false when the offset moved or the lock was lost meanwhile.
pub async fn advance(lib: &Library, id: &str, lock: &Lock, from: i64, to: i64) -> Result<bool> {
    Ok(lib.db.advance_tus(id, &lock.token, from, to).await?)
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

/// Ends an unfinished upload: its bytes removed, its identifier spent, its
/// space returned. A completed one is only forgotten (its file stays).
pub async fn terminate(lib: &Library, upload: &Upload, why: &str) -> Result<()> {
    if upload.file_id.is_empty() {
        if let Some(path) = lib.blobs.partial_path(&upload.id) {
            let _ = tokio::fs::remove_file(path).await;
        }
        give_up(lib, &upload.upload_id, &upload.blob_key, why).await;
    }
    lib.db.delete_tus(&upload.id).await?;
    Ok(())
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
