//! Parse objects: the field types of a class, the operations an update may carry, and how a
//! value is kept so that it reads back as Parse (on PostgreSQL) returns it.
//!
//! `_User` and `_Session` are Parse classes like any other: a client may give them any field
//! of any Parse type. The first value a field is given fixes its type for the class (Parse's
//! `_SCHEMA`); a later value of another type is refused with code 111. Fields are returned in
//! the order the class gained them (PostgreSQL's column order), after the class's own columns.

use serde_json::{Map, Number, Value};

use crate::error::{ErrorCode, ParseError};
use crate::version::Behavior;

/// A field's type as Parse's schema records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Boolean,
    Date,
    Object,
    Array,
    GeoPoint,
    File,
    Bytes,
    Polygon,
    Acl,
    Pointer(String),
    Relation(String),
}

impl FieldType {
    /// The name `_SCHEMA` stores (`Pointer` and `Relation` keep their class apart).
    pub fn name(&self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Number => "Number",
            Self::Boolean => "Boolean",
            Self::Date => "Date",
            Self::Object => "Object",
            Self::Array => "Array",
            Self::GeoPoint => "GeoPoint",
            Self::File => "File",
            Self::Bytes => "Bytes",
            Self::Polygon => "Polygon",
            Self::Acl => "ACL",
            Self::Pointer(_) => "Pointer",
            Self::Relation(_) => "Relation",
        }
    }

    pub fn target_class(&self) -> Option<&str> {
        match self {
            Self::Pointer(c) | Self::Relation(c) => Some(c),
            _ => None,
        }
    }

    /// Rebuild a type from its stored name and target class.
    pub fn from_parts(name: &str, target: Option<String>) -> Option<Self> {
        Some(match (name, target) {
            ("String", _) => Self::String,
            ("Number", _) => Self::Number,
            ("Boolean", _) => Self::Boolean,
            ("Date", _) => Self::Date,
            ("Object", _) => Self::Object,
            ("Array", _) => Self::Array,
            ("GeoPoint", _) => Self::GeoPoint,
            ("File", _) => Self::File,
            ("Bytes", _) => Self::Bytes,
            ("Polygon", _) => Self::Polygon,
            ("ACL", _) => Self::Acl,
            ("Pointer", Some(c)) => Self::Pointer(c),
            ("Relation", Some(c)) => Self::Relation(c),
            _ => return None,
        })
    }

    /// Parse's `typeToString`: `Pointer<_User>`, else the name.
    pub fn describe(&self) -> String {
        match self {
            Self::Pointer(c) => format!("Pointer<{c}>"),
            Self::Relation(c) => format!("Relation<{c}>"),
            other => other.name().to_owned(),
        }
    }
}

/// The columns every class has, then each built-in class's own, with their types.
pub fn default_column(class: &str, field: &str) -> Option<FieldType> {
    let common = match field {
        "objectId" => Some(FieldType::String),
        "createdAt" | "updatedAt" => Some(FieldType::Date),
        "ACL" => Some(FieldType::Acl),
        _ => None,
    };
    common.or_else(|| match (class, field) {
        ("_User", "username" | "password" | "email") => Some(FieldType::String),
        ("_User", "emailVerified") => Some(FieldType::Boolean),
        ("_User", "authData") => Some(FieldType::Object),
        ("_Session", "restricted") => Some(FieldType::Boolean),
        ("_Session", "user") => Some(FieldType::Pointer("_User".into())),
        ("_Session", "installationId" | "sessionToken") => Some(FieldType::String),
        ("_Session", "expiresAt") => Some(FieldType::Date),
        ("_Session", "createdWith") => Some(FieldType::Object),
        _ => None,
    })
}

/// Parse's `getType`: the schema type a value in a write asks for. `None` for `null` and for
/// `Delete`, which ask for none.
pub fn type_of(value: &Value) -> Result<Option<FieldType>, WriteError> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::Bool(_) => FieldType::Boolean,
        Value::String(_) => FieldType::String,
        Value::Number(_) => FieldType::Number,
        Value::Array(_) => FieldType::Array,
        Value::Object(map) => return object_type(map),
    }))
}

