//! The signed `file_send` API (`/api/{method}`): every call carries
//! `api_key`, `timestamp` and an HMAC-SHA256 `signature` keyed with the hex
//! SHA-1 of the API secret. GETs sign their full URL with the parameters
//! sorted by name; POSTs sign the method's URL alone — or, for a key the
//! server has in signed-body mode ([`FileSendClient::signed_body`]), the
//! method's URL with every parameter in canonical form.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::error::{Error, Result};

/// A client of the `file_send` API for one key/secret pair.
///
/// ```no_run
/// # async fn run() -> dropspace_client::Result<()> {
/// use dropspace_client::{FileSend, FileSendClient};
///
/// let fs = FileSendClient::new("https://files.example.com", "K8Q2…", "3f9c…")?;
/// println!("{:?}", fs.user_info().await?);
/// let sent = fs
///     .file_send(&FileSend {
///         file_id: vec!["k3x9qa".into()],
///         non_users: vec!["ann@example.com".into()],
///         message: Some("Here you go".into()),
///         ..FileSend::default()
///     })
///     .await?;
/// println!("sent {}", sent[0].file_name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FileSendClient {
    http: reqwest::Client,
    base: String,
    api_key: String,
    signing_key: String,
    signed_body: bool,
}

/// `user_info`: who the key belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub user_id: serde_json::Value,
    pub user_name: String,
    pub email: String,
}

/// One item `file_send` sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentFile {
    /// A string on dropspace, a number on other servers.
    pub file_id: serde_json::Value,
    pub path: String,
    pub file_name: String,
}

/// The parameters of `file_send`.
#[derive(Clone, Debug, Default)]
pub struct FileSend {
    /// File and folder ids, all the caller's.
    pub file_id: Vec<String>,
    pub user_ids: Vec<String>,
    pub user_group_ids: Vec<String>,
    pub non_users: Vec<String>,
    pub bcc: Vec<String>,
    pub require_login: bool,
    /// Days the links work (at most 15; 0 never expires).
    pub link_expiration: Option<u32>,
    pub download_receipt: bool,
    pub subject: Option<String>,
    pub message: Option<String>,
    /// From [`FileSendClient::send_files_prep`], when the API requires it.
    pub file_preparation_id: Option<String>,
}

/// A file request (docs/file-requests.md), as `file_request_*` answer it:
/// numbers as decimal strings, `expires` 0 for never, caps 0 for none.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRequest {
    pub request_id: String,
    pub url: String,
    pub title: String,
    pub message: String,
    pub folder_id: String,
    /// `open`, `closed`, `expired` or `full`.
    pub state: String,
    pub has_password: String,
    pub expires: String,
    pub max_files: String,
    pub max_bytes: String,
    pub max_file_size: String,
    pub notify: String,
    /// `1`: uploads are encrypted to the owner's age keys.
    #[serde(default)]
    pub encrypted: String,
    pub files_received: String,
    pub bytes_received: String,
    pub created: String,
}

/// The parameters of `file_request_create`; 0 is no cap.
#[derive(Clone, Debug, Default)]
pub struct NewFileRequest {
    pub title: String,
    pub message: String,
    /// Empty or `0`: the root.
    pub folder_id: String,
    pub password: String,
    /// Seconds until it closes; 0 never.
    pub expires_in: u64,
    pub max_files: u64,
    pub max_bytes: u64,
    pub max_file_size: u64,
    /// Mail the owner on each upload.
    pub notify: bool,
    /// Uploads are encrypted to the owner's age keys (it must publish one).
    pub encrypted: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneRequest {
    file_request: FileRequest,
}

impl FileSendClient {
    /// `file_request_create` (POST).
    pub async fn file_request_create(&self, new: &NewFileRequest) -> Result<FileRequest> {
        let mut params = vec![
            ("title", new.title.clone()),
            ("message", new.message.clone()),
            ("folder_id", new.folder_id.clone()),
            ("expires_in", new.expires_in.to_string()),
            ("max_files", new.max_files.to_string()),
            ("max_bytes", new.max_bytes.to_string()),
            ("max_file_size", new.max_file_size.to_string()),
            ("notify", u8::from(new.notify).to_string()),
        ];
        if new.encrypted {
            params.push(("encrypted", "1".into()));
        }
        if !new.password.is_empty() {
            params.push(("password", new.password.clone()));
        }
        let a: OneRequest = self.post("file_request_create", &params).await?;
        Ok(a.file_request)
    }

    /// `file_request_list` (GET): the account's requests, newest first.
    pub async fn file_request_list(&self) -> Result<Vec<FileRequest>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct List {
            file_request: Option<OneOrMany<FileRequest>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            file_requests: List,
        }
        let a: Answer = self.get("file_request_list", &[]).await?;
        Ok(a.file_requests
            .file_request
            .map(OneOrMany::into_vec)
            .unwrap_or_default())
    }

    /// `file_request_close` (POST): outsiders can start no more uploads.
    pub async fn file_request_close(&self, request_id: &str) -> Result<FileRequest> {
        let a: OneRequest = self
            .post(
                "file_request_close",
                &[("request_id", request_id.to_string())],
            )
            .await?;
        Ok(a.file_request)
    }
}

impl FileSendClient {
    /// `server` is the base URL (what the server calls its `public_url`:
    /// signatures cover the URL, so it must be the same).
    pub fn new(server: &str, api_key: &str, api_secret: &str) -> Result<Self> {
        Self::with_http(reqwest::Client::new(), server, api_key, api_secret)
    }

