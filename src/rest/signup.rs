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
    // Parse checks that no user has the name (or the e-mail) yet: a find of `_User`.
    ctx.state
        .store
        .class_reads()
        .read(crate::store::class_reads::USER);
    if body.get("authData") == Some(&Value::Null) && behavior.auth_data_null_refused {
        return Err(ParseError::new(
            ErrorCode::UnsupportedService,
            "This authentication method is unsupported.",
        ));
    }
    let schema = ctx.state.store.class_fields("_User").await?;
    let write = user_write::read(body, &schema, behavior, ctx.auth.is_master, true)?;
    write
        .check_in_parse_order(&ctx.state.store, None, Some(&username))
        .await?;
    let email = write.email.flatten();
    let email_verified = write.email_verified.flatten();
    // verifyUserEmails: a user with an email starts unverified, with a link to verify it.
    let verify = match email_verified {
        Some(_) => None,
        None => ctx.state.email.token_for_new_email(email.as_deref()),
    };
    let new = NewUser {
        username,
        password: Some(password),
        email_verified: verify.as_ref().map_or(email_verified, |_| Some(false)),
        email,
        auth_data: None,
        fields: user_write::created_fields(&write.changes)?,
        field_types: write.field_types,
        acl: write.acl,
    };
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    let email = &ctx.state.email;
    // 9.x makes no session for a user the master key creates; nor does any version for a
    // user who must verify their email before signing in.
    if (ctx.auth.is_master && behavior.master_signup_without_session)
        || email.prevents_unverified_login()
    {
        let user = ctx.state.store.create_user_only(new).await?;
        if let Some(token) = verify {
            email
                .email_set(&ctx.state.store, &user, token, false)
                .await?;
        }
        email.check_signup_without_session()?;
        return Ok((
            201,
            json!({"objectId": user.object_id, "createdAt": iso_millis(user.created_at)}),
        ));
    }
    let (user, issued) = ctx.state.store.sign_up(new, meta).await?;
    if let Some(token) = verify {
        email
            .email_set(&ctx.state.store, &user, token, false)
            .await?;
    }
    Ok((
        201,
        json!({
            "objectId": user.object_id,
            "createdAt": iso_millis(user.created_at),
            "sessionToken": issued.token,
        }),
    ))
}
