//! Keys of the sendspace API's client applications (`api_keys`); only
//! their hashes are stored.

use crate::db::Db;

/// An API key as `admin api-key list` shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The key's first characters ("" for keys made before they were kept).
    pub prefix: String,
    pub min_app_version: String,
    pub created: i64,
}

impl Db {
    /// Every key, oldest first.
    pub async fn list_api_keys(&self) -> sqlx::Result<Vec<ApiKey>> {
        sqlx::query_as(
            "SELECT id, name, prefix, min_app_version, created FROM api_keys ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The lowest `app_version` a key demands ("" for none); None for an
    /// unknown key.
    pub async fn api_key_min_version(&self, key_hash: &str) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT min_app_version FROM api_keys WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn insert_api_key(
        &self,
        key_hash: &str,
        prefix: &str,
        name: &str,
        min_app_version: &str,
        created: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO api_keys (key_hash, prefix, name, min_app_version, created) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key_hash)
        .bind(prefix)
        .bind(name)
        .bind(min_app_version)
        .bind(created)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a key: `auth.createToken` refuses it from then on, on every
    /// node (keys are not cached).
    pub async fn delete_api_key(&self, id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM api_keys WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether any key exists (the first start creates one).
    pub async fn has_api_key(&self) -> sqlx::Result<bool> {
        let any: Option<i64> = sqlx::query_scalar("SELECT id FROM api_keys LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(any.is_some())
    }
}
