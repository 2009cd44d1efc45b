//! Download limits (`downloads_limit`, `time_limit`) and their actions
//! (`LimitAction`): block downloads, delete the file and its blob, or move
//! the file to `limit_action_to_folder`; and the ledger downloads count by.
//!
//! A download counts by bytes delivered (docs/api-notes.md, "Download
//! counting"): each file keeps the bytes served to clients, and its
//! `downloads` is how many whole copies that makes. A file with a download
//! limit reserves each range before the status line, within `limit` copies
//! and a small retry allowance; every decision is one conditional statement
//! on the file's row, so a limit of N lets exactly N through on any number
//! of nodes, and the credit that reaches N runs the action, once.

use std::ops::Range;

use crate::config::{AnonymousTier, Config};
use crate::db::downloads::{Credited, Reservation, Reserved};
use crate::db::files::File;
pub use crate::db::files::LimitAction;
use crate::db::now;
use crate::db::trash::TrashReason;
use crate::db::users::User;
use crate::library::delivery::{self, Downloader};
use crate::library::{files, Error, Gone, Library, Result};

/// The least retry allowance of a limited file (when the percentage is
/// on): what a cut connection's socket buffers may have held, bytes
/// counted as served that its client never received (measured on
/// loopback: up to 3.8 MB; docs/api-notes.md).
const MIN_ALLOWANCE: i64 = 8 * 1024 * 1024;

/// Bytes past `downloads_limit` whole copies a file of `size` bytes may
/// serve: `limits.download_retry_percent` of a copy, at least 8 MiB, at
/// most half a copy (so N+1 whole copies never fit a limit of N).
pub fn retry_allowance(cfg: &Config, size: i64) -> i64 {
    let percent = cfg.limits.download_retry_percent.clamp(0, 100);
    if percent == 0 || size <= 0 {
        return 0;
    }
    (size / 100 * percent + size % 100 * percent / 100)
        .max(MIN_ALLOWANCE)
        .min(size / 2)
}

/// How long a claim holds without a refresh.
pub fn claim_lease_secs(cfg: &Config) -> i64 {
    cfg.limits.download_claim_lease_secs.max(1)
}

/// The outcome of asking to serve a range of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Serve it; with a claim for a file with a download limit.
    Go(Option<i64>),
    /// The limits do not allow these bytes.
    Refused,
}

/// Admits a GET of `range` of `file` by `taker` (a stable name of who
/// asked: one signed URL, one recipient link). Files without a download
/// limit only check; limited files reserve the range.
pub async fn admit(
    lib: &Library,
    file: &File,
    taker: &str,
    range: Range<u64>,
) -> Result<Admission> {
    match check_downloadable(lib, file).await {
        Ok(()) => {}
        Err(Error::FileNotFound) | Err(Error::Gone(_)) => return Ok(Admission::Refused),
        Err(e) => return Err(e),
    }
    if file.download_limit <= 0 {
        return Ok(Admission::Go(None));
    }
    let t = now();
    let lease = claim_lease_secs(&lib.cfg);
    let r = Reservation {
        file_id: &file.id,
        taker,
        start: range.start as i64,
        end: range.end as i64,
        allowance: retry_allowance(&lib.cfg, file.size),
        now: t,
        lease_until: t + lease,
        quiet_before: t - lease / 3,
    };
    Ok(match lib.db.reserve_download(&r).await? {
        Reserved::Claim(id) => Admission::Go(Some(id)),
        Reserved::Refused => Admission::Refused,
    })
}

/// Records what a claimed stream has sent and extends its lease; false
/// when its claim was released or swept (the stream must stop).
pub async fn refresh_claim(lib: &Library, claim: i64, sent: u64) -> Result<bool> {
    let t = now();
    Ok(lib
        .db
        .refresh_claim(claim, sent as i64, t, t + claim_lease_secs(&lib.cfg))
        .await?)
}

/// Credits the `sent` bytes a download delivered when its stream ends or
/// is dropped, closing its claim if it had one (`recorded`: what its last
/// refresh wrote), records a copy it completed (`who` downloaded), and
/// runs the limit action if this credit reached it.
pub async fn settle(
    lib: &Library,
    file_id: &str,
    claim: Option<(i64, u64)>,
    sent: u64,
    who: &Downloader,
) -> Result<()> {
    let credited = match claim {
        Some((id, recorded)) => {
            lib.db
                .settle_claim(id, file_id, sent as i64, recorded as i64)
                .await?
        }
        None if sent > 0 => lib.db.credit_download(file_id, sent as i64).await?,
        None => None,
    };
    after_credit(lib, file_id, credited, who).await;
    Ok(())
}