/// JavaScript truthiness of a field that may be absent (`if (body.x)` in Parse).
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(_) => true,
    }
}

fn object_type(map: &Map<String, Value>) -> Result<Option<FieldType>, WriteError> {
    if let Some(kind) = map.get("__type").filter(|t| truthy(Some(t))) {
        let class = || map.get("className").filter(|c| truthy(Some(c)));
        let found = match kind.as_str() {
            Some("Pointer") => class().map(|c| FieldType::Pointer(js_string(c))),
            Some("Relation") => class().map(|c| FieldType::Relation(js_string(c))),
            Some("File") => truthy(map.get("name")).then_some(FieldType::File),
            Some("Date") => truthy(map.get("iso")).then_some(FieldType::Date),
            Some("GeoPoint") => (!is_nullish(map.get("latitude"))
                && !is_nullish(map.get("longitude")))
            .then_some(FieldType::GeoPoint),
            Some("Bytes") => truthy(map.get("base64")).then_some(FieldType::Bytes),
            Some("Polygon") => truthy(map.get("coordinates")).then_some(FieldType::Polygon),
            _ => None,
        };
        return match found {
            Some(t) => Ok(Some(t)),
            None => Err(WriteError::Parse(ParseError::new(
                ErrorCode::IncorrectType,
                format!("This is not a valid {}", js_string(kind)),
            ))),
        };
    }
    if let Some(ne) = map.get("$ne").filter(|v| truthy(Some(v))) {
        return match ne {
            Value::Object(inner) => object_type(inner),
            Value::Array(_) => Ok(Some(FieldType::Array)),
            _ => Ok(Some(FieldType::Object)),
        };
    }
    if let Some(op) = map.get("__op").filter(|v| truthy(Some(v))) {
        return match op.as_str() {
            Some("Increment") => Ok(Some(FieldType::Number)),
            Some("Delete") => Ok(None),
            Some("Add" | "AddUnique" | "Remove") => Ok(Some(FieldType::Array)),
            Some("Batch") => match map.get("ops").and_then(|o| o.get(0)) {
                Some(Value::Object(first)) => object_type(first),
                _ => Err(WriteError::Uncaught),
            },
            // Parse throws a plain string for anything else: its uncaught-error answer.
            _ => Err(WriteError::Uncaught),
        };
    }
    Ok(Some(FieldType::Object))
}

fn is_nullish(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// A value as JavaScript's `String(value)` writes it (for the few messages that quote one).
fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) => "[object Object]".into(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                if i.is_null() {
                    String::new()
                } else {
                    js_string(i)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteError {
    /// A `Parse.Error`, answered with its code and message.
    Parse(ParseError),
    /// What Parse throws as something other than a `Parse.Error` (its 500 "Internal server
    /// error." answer): an unknown `__op`, a value PostgreSQL refuses.
    Uncaught,
}

impl From<WriteError> for ParseError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Parse(e) => e,
            WriteError::Uncaught => ParseError::internal(),
        }
    }
}

impl From<ParseError> for WriteError {
    fn from(err: ParseError) -> Self {
        Self::Parse(err)
    }
}

/// Parse's `fieldNameIsValid`: a letter, then letters, digits and `_`; from 4.5 also not
/// `className` or `length`.
pub fn field_name_is_valid(name: &str, behavior: &Behavior) -> bool {
    let mut chars = name.chars();
    let shape = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    shape && !(behavior.reserved_field_names && matches!(name, "className" | "length"))
}

/// A class's fields beyond its own columns, in the order it gained them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassFields {
    pub fields: Vec<(String, FieldType)>,
}

impl ClassFields {
    pub fn get(&self, name: &str) -> Option<&FieldType> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }
}

/// The changes of one write, by field, in the order sent.
pub type Changes = Vec<(String, Change)>;
/// Fields and the types a write gives them.
pub type FieldTypes = Vec<(String, FieldType)>;

