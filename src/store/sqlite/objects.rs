//! Users and sessions as Parse objects in SQLite: class schemas (`class_fields`), updates and
//! deletes, and scans. The rules they follow are in [`crate::store::rules`].

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{
    SESSION_COLUMN_COUNT, SESSION_COLUMNS, SqliteStore, USER_COLUMNS, ensure_identity_free,
    fields_text, insert_session, row_to_session, row_to_user,
};
use crate::error::{ErrorCode, ParseError};
use crate::object::{self, ClassFields, FieldType};
use crate::store::rules::{
    Caller, Reader, SessionUpdate, UserScan, UserUpdate, apply_changes, in_class_order,
    next_password_history, permission, postgres_update_refusal,
};
use crate::store::{IssuedSession, Session, StoreError, User, now_millis};

/// The schema of `class`: its added fields in order.
pub(super) fn class_fields(conn: &Connection, class: &str) -> Result<ClassFields, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, target_class FROM class_fields WHERE class_name = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([class], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut fields = Vec::new();
    for row in rows {
        let (name, ty, target) = row?;
        let ty = FieldType::from_parts(&ty, target)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown field type {ty}")))?;
        fields.push((name, ty));
    }
    Ok(ClassFields { fields })
}

/// Give `class` the fields it does not have yet, in the order asked, and refuse a type that
/// differs from the one a field already has (another write may have added it meanwhile).
/// Answers the schema afterwards.
pub(super) fn ensure_fields(
    conn: &Connection,
    class: &str,
    wanted: &[(String, FieldType)],
) -> Result<ClassFields, StoreError> {
    let mut schema = class_fields(conn, class)?;
    for (name, ty) in wanted {
        match schema.get(name) {
            Some(existing) if existing != ty => {
                return Err(ParseError::new(
                    ErrorCode::IncorrectType,
                    format!(
                        "schema mismatch for {class}.{name}; expected {} but got {}",
                        existing.describe(),
                        ty.describe()
                    ),
                )
                .into());
            }
            Some(_) => {}
            None => {
                conn.prepare_cached(
                    "INSERT INTO class_fields (class_name, name, type, target_class, position) \
                     VALUES (?1, ?2, ?3, ?4, (SELECT coalesce(max(position), 0) + 1 \
                     FROM class_fields WHERE class_name = ?1))",
                )?
                .execute(params![class, name, ty.name(), ty.target_class()])?;
                schema.fields.push((name.clone(), ty.clone()));
            }
        }
    }
    Ok(schema)
}

impl SqliteStore {
    /// The fields `class` has gained, in order.
    pub async fn class_fields(&self, class: &'static str) -> Result<ClassFields, StoreError> {
        self.read(move |conn| class_fields(conn, class)).await
    }

