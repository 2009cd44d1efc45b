//! The per-user lock: a transaction whose first statement writes the
//! user's row (on PostgreSQL a row lock, on SQLite the database write
//! lock). Folder structure changes, file moves and deletes, and contact
//! adds of one user run under it, one at a time, so checks made inside
//! stay true until commit. Lock order is always the users row first, then
//! files/folders/contacts: the functions that must run under the lock take
//! a `&mut UserLock`, so they cannot run without it.

use sqlx::{Any, AnyConnection, Transaction};

use crate::db::Db;

pub struct UserLock {
    tx: Transaction<'static, Any>,
    /// The account locked, marked changed in the session cache on commit.
    user: Option<(i64, std::sync::Arc<crate::db::cache::SessionCache>)>,
}

impl Db {
    /// Takes `user_id`'s lock.
    pub async fn lock_user(&self, user_id: i64) -> sqlx::Result<UserLock> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET disk_used = disk_used WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Ok(UserLock {
            tx,
            user: Some((user_id, self.cache.clone())),
        })
    }

    /// The owner's lock; for rows no account owns (anonymous files) a plain
    /// transaction, as there is no users row to take first.
    pub async fn lock_owner(&self, owner: Option<i64>) -> sqlx::Result<UserLock> {
        match owner {
            Some(uid) => self.lock_user(uid).await,
            None => Ok(UserLock {
                tx: self.pool.begin().await?,
                user: None,
            }),
        }
    }
}

impl UserLock {
    /// The connection the statements under the lock run on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await?;
        if let Some((uid, cache)) = self.user {
            cache.changed(uid);
        }
        Ok(())
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }
}
