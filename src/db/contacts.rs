//! The address book rows: one contact per (user, lowercased address).
//! Adds run under the per-user lock (`db::lock`), so the size limit holds
//! under concurrent adds.

use crate::db::lock::UserLock;
use crate::db::Db;

/// The guide's contact `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactType {
    /// Added by the user (0).
    Added = 0,
    /// Collected from an address the user sent mail to (1).
    Collected = 1,
}

impl ContactType {
    /// The stored (and wire) number.
    pub fn code(self) -> i64 {
        self as i64
    }
}

/// A stored `type` that is neither 0 nor 1.
#[derive(Debug, thiserror::Error)]
#[error("unknown contact type {0}")]
pub struct UnknownContactType(i64);

impl TryFrom<i64> for ContactType {
    type Error = UnknownContactType;

    fn try_from(code: i64) -> Result<Self, Self::Error> {
        match code {
            0 => Ok(ContactType::Added),
            1 => Ok(ContactType::Collected),
            other => Err(UnknownContactType(other)),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub email: String,
    pub name: String,
    pub description: String,
    #[sqlx(rename = "type", try_from = "i64")]
    pub kind: ContactType,
}

pub const CONTACT_COLUMNS: &str = "email, name, description, type";

/// The changes of an update; `None` leaves a value alone.
#[derive(Debug, Default, Clone)]
pub struct ContactUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub kind: Option<ContactType>,
}

impl Db {
    /// A user's contacts by address.
    pub async fn contacts(&self, user_id: i64) -> sqlx::Result<Vec<Contact>> {
        sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM addressbook WHERE user_id = $1 ORDER BY email_lower"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// One contact by its lowercased address.
    pub async fn contact(&self, user_id: i64, email_lower: &str) -> sqlx::Result<Option<Contact>> {
        sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM addressbook WHERE user_id = $1 AND email_lower = $2"
        ))
        .bind(user_id)
        .bind(email_lower)
        .fetch_optional(&self.pool)
        .await
    }

    /// False when there is no such contact.
    pub async fn update_contact(
        &self,
        user_id: i64,
        email_lower: &str,
        update: &ContactUpdate,
    ) -> sqlx::Result<bool> {
        let updated = sqlx::query(
            "UPDATE addressbook SET name = COALESCE($1, name), description = COALESCE($2, description), \
             type = COALESCE($3, type) WHERE user_id = $4 AND email_lower = $5",
        )
        .bind(update.name.clone())
        .bind(update.description.clone())
        .bind(update.kind.map(ContactType::code))
        .bind(user_id)
        .bind(email_lower)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    /// False when there was no such contact.
    pub async fn delete_contact(&self, user_id: i64, email_lower: &str) -> sqlx::Result<bool> {
        let gone = sqlx::query("DELETE FROM addressbook WHERE user_id = $1 AND email_lower = $2")
            .bind(user_id)
            .bind(email_lower)
            .execute(&self.pool)
            .await?;
        Ok(gone.rows_affected() == 1)
    }
}

/// Whether the user has a contact with this lowercased address.
pub async fn contact_exists(
    lock: &mut UserLock,
    user_id: i64,
    email_lower: &str,
) -> sqlx::Result<bool> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT type FROM addressbook WHERE user_id = $1 AND email_lower = $2")
            .bind(user_id)
            .bind(email_lower)
            .fetch_optional(lock.conn())
            .await?;
    Ok(exists.is_some())
}

pub async fn count_contacts(lock: &mut UserLock, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM addressbook WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(lock.conn())
        .await
}

pub async fn insert_contact(
    lock: &mut UserLock,
    user_id: i64,
    contact: &Contact,
    created: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO addressbook (user_id, email_lower, email, name, description, type, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(contact.email.to_lowercase())
    .bind(&contact.email)
    .bind(&contact.name)
    .bind(&contact.description)
    .bind(contact.kind.code())
    .bind(created)
    .execute(lock.conn())
    .await?;
    Ok(())
}
