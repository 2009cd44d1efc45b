//! `addressbook.*` methods: each user's contacts, keyed by address
//! (case-insensitively), at most `limits.addressbook_size` of them.

use crate::api::envelope::{Node, Reply};
use crate::api::files::{text_param, MAX_NAME, MAX_TEXT};
use crate::api::lists::{self, Shape};
use crate::api::{nodes, Ctx};
use crate::error::{ApiError, ApiResult, Code};
use crate::http::params::bad_value;
use crate::library::contacts::{self, AddError, Contact, ADDED, CONTACT_COLUMNS};
use crate::mail::valid_email;

/// 1.0: `<email>a,b</email>`; 1.2 adds a `<contact email/>` per address.
const EMAILS: Shape = Shape {
    head: "email",
    v10_head: true,
    v10_items: false,
};

/// `type`: 0 (added by the user) or 1 (collected); 21 otherwise. Present
/// but empty clears it to 0.
fn kind(c: &Ctx<'_>) -> ApiResult<Option<i64>> {
    match c.params.get("type").map(str::trim) {
        None => Ok(None),
        Some("") | Some("0") => Ok(Some(ADDED)),
        Some("1") => Ok(Some(contacts::COLLECTED)),
        Some(_) => Err(bad_value("type").into()),
    }
}

pub async fn list(c: &Ctx<'_>) -> ApiResult<Reply> {
    let all: Vec<Contact> = sqlx::query_as(&format!(
        "SELECT {CONTACT_COLUMNS} FROM addressbook WHERE user_id = $1 ORDER BY email_lower"
    ))
    .bind(c.user()?.id)
    .fetch_all(&c.app.db.pool)
    .await?;
    Ok(Reply::ok(all.iter().map(nodes::contact).collect()))
}

pub async fn add(c: &Ctx<'_>) -> ApiResult<Reply> {
    let email = c.params.required("email")?.trim();
    if !valid_email(email) {
        return Err(ApiError::new(Code::InvalidEmail));
    }
    let contact = Contact {
        email: email.to_string(),
        name: text_param(c, "name", MAX_NAME)?.unwrap_or("").to_string(),
        description: text_param(c, "description", MAX_TEXT)?
            .unwrap_or("")
            .to_string(),
        kind: kind(c)?.unwrap_or(ADDED),
    };
    match contacts::add(c.app, c.user()?.id, &contact).await? {
        Ok(()) => Ok(Reply::one(nodes::contact(&contact))),
        Err(AddError::Exists) => Err(ApiError::new(Code::ContactExists)),
        Err(AddError::Full) => Err(ApiError::new(Code::ContactsLimit)),
    }
}

pub async fn update(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let email = c.params.required("email")?.trim();
    let name = text_param(c, "name", MAX_NAME)?;
    let description = text_param(c, "description", MAX_TEXT)?;
    let kind = kind(c)?;
    let updated = sqlx::query(
        "UPDATE addressbook SET name = COALESCE($1, name), description = COALESCE($2, description), \
         type = COALESCE($3, type) WHERE user_id = $4 AND email_lower = $5",
    )
    .bind(name.map(str::to_string))
    .bind(description.map(str::to_string))
    .bind(kind)
    .bind(uid)
    .bind(email.to_lowercase())
    .execute(&c.app.db.pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(ApiError::new(Code::ContactNotExists));
    }
    let contact = contacts::get(c.app, uid, email)
        .await?
        .ok_or_else(|| ApiError::new(Code::ContactNotExists))?;
    Ok(Reply::one(nodes::contact(&contact)))
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let v12 = c.session()?.is_v12();
    let emails = lists::param(c.params, "email")?;
    let mut checked = Vec::with_capacity(emails.len());
    for email in emails {
        let found = contacts::get(c.app, uid, &email)
            .await?
            .ok_or_else(|| ApiError::new(Code::ContactNotExists));
        checked.push((email, found));
    }
    lists::stop_on_failure(v12, &checked)?;
    let mut outcomes = Vec::with_capacity(checked.len());
    for (email, found) in checked {
        let outcome = match found {
            Ok(contact) => {
                let gone =
                    sqlx::query("DELETE FROM addressbook WHERE user_id = $1 AND email_lower = $2")
                        .bind(uid)
                        .bind(contact.email.to_lowercase())
                        .execute(&c.app.db.pool)
                        .await?;
                if gone.rows_affected() == 1 {
                    Ok(Node::new("contact").attr("email", &contact.email))
                } else {
                    Err(ApiError::new(Code::ContactNotExists))
                }
            }
            Err(e) => Err(e),
        };
        outcomes.push((email, outcome));
    }
    lists::answer(v12, EMAILS, outcomes)
}
