//! `GET /users/<objectId>` and `GET /classes/_User/<objectId>`: one user, as far as the caller
//! may read it (Parse's `fetch`).

use serde_json::Value;

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};

pub async fn handle(ctx: &RestContext<'_>, id: &str) -> RestResult {
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found.");
    let user = ctx
        .state
        .store
        .find_user(id.to_owned())
        .await?
        .ok_or_else(not_found)?;
    let own = ctx
        .auth
        .session
        .as_ref()
        .is_some_and(|s| s.user.object_id == user.object_id);
    let master = ctx.auth.is_master;
    // The ACL decides who else may read: public read up to 5.x, nobody from 6.0 (private users).
    let readable = master
        || own
        || user
            .acl
            .get("*")
            .and_then(|p| p.get("read"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
    if !readable {
        return Err(not_found());
    }
    let mut out = render::user(&user, &ctx.state.config.files_url());
    if !(own || master) {
        // Parse's default protected fields: another user's email, and their authData.
        super::find::hide_protected(&mut out);
    }
    if own
        && !master
        && let Some(token) = &ctx.auth.session_token
    {
        out.insert("sessionToken".into(), Value::String(token.clone()));
    }
    Ok((200, Value::Object(out)))
}
