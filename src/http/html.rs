//! The frame of every HTML page: escaping, the strict Content-Security-Policy,
//! and the plain error pages. A page is a `Frame` (status, title, body,
//! scripts, what it knows of the login); the shell around it — header,
//! navigation, theme — is drawn by `pages::shell`'s middleware, which reads
//! the request's cookies (docs/web.md, "Design").

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use dropspace_proto::html::esc;

/// Styles come from `/static/app.css` only: no inline `<style>` or `style=`.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The CSP of pages with a script: scripts and requests to this origin only.
pub const CSP_SCRIPT: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

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
        let csp = if self.scripts.is_empty() {
            CSP
        } else {
            CSP_SCRIPT
        };
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
        "Not found",
        "<div class=\"card empty\"><p class=\"empty-title\">There is nothing here.</p>\
         <p>The link may be mistyped, or what it pointed to was deleted.</p>\
         <p><a class=\"btn\" href=\"/upload\">Upload a file</a></p></div>",
    )
}

/// A 503 page for a database or storage hiccup; the cause is logged.
pub fn try_later(text: &str) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again later",
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
        "Too many requests",
        &format!(
            "<div class=\"notice notice-warn\"><p>Too many pages were asked for from your address. \
             Wait {wait_secs} seconds and try again.</p></div>"
        ),
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
    resp
}

/// Bytes as a short human figure ("1.5 MB").
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn date(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}