/// Records the copies `credited` completed (the one place a completed
/// download is known: `delivery::completed`), then runs the limit action
/// when it is the credit that reached the limit. The download itself goes
/// ahead whatever the action's fate, so a failure is logged here.
async fn after_credit(lib: &Library, file_id: &str, credited: Option<Credited>, who: &Downloader) {
    if let Some(c) = credited.filter(|c| c.downloads > c.downloads_before) {
        let d = delivery::Delivery {
            file_id,
            copies: c.downloads - c.downloads_before,
            downloads: c.downloads,
            who,
        };
        delivery::completed(lib, &d).await;
    }
    if credited.is_some_and(|c| c.reached_limit()) {
        if let Err(e) = on_download_limit(lib, file_id).await {
            tracing::error!(file_id, error = %format!("{e:#}"), "download limit action");
        }
    }
}

/// Closes the claims whose lease ran out (their node died, their client
/// stalled): what they recorded is credited, the rest of their reservation
/// released. Safe on every node. Returns how many this call closed.
pub async fn sweep_claims(lib: &Library) -> Result<usize> {
    let t = now();
    let mut closed = 0;
    for id in lib.db.expired_claims(t).await? {
        if let Some((file_id, credited)) = lib.db.sweep_claim(id, t).await? {
            closed += 1;
            // Who it was is not kept with the claim: the log names nobody.
            after_credit(lib, &file_id, Some(credited), &Downloader::default()).await;
        }
    }
    Ok(closed)
}

/// Counts one whole copy of `file_id` at once if its limits still allow
/// one (a zero-byte file's GET is one download); false when they do not
/// (the download must be refused). The count that reaches
/// `download_limit` runs the limit action.
/// Nobody is named in the download log (the server's own callers).
pub async fn count_download(lib: &Library, file_id: &str) -> Result<bool> {
    let Some(file) = lib.db.file(file_id).await? else {
        return Ok(false);
    };
    count_whole(lib, &file, &Downloader::default()).await
}

/// `count_download` for a file row already read.
pub async fn count_whole(lib: &Library, file: &File, who: &Downloader) -> Result<bool> {
    let allowance = retry_allowance(&lib.cfg, file.size);
    let Some(credited) = lib
        .db
        .count_whole_download(&file.id, allowance, now())
        .await?
    else {
        return Ok(false);
    };
    after_credit(lib, &file.id, Some(credited), who).await;
    Ok(true)
}

/// Runs the limit action of a file whose download limit was just reached.
/// Only the one download that reached it calls this.
pub async fn on_download_limit(lib: &Library, file_id: &str) -> Result<()> {
    match lib.db.file(file_id).await? {
        Some(file) => apply_limit_action(lib, &file).await,
        None => Ok(()),
    }
}

/// Delete removes the row and frees the owner's space at once, and the
/// blob after `limits.deleted_blob_grace_secs`: the download that reached
/// the limit opens the blob only after this returns. Move moves the file
/// and clears its limits (it starts afresh in the new folder, so the
/// action cannot loop); a target folder that is gone (or an anonymous
/// file) falls back to blocking. Anything else blocks.
async fn apply_limit_action(lib: &Library, file: &File) -> Result<()> {
    match file.action() {
        LimitAction::Delete => {
            // A file of an account goes to its trash (docs/expiry.md).
            if let files::Deleted::Blob(blob_key, _) =
                files::delete_file_row(lib, &file.id, None, TrashReason::Expired).await?
            {
                files::remove_blob_later(lib, &blob_key, lib.cfg.limits.deleted_blob_grace_secs)
                    .await?;
            }
            return Ok(());
        }
        LimitAction::Move => {
            if let Some(owner) = file.user_id {
                if lib
                    .db
                    .move_on_limit(&file.id, &file.limit_action_to_folder, owner)
                    .await?
                {
                    return Ok(());
                }
            }
        }
        LimitAction::Unset | LimitAction::Block => {}
    }
    lib.db.block_downloads(&file.id).await?;
    Ok(())
}

