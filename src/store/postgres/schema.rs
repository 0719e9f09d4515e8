//! Parse's own tables on PostgreSQL: creating what is missing the way Parse does, finding out
//! how the tables that exist were made (by which Parse version), the class schemas in
//! `_SCHEMA`, and turning column values into the JSON Parse returns and back.

use deadpool_postgres::GenericClient;
use serde_json::{Map, Value, json};

use crate::object::{ClassFields, FieldType};
use crate::store::StoreError;
use crate::version::ParseVersion;

/// Serialises start-up DDL between processes starting at once (`pg_advisory_lock`). Any
/// constant works; this one is "parse-co" in ASCII.
const STARTUP_LOCK: i64 = 0x7061_7273_652d_636f;

/// `_SCHEMA`, as Parse's PostgreSQL adapter creates it (the same in 3.7 and 9.x).
const SCHEMA_TABLE: &str = r#"CREATE TABLE IF NOT EXISTS "_SCHEMA" ("className" varChar(120), "schema" jsonb, "isParseClass" bool, PRIMARY KEY ("className"))"#;

/// `_User`'s columns as Parse's `createTable` makes them (its default columns, then the
/// internal ones it adds for `_User`), in Parse's order.
const USER_COLUMNS_DDL: &str = r#""objectId" text, "createdAt" timestamp with time zone, "updatedAt" timestamp with time zone, "username" text, "email" text, "emailVerified" boolean, "authData" jsonb, "_rperm" text[], "_wperm" text[], "_hashed_password" text, "_email_verify_token_expires_at" timestamp with time zone, "_email_verify_token" text, "_account_lockout_expires_at" timestamp with time zone, "_failed_login_count" double precision, "_perishable_token" text, "_perishable_token_expires_at" timestamp with time zone, "_password_changed_at" timestamp with time zone, "_password_history" jsonb, PRIMARY KEY ("objectId")"#;

/// parse-compat's own key/value table (Descope signing keys). Parse only knows the classes
/// `_SCHEMA` lists, so a table it does not list is invisible to it.
const META_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS parse_compat_meta (key text PRIMARY KEY, value text NOT NULL)";

/// What the tables that exist say about the database, found at start.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `_Session` has a `restricted` column (made by Parse 3.x–4.x, or by us pinned to one).
    pub session_restricted: bool,
}

/// Create what is missing of `_SCHEMA`, `_User` and `_Session`, with the `_SCHEMA` rows and
/// indexes the pinned version makes (fixtures/pg-tables), and our own indexes and table; then
/// read what the existing tables look like. Several processes starting at once take turns.
///
/// `_Role` and Parse's other classes are left to Parse: nothing here uses them, and a real
/// Parse started later creates them as it always does. `_Session` is made at once rather
/// than at the first session write; a Parse started later finds it as it would have made it
/// (with `restricted` up to 4.x, whose every session write fails without it).
pub async fn prepare(
    client: &mut tokio_postgres::Client,
    version: ParseVersion,
) -> Result<Layout, StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&STARTUP_LOCK])
        .await?;
    let result = prepare_locked(client, version).await;
    // Unlocked on every path: the connection may go back to a pool.
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&STARTUP_LOCK])
        .await;
    let layout = result?;
    unlocked?;
    Ok(layout)
}

