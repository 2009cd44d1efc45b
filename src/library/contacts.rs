//! The address book rows: one contact per (user, lowercased address), at
//! most `limits.addressbook_size` per user even under concurrent adds.

use crate::db::now;
use crate::library::Library;

/// Contact types of the guide.
pub const ADDED: i64 = 0;
pub const COLLECTED: i64 = 1;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub email: String,
    pub name: String,
    pub description: String,
    #[sqlx(rename = "type")]
    pub kind: i64,
}

pub const CONTACT_COLUMNS: &str = "email, name, description, type";

/// Why a contact was not added.
#[derive(Debug, PartialEq, Eq)]
pub enum AddError {
    Exists,
    Full,
}

/// Adds a contact. The count check and the insert run under the user's
/// lock, so concurrent adds cannot pass the limit together.
pub async fn add(
    app: &Library,
    user_id: i64,
    contact: &Contact,
) -> anyhow::Result<Result<(), AddError>> {
    let mut tx = super::lock_user(app, user_id).await?;
    let email_lower = contact.email.to_lowercase();
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT type FROM addressbook WHERE user_id = $1 AND email_lower = $2")
            .bind(user_id)
            .bind(&email_lower)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        tx.rollback().await?;
        return Ok(Err(AddError::Exists));
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM addressbook WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= app.cfg.limits.addressbook_size {
        tx.rollback().await?;
        return Ok(Err(AddError::Full));
    }
    sqlx::query(
        "INSERT INTO addressbook (user_id, email_lower, email, name, description, type, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(&email_lower)
    .bind(&contact.email)
    .bind(&contact.name)
    .bind(&contact.description)
    .bind(contact.kind)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Adds the addresses a user sent mail to as collected contacts (type 1),
/// leaving existing contacts alone and silently stopping at the size limit.
/// For `files.sendMail`, `folders.sendMail` and upload `recipient_email`.
pub async fn collect_addresses(
    app: &Library,
    user_id: i64,
    emails: &[String],
) -> anyhow::Result<()> {
    for email in emails {
        let contact = Contact {
            email: email.trim().to_string(),
            name: String::new(),
            description: String::new(),
            kind: COLLECTED,
        };
        if let Err(AddError::Full) = add(app, user_id, &contact).await? {
            break;
        }
    }
    Ok(())
}

pub async fn get(app: &Library, user_id: i64, email: &str) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as(&format!(
        "SELECT {CONTACT_COLUMNS} FROM addressbook WHERE user_id = $1 AND email_lower = $2"
    ))
    .bind(user_id)
    .bind(email.trim().to_lowercase())
    .fetch_optional(&app.db.pool)
    .await
}
