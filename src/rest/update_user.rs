//! `PUT` and `DELETE` on `/users/<objectId>` and `/classes/_User/<objectId>`: change or
//! remove a user, as its own session, the master key, or anyone its ACL lets write it.

use serde_json::{Map, Value, json};

use super::{RestContext, RestResult, user_write};
use crate::error::{ErrorCode, ParseError};
use crate::store::{Caller, SessionMeta, UserUpdate, iso_millis};

/// Who is asking, as the store's permission checks see it.
pub fn caller(ctx: &RestContext<'_>) -> Caller {
    match (&ctx.auth.session, ctx.auth.is_master) {
        (_, true) => Caller::Master,
        (Some(s), false) => Caller::User(s.user.object_id.clone()),
        (None, false) => Caller::Nobody,
    }
}

pub async fn handle(ctx: &RestContext<'_>, user_id: &str, body: &Map<String, Value>) -> RestResult {
    let behavior = &ctx.state.config.behavior;
    let store = &ctx.state.store;
    let schema = store.class_fields("_User").await?;
    let write = user_write::read(body, &schema, behavior, ctx.auth.is_master, false)?;
    ctx.reads(crate::store::class_reads::USER);
    write
        .check_in_parse_order(store, Some(user_id), write.username.as_deref())
        .await?;
    // verifyUserEmails: a new email (even the same one again) is unverified until its link
    // is opened, unless the master key says otherwise in the same write.
    let verify = match (&write.email, &write.email_verified) {
        (Some(Some(address)), None) => ctx.state.email.token_for_new_email(Some(address)),
        _ => None,
    };
    let update = UserUpdate {
        caller: caller(ctx),
        username: write.username,
        email: write.email,
        email_verified: write.email_verified,
        password: write.password,
        acl: write.acl,
        object_id: write.object_id,
        duplicate_value_error: behavior.duplicate_value_error,
        changes: write.changes,
        field_types: write.field_types,
    };
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    let updated = store
        .update_user(user_id, update, meta, behavior.sanitized_permission_errors)
        .await?;
    if let Some(token) = verify {
        ctx.state
            .email
            .email_set(store, &updated.user, token, true)
            .await?;
    }
    // Parse answers the values operations produced, then updatedAt (and a new token).
    let mut out = updated.answers;
    out.insert(
        "updatedAt".into(),
        json!(iso_millis(updated.user.updated_at)),
    );
    if let Some(new) = &updated.new_session {
        out.insert("sessionToken".into(), json!(new.token));
    }
    Ok((200, Value::Object(out)))
}

/// `DELETE /users/<objectId>` and `DELETE /classes/_User/<objectId>`: the user themselves,
/// the master key, or whoever the ACL lets write the user. Their sessions stay (as on Parse)
/// and no longer resolve to anyone.
pub async fn delete(ctx: &RestContext<'_>, user_id: &str) -> RestResult {
    let who = caller(ctx);
    if who == Caller::Nobody {
        // Parse's wording here was never sanitized.
        return Err(ParseError::new(
            ErrorCode::SessionMissing,
            "Insufficient auth to delete user",
        ));
    }
    // The user, then its sessions (deleted with it).
    ctx.reads(crate::store::class_reads::USER | crate::store::class_reads::SESSION);
    let sanitized = ctx.state.config.behavior.sanitized_permission_errors;
    ctx.state.store.delete_user(user_id, who, sanitized).await?;
    Ok((200, json!({})))
}
