//! The error type: the guide's 33 error codes as [`ErrorCode`], and
//! [`Error`], which keeps an API refusal apart from transport trouble so a
//! caller can decide whether retrying makes sense.

use std::fmt;

macro_rules! codes {
    ($($variant:ident = $n:literal, $name:literal, $text:literal;)*) => {
        /// An error code of the sendspace API (the guide's table), or a
        /// number the guide does not list.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(#[doc = $text] $variant,)*
            /// A code the guide does not list.
            Other(u32),
        }

        impl ErrorCode {
            /// The code for a number from an answer.
            pub fn from_number(n: u32) -> ErrorCode {
                match n {
                    $($n => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other),
                }
            }

            /// The number the API uses.
            pub fn number(self) -> u32 {
                match self {
                    $(ErrorCode::$variant => $n,)*
                    ErrorCode::Other(n) => n,
                }
            }

            /// The guide's constant name, e.g. `API_ERROR_SESSION_BAD`.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                    ErrorCode::Other(_) => "API_ERROR_UNKNOWN",
                }
            }

            /// The guide's description of the code.
            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                    ErrorCode::Other(_) => "Unknown error",
                }
            }
        }
    };
}

codes! {
    NoMethod = 1, "API_ERROR_NO_METHOD", "No method parameter in request";
    UnknownMethod = 2, "API_ERROR_UNKNOWN_METHOD", "Unknown method";
    SessionKeyMissing = 3, "API_ERROR_SESSION_KEY_MISSING", "Session key parameter missing";
    ParameterMissing = 4, "API_ERROR_PARAMETER_MISSING", "Method parameter(s) missing";
    BadApiVersion = 5, "API_ERROR_BAD_API_VERSION", "Unknown or unsupported API version";
    SessionBad = 6, "API_ERROR_SESSION_BAD", "Session expired or not found";
    SessionNotAuth = 7, "API_ERROR_SESSION_NOT_AUTH", "Session not authenticated";
    AuthenticationFailure = 8, "API_ERROR_AUTHENTICATION_FAILURE", "Authentication error";
    FileNotFound = 9, "API_ERROR_FILE_NOT_FOUND", "File not found";
    FolderNotFound = 10, "API_ERROR_FOLDER_NOT_FOUND", "Folder not found";
    PermissionDenied = 11, "API_ERROR_PERMISSION_DENIED", "Permission denied";
    DownloadTempError = 12, "API_ERROR_DOWNLOAD_TEMP_ERROR", "Download is temporarily unavailable";
    UploadTempError = 13, "API_ERROR_UPLOAD_TEMP_ERROR", "Upload is temporarily unavailable";
    FolderNotEmpty = 14, "API_ERROR_FOLDER_NOT_EMPTY", "Folder is not empty";
    SystemMaintenance = 15, "API_ERROR_SYSTEM_MAINTENANCE", "System maintenance, try again later";
    InvalidParameter = 16, "API_ERROR_INVALID_PARAMETER", "One of the parameters is invalid";
    HttpsForbidden = 17, "API_ERROR_HTTPS_FORBIDDEN", "HTTPS is forbidden for current user";
    UnknownApiKey = 18, "API_ERROR_UNKNOWN_API_KEY", "Unknown API key sent";
    ProExpired = 19, "API_ERROR_PRO_EXPIRED", "Pro user, account expired";
    ProDiskspaceLimit = 20, "API_ERROR_PRO_DISKSPACE_LIMIT", "Pro user, reached disk space limit";
    ParameterBadValue = 21, "API_ERROR_PARAMETER_BAD_VALUE", "One of the parameter values is invalid";
    BadPassword = 22, "API_ERROR_BAD_PASSWORD", "A wrong or empty password was given";
    BandwidthLimit = 23, "API_ERROR_BANDWIDTH_LIMIT", "Account bandwidth limit reached";
    InvalidEmail = 24, "API_ERROR_INVALID_EMAIL", "Email(s) are invalid";
    OutdatedVersion = 25, "API_ERROR_OUTDATED_VERSION", "The application version you are using is too old. Please upgrade it.";
    InvalidFileUrl = 26, "API_ERROR_INVALID_FILE_URL", "Not a sendspace download URL";
    RegistrationError = 27, "API_ERROR_REGISTRATION_ERROR", "Registration error";
    ContactExists = 28, "API_ERROR_CONTACT_EXISTS", "Contact already exist";
    ContactNotExists = 29, "API_ERROR_CONTACT_NOT_EXISTS", "Contact doesn't exist";
    TooManySessions = 30, "API_ERROR_TOO_MANY_SESSIONS", "Too many sessions open for your user account. Please close previous sessions.";
    BadTargetFolder = 31, "API_ERROR_BAD_TARGET_FOLDER", "Invalid target folder selected";
    ContactsLimit = 32, "API_ERROR_CONTACTS_LIMIT", "Reached contacts limit. Please free up unused contacts and try again.";
    FolderIsPrivate = 33, "API_ERROR_FOLDER_IS_PRIVATE", "Folder is private. Only the owner can view.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.number())
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused: `<error code text/>` in a `status="fail"`
    /// answer (or a failed upload that named its code). `id` is the item
    /// of a list that failed, when the answer names one.
    #[error("error {code}: {text}")]
    Api {
        code: ErrorCode,
        text: String,
        id: Option<String>,
    },
    /// An upload failed and the server gave a reason but no code.
    #[error("upload failed: {0}")]
    Upload(String),
    /// The file_send API refused (an HTTP 4xx/5xx with a title and message).
    #[error("file_send error {status}: {title}: {message}")]
    FileSend {
        status: u16,
        title: String,
        message: String,
    },
    /// A call that needs a session was made without one.
    #[error("not logged in (no session key)")]
    NoSession,
    /// The request did not get an answer (connection, TLS, timeout …).
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with an HTTP status the protocol does not use.
    #[error("HTTP status {status} from {url}")]
    Status { status: u16, url: String },
    /// The answer could not be understood.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// A download ended with a length other than the file's.
    #[error("download incomplete: expected {expected} bytes, have {got}")]
    Length { expected: u64, got: u64 },
    /// A server URL or a file URL that cannot be used.
    #[error("invalid URL: {0}")]
    Url(String),
    /// Reading the upload source or writing the download target.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The API error code, when the server refused with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the server answered and said no (rather than the
    /// transport or the local side failing).
    pub fn is_api(&self) -> bool {
        matches!(
            self,
            Error::Api { .. } | Error::Upload(_) | Error::FileSend { .. } | Error::NoSession
        )
    }
}

/// The result of every call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for n in 1..=33 {
            let c = ErrorCode::from_number(n);
            assert!(!matches!(c, ErrorCode::Other(_)), "{n}");
            assert_eq!(c.number(), n);
        }
        assert_eq!(ErrorCode::from_number(99), ErrorCode::Other(99));
        assert_eq!(ErrorCode::SessionBad.name(), "API_ERROR_SESSION_BAD");
    }

    #[test]
    fn api_error_displays_code_and_text() {
        let e = Error::Api {
            code: ErrorCode::SessionBad,
            text: "Session expired or not found".into(),
            id: None,
        };
        assert_eq!(e.to_string(), "error 6: Session expired or not found");
    }
}
