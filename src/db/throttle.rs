//! Failure counters that slow down guessing (failed logins), kept in the
//! database so every node enforces the same limit.

use crate::db::{now, Db};

/// Failures older than this are forgotten.
const WINDOW_SECS: i64 = 15 * 60;

impl Db {
    /// Seconds the key must still wait, if it is throttled now.
    pub async fn throttle_wait(&self, key: &str) -> sqlx::Result<Option<i64>> {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT blocked_until FROM throttle WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        let t = now();
        Ok(until.filter(|u| *u > t).map(|u| u - t))
    }

    /// Counts a failure; from the `free`-th failure in the window on, the key
    /// must wait `delay` seconds before its next try.
    pub async fn throttle_fail(&self, key: &str, free: i64, delay: i64) -> sqlx::Result<()> {
        let t = now();
        sqlx::query(
            "INSERT INTO throttle (key, failures, last_failure, blocked_until) \
             VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $2 + $5 ELSE 0 END) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN throttle.last_failure < $3 THEN 1 ELSE throttle.failures + 1 END, \
               blocked_until = CASE WHEN throttle.last_failure >= $3 AND throttle.failures + 1 >= $4 \
                                    THEN $2 + $5 ELSE 0 END, \
               last_failure = $2",
        )
        .bind(key)
        .bind(t)
        .bind(t - WINDOW_SECS)
        .bind(free)
        .bind(delay)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets counters whose last failure and block are older than `before`.
    pub async fn throttle_sweep(&self, before: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM throttle WHERE last_failure < $1 AND blocked_until < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn throttle_clear(&self, key: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
