//! The tables of the file_send API: API credentials, seen signatures, file
//! preparations, sends with their items and per-recipient links, and user
//! groups.

use crate::db::files::{File, FILE_COLUMNS};
use crate::db::folders::{Folder, FOLDER_COLUMNS};
use crate::db::Db;

/// A live credential: whose it is, its signing key (sealed) and options.
#[derive(sqlx::FromRow)]
pub struct Credential {
    pub user_id: i64,
    pub key_sealed: String,
    /// Comma list of addresses and CIDR blocks; empty = any address.
    pub allowed_ips: String,
    signed_body: i64,
}

impl Credential {
    /// POST signatures cover the parameters too.
    pub fn signed_body(&self) -> bool {
        self.signed_body != 0
    }
}

/// A credential as `admin user api-credentials list` shows it.
#[derive(sqlx::FromRow)]
pub struct CredentialInfo {
    pub api_key: String,
    pub created: i64,
    /// When it was revoked; 0 while it is live.
    pub revoked: i64,
    pub allowed_ips: String,
    signed_body: i64,
}

impl CredentialInfo {
    pub fn is_revoked(&self) -> bool {
        self.revoked > 0
    }

    pub fn signed_body(&self) -> bool {
        self.signed_body != 0
    }
}

/// A file preparation (`send_files_prep`).
#[derive(sqlx::FromRow)]
pub struct Prep {
    pub user_id: i64,
    /// The sorted ids it was made for, comma separated.
    pub file_ids: String,
    used: i64,
    pub expires: i64,
}

impl Prep {
    pub fn is_used(&self) -> bool {
        self.used != 0
    }
}

/// What a sent item is (`send_items.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    File,
    Folder,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::File => "file",
            ItemKind::Folder => "folder",
        }
    }

    fn from_str(kind: &str) -> ItemKind {
        if kind == "file" {
            ItemKind::File
        } else {
            ItemKind::Folder
        }
    }
}

/// A send as stored.
#[derive(sqlx::FromRow)]
pub struct Send {
    pub id: i64,
    pub user_id: i64,
    pub subject: String,
    pub message: String,
    require_login: i64,
    download_receipt: i64,
}

impl Send {
    /// Only the recipient's own account may open its link.
    pub fn require_login(&self) -> bool {
        self.require_login != 0
    }

    /// The sender is mailed at each recipient's first download.
    pub fn download_receipt(&self) -> bool {
        self.download_receipt != 0
    }
}

/// One recipient's link.
#[derive(sqlx::FromRow)]
pub struct SendLink {
    pub token_hash: String,
    pub send_id: i64,
    pub email: String,
    pub user_id: Option<i64>,
    /// Unix seconds; 0 for never.
    pub expires: i64,
}

/// What `insert_send` stores.
pub struct NewSend<'a> {
    pub user_id: i64,
    pub subject: &'a str,
    pub message: &'a str,
    pub require_login: bool,
    pub download_receipt: bool,
    pub created: i64,
    pub items: &'a [(ItemKind, &'a str)],
    /// (token hash, email, account) per recipient.
    pub links: &'a [(String, &'a str, Option<i64>)],
    /// The links' expiry; 0 for never.
    pub expires: i64,
}