async fn prepare_locked(
    client: &mut tokio_postgres::Client,
    version: ParseVersion,
) -> Result<Layout, StoreError> {
    let tx = client.transaction().await?;
    tx.batch_execute(SCHEMA_TABLE).await?;
    let restricted = !version.at_least(5, 0);
    let pointer = if version.at_least(4, 3) {
        "text"
    } else {
        "char(10)"
    };
    let session_ddl = format!(
        r#"CREATE TABLE IF NOT EXISTS "_Session" ("objectId" text, "createdAt" timestamp with time zone, "updatedAt" timestamp with time zone, {}"user" {pointer}, "installationId" text, "sessionToken" text, "expiresAt" timestamp with time zone, "createdWith" jsonb, "_rperm" text[], "_wperm" text[], PRIMARY KEY ("objectId"))"#,
        if restricted {
            r#""restricted" boolean, "#
        } else {
            ""
        }
    );
    for (class, ddl) in [
        (
            "_User",
            format!(r#"CREATE TABLE IF NOT EXISTS "_User" ({USER_COLUMNS_DDL})"#),
        ),
        ("_Session", session_ddl),
    ] {
        tx.batch_execute(&ddl).await?;
        tx.execute(
            r#"INSERT INTO "_SCHEMA" ("className", "schema", "isParseClass") VALUES ($1, $2::text::jsonb, true) ON CONFLICT ("className") DO NOTHING"#,
            &[&class, &default_schema(class, restricted).to_string()],
        )
        .await?;
    }
    // Parse's own uniqueness indexes for the version pinned (a database an older Parse made
    // keeps its constraints as well; both hold the same rule).
    if version.at_least(4, 4) {
        tx.batch_execute(
            r#"CREATE UNIQUE INDEX IF NOT EXISTS "_User_unique_username" ON "_User" ("username");
               CREATE UNIQUE INDEX IF NOT EXISTS "_User_unique_email" ON "_User" ("email")"#,
        )
        .await?;
    } else {
        for (table, name, column) in [
            ("_User", "unique_username", "username"),
            ("_User", "unique_email", "email"),
        ] {
            let exists: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = $1 AND conrelid = to_regclass($2))",
                    &[&name, &format!("\"{table}\"")],
                )
                .await?
                .get(0);
            if !exists {
                tx.batch_execute(&format!(
                    r#"ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE ("{column}")"#
                ))
                .await?;
            }
        }
    }
    if version.at_least(4, 0) {
        tx.batch_execute(
            r#"CREATE INDEX IF NOT EXISTS "case_insensitive_username" ON "_User" (lower("username") varchar_pattern_ops);
               CREATE INDEX IF NOT EXISTS "case_insensitive_email" ON "_User" (lower("email") varchar_pattern_ops)"#,
        )
        .await?;
    }
    // Ours: Parse never indexes `_Session."sessionToken"` (parse-server #8290), and every
    // request with a token looks one up; `"user"` serves logout-all and password changes.
    // The e-mail flows find users by their tokens: the indexes Parse 9.x makes for them, by
    // the names it gives them, so a later Parse finds them made.
    tx.batch_execute(&format!(
        r#"CREATE INDEX IF NOT EXISTS "parse_compat_session_token" ON "_Session" ("sessionToken");
           CREATE INDEX IF NOT EXISTS "parse_compat_session_user" ON "_Session" ("user");
           CREATE INDEX IF NOT EXISTS "_email_verify_token" ON "_User" ("_email_verify_token");
           CREATE INDEX IF NOT EXISTS "_perishable_token" ON "_User" ("_perishable_token");
           {META_TABLE}"#
    ))
    .await?;
    let session_restricted: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '\"_Session\"'::regclass \
             AND attname = 'restricted' AND NOT attisdropped)",
            &[],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(Layout { session_restricted })
}

/// The `_SCHEMA` row Parse writes when it creates a built-in class (fixtures/pg-tables: only
/// `className` and `fields`, ACL as `_rperm`/`_wperm`, `password` as `_hashed_password`).
/// jsonb keeps its own key order, so only the content matters.
fn default_schema(class: &str, restricted: bool) -> Value {
    let string = || json!({"type": "String"});
    let date = || json!({"type": "Date"});
    let perms = || json!({"type": "Array", "contents": {"type": "String"}});
    let mut fields = Map::new();
    fields.insert("objectId".into(), string());
    fields.insert("createdAt".into(), date());
    fields.insert("updatedAt".into(), date());
    match class {
        "_User" => {
            fields.insert("username".into(), string());
            fields.insert("email".into(), string());
            fields.insert("emailVerified".into(), json!({"type": "Boolean"}));
            fields.insert("authData".into(), json!({"type": "Object"}));
            fields.insert("_hashed_password".into(), string());
        }
        _ => {
            if restricted {
                fields.insert("restricted".into(), json!({"type": "Boolean"}));
            }
            fields.insert(
                "user".into(),
                json!({"type": "Pointer", "targetClass": "_User"}),
            );
            fields.insert("installationId".into(), string());
            fields.insert("sessionToken".into(), string());
            fields.insert("expiresAt".into(), date());
            fields.insert("createdWith".into(), json!({"type": "Object"}));
        }
    }
    fields.insert("_rperm".into(), perms());
    fields.insert("_wperm".into(), perms());
    json!({"className": class, "fields": fields})
}

