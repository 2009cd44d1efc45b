//! Logins: single-use login tokens (`tokens`), API sessions (`sessions`)
//! and browser logins (`web_sessions`). Only hashes of the secrets are
//! stored.

use crate::db::read::{read_row, Param, ReadRow};
use crate::db::users::{User, USER_COLUMNS};
use crate::db::{Backend, Db};

/// A live-or-idle API session with its account, read in one statement.
#[derive(Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub api_version: String,
    pub last_seen: i64,
    #[sqlx(flatten)]
    pub user: User,
}

impl ReadRow for SessionRow {
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SessionRow {
            api_version: row.get("api_version")?,
            last_seen: row.get("last_seen")?,
            user: User::from_sqlite(row)?,
        })
    }
}

/// What `open_session` stores.
pub struct NewSession<'a> {
    pub key_hash: &'a str,
    pub user_id: i64,
    pub api_version: &'a str,
    /// The client's address, for the owner's sessions page.
    pub address: &'a str,
    pub now: i64,
    /// Sessions last seen before this are idle: removed, and not counted.
    pub idle_cutoff: i64,
    /// Most live sessions per user.
    pub max_per_user: i64,
}

/// A browser login.
#[derive(sqlx::FromRow)]
pub struct WebSessionRow {
    pub user_id: i64,
    pub expires: i64,
    /// When the login was made (a recent one stands for re-entering the
    /// password where there is none: docs/admin.md).
    pub created: i64,
}

read_row!(WebSessionRow {
    user_id,
    expires,
    created
});

/// One of an account's sessions as its sessions page shows it. `handle`
/// names it there: the first characters of its stored hash, never the
/// key or token itself.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionInfo {
    /// "api" or "web".
    pub kind: String,
    pub handle: String,
    pub created: i64,
    /// API: its last call; web: when its expiry was last pushed back.
    pub last_used: i64,
    pub address: String,
    /// The API version it speaks ('' for web).
    pub api_version: String,
}

/// Characters of a session's stored hash that name it on the sessions page.
pub const HANDLE_LEN: usize = 16;

