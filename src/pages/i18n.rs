//! The pages' languages (docs/languages.md): `t`, `t_args`, `lang` and
//! `Lang` live in `http::i18n` (the error pages there speak them too);
//! here the request's language is chosen: the `ds_lang` cookie (set by
//! `POST /lang`, `pages::shell`), else `Accept-Language`, else English.

use axum::http::{header, HeaderMap};

pub use crate::http::i18n::*;

use super::web;

/// The chosen language: `en`, `de`, `fr` or `es`; kept a year.
pub const LANG_COOKIE: &str = "ds_lang";

/// The language a request asks for.
pub fn negotiate(headers: &HeaderMap) -> Lang {
    if let Some(lang) = web::cookies(headers, LANG_COOKIE)
        .find_map(|c| Lang::ALL.into_iter().find(|l| l.code() == c))
    {
        return lang;
    }
    headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(from_accept_language)
        .find(|l| *l != Lang::En)
        .unwrap_or_default()
}
