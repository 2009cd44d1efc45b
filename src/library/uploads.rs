//! Uploads in the domain: handing out identifiers (what an account may
//! upload now), the reservations and commit of an upload that streams (the
//! bytes themselves are the transfer path's), and the sweeps that clean up
//! after uploads whose node died. The states and statements are in
//! `db::uploads`.

use std::net::IpAddr;

use crate::blobs::Written;
use crate::db::uploads::{Claim, CommitError, NewIdent};
use crate::db::users::User;
use crate::db::{now, now_ms};
use crate::library::anonymous;
use crate::library::limits::{AskedLimits, Uploader};
use crate::library::mail::{self, Link, Sender};
use crate::library::{Error, Library, Result, MAX_NAME, MAX_TEXT};
use crate::secrets::{hash_secret, random_string, LOWER_ALNUM};

pub use crate::db::uploads::{Ident, NewFile, Reserve, UploadState};

/// Disk space of an upload of unknown length is reserved ahead in steps
/// this big (one transaction each).
pub const RESERVE_STEP: i64 = 8 * 1024 * 1024;

/// An identifier handed out, with the form's targets and the largest file
/// it takes now.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: String,
    pub progress_url: String,
    pub url: String,
    /// Bytes; -1 = no limit.
    pub max_file_size: i64,
    /// The signed companion of the identifier.
    pub extra_info: String,
}

/// The signed companion of an identifier (`extra_info`): a POST must carry
/// both, so a guessed identifier alone uploads nothing.
pub fn extra_info(lib: &Library, id: &str) -> String {
    lib.secrets.sign(&format!("upload:{id}"))
}

pub fn extra_info_ok(lib: &Library, id: &str, given: &str) -> bool {
    lib.secrets.verify(&format!("upload:{id}"), given.trim())
}

/// What an upload hears when its identifier is unknown, used, expired or
/// given up meanwhile.
pub fn unknown_identifier() -> Error {
    Error::denied("Unknown, used or expired upload identifier")
}

/// A new identifier for `user`: refused when the membership has no
/// uploads or no space left. The offered size is the tier's limit and the
/// space left, whichever is smaller.
pub async fn offer_for(
    lib: &Library,
    user: &User,
    api_version: &str,
    speed_limit: i64,
) -> Result<Offer> {
    offer_into(lib, user, api_version, speed_limit, "").await
}

/// A new identifier for an outsider's upload into `owner`'s file request
/// `request_id` (docs/file-requests.md): the owner's rules, as
/// `offer_for`, plus the request's, checked when the upload starts.
pub async fn offer_for_request(
    lib: &Library,
    owner: &User,
    request_id: &str,
    api_version: &str,
) -> Result<Offer> {
    offer_into(lib, owner, api_version, 0, request_id).await
}

async fn offer_into(
    lib: &Library,
    user: &User,
    api_version: &str,
    speed_limit: i64,
    request_id: &str,
) -> Result<Offer> {
    let tier = user.tier(&lib.cfg);
    if !tier.capable_upload {
        return Err(Error::denied("Uploads are not part of this membership"));
    }
    let left = user.diskspace_left(&lib.cfg);
    if left == 0 {
        return Err(Error::DiskspaceLimit);
    }
    let offered = match (tier.max_file_size, left) {
        (max, -1) => max,
        (-1, left) => left,
        (max, left) => max.min(left),
    };
    let id = create(
        lib,
        Some(user.id),
        api_version,
        speed_limit,
        tier.max_file_size,
        request_id,
    )
    .await?;
    Ok(offer(lib, id, offered))
}

/// A new anonymous identifier, up to the anonymous-upload policy's file
/// size; refused while anonymous uploads are off.
pub async fn offer_anonymous(lib: &Library, api_version: &str, speed_limit: i64) -> Result<Offer> {
    let max = anonymous::open_tier(lib).await?.max_file_size;
    let id = create(lib, None, api_version, speed_limit, max, "").await?;
    Ok(offer(lib, id, max))
}

fn offer(lib: &Library, id: String, max_file_size: i64) -> Offer {
    Offer {
        progress_url: lib.url(&format!("/progress/{id}")),
        url: lib.url(&format!("/upload/{id}")),
        max_file_size,
        extra_info: extra_info(lib, &id),
        id,
    }
}

/// Stores a new identifier, valid for `limits.upload_identifier_ttl_secs`.
async fn create(
    lib: &Library,
    user_id: Option<i64>,
    api_version: &str,
    speed_limit: i64,
    max_file_size: i64,
    request_id: &str,
) -> Result<String> {
    let id = random_string(32, LOWER_ALNUM);
    lib.db
        .insert_upload_id(&NewIdent {
            id: &id,
            user_id,
            api_version,
            speed_limit,
            max_file_size,
            expires: now() + lib.cfg.limits.upload_identifier_ttl_secs,
            request_id,
        })
        .await?;
    Ok(id)
}

