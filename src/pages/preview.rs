//! QR codes, thumbnails and the preview block of the download page
//! (docs/web.md, "Previews, thumbnails and QR codes"): `/file/{id}/qr.svg`,
//! `/folder/{id}/qr.svg` (shared folders only), `/file/{id}/thumb`, and the
//! HTML the download and shared folder pages embed them with. The bytes of
//! a preview are served by `transfer::preview`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::db::files::{is_id, File};
use crate::http::html::{esc, not_found, try_later, widen_csp};
use crate::library::preview::{self, Kind};
use crate::library::thumbs::{self, Thumb};
use crate::library::{self, Error};
use crate::pages::i18n::{t, t_args};
use crate::state::{App, AppState};

/// A QR code is a picture: no script, nothing loaded.
pub const QR_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/file/{id}/qr.svg", get(file_qr))
        .route("/folder/{id}/qr.svg", get(folder_qr))
        .route("/file/{id}/thumb", get(file_thumb))
}

/// An SVG QR code of `url`, made with the `qrcode` crate.
pub fn qr_svg(url: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

pub fn svg_response(url: &str) -> Response {
    let Some(svg) = qr_svg(url) else {
        // A public URL too long for a QR code: nothing to show.
        return not_found();
    };
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(QR_CSP),
            ),
            // The URL an id stands for never changes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        svg,
    )
        .into_response()
}

/// The QR code of a file's download page.
async fn file_qr(State(app): State<App>, Path(id): Path<String>) -> Response {
    if !is_id(&id) {
        return not_found();
    }
    match app.db.file(&id).await {
        Ok(Some(file)) => svg_response(&app.url(&format!("/file/{}", file.id))),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "file QR code");
            try_later(&t("preview-qr-unavailable"))
        }
    }
}

/// The QR code of a shared folder's page; a private or unknown folder is
/// the same 404.
async fn folder_qr(State(app): State<App>, Path(id): Path<String>) -> Response {
    match preview::shared_folder(&app.db, &id).await {
        Ok(true) => svg_response(&app.url(&format!("/folder/{id}"))),
        Ok(false) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "folder QR code");
            try_later(&t("preview-qr-unavailable"))
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(preview::PLAIN_TEXT),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}

/// The thumbnail of an image that may have one (`thumbs::eligible`).
async fn file_thumb(State(app): State<App>, Path(id): Path<String>) -> Response {
    if !is_id(&id) {
        return not_found();
    }
    let file = match app.db.file(&id).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "thumbnail");
            return try_later(&t("preview-thumb-unavailable"));
        }
    };
    match library::check_downloadable(&app, &file).await {
        Ok(()) => {}
        Err(Error::FileNotFound) => return not_found(),
        Err(Error::Internal(e)) => {
            tracing::error!(error = %e, "thumbnail: the file's limits");
            return try_later(&t("preview-thumb-unavailable"));
        }
        Err(_) => return plain(StatusCode::GONE, "This file can no longer be downloaded.\n"),
    }
    if !thumbs::eligible(&app.cfg, &file) {
        return plain(StatusCode::NOT_FOUND, "This file has no thumbnail.\n");
    }
    match thumbs::thumbnail(&app, &file).await {
        Ok(Thumb::Ready {
            bytes,
            content_type,
        }) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; sandbox"),
                ),
                // Private: a password set later must hide it soon.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=600"),
                ),
                (
                    header::HeaderName::from_static("cross-origin-resource-policy"),
                    HeaderValue::from_static("same-origin"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Thumb::Unsupported) => plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This image cannot be shown as a thumbnail.\n",
        ),
        Err(e) => {
            tracing::error!(error = %e, "thumbnail");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "This thumbnail cannot be shown right now.\n",
            )
        }
    }
}

