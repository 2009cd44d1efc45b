//! Two-factor login's rows (docs/accounts.md): the sealed TOTP secret and
//! its state on the account's row, one-time recovery codes beside it.
//! Every check that uses something up is one conditional statement, so a
//! code works once across all nodes.

use crate::db::Db;

impl Db {
    /// The account's sealed TOTP secret ('' none) and whether it is on.
    pub async fn totp_secret(&self, user_id: i64) -> sqlx::Result<Option<(String, i64)>> {
        sqlx::query_as("SELECT totp_sealed, totp_enabled FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Stores a new secret waiting for its first code; not while two-factor
    /// is on. False when it is on (or there is no such account).
    pub async fn set_pending_totp(&self, user_id: i64, sealed: &str) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_sealed = $1, totp_last_step = 0 \
             WHERE id = $2 AND totp_enabled = 0",
        )
        .bind(sealed)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Turns two-factor on with the pending secret `sealed` (the one the
    /// code was checked against) and its first recovery codes, in one
    /// transaction. False when the secret changed meanwhile or it is on.
    pub async fn enable_totp(
        &self,
        user_id: i64,
        sealed: &str,
        at: i64,
        step: i64,
        code_hashes: &[String],
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_enabled = $1, totp_last_step = $2 \
             WHERE id = $3 AND totp_enabled = 0 AND totp_sealed = $4",
        )
        .bind(at)
        .bind(step)
        .bind(user_id)
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        replace_codes(&mut tx, user_id, code_hashes).await?;
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(true)
    }

    /// Accepts a code of time step `step` unless one of this step or a
    /// later one was accepted already (a code works once).
    pub async fn take_totp_step(&self, user_id: i64, step: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 \
             WHERE id = $2 AND totp_enabled <> 0 AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses a recovery code up; false when it is not one of the account's.
    pub async fn take_recovery_code(&self, user_id: i64, code_hash: &str) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(user_id)
            .bind(code_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: i64) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
    }

    /// A new set of recovery codes in place of the old.
    pub async fn replace_recovery_codes(
        &self,
        user_id: i64,
        code_hashes: &[String],
    ) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        replace_codes(&mut tx, user_id, code_hashes).await?;
        tx.commit().await
    }

    /// Turns two-factor off: secret and recovery codes go.
    pub async fn disable_totp(&self, user_id: i64) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET totp_sealed = '', totp_enabled = 0, totp_last_step = 0 WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        replace_codes(&mut tx, user_id, &[]).await?;
        tx.commit().await?;
        self.cache.changed(user_id);
        Ok(())
    }

    /// Gives or takes the admin role; false when there is no such account.
    pub async fn set_admin(&self, user_id: i64, admin: bool) -> sqlx::Result<bool> {
        let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() == 1)
    }
}

async fn replace_codes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    code_hashes: &[String],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in code_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
