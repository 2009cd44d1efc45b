//! File requests (docs/file-requests.md): an account asks outsiders for
//! files. Outsiders open the request's link, see its title and message
//! (never the folder), and upload through `/tus/` with an identifier bound
//! to the owner's account and the request: the owner's quota and the
//! request's caps are reserved when an upload starts (`uploads::claim`),
//! and every upload lands in the request's folder whatever its metadata
//! says.

use std::net::IpAddr;

use crate::db::file_requests::{FileRequest, NewRequest};
use crate::db::now;
use crate::db::users::User;
use crate::library::limits::AskedLimits;
use crate::library::uploads::{self, Asked, Offer};
use crate::library::webhooks::{self, Event, FileRequestUploadData};
use crate::library::{Error, Library, Result, MAX_NAME, MAX_TEXT};
use crate::mail::Mail;
use crate::secrets::{random_string, LOWER_ALNUM};

/// What an account asks for when it creates a request.
#[derive(Debug, Clone, Default)]
pub struct New {
    pub folder_id: String,
    pub title: String,
    pub message: String,
    pub password: String,
    /// Seconds from now; 0: never expires.
    pub expires_in: i64,
    /// 0: no cap.
    pub max_files: i64,
    pub max_bytes: i64,
    pub max_file_size: i64,
    pub notify: bool,
    /// Uploads are encrypted in the uploader's browser to the owner's age
    /// keys (docs/encryption.md); the owner must publish one first.
    pub encrypted: bool,
}

/// Where a request stands for an outsider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Closed,
    Expired,
    /// Its file count or total size cap is reached.
    Full,
}

pub fn state(r: &FileRequest) -> State {
    if r.closed() {
        State::Closed
    } else if r.expires > 0 && r.expires <= now() {
        State::Expired
    } else if (r.max_files > 0 && r.files_taken >= r.max_files)
        || (r.max_bytes > 0 && r.bytes_taken >= r.max_bytes)
    {
        State::Full
    } else {
        State::Open
    }
}

/// Creates a request into one of `user`'s folders.
pub async fn create(lib: &Library, user: &User, new: &New) -> Result<FileRequest> {
    if !user.tier(&lib.cfg).capable_upload {
        return Err(Error::denied("Uploads are not part of this membership"));
    }
    uploads::check_folder(lib, Some(user.id), &new.folder_id).await?;
    let title = new.title.trim();
    if title.is_empty() {
        return Err(Error::Missing("title".into()));
    }
    if title.chars().count() > MAX_NAME {
        return Err(Error::bad_value("title"));
    }
    if new.message.chars().count() > MAX_TEXT {
        return Err(Error::bad_value("message"));
    }
    if new.password.chars().count() > MAX_NAME {
        return Err(Error::bad_value("password"));
    }
    for (name, v) in [
        ("expires_in", new.expires_in),
        ("max_files", new.max_files),
        ("max_bytes", new.max_bytes),
        ("max_file_size", new.max_file_size),
    ] {
        if v < 0 {
            return Err(Error::bad_value(name));
        }
    }
    let open = lib
        .db
        .file_requests_of(user.id)
        .await?
        .iter()
        .filter(|r| state(r) != State::Closed && state(r) != State::Expired)
        .count();
    if open >= lib.cfg.limits.file_requests_per_account {
        return Err(Error::denied(format!(
            "At most {} open file requests per account: close one first",
            lib.cfg.limits.file_requests_per_account
        )));
    }
    if new.encrypted && lib.db.age_keys(user.id).await?.is_empty() {
        return Err(Error::BadValueText(
            "Invalid value for parameter encrypted: publish an age key first (keys.add)".into(),
        ));
    }
    let folder_id = match new.folder_id.trim() {
        "" => crate::db::folders::ROOT,
        id => id,
    };
    let password_sealed = match new.password.as_str() {
        "" => String::new(),
        p => lib.secrets.seal(p),
    };
    let created = now();
    loop {
        let id = random_string(20, LOWER_ALNUM);
        let row = NewRequest {
            id: &id,
            user_id: user.id,
            folder_id,
            title,
            message: new.message.trim(),
            password_sealed: &password_sealed,
            expires: if new.expires_in > 0 {
                created.saturating_add(new.expires_in)
            } else {
                0
            },
            max_files: new.max_files,
            max_bytes: new.max_bytes,
            max_file_size: new.max_file_size,
            notify: new.notify,
            encrypted: new.encrypted,
            created,
        };
        if lib.db.insert_file_request(&row).await? {
            return lib
                .db
                .file_request(&id)
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("file request {id} vanished")));
        }
    }
}

