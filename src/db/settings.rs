//! The `settings` table: maintenance mode and the backup lease, rows every
//! node reads.

use super::{now, Db};

/// The setting a running backup holds; sweepers keep blobs until it passes.
const BACKUP_LEASE: &str = "backup_lease";
/// How long a backup's lease lasts unless renewed.
pub const BACKUP_LEASE_SECS: i64 = 300;

impl Db {
    pub async fn setting(&self, key: &str) -> sqlx::Result<Option<String>> {
        let row: Option<(String,)> = self
            .read_one(
                "SELECT value FROM settings WHERE key = $1",
                &[super::read::Param::Text(key)],
            )
            .await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Maintenance mode lives in the database so every node sees it.
    pub async fn maintenance(&self) -> sqlx::Result<bool> {
        Ok(self.setting("maintenance").await?.as_deref() == Some("on"))
    }

    /// Whether a running backup asks sweepers to keep deleted blobs.
    pub async fn backup_lease_held(&self) -> sqlx::Result<bool> {
        Ok(self
            .setting(BACKUP_LEASE)
            .await?
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|until| until > now()))
    }

    /// Takes (or renews) the backup lease for `BACKUP_LEASE_SECS`.
    pub async fn hold_backup_lease(&self) -> sqlx::Result<()> {
        self.set_setting(BACKUP_LEASE, &(now() + BACKUP_LEASE_SECS).to_string())
            .await
    }

    pub async fn end_backup_lease(&self) -> sqlx::Result<()> {
        self.set_setting(BACKUP_LEASE, "0").await
    }
}