/// A field Parse keeps in every row of `class` (never one a client added).
pub fn is_builtin(class: &str, name: &str) -> bool {
    name.starts_with('_')
        || matches!(name, "objectId" | "createdAt" | "updatedAt" | "ACL")
        || match class {
            "_User" => matches!(
                name,
                "username" | "password" | "email" | "emailVerified" | "authData"
            ),
            "_Session" => matches!(
                name,
                "restricted"
                    | "user"
                    | "installationId"
                    | "sessionToken"
                    | "expiresAt"
                    | "createdWith"
            ),
            _ => false,
        }
}

/// The fields clients added to `class`, typed by `_SCHEMA` and in the order of the table's
/// columns (the order Parse returns them in); fields without a column (relations) last.
pub async fn class_fields(
    client: &impl GenericClient,
    class: &str,
) -> Result<ClassFields, StoreError> {
    let row = client
        .query_opt(
            r#"SELECT s."schema"::text, (SELECT array_agg(a.attname::text ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident($1))
                 AND a.attnum > 0 AND NOT a.attisdropped)
               FROM "_SCHEMA" s WHERE s."className" = $1"#,
            &[&class],
        )
        .await?;
    let Some(row) = row else {
        return Ok(ClassFields::default());
    };
    let schema: Option<String> = row.get(0);
    let columns: Option<Vec<String>> = row.get(1);
    let schema: Value = schema
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("_SCHEMA of {class}: {e}")))?
        .unwrap_or(Value::Null);
    let declared = schema.get("fields").and_then(Value::as_object);
    let mut fields = Vec::new();
    let typed = |name: &str| -> Option<FieldType> {
        let spec = declared?.get(name)?;
        FieldType::from_parts(
            spec.get("type")?.as_str()?,
            spec.get("targetClass")
                .and_then(Value::as_str)
                .map(str::to_owned),
        )
    };
    for column in columns.unwrap_or_default() {
        if is_builtin(class, &column) {
            continue;
        }
        if let Some(ty) = typed(&column) {
            fields.push((column, ty));
        }
    }
    if let Some(declared) = declared {
        for name in declared.keys() {
            if !is_builtin(class, name)
                && !fields.iter().any(|(n, _)| n == name)
                && let Some(ty) = typed(name)
            {
                fields.push((name.clone(), ty));
            }
        }
    }
    Ok(ClassFields { fields })
}

/// A field name as a quoted SQL identifier. Names reach here checked against Parse's rule
/// (letters, digits and `_`, starting with a letter); anything else is refused rather than
/// quoted, so no value from a request is ever spliced into SQL.
pub fn ident(name: &str) -> Result<String, StoreError> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(StoreError::Corrupt(format!("not a field name: {name:?}")));
    }
    Ok(format!("\"{name}\""))
}

/// The column type Parse's adapter gives a field of this type (`parseTypeToPostgresType`).
pub fn column_type(ty: &FieldType) -> Option<&'static str> {
    Some(match ty {
        FieldType::String | FieldType::File | FieldType::Pointer(_) => "text",
        FieldType::Date => "timestamp with time zone",
        FieldType::Object | FieldType::Bytes | FieldType::Array | FieldType::Acl => "jsonb",
        FieldType::Boolean => "boolean",
        FieldType::Number => "double precision",
        FieldType::GeoPoint => "point",
        FieldType::Polygon => "polygon",
        FieldType::Relation(_) => return None,
    })
}

