//! `addressbook.*` methods: read the parameters, call `library::contacts`,
//! answer. Contacts are keyed by address (case-insensitively), at most
//! `limits.addressbook_size` of them.

use crate::api::envelope::{Node, Reply};
use crate::api::error::{ApiError, ApiResult};
use crate::api::files::{text_param, MAX_NAME, MAX_TEXT};
use crate::api::lists::{self, Shape};
use crate::api::{nodes, Ctx};
use crate::http::params::bad_value;
use crate::library::contacts::{self, Contact, ContactType, ContactUpdate};
use crate::library::Error;

/// 1.0: `<email>a,b</email>`; 1.2 adds a `<contact email/>` per address.
const EMAILS: Shape = Shape {
    head: "email",
    v10_head: true,
    v10_items: false,
};

/// `type`: 0 (added by the user) or 1 (collected); 21 otherwise. Present
/// but empty clears it to 0.
fn kind(c: &Ctx<'_>) -> ApiResult<Option<ContactType>> {
    match c.params.get("type").map(str::trim) {
        None => Ok(None),
        Some("") | Some("0") => Ok(Some(ContactType::Added)),
        Some("1") => Ok(Some(ContactType::Collected)),
        Some(_) => Err(bad_value("type").into()),
    }
}

pub async fn list(c: &Ctx<'_>) -> ApiResult<Reply> {
    let all = contacts::list(&c.app.db, c.user()?.id).await?;
    Ok(Reply::ok(all.iter().map(nodes::contact).collect()))
}

pub async fn add(c: &Ctx<'_>) -> ApiResult<Reply> {
    let email = c.params.required("email")?.trim();
    contacts::check_email(email)?;
    let contact = Contact {
        email: email.to_string(),
        name: text_param(c, "name", MAX_NAME)?.unwrap_or("").to_string(),
        description: text_param(c, "description", MAX_TEXT)?
            .unwrap_or("")
            .to_string(),
        kind: kind(c)?.unwrap_or(ContactType::Added),
    };
    contacts::add(c.app, c.user()?.id, &contact).await?;
    Ok(Reply::one(nodes::contact(&contact)))
}

pub async fn update(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let email = c.params.required("email")?.trim();
    let changes = ContactUpdate {
        name: text_param(c, "name", MAX_NAME)?.map(str::to_string),
        description: text_param(c, "description", MAX_TEXT)?.map(str::to_string),
        kind: kind(c)?,
    };
    let contact = contacts::update(&c.app.db, uid, email, &changes).await?;
    Ok(Reply::one(nodes::contact(&contact)))
}

pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let uid = c.user()?.id;
    let v12 = c.session()?.is_v12();
    let emails = lists::param(c.params, "email")?;
    let mut checked = Vec::with_capacity(emails.len());
    for email in emails {
        let found = contacts::get(&c.app.db, uid, &email)
            .await?
            .ok_or_else(|| ApiError::from(Error::ContactNotExists));
        checked.push((email, found));
    }
    lists::stop_on_failure(v12, &checked)?;
    let mut outcomes = Vec::with_capacity(checked.len());
    for (email, found) in checked {
        let outcome = match found {
            Ok(contact) => match contacts::delete(&c.app.db, uid, &contact).await {
                Ok(()) => Ok(Node::new("contact").attr("email", &contact.email)),
                Err(Error::ContactNotExists) => Err(Error::ContactNotExists.into()),
                Err(e) => return Err(e.into()),
            },
            Err(e) => Err(e),
        };
        outcomes.push((email, outcome));
    }
    lists::answer(v12, EMAILS, outcomes)
}
