//! What the admin console shows of accounts and storage (docs/admin.md):
//! accounts with their use, totals, the biggest files.

use crate::db::Db;

/// One account as the console lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountUse {
    pub id: i64,
    pub user_name: String,
    pub email: String,
    pub membership: String,
    pub activated: i64,
    pub disabled: i64,
    pub is_admin: i64,
    pub totp_enabled: i64,
    pub disk_used: i64,
    /// Bytes downloaded this month (0 when the counter is of an older month).
    pub bandwidth_used: i64,
    pub files: i64,
}

/// The server's totals.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Totals {
    pub accounts: i64,
    pub files: i64,
    pub bytes: i64,
    pub anonymous_files: i64,
    pub anonymous_bytes: i64,
    pub bandwidth: i64,
}

/// A big file and whose it is ('' for anonymous).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BigFile {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub owner: String,
}

impl Db {
    /// Accounts whose name or e-mail address contains `query` (any case;
    /// '' for all), by name, at most `limit`. `period`: this month's
    /// bandwidth period.
    pub async fn account_use(
        &self,
        query: &str,
        period: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<AccountUse>> {
        let pattern = format!(
            "%{}%",
            query
                .trim()
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sqlx::query_as(
            "SELECT u.id, u.user_name, u.email, u.membership, u.activated, u.disabled, u.is_admin, \
             u.totp_enabled, u.disk_used, \
             CASE WHEN u.bandwidth_period = $2 THEN u.bandwidth_used ELSE 0 END AS bandwidth_used, \
             (SELECT COUNT(*) FROM files f WHERE f.user_id = u.id) AS files \
             FROM users u WHERE u.user_name_lower LIKE $1 ESCAPE '\\' OR u.email_lower LIKE $1 ESCAPE '\\' \
             ORDER BY u.user_name_lower LIMIT $3",
        )
        .bind(pattern)
        .bind(period)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn totals(&self, period: i64) -> sqlx::Result<Totals> {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users) AS accounts, \
             (SELECT COUNT(*) FROM files) AS files, \
             (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files) AS bytes, \
             (SELECT COUNT(*) FROM files WHERE user_id IS NULL) AS anonymous_files, \
             (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE user_id IS NULL) AS anonymous_bytes, \
             (SELECT CAST(COALESCE(SUM(bandwidth_used), 0) AS BIGINT) FROM users WHERE bandwidth_period = $1) AS bandwidth",
        )
        .bind(period)
        .fetch_one(&self.pool)
        .await
    }

    pub async fn biggest_files(&self, limit: i64) -> sqlx::Result<Vec<BigFile>> {
        sqlx::query_as(
            "SELECT f.id, f.name, f.size, COALESCE(u.user_name, '') AS owner \
             FROM files f LEFT JOIN users u ON u.id = f.user_id ORDER BY f.size DESC, f.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}
