//! App passwords (docs/accounts.md): an account's per-client passwords for
//! `auth.login`.

use crate::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppPassword {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub md5_sealed: String,
    pub created: i64,
    pub last_used: i64,
}

const COLUMNS: &str = "id, user_id, name, prefix, md5_sealed, created, last_used";

impl Db {
    /// Adds one; its id.
    pub async fn insert_app_password(
        &self,
        user_id: i64,
        name: &str,
        prefix: &str,
        md5_sealed: &str,
        created: i64,
    ) -> sqlx::Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO app_passwords (user_id, name, prefix, md5_sealed, created) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(prefix)
        .bind(md5_sealed)
        .bind(created)
        .fetch_one(&self.pool)
        .await
    }

    /// An account's app passwords, oldest first.
    pub async fn app_passwords(&self, user_id: i64) -> sqlx::Result<Vec<AppPassword>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM app_passwords WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Revokes one of the account's; false when it has no such one.
    pub async fn delete_app_password(&self, user_id: i64, id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn touch_app_password(&self, id: i64, at: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE app_passwords SET last_used = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
