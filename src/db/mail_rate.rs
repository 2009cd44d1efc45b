//! Share mails sent per client address and per account in the current
//! hour, counted in the database so the rate holds across nodes.

use crate::db::{now, Db};

/// Length of a counting window.
pub const WINDOW_SECS: i64 = 3600;

impl Db {
    /// Counts `n` mails against every `(key, limit)` at once, or against
    /// none: when one would pass its limit nothing is counted and the
    /// answer is the seconds until its window ends. A window starts with
    /// the first mail after the previous one ended.
    pub async fn mail_rate_take(
        &self,
        keys: &[(String, i64)],
        n: i64,
    ) -> sqlx::Result<Option<i64>> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for (key, limit) in keys {
            // One conditional statement per key: concurrent callers on any
            // node see each other's counts (row lock on PostgreSQL).
            let counted: Option<i64> = if n <= *limit {
                sqlx::query_scalar(
                    "INSERT INTO mail_rate (key, window_start, sent) VALUES ($1, $2, $3) \
                     ON CONFLICT (key) DO UPDATE SET \
                       sent = CASE WHEN mail_rate.window_start <= $4 THEN $3 ELSE mail_rate.sent + $3 END, \
                       window_start = CASE WHEN mail_rate.window_start <= $4 THEN $2 ELSE mail_rate.window_start END \
                     WHERE mail_rate.window_start <= $4 OR mail_rate.sent + $3 <= $5 \
                     RETURNING sent",
                )
                .bind(key)
                .bind(t)
                .bind(n)
                .bind(t - WINDOW_SECS)
                .bind(limit)
                .fetch_optional(&mut *tx)
                .await?
            } else {
                None
            };
            if counted.is_none() {
                let start: Option<i64> =
                    sqlx::query_scalar("SELECT window_start FROM mail_rate WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.rollback().await?;
                let wait = start.map_or(WINDOW_SECS, |s| s + WINDOW_SECS - t);
                return Ok(Some(wait.clamp(1, WINDOW_SECS)));
            }
        }
        tx.commit().await?;
        Ok(None)
    }

    /// Forgets windows that ended before `before`.
    pub async fn mail_rate_sweep(&self, before: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM mail_rate WHERE window_start < $1")
            .bind(before - WINDOW_SECS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
