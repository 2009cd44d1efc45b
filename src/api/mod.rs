//! The sendspace REST endpoint `/rest/`: reads parameters, applies the
//! guide's error precedence (1 no method, 2 unknown method, 3 no session key,
//! 4 missing parameter, 5 bad version), then maintenance, API key and session
//! checks, and dispatches to one module per method group.

pub mod addressbook;
pub mod auth;
pub mod download;
pub mod envelope;
pub mod error;
pub mod files;
pub mod folders;
pub mod keys;
pub mod lists;
pub mod nodes;
pub mod trash;
pub mod upload;
pub mod webhooks;

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use futures::FutureExt;

use crate::api::error::{ApiError, ApiResult, Code};
use crate::db::users::User;
use crate::http::params::Params;
use crate::http::pipeline::{self, Front, Gate, Pipeline};
use crate::http::ClientIp;
use crate::state::{App, AppState};
use envelope::{render, Format, Reply};

/// What the pipeline needs to know about a method before running it.
pub struct MethodSpec {
    /// The guide's spelling; matched case-insensitively.
    pub name: &'static str,
    /// Needs a `session_key` (3 when absent, 6 when dead).
    pub session: bool,
    /// Changes state: refused with 15 in maintenance mode.
    pub writes: bool,
    /// Mandatory parameters besides `session_key` (4 when absent).
    pub required: &'static [&'static str],
    /// The guide lists 19 for it: an account whose paid tier has ended is
    /// refused there (and only there) before the method runs.
    pub expiry: bool,
    /// Hands out an upload identifier (rate-limited apart).
    pub upload_start: bool,
}

const fn m(
    name: &'static str,
    session: bool,
    writes: bool,
    required: &'static [&'static str],
) -> MethodSpec {
    MethodSpec {
        name,
        session,
        writes,
        required,
        expiry: false,
        upload_start: false,
    }
}

/// The guide's methods: the typed method table. `dispatch` matches on it
/// without a catch-all, so a method without a handler does not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    AuthRegister,
    AuthCreateToken,
    AuthLogin,
    AuthCheckSession,
    AuthLogout,
    UploadGetInfo,
    AnonymousUploadGetInfo,
    DownloadGetInfo,
    FilesGetInfo,
    FilesSetInfo,
    FilesMoveToFolder,
    FilesDelete,
    FilesSendMail,
    /// A dropspace extension (docs/api-notes.md, "Who downloaded").
    FilesGetDownloads,
    /// A dropspace extension (docs/receipts.md).
    FilesGetReceipts,
    FoldersCreate,
    FoldersGetAll,
    FoldersGetContents,
    FoldersGetInfo,
    FoldersSetInfo,
    FoldersMove,
    FoldersDelete,
    FoldersGetShared,
    FoldersSendMail,
    AddressbookList,
    AddressbookAdd,
    AddressbookUpdate,
    AddressbookDelete,
    WebhooksAdd,
    WebhooksList,
    WebhooksDelete,
    FilesExtend,
    TrashList,
    TrashRestore,
    TrashPurge,
    KeysAdd,
    KeysList,
    KeysDelete,
    KeysLookup,
}

impl Method {
    pub const ALL: [Method; 39] = [
        Method::AuthRegister,
        Method::AuthCreateToken,
        Method::AuthLogin,
        Method::AuthCheckSession,
        Method::AuthLogout,
        Method::UploadGetInfo,
        Method::AnonymousUploadGetInfo,
        Method::DownloadGetInfo,
        Method::FilesGetInfo,
        Method::FilesSetInfo,
        Method::FilesMoveToFolder,
        Method::FilesDelete,
        Method::FilesSendMail,
        Method::FilesGetDownloads,
        Method::FilesGetReceipts,
        Method::FoldersCreate,
        Method::FoldersGetAll,
        Method::FoldersGetContents,
        Method::FoldersGetInfo,
        Method::FoldersSetInfo,
        Method::FoldersMove,
        Method::FoldersDelete,
        Method::FoldersGetShared,
        Method::FoldersSendMail,
        Method::AddressbookList,
        Method::AddressbookAdd,
        Method::AddressbookUpdate,
        Method::AddressbookDelete,
        Method::WebhooksAdd,
        Method::WebhooksList,
        Method::WebhooksDelete,
        Method::FilesExtend,
        Method::TrashList,
        Method::TrashRestore,
        Method::TrashPurge,
        Method::KeysAdd,
        Method::KeysList,
        Method::KeysDelete,
        Method::KeysLookup,
    ];