/// What one key of a write does.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Set(Value),
    Delete,
    Increment(Number),
    Add(Vec<Value>),
    AddUnique(Vec<Value>),
    Remove(Vec<Value>),
}

impl Change {
    /// Whether the answer to an update carries the field's new value (Parse's
    /// `sanitizeDatabaseResult`: the operations whose result the client cannot know).
    pub fn answers_value(&self) -> bool {
        matches!(
            self,
            Self::Increment(_) | Self::Add(_) | Self::AddUnique(_) | Self::Remove(_)
        )
    }
}

/// Read one key's value in a write as a [`Change`], its value stored as it will read back.
pub fn change_of(value: &Value) -> Result<Change, WriteError> {
    let Value::Object(map) = value else {
        return Ok(Change::Set(stored(value)?));
    };
    let Some(op) = map.get("__op").filter(|v| truthy(Some(v))) else {
        return Ok(Change::Set(stored(value)?));
    };
    // PostgreSQL casts what it is given: a list that is no list, or an amount that is no
    // number, fails there (Parse's uncaught 500).
    let objects = || -> Result<Vec<Value>, WriteError> {
        match map.get("objects") {
            Some(Value::Array(items)) => items.iter().map(stored).collect(),
            _ => Err(WriteError::Uncaught),
        }
    };
    match op.as_str() {
        Some("Delete") => Ok(Change::Delete),
        Some("Increment") => match map.get("amount") {
            Some(Value::Number(n)) => Ok(Change::Increment(n.clone())),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(js_number)
                .transpose()?
                .map(Change::Increment)
                .ok_or(WriteError::Uncaught),
            _ => Err(WriteError::Uncaught),
        },
        Some("Add") => objects().map(Change::Add),
        Some("AddUnique") => objects().map(Change::AddUnique),
        Some("Remove") => objects().map(Change::Remove),
        Some("Batch") => Err(postgres_unsupported(value)),
        _ => Err(WriteError::Uncaught),
    }
}

/// Parse's PostgreSQL adapter refusing an update it has no SQL for (`Bytes`, `Batch`).
pub fn postgres_unsupported(value: &Value) -> WriteError {
    WriteError::Parse(ParseError::new(
        ErrorCode::OperationForbidden,
        format!("Postgres doesn't support update {value} yet"),
    ))
}