/// An account's requests, newest first.
pub async fn of_user(lib: &Library, user_id: i64) -> Result<Vec<FileRequest>> {
    Ok(lib.db.file_requests_of(user_id).await?)
}

fn unknown() -> Error {
    Error::denied("No such file request")
}

/// Closes one of `user_id`'s requests: outsiders can no longer start an
/// upload; uploads under way finish.
pub async fn close(lib: &Library, user_id: i64, id: &str) -> Result<()> {
    if lib.db.close_file_request(user_id, id).await? {
        Ok(())
    } else {
        Err(unknown())
    }
}

/// The request behind a link, whatever its state; None when unknown.
pub async fn find(lib: &Library, token: &str) -> Result<Option<FileRequest>> {
    if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    Ok(lib.db.file_request(token).await?)
}

/// The request's link.
pub fn url(lib: &Library, r: &FileRequest) -> String {
    lib.url(&format!("/r/{}", r.id))
}

pub fn has_password(r: &FileRequest) -> bool {
    !r.password_sealed.is_empty()
}

/// Checks an outsider's password (throttled like download passwords) and
/// answers the pass the page hands back with each upload it starts.
pub async fn unlock(lib: &Library, r: &FileRequest, given: &str, ip: IpAddr) -> Result<String> {
    let stored = lib.secrets.open(&r.password_sealed).unwrap_or_default();
    crate::library::files::check_sealed_password(lib, &format!("req:{}", r.id), &stored, given, ip)
        .await?;
    Ok(pass(lib, r))
}

fn pass(lib: &Library, r: &FileRequest) -> String {
    lib.secrets.sign(&format!("request-pass:{}", r.id))
}

/// Whether `given` is the pass of `r` (always, without a password).
pub fn pass_ok(lib: &Library, r: &FileRequest, given: &str) -> bool {
    !has_password(r)
        || lib
            .secrets
            .verify(&format!("request-pass:{}", r.id), given.trim())
}

/// A fresh identifier for one outsider's upload into `r`, charged to the
/// owner. The offered size is the smallest of the owner's tier limit and
/// space left, the request's per-file cap and what its total cap leaves.
pub async fn offer(lib: &Library, r: &FileRequest, api_version: &str) -> Result<Offer> {
    match state(r) {
        State::Open => {}
        other => return Err(refused(other)),
    }
    // An encrypted request whose owner has no key now takes nothing.
    recipients(lib, r).await?;
    let owner = lib.db.user_by_id(r.user_id).await?.ok_or_else(unknown)?;
    let mut offer = uploads::offer_for_request(lib, &owner, &r.id, api_version).await?;
    let caps = [
        r.max_file_size,
        if r.max_bytes > 0 {
            (r.max_bytes - r.bytes_taken).max(0)
        } else {
            0
        },
    ];
    for cap in caps.into_iter().filter(|c| *c > 0) {
        offer.max_file_size = match offer.max_file_size {
            -1 => cap,
            max => max.min(cap),
        };
    }
    Ok(offer)
}

/// What an outsider's upload may ask for: only a description. The folder
/// is the request's; no password, limits or recipients.
pub fn force(r: &FileRequest, asked: &mut Asked) {
    *asked = Asked {
        folder_id: r.folder_id.clone(),
        description: std::mem::take(&mut asked.description),
        limits: AskedLimits::default(),
        ..Asked::default()
    };
}

fn refused(state: State) -> Error {
    Error::denied(match state {
        State::Closed => "This file request is closed",
        State::Expired => "This file request has expired",
        State::Full => "This file request takes no more files",
        State::Open => "This file request cannot take this file",
    })
}

