//! `addressbook.*` methods.

use crate::api::envelope::Reply;
use crate::api::{not_implemented, Ctx};
use crate::error::ApiResult;

pub async fn list(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn add(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn update(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}

pub async fn delete(_c: &Ctx<'_>) -> ApiResult<Reply> {
    not_implemented()
}