/// Apply a change to a field's current value: the new value, or `None` when the field goes.
pub fn apply(current: Option<&Value>, change: &Change) -> Result<Option<Value>, WriteError> {
    let list = |v: Option<&Value>| -> Result<Vec<Value>, WriteError> {
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            // PostgreSQL's array functions fail on anything else.
            Some(_) => Err(WriteError::Uncaught),
        }
    };
    Ok(match change {
        Change::Set(v) => Some(v.clone()),
        Change::Delete => None,
        Change::Increment(amount) => {
            let base = match current {
                None | Some(Value::Null) => 0.0,
                Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
                Some(_) => return Err(WriteError::Uncaught),
            };
            let sum = match (current.and_then(Value::as_i64), amount.as_i64()) {
                (Some(a), Some(b)) => a.checked_add(b).map(Number::from),
                (None, Some(b)) if current.is_none_or(Value::is_null) => Some(Number::from(b)),
                _ => None,
            };
            Some(Value::Number(match sum {
                Some(n) => n,
                None => js_number(base + amount.as_f64().unwrap_or(0.0))?,
            }))
        }
        Change::Add(items) => {
            // Parse's `array_add` keeps the stored elements DISTINCT, then appends.
            let mut out: Vec<Value> = Vec::new();
            for v in list(current)? {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            out.extend(items.iter().cloned());
            Some(Value::Array(out))
        }
        Change::AddUnique(items) => {
            let mut out = list(current)?;
            for item in items {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            Some(Value::Array(out))
        }
        Change::Remove(items) => {
            let mut out = list(current)?;
            out.retain(|v| !items.contains(v));
            Some(Value::Array(out))
        }
    })
}

/// A finite number as JavaScript holds it: integral values as integers (`1.0` reads back as
/// `1`), others as doubles.
pub fn js_number(f: f64) -> Result<Number, WriteError> {
    // JavaScript writes integral doubles without a fraction; those within i64 are exact here.
    const I64_RANGE: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && f.abs() < I64_RANGE {
        #[expect(clippy::cast_possible_truncation, reason = "integral and within i64")]
        return Ok(Number::from(f as i64));
    }
    Number::from_f64(f).ok_or(WriteError::Uncaught)
}

/// A value as Parse on PostgreSQL gives it back: objects and arrays are `jsonb` (keys in
/// jsonb's order: shorter first, then bytewise), dates are timestamps (milliseconds, `Z`),
/// numbers doubles.
pub fn stored(value: &Value) -> Result<Value, WriteError> {
    Ok(match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.as_i64().is_none() && n.as_u64().is_none() => Value::Number(js_number(f)?),
            _ => Value::Number(n.clone()),
        },
        Value::Array(items) => Value::Array(items.iter().map(jsonb).collect()),
        Value::Object(map) => match map.get("__type").and_then(Value::as_str) {
            Some("Date") => {
                let iso = map.get("iso").and_then(Value::as_str).unwrap_or_default();
                let millis = crate::store::parse_iso_millis(iso)
                    .or_else(|| postgres_date_word(iso))
                    .ok_or(WriteError::Uncaught)?;
                serde_json::json!({"__type": "Date", "iso": crate::store::iso_millis(millis)})
            }
            // Read back from its text column: the objectId, then the schema's target class.
            Some("Pointer") => serde_json::json!({
                "objectId": map.get("objectId").cloned().unwrap_or(Value::Null),
                "__type": "Pointer",
                "className": map.get("className").cloned().unwrap_or(Value::Null),
            }),
            Some("GeoPoint") => {
                let coordinate = |k: &str| match map.get(k) {
                    Some(Value::Number(n)) => n.as_f64().ok_or(WriteError::Uncaught),
                    Some(Value::String(s)) => s.trim().parse().map_err(|_| WriteError::Uncaught),
                    _ => Err(WriteError::Uncaught),
                };
                // Parse on PostgreSQL stores any point, in range or not.
                let (lat, lng) = (coordinate("latitude")?, coordinate("longitude")?);
                serde_json::json!({
                    "__type": "GeoPoint",
                    "latitude": js_number(lat)?,
                    "longitude": js_number(lng)?,
                })
            }
            // Parse keeps a file's name; its URL is made when it is read.
            Some("File") => serde_json::json!({
                "__type": "File",
                "name": map.get("name").cloned().unwrap_or(Value::Null),
            }),
            // PostgreSQL's polygon closes its ring.
            Some("Polygon") => {
                let mut points = match map.get("coordinates") {
                    Some(Value::Array(p)) => p.clone(),
                    _ => return Err(WriteError::Uncaught),
                };
                if points.len() < 3 {
                    return Err(WriteError::Uncaught);
                }
                if points.first() != points.last()
                    && let Some(first) = points.first().cloned()
                {
                    points.push(first);
                }
                serde_json::json!({"__type": "Polygon", "coordinates": points})
            }
            Some(_) => Value::Object(map.clone()),
            None => jsonb(value),
        },
        other => other.clone(),
    })
}

/// The special date inputs PostgreSQL's timestamp parser takes (in UTC, the server's zone).
fn postgres_date_word(text: &str) -> Option<i64> {
    const DAY: i64 = 86_400_000;
    let now = crate::store::now_millis();
    let midnight = now - now.rem_euclid(DAY);
    match text.trim().to_ascii_lowercase().as_str() {
        "epoch" => Some(0),
        "now" => Some(now),
        "today" => Some(midnight),
        "yesterday" => Some(midnight - DAY),
        "tomorrow" => Some(midnight + DAY),
        _ => None,
    }
}

