//! Who is calling: API keys, login tokens, `auth.login` with
//! `tokened_password`, API sessions (with the per-user cap), the web forms'
//! password check, browser logins, and the login throttling all of them
//! share (per account and per client address, in the database).

use std::net::IpAddr;

use crate::db::sessions::{NewSession, SessionRow};
use crate::db::throttle::Counter;
use crate::db::users::User;
use crate::db::{now, Db};
use crate::library::audit::{self, Event, Origin};
use crate::library::{Error, Library, Result};
use crate::secrets::{
    ct_eq, hash_secret, md5_hex, random_string, verify_password_or_dummy, LOWER_ALNUM,
};

/// An unknown key is `UnknownApiKey`; one that demands a newer
/// `app_version` than given is `OutdatedVersion`.
pub async fn check_api_key(db: &Db, key: &str, app_version: Option<&str>) -> Result<()> {
    let min = db
        .api_key_min_version(&hash_secret(key.trim()))
        .await?
        .ok_or(Error::UnknownApiKey)?;
    if !min.is_empty() {
        let given = app_version.unwrap_or("");
        if given.trim().is_empty() || version_lt(given, &min) {
            return Err(Error::OutdatedVersion);
        }
    }
    Ok(())
}

/// Compares dotted versions part by part: numbers numerically, other parts as text.
pub fn version_lt(a: &str, b: &str) -> bool {
    let parts = |s: &str| -> Vec<String> {
        s.trim()
            .split(['.', '-', '_'])
            .map(str::to_string)
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map(String::as_str).unwrap_or("0");
        let y = pb.get(i).map(String::as_str).unwrap_or("0");
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            _ => x.cmp(y),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord == std::cmp::Ordering::Less;
        }
    }
    false
}

/// Creates an API key and returns it (only its hash is stored).
/// Characters of a new API key kept in clear so operators can tell keys
/// apart (`admin api-key list`); 16 of its 20 stay secret.
const API_KEY_PREFIX: usize = 4;

pub async fn create_api_key(db: &Db, name: &str, min_app_version: &str) -> Result<String> {
    let key = random_string(20, crate::secrets::UPPER_ALNUM);
    db.insert_api_key(
        &hash_secret(&key),
        &key[..API_KEY_PREFIX],
        name,
        min_app_version,
        now(),
    )
    .await?;
    Ok(key)
}

/// A single-use login token for `auth.login`, remembering the API version
/// the session will speak.
pub async fn create_token(lib: &Library, api_version: &str) -> Result<String> {
    let token = random_string(32, LOWER_ALNUM);
    let t = now();
    lib.db
        .insert_token(
            &hash_secret(&token),
            api_version,
            t,
            t + lib.cfg.limits.token_ttl_secs,
        )
        .await?;
    Ok(token)
}

fn account_key(user_name: &str) -> String {
    format!("login-user:{}", user_name.trim().to_lowercase())
}

fn address_key(ip: IpAddr) -> String {
    format!("login-addr:{ip}")
}

/// The account a login names — its user name or its e-mail address, in any
/// case — and the name its failures count under: the account's own name
/// when it exists, so both ways of naming it share one counter.
async fn find_login(db: &Db, given: &str) -> Result<(Option<User>, String)> {
    let given = given.trim();
    let user = db.user_by_login(given).await?;
    let account = match &user {
        Some(u) => u.user_name.clone(),
        None => given.to_string(),
    };
    Ok((user, account))
}

/// Seconds a login for this account from this address must still wait.
pub async fn login_wait(db: &Db, user_name: &str, ip: IpAddr) -> Result<Option<i64>> {
    let (account, address) = (account_key(user_name), address_key(ip));
    Ok(db.throttle_wait(&[&account, &address]).await?)
}

/// Settles a login whose password was checked (`ok`: right, and the login
/// may go on): a failure counts against the account and the address, a
/// success clears the account's counter only — one good password must not
/// reset what an address spent guessing other accounts. `Some(wait)` when
/// either is throttled by now (a parallel try failed meanwhile): the
/// outcome must not be told, the answer is the wait (docs/api-notes.md
/// "Login throttling").
pub async fn login_settle(
    lib: &Library,
    user_name: &str,
    ip: IpAddr,
    ok: bool,
) -> Result<Option<i64>> {
    let limits = &lib.cfg.limits;
    let (account, address) = (account_key(user_name), address_key(ip));
    let counters = [
        Counter {
            key: &account,
            free: limits.login_failures_per_account,
            clear_on_success: true,
        },
        Counter {
            key: &address,
            free: limits.login_failures_per_address,
            clear_on_success: false,
        },
    ];
    Ok(lib
        .db
        .throttle_settle(&counters, !ok, limits.login_delay_secs)
        .await?)
}

