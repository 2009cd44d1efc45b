//! Single-use links mailed to an account's owner (docs/accounts.md): a
//! password reset or an e-mail address to confirm. Taking one deletes it
//! in the same statement, so two nodes never both use it.

use crate::db::Db;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Reset,
    Email,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Email => "email",
        }
    }
}

impl Db {
    pub async fn insert_account_token(
        &self,
        token_hash: &str,
        user_id: i64,
        purpose: Purpose,
        value: &str,
        now: i64,
        expires: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, value, created, expires) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(value)
        .bind(now)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A live link's account and value, without using it up.
    pub async fn account_token(
        &self,
        token_hash: &str,
        purpose: Purpose,
        now: i64,
    ) -> sqlx::Result<Option<(i64, String)>> {
        sqlx::query_as(
            "SELECT user_id, value FROM account_tokens \
             WHERE token_hash = $1 AND purpose = $2 AND expires >= $3",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Uses a live link up: its account and value, or None when it is
    /// unknown, expired or used already.
    pub async fn take_account_token(
        &self,
        token_hash: &str,
        purpose: Purpose,
        now: i64,
    ) -> sqlx::Result<Option<(i64, String)>> {
        sqlx::query_as(
            "DELETE FROM account_tokens \
             WHERE token_hash = $1 AND purpose = $2 AND expires >= $3 RETURNING user_id, value",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    /// Forgets every link of an account for one purpose (the others die
    /// when one is used).
    pub async fn delete_account_tokens(&self, user_id: i64, purpose: Purpose) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2")
            .bind(user_id)
            .bind(purpose.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn sweep_account_tokens(&self, now: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM account_tokens WHERE expires < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
