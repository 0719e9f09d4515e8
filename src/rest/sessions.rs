//! `GET /sessions/me` and `DELETE /sessions/<objectId>`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::AuthSession;

/// The session of the token sent. From 7.0 Parse's middleware skips this route and the handler
/// says "Session token not found." itself (and does not check expiry).
pub async fn me(ctx: &RestContext<'_>) -> RestResult {
    let Some(token) = &ctx.auth.session_token else {
        return Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token required.",
        ));
    };
    let session: Arc<AuthSession> = match &ctx.auth.session {
        Some(s) => Arc::clone(s),
        None => ctx.state.store.find_session(token).await?.ok_or_else(|| {
            ParseError::new(ErrorCode::InvalidSessionToken, "Session token not found.")
        })?,
    };
    let body = render::session(&session.session, token, &ctx.state.config.behavior);
    Ok((200, Value::Object(body)))
}

/// A user ending one of their own sessions (or the master key ending any).
pub async fn delete(ctx: &RestContext<'_>, session_id: &str) -> RestResult {
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found for delete.");
    let store = &ctx.state.store;
    let deleted = if ctx.auth.is_master {
        store.revoke_session_as_master(session_id).await?
    } else {
        let Some(session) = &ctx.auth.session else {
            // Deleting from `_Session` needs a session (or the master key).
            return Err(ParseError::new(
                ErrorCode::InvalidSessionToken,
                ctx.state.config.behavior.missing_session.text(),
            ));
        };
        store
            .revoke_session_by_id(&session.user.object_id, session_id)
            .await?
    };
    if deleted {
        Ok((200, json!({})))
    } else {
        Err(not_found())
    }
}