    /// Update a user as Parse's `RestWrite` does, in its order: the schema gains the new
    /// fields (kept even when the write is then refused, as on Parse), usernames and emails
    /// are checked for uniqueness, then the caller's right to write the row, then the change.
    /// A password change ends every session of the user and, for the user themselves, issues
    /// a new one. `sanitized` says whether this Parse version words permission errors
    /// "Permission denied".
    pub async fn update_user(
        &self,
        user_id: &str,
        update: UserUpdate,
        hashed: Option<String>,
        new_session: Option<IssuedSession>,
        sanitized: bool,
    ) -> Result<(User, Map<String, Value>), StoreError> {
        let ci = self.inner.options.case_insensitive_identity;
        let opts = self.inner.options.clone();
        let (uid, s) = (user_id.to_owned(), new_session.clone());
        let sealer = Arc::clone(&self.inner.sealer);
        let outcome = self
            .inner
            .writer
            .write(move |tx| {
                let voids_reset = update.password.is_some() || update.email.is_some();
                let schema = ensure_fields(tx, "_User", &update.field_types)?;
                // Refusals from here on keep the schema change: answered, not rolled back.
                let refused = |e: ParseError| Ok(Err(e));
                let taken = ensure_identity_free(
                    tx,
                    update.username.as_deref().unwrap_or(""),
                    update.email.as_ref().and_then(Option::as_deref),
                    Some(&uid),
                    ci,
                );
                match taken {
                    Err(StoreError::Parse(e)) => return refused(e),
                    other => other?,
                }
                if update.caller == Caller::Nobody {
                    return refused(permission(
                        ErrorCode::SessionMissing,
                        format!("Cannot modify user {uid}."),
                        sanitized,
                    ));
                }
                if let Some(e) = postgres_update_refusal(&update.changes, &schema, "_User") {
                    return refused(e);
                }
                let found = tx
                    .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE object_id = ?1"))?
                    .query_row([&uid], row_to_user)
                    .optional()?
                    .transpose()?;
                let mut user = match found {
                    Some(u) if update.caller.may_write(&u.acl) => u,
                    _ if update.caller == Caller::Master => {
                        return refused(ParseError::new(ErrorCode::ObjectNotFound, "Object not found."));
                    }
                    _ => {
                        return refused(permission(
                            ErrorCode::SessionMissing,
                            "Insufficient auth.".to_owned(),
                            sanitized,
                        ));
                    }
                };
                let answers = match apply_changes(&mut user.fields, &update.changes) {
                    Ok(a) => a,
                    Err(StoreError::Parse(e)) => return refused(e),
                    Err(e) => return Err(e),
                };
                user.fields = in_class_order(std::mem::take(&mut user.fields), &schema);
                if let Some(name) = update.username {
                    user.username = name;
                }
                if let Some(email) = update.email {
                    user.email = email;
                }
                if let Some(verified) = update.email_verified {
                    user.email_verified = verified;
                }
                let mut password_history: Option<String> = None;
                if let Some(h) = hashed {
                    if let Some(max) = opts.password_history {
                        // Parse's `_password_history`: the replaced hashes, oldest first,
                        // at most max - 1 of them.
                        let old: Option<String> = tx
                            .prepare_cached("SELECT password_history FROM users WHERE object_id = ?1")?
                            .query_row([&uid], |r| r.get(0))?;
                        let old: Vec<String> = old
                            .and_then(|h| serde_json::from_str(&h).ok())
                            .unwrap_or_default();
                        let history =
                            next_password_history(old, max, user.hashed_password.clone());
                        password_history = Some(serde_json::to_string(&history).unwrap_or_default());
                    }
                    user.hashed_password = Some(h);
                }
                if let Some(mut acl) = update.acl {
                    // Parse keeps a user able to read and write themselves.
                    if update.caller != Caller::Master {
                        acl.insert(uid.clone(), json!({"read": true, "write": true}));
                    }
                    user.acl = object::normalize_acl(&acl);
                }
                user.updated_at = now_millis();
                let renamed = update.object_id.unwrap_or_else(|| uid.clone());
                if renamed != uid {
                    let taken: Option<i64> = tx
                        .prepare_cached("SELECT 1 FROM users WHERE object_id = ?1")?
                        .query_row([&renamed], |r| r.get(0))
                        .optional()?;
                    if taken.is_some() {
                        return refused(if update.duplicate_value_error {
                            ParseError::duplicate_value()
                        } else {
                            ParseError::internal()
                        });
                    }
                }
                tx.prepare_cached(
                    "UPDATE users SET object_id = ?2, username = ?3, username_lower = lower(?3), \
                     email = ?4, email_lower = lower(?4), email_verified = ?5, hashed_password = ?6, \
                     acl = ?7, updated_at = ?8, fields = ?9 WHERE object_id = ?1",
                )?
                .execute(params![
                    uid,
                    renamed,
                    user.username,
                    user.email,
                    user.email_verified,
                    user.hashed_password,
                    Value::Object(user.acl.clone()).to_string(),
                    user.updated_at,
                    fields_text(&user.fields),
                ])?;
                user.object_id = renamed;
                // Parse's `deleteEmailResetTokenIfNeeded`: a new password or email voids a
                // reset link already sent.
                if voids_reset {
                    tx.prepare_cached(
                        "UPDATE users SET perishable_token = NULL, \
                         perishable_token_expires_at = NULL WHERE object_id = ?1",
                    )?
                    .execute([&user.object_id])?;
                }
                if update.password.is_some() {
                    let now = user.updated_at;
                    tx.prepare_cached(
                        "UPDATE users SET password_changed_at = CASE WHEN ?2 THEN ?3 ELSE password_changed_at END, \
                         password_history = coalesce(?4, password_history) WHERE object_id = ?1",
                    )?
                    .execute(params![
                        user.object_id,
                        opts.password_max_age_ms.is_some(),
                        now,
                        password_history
                    ])?;
                }
                let mut ended = Vec::new();
                if update.password.is_some() && opts.revoke_sessions_on_password_change {
                    ended = super::end_sessions(tx, &crate::store::Ending::User(uid.clone()))?;
                }
                // The user gets a new session whether or not the others end.
                if let (true, Some(s)) = (update.password.is_some(), &s) {
                    insert_session(tx, s, &sealer)?;
                }
                Ok(Ok((user, ended, answers)))
            })
            .await?;
        // Any change to a user reaches every cached session of theirs (even a refused one:
        // a schema change it made stays).
        self.inner.cache.invalidate_user(user_id);
        let (user, ended, answers) = outcome?;
        self.ended(&ended);
        Ok((user, answers))
    }

