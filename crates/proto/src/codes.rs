//! The 33 error codes of the sendspace 1.0 guide, written once for the
//! server (which sends them) and the client (which reads them).
//!
//! [`Code::text`] is what the server puts on the wire as the `text` of an
//! `<error/>` unless it has a more specific one, so the texts here must not
//! change: clients compare them byte for byte.

use std::fmt;

macro_rules! codes {
    ($($variant:ident = $n:literal, $name:literal, $text:literal;)*) => {
        /// An error code of the sendspace API, by its guide name, or
        /// [`Code::Other`] for a number the guide does not list.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = concat!("Code ", $n, ", `", $name, "`: `", $text, "`")]
                $variant,
            )*
            /// A number the guide does not list (only ever read from an
            /// answer; the server never sends one).
            Other(u32),
        }

        impl Code {
            /// The guide's codes in order, 1 to 33 (without [`Code::Other`]).
            pub const ALL: [Code; 33] = [$(Code::$variant,)*];

            /// The code for a number from an answer; [`Code::Other`] for a
            /// number the guide does not list.
            pub fn from_number(n: u32) -> Code {
                match n {
                    $($n => Code::$variant,)*
                    other => Code::Other(other),
                }
            }

            /// The number the API uses.
            pub fn number(self) -> u32 {
                match self {
                    $(Code::$variant => $n,)*
                    Code::Other(n) => n,
                }
            }

            /// The guide's constant name, e.g. `API_ERROR_SESSION_BAD`
            /// (`API_ERROR_UNKNOWN` for [`Code::Other`]).
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                    Code::Other(_) => "API_ERROR_UNKNOWN",
                }
            }

            /// The guide's description, which the server sends as `text`
            /// unless it gives a more specific one (`Unknown error` for
            /// [`Code::Other`]).
            pub fn text(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                    Code::Other(_) => "Unknown error",
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
    OutdatedVersion = 25, "API_ERROR_OUTDATED_VERSION",
        "The application version you are using is too old. Please upgrade it.";
    InvalidFileUrl = 26, "API_ERROR_INVALID_FILE_URL",
        "Not a sendspace download URL (must start with http://www.sendspace.com/ and contain a 6 character link)";
    RegistrationError = 27, "API_ERROR_REGISTRATION_ERROR", "Registration error";
    ContactExists = 28, "API_ERROR_CONTACT_EXISTS", "Contact already exist";
    ContactNotExists = 29, "API_ERROR_CONTACT_NOT_EXISTS", "Contact doesn't exist";
    TooManySessions = 30, "API_ERROR_TOO_MANY_SESSIONS",
        "Too many sessions open for your user account. Please close previous sessions.";
    BadTargetFolder = 31, "API_ERROR_BAD_TARGET_FOLDER", "Invalid target folder selected";
    ContactsLimit = 32, "API_ERROR_CONTACTS_LIMIT",
        "Reached contacts limit. Please free up unused contacts and try again.";
    FolderIsPrivate = 33, "API_ERROR_FOLDER_IS_PRIVATE", "Folder is private. Only the owner can view.";
}

/// The number, as the API writes it.
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// Serialised as the number (feature `serde`).
#[cfg(feature = "serde")]
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn all_33_in_order_with_distinct_guide_names() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.number() as usize, i + 1, "{code:?}");
            assert!(code.name().starts_with("API_ERROR_"), "{code:?}");
            assert!(!code.text().is_empty(), "{code:?}");
            assert_eq!(code.to_string(), (i + 1).to_string());
        }
        let names: HashSet<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), 33);
        let texts: HashSet<_> = Code::ALL.iter().map(|c| c.text()).collect();
        assert_eq!(texts.len(), 33);
        assert!(!names.contains("API_ERROR_UNKNOWN"));
    }

    #[test]
    fn round_trip_through_from_number() {
        for code in Code::ALL {
            assert_eq!(Code::from_number(code.number()), code);
        }
        for n in 1..=33 {
            let code = Code::from_number(n);
            assert!(!matches!(code, Code::Other(_)), "{n}");
            assert_eq!(code.number(), n);
        }
    }

    #[test]
    fn other_numbers() {
        for n in [0, 34, 99, u32::MAX] {
            let code = Code::from_number(n);
            assert_eq!(code, Code::Other(n));
            assert_eq!(code.number(), n);
        }
        let other = Code::from_number(99);
        assert_eq!(other.name(), "API_ERROR_UNKNOWN");
        assert_eq!(other.text(), "Unknown error");
        assert_eq!(other.to_string(), "99");
    }

    #[test]
    fn wire_texts() {
        assert_eq!(Code::SessionBad.name(), "API_ERROR_SESSION_BAD");
        assert_eq!(Code::SessionBad.text(), "Session expired or not found");
        assert_eq!(
            Code::InvalidFileUrl.text(),
            "Not a sendspace download URL (must start with http://www.sendspace.com/ \
             and contain a 6 character link)"
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serialises_as_the_number() {
        assert_eq!(serde_json::to_string(&Code::FileNotFound).unwrap(), "9");
        assert_eq!(serde_json::to_string(&Code::Other(99)).unwrap(), "99");
    }
}
