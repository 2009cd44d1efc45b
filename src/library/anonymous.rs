//! The anonymous-upload policy: whether visitors without an account may
//! upload, how large a file and for how long at most. The configuration's
//! `tiers.anonymous` sets it; an admin may set it instead in the console or
//! with `dropspace admin anonymous`, kept in the database and read by every
//! node on each upload (docs/admin.md, "Anonymous uploads").

use crate::config::{AnonymousTier, Config};
use crate::db::settings::AnonymousRow;
use crate::db::Db;
use crate::library::audit::{note, Event, Origin};
use crate::library::{Error, Library, Result};

/// The policy in force and where it comes from.
pub struct Policy {
    pub tier: AnonymousTier,
    /// Set by an admin (else the configuration's).
    pub from_console: bool,
}

/// The policy in force.
pub async fn current(db: &Db, cfg: &Config) -> Result<Policy> {
    let mut tier = cfg.tiers.anonymous.clone();
    let row = db.anonymous_uploads().await?;
    if let Some(r) = row {
        tier.enabled = r.enabled;
        tier.max_file_size = r.max_file_size;
        tier.max_time_limit_secs = r.max_time_limit_secs;
    }
    Ok(Policy {
        tier,
        from_console: row.is_some(),
    })
}

/// The anonymous tier in force, when anonymous uploads are on.
pub async fn open_tier(lib: &Library) -> Result<AnonymousTier> {
    let tier = current(&lib.db, &lib.cfg).await?.tier;
    if !tier.enabled {
        return Err(Error::denied(
            "Uploads without an account are turned off on this server",
        ));
    }
    Ok(tier)
}

/// What an admin changes; None keeps the value in force. The maxima are
/// as typed: `300M` or `unlimited`, `7d` or `none`.
#[derive(Default)]
pub struct Change<'a> {
    pub enabled: Option<bool>,
    pub max_file_size: Option<&'a str>,
    pub max_expiry: Option<&'a str>,
}

/// Sets the policy in force with `change` applied, for every node; the
/// policy now.
pub async fn change(db: &Db, cfg: &Config, change: Change<'_>, by: Origin) -> Result<Policy> {
    let now = current(db, cfg).await?.tier;
    let row = AnonymousRow {
        enabled: change.enabled.unwrap_or(now.enabled),
        max_file_size: match change.max_file_size {
            Some(raw) => parse_max_file_size(raw)?,
            None => now.max_file_size,
        },
        max_time_limit_secs: match change.max_expiry {
            Some(raw) => parse_max_expiry(raw)?,
            None => now.max_time_limit_secs,
        },
    };
    set(db, Some(row), by).await?;
    current(db, cfg).await
}

/// The configuration's policy again.
pub async fn reset(db: &Db, cfg: &Config, by: Origin) -> Result<Policy> {
    set(db, None, by).await?;
    current(db, cfg).await
}

/// Bytes with K, M or G; `unlimited` (or -1) for no limit.
fn parse_max_file_size(raw: &str) -> Result<i64> {
    match raw.trim() {
        "unlimited" | "-1" => Ok(-1),
        given => dropspace_proto::size::parse_size(given)
            .ok()
            .and_then(|n| i64::try_from(n).ok())
            .ok_or_else(|| {
                Error::Invalid(
                    format!("{given}: a largest file is bytes with K, M or G, or unlimited").into(),
                )
            }),
    }
}

/// Seconds, or with m, h or d; `none` (or -1, or 0) for no maximum.
fn parse_max_expiry(raw: &str) -> Result<i64> {
    match raw.trim() {
        "none" | "-1" | "0" => Ok(-1),
        given => dropspace_proto::size::parse_duration(given).map_err(|_| {
            Error::Invalid(
                format!("{given}: a longest expiry is seconds, or with m, h or d, or none").into(),
            )
        }),
    }
}

async fn set(db: &Db, row: Option<AnonymousRow>, by: Origin) -> Result<()> {
    db.set_anonymous_uploads(row).await?;
    let details = match row {
        Some(r) => format!(
            "uploads {}, largest file {}, longest expiry {}",
            if r.enabled { "on" } else { "off" },
            shown(r.max_file_size, " bytes"),
            shown(r.max_time_limit_secs, " s")
        ),
        None => "the configuration's".into(),
    };
    note(db, Event::AnonymousPolicyChanged, by, None, details).await;
    Ok(())
}

fn shown(n: i64, unit: &str) -> String {
    if n > 0 {
        format!("{n}{unit}")
    } else {
        "unlimited".into()
    }
}
