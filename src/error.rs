//! The sendspace error model: every failure a client can see carries one of
//! the guide's 33 codes. `ApiError` is turned into a response in exactly one
//! place, `api::envelope::render`.

use std::fmt;

/// The 33 error codes of the sendspace 1.0 guide, by their guide names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Code {
    NoMethod = 1,
    UnknownMethod = 2,
    SessionKeyMissing = 3,
    ParameterMissing = 4,
    BadApiVersion = 5,
    SessionBad = 6,
    SessionNotAuth = 7,
    AuthenticationFailure = 8,
    FileNotFound = 9,
    FolderNotFound = 10,
    PermissionDenied = 11,
    DownloadTempError = 12,
    UploadTempError = 13,
    FolderNotEmpty = 14,
    SystemMaintenance = 15,
    InvalidParameter = 16,
    HttpsForbidden = 17,
    UnknownApiKey = 18,
    ProExpired = 19,
    ProDiskspaceLimit = 20,
    ParameterBadValue = 21,
    BadPassword = 22,
    BandwidthLimit = 23,
    InvalidEmail = 24,
    OutdatedVersion = 25,
    InvalidFileUrl = 26,
    RegistrationError = 27,
    ContactExists = 28,
    ContactNotExists = 29,
    TooManySessions = 30,
    BadTargetFolder = 31,
    ContactsLimit = 32,
    FolderIsPrivate = 33,
}

impl Code {
    pub const ALL: [Code; 33] = [
        Code::NoMethod,
        Code::UnknownMethod,
        Code::SessionKeyMissing,
        Code::ParameterMissing,
        Code::BadApiVersion,
        Code::SessionBad,
        Code::SessionNotAuth,
        Code::AuthenticationFailure,
        Code::FileNotFound,
        Code::FolderNotFound,
        Code::PermissionDenied,
        Code::DownloadTempError,
        Code::UploadTempError,
        Code::FolderNotEmpty,
        Code::SystemMaintenance,
        Code::InvalidParameter,
        Code::HttpsForbidden,
        Code::UnknownApiKey,
        Code::ProExpired,
        Code::ProDiskspaceLimit,
        Code::ParameterBadValue,
        Code::BadPassword,
        Code::BandwidthLimit,
        Code::InvalidEmail,
        Code::OutdatedVersion,
        Code::InvalidFileUrl,
        Code::RegistrationError,
        Code::ContactExists,
        Code::ContactNotExists,
        Code::TooManySessions,
        Code::BadTargetFolder,
        Code::ContactsLimit,
        Code::FolderIsPrivate,
    ];

    pub fn number(self) -> u16 {
        self as u16
    }

