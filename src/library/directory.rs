//! Accounts of an LDAP directory (docs/accounts.md, "LDAP"): which logins
//! the directory answers, and the local account each directory user gets
//! at their first login and keeps in line with the directory after.

use crate::config::Config;
use crate::db::users::User;
use crate::library::accounts::{self, NewUser};
use crate::library::audit::{Actor, Entry, Event};
use crate::library::ldap::{self, DirectoryUser, Verdict};
use crate::library::{Error, Library, Result};

/// Marks accounts that log in through the directory.
pub const LDAP: &str = "ldap";

/// Whether the directory answers this login: one is configured, and the
/// name is no local account's (local accounts — an operator's own admin,
/// say — keep their own password).
pub fn asks(cfg: &Config, user: Option<&User>) -> bool {
    !cfg.ldap.url.is_empty() && user.is_none_or(|u| u.auth_source == LDAP)
}

/// Asks the directory; for a right password the local account, made or
/// brought in line first. `Internal` when the directory cannot be asked.
pub async fn login(
    lib: &Library,
    user: Option<User>,
    given: &str,
    password: &str,
) -> Result<(Option<User>, bool)> {
    let name = user.as_ref().map_or(given.trim(), |u| u.user_name.as_str());
    let verdict = ldap::check(&lib.cfg.ldap, name, password)
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
    let found = match verdict {
        Verdict::Ok(found) => found,
        Verdict::NoSuchUser | Verdict::WrongPassword => return Ok((user, false)),
    };
    let user = match user {
        Some(u) => u,
        None => match provision(lib, name, &found).await {
            Ok(u) => u,
            Err(e @ Error::Internal(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(user = name, error = %e, "directory user cannot have an account here");
                return Ok((None, false));
            }
        },
    };
    let membership = found.membership(&lib.cfg.ldap);
    let admin = found.admin(&lib.cfg.ldap);
    lib.db
        .sync_directory_user(user.id, &found.email, membership, admin)
        .await?;
    let user = lib.db.user_by_id(user.id).await?;
    Ok((user, true))
}

/// The local account of a directory user at their first login: the name
/// they logged in with, the directory's address, a random password nobody
/// knows (the directory's is never stored).
async fn provision(lib: &Library, name: &str, found: &DirectoryUser) -> Result<User> {
    let password = accounts::generate_password();
    let new = NewUser {
        user_name: name,
        full_name: "",
        email: &found.email,
        password: &password,
        membership: "lite",
        membership_ends: 0,
        activated: true,
    };
    accounts::validate_name(name)?;
    let (id, _) = accounts::create(&lib.db, &lib.secrets, &new).await?;
    lib.db.set_auth_source(id, LDAP, &found.dn).await?;
    Entry::new(Event::AccountCreated, Actor::User)
        .user_id(id, name)
        .detail(format!("from the directory ({})", found.dn))
        .record(&lib.db)
        .await;
    lib.db.user_by_id(id).await?.ok_or(Error::SessionBad)
}