    pub fn spec(self) -> &'static MethodSpec {
        use Method::*;
        static AUTH_REGISTER: MethodSpec = m(
            "auth.register",
            false,
            true,
            &["api_key", "user_name", "full_name", "email", "password"],
        );
        static AUTH_CREATE_TOKEN: MethodSpec = m(
            "auth.createToken",
            false,
            false,
            &["api_key", "api_version"],
        );
        static AUTH_LOGIN: MethodSpec = m(
            "auth.login",
            false,
            false,
            &["token", "user_name", "tokened_password"],
        );
        static AUTH_CHECK_SESSION: MethodSpec = m("auth.checkSession", true, false, &[]);
        static AUTH_LOGOUT: MethodSpec = m("auth.logout", true, false, &[]);
        static UPLOAD_GET_INFO: MethodSpec = MethodSpec {
            expiry: true,
            upload_start: true,
            ..m("upload.getInfo", true, true, &[])
        };
        static ANONYMOUS_UPLOAD_GET_INFO: MethodSpec = MethodSpec {
            upload_start: true,
            ..m(
                "anonymous.uploadGetInfo",
                false,
                true,
                &["api_key", "api_version"],
            )
        };
        static DOWNLOAD_GET_INFO: MethodSpec = MethodSpec {
            expiry: true,
            ..m("download.getInfo", true, false, &["file_id"])
        };
        static FILES_GET_INFO: MethodSpec = m("files.getInfo", true, false, &["file_id"]);
        static FILES_SET_INFO: MethodSpec = m("files.setInfo", true, true, &["file_id"]);
        static FILES_MOVE_TO_FOLDER: MethodSpec =
            m("files.moveToFolder", true, true, &["file_id", "folder_id"]);
        static FILES_DELETE: MethodSpec = m("files.delete", true, true, &["file_id"]);
        static FILES_SEND_MAIL: MethodSpec =
            m("files.sendMail", true, true, &["file_id", "emails"]);
        static FILES_GET_DOWNLOADS: MethodSpec = m("files.getDownloads", true, false, &["file_id"]);
        static FILES_GET_RECEIPTS: MethodSpec = m("files.getReceipts", true, false, &["file_id"]);
        static FOLDERS_CREATE: MethodSpec = m("folders.create", true, true, &["name"]);
        static FOLDERS_GET_ALL: MethodSpec = m("folders.getAll", true, false, &[]);
        static FOLDERS_GET_CONTENTS: MethodSpec =
            m("folders.getContents", true, false, &["folder_id"]);
        static FOLDERS_GET_INFO: MethodSpec = m("folders.getInfo", true, false, &["folder_id"]);
        static FOLDERS_SET_INFO: MethodSpec = m("folders.setInfo", true, true, &["folder_id"]);
        static FOLDERS_MOVE: MethodSpec = m(
            "folders.move",
            true,
            true,
            &["folder_id", "parent_folder_id"],
        );
        static FOLDERS_DELETE: MethodSpec = m("folders.delete", true, true, &["folder_id"]);
        static FOLDERS_GET_SHARED: MethodSpec = m("folders.getShared", true, false, &["folder_id"]);
        static FOLDERS_SEND_MAIL: MethodSpec =
            m("folders.sendMail", true, true, &["folder_id", "emails"]);
        static ADDRESSBOOK_LIST: MethodSpec = m("addressbook.list", true, false, &[]);
        static ADDRESSBOOK_ADD: MethodSpec = m("addressbook.add", true, true, &["email"]);
        static ADDRESSBOOK_UPDATE: MethodSpec = m("addressbook.update", true, true, &["email"]);
        static ADDRESSBOOK_DELETE: MethodSpec = m("addressbook.delete", true, true, &["email"]);
        // dropspace's extensions (docs/webhooks.md).
        static WEBHOOKS_ADD: MethodSpec = m("webhooks.add", true, true, &["url"]);
        static WEBHOOKS_LIST: MethodSpec = m("webhooks.list", true, false, &[]);
        static WEBHOOKS_DELETE: MethodSpec = m("webhooks.delete", true, true, &["webhook_id"]);
        // dropspace extensions (docs/api-notes.md, "Expiry and trash").
        static FILES_EXTEND: MethodSpec = m("files.extend", true, true, &["file_id"]);
        static TRASH_LIST: MethodSpec = m("trash.list", true, false, &[]);
        static TRASH_RESTORE: MethodSpec = m("trash.restore", true, true, &["file_id"]);
        static TRASH_PURGE: MethodSpec = m("trash.purge", true, true, &["file_id"]);
        // dropspace extensions (docs/encryption.md, "Account keys").
        static KEYS_ADD: MethodSpec = m("keys.add", true, true, &["public_key"]);
        static KEYS_LIST: MethodSpec = m("keys.list", true, false, &[]);
        static KEYS_DELETE: MethodSpec = m("keys.delete", true, true, &["key_id"]);
        static KEYS_LOOKUP: MethodSpec = m("keys.lookup", true, false, &["users"]);
        match self {
            AuthRegister => &AUTH_REGISTER,
            AuthCreateToken => &AUTH_CREATE_TOKEN,
            AuthLogin => &AUTH_LOGIN,
            AuthCheckSession => &AUTH_CHECK_SESSION,
            AuthLogout => &AUTH_LOGOUT,
            UploadGetInfo => &UPLOAD_GET_INFO,
            AnonymousUploadGetInfo => &ANONYMOUS_UPLOAD_GET_INFO,
            DownloadGetInfo => &DOWNLOAD_GET_INFO,
            FilesGetInfo => &FILES_GET_INFO,
            FilesSetInfo => &FILES_SET_INFO,
            FilesMoveToFolder => &FILES_MOVE_TO_FOLDER,
            FilesDelete => &FILES_DELETE,
            FilesSendMail => &FILES_SEND_MAIL,
            FilesGetDownloads => &FILES_GET_DOWNLOADS,
            FilesGetReceipts => &FILES_GET_RECEIPTS,
            FoldersCreate => &FOLDERS_CREATE,
            FoldersGetAll => &FOLDERS_GET_ALL,
            FoldersGetContents => &FOLDERS_GET_CONTENTS,
            FoldersGetInfo => &FOLDERS_GET_INFO,
            FoldersSetInfo => &FOLDERS_SET_INFO,
            FoldersMove => &FOLDERS_MOVE,
            FoldersDelete => &FOLDERS_DELETE,
            FoldersGetShared => &FOLDERS_GET_SHARED,
            FoldersSendMail => &FOLDERS_SEND_MAIL,
            AddressbookList => &ADDRESSBOOK_LIST,
            AddressbookAdd => &ADDRESSBOOK_ADD,
            AddressbookUpdate => &ADDRESSBOOK_UPDATE,
            AddressbookDelete => &ADDRESSBOOK_DELETE,
            WebhooksAdd => &WEBHOOKS_ADD,
            WebhooksList => &WEBHOOKS_LIST,
            WebhooksDelete => &WEBHOOKS_DELETE,
            FilesExtend => &FILES_EXTEND,
            TrashList => &TRASH_LIST,
            TrashRestore => &TRASH_RESTORE,
            TrashPurge => &TRASH_PURGE,
            KeysAdd => &KEYS_ADD,
            KeysList => &KEYS_LIST,
            KeysDelete => &KEYS_DELETE,
            KeysLookup => &KEYS_LOOKUP,
        }
    }

    /// The guide's spelling.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The method a request names, in any case.
    pub fn find(name: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// What the request pipeline checks for this method.
    fn gate(self) -> Gate {
        let spec = self.spec();
        Gate {
            writes: spec.writes,
            expiry: spec.expiry,
            upload_start: spec.upload_start,
        }
    }
}

