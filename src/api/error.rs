//! The sendspace error model: every failure a client of `/rest/` (and of the
//! upload answer, which speaks the same codes) can see carries one of the
//! guide's 33 codes. `ApiError` becomes a response in exactly one place,
//! `api::envelope::render`; the domain's `library::Error` becomes an
//! `ApiError` in exactly one place, the `From` impl below.

use std::fmt;

use crate::library::Error;

/// The 33 error codes of the sendspace 1.0 guide, by their guide names
/// (the table lives in `dropspace-proto`, shared with the client).
pub use dropspace_proto::codes::Code;

/// A failure as the client sees it: a guide code, an optional more specific
/// text, and optionally the id that failed (1.0 comma lists answer `<id>`).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    pub detail: Option<String>,
    pub id: Option<String>,
    /// What failed inside, for the log of whoever handles the error (never sent).
    pub cause: Option<String>,
}

impl ApiError {
    pub fn new(code: Code) -> Self {
        ApiError {
            code,
            detail: None,
            id: None,
            cause: None,
        }
    }

    pub fn with_text(code: Code, text: impl Into<String>) -> Self {
        ApiError {
            code,
            detail: Some(text.into()),
            id: None,
            cause: None,
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
    /// client can act on. The cause is kept for the log, never sent.
    pub fn internal(err: impl fmt::Display) -> Self {
        ApiError {
            cause: Some(err.to_string()),
            ..ApiError::with_text(
                Code::SystemMaintenance,
                "Temporary server error, try again later",
            )
        }
    }

    /// Logs the cause of an internal failure; called where the error is
    /// answered.
    pub fn log(&self, context: &str) {
        if let Some(cause) = &self.cause {
            tracing::error!(error = %cause, context, "internal error");
        }
    }
}

impl From<Code> for ApiError {
    fn from(code: Code) -> Self {
        ApiError::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {}: {}", self.code.number(), self.text())
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

/// The domain's errors as sendspace codes.
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let with = |code: Code, text: Option<std::borrow::Cow<'static, str>>| match text {
            Some(t) => ApiError::with_text(code, t),
            None => ApiError::new(code),
        };
        match e {
            Error::FileNotFound => ApiError::new(Code::FileNotFound),
            Error::FolderNotFound => ApiError::new(Code::FolderNotFound),
            Error::FolderNotEmpty => ApiError::new(Code::FolderNotEmpty),
            Error::BadTargetFolder => ApiError::new(Code::BadTargetFolder),
            Error::FolderIsPrivate => ApiError::new(Code::FolderIsPrivate),
            Error::NotOurUrl => ApiError::new(Code::InvalidFileUrl),
            Error::ContactExists => ApiError::new(Code::ContactExists),
            Error::ContactNotExists => ApiError::new(Code::ContactNotExists),
            Error::ContactsLimit => ApiError::new(Code::ContactsLimit),
            Error::InvalidEmail => ApiError::new(Code::InvalidEmail),
            Error::BadPassword => ApiError::new(Code::BadPassword),
            Error::PasswordWait(secs) => ApiError::with_text(
                Code::BadPassword,
                format!("Too many wrong passwords; wait {secs} seconds before trying again"),
            ),
            Error::DiskspaceLimit => ApiError::new(Code::ProDiskspaceLimit),
            Error::TooLarge(limit) => ApiError::with_text(
                Code::ParameterBadValue,
                format!("The file is larger than the maximum file size ({limit} bytes)"),
            ),
            Error::BandwidthLimit => ApiError::new(Code::BandwidthLimit),
            Error::MembershipExpired => ApiError::new(Code::ProExpired),
            Error::TooManySessions => ApiError::new(Code::TooManySessions),
            Error::SessionBad => ApiError::new(Code::SessionBad),
            Error::UnknownApiKey => ApiError::new(Code::UnknownApiKey),
            Error::OutdatedVersion => ApiError::new(Code::OutdatedVersion),
            Error::LoginFailed(reason) => with(Code::AuthenticationFailure, reason),
            Error::Denied(reason) => with(Code::PermissionDenied, reason),
            Error::Gone(why) => ApiError::with_text(Code::PermissionDenied, why.text()),
            Error::Registration(text) => ApiError::with_text(Code::RegistrationError, text),
            Error::BadValue(name) => ApiError::with_text(
                Code::ParameterBadValue,
                format!("Invalid value for parameter {name}"),
            ),
            Error::BadValueText(text) => ApiError::with_text(Code::ParameterBadValue, text),
            Error::Invalid(text) => ApiError::with_text(Code::InvalidParameter, text),
            Error::Missing(name) => {
                ApiError::with_text(Code::ParameterMissing, format!("Parameter missing: {name}"))
            }
            Error::Maintenance => ApiError::new(Code::SystemMaintenance),
            Error::TooFast(secs) => ApiError::with_text(
                Code::SystemMaintenance,
                format!("Too many requests, try again in {secs} seconds"),
            ),
            Error::UploadUnavailable(reason) => with(Code::UploadTempError, reason),
            // Refused for its content, as a file too large is (docs/scanning.md).
            Error::Infected(name) => ApiError::with_text(
                Code::ParameterBadValue,
                format!("Virus found ({name}): the file was not stored"),
            ),
            Error::ScanUnavailable => ApiError::with_text(
                Code::UploadTempError,
                "The virus scanner is unavailable: the file was not stored, try again later",
            ),
            Error::DownloadUnavailable => ApiError::new(Code::DownloadTempError),
            Error::Internal(e) => ApiError::internal(format!("{e:#}")),
        }
    }
}

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
