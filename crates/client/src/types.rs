//! What the methods answer, as plain structs (all `Serialize`, so a program
//! can hand them on as JSON).

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::xml::Element;

/// `auth.login`: the session and the account's figures.
#[derive(Clone, Debug, Serialize)]
pub struct LoginInfo {
    /// The session key; a secret, so never serialized.
    #[serde(skip_serializing)]
    pub session_key: String,
    pub email: String,
    /// `lite`, `pro` or `max`.
    pub membership_type: String,
    /// Unix seconds; 0 when it does not end.
    pub membership_ends: i64,
    pub capable_upload: bool,
    pub capable_download: bool,
    pub capable_folders: bool,
    pub capable_files: bool,
    /// Bytes; -1 is unlimited.
    pub bandwidth_left: i64,
    /// Bytes; -1 is unlimited.
    pub diskspace_left: i64,
}

impl LoginInfo {
    pub(crate) fn from_result(r: &Element) -> LoginInfo {
        LoginInfo {
            session_key: r.text_of("session_key").to_string(),
            email: r.text_of("email").to_string(),
            membership_type: r.text_of("membership_type").to_string(),
            membership_ends: r.int_of("membership_ends"),
            capable_upload: r.int_of("capable_upload") == 1,
            capable_download: r.int_of("capable_download") == 1,
            capable_folders: r.int_of("capable_folders") == 1,
            capable_files: r.int_of("capable_files") == 1,
            bandwidth_left: r.int_of("bandwidth_left"),
            diskspace_left: r.int_of("diskspace_left"),
        }
    }
}

/// `auth.checkSession`.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    /// `ok` for a live session.
    pub session: String,
    pub bandwidth_left: i64,
    pub diskspace_left: i64,
}

/// `upload.getInfo` / `anonymous.uploadGetInfo`: where and how to POST
/// one file. The identifier is single-use.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UploadInfo {
    pub url: String,
    pub progress_url: String,
    /// Bytes; -1 is unlimited.
    pub max_file_size: i64,
    pub upload_identifier: String,
    pub extra_info: String,
}

impl UploadInfo {
    pub(crate) fn from_element(e: &Element) -> UploadInfo {
        UploadInfo {
            url: e.attr("url").to_string(),
            progress_url: e.attr("progress_url").to_string(),
            max_file_size: e.int("max_file_size"),
            upload_identifier: e.attr("upload_identifier").to_string(),
            extra_info: e.attr("extra_info").to_string(),
        }
    }
}

/// The `<progress>` document of an upload's `progress_url`.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    /// `ok` (running or not started), `done` or `fail`.
    pub status: String,
    /// `HH:MM:SS`.
    pub eta: String,
    /// KB/s.
    pub speed: u64,
    pub uploaded_bytes: u64,
    pub total_size: u64,
    /// `HH:MM:SS`.
    pub elapsed: String,
    /// 0–100.
    pub meter: u64,
}

impl Progress {
    pub(crate) fn from_element(e: &Element) -> Progress {
        let n = |name: &str| e.int_of(name).max(0) as u64;
        Progress {
            status: e.text_of("status").to_string(),
            eta: e.text_of("eta").to_string(),
            speed: n("speed"),
            uploaded_bytes: n("uploaded_bytes"),
            total_size: n("total_size"),
            elapsed: e.text_of("elapsed").to_string(),
            meter: n("meter"),
        }
    }
}

/// What a finished upload reports. Session uploads answer the account's
/// figures, anonymous ones the download and delete URLs.
#[derive(Clone, Debug, Serialize)]
pub struct Uploaded {
    pub file_id: String,
    pub download_url: Option<String>,
    pub delete_url: Option<String>,
    pub bandwidth_left: Option<i64>,
    pub diskspace_left: Option<i64>,
}

/// `download.getInfo`: a (signed, expiring) direct URL for the bytes.
#[derive(Clone, Debug, Serialize)]
pub struct DownloadInfo {
    pub file_id: String,
    pub name: String,
    pub url: String,
    pub file_size: u64,
}

impl DownloadInfo {
    pub(crate) fn from_element(e: &Element) -> DownloadInfo {
        DownloadInfo {
            file_id: e.attr("file_id").to_string(),
            name: e.attr("name").to_string(),
            url: e.attr("url").to_string(),
            file_size: e.int("file_size").max(0) as u64,
        }
    }
}