/// A live session: the account and the API version it speaks.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub api_version: String,
    pub key_hash: String,
}

impl Session {
    /// 1.2 sessions answer comma lists per id (mixed results).
    pub fn is_v12(&self) -> bool {
        self.api_version == "1.2"
    }
}

/// Everything a method handler gets.
pub struct Ctx<'a> {
    pub app: &'a AppState,
    pub params: &'a Params,
    /// The method name as the request spelled it (echoed back).
    pub method: &'a str,
    pub client_ip: IpAddr,
    session: Option<Session>,
}

impl Ctx<'_> {
    /// The caller's session; only methods marked `session` may call this.
    pub fn session(&self) -> ApiResult<&Session> {
        self.session
            .as_ref()
            .ok_or_else(|| ApiError::new(Code::SessionKeyMissing))
    }

    pub fn user(&self) -> ApiResult<&User> {
        Ok(&self.session()?.user)
    }
}

/// The axum handler for `/rest/` (GET and POST).
pub async fn rest(
    State(app): State<App>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let started = Instant::now();
    let params = match Params::read(
        uri.query(),
        &headers,
        body,
        app.cfg.limits.max_api_body_bytes,
        app.cfg.limits.body_deadline(),
    )
    .await
    {
        Ok(p) => p,
        // An unreadable body is 16; the name from the query string, if
        // any, is still echoed so the client can match the answer.
        Err(e) => {
            let query = Params::read_query(uri.query());
            let sent = query.get("method").unwrap_or("");
            let format = response_format(&query).unwrap_or(Format::Xml);
            return finish(started, sent, "invalid", format, Err(e.into()));
        }
    };
    let sent = params.get("method").unwrap_or("").to_string();
    let method = Method::find(&sent);
    let label = method.map(Method::name).unwrap_or("unknown");
    // A bug in one method must still get the client an envelope (15), not a
    // bare HTTP 500; the panic message is logged by the panic hook.
    let handled = AssertUnwindSafe(handle(&app, &params, &sent, method, client_ip))
        .catch_unwind()
        .await;
    let (format, outcome) = handled.unwrap_or_else(|_| {
        (
            Format::Xml,
            Err(ApiError::internal(format!("panic in {label}"))),
        )
    });
    finish(started, &sent, label, format, outcome)
}