/// What the download page shows below its button once the file may be
/// downloaded (after its password, if any): the preview, signed for
/// `account` like the download URL, and the page's QR code.
pub fn download_extras(app: &AppState, file: &File, account: i64) -> String {
    let of = esc(&t_args(
        "preview-of",
        &[("name", file.name.as_str().into())],
    ));
    let mut html = String::new();
    if let Some(kind) = preview::previewable(&app.cfg, file) {
        let src = esc(&preview::url_path(app, file, account));
        let shown = match kind {
            Kind::Image => format!(
                "<img id=\"preview\" class=\"preview\" src=\"{src}\" alt=\"{of}\">"
            ),
            Kind::Video => format!(
                "<video id=\"preview\" class=\"preview\" src=\"{src}\" controls preload=\"metadata\"></video>"
            ),
            Kind::Audio => format!(
                "<audio id=\"preview\" class=\"preview\" src=\"{src}\" controls preload=\"metadata\"></audio>"
            ),
            Kind::Pdf => format!(
                "<iframe id=\"preview\" class=\"preview\" src=\"{src}\" title=\"{of}\"></iframe>\
                 <br><a href=\"{src}\" target=\"_blank\" rel=\"noopener noreferrer\">{open}</a>",
                open = esc(&t("preview-open"))
            ),
            Kind::Text => format!(
                "<iframe id=\"preview\" class=\"preview\" sandbox src=\"{src}\" title=\"{of}\"></iframe>"
            ),
        };
        html.push_str(&format!("<section class=\"preview-box\">{shown}</section>"));
    }
    html.push_str(&format!(
        "<p class=\"qr\"><img id=\"qr\" src=\"/file/{}/qr.svg\" width=\"160\" height=\"160\" \
         alt=\"{}\"></p>",
        esc(&file.id),
        esc(&t_args(
            "preview-qr-file",
            &[("name", file.name.as_str().into())]
        ))
    ));
    html
}

/// The QR code of a shared folder's page, for that page.
pub fn folder_qr_img(id: &str, name: &str) -> String {
    format!(
        "<p class=\"qr\"><img id=\"qr\" src=\"/folder/{}/qr.svg\" width=\"160\" height=\"160\" \
         alt=\"{}\"></p>",
        esc(id),
        esc(&t_args("preview-qr-folder", &[("name", name.into())]))
    )
}

/// The download page's Content-Security-Policy, opened for the preview's
/// `<video>`/`<audio>` and `<iframe>` (this origin only).
pub fn allow_preview(resp: Response) -> Response {
    widen_csp(resp, |csp| {
        format!("{csp}; media-src 'self'; frame-src 'self'")
    })
}

/// A small picture for a file in the shared folder listing: its thumbnail,
/// or an icon of its type (password-protected and limited files, and
/// anything that is not an image, get the icon).
pub fn listing_icon(app: &AppState, file: &File) -> String {
    if thumbs::eligible(&app.cfg, file) {
        return format!(
            "<img class=\"thumb\" src=\"/file/{}/thumb\" alt=\"\" loading=\"lazy\">",
            esc(&file.id)
        );
    }
    type_icon(file)
}

/// An icon of the file's type (a lock for a password-protected file),
/// decorative: the name beside it says what the file is.
pub fn type_icon(file: &File) -> String {
    // Drawn inline: an emoji needs a font the visitor may not have.
    let label = if !file.password_sealed.is_empty() {
        "LOCK"
    } else {
        match preview::kind(&file.name) {
            Some(Kind::Image) => "IMG",
            Some(Kind::Video) => "VID",
            Some(Kind::Audio) => "AUD",
            Some(Kind::Pdf) => "PDF",
            Some(Kind::Text) => "TXT",
            None => "FILE",
        }
    };
    format!(
        "<svg class=\"file-icon\" width=\"24\" height=\"28\" viewBox=\"0 0 24 28\" aria-hidden=\"true\"><path d=\"M3 1h12l6 6v20H3z M15 1v6h6\" fill=\"none\" \
         stroke=\"currentColor\" stroke-width=\"1.5\"/><text x=\"12\" y=\"22\" font-size=\"6\" \
         text-anchor=\"middle\" font-family=\"sans-serif\" font-weight=\"bold\" \
         fill=\"currentColor\">{label}</text></svg>"
    )
}