/// A file as `files.getInfo`, `files.setInfo` and `folders.getContents`
/// describe it.
#[derive(Clone, Debug, Serialize)]
pub struct FileInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The download password (shown to the owner only).
    pub password: String,
    pub folder_id: String,
    pub download_page_url: String,
    pub direct_download_url: String,
    /// Unix seconds.
    pub upload_time: i64,
    pub file_size: u64,
    pub downloads: u64,
    /// Seconds (as set); 0 none.
    pub time_limit: i64,
    /// Total downloads allowed; 0 none.
    pub download_limit: i64,
    /// 0 none, 1 block, 2 delete, 3 move to `limit_action_to_folder`.
    pub limit_action: i64,
    pub limit_action_to_folder: String,
    /// 1.2 sessions only.
    pub delete_url: Option<String>,
}

impl FileInfo {
    pub(crate) fn from_element(e: &Element) -> FileInfo {
        let s = |name: &str| e.attr(name).to_string();
        FileInfo {
            id: s("id"),
            name: s("name"),
            description: s("description"),
            password: s("password"),
            folder_id: s("folder_id"),
            download_page_url: s("download_page_url"),
            direct_download_url: s("direct_download_url"),
            upload_time: e.int("upload_time"),
            file_size: e.int("file_size").max(0) as u64,
            downloads: e.int("downloads").max(0) as u64,
            time_limit: e.int("time_limit"),
            download_limit: e.int("download_limit"),
            limit_action: e.int("limit_action"),
            limit_action_to_folder: s("limit_action_to_folder"),
            delete_url: e.has_attr("delete_url").then(|| s("delete_url")),
        }
    }
}

/// A folder (`folders.create`, `getAll`, `getContents`, `setInfo`).
#[derive(Clone, Debug, Serialize)]
pub struct Folder {
    pub id: String,
    pub name: String,
    pub shared: bool,
    /// The shared folder's page; empty when private.
    pub public_url: String,
    pub rss_url: String,
    pub parent_folder_id: String,
}

impl Folder {
    pub(crate) fn from_element(e: &Element) -> Folder {
        Folder {
            id: e.attr("id").to_string(),
            name: e.attr("name").to_string(),
            shared: e.int("shared") == 1,
            public_url: e.attr("public_url").to_string(),
            rss_url: e.attr("rss_url").to_string(),
            parent_folder_id: e.attr("parent_folder_id").to_string(),
        }
    }
}

/// `folders.getInfo`: the folder and its totals.
#[derive(Clone, Debug, Serialize)]
pub struct FolderInfo {
    #[serde(flatten)]
    pub folder: Folder,
    pub total_files: u64,
    pub total_size: u64,
    pub total_folders: u64,
}

/// `folders.getContents`: the sub-folders and files of one folder.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FolderContents {
    pub folders: Vec<Folder>,
    pub files: Vec<FileInfo>,
}

/// An entry of `folders.getShared` (another user's shared folder).
#[derive(Clone, Debug, Serialize)]
pub struct SharedFolder {
    pub id: String,
    pub name: String,
    pub parent_folder_id: String,
}

/// A file of `folders.getShared`.
#[derive(Clone, Debug, Serialize)]
pub struct SharedFile {
    pub id: String,
    pub name: String,
    pub description: String,
    pub folder_id: String,
    pub upload_time: i64,
    pub file_size: u64,
}

/// `folders.getShared`.
#[derive(Clone, Debug, Serialize)]
pub struct SharedContents {
    pub current: SharedFolder,
    pub folders: Vec<SharedFolder>,
    pub files: Vec<SharedFile>,
}

impl SharedContents {
    pub(crate) fn from_result(r: &Element) -> SharedContents {
        let folder = |e: &Element| SharedFolder {
            id: e.attr("id").to_string(),
            name: e.attr("name").to_string(),
            parent_folder_id: e.attr("parent_folder_id").to_string(),
        };
        SharedContents {
            current: r.child("current").map(folder).unwrap_or(SharedFolder {
                id: String::new(),
                name: String::new(),
                parent_folder_id: String::new(),
            }),
            folders: r.all("folder").map(folder).collect(),
            files: r
                .all("file")
                .map(|e| SharedFile {
                    id: e.attr("id").to_string(),
                    name: e.attr("name").to_string(),
                    description: e.attr("description").to_string(),
                    folder_id: e.attr("folder_id").to_string(),
                    upload_time: e.int("upload_time"),
                    file_size: e.int("file_size").max(0) as u64,
                })
                .collect(),
        }
    }
}