fn wait_text(wait: i64) -> Error {
    Error::LoginFailed(Some(
        format!("Too many failed logins; wait {wait} seconds before trying again").into(),
    ))
}

/// A new API session.
pub struct LoggedIn {
    pub session_key: String,
    pub user: User,
}

/// `auth.login`: the token is consumed whatever the outcome (throttled
/// tries included); then throttling, the token's validity, the
/// `tokened_password` (md5(token + md5(password))) — of the account's
/// password or one of its app passwords — settled against the throttle,
/// activation, and the per-user session cap. Tries with a valid token
/// are audited.
pub async fn login(
    lib: &Library,
    user_name: &str,
    token: &str,
    tokened_password: &str,
    ip: IpAddr,
) -> Result<LoggedIn> {
    let version = lib.db.take_token(&hash_secret(token), now()).await?;
    let (user, account) = find_login(&lib.db, user_name).await?;
    let failed = |why: &'static str| audit_login(lib, user.as_ref(), ip, "api", Some(why));
    // No work for a throttled try; `login_settle` decides for tries that
    // pass this check together.
    if let Some(wait) = login_wait(&lib.db, &account, ip).await? {
        if version.is_some() {
            failed("throttled").await;
        }
        return Err(wait_text(wait));
    }
    let version = version.ok_or(Error::SessionBad)?;

    let given = tokened_password.trim().to_ascii_lowercase();
    let tokened = |md5_pw: &str| md5_hex(&format!("{token}{md5_pw}"));
    let password_ok = match &user {
        Some(u) => match lib.secrets.open(&u.md5_sealed) {
            Some(md5_pw) => ct_eq(&tokened(&md5_pw), &given),
            None => false,
        },
        None => {
            // Same work for unknown names, so timing does not tell them apart.
            let _ = ct_eq(&tokened(&md5_hex("")), &given);
            false
        }
    };
    let app_password = match &user {
        Some(u) if !password_ok => {
            let mut found = None;
            for p in lib.db.app_passwords(u.id).await? {
                let ok = lib
                    .secrets
                    .open(&p.md5_sealed)
                    .is_some_and(|md5_pw| ct_eq(&tokened(&md5_pw), &given));
                if ok && found.is_none() {
                    found = Some(p);
                }
            }
            found
        }
        _ => None,
    };
    // An account with a second factor, a directory or single sign-on (or
    // any, in SSO-only mode) takes app passwords only: its own password is
    // refused like a wrong one (not to confirm it to a guesser).
    let app_passwords_only = user
        .as_ref()
        .is_some_and(|u| super::two_factor::needed(&lib.cfg, u) || !u.auth_source.is_empty())
        || sso_only(lib);
    let refused_for_app_passwords_only = password_ok && app_passwords_only;
    let password_ok = password_ok && !app_passwords_only;
    let known = password_ok || app_password.is_some();
    if let Some(wait) = login_settle(lib, &account, ip, user.is_some() && known).await? {
        failed("throttled").await;
        return Err(wait_text(wait));
    }
    let Some(user) = user.as_ref().filter(|_| known) else {
        failed(if refused_for_app_passwords_only {
            "account password refused: two-factor, directory or single sign-on, app passwords only"
        } else {
            "wrong password"
        })
        .await;
        return Err(Error::LoginFailed(None));
    };
    if user.disabled != 0 {
        failed("account disabled").await;
        return Err(Error::LoginFailed(Some(
            "This account is disabled: ask the server's operator".into(),
        )));
    }
    if !user.is_active() {
        failed("account not activated").await;
        return Err(Error::LoginFailed(Some(
            "Account not activated yet: follow the link in the activation email first".into(),
        )));
    }
    let user = user.clone();
    let via = match &app_password {
        Some(p) => {
            lib.db.touch_app_password(p.id, now()).await?;
            format!("api, app password {} ({}…)", p.name, p.prefix)
        }
        None => "api".to_string(),
    };
    let session_key = random_string(32, LOWER_ALNUM);
    let limits = &lib.cfg.limits;
    let t = now();
    let opened = lib
        .db
        .open_session(&NewSession {
            key_hash: &hash_secret(&session_key),
            user_id: user.id,
            api_version: &version,
            address: &ip.to_string(),
            now: t,
            idle_cutoff: t - limits.session_idle_secs,
            max_per_user: limits.max_sessions_per_user,
        })
        .await?;
    if !opened {
        return Err(Error::TooManySessions);
    }
    audit_login(lib, Some(&user), ip, &via, None).await;
    Ok(LoggedIn { session_key, user })
}

