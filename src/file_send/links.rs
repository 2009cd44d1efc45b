//! The recipients' side of `file_send`: `/s/{token}` lists what was sent
//! (a folder's files included) with a download link per file; downloads go
//! through the transfer path (Range, counting, the sender's bandwidth).
//! A link expires as the sender set. With `require_login=1` the page asks
//! for the recipient's own account (web login, argon2) and refuses anyone
//! else; the proof is a signed cookie bound to this link, so any node can
//! check it. With `download_receipt=1` the sender is mailed once per
//! recipient, at the first download.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

use crate::db::files::{is_id, File, Folder, FILE_COLUMNS, FOLDER_COLUMNS, ROOT};
use crate::db::now;
use crate::http::html::human_size;
use crate::http::html::{esc, not_found, page, try_later};
use crate::mail::Mail;
use crate::pages::web::{password_login, PasswordLogin};
use crate::secrets::hash_secret;
use crate::state::{App, AppState};

/// How long a recipient's web login lasts.
const LOGIN_SECS: i64 = 12 * 3600;
const COOKIE: &str = "ds_recipient";
/// Most files a page lists from sent folders.
const MAX_LISTED: usize = 10_000;

#[derive(sqlx::FromRow)]
struct Link {
    token_hash: String,
    send_id: i64,
    email: String,
    user_id: Option<i64>,
    expires: i64,
}

#[derive(sqlx::FromRow)]
struct Send {
    id: i64,
    user_id: i64,
    subject: String,
    message: String,
    require_login: i64,
    download_receipt: i64,
}

/// The link and its send; a page to answer with when it is unknown (404)
/// or expired (410).
async fn load(app: &AppState, token: &str) -> Result<(Link, Send), Response> {
    let fail = |e: sqlx::Error| {
        tracing::error!(error = %e, "recipient link");
        try_later("This link cannot be opened right now.")
    };
    let link: Link = sqlx::query_as(
        "SELECT token_hash, send_id, email, user_id, expires FROM send_links WHERE token_hash = $1",
    )
    .bind(hash_secret(token.trim()))
    .fetch_optional(&app.db.pool)
    .await
    .map_err(fail)?
    .ok_or_else(not_found)?;
    if link.expires > 0 && link.expires < now() {
        return Err(page(
            StatusCode::GONE,
            "Link expired",
            "<p>This link has expired. Ask the sender to send the files again.</p>",
        ));
    }
    let send: Send = sqlx::query_as(
        "SELECT id, user_id, subject, message, require_login, download_receipt FROM sends WHERE id = $1",
    )
    .bind(link.send_id)
    .fetch_optional(&app.db.pool)
    .await
    .map_err(fail)?
    .ok_or_else(not_found)?;
    Ok((link, send))
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
    if send.require_login != 0 && !logged_in(app, &link, headers) {
        return Err(login_form(app, &link, token, locked, ""));
    }
    Ok((link, send))
}

fn csrf(app: &AppState, link: &Link) -> String {
    app.secrets.sign(&format!("csrf:{}", link.token_hash))
}

fn login_form(
    app: &AppState,
    link: &Link,
    token: &str,
    status: StatusCode,
    note: &str,
) -> Response {
    page(
        status,
        "Log in to see the files",
        &format!(
            "{note}<p>These files were sent to your account. Log in to see them.</p>\
             <form method=\"post\" action=\"/s/{}/login\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <p><label>User name <input name=\"user_name\" autocomplete=\"username\" required></label></p>\
             <p><label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label></p>\
             <p><button class=\"btn\" type=\"submit\">Log in</button></p></form>",
            esc(token),
            esc(&csrf(app, link)),
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
    let files = match contents(&app, &send).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "listing a send");
            return try_later("This link cannot be opened right now.");
        }
    };
    let mut rows = String::new();
    for (path, f) in &files {
        rows.push_str(&format!(
            "<tr><td><a href=\"/s/{}/f/{}\">{}{}</a></td><td>{}</td></tr>\n",
            esc(&token),
            esc(&f.id),
            esc(path),
            esc(&f.name),
            esc(&human_size(f.size)),
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"2\">Nothing is left to download.</td></tr>\n");
    }
    let message = if send.message.trim().is_empty() {
        String::new()
    } else {
        format!(
            "<blockquote style=\"white-space:pre-wrap\">{}</blockquote>",
            esc(send.message.trim())
        )
    };
    let title = if send.subject.trim().is_empty() {
        "Files sent to you"
    } else {
        send.subject.trim()
    };
    page(
        StatusCode::OK,
        title,
        &format!(
            "<p>For {}</p>{message}<table><thead><tr><th>File</th><th>Size</th></tr></thead><tbody>\n{rows}</tbody></table>",
            esc(&link.email)
        ),
    )
}

