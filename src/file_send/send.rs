//! `send_files_prep`, `file_send` and `user_info`.

use std::collections::HashSet;

use axum::http::StatusCode;

use super::{groups, Answer, Call, FsError, FsResult};
use crate::api::envelope::Node;
use crate::db::files::{is_id, File, Folder, ROOT};
use crate::db::now;
use crate::library::mail::{self, Link, Sender};
use crate::mail::valid_email;
use crate::secrets::{hash_secret, random_string, LOWER_ALNUM};
use crate::state::AppState;

/// Longest link lifetime, and the default (days).
pub const MAX_LINK_DAYS: i64 = 15;
/// How long a file preparation stays usable.
const PREP_TTL_SECS: i64 = 3600;
/// At or above this many non-user addresses, several files or any folder
/// need a file preparation.
const PREP_RECIPIENTS: usize = 3;
const MAX_IDS: usize = 1000;
const MAX_RECIPIENTS: usize = 1000;

/// A sent item, owned by the caller.
pub enum Item {
    File(Box<File>),
    Folder(Folder),
}

impl Item {
    fn id(&self) -> &str {
        match self {
            Item::File(f) => &f.id,
            Item::Folder(f) => &f.id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Item::File(f) => &f.name,
            Item::Folder(f) => &f.name,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Item::File(_) => "file",
            Item::Folder(_) => "folder",
        }
    }
}

fn list(value: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && seen.insert(s.to_string()))
        .map(str::to_string)
        .collect()
}

/// The caller's files and folders named by `file_id`; any other id is 403
/// (nothing is sent).
async fn items(c: &Call<'_>) -> FsResult<Vec<Item>> {
    let ids = list(c.params.get("file_id").unwrap_or(""));
    if ids.is_empty() {
        return Err(FsError::bad_request("file_id is required."));
    }
    if ids.len() > MAX_IDS {
        return Err(FsError::bad_request("Too many ids in file_id."));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        if !is_id(id) {
            return Err(FsError::forbidden());
        }
        if let Some(f) = c.app.db.own_file(c.user.id, id).await? {
            out.push(Item::File(Box::new(f)));
        } else if let Some(f) = c
            .app
            .db
            .folder(id)
            .await?
            .filter(|f| f.user_id == c.user.id)
        {
            out.push(Item::Folder(f));
        } else {
            return Err(FsError::forbidden());
        }
    }
    Ok(out)
}

/// The ids of a send, sorted: what a preparation is bound to.
fn canonical(items: &[Item]) -> String {
    let mut ids: Vec<&str> = items.iter().map(Item::id).collect();
    ids.sort_unstable();
    ids.join(",")
}

fn flag(c: &Call<'_>, name: &str) -> FsResult<bool> {
    match c.params.get(name).map(str::trim) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(FsError::bad_request(&format!("{name} must be 0 or 1."))),
    }
}

fn text<'a>(c: &'a Call<'_>, name: &str, max: usize) -> FsResult<&'a str> {
    let v = c.params.get(name).unwrap_or("");
    if v.chars().count() > max {
        return Err(FsError::bad_request(&format!("{name} is too long.")));
    }
    Ok(v)
}

