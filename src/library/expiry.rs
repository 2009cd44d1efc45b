//! The expiry lifecycle (docs/expiry.md): warnings mailed to owners a
//! while before their files and sends expire, the signed one-click links
//! in them that extend the item, and extensions from My files and the CLI.

use crate::config::Config;
use crate::db::files::File;
use crate::db::now;
use crate::db::users::User;
use crate::library::webhooks::{self, Event, ShareExpiringData};
use crate::library::{files, limits, Error, Library, Result};
use crate::mail::Mail;

/// What a warning or an extend link is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A file of an account, by id.
    File(String),
    /// A file_send send (all its recipients' links), by id.
    Send(i64),
}

impl Item {
    /// The item as the extend link's path names it: `f/{id}` or `s/{id}`.
    fn path(&self) -> String {
        match self {
            Item::File(id) => format!("f/{id}"),
            Item::Send(id) => format!("s/{id}"),
        }
    }

    /// Reads `kind` and `id` of an extend link's path.
    pub fn parse(kind: &str, id: &str) -> Option<Item> {
        match kind {
            "f" if crate::db::files::is_id(id) => Some(Item::File(id.to_string())),
            "s" => id.parse().ok().filter(|&n: &i64| n > 0).map(Item::Send),
            _ => None,
        }
    }
}

/// The signed message of an extend link: the item and the expiry it was
/// handed out for (so it stops working once the item expired or was
/// extended).
fn message(item: &Item, expires: i64) -> String {
    format!("extend\n{}\n{expires}", item.path())
}

/// `{public_url}/extend/{f|s}/{id}/{expires}/{signature}`.
pub fn extend_url(lib: &Library, item: &Item, expires: i64) -> String {
    let sig = lib.secrets.sign(&message(item, expires));
    lib.url(&format!("/extend/{}/{expires}/{sig}", item.path()))
}

/// Whether an extend link was signed by this server and its item has not
/// expired yet (compared in constant time by `Secrets::verify`).
pub fn link_valid(lib: &Library, item: &Item, expires: i64, sig: &str) -> bool {
    expires > now() && lib.secrets.verify(&message(item, expires), sig)
}

/// Seconds an extension gives from now: the owner's tier default time
/// limit, else `expiry.extend_secs`, within the tier's maximum.
pub fn extension_secs(cfg: &Config, user: &User) -> i64 {
    let secs = limits::default_time_limit(cfg, limits::Uploader::Account(user))
        .unwrap_or(cfg.expiry.extend_secs)
        .max(60);
    match limits::max_time_limit(cfg, limits::Uploader::Account(user)) {
        Some(max) => secs.min(max),
        None => secs,
    }
}

/// Extends the user's file by `secs` from now (None: `extension_secs`),
/// as `files.setInfo` would set its time limit (within the tier's
/// maximum). Its warning is sent again before the new expiry.
pub async fn extend_file(
    lib: &Library,
    user: &User,
    file_id: &str,
    secs: Option<i64>,
) -> Result<File> {
    files::own(&lib.db, user.id, file_id).await?;
    let info = files::SetInfo {
        time_limit: Some(secs.unwrap_or_else(|| extension_secs(&lib.cfg, user))),
        ..Default::default()
    };
    let update = files::prepare(lib, user, &info).await?;
    files::update(lib, user.id, file_id, &update).await
}

/// What an extend link names, as it is now: its owner and current expiry.
pub struct Target {
    pub item: Item,
    pub name: String,
    pub owner: User,
    pub expires: i64,
}

/// The item of a valid extend link, if the link still matches it (not
/// extended since, not expired). `Denied` for anything else, without
/// telling why.
pub async fn target(lib: &Library, item: Item, expires: i64, sig: &str) -> Result<Target> {
    let refused = || Error::Denied(None);
    if !link_valid(lib, &item, expires, sig) {
        return Err(refused());
    }
    let (owner, name, at) = match &item {
        Item::File(id) => {
            let f = lib.db.file(id).await?.ok_or_else(refused)?;
            (f.user_id.ok_or_else(refused)?, f.name, f.time_limit_at)
        }
        Item::Send(id) => {
            let s = lib.db.send(*id).await?.ok_or_else(refused)?;
            let name = if s.subject.is_empty() {
                format!("send {id}")
            } else {
                s.subject
            };
            (s.user_id, name, lib.db.send_expiry(*id).await?)
        }
    };
    if at != expires {
        return Err(refused());
    }
    let owner = lib.db.user_by_id(owner).await?.ok_or_else(refused)?;
    Ok(Target {
        item,
        name,
        owner,
        expires,
    })
}

