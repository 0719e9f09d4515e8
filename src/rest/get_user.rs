//! `GET /users/<objectId>` and `GET /classes/_User/<objectId>`: one user, as far as the caller
//! may read it (Parse's `fetch`).

use serde_json::Value;

use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::store::{acl_admits, acl_names_roles};

pub async fn handle(ctx: &RestContext<'_>, id: &str) -> RestResult {
    ctx.reads(crate::store::class_reads::USER);
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found.");
    let master = ctx.auth.is_master;
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
    if master {
        super::find::add_internals(ctx, std::slice::from_mut(&mut out)).await?;
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