/// A JSON value as PostgreSQL's `jsonb` returns it: object keys sorted shorter first, then
/// bytewise, at every depth (duplicates were already resolved by the parser, last wins).
pub fn jsonb(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| {
                a.len()
                    .cmp(&b.len())
                    .then_with(|| a.as_bytes().cmp(b.as_bytes()))
            });
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), jsonb(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(jsonb).collect()),
        other => other.clone(),
    }
}

/// An ACL as Parse on PostgreSQL gives it back: rebuilt from its read and write lists, so an
/// entry that grants nothing disappears and `read` always comes before `write`.
pub fn normalize_acl(acl: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let grants = |perms: &Value, key: &str| perms.get(key).is_some_and(|v| truthy(Some(v)));
    for (entry, perms) in acl {
        if grants(perms, "read") {
            out.insert(entry.clone(), serde_json::json!({"read": true}));
        }
    }
    for (entry, perms) in acl {
        if grants(perms, "write") {
            match out.get_mut(entry) {
                Some(Value::Object(p)) => {
                    p.insert("write".into(), Value::Bool(true));
                }
                _ => {
                    out.insert(entry.clone(), serde_json::json!({"write": true}));
                }
            }
        }
    }
    out
}

/// Check the keys of a write against a class's schema as Parse's `validateObject` does, in
/// the order they came: field names, then types. Answers the fields the class gains.
pub fn check_types<'a>(
    class: &str,
    keys: impl Iterator<Item = (&'a String, &'a Value)>,
    schema: &ClassFields,
    behavior: &Behavior,
) -> Result<Vec<(String, FieldType)>, WriteError> {
    let keys: Vec<(&String, &Value)> = keys.collect();
    let mut geopoints = 0;
    for (_, value) in &keys {
        if let Value::Object(m) = value
            && m.get("__type").and_then(Value::as_str) == Some("GeoPoint")
            && matches!(type_of(value), Ok(Some(FieldType::GeoPoint)))
        {
            geopoints += 1;
            if geopoints > 1 {
                return Err(WriteError::Parse(ParseError::new(
                    ErrorCode::IncorrectType,
                    "there can only be one geopoint field in a class",
                )));
            }
        }
    }
    let mut added: Vec<(String, FieldType)> = Vec::new();
    for (name, value) in keys {
        let Some(asked) = type_of(value)? else {
            // Still a name Parse must accept.
            if !field_name_is_valid(base_name(name), behavior) {
                return Err(invalid_name(name));
            }
            continue;
        };
        if name == "ACL" {
            continue;
        }
        let (field, asked) = if name.find('.').is_some_and(|i| i > 0) {
            (base_name(name), FieldType::Object)
        } else {
            (name.as_str(), asked)
        };
        if !field_name_is_valid(field, behavior) {
            return Err(invalid_name(field));
        }
        let expected = default_column(class, field)
            .or_else(|| schema.get(field).cloned())
            .or_else(|| {
                added
                    .iter()
                    .find(|(n, _)| n == field)
                    .map(|(_, t)| t.clone())
            });
        match expected {
            Some(expected) if !types_match(&expected, &asked) => {
                return Err(WriteError::Parse(ParseError::new(
                    ErrorCode::IncorrectType,
                    format!(
                        "schema mismatch for {class}.{field}; expected {} but got {}",
                        expected.describe(),
                        asked.describe()
                    ),
                )));
            }
            Some(_) => {}
            None => added.push((field.to_owned(), asked)),
        }
    }
    Ok(added)
}

