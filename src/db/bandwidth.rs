//! Download bandwidth charged to accounts (`users.bandwidth_used`).

use std::collections::HashMap;

use crate::db::Db;

impl Db {
    /// Adds the bytes served per account to the use of `period` (a new
    /// period starts from zero), all in one transaction.
    pub async fn charge_bandwidth(&self, period: i64, due: &HashMap<i64, i64>) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        for (account, bytes) in due {
            sqlx::query(
                "UPDATE users SET bandwidth_used = CASE WHEN bandwidth_period = $1 THEN bandwidth_used + $2 ELSE $2 END, \
                 bandwidth_period = $1 WHERE id = $3",
            )
            .bind(period)
            .bind(*bytes)
            .bind(*account)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        for account in due.keys() {
            self.cache.changed(*account);
        }
        Ok(())
    }
}
