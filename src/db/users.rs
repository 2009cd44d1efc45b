//! Accounts: the `users` row and the figures derived from it and the tier.

use crate::config::{Config, Tier};
use crate::db::{now, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
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
}

pub const USER_COLUMNS: &str =
    "id, user_name, full_name, email, password_hash, md5_sealed, membership, \
     membership_ends, activated, disk_used, bandwidth_used, bandwidth_period";

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

    pub fn diskspace_left(&self, cfg: &Config) -> i64 {
        let quota = self.tier(cfg).diskspace;
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

impl Db {
    pub async fn user_by_id(&self, id: i64) -> sqlx::Result<Option<User>> {
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await
    }

    pub async fn user_by_name(&self, user_name: &str) -> sqlx::Result<Option<User>> {
        sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE user_name_lower = $1"
        ))
        .bind(user_name.to_lowercase())
        .fetch_optional(&self.read)
        .await
    }
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
        assert_eq!(bandwidth_period(0), 197001);
    }
}
