//! `upload.*` methods.

use crate::api::envelope::Reply;
use crate::api::{not_implemented, Ctx};
use crate::error::ApiResult;

pub async fn get_info(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn anonymous_get_info(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}
