//! `upload.getInfo` and `anonymous.uploadGetInfo`: hand out an upload
//! identifier and the form's target. The upload itself is the transfer
//! path's (`transfer::ingest`).

use crate::api::envelope::{Node, Reply};
use crate::api::Ctx;
use crate::error::{ApiError, ApiResult, Code};
use crate::state::AppState;
use crate::transfer::uploads;

pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let speed_limit = c.params.opt_u64("speed_limit")?.unwrap_or(0);
    let session = c.session()?;
    let user = &session.user;
    let tier = user.tier(&c.app.cfg);
    if !tier.capable_upload {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "Uploads are not part of this membership",
        ));
    }
    let left = user.diskspace_left(&c.app.cfg);
    if left == 0 {
        return Err(ApiError::new(Code::ProDiskspaceLimit));
    }
    // What this user can upload now: the tier's limit, and the space left.
    let offered = match (tier.max_file_size, left) {
        (max, -1) => max,
        (-1, left) => left,
        (max, left) => max.min(left),
    };
    let id = uploads::create(
        c.app,
        Some(user.id),
        &session.api_version,
        speed_limit,
        tier.max_file_size,
    )
    .await?;
    Ok(Reply::one(upload_node(c.app, &id, offered)))
}

pub async fn anonymous_get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    crate::api::auth::check_api_key(c.app, c.params).await?;
    let speed_limit = c.params.opt_u64("speed_limit")?.unwrap_or(0);
    let version = c.params.get("api_version").unwrap_or("1.0").trim();
    Ok(Reply::one(
        anonymous_offer(c.app, version, speed_limit).await?,
    ))
}

/// A new anonymous identifier and its `<upload/>`: for
/// `anonymous.uploadGetInfo` (after its API key check) and the web upload
/// page (no API key: the page is the server's own client).
pub async fn anonymous_offer(app: &AppState, version: &str, speed_limit: i64) -> ApiResult<Node> {
    let max = app.cfg.tiers.anonymous.max_file_size;
    let id = uploads::create(app, None, version, speed_limit, max).await?;
    Ok(upload_node(app, &id, max))
}

/// `<upload progress_url url max_file_size upload_identifier extra_info/>`
/// in that order (shell clients cut `url="` greedily: it must come after
/// `progress_url`).
fn upload_node(app: &AppState, id: &str, max_file_size: i64) -> Node {
    Node::new("upload")
        .attr("progress_url", app.url(&format!("/progress/{id}")))
        .attr("url", app.url(&format!("/upload/{id}")))
        .attr("max_file_size", max_file_size)
        .attr("upload_identifier", id)
        .attr("extra_info", uploads::extra_info(app, id))
}