/// An address book entry.
#[derive(Clone, Debug, Serialize)]
pub struct Contact {
    pub email: String,
    pub name: String,
    pub description: String,
    /// 0 added by the user, 1 collected from mail sent.
    #[serde(rename = "type")]
    pub kind: u8,
}

impl Contact {
    pub(crate) fn from_element(e: &Element) -> Contact {
        Contact {
            email: e.attr("email").to_string(),
            name: e.attr("name").to_string(),
            description: e.attr("description").to_string(),
            kind: u8::from(e.int("type") == 1),
        }
    }
}

/// An age public key an account publishes (dropspace's `keys.*`).
#[derive(Clone, Debug, Serialize)]
pub struct AgeKey {
    pub id: i64,
    pub public_key: String,
    pub label: String,
    pub created: String,
    /// Whose it is, as the lookup named them (`keys.lookup` only).
    pub user: String,
}

impl AgeKey {
    pub(crate) fn from_element(e: &Element) -> AgeKey {
        AgeKey {
            id: e.int("id"),
            public_key: e.attr("public_key").to_string(),
            label: e.attr("label").to_string(),
            created: e.attr("created").to_string(),
            user: e.attr("user").to_string(),
        }
    }
}

/// A webhook endpoint of the account (dropspace's `webhooks.*`).
#[derive(Clone, Debug, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// RFC 3339.
    pub created: String,
    /// RFC 3339; empty before any attempt.
    pub last_attempt: String,
    /// `200`, `HTTP 500` or the error of the last attempt; empty before any.
    pub last_status: String,
    /// Attempts of the delivery last attempted.
    pub attempts: i64,
    /// `whsec_…`: only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Webhook {
    pub(crate) fn from_element(e: &Element) -> Webhook {
        Webhook {
            id: e.int("id"),
            url: e.attr("url").to_string(),
            events: e
                .attr("events")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            created: e.attr("created").to_string(),
            last_attempt: e.attr("last_attempt").to_string(),
            last_status: e.attr("last_status").to_string(),
            attempts: e.int("attempts"),
            secret: e.has_attr("secret").then(|| e.attr("secret").to_string()),
        }
    }
}

/// A completed download of a file (`files.getDownloads`, a dropspace
/// extension).
#[derive(Clone, Debug, Serialize)]
pub struct DownloadRecord {
    /// Unix seconds.
    pub time: i64,
    pub bytes: i64,
    pub ip: String,
    /// The account whose link or login fetched it (0: none).
    pub account: i64,
    /// A file_send recipient's address ('' otherwise).
    pub recipient: String,
    pub send_id: i64,
}

impl DownloadRecord {
    pub(crate) fn from_element(e: &Element) -> DownloadRecord {
        DownloadRecord {
            time: e.int("time"),
            bytes: e.int("bytes"),
            ip: e.attr("ip").to_string(),
            account: e.int("account"),
            recipient: e.attr("recipient").to_string(),
            send_id: e.int("send_id"),
        }
    }
}

/// A signed delivery receipt (`files.getReceipts`, a dropspace extension).
#[derive(Clone, Debug, Serialize)]
pub struct ReceiptRecord {
    pub id: String,
    pub send_id: i64,
    pub recipient: String,
    /// Unix seconds.
    pub time: i64,
    /// The receipt file's JSON, to be saved as it is.
    pub file: String,
}

impl ReceiptRecord {
    pub(crate) fn from_element(e: &Element) -> ReceiptRecord {
        ReceiptRecord {
            id: e.attr("id").to_string(),
            send_id: e.int("send_id"),
            recipient: e.attr("recipient").to_string(),
            time: e.int("time"),
            file: e.attr("file").to_string(),
        }
    }
}

/// One kind of failure in a list answer of a 1.2 session: which ids
/// failed and why.
#[derive(Clone, Debug, Serialize)]
pub struct ItemError {
    pub code: ErrorCode,
    pub text: String,
    pub ids: Vec<String>,
}

/// The answer of a method that takes a comma list of ids. With a 1.0
/// session a single failing id fails the call (nothing changes); with a
/// 1.2 session each id stands alone and `errors` lists those that failed.
#[derive(Clone, Debug, Serialize)]
pub struct Batch<T> {
    /// The ids (or addresses) that succeeded, when the answer lists them.
    pub ids: Vec<String>,
    /// The per-item elements, when the method answers them.
    pub items: Vec<T>,
    pub errors: Vec<ItemError>,
}

