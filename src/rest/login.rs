//! `POST /login` and `GET /login?username=&password=`: a new session for a password; and the
//! credential reading it shares with `verifyPassword`.

use serde_json::{Map, Value};

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::{SessionAction, SessionMeta, User};

pub async fn handle(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> RestResult {
    let user = authenticate(ctx, body, query).await?;
    ctx.state.store.check_password_age(&user.object_id).await?;
    signed_in(ctx, &user, "password").await
}

/// A new login session for `user` (from the request's installation), answered as Parse
/// answers a login: the user with the new session's token.
pub async fn signed_in(ctx: &RestContext<'_>, user: &User, provider: &str) -> RestResult {
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    let issued = ctx
        .state
        .store
        .create_session(&user.object_id, SessionAction::Login, provider, meta)
        .await?;
    let mut out = render::user(user, &ctx.state.config.files_url());
    out.insert("sessionToken".into(), Value::String(issued.token));
    Ok((200, Value::Object(out)))
}

/// `UsersRouter._authenticateUserFromRequest`, shared by login and `verifyPassword`: the user
/// the request's username (or email) and password name, with Parse's checks in its order.
pub async fn authenticate(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> Result<User, ParseError> {
    let empty = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Bool(b)) => !b,
        Some(_) => false,
    };
    // Parse reads the query string instead when the body names no user.
    let payload = if (empty(body.get("username")) && !empty(query.get("username")))
        || (empty(body.get("email")) && !empty(query.get("email")))
    {
        query
    } else {
        body
    };
    let (username, email, password) = (
        payload.get("username"),
        payload.get("email"),
        payload.get("password"),
    );
    if empty(username) && empty(email) {
        return Err(ParseError::new(
            ErrorCode::UsernameMissing,
            "username/email is required.",
        ));
    }
    if empty(password) {
        return Err(ParseError::new(
            ErrorCode::PasswordMissing,
            "password is required.",
        ));
    }
    let as_string = |v: Option<&Value>| -> Result<Option<String>, ParseError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ParseError::invalid_credentials()),
        }
    };
    let username = as_string(username)?;
    let email = as_string(email)?;
    let Some(password) = as_string(password)? else {
        return Err(ParseError::invalid_credentials());
    };
    // Parse finds the user by name or e-mail (not as the caller).
    ctx.state
        .store
        .class_reads()
        .read(crate::store::class_reads::USER);
    let user = ctx
        .state
        .store
        .check_credentials(username, email, password, ctx.auth.is_master)
        .await?
        .ok_or_else(ParseError::invalid_credentials)?;
    ctx.state.email.check_login(&user)?;
    Ok(user)
}
