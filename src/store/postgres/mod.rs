//! The PostgreSQL store: Parse's own `_User`, `_Session` and `_SCHEMA` tables, shared with a
//! real Parse Server and with any number of parse-compat instances.
//!
//! Rows are written as the pinned Parse version writes them (fixtures/pg-tables): plain-text
//! session tokens (Parse looks them up by value), `_rperm`/`_wperm` for ACLs, custom fields as
//! their own columns typed in `_SCHEMA`. A revoke deletes the row, as Parse does: a row marked
//! ended would still be a live session to a real Parse reading the same table.
//!
//! # Why a revoke is final everywhere at once
//!
//! Nothing about a session is remembered between requests. Every request that carries a token
//! resolves it with one indexed statement (`_Session."sessionToken"` joined to its `_User`),
//! and every revoke is a `DELETE` committed before it is answered. PostgreSQL runs each
//! statement on a snapshot taken when the statement starts (READ COMMITTED), so a request
//! sent after a revoke was answered starts its lookup after the `DELETE` committed and cannot
//! see the row, on this instance, on any other instance, and whoever deleted it (a real Parse
//! included). There is no cache to invalidate, so no notification can arrive late and no
//! listener can be down; while the database is unreachable a request fails (Parse's code 1)
//! instead of being answered from memory. The price is one round trip per authenticated
//! request, which an index on the token keeps to a single B-tree descent.

mod email;
mod lanes;
mod objects;
mod roles;
mod schema;

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::{Map, Value, json};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use super::{
    AuthSession, EndedSession, Ending, IssuedSession, Session, SessionAction, StoreError,
    StoreOptions, User, iso_millis, now_millis,
};
use crate::error::{ErrorCode, ParseError};
use crate::object::{ClassFields, FieldType};

pub use schema::Layout;

/// Connections per instance. Each statement is one round trip and most requests make one;
/// more connections than PostgreSQL has cores to run them only queue inside PostgreSQL.
fn pool_size() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from) * 4
}

/// Shared pipelined connections for token lookups.
///
/// Lookups and revokes want opposite things (measured with bench/postgres.sh on 2 cores):
/// lookups are fastest pipelined deep on few connections (users/me 37k/s on one, 28k/s on
/// four: fewer backends contend for the cores), while a revoke commits, and commits only
/// share a WAL flush when several backends commit at once (logout 5k/s on one connection,
/// 13k/s on four).
fn read_lanes() -> usize {
    (std::thread::available_parallelism().map_or(2, usize::from) / 2).max(1)
}

/// See [`read_lanes`].
fn write_lanes() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from) * 4
}

/// A cheap-to-clone handle to the PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// Pipelined connections for token lookups (see `lanes`).
    reads: lanes::Lanes,
    /// Pipelined connections for revokes by token.
    writes: lanes::Lanes,
    options: StoreOptions,
    layout: Layout,
    /// The database's name, for files written beside it (a generated master key).
    name: String,
    /// The custom fields of `_User` and `_Session` as last read from `_SCHEMA` (types only:
    /// a row's own columns say which fields it has). Re-read when a row shows a column this
    /// copy does not know, and after every schema change made here.
    schemas: parking_lot::RwLock<Schemas>,
}

#[derive(Default, Clone)]
struct Schemas {
    user: Arc<ClassFields>,
    session: Arc<ClassFields>,
    /// Whether a column this copy does not type makes decoding give up (to re-read the
    /// schema) rather than skip it.
    strict: bool,
}

impl Schemas {
    /// Both class schemas as `_SCHEMA` has them now.
    async fn load(client: &impl deadpool_postgres::GenericClient) -> Result<Self, StoreError> {
        Ok(Self {
            user: Arc::new(schema::class_fields(client, "_User").await?),
            session: Arc::new(schema::class_fields(client, "_Session").await?),
            strict: true,
        })
    }
}

/// Parameters of a statement, all passed as text and cast by the statement.
type Params = Vec<Option<String>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// The `createdWith` Parse stores for a session made this way (`NULL` for none).
fn created_with(session: &Session) -> Option<String> {
    if session.action == SessionAction::Unset {
        return None;
    }
    let mut with = Map::new();
    with.insert("action".into(), json!(session.action.as_str()));
    if !session.auth_provider.is_empty() {
        with.insert("authProvider".into(), json!(session.auth_provider));
    }
    Some(Value::Object(with).to_string())
}

