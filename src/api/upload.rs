//! `upload.getInfo` and `anonymous.uploadGetInfo`: hand out an upload
//! identifier and the form's target (`library::uploads`). The upload
//! itself is the transfer path's (`transfer::ingest`).

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::Ctx;
use crate::library::uploads::{self, Offer};

pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let speed_limit = c.params.opt_u64("speed_limit")?.unwrap_or(0);
    let session = c.session()?;
    let offer = uploads::offer_for(c.app, &session.user, &session.api_version, speed_limit).await?;
    Ok(Reply::one(upload_node(&offer)))
}

pub async fn anonymous_get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    crate::api::auth::check_api_key(c.app, c.params).await?;
    let speed_limit = c.params.opt_u64("speed_limit")?.unwrap_or(0);
    let version = c.params.get("api_version").unwrap_or("1.0").trim();
    let offer = uploads::offer_anonymous(c.app, version, speed_limit).await?;
    Ok(Reply::one(upload_node(&offer)))
}

/// `<upload progress_url url max_file_size upload_identifier extra_info/>`
/// in that order (shell clients cut `url="` greedily: it must come after
/// `progress_url`).
fn upload_node(offer: &Offer) -> Node {
    Node::new("upload")
        .attr("progress_url", &offer.progress_url)
        .attr("url", &offer.url)
        .attr("max_file_size", offer.max_file_size)
        .attr("upload_identifier", &offer.id)
        .attr("extra_info", &offer.extra_info)
}
