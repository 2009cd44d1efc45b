//! Who downloaded and the signed delivery receipts, for senders
//! (docs/receipts.md, docs/file-send.md): `delivery_receipts`,
//! `delivery_receipt`, `download_log`; and the receipts' public key at
//! `/.well-known/dropspace-receipt-key` (PEM) and `…-key.json`.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::{Answer, Call, FsError, FsResult};
use crate::db::download_log::{Download, StoredReceipt};
use crate::library::{delivery, receipts};
use crate::state::App;
use dropspace_proto::envelope::Node;

/// A numeric parameter, 0 when absent.
fn number(c: &Call<'_>, name: &str) -> FsResult<i64> {
    match c.params.get(name).map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| FsError::bad_request(&format!("{name} must be a positive number."))),
    }
}

fn id_param<'a>(c: &'a Call<'_>, name: &str) -> &'a str {
    c.params.get(name).map(str::trim).unwrap_or("")
}

/// `<receipt>`: what it states, and the receipt file (`file`).
fn receipt_node(c: &Call<'_>, r: &StoredReceipt) -> Node {
    let mut node = Node::new("receipt")
        .child(Node::text("id", &r.id))
        .child(Node::text("send_id", r.send_id))
        .child(Node::text("file_id", &r.file_id))
        .child(Node::text("delivered_at", r.at));
    if let Some(f) = receipts::facts_of(r) {
        node = node
            .child(Node::text("recipient", f.recipient))
            .child(Node::text("size", f.size))
            .child(Node::text("bytes_delivered", f.bytes_delivered));
    }
    node.child(file_node(c, r))
}

/// The receipt file itself: save the JSON object as it is.
fn file_node(c: &Call<'_>, r: &StoredReceipt) -> Node {
    let f = receipts::file_of(c.app, r);
    Node::new("receipt_file")
        .child(Node::text("algorithm", f.algorithm))
        .child(Node::text("key_id", f.key_id))
        .child(Node::text("receipt", f.receipt))
        .child(Node::text("signature", f.signature))
}

/// `delivery_receipts` (GET): the caller's receipts, newest first;
/// optionally of one send (`send_id`) or one file (`file_id`).
pub async fn delivery_receipts(c: &Call<'_>) -> FsResult<Answer> {
    let send_id = number(c, "send_id")?;
    let list = receipts::list(c.app, c.user.id, send_id, id_param(c, "file_id")).await?;
    let mut root = Node::new("receipts");
    root.children = list.iter().map(|r| receipt_node(c, r)).collect();
    Ok(Answer { root, list: false })
}

/// `delivery_receipt` (GET): one receipt file by `receipt_id`.
pub async fn delivery_receipt(c: &Call<'_>) -> FsResult<Answer> {
    let id = id_param(c, "receipt_id");
    if id.is_empty() {
        return Err(FsError::bad_request("receipt_id is required."));
    }
    let r = receipts::get(c.app, c.user.id, id).await?;
    Ok(Answer {
        root: file_node(c, &r),
        list: false,
    })
}

/// `<download>` of the log.
pub fn download_node(d: &Download) -> Node {
    Node::new("download")
        .child(Node::text("file_id", &d.file_id))
        .child(Node::text("time", d.at))
        .child(Node::text("bytes", d.bytes))
        .child(Node::text("recipient", &d.recipient))
        .child(Node::text("send_id", d.send_id))
        .child(Node::text("ip", &d.client_ip))
}

/// `download_log` (GET): the completed downloads of one of the caller's
/// files (`file_id`) or through the links of one send (`send_id`).
pub async fn download_log(c: &Call<'_>) -> FsResult<Answer> {
    let send_id = number(c, "send_id")?;
    let file_id = id_param(c, "file_id");
    let rows = match (send_id, file_id) {
        (0, "") => return Err(FsError::bad_request("file_id or send_id is required.")),
        (0, id) => delivery::of_file(c.app, c.user.id, id).await?.1,
        (send, _) => delivery::of_send(c.app, c.user.id, send).await?,
    };
    let mut root = Node::new("downloads");
    root.children = rows.iter().map(download_node).collect();
    Ok(Answer { root, list: false })
}

/// `GET /.well-known/dropspace-receipt-key`: the public key as PEM (SPKI).
pub async fn public_key(State(app): State<App>) -> Response {
    let key = receipts::public_key(&app.secrets);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-pem-file"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        receipts::public_key_pem(&key),
    )
        .into_response()
}

/// `GET /.well-known/dropspace-receipt-key.json`: the same key with its id,
/// raw (base64) and as PEM.
pub async fn public_key_json(State(app): State<App>) -> Response {
    let key = receipts::public_key(&app.secrets);
    let body = serde_json::json!({
        "algorithm": "Ed25519",
        "key_id": receipts::key_id(&key),
        "public_key": base64::engine::general_purpose::STANDARD.encode(key.as_bytes()),
        "pem": receipts::public_key_pem(&key),
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}
