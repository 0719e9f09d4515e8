//! `GET /users/<objectId>` and `GET /classes/_User/<objectId>`: one user, as far as the caller
//! may read it (Parse's `fetch`).

use serde_json::Value;

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::{EmailLookup, acl_admits, acl_names_roles};

pub async fn handle(ctx: &RestContext<'_>, id: &str) -> RestResult {
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found.");
    let master = ctx.auth.is_master;
    // Up to 5.x the master key also reads the user's verification token.
    let (user, verify_token) = if master && ctx.state.config.behavior.email.master_sees_verify_token
    {
        let (user, tokens) = ctx
            .state
            .store
            .find_user_for_email(EmailLookup::Id(id.to_owned()))
            .await?
            .ok_or_else(not_found)?;
        (user, tokens.verify)
    } else {
        let user = ctx
            .state
            .store
            .find_user(id.to_owned())
            .await?
            .ok_or_else(not_found)?;
        (user, None)
    };
    let own = ctx
        .auth
        .session
        .as_ref()
        .is_some_and(|s| s.user.object_id == user.object_id);
    // The ACL decides who else may read (public read up to 5.x, nobody from 6.0: private
    // users): the public, the caller, or a role they hold. Their roles are read only when the
    // ACL or the protected fields name one.
    let caller_id = super::find::caller_id(ctx);
    let roles = match caller_id {
        Some(id)
            if !(master || own)
                && (acl_names_roles(&user.acl, "read")
                    || ctx.state.config.protected_user_fields.names_roles()) =>
        {
            ctx.state.store.user_roles(id).await?
        }
        _ => Vec::new(),
    };
    let readable = master || own || acl_admits(&user.acl, caller_id, &roles, "read");
    if !readable {
        return Err(not_found());
    }
    let mut out = render::user(&user, &ctx.state.config.files_url());
    if let Some(token) = verify_token {
        // Where Parse's row has it: right after `emailVerified`.
        let mut with_token = serde_json::Map::new();
        for (k, v) in std::mem::take(&mut out) {
            let after = k == "emailVerified";
            with_token.insert(k, v);
            if after {
                with_token.insert(
                    "_email_verify_token".into(),
                    Value::String(token.token.clone()),
                );
            }
        }
        out = with_token;
    }
    if !(own || master) {
        // Parse's default protected fields: another user's email, and their authData.
        super::find::hide_protected(&mut out, &super::find::hidden_fields(ctx, &roles));
    }
    if own
        && !master
        && let Some(token) = &ctx.auth.session_token
    {
        out.insert("sessionToken".into(), Value::String(token.clone()));
    }
    Ok((200, Value::Object(out)))
}