pub async fn get(lib: &Library, id: &str) -> Result<Option<Ident>> {
    Ok(lib.db.upload_id(id).await?)
}

/// Takes an unused, unexpired identifier for the upload starting now (see
/// `Db::claim_upload_id`); None when it is unknown, used or expired. A
/// file request's identifier takes its share of the request's caps, or is
/// refused with the reason (docs/file-requests.md).
pub async fn claim(lib: &Library, id: &str, total: i64, blob_key: &str) -> Result<Option<Ident>> {
    match lib.db.claim_upload_id(id, total, blob_key).await? {
        Claim::Claimed(ident) => Ok(Some(ident)),
        Claim::Unknown => Ok(None),
        Claim::RequestRefused => {
            let ident = lib.db.upload_id(id).await?;
            let request = match ident {
                Some(i) => lib.db.file_request(&i.request_id).await?,
                None => None,
            };
            Err(crate::library::requests::refusal(request.as_ref(), total))
        }
    }
}

/// Uploads of an account streaming now, on every node.
pub async fn open_count(lib: &Library, user_id: i64) -> Result<i64> {
    Ok(lib.db.open_upload_count(user_id).await?)
}

/// Charges `n` more bytes of the upload `id` to the account, within `quota`.
pub async fn reserve(lib: &Library, user_id: i64, id: &str, n: i64, quota: i64) -> Result<Reserve> {
    Ok(lib.db.reserve_upload_space(user_id, id, n, quota).await?)
}

/// Ends a failed upload (identifier spent — or, with `give_back`, usable
/// again — reservation returned, progress `fail`); false when it was
/// settled already.
pub async fn release(lib: &Library, id: &str, error: &str, give_back: bool) -> Result<bool> {
    let to = if give_back {
        UploadState::Unused
    } else {
        UploadState::Failed
    };
    Ok(lib.db.release_upload(id, error, to).await?)
}

/// Makes a finished upload visible in one transaction (see
/// `Db::commit_upload`): the new file id and the account's `disk_used`
/// after it (so the answer needs no further query: the upload is stored
/// but unacknowledged until the answer is out, and that gap should be as
/// short as possible).
pub async fn commit(
    lib: &Library,
    upload_id: &str,
    reserved: i64,
    received: i64,
    file: &NewFile,
) -> Result<(String, Option<i64>)> {
    match lib
        .db
        .commit_upload(upload_id, reserved, received, file)
        .await
    {
        Ok(done) => Ok(done),
        Err(CommitError::Lost) => Err(unknown_identifier()),
        Err(CommitError::Folder) => Err(Error::FolderNotFound),
        Err(CommitError::Db(e)) => Err(e.into()),
    }
}

/// Forgets the pending blob of an upload that removed it itself.
pub async fn drop_pending_blob(lib: &Library, blob_key: &str) -> Result<()> {
    lib.db.drop_pending_blob(blob_key).await?;
    Ok(())
}

