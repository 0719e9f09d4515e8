//! graphql-js's `coerceVariableValues` messages, in the wording of the pinned release.
//!
//! juniper checks variables too, but words its refusals its own way and stops at the first.
//! So the variables are checked here first, as graphql-js does (`Variable "$input" got invalid
//! value { username: "a" } at "input"; Field "password" of required type "String!" was not
//! provided.`), at the variable definition. graphql-js 14.0–14.4 (`coerceValue`), 14.5+
//! (`coerceInputValue`) and 15+ (quoted type names) each word them their own way.

use serde_json::Value as Json;

use super::document::Operation;
use super::schema_info::{Kind, SchemaInfo, TypeRef};
use crate::graphql::validation::GqlError;
use crate::graphql::validation::suggest::{did_you_mean, suggestion_list};
use crate::version::{GraphqlJs, GraphqlJsRelease};

/// graphql-js's `inspect` (objects as `{ key: value }`, nesting limited to depth 2).
pub fn inspect(v: &Json) -> String {
    fn go(v: &Json, depth: usize) -> String {
        match v {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => crate::js::json_number(n),
            Json::String(s) => Json::String(s.clone()).to_string(),
            Json::Array(items) if items.is_empty() => "[]".into(),
            Json::Array(_) if depth >= 2 => "[Array]".into(),
            Json::Array(items) => {
                let mut parts: Vec<String> =
                    items.iter().take(10).map(|i| go(i, depth + 1)).collect();
                if items.len() > 10 {
                    let more = items.len() - 10;
                    parts.push(if more == 1 {
                        "... 1 more item".into()
                    } else {
                        format!("... {more} more items")
                    });
                }
                format!("[{}]", parts.join(", "))
            }
            Json::Object(m) if m.is_empty() => "{}".into(),
            Json::Object(_) if depth >= 2 => "[Object]".into(),
            Json::Object(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", go(v, depth + 1)))
                    .collect();
                format!("{{ {} }}", parts.join(", "))
            }
        }
    }
    go(v, 0)
}

#[derive(Clone)]
enum PathItem {
    Key(String),
    Index(usize),
}

