//! The `settings` table: maintenance mode, the anonymous-upload policy set
//! in the console and the backup lease, rows every node reads.

use super::{now, Db};

/// The console's anonymous-upload policy: `on|off MAX_FILE_SIZE MAX_SECS`.
const ANONYMOUS_UPLOADS: &str = "anonymous_uploads";

/// The anonymous-upload policy an admin set, over the configuration's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnonymousRow {
    pub enabled: bool,
    /// Bytes, -1 for no limit.
    pub max_file_size: i64,
    /// Seconds, -1 for no maximum.
    pub max_time_limit_secs: i64,
}

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

    /// The anonymous-upload policy set in the console, if any.
    pub async fn anonymous_uploads(&self) -> sqlx::Result<Option<AnonymousRow>> {
        let value = self.setting(ANONYMOUS_UPLOADS).await?.unwrap_or_default();
        let mut parts = value.split(' ');
        let enabled = match parts.next() {
            Some("on") => true,
            Some("off") => false,
            _ => return Ok(None),
        };
        let mut number = || parts.next().and_then(|n| n.parse::<i64>().ok());
        Ok(match (number(), number()) {
            (Some(max_file_size), Some(max_time_limit_secs)) => Some(AnonymousRow {
                enabled,
                max_file_size,
                max_time_limit_secs,
            }),
            _ => None,
        })
    }

    /// Sets the policy (None: back to the configuration's).
    pub async fn set_anonymous_uploads(&self, row: Option<AnonymousRow>) -> sqlx::Result<()> {
        let value = match row {
            Some(r) => format!(
                "{} {} {}",
                if r.enabled { "on" } else { "off" },
                r.max_file_size,
                r.max_time_limit_secs
            ),
            None => String::new(),
        };
        self.set_setting(ANONYMOUS_UPLOADS, &value).await
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
