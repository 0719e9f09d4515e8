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
}

impl ApiError {
    pub fn parse(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
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

impl<S: ScalarValue> IntoFieldError<S> for ApiError {
    fn into_field_error(self) -> FieldError<S> {
        FieldError::new(
            self.message,
            graphql_value!({ "code": (self.code.number()) }),
        )
    }
}