    /// Like [`new`](Self::new) with a configured `reqwest::Client`.
    pub fn with_http(
        http: reqwest::Client,
        server: &str,
        api_key: &str,
        api_secret: &str,
    ) -> Result<Self> {
        let base = url::Url::parse(server).map_err(|e| Error::Url(format!("{server}: {e}")))?;
        Ok(FileSendClient {
            http,
            base: base.as_str().trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
            signing_key: signing_key(api_secret),
            signed_body: false,
        })
    }

    /// Signs POSTs over their parameters too, as a key in the server's
    /// signed-body mode requires (`admin user api-credentials … --signed-body`):
    /// the message is [`dropspace_proto::file_send::body_message`].
    pub fn signed_body(mut self, on: bool) -> Self {
        self.signed_body = on;
        self
    }

    /// The lowercase hex HMAC-SHA256 of `message` with this key.
    pub fn sign(&self, message: &str) -> String {
        sign(&self.signing_key, message)
    }

    fn method_url(&self, method: &str) -> String {
        format!("{}/api/{method}", self.base)
    }

    /// `user_info` (GET).
    pub async fn user_info(&self) -> Result<UserInfo> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            user_info: UserInfo,
        }
        let a: Answer = self.get("user_info", &[]).await?;
        Ok(a.user_info)
    }

    /// `send_files_prep` (POST): the preparation id some sends need.
    pub async fn send_files_prep(&self, file_ids: &[String]) -> Result<String> {
        let v: serde_json::Value = self
            .post("send_files_prep", &[("file_id", file_ids.join(","))])
            .await?;
        match &v["file_preparation_id"] {
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            _ => Err(Error::Malformed(format!("no file_preparation_id in {v}"))),
        }
    }

    /// `file_send` (POST): one entry per id sent.
    pub async fn file_send(&self, send: &FileSend) -> Result<Vec<SentFile>> {
        let mut params = vec![("file_id", send.file_id.join(","))];
        let lists = [
            ("user_ids", &send.user_ids),
            ("user_group_ids", &send.user_group_ids),
            ("non_users", &send.non_users),
            ("bcc", &send.bcc),
        ];
        for (name, list) in lists {
            if !list.is_empty() {
                params.push((name, list.join(",")));
            }
        }
        if send.require_login {
            params.push(("require_login", "1".into()));
        }
        if send.download_receipt {
            params.push(("download_receipt", "1".into()));
        }
        if let Some(days) = send.link_expiration {
            params.push(("link_expiration", days.to_string()));
        }
        for (name, v) in [
            ("subject", &send.subject),
            ("message", &send.message),
            ("file_preparation_id", &send.file_preparation_id),
        ] {
            if let Some(v) = v {
                params.push((name, v.clone()));
            }
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            file_info: OneOrMany<SentFile>,
        }
        let a: Answer = self.post("file_send", &params).await?;
        Ok(a.file_info.into_vec())
    }

    /// A signed GET: the message is the URL with every parameter
    /// (timestamp and key included) sorted by name.
    pub async fn get<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, String)],
    ) -> Result<T> {
        let mut all: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        all.push(("api_key".into(), self.api_key.clone()));
        all.push(("timestamp".into(), now().to_string()));
        all.sort();
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&all)
            .finish();
        let url = format!("{}?{query}", self.method_url(method));
        let signed = format!("{url}&signature={}", self.sign(&url));
        answer(
            self.http.get(&signed).send().await?,
            &self.method_url(method),
        )
        .await
    }

    /// A signed POST: the message is the method's URL (in signed-body
    /// mode with every parameter, `api_key` and `timestamp` included).
    pub async fn post<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, String)],
    ) -> Result<T> {
        let url = self.method_url(method);
        let mut all: Vec<(&str, String)> = params.to_vec();
        all.push(("api_key", self.api_key.clone()));
        all.push(("timestamp", now().to_string()));
        let message = if self.signed_body {
            dropspace_proto::file_send::body_message(
                &self.base,
                method,
                all.iter().map(|(k, v)| (*k, v.as_str())),
            )
        } else {
            url.clone()
        };
        all.push(("signature", self.sign(&message)));
        answer(self.http.post(&url).form(&all).send().await?, &url).await
    }
}

/// The HMAC key for a secret: its lowercase hex SHA-1, used as text.
pub fn signing_key(api_secret: &str) -> String {
    hex::encode(Sha1::digest(api_secret.as_bytes()))
}

/// Lowercase hex HMAC-SHA256 of `message` keyed with `key`.
pub fn sign(key: &str, message: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn answer<T: serde::de::DeserializeOwned>(resp: reqwest::Response, url: &str) -> Result<T> {
    let status = resp.status();
    let body = resp.text().await?;
    if status.is_success() {
        return serde_json::from_str(&body)
            .map_err(|e| Error::Malformed(format!("file_send answer: {e}")));
    }
    #[derive(Deserialize)]
    struct Err {
        error: Detail,
    }
    #[derive(Deserialize)]
    struct Detail {
        #[serde(default)]
        title: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_str::<Err>(&body) {
        Ok(e) => Err(Error::FileSend {
            status: status.as_u16(),
            title: e.error.title,
            message: e.error.message,
        }),
        Err(_) => Err(Error::Status {
            status: status.as_u16(),
            url: url.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_documented_scheme() {
        // sha1("secret") and an HMAC computed independently (openssl).
        let key = signing_key("secret");
        assert_eq!(key, "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4");
        // printf x | openssl dgst -sha256 -hmac e5e9fa1b…
        assert_eq!(
            sign(&key, "x"),
            "b15007d2a9d5c1906d1b558f94a9efe62e4f7c8bff2289562acfb2204adbfa67"
        );
    }
}