/// A live API session.
pub struct LiveSession {
    pub user: User,
    pub api_version: String,
    pub key_hash: String,
}

/// Looks up a live session and refreshes its idle timer; anything else is
/// `SessionBad` (an idle one is removed).
pub async fn load_session(lib: &Library, key: &str) -> Result<LiveSession> {
    let key_hash = hash_secret(key.trim());
    let t = now();
    let idle = lib.cfg.limits.session_idle_secs;
    let mut row = lib.db.session_with_user(&key_hash).await?;
    // A cached copy may be behind another node's use: checked anew before
    // the session is taken as idle.
    if row.as_ref().is_some_and(|r| r.last_seen < t - idle) {
        row = lib.db.session_with_user_stored(&key_hash).await?;
    }
    let SessionRow {
        api_version,
        last_seen,
        user,
    } = row.ok_or(Error::SessionBad)?;
    // Disabling an account ends its sessions; a copy read before that is
    // refused as soon as it shows the change.
    if !user.is_active() {
        return Err(Error::SessionBad);
    }
    if last_seen < t - idle {
        lib.db.delete_session(&key_hash).await?;
        return Err(Error::SessionBad);
    }
    // Refresh at most every few seconds (a write per call is a needless cost
    // under load), but often enough for short configured timeouts.
    if t - last_seen >= (idle / 4).clamp(0, 5) {
        lib.db.touch_session(&key_hash, t).await?;
    }
    Ok(LiveSession {
        user,
        api_version,
        key_hash,
    })
}

/// `auth.logout`: ends the session everywhere.
pub async fn close_session(db: &Db, key_hash: &str) -> Result<()> {
    Ok(db.delete_session(key_hash).await?)
}

/// The outcome of a password check by a web form.
pub enum PasswordLogin {
    Ok(Box<User>),
    /// Throttled: seconds to wait.
    Wait(i64),
    /// Unknown name, wrong password or account not activated.
    Wrong,
}

/// A web form's password check, shared by `/login` and the file_send
/// recipients' login: the API's login throttling (per account and per
/// address; a try is refused with the wait if its counters are throttled
/// before or, by a parallel try, after its check), argon2 off the async
/// threads, the same work for unknown names.
pub async fn password_login(
    lib: &Library,
    user_name: &str,
    password: &str,
    ip: IpAddr,
    via: &str,
) -> Result<PasswordLogin> {
    let (user, account) = find_login(&lib.db, user_name).await?;
    if let Some(wait) = login_wait(&lib.db, &account, ip).await? {
        return Ok(PasswordLogin::Wait(wait));
    }
    if sso_only(lib) {
        audit_login(
            lib,
            user.as_ref(),
            ip,
            via,
            Some("local passwords are off (single sign-on only)"),
        )
        .await;
        return Ok(PasswordLogin::Wrong);
    }
    let (user, ok) = if super::directory::asks(&lib.cfg, user.as_ref()) {
        match super::directory::login(lib, user, user_name, password).await {
            Ok(found) => found,
            Err(e) => {
                audit_login(lib, None, ip, via, Some("directory unavailable")).await;
                return Err(e);
            }
        }
    } else {
        let password = password.to_string();
        // An unknown name is checked against a dummy hash: same argon2 work.
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || {
            verify_password_or_dummy(&password, hash.as_deref())
        })
        .await
        .unwrap_or(false);
        (user, ok)
    };
    let why = match &user {
        Some(u) if ok && u.is_active() => None,
        Some(u) if ok && u.disabled != 0 => Some("account disabled"),
        Some(_) if ok => Some("account not activated"),
        _ => Some("wrong password"),
    };
    let settled = login_settle(lib, &account, ip, why.is_none()).await?;
    let why = if settled.is_some() {
        Some("throttled")
    } else {
        why
    };
    // A browser login of an account with a second factor is not done yet.
    let via = match &user {
        Some(u) if via == "web" && why.is_none() && super::two_factor::needed(&lib.cfg, u) => {
            "web: password right, second factor next"
        }
        _ => via,
    };
    audit_login(lib, user.as_ref(), ip, via, why).await;
    Ok(match (settled, user) {
        (Some(wait), _) => PasswordLogin::Wait(wait),
        (None, Some(u)) if why.is_none() => PasswordLogin::Ok(Box::new(u)),
        _ => PasswordLogin::Wrong,
    })
}

