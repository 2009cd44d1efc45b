//! `send_files_prep`, `file_send` and `user_info`: their parameters, in
//! the order the API checks them, and their answers. The sends themselves
//! are `library::file_send`.

use std::collections::HashSet;

use axum::http::StatusCode;

use super::{Answer, Call, FsError, FsResult};
use crate::library::file_send::{self, Item, Options, PrepRefused, Recipient};
use crate::library::groups;
use crate::mail::valid_email;
use crate::state::AppState;
use dropspace_proto::envelope::Node;

/// Longest link lifetime, and the default (days).
pub const MAX_LINK_DAYS: i64 = 15;
/// At or above this many non-user addresses, several files or any folder
/// need a file preparation.
const PREP_RECIPIENTS: usize = 3;
const MAX_IDS: usize = 1000;
const MAX_RECIPIENTS: usize = 1000;

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
    Ok(file_send::owned_items(&c.app.db, c.user.id, &ids).await?)
}

pub(super) fn flag(c: &Call<'_>, name: &str) -> FsResult<bool> {
    match c.params.get(name).map(str::trim) {
        None | Some("") | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(FsError::bad_request(&format!("{name} must be 0 or 1."))),
    }
}

pub(super) fn text<'a>(c: &'a Call<'_>, name: &str, max: usize) -> FsResult<&'a str> {
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
    let id = file_send::prepare(&c.app.db, c.user.id, &items).await?;
    Ok(Answer {
        root: Node::text("file_preparation_id", id),
        list: false,
    })
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
    for r in file_send::account_recipients(&c.app.db, &user_ids).await? {
        add(r, &mut recipients);
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

    let options = Options {
        subject,
        message,
        require_login,
        download_receipt,
        days,
    };
    file_send::send(c.app, &c.user, &items, &recipients, &options).await?;

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

/// Spends the `file_preparation_id` this send needs.
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
    match file_send::spend_preparation(&c.app.db, c.user.id, prep, items).await? {
        Ok(()) => Ok(()),
        Err(PrepRefused::AlreadyUsed) => Err(FsError::new(
            StatusCode::CONFLICT,
            "File preparation already used",
            "Call send_files_prep again.",
        )),
        Err(PrepRefused::Mismatch) => Err(FsError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "File preparation does not match",
            "The file_preparation_id was made for other files.",
        )),
        Err(PrepRefused::Unknown) => Err(FsError::new(
            StatusCode::NOT_FOUND,
            "Unknown file preparation",
            "The file_preparation_id is unknown or has expired.",
        )),
    }
}

/// `<fileInfo><fileId/><path/><fileName/></fileInfo>`; a folder's path is
/// its parent's.
async fn file_info(app: &AppState, user_id: i64, item: &Item) -> FsResult<Node> {
    let path = file_send::folder_path(&app.db, user_id, item.parent()).await?;
    Ok(Node::new("fileInfo")
        .child(Node::text("fileId", item.id()))
        .child(Node::text("path", path))
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
