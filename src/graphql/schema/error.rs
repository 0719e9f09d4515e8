//! The error every resolver returns: a Parse error, rendered as graphql-js does
//! (`message` + `extensions: {"code": <number>}`).

use std::borrow::Cow;

use juniper::{FieldError, IntoFieldError, ScalarValue, graphql_value};

use crate::error::{ErrorCode, ParseError};
use crate::store::StoreError;

/// A resolver failure as Parse's `toGraphQLError` reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (code {})", code.number())]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
    /// How the error left Parse's resolver.
    pub thrown: Thrown,
}

/// Whether Parse's GraphQL error handler formatted the error, or it went straight to the
/// HTTP stack (which then formats it its own way: see the envelope's `execution_errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thrown {
    /// `parseGraphQLSchema.handleError`: `extensions: {code: <number>}`.
    Handled,
    /// A `Parse.Error` the resolver does not catch (resetPassword): Apollo Server 2 shows its
    /// own properties under `extensions.exception`, Apollo 4+ only `INTERNAL_SERVER_ERROR`,
    /// yoga nothing.
    UncaughtParseError,
    /// A non-error value thrown (a string: "Unexpected error value: ..."), or an error of
    /// JavaScript's own (a `TypeError` in Parse's error handler): no code of Parse's.
    UncaughtValue,
}

/// The extension key marking an uncaught error for the envelope (never sent to clients).
pub const UNCAUGHT_MARKER: &str = "__uncaught";

impl ApiError {
    pub fn parse(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
            thrown: Thrown::Handled,
        }
    }

    /// What Parse reports for anything that is not a `Parse.Error` (a `TypeError`, a failed
    /// query): code 1 and this fixed text.
    pub fn internal() -> Self {
        Self::parse(ErrorCode::InternalServerError, "Internal server error")
    }

    /// A `Parse.Error` with code 1 and its own message.
    pub fn internal_with(message: &'static str) -> Self {
        Self::parse(ErrorCode::InternalServerError, message)
    }

    /// The same error, not caught by the resolver.
    pub fn uncaught(mut self, how: Thrown) -> Self {
        self.thrown = how;
        self
    }

    pub fn invalid_session_token() -> Self {
        Self::from(ParseError::invalid_session_token())
    }
}

impl From<ParseError> for ApiError {
    fn from(err: ParseError) -> Self {
        if err.code == ErrorCode::InternalServerError {
            return Self::internal();
        }
        Self::parse(err.code, err.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Parse(e) => Self::from(e),
            other => {
                tracing::error!(error = %other, "store failure in a GraphQL resolver");
                Self::internal()
            }
        }
    }
}

impl ApiError {
    /// The error's `extensions`, as JSON (what [`IntoFieldError`] gives juniper).
    pub fn extensions(&self) -> serde_json::Value {
        let code = self.code.number();
        match self.thrown {
            Thrown::Handled => serde_json::json!({ "code": code }),
            Thrown::UncaughtParseError => {
                serde_json::json!({ UNCAUGHT_MARKER: "parse-error", "code": code })
            }
            Thrown::UncaughtValue => serde_json::json!({ UNCAUGHT_MARKER: "value" }),
        }
    }
}

impl<S: ScalarValue> IntoFieldError<S> for ApiError {
    fn into_field_error(self) -> FieldError<S> {
        let code = self.code.number();
        let extensions = match self.thrown {
            Thrown::Handled => graphql_value!({ "code": code }),
            Thrown::UncaughtParseError => {
                graphql_value!({ "__uncaught": "parse-error", "code": code })
            }
            Thrown::UncaughtValue => graphql_value!({ "__uncaught": "value" }),
        };
        FieldError::new(self.message, extensions)
    }
}
