//! Accounts' age public keys (docs/encryption.md, "Account keys").

use crate::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgeKey {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub public_key: String,
    pub created: i64,
}

const COLUMNS: &str = "id, user_id, label, public_key, created";

impl Db {
    /// Adds one; its id, None when the account has that key already.
    pub async fn insert_age_key(
        &self,
        user_id: i64,
        label: &str,
        public_key: &str,
        created: i64,
    ) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar(
            "INSERT INTO age_keys (user_id, label, public_key, created) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, public_key) DO NOTHING RETURNING id",
        )
        .bind(user_id)
        .bind(label)
        .bind(public_key)
        .bind(created)
        .fetch_optional(&self.pool)
        .await
    }

    /// An account's keys, oldest first.
    pub async fn age_keys(&self, user_id: i64) -> sqlx::Result<Vec<AgeKey>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM age_keys WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Removes one of the account's; false when it has no such one.
    pub async fn delete_age_key(&self, user_id: i64, id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM age_keys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
