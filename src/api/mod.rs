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
pub mod lists;
pub mod nodes;
pub mod upload;

use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use futures::FutureExt;

use crate::db::users::User;
use crate::error::{ApiError, ApiResult, Code};
use crate::http::params::Params;
use crate::state::{App, AppState};
use envelope::{render, Format, Reply};

/// What the dispatcher needs to know about a method before running it.
pub struct MethodSpec {
    /// The guide's spelling; matched case-insensitively.
    pub name: &'static str,
    /// Needs a `session_key` (3 when absent, 6 when dead).
    pub session: bool,
    /// Changes state: refused with 15 in maintenance mode.
    pub writes: bool,
    /// Mandatory parameters besides `session_key` (4 when absent).
    pub required: &'static [&'static str],
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
    }
}

pub static METHODS: &[MethodSpec] = &[
    m(
        "auth.register",
        false,
        true,
        &["api_key", "user_name", "full_name", "email", "password"],
    ),
    m(
        "auth.createToken",
        false,
        false,
        &["api_key", "api_version"],
    ),
    m(
        "auth.login",
        false,
        false,
        &["token", "user_name", "tokened_password"],
    ),
    m("auth.checkSession", true, false, &[]),
    m("auth.logout", true, false, &[]),
    m("upload.getInfo", true, true, &[]),
    m(
        "anonymous.uploadGetInfo",
        false,
        true,
        &["api_key", "api_version"],
    ),
    m("download.getInfo", true, false, &["file_id"]),
    m("files.getInfo", true, false, &["file_id"]),
    m("files.setInfo", true, true, &["file_id"]),
    m("files.moveToFolder", true, true, &["file_id", "folder_id"]),
    m("files.delete", true, true, &["file_id"]),
    m("files.sendMail", true, true, &["file_id", "emails"]),
    m("folders.create", true, true, &["name"]),
    m("folders.getAll", true, false, &[]),
    m("folders.getContents", true, false, &["folder_id"]),
    m("folders.getInfo", true, false, &["folder_id"]),
    m("folders.setInfo", true, true, &["folder_id"]),
    m(
        "folders.move",
        true,
        true,
        &["folder_id", "parent_folder_id"],
    ),
    m("folders.delete", true, true, &["folder_id"]),
    m("folders.getShared", true, false, &["folder_id"]),
    m("folders.sendMail", true, true, &["folder_id", "emails"]),
    m("addressbook.list", true, false, &[]),
    m("addressbook.add", true, true, &["email"]),
    m("addressbook.update", true, true, &["email"]),
    m("addressbook.delete", true, true, &["email"]),
];

/// The methods whose guide entry lists 19: an account whose paid tier has
/// ended is refused there (and only there) before the method runs.
pub const PRO_EXPIRY_CHECKED: &[&str] = &["upload.getInfo", "download.getInfo"];

pub fn find_method(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().find(|m| m.name.eq_ignore_ascii_case(name))
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    body: Body,
) -> Response {
    let started = Instant::now();
    let client_ip = crate::http::client_ip(&app.cfg, &headers, peer);
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
    let spec = find_method(&sent);
    let label = spec.map(|s| s.name).unwrap_or("unknown");
    // A bug in one method must still get the client an envelope (15), not a
    // bare HTTP 500; the panic message is logged by the panic hook.
    let handled = AssertUnwindSafe(handle(&app, &params, &sent, spec, client_ip))
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
    let status = match &outcome {
        Ok(r) if r.ok => "ok".to_string(),
        Ok(_) => "fail".to_string(),
        Err(e) => e.code.number().to_string(),
    };
    let elapsed = started.elapsed();
    // Only the method's table name and the outcome: parameters carry
    // passwords, tokens and session keys and are never logged.
    tracing::info!(method = label, outcome = %status, ms = elapsed.as_millis() as u64, "api call");
    metrics::counter!("dropspace_api_requests_total", "method" => label, "outcome" => status)
        .increment(1);
    metrics::histogram!("dropspace_api_request_duration_seconds", "method" => label)
        .record(elapsed.as_secs_f64());
    render(sent, format, outcome)
}

/// The methods that hand out upload identifiers (rate-limited apart).
const UPLOAD_STARTS: [&str; 2] = ["upload.getInfo", "anonymous.uploadGetInfo"];