/// `name.key[0]` (graphql-js's `printPathArray` after the variable's name).
fn print_path(var: &str, path: &[PathItem]) -> String {
    let mut s = var.to_owned();
    for p in path {
        match p {
            PathItem::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            PathItem::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// How a graphql-js release words a variable it cannot coerce.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// 14.0 – 14.4 (`coerceValue`): the whole variable is shown, the path ends the reason
    /// (`Expected type String at value.username. ...`), type names unquoted.
    CoerceValue,
    /// 14.5 – 14.x (`coerceInputValue`): the offending value and its path lead the message,
    /// type names unquoted.
    InputValue14,
    /// 15 and 16: as 14.5, with type names quoted.
    Quoted,
}

struct Coercer<'a> {
    js: GraphqlJs,
    style: Style,
    /// JavaScript's `isObjectLike` takes an array for an input object (before 16.11).
    arrays_are_objects: bool,
    info: &'a SchemaInfo,
    /// (path, offending value, reason)
    errors: Vec<(Vec<PathItem>, Json, String)>,
}

impl Coercer<'_> {
    /// `coerceValue`'s ` at value.key[0]` (14.0 – 14.4), after the reason's head.
    fn at(&self, path: &[PathItem]) -> String {
        if self.style != Style::CoerceValue || path.is_empty() {
            return String::new();
        }
        format!(" at {}", print_path("value", path))
    }

    fn coerce(&mut self, value: &Json, ty: &TypeRef, path: &mut Vec<PathItem>) {
        match ty {
            TypeRef::NonNull(inner) => {
                if value.is_null() {
                    let reason = match self.style {
                        Style::CoerceValue => format!(
                            "Expected non-nullable type {ty} not to be null{}.",
                            self.at(path)
                        ),
                        Style::InputValue14 => {
                            format!("Expected non-nullable type {ty} not to be null.")
                        }
                        Style::Quoted => {
                            format!("Expected non-nullable type \"{ty}\" not to be null.")
                        }
                    };
                    self.errors.push((path.clone(), value.clone(), reason));
                } else {
                    self.coerce(value, inner, path);
                }
            }
            _ if value.is_null() => {}
            TypeRef::List(item) => match value {
                Json::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        path.push(PathItem::Index(i));
                        self.coerce(v, item, path);
                        path.pop();
                    }
                }
                // `coerceValue` coerced a lone item without any path.
                other if self.style == Style::CoerceValue => {
                    self.coerce(other, item, &mut Vec::new());
                }
                other => self.coerce(other, item, path),
            },
            TypeRef::Named(name) => self.named(value, name, path),
        }
    }

    fn named(&mut self, value: &Json, name: &str, path: &mut Vec<PathItem>) {
        let Some(t) = self.info.types.get(name) else {
            return;
        };
        let at = self.at(path);
        let style = self.style;
        let mut fail = |reason: String| {
            self.errors.push((path.clone(), value.clone(), reason));
        };
        match t.kind {
            Kind::InputObject => {
                // JavaScript's `isObjectLike`: an array is an object whose keys are its indexes.
                let indexed: serde_json::Map<String, Json>;
                let m = match value {
                    Json::Object(m) => m,
                    Json::Array(items) if self.arrays_are_objects => {
                        indexed = items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (i.to_string(), v.clone()))
                            .collect();
                        &indexed
                    }
                    _ => {
                        fail(match style {
                            Style::CoerceValue => {
                                format!("Expected type {name} to be an object{at}.")
                            }
                            Style::InputValue14 => format!("Expected type {name} to be an object."),
                            Style::Quoted => format!("Expected type \"{name}\" to be an object."),
                        });
                        return;
                    }
                };
                let fields = t.input_fields.clone();
                for def in &fields {
                    match m.get(&def.name) {
                        None => {
                            if !def.has_default && def.ty.is_non_null() {
                                let reason = match style {
                                    Style::CoerceValue => {
                                        path.push(PathItem::Key(def.name.clone()));
                                        let field = print_path("value", path);
                                        path.pop();
                                        format!(
                                            "Field {field} of required type {} was not provided.",
                                            def.ty
                                        )
                                    }
                                    Style::InputValue14 => format!(
                                        "Field {} of required type {} was not provided.",
                                        def.name, def.ty
                                    ),
                                    Style::Quoted => format!(
                                        "Field \"{}\" of required type \"{}\" was not provided.",
                                        def.name, def.ty
                                    ),
                                };
                                self.errors.push((path.clone(), value.clone(), reason));
                            }
                        }
                        Some(v) => {
                            path.push(PathItem::Key(def.name.clone()));
                            self.coerce(v, &def.ty, path);
                            path.pop();
                        }
                    }
                }
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                for key in m.keys() {
                    if !names.contains(&key.as_str()) {
                        let hint = did_you_mean(None, &suggestion_list(self.js, key, &names), true);
                        let reason = match style {
                            Style::CoerceValue => {
                                format!("Field \"{key}\" is not defined by type {name}{at}.{hint}")
                            }
                            Style::InputValue14 => {
                                format!("Field \"{key}\" is not defined by type {name}.{hint}")
                            }
                            Style::Quoted => {
                                format!("Field \"{key}\" is not defined by type \"{name}\".{hint}")
                            }
                        };
                        self.errors.push((path.clone(), value.clone(), reason));
                    }
                }
            }
            Kind::Enum => {
                let values = t.enum_values.clone();
                let opts: Vec<&str> = values.iter().map(String::as_str).collect();
                match (value, style) {
                    (Json::String(s), _) if values.contains(s) => {}
                    // graphql-js 14 suggests from `String(value)`, whatever its type.
                    (other, Style::CoerceValue | Style::InputValue14) => {
                        let shown = crate::js::string(other);
                        let hint =
                            did_you_mean(None, &suggestion_list(self.js, &shown, &opts), true);
                        fail(format!("Expected type {name}{at}.{hint}"));
                    }
                    (Json::String(s), Style::Quoted) => {
                        let hint = did_you_mean(None, &suggestion_list(self.js, s, &opts), true);
                        fail(format!(
                            "Value \"{s}\" does not exist in \"{name}\" enum.{hint}"
                        ));
                    }
                    (other, Style::Quoted) => fail(format!(
                        "Enum \"{name}\" cannot represent non-string value: {}.",
                        inspect(other)
                    )),
                }
            }
            Kind::Scalar => {
                let shown = inspect(value);
                // graphql-js 14 names the expected type before the scalar's own reason.
                let mut fail = |reason: String| match style {
                    Style::CoerceValue => fail(format!("Expected type {name}{at}. {reason}")),
                    Style::InputValue14 => fail(format!("Expected type {name}. {reason}")),
                    Style::Quoted => fail(reason),
                };
                match (name, value) {
                    ("String", Json::String(_))
                    | ("Boolean", Json::Bool(_))
                    | ("ID", Json::String(_)) => {}
                    // `isInteger` (JavaScript's `Number.isInteger`): `1e+100` is one.
                    ("ID", Json::Number(n))
                        if n.as_f64()
                            .is_some_and(|f| f.is_finite() && f.fract() == 0.0) => {}
                    ("Float", Json::Number(_)) => {}
                    // JavaScript's `Number.isInteger` first (`1e+100` is an integer there),
                    // then the 32-bit range.
                    ("Int", Json::Number(n)) => match n.as_f64() {
                        Some(f) if f.is_finite() && f.fract() == 0.0 => {
                            if f < f64::from(i32::MIN) || f > f64::from(i32::MAX) {
                                fail(format!(
                                    "Int cannot represent non 32-bit signed integer value: {shown}"
                                ));
                            }
                        }
                        _ => fail(format!("Int cannot represent non-integer value: {shown}")),
                    },
                    ("String", _) => fail(format!(
                        "String cannot represent a non string value: {shown}"
                    )),
                    ("Boolean", _) => fail(format!(
                        "Boolean cannot represent a non boolean value: {shown}"
                    )),
                    ("Int", _) => fail(format!("Int cannot represent non-integer value: {shown}")),
                    ("Float", _) => {
                        fail(format!("Float cannot represent non numeric value: {shown}"))
                    }
                    ("ID", _) => fail(format!("ID cannot represent value: {shown}")),
                    // Parse's `Object` scalar takes what JavaScript calls an object (arrays
                    // too); its `TypeValidationError` is no GraphQL error, which graphql-js
                    // 15+ prefixes with the expected type as 14 does every scalar's.
                    ("Object", Json::Object(_) | Json::Array(_)) => {}
                    ("Object", other) => {
                        let reason = format!("{} is not a valid Object", crate::js::string(other));
                        match style {
                            Style::Quoted => fail(format!("Expected type \"{name}\". {reason}")),
                            Style::CoerceValue | Style::InputValue14 => fail(reason),
                        }
                    }
                    _ => {}
                }
            }
            Kind::Object | Kind::Interface | Kind::Union => {}
        }
    }
}

