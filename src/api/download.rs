//! `download.getInfo`: checks that a file may be downloaded by this session
//! now and hands out a signed, expiring direct URL charged to the account.

use crate::api::envelope::{Node, Reply};
use crate::api::Ctx;
use crate::error::{ApiError, ApiResult, Code};
use crate::library;
use crate::library::links;

pub async fn get_info(c: &Ctx<'_>) -> ApiResult<Reply> {
    let given = c.params.required("file_id")?;
    let id = library::id_from_url_or_id(c.app, given, "/file/")
        .ok_or_else(|| ApiError::new(Code::InvalidFileUrl))?;
    let user = c.user()?;
    if !user.tier(&c.app.cfg).capable_download {
        return Err(ApiError::with_text(
            Code::PermissionDenied,
            "Downloads are not part of this membership",
        ));
    }
    let file = c
        .app
        .db
        .file(&id)
        .await?
        .ok_or_else(|| ApiError::new(Code::FileNotFound))?;
    let password = file.password(&c.app.secrets);
    if !password.is_empty() {
        let given = c.params.get("password").unwrap_or("");
        if !crate::secrets::ct_eq(given, &password) {
            return Err(ApiError::new(Code::BadPassword));
        }
    }
    library::check_downloadable(c.app, &file).await?;
    let left = user.bandwidth_left(&c.app.cfg);
    if left >= 0 && left < file.size.max(1) {
        return Err(ApiError::new(Code::BandwidthLimit));
    }
    if c.app.blobs.size(&file.blob_key).await.is_err() {
        return Err(ApiError::new(Code::DownloadTempError));
    }
    Ok(Reply::one(
        Node::new("download")
            .attr("file_id", &file.id)
            .attr("name", &file.name)
            .attr("url", links::direct_url(c.app, &file, user.id))
            .attr("file_size", file.size),
    ))
}
