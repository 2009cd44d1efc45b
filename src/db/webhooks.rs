//! Webhook endpoints (`webhook_endpoints`) and their queued deliveries
//! (`webhook_deliveries`), claimed like mail by one conditional UPDATE
//! (docs/webhooks.md).

use crate::db::read::Param;
use crate::db::Db;

/// A registered endpoint; `user_id` None is operator-wide.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: i64,
    pub user_id: Option<i64>,
    pub url: String,
    pub secret_sealed: String,
    pub events: String,
    pub created: i64,
    pub last_at: i64,
    pub last_status: String,
    pub last_attempts: i64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    GivenUp,
}

impl DeliveryState {
    pub fn code(self) -> i64 {
        match self {
            DeliveryState::Pending => 0,
            DeliveryState::Delivered => 1,
            DeliveryState::GivenUp => 2,
        }
    }

    pub fn from_code(code: i64) -> DeliveryState {
        match code {
            1 => DeliveryState::Delivered,
            2 => DeliveryState::GivenUp,
            _ => DeliveryState::Pending,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::GivenUp => "given up",
        }
    }
}

/// A delivery claimed for an attempt, with its endpoint's address and secret.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub msg_id: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The endpoint's account; None: operator-wide.
    pub user_id: Option<i64>,
    pub url: String,
    pub secret_sealed: String,
}

/// A delivery as listed (`admin webhook deliveries`, tests).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub msg_id: String,
    pub event: String,
    pub created: i64,
    pub attempts: i64,
    pub state: i64,
    pub last_at: i64,
    pub last_status: String,
}

/// A delivery to queue.
pub struct NewDelivery<'a> {
    pub endpoint_id: i64,
    pub msg_id: &'a str,
    pub event: &'a str,
    pub payload: &'a str,
}

const ENDPOINT_COLUMNS: &str =
    "id, user_id, url, secret_sealed, events, created, last_at, last_status, last_attempts";

impl Db {
    /// Adds an endpoint; returns its id.
    pub async fn add_webhook(
        &self,
        user_id: Option<i64>,
        url: &str,
        secret_sealed: &str,
        events: &str,
        now: i64,
    ) -> sqlx::Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO webhook_endpoints (user_id, url, secret_sealed, events, created) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(url)
        .bind(secret_sealed)
        .bind(events)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// How many endpoints an account has.
    pub async fn count_webhooks(&self, user_id: i64) -> sqlx::Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhook_endpoints WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// An account's endpoints (None: the operator-wide ones), oldest first.
    pub async fn webhooks_of(&self, user_id: Option<i64>) -> sqlx::Result<Vec<Endpoint>> {
        let sql = match user_id {
            Some(_) => format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id = $1 ORDER BY id"
            ),
            None => format!(
                "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id IS NULL ORDER BY id"
            ),
        };
        let mut q = sqlx::query_as(&sql);
        if let Some(uid) = user_id {
            q = q.bind(uid);
        }
        q.fetch_all(&self.pool).await
    }

    /// Every account's endpoints (`admin webhook list --all`).
    pub async fn all_account_webhooks(&self) -> sqlx::Result<Vec<Endpoint>> {
        sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id IS NOT NULL ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
    }

    /// Whether any endpoint of `owner` or the operator subscribed to
    /// `kind`: the upload and download paths' one lookup, on the read
    /// connections (no wait behind a commit on SQLite).
    pub async fn has_webhooks_for(&self, owner: Option<i64>, kind: &str) -> sqlx::Result<bool> {
        let pattern = format!("%,{kind},%");
        let n: Option<(i64,)> = self
            .read_one(
                "SELECT COUNT(*) FROM webhook_endpoints \
                 WHERE (user_id IS NULL OR user_id = $1) AND (',' || events || ',') LIKE $2",
                &[Param::Int(owner.unwrap_or(-1)), Param::Text(&pattern)],
            )
            .await?;
        Ok(n.is_some_and(|(n,)| n > 0))
    }

    /// The endpoints an event of `owner` goes to: the owner's own and the
    /// operator-wide ones.
    pub async fn webhooks_for(&self, owner: Option<i64>) -> sqlx::Result<Vec<Endpoint>> {
        sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints \
             WHERE user_id IS NULL OR user_id = $1 ORDER BY id"
        ))
        .bind(owner.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await
    }

    /// Removes an endpoint of `user_id` (None: an operator-wide one) and
    /// its queued deliveries; false when it has no such endpoint.
    pub async fn remove_webhook(&self, user_id: Option<i64>, id: i64) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let owned: Option<(i64,)> = match user_id {
            Some(uid) => {
                sqlx::query_as("SELECT id FROM webhook_endpoints WHERE id = $1 AND user_id = $2")
                    .bind(id)
                    .bind(uid)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query_as("SELECT id FROM webhook_endpoints WHERE id = $1 AND user_id IS NULL")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        if owned.is_none() {
            return Ok(false);
        }
        // Explicit: SQLite enforces the foreign key only with the pragma on.
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Queues deliveries, due at once.
    pub async fn queue_webhooks(&self, list: &[NewDelivery<'_>], now: i64) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        for d in list {
            sqlx::query(
                "INSERT INTO webhook_deliveries (endpoint_id, msg_id, event, payload, created, next_attempt) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(d.endpoint_id)
            .bind(d.msg_id)
            .bind(d.event)
            .bind(d.payload)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Claims the oldest due delivery until `claimed_until` by one
    /// conditional UPDATE, so one node attempts it at a time.
    pub async fn claim_webhook(
        &self,
        now: i64,
        claimed_until: i64,
    ) -> sqlx::Result<Option<ClaimedDelivery>> {
        let claimed: Option<(i64,)> = sqlx::query_as(
            "UPDATE webhook_deliveries SET claimed_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM webhook_deliveries \
                         WHERE state = 0 AND next_attempt <= $2 AND claimed_until < $2 \
                         ORDER BY next_attempt, id LIMIT 1) \
             AND state = 0 AND claimed_until < $2 \
             RETURNING id",
        )
        .bind(claimed_until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id,)) = claimed else {
            return Ok(None);
        };
        sqlx::query_as(
            "SELECT d.id, d.endpoint_id, d.msg_id, d.payload, d.attempts, e.user_id, e.url, e.secret_sealed \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Records an attempt's outcome on the delivery and its endpoint:
    /// `next_attempt` Some releases it for another try, None ends it in
    /// `state`.
    pub async fn finish_webhook_attempt(
        &self,
        d: &ClaimedDelivery,
        state: DeliveryState,
        next_attempt: i64,
        status: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, next_attempt = $2, claimed_until = 0, \
             last_at = $3, last_status = $4 WHERE id = $5",
        )
        .bind(state.code())
        .bind(next_attempt)
        .bind(now)
        .bind(status)
        .bind(d.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE webhook_endpoints SET last_at = $1, last_status = $2, last_attempts = $3 \
             WHERE id = $4",
        )
        .bind(now)
        .bind(status)
        .bind(d.attempts)
        .bind(d.endpoint_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// An endpoint's latest deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        endpoint_id: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<Delivery>> {
        sqlx::query_as(
            "SELECT id, endpoint_id, msg_id, event, created, attempts, state, last_at, last_status \
             FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(endpoint_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Forgets finished deliveries older than `before`.
    pub async fn sweep_webhook_deliveries(&self, before: i64) -> sqlx::Result<u64> {
        Ok(
            sqlx::query("DELETE FROM webhook_deliveries WHERE state <> 0 AND created < $1")
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
