//! `PUT /users/<objectId>`: a user changing their own username, email or password.

use serde_json::{Map, Value, json};

use super::signup::valid_email;
use super::{RestContext, RestResult};
use crate::error::{ErrorCode, ParseError};
use crate::store::{SessionMeta, UserChanges, iso_millis};

pub async fn handle(ctx: &RestContext<'_>, user_id: &str, body: &Map<String, Value>) -> RestResult {
    let own = ctx
        .auth
        .session
        .as_ref()
        .is_some_and(|s| s.user.object_id == user_id);
    let behavior = &ctx.state.config.behavior;
    if !ctx.auth.is_master && ctx.auth.session.is_none() {
        return Err(ParseError::new(
            ErrorCode::SessionMissing,
            behavior.permission_message(format!("Cannot modify user {user_id}.")),
        ));
    }
    // Parse refuses another user's id (or one that does not exist) before looking it up.
    if !ctx.auth.is_master && !own {
        return Err(ParseError::new(
            ErrorCode::SessionMissing,
            behavior.permission_message("Insufficient auth.".to_owned()),
        ));
    }
    let mut changes = UserChanges::default();
    match body.get("username") {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => changes.username = Some(s.clone()),
        Some(_) => {
            return Err(ParseError::new(
                ErrorCode::UsernameMissing,
                "bad or missing username",
            ));
        }
    }
    match body.get("email") {
        None => {}
        Some(Value::Null) => changes.email = Some(None),
        Some(Value::String(s)) if valid_email(s) => changes.email = Some(Some(s.clone())),
        Some(_) => {
            return Err(ParseError::new(
                ErrorCode::InvalidEmailAddress,
                "Email address format is invalid.",
            ));
        }
    }
    match body.get("password") {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => changes.password = Some(s.clone()),
        Some(_) => {
            return Err(ParseError::new(
                ErrorCode::PasswordMissing,
                "password is required",
            ));
        }
    }
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    let changing_password = changes.password.is_some();
    let updated = ctx.state.store.update_user(user_id, changes, meta).await?;
    let mut out = Map::new();
    out.insert(
        "updatedAt".into(),
        json!(iso_millis(updated.user.updated_at)),
    );
    // Parse issues the replacement session only to the user, not to the master key.
    if let (Some(new), false) = (&updated.new_session, ctx.auth.is_master) {
        out.insert("sessionToken".into(), json!(new.token));
    }
    if changing_password && ctx.auth.is_master {
        // With the master key no session replaces the ended ones.
        tracing::debug!(user = user_id, "password changed with the master key");
    }
    Ok((200, Value::Object(out)))
}