async fn handle(
    app: &AppState,
    params: &Params,
    sent: &str,
    spec: Option<&'static MethodSpec>,
    client_ip: IpAddr,
) -> (Format, ApiResult<Reply>) {
    // The answer format is settled first so that every error can use it;
    // an unknown one is 21 (answered in XML) after errors 1-5.
    let format = response_format(params);
    let shown = *format.as_ref().unwrap_or(&Format::Xml);
    let outcome = async {
        app.abuse.api_call(client_ip)?;
        let spec = precheck(params, sent, spec)?;
        format.clone()?;
        if spec.writes && app.db.maintenance().await? {
            return Err(ApiError::new(Code::SystemMaintenance));
        }
        let session = if spec.session {
            let key = params.get("session_key").unwrap_or("");
            Some(auth::load_session(app, key).await?)
        } else {
            None
        };
        run(app, spec, params, sent, client_ip, session).await
    }
    .await;
    (shown, outcome)
}

/// The last checks of every call, from `/rest/` or a web page, once its
/// method and session are known: the account's rate, membership expiry,
/// the upload-start rate; then the method itself.
async fn run(
    app: &AppState,
    spec: &'static MethodSpec,
    params: &Params,
    method: &str,
    client_ip: IpAddr,
    session: Option<Session>,
) -> ApiResult<Reply> {
    if let Some(session) = &session {
        app.abuse.api_call_by(session.user.id)?;
        if PRO_EXPIRY_CHECKED.contains(&spec.name) && session.user.membership_expired() {
            return Err(ApiError::new(Code::ProExpired));
        }
    }
    if UPLOAD_STARTS.contains(&spec.name) {
        let account = session.as_ref().map(|s| s.user.id);
        app.abuse.upload_start(client_ip, account)?;
    }
    let ctx = Ctx {
        app,
        params,
        method,
        client_ip,
        session,
    };
    dispatch(spec, &ctx).await
}

/// A session method run by a web page (`pages::web`) on a logged-in user's
/// behalf: the same abuse limits, parameter, maintenance and expiry checks
/// and the same handler as `/rest/`, answered as the `Reply` itself, not
/// an envelope.
pub async fn call_as(
    app: &AppState,
    session: Session,
    method: &str,
    params: Params,
    client_ip: IpAddr,
) -> ApiResult<Reply> {
    let spec = find_method(method)
        .filter(|s| s.session)
        .ok_or_else(|| ApiError::new(Code::UnknownMethod))?;
    app.abuse.api_call(client_ip)?;
    for name in spec.required {
        params.required(name)?;
    }
    if spec.writes && app.db.maintenance().await? {
        return Err(ApiError::new(Code::SystemMaintenance));
    }
    run(app, spec, &params, spec.name, client_ip, Some(session)).await
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
fn precheck(
    params: &Params,
    sent: &str,
    spec: Option<&'static MethodSpec>,
) -> ApiResult<&'static MethodSpec> {
    if sent.trim().is_empty() {
        return Err(ApiError::new(Code::NoMethod));
    }
    let spec = spec.ok_or_else(|| ApiError::new(Code::UnknownMethod))?;
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
    Ok(spec)
}

pub const SUPPORTED_VERSIONS: &[&str] = &["1.0", "1.2"];

async fn dispatch(spec: &MethodSpec, c: &Ctx<'_>) -> ApiResult<Reply> {
    match spec.name {
        "auth.register" => auth::register(c).await,
        "auth.createToken" => auth::create_token(c).await,
        "auth.login" => auth::login(c).await,
        "auth.checkSession" => auth::check_session(c).await,
        "auth.logout" => auth::logout(c).await,
        "upload.getInfo" => upload::get_info(c).await,
        "anonymous.uploadGetInfo" => upload::anonymous_get_info(c).await,
        "download.getInfo" => download::get_info(c).await,
        "files.getInfo" => files::get_info(c).await,
        "files.setInfo" => files::set_info(c).await,
        "files.moveToFolder" => files::move_to_folder(c).await,
        "files.delete" => files::delete(c).await,
        "files.sendMail" => files::send_mail(c).await,
        "folders.create" => folders::create(c).await,
        "folders.getAll" => folders::get_all(c).await,
        "folders.getContents" => folders::get_contents(c).await,
        "folders.getInfo" => folders::get_info(c).await,
        "folders.setInfo" => folders::set_info(c).await,
        "folders.move" => folders::move_folder(c).await,
        "folders.delete" => folders::delete(c).await,
        "folders.getShared" => folders::get_shared(c).await,
        "folders.sendMail" => folders::send_mail(c).await,
        "addressbook.list" => addressbook::list(c).await,
        "addressbook.add" => addressbook::add(c).await,
        "addressbook.update" => addressbook::update(c).await,
        "addressbook.delete" => addressbook::delete(c).await,
        _ => Err(ApiError::new(Code::UnknownMethod)),
    }
}