/// Why an upload of `size` bytes into `r` was refused at its start.
pub fn refusal(r: Option<&FileRequest>, size: i64) -> Error {
    let Some(r) = r else {
        return unknown();
    };
    match state(r) {
        State::Open => {
            if r.max_file_size > 0 && size > r.max_file_size {
                Error::TooLarge(r.max_file_size)
            } else if r.max_files > 0 && r.files_taken >= r.max_files {
                refused(State::Full)
            } else if r.max_bytes > 0 {
                Error::denied(format!(
                    "This file request takes {} more bytes at most",
                    (r.max_bytes - r.bytes_taken).max(0)
                ))
            } else {
                refused(State::Open)
            }
        }
        other => refused(other),
    }
}

/// The signed part of an outsider's receipt link for a file received.
pub fn receipt_sig(lib: &Library, request_id: &str, file_id: &str) -> String {
    lib.secrets
        .sign(&format!("request-receipt:{request_id}:{file_id}"))
}

/// The outsider's receipt page for a file received.
pub fn receipt_url(lib: &Library, request_id: &str, file_id: &str) -> String {
    lib.url(&format!(
        "/r/{request_id}/receipt/{file_id}/{}",
        receipt_sig(lib, request_id, file_id)
    ))
}

pub fn receipt_ok(lib: &Library, request_id: &str, file_id: &str, sig: &str) -> bool {
    lib.secrets
        .verify(&format!("request-receipt:{request_id}:{file_id}"), sig)
}

/// A file arrived through request `request_id`: the owner hears of it
/// when the request asks, and their webhooks get `file_request.uploaded`
/// (docs/webhooks.md). Best effort: the file is stored either way.
pub async fn received(lib: &Library, request_id: &str, file_id: &str, name: &str, size: i64) {
    let Ok(Some(r)) = lib.db.file_request(request_id).await else {
        return;
    };
    if let Ok(Some(file)) = lib.db.file(file_id).await {
        match webhooks::file_data(lib, &file).await {
            Ok(data) => {
                let event = Event::FileRequestUploaded(FileRequestUploadData {
                    request_id: r.id.clone(),
                    title: r.title.clone(),
                    file: data,
                    uploader: String::new(),
                });
                webhooks::notify(lib, Some(r.user_id), event).await;
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "file request webhook"),
        }
    }
    if !r.notify() {
        return;
    }
    let Ok(Some(owner)) = lib.db.user_by_id(r.user_id).await else {
        return;
    };
    let mail = Mail::text(
        owner.email,
        format!("New file for \"{}\": {name}", r.title),
        format!(
            "Hello,\n\nSomeone uploaded {name} ({size} bytes) through your file request \"{}\".\n\n\
             The file: {}\nThe request: {}\n",
            r.title,
            lib.url(&format!("/file/{file_id}")),
            url(lib, &r),
        ),
    );
    if let Err(e) = lib.mail.send(mail).await {
        tracing::warn!(error = %format!("{e:#}"), "queueing a file request mail");
    }
}

/// The owner's age public keys an upload into `r` is encrypted to: empty
/// for a request that is not encrypted. An encrypted request whose owner
/// has since removed every key takes nothing (`Denied`) rather than plain
/// files.
pub async fn recipients(lib: &Library, r: &FileRequest) -> Result<Vec<String>> {
    if !r.encrypted() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = lib
        .db
        .age_keys(r.user_id)
        .await?
        .into_iter()
        .map(|k| k.public_key)
        .collect();
    if keys.is_empty() {
        return Err(Error::denied(
            "This file request takes encrypted files only, and its owner has no key now",
        ));
    }
    Ok(keys)
}

/// Refuses a finished upload into an encrypted request that is not an age
/// file (a page without its script, or a client that ignored the request's
/// keys): nothing unencrypted is kept where the owner asked for ciphertext.
pub async fn check_encrypted(lib: &Library, request_id: &str, age: bool) -> Result<()> {
    if age {
        return Ok(());
    }
    match lib.db.file_request(request_id).await? {
        Some(r) if r.encrypted() => Err(Error::denied(
            "This file request takes only files encrypted to its owner's keys",
        )),
        _ => Ok(()),
    }
}
