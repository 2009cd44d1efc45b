//! Accounts that log in elsewhere — an LDAP directory, an OpenID provider
//! (docs/accounts.md, "LDAP", "Single sign-on"): which logins the
//! directory answers, the local account each outside user gets at their
//! first login, and how every login brings it in line (address, and the
//! admin role and tier its groups give).

use crate::config::Config;
use crate::db::users::User;
use crate::library::accounts::{self, NewUser};
use crate::library::audit::{Actor, Entry, Event};
use crate::library::ldap::{self, Verdict};
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
        None => {
            let made = match accounts::validate_name(name) {
                Ok(()) => {
                    let who = Outsider {
                        source: LDAP,
                        external_id: &found.dn,
                        name,
                        email: &found.email,
                        came_from: format!("from the directory ({})", found.dn),
                    };
                    provision(lib, &who).await
                }
                Err(e) => Err(e),
            };
            match made {
                Ok(u) => u,
                Err(e @ Error::Internal(_)) => return Err(e),
                Err(e) => {
                    tracing::warn!(user = name, error = %e, "directory user cannot have an account here");
                    return Ok((None, false));
                }
            }
        }
    };
    let cfg = &lib.cfg.ldap;
    let roles = Roles::from_groups([&cfg.admin_group, &cfg.pro_group, &cfg.max_group], |g| {
        found.member_of(g)
    });
    Ok((sync(lib, &user, &found.email, roles).await?, true))
}

/// The admin role and tier an outside user's groups give; None where the
/// configuration leaves them to the operator.
pub struct Roles {
    pub admin: Option<bool>,
    pub membership: Option<&'static str>,
}

impl Roles {
    /// From the configured groups `[admin, pro, max]` (empty: not decided
    /// here) and whether the user is in a group.
    pub fn from_groups(groups: [&String; 3], member: impl Fn(&str) -> bool) -> Roles {
        let [admin, pro, max] = groups;
        let member = |g: &str| !g.is_empty() && member(g);
        Roles {
            admin: (!admin.is_empty()).then(|| member(admin)),
            membership: (!pro.is_empty() || !max.is_empty()).then(|| {
                if member(max) {
                    "max"
                } else if member(pro) {
                    "pro"
                } else {
                    "lite"
                }
            }),
        }
    }
}

/// Brings an outside user's account in line at a login; the account as it
/// is now (None if it went meanwhile).
pub async fn sync(lib: &Library, user: &User, email: &str, roles: Roles) -> Result<Option<User>> {
    lib.db
        .sync_directory_user(user.id, email, roles.membership, roles.admin)
        .await?;
    Ok(lib.db.user_by_id(user.id).await?)
}

/// Who an outside user is, for their first login.
pub struct Outsider<'a> {
    /// `LDAP` or `oidc::OIDC`.
    pub source: &'static str,
    /// Their identity there (the DN, the provider's `sub`).
    pub external_id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    /// The audit log's words for where the account came from.
    pub came_from: String,
}

/// The local account of an outside user at their first login: activated,
/// with a random password nobody knows (the directory's or provider's is
/// never stored), marked with its source and identity there.
pub async fn provision(lib: &Library, who: &Outsider<'_>) -> Result<User> {
    let password = accounts::generate_password();
    let new = NewUser {
        user_name: who.name,
        full_name: "",
        email: who.email,
        password: &password,
        membership: "lite",
        membership_ends: 0,
        activated: true,
    };
    let (id, _) = accounts::create(&lib.db, &lib.secrets, &new).await?;
    lib.db
        .set_auth_source(id, who.source, who.external_id)
        .await?;
    Entry::new(Event::AccountCreated, Actor::User)
        .user_id(id, who.name)
        .detail(who.came_from.clone())
        .record(&lib.db)
        .await;
    lib.db.user_by_id(id).await?.ok_or(Error::SessionBad)
}
