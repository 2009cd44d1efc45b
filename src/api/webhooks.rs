//! `webhooks.*`, dropspace's extension methods (docs/webhooks.md): an
//! account's webhook endpoints. The secret is in `webhooks.add`'s answer
//! only.

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::Ctx;
use crate::db::webhooks::Endpoint;
use crate::http::params::bad_value;
use crate::library::webhooks::{self, rfc3339};

/// `<webhook id url events created last_attempt last_status attempts/>`;
/// times RFC 3339, empty before any attempt.
fn webhook(e: &Endpoint) -> Node {
    Node::new("webhook")
        .attr("id", e.id)
        .attr("url", &e.url)
        .attr("events", &e.events)
        .attr("created", rfc3339(e.created))
        .attr(
            "last_attempt",
            if e.last_at > 0 {
                rfc3339(e.last_at)
            } else {
                String::new()
            },
        )
        .attr("last_status", &e.last_status)
        .attr("attempts", e.last_attempts)
}

/// `webhooks.add` (`url`, optional `events`: a comma list, all when
/// absent): the endpoint with its `secret`, shown this once.
pub async fn add(c: &Ctx<'_>) -> ApiResult<Reply> {
    let url = c.params.required("url")?;
    let events = c.params.get("events").unwrap_or("");
    let r = webhooks::add(
        &c.app.db,
        &c.app.secrets,
        &c.app.cfg.webhooks,
        Some(c.user()?.id),
        url,
        events,
        None,
    )
    .await?;
    Ok(Reply::one(webhook(&r.endpoint).attr("secret", &r.secret)))
}

/// `webhooks.list`: the account's endpoints with their last status.
pub async fn list(c: &Ctx<'_>) -> ApiResult<Reply> {
    let all = webhooks::list(&c.app.db, Some(c.user()?.id)).await?;
    Ok(Reply::ok(all.iter().map(webhook).collect()))
}

/// `webhooks.delete` (`webhook_id`).
pub async fn delete(c: &Ctx<'_>) -> ApiResult<Reply> {
    let id: i64 = c
        .params
        .required("webhook_id")?
        .trim()
        .parse()
        .map_err(|_| bad_value("webhook_id"))?;
    webhooks::remove(&c.app.db, Some(c.user()?.id), id).await?;
    Ok(Reply::ok(Vec::new()))
}
