//! Users and sessions as Parse objects on PostgreSQL: class schemas in `_SCHEMA` with a column
//! per field, updates and deletes with Parse's permission rules (see [`crate::store::rules`]),
//! and scans.

use deadpool_postgres::GenericClient;
use serde_json::{Map, Value, json};

use super::schema::{self, ident};
use super::{
    Params, PgStore, SESSION_ROW, USER_ROW, perms_from_acl, refs, session_from_row, user_from_row,
    write_error,
};
use crate::error::{ErrorCode, ParseError};
use crate::object::{self, ClassFields, FieldType};
use crate::store::rules::{
    Caller, Reader, SessionUpdate, UserScan, UserUpdate, apply_changes, in_class_order,
    next_password_history, permission, postgres_update_refusal,
};
use crate::store::{IssuedSession, Session, StoreError, User, iso_millis, now_millis};

/// Give `class` the fields it lacks, as Parse does: a column each (`ADD COLUMN IF NOT
/// EXISTS`) and its type in `_SCHEMA`; a field that exists with another type is Parse's 111.
/// The `_SCHEMA` row is locked first, so concurrent writers add a field once.
pub(super) async fn ensure_fields(
    tx: &impl GenericClient,
    class: &'static str,
    wanted: &[(String, FieldType)],
) -> Result<ClassFields, StoreError> {
    if wanted.is_empty() {
        return schema::class_fields(tx, class).await;
    }
    tx.execute(
        r#"SELECT 1 FROM "_SCHEMA" WHERE "className" = $1 FOR UPDATE"#,
        &[&class],
    )
    .await?;
    let mut fields = schema::class_fields(tx, class).await?;
    for (name, ty) in wanted {
        match fields.get(name) {
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
                if let Some(column) = schema::column_type(ty) {
                    tx.batch_execute(&format!(
                        r#"ALTER TABLE "{class}" ADD COLUMN IF NOT EXISTS {} {column}"#,
                        ident(name)?
                    ))
                    .await?;
                }
                tx.execute(
                    r#"UPDATE "_SCHEMA" SET "schema" = jsonb_set("schema", ARRAY['fields', $2], $3::text::jsonb) WHERE "className" = $1"#,
                    &[&class, name, &schema::schema_entry(ty).to_string()],
                )
                .await?;
                fields.fields.push((name.clone(), ty.clone()));
            }
        }
    }
    Ok(fields)
}

/// Refuse a username or email another user already has (ignoring case when `ci`).
pub(super) async fn ensure_identity_free(
    tx: &impl GenericClient,
    username: &str,
    email: Option<&str>,
    except_user: Option<&str>,
    ci: bool,
) -> Result<(), StoreError> {
    let except = except_user.unwrap_or("");
    if !username.is_empty() {
        let sql = if ci {
            r#"SELECT 1 FROM "_User" WHERE lower("username") = lower($1) AND "objectId" <> $2 LIMIT 1"#
        } else {
            r#"SELECT 1 FROM "_User" WHERE "username" = $1 AND "objectId" <> $2 LIMIT 1"#
        };
        if tx.query_opt(sql, &[&username, &except]).await?.is_some() {
            return Err(ParseError::username_taken().into());
        }
    }
    if let Some(email) = email {
        let sql = if ci {
            r#"SELECT 1 FROM "_User" WHERE lower("email") = lower($1) AND "objectId" <> $2 LIMIT 1"#
        } else {
            r#"SELECT 1 FROM "_User" WHERE "email" = $1 AND "objectId" <> $2 LIMIT 1"#
        };
        if tx.query_opt(sql, &[&email, &except]).await?.is_some() {
            return Err(ParseError::email_taken().into());
        }
    }
    Ok(())
}

