//! The domain's errors as sendspace codes: the one mapping of `/rest/`
//! (and of the upload answer, which speaks the same codes).

use crate::error::{ApiError, Code};
use crate::library::Error;

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
            Error::DiskspaceLimit => ApiError::new(Code::ProDiskspaceLimit),
            Error::BandwidthLimit => ApiError::new(Code::BandwidthLimit),
            Error::MembershipExpired => ApiError::new(Code::ProExpired),
            Error::TooManySessions => ApiError::new(Code::TooManySessions),
            Error::SessionBad => ApiError::new(Code::SessionBad),
            Error::UnknownApiKey => ApiError::new(Code::UnknownApiKey),
            Error::OutdatedVersion => ApiError::new(Code::OutdatedVersion),
            Error::LoginFailed(reason) => with(Code::AuthenticationFailure, reason),
            Error::Denied(reason) => with(Code::PermissionDenied, reason),
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
            Error::DownloadUnavailable => ApiError::new(Code::DownloadTempError),
            Error::Internal(e) => ApiError::internal(format!("{e:#}")),
        }
    }
}
