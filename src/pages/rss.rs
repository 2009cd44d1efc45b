//! `/rss/{id}`: RSS 2.0 of a shared folder, one item per file with its
//! download page as link and guid, its size and its upload date (RFC 822).
//! Written by quick-xml, so every name is escaped; descriptions are plain
//! text (HTML-escaped too, as readers render them as HTML). A private or
//! unknown folder is a plain 404.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use time::format_description::well_known::Rfc2822;

use crate::db::files::File;
use crate::db::folders::Folder;
use crate::http::html::human_size;
use crate::http::html::not_found;
use crate::library::folders::{self, Shared};
use crate::pages::i18n::{t, t_args};
use crate::state::{App, AppState};
use dropspace_proto::envelope::xml_safe;

pub fn routes() -> Router<App> {
    Router::new().route("/rss/{id}", get(feed))
}

async fn feed(State(app): State<App>, Path(id): Path<String>) -> Response {
    match folders::shared_listing(&app.db, &id).await {
        Ok(Some(Shared { folder, files, .. })) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/rss+xml; charset=utf-8"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            rss(&app, &folder, &files),
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "rss feed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}

/// RFC 822 date (as RSS 2.0 wants) of unix seconds.
fn rfc822(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc2822)
        .unwrap_or_default()
}

type W = Writer<Vec<u8>>;

/// Text for a `<description>`: readers take its content as HTML, so user
/// text is HTML-escaped first (then XML-escaped by the writer) and shows
/// as the plain text it is (docs/security.md).
fn plain(text: &str) -> String {
    dropspace_proto::html::esc(text)
}

fn element(w: &mut W, name: &str, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = w.write_event(Event::Start(BytesStart::new(name)));
    let _ = w.write_event(Event::Text(BytesText::new(&xml_safe(text))));
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

pub fn rss(app: &AppState, folder: &Folder, files: &[File]) -> String {
    let mut w = Writer::new_with_indent(Vec::with_capacity(1024), b' ', 2);
    let page = app.url(&format!("/folder/{}", folder.id));
    let own = app.url(&format!("/rss/{}", folder.id));
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut rss = BytesStart::new("rss");
    rss.push_attribute(("version", "2.0"));
    rss.push_attribute(("xmlns:atom", "http://www.w3.org/2005/Atom"));
    let _ = w.write_event(Event::Start(rss));
    let _ = w.write_event(Event::Start(BytesStart::new("channel")));
    let unnamed = t("rss-shared-folder");
    let title = if folder.name.trim().is_empty() {
        &unnamed
    } else {
        &folder.name
    };
    element(&mut w, "title", title);
    element(&mut w, "link", &page);
    element(
        &mut w,
        "description",
        &plain(&t_args(
            "rss-description",
            &[("name", folder.name.as_str().into())],
        )),
    );
    let mut atom = BytesStart::new("atom:link");
    atom.push_attribute(("href", own.as_str()));
    atom.push_attribute(("rel", "self"));
    atom.push_attribute(("type", "application/rss+xml"));
    let _ = w.write_event(Event::Empty(atom));
    let newest = files
        .iter()
        .map(|f| f.uploaded)
        .max()
        .unwrap_or(folder.created);
    element(&mut w, "lastBuildDate", &rfc822(newest));
    for f in files {
        let link = app.url(&format!("/file/{}", f.id));
        let _ = w.write_event(Event::Start(BytesStart::new("item")));
        element(&mut w, "title", &f.name);
        element(&mut w, "link", &link);
        let description = if f.description.is_empty() {
            human_size(f.size)
        } else {
            format!("{} ({})", f.description, human_size(f.size))
        };
        element(&mut w, "description", &plain(&description));
        let mut guid = BytesStart::new("guid");
        guid.push_attribute(("isPermaLink", "true"));
        let _ = w.write_event(Event::Start(guid));
        let _ = w.write_event(Event::Text(BytesText::new(&link)));
        let _ = w.write_event(Event::End(BytesEnd::new("guid")));
        element(&mut w, "pubDate", &rfc822(f.uploaded));
        let _ = w.write_event(Event::End(BytesEnd::new("item")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("channel")));
    let _ = w.write_event(Event::End(BytesEnd::new("rss")));
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}