/// `send_files_prep` (POST): a single-use id for sending these items to
/// many outside addresses.
pub async fn send_files_prep(c: &Call<'_>) -> FsResult<Answer> {
    let items = items(c).await?;
    let id = random_string(32, LOWER_ALNUM);
    sqlx::query("INSERT INTO file_preps (id, user_id, file_ids, expires) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(c.user.id)
        .bind(canonical(&items))
        .bind(now() + PREP_TTL_SECS)
        .execute(&c.app.db.pool)
        .await?;
    Ok(Answer {
        root: Node::text("file_preparation_id", id),
        list: false,
    })
}

/// One person a send goes to.
struct Recipient {
    email: String,
    user_id: Option<i64>,
}

/// `file_send` (POST).
pub async fn file_send(c: &Call<'_>) -> FsResult<Answer> {
    let items = items(c).await?;
    let require_login = flag(c, "require_login")?;
    let download_receipt = flag(c, "download_receipt")?;
    let days = match c.params.get("link_expiration").map(str::trim) {
        None | Some("") => MAX_LINK_DAYS,
        Some(v) => match v.parse::<i64>() {
            Ok(d) if (0..=MAX_LINK_DAYS).contains(&d) => d,
            Ok(d) if d > MAX_LINK_DAYS => {
                return Err(FsError::bad_request("link_expiration is at most 15 days."))
            }
            _ => {
                return Err(FsError::bad_request(
                    "link_expiration must be a number of days.",
                ))
            }
        },
    };
    let subject = text(c, "subject", 255)?;
    let message = text(c, "message", 10_000)?;

    let mut recipients: Vec<Recipient> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |r: Recipient, out: &mut Vec<Recipient>| {
        if seen.insert(r.email.to_lowercase()) {
            out.push(r);
        }
    };
    // Accounts, directly and through groups; unknown ids are ignored.
    let mut user_ids: Vec<i64> = list(c.params.get("user_ids").unwrap_or(""))
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let group_ids: Vec<i64> = list(c.params.get("user_group_ids").unwrap_or(""))
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    user_ids.extend(groups::members(&c.app.db, &group_ids).await?);
    for uid in user_ids {
        if let Some(u) = c.app.db.user_by_id(uid).await?.filter(|u| u.activated != 0) {
            add(
                Recipient {
                    email: u.email,
                    user_id: Some(u.id),
                },
                &mut recipients,
            );
        }
    }
    // Outside addresses; `require_login=1` nullifies them (they cannot log in).
    let outside = |name: &str| -> FsResult<Vec<String>> {
        if require_login {
            return Ok(Vec::new());
        }
        let emails = list(c.params.get(name).unwrap_or(""));
        if let Some(bad) = emails.iter().find(|e| !valid_email(e)) {
            return Err(FsError::bad_request(&format!(
                "{bad} is not a valid email address."
            )));
        }
        Ok(emails)
    };
    let non_users = outside("non_users")?;
    let bcc = outside("bcc")?;
    let files = items.iter().filter(|i| matches!(i, Item::File(_))).count();
    let folders = items.len() - files;
    if (files >= 2 || folders >= 1) && non_users.len() >= PREP_RECIPIENTS {
        use_preparation(c, &items).await?;
    }
    for email in non_users.into_iter().chain(bcc) {
        add(
            Recipient {
                email,
                user_id: None,
            },
            &mut recipients,
        );
    }
    if recipients.is_empty() {
        return Err(FsError::bad_request("There is no valid recipient."));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(FsError::bad_request("Too many recipients."));
    }

    let tokens = record(
        c,
        &items,
        &recipients,
        subject,
        message,
        require_login,
        download_receipt,
        days,
    )
    .await?;
    notify(
        c.app,
        &c.user,
        &items,
        &recipients,
        &tokens,
        subject,
        message,
    )
    .await;

    let mut infos = Vec::with_capacity(items.len());
    for item in &items {
        infos.push(file_info(c.app, c.user.id, item).await?);
    }
    Ok(if infos.len() == 1 {
        Answer {
            root: infos.remove(0),
            list: false,
        }
    } else {
        let mut root = Node::new("fileInfos");
        root.children = infos;
        Answer { root, list: true }
    })
}

/// Spends the `file_preparation_id` this send needs: it must be the
/// caller's, for the same ids, unused and unexpired.
async fn use_preparation(c: &Call<'_>, items: &[Item]) -> FsResult<()> {
    let Some(prep) = c
        .params
        .get("file_preparation_id")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return Err(FsError::bad_request(
            "Sending several files or a folder to three or more non-user addresses needs a file_preparation_id from send_files_prep.",
        ));
    };
    let ids = canonical(items);
    let spent = sqlx::query(
        "UPDATE file_preps SET used = 1 WHERE id = $1 AND user_id = $2 AND file_ids = $3 AND used = 0 AND expires > $4",
    )
    .bind(prep)
    .bind(c.user.id)
    .bind(&ids)
    .bind(now())
    .execute(&c.app.db.pool)
    .await?;
    if spent.rows_affected() == 1 {
        return Ok(());
    }
    let row: Option<(i64, String, i64, i64)> =
        sqlx::query_as("SELECT user_id, file_ids, used, expires FROM file_preps WHERE id = $1")
            .bind(prep)
            .fetch_optional(&c.app.db.pool)
            .await?;
    Err(match row {
        Some((uid, _, used, _)) if uid == c.user.id && used != 0 => FsError::new(
            StatusCode::CONFLICT,
            "File preparation already used",
            "Call send_files_prep again.",
        ),
        Some((uid, list, _, expires)) if uid == c.user.id && list != ids && expires > now() => {
            FsError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "File preparation does not match",
                "The file_preparation_id was made for other files.",
            )
        }
        _ => FsError::new(
            StatusCode::NOT_FOUND,
            "Unknown file preparation",
            "The file_preparation_id is unknown or has expired.",
        ),
    })
}