/// `POST /s/{token}/login`: the recipient's own account, or nothing.
pub async fn login(
    State(app): State<App>,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
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
            "<p><b>The form expired; try again.</b></p>",
        );
    }
    let ip = crate::http::client_ip(&app.cfg, &headers, peer);
    let user = match password_login(&app, field("user_name"), field("password"), ip).await {
        PasswordLogin::Ok(u) => u,
        PasswordLogin::Wait(wait) => {
            return login_form(
                &app,
                &link,
                &token,
                StatusCode::TOO_MANY_REQUESTS,
                &format!("<p><b>Too many failed logins; wait {wait} seconds.</b></p>"),
            )
        }
        PasswordLogin::Wrong => {
            return login_form(
                &app,
                &link,
                &token,
                StatusCode::FORBIDDEN,
                "<p><b>Wrong user name or password.</b></p>",
            )
        }
        PasswordLogin::Unavailable => return try_later("Logging in is not possible right now."),
    };
    if link.user_id != Some(user.id) {
        return page(
            StatusCode::FORBIDDEN,
            "Not for this account",
            "<p>These files were sent to another user. Only that user can open this link.</p>",
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

/// `GET|HEAD /s/{token}/f/{file_id}`: a file of this send.
pub async fn download(
    State(app): State<App>,
    Path((token, file_id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let (link, send) = match open(&app, &token, &headers, StatusCode::FORBIDDEN).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let file = match sent_file(&app, &send, &file_id).await {
        Ok(Some(f)) => f,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "recipient download");
            return try_later("This file cannot be downloaded right now.");
        }
    };
    let (resp, counted) =
        crate::transfer::serve::respond(&app, &method, &headers, &file, send.user_id).await;
    if counted && resp.status().is_success() {
        receipt(&app, &link, &send, &file).await;
    }
    resp
}

/// Mails the sender when this recipient downloads for the first time: the
/// first download claims the link's `first_download` in one statement.
async fn receipt(app: &AppState, link: &Link, send: &Send, file: &File) {
    let claimed = sqlx::query(
        "UPDATE send_links SET first_download = $1 WHERE token_hash = $2 AND first_download = 0",
    )
    .bind(now())
    .bind(&link.token_hash)
    .execute(&app.db.pool)
    .await;
    let first = matches!(claimed, Ok(r) if r.rows_affected() == 1);
    if !first || send.download_receipt == 0 {
        return;
    }
    let Ok(Some(sender)) = app.db.user_by_id(send.user_id).await else {
        return;
    };
    let mail = Mail {
        to: sender.email,
        subject: format!("{} downloaded {}", link.email, file.name),
        text: format!(
            "Hello,\n\n{} downloaded {} ({}) for the first time.\n",
            link.email,
            file.name,
            human_size(file.size)
        ),
        html: None,
        reply_to: None,
        from_name: None,
    };
    if let Err(e) = app.mail.send(mail).await {
        tracing::warn!(error = %format!("{e:#}"), "queueing a download receipt");
    }
}

/// The send's items: (file ids, folder ids).
async fn items(app: &AppState, send: &Send) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, item_id FROM send_items WHERE send_id = $1 ORDER BY kind, item_id",
    )
    .bind(send.id)
    .fetch_all(&app.db.pool)
    .await?;
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for (kind, id) in rows {
        if kind == "file" {
            files.push(id);
        } else {
            folders.push(id);
        }
    }
    Ok((files, folders))
}

/// Everything the page lists, with each file's path inside what was sent.
async fn contents(app: &AppState, send: &Send) -> sqlx::Result<Vec<(String, File)>> {
    let (file_ids, folder_ids) = items(app, send).await?;
    let mut out = Vec::new();
    for id in file_ids {
        if let Some(f) = app.db.own_file(send.user_id, &id).await? {
            out.push((String::new(), f));
        }
    }
    for id in folder_ids {
        let Some(top) = app
            .db
            .folder(&id)
            .await?
            .filter(|f| f.user_id == send.user_id)
        else {
            continue;
        };
        let mut queue = vec![(format!("{}/", top.name), top.id)];
        while let Some((prefix, folder)) = queue.pop() {
            if out.len() >= MAX_LISTED {
                return Ok(out);
            }
            let files: Vec<File> = sqlx::query_as(&format!(
                "SELECT {FILE_COLUMNS} FROM files WHERE user_id = $1 AND folder_id = $2 ORDER BY name, id"
            ))
            .bind(send.user_id)
            .bind(&folder)
            .fetch_all(&app.db.pool)
            .await?;
            out.extend(files.into_iter().map(|f| (prefix.clone(), f)));
            let subs: Vec<Folder> = sqlx::query_as(&format!(
                "SELECT {FOLDER_COLUMNS} FROM folders WHERE user_id = $1 AND parent_id = $2 ORDER BY name DESC, id"
            ))
            .bind(send.user_id)
            .bind(&folder)
            .fetch_all(&app.db.pool)
            .await?;
            queue.extend(
                subs.into_iter()
                    .map(|s| (format!("{prefix}{}/", s.name), s.id)),
            );
        }
    }
    Ok(out)
}

/// The file `id` if it is part of the send now: sent itself, or inside a
/// sent folder (at any depth).
async fn sent_file(app: &AppState, send: &Send, id: &str) -> sqlx::Result<Option<File>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(file) = app.db.own_file(send.user_id, id).await? else {
        return Ok(None);
    };
    let (file_ids, folder_ids) = items(app, send).await?;
    if file_ids.iter().any(|f| f == id) {
        return Ok(Some(file));
    }
    let sent: HashSet<String> = folder_ids.into_iter().collect();
    let mut current = file.folder_id.clone();
    for _ in 0..64 {
        if current == ROOT {
            break;
        }
        if sent.contains(&current) {
            return Ok(Some(file));
        }
        match app.db.folder(&current).await? {
            Some(f) if f.user_id == send.user_id => current = f.parent_id,
            _ => break,
        }
    }
    Ok(None)
}
