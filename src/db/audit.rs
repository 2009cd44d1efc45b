//! The audit log (docs/audit.md): written once per event, read with
//! filters, swept after its retention.

use crate::db::Db;

/// One entry. `user_id` 0 and `user_name` '' when it is about no account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub user_id: i64,
    pub user_name: String,
    pub actor: String,
    pub address: String,
    pub detail: String,
}

/// Which entries to read; every part is optional (0, None, '').
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: i64,
    pub user_id: Option<i64>,
    /// Events whose name starts with this (`login.` for every login).
    pub event_prefix: String,
    pub limit: i64,
}

impl Db {
    pub async fn insert_audit(&self, e: &AuditRow) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, event, user_id, user_name, actor, address, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.at)
        .bind(&e.event)
        .bind(e.user_id)
        .bind(&e.user_name)
        .bind(&e.actor)
        .bind(&e.address)
        .bind(&e.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Matching entries, newest first.
    pub async fn audit_entries(&self, f: &AuditFilter) -> sqlx::Result<Vec<AuditRow>> {
        // LIKE's wildcards in the prefix are taken literally.
        let prefix = f
            .event_prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sqlx::query_as(
            "SELECT id, at, event, user_id, user_name, actor, address, detail FROM audit_log \
             WHERE at >= $1 AND ($2 < 0 OR user_id = $2) AND event LIKE $3 ESCAPE '\\' \
             ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(f.since)
        .bind(f.user_id.unwrap_or(-1))
        .bind(format!("{prefix}%"))
        .bind(if f.limit > 0 { f.limit } else { i64::MAX })
        .fetch_all(&self.pool)
        .await
    }

    /// Removes entries older than `before`; how many went.
    pub async fn sweep_audit(&self, before: i64) -> sqlx::Result<u64> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
