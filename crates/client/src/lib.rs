//! An async client for the [sendspace REST API] as dropspace serves it — or
//! any sendspace-compatible server — and for the signed `file_send` API.
//!
//! * every method of the guide, with the XML answers parsed into structs
//!   ([`FileInfo`], [`Folder`], [`Contact`] …);
//! * the guide's error codes as [`ErrorCode`] inside [`Error::Api`], kept
//!   apart from transport failures ([`Error::Http`], [`Error::Io`] …);
//! * login with `tokened_password` (the password itself never travels);
//! * streaming uploads from any [`AsyncRead`](tokio::io::AsyncRead) with a
//!   progress callback ([`Client::upload`]);
//! * resumable uploads over tus in chunks that pass proxies' body caps,
//!   continued from the server's acknowledged offset after any
//!   interruption ([`Client::resumable_create`], [`Client::resumable_send`]),
//!   also of a stream whose length is unknown until it ends
//!   ([`Client::resumable_create_deferred`], [`Client::resumable_send_stream`]);
//! * resumable downloads with `Range` ([`Client::download_to`]);
//! * [`FileSendClient`] for `file_send`, `send_files_prep` and `user_info`.
//!
//! # Log in, upload, share
//!
//! ```no_run
//! use dropspace_client::{Client, UploadOptions};
//!
//! # async fn run() -> dropspace_client::Result<()> {
//! let mut client = Client::new("https://files.example.com")?.api_key("K8Q2…");
//! let account = client.login("alice", "correct horse").await?;
//! println!("{} bytes of disk space left", account.diskspace_left);
//!
//! let info = client.upload_info(0).await?;
//! let file = tokio::fs::File::open("report.pdf").await?;
//! let size = file.metadata().await?.len();
//! let done = client
//!     .upload(&info, "report.pdf", Some(size), file, &UploadOptions::default(), |sent| {
//!         eprint!("\r{sent} bytes");
//!     })
//!     .await?;
//! let file = client.file_info(&done.file_id).await?;
//! println!("{}", file.download_page_url);
//! # Ok(()) }
//! ```
//!
//! # Anonymous upload
//!
//! ```no_run
//! # async fn run() -> dropspace_client::Result<()> {
//! use dropspace_client::{Client, UploadOptions};
//!
//! let client = Client::new("https://files.example.com")?.api_key("K8Q2…");
//! let info = client.anonymous_upload_info(0).await?;
//! let done = client
//!     .upload(&info, "notes.txt", None, &b"hello"[..], &UploadOptions::default(), |_| {})
//!     .await?;
//! println!("{:?} (delete: {:?})", done.download_url, done.delete_url);
//! # Ok(()) }
//! ```
//!
//! # Resumable upload
//!
//! ```no_run
//! # async fn run(client: dropspace_client::Client) -> dropspace_client::Result<()> {
//! use dropspace_client::{Resume, Standing, UploadOptions};
//!
//! let path = std::path::Path::new("big.iso");
//! let size = std::fs::metadata(path)?.len();
//! let info = client.upload_info(0).await?;
//! let url = client
//!     .resumable_create(&info, "big.iso", size, &UploadOptions::default())
//!     .await?;
//! // Keep `url`: after a crash, `resumable_standing(&url)` says where the
//! // upload stands and `resumable_send` continues from there.
//! let how = Resume { chunk_size: 8 << 20, ..Resume::default() };
//! let done = client.resumable_send(&url, path, size, &how, |n| eprint!("\r{n}")).await?;
//! assert_eq!(client.resumable_standing(&url).await?, Standing::Done(done.file_id));
//! # Ok(()) }
//! ```
//!
//! # Resumable download and errors
//!
//! ```no_run
//! # async fn run(client: dropspace_client::Client) -> dropspace_client::Result<()> {
//! use dropspace_client::{Error, ErrorCode};
//!
//! match client.download_info("k3x9qa", None).await {
//!     Ok(info) => {
//!         // Run it again after an interruption: it continues where it stopped.
//!         let path = std::path::Path::new(&info.name);
//!         let done = client
//!             .download_to(&info.url, path, Some(info.file_size), |have, total| {
//!                 eprint!("\r{have}/{total:?}");
//!             })
//!             .await?;
//!         println!("{} bytes ({} were already there)", done.size, done.resumed_from);
//!     }
//!     Err(Error::Api { code: ErrorCode::BadPassword, .. }) => eprintln!("password needed"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! Multi-id methods (`files.delete`, `files.sendMail` …) answer a
//! [`Batch`]. A session's API version decides what a failing id does:
//! `1.0` (the default of [`Client::api_version`]) fails the whole call
//! with [`Error::Api`] naming the id; `1.2` handles each id on its own and
//! lists failures in [`Batch::errors`].
//!
//! [sendspace REST API]: https://www.sendspace.com/dev_method.html

