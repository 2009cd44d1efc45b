//! The recipients' side of `file_send`: `/s/{token}` lists what was sent
//! (a folder's files included) with a download link per file, and all of
//! them as one zip; downloads go through the transfer path (Range,
//! counting, the sender's bandwidth).
//! A link expires as the sender set. With `require_login=1` the page asks
//! for the recipient's own account (web login, argon2) and refuses anyone
//! else; the proof is a signed cookie bound to this link, so any node can
//! check it. With `download_receipt=1` the sender is mailed once per
//! recipient, once the recipient has received every byte of a file.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

use crate::db::file_send::{Send, SendLink as Link};
use crate::db::now;
use crate::http::html::{esc, human_size, not_found, page, page_as, try_later, Account};
use crate::http::i18n::{in_lang, t, t_args, Lang};
use crate::http::ClientIp;
use crate::library;
use crate::library::auth::{password_login, PasswordLogin};
use crate::library::delivery::Downloader;
use crate::library::file_send::{self, LinkState};
use crate::pages::encryption;
use crate::state::{App, AppState};
use crate::transfer::zip::{FileHook, ZipTaker};

/// How long a recipient's web login lasts.
const LOGIN_SECS: i64 = 12 * 3600;
const COOKIE: &str = "ds_recipient";

/// The link and its send; a page to answer with when it is unknown (404)
/// or expired (410).
async fn load(app: &AppState, token: &str) -> Result<(Link, Send), Response> {
    match file_send::open_link(&app.db, token).await {
        Ok(LinkState::Live(link, send)) => Ok((link, send)),
        Ok(LinkState::Unknown) => Err(not_found()),
        Ok(LinkState::Expired) => Err(page(
            StatusCode::GONE,
            &t("recipient-expired-title"),
            &format!(
                "<p class=\"notice notice-warn\">{}</p>",
                esc(&t("recipient-expired"))
            ),
        )),
        Err(e) => {
            tracing::error!(error = %e, "recipient link");
            Err(try_later(&t("recipient-unavailable")))
        }
    }
}

fn cookie_sig(app: &AppState, link: &Link, user_id: i64, expires: i64) -> String {
    app.secrets.sign(&format!(
        "recipient:{}:{user_id}:{expires}",
        link.token_hash
    ))
}

/// Whether the request carries this link's login for its recipient.
fn logged_in(app: &AppState, link: &Link, headers: &HeaderMap) -> bool {
    let Some(uid) = link.user_id else {
        return false;
    };
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
        .any(|value| {
            let mut parts = value.splitn(3, '.');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(u), Some(e), Some(sig)) => {
                    let (Ok(u), Ok(e)) = (u.parse::<i64>(), e.parse::<i64>()) else {
                        return false;
                    };
                    u == uid
                        && e >= now()
                        && app
                            .secrets
                            .verify(&format!("recipient:{}:{u}:{e}", link.token_hash), sig)
                }
                _ => false,
            }
        })
}

/// The link and its send if this request may open it; else the page to
/// answer: 404/410, or the login form (with `locked` as its status).
async fn open(
    app: &AppState,
    token: &str,
    headers: &HeaderMap,
    locked: StatusCode,
) -> Result<(Link, Send), Response> {
    let (link, send) = load(app, token).await?;
    if send.require_login() && !logged_in(app, &link, headers) {
        // The recipient's browser login to this server counts too (the
        // only way in for accounts with two-factor login).
        let web = crate::pages::web::visitor(app, headers).await;
        if web.user.is_none() || web.user.map(|u| u.id) != link.user_id {
            return Err(login_form(app, &link, token, locked, None));
        }
    }
    Ok((link, send))
}

fn csrf(app: &AppState, link: &Link) -> String {
    app.secrets.sign(&format!("csrf:{}", link.token_hash))
}