/// The errors graphql-js gives for these variables of this operation (empty if it accepts them).
pub fn coerce(
    release: GraphqlJsRelease,
    info: &SchemaInfo,
    operation: &Operation,
    variables: Option<&serde_json::Map<String, Json>>,
) -> Vec<GqlError> {
    let js = release.js();
    let style = match js {
        GraphqlJs::V14 if !release.at_least(14, 5) => Style::CoerceValue,
        GraphqlJs::V14 => Style::InputValue14,
        GraphqlJs::V15 | GraphqlJs::V16 => Style::Quoted,
    };
    // 14.5.0 – 14.5.6 also refused a missing non-null variable that has a default.
    let default_ignored = release.at_least(14, 5) && !release.at_least_patch(14, 5, 7);
    let empty = serde_json::Map::new();
    let inputs = variables.unwrap_or(&empty);
    let mut out = Vec::new();
    for def in &operation.variables {
        let loc = vec![(def.start.line, def.start.column)];
        let name = &def.name;
        let Some(value) = inputs.get(name) else {
            if (!def.has_default || default_ignored) && def.ty.is_non_null() {
                out.push(GqlError {
                    message: format!(
                        "Variable \"${name}\" of required type \"{}\" was not provided.",
                        def.ty
                    ),
                    locations: loc,
                });
            }
            continue;
        };
        if value.is_null() && def.ty.is_non_null() {
            out.push(GqlError {
                message: format!(
                    "Variable \"${name}\" of non-null type \"{}\" must not be null.",
                    def.ty
                ),
                locations: loc,
            });
            continue;
        }
        let mut c = Coercer {
            js,
            style,
            arrays_are_objects: !release.at_least_patch(16, 11, 0),
            info,
            errors: Vec::new(),
        };
        c.coerce(value, &def.ty, &mut Vec::new());
        for (path, bad, reason) in c.errors {
            let prefix = if style == Style::CoerceValue {
                // The whole variable; the path is in the reason.
                format!("Variable \"${name}\" got invalid value {}", inspect(value))
            } else if path.is_empty() {
                format!("Variable \"${name}\" got invalid value {}", inspect(&bad))
            } else {
                format!(
                    "Variable \"${name}\" got invalid value {} at \"{}\"",
                    inspect(&bad),
                    print_path(name, &path)
                )
            };
            out.push(GqlError {
                message: format!("{prefix}; {reason}"),
                locations: loc.clone(),
            });
        }
    }
    out.truncate(50);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inspect_matches_node_formatting() {
        assert_eq!(
            inspect(&json!({"username": "alice"})),
            "{ username: \"alice\" }"
        );
        assert_eq!(inspect(&json!([1, "a", null])), "[1, \"a\", null]");
        assert_eq!(
            inspect(&json!({"a": {"b": {"c": 1}}})),
            "{ a: { b: [Object] } }"
        );
    }
}
