//! `GET /users/me`: the user of the session token, with the token.
//!
//! The hottest read of the API, so its body is rendered once per cached session: the user's
//! JSON is kept (without the token) next to the session, and each answer appends the token.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use serde_json::Value;

use super::{RestContext, render};
use crate::error::{ErrorCode, ParseError};
use crate::http::response::{self, HttpResponse};
use crate::store::AuthSession;
use crate::version::Behavior;

pub async fn handle(ctx: &RestContext<'_>) -> Result<HttpResponse, ParseError> {
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
    {
        use crate::store::class_reads::{SESSION, USER};
        let reads = ctx.state.store.class_reads();
        if behavior.users_me_reads_as_caller && !ctx.auth.is_master {
            reads.roles_loaded(&session);
        }
        reads.read(SESSION | USER);
    }
    let prefix = session
        .rendered
        .users_me_prefix
        .get_or_init(|| user_prefix(&session, behavior, &ctx.state.config.files_url()));
    let token_json = Value::String(token.clone()).to_string();
    let mut body = BytesMut::with_capacity(prefix.len() + token_json.len() + 17);
    body.put_slice(prefix);
    body.put_slice(b",\"sessionToken\":");
    body.put_slice(token_json.as_bytes());
    body.put_u8(b'}');
    Ok(response::with_body(
        200,
        Some(response::JSON_UTF8),
        body.freeze(),
    ))
}

/// The user as `/users/me` shows it, as a JSON object missing its closing brace.
fn user_prefix(session: &AuthSession, behavior: &Behavior, files_url: &str) -> Bytes {
    let extra: &[(&str, &str)] = if behavior.users_me_has_class_fields {
        &[("__type", "Object"), ("className", "_User")]
    } else {
        &[]
    };
    let mut text = render::user_json(&session.user, files_url, extra).unwrap_or_else(|| {
        let mut out = render::user(&session.user, files_url);
        for (key, value) in extra {
            out.insert((*key).into(), Value::from(*value));
        }
        Value::Object(out).to_string().into_bytes()
    });
    // A serialized object always ends with `}`; it has at least the objectId, so a field
    // separator follows.
    text.pop();
    Bytes::from(text)
}