/// The recipient's login form; `error` (plain text) shows under the
/// fields, which are then marked invalid.
fn login_form(
    app: &AppState,
    link: &Link,
    token: &str,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let (invalid, note) = match error {
        Some(text) => (
            " aria-invalid=\"true\" aria-describedby=\"error\"",
            format!(
                "<p class=\"field-error\" id=\"error\" role=\"alert\">{}</p>",
                esc(text)
            ),
        ),
        None => ("", String::new()),
    };
    page(
        status,
        &t("recipient-login-title"),
        &format!(
            "<p>{lead}</p>\
             <form method=\"post\" action=\"/s/{}/login\" class=\"card narrow\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <div class=\"field\"><label for=\"user_name\">{user_label}</label>\
             <input name=\"user_name\" id=\"user_name\" autocomplete=\"username\" required{invalid}></div>\
             <div class=\"field\"><label for=\"password\">{password_label}</label>\
             <input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" required{invalid}>\
             {note}</div>\
             <div class=\"actions\"><button class=\"btn\" type=\"submit\">{submit}</button></div></form>",
            esc(token),
            esc(&csrf(app, link)),
            lead = esc(&t("recipient-login-lead")),
            user_label = esc(&t("login-user-name")),
            password_label = esc(&t("login-password")),
            submit = esc(&t("login-submit")),
        ),
    )
}

/// `GET /s/{token}`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (link, send) = match open(&app, &token, &headers, StatusCode::OK).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let files = match file_send::contents(&app.db, &send).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "listing a send");
            return try_later(&t("recipient-unavailable"));
        }
    };
    let mut rows = String::new();
    for (path, f) in &files {
        // An end-to-end encrypted file also opens in the browser.
        let decrypt = if library::encryption::is_encrypted(f) {
            format!(
                " <a class=\"btn btn-secondary btn-sm decrypt\" href=\"/s/{}/d/{}\">{}</a>",
                esc(&token),
                esc(&f.id),
                esc(&t("decrypt-title"))
            )
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "<tr><td><a href=\"/s/{}/f/{}\">{}{}</a>{decrypt}</td><td>{}</td></tr>\n",
            esc(&token),
            esc(&f.id),
            esc(path),
            esc(&f.name),
            esc(&human_size(f.size)),
        ));
    }
    if rows.is_empty() {
        rows.push_str(&format!(
            "<tr><td colspan=\"2\">{}</td></tr>\n",
            esc(&t("recipient-nothing-left"))
        ));
    }
    let message = if send.message.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<blockquote class=\"pre\">{}</blockquote>",
            esc(send.message.trim())
        )
    };
    let zip = zip_button(&token, &files);
    let sent_to_you = t("recipient-title");
    let title = if send.subject.trim().is_empty() {
        sent_to_you.as_str()
    } else {
        send.subject.trim()
    };
    page(
        StatusCode::OK,
        title,
        &format!(
            "<p class=\"lead\">{}</p>{message}{zip}<div class=\"table-wrap\"><table class=\"listing\">\
             <thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>\n{rows}</tbody></table></div>",
            esc(&t_args(
                "recipient-for",
                &[("email", link.email.as_str().into())]
            )),
            esc(&t("recipient-file")),
            esc(&t("recipient-size")),
        ),
    )
}

/// The zip button of a send with several files.
fn zip_button(token: &str, files: &[(String, crate::db::files::File)]) -> String {
    if files.len() < 2 {
        return String::new();
    }
    let files: Vec<_> = files.iter().map(|(_, f)| f.clone()).collect();
    crate::pages::folder::zip_actions(&format!("/s/{token}/zip"), &files)
}