/// Gives up uploads whose progress has not moved for
/// `limits.stale_upload_secs` (their node died): reservation released,
/// identifier spent, progress `fail`. Returns how many.
pub async fn sweep_stale(lib: &Library) -> Result<usize> {
    let cutoff = now_ms() - lib.cfg.limits.stale_upload_secs * 1000;
    let mut n = 0;
    for id in lib.db.stale_uploads(cutoff).await? {
        if lib
            .db
            .release_upload(&id, "upload abandoned", UploadState::Failed)
            .await?
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Removes blobs that were written but never attached to a file (a node
/// crashed between the two), once their upload is over and the grace
/// period has passed. Each row is claimed by deleting it.
pub async fn sweep_pending_blobs(lib: &Library) -> Result<usize> {
    let cutoff = now() - lib.cfg.limits.pending_blob_grace_secs;
    let mut n = 0;
    for key in lib.db.due_pending_blobs(cutoff).await? {
        let claimed = lib.db.drop_pending_blob(&key).await?;
        let attached = lib.db.blob_attached(&key).await?;
        if claimed && !attached {
            crate::library::remove_blob(lib, &key).await;
            n += 1;
        }
    }
    Ok(n)
}

/// Forgets spent and expired identifiers and old progress rows.
pub async fn sweep_expired(lib: &Library) -> Result<()> {
    let keep = lib.cfg.limits.progress_keep_secs;
    lib.db
        .forget_upload_ids(now() - keep, now_ms() - keep * 1000)
        .await?;
    Ok(())
}

/// What an upload asks for besides its bytes: the upload form's optional
/// fields (or a resumable upload's metadata), as sent.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    /// Empty or `0`: the root.
    pub folder_id: String,
    pub description: String,
    /// A download password; empty: none.
    pub password: String,
    /// Comma-separated addresses to mail the link to.
    pub recipient_email: String,
    pub recipient_message: String,
    /// Mail the link to the uploader too.
    pub notify_uploader: bool,
    /// The file's time and download limits.
    pub limits: AskedLimits,
}

/// The upload a file is made of: its identifier (as claimed), who sent it
/// and what it holds reserved.
pub struct Upload<'a> {
    pub ident: &'a Ident,
    /// The uploader's address (mail rate).
    pub ip: IpAddr,
    pub user: Option<&'a User>,
    /// The blob the upload wrote (pending until the commit).
    pub blob_key: &'a str,
    /// Disk space reserved for it.
    pub reserved: i64,
    /// Bytes received (progress).
    pub received: i64,
}

/// A finished upload's file.
pub struct Stored {
    pub file_id: String,
    /// Anonymous uploads: the secret of their delete link.
    pub delete_secret: Option<String>,
    /// The account's `disk_used` after the commit.
    pub disk_used: Option<i64>,
    /// Stored hidden until a background virus scan finds it clean
    /// (docs/scanning.md).
    pub quarantined: bool,
    /// The file request it came through ('' = none; docs/file-requests.md).
    pub request_id: String,
}

/// The addresses of `recipient_email`: `InvalidEmail` when one is
/// invalid; refused when there are more than the upload may mail, or
/// anonymous uploads may mail none (docs/security.md).
pub fn recipients(lib: &Library, anonymous: bool, value: &str) -> Result<Vec<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let list = mail::recipients(value).ok_or(Error::InvalidEmail)?;
    let cfg = &lib.cfg;
    if anonymous && !cfg.anonymous_recipients {
        return Err(Error::BadValueText(
            "Anonymous uploads cannot mail recipients".into(),
        ));
    }
    let max = if anonymous {
        cfg.limits.recipients_per_upload_anonymous
    } else {
        cfg.limits.recipients_per_upload_account
    };
    if list.len() > max {
        return Err(Error::BadValueText(
            format!("At most {max} recipients per upload").into(),
        ));
    }
    Ok(list)
}

/// `folder_id` must be the uploader's own folder (or root); anonymous
/// uploads have only the root.
pub async fn check_folder(lib: &Library, user_id: Option<i64>, value: &str) -> Result<()> {
    let value = value.trim();
    if value.is_empty() || value == crate::db::folders::ROOT {
        return Ok(());
    }
    if !crate::library::folders::is_folder_id(value) {
        return Err(Error::bad_value("folder_id"));
    }
    let owned = match user_id {
        Some(uid) => lib.db.owns_folder(uid, value).await?,
        None => false,
    };
    if owned {
        Ok(())
    } else {
        Err(Error::FolderNotFound)
    }
}

/// One of the upload's text fields within its length in characters
/// (`description`, `recipient_message`, `password`; others have none).
pub fn check_text(name: &str, value: &str) -> Result<()> {
    let max = match name {
        "description" | "recipient_message" => MAX_TEXT,
        "password" => MAX_NAME,
        _ => return Ok(()),
    };
    if value.chars().count() > max {
        return Err(Error::bad_value(name.to_string()));
    }
    Ok(())
}

/// The limits an upload asks for, within its uploader's tier — checked
/// before any byte comes, and again when the file is stored.
pub async fn check_limits(lib: &Library, user_id: Option<i64>, limits: AskedLimits) -> Result<()> {
    let user = match user_id {
        Some(uid) => Some(lib.db.user_by_id(uid).await?.ok_or(Error::SessionBad)?),
        None => None,
    };
    within(lib, user.as_ref(), limits).await.map(|_| ())
}

/// `limits` within the account's tier, or within the anonymous-upload
/// policy in force — refused whole while anonymous uploads are off, so an
/// identifier handed out before they were turned off stores nothing.
async fn within(lib: &Library, user: Option<&User>, limits: AskedLimits) -> Result<AskedLimits> {
    match user {
        Some(u) => limits.within(&lib.cfg, Uploader::Account(u)),
        None => {
            let tier = anonymous::open_tier(lib).await?;
            limits.within(&lib.cfg, Uploader::Anonymous(&tier))
        }
    }
}

