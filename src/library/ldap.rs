//! Logging in with an LDAP directory's accounts (docs/accounts.md, "LDAP"),
//! through the maintained `ldap3` crate: bind as the user (`ldap.user_dn`),
//! or search with a service account and then bind as the entry found; the
//! user's groups decide the admin role and the tier when configured. The
//! directory is asked at every login; nothing of it is cached.

use std::time::Duration;

use ldap3::{dn_escape, ldap_escape, Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};

use crate::config::LdapConfig;

/// What the directory says of a name and a password.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No entry of that name: the login may be a local account's.
    NoSuchUser,
    WrongPassword,
    Ok(DirectoryUser),
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct DirectoryUser {
    pub dn: String,
    pub email: String,
    /// DNs and cns of its groups (lower case).
    pub groups: Vec<String>,
}

impl DirectoryUser {
    /// Whether it is in `group` (a DN or cn, any case).
    pub fn member_of(&self, group: &str) -> bool {
        let group = group.trim().to_lowercase();
        !group.is_empty() && self.groups.contains(&group)
    }
}

/// The directory could not be asked (down, refused TLS, a bad service
/// account): the login is refused with this, not taken as a wrong password.
#[derive(Debug, thiserror::Error)]
#[error("the directory server cannot be reached: {0}")]
pub struct Unavailable(pub String);

fn unavailable(e: impl std::fmt::Display) -> Unavailable {
    Unavailable(e.to_string())
}

/// LDAP's "invalid credentials".
const INVALID_CREDENTIALS: u32 = 49;

async fn connect(cfg: &LdapConfig) -> Result<Ldap, Unavailable> {
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    let settings = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_starttls(cfg.starttls);
    let (conn, ldap) = LdapConnAsync::with_settings(settings, &cfg.url)
        .await
        .map_err(unavailable)?;
    tokio::spawn(async move {
        if let Err(e) = conn.drive().await {
            tracing::debug!(error = %e, "ldap connection ended");
        }
    });
    Ok(ldap)
}

/// Checks `user` and `password` against the directory.
pub async fn check(cfg: &LdapConfig, user: &str, password: &str) -> Result<Verdict, Unavailable> {
    // An empty password would be an unauthenticated bind, which succeeds.
    if password.is_empty() || user.trim().is_empty() {
        return Ok(Verdict::WrongPassword);
    }
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    let mut ldap = connect(cfg).await?;
    let user = user.trim();
    let (dn, mut email) = if !cfg.user_dn.is_empty() {
        (
            cfg.user_dn.replace("{user}", &dn_escape(user)),
            String::new(),
        )
    } else {
        let service = ldap
            .with_timeout(timeout)
            .simple_bind(&cfg.bind_dn, cfg.bind_password.as_deref().unwrap_or(""))
            .await
            .map_err(unavailable)?;
        if service.rc != 0 {
            return Err(Unavailable(format!(
                "the service account's bind was refused ({})",
                service.rc
            )));
        }
        let filter = cfg.user_filter.replace("{user}", &ldap_escape(user));
        let (entries, _) = ldap
            .with_timeout(timeout)
            .search(
                &cfg.base_dn,
                Scope::Subtree,
                &filter,
                vec![cfg.mail_attribute.as_str()],
            )
            .await
            .and_then(|r| r.success())
            .map_err(unavailable)?;
        let mut found = entries.into_iter().map(SearchEntry::construct);
        let (Some(entry), None) = (found.next(), found.next()) else {
            return Ok(Verdict::NoSuchUser);
        };
        let email = first(&entry, &cfg.mail_attribute);
        (entry.dn, email)
    };
    let bound = ldap
        .with_timeout(timeout)
        .simple_bind(&dn, password)
        .await
        .map_err(unavailable)?;
    match bound.rc {
        0 => {}
        // Binding as a DN that does not exist is "invalid credentials"
        // too; only a search can tell them apart.
        INVALID_CREDENTIALS if !cfg.user_dn.is_empty() => return Ok(Verdict::NoSuchUser),
        INVALID_CREDENTIALS => return Ok(Verdict::WrongPassword),
        rc => return Err(Unavailable(format!("the bind was refused ({rc})"))),
    }
    if email.is_empty() {
        email = read_mail(&mut ldap, cfg, &dn, timeout).await;
    }
    let groups = if cfg.group_base_dn.is_empty() {
        Vec::new()
    } else {
        let filter = cfg.group_filter.replace("{dn}", &ldap_escape(&dn));
        let (entries, _) = ldap
            .with_timeout(timeout)
            .search(&cfg.group_base_dn, Scope::Subtree, &filter, vec!["cn"])
            .await
            .and_then(|r| r.success())
            .map_err(unavailable)?;
        entries
            .into_iter()
            .map(SearchEntry::construct)
            .flat_map(|g| [g.dn.to_lowercase(), first(&g, "cn").to_lowercase()])
            .filter(|s| !s.is_empty())
            .collect()
    };
    let _ = ldap.unbind().await;
    Ok(Verdict::Ok(DirectoryUser { dn, email, groups }))
}

/// The bound user's own e-mail attribute ('' when it cannot be read).
async fn read_mail(ldap: &mut Ldap, cfg: &LdapConfig, dn: &str, timeout: Duration) -> String {
    let read = ldap
        .with_timeout(timeout)
        .search(
            dn,
            Scope::Base,
            "(objectClass=*)",
            vec![cfg.mail_attribute.as_str()],
        )
        .await
        .and_then(|r| r.success());
    match read {
        Ok((entries, _)) => entries
            .into_iter()
            .next()
            .map(|e| first(&SearchEntry::construct(e), &cfg.mail_attribute))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn first(entry: &SearchEntry, attribute: &str) -> String {
    entry
        .attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
        .and_then(|(_, v)| v.first().cloned())
        .unwrap_or_default()
}
