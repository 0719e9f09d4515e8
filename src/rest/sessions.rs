//! Parse's `SessionsRouter` and `_Session` class routes: `GET /sessions/me`, a user's
//! sessions ("your devices") and one of them, their custom fields, a session made on
//! request, and ending one — on `/sessions` and `/classes/_Session` alike.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::update_user::caller;
use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::object::{self, Change};
use crate::store::{AuthSession, Caller, SessionAction, SessionMeta, SessionUpdate, iso_millis};

/// The session of the token sent. From 7.0 Parse's middleware skips this route and the handler
/// says "Session token not found." itself (and does not check expiry).
pub async fn me(ctx: &RestContext<'_>) -> RestResult {
    let Some(token) = &ctx.auth.session_token else {
        return Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token required.",
        ));
    };
    let session: Arc<AuthSession> = match &ctx.auth.session {
        Some(s) => Arc::clone(s),
        None => ctx.state.store.find_session(token).await?.ok_or_else(|| {
            ParseError::new(ErrorCode::InvalidSessionToken, "Session token not found.")
        })?,
    };
    // Parse's handler finds the session by its token (the master key's query).
    ctx.state
        .store
        .class_reads()
        .read(crate::store::class_reads::SESSION);
    let body = render::session(&session.session, Some(token), &ctx.state.config.behavior);
    Ok((200, Value::Object(body)))
}

/// Reading `_Session` needs a session or the master key: without, the middleware's 209.
pub fn reader(ctx: &RestContext<'_>) -> Result<Option<String>, ParseError> {
    match caller(ctx) {
        Caller::Master => Ok(None),
        Caller::User(id) => Ok(Some(id)),
        Caller::Nobody => Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            ctx.state.config.behavior.missing_session.text(),
        )),
    }
}

