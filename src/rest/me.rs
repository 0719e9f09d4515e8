//! `GET /users/me`: the user of the session token, with the token.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::AuthSession;

pub async fn handle(ctx: &RestContext<'_>) -> RestResult {
    let behavior = &ctx.state.config.behavior;
    let Some(token) = &ctx.auth.session_token else {
        return Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            behavior.missing_session.text(),
        ));
    };
    let session: Arc<AuthSession> = match &ctx.auth.session {
        Some(s) => Arc::clone(s),
        // The master key skips the middleware's lookup; Parse's handler looks the token up.
        None => ctx
            .state
            .store
            .find_session(token)
            .await?
            .ok_or_else(ParseError::invalid_session_token)?,
    };
    let mut out = render::user(&session.user);
    if behavior.users_me_has_class_fields {
        out.insert("__type".into(), json!("Object"));
        out.insert("className".into(), json!("_User"));
    }
    out.insert("sessionToken".into(), Value::String(token.clone()));
    Ok((200, Value::Object(out)))
}