/// The ACL Parse rebuilds from `_rperm` and `_wperm` (`untransformObjectACL`, given the
/// columns as JSON arrays). Both NULL is public to Parse (fixtures/pg-tables, experiment c).
fn acl_from_perms(rperm: &Value, wperm: &Value) -> Map<String, Value> {
    let mut acl = Map::new();
    if rperm.is_null() && wperm.is_null() {
        acl.insert("*".into(), json!({"read": true, "write": true}));
        return acl;
    }
    let entries = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    for entry in entries(rperm) {
        acl.insert(entry, json!({"read": true}));
    }
    for entry in entries(wperm) {
        match acl.get_mut(&entry) {
            Some(Value::Object(p)) => {
                p.insert("write".into(), Value::Bool(true));
            }
            _ => {
                acl.insert(entry, json!({"write": true}));
            }
        }
    }
    acl
}

/// A PostgreSQL `text[]` literal of these values, each quoted.
fn array_literal(values: &[&String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|w| format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

/// `_rperm` and `_wperm` of an ACL (`transformObjectACL`), as PostgreSQL array literals.
fn perms_from_acl(acl: &Map<String, Value>) -> (String, String) {
    let grants = |p: &Value, k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
    let literal = |who: Vec<&String>| array_literal(&who);
    let read = acl
        .iter()
        .filter(|(_, p)| grants(p, "read"))
        .map(|(w, _)| w);
    let write = acl
        .iter()
        .filter(|(_, p)| grants(p, "write"))
        .map(|(w, _)| w);
    (literal(read.collect()), literal(write.collect()))
}

/// The columns and values of an INSERT: each value one text parameter, cast to its column's
/// type by the statement.
#[derive(Default)]
struct Insert {
    columns: Vec<String>,
    /// Each value's cast, in column order; value `i` is parameter `i + 1`.
    casts: Vec<String>,
    params: Params,
}

impl Insert {
    /// Set `column` (a Parse field name, quoted here) to `value` cast to `cast`.
    fn set(&mut self, column: &str, cast: &str, value: Option<String>) -> Result<(), StoreError> {
        self.params.push(value);
        self.columns.push(schema::ident(column)?);
        self.casts.push(cast.to_owned());
        Ok(())
    }

    /// The row's values as SQL, its parameters numbered from `first + 1`.
    fn values(&self, first: usize) -> String {
        let values: Vec<String> = self
            .casts
            .iter()
            .enumerate()
            .map(|(i, cast)| format!("${}::text::{cast}", first + i + 1))
            .collect();
        format!("({})", values.join(", "))
    }

    /// Set each custom field the class schema gives a column.
    fn set_fields(
        &mut self,
        fields: &Map<String, Value>,
        schema: &ClassFields,
    ) -> Result<(), StoreError> {
        for (name, value) in fields {
            if let Some(ty) = schema.get(name)
                && let Some(column) = schema::column_type(ty)
            {
                self.set(name, column, schema::to_column_text(ty, value))?;
            }
        }
        Ok(())
    }

    async fn run(
        self,
        client: &impl deadpool_postgres::GenericClient,
        table: &str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            r#"INSERT INTO "{table}" ({}) VALUES {}"#,
            self.columns.join(", "),
            self.values(0)
        );
        client
            .execute(&sql, &refs(&self.params))
            .await
            .map_err(write_error)?;
        Ok(())
    }

    /// Insert many rows with as few statements as PostgreSQL's parameter limit allows: one
    /// per run of rows with the same columns (`parse-compat seed`; one row per statement
    /// made 10M sessions a matter of hours).
    async fn run_many(
        rows: Vec<Insert>,
        client: &impl deadpool_postgres::GenericClient,
        table: &str,
    ) -> Result<(), StoreError> {
        /// PostgreSQL's protocol numbers parameters with 16 bits.
        const MAX_PARAMS: usize = 65_535;
        let mut rows = rows.into_iter().peekable();
        while let Some(first) = rows.next() {
            let per_row = first.params.len().max(1);
            let mut batch = vec![first];
            while let Some(next) = rows.peek() {
                if (batch.len() + 1) * per_row > MAX_PARAMS
                    || next.columns != batch[0].columns
                    || next.casts != batch[0].casts
                {
                    break;
                }
                batch.extend(rows.next());
            }
            let mut params: Params = Vec::with_capacity(batch.len() * per_row);
            let mut tuples = Vec::with_capacity(batch.len());
            for row in &mut batch {
                tuples.push(row.values(params.len()));
                params.append(&mut row.params);
            }
            let sql = format!(
                r#"INSERT INTO "{table}" ({}) VALUES {}"#,
                batch[0].columns.join(", "),
                tuples.join(", ")
            );
            client
                .execute(&sql, &refs(&params))
                .await
                .map_err(write_error)?;
        }
        Ok(())
    }
}

/// What a `row_to_json` object says about a column: its value, or none.
fn take(row: &mut Map<String, Value>, key: &str) -> Value {
    row.shift_remove(key).unwrap_or(Value::Null)
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A timestamp as `row_to_json` writes it in UTC (`2026-12-04T21:48:19.123+00:00`), in ms.
fn millis(v: &Value) -> Option<i64> {
    v.as_str().and_then(super::parse_iso_millis)
}

/// The custom fields of a row: its remaining columns that the class schema types, in column
/// order. When `strict`, `Err(())` for a column with a value that the schema copy does not
/// know (it may be stale: re-read it); otherwise such a column is skipped, as it is no Parse
/// field (an app's own column, added by SQL).
fn custom_fields(
    class: &str,
    row: Map<String, Value>,
    fields: &ClassFields,
    strict: bool,
) -> Result<Map<String, Value>, ()> {
    let mut out = Map::new();
    for (name, value) in row {
        if schema::is_builtin(class, &name) {
            continue;
        }
        match fields.get(&name) {
            Some(ty) => {
                let value = schema::from_column(ty, value);
                if !value.is_null() {
                    out.insert(name, value);
                }
            }
            // A column no schema lists (an app's own, or one being added right now) is not
            // a field; a missing value needs no type.
            None if value.is_null() || !strict => {}
            None => return Err(()),
        }
    }
    Ok(out)
}

fn user_from_row(
    mut row: Map<String, Value>,
    fields: &ClassFields,
    strict: bool,
) -> Result<User, ()> {
    let object_id = text(take(&mut row, "objectId")).unwrap_or_default();
    let created_at = millis(&take(&mut row, "createdAt")).unwrap_or(0);
    let updated_at = millis(&take(&mut row, "updatedAt")).unwrap_or(created_at);
    let username = text(take(&mut row, "username")).unwrap_or_default();
    let email = text(take(&mut row, "email"));
    let email_verified = take(&mut row, "emailVerified").as_bool();
    let auth_data = match take(&mut row, "authData") {
        Value::Object(m) => Some(m),
        _ => None,
    };
    let acl = acl_from_perms(&take(&mut row, "_rperm"), &take(&mut row, "_wperm"));
    let hashed_password = text(take(&mut row, "_hashed_password"));
    Ok(User {
        object_id,
        username,
        email,
        email_verified,
        hashed_password,
        auth_data,
        acl,
        created_at,
        updated_at,
        fields: custom_fields("_User", row, fields, strict)?,
    })
}

/// A session row and its plain token.
fn session_from_row(
    mut row: Map<String, Value>,
    fields: &ClassFields,
    strict: bool,
) -> Result<(Session, Option<String>), ()> {
    let object_id = text(take(&mut row, "objectId")).unwrap_or_default();
    let created_at = millis(&take(&mut row, "createdAt")).unwrap_or(0);
    let updated_at = millis(&take(&mut row, "updatedAt")).unwrap_or(created_at);
    let user_id = text(take(&mut row, "user"))
        .map(|u| u.trim_end().to_owned())
        .unwrap_or_default();
    let token = text(take(&mut row, "sessionToken"));
    let expires_at = millis(&take(&mut row, "expiresAt"));
    let (action, auth_provider) = match take(&mut row, "createdWith") {
        Value::Object(with) => (
            with.get("action")
                .and_then(Value::as_str)
                .and_then(SessionAction::parse)
                .unwrap_or(SessionAction::Login),
            with.get("authProvider")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => (SessionAction::Unset, String::new()),
    };
    let installation_id = text(take(&mut row, "installationId"));
    Ok((
        Session {
            object_id,
            user_id,
            created_at,
            updated_at,
            expires_at,
            action,
            auth_provider,
            installation_id,
            fields: custom_fields("_Session", row, fields, strict)?,
        },
        token,
    ))
}

fn parse_row(text: &str) -> Result<Map<String, Value>, StoreError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(StoreError::Corrupt("a row is not a JSON object".into())),
    }
}

/// Parse's answers for a unique index a write ran into (two writers racing past the check).
fn unique_violation(err: &tokio_postgres::Error) -> Option<ParseError> {
    let db = err.as_db_error()?;
    if *db.code() != tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
        return None;
    }
    let constraint = db.constraint().unwrap_or_default();
    Some(if constraint.contains("email") {
        ParseError::email_taken()
    } else if constraint.contains("username") {
        ParseError::username_taken()
    } else {
        ParseError::duplicate_value()
    })
}

