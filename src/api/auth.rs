//! `auth.*`: registration, tokens, login with `tokened_password`, sessions.

use crate::accounts::{self, CreateError, NewUser};
use crate::api::envelope::{Node, Reply};
use crate::api::{Ctx, Session};
use crate::db::{now, users::User, Backend};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::params::Params;
use crate::mail::Mail;
use crate::secrets::{ct_eq, hash_secret, md5_hex, random_string, LOWER_ALNUM};
use crate::state::AppState;

/// 18 for an unknown key, 25 when the key demands a newer `app_version`.
pub async fn check_api_key(app: &AppState, params: &Params) -> ApiResult<()> {
    let key = params.get("api_key").unwrap_or("").trim();
    let min: Option<String> =
        sqlx::query_scalar("SELECT min_app_version FROM api_keys WHERE key_hash = $1")
            .bind(hash_secret(key))
            .fetch_optional(&app.db.pool)
            .await?;
    let min = min.ok_or_else(|| ApiError::new(Code::UnknownApiKey))?;
    if !min.is_empty() {
        let given = params.get("app_version").unwrap_or("");
        if given.trim().is_empty() || version_lt(given, &min) {
            return Err(ApiError::new(Code::OutdatedVersion));
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

pub async fn register(c: &Ctx<'_>) -> ApiResult<Reply> {
    check_api_key(c.app, c.params).await?;
    if !c.app.cfg.registration {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "Registration is closed on this server",
        ));
    }
    let p = c.params;
    let given_password = p.get("password").unwrap_or("");
    let password = if given_password.is_empty() {
        accounts::generate_password()
    } else {
        given_password.to_string()
    };
    let new = NewUser {
        user_name: p.get("user_name").unwrap_or("").trim(),
        full_name: p.get("full_name").unwrap_or(""),
        email: p.get("email").unwrap_or("").trim(),
        password: &password,
        membership: "lite",
        membership_ends: 0,
        activated: false,
    };
    let check = NewUser {
        password: given_password,
        ..new
    };
    accounts::validate(&check, 20, true).map_err(registration_error)?;
    let (_, activation) = accounts::create(&c.app.db, &c.app.secrets, &new)
        .await
        .map_err(registration_error)?;
    let link = c
        .app
        .url(&format!("/activate/{}", activation.unwrap_or_default()));
    let mut text = format!(
        "Hello {},\n\nyour dropspace account {} was created. Activate it by opening this link:\n\n{}\n",
        new.full_name.trim(),
        new.user_name,
        link
    );
    if given_password.is_empty() {
        text.push_str(&format!("\nYour password: {password}\n"));
    }
    let mail = Mail {
        to: new.email.to_string(),
        subject: "Activate your dropspace account".into(),
        text,
        html: None,
        reply_to: None,
        from_name: None,
    };
    c.app.mail.send(mail).await?;
    Ok(Reply::status_ok())
}

fn registration_error(e: CreateError) -> ApiError {
    match e {
        CreateError::Invalid(text) => ApiError::with_text(Code::RegistrationError, text),
        CreateError::Internal(e) => ApiError::internal(format!("{e:#}")),
    }
}

pub async fn create_token(c: &Ctx<'_>) -> ApiResult<Reply> {
    check_api_key(c.app, c.params).await?;
    let token = random_string(32, LOWER_ALNUM);
    let version = c
        .params
        .get("api_version")
        .unwrap_or("1.0")
        .trim()
        .to_string();
    let t = now();
    sqlx::query("DELETE FROM tokens WHERE expires < $1")
        .bind(t)
        .execute(&c.app.db.pool)
        .await?;
    sqlx::query("INSERT INTO tokens (token_hash, api_version, expires) VALUES ($1, $2, $3)")
        .bind(hash_secret(&token))
        .bind(version)
        .bind(t + c.app.cfg.limits.token_ttl_secs)
        .execute(&c.app.db.pool)
        .await?;
    Ok(Reply::one(Node::text("token", token)))
}

/// Login throttling, shared by `auth.login` and the web logins: counters
/// per account and per client address, in the database.
fn account_key(user_name: &str) -> String {
    format!("login-user:{}", user_name.trim().to_lowercase())
}

fn address_key(ip: std::net::IpAddr) -> String {
    format!("login-addr:{ip}")
}

/// Seconds a login for this account from this address must still wait.
pub async fn login_wait(
    app: &AppState,
    user_name: &str,
    ip: std::net::IpAddr,
) -> sqlx::Result<Option<i64>> {
    for key in [account_key(user_name), address_key(ip)] {
        if let Some(wait) = app.db.throttle_wait(&key).await? {
            return Ok(Some(wait));
        }
    }
    Ok(None)
}

pub async fn login_failed(
    app: &AppState,
    user_name: &str,
    ip: std::net::IpAddr,
) -> sqlx::Result<()> {
    let limits = &app.cfg.limits;
    app.db
        .throttle_fail(
            &account_key(user_name),
            limits.login_failures_per_account,
            limits.login_delay_secs,
        )
        .await?;
    app.db
        .throttle_fail(
            &address_key(ip),
            limits.login_failures_per_address,
            limits.login_delay_secs,
        )
        .await
}

/// Only the account's counter is cleared: one good password must not reset
/// what an address spent guessing other accounts.
pub async fn login_succeeded(app: &AppState, user_name: &str) -> sqlx::Result<()> {
    app.db.throttle_clear(&account_key(user_name)).await
}

pub async fn login(c: &Ctx<'_>) -> ApiResult<Reply> {
    let app = c.app;
    let p = c.params;
    let user_name = p.get("user_name").unwrap_or("").trim();
    // The token is single use: it is consumed whatever the outcome,
    // throttled tries included.
    let token = p.get("token").unwrap_or("").trim();
    let version: Option<String> = sqlx::query_scalar(
        "DELETE FROM tokens WHERE token_hash = $1 AND expires >= $2 RETURNING api_version",
    )
    .bind(hash_secret(token))
    .bind(now())
    .fetch_optional(&app.db.pool)
    .await?;
    if let Some(wait) = login_wait(app, user_name, c.client_ip).await? {
        return Err(ApiError::with_text(
            Code::AuthenticationFailure,
            format!("Too many failed logins; wait {wait} seconds before trying again"),
        ));
    }
    let version = version.ok_or_else(|| ApiError::new(Code::SessionBad))?;

    let user = app.db.user_by_name(user_name).await?;
    let given = p
        .get("tokened_password")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let password_ok = match &user {
        Some(u) => match app.secrets.open(&u.md5_sealed) {
            Some(md5_pw) => ct_eq(&md5_hex(&format!("{token}{md5_pw}")), &given),
            None => false,
        },
        None => {
            // Same work for unknown names, so timing does not tell them apart.
            let _ = ct_eq(&md5_hex(&format!("{token}{}", md5_hex(""))), &given);
            false
        }
    };
    let user = match (user, password_ok) {
        (Some(u), true) => u,
        _ => {
            login_failed(app, user_name, c.client_ip).await?;
            return Err(ApiError::new(Code::AuthenticationFailure));
        }
    };
    login_succeeded(app, user_name).await?;
    if user.activated == 0 {
        return Err(ApiError::with_text(
            Code::AuthenticationFailure,
            "Account not activated yet: follow the link in the activation email first",
        ));
    }

    let session_key = random_string(32, LOWER_ALNUM);
    if !open_session(app, &user, &session_key, &version).await? {
        return Err(ApiError::new(Code::TooManySessions));
    }
    let tier = user.tier(&app.cfg);
    let flag = |b: bool| if b { "1" } else { "0" };
    Ok(Reply::ok(vec![
        Node::text("session_key", session_key),
        Node::text("email", &user.email),
        Node::text("membership_type", &user.membership),
        Node::text("membership_ends", user.membership_ends),
        Node::text("capable_upload", flag(tier.capable_upload)),
        Node::text("capable_download", flag(tier.capable_download)),
        Node::text("capable_folders", flag(tier.capable_folders)),
        Node::text("capable_files", flag(tier.capable_files)),
        Node::text("bandwidth_left", user.bandwidth_left(&app.cfg)),
        Node::text("diskspace_left", user.diskspace_left(&app.cfg)),
    ]))
}

/// Stores a new session unless the user already holds the maximum of live
/// ones; false when the cap was reached. On PostgreSQL the user row is
/// locked first so that concurrent logins cannot both pass the count (on
/// SQLite the write transaction already serialises them).
async fn open_session(
    app: &AppState,
    user: &User,
    session_key: &str,
    version: &str,
) -> ApiResult<bool> {
    let limits = &app.cfg.limits;
    let t = now();
    let idle_cutoff = t - limits.session_idle_secs;
    let mut tx = app.db.pool.begin().await?;
    if app.db.backend == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND last_seen < $2")
        .bind(user.id)
        .bind(idle_cutoff)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO sessions (key_hash, user_id, api_version, created, last_seen) \
         SELECT $1, $2, $3, $4, $4 \
         WHERE (SELECT COUNT(*) FROM sessions WHERE user_id = $2 AND last_seen >= $5) < $6",
    )
    .bind(hash_secret(session_key))
    .bind(user.id)
    .bind(version)
    .bind(t)
    .bind(idle_cutoff)
    .bind(limits.max_sessions_per_user)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(inserted.rows_affected() == 1)
}

