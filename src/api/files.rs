//! `files.*` methods.

use crate::api::envelope::Reply;
use crate::api::{not_implemented, Ctx};
use crate::error::ApiResult;

pub async fn get_info(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn set_info(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn move_to_folder(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn delete(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn send_mail(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}
