//! Accounts' age public keys (docs/encryption.md, "Account keys"): an
//! account publishes the keys its owner decrypts with; senders look them
//! up and encrypt to all of them at once, so each recipient opens a file
//! with their own identity and no link secret is shared. The identities
//! themselves never reach the server.

use std::str::FromStr;

use crate::db::age_keys::AgeKey;
use crate::db::now;
use crate::db::users::User;
use crate::db::Db;
use crate::library::audit::{self, Event, Origin};
use crate::library::{Error, Library, Result};

/// The longest label, in characters.
pub const MAX_LABEL: usize = 100;
/// The most accounts one lookup names.
pub const MAX_LOOKUP: usize = 50;

/// Publishes `public_key` (`age1…`) for `user`, labelled.
pub async fn add(
    lib: &Library,
    user: &User,
    label: &str,
    public_key: &str,
    by: Origin,
) -> Result<AgeKey> {
    let key = public_key.trim();
    let parsed = age::x25519::Recipient::from_str(key).map_err(|_| {
        Error::BadValueText(
            "Invalid value for parameter public_key: not an age public key (age1…)".into(),
        )
    })?;
    let key = parsed.to_string();
    let label = label.trim();
    if label.chars().count() > MAX_LABEL {
        return Err(Error::bad_value("label"));
    }
    let max = lib.cfg.limits.max_age_keys;
    if max >= 0 && lib.db.age_keys(user.id).await?.len() as i64 >= max {
        return Err(Error::denied(format!(
            "An account publishes at most {max} keys: remove one first"
        )));
    }
    let Some(id) = lib.db.insert_age_key(user.id, label, &key, now()).await? else {
        return Err(Error::BadValueText(
            "Invalid value for parameter public_key: this account publishes it already".into(),
        ));
    };
    audit::note(
        &lib.db,
        Event::AgeKeyAdded,
        by,
        Some(user),
        format!("{label}: {key}"),
    )
    .await;
    lib.db
        .age_keys(user.id)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| Error::internal(anyhow::anyhow!("the key just added is gone")))
}

/// Removes one of `user`'s keys; false when it has no such one.
pub async fn remove(lib: &Library, user: &User, id: i64, by: Origin) -> Result<bool> {
    let Some(k) = lib
        .db
        .age_keys(user.id)
        .await?
        .into_iter()
        .find(|k| k.id == id)
    else {
        return Ok(false);
    };
    if !lib.db.delete_age_key(user.id, id).await? {
        return Ok(false);
    }
    audit::note(
        &lib.db,
        Event::AgeKeyRemoved,
        by,
        Some(user),
        format!("{}: {}", k.label, k.public_key),
    )
    .await;
    Ok(true)
}

pub async fn list(db: &Db, user_id: i64) -> Result<Vec<AgeKey>> {
    Ok(db.age_keys(user_id).await?)
}

/// The keys of the accounts `who` names (user names or e-mail addresses),
/// each with the name as given. An unknown account and an account without
/// keys look the same (no keys): a lookup does not tell who has an account.
pub async fn lookup(db: &Db, who: &[&str]) -> Result<Vec<(String, Vec<AgeKey>)>> {
    if who.len() > MAX_LOOKUP {
        return Err(Error::BadValueText(
            format!("Invalid value for parameter users: at most {MAX_LOOKUP} at once").into(),
        ));
    }
    let mut found = Vec::with_capacity(who.len());
    for name in who {
        let name = name.trim();
        let id = match db.user_id_by_name(name).await? {
            Some(id) => Some(id),
            None if name.contains('@') => db.user_id_by_email(name).await?,
            None => None,
        };
        let keys = match id {
            Some(id) => db.age_keys(id).await?,
            None => Vec::new(),
        };
        found.push((name.to_string(), keys));
    }
    Ok(found)
}
