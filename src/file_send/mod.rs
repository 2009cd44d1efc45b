//! The second API (docs/file-send.md): signed calls
//! at `/api/{method}[.json|.xml]` that send files and folders to users,
//! user groups and outside addresses, each with a personal link.
//!
//! - `auth`: API credentials and the request signature.
//! - `send`: `send_files_prep`, `file_send`, `user_info`.
//! - `requests`: `file_request_create`, `file_request_list`,
//!   `file_request_close` (docs/file-requests.md).
//! - `links`: the recipients' pages `/s/{token}` (login, listing, downloads).
//! - `receipts`: who downloaded, signed delivery receipts and their key.
//!
//! The rules (credentials, preparations, sends, links, groups) are in
//! `library::file_send` and `library::groups`.
//!
//! Answers are JSON by default or XML; an error is
//! `{"error":{"title","message"}}` / `<error><title/><message/></error>` with a
//! 4xx status, produced in one place, `render`.

pub mod auth;
pub mod links;
pub mod receipts;
pub mod requests;
pub mod send;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{Map, Value};

use crate::http::params::Params;
use crate::http::pipeline::{record, Front, Gate, Pipeline};
use crate::http::ClientIp;
use crate::library::Error;
use crate::state::App;
use dropspace_proto::envelope::{to_json, to_xml, Format, Node};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/{method}", any(call))
        .route("/s/{token}", get(links::show))
        .route("/s/{token}/login", post(links::login))
        .route("/s/{token}/f/{file_id}", get(links::download))
        .route("/s/{token}/d/{file_id}", get(links::decrypt))
        .route("/s/{token}/zip", get(links::zip))
        .route(
            "/.well-known/dropspace-receipt-key",
            get(receipts::public_key),
        )
        .route(
            "/.well-known/dropspace-receipt-key.json",
            get(receipts::public_key_json),
        )
}

/// A failure as this API reports it.
#[derive(Debug)]
pub struct FsError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl FsError {
    pub fn new(status: StatusCode, title: &str, message: &str) -> FsError {
        FsError {
            status,
            title: title.to_string(),
            message: message.to_string(),
        }
    }

    pub fn bad_request(message: &str) -> FsError {
        FsError::new(StatusCode::BAD_REQUEST, "Invalid request", message)
    }

    pub fn unauthorized(message: &str) -> FsError {
        FsError::new(StatusCode::UNAUTHORIZED, "Authentication failed", message)
    }

    /// Over an abuse limit (429).
    pub fn too_many(message: &str) -> FsError {
        FsError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests", message)
    }

    pub fn forbidden() -> FsError {
        FsError::new(
            StatusCode::FORBIDDEN,
            "You do not have access privileges for this location",
            "Please try a different location or speak to an administrator.",
        )
    }

    /// Database trouble: the cause is logged, the client told to retry.
    pub fn internal(e: impl std::fmt::Display) -> FsError {
        tracing::error!(error = %e, "file_send API");
        FsError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Temporarily unavailable",
            "Please try again later.",
        )
    }
}

/// The domain's errors as this API reports them: the one mapping of `/api/`.
impl From<Error> for FsError {
    fn from(e: Error) -> FsError {
        match e {
            Error::TooFast(secs) => {
                FsError::too_many(&format!("Too many requests, try again in {secs} seconds"))
            }
            Error::Invalid(text) | Error::BadValueText(text) => FsError::bad_request(&text),
            Error::Missing(name) => FsError::bad_request(&format!("Parameter missing: {name}")),
            Error::BadValue(name) => {
                FsError::bad_request(&format!("Invalid value for parameter {name}"))
            }
            Error::FileNotFound | Error::FolderNotFound | Error::Denied(_) | Error::Gone(_) => {
                FsError::forbidden()
            }
            Error::Maintenance => FsError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Temporarily unavailable",
                "Please try again later.",
            ),
            Error::Internal(e) => FsError::internal(format!("{e:#}")),
            other => FsError::bad_request(&other.to_string()),
        }
    }
}

impl From<anyhow::Error> for FsError {
    fn from(e: anyhow::Error) -> Self {
        FsError::internal(format!("{e:#}"))
    }
}

pub type FsResult<T> = Result<T, FsError>;

/// What a method needs to run.
pub struct Call<'a> {
    pub app: &'a App,
    pub params: &'a Params,
    pub user: crate::db::users::User,
}