fn base_name(name: &str) -> &str {
    match name.find('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

fn invalid_name(name: &str) -> WriteError {
    WriteError::Parse(ParseError::new(
        ErrorCode::InvalidKeyName,
        format!("Invalid field name: {name}."),
    ))
}

/// Parse's `dbTypeMatchesObjectType`.
fn types_match(expected: &FieldType, asked: &FieldType) -> bool {
    expected == asked
}

/// The class's own columns, in Parse's order, with their types.
pub fn own_columns(class: &str, behavior: &Behavior) -> Vec<(&'static str, FieldType)> {
    let mut columns = vec![
        ("objectId", FieldType::String),
        ("createdAt", FieldType::Date),
        ("updatedAt", FieldType::Date),
        ("ACL", FieldType::Acl),
    ];
    if class == "_User" {
        columns.extend([
            ("username", FieldType::String),
            ("password", FieldType::String),
            ("email", FieldType::String),
            ("emailVerified", FieldType::Boolean),
            ("authData", FieldType::Object),
        ]);
    } else {
        if behavior.session_has_restricted {
            columns.push(("restricted", FieldType::Boolean));
        }
        columns.extend([
            ("user", FieldType::Pointer("_User".into())),
            ("installationId", FieldType::String),
            ("sessionToken", FieldType::String),
            ("expiresAt", FieldType::Date),
            ("createdWith", FieldType::Object),
        ]);
    }
    columns
}

/// The fields of `_User` or `_Session` in the order Parse lists them: the class's own
/// columns, then those clients added (`_SCHEMA` keeps them as jsonb: shorter names first,
/// then bytewise).
pub fn class_columns(
    class: &str,
    fields: &ClassFields,
    behavior: &Behavior,
) -> Vec<(String, FieldType)> {
    let mut out: Vec<(String, FieldType)> = own_columns(class, behavior)
        .into_iter()
        .map(|(name, ty)| (name.to_owned(), ty))
        .collect();
    let mut added: Vec<&(String, FieldType)> = fields.fields.iter().collect();
    added.sort_by(|(a, _), (b, _)| {
        a.len()
            .cmp(&b.len())
            .then_with(|| a.as_bytes().cmp(b.as_bytes()))
    });
    out.extend(added.into_iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::version::Behavior;

    fn behavior() -> Behavior {
        Behavior::parse("9.10.0").unwrap()
    }

    #[test]
    fn types_follow_parse_get_type() {
        assert_eq!(type_of(&json!("x")).unwrap(), Some(FieldType::String));
        assert_eq!(type_of(&json!(1.5)).unwrap(), Some(FieldType::Number));
        assert_eq!(type_of(&json!(null)).unwrap(), None);
        assert_eq!(type_of(&json!({"__op": "Delete"})).unwrap(), None);
        assert_eq!(
            type_of(&json!({"__op": "Increment", "amount": 1})).unwrap(),
            Some(FieldType::Number)
        );
        assert_eq!(
            type_of(&json!({"__type": "Pointer", "className": "Post", "objectId": "a"})).unwrap(),
            Some(FieldType::Pointer("Post".into()))
        );
        assert_eq!(
            type_of(&json!({"__type": "Date"})),
            Err(WriteError::Parse(ParseError::new(
                ErrorCode::IncorrectType,
                "This is not a valid Date"
            )))
        );
        assert_eq!(type_of(&json!({"__op": "Nope"})), Err(WriteError::Uncaught));
        assert_eq!(type_of(&json!({"a": 1})).unwrap(), Some(FieldType::Object));
    }

    #[test]
    fn a_mismatch_names_both_types() {
        let schema = ClassFields {
            fields: vec![("age".into(), FieldType::Number)],
        };
        let body: Map<String, Value> = serde_json::from_value(json!({"age": "x"})).unwrap();
        let err = check_types("_User", body.iter(), &schema, &behavior()).unwrap_err();
        assert_eq!(
            ParseError::from(err).message,
            "schema mismatch for _User.age; expected Number but got String"
        );
        let body: Map<String, Value> =
            serde_json::from_value(json!({"createdAt": "2020-01-01T00:00:00.000Z"})).unwrap();
        let err = check_types("_User", body.iter(), &schema, &behavior()).unwrap_err();
        assert_eq!(
            ParseError::from(err).message,
            "schema mismatch for _User.createdAt; expected Date but got String"
        );
    }

    #[test]
    fn new_fields_are_added_in_the_order_sent_and_bad_names_refused() {
        let body: Map<String, Value> =
            serde_json::from_value(json!({"b": 1, "a": "x", "n": null})).unwrap();
        let added = check_types("_User", body.iter(), &ClassFields::default(), &behavior());
        assert_eq!(
            added.unwrap(),
            vec![
                ("b".into(), FieldType::Number),
                ("a".into(), FieldType::String)
            ]
        );
        for bad in ["_bad", "$x", "1a", "className", "length"] {
            let body: Map<String, Value> = serde_json::from_value(json!({bad: 1})).unwrap();
            let err = check_types("_User", body.iter(), &ClassFields::default(), &behavior());
            assert_eq!(
                ParseError::from(err.unwrap_err()).message,
                format!("Invalid field name: {bad}.")
            );
        }
        // Before 4.5, `className` and `length` were ordinary names.
        let old = Behavior::parse("4.4.0").unwrap();
        let body: Map<String, Value> = serde_json::from_value(json!({"length": 1})).unwrap();
        assert!(check_types("_User", body.iter(), &ClassFields::default(), &old).is_ok());
    }

    #[test]
    fn operations_apply_as_parse_on_postgres_does() {
        let inc = change_of(&json!({"__op": "Increment", "amount": 2})).unwrap();
        assert_eq!(apply(Some(&json!(3)), &inc).unwrap(), Some(json!(5)));
        assert_eq!(apply(None, &inc).unwrap(), Some(json!(2)));
        let half = change_of(&json!({"__op": "Increment", "amount": 0.5})).unwrap();
        assert_eq!(apply(Some(&json!(1)), &half).unwrap(), Some(json!(1.5)));
        let add = change_of(&json!({"__op": "AddUnique", "objects": ["b", "c"]})).unwrap();
        assert_eq!(
            apply(Some(&json!(["a", "b"])), &add).unwrap(),
            Some(json!(["a", "b", "c"]))
        );
        let remove = change_of(&json!({"__op": "Remove", "objects": ["a"]})).unwrap();
        assert_eq!(
            apply(Some(&json!(["a", "b", "a"])), &remove).unwrap(),
            Some(json!(["b"]))
        );
        assert_eq!(apply(Some(&json!(1)), &Change::Delete).unwrap(), None);
        // PostgreSQL casts a numeric string; anything else fails there.
        let text = change_of(&json!({"__op": "Increment", "amount": "1.5"})).unwrap();
        assert_eq!(apply(Some(&json!(1)), &text).unwrap(), Some(json!(2.5)));
        assert_eq!(
            change_of(&json!({"__op": "Increment", "amount": "x"})),
            Err(WriteError::Uncaught)
        );
        let add = change_of(&json!({"__op": "Add", "objects": [2]})).unwrap();
        assert_eq!(
            apply(Some(&json!([1, 1])), &add).unwrap(),
            Some(json!([1, 2]))
        );
    }

    #[test]
    fn values_read_back_as_postgres_gives_them() {
        assert_eq!(
            stored(&json!({"zeta": 1, "a": {"bb": 1, "c": 2}}))
                .unwrap()
                .to_string(),
            r#"{"a":{"c":2,"bb":1},"zeta":1}"#
        );
        assert_eq!(
            stored(&json!({"__type": "Date", "iso": "2000-01-02T03:04:05Z"}))
                .unwrap()
                .to_string(),
            r#"{"__type":"Date","iso":"2000-01-02T03:04:05.000Z"}"#
        );
        assert_eq!(stored(&json!(2.0)).unwrap().to_string(), "2");
        assert_eq!(
            stored(&json!(9_007_199_254_740_992.0)).unwrap().to_string(),
            "9007199254740992"
        );
        let acl: Map<String, Value> = serde_json::from_value(
            json!({"a": {"write": true, "read": true}, "*": {"read": false}, "b": {"write": true}}),
        )
        .unwrap();
        assert_eq!(
            Value::Object(normalize_acl(&acl)).to_string(),
            r#"{"a":{"read":true,"write":true},"b":{"write":true}}"#
        );
    }
}