/// `_SCHEMA`'s entry for a field of this type.
pub fn schema_entry(ty: &FieldType) -> Value {
    match ty.target_class() {
        Some(target) => json!({"type": ty.name(), "targetClass": target}),
        None => json!({"type": ty.name()}),
    }
}

/// A stored value (see [`crate::object::stored`]) as the text PostgreSQL casts into the
/// field's column; `None` for SQL `NULL`.
pub fn to_column_text(ty: &FieldType, value: &Value) -> Option<String> {
    let num = |v: Option<&Value>| v.and_then(Value::as_f64).unwrap_or(0.0);
    match (ty, value) {
        (_, Value::Null) => None,
        (FieldType::String, Value::String(s)) => Some(s.clone()),
        (FieldType::Date, Value::Object(m)) => {
            m.get("iso").and_then(Value::as_str).map(str::to_owned)
        }
        (FieldType::Pointer(_), Value::Object(m)) => {
            m.get("objectId").and_then(Value::as_str).map(str::to_owned)
        }
        (FieldType::File, Value::Object(m)) => {
            m.get("name").and_then(Value::as_str).map(str::to_owned)
        }
        (FieldType::GeoPoint, Value::Object(m)) => Some(format!(
            "({},{})",
            num(m.get("longitude")),
            num(m.get("latitude"))
        )),
        (FieldType::Polygon, Value::Object(m)) => {
            let points = m.get("coordinates").and_then(Value::as_array)?;
            let points: Vec<String> = points
                .iter()
                .map(|p| format!("({},{})", num(p.get(1)), num(p.get(0))))
                .collect();
            Some(format!("({})", points.join(",")))
        }
        (FieldType::Boolean, Value::Bool(b)) => Some(b.to_string()),
        (FieldType::Number, Value::Number(n)) => Some(n.to_string()),
        (_, other) => Some(other.to_string()),
    }
}

/// A column's value as `row_to_json` gives it, as the stored JSON Parse returns for a field
/// of this type.
pub fn from_column(ty: &FieldType, value: Value) -> Value {
    match (ty, value) {
        (_, Value::Null) => Value::Null,
        (FieldType::Date, Value::String(s)) => match crate::store::parse_iso_millis(&s) {
            Some(millis) => json!({"__type": "Date", "iso": crate::store::iso_millis(millis)}),
            None => Value::String(s),
        },
        (FieldType::Pointer(class), Value::String(id)) => json!({
            "objectId": id.trim_end(),
            "__type": "Pointer",
            "className": class,
        }),
        (FieldType::File, Value::String(name)) => json!({"__type": "File", "name": name}),
        (FieldType::GeoPoint, Value::String(point)) => match parse_points(&point).as_slice() {
            [(x, y)] => json!({"__type": "GeoPoint", "latitude": js(*y), "longitude": js(*x)}),
            _ => Value::String(point),
        },
        (FieldType::Polygon, Value::String(polygon)) => {
            let points = parse_points(&polygon);
            json!({
                "__type": "Polygon",
                "coordinates": points.iter().map(|(x, y)| json!([js(*y), js(*x)])).collect::<Vec<_>>(),
            })
        }
        (FieldType::Number, Value::Number(n)) => match n.as_f64() {
            Some(f) => crate::object::js_number(f).map_or(Value::Number(n), Value::Number),
            None => Value::Number(n),
        },
        (_, other) => other,
    }
}

/// A number as JavaScript prints it (`1`, not `1.0`).
fn js(f: f64) -> Value {
    crate::object::js_number(f).map_or(Value::Null, Value::Number)
}

/// The points of PostgreSQL's `point` or `polygon` text form: `(x,y)`, `((x,y),(x,y),...)`.
fn parse_points(text: &str) -> Vec<(f64, f64)> {
    let numbers: Vec<f64> = text
        .split(['(', ')', ','])
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}