// Docs must build clean (`cargo doc` in CI): these are rustdoc's
// warn-by-default lints, denied here so they fail whatever RUSTDOCFLAGS say.
#![deny(
    rustdoc::broken_intra_doc_links,
    rustdoc::private_intra_doc_links,
    rustdoc::invalid_html_tags,
    rustdoc::invalid_codeblock_attributes,
    rustdoc::invalid_rust_codeblocks,
    rustdoc::bare_urls,
    rustdoc::redundant_explicit_links,
    rustdoc::unescaped_backticks
)]

pub mod encryption;
mod error;
mod file_send;
mod resumable;
mod transfer;
mod types;
mod xml;

pub use error::{Error, ErrorCode, Result};
pub use file_send::{
    sign, signing_key, FileRequest, FileSend, FileSendClient, NewFileRequest, SentFile, UserInfo,
};
pub use resumable::{tus_endpoint, Growing, Resume, Standing, Written};
pub use transfer::RemoteFile;
pub use types::*;

use md5::{Digest, Md5};
use url::Url;

use xml::Element;

/// `lowercase(md5(token + lowercase(md5(password))))`, the value
/// `auth.login` takes instead of the password.
pub fn tokened_password(token: &str, password: &str) -> String {
    let inner = hex::encode(Md5::digest(password.as_bytes()));
    hex::encode(Md5::digest(format!("{token}{inner}").as_bytes()))
}

/// A comma list, blanks dropped.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A client of one server's `/rest/` endpoint, holding the API key and,
/// after [`login`](Client::login), the session. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    rest: Url,
    api_key: Option<String>,
    api_version: String,
    app_version: Option<String>,
    session_key: Option<String>,
}