    /// Delete a user as Parse does: the master key or whoever the ACL lets write the row.
    /// Their sessions stay (Parse leaves them), and no longer resolve to anyone.
    pub async fn delete_user(
        &self,
        user_id: &str,
        caller: Caller,
        sanitized: bool,
    ) -> Result<(), StoreError> {
        let uid = user_id.to_owned();
        self.inner
            .writer
            .write(move |tx| {
                let acl: Option<String> = tx
                    .prepare_cached("SELECT acl FROM users WHERE object_id = ?1")?
                    .query_row([&uid], |r| r.get(0))
                    .optional()?;
                let acl = super::parse_json_object(acl, "acl")?;
                match acl {
                    Some(acl) if caller.may_write(&acl) => {}
                    _ if caller == Caller::Master => {
                        return Err(ParseError::new(
                            ErrorCode::ObjectNotFound,
                            "Object not found.",
                        )
                        .into());
                    }
                    _ => {
                        return Err(permission(
                            ErrorCode::SessionMissing,
                            "Insufficient auth.".to_owned(),
                            sanitized,
                        )
                        .into());
                    }
                }
                tx.prepare_cached("DELETE FROM users WHERE object_id = ?1")?
                    .execute([&uid])?;
                Ok(())
            })
            .await?;
        self.inner.cache.invalidate_user(user_id);
        Ok(())
    }

