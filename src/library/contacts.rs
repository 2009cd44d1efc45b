//! The address book: each user's contacts, keyed by address
//! (case-insensitively), at most `limits.addressbook_size` per user even
//! under concurrent adds.

use crate::db::contacts::{self as rows};
use crate::db::{now, Db};
use crate::library::{Error, Library, Result};

pub use crate::db::contacts::{Contact, ContactType, ContactUpdate};

/// `InvalidEmail` unless `email` is a valid address.
pub fn check_email(email: &str) -> Result<()> {
    if crate::mail::valid_email(email) {
        Ok(())
    } else {
        Err(Error::InvalidEmail)
    }
}

/// Adds a contact (`ContactExists`, `ContactsLimit`). The count check and
/// the insert run under the user's lock, so concurrent adds cannot pass the
/// limit together.
pub async fn add(lib: &Library, user_id: i64, contact: &Contact) -> Result<()> {
    let mut lock = lib.db.lock_user(user_id).await?;
    let email_lower = contact.email.to_lowercase();
    if rows::contact_exists(&mut lock, user_id, &email_lower).await? {
        lock.rollback().await?;
        return Err(Error::ContactExists);
    }
    if rows::count_contacts(&mut lock, user_id).await? >= lib.cfg.limits.addressbook_size {
        lock.rollback().await?;
        return Err(Error::ContactsLimit);
    }
    rows::insert_contact(&mut lock, user_id, contact, now()).await?;
    lock.commit().await?;
    Ok(())
}

/// Adds the addresses a user sent mail to as collected contacts, leaving
/// existing contacts alone and silently stopping at the size limit.
/// For `files.sendMail`, `folders.sendMail` and upload `recipient_email`.
pub async fn collect_addresses(lib: &Library, user_id: i64, emails: &[String]) -> Result<()> {
    for email in emails {
        let contact = Contact {
            email: email.trim().to_string(),
            name: String::new(),
            description: String::new(),
            kind: ContactType::Collected,
        };
        match add(lib, user_id, &contact).await {
            Ok(()) | Err(Error::ContactExists) => {}
            Err(Error::ContactsLimit) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The user's contacts by address.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<Contact>> {
    Ok(db.contacts(user_id).await?)
}

/// One contact by address (any case).
pub async fn get(db: &Db, user_id: i64, email: &str) -> Result<Option<Contact>> {
    Ok(db.contact(user_id, &email.trim().to_lowercase()).await?)
}

/// Changes a contact (`ContactNotExists`); the contact as it is now.
pub async fn update(
    db: &Db,
    user_id: i64,
    email: &str,
    changes: &ContactUpdate,
) -> Result<Contact> {
    if !db
        .update_contact(user_id, &email.to_lowercase(), changes)
        .await?
    {
        return Err(Error::ContactNotExists);
    }
    get(db, user_id, email)
        .await?
        .ok_or(Error::ContactNotExists)
}

/// Deletes a contact (`ContactNotExists` when it is already gone).
pub async fn delete(db: &Db, user_id: i64, contact: &Contact) -> Result<()> {
    if db
        .delete_contact(user_id, &contact.email.to_lowercase())
        .await?
    {
        Ok(())
    } else {
        Err(Error::ContactNotExists)
    }
}
