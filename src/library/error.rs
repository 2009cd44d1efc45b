//! The domain's one error type. It names what went wrong in the domain's
//! (the guide's) vocabulary and knows nothing of HTTP or XML: each front end
//! maps it once — sendspace codes in `api::error`, HTTP statuses in
//! `file_send`, pages in `http::html`. Causes of `Internal` are logged where
//! the error is handled (the front end), never here.

use std::borrow::Cow;

pub type Text = Cow<'static, str>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("file not found")]
    FileNotFound,
    #[error("folder not found")]
    FolderNotFound,
    #[error("folder is not empty")]
    FolderNotEmpty,
    #[error("invalid target folder")]
    BadTargetFolder,
    #[error("folder is private")]
    FolderIsPrivate,
    /// Not an id nor a URL of this server.
    #[error("not a link of this server")]
    NotOurUrl,
    #[error("contact already exists")]
    ContactExists,
    #[error("no such contact")]
    ContactNotExists,
    #[error("address book full")]
    ContactsLimit,
    #[error("invalid e-mail address")]
    InvalidEmail,
    /// A wrong or missing download password.
    #[error("wrong password")]
    BadPassword,
    /// Too many wrong download passwords: seconds to wait. The password
    /// was not looked at.
    #[error("wrong password, wait")]
    PasswordWait(i64),
    #[error("disk space limit reached")]
    DiskspaceLimit,
    /// A file over the upload's size limit (bytes).
    #[error("file too large")]
    TooLarge(i64),
    #[error("bandwidth limit reached")]
    BandwidthLimit,
    /// A paid membership whose end date has passed.
    #[error("membership ended")]
    MembershipExpired,
    #[error("too many sessions")]
    TooManySessions,
    #[error("session expired or not found")]
    SessionBad,
    #[error("unknown API key")]
    UnknownApiKey,
    #[error("application version too old")]
    OutdatedVersion,
    /// A refused login; the reason where the user can act on it.
    #[error("login refused")]
    LoginFailed(Option<Text>),
    /// Not allowed; the reason where there is one to tell.
    #[error("permission denied")]
    Denied(Option<Text>),
    /// A file that exists but can no longer be downloaded, and why.
    #[error("{}", .0.text())]
    Gone(Gone),
    /// Registration rules broken; the reason is shown.
    #[error("{0}")]
    Registration(Text),
    /// A value out of range, by the name the caller gave it.
    #[error("invalid value for {0}")]
    BadValue(Text),
    /// A value out of range, with its own explanation.
    #[error("{0}")]
    BadValueText(Text),
    /// Input that cannot be understood at all.
    #[error("{0}")]
    Invalid(Text),
    /// A required value that was not given.
    #[error("missing: {0}")]
    Missing(Text),
    /// Maintenance mode refuses writes.
    #[error("maintenance")]
    Maintenance,
    /// Over a rate: try again in this many seconds.
    #[error("too many requests")]
    TooFast(u64),
    /// Uploading is not possible now; the reason where there is one.
    #[error("upload unavailable")]
    UploadUnavailable(Option<Text>),
    /// The virus scanner found this signature in an upload; nothing of it
    /// is kept (docs/scanning.md).
    #[error("virus found: {0}")]
    Infected(Text),
    /// The virus scanner gave no verdict and `scan.fail_closed` refuses
    /// the upload.
    #[error("virus scanner unavailable")]
    ScanUnavailable,
    /// The stored bytes cannot be read now.
    #[error("download unavailable")]
    DownloadUnavailable,
    /// The database or another part failed; the client may retry.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Why a file can no longer be downloaded: each has its own page and text
/// (docs/api-notes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// Its time limit has passed.
    Expired,
    /// It has been downloaded as many times as its limit allows.
    LimitReached,
}

impl Gone {
    pub fn text(self) -> &'static str {
        match self {
            Gone::Expired => "This file has expired",
            Gone::LimitReached => "The download limit of this file has been reached",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn denied(reason: impl Into<Text>) -> Error {
        Error::Denied(Some(reason.into()))
    }

    pub fn bad_value(name: impl Into<Text>) -> Error {
        Error::BadValue(name.into())
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Error {
        Error::Internal(e.into())
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(e)
    }
}
