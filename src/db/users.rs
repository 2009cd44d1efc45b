//! Accounts: the `users` row and the figures derived from it and the tier.

use crate::config::{Config, Tier};
use crate::db::read::{read_row, Param};
use crate::db::{now, Db};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub user_name: String,
    pub full_name: String,
    pub email: String,
    pub password_hash: String,
    pub md5_sealed: String,
    pub membership: String,
    pub membership_ends: i64,
    pub activated: i64,
    pub disk_used: i64,
    pub bandwidth_used: i64,
    pub bandwidth_period: i64,
    /// When an operator switched the account off; 0: it is on.
    pub disabled: i64,
    /// The account's own disk quota, in place of its tier's.
    pub diskspace_override: Option<i64>,
    /// When two-factor login was turned on; 0: it is off.
    pub totp_enabled: i64,
    /// Not 0: the account may use the admin console.
    pub is_admin: i64,
    /// Where it logs in: '' its own password, "ldap" the directory.
    pub auth_source: String,
}

read_row!(User {
    id,
    user_name,
    full_name,
    email,
    password_hash,
    md5_sealed,
    membership,
    membership_ends,
    activated,
    disk_used,
    bandwidth_used,
    bandwidth_period,
    disabled,
    diskspace_override,
    totp_enabled,
    is_admin,
    auth_source,
});

pub const USER_COLUMNS: &str =
    "id, user_name, full_name, email, password_hash, md5_sealed, membership, \
     membership_ends, activated, disk_used, bandwidth_used, bandwidth_period, disabled, \
     diskspace_override, totp_enabled, is_admin, auth_source";

/// The calendar month a bandwidth allowance is counted in, as YYYYMM.
pub fn bandwidth_period(unix: i64) -> i64 {
    let dt =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    dt.year() as i64 * 100 + dt.month() as i64
}

impl User {
    pub fn tier<'a>(&self, cfg: &'a Config) -> &'a Tier {
        cfg.tiers.get(&self.membership)
    }

    /// A paid tier whose end date has passed (error 19 where the guide lists it).
    pub fn membership_expired(&self) -> bool {
        self.membership != "lite" && self.membership_ends > 0 && self.membership_ends < now()
    }

    /// The disk quota in bytes (-1 unlimited): the account's own, else
    /// its tier's.
    pub fn diskspace(&self, cfg: &Config) -> i64 {
        self.diskspace_override
            .unwrap_or_else(|| self.tier(cfg).diskspace)
    }

    pub fn diskspace_left(&self, cfg: &Config) -> i64 {
        let quota = self.diskspace(cfg);
        if quota < 0 {
            -1
        } else {
            (quota - self.disk_used).max(0)
        }
    }

    pub fn bandwidth_left(&self, cfg: &Config) -> i64 {
        let allowance = self.tier(cfg).bandwidth;
        if allowance < 0 {
            return -1;
        }
        let used = if self.bandwidth_period == bandwidth_period(now()) {
            self.bandwidth_used
        } else {
            0
        };
        (allowance - used).max(0)
    }
}

/// What `insert_user` stores: a validated account, its secrets already
/// derived (the password's argon2 hash, the sealed MD5 for `auth.login`).
pub struct NewUserRow<'a> {
    pub user_name: &'a str,
    pub full_name: &'a str,
    pub email: &'a str,
    pub password_hash: String,
    pub md5_sealed: String,
    pub membership: &'a str,
    pub membership_ends: i64,
    pub activated: bool,
    pub activation_hash: Option<String>,
    pub created: i64,
}

/// A line of `admin user list`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserSummary {
    pub id: i64,
    pub user_name: String,
    pub email: String,
    pub membership: String,
}

impl User {
    /// Whether the account may log in: the activation link was followed
    /// (or the admin created it active), and no operator disabled it.
    pub fn is_active(&self) -> bool {
        self.activated != 0 && self.disabled == 0
    }
}

impl Db {
    pub async fn user_by_id(&self, id: i64) -> sqlx::Result<Option<User>> {
        self.read_one(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
            &[Param::Int(id)],
        )
        .await
    }

    pub async fn user_by_name(&self, user_name: &str) -> sqlx::Result<Option<User>> {
        self.read_one(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE user_name_lower = $1"),
            &[Param::Text(&user_name.to_lowercase())],
        )
        .await
    }

    /// The account a login names: its user name, or its e-mail address
    /// (user names cannot contain `@`), in any case. Addresses are not
    /// unique in the schema; the oldest account wins.
    pub async fn user_by_login(&self, given: &str) -> sqlx::Result<Option<User>> {
        if !given.contains('@') {
            return self.user_by_name(given).await;
        }
        self.read_one(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1 ORDER BY id LIMIT 1"),
            &[Param::Text(&given.to_lowercase())],
        )
        .await
    }