/// Stores the send and one link per recipient, in one transaction; the
/// links' tokens (only their hashes are stored).
#[allow(clippy::too_many_arguments)]
async fn record(
    c: &Call<'_>,
    items: &[Item],
    recipients: &[Recipient],
    subject: &str,
    message: &str,
    require_login: bool,
    download_receipt: bool,
    days: i64,
) -> FsResult<Vec<String>> {
    let t = now();
    let mut tx = c.app.db.pool.begin().await?;
    let send_id: i64 = sqlx::query_scalar(
        "INSERT INTO sends (user_id, subject, message, require_login, download_receipt, created) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(c.user.id)
    .bind(subject)
    .bind(message)
    .bind(require_login as i64)
    .bind(download_receipt as i64)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    for item in items {
        sqlx::query("INSERT INTO send_items (send_id, kind, item_id) VALUES ($1, $2, $3)")
            .bind(send_id)
            .bind(item.kind())
            .bind(item.id())
            .execute(&mut *tx)
            .await?;
    }
    let expires = if days == 0 { 0 } else { t + days * 86_400 };
    let mut tokens = Vec::with_capacity(recipients.len());
    for r in recipients {
        let token = random_string(32, LOWER_ALNUM);
        sqlx::query(
            "INSERT INTO send_links (token_hash, send_id, email, user_id, expires) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_secret(&token))
        .bind(send_id)
        .bind(&r.email)
        .bind(r.user_id)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        tokens.push(token);
    }
    tx.commit().await?;
    Ok(tokens)
}

/// One mail per recipient with their own link, through the mail queue.
async fn notify(
    app: &AppState,
    sender: &crate::db::users::User,
    items: &[Item],
    recipients: &[Recipient],
    tokens: &[String],
    subject: &str,
    message: &str,
) {
    let what = match items {
        [Item::File(_)] => "a file".to_string(),
        [Item::Folder(_)] => "a folder".to_string(),
        _ => format!("{} items", items.len()),
    };
    let names: Vec<&str> = items.iter().map(Item::name).collect();
    let sender = Sender::from(sender);
    for (r, token) in recipients.iter().zip(tokens) {
        let links = [Link {
            name: names.join(", "),
            url: app.url(&format!("/s/{token}")),
        }];
        let share = mail::Share {
            what: &what,
            links: &links,
            message,
            subject: Some(subject),
        };
        if let Err(e) = mail::send_share(app, &sender, std::slice::from_ref(&r.email), &share).await
        {
            tracing::warn!(error = %format!("{e:#}"), "queueing a file_send mail");
        }
    }
}

/// The path of a folder (`/` for the root, `/a/b` below it).
pub async fn folder_path(app: &AppState, user_id: i64, folder_id: &str) -> sqlx::Result<String> {
    let mut parts = Vec::new();
    let mut current = folder_id.to_string();
    for _ in 0..64 {
        if current == ROOT || current.is_empty() {
            break;
        }
        match app
            .db
            .folder(&current)
            .await?
            .filter(|f| f.user_id == user_id)
        {
            Some(f) => {
                parts.push(f.name);
                current = f.parent_id;
            }
            None => break,
        }
    }
    parts.reverse();
    Ok(format!("/{}", parts.join("/")))
}

/// `<fileInfo><fileId/><path/><fileName/></fileInfo>`; a folder's path is
/// its parent's.
async fn file_info(app: &AppState, user_id: i64, item: &Item) -> FsResult<Node> {
    let parent = match item {
        Item::File(f) => &f.folder_id,
        Item::Folder(f) => &f.parent_id,
    };
    Ok(Node::new("fileInfo")
        .child(Node::text("fileId", item.id()))
        .child(Node::text("path", folder_path(app, user_id, parent).await?))
        .child(Node::text("fileName", item.name())))
}

/// `user_info` (GET): who the credentials belong to.
pub async fn user_info(c: &Call<'_>) -> FsResult<Answer> {
    Ok(Answer {
        root: Node::new("userInfo")
            .child(Node::text("userId", c.user.id))
            .child(Node::text("userName", &c.user.user_name))
            .child(Node::text("email", &c.user.email)),
        list: false,
    })
}
