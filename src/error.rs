//! Parse's error codes and the error value every layer hands back to the HTTP edge.

use std::borrow::Cow;

/// The Parse error codes this server can produce (`Parse.Error.*` in the JS SDK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorCode {
    /// `Parse.Error.OTHER_CAUSE`.
    OtherCause = -1,
    InternalServerError = 1,
    ObjectNotFound = 101,
    InvalidQuery = 102,
    /// `Parse.Error.INVALID_KEY_NAME`.
    InvalidKeyName = 105,
    InvalidJson = 107,
    /// `Parse.Error.INCORRECT_TYPE`.
    IncorrectType = 111,
    OperationForbidden = 119,
    /// `Parse.Error.INVALID_VALUE`.
    InvalidValue = 162,
    /// `Parse.Error.INVALID_CLASS_NAME`.
    InvalidClassName = 103,
    /// `Parse.Error.MISSING_REQUIRED_FIELD_ERROR`.
    MissingRequiredField = 135,
    /// Parse's schema refusals (`Field x exists, cannot update.`).
    ClassNotEmpty = 255,
    /// Not a `Parse.Error`: Express's 403 for a master-key-only route, `{"error": ...}`.
    MasterKeyRequired = 403,
    /// `Parse.Error.VALIDATION_ERROR`.
    ValidationError = 142,
    /// `Parse.Error.DUPLICATE_VALUE`.
    DuplicateValue = 137,
    /// `Parse.Error.INVALID_ACL`.
    InvalidAcl = 123,
    InvalidEmailAddress = 125,
    InvalidSessionToken = 209,
    UsernameMissing = 200,
    PasswordMissing = 201,
    UsernameTaken = 202,
    EmailTaken = 203,
    EmailMissing = 204,
    EmailNotFound = 205,
    SessionMissing = 206,
    MustCreateUserThroughSignup = 207,
    AccountAlreadyLinked = 208,
    /// `Parse.Error.SCRIPT_FAILED`: how 6.x reports a `TypeError` inside `_User` creation.
    ScriptFailed = 141,
    UnsupportedService = 252,
}

impl ErrorCode {
    pub const fn number(self) -> i32 {
        self as i32
    }

    /// The HTTP status Parse's REST error handler uses for this code.
    pub const fn rest_status(self) -> u16 {
        match self {
            Self::InternalServerError => 500,
            Self::MasterKeyRequired => 403,
            Self::ObjectNotFound => 404,
            Self::OtherCause
            | Self::InvalidQuery
            | Self::InvalidKeyName
            | Self::InvalidJson
            | Self::IncorrectType
            | Self::OperationForbidden
            | Self::InvalidValue
            | Self::InvalidAcl
            | Self::ValidationError
            | Self::InvalidClassName
            | Self::MissingRequiredField
            | Self::ClassNotEmpty
            | Self::DuplicateValue
            | Self::InvalidEmailAddress
            | Self::InvalidSessionToken
            | Self::UsernameMissing
            | Self::PasswordMissing
            | Self::UsernameTaken
            | Self::EmailTaken
            | Self::EmailMissing
            | Self::EmailNotFound
            | Self::SessionMissing
            | Self::MustCreateUserThroughSignup
            | Self::AccountAlreadyLinked
            | Self::ScriptFailed
            | Self::UnsupportedService => 400,
        }
    }
}

/// A Parse error: a code and the exact message Parse gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (code {})", code.number())]
pub struct ParseError {
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
}

impl ParseError {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_session_token() -> Self {
        Self::new(ErrorCode::InvalidSessionToken, "Invalid session token")
    }

    pub fn invalid_credentials() -> Self {
        Self::new(ErrorCode::ObjectNotFound, "Invalid username/password.")
    }

    /// Password reset and email verification without an email adapter (parse-compat has
    /// none): Parse checks its email configuration before anything else.
    pub fn email_not_configured() -> Self {
        Self::new(
            ErrorCode::InternalServerError,
            "An appName, publicServerURL, and emailAdapter are required for password reset and email verification functionality.",
        )
    }

    /// What Parse answers for any error that is not a `Parse.Error`.
    pub fn internal() -> Self {
        Self::new(ErrorCode::InternalServerError, "Internal server error.")
    }

    /// 202: another user has this username (ignoring case from 4.0).
    pub fn username_taken() -> Self {
        Self::new(
            ErrorCode::UsernameTaken,
            "Account already exists for this username.",
        )
    }

    /// 203: another user has this email.
    pub fn email_taken() -> Self {
        Self::new(
            ErrorCode::EmailTaken,
            "Account already exists for this email address.",
        )
    }

    /// 137: a value a unique index already holds.
    pub fn duplicate_value() -> Self {
        Self::new(
            ErrorCode::DuplicateValue,
            "A duplicate value for a field with unique values was provided",
        )
    }

    /// What Parse's database layer answers when PostgreSQL fails (unreachable, lost
    /// connection): 500 `{"code":1,"error":"An internal server error occurred"}` (recorded
    /// from real Parse 9.10.0 with its database stopped, clients/postgres/outage.mjs; up to
    /// 7.x Parse put PostgreSQL's own error object there, see COMPATIBILITY.md).
    pub fn database() -> Self {
        Self::new(
            ErrorCode::InternalServerError,
            "An internal server error occurred",
        )
    }
}

impl From<crate::store::StoreError> for ParseError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            crate::store::StoreError::Parse(e) => e,
            other @ (crate::store::StoreError::Postgres(_) | crate::store::StoreError::Pool(_)) => {
                tracing::error!(error = %other, "database failure");
                ParseError::database()
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ParseError::internal()
            }
        }
    }
}
