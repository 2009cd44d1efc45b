//! `/files/requests`: the user's file requests (docs/file-requests.md) —
//! each with its link, state and what it received, a close button, and
//! the form that creates one. The same domain calls as the API's
//! `file_request_*` methods, after the pipeline steps of a write.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::listing::{copied_status, named};
use super::{error_page, first, folder_options, hidden, pipeline, see_other, to_login, Posted};
use crate::api::error::ApiError;
use crate::db::file_requests::FileRequest;
use crate::http::html::{esc, human_size, time_tag};
use crate::http::ClientIp;
use crate::library::requests::{self, New, State as RequestState};
use crate::library::{folders, Error};
use crate::pages::i18n::{t, t_args};
use crate::pages::web::{visitor, Visitor};
use crate::state::App;

const PAGE: &str = "/files/requests";

/// `GET /files/requests`
pub(super) async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let v = visitor(&app, &headers).await;
    let Some(user) = v.user.clone() else {
        return to_login(PAGE);
    };
    let found = async {
        let list = requests::of_user(&app, user.id).await?;
        let all = folders::all(&app.db, user.id).await?;
        Ok::<_, Error>((list, all))
    }
    .await;
    let (list, all) = match found {
        Ok(found) => found,
        Err(e) => return error_page(&v, &ApiError::from(e)),
    };
    let rows: String = list.iter().map(|r| row(&app, &v, r)).collect();
    let table = if list.is_empty() {
        format!(
            "<p class=\"muted\" id=\"no-requests\">{}</p>",
            esc(&t("requests-none"))
        )
    } else {
        format!(
            "<div class=\"table-wrap\"><table class=\"listing\" id=\"requests\">\
             <thead><tr><th>{title}</th><th>{state}</th><th>{received}</th><th>{until}</th>\
             <th><span class=\"visually-hidden\">{actions}</span></th></tr></thead>\
             <tbody>{rows}</tbody></table></div>",
            title = esc(&t("requests-col-title")),
            state = esc(&t("requests-col-state")),
            received = esc(&t("requests-col-received")),
            until = esc(&t("requests-col-until")),
            actions = esc(&t("requests-col-actions")),
        )
    };
    let body = format!(
        "<p class=\"lead\">{lead}</p>{table}{form}{copied}\
         <p><a class=\"btn btn-secondary btn-sm\" href=\"/files\">{back}</a></p>",
        lead = esc(&t("requests-lead")),
        form = create_form(&v, &all),
        copied = copied_status(),
        back = esc(&t("my-files-back")),
    );
    v.page(StatusCode::OK, &t("requests-title"), &body, super::SCRIPTS)
}

fn row(app: &App, v: &Visitor, r: &FileRequest) -> String {
    let state = requests::state(r);
    let url = requests::url(app, r);
    let close = if state == RequestState::Closed {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"/files/requests/close\">{csrf}{id}\
             <button class=\"btn btn-secondary btn-sm\" type=\"submit\" aria-label=\"{label}\">{close}</button></form>",
            csrf = hidden("csrf", &v.csrf),
            id = hidden("request_id", &r.id),
            label = esc(&named("requests-close-named", &r.title)),
            close = esc(&t("requests-close")),
        )
    };
    format!(
        "<tr data-request=\"{id}\"><td><a href=\"{url}\">{title}</a> \
         <button type=\"button\" class=\"btn btn-secondary btn-sm copy\" data-url=\"{url}\" \
         aria-label=\"{copy_named}\" hidden>{copy}</button></td>\
         <td class=\"state\">{state}</td><td>{received}</td><td>{until}</td><td>{close}</td></tr>",
        id = esc(&r.id),
        url = esc(&url),
        title = esc(&r.title),
        copy_named = esc(&named("my-files-copy-link-to", &r.title)),
        copy = esc(&t("my-files-copy-link")),
        state = esc(&t(match state {
            RequestState::Open => "requests-state-open",
            RequestState::Closed => "requests-state-closed",
            RequestState::Expired => "requests-state-expired",
            RequestState::Full => "requests-state-full",
        })),
        received = esc(&t_args(
            "requests-received",
            &[
                ("count", r.files_taken.into()),
                ("size", human_size(r.bytes_taken).into()),
            ],
        )),
        until = if r.expires > 0 {
            time_tag(r.expires)
        } else {
            esc(&t("requests-never"))
        },
    )
}