/// Claims a file whose time limit has passed and runs its action; false
/// when another node (or an earlier call) already did.
async fn expire(lib: &Library, file_id: &str) -> Result<bool> {
    match lib.db.claim_expired(file_id, now()).await? {
        Some(file) => {
            apply_limit_action(lib, &file).await?;
            crate::library::webhooks::file_expired(lib, &file).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Acts on every file whose time limit has passed, so limits act even when
/// nobody downloads. Returns how many this call acted on.
pub async fn sweep_time_limits(lib: &Library) -> Result<usize> {
    let mut acted = 0;
    for id in lib.db.due_time_limits(now()).await? {
        if expire(lib, &id).await? {
            acted += 1;
        }
    }
    Ok(acted)
}

/// The limits an upload asks for its file: the upload form's (or a
/// resumable upload's metadata's) `time_limit`, `downloads_limit` and
/// `limit_action`, meaning what they mean to `files.setInfo`
/// (docs/api-notes.md). Zero: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AskedLimits {
    /// Seconds from the upload's end.
    pub time_limit: i64,
    pub downloads_limit: i64,
    pub limit_action: LimitAction,
}

impl AskedLimits {
    /// The fields as sent; empty is none. An upload has no folder to move
    /// its file to, so `limit_action` 3 is refused.
    pub fn parse(
        time_limit: &str,
        downloads_limit: &str,
        limit_action: &str,
    ) -> Result<AskedLimits> {
        let number = |name: &'static str, value: &str, max: i64| -> Result<i64> {
            match value.trim() {
                "" => Ok(0),
                v => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=max).contains(n))
                    .ok_or_else(|| Error::bad_value(name)),
            }
        };
        let action = number("limit_action", limit_action, LimitAction::Delete.code())?;
        Ok(AskedLimits {
            time_limit: number("time_limit", time_limit, files::MAX_TIME_LIMIT)?,
            downloads_limit: number("downloads_limit", downloads_limit, i64::MAX)?,
            limit_action: LimitAction::from_code(action).unwrap_or_default(),
        })
    }

    /// Within the uploader's tier: a file without a time limit gets the
    /// tier's default (`default_time_limit_secs`, else its longest), a
    /// longer one than the longest is refused.
    pub fn within(self, cfg: &Config, user: Uploader) -> Result<AskedLimits> {
        if let Some(max) = max_time_limit(cfg, user) {
            if self.time_limit > max {
                return Err(too_long(max));
            }
        }
        match (self.time_limit, default_time_limit(cfg, user)) {
            (0, Some(default)) => Ok(AskedLimits {
                time_limit: default,
                ..self
            }),
            _ => Ok(self),
        }
    }
}