fn finish(
    started: Instant,
    sent: &str,
    label: &'static str,
    format: Format,
    outcome: ApiResult<Reply>,
) -> Response {
    let code;
    let status = match &outcome {
        Ok(r) if r.ok => "ok",
        Ok(_) => "fail",
        Err(e) => {
            e.log(label);
            code = e.code.number().to_string();
            &code
        }
    };
    pipeline::record(Front::Rest, label, status, started);
    render(sent, format, outcome)
}

/// The pipeline in the guide's order of precedence: the address's rate,
/// errors 1-5, 21 for the format, maintenance, the session (6), the
/// account's checks, the method.
async fn handle(
    app: &AppState,
    params: &Params,
    sent: &str,
    method: Option<Method>,
    client_ip: IpAddr,
) -> (Format, ApiResult<Reply>) {
    // The answer format is settled first so that every error can use it;
    // an unknown one is 21 (answered in XML) after errors 1-5.
    let format = response_format(params);
    let shown = *format.as_ref().unwrap_or(&Format::Xml);
    let outcome = async {
        let pipe = Pipeline::new(app, client_ip);
        pipe.address()?;
        let method = precheck(params, sent, method)?;
        format.clone()?;
        pipe.open_for(method.gate()).await?;
        let session = if method.spec().session {
            let key = params.get("session_key").unwrap_or("");
            Some(auth::load_session(app, key).await?)
        } else {
            None
        };
        run(&pipe, method, params, sent, session).await
    }
    .await;
    (shown, outcome)
}