/// The form that creates a request; sizes in MB.
fn create_form(v: &Visitor, all: &[crate::db::folders::Folder]) -> String {
    let expiry: String = [
        (0, "requests-never"),
        (86_400, "requests-1-day"),
        (604_800, "requests-7-days"),
        (2_592_000, "requests-30-days"),
    ]
    .iter()
    .map(|(secs, key)| {
        format!(
            "<option value=\"{secs}\"{}>{}</option>",
            if *secs == 604_800 { " selected" } else { "" },
            esc(&t(key))
        )
    })
    .collect();
    let number = |id: &str, key: &str| {
        format!(
            "<div class=\"field\"><label for=\"{id}\">{} <span class=\"muted\">{}</span></label>\
             <input id=\"{id}\" name=\"{id}\" type=\"number\" min=\"0\" step=\"1\" inputmode=\"numeric\"></div>",
            esc(&t(key)),
            esc(&t("upload-optional")),
        )
    };
    format!(
        "<form method=\"post\" action=\"/files/requests\" class=\"card\" id=\"new-request\">\
         <h2>{heading}</h2>{csrf}<div class=\"grid-2\">\
         <div class=\"field\"><label for=\"title\">{title}</label>\
         <input id=\"title\" name=\"title\" required maxlength=\"255\"></div>\
         <div class=\"field\"><label for=\"folder\">{folder}</label>\
         <select id=\"folder\" name=\"folder\">{folders}</select></div>\
         <div class=\"field\"><label for=\"message\">{message} <span class=\"muted\">{optional}</span></label>\
         <textarea id=\"message\" name=\"message\" rows=\"2\" maxlength=\"10000\"></textarea></div>\
         <div class=\"field\"><label for=\"password\">{password} <span class=\"muted\">{optional}</span></label>\
         <input id=\"password\" name=\"password\" type=\"text\" autocomplete=\"off\" maxlength=\"255\"></div>\
         <div class=\"field\"><label for=\"expires\">{until}</label>\
         <select id=\"expires\" name=\"expires\">{expiry}</select></div>\
         {max_files}{max_mb}{max_file_mb}</div>\
         <p class=\"check\"><input type=\"checkbox\" id=\"notify\" name=\"notify\" value=\"1\" checked> \
         <label for=\"notify\">{notify}</label></p>\
         <p class=\"check\"><input type=\"checkbox\" id=\"encrypted\" name=\"encrypted\" value=\"1\" aria-describedby=\"encrypted-hint\"> \
         <label for=\"encrypted\">{encrypted}</label> <span class=\"hint\" id=\"encrypted-hint\">{encrypted_hint}</span></p>\
         <div class=\"actions\"><button class=\"btn\" type=\"submit\">{create}</button></div></form>",
        heading = esc(&t("requests-new")),
        csrf = hidden("csrf", &v.csrf),
        title = esc(&t("requests-field-title")),
        folder = esc(&t("requests-field-folder")),
        folders = folder_options(all, crate::db::folders::ROOT, None),
        message = esc(&t("requests-field-message")),
        optional = esc(&t("upload-optional")),
        password = esc(&t("requests-field-password")),
        until = esc(&t("requests-field-expires")),
        max_files = number("max_files", "requests-field-max-files"),
        max_mb = number("max_mb", "requests-field-max-mb"),
        max_file_mb = number("max_file_mb", "requests-field-max-file-mb"),
        notify = esc(&t("requests-field-notify")),
        encrypted = esc(&t("requests-field-encrypted")),
        encrypted_hint = esc(&t("requests-field-encrypted-hint")),
        create = esc(&t("requests-create")),
    )
}

/// A whole number from the form; empty is 0.
fn whole(form: &[(String, String)], name: &str) -> Result<i64, Error> {
    match first(form, name).map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| Error::bad_value(name.to_string())),
    }
}

/// `POST /files/requests`: creates one, then back to the list.
pub(super) async fn create(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    const MB: i64 = 1_000_000;
    let made = async {
        pipeline(&app, ip, &user, true).await?;
        let new = New {
            folder_id: first(&form, "folder").unwrap_or_default().to_string(),
            title: first(&form, "title").unwrap_or_default().to_string(),
            message: first(&form, "message").unwrap_or_default().to_string(),
            password: first(&form, "password").unwrap_or_default().to_string(),
            expires_in: whole(&form, "expires")?,
            max_files: whole(&form, "max_files")?,
            max_bytes: whole(&form, "max_mb")?.saturating_mul(MB),
            max_file_size: whole(&form, "max_file_mb")?.saturating_mul(MB),
            notify: first(&form, "notify") == Some("1"),
            encrypted: first(&form, "encrypted") == Some("1"),
        };
        requests::create(&app, &user, &new).await
    }
    .await;
    match made {
        Ok(_) => see_other(PAGE),
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}

/// `POST /files/requests/close` (`csrf`, `request_id`).
pub(super) async fn close(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Posted { v, user, form }: Posted,
) -> Response {
    let closed = async {
        pipeline(&app, ip, &user, true).await?;
        requests::close(
            &app,
            user.id,
            first(&form, "request_id").unwrap_or_default(),
        )
        .await
    }
    .await;
    match closed {
        Ok(()) => see_other(PAGE),
        Err(e) => error_page(&v, &ApiError::from(e)),
    }
}