/// Whose limits apply: an account's tier's, or the anonymous-upload
/// policy in force (`library::anonymous`).
#[derive(Clone, Copy)]
pub enum Uploader<'a> {
    Account(&'a User),
    Anonymous(&'a AnonymousTier),
}

/// The longest time limit the tier allows, None when it has no maximum
/// (`max_time_limit_secs` of -1 or 0).
pub fn max_time_limit(cfg: &Config, user: Uploader) -> Option<i64> {
    let max = match user {
        Uploader::Account(u) => cfg.tiers.get(&u.membership).max_time_limit_secs,
        Uploader::Anonymous(tier) => tier.max_time_limit_secs,
    };
    (max > 0).then_some(max)
}

/// The time limit a file uploaded without one gets: the tier's
/// `default_time_limit_secs` within its maximum, else the maximum; None:
/// the file keeps until deleted (docs/expiry.md).
pub fn default_time_limit(cfg: &Config, user: Uploader) -> Option<i64> {
    let default = match user {
        Uploader::Account(u) => cfg.tiers.get(&u.membership).default_time_limit_secs,
        Uploader::Anonymous(tier) => tier.default_time_limit_secs,
    };
    let max = max_time_limit(cfg, user);
    match (default > 0).then_some(default) {
        Some(d) => Some(max.map_or(d, |m| d.min(m))),
        None => max,
    }
}

/// The expiry times (seconds; 0: never) the upload page offers `user`:
/// those of `web.expiry_choices_secs` within the tier's longest time limit,
/// "never" only where there is none, and the tier's default.
pub fn expiry_choices(cfg: &Config, user: Uploader) -> Vec<i64> {
    let max = max_time_limit(cfg, user);
    let mut choices: Vec<i64> = cfg
        .web
        .expiry_choices_secs
        .iter()
        .copied()
        .filter(|&secs| match max {
            Some(max) => secs > 0 && secs <= max,
            None => true,
        })
        .collect();
    if choices.is_empty() {
        // A tier whose maximum is below every choice still gets one.
        choices.extend(max);
    }
    if let Some(default) = default_time_limit(cfg, user) {
        if !choices.contains(&default) {
            choices.push(default);
            choices.sort_by_key(|&s| if s == 0 { i64::MAX } else { s });
        }
    }
    choices
}

/// A time limit over the tier's maximum (or none where one is required).
pub fn too_long(max: i64) -> Error {
    Error::BadValueText(
        format!("Invalid value for parameter time_limit: at most {max} seconds for this account")
            .into(),
    )
}

/// Whether a file may be downloaded now: `Gone` once a limit blocked it,
/// `FileNotFound` when its limit action deleted it. A passed time limit
/// the sweeper has not reached yet is acted on here first.
pub async fn check_downloadable(lib: &Library, file: &File) -> Result<()> {
    if file.time_limit_at > 0 && file.time_limit_at <= now() && file.limit_reached == 0 {
        expire(lib, &file.id).await?;
        let now_file = lib.db.file(&file.id).await?.ok_or(Error::FileNotFound)?;
        return blocked(&now_file);
    }
    blocked(file)
}

fn blocked(file: &File) -> Result<()> {
    match gone(file) {
        Some(why) => Err(Error::Gone(why)),
        None => Ok(()),
    }
}

/// Why a file's limits block it, if they do. A reached count is named
/// first: it is what the downloads did, whatever the clock says since.
pub fn gone(file: &File) -> Option<Gone> {
    let time_passed = file.time_limit_at > 0 && file.time_limit_at <= now();
    let count_reached = file.download_limit > 0 && file.downloads >= file.download_limit;
    if count_reached {
        Some(Gone::LimitReached)
    } else if time_passed {
        Some(Gone::Expired)
    } else if file.limit_reached != 0 {
        // Blocked by a limit since changed: the count is the likelier cause.
        Some(Gone::LimitReached)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(cfg: &Config) -> Uploader<'_> {
        Uploader::Anonymous(&cfg.tiers.anonymous)
    }

    #[test]
    fn expiry_choices_keep_within_the_tier() {
        let mut cfg = Config::default();
        cfg.web.expiry_choices_secs = vec![3600, 86_400, 604_800, 0];
        assert_eq!(expiry_choices(&cfg, anon(&cfg)), [3600, 86_400, 604_800, 0]);
        cfg.tiers.anonymous.max_time_limit_secs = 86_400;
        assert_eq!(expiry_choices(&cfg, anon(&cfg)), [3600, 86_400]);
        // A maximum below every choice still leaves one: the maximum.
        cfg.tiers.anonymous.max_time_limit_secs = 600;
        assert_eq!(expiry_choices(&cfg, anon(&cfg)), [600]);
        let limits = AskedLimits::parse("", "2", "2").expect("parse");
        assert_eq!(
            limits.within(&cfg, anon(&cfg)).expect("within").time_limit,
            600
        );
        assert!(AskedLimits::parse("601", "", "")
            .expect("parse")
            .within(&cfg, anon(&cfg))
            .is_err());
    }

    #[test]
    fn expiry_defaults_apply_within_the_maximum() {
        let mut cfg = Config::default();
        cfg.web.expiry_choices_secs = vec![3600, 86_400, 0];
        // Unset: nothing changes (no default, no maximum).
        assert_eq!(default_time_limit(&cfg, anon(&cfg)), None);
        let none = AskedLimits::parse("", "", "").expect("parse");
        assert_eq!(none.within(&cfg, anon(&cfg)).expect("within").time_limit, 0);
        // A default alone: given to files without one, offered, no maximum.
        cfg.tiers.anonymous.default_time_limit_secs = 7200;
        assert_eq!(
            none.within(&cfg, anon(&cfg)).expect("within").time_limit,
            7200
        );
        assert_eq!(expiry_choices(&cfg, anon(&cfg)), [3600, 7200, 86_400, 0]);
        // A maximum below the default caps it.
        cfg.tiers.anonymous.max_time_limit_secs = 5000;
        assert_eq!(default_time_limit(&cfg, anon(&cfg)), Some(5000));
        assert_eq!(expiry_choices(&cfg, anon(&cfg)), [3600, 5000]);
        // A maximum above it leaves it.
        cfg.tiers.anonymous.max_time_limit_secs = 86_400;
        assert_eq!(
            none.within(&cfg, anon(&cfg)).expect("within").time_limit,
            7200
        );
        let long = AskedLimits::parse("86401", "", "").expect("parse");
        assert!(long.within(&cfg, anon(&cfg)).is_err());
    }

    #[test]
    fn the_retry_allowance_stays_under_half_a_copy() {
        let mut cfg = Config::default();
        const MIB: i64 = 1024 * 1024;
        assert_eq!(retry_allowance(&cfg, 0), 0);
        assert_eq!(retry_allowance(&cfg, 1000), 500);
        assert_eq!(retry_allowance(&cfg, 10 * MIB), 5 * MIB);
        assert_eq!(retry_allowance(&cfg, 40 * MIB), 8 * MIB);
        assert_eq!(retry_allowance(&cfg, 1000 * MIB), 100 * MIB);
        cfg.limits.download_retry_percent = 0;
        assert_eq!(retry_allowance(&cfg, 1000 * MIB), 0);
        cfg.limits.download_retry_percent = 400;
        assert_eq!(retry_allowance(&cfg, 1000 * MIB), 500 * MIB);
    }
}
