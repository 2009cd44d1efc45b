//! The expiry lifecycle's statements (docs/expiry.md): which files and
//! sends are due a warning, the claim that sends it once across nodes,
//! and the extension of a send's links.

use crate::db::Db;

/// Most items one sweep looks at.
const BATCH: i64 = 500;

impl Db {
    /// Owned files expiring in `(now, now + lead]` not yet warned for
    /// this expiry, whose whole life is longer than the lead (a file
    /// uploaded for an hour is not warned at once).
    pub async fn files_due_warning(&self, now: i64, lead: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT id FROM files WHERE user_id IS NOT NULL AND time_limit_at > $1 \
             AND time_limit_at <= $1 + $2 AND expiry_warned <> time_limit_at \
             AND time_limit_at - $2 > uploaded AND limit_reached = 0 AND quarantined = 0 \
             ORDER BY time_limit_at LIMIT $3",
        )
        .bind(now)
        .bind(lead)
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await
    }

    /// Claims the warning of a file for the expiry it has now: one node,
    /// once per expiry. The claimed expiry; None when another node (or an
    /// earlier sweep) did, or it no longer expires after `now`.
    pub async fn claim_file_warning(&self, file_id: &str, now: i64) -> sqlx::Result<Option<i64>> {
        let at: Option<i64> = sqlx::query_scalar(
            "UPDATE files SET expiry_warned = time_limit_at WHERE id = $1 \
             AND expiry_warned <> time_limit_at AND time_limit_at > $2 RETURNING time_limit_at",
        )
        .bind(file_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if at.is_some() {
            self.cache.file_changed(file_id);
        }
        Ok(at)
    }

    /// Sends whose links expire in `(now, now + lead]` (a send's expiry:
    /// its links' latest), not yet warned for it, with that expiry.
    pub async fn sends_due_warning(&self, now: i64, lead: i64) -> sqlx::Result<Vec<(i64, i64)>> {
        sqlx::query_as(
            "SELECT s.id, MAX(l.expires) FROM sends s JOIN send_links l ON l.send_id = s.id \
             WHERE l.expires > $1 GROUP BY s.id, s.expiry_warned, s.created \
             HAVING MAX(l.expires) > $1 AND MAX(l.expires) <= $1 + $2 \
             AND MAX(l.expires) <> s.expiry_warned AND MAX(l.expires) - $2 > s.created \
             ORDER BY s.id LIMIT $3",
        )
        .bind(now)
        .bind(lead)
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await
    }

    /// Claims the warning of a send for `expires`; false when another
    /// node did.
    pub async fn claim_send_warning(&self, send_id: i64, expires: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE sends SET expiry_warned = $2 WHERE id = $1 AND expiry_warned <> $2",
        )
        .bind(send_id)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A send's expiry: its links' latest (0: none expires).
    pub async fn send_expiry(&self, send_id: i64) -> sqlx::Result<i64> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(expires) FROM send_links WHERE send_id = $1 AND expires > 0",
        )
        .bind(send_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(at.unwrap_or(0))
    }

    /// The addresses of a send's links not downloaded from yet.
    pub async fn send_recipients_waiting(&self, send_id: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT email FROM send_links WHERE send_id = $1 AND first_download = 0 ORDER BY email",
        )
        .bind(send_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Moves the expiry of every link of `send_id` expiring at `from`
    /// or before (still open: `after`) to `to`, in one conditional
    /// statement; false when none was (extended meanwhile).
    pub async fn extend_send(
        &self,
        send_id: i64,
        from: i64,
        after: i64,
        to: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE send_links SET expires = $2 WHERE send_id = $1 AND expires > $4 AND expires <= $3",
        )
        .bind(send_id)
        .bind(to)
        .bind(from)
        .bind(after)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