impl<T> Batch<T> {
    pub(crate) fn from_result(r: &Element, head: &str, item: &str, f: fn(&Element) -> T) -> Self {
        Batch {
            ids: crate::split_list(r.text_of(head)),
            items: r.all(item).map(f).collect(),
            errors: r
                .all("error")
                .map(|e| ItemError {
                    code: ErrorCode::from_number(e.attr("code").trim().parse().unwrap_or(0)),
                    text: e.attr("text").to_string(),
                    ids: crate::split_list(e.attr("id")),
                })
                .collect(),
        }
    }
}

/// Changes for `files.setInfo`: `None` leaves a value alone,
/// `Some("")` clears it (the API's rule).
#[derive(Clone, Debug, Default)]
pub struct FileChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub password: Option<String>,
    pub folder_id: Option<String>,
    /// Seconds from now until the limit action runs; `Some(0)` clears.
    pub time_limit: Option<u64>,
    /// Total downloads until the limit action runs; `Some(0)` clears.
    pub downloads_limit: Option<u64>,
    pub limit_action: Option<LimitAction>,
}

/// What happens when a file's time or download limit is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitAction {
    /// No action (clears it).
    None,
    /// Downloads are refused.
    Block,
    /// The file is deleted.
    Delete,
    /// The file moves to this folder of the owner's (`0` the root).
    MoveTo(String),
}

impl LimitAction {
    pub(crate) fn params(&self) -> (&'static str, &str) {
        match self {
            LimitAction::None => ("0", ""),
            LimitAction::Block => ("1", ""),
            LimitAction::Delete => ("2", ""),
            LimitAction::MoveTo(f) => ("3", f.as_str()),
        }
    }
}

/// Changes for `folders.setInfo` (`None` leaves a value alone).
#[derive(Clone, Debug, Default)]
pub struct FolderChanges {
    pub name: Option<String>,
    pub shared: Option<bool>,
    pub parent_folder_id: Option<String>,
}

/// Optional fields of an upload.
#[derive(Clone, Debug, Default)]
pub struct UploadOptions {
    pub description: Option<String>,
    /// A password needed to download the file.
    pub password: Option<String>,
    /// The uploader's folder (session uploads only).
    pub folder_id: Option<String>,
    /// Addresses that get a mail with the link.
    pub recipient_email: Vec<String>,
    /// The text of that mail (1.2).
    pub recipient_message: Option<String>,
    /// Mail the uploader too.
    pub notify_uploader: bool,
}

impl UploadOptions {
    /// The upload form's optional fields these options set, by name.
    pub(crate) fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields: Vec<(&'static str, String)> = [
            ("description", &self.description),
            ("password", &self.password),
            ("folder_id", &self.folder_id),
            ("recipient_message", &self.recipient_message),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect();
        if !self.recipient_email.is_empty() {
            fields.push(("recipient_email", self.recipient_email.join(",")));
        }
        if self.notify_uploader {
            fields.push(("notify_uploader", "1".into()));
        }
        fields
    }
}

/// How a download to a file ended.
#[derive(Clone, Debug, Serialize)]
pub struct Downloaded {
    /// The file's full length, now on disk.
    pub size: u64,
    /// Bytes that were already there and kept (0 for a fresh download).
    pub resumed_from: u64,
    /// Bytes fetched by this call.
    pub fetched: u64,
}

/// A file in the trash (`trash.list`, a dropspace extension).
#[derive(Clone, Debug, Serialize)]
pub struct TrashedFile {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub folder_id: String,
    /// `deleted` or `expired`.
    pub reason: String,
    /// Unix seconds.
    pub trashed: i64,
    /// Unix seconds: when its bytes are removed for good.
    pub purge_at: i64,
}

impl TrashedFile {
    pub(crate) fn from_element(e: &Element) -> TrashedFile {
        TrashedFile {
            id: e.attr("id").to_string(),
            name: e.attr("name").to_string(),
            size: e.int("size").max(0) as u64,
            folder_id: e.attr("folder_id").to_string(),
            reason: e.attr("reason").to_string(),
            trashed: e.int("trashed"),
            purge_at: e.int("purge_at"),
        }
    }
}