/// Looks up a live session and refreshes its idle timer; anything else is 6.
pub async fn load_session(app: &AppState, key: &str) -> ApiResult<Session> {
    let key_hash = hash_secret(key.trim());
    let t = now();
    // One lookup for the session and its account: the hot path of every
    // call (measured: twice the calls per second of two lookups).
    static QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let columns: Vec<String> = crate::db::users::USER_COLUMNS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect();
        format!(
            "SELECT s.api_version, s.last_seen, {} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.key_hash = $1",
            columns.join(", ")
        )
    });
    let row: Option<SessionRow> = sqlx::query_as(QUERY.as_str())
        .bind(&key_hash)
        .fetch_optional(&app.db.read)
        .await?;
    let SessionRow {
        api_version,
        last_seen,
        user,
    } = row.ok_or_else(|| ApiError::new(Code::SessionBad))?;
    if last_seen < t - app.cfg.limits.session_idle_secs {
        sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
            .bind(&key_hash)
            .execute(&app.db.pool)
            .await?;
        return Err(ApiError::new(Code::SessionBad));
    }
    // Refresh at most every few seconds (a write per call is a needless cost
    // under load), but often enough for short configured timeouts.
    let idle = app.cfg.limits.session_idle_secs;
    if t - last_seen >= (idle / 4).clamp(0, 5) {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE key_hash = $2")
            .bind(t)
            .bind(&key_hash)
            .execute(&app.db.pool)
            .await?;
    }
    Ok(Session {
        user,
        api_version,
        key_hash,
    })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    api_version: String,
    last_seen: i64,
    #[sqlx(flatten)]
    user: User,
}

pub async fn check_session(c: &Ctx<'_>) -> ApiResult<Reply> {
    let user = c.user()?;
    Ok(Reply::ok(vec![
        Node::text("session", "ok"),
        Node::text("bandwidth_left", user.bandwidth_left(&c.app.cfg)),
        Node::text("diskspace_left", user.diskspace_left(&c.app.cfg)),
    ]))
}

pub async fn logout(c: &Ctx<'_>) -> ApiResult<Reply> {
    let session = c.session()?;
    sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
        .bind(&session.key_hash)
        .execute(&c.app.db.pool)
        .await?;
    Ok(Reply::status_ok())
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
