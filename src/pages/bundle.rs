//! Bundles (docs/web.md, "Bundles"): files uploaded together behind one
//! link. For an account, `POST /upload/folder` makes the new shared folder
//! the upload page then uploads into. For anonymous uploads, `POST
//! /upload/bundle` groups the uploaded files; `/b/{id}` lists them with a QR
//! code of the link; `/b/{id}/delete/{secret}` deletes them all (GET asks,
//! the button POSTs, as the files' own delete links). Both POSTs are
//! CSRF-checked.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;

use super::upload::{api_error, checked_user, checked_visitor, json_error};
use crate::db::bundles::Bundle;
use crate::db::files::File;
use crate::http::html::{esc, human_size, page, time_tag, try_later};
use crate::http::pipeline::{Gate, Pipeline};
use crate::http::ClientIp;
use crate::library::bundles::{self, Made};
use crate::library::{folders, Error, MAX_NAME};
use crate::pages::i18n::{t, t_args, t_html};
use crate::state::{App, AppState};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/upload/folder", post(new_folder))
        .route("/upload/bundle", post(create))
        .route("/b/{id}", get(show))
        .route("/b/{id}/qr.svg", get(qr))
        .route("/b/{id}/delete/{secret}", get(confirm).post(delete))
}

/// `POST /upload/bundle` (fields `csrf`, `files`: `id/secret` pairs, comma
/// separated, each from an anonymous file's delete link): the bundle's
/// link and delete link.
async fn create(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let v = match checked_visitor(&app, &headers, &form).await {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Some(members) = form
        .get("files")
        .map(|list| {
            list.split(',')
                .map(|pair| pair.trim().split_once('/'))
                .map(|pair| pair.map(|(id, s)| (id.to_string(), s.to_string())))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or_default()
    else {
        return json_error(StatusCode::BAD_REQUEST, 21, "files must be id/secret pairs");
    };
    match bundles::create(&app, &members).await {
        Ok(Made { id, delete_secret }) => v.finish(
            Json(json!({
                "url": bundles::url(&app, &id),
                "delete_url": bundles::delete_link(&app, &id, &delete_secret),
                "qr": format!("/b/{id}/qr.svg"),
            }))
            .into_response(),
        ),
        Err(e) => api_error(&e.into()),
    }
}

/// `POST /upload/folder` (fields `csrf`, `name`, optional `parent`): a new
/// shared folder of the logged-in user, through the pipeline steps of
/// `folders.create`: its id, page and QR code.
async fn new_folder(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, user) = match checked_user(&app, &headers, &form).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let user = &user;
    let name = form.get("name").map(|n| n.trim()).unwrap_or("");
    let gate = Gate {
        writes: true,
        ..Gate::default()
    };
    let p = Pipeline::new(&app, ip);
    let made = async {
        p.address()?;
        p.open_for(gate).await?;
        p.account(Some(user), gate)?;
        folders::may_create(&app.cfg, user)?;
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(Error::bad_value("name"));
        }
        let parent = form.get("parent").map(String::as_str);
        folders::create(&app, user.id, name, true, parent).await
    }
    .await;
    match made {
        Ok(folder) => Json(json!({
            "folder_id": folder.id,
            "url": app.url(&format!("/folder/{}", folder.id)),
            "qr": format!("/folder/{}/qr.svg", folder.id),
        }))
        .into_response(),
        Err(e) => api_error(&e.into()),
    }
}

/// The bundle and its files, or the page to answer instead.
async fn open(app: &AppState, id: &str) -> Result<(Bundle, Vec<File>), Response> {
    match bundles::open(app, id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(bundle_not_found()),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "bundle page");
            Err(try_later(&t("bundle-unavailable")))
        }
    }
}

fn bundle_not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        &t("bundle-not-found-title"),
        &format!(
            "<p id=\"not-found\">{}</p>",
            esc(&t("bundle-not-found-text"))
        ),
    )
}

/// A bundle whose files have all expired or been deleted.
fn empty_bundle() -> Response {
    page(
        StatusCode::GONE,
        &t("bundle-title"),
        &format!(
            "<div class=\"card empty\"><p class=\"empty-title\" id=\"gone\">{}</p>\
             <p>{}</p></div>",
            esc(&t("bundle-empty")),
            esc(&t("bundle-empty-text"))
        ),
    )
}

