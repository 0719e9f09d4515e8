//! `POST /loginAs {userId}` (5.0+): a new session for any user, for the master key only.

use serde_json::{Map, Value};

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::{SessionAction, SessionMeta};

pub async fn handle(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    let behavior = &ctx.state.config.behavior;
    if !ctx.auth.is_master {
        return Err(ParseError::new(
            ErrorCode::OperationForbidden,
            behavior.permission_message("master key is required".into()),
        ));
    }
    let user_id = match body.get("userId") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        Some(Value::Null) | None => {
            return Err(ParseError::new(
                ErrorCode::InvalidValue,
                "userId must not be empty, null, or undefined",
            ));
        }
        // Parse's query then matches no user.
        Some(_) => return Err(ParseError::new(ErrorCode::ObjectNotFound, "user not found")),
    };
    let store = &ctx.state.store;
    let user = store
        .find_user(user_id)
        .await?
        .ok_or_else(|| ParseError::new(ErrorCode::ObjectNotFound, "user not found"))?;
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    let issued = store
        .create_session(&user.object_id, SessionAction::Login, "masterkey", meta)
        .await?;
    let mut out = render::user(&user);
    out.insert("sessionToken".into(), Value::String(issued.token));
    Ok((200, Value::Object(out)))
}
