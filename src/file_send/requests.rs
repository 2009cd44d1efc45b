//! `file_request_create`, `file_request_list` and `file_request_close`
//! (docs/file-requests.md): an account's file requests through the signed
//! API. The rules are `library::requests`.

use super::send::{flag, text};
use super::{Answer, Call, FsError, FsResult};
use crate::db::file_requests::FileRequest;
use crate::library::requests::{self, New, State};
use crate::library::{MAX_NAME, MAX_TEXT};
use dropspace_proto::envelope::Node;

/// A whole number of at least 0; absent or empty is 0.
fn count(c: &Call<'_>, name: &str) -> FsResult<i64> {
    match c.params.get(name).map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            FsError::bad_request(&format!("{name} must be a whole number of at least 0."))
        }),
    }
}

/// `file_request_create` (POST).
pub async fn create(c: &Call<'_>) -> FsResult<Answer> {
    let new = New {
        folder_id: text(c, "folder_id", 64)?.trim().to_string(),
        title: text(c, "title", MAX_NAME)?.to_string(),
        message: text(c, "message", MAX_TEXT)?.to_string(),
        password: text(c, "password", MAX_NAME)?.to_string(),
        expires_in: count(c, "expires_in")?,
        max_files: count(c, "max_files")?,
        max_bytes: count(c, "max_bytes")?,
        max_file_size: count(c, "max_file_size")?,
        notify: flag(c, "notify")?,
        encrypted: flag(c, "encrypted")?,
    };
    let r = requests::create(c.app, &c.user, &new).await?;
    Ok(Answer {
        root: node(c, &r),
        list: false,
    })
}

/// `file_request_list` (GET): the caller's requests, newest first.
pub async fn list(c: &Call<'_>) -> FsResult<Answer> {
    let all = requests::of_user(c.app, c.user.id).await?;
    let mut root = Node::new("fileRequests").attr("count", all.len());
    root.children = all.iter().map(|r| node(c, r)).collect();
    Ok(Answer { root, list: false })
}

/// `file_request_close` (POST, `request_id`).
pub async fn close(c: &Call<'_>) -> FsResult<Answer> {
    let id = c.params.get("request_id").unwrap_or("").trim();
    if id.is_empty() {
        return Err(FsError::bad_request("Parameter missing: request_id"));
    }
    requests::close(c.app, c.user.id, id).await?;
    let r = requests::find(c.app, id)
        .await?
        .ok_or_else(FsError::forbidden)?;
    Ok(Answer {
        root: node(c, &r),
        list: false,
    })
}

fn node(c: &Call<'_>, r: &FileRequest) -> Node {
    let state = match requests::state(r) {
        State::Open => "open",
        State::Closed => "closed",
        State::Expired => "expired",
        State::Full => "full",
    };
    Node::new("fileRequest")
        .child(Node::text("requestId", &r.id))
        .child(Node::text("url", requests::url(c.app, r)))
        .child(Node::text("title", &r.title))
        .child(Node::text("message", &r.message))
        .child(Node::text("folderId", &r.folder_id))
        .child(Node::text("state", state))
        .child(Node::text(
            "hasPassword",
            u8::from(requests::has_password(r)),
        ))
        .child(Node::text("expires", r.expires))
        .child(Node::text("maxFiles", r.max_files))
        .child(Node::text("maxBytes", r.max_bytes))
        .child(Node::text("maxFileSize", r.max_file_size))
        .child(Node::text("notify", u8::from(r.notify())))
        .child(Node::text("encrypted", u8::from(r.encrypted())))
        .child(Node::text("filesReceived", r.files_taken))
        .child(Node::text("bytesReceived", r.bytes_taken))
        .child(Node::text("created", r.created))
}