/// `GET /b/{id}`
async fn show(State(app): State<App>, Path(id): Path<String>) -> Response {
    let (bundle, files) = match open(&app, &id).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if files.is_empty() {
        return empty_bundle();
    }
    let total: i64 = files.iter().map(|f| f.size).sum();
    let rows: String = files
        .iter()
        .map(|f| {
            format!(
                "<tr><td>{} <a href=\"{}\">{}</a></td><td>{}</td></tr>\n",
                super::preview::listing_icon(&app, f),
                esc(&app.url(&format!("/file/{}", f.id))),
                esc(&f.name),
                esc(&human_size(f.size)),
            )
        })
        .collect();
    let title = t_args("bundle-files-title", &[("count", files.len().into())]);
    let body = format!(
        "<p id=\"summary\">{summary}</p>\n{zip}\
         <div class=\"table-wrap\"><table class=\"listing\" id=\"bundle-files\">\n\
         <thead><tr><th>{name}</th><th>{size_h}</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table></div>\n\
         <figure class=\"qr\"><img src=\"/b/{id}/qr.svg\" width=\"200\" height=\"200\" \
         alt=\"{qr_alt}\"><figcaption>{qr_caption}</figcaption></figure>",
        summary = t_html(
            "bundle-summary",
            &[("size", human_size(total).into())],
            &[("when", &time_tag(bundle.created))]
        ),
        name = esc(&t("bundle-name")),
        size_h = esc(&t("bundle-size")),
        qr_alt = esc(&t("bundle-qr-alt")),
        qr_caption = esc(&t("bundle-qr-caption")),
        id = esc(&bundle.id),
        zip = super::folder::zip_actions(&format!("/b/{}/zip", bundle.id), &files),
    );
    page(StatusCode::OK, &title, &body)
}

/// `GET /b/{id}/qr.svg`: the QR code of the bundle's link.
async fn qr(State(app): State<App>, Path(id): Path<String>) -> Response {
    match open(&app, &id).await {
        Ok((bundle, _)) => super::preview::svg_response(&bundles::url(&app, &bundle.id)),
        Err(resp) => resp,
    }
}

/// The bundle a delete link names, if its secret is right.
async fn lookup(app: &AppState, id: &str, secret: &str) -> Result<Bundle, Response> {
    match open(app, id).await {
        Ok((bundle, _)) if bundles::delete_secret_ok(&bundle, secret) => Ok(bundle),
        Ok(_) => Err(bundle_not_found()),
        Err(resp) => Err(resp),
    }
}

async fn confirm(State(app): State<App>, Path((id, secret)): Path<(String, String)>) -> Response {
    let bundle = match lookup(&app, &id, &secret).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let count = match app.db.bundle_files(&bundle.id).await {
        Ok(files) => files.len(),
        Err(e) => {
            tracing::error!(error = %e, "bundle delete page");
            return try_later(&t("bundle-unavailable"));
        }
    };
    page(
        StatusCode::OK,
        &t("bundle-delete-title"),
        &format!(
            "<div class=\"card narrow\"><p>{}</p>\
             <form method=\"post\" class=\"actions\"><button class=\"btn btn-danger\" type=\"submit\">\
             {}</button> <a class=\"btn btn-secondary\" href=\"/\">{}</a></form></div>",
            t_html(
                "bundle-delete-question",
                &[("count", count.into())],
                &[("n", &format!("<b id=\"count\">{count}</b>"))]
            ),
            esc(&t("bundle-delete-all")),
            esc(&t("bundle-keep")),
        ),
    )
}

async fn delete(State(app): State<App>, Path((id, secret)): Path<(String, String)>) -> Response {
    let bundle = match lookup(&app, &id, &secret).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    match bundles::delete(&app, &bundle).await {
        Ok(n) => page(
            StatusCode::OK,
            &t("bundle-deleted-title"),
            &format!(
                "<p class=\"notice notice-ok\" id=\"deleted\">{}</p>",
                esc(&t_args("bundle-deleted", &[("count", n.into())]))
            ),
        ),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "deleting a bundle");
            try_later(&t("bundle-delete-failed"))
        }
    }
}