/// Without the API key and session key: a `{:?}` in a log must not leak them.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("rest", &self.rest.as_str())
            .field("api_version", &self.api_version)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .field("session_key", &self.session_key.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Client {
    /// A client for the server at `server`: its base URL
    /// (`https://files.example.com`, the REST endpoint is `{server}/rest/`)
    /// or the endpoint itself (`http://api.sendspace.com/rest/`).
    pub fn new(server: &str) -> Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("dropspace-client/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Client::with_http(http, server)
    }

    /// Like [`new`](Client::new) with a configured `reqwest::Client`
    /// (timeouts, proxies, certificates).
    pub fn with_http(http: reqwest::Client, server: &str) -> Result<Client> {
        let mut url =
            Url::parse(server.trim()).map_err(|e| Error::Url(format!("{server}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Url(format!("{server}: not http or https")));
        }
        url.set_query(None);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_string();
        let (base, rest) = if let Some(base_path) = path.strip_suffix("/rest") {
            let mut base = url.clone();
            base.set_path(&format!("{base_path}/"));
            let mut rest = url;
            rest.set_path(&format!("{path}/"));
            (base, rest)
        } else {
            url.set_path(&format!("{path}/"));
            let rest = url
                .join("rest/")
                .map_err(|e| Error::Url(format!("{server}: {e}")))?;
            (url, rest)
        };
        Ok(Client {
            http,
            base,
            rest,
            api_key: None,
            api_version: "1.0".into(),
            app_version: None,
            session_key: None,
        })
    }

    /// The API key (needed by `auth.createToken`, `auth.register` and
    /// anonymous uploads).
    pub fn api_key(mut self, key: impl Into<String>) -> Client {
        self.api_key = Some(key.into());
        self
    }

    /// The API version asked for at login: `1.0` (default) or `1.2`.
    pub fn api_version(mut self, version: impl Into<String>) -> Client {
        self.api_version = version.into();
        self
    }

    /// The `app_version` sent with calls that check it.
    pub fn app_version(mut self, version: impl Into<String>) -> Client {
        self.app_version = Some(version.into());
        self
    }

    /// Uses a session key kept from an earlier login.
    pub fn with_session(mut self, session_key: impl Into<String>) -> Client {
        self.session_key = Some(session_key.into());
        self
    }

    /// The current session key, if logged in.
    pub fn session_key(&self) -> Option<&str> {
        self.session_key.as_deref()
    }

    /// The server's base URL (with a trailing `/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The underlying HTTP client (for requests of your own to the same
    /// server, e.g. a page).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn need_api_key(&self) -> Result<&str> {
        self.api_key.as_deref().ok_or_else(|| Error::Api {
            code: ErrorCode::UnknownApiKey,
            text: "No API key given".into(),
            id: None,
        })
    }

    /// Calls `method` with `params` and returns the `<result>` of an `ok`
    /// answer. `session` adds the session key. Parameters travel in a POST
    /// body, never in the URL (they carry passwords and keys).
    async fn call(&self, method: &str, session: bool, params: &[(&str, &str)]) -> Result<Element> {
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        form.push(("method", method));
        if session {
            form.push((
                "session_key",
                self.session_key.as_deref().ok_or(Error::NoSession)?,
            ));
        }
        form.extend_from_slice(params);
        let resp = self.http.post(self.rest.clone()).form(&form).send().await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(Error::Status {
                status: status.as_u16(),
                url: self.rest.to_string(),
            });
        }
        xml::result(&resp.text().await?)
    }

    /// A raw call for a method this crate does not wrap: the parameters
    /// as given (add `session_key` yourself), the answer's XML text.
    pub async fn call_raw(&self, params: &[(&str, &str)]) -> Result<String> {
        let resp = self
            .http
            .post(self.rest.clone())
            .form(params)
            .send()
            .await?;
        Ok(resp.text().await?)
    }

    // ---- auth ----

    /// `auth.register`: an account, inactive until its activation link
    /// is followed. An empty password makes the server generate one.
    pub async fn register(
        &self,
        user_name: &str,
        full_name: &str,
        email: &str,
        password: &str,
    ) -> Result<()> {
        let key = self.need_api_key()?;
        self.call(
            "auth.register",
            false,
            &[
                ("api_key", key),
                ("user_name", user_name),
                ("full_name", full_name),
                ("email", email),
                ("password", password),
            ],
        )
        .await?;
        Ok(())
    }

    /// `auth.createToken`: a single-use login token.
    pub async fn create_token(&self) -> Result<String> {
        let key = self.need_api_key()?;
        let mut params = vec![("api_key", key), ("api_version", self.api_version.as_str())];
        if let Some(v) = &self.app_version {
            params.push(("app_version", v.as_str()));
        }
        let r = self.call("auth.createToken", false, &params).await?;
        Ok(r.need("token")?.text.clone())
    }

    /// `auth.login` with a token from [`create_token`](Client::create_token)
    /// and a [`tokened_password`]; keeps the session.
    pub async fn login_with_token(
        &mut self,
        token: &str,
        user_name: &str,
        tokened_password: &str,
    ) -> Result<LoginInfo> {
        let r = self
            .call(
                "auth.login",
                false,
                &[
                    ("token", token),
                    ("user_name", user_name),
                    ("tokened_password", tokened_password),
                ],
            )
            .await?;
        let info = LoginInfo::from_result(&r);
        if info.session_key.is_empty() {
            return Err(Error::Malformed("auth.login without session_key".into()));
        }
        self.session_key = Some(info.session_key.clone());
        Ok(info)
    }

    /// Creates a token and logs in; the password never leaves this process.
    pub async fn login(&mut self, user_name: &str, password: &str) -> Result<LoginInfo> {
        let token = self.create_token().await?;
        let tp = tokened_password(&token, password);
        self.login_with_token(&token, user_name, &tp).await
    }

    /// `auth.checkSession`: a live session answers `ok` (and refreshes its
    /// idle timer); a dead one is [`ErrorCode::SessionBad`].
    pub async fn check_session(&self) -> Result<SessionInfo> {
        let r = self.call("auth.checkSession", true, &[]).await?;
        Ok(SessionInfo {
            session: r.text_of("session").to_string(),
            bandwidth_left: r.int_of("bandwidth_left"),
            diskspace_left: r.int_of("diskspace_left"),
        })
    }

    /// `auth.logout`; forgets the session key (also when the server says
    /// the session was already gone).
    pub async fn logout(&mut self) -> Result<()> {
        let result = self.call("auth.logout", true, &[]).await;
        self.session_key = None;
        result.map(|_| ())
    }

    // ---- upload / download ----

    /// `upload.getInfo`: where to POST a file as this session.
    /// `speed_limit` is KB/s, 0 for none.
    pub async fn upload_info(&self, speed_limit: u64) -> Result<UploadInfo> {
        let limit = speed_limit.to_string();
        let r = self
            .call("upload.getInfo", true, &[("speed_limit", &limit)])
            .await?;
        Ok(UploadInfo::from_element(r.need("upload")?))
    }

    /// `anonymous.uploadGetInfo`: where to POST a file without an account.
    pub async fn anonymous_upload_info(&self, speed_limit: u64) -> Result<UploadInfo> {
        let key = self.need_api_key()?;
        let limit = speed_limit.to_string();
        let mut params = vec![
            ("api_key", key),
            ("api_version", self.api_version.as_str()),
            ("speed_limit", limit.as_str()),
        ];
        if let Some(v) = &self.app_version {
            params.push(("app_version", v.as_str()));
        }
        let r = self.call("anonymous.uploadGetInfo", false, &params).await?;
        Ok(UploadInfo::from_element(r.need("upload")?))
    }

    /// `download.getInfo`: a direct URL for a file id or download page URL.
    pub async fn download_info(&self, file: &str, password: Option<&str>) -> Result<DownloadInfo> {
        let mut params = vec![("file_id", file)];
        if let Some(p) = password {
            params.push(("password", p));
        }
        let r = self.call("download.getInfo", true, &params).await?;
        Ok(DownloadInfo::from_element(r.need("download")?))
    }

    // ---- files ----

    /// `files.getInfo` for several ids.
    pub async fn files_info(&self, ids: &[&str]) -> Result<Batch<FileInfo>> {
        let r = self
            .call("files.getInfo", true, &[("file_id", &ids.join(","))])
            .await?;
        Ok(Batch::from_result(&r, "id", "file", FileInfo::from_element))
    }

    /// `files.getInfo` for one id.
    pub async fn file_info(&self, id: &str) -> Result<FileInfo> {
        let r = self.call("files.getInfo", true, &[("file_id", id)]).await?;
        first(&r, "file").map(FileInfo::from_element)
    }

    /// `files.getDownloads` (a dropspace extension): the completed
    /// downloads of one of the account's files, newest first.
    pub async fn file_downloads(&self, id: &str) -> Result<Vec<DownloadRecord>> {
        let r = self
            .call("files.getDownloads", true, &[("file_id", id)])
            .await?;
        Ok(r.all("download")
            .map(DownloadRecord::from_element)
            .collect())
    }

    /// `files.getReceipts` (a dropspace extension): the signed delivery
    /// receipts of one of the account's files, newest first.
    pub async fn file_receipts(&self, id: &str) -> Result<Vec<ReceiptRecord>> {
        let r = self
            .call("files.getReceipts", true, &[("file_id", id)])
            .await?;
        Ok(r.all("receipt").map(ReceiptRecord::from_element).collect())
    }

    /// `files.setInfo`: changes name, description, password, folder and
    /// limits of one or more files.
    pub async fn set_file_info(
        &self,
        ids: &[&str],
        changes: &FileChanges,
    ) -> Result<Batch<FileInfo>> {
        let ids = ids.join(",");
        let (time, downloads);
        let mut params: Vec<(&str, &str)> = vec![("file_id", &ids)];
        let texts = [
            ("name", &changes.name),
            ("description", &changes.description),
            ("password", &changes.password),
            ("folder_id", &changes.folder_id),
        ];
        for (name, v) in texts {
            if let Some(v) = v {
                params.push((name, v));
            }
        }
        if let Some(t) = changes.time_limit {
            time = t.to_string();
            params.push(("time_limit", &time));
        }
        if let Some(n) = changes.downloads_limit {
            downloads = n.to_string();
            params.push(("downloads_limit", &downloads));
        }
        if let Some(action) = &changes.limit_action {
            let (code, folder) = action.params();
            params.push(("limit_action", code));
            params.push(("limit_action_to_folder", folder));
        }
        let r = self.call("files.setInfo", true, &params).await?;
        Ok(Batch::from_result(&r, "id", "file", FileInfo::from_element))
    }

    /// `files.extend` (a dropspace extension): moves the file's expiry to
    /// `time_limit` seconds from now, or by the server's default extension.
    pub async fn extend_file(&self, id: &str, time_limit: Option<u64>) -> Result<FileInfo> {
        let secs = time_limit.map(|t| t.to_string());
        let mut params = vec![("file_id", id)];
        if let Some(secs) = &secs {
            params.push(("time_limit", secs));
        }
        let r = self.call("files.extend", true, &params).await?;
        first(&r, "file").map(FileInfo::from_element)
    }

    /// `trash.list` (a dropspace extension): the account's trash.
    pub async fn trash(&self) -> Result<Vec<TrashedFile>> {
        let r = self.call("trash.list", true, &[]).await?;
        Ok(r.all("file").map(TrashedFile::from_element).collect())
    }

    /// `trash.restore`: the folder the file is back in.
    pub async fn restore_file(&self, id: &str) -> Result<String> {
        let r = self.call("trash.restore", true, &[("file_id", id)]).await?;
        Ok(first(&r, "file")?.attr("folder_id").to_string())
    }

    /// `trash.purge`: deletes a trashed file for good.
    pub async fn purge_file(&self, id: &str) -> Result<()> {
        self.call("trash.purge", true, &[("file_id", id)]).await?;
        Ok(())
    }

    /// `files.moveToFolder` (`0` is the root).
    pub async fn move_files(&self, ids: &[&str], folder_id: &str) -> Result<Batch<FileInfo>> {
        let r = self
            .call(
                "files.moveToFolder",
                true,
                &[("file_id", &ids.join(",")), ("folder_id", folder_id)],
            )
            .await?;
        Ok(Batch::from_result(&r, "id", "file", FileInfo::from_element))
    }

    /// `files.delete`.
    pub async fn delete_files(&self, ids: &[&str]) -> Result<Batch<String>> {
        let r = self
            .call("files.delete", true, &[("file_id", &ids.join(","))])
            .await?;
        Ok(Batch::from_result(&r, "id", "file", |e| {
            e.attr("id").to_string()
        }))
    }

    /// `files.sendMail`: mails the files' links to `emails`.
    pub async fn mail_files(
        &self,
        ids: &[&str],
        emails: &[&str],
        message: Option<&str>,
    ) -> Result<Batch<String>> {
        self.send_mail("files.sendMail", "file_id", ids, emails, message, "file")
            .await
    }

    async fn send_mail(
        &self,
        method: &str,
        key: &str,
        ids: &[&str],
        emails: &[&str],
        message: Option<&str>,
        item: &str,
    ) -> Result<Batch<String>> {
        let ids = ids.join(",");
        let emails = emails.join(",");
        let mut params = vec![(key, ids.as_str()), ("emails", emails.as_str())];
        if let Some(m) = message {
            params.push(("message", m));
        }
        let r = self.call(method, true, &params).await?;
        Ok(Batch::from_result(&r, "id", item, |e| {
            e.attr("id").to_string()
        }))
    }

    // ---- folders ----

    /// `folders.create` (`parent` `0` is the root).
    pub async fn create_folder(&self, name: &str, shared: bool, parent: &str) -> Result<Folder> {
        let r = self
            .call(
                "folders.create",
                true,
                &[
                    ("name", name),
                    ("shared", if shared { "1" } else { "0" }),
                    ("parent_folder_id", parent),
                ],
            )
            .await?;
        first(&r, "folder").map(Folder::from_element)
    }

    /// `folders.getAll`: every folder of the account.
    pub async fn folders(&self) -> Result<Vec<Folder>> {
        let r = self.call("folders.getAll", true, &[]).await?;
        Ok(r.all("folder").map(Folder::from_element).collect())
    }

    /// `folders.getContents`: sub-folders and files of `folder_id`.
    pub async fn folder_contents(&self, folder_id: &str) -> Result<FolderContents> {
        let r = self
            .call("folders.getContents", true, &[("folder_id", folder_id)])
            .await?;
        Ok(FolderContents {
            folders: r.all("folder").map(Folder::from_element).collect(),
            files: r.all("file").map(FileInfo::from_element).collect(),
        })
    }

    /// `folders.getInfo`.
    pub async fn folder_info(&self, folder_id: &str) -> Result<FolderInfo> {
        let r = self
            .call("folders.getInfo", true, &[("folder_id", folder_id)])
            .await?;
        let e = first(&r, "folder")?;
        Ok(FolderInfo {
            folder: Folder::from_element(e),
            total_files: e.int("total_files").max(0) as u64,
            total_size: e.int("total_size").max(0) as u64,
            total_folders: e.int("total_folders").max(0) as u64,
        })
    }

    /// `folders.setInfo`: rename, share or unshare, move.
    pub async fn set_folder_info(
        &self,
        folder_id: &str,
        changes: &FolderChanges,
    ) -> Result<Folder> {
        let mut params = vec![("folder_id", folder_id)];
        if let Some(n) = &changes.name {
            params.push(("name", n));
        }
        if let Some(s) = changes.shared {
            params.push(("shared", if s { "1" } else { "0" }));
        }
        if let Some(p) = &changes.parent_folder_id {
            params.push(("parent_folder_id", p));
        }
        let r = self.call("folders.setInfo", true, &params).await?;
        first(&r, "folder").map(Folder::from_element)
    }

    /// `folders.move` under `parent` (`0` the root).
    pub async fn move_folder(&self, folder_id: &str, parent: &str) -> Result<()> {
        self.call(
            "folders.move",
            true,
            &[("folder_id", folder_id), ("parent_folder_id", parent)],
        )
        .await?;
        Ok(())
    }

    /// `folders.delete` of an empty folder ([`ErrorCode::FolderNotEmpty`]
    /// otherwise).
    pub async fn delete_folder(&self, folder_id: &str) -> Result<()> {
        self.call("folders.delete", true, &[("folder_id", folder_id)])
            .await?;
        Ok(())
    }

    /// `folders.getShared`: a shared folder of any user, by id or URL.
    pub async fn shared_folder(&self, folder: &str) -> Result<SharedContents> {
        let r = self
            .call("folders.getShared", true, &[("folder_id", folder)])
            .await?;
        Ok(SharedContents::from_result(&r))
    }

    /// `folders.sendMail`: mails the folders' links to `emails`.
    pub async fn mail_folders(
        &self,
        ids: &[&str],
        emails: &[&str],
        message: Option<&str>,
    ) -> Result<Batch<String>> {
        self.send_mail(
            "folders.sendMail",
            "folder_id",
            ids,
            emails,
            message,
            "folder",
        )
        .await
    }

    // ---- address book ----

    /// `addressbook.list`.
    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        let r = self.call("addressbook.list", true, &[]).await?;
        Ok(r.all("contact").map(Contact::from_element).collect())
    }

    /// `addressbook.add` (a contact added by the user, type 0).
    pub async fn add_contact(&self, email: &str, name: &str, description: &str) -> Result<Contact> {
        let r = self
            .call(
                "addressbook.add",
                true,
                &[
                    ("email", email),
                    ("name", name),
                    ("description", description),
                    ("type", "0"),
                ],
            )
            .await?;
        first(&r, "contact").map(Contact::from_element)
    }

    /// `addressbook.update`: `None` leaves a value alone.
    pub async fn update_contact(
        &self,
        email: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Contact> {
        let mut params = vec![("email", email)];
        if let Some(n) = name {
            params.push(("name", n));
        }
        if let Some(d) = description {
            params.push(("description", d));
        }
        let r = self.call("addressbook.update", true, &params).await?;
        first(&r, "contact").map(Contact::from_element)
    }

    /// `addressbook.delete` of one or more addresses.
    pub async fn delete_contacts(&self, emails: &[&str]) -> Result<Batch<String>> {
        let r = self
            .call("addressbook.delete", true, &[("email", &emails.join(","))])
            .await?;
        Ok(Batch::from_result(&r, "email", "contact", |e| {
            e.attr("email").to_string()
        }))
    }
}

impl Client {
    // ---- webhooks (dropspace's extension) ----

    /// `webhooks.list`: the account's endpoints with their last status.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        let r = self.call("webhooks.list", true, &[]).await?;
        Ok(r.all("webhook").map(Webhook::from_element).collect())
    }

    /// `webhooks.add`: `events` empty subscribes to every event. The
    /// answer holds the secret, shown this once.
    pub async fn add_webhook(&self, url: &str, events: &[&str]) -> Result<Webhook> {
        let events = events.join(",");
        let r = self
            .call("webhooks.add", true, &[("url", url), ("events", &events)])
            .await?;
        first(&r, "webhook").map(Webhook::from_element)
    }

    /// `webhooks.delete`.
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        self.call("webhooks.delete", true, &[("webhook_id", &id.to_string())])
            .await?;
        Ok(())
    }

    // ---- age public keys (dropspace's extension) ----

    /// `keys.list`: the age public keys the account publishes.
    pub async fn age_keys(&self) -> Result<Vec<AgeKey>> {
        let r = self.call("keys.list", true, &[]).await?;
        Ok(r.all("key").map(AgeKey::from_element).collect())
    }

    /// `keys.add`: publishes an age public key (`age1…`).
    pub async fn add_age_key(&self, public_key: &str, label: &str) -> Result<AgeKey> {
        let r = self
            .call(
                "keys.add",
                true,
                &[("public_key", public_key), ("label", label)],
            )
            .await?;
        first(&r, "key").map(AgeKey::from_element)
    }

    /// `keys.delete`.
    pub async fn delete_age_key(&self, id: i64) -> Result<()> {
        self.call("keys.delete", true, &[("key_id", &id.to_string())])
            .await?;
        Ok(())
    }

    /// `keys.lookup`: the keys of the accounts named (user names or
    /// e-mail addresses); `user` says whose each is, as named.
    pub async fn lookup_age_keys(&self, users: &[&str]) -> Result<Vec<AgeKey>> {
        let users = users.join(",");
        let r = self.call("keys.lookup", true, &[("users", &users)]).await?;
        Ok(r.all("key").map(AgeKey::from_element).collect())
    }
}