/// Whether local passwords are off: single sign-on only.
fn sso_only(lib: &Library) -> bool {
    lib.cfg.oidc.sso_only && super::oidc::enabled(&lib.cfg.oidc)
}

/// Audits a login try: `why` it failed, or None when it succeeded. Tries
/// for names no account has are recorded without the name (it may be a
/// password typed into the wrong field).
pub async fn audit_login(
    lib: &Library,
    user: Option<&User>,
    ip: IpAddr,
    via: &str,
    why: Option<&str>,
) {
    let (event, detail) = match why {
        None => (Event::LoginOk, via.to_string()),
        Some(why) => (Event::LoginFailed, format!("{via}: {why}")),
    };
    audit::note(&lib.db, event, Origin::user(ip), user, detail).await;
}

/// How long a web login lasts without use (the API's session idle time).
pub fn web_lifetime(lib: &Library) -> i64 {
    lib.cfg.limits.session_idle_secs.max(60)
}

/// Starts a browser login; its token (the cookie's value; only its hash
/// is stored).
pub async fn open_web_login(lib: &Library, user_id: i64, ip: IpAddr) -> Result<String> {
    let token = random_string(40, LOWER_ALNUM);
    let t = now();
    lib.db
        .insert_web_session(
            &hash_secret(&token),
            user_id,
            &ip.to_string(),
            t,
            t + web_lifetime(lib),
        )
        .await?;
    Ok(token)
}

/// A live browser login.
pub struct WebLogin {
    pub user: User,
    pub token_hash: String,
    /// When the browser logged in.
    pub created: i64,
}

/// The account of a live browser login, refreshing its expiry when half
/// of it has passed (a write at most twice per lifetime). None for an
/// unknown or expired login, or an account no longer active.
pub async fn web_login(lib: &Library, token: &str) -> Result<Option<WebLogin>> {
    let token_hash = hash_secret(token);
    let t = now();
    let Some(row) = lib.db.web_session(&token_hash).await? else {
        return Ok(None);
    };
    if row.expires < t {
        return Ok(None);
    }
    let life = web_lifetime(lib);
    if row.expires - t < life / 2 {
        lib.db.extend_web_session(&token_hash, t + life).await?;
    }
    Ok(lib
        .db
        .user_by_id(row.user_id)
        .await?
        .filter(User::is_active)
        .map(|user| WebLogin {
            user,
            token_hash,
            created: row.created,
        }))
}

/// Ends a browser login everywhere.
pub async fn end_web_login(db: &Db, token_hash: &str) -> Result<()> {
    Ok(db.delete_web_session(token_hash).await?)
}

/// Deletes expired tokens, idle sessions and old throttle rows.
pub async fn sweep_expired(lib: &Library) -> Result<()> {
    let t = now();
    lib.db.delete_expired_tokens(t).await?;
    lib.db
        .delete_idle_sessions(t - lib.cfg.limits.session_idle_secs)
        .await?;
    lib.db.throttle_sweep(t - 3600).await?;
    lib.db.mail_rate_sweep(t).await?;
    lib.db.sweep_account_tokens(t).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::version_lt;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_lt("0.9", "0.10"));
        assert!(version_lt("1.2", "1.2.1"));
        assert!(!version_lt("2.0", "1.9.9"));
        assert!(!version_lt("1.0", "1.0.0"));
    }
}