/// `POST /s/{token}/login`: the recipient's own account, or nothing.
pub async fn login(
    State(app): State<App>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (link, _send) = match load(&app, &token).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if !crate::secrets::ct_eq(field("csrf"), &csrf(&app, &link)) {
        return login_form(
            &app,
            &link,
            &token,
            StatusCode::FORBIDDEN,
            Some(&t("login-form-expired")),
        );
    }
    let user = match password_login(
        &app,
        field("user_name"),
        field("password"),
        ip,
        "file_send recipient page",
    )
    .await
    {
        Ok(PasswordLogin::Ok(u)) => *u,
        Ok(PasswordLogin::Wait(wait)) => {
            return login_form(
                &app,
                &link,
                &token,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&t_args("login-wait", &[("seconds", wait.into())])),
            )
        }
        Ok(PasswordLogin::Wrong) => {
            return login_form(
                &app,
                &link,
                &token,
                StatusCode::FORBIDDEN,
                Some(&t("login-wrong")),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "web login");
            return try_later(&t("login-unavailable"));
        }
    };
    if crate::library::two_factor::needed(&app.cfg, &user) {
        return login_form(
            &app,
            &link,
            &token,
            StatusCode::FORBIDDEN,
            Some(&t("recipient-two-factor")),
        );
    }
    if link.user_id != Some(user.id) {
        return page(
            StatusCode::FORBIDDEN,
            &t("recipient-other-title"),
            &format!(
                "<p class=\"notice notice-error\">{}</p>",
                esc(&t("recipient-other"))
            ),
        );
    }
    let expires = now() + LOGIN_SECS;
    let value = format!(
        "{}.{expires}.{}",
        user.id,
        cookie_sig(&app, &link, user.id, expires)
    );
    let secure = if app.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE}={value}; Path=/s/{token}; Max-Age={LOGIN_SECS}; HttpOnly; SameSite=Lax{secure}"
    );
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/s/{token}"))],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// `GET /s/{token}/d/{file_id}`: an encrypted file of this send,
/// decrypted in the recipient's browser from the link's own download (so
/// it counts and is receipted as that download is).
pub async fn decrypt(
    State(app): State<App>,
    Path((token, file_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (_, send) = match open(&app, &token, &headers, StatusCode::FORBIDDEN).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let file = match file_send::sent_file(&app.db, &send, &file_id).await {
        Ok(Some(f)) if library::encryption::is_encrypted(&f) => f,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "recipient decrypt page");
            return try_later(&t("recipient-download-unavailable"));
        }
    };
    let url = format!("/s/{token}/f/{file_id}");
    let body = format!(
        "{}<p><a class=\"btn btn-secondary\" id=\"download\" href=\"{}\">{}</a></p>",
        encryption::decrypt_card(&file, &url),
        esc(&url),
        esc(&t("download-button-encrypted")),
    );
    let resp = page_as(
        StatusCode::OK,
        encryption::plain_name(&file.name),
        &body,
        encryption::DECRYPT_SCRIPTS,
        Account::Unknown,
    );
    encryption::allow_decrypted_pictures(crate::pages::preview::allow_preview(resp))
}

/// `GET|HEAD /s/{token}/f/{file_id}`: a file of this send.
pub async fn download(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path((token, file_id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let (link, send) = match open(&app, &token, &headers, StatusCode::FORBIDDEN).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let file = match file_send::sent_file(&app.db, &send, &file_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "recipient download");
            return try_later(&t("recipient-download-unavailable"));
        }
    };
    // For the sender's receipt mail: English, whatever the recipient reads.
    let size = in_lang(Lang::En, || human_size(file.size));
    let (lib, sent_file) = (app.clone(), file.clone());
    let taker = crate::transfer::serve::Taker {
        key: format!("s:{}", link.token_hash),
        account: send.user_id,
        who: Downloader::new(0, ip).recipient(send.id, &link.email),
        on_delivered: Some(Box::new(move |bytes| {
            Box::pin(async move {
                file_send::delivered(&lib, &link, &send, &sent_file, bytes, &size).await;
            })
        })),
    };
    crate::transfer::serve::respond(&app, &method, &headers, &file, taker).await
}

/// `GET|HEAD /s/{token}/zip`: everything this send holds as one zip
/// (docs/zip.md), charged to the sender and receipted file by file as the
/// files' own downloads are.
pub async fn zip(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let (link, send) = match open(&app, &token, &headers, StatusCode::FORBIDDEN).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let items = match file_send::contents(&app.db, &send).await {
        Ok(files) => files
            .into_iter()
            .map(|(path, f)| (format!("{path}{}", f.name), f))
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "zipping a send");
            return try_later(&t("recipient-download-unavailable"));
        }
    };
    let name = match send.subject.trim() {
        "" => "files",
        subject => subject,
    };
    let archive = library::zip::of_paths(&app, name, items).await;
    let account = send.user_id;
    let who = Downloader::new(0, ip).recipient(send.id, &link.email);
    let (lib, link, send) = (app.clone(), Arc::new(link), Arc::new(send));
    let receipt: FileHook = Arc::new(move |file, bytes| {
        let (lib, link, send) = (lib.clone(), link.clone(), send.clone());
        Box::pin(async move {
            // The sender's receipt mail: English, outside any request.
            let size = human_size(file.size);
            file_send::delivered(&lib, &link, &send, &file, bytes, &size).await;
        })
    });
    let taker = ZipTaker {
        account,
        who,
        on_file: Some(receipt),
    };
    crate::transfer::zip::respond(&app, &method, &headers, archive.map(Some), taker).await
}
