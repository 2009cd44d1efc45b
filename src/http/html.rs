//! The frame of every HTML page: escaping, the strict Content-Security-Policy,
//! and the plain error pages. A page is a `Frame` (status, title, body,
//! scripts, what it knows of the login); the shell around it — header,
//! navigation, theme — is drawn by `pages::shell`'s middleware, which reads
//! the request's cookies (docs/web.md, "Design").

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use dropspace_proto::html::esc;

use super::i18n::{self, t, t_args};

/// Styles come from `/static/app.css` only: no inline `<style>` or `style=`.
/// (Answers outside the shell; every page has a script now.)
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The CSP of every page (each has the shell's `local-time.js`; docs/languages.md):
/// scripts and requests to this origin only.
pub const CSP_SCRIPT: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// `resp` with its Content-Security-Policy rewritten by `widen` (a page
/// that needs more than the strict default: previews, decrypted pictures).
pub fn widen_csp(mut resp: Response, widen: impl FnOnce(&str) -> String) -> Response {
    let h = resp.headers_mut();
    if let Some(csp) = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(v) = HeaderValue::from_str(&widen(csp)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp
}

/// The colour theme of the `ds_theme` cookie; `Auto` follows the system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn parse(s: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The header's account part, as far as the page knows it.
#[derive(Clone, Debug, Default)]
pub enum Account {
    /// The page did not look: the shell decides from the cookies alone.
    #[default]
    Unknown,
    LoggedOut,
    /// `name` when the login was checked; `csrf` for the logout form.
    LoggedIn {
        name: Option<String>,
        csrf: String,
    },
}

/// A page before its shell: handlers return it as a response, and the
/// shell middleware renders it (the frame travels as an extension).
#[derive(Clone, Debug)]
pub struct Frame {
    pub status: StatusCode,
    pub title: String,
    /// Already escaped HTML.
    pub body: String,
    /// Same-origin scripts (`/static/…`), run in order.
    pub scripts: &'static [&'static str],
    pub account: Account,
    /// Link-preview tags (`og:…`, `twitter:…`) and their plain-text values.
    pub meta: Vec<(&'static str, String)>,
}

impl IntoResponse for Frame {
    fn into_response(self) -> Response {
        let csp = CSP_SCRIPT;
        let mut resp = (
            self.status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(csp),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
            ],
        )
            .into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// A complete HTML page around `body` (already escaped HTML); the shell
/// decides about the login from the cookies.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_as(status, title, body, &[], Account::Unknown)
}

/// `page` for a page that knows who is asking, with same-origin scripts
/// (`/static/…`, run in order) under `CSP_SCRIPT` when there are any.
pub fn page_as(
    status: StatusCode,
    title: &str,
    body: &str,
    scripts: &'static [&'static str],
    account: Account,
) -> Response {
    Frame {
        status,
        title: title.to_string(),
        body: body.to_string(),
        scripts,
        account,
        meta: Vec::new(),
    }
    .into_response()
}

/// Adds link-preview tags to a page (docs/web.md, "Link previews").
pub fn with_meta(mut resp: Response, meta: Vec<(&'static str, String)>) -> Response {
    if let Some(frame) = resp.extensions_mut().get_mut::<Frame>() {
        frame.meta = meta;
    }
    resp
}

pub fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        &t("errors-not-found-title"),
        &format!(
            "<div class=\"card empty\"><p class=\"empty-title\">{}</p>\
             <p>{}</p>\
             <p><a class=\"btn\" href=\"/upload\">{}</a></p></div>",
            esc(&t("errors-not-found-lead")),
            esc(&t("errors-not-found-text")),
            esc(&t("errors-upload-a-file")),
        ),
    )
}

/// A 503 page for a database or storage hiccup; the cause is logged.
pub fn try_later(text: &str) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        &t("errors-try-later-title"),
        &format!(
            "<div class=\"notice notice-warn\"><p>{}</p></div>",
            esc(text)
        ),
    )
}

/// A 429 page for a client over a rate, with `Retry-After`.
pub fn too_many_requests(wait_secs: u64) -> Response {
    let mut resp = page(
        StatusCode::TOO_MANY_REQUESTS,
        &t("errors-too-many-title"),
        &format!(
            "<div class=\"notice notice-warn\"><p>{}</p></div>",
            esc(&t_args(
                "errors-too-many-text",
                &[("seconds", wait_secs.into())]
            ))
        ),
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
    resp
}

/// Bytes as a short human figure in the request's language ("1.5 MB",
/// "1,5 Mo"; docs/languages.md).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["size-kb", "size-mb", "size-gb", "size-tb"];
    if bytes.abs() < 1024 {
        return t_args("size-bytes", &[("count", bytes.into())]);
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    t_args(UNITS[unit], &[("value", i18n::decimal(value, 1).into())])
}

/// A date for the page: `<time>` with the UTC text, which the shell's
/// `local-time.js` rewrites to the viewer's zone, keeping the UTC text in
/// the title (docs/languages.md).
pub fn time_tag(unix: i64) -> String {
    let iso = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let Some(at) = time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&iso).ok())
    else {
        return String::new();
    };
    let text = esc(&date(unix));
    format!("<time datetime=\"{at}\" title=\"{text}\">{text}</time>")
}

/// A page's notice line: done (`ok`, `#done`, a status) or refused
/// (`#error`, an alert), its text escaped.
pub fn notice(ok: bool, text: &str) -> String {
    let (class, id, role) = if ok {
        ("notice-ok", "done", "status")
    } else {
        ("notice-error", "error", "alert")
    };
    format!(
        "<p class=\"notice {class}\" id=\"{id}\" role=\"{role}\">{}</p>",
        esc(text)
    )
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::i18n::{scope, Lang};

    #[tokio::test]
    async fn sizes_speak_the_language() {
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(scope(Lang::De, async { human_size(1536) }).await, "1,5 KB");
        assert_eq!(
            scope(Lang::Fr, async { human_size(3 << 20) }).await,
            "3,0 Mo"
        );
        assert_eq!(scope(Lang::Es, async { human_size(1) }).await, "1 byte");
    }

    #[test]
    fn dates_are_time_elements_in_utc() {
        assert_eq!(
            time_tag(0),
            "<time datetime=\"1970-01-01T00:00:00Z\" title=\"1970-01-01 00:00 UTC\">1970-01-01 00:00 UTC</time>"
        );
    }
}
