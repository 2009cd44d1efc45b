//! The shell of every page (docs/web.md, "Design"): the header with the
//! product's name, the navigation, log in/out and the theme toggle, around
//! the `http::html::Frame` a handler returned. A middleware draws it, so
//! every HTML answer gets it — the 404 fallback and the 429 of the page
//! rate included — with the request's theme cookie (`<html data-theme>`,
//! no flash) and login. Also the stylesheet, the icon and `POST /theme`.
//! It also chooses the request's language and runs the handler in it
//! (docs/languages.md): `i18n::t` works anywhere below, with no plumbing.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use super::i18n::{self, t, Lang, LANG_COOKIE};
use super::web;
use crate::http::html::{esc, Account, Frame, Theme};
use crate::state::App;

const APP_CSS: &str = include_str!("static/app.css");
const FAVICON: &str = include_str!("static/favicon.svg");
/// Every page's one script: dates in the viewer's time zone.
const LOCAL_TIME_JS: &str = include_str!("static/local-time.js");

/// The theme cookie: `light`, `dark` or `auto`.
pub const THEME_COOKIE: &str = "ds_theme";
/// The theme and language cookies are kept a year.
const PREFERENCE_MAX_AGE: i64 = 365 * 86400;

/// FNV-1a of the stylesheet: its URL changes with its content, so it can
/// be cached for good.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const CSS_VERSION: u64 = fnv1a(APP_CSS.as_bytes());
const LOCAL_TIME_VERSION: u64 = fnv1a(LOCAL_TIME_JS.as_bytes());

pub fn routes() -> Router<App> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .route("/favicon.svg", get(|| async { icon() }))
        .route("/favicon.ico", get(|| async { icon() }))
        .route("/theme", post(set_theme))
        .route("/lang", post(set_lang))
        .route("/static/local-time.js", get(local_time_js))
}

fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /static/app.css`: for good under the current `?v=`, else revalidated.
async fn stylesheet(RawQuery(query): RawQuery) -> Response {
    let current = query.as_deref() == Some(format!("v={CSS_VERSION:016x}").as_str());
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    asset(APP_CSS, "text/css; charset=utf-8", cache)
}

/// `GET /static/local-time.js`: cached like the stylesheet.
async fn local_time_js(RawQuery(query): RawQuery) -> Response {
    let current = query.as_deref() == Some(format!("v={LOCAL_TIME_VERSION:016x}").as_str());
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    asset(LOCAL_TIME_JS, "text/javascript; charset=utf-8", cache)
}

/// `GET /favicon.svg`, and `/favicon.ico` for browsers that ask for it
/// anyway (the same SVG: they read its type, not the name).
fn icon() -> Response {
    let mut resp = asset(FAVICON, "image/svg+xml", "public, max-age=86400");
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    resp
}

/// The theme a request's cookie asks for.
fn theme_of(headers: &HeaderMap) -> Theme {
    web::cookies(headers, THEME_COOKIE)
        .find_map(Theme::parse)
        .unwrap_or_default()
}

/// `POST /theme` (`theme`, `next`): remembers the theme in a cookie and
/// goes back to `next`, a path of this site (checked as the login's).
async fn set_theme(State(app): State<App>, Form(form): Form<HashMap<String, String>>) -> Response {
    let theme = form.get("theme").and_then(|t| Theme::parse(t));
    remember(&app, &form, THEME_COOKIE, theme.map(Theme::as_str))
}

/// `POST /lang` (`lang`, `next`): remembers the language in a cookie and
/// goes back to `next`, like `POST /theme`.
async fn set_lang(State(app): State<App>, Form(form): Form<HashMap<String, String>>) -> Response {
    let lang = form
        .get("lang")
        .and_then(|l| Lang::ALL.into_iter().find(|x| x.code() == l));
    remember(&app, &form, LANG_COOKIE, lang.map(Lang::code))
}

/// Back to the form's `next` (a local path, else `/`), with a year's
/// cookie `name` set to `value` when the form asked for a known one.
fn remember(
    app: &App,
    form: &HashMap<String, String>,
    name: &str,
    value: Option<&str>,
) -> Response {
    let next = form
        .get("next")
        .map(String::as_str)
        .filter(|n| web::local_path(n))
        .unwrap_or("/");
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, next.to_string())],
    )
        .into_response();
    if let Some(value) = value {
        web::add_cookie(
            &mut resp,
            &web::cookie(app, name, value, PREFERENCE_MAX_AGE),
        );
    }
    resp
}

/// Draws the shell around a `Frame` answer; any other answer passes as is.
/// The whole request runs in its language (docs/languages.md).
pub async fn frame(State(app): State<App>, req: Request, next: Next) -> Response {
    let lang = i18n::negotiate(req.headers());
    i18n::scope(lang, draw(app, req, next)).await
}

async fn draw(app: App, req: Request, next: Next) -> Response {
    let mut cookies = HeaderMap::new();
    for value in req.headers().get_all(header::COOKIE) {
        cookies.append(header::COOKIE, value.clone());
    }
    let head = req.method() == Method::HEAD;
    let here = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut resp = next.run(req).await;
    let Some(frame) = resp.extensions_mut().remove::<Frame>() else {
        return resp;
    };
    if head {
        return resp;
    }
    let account = match &frame.account {
        Account::Unknown => web::account_hint(&app, &cookies),
        known => known.clone(),
    };
    // A page with someone's logout token is theirs alone.
    if matches!(account, Account::LoggedIn { .. })
        && !resp.headers().contains_key(header::CACHE_CONTROL)
    {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp.headers_mut().remove(header::CONTENT_LENGTH);
    *resp.body_mut() = Body::from(render(&frame, theme_of(&cookies), &account, &here));
    // The language is a choice of the request: caches must keep them apart.
    resp.headers_mut().append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    resp
}

/// The one shell of every page: `<html>` with the theme, the header, then
/// the page's title and body in `<main>`.
fn render(frame: &Frame, theme: Theme, account: &Account, here: &str) -> String {
    let local_time = format!("/static/local-time.js?v={LOCAL_TIME_VERSION:016x}");
    let scripts: String = frame
        .scripts
        .iter()
        .copied()
        .chain([local_time.as_str()])
        .map(|src| format!("<script src=\"{}\" defer></script>", esc(src)))
        .collect();
    let path = here.split('?').next().unwrap_or_default();
    let current = |paths: &[&str]| {
        if paths.contains(&path) {
            " aria-current=\"page\""
        } else {
            ""
        }
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" data-theme=\"{theme}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - dropspace</title>{meta}\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/static/app.css?v={CSS_VERSION:016x}\">{scripts}</head>\n\
         <body><a class=\"skip\" href=\"#main\">{skip}</a>\
         <header class=\"site-header\"><div class=\"bar\">\
         <a class=\"brand\" href=\"/\"><img src=\"/favicon.svg\" alt=\"\" width=\"28\" height=\"28\"><span>dropspace</span></a>\
         <nav class=\"site-nav\" aria-label=\"{nav}\"><a href=\"/upload\"{upload}>{nav_upload}</a>\
         <a href=\"/files\"{files}>{nav_files}</a></nav>\
         <div class=\"account\">{account}</div>{toggle}{chooser}</div></header>\n\
         <main id=\"main\" class=\"wrap\"><h1>{title}</h1>\n{body}\n</main>\n</body></html>\n",
        lang = i18n::lang().code(),
        theme = theme.as_str(),
        skip = esc(&t("shell-skip")),
        nav = esc(&t("shell-nav-label")),
        nav_upload = esc(&t("shell-nav-upload")),
        nav_files = esc(&t("shell-nav-files")),
        chooser = lang_chooser(here),
        title = esc(&frame.title),
        meta = meta_tags(&frame.meta),
        upload = current(&["/", "/upload"]),
        files = current(&["/files"]),
        account = account_html(account),
        toggle = theme_toggle(theme, here),
        body = frame.body,
    )
}

/// `og:` tags are properties, `twitter:` ones names (as each reader looks).
fn meta_tags(meta: &[(&'static str, String)]) -> String {
    meta.iter()
        .map(|(key, value)| {
            let attr = if key.starts_with("twitter:") {
                "name"
            } else {
                "property"
            };
            format!("<meta {attr}=\"{key}\" content=\"{}\">", esc(value))
        })
        .collect()
}

fn account_html(account: &Account) -> String {
    match account {
        Account::LoggedIn { name, csrf } => {
            let who = name
                .as_deref()
                .map(|n| {
                    format!(
                        "<span class=\"who\">{} <a href=\"/account\" id=\"whoami\"><b>{}</b></a></span>",
                        esc(&t("shell-logged-in-as")),
                        esc(n)
                    )
                })
                .unwrap_or_default();
            format!(
                "{who}<form method=\"post\" action=\"/logout\" class=\"inline\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <button type=\"submit\" id=\"logout\" class=\"btn btn-secondary btn-sm\">{}</button></form>",
                esc(csrf),
                esc(&t("shell-log-out"))
            )
        }
        Account::LoggedOut | Account::Unknown => format!(
            "<a href=\"/login\" id=\"login-link\" class=\"btn btn-secondary btn-sm\">{}</a>",
            esc(&t("shell-log-in"))
        ),
    }
}

/// Three submit buttons (a plain form: no script needed); the current one
/// is pressed. `next` brings the visitor back to this page.
fn theme_toggle(theme: Theme, here: &str) -> String {
    let buttons: String = Theme::ALL
        .into_iter()
        .map(|t| {
            let (label, hint, icon) = match t {
                Theme::Auto => ("shell-theme-auto", "shell-theme-auto-hint", ICON_AUTO),
                Theme::Light => ("shell-theme-light", "shell-theme-light-hint", ICON_LIGHT),
                Theme::Dark => ("shell-theme-dark", "shell-theme-dark-hint", ICON_DARK),
            };
            let (label, hint) = (esc(&i18n::t(label)), esc(&i18n::t(hint)));
            format!(
                "<button type=\"submit\" name=\"theme\" value=\"{}\" aria-pressed=\"{}\" \
                 title=\"{hint}\" id=\"theme-{}\">{icon}<span class=\"txt\">{label}</span></button>",
                t.as_str(),
                t == theme,
                t.as_str(),
            )
        })
        .collect();
    format!(
        "<form method=\"post\" action=\"/theme\" class=\"theme-form\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <div class=\"seg\" role=\"group\" aria-label=\"{}\">{buttons}</div></form>",
        esc(here),
        esc(&t("shell-theme-label"))
    )
}

/// The language chooser: one submit button per language, each named in
/// its own language (and marked so for screen readers); the current one
/// pressed. A form like the theme's: no script, any page.
fn lang_chooser(here: &str) -> String {
    let current = i18n::lang();
    let buttons: String = Lang::ALL
        .into_iter()
        .map(|l| {
            format!(
                "<button type=\"submit\" name=\"lang\" value=\"{code}\" lang=\"{code}\" \
                 aria-pressed=\"{}\" title=\"{name}\" id=\"lang-{code}\">\
                 <span aria-hidden=\"true\">{short}</span><span class=\"visually-hidden\">{name}</span></button>",
                l == current,
                code = l.code(),
                name = l.native_name(),
                short = l.code().to_uppercase(),
            )
        })
        .collect();
    format!(
        "<form method=\"post\" action=\"/lang\" class=\"theme-form lang-form\">\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <div class=\"seg\" role=\"group\" aria-label=\"{}\">{buttons}</div></form>",
        esc(here),
        esc(&t("shell-lang-label"))
    )
}

/// A folder, before a folder's name in listings (decorative).
pub const FOLDER_ICON: &str = "<svg class=\"icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">\
    <path d=\"M3 6.5A1.5 1.5 0 0 1 4.5 5h4.6l2 2h8.4A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5z\" \
    fill=\"currentColor\"/></svg>";

const ICON_AUTO: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">\
    <circle cx=\"12\" cy=\"12\" r=\"8\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>\
    <path d=\"M12 4a8 8 0 0 1 0 16z\" fill=\"currentColor\"/></svg>";
const ICON_LIGHT: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">\
    <circle cx=\"12\" cy=\"12\" r=\"4\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/>\
    <path d=\"M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4\" \
    stroke=\"currentColor\" stroke-width=\"2\" stroke-linecap=\"round\"/></svg>";
const ICON_DARK: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">\
    <path d=\"M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z\" fill=\"none\" stroke=\"currentColor\" \
    stroke-width=\"2\" stroke-linejoin=\"round\"/></svg>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_cookie_reads_only_known_values() {
        let with = |c: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(c).expect("header"));
            theme_of(&h)
        };
        assert_eq!(with("ds_theme=dark"), Theme::Dark);
        assert_eq!(with("a=b; ds_theme=light"), Theme::Light);
        assert_eq!(with("ds_theme=\"><script>"), Theme::Auto);
        assert_eq!(theme_of(&HeaderMap::new()), Theme::Auto);
    }

    #[test]
    fn the_shell_escapes_the_title_and_the_path() {
        let frame = Frame {
            status: StatusCode::OK,
            title: "<b>x</b>".into(),
            body: String::new(),
            scripts: &[],
            account: Account::LoggedIn {
                name: Some("<i>".into()),
                csrf: "t".into(),
            },
            meta: vec![("og:title", "\"><script>".into())],
        };
        let html = render(&frame, Theme::Dark, &frame.account, "/x?\"><script>");
        assert!(html.contains("data-theme=\"dark\""));
        assert!(html.contains("<h1>&lt;b&gt;x&lt;/b&gt;</h1>"));
        assert!(html.contains("<a href=\"/account\" id=\"whoami\"><b>&lt;i&gt;</b></a>"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("style=") && !html.contains("<style"));
    }
}