/// Extends what a valid extend link names by its owner's
/// `extension_secs`; the new expiry. A second POST of the same link is
/// refused (the expiry it names has moved).
pub async fn extend_by_link(lib: &Library, item: Item, expires: i64, sig: &str) -> Result<i64> {
    let t = target(lib, item, expires, sig).await?;
    let secs = extension_secs(&lib.cfg, &t.owner);
    match &t.item {
        Item::File(id) => Ok(extend_file(lib, &t.owner, id, Some(secs))
            .await?
            .time_limit_at),
        Item::Send(id) => {
            let to = now() + secs;
            if !lib.db.extend_send(*id, t.expires, now(), to).await? {
                return Err(Error::Denied(None));
            }
            Ok(to)
        }
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`, as the pages show dates.
fn utc(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// A warning that an item expires soon, as decided by `sweep_warnings`.
pub struct Warning {
    pub owner: User,
    pub item: Item,
    /// The file's name or the send's subject.
    pub name: String,
    pub expires: i64,
    /// For sends: the recipients who have not downloaded yet.
    pub waiting: Vec<String>,
    pub extend_url: String,
}

/// Tells the owner that an item expires soon: the one place a warning is
/// acted on, once per item and expiry across all nodes (other
/// notifications of `share.expiring` belong here too).
pub async fn warn(lib: &Library, w: &Warning) -> Result<()> {
    let when = utc(w.expires);
    let what = match w.item {
        Item::File(_) => "Your file",
        Item::Send(_) => "Your send",
    };
    let mut text = format!(
        "Hello,\n\n{what} \"{}\" expires on {when}.\n\nTo keep it longer, open this link and press Extend:\n{}\n",
        w.name, w.extend_url
    );
    if !w.waiting.is_empty() {
        text.push_str("\nThese recipients have not downloaded it yet:\n");
        for r in &w.waiting {
            text.push_str(&format!("  {r}\n"));
        }
    }
    lib.mail
        .send(Mail::text(
            w.owner.email.clone(),
            format!("\"{}\" expires on {when}", w.name),
            text,
        ))
        .await
        .map_err(|e| Error::Internal(e.context("queueing an expiry warning")))?;
    let (kind, id, link) = match &w.item {
        Item::File(id) => ("file", id.clone(), lib.url(&format!("/file/{id}"))),
        Item::Send(id) => ("send", id.to_string(), String::new()),
    };
    let event = Event::ShareExpiring(ShareExpiringData {
        kind: kind.into(),
        id,
        name: w.name.clone(),
        expires: webhooks::rfc3339(w.expires),
        link,
        pending_recipients: w.waiting.clone(),
    });
    webhooks::notify(lib, Some(w.owner.id), event).await;
    Ok(())
}

/// Warns the owners of files and sends that expire within
/// `expiry.warn_before_secs` (0: never), one mail per item, each claimed
/// by a conditional UPDATE so several nodes send it once. Anonymous files
/// (and bundles, which are anonymous) have nobody to warn. Returns how
/// many warnings this call sent.
pub async fn sweep_warnings(lib: &Library) -> Result<usize> {
    let lead = lib.cfg.expiry.warn_before_secs;
    if lead <= 0 {
        return Ok(0);
    }
    let t = now();
    let mut sent = 0;
    for id in lib.db.files_due_warning(t, lead).await? {
        let Some(expires) = lib.db.claim_file_warning(&id, t).await? else {
            continue;
        };
        let Some(file) = lib.db.file(&id).await? else {
            continue;
        };
        let Some(owner) = file.user_id else { continue };
        let Some(owner) = lib.db.user_by_id(owner).await? else {
            continue;
        };
        let item = Item::File(id);
        let w = Warning {
            extend_url: extend_url(lib, &item, expires),
            owner,
            item,
            name: file.name,
            expires,
            waiting: Vec::new(),
        };
        warn(lib, &w).await?;
        sent += 1;
    }
    for (send_id, expires) in lib.db.sends_due_warning(t, lead).await? {
        if !lib.db.claim_send_warning(send_id, expires).await? {
            continue;
        }
        let Some(send) = lib.db.send(send_id).await? else {
            continue;
        };
        let Some(owner) = lib.db.user_by_id(send.user_id).await? else {
            continue;
        };
        // Every link's delivered bytes are recorded (docs/receipts.md).
        let waiting = lib.db.send_recipients_waiting(send_id).await?;
        let item = Item::Send(send_id);
        let w = Warning {
            extend_url: extend_url(lib, &item, expires),
            owner,
            item,
            name: if send.subject.is_empty() {
                format!("send {send_id}")
            } else {
                send.subject
            },
            expires,
            waiting,
        };
        warn(lib, &w).await?;
        sent += 1;
    }
    Ok(sent)
}
