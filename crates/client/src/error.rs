//! The error type: the guide's 33 error codes as [`ErrorCode`], and
//! [`Error`], which keeps an API refusal apart from transport trouble so a
//! caller can decide whether retrying makes sense.

/// An error code of the sendspace API (the guide's table, shared with the
/// server through `dropspace-proto`), or [`ErrorCode::Other`] for a number
/// the guide does not list.
#[doc(inline)]
pub use dropspace_proto::codes::Code as ErrorCode;

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
