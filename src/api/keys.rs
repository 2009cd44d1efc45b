//! `keys.*`, dropspace's extension methods (docs/encryption.md, "Account
//! keys"): the age public keys an account publishes, and those of the
//! accounts a sender encrypts to.

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::Ctx;
use crate::db::age_keys::AgeKey;
use crate::http::params::bad_value;
use crate::library::age_keys;
use crate::library::audit::Origin;
use crate::library::webhooks::rfc3339;

/// `<key id public_key label created/>`.
fn key(k: &AgeKey) -> Node {
    Node::new("key")
        .attr("id", k.id)
        .attr("public_key", &k.public_key)
        .attr("label", &k.label)
        .attr("created", rfc3339(k.created))
}

/// `keys.add` (`public_key`: `age1…`, optional `label`): the key as kept.
pub async fn add(c: &Ctx<'_>) -> ApiResult<Reply> {
    let label = c.params.get("label").unwrap_or("");
    let public_key = c.params.required("public_key")?;
    let by = Origin::user(c.client_ip);
    let k = age_keys::add(c.app, c.user()?, label, public_key, by).await?;
    Ok(Reply::one(key(&k)))
}

/// `keys.list`: the account's own keys.
pub async fn list(c: &Ctx<'_>) -> ApiResult<Reply> {
    let all = age_keys::list(&c.app.db, c.user()?.id).await?;
    Ok(Reply::ok(all.iter().map(key).collect()))
}

/// `keys.delete` (`key_id`).
pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id: i64 = c
        .params
        .required("key_id")?
        .trim()
        .parse()
        .map_err(|_| bad_value("key_id"))?;
    let by = Origin::user(c.client_ip);
    if !age_keys::remove(c.app, c.user()?, id, by).await? {
        return Err(bad_value("key_id").into());
    }
    Ok(Reply::ok(Vec::new()))
}

/// `keys.lookup` (`users`: user names or e-mail addresses, comma-separated):
/// `<key user="…" …/>` for every key of each; none for an account without
/// keys, or with no account.
pub async fn lookup(c: &Ctx<'_>) -> ApiResult<Reply> {
    let users: Vec<&str> = c
        .params
        .required("users")?
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    let found = age_keys::lookup(&c.app.db, &users).await?;
    let nodes = found
        .iter()
        .flat_map(|(user, keys)| keys.iter().map(move |k| key(k).attr("user", user)))
        .collect();
    Ok(Reply::ok(nodes))
}
