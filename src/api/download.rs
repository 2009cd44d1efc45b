//! `download.getInfo`: checks that a file may be downloaded by this session
//! now (`library::files::for_download`) and hands out a signed, expiring
//! direct URL charged to the account.

use crate::api::envelope::{Node, Reply};
use crate::api::error::ApiResult;
use crate::api::Ctx;
use crate::library::{files, links};

pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let given = c.params.required("file_id")?;
    let user = c.user()?;
    let password = c.params.get("password").unwrap_or("");
    let file = files::for_download(c.app, user, given, password, c.client_ip).await?;
    Ok(Reply::one(
        Node::new("download")
            .attr("file_id", &file.id)
            .attr("name", &file.name)
            .attr("url", links::direct_url(c.app, &file, user.id))
            .attr("file_size", file.size),
    ))
}