/// The methods: name, HTTP method.
const METHODS: &[(&str, Method)] = &[
    ("file_send", Method::POST),
    ("send_files_prep", Method::POST),
    ("user_info", Method::GET),
    ("file_request_create", Method::POST),
    ("file_request_list", Method::GET),
    ("file_request_close", Method::POST),
    ("delivery_receipts", Method::GET),
    ("delivery_receipt", Method::GET),
    ("download_log", Method::GET),
];

/// `{method}` with its optional format suffix.
fn split_format(path: &str) -> (&str, Format) {
    if let Some(m) = path.strip_suffix(".xml") {
        (m, Format::Xml)
    } else if let Some(m) = path.strip_suffix(".json") {
        (m, Format::Json)
    } else {
        (path, Format::Json)
    }
}

async fn call(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    method: Method,
    Path(path): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = std::time::Instant::now();
    let (name, format) = split_format(&path);
    let found = METHODS.iter().find(|(m, _)| *m == name);
    let pipeline = Pipeline::new(&app, ip);
    let outcome = async {
        pipeline.address()?;
        let Some((name, allowed)) = found else {
            return Err(FsError::new(
                StatusCode::NOT_FOUND,
                "Unknown method",
                "There is no such method in this API.",
            ));
        };
        // HEAD is a GET without the body.
        let as_get = if method == Method::HEAD {
            Method::GET
        } else {
            method.clone()
        };
        if as_get != allowed {
            return Err(FsError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                &format!("{name} must be called with {allowed}."),
            ));
        }
        let limit = app.cfg.limits.max_api_body_bytes;
        let deadline = app.cfg.limits.body_deadline();
        let params = if as_get == Method::GET {
            // A GET's signature covers its query: parameters in a body would
            // go unsigned, so they are refused, never merged.
            let body = Params::read(None, &headers, body, limit, deadline)
                .await
                .map_err(FsError::from)?;
            if !body.is_empty() {
                return Err(FsError::bad_request(
                    "A GET takes its parameters in the signed query string only, not in a body.",
                ));
            }
            Params::read_query(uri.query())
        } else {
            Params::read(uri.query(), &headers, body, limit, deadline)
                .await
                .map_err(FsError::from)?
        };
        let user = auth::authenticate(&app, ip, &path, &as_get, uri.query(), &params).await?;
        pipeline.account(Some(&user), Gate::default())?;
        let c = Call {
            app: &app,
            params: &params,
            user,
        };
        match *name {
            "file_send" => send::file_send(&c).await,
            "send_files_prep" => send::send_files_prep(&c).await,
            "file_request_create" => requests::create(&c).await,
            "file_request_list" => requests::list(&c).await,
            "file_request_close" => requests::close(&c).await,
            "delivery_receipts" => receipts::delivery_receipts(&c).await,
            "delivery_receipt" => receipts::delivery_receipt(&c).await,
            "download_log" => receipts::download_log(&c).await,
            _ => send::user_info(&c).await,
        }
    }
    .await;
    let label = match &outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.status.as_u16().to_string(),
    };
    let method = found.map_or("unknown", |(m, _)| *m);
    record(Front::FileSend, method, &label, started);
    render(format, outcome)
}

/// The one place an outcome becomes a response. A success is a tree whose
/// root is the XML document element; its JSON is `{root: …}` — or, for a
/// list root (`list = true`), the object of its children.
pub fn render(format: Format, outcome: FsResult<Answer>) -> Response {
    let (status, xml, json) = match outcome {
        Ok(answer) => {
            let json = if answer.list {
                to_json(&answer.root)
            } else {
                let mut m = Map::new();
                m.insert(answer.root.name.to_string(), to_json(&answer.root));
                Value::Object(m)
            };
            (StatusCode::OK, answer.root, json)
        }
        Err(e) => {
            let node = Node::new("error")
                .child(Node::text("title", &e.title))
                .child(Node::text("message", &e.message));
            let mut inner = Map::new();
            inner.insert("title".into(), Value::String(e.title));
            inner.insert("message".into(), Value::String(e.message));
            let mut m = Map::new();
            m.insert("error".into(), Value::Object(inner));
            (e.status, node, Value::Object(m))
        }
    };
    let (ctype, body) = match format {
        Format::Xml => ("text/xml; charset=utf-8", to_xml(&xml)),
        Format::Json => ("application/json; charset=utf-8", json.to_string()),
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ctype))],
        body,
    )
        .into_response()
}

/// A successful answer.
pub struct Answer {
    pub root: Node,
    /// The root only wraps a list of children (several `fileInfo`).
    pub list: bool,
}

/// Background work: forget signatures past their window and spent
/// preparations. Safe on every node.
pub async fn sweep(app: &App) -> crate::library::Result<()> {
    crate::library::file_send::sweep(&app.db).await
}