/// `SET` clauses for custom fields (an UPDATE), each from one text parameter.
fn set_fields<'a>(
    sets: &mut Vec<String>,
    params: &mut Params,
    names: impl Iterator<Item = &'a String>,
    fields: &Map<String, Value>,
    schema: &ClassFields,
) -> Result<(), StoreError> {
    for name in names {
        let Some(ty) = schema.get(name) else { continue };
        let Some(column) = schema::column_type(ty) else {
            continue;
        };
        params.push(fields.get(name).and_then(|v| schema::to_column_text(ty, v)));
        sets.push(format!(
            "{} = ${}::text::{column}",
            ident(name)?,
            params.len()
        ));
    }
    Ok(())
}

/// The top-level fields a list of changes touches (`prefs.theme` touches `prefs`).
fn touched(changes: &[(String, object::Change)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in changes {
        let first = name.split('.').next().unwrap_or(name).to_owned();
        if !names.contains(&first) {
            names.push(first);
        }
    }
    names
}

impl PgStore {
    /// The fields `class` has gained, in column order.
    pub async fn class_fields(&self, class: &'static str) -> Result<ClassFields, StoreError> {
        let client = self.client().await?;
        schema::class_fields(&client, class).await
    }

    /// Update a user in one transaction, as the SQLite store does (see
    /// [`crate::store::Store::update_user`]); refusals after the schema change keep it.
    pub async fn update_user(
        &self,
        user_id: &str,
        update: UserUpdate,
        hashed: Option<String>,
        new_session: Option<IssuedSession>,
        sanitized: bool,
    ) -> Result<(User, Map<String, Value>), StoreError> {
        let opts = self.inner.options.clone();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let schema = ensure_fields(&tx, "_User", &update.field_types).await?;
        let refusal = self
            .update_user_in(
                &tx,
                user_id,
                update,
                hashed,
                new_session,
                sanitized,
                &schema,
                &opts,
            )
            .await;
        let outcome = match refusal {
            Ok(done) => Ok(done),
            // Answered, not rolled back: the schema keeps the new fields, as on Parse.
            Err(StoreError::Parse(e)) => Err(e),
            Err(other) => return Err(other),
        };
        tx.commit().await.map_err(write_error)?;
        self.reload_fields().await?;
        Ok(outcome?)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one transaction's inputs, passed through"
    )]
    async fn update_user_in(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        uid: &str,
        update: UserUpdate,
        hashed: Option<String>,
        new_session: Option<IssuedSession>,
        sanitized: bool,
        schema: &ClassFields,
        opts: &crate::store::StoreOptions,
    ) -> Result<(User, Map<String, Value>), StoreError> {
        let voids_reset = update.password.is_some() || update.email.is_some();
        ensure_identity_free(
            tx,
            update.username.as_deref().unwrap_or(""),
            update.email.as_ref().and_then(Option::as_deref),
            Some(uid),
            opts.case_insensitive_identity,
        )
        .await?;
        if update.caller == Caller::Nobody {
            return Err(permission(
                ErrorCode::SessionMissing,
                format!("Cannot modify user {uid}."),
                sanitized,
            )
            .into());
        }
        if let Some(e) = postgres_update_refusal(&update.changes, schema, "_User") {
            return Err(e.into());
        }
        let row = tx
            .query_opt(
                &format!(
                    r#"SELECT {USER_ROW}, "_password_history"::text FROM "_User" u WHERE "objectId" = $1 FOR UPDATE"#
                ),
                &[&uid],
            )
            .await?;
        let (found, old_history): (Option<User>, Option<String>) = match row {
            Some(r) => {
                let text: String = r.get(0);
                let user = user_from_row(super::parse_row(&text)?, schema, false)
                    .map_err(|()| StoreError::Corrupt("_User row outside its schema".into()))?;
                (Some(user), r.get(1))
            }
            None => (None, None),
        };
        let allowed = match &found {
            Some(u) => super::roles::may_write(tx, &update.caller, &u.acl).await?,
            None => false,
        };
        let mut user = match found {
            Some(u) if allowed => u,
            _ if update.caller == Caller::Master => {
                return Err(ParseError::new(ErrorCode::ObjectNotFound, "Object not found.").into());
            }
            _ => {
                return Err(permission(
                    ErrorCode::SessionMissing,
                    "Insufficient auth.".to_owned(),
                    sanitized,
                )
                .into());
            }
        };
        let answers = apply_changes(&mut user.fields, &update.changes)?;
        user.fields = in_class_order(std::mem::take(&mut user.fields), schema);
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
        if let Some(h) = hashed.clone() {
            if let Some(max) = opts.password_history {
                let old: Vec<String> = old_history
                    .and_then(|h| serde_json::from_str(&h).ok())
                    .unwrap_or_default();
                let history = next_password_history(old, max, user.hashed_password.clone());
                password_history = Some(serde_json::to_string(&history).unwrap_or_default());
            }
            user.hashed_password = Some(h);
        }
        if let Some(mut acl) = update.acl {
            // Parse keeps a user able to read and write themselves.
            if update.caller != Caller::Master {
                acl.insert(uid.to_owned(), json!({"read": true, "write": true}));
            }
            user.acl = object::normalize_acl(&acl);
        }
        user.updated_at = now_millis();
        let renamed = update.object_id.unwrap_or_else(|| uid.to_owned());
        if renamed != uid
            && tx
                .query_opt(
                    r#"SELECT 1 FROM "_User" WHERE "objectId" = $1"#,
                    &[&renamed],
                )
                .await?
                .is_some()
        {
            return Err(if update.duplicate_value_error {
                ParseError::duplicate_value()
            } else {
                ParseError::internal()
            }
            .into());
        }
        let (rperm, wperm) = perms_from_acl(&user.acl);
        let mut params: Params = vec![
            Some(uid.to_owned()),
            Some(renamed.clone()),
            Some(user.username.clone()),
            user.email.clone(),
            user.email_verified.map(|b| b.to_string()),
            user.hashed_password.clone(),
            Some(rperm),
            Some(wperm),
            Some(iso_millis(user.updated_at)),
        ];
        let mut sets: Vec<String> = vec![
            r#""objectId" = $2"#.into(),
            r#""username" = $3"#.into(),
            r#""email" = $4"#.into(),
            r#""emailVerified" = $5::text::boolean"#.into(),
            r#""_hashed_password" = $6"#.into(),
            r#""_rperm" = $7::text::text[]"#.into(),
            r#""_wperm" = $8::text::text[]"#.into(),
            r#""updatedAt" = $9::text::timestamptz"#.into(),
        ];
        // Parse's `deleteEmailResetTokenIfNeeded`: a new password or email voids a reset link
        // already sent.
        if voids_reset {
            sets.push(r#""_perishable_token" = NULL"#.into());
            sets.push(r#""_perishable_token_expires_at" = NULL"#.into());
        }
        if hashed.is_some() {
            if opts.password_max_age_ms.is_some() {
                sets.push(r#""_password_changed_at" = $9::text::timestamptz"#.into());
            }
            if let Some(history) = password_history {
                params.push(Some(history));
                sets.push(format!(
                    r#""_password_history" = ${}::text::jsonb"#,
                    params.len()
                ));
            }
        }
        set_fields(
            &mut sets,
            &mut params,
            touched(&update.changes).iter(),
            &user.fields,
            schema,
        )?;
        tx.execute(
            &format!(
                r#"UPDATE "_User" SET {} WHERE "objectId" = $1"#,
                sets.join(", ")
            ),
            &refs(&params),
        )
        .await
        .map_err(write_error)?;
        user.object_id = renamed;
        if hashed.is_some() && opts.revoke_sessions_on_password_change {
            super::end_sessions(tx, &crate::store::Ending::User(uid.to_owned())).await?;
        }
        // The user gets a new session whether or not the others end.
        if let (true, Some(s)) = (hashed.is_some(), &new_session) {
            self.insert_session_row(tx, &s.session, Some(&s.token), &ClassFields::default())
                .await?;
        }
        Ok((user, answers))
    }

    /// Delete a user as Parse does; their sessions stay and resolve to no one.
    pub async fn delete_user(
        &self,
        user_id: &str,
        caller: Caller,
        sanitized: bool,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                r#"SELECT array_to_json("_rperm")::text, array_to_json("_wperm")::text FROM "_User" WHERE "objectId" = $1 FOR UPDATE"#,
                &[&user_id],
            )
            .await?;
        let acl = row.map(|r| {
            let perms = |i: usize| -> Value {
                r.get::<_, Option<String>>(i)
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null)
            };
            super::acl_from_perms(&perms(0), &perms(1))
        });
        let allowed = match &acl {
            Some(acl) => super::roles::may_write(&tx, &caller, acl).await?,
            None => false,
        };
        match acl {
            Some(_) if allowed => {}
            _ if caller == Caller::Master => {
                return Err(ParseError::new(ErrorCode::ObjectNotFound, "Object not found.").into());
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
        tx.execute(r#"DELETE FROM "_User" WHERE "objectId" = $1"#, &[&user_id])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Visit users narrowed as `scan` says, in the order PostgreSQL returns them (as Parse's
    /// own unordered queries do); `visit` runs on a blocking thread.
    pub async fn scan_users<R, F>(&self, scan: UserScan, visit: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Iterator<Item = Result<User, StoreError>>) -> Result<R, StoreError>
            + Send
            + 'static,
    {
        let mut sql = format!(r#"SELECT {USER_ROW} FROM "_User" u WHERE true"#);
        let mut params: Params = Vec::new();
        for (column, value) in [
            ("objectId", &scan.object_id),
            ("username", &scan.username),
            ("email", &scan.email),
        ] {
            if let Some(v) = value {
                params.push(Some(v.clone()));
                sql.push_str(&format!(r#" AND "{column}" = ${}"#, params.len()));
            }
        }
        // Parse's own read-permission clause (`_rperm IS NULL OR _rperm && ARRAY[...]`).
        match &scan.readable_by {
            Reader::Master => {}
            Reader::Public => sql.push_str(r#" AND ("_rperm" IS NULL OR "_rperm" && ARRAY['*'])"#),
            Reader::User { id, roles } => {
                let public = "*".to_owned();
                let mut readers = vec![&public, id];
                readers.extend(roles.iter());
                params.push(Some(super::array_literal(&readers)));
                sql.push_str(&format!(
                    r#" AND ("_rperm" IS NULL OR "_rperm" && ${}::text::text[])"#,
                    params.len()
                ));
            }
        }
        let users = self.query_users(&sql, &params).await?;
        tokio::task::spawn_blocking(move || visit(&mut users.into_iter().map(Ok)))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Visit sessions (with their plain tokens): one user's or everyone's, one objectId's or
    /// any.
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
        let mut sql = format!(r#"SELECT {SESSION_ROW} FROM "_Session" s WHERE true"#);
        let mut params: Params = Vec::new();
        for (column, value) in [("user", &user_id), ("objectId", &object_id)] {
            if let Some(v) = value {
                params.push(Some(v.clone()));
                sql.push_str(&format!(r#" AND "{column}" = ${}"#, params.len()));
            }
        }
        let client = self.client().await?;
        let rows: Vec<String> = client
            .query(&sql, &refs(&params))
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        drop(client);
        let sessions = self
            .decode(&rows, |row, s| session_from_row(row, &s.session, s.strict))
            .await?;
        tokio::task::spawn_blocking(move || visit(&mut sessions.into_iter().map(Ok)))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Update a session's custom fields. `Ok(None)` when the caller may not see it.
    pub async fn update_session(
        &self,
        session_id: &str,
        update: SessionUpdate,
    ) -> Result<Option<(i64, Map<String, Value>)>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let schema = ensure_fields(&tx, "_Session", &update.field_types).await?;
        let row = tx
            .query_opt(
                &format!(
                    r#"SELECT {SESSION_ROW} FROM "_Session" s WHERE "objectId" = $1 FOR UPDATE"#
                ),
                &[&session_id],
            )
            .await?;
        let found = match row {
            Some(r) => {
                let text: String = r.get(0);
                Some(
                    session_from_row(super::parse_row(&text)?, &schema, false)
                        .map_err(|()| {
                            StoreError::Corrupt("_Session row outside its schema".into())
                        })?
                        .0,
                )
            }
            None => None,
        };
        if let Some(e) = postgres_update_refusal(&update.changes, &schema, "_Session") {
            return Err(e.into());
        }
        let mut session = match (found, &update.caller) {
            (Some(s), Caller::User(id)) if !update.own_only || s.user_id == *id => s,
            (Some(s), Caller::Master) => s,
            _ => {
                tx.commit().await?;
                return Ok(None);
            }
        };
        let answers = apply_changes(&mut session.fields, &update.changes)?;
        session.fields = in_class_order(std::mem::take(&mut session.fields), &schema);
        let now = now_millis();
        let mut params: Params = vec![Some(session_id.to_owned()), Some(iso_millis(now))];
        let mut sets: Vec<String> = vec![r#""updatedAt" = $2::text::timestamptz"#.into()];
        if let Some(expires_at) = update.expires_at {
            params.push(expires_at.map(iso_millis));
            sets.push(format!(
                r#""expiresAt" = ${}::text::timestamptz"#,
                params.len()
            ));
        }
        set_fields(
            &mut sets,
            &mut params,
            touched(&update.changes).iter(),
            &session.fields,
            &schema,
        )?;
        tx.execute(
            &format!(
                r#"UPDATE "_Session" SET {} WHERE "objectId" = $1"#,
                sets.join(", ")
            ),
            &refs(&params),
        )
        .await?;
        tx.commit().await?;
        self.reload_fields().await?;
        Ok(Some((now, answers)))
    }

    /// Insert a session a signed-in user made (`POST /sessions`, upgrade), with its fields.
    pub async fn insert_plain_session(
        &self,
        mut issued: IssuedSession,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<IssuedSession, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let schema = ensure_fields(&tx, "_Session", &field_types).await?;
        issued.session.fields = in_class_order(std::mem::take(&mut issued.session.fields), &schema);
        self.insert_session_row(&tx, &issued.session, Some(&issued.token), &schema)
            .await?;
        tx.commit().await?;
        self.reload_fields().await?;
        Ok(issued)
    }

    /// Insert a `_Session` the master key writes as a plain object: no token.
    pub async fn insert_object_session(
        &self,
        issued: IssuedSession,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<Session, StoreError> {
        let mut session = issued.session;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let schema = ensure_fields(&tx, "_Session", &field_types).await?;
        session.fields = in_class_order(std::mem::take(&mut session.fields), &schema);
        self.insert_session_row(&tx, &session, None, &schema)
            .await?;
        tx.commit().await?;
        self.reload_fields().await?;
        Ok(session)
    }

    /// Add fields to a class and remove others, as Parse's schema routes do (a removed field
    /// loses its column and its `_SCHEMA` entry).
    pub async fn change_class_fields(
        &self,
        class: &'static str,
        added: Vec<(String, FieldType)>,
        removed: Vec<String>,
    ) -> Result<ClassFields, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for name in &removed {
            tx.batch_execute(&format!(
                r#"ALTER TABLE "{class}" DROP COLUMN IF EXISTS {}"#,
                ident(name)?
            ))
            .await?;
            tx.execute(
                r#"UPDATE "_SCHEMA" SET "schema" = "schema" #- ARRAY['fields', $2] WHERE "className" = $1"#,
                &[&class, name],
            )
            .await?;
        }
        let fields = ensure_fields(&tx, class, &added).await?;
        tx.commit().await?;
        self.reload_fields().await?;
        Ok(fields)
    }
}