impl Db {
    pub async fn credential(&self, api_key: &str) -> sqlx::Result<Option<Credential>> {
        sqlx::query_as(
            "SELECT user_id, key_sealed, allowed_ips, signed_body FROM api_credentials \
             WHERE api_key = $1 AND revoked = 0",
        )
        .bind(api_key)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn insert_credential(
        &self,
        user_id: i64,
        api_key: &str,
        key_sealed: &str,
        created: i64,
        allowed_ips: &str,
        signed_body: bool,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO api_credentials (user_id, api_key, key_sealed, created, allowed_ips, signed_body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(api_key)
        .bind(key_sealed)
        .bind(created)
        .bind(allowed_ips)
        .bind(signed_body as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn credentials_of(&self, user_id: i64) -> sqlx::Result<Vec<CredentialInfo>> {
        sqlx::query_as(
            "SELECT api_key, created, revoked, allowed_ips, signed_body FROM api_credentials \
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Changes a live credential's options (None leaves one alone); false
    /// when there is no such live key.
    pub async fn set_credential_options(
        &self,
        api_key: &str,
        allowed_ips: Option<&str>,
        signed_body: Option<bool>,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE api_credentials SET allowed_ips = COALESCE($1, allowed_ips), \
             signed_body = COALESCE($2, signed_body) WHERE api_key = $3 AND revoked = 0",
        )
        .bind(allowed_ips)
        .bind(signed_body.map(i64::from))
        .bind(api_key)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes a live credential; false when there is none.
    pub async fn revoke_credential(&self, api_key: &str, now: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE api_credentials SET revoked = $1 WHERE api_key = $2 AND revoked = 0",
        )
        .bind(now)
        .bind(api_key)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a signed request; false when it was seen before (the first
    /// node to record it wins).
    pub async fn record_signature(&self, request: &str, expires: i64) -> sqlx::Result<bool> {
        let fresh = sqlx::query(
            "INSERT INTO seen_signatures (signature, expires) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING",
        )
        .bind(request)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(fresh.rows_affected() == 1)
    }

    pub async fn insert_prep(
        &self,
        id: &str,
        user_id: i64,
        file_ids: &str,
        expires: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO file_preps (id, user_id, file_ids, expires) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(file_ids)
        .bind(expires)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Spends a preparation if it is the user's, for these ids, unused and
    /// unexpired (one statement); false otherwise.
    pub async fn spend_prep(
        &self,
        id: &str,
        user_id: i64,
        file_ids: &str,
        now: i64,
    ) -> sqlx::Result<bool> {
        let spent = sqlx::query(
            "UPDATE file_preps SET used = 1 WHERE id = $1 AND user_id = $2 AND file_ids = $3 AND used = 0 AND expires > $4",
        )
        .bind(id)
        .bind(user_id)
        .bind(file_ids)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(spent.rows_affected() == 1)
    }

    pub async fn prep(&self, id: &str) -> sqlx::Result<Option<Prep>> {
        sqlx::query_as("SELECT user_id, file_ids, used, expires FROM file_preps WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Stores a send, its items and its links in one transaction.
    pub async fn insert_send(&self, s: &NewSend<'_>) -> sqlx::Result<i64> {
        let mut tx = self.pool.begin().await?;
        let send_id: i64 = sqlx::query_scalar(
            "INSERT INTO sends (user_id, subject, message, require_login, download_receipt, created) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(s.user_id)
        .bind(s.subject)
        .bind(s.message)
        .bind(s.require_login as i64)
        .bind(s.download_receipt as i64)
        .bind(s.created)
        .fetch_one(&mut *tx)
        .await?;
        for (kind, id) in s.items {
            sqlx::query("INSERT INTO send_items (send_id, kind, item_id) VALUES ($1, $2, $3)")
                .bind(send_id)
                .bind(kind.as_str())
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        for (token_hash, email, user_id) in s.links {
            sqlx::query(
                "INSERT INTO send_links (token_hash, send_id, email, user_id, expires) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(send_id)
            .bind(*email)
            .bind(*user_id)
            .bind(s.expires)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(send_id)
    }

    pub async fn send_link(&self, token_hash: &str) -> sqlx::Result<Option<SendLink>> {
        sqlx::query_as(
            "SELECT token_hash, send_id, email, user_id, expires FROM send_links WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn send(&self, id: i64) -> sqlx::Result<Option<Send>> {
        sqlx::query_as(
            "SELECT id, user_id, subject, message, require_login, download_receipt FROM sends WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// A send's items, files first, each kind by id.
    pub async fn send_items(&self, send_id: i64) -> sqlx::Result<Vec<(ItemKind, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, item_id FROM send_items WHERE send_id = $1 ORDER BY kind, item_id",
        )
        .bind(send_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, id)| (ItemKind::from_str(&kind), id))
            .collect())
    }

    /// Claims a link's first download (one statement); false when an
    /// earlier download already did.
    pub async fn claim_first_download(&self, token_hash: &str, now: i64) -> sqlx::Result<bool> {
        let claimed = sqlx::query(
            "UPDATE send_links SET first_download = $1 WHERE token_hash = $2 AND first_download = 0",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// A sent folder's files, by name (the recipients' listing).
    pub async fn sent_folder_files(
        &self,
        user_id: i64,
        folder_id: &str,
    ) -> sqlx::Result<Vec<File>> {
        sqlx::query_as(&format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 AND quarantined = 0 \
             ORDER BY name, id"
        ))
        .bind(user_id)
        .bind(folder_id)
        .fetch_all(&self.pool)
        .await
    }

    /// A sent folder's sub-folders, by name descending (the listing pops
    /// them from a stack, so they come out by name).
    pub async fn sent_subfolders(
        &self,
        user_id: i64,
        folder_id: &str,
    ) -> sqlx::Result<Vec<Folder>> {
        sqlx::query_as(&format!(
            "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 ORDER BY name DESC, id"
        ))
        .bind(user_id)
        .bind(folder_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Forgets signatures past their window and spent preparations.
    pub async fn sweep_file_send(&self, now: i64) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM seen_signatures WHERE expires < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM file_preps WHERE expires < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_group(&self, name: &str, created: i64) -> sqlx::Result<i64> {
        sqlx::query_scalar("INSERT INTO user_groups (name, created) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(created)
            .fetch_one(&self.pool)
            .await
    }

    pub async fn group_by_id(&self, id: i64) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM user_groups WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn group_by_name(&self, name: &str) -> sqlx::Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM user_groups WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    /// Adds a member; false when already one.
    pub async fn add_group_member(&self, group_id: i64, user_id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member; false when not one.
    pub async fn remove_group_member(&self, group_id: i64, user_id: i64) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every group: (id, name), by id.
    pub async fn groups(&self) -> sqlx::Result<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, name FROM user_groups ORDER BY id")
            .fetch_all(&self.pool)
            .await
    }

    /// A group's members' user names, by name.
    pub async fn group_member_names(&self, group_id: i64) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT u.user_name FROM group_members m JOIN users u ON u.id = m.user_id \
             WHERE m.group_id = $1 ORDER BY u.user_name_lower",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn group_member_ids(&self, group_id: i64) -> sqlx::Result<Vec<i64>> {
        sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1")
            .bind(group_id)
            .fetch_all(&self.pool)
            .await
    }
}