/// `GET /sessions/<id>` with its parameters: `include=user` (or `includeAll`) replaces the
/// user pointer as a find does ([`super::find::include_users`]).
pub async fn get_with(
    ctx: &RestContext<'_>,
    session_id: &str,
    params: &Map<String, Value>,
) -> RestResult {
    let (status, body) = get(ctx, session_id).await?;
    let text = |name: &str| match params.get(name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let includes_user = text("include").is_some_and(|paths| {
        crate::query::included_fields(paths)
            .iter()
            .any(|f| f == "user")
    }) || text("includeAll").is_some_and(|v| v == "true");
    let Value::Object(session) = body else {
        return Ok((status, body));
    };
    if !includes_user {
        return Ok((status, Value::Object(session)));
    }
    let mut one = [session];
    super::find::include_users(ctx, None, &mut one).await?;
    let [session] = one;
    Ok((status, Value::Object(session)))
}

/// `GET /sessions/<objectId>`: one of the caller's sessions (any, for the master key).
pub async fn get(ctx: &RestContext<'_>, session_id: &str) -> RestResult {
    let owner = reader(ctx)?;
    ctx.reads(crate::store::class_reads::SESSION);
    let found = ctx
        .state
        .store
        .scan_sessions(owner, Some(session_id.to_owned()), |rows| {
            rows.next().transpose()
        })
        .await?;
    let (session, token) =
        found.ok_or_else(|| ParseError::new(ErrorCode::ObjectNotFound, "Object not found."))?;
    let body = render::session(&session, token.as_deref(), &ctx.state.config.behavior);
    Ok((200, Value::Object(body)))
}

/// The custom fields of a session write, checked against `_Session`'s schema.
fn session_changes(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    schema: &object::ClassFields,
) -> Result<(object::Changes, object::FieldTypes), ParseError> {
    let behavior = &ctx.state.config.behavior;
    ctx.reads(crate::store::class_reads::SESSION);
    if body.contains_key("ACL") {
        return Err(ParseError::new(
            ErrorCode::InvalidKeyName,
            "Cannot set ACL on a Session.",
        ));
    }
    let types = object::check_types("_Session", body.iter(), schema, behavior)?
        .into_iter()
        .filter(|(name, _)| object::default_column("_Session", name).is_none())
        .collect();
    let mut changes = Vec::new();
    for (key, value) in body {
        if object::default_column("_Session", key).is_some() {
            continue;
        }
        let change = match object::change_of(value).map_err(ParseError::from)? {
            Change::Set(Value::Null) => Change::Delete,
            other => other,
        };
        changes.push((key.clone(), change));
    }
    Ok((changes, types))
}

/// The `expiresAt` a session write sets, already checked to be a Date (or null, or a
/// `Delete`, which remove it): a client may shorten or end its own session this way, and the
/// master key any session, as Parse stores the field like any other.
fn new_expiry(value: Option<&Value>) -> Result<Option<Option<i64>>, ParseError> {
    let Some(value) = value else { return Ok(None) };
    match object::change_of(value).map_err(ParseError::from)? {
        Change::Set(Value::Null) | Change::Delete => Ok(Some(None)),
        Change::Set(date) => {
            // As any Date field is stored: an unreadable `iso` fails as it does there.
            let stored = object::stored(&date).map_err(ParseError::from)?;
            let iso = stored
                .get("iso")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Ok(Some(crate::store::parse_iso_millis(iso)))
        }
        _ => Err(ParseError::new(
            ErrorCode::IncorrectType,
            "schema mismatch for _Session.expiresAt; expected Date",
        )),
    }
}

/// `PUT /sessions/<objectId>`: set a session's own fields. Up to 4.x any signed-in user may
/// write any session; from 5.0 only their own.
pub async fn update(
    ctx: &RestContext<'_>,
    session_id: &str,
    body: &Map<String, Value>,
) -> RestResult {
    let who = caller(ctx);
    if who == Caller::Nobody {
        return Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token required.",
        ));
    }
    if body.contains_key("ACL") {
        return Err(ParseError::new(
            ErrorCode::InvalidKeyName,
            "Cannot set ACL on a Session.",
        ));
    }
    // Parse's `handleSession`: a session keeps its owner, installation and token.
    let truthy = |k: &str| !matches!(body.get(k), None | Some(Value::Null | Value::Bool(false)));
    let other_owner = match (&who, body.get("user").and_then(|u| u.get("objectId"))) {
        (Caller::User(me), Some(id)) => id.as_str() != Some(me.as_str()),
        (Caller::User(_), None) => truthy("user"),
        _ => false,
    };
    let refused_key = if other_owner {
        Some("user")
    } else if truthy("installationId") {
        Some("installationId")
    } else if truthy("sessionToken") {
        Some("sessionToken")
    } else {
        None
    };
    if let Some(key) = refused_key {
        let message = if ctx.state.config.behavior.session_key_refusal_named {
            format!("Invalid key name: {key}")
        } else {
            String::new()
        };
        return Err(ParseError::new(ErrorCode::InvalidKeyName, message));
    }
    let store = &ctx.state.store;
    let schema = store.class_fields("_Session").await?;
    let (changes, field_types) = session_changes(ctx, body, &schema)?;
    let update = SessionUpdate {
        caller: who,
        own_only: ctx.state.config.behavior.session_update_own_only,
        changes,
        field_types,
        expires_at: new_expiry(body.get("expiresAt"))?,
    };
    let (updated_at, mut out) = store
        .update_session(session_id, update)
        .await?
        .ok_or_else(|| ParseError::new(ErrorCode::ObjectNotFound, "Object not found."))?;
    out.insert("updatedAt".into(), json!(iso_millis(updated_at)));
    Ok((200, Value::Object(out)))
}