/// End the sessions `which` names: the one statement every revoke of this store runs (a
/// token's revoke runs it prepared on a write lane). The rows go, as Parse deletes them.
/// Answers each ended session's expiry in ms.
pub(super) async fn end_sessions(
    client: &impl deadpool_postgres::GenericClient,
    which: &Ending,
) -> Result<Vec<Option<i64>>, StoreError> {
    let (sql, params) = ending(which);
    let rows = client.query(&sql, &refs(&params)).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The statement and parameters of [`end_sessions`].
pub(super) fn ending(which: &Ending) -> (String, Params) {
    let (condition, params): (&str, Params) = match which {
        Ending::Token(token) => (r#""sessionToken" = $1"#, vec![Some(token.clone())]),
        Ending::Id { id, user: None } => (r#""objectId" = $1"#, vec![Some(id.clone())]),
        Ending::Id {
            id,
            user: Some(user),
        } => (
            r#""objectId" = $1 AND "user" = $2"#,
            vec![Some(id.clone()), Some(user.clone())],
        ),
        Ending::User(user) => (r#""user" = $1"#, vec![Some(user.clone())]),
        Ending::Installation { user, installation } => (
            r#""user" = $1 AND "installationId" = $2"#,
            vec![Some(user.clone()), Some(installation.clone())],
        ),
    };
    (
        format!(
            r#"DELETE FROM "_Session" WHERE {condition} RETURNING (extract(epoch from "expiresAt") * 1000)::bigint"#
        ),
        params,
    )
}

/// A write's error as the store reports it: index conflicts as Parse's errors.
fn write_error(err: tokio_postgres::Error) -> StoreError {
    match unique_violation(&err) {
        Some(parse) => StoreError::Parse(parse),
        None => StoreError::Postgres(err),
    }
}

const USER_ROW: &str = r#"row_to_json(u)::text"#;
const SESSION_ROW: &str = r#"row_to_json(s)::text"#;
/// A session and its user where `condition` holds (on `s`, with `$1`); by token, the statement
/// of every authenticated request.
fn session_lookup(condition: &str) -> String {
    format!(
        r#"SELECT {SESSION_ROW}, {USER_ROW} FROM "_Session" s JOIN "_User" u ON u."objectId" = s."user" WHERE {condition} LIMIT 1"#
    )
}

/// The condition of a lookup by token.
const BY_TOKEN: &str = r#"s."sessionToken" = $1"#;

impl PgStore {
    /// Connect, then create what is missing of Parse's tables (see [`schema::prepare`]).
    pub async fn connect(uri: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = uri
            .parse()
            .map_err(|e| StoreError::UnsupportedUri(format!("{}: {e}", redact(uri))))?;
        // Timestamps read back in UTC and ISO form, whatever the server's defaults.
        let settings = "-c TimeZone=UTC -c DateStyle=ISO,YMD";
        let joined = match config.get_options() {
            Some(o) if !o.is_empty() => format!("{o} {settings}"),
            _ => settings.to_owned(),
        };
        config.options(&joined);
        if config.get_application_name().is_none() {
            config.application_name("parse-compat");
        }
        // A database that does not answer fails requests (Parse's code 1) instead of holding
        // them; the URI's own `connect_timeout` wins.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let name = config
            .get_dbname()
            .or_else(|| config.get_user())
            .unwrap_or("postgres")
            .to_owned();
        let reads = lanes::Lanes::new(config.clone(), read_lanes());
        let writes = lanes::Lanes::new(config.clone(), write_lanes());
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size())
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let mut client = pool.get().await?;
        let layout = schema::prepare(&mut client, options.parse_version).await?;
        let schemas = Schemas::load(&client).await?;
        drop(client);
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                reads,
                writes,
                options,
                layout,
                name,
                schemas: parking_lot::RwLock::new(schemas),
            }),
        })
    }

    /// Nothing is buffered here: every write was committed before it was answered.
    pub async fn close(&self) {
        self.inner.pool.close();
        self.inner.reads.close();
        self.inner.writes.close();
    }

    /// Write a secret to `parse-compat-<database>.<suffix>` in the working directory, 0600.
    pub fn write_private_file(
        &self,
        suffix: &str,
        contents: &str,
    ) -> Result<std::path::PathBuf, StoreError> {
        let base = std::path::PathBuf::from(format!("parse-compat-{}", self.inner.name));
        super::sqlite::write_private_file(&base, suffix, contents)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        Ok(self.inner.pool.get().await?)
    }

    /// Re-read both class schemas from `_SCHEMA`.
    async fn reload_fields(&self) -> Result<(), StoreError> {
        let schemas = Schemas::load(&self.client().await?).await?;
        *self.inner.schemas.write() = schemas;
        Ok(())
    }

    /// Decode rows with the schema copy, re-reading it once if a row has a field it lacks.
    async fn decode<T>(
        &self,
        rows: &[String],
        decode: impl Fn(Map<String, Value>, &Schemas) -> Result<T, ()>,
    ) -> Result<Vec<T>, StoreError> {
        for attempt in 0..2 {
            let mut schemas = self.inner.schemas.read().clone();
            // First with the copy as it is; after re-reading it, a column `_SCHEMA` does not
            // list is an app's own and is skipped.
            schemas.strict = attempt == 0;
            let mut out = Vec::with_capacity(rows.len());
            let mut stale = false;
            for row in rows {
                match decode(parse_row(row)?, &schemas) {
                    Ok(v) => out.push(v),
                    Err(()) => {
                        stale = true;
                        break;
                    }
                }
            }
            if !stale {
                return Ok(out);
            }
            self.reload_fields().await?;
        }
        Err(StoreError::Corrupt("rows outside their schema".into()))
    }

    async fn decode_users(&self, rows: &[String]) -> Result<Vec<User>, StoreError> {
        self.decode(rows, |row, s| user_from_row(row, &s.user, s.strict))
            .await
    }

    async fn query_users(&self, sql: &str, params: &Params) -> Result<Vec<User>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        let rows: Vec<String> = client
            .query(&stmt, &refs(params))
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        drop(client);
        self.decode_users(&rows).await
    }

    /// Parse's `AccountLockout.handleLoginAttempt` on `_User`'s own lockout columns: `true`
    /// when the account is locked.
    pub async fn login_attempt(
        &self,
        user_id: &str,
        success: bool,
        lockout: &crate::policy::AccountLockout,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt(
                r#"SELECT "_failed_login_count", (extract(epoch from "_account_lockout_expires_at") * 1000)::bigint
                   FROM "_User" WHERE "objectId" = $1 FOR UPDATE"#,
                &[&user_id],
            )
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let (count, expires): (Option<f64>, Option<i64>) = (row.get(0), row.get(1));
        let now = now_millis();
        if expires.is_some_and(|at| at > now) {
            return Ok(true);
        }
        if success {
            tx.execute(
                r#"UPDATE "_User" SET "_failed_login_count" = 0 WHERE "objectId" = $1"#,
                &[&user_id],
            )
            .await?;
        } else {
            // The attempt that reaches the threshold is still answered as a wrong password;
            // the lock holds from the next one (fixtures/user-options, case A).
            let count = count.unwrap_or(0.0) + 1.0;
            let lock = count >= f64::from(lockout.threshold);
            let until = iso_millis(now + lockout.duration_millis());
            tx.execute(
                r#"UPDATE "_User" SET "_failed_login_count" = $2,
                   "_account_lockout_expires_at" = CASE WHEN $3 THEN $4::text::timestamptz ELSE "_account_lockout_expires_at" END
                   WHERE "objectId" = $1"#,
                &[&user_id, &count, &lock, &until],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(false)
    }

    /// Whether the user's password is older than `max_age` ms (`_password_changed_at`); one
    /// changed before the policy existed starts its clock now.
    pub async fn password_expired(&self, user_id: &str, max_age: i64) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let now = now_millis();
        let row = client
            .query_opt(
                r#"SELECT (extract(epoch from "_password_changed_at") * 1000)::bigint FROM "_User" WHERE "objectId" = $1"#,
                &[&user_id],
            )
            .await?;
        match row.map(|r| r.get::<_, Option<i64>>(0)) {
            Some(Some(at)) => Ok(at.saturating_add(max_age) < now),
            Some(None) => {
                client
                    .execute(
                        r#"UPDATE "_User" SET "_password_changed_at" = $2::text::timestamptz WHERE "objectId" = $1 AND "_password_changed_at" IS NULL"#,
                        &[&user_id, &iso_millis(now)],
                    )
                    .await?;
                Ok(false)
            }
            None => Ok(false),
        }
    }

    /// The user's current hash and `_password_history`.
    pub async fn password_hashes(
        &self,
        user_id: &str,
    ) -> Result<Option<(Option<String>, Vec<String>)>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                r#"SELECT "_hashed_password", "_password_history"::text FROM "_User" WHERE "objectId" = $1"#,
                &[&user_id],
            )
            .await?;
        Ok(row.map(|r| {
            let history: Option<String> = r.get(1);
            (
                r.get(0),
                history
                    .and_then(|h| serde_json::from_str(&h).ok())
                    .unwrap_or_default(),
            )
        }))
    }

    /// Refuse a username another user already has (Parse checks it before an e-mail's format).
    pub async fn ensure_username_free(
        &self,
        username: String,
        except: Option<String>,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        objects::ensure_identity_free(
            &client,
            &username,
            None,
            except.as_deref(),
            self.inner.options.case_insensitive_identity,
        )
        .await
    }

    /// Insert a new user (and their first session) in one transaction.
    pub async fn insert_user(
        &self,
        user: User,
        types: Vec<(String, FieldType)>,
        session: Option<IssuedSession>,
    ) -> Result<Map<String, Value>, StoreError> {
        let mut u = user;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let schema = objects::ensure_fields(&tx, "_User", &types).await?;
        u.fields = super::rules::in_class_order(std::mem::take(&mut u.fields), &schema);
        objects::ensure_identity_free(
            &tx,
            &u.username,
            u.email.as_deref(),
            None,
            self.inner.options.case_insensitive_identity,
        )
        .await?;
        self.user_insert(&u, &schema)?.run(&tx, "_User").await?;
        if let Some(s) = &session {
            self.insert_session_row(&tx, &s.session, Some(&s.token), &ClassFields::default())
                .await?;
        }
        tx.commit().await.map_err(write_error)?;
        Ok(u.fields)
    }

    /// The INSERT of a `_User` row as the pinned version writes it.
    fn user_insert(&self, u: &User, schema: &ClassFields) -> Result<Insert, StoreError> {
        let (rperm, wperm) = perms_from_acl(&u.acl);
        let mut insert = Insert::default();
        insert.set("objectId", "text", Some(u.object_id.clone()))?;
        insert.set("createdAt", "timestamptz", Some(iso_millis(u.created_at)))?;
        insert.set("updatedAt", "timestamptz", Some(iso_millis(u.updated_at)))?;
        insert.set("username", "text", Some(u.username.clone()))?;
        insert.set("email", "text", u.email.clone())?;
        insert.set(
            "emailVerified",
            "boolean",
            u.email_verified.map(|b| b.to_string()),
        )?;
        insert.set(
            "authData",
            "jsonb",
            u.auth_data
                .as_ref()
                .map(|m| Value::Object(m.clone()).to_string()),
        )?;
        insert.set("_rperm", "text[]", Some(rperm))?;
        insert.set("_wperm", "text[]", Some(wperm))?;
        insert.set("_hashed_password", "text", u.hashed_password.clone())?;
        if self.inner.options.password_max_age_ms.is_some() && u.hashed_password.is_some() {
            insert.set(
                "_password_changed_at",
                "timestamptz",
                Some(iso_millis(u.created_at)),
            )?;
        }
        insert.set_fields(&u.fields, schema)?;
        Ok(insert)
    }

    /// Insert users and sessions made elsewhere (`parse-compat seed`), a transaction per
    /// chunk: no uniqueness checks beyond the table's own.
    pub async fn import(
        &self,
        mut chunks: tokio::sync::mpsc::Receiver<crate::store::ImportChunk>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let schema = ClassFields::default();
        while let Some(chunk) = chunks.recv().await {
            let users = chunk
                .users
                .iter()
                .map(|u| self.user_insert(u, &schema))
                .collect::<Result<Vec<_>, _>>()?;
            let sessions = chunk
                .sessions
                .iter()
                .map(|s| self.session_insert(&s.session, Some(&s.token), &schema))
                .collect::<Result<Vec<_>, _>>()?;
            let tx = client.transaction().await?;
            Insert::run_many(users, &tx, "_User").await?;
            Insert::run_many(sessions, &tx, "_Session").await?;
            tx.commit().await.map_err(write_error)?;
        }
        Ok(())
    }

    /// Insert a `_Session` row as the pinned version writes it.
    async fn insert_session_row(
        &self,
        tx: &impl deadpool_postgres::GenericClient,
        s: &Session,
        token: Option<&str>,
        schema: &ClassFields,
    ) -> Result<(), StoreError> {
        self.session_insert(s, token, schema)?
            .run(tx, "_Session")
            .await
    }

    /// The `_Session` row the pinned version writes for `s`.
    fn session_insert(
        &self,
        s: &Session,
        token: Option<&str>,
        schema: &ClassFields,
    ) -> Result<Insert, StoreError> {
        let mut insert = Insert::default();
        insert.set("objectId", "text", Some(s.object_id.clone()))?;
        insert.set("createdAt", "timestamptz", Some(iso_millis(s.created_at)))?;
        insert.set("updatedAt", "timestamptz", Some(iso_millis(s.updated_at)))?;
        insert.set("user", "text", Some(s.user_id.clone()))?;
        insert.set("installationId", "text", s.installation_id.clone())?;
        insert.set("sessionToken", "text", token.map(str::to_owned))?;
        insert.set("expiresAt", "timestamptz", s.expires_at.map(iso_millis))?;
        insert.set("createdWith", "jsonb", created_with(s))?;
        // Parse up to 4.x writes `restricted: false`; later versions leave the column (if a
        // 4.x made it) empty.
        if self.inner.layout.session_restricted && !self.inner.options.parse_version.at_least(5, 0)
        {
            insert.set("restricted", "boolean", Some("false".into()))?;
        }
        insert.set_fields(&s.fields, schema)?;
        Ok(insert)
    }

    /// Find the user a login names: by username, or by email, as Parse's login does.
    pub async fn find_login_candidates(
        &self,
        username: Option<String>,
        email: Option<String>,
    ) -> Result<Option<User>, StoreError> {
        let (sql, params) = match (username.clone(), email) {
            (Some(u), Some(e)) => (
                format!(
                    r#"SELECT {USER_ROW} FROM "_User" u WHERE "username" = $1 AND "email" = $2 LIMIT 2"#
                ),
                vec![Some(u), Some(e)],
            ),
            (None, Some(e)) => (
                format!(r#"SELECT {USER_ROW} FROM "_User" u WHERE "email" = $1 LIMIT 2"#),
                vec![Some(e)],
            ),
            (Some(u), None) => (
                format!(
                    r#"SELECT {USER_ROW} FROM "_User" u WHERE "username" = $1 OR "email" = $1 LIMIT 2"#
                ),
                vec![Some(u)],
            ),
            (None, None) => return Ok(None),
        };
        let mut users = self.query_users(&sql, &params).await?;
        Ok(match users.len() {
            0 => None,
            1 => users.pop(),
            _ => users
                .into_iter()
                .find(|u| Some(&u.username) == username.as_ref()),
        })
    }

    /// The internal columns of these users, by objectId.
    pub async fn user_internals(
        &self,
        user_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, crate::store::UserInternals>, StoreError> {
        let client = self.client().await?;
        let ids: Vec<&String> = user_ids.iter().collect();
        let millis = |col: &str| format!(r#"(extract(epoch from "{col}") * 1000)::bigint"#);
        let sql = format!(
            r#"SELECT "objectId", {}, "_email_verify_token", {}, "_failed_login_count"::bigint,
                      "_perishable_token", {}, {}, "_password_history"::text
               FROM "_User" WHERE "objectId" = ANY($1::text::text[])"#,
            millis("_email_verify_token_expires_at"),
            millis("_account_lockout_expires_at"),
            millis("_perishable_token_expires_at"),
            millis("_password_changed_at"),
        );
        let stmt = client.prepare_cached(&sql).await?;
        let rows = client.query(&stmt, &[&array_literal(&ids)]).await?;
        Ok(rows
            .iter()
            .map(|r| {
                let history: Option<String> = r.get(8);
                (
                    r.get::<_, String>(0),
                    crate::store::UserInternals {
                        email_verify_token_expires_at: r.get(1),
                        email_verify_token: r.get(2),
                        account_lockout_expires_at: r.get(3),
                        failed_login_count: r.get(4),
                        perishable_token: r.get(5),
                        perishable_token_expires_at: r.get(6),
                        password_changed_at: r.get(7),
                        password_history: history.and_then(|h| serde_json::from_str(&h).ok()),
                    },
                )
            })
            .collect())
    }

    /// The roles `user_id` holds (`role:<name>`), from Parse's `_Role` tables.
    pub async fn user_roles(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        roles::roles_of(&client, user_id).await
    }

    /// Look a user up by objectId.
    pub async fn find_user(&self, user_id: String) -> Result<Option<User>, StoreError> {
        let sql = format!(r#"SELECT {USER_ROW} FROM "_User" u WHERE "objectId" = $1"#);
        Ok(self.query_users(&sql, &vec![Some(user_id)]).await?.pop())
    }

    /// Find a user by an auth provider id (`authData.<provider>.id`).
    pub async fn find_user_by_auth(
        &self,
        provider: String,
        id: String,
    ) -> Result<Option<User>, StoreError> {
        let sql = format!(
            r#"SELECT {USER_ROW} FROM "_User" u WHERE "authData" -> $1 ->> 'id' = $2 LIMIT 1"#
        );
        Ok(self
            .query_users(&sql, &vec![Some(provider), Some(id)])
            .await?
            .pop())
    }

    /// Insert a session for an existing user; a session with an installation id ends the
    /// user's other sessions with the same one, as Parse does.
    pub async fn insert_login_session(&self, s: IssuedSession) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let exists = tx
            .query_opt(
                r#"SELECT 1 FROM "_User" WHERE "objectId" = $1"#,
                &[&s.session.user_id],
            )
            .await?;
        if exists.is_none() {
            return Err(ParseError::new(ErrorCode::ObjectNotFound, "Object not found.").into());
        }
        if let Some(installation) = &s.session.installation_id {
            end_sessions(
                &tx,
                &Ending::Installation {
                    user: s.session.user_id.clone(),
                    installation: installation.clone(),
                },
            )
            .await?;
        }
        self.insert_session_row(&tx, &s.session, Some(&s.token), &ClassFields::default())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn lookup_session(
        &self,
        condition: &str,
        key: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(&session_lookup(condition)).await?;
        let row = client.query_opt(&stmt, &[&key]).await?;
        drop(client);
        match row {
            Some(row) => self.auth_session(row.get(0), row.get(1)).await,
            None => Ok(None),
        }
    }

    /// A session and its user from their `row_to_json` texts.
    async fn auth_session(
        &self,
        session: String,
        user: String,
    ) -> Result<Option<AuthSession>, StoreError> {
        let rows = [session, user];
        let found = self
            .decode(&rows[..1], |s, schemas| {
                session_from_row(s, &schemas.session, schemas.strict)
            })
            .await?;
        let users = self.decode_users(&rows[1..]).await?;
        Ok(found
            .into_iter()
            .next()
            .zip(users.into_iter().next())
            .map(|((session, _), user)| AuthSession::new(session, user)))
    }

    /// Resolve a token: one indexed statement, every time (see the module's notes).
    pub async fn find_session(&self, token: &str) -> Result<Option<Arc<AuthSession>>, StoreError> {
        let lane = self.inner.reads.get().await?;
        let row = lane
            .client
            .query_opt(&lane.find_by_token, &[&token])
            .await?;
        drop(lane);
        Ok(match row {
            Some(row) => self
                .auth_session(row.get(0), row.get(1))
                .await?
                .map(Arc::new),
            None => None,
        })
    }

    /// [`PgStore::find_session`], answered to `then` from a task.
    pub fn find_session_then(
        &self,
        token: &str,
        then: impl FnOnce(Result<Option<Arc<AuthSession>>, StoreError>) + Send + 'static,
    ) {
        let (store, token) = (self.clone(), token.to_owned());
        tokio::spawn(async move { then(store.find_session(&token).await) });
    }

    /// Nothing is known without asking the database.
    pub fn cached_session(&self, _token: &str) -> Option<Arc<AuthSession>> {
        None
    }

    /// Delete the session with this token; `None` when there was none, else whether it had
    /// expired.
    pub async fn revoke_returning_expiry(&self, token: &str) -> Result<Option<bool>, StoreError> {
        let lane = self.inner.writes.get().await?;
        let row = lane
            .client
            .query_opt(&lane.revoke_by_token, &[&token])
            .await?;
        let now = now_millis();
        Ok(row.map(|r| r.get::<_, Option<i64>>(0).is_some_and(|at| at <= now)))
    }

    pub async fn revoke(&self, token: &str) -> Result<bool, StoreError> {
        Ok(self.revoke_returning_expiry(token).await?.is_some())
    }

    pub async fn revoke_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<bool, StoreError> {
        let which = Ending::Id {
            id: session_id.to_owned(),
            user: Some(user_id.to_owned()),
        };
        Ok(!end_sessions(&self.client().await?, &which)
            .await?
            .is_empty())
    }

    pub async fn revoke_session_as_master(&self, session_id: &str) -> Result<bool, StoreError> {
        let which = Ending::Id {
            id: session_id.to_owned(),
            user: None,
        };
        Ok(!end_sessions(&self.client().await?, &which)
            .await?
            .is_empty())
    }

    pub async fn revoke_all_for_user(&self, user_id: &str) -> Result<usize, StoreError> {
        let which = Ending::User(user_id.to_owned());
        Ok(end_sessions(&self.client().await?, &which).await?.len())
    }

    /// Parse's own estimate query: the planner's `reltuples` of the table named `class`. A
    /// table Parse has not made yet (`_Role` before a real Parse started) would be a
    /// fresh, never analysed one.
    pub async fn estimated_rows(&self, class: &str) -> Result<f32, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT reltuples FROM pg_class WHERE relname = $1 LIMIT 1",
                &[&class],
            )
            .await?;
        Ok(row.map_or(-1.0, |r| r.get(0)))
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT value FROM parse_compat_meta WHERE key = $1",
                &[&key],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn meta_put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO parse_compat_meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .await?;
        Ok(())
    }

    /// Replace a meta value with what `change` makes of it; instances take turns per key.
    pub async fn update_meta<F>(&self, key: &'static str, change: F) -> Result<String, StoreError>
    where
        F: FnOnce(Option<String>) -> Result<String, StoreError> + Send + 'static,
    {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])
            .await?;
        let current: Option<String> = tx
            .query_opt(
                "SELECT value FROM parse_compat_meta WHERE key = $1",
                &[&key],
            )
            .await?
            .map(|r| r.get(0));
        let next = change(current)?;
        tx.execute(
            "INSERT INTO parse_compat_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &next],
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Insert sessions with tokens the caller chose, for benchmarks and imports.
    pub async fn insert_sessions(&self, sessions: Vec<IssuedSession>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for s in &sessions {
            self.insert_session_row(&tx, &s.session, Some(&s.token), &ClassFields::default())
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn find_session_by_id(
        &self,
        session_id: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        self.lookup_session(r#"s."objectId" = $1"#, session_id)
            .await
    }

    pub async fn end_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
        now_millis: i64,
    ) -> Result<EndedSession, StoreError> {
        let which = Ending::Id {
            id: session_id.to_owned(),
            user: Some(user_id.to_owned()),
        };
        let ended = end_sessions(&self.client().await?, &which).await?;
        Ok(match ended.first() {
            None => EndedSession::Missing,
            Some(expires) => EndedSession::Ended {
                expired: expires.is_some_and(|at| at <= now_millis),
            },
        })
    }
}

/// A database URI without its password, for messages.
pub fn redact(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => uri.to_owned(),
    }
}
