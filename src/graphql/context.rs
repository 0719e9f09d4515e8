//! What a GraphQL resolver may use: the store, the pinned version's behaviour and the caller as
//! Parse's middleware established it, handed out as capabilities that fail with Parse errors.

use std::future::Future;
use std::sync::Arc;

use crate::error::ErrorCode;
use crate::graphql::schema::ApiError;
use crate::http::RequestAuth;
use crate::store::{AuthSession, SessionMeta, Store, StoreError};
use crate::version::Behavior;

/// The per-request context of every GraphQL generation.
///
/// Execution runs on a blocking thread (juniper's sync executor), so resolvers reach the async
/// store through [`Context::block_on`].
pub struct Context {
    /// The server, for what Parse's GraphQL resolvers reach through its REST layer.
    pub state: Arc<crate::http::AppState>,
    pub store: Store,
    pub behavior: Behavior,
    /// The caller as Parse's key/session middleware resolved it.
    pub auth: RequestAuth,
    /// The runtime the store's futures run on; only ever entered from a blocking thread.
    pub runtime: tokio::runtime::Handle,
    /// Parse's e-mail flows (verification on sign-up, the email checks of logIn).
    pub email: std::sync::Arc<crate::email::EmailService>,
}

impl juniper::Context for Context {}

impl Context {
    /// Run a store call to completion from the (blocking) resolver thread.
    pub fn block_on<T>(
        &self,
        fut: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, ApiError> {
        self.wait(fut)?.map_err(ApiError::from)
    }

    /// Run `fut` to completion. On an executor thread this blocks; on an async worker (a
    /// query tried inline, see [`crate::graphql::inline`]) blocking is not allowed: the
    /// attempt is marked as needing an executor thread, where it runs again.
    pub fn wait<F: Future>(&self, fut: F) -> Result<F::Output, ApiError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            crate::graphql::inline::needs_executor();
            return Err(ApiError::internal());
        }
        Ok(self.runtime.block_on(fut))
    }

    /// The session token the request carried (non-empty), or Parse's "no session" error of
    /// this version (209 `Invalid session token`, `Permission denied` from 8.0).
    pub fn session_token(&self) -> Result<&str, ApiError> {
        self.auth
            .session_token
            .as_deref()
            .ok_or_else(|| self.missing_session())
    }

    /// The session the middleware resolved for the token, if it looked one up (it does not
    /// under the master key).
    pub fn checked_session(&self) -> Option<&Arc<AuthSession>> {
        self.auth.session.as_ref()
    }

    /// The session behind the request's token, looked up with master rights when the
    /// middleware skipped it (master key): Parse's pre-4.3 `_Session` query.
    pub fn session(&self) -> Result<Arc<AuthSession>, ApiError> {
        let token = self.session_token()?;
        if let Some(session) = self.checked_session() {
            return Ok(Arc::clone(session));
        }
        self.block_on(self.store.find_session(token))?
            .ok_or_else(ApiError::invalid_session_token)
    }

    /// Parse's error for a route that needs a session when none was sent.
    pub fn missing_session(&self) -> ApiError {
        ApiError::parse(
            ErrorCode::InvalidSessionToken,
            self.behavior.missing_session.text(),
        )
    }

    /// What a session created by this request records about it.
    pub fn session_meta(&self) -> SessionMeta {
        SessionMeta {
            installation_id: self.auth.installation_id.clone(),
        }
    }
}