    /// The id of the account with this name (any case), read from the writer.
    pub async fn user_id_by_name(&self, user_name: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM users WHERE user_name_lower = $1")
            .bind(user_name.to_lowercase())
            .fetch_optional(&self.pool)
            .await
    }

    /// The id of the account with this email address (any case).
    pub async fn user_id_by_email(&self, email: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM users WHERE email_lower = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&self.pool)
            .await
    }

    /// Inserts an account; its id, or None when a unique index (name or
    /// email, e.g. a concurrent registration) refused it.
    pub async fn insert_user(&self, u: &NewUserRow<'_>) -> sqlx::Result<Option<i64>> {
        let inserted: sqlx::Result<i64> = sqlx::query_scalar(
            "INSERT INTO users (user_name, user_name_lower, full_name, email, email_lower, password_hash, md5_sealed, \
             membership, membership_ends, activated, activation_hash, created) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(u.user_name)
        .bind(u.user_name.to_lowercase())
        .bind(u.full_name)
        .bind(u.email)
        .bind(u.email.to_lowercase())
        .bind(&u.password_hash)
        .bind(&u.md5_sealed)
        .bind(u.membership)
        .bind(u.membership_ends)
        .bind(u.activated as i64)
        .bind(u.activation_hash.as_deref())
        .bind(u.created)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(id) => Ok(Some(id)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Activates the account whose activation token hashes to this and
    /// clears the token (single use); the account's user name.
    pub async fn activate_user(&self, activation_hash: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar(
            "UPDATE users SET activated = 1, activation_hash = NULL WHERE activation_hash = $1 RETURNING user_name",
        )
        .bind(activation_hash)
        .fetch_optional(&self.pool)
        .await
        .inspect(|_| self.cache.changed_all())
    }

    /// A new e-mail address; false when there is no such account or the
    /// address is another account's by now (the unique index decides).
    pub async fn set_email(&self, user_id: i64, email: &str) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET email = $1, email_lower = $2 WHERE id = $3 \
             AND NOT EXISTS (SELECT 1 FROM users WHERE email_lower = $2 AND id <> $3)",
        )
        .bind(email)
        .bind(email.to_lowercase())
        .bind(user_id)
        .execute(&self.pool)
        .await;
        match done {
            Ok(d) => {
                self.cache.changed(user_id);
                Ok(d.rows_affected() == 1)
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Sets an account's membership and its end (0: none); false when
    /// there is no such account.
    pub async fn set_membership(
        &self,
        user_name: &str,
        membership: &str,
        ends: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET membership = $1, membership_ends = $2 WHERE user_name_lower = $3",
        )
        .bind(membership)
        .bind(ends)
        .bind(user_name.to_lowercase())
        .execute(&self.pool)
        .await?;
        self.cache.changed_all();
        Ok(done.rows_affected() == 1)
    }

    /// Switches an account off (`at`: now) or on again (0). Switching it off
    /// ends its API and browser sessions in the same transaction; other
    /// nodes stop using their copies within `limits.session_cache_ms`.
    /// False: no such account.
    pub async fn set_disabled(&self, user_id: i64, at: i64) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if at != 0 {
            end_sessions_in(&mut tx, user_id).await?;
        }
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() == 1)
    }

    /// Ends every API and browser session of an account; how many.
    pub async fn end_sessions(&self, user_id: i64) -> sqlx::Result<u64> {
        let mut tx = self.pool.begin().await?;
        let ended = end_sessions_in(&mut tx, user_id).await?;
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(ended)
    }

    /// Sets a new password (argon2 hash, sealed md5) and ends every
    /// session of the account, in one transaction. False: no such account.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        md5_sealed: &str,
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE users SET password_hash = $1, md5_sealed = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(md5_sealed)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        end_sessions_in(&mut tx, user_id).await?;
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() == 1)
    }

    /// Deletes an account and everything it owns, in one transaction: the
    /// blobs of its files and trash are queued for removal (due at `at`,
    /// so the sweeper removes them even if this process stops now), its
    /// file requests go, and the rest goes with the account's row (foreign
    /// keys cascade). False: no such account.
    pub async fn delete_user(&self, user_id: i64, at: i64) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO deleted_blobs (blob_key, delete_after) \
             SELECT blob_key, $2 FROM (SELECT blob_key FROM files WHERE user_id = $1 \
             UNION SELECT blob_key FROM trash WHERE user_id = $1) AS owned WHERE true \
             ON CONFLICT (blob_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM file_requests WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() == 1)
    }

    /// The account of an identity at an outside source (`auth_source`,
    /// `external_id`).
    pub async fn user_by_external(
        &self,
        source: &str,
        external_id: &str,
    ) -> sqlx::Result<Option<User>> {
        sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE auth_source = $1 AND external_id = $2 \
             AND external_id <> '' ORDER BY id LIMIT 1"
        ))
        .bind(source)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Brings a directory account's row in line with the directory: its
    /// e-mail address (kept when another account has the new one), tier
    /// and admin role (None: left as they are).
    pub async fn sync_directory_user(
        &self,
        user_id: i64,
        email: &str,
        membership: Option<&str>,
        is_admin: Option<bool>,
    ) -> sqlx::Result<()> {
        let taken = !email.is_empty()
            && self
                .user_id_by_email(email)
                .await?
                .is_some_and(|id| id != user_id);
        let email = if taken { "" } else { email };
        sqlx::query(
            "UPDATE users SET email = CASE WHEN $1 = '' THEN email ELSE $1 END, \
             email_lower = CASE WHEN $1 = '' THEN email_lower ELSE $2 END, \
             membership = COALESCE($3, membership), is_admin = COALESCE($4, is_admin) WHERE id = $5",
        )
        .bind(email)
        .bind(email.to_lowercase())
        .bind(membership)
        .bind(is_admin.map(i64::from))
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        self.cache.changed(user_id);
        Ok(())
    }

    /// Marks where an account logs in, and as whom there.
    pub async fn set_auth_source(
        &self,
        user_id: i64,
        source: &str,
        external_id: &str,
    ) -> sqlx::Result<()> {
        sqlx::query("UPDATE users SET auth_source = $1, external_id = $2 WHERE id = $3")
            .bind(source)
            .bind(external_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.cache.changed(user_id);
        Ok(())
    }

    /// Gives an account its own disk quota (bytes, -1 unlimited), or its
    /// tier's again (None). False: no such account.
    pub async fn set_diskspace_override(
        &self,
        user_id: i64,
        quota: Option<i64>,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query("UPDATE users SET diskspace_override = $1 WHERE id = $2")
            .bind(quota)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() == 1)
    }

    /// Every account, by id.
    pub async fn list_users(&self) -> sqlx::Result<Vec<UserSummary>> {
        sqlx::query_as("SELECT id, user_name, email, membership FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }
}

/// Ends an account's API and browser sessions inside `tx`; how many.
async fn end_sessions_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
) -> sqlx::Result<u64> {
    let mut ended = 0;
    for table in ["sessions", "web_sessions"] {
        ended += sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(membership: &str, ends: i64) -> User {
        User {
            id: 1,
            user_name: "u".into(),
            full_name: "U".into(),
            email: "u@example.com".into(),
            password_hash: String::new(),
            md5_sealed: String::new(),
            membership: membership.into(),
            membership_ends: ends,
            activated: 1,
            disk_used: 300,
            bandwidth_used: 50,
            bandwidth_period: bandwidth_period(now()),
            disabled: 0,
            diskspace_override: None,
            totp_enabled: 0,
            is_admin: 0,
            auth_source: String::new(),
        }
    }

    #[test]
    fn membership_expiry() {
        let past = now() - 10;
        let future = now() + 3600;
        assert!(user("pro", past).membership_expired());
        assert!(user("max", past).membership_expired());
        assert!(!user("pro", future).membership_expired());
        // 0 = no end date; lite never expires.
        assert!(!user("pro", 0).membership_expired());
        assert!(!user("lite", past).membership_expired());
    }

    #[test]
    fn quota_figures() {
        let mut cfg = Config::default();
        cfg.tiers.lite.diskspace = 1000;
        cfg.tiers.lite.bandwidth = 100;
        let u = user("lite", 0);
        assert_eq!(u.diskspace_left(&cfg), 700);
        assert_eq!(u.bandwidth_left(&cfg), 50);
        // Last month's use does not count this month.
        let old = User {
            bandwidth_period: 200001,
            ..user("lite", 0)
        };
        assert_eq!(old.bandwidth_left(&cfg), 100);
        // Never negative; -1 = unlimited.
        let over = User {
            disk_used: 5000,
            ..user("lite", 0)
        };
        assert_eq!(over.diskspace_left(&cfg), 0);
        assert_eq!(user("max", 0).diskspace_left(&Config::default()), -1);
        // An account's own quota wins over its tier's, either way.
        let own = User {
            diskspace_override: Some(2000),
            ..user("lite", 0)
        };
        assert_eq!(own.diskspace_left(&cfg), 1700);
        let unlimited = User {
            diskspace_override: Some(-1),
            ..user("lite", 0)
        };
        assert_eq!(unlimited.diskspace_left(&cfg), -1);
        assert_eq!(bandwidth_period(0), 197001);
    }
}