impl Db {
    /// Stores a login token, after removing expired ones.
    pub async fn insert_token(
        &self,
        token_hash: &str,
        api_version: &str,
        now: i64,
        expires: i64,
    ) -> sqlx::Result<()> {
        self.delete_expired_tokens(now).await?;
        sqlx::query("INSERT INTO tokens (token_hash, api_version, expires) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(api_version)
            .bind(expires)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Consumes a live token (single use, one statement); its API version.
    pub async fn take_token(&self, token_hash: &str, now: i64) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar(
            "DELETE FROM tokens WHERE token_hash = $1 AND expires >= $2 RETURNING api_version",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn delete_expired_tokens(&self, now: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM tokens WHERE expires < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new session unless the user already holds the maximum of
    /// live ones; false when the cap was reached. On PostgreSQL the user row
    /// is locked first so that concurrent logins cannot both pass the count
    /// (on SQLite the write transaction already serialises them).
    pub async fn open_session(&self, s: &NewSession<'_>) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(s.user_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND last_seen < $2")
            .bind(s.user_id)
            .bind(s.idle_cutoff)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO sessions (key_hash, user_id, api_version, created, last_seen, address) \
             SELECT $1, $2, $3, $4, $4, $7 \
             WHERE (SELECT COUNT(*) FROM sessions WHERE user_id = $2 AND last_seen >= $5) < $6",
        )
        .bind(s.key_hash)
        .bind(s.user_id)
        .bind(s.api_version)
        .bind(s.now)
        .bind(s.idle_cutoff)
        .bind(s.max_per_user)
        .bind(s.address)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// A session and its account in one lookup: the hot path of every call
    /// (measured: twice the calls per second of two lookups).
    /// Answered from the session cache when it holds a fresh copy.
    pub async fn session_with_user(&self, key_hash: &str) -> sqlx::Result<Option<SessionRow>> {
        if let Some(row) = self.cache.get(key_hash) {
            return Ok(Some(row));
        }
        self.session_with_user_stored(key_hash).await
    }

    /// The same, read from the database (and cached).
    pub async fn session_with_user_stored(
        &self,
        key_hash: &str,
    ) -> sqlx::Result<Option<SessionRow>> {
        static QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let columns: Vec<String> = USER_COLUMNS
                .split(',')
                .map(|c| format!("u.{}", c.trim()))
                .collect();
            format!(
                "SELECT s.api_version, s.last_seen, {} FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.key_hash = $1",
                columns.join(", ")
            )
        });
        let stamp = self.cache.stamp();
        let row: Option<SessionRow> = self
            .read_one(QUERY.as_str(), &[Param::Text(key_hash)])
            .await?;
        match &row {
            Some(r) => self.cache.put(key_hash, r, stamp),
            None => self.cache.absent(key_hash),
        }
        Ok(row)
    }

    /// Refreshes a session's idle timer, unless another call of this
    /// process is doing so already.
    pub async fn touch_session(&self, key_hash: &str, now: i64) -> sqlx::Result<()> {
        let Some(_touching) = self.cache.begin_touch(key_hash) else {
            return Ok(());
        };
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE key_hash = $2")
            .bind(now)
            .bind(key_hash)
            .execute(&self.pool)
            .await?;
        self.cache.touched(key_hash, now);
        Ok(())
    }

    pub async fn delete_session(&self, key_hash: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
            .bind(key_hash)
            .execute(&self.pool)
            .await?;
        self.cache.forget(key_hash);
        Ok(())
    }

    /// Removes every session last seen before `cutoff`.
    pub async fn delete_idle_sessions(&self, cutoff: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE last_seen < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a browser login, after removing expired ones.
    pub async fn insert_web_session(
        &self,
        token_hash: &str,
        user_id: i64,
        address: &str,
        now: i64,
        expires: i64,
    ) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE expires < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, user_id, created, expires, address) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires)
        .bind(address)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn web_session(&self, token_hash: &str) -> sqlx::Result<Option<WebSessionRow>> {
        self.read_one(
            "SELECT user_id, expires, created FROM web_sessions WHERE token_hash = $1",
            &[Param::Text(token_hash)],
        )
        .await
    }

    pub async fn extend_web_session(&self, token_hash: &str, expires: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE web_sessions SET expires = $1 WHERE token_hash = $2")
            .bind(expires)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_web_session(&self, token_hash: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// An account's live sessions of both kinds, most recently used first.
    /// `web_lifetime`: a browser login's idle lifetime, to tell its last
    /// use from its expiry.
    pub async fn sessions_of(
        &self,
        user_id: i64,
        web_lifetime: i64,
    ) -> sqlx::Result<Vec<SessionInfo>> {
        sqlx::query_as(&format!(
            "SELECT 'api' AS kind, SUBSTR(key_hash, 1, {HANDLE_LEN}) AS handle, created, \
             last_seen AS last_used, address, api_version FROM sessions WHERE user_id = $1 \
             UNION ALL \
             SELECT 'web', SUBSTR(token_hash, 1, {HANDLE_LEN}), created, expires - $2, address, '' \
             FROM web_sessions WHERE user_id = $1 \
             ORDER BY last_used DESC"
        ))
        .bind(user_id)
        .bind(web_lifetime)
        .fetch_all(&self.pool)
        .await
    }

    /// Ends one of an account's sessions by its handle; false when it has
    /// none by that handle.
    pub async fn end_session(&self, user_id: i64, kind: &str, handle: &str) -> sqlx::Result<bool> {
        if handle.len() != HANDLE_LEN || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let (table, column) = match kind {
            "api" => ("sessions", "key_hash"),
            "web" => ("web_sessions", "token_hash"),
            _ => return Ok(false),
        };
        let done = sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id = $1 AND SUBSTR({column}, 1, {HANDLE_LEN}) = $2"
        ))
        .bind(user_id)
        .bind(handle)
        .execute(&self.pool)
        .await?;
        self.cache.changed(user_id);
        Ok(done.rows_affected() > 0)
    }
}
