//! `GET` and `PUT /schemas/_User` and `/schemas/_Session` (master key): the schemas of the two
//! classes parse-compat keeps, with the fields clients added, and adding or removing fields.
//! Other classes' schemas belong to the upstream.

use serde_json::{Map, Value, json};

use super::{RestContext, RestResult};
use crate::error::{ErrorCode, ParseError};
use crate::object::{ClassFields, FieldType, class_columns as columns, own_columns};
use crate::version::Behavior;

/// The classes whose schema is kept here.
pub fn is_ours(class: &str) -> bool {
    matches!(class, "_User" | "_Session")
}

fn master_required(ctx: &RestContext<'_>) -> Result<(), ParseError> {
    if ctx.auth.is_master {
        Ok(())
    } else {
        Err(ParseError::new(
            ErrorCode::MasterKeyRequired,
            "unauthorized: master key is required",
        ))
    }
}

fn type_json(ty: &FieldType) -> Value {
    match ty.target_class() {
        Some(target) => json!({"type": ty.name(), "targetClass": target}),
        None => json!({"type": ty.name()}),
    }
}

/// Which class-level permissions `/schemas` shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Permissions {
    /// As stored in `_SCHEMA` (`GET`: the schema cache's object): `protectedFields` empty.
    Stored,
    /// As Parse's schema controller holds them after an update (`PUT`), with the server's
    /// `protectedFields` option merged in: `_User` hides `email`.
    Merged,
}

/// A class schema as `/schemas` answers it.
fn render(class: &str, fields: &ClassFields, behavior: &Behavior, shown: Permissions) -> Value {
    let mut out = Map::new();
    for (name, ty) in columns(class, fields, behavior) {
        out.insert(name, type_json(&ty));
    }
    let mut clp = Map::new();
    if behavior.schema_clp_has_acl {
        clp.insert("ACL".into(), json!({"*": {"read": true, "write": true}}));
    }
    for op in [
        "find", "get", "count", "create", "update", "delete", "addField",
    ] {
        clp.insert(op.into(), json!({"*": true}));
    }
    let protected = if class == "_User" && shown == Permissions::Merged {
        json!({"*": ["email"]})
    } else {
        json!({"*": []})
    };
    clp.insert("protectedFields".into(), protected);
    json!({"className": class, "fields": out, "classLevelPermissions": clp})
}

fn class_name(class: &str) -> &'static str {
    if class == "_User" {
        "_User"
    } else {
        "_Session"
    }
}

/// `GET /schemas/<class>`.
pub async fn get(ctx: &RestContext<'_>, class: &str) -> RestResult {
    master_required(ctx)?;
    // `loadSchema({ clearCache: true })`: fresh objects in Parse's schema cache.
    ctx.state.store.class_reads().reloaded();
    let class = class_name(class);
    let fields = ctx.state.store.class_fields(class).await?;
    Ok((
        200,
        render(
            class,
            &fields,
            &ctx.state.config.behavior,
            Permissions::Stored,
        ),
    ))
}

/// `PUT /schemas/<class>`: add fields (`{"type": ...}`) and remove them (`{"__op":
/// "Delete"}`), as Parse's `updateClass` does, then answer the schema.
pub async fn update(ctx: &RestContext<'_>, class: &str, body: &Map<String, Value>) -> RestResult {
    master_required(ctx)?;
    // `loadSchema({ clearCache: true })`: fresh objects in Parse's schema cache.
    ctx.state.store.class_reads().reloaded();
    let class = class_name(class);
    if let Some(Value::String(named)) = body.get("className")
        && named != class
    {
        return Err(ParseError::new(
            ErrorCode::InvalidClassName,
            format!("Class name mismatch between {named} and {class}."),
        ));
    }
    let behavior = &ctx.state.config.behavior;
    let store = &ctx.state.store;
    let current = store.class_fields(class).await?;
    let requested = match body.get("fields") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let own: Vec<&str> = own_columns(class, behavior)
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for (name, spec) in &requested {
        let exists = own.contains(&name.as_str()) || current.get(name).is_some();
        if spec.get("__op").and_then(Value::as_str) == Some("Delete") {
            if !exists {
                return Err(ParseError::new(
                    ErrorCode::ClassNotEmpty,
                    format!("Field {name} does not exist, cannot delete."),
                ));
            }
            removed.push(name.clone());
            continue;
        }
        if exists {
            return Err(ParseError::new(
                ErrorCode::ClassNotEmpty,
                format!("Field {name} exists, cannot update."),
            ));
        }
        if !crate::object::field_name_is_valid(name, behavior) {
            return Err(ParseError::new(
                ErrorCode::InvalidKeyName,
                format!("invalid field name: {name}"),
            ));
        }
        let ty_name = spec.get("type").and_then(Value::as_str).unwrap_or_default();
        let target = spec
            .get("targetClass")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if matches!(ty_name, "Pointer" | "Relation") && target.is_none() {
            return Err(ParseError::new(
                ErrorCode::MissingRequiredField,
                format!("type {ty_name} needs a class name"),
            ));
        }
        let ty = FieldType::from_parts(ty_name, target).ok_or_else(|| {
            ParseError::new(
                ErrorCode::IncorrectType,
                format!("invalid field type: {ty_name}"),
            )
        })?;
        added.push((name.clone(), ty));
    }
    let fields = store.change_class_fields(class, added, removed).await?;
    Ok((200, render(class, &fields, behavior, Permissions::Merged)))
}