/// The lengths of the texts an upload may carry.
pub fn check_texts(asked: &Asked) -> Result<()> {
    check_text("description", &asked.description)?;
    check_text("password", &asked.password)?;
    check_text("recipient_message", &asked.recipient_message)
}

/// The delete link of an anonymous upload, from the secret its answer
/// tells once.
pub fn delete_link(lib: &Library, file_id: &str, secret: &str) -> String {
    lib.url(&format!("/delete/{file_id}/{secret}"))
}

/// Makes a finished upload a file, whichever way its bytes came: checks
/// what it asked for, counts its mails against the rates (over them the
/// upload fails whole rather than keep a file whose mails were dropped),
/// commits it (`commit`) and mails its link. `name` is the file's name as
/// it will be shown (already cleaned).
pub async fn store(
    lib: &Library,
    up: &Upload<'_>,
    name: &str,
    size: i64,
    written: Written,
    asked: &Asked,
) -> Result<Stored> {
    let ident = up.ident;
    check_folder(lib, ident.user_id, &asked.folder_id).await?;
    check_texts(asked)?;
    if !ident.request_id.is_empty() {
        crate::library::requests::check_encrypted(lib, &ident.request_id, written.sums.age).await?;
    }
    let limits = within(lib, up.user, asked.limits).await?;
    let recipients = recipients(lib, ident.user_id.is_none(), &asked.recipient_email)?;
    // Before anything is counted or kept: an infected file is refused here
    // and its front end removes its bytes (docs/scanning.md).
    let quarantined = crate::library::scan::before_commit(lib, up.blob_key, &written, size).await?;
    mail::take_mail_rate(lib, up.ip, ident.user_id, recipients.len()).await?;
    let folder_id = match asked.folder_id.trim() {
        "" => crate::db::folders::ROOT.to_string(),
        id => id.to_string(),
    };
    let delete_secret = ident
        .user_id
        .is_none()
        .then(|| random_string(24, LOWER_ALNUM));
    let file = NewFile {
        user_id: ident.user_id,
        folder_id,
        content_type: crate::library::encryption::content_type(name, written.sums.age),
        name: name.to_string(),
        description: asked.description.clone(),
        password_sealed: if asked.password.is_empty() {
            String::new()
        } else {
            lib.secrets.seal(&asked.password)
        },
        size,
        blob_key: up.blob_key.to_string(),
        inline: written.inline,
        checksum: written.sums.blake3,
        crc32: Some(i64::from(written.sums.crc32)),
        delete_hash: delete_secret
            .as_deref()
            .map(hash_secret)
            .unwrap_or_default(),
        quarantined,
        time_limit: limits.time_limit,
        download_limit: limits.downloads_limit,
        limit_action: limits.limit_action.code(),
    };
    let (file_id, disk_used) = commit(lib, &ident.id, up.reserved, up.received, &file).await?;
    if quarantined {
        lib.scans.wake();
    } else {
        crate::library::webhooks::upload_completed(lib, ident.user_id, &file_id).await;
    }
    share(lib, &file_id, name, up.user, recipients, asked).await;
    if !ident.request_id.is_empty() {
        crate::library::requests::received(lib, &ident.request_id, &file_id, name, size).await;
    }
    Ok(Stored {
        file_id,
        delete_secret,
        disk_used,
        quarantined,
        request_id: ident.request_id.clone(),
    })
}

/// Mails the link to the recipients (and the uploader when asked) through
/// the queue; a mail problem never fails the stored upload.
async fn share(
    lib: &Library,
    file_id: &str,
    name: &str,
    user: Option<&User>,
    mut recipients: Vec<String>,
    asked: &Asked,
) {
    if let Some(u) = user {
        if let Err(e) = crate::library::collect_addresses(lib, u.id, &recipients).await {
            tracing::warn!(error = %format!("{e:#}"), "collecting upload recipients");
        }
        if asked.notify_uploader && !recipients.iter().any(|r| r.eq_ignore_ascii_case(&u.email)) {
            recipients.push(u.email.clone());
        }
    }
    if recipients.is_empty() {
        return;
    }
    let sender = user.map(Sender::from).unwrap_or_else(Sender::anonymous);
    let link = Link {
        name: name.to_string(),
        url: lib.url(&format!("/file/{file_id}")),
    };
    let share = mail::Share {
        what: "a file",
        links: &[link],
        message: asked.recipient_message.trim(),
        subject: None,
    };
    if let Err(e) = mail::send_share(lib, &sender, &recipients, &share).await {
        tracing::warn!(error = %format!("{e:#}"), "queueing upload mail");
    }
}
