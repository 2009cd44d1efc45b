//! Who downloaded (docs/receipts.md): every completed download — a whole
//! copy of a file delivered, however many requests, ranges or zip entries
//! it took (docs/api-notes.md, "Download counting") — passes through
//! `completed`, the one place that records it. Other reactions to a
//! completed download (webhooks) belong there too.

use crate::db::download_log::Download;
use crate::db::files::File;
use crate::db::now;
use crate::library::audit::{Actor, Entry, Event};
use crate::library::{files, Error, Library, Result};

/// How many log rows an owner is shown per file, bundle or send.
pub const MAX_SHOWN: i64 = 500;

/// Who is downloading, as the log records it.
#[derive(Debug, Clone, Default)]
pub struct Downloader {
    /// The account whose signed URL or login fetched the bytes (0: none).
    pub account: i64,
    /// The client's address ('' when unknown: a stalled download's bytes
    /// credited by the background sweep).
    pub client_ip: String,
    /// A file_send recipient link: (send id, the recipient's address).
    pub recipient: Option<(i64, String)>,
}

impl Downloader {
    pub fn new(account: i64, client_ip: std::net::IpAddr) -> Downloader {
        Downloader {
            account,
            client_ip: client_ip.to_string(),
            recipient: None,
        }
    }

    /// A file_send recipient link's download.
    pub fn recipient(mut self, send_id: i64, email: &str) -> Downloader {
        self.recipient = Some((send_id, email.to_string()));
        self
    }
}

/// A completed download: the credit that made a file's `downloads` go up.
pub struct Delivery<'a> {
    pub file_id: &'a str,
    /// Whole copies this credit completed (1, but for a credit spanning
    /// the end of one copy and the whole of another).
    pub copies: i64,
    /// The file's whole downloads after this credit.
    pub downloads: i64,
    pub who: &'a Downloader,
}

/// Records a completed download. Called by `limits` for each credit that
/// completes a copy, before any limit action runs (the file still exists).
/// Best effort: the download itself went through; a failure is logged.
pub async fn completed(lib: &Library, d: &Delivery<'_>) {
    let file = match lib.db.file(d.file_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(file_id = d.file_id, error = %e, "download log: reading the file");
            return;
        }
    };
    crate::library::webhooks::download_completed(lib, &file, d.copies, d.downloads).await;
    let (send_id, recipient) = d.who.recipient.clone().unwrap_or_default();
    if send_id > 0 {
        Entry::new(Event::SentFileDownloaded, Actor::Visitor)
            .account(file.user_id.unwrap_or(0))
            .from(&d.who.client_ip)
            .detail(format!("file {} ({}) by {recipient}", file.id, file.name))
            .record(&lib.db)
            .await;
    }
    let row = Download {
        id: 0,
        file_id: file.id.clone(),
        owner_id: file.user_id.unwrap_or(0),
        at: now(),
        bytes: file.size.max(0) * d.copies.max(1),
        account: d.who.account,
        client_ip: d.who.client_ip.clone(),
        recipient,
        send_id,
    };
    if let Err(e) = lib.db.log_download(&row).await {
        tracing::warn!(file_id = d.file_id, error = %e, "download log: recording");
    }
}

/// The completed downloads of `owner`'s file `id`, newest first; another
/// account's file is `FileNotFound`, as everywhere.
pub async fn of_file(lib: &Library, owner: i64, id: &str) -> Result<(File, Vec<Download>)> {
    let file = files::own(&lib.db, owner, id).await?;
    let rows = lib.db.downloads_of(owner, &file.id, MAX_SHOWN).await?;
    Ok((file, rows))
}

/// The completed downloads through the links of `owner`'s send.
pub async fn of_send(lib: &Library, owner: i64, send_id: i64) -> Result<Vec<Download>> {
    match lib.db.send(send_id).await? {
        Some(send) if send.user_id == owner => {}
        _ => return Err(Error::FileNotFound),
    }
    Ok(lib.db.downloads_of_send(send_id, MAX_SHOWN).await?)
}

/// Forgets log rows and receipts past their retention
/// (`limits.download_log_retention_days`, `limits.receipt_retention_days`;
/// 0 or less keeps them). Safe on every node.
pub async fn sweep(lib: &Library) -> Result<u64> {
    let day = 86_400;
    let t = now();
    let before = |days: i64| if days > 0 { t - days * day } else { i64::MIN };
    Ok(lib
        .db
        .sweep_download_log(
            before(lib.cfg.limits.download_log_retention_days),
            before(lib.cfg.limits.receipt_retention_days),
        )
        .await?)
}