    /// Visit users in the order they were made, narrowed as `scan` says; `visit` reads
    /// rows from the iterator (on a reader thread) and answers what the caller wants.
    pub async fn scan_users<R, F>(&self, scan: UserScan, visit: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Iterator<Item = Result<User, StoreError>>) -> Result<R, StoreError>
            + Send
            + 'static,
    {
        self.read(move |conn| {
            let mut sql = format!("SELECT {USER_COLUMNS} FROM users WHERE 1");
            let mut args: Vec<String> = Vec::new();
            for (column, value) in [
                ("object_id", &scan.object_id),
                ("username", &scan.username),
                ("email", &scan.email),
            ] {
                if let Some(v) = value {
                    args.push(v.clone());
                    sql.push_str(&format!(" AND {column} = ?{}", args.len()));
                }
            }
            match &scan.readable_by {
                Reader::Master => {}
                Reader::Public => sql.push_str(" AND json_extract(acl, '$.\"*\".read') = 1"),
                // No roles here ([`super::SqliteStore::user_roles`]).
                Reader::User { id, .. } => {
                    args.push(id.clone());
                    sql.push_str(&format!(
                        " AND (json_extract(acl, '$.\"*\".read') = 1 OR \
                         json_extract(acl, '$.' || json_quote(?{}) || '.read') = 1)",
                        args.len()
                    ));
                }
            }
            sql.push_str(" ORDER BY rowid");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_user)?;
            let mut rows = rows.map(|r| r.map_err(StoreError::from).and_then(|u| u));
            visit(&mut rows)
        })
        .await
    }

    /// Visit live sessions (with their tokens, when this server can read them) in the order
    /// they were made: one user's or everyone's, one objectId's or any.
    pub async fn scan_sessions<R, F>(
        &self,
        user_id: Option<String>,
        object_id: Option<String>,
        visit: F,
    ) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(
                &mut dyn Iterator<Item = Result<(Session, Option<String>), StoreError>>,
            ) -> Result<R, StoreError>
            + Send
            + 'static,
    {
        let sealer = Arc::clone(&self.inner.sealer);
        self.read(move |conn| {
            let mut sql = format!(
                "SELECT {SESSION_COLUMNS}, s.token_hash, t.sealed FROM session_rows s \
                 LEFT JOIN session_tokens t ON t.object_id = s.object_id \
                 WHERE s.revoked_at IS NULL"
            );
            let mut args: Vec<String> = Vec::new();
            for (column, value) in [("s.user_id", &user_id), ("s.object_id", &object_id)] {
                if let Some(v) = value {
                    args.push(v.clone());
                    sql.push_str(&format!(" AND {column} = ?{}", args.len()));
                }
            }
            sql.push_str(" ORDER BY s.rowid");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |row| {
                let hash: Vec<u8> = row.get(SESSION_COLUMN_COUNT)?;
                let sealed: Option<Vec<u8>> = row.get(SESSION_COLUMN_COUNT + 1)?;
                let token = match (<[u8; 32]>::try_from(hash.as_slice()), sealed) {
                    (Ok(hash), Some(sealed)) => sealer.open(&sealed, &hash),
                    _ => None,
                };
                Ok(row_to_session(row, 0).map(|s| (s, token)))
            })?;
            let mut rows = rows.map(|r| r.map_err(StoreError::from).and_then(|s| s));
            visit(&mut rows)
        })
        .await
    }

    /// Update a session's custom fields. `Ok(None)` when the caller may not see it (Parse's
    /// "Object not found.").
    pub async fn update_session(
        &self,
        session_id: &str,
        update: SessionUpdate,
    ) -> Result<Option<(i64, Map<String, Value>)>, StoreError> {
        let sid = session_id.to_owned();
        let outcome = self
            .inner
            .writer
            .write(move |tx| {
                let schema = ensure_fields(tx, "_Session", &update.field_types)?;
                let found = tx
                    .prepare_cached(&format!(
                        "SELECT {SESSION_COLUMNS} FROM session_rows s \
                         WHERE s.object_id = ?1 AND s.revoked_at IS NULL"
                    ))?
                    .query_row([&sid], |row| Ok(row_to_session(row, 0)))
                    .optional()?
                    .transpose()?;
                if let Some(e) = postgres_update_refusal(&update.changes, &schema, "_Session") {
                    return Err(e.into());
                }
                let mut session = match (found, &update.caller) {
                    (Some(s), Caller::User(id)) if !update.own_only || s.user_id == *id => s,
                    (Some(s), Caller::Master) => s,
                    _ => return Ok(None),
                };
                let answers = apply_changes(&mut session.fields, &update.changes)?;
                session.fields = in_class_order(std::mem::take(&mut session.fields), &schema);
                let now = now_millis();
                tx.prepare_cached(
                    "UPDATE session_rows SET fields = ?2, updated_at = ?3, \
                     expires_at = CASE WHEN ?4 THEN ?5 ELSE expires_at END WHERE object_id = ?1",
                )?
                .execute(params![
                    sid,
                    fields_text(&session.fields),
                    now,
                    update.expires_at.is_some(),
                    update.expires_at.flatten(),
                ])?;
                Ok(Some((now, answers, session.user_id)))
            })
            .await?;
        Ok(outcome.map(|(now, answers, user_id)| {
            // The session's cached copies are its user's.
            self.inner.cache.invalidate_user(&user_id);
            (now, answers)
        }))
    }

    /// Make a session for a signed-in user that names no auth provider: `POST /sessions`
    /// (`createdWith: {"action": "create"}`, with the fields the client gave) and
    /// `upgradeToRevocableSession` (`"upgrade"`).
    pub async fn insert_plain_session(
        &self,
        mut issued: IssuedSession,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<IssuedSession, StoreError> {
        let sealer = Arc::clone(&self.inner.sealer);
        let mut s = issued.clone();
        issued.session.fields = self
            .inner
            .writer
            .write(move |tx| {
                let schema = ensure_fields(tx, "_Session", &field_types)?;
                s.session.fields = in_class_order(std::mem::take(&mut s.session.fields), &schema);
                insert_session(tx, &s, &sealer)?;
                Ok(s.session.fields)
            })
            .await?;
        Ok(issued)
    }

    /// A `_Session` the master key writes as a plain object: no token anyone holds (its hash
    /// is of random bytes), no expiry, no `createdWith`.
    pub async fn insert_object_session(
        &self,
        issued: IssuedSession,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<Session, StoreError> {
        let s = issued.clone();
        let session = self
            .inner
            .writer
            .write(move |tx| {
                let schema = ensure_fields(tx, "_Session", &field_types)?;
                let mut s = s;
                s.session.fields = in_class_order(std::mem::take(&mut s.session.fields), &schema);
                super::insert_session_without_token(tx, &s.session)?;
                Ok(s.session)
            })
            .await?;
        Ok(session)
    }

    /// Add fields to a class's schema and remove others (and their values, from every row).
    pub async fn change_class_fields(
        &self,
        class: &'static str,
        added: Vec<(String, FieldType)>,
        removed: Vec<String>,
    ) -> Result<ClassFields, StoreError> {
        let fields = self
            .inner
            .writer
            .write(move |tx| {
                for name in &removed {
                    tx.prepare_cached("DELETE FROM class_fields WHERE class_name = ?1 AND name = ?2")?
                        .execute(params![class, name])?;
                    let table = if class == "_User" { "users" } else { "session_rows" };
                    tx.execute(
                        &format!(
                            "UPDATE {table} SET fields = nullif(json_remove(fields, '$.' || json_quote(?1)), '{{}}') \
                             WHERE json_type(fields, '$.' || json_quote(?1)) IS NOT NULL"
                        ),
                        [name],
                    )?;
                }
                ensure_fields(tx, class, &added)
            })
            .await?;
        self.inner.cache.clear();
        Ok(fields)
    }
}