/// The account's checks (rate, membership expiry, upload-start rate), then
/// the method itself.
async fn run(
    pipe: &Pipeline<'_>,
    method: Method,
    params: &Params,
    sent: &str,
    session: Option<Session>,
) -> ApiResult<Reply> {
    pipe.account(session.as_ref().map(|s| &s.user), method.gate())?;
    let ctx = Ctx {
        app: pipe.app(),
        params,
        method: sent,
        client_ip: pipe.ip,
        session,
    };
    dispatch(method, &ctx).await
}

/// `response_format`: xml (default) or json, any case; anything else is 21.
fn response_format(params: &Params) -> ApiResult<Format> {
    match params
        .get("response_format")
        .map(|f| f.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("xml") => Ok(Format::Xml),
        Some("json") => Ok(Format::Json),
        Some(_) => Err(ApiError::with_text(
            Code::ParameterBadValue,
            "response_format must be xml or json",
        )),
    }
}

/// Errors 1-5, in that order of precedence.
fn precheck(params: &Params, sent: &str, method: Option<Method>) -> ApiResult<Method> {
    if sent.trim().is_empty() {
        return Err(ApiError::new(Code::NoMethod));
    }
    let method = method.ok_or_else(|| ApiError::new(Code::UnknownMethod))?;
    let spec = method.spec();
    if spec.session && params.get("session_key").is_none_or(|k| k.is_empty()) {
        return Err(ApiError::new(Code::SessionKeyMissing));
    }
    for name in spec.required {
        params.required(name)?;
    }
    if let Some(v) = params.get("api_version") {
        if spec.required.contains(&"api_version") && !SUPPORTED_VERSIONS.contains(&v.trim()) {
            return Err(ApiError::new(Code::BadApiVersion));
        }
    }
    Ok(method)
}

pub const SUPPORTED_VERSIONS: &[&str] = &["1.0", "1.2"];

async fn dispatch(method: Method, c: &Ctx<'_>) -> ApiResult<Reply> {
    use Method::*;
    match method {
        AuthRegister => auth::register(c).await,
        AuthCreateToken => auth::create_token(c).await,
        AuthLogin => auth::login(c).await,
        AuthCheckSession => auth::check_session(c).await,
        AuthLogout => auth::logout(c).await,
        UploadGetInfo => upload::get_info(c).await,
        AnonymousUploadGetInfo => upload::anonymous_get_info(c).await,
        DownloadGetInfo => download::get_info(c).await,
        FilesGetInfo => files::get_info(c).await,
        FilesSetInfo => files::set_info(c).await,
        FilesMoveToFolder => files::move_to_folder(c).await,
        FilesDelete => files::delete(c).await,
        FilesGetDownloads => files::get_downloads(c).await,
        FilesGetReceipts => files::get_receipts(c).await,
        FilesSendMail => files::send_mail(c).await,
        FoldersCreate => folders::create(c).await,
        FoldersGetAll => folders::get_all(c).await,
        FoldersGetContents => folders::get_contents(c).await,
        FoldersGetInfo => folders::get_info(c).await,
        FoldersSetInfo => folders::set_info(c).await,
        FoldersMove => folders::move_folder(c).await,
        FoldersDelete => folders::delete(c).await,
        FoldersGetShared => folders::get_shared(c).await,
        FoldersSendMail => folders::send_mail(c).await,
        AddressbookList => addressbook::list(c).await,
        AddressbookAdd => addressbook::add(c).await,
        AddressbookUpdate => addressbook::update(c).await,
        AddressbookDelete => addressbook::delete(c).await,
        WebhooksAdd => webhooks::add(c).await,
        WebhooksList => webhooks::list(c).await,
        WebhooksDelete => webhooks::delete(c).await,
        FilesExtend => trash::extend(c).await,
        TrashList => trash::list(c).await,
        TrashRestore => trash::restore(c).await,
        TrashPurge => trash::purge(c).await,
        KeysAdd => keys::add(c).await,
        KeysList => keys::list(c).await,
        KeysDelete => keys::delete(c).await,
        KeysLookup => keys::lookup(c).await,
    }
}
