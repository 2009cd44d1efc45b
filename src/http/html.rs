//! The frame of every HTML page: escaping, the strict Content-Security-Policy,
//! and the plain error pages.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use dropspace_proto::html::esc;

pub const CSP: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The CSP of pages with a script: scripts and requests to this origin only.
pub const CSP_SCRIPT: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// A complete HTML page around `body` (already escaped HTML).
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_with(status, title, body, &[])
}

/// `page` with same-origin scripts (`/static/…`, run in order), under
/// `CSP_SCRIPT` when there are any.
pub fn page_with(status: StatusCode, title: &str, body: &str, scripts: &[&str]) -> Response {
    let script_tag: String = scripts
        .iter()
        .map(|src| format!("<script src=\"{}\" defer></script>", esc(src)))
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - dropspace</title>{script_tag}\
         <style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         .box{{border:1px solid #ddd;border-radius:8px;padding:1rem 1.5rem}}\
         .btn{{display:inline-block;background:#2563eb;color:#fff;padding:.6rem 1.2rem;border-radius:6px;text-decoration:none;border:0;font-size:1rem;cursor:pointer}}\
         table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee}}</style>\
         </head><body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = esc(title),
    );
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(if scripts.is_empty() { CSP } else { CSP_SCRIPT }),
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
        html,
    )
        .into_response()
}

pub fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "<p>There is nothing here.</p>",
    )
}

/// A 503 page for a database or storage hiccup; the cause is logged.
pub fn try_later(text: &str) -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again later",
        &format!("<p>{}</p>", esc(text)),
    )
}

/// A 429 page for a client over a rate, with `Retry-After`.
pub fn too_many_requests(wait_secs: u64) -> Response {
    let mut resp = page(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests",
        &format!(
            "<p>Too many pages were asked for from your address. \
             Wait {wait_secs} seconds and try again.</p>"
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
