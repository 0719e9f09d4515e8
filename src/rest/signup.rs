//! `POST /users`: sign up, answering 201 with the new user's id and first session token.

use serde_json::{Map, Value, json};

use super::{RestContext, RestResult, user_write};
use crate::error::{ErrorCode, ParseError};
use crate::store::{NewUser, SessionMeta, iso_millis};

pub async fn handle(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    let truthy = |k: &str| crate::object::truthy(body.get(k));
    // RestWrite's constructor refuses these before anything else.
    for field in ["objectId", "id"] {
        if truthy(field) {
            return Err(ParseError::new(
                ErrorCode::InvalidKeyName,
                format!("{field} is an invalid field name."),
            ));
        }
    }
    let username = match body.get("username") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(ParseError::new(
                ErrorCode::UsernameMissing,
                "bad or missing username",
            ));
        }
    };
    let password = match body.get("password") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(ParseError::new(
                ErrorCode::PasswordMissing,
                "password is required",
            ));
        }
    };
    let behavior = &ctx.state.config.behavior;
    if body.get("authData") == Some(&Value::Null) && behavior.auth_data_null_refused {
        return Err(ParseError::new(
            ErrorCode::UnsupportedService,
            "This authentication method is unsupported.",
        ));
    }
    let schema = ctx.state.store.class_fields("_User").await?;
    let write = user_write::read(body, &schema, behavior, ctx.auth.is_master, true)?;
    ctx.state
        .store
        .check_new_password(&password, Some(&username), None)
        .await?;
    let new = NewUser {
        username,
        password: Some(password),
        email: write.email.flatten(),
        email_verified: write.email_verified.flatten(),
        auth_data: None,
        fields: user_write::created_fields(&write.changes)?,
        field_types: write.field_types,
        acl: write.acl,
    };
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    if ctx.auth.is_master && behavior.master_signup_without_session {
        // 9.x makes no session for a user the master key creates.
        let user = ctx.state.store.create_user_only(new).await?;
        return Ok((
            201,
            json!({"objectId": user.object_id, "createdAt": iso_millis(user.created_at)}),
        ));
    }
    let (user, issued) = ctx.state.store.sign_up(new, meta).await?;
    Ok((
        201,
        json!({
            "objectId": user.object_id,
            "createdAt": iso_millis(user.created_at),
            "sessionToken": issued.token,
        }),
    ))
}