    /// The guide's constant name, e.g. `API_ERROR_SESSION_BAD`.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// The guide's description, used as `text` unless a more specific one is given.
    pub fn text(self) -> &'static str {
        self.info().1
    }

    fn info(self) -> (&'static str, &'static str) {
        use Code::*;
        match self {
            NoMethod => ("API_ERROR_NO_METHOD", "No method parameter in request"),
            UnknownMethod => ("API_ERROR_UNKNOWN_METHOD", "Unknown method"),
            SessionKeyMissing => ("API_ERROR_SESSION_KEY_MISSING", "Session key parameter missing"),
            ParameterMissing => ("API_ERROR_PARAMETER_MISSING", "Method parameter(s) missing"),
            BadApiVersion => ("API_ERROR_BAD_API_VERSION", "Unknown or unsupported API version"),
            SessionBad => ("API_ERROR_SESSION_BAD", "Session expired or not found"),
            SessionNotAuth => ("API_ERROR_SESSION_NOT_AUTH", "Session not authenticated"),
            AuthenticationFailure => ("API_ERROR_AUTHENTICATION_FAILURE", "Authentication error"),
            FileNotFound => ("API_ERROR_FILE_NOT_FOUND", "File not found"),
            FolderNotFound => ("API_ERROR_FOLDER_NOT_FOUND", "Folder not found"),
            PermissionDenied => ("API_ERROR_PERMISSION_DENIED", "Permission denied"),
            DownloadTempError => ("API_ERROR_DOWNLOAD_TEMP_ERROR", "Download is temporarily unavailable"),
            UploadTempError => ("API_ERROR_UPLOAD_TEMP_ERROR", "Upload is temporarily unavailable"),
            FolderNotEmpty => ("API_ERROR_FOLDER_NOT_EMPTY", "Folder is not empty"),
            SystemMaintenance => ("API_ERROR_SYSTEM_MAINTENANCE", "System maintenance, try again later"),
            InvalidParameter => ("API_ERROR_INVALID_PARAMETER", "One of the parameters is invalid"),
            HttpsForbidden => ("API_ERROR_HTTPS_FORBIDDEN", "HTTPS is forbidden for current user"),
            UnknownApiKey => ("API_ERROR_UNKNOWN_API_KEY", "Unknown API key sent"),
            ProExpired => ("API_ERROR_PRO_EXPIRED", "Pro user, account expired"),
            ProDiskspaceLimit => ("API_ERROR_PRO_DISKSPACE_LIMIT", "Pro user, reached disk space limit"),
            ParameterBadValue => ("API_ERROR_PARAMETER_BAD_VALUE", "One of the parameter values is invalid"),
            BadPassword => ("API_ERROR_BAD_PASSWORD", "A wrong or empty password was given"),
            BandwidthLimit => ("API_ERROR_BANDWIDTH_LIMIT", "Account bandwidth limit reached"),
            InvalidEmail => ("API_ERROR_INVALID_EMAIL", "Email(s) are invalid"),
            OutdatedVersion => (
                "API_ERROR_OUTDATED_VERSION",
                "The application version you are using is too old. Please upgrade it.",
            ),
            InvalidFileUrl => (
                "API_ERROR_INVALID_FILE_URL",
                "Not a sendspace download URL (must start with http://www.sendspace.com/ and contain a 6 character link)",
            ),
            RegistrationError => ("API_ERROR_REGISTRATION_ERROR", "Registration error"),
            ContactExists => ("API_ERROR_CONTACT_EXISTS", "Contact already exist"),
            ContactNotExists => ("API_ERROR_CONTACT_NOT_EXISTS", "Contact doesn't exist"),
            TooManySessions => (
                "API_ERROR_TOO_MANY_SESSIONS",
                "Too many sessions open for your user account. Please close previous sessions.",
            ),
            BadTargetFolder => ("API_ERROR_BAD_TARGET_FOLDER", "Invalid target folder selected"),
            ContactsLimit => (
                "API_ERROR_CONTACTS_LIMIT",
                "Reached contacts limit. Please free up unused contacts and try again.",
            ),
            FolderIsPrivate => ("API_ERROR_FOLDER_IS_PRIVATE", "Folder is private. Only the owner can view."),
        }
    }
}

/// A failure as the client sees it: a guide code, an optional more specific
/// text, and optionally the id that failed (1.0 comma lists answer `<id>`).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    pub detail: Option<String>,
    pub id: Option<String>,
}

impl ApiError {
    pub fn new(code: Code) -> Self {
        ApiError {
            code,
            detail: None,
            id: None,
        }
    }

    pub fn with_text(code: Code, text: impl Into<String>) -> Self {
        ApiError {
            code,
            detail: Some(text.into()),
            id: None,
        }
    }

    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    pub fn text(&self) -> &str {
        self.detail.as_deref().unwrap_or(self.code.text())
    }

    /// An unexpected failure of the database or another internal part. The
    /// guide has no "internal error" code; 15 ("try again later") is what a
    /// client can act on. The cause is logged, never sent.
    pub fn internal(err: impl fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        ApiError::with_text(
            Code::SystemMaintenance,
            "Temporary server error, try again later",
        )
    }
}

impl From<Code> for ApiError {
    fn from(code: Code) -> Self {
        ApiError::new(code)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(format!("{e:#}"))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {}: {}", self.code.number(), self.text())
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_33_codes_in_order_with_guide_names() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.number() as usize, i + 1);
            assert!(code.name().starts_with("API_ERROR_"));
            assert!(!code.text().is_empty());
        }
        let names: std::collections::HashSet<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), 33);
        assert_eq!(Code::SessionBad.text(), "Session expired or not found");
    }

    #[test]
    fn specific_text_and_id() {
        let e = ApiError::new(Code::FileNotFound);
        assert_eq!(e.text(), "File not found");
        let e = ApiError::with_text(Code::RegistrationError, "User name taken").id("ab12cd");
        assert_eq!(e.code, Code::RegistrationError);
        assert_eq!(e.text(), "User name taken");
        assert_eq!(e.id.as_deref(), Some("ab12cd"));
        assert_eq!(
            ApiError::internal("disk on fire").code,
            Code::SystemMaintenance
        );
    }
}
