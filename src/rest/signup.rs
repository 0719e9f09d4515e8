//! `POST /users`: sign up, answering 201 with the new user's id and first session token.

use serde_json::{Map, Value, json};

use super::{RestContext, RestResult};
use crate::error::{ErrorCode, ParseError};
use crate::store::{NewUser, SessionMeta, iso_millis};

/// Parse's email check: something, an `@`, something.
pub fn valid_email(email: &str) -> bool {
    match email.find('@') {
        Some(at) => at > 0 && at + 1 < email.len(),
        None => false,
    }
}

pub async fn handle(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
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
    let email = match body.get("email") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if valid_email(s) => Some(s.clone()),
        Some(_) => {
            return Err(ParseError::new(
                ErrorCode::InvalidEmailAddress,
                "Email address format is invalid.",
            ));
        }
    };
    let new = NewUser {
        username,
        password: Some(password),
        email,
        auth_data: None,
    };
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
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

#[cfg(test)]
mod tests {
    #[test]
    fn email_format_is_parses() {
        assert!(super::valid_email("a@b"));
        assert!(!super::valid_email("@b"));
        assert!(!super::valid_email("a@"));
        assert!(!super::valid_email("ab"));
    }
}
