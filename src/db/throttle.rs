//! Failure counters that slow down guessing (failed logins, download
//! passwords), kept in the database so every node enforces the same limit.

use crate::db::{now, Db};

/// One failure counter of a try, for `Db::throttle_settle`.
pub struct Counter<'a> {
    pub key: &'a str,
    /// Failures in the window before each further try must wait.
    pub free: i64,
    /// A success forgets this counter's failures (an account's), or leaves
    /// them (an address's).
    pub clear_on_success: bool,
}

/// Failures older than this are forgotten.
const WINDOW_SECS: i64 = 15 * 60;

impl Db {
    /// Seconds a try must still wait, if any of its keys is throttled now
    /// (the first one found, in the order given).
    pub async fn throttle_wait(&self, keys: &[&str]) -> sqlx::Result<Option<i64>> {
        for key in keys {
            let until: Option<i64> =
                sqlx::query_scalar("SELECT blocked_until FROM throttle WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
            let t = now();
            if let Some(wait) = until.filter(|u| *u > t).map(|u| u - t) {
                return Ok(Some(wait));
            }
        }
        Ok(None)
    }

    /// Settles a checked try on every counter at once — one transaction, a
    /// conditional statement per counter (the row lock on PostgreSQL) —
    /// unless one of them is blocked now: then nothing changes and the
    /// answer is its wait, and the try's outcome must not be told. So
    /// parallel tries cannot all pass a "not blocked" check made before
    /// they were checked: at most a counter's allowance of failures is ever
    /// told (docs/api-notes.md "Login throttling"). A failure counts on
    /// every counter — from the `free`-th failure in the window on, the key
    /// must wait `delay` seconds before its next try; a success clears the counters
    /// marked `clear_on_success` and leaves the others.
    pub async fn throttle_settle(
        &self,
        counters: &[Counter<'_>],
        failed: bool,
        delay: i64,
    ) -> sqlx::Result<Option<i64>> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        for c in counters {
            let settled = if failed {
                sqlx::query_scalar::<_, i64>(
                    "INSERT INTO throttle (key, failures, last_failure, blocked_until) \
                     VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $2 + $5 ELSE 0 END) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN throttle.last_failure < $3 THEN 1 ELSE throttle.failures + 1 END, \
                       blocked_until = CASE WHEN throttle.last_failure >= $3 AND throttle.failures + 1 >= $4 \
                                            THEN $2 + $5 ELSE 0 END, \
                       last_failure = $2 \
                     WHERE throttle.blocked_until <= $2 \
                     RETURNING failures",
                )
                .bind(c.key)
                .bind(t)
                .bind(t - WINDOW_SECS)
                .bind(c.free)
                .bind(delay)
                .fetch_optional(&mut *tx)
                .await?
                .is_some()
            } else if c.clear_on_success {
                sqlx::query("DELETE FROM throttle WHERE key = $1 AND blocked_until <= $2")
                    .bind(c.key)
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
                true
            } else {
                true
            };
            // Refused, not cleared, or a counter left as it is: blocked?
            let until: Option<i64> = if settled && failed {
                None
            } else {
                sqlx::query_scalar("SELECT blocked_until FROM throttle WHERE key = $1")
                    .bind(c.key)
                    .fetch_optional(&mut *tx)
                    .await?
            };
            if let Some(until) = until.filter(|u| *u > t) {
                tx.rollback().await?;
                return Ok(Some(until - t));
            }
        }
        tx.commit().await?;
        Ok(None)
    }

    /// Forgets counters whose last failure and block are older than `before`.
    pub async fn throttle_sweep(&self, before: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM throttle WHERE last_failure < $1 AND blocked_until < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