/// The first `name` child of an answer, or a malformed-answer error.
fn first<'a>(r: &'a Element, name: &str) -> Result<&'a Element> {
    r.need(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokened_password_is_the_guides_formula() {
        // md5("secret") = 5ebe2294ecd0e0f08eab7690d2a6ee69;
        // md5("tok" + that), computed with md5sum.
        assert_eq!(
            hex::encode(Md5::digest(b"secret")),
            "5ebe2294ecd0e0f08eab7690d2a6ee69"
        );
        assert_eq!(
            tokened_password("tok", "secret"),
            hex::encode(Md5::digest(b"tok5ebe2294ecd0e0f08eab7690d2a6ee69"))
        );
    }

    #[test]
    fn endpoint_from_base_or_rest_url() {
        let c = Client::new("http://127.0.0.1:8080").expect("url");
        assert_eq!(c.rest.as_str(), "http://127.0.0.1:8080/rest/");
        assert_eq!(c.base.as_str(), "http://127.0.0.1:8080/");
        let c = Client::new("http://api.sendspace.com/rest/").expect("url");
        assert_eq!(c.rest.as_str(), "http://api.sendspace.com/rest/");
        assert_eq!(c.base.as_str(), "http://api.sendspace.com/");
        let c = Client::new("https://h/sub").expect("url");
        assert_eq!(c.rest.as_str(), "https://h/sub/rest/");
        assert!(Client::new("ftp://h").is_err());
        assert!(Client::new("not a url").is_err());
    }

    #[test]
    fn debug_hides_the_keys() {
        let c = Client::new("http://h")
            .expect("url")
            .api_key("KEY123")
            .with_session("SESSION456");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("KEY123") && !shown.contains("SESSION456"),
            "{shown}"
        );
    }

    #[test]
    fn batch_of_a_mixed_answer() {
        let r = xml::result(
            r#"<result method="files.delete" status="ok"><id>a,b</id><file id="a"/><file id="b"/>
               <error code="9" text="File not found" id="c,d"/></result>"#,
        )
        .expect("ok");
        let b = Batch::from_result(&r, "id", "file", |e| e.attr("id").to_string());
        assert_eq!(b.ids, ["a", "b"]);
        assert_eq!(b.items, ["a", "b"]);
        assert_eq!(b.errors.len(), 1);
        assert_eq!(b.errors[0].code, ErrorCode::FileNotFound);
        assert_eq!(b.errors[0].ids, ["c", "d"]);
    }
}
