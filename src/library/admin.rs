//! What an operator does to accounts, keys and the server — one function
//! per action, each audited with who did it, called alike by `dropspace
//! admin` (docs/operations.md) and the admin console (docs/admin.md).

use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::audit::{note, Event, Origin};
use crate::library::{Error, Result};

/// Switches an account off (its sessions end on every node) or on.
pub async fn set_disabled(db: &Db, user: &User, off: bool, by: Origin) -> Result<()> {
    db.set_disabled(user.id, if off { now().max(1) } else { 0 })
        .await?;
    if off {
        note(
            db,
            Event::AccountDisabled,
            by,
            Some(user),
            "its sessions ended",
        )
        .await;
    } else {
        note(db, Event::AccountEnabled, by, Some(user), "").await;
    }
    Ok(())
}

/// The account's tier and, for paid tiers, when it ends (0: never).
pub async fn set_membership(
    db: &Db,
    user: &User,
    membership: &str,
    ends: i64,
    by: Origin,
) -> Result<()> {
    if !matches!(membership, "lite" | "pro" | "max") {
        return Err(Error::Invalid(format!("no tier named {membership}").into()));
    }
    if !db.set_membership(&user.user_name, membership, ends).await? {
        return Err(Error::Invalid(
            format!("no user named {}", user.user_name).into(),
        ));
    }
    let detail = match ends {
        0 => membership.to_string(),
        t => format!(
            "{membership} until {}",
            crate::library::webhooks::rfc3339(t)
        ),
    };
    note(db, Event::MembershipChanged, by, Some(user), detail).await;
    Ok(())
}

/// `quota`: bytes with an optional K, M or G suffix (powers of 1024), `0`,
/// `unlimited` (or -1), or `tier` for the tier's quota (None).
pub fn parse_quota(quota: &str) -> Result<Option<i64>> {
    Ok(match quota.trim() {
        "tier" => None,
        "unlimited" | "-1" => Some(-1),
        "0" => Some(0),
        q => Some(
            dropspace_proto::size::parse_size(q)
                .ok()
                .and_then(|n| i64::try_from(n).ok())
                .ok_or_else(|| {
                    Error::Invalid(
                        format!("{q}: a quota is bytes with K, M or G, unlimited or tier").into(),
                    )
                })?,
        ),
    })
}

/// Gives the account a disk quota of its own, or its tier's again; how
/// it reads.
pub async fn set_quota(db: &Db, user: &User, quota: Option<i64>, by: Origin) -> Result<String> {
    db.set_diskspace_override(user.id, quota).await?;
    let shown = match quota {
        None => format!("the {} tier's", user.membership),
        Some(-1) => "unlimited".into(),
        Some(q) => format!("{q} bytes"),
    };
    note(db, Event::QuotaChanged, by, Some(user), &shown).await;
    Ok(shown)
}

/// Ends every API and browser session of the account; how many.
pub async fn end_sessions(db: &Db, user: &User, by: Origin) -> Result<u64> {
    let ended = db.end_sessions(user.id).await?;
    note(
        db,
        Event::SessionsEnded,
        by,
        Some(user),
        format!("{ended} sessions"),
    )
    .await;
    Ok(ended)
}

/// Gives or takes the admin role.
pub async fn set_admin(db: &Db, user: &User, admin: bool, by: Origin) -> Result<()> {
    db.set_admin(user.id, admin).await?;
    let event = if admin {
        Event::AdminGranted
    } else {
        Event::AdminRevoked
    };
    note(db, event, by, Some(user), "").await;
    Ok(())
}

/// A new API key for sendspace clients (printed or shown once).
pub async fn create_api_key(
    db: &Db,
    name: &str,
    min_app_version: &str,
    by: Origin,
) -> Result<String> {
    let key = crate::library::auth::create_api_key(db, name, min_app_version).await?;
    let shown = if name.is_empty() { "-" } else { name };
    note(
        db,
        Event::ApiKeyCreated,
        by,
        None,
        format!("{shown} ({}…)", &key[..4]),
    )
    .await;
    Ok(key)
}

/// Revokes an API key by id; never the last one (a server without a key
/// would make a new one at its next start).
pub async fn revoke_api_key(db: &Db, id: i64, by: Origin) -> Result<()> {
    let keys = db.list_api_keys().await?;
    let Some(key) = keys.iter().find(|k| k.id == id) else {
        return Err(Error::Invalid(format!("no API key with id {id}").into()));
    };
    if keys.len() < 2 {
        return Err(Error::Invalid(
            format!("key {id} is the last one: create another first").into(),
        ));
    }
    db.delete_api_key(id).await?;
    let name = if key.name.is_empty() { "-" } else { &key.name };
    note(
        db,
        Event::ApiKeyRevoked,
        by,
        None,
        format!("key {id}: {name}"),
    )
    .await;
    Ok(())
}

/// Maintenance mode on every node: methods that write answer error 15.
pub async fn set_maintenance(db: &Db, on: bool, by: Origin) -> Result<()> {
    let value = if on { "on" } else { "off" };
    db.set_setting("maintenance", value).await?;
    note(db, Event::MaintenanceChanged, by, None, value).await;
    Ok(())
}
