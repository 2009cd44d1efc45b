//! The outgoing mail queue (`mail_queue`): composed messages waiting for a
//! worker on any node to claim and deliver them.

use crate::db::Db;

/// A message claimed for delivery.
#[derive(Debug, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub recipient: String,
    pub message: String,
    /// Delivery attempts so far, this one included.
    pub attempts: i64,
}

impl Db {
    /// Queues a message, due at once.
    pub async fn queue_mail(&self, recipient: &str, message: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("INSERT INTO mail_queue (recipient, message, next_attempt, created) VALUES ($1, $2, $3, $4)")
            .bind(recipient)
            .bind(message)
            .bind(now)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Claims the oldest due message until `claimed_until` by one
    /// conditional UPDATE, so one node delivers it; None when none is due.
    pub async fn claim_mail(
        &self,
        now: i64,
        claimed_until: i64,
    ) -> sqlx::Result<Option<QueuedMail>> {
        sqlx::query_as(
            "UPDATE mail_queue SET claimed_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM mail_queue WHERE next_attempt <= $2 AND claimed_until < $2 ORDER BY id LIMIT 1) \
             AND claimed_until < $2 \
             RETURNING id, recipient, message, attempts",
        )
        .bind(claimed_until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Removes a delivered (or given up) message.
    pub async fn delete_mail(&self, id: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM mail_queue WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Releases a claimed message for another try at `next_attempt`.
    pub async fn retry_mail(&self, id: i64, next_attempt: i64, error: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE mail_queue SET next_attempt = $1, claimed_until = 0, last_error = $2 WHERE id = $3")
            .bind(next_attempt)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