/// `POST /sessions`: a signed-in user makes themselves another session, answered as
/// Parse's `Auth.createSession` builds it (no `createdAt`; the client's own fields in the
/// order sent), with its location. With the master key the body is written as a plain
/// `_Session` object: no token, no expiry, no `createdWith`.
pub async fn create(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    if ctx.auth.is_master && ctx.auth.session.is_none() {
        return create_as_master(ctx, body).await;
    }
    let Some(session) = &ctx.auth.session else {
        return Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token required.",
        ));
    };
    let store = &ctx.state.store;
    let (extra, fields, field_types, meta) = new_session_fields(ctx, body, false).await?;
    let issued = store
        .create_plain_session(
            &session.user.object_id,
            SessionAction::Create,
            meta,
            fields,
            field_types,
        )
        .await?;
    let behavior = &ctx.state.config.behavior;
    let mut out = Map::new();
    out.insert("sessionToken".into(), json!(issued.token));
    out.insert(
        "user".into(),
        json!({"__type": "Pointer", "className": "_User", "objectId": session.user.object_id}),
    );
    out.insert("createdWith".into(), render::created_with(&issued.session));
    if behavior.session_has_restricted {
        out.insert("restricted".into(), json!(false));
    }
    if let Some(expires) = issued.session.expires_at {
        out.insert(
            "expiresAt".into(),
            json!({"__type": "Date", "iso": iso_millis(expires)}),
        );
    }
    for key in extra.keys() {
        if let Some(v) = issued.session.fields.get(key) {
            out.insert(key.clone(), v.clone());
        } else if key == "installationId" {
            out.insert(key.clone(), json!(issued.session.installation_id));
        }
    }
    out.insert("objectId".into(), json!(issued.session.object_id));
    Ok((201, Value::Object(out)))
}

/// What a new session is given: the client's own fields (all but `objectId` and `user`; the
/// installation id too when it is a column of its own), their values and types, and its
/// installation.
async fn new_session_fields(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    installation_column: bool,
) -> Result<
    (
        Map<String, Value>,
        Map<String, Value>,
        object::FieldTypes,
        SessionMeta,
    ),
    ParseError,
> {
    let schema = ctx.state.store.class_fields("_Session").await?;
    let extra: Map<String, Value> = body
        .iter()
        .filter(|(k, _)| match k.as_str() {
            "objectId" | "user" => false,
            "installationId" => !installation_column,
            _ => true,
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let (changes, field_types) = session_changes(ctx, &extra, &schema)?;
    let fields = super::user_write::created_fields(&changes)?;
    let meta = SessionMeta {
        installation_id: body
            .get("installationId")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    Ok((extra, fields, field_types, meta))
}

/// The master key writing a `_Session` as a plain object: answered `{objectId, createdAt}`.
async fn create_as_master(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    let store = &ctx.state.store;
    let (_, fields, field_types, meta) = new_session_fields(ctx, body, true).await?;
    let user_id = body
        .get("user")
        .and_then(|u| u.get("objectId"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let session = store
        .create_object_session(user_id, meta, fields, field_types)
        .await?;
    Ok((
        201,
        json!({"objectId": session.object_id, "createdAt": iso_millis(session.created_at)}),
    ))
}

/// A user ending one of their own sessions (or the master key ending any).
pub async fn delete(ctx: &RestContext<'_>, session_id: &str) -> RestResult {
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found for delete.");
    let store = &ctx.state.store;
    if ctx.auth.is_master || ctx.auth.session.is_some() {
        ctx.reads(crate::store::class_reads::SESSION);
    }
    let deleted = if ctx.auth.is_master {
        store.revoke_session_as_master(session_id).await?
    } else {
        let Some(session) = &ctx.auth.session else {
            // Deleting from `_Session` needs a session (or the master key).
            return Err(ParseError::new(
                ErrorCode::InvalidSessionToken,
                ctx.state.config.behavior.missing_session.text(),
            ));
        };
        store
            .revoke_session_by_id(&session.user.object_id, session_id)
            .await?
    };
    if deleted {
        Ok((200, json!({})))
    } else {
        Err(not_found())
    }
}

/// `POST /upgradeToRevocableSession`: meant to trade a legacy session for a revocable one.
/// Parse makes the new session, then clears the user's legacy `sessionToken` column, which
/// its PostgreSQL adapter does not have: every version answers its uncaught-error 500 and
/// the caller never sees the new token (fixtures/user-routes, finding A2). Without a session,
/// 404 "invalid session".
pub async fn upgrade(ctx: &RestContext<'_>) -> RestResult {
    let Some(session) = &ctx.auth.session else {
        return Err(ParseError::new(
            ErrorCode::ObjectNotFound,
            "invalid session",
        ));
    };
    let meta = SessionMeta {
        installation_id: ctx.auth.installation_id.clone(),
    };
    ctx.state
        .store
        .create_plain_session(
            &session.user.object_id,
            SessionAction::Upgrade,
            meta,
            Map::new(),
            Vec::new(),
        )
        .await?;
    Err(ParseError::internal())
}
