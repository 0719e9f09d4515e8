//! Two SDL documents compared as graphql-inspector (`@graphql-inspector/core` 8) compares
//! schemas: the same change names (`FIELD_REMOVED`, `FIELD_TYPE_CHANGED`, ...), messages,
//! paths and criticality, in the same order. The rules are the ones
//! fixtures/schema-diff/README.md documents from the library; the recordings there are the
//! test. Only what Parse's SDL contains is compared (no directives, deprecations, schema
//! definitions or extensions occur in it).
//!
//! Order: every list gives its removed items (old order), then its added items (new order,
//! each followed by what it contains), then the items in both (old order). Within a type:
//! interfaces, fields, then the type's description.

use graphql_parser::schema::{self as ast, Definition, TypeDefinition};
use serde_json::{Value, json};

use crate::version::Criticality;

/// One change, as graphql-inspector reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// graphql-inspector's change name (`FIELD_REMOVED`...).
    pub kind: &'static str,
    pub message: String,
    pub path: String,
    pub criticality: Criticality,
    pub reason: Option<&'static str>,
}

impl Change {
    pub fn to_json(&self) -> Value {
        let mut criticality = json!({"level": super::level_name(self.criticality)});
        if let Some(reason) = self.reason {
            criticality["reason"] = json!(reason);
        }
        json!({
            "type": self.kind,
            "message": self.message,
            "path": self.path,
            "criticality": criticality,
        })
    }
}

type Doc<'a> = ast::Document<'a, String>;
type Ty<'a> = ast::Type<'a, String>;
type InputValue<'a> = ast::InputValue<'a, String>;

const PRIMITIVES: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

const KIND_CHANGED: &str = "Changing the kind of a type is a breaking change because it can cause existing queries to error. For example, turning an object type to a scalar type would break queries that define a selection set for this type.";
const INTERFACE_ADDED: &str = "Adding an interface to an object type may break existing clients that are consuming a field returning the interface type that are not programming defensively against this new possible type.";
const INTERFACE_REMOVED: &str = "Removing an interface from an object type can cause existing queries that use this in a fragment spread to error.";
const FIELD_REMOVED: &str = "Removing a field is a breaking change. It is preferable to deprecate the field before removing it. This applies to removed union fields as well, since removal breaks client operations that contain fragments that reference the removed type through direct (... on RemovedType) or indirect means such as __typename in the consumers.";
const INPUT_FIELD_REMOVED: &str =
    "Removing an input field will cause existing queries that use this input field to error.";
const INPUT_ADDED_NEW_TYPE: &str = "The field is being added to a new type.";
const INPUT_ADDED_NULLABLE: &str = "The field is nullable and no default is set.";
const INPUT_ADDED_REQUIRED: &str = "Adding a required input field to an existing input object type is a breaking change because it will cause existing uses of this input object type to error.";
const INPUT_ADDED_DEFAULT: &str = "Adding a field with a default value can change runtime behavior for clients that previously omitted it, and during rolling deploys consumers may receive the new default before producers are ready to handle it.";
const INPUT_TYPE_SAFE: &str =
    "Changing an input field from non-null to null is considered non-breaking.";
const INPUT_TYPE_BREAKING: &str =
    "Changing the type of an input field can cause existing queries that use this field to error.";
const ENUM_VALUE_ADDED: &str = "Adding an enum value may break existing clients that were not programming defensively against an added case when querying an enum.";
const ENUM_VALUE_REMOVED: &str =
    "Removing an enum value will cause existing queries that use this enum value to error.";
const UNION_MEMBER_ADDED: &str = "Adding a possible type to Unions may break existing clients that were not programming defensively against a new possible type.";
const UNION_MEMBER_REMOVED: &str = "Removing a union member from a union can cause existing queries that use this union member in a fragment spread to error.";

use Criticality::{Breaking, Dangerous, Safe};

/// A type reference as graphql-js prints it (`[Name!]!`).
fn type_str(t: &Ty<'_>) -> String {
    match t {
        ast::Type::NamedType(n) => n.clone(),
        ast::Type::ListType(inner) => format!("[{}]", type_str(inner)),
        ast::Type::NonNullType(inner) => format!("{}!", type_str(inner)),
    }
}

const fn wrapped(t: &Ty<'_>) -> bool {
    !matches!(t, ast::Type::NamedType(_))
}

/// Only adding `!` (at any list level) is safe for an output field.
fn safe_for_field(old: &Ty<'_>, new: &Ty<'_>) -> bool {
    use ast::Type::{ListType, NonNullType};
    if !wrapped(old) && !wrapped(new) {
        return type_str(old) == type_str(new);
    }
    if let NonNullType(n) = new {
        let o = match old {
            NonNullType(o) => o,
            other => other,
        };
        return safe_for_field(o, n);
    }
    if let ListType(o) = old {
        return matches!(new, ListType(n) if safe_for_field(o, n))
            || matches!(new, NonNullType(n) if safe_for_field(old, n));
    }
    false
}

/// Only dropping `!` (at any list level) is safe for an input value.
fn safe_for_input(old: &Ty<'_>, new: &Ty<'_>) -> bool {
    use ast::Type::{ListType, NonNullType};
    if !wrapped(old) && !wrapped(new) {
        return type_str(old) == type_str(new);
    }
    if let (ListType(o), ListType(n)) = (old, new) {
        return safe_for_input(o, n);
    }
    if let NonNullType(o) = old {
        let n = match new {
            NonNullType(n) => n,
            other => other,
        };
        return safe_for_input(o, n);
    }
    false
}

/// A description quoted in a message: each `'` preceded by a backslash.
fn quoted(s: &str) -> String {
    s.replace('\'', "\\'")
}

/// Missing and empty descriptions are equal.
fn differs(a: Option<&String>, b: Option<&String>) -> bool {
    let empty = |d: Option<&String>| d.is_none_or(String::is_empty);
    !(a == b || (empty(a) && empty(b)))
}

/// A default value as graphql-inspector prints it.
fn default_str(v: &ast::Value<'_, String>) -> String {
    match v {
        ast::Value::Boolean(b) => b.to_string(),
        ast::Value::Int(n) => n.as_i64().map_or_else(String::new, |n| n.to_string()),
        ast::Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        ast::Value::String(s) | ast::Value::Enum(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

/// A list compared by name: removed (old order), added (new order), in both (old order).
struct Compared<'x, T> {
    removed: Vec<&'x T>,
    added: Vec<&'x T>,
    mutual: Vec<(&'x T, &'x T)>,
}

fn compare_lists<'x, T>(old: &'x [T], new: &'x [T], name: impl Fn(&T) -> &str) -> Compared<'x, T> {
    let find = |list: &'x [T], n: &str| list.iter().find(|x| name(x) == n);
    Compared {
        removed: old
            .iter()
            .filter(|o| find(new, name(o)).is_none())
            .collect(),
        added: new
            .iter()
            .filter(|n| find(old, name(n)).is_none())
            .collect(),
        mutual: old
            .iter()
            .filter_map(|o| find(new, name(o)).map(|n| (o, n)))
            .collect(),
    }
}

fn type_name<'x>(t: &'x TypeDefinition<'_, String>) -> &'x str {
    match t {
        TypeDefinition::Scalar(x) => &x.name,
        TypeDefinition::Object(x) => &x.name,
        TypeDefinition::Interface(x) => &x.name,
        TypeDefinition::Union(x) => &x.name,
        TypeDefinition::Enum(x) => &x.name,
        TypeDefinition::InputObject(x) => &x.name,
    }
}

fn type_description<'x>(t: &'x TypeDefinition<'_, String>) -> Option<&'x String> {
    match t {
        TypeDefinition::Scalar(x) => x.description.as_ref(),
        TypeDefinition::Object(x) => x.description.as_ref(),
        TypeDefinition::Interface(x) => x.description.as_ref(),
        TypeDefinition::Union(x) => x.description.as_ref(),
        TypeDefinition::Enum(x) => x.description.as_ref(),
        TypeDefinition::InputObject(x) => x.description.as_ref(),
    }
}

/// graphql-js's AST kind name, which graphql-inspector's messages use.
const fn kind_name(t: &TypeDefinition<'_, String>) -> &'static str {
    match t {
        TypeDefinition::Scalar(_) => "ScalarTypeDefinition",
        TypeDefinition::Object(_) => "ObjectTypeDefinition",
        TypeDefinition::Interface(_) => "InterfaceTypeDefinition",
        TypeDefinition::Union(_) => "UnionTypeDefinition",
        TypeDefinition::Enum(_) => "EnumTypeDefinition",
        TypeDefinition::InputObject(_) => "InputObjectTypeDefinition",
    }
}

fn types<'x, 'a>(doc: &'x Doc<'a>) -> Vec<&'x TypeDefinition<'a, String>> {
    doc.definitions
        .iter()
        .filter_map(|d| match d {
            Definition::TypeDefinition(t) if !PRIMITIVES.contains(&type_name(t)) => Some(t),
            _ => None,
        })
        .collect()
}

/// The fields and interfaces of an object or interface type, and how messages name its kind.
struct ObjectParts<'x, 'a> {
    fields: &'x [ast::Field<'a, String>],
    interfaces: &'x [String],
    kind: &'static str,
}

fn object_parts<'x, 'a>(t: &'x TypeDefinition<'a, String>) -> Option<ObjectParts<'x, 'a>> {
    match t {
        TypeDefinition::Object(o) => Some(ObjectParts {
            fields: &o.fields,
            interfaces: &o.implements_interfaces,
            kind: "object type",
        }),
        TypeDefinition::Interface(i) => Some(ObjectParts {
            fields: &i.fields,
            interfaces: &i.implements_interfaces,
            kind: "interface",
        }),
        _ => None,
    }
}

struct Differ {
    out: Vec<Change>,
}

impl Differ {
    fn add(
        &mut self,
        kind: &'static str,
        message: String,
        path: String,
        criticality: Criticality,
        reason: Option<&'static str>,
    ) {
        self.out.push(Change {
            kind,
            message,
            path,
            criticality,
            reason,
        });
    }

    fn changes_in_type<'a>(
        &mut self,
        old: Option<&TypeDefinition<'a, String>>,
        new: &TypeDefinition<'a, String>,
    ) {
        let name = type_name(new).to_owned();
        let same_kind = old.is_none_or(|o| kind_name(o) == kind_name(new));
        if same_kind {
            match new {
                TypeDefinition::Enum(n) => {
                    let o = match old {
                        Some(TypeDefinition::Enum(o)) => Some(o),
                        _ => None,
                    };
                    self.changes_in_enum(&name, o.map(|o| o.values.as_slice()), &n.values);
                }
                TypeDefinition::Union(n) => {
                    let o = match old {
                        Some(TypeDefinition::Union(o)) => Some(o),
                        _ => None,
                    };
                    self.changes_in_union(&name, o.map(|o| o.types.as_slice()), &n.types);
                }
                TypeDefinition::InputObject(n) => {
                    let o = match old {
                        Some(TypeDefinition::InputObject(o)) => Some(o),
                        _ => None,
                    };
                    self.changes_in_input(&name, o.map(|o| o.fields.as_slice()), &n.fields);
                }
                TypeDefinition::Object(_) | TypeDefinition::Interface(_) => {
                    self.changes_in_object(&name, old, new);
                }
                TypeDefinition::Scalar(_) => {}
            }
        } else if let Some(o) = old {
            self.add(
                "TYPE_KIND_CHANGED",
                format!(
                    "'{name}' kind changed from '{}' to '{}'",
                    kind_name(o),
                    kind_name(new)
                ),
                name.clone(),
                Breaking,
                Some(KIND_CHANGED),
            );
        }
        let (od, nd) = (old.and_then(type_description), type_description(new));
        if differs(od, nd) {
            match (od, nd) {
                (None, Some(n)) => self.add(
                    "TYPE_DESCRIPTION_ADDED",
                    format!("Object type '{name}' has description '{}'", quoted(n)),
                    name,
                    Safe,
                    None,
                ),
                (Some(o), None) if !o.is_empty() => self.add(
                    "TYPE_DESCRIPTION_REMOVED",
                    format!(
                        "Description '{}' was removed from object type '{name}'",
                        quoted(o)
                    ),
                    name,
                    Safe,
                    None,
                ),
                (o, n) => self.add(
                    "TYPE_DESCRIPTION_CHANGED",
                    format!(
                        "Description '{}' on type '{name}' has changed to '{}'",
                        quoted(o.map_or("", String::as_str)),
                        quoted(n.map_or("", String::as_str))
                    ),
                    name,
                    Safe,
                    None,
                ),
            }
        }
    }

    fn changes_in_object<'a>(
        &mut self,
        name: &str,
        old: Option<&TypeDefinition<'a, String>>,
        new: &TypeDefinition<'a, String>,
    ) {
        let Some(ObjectParts {
            fields: new_fields,
            interfaces: new_ifaces,
            kind: type_type,
        }) = object_parts(new)
        else {
            return;
        };
        let (old_fields, old_ifaces, old_type_type) = match old.and_then(object_parts) {
            Some(o) => (o.fields, o.interfaces, o.kind),
            None => (&[][..], &[][..], type_type),
        };
        let is_new = old.is_none();
        let ifaces = compare_lists(old_ifaces, new_ifaces, String::as_str);
        for i in ifaces.removed {
            self.add(
                "OBJECT_TYPE_INTERFACE_REMOVED",
                format!("'{name}' object type no longer implements '{i}' interface"),
                name.to_owned(),
                Breaking,
                Some(INTERFACE_REMOVED),
            );
        }
        for i in ifaces.added {
            self.add(
                "OBJECT_TYPE_INTERFACE_ADDED",
                format!("'{name}' object implements '{i}' interface"),
                name.to_owned(),
                if is_new { Safe } else { Dangerous },
                Some(INTERFACE_ADDED),
            );
        }
        // Fields: removed, then added (each with its own changes), then in both.
        let find = |list: &[ast::Field<'_, String>], n: &str| list.iter().any(|f| f.name == n);
        for f in old_fields {
            if !find(new_fields, &f.name) {
                self.add(
                    "FIELD_REMOVED",
                    format!(
                        "Field '{}' was removed from {old_type_type} '{name}'",
                        f.name
                    ),
                    format!("{name}.{}", f.name),
                    Breaking,
                    Some(FIELD_REMOVED),
                );
            }
        }
        for f in new_fields {
            if !find(old_fields, &f.name) {
                self.add(
                    "FIELD_ADDED",
                    format!("Field '{}' was added to {type_type} '{name}'", f.name),
                    format!("{name}.{}", f.name),
                    Safe,
                    None,
                );
                self.changes_in_field(name, None, f);
            }
        }
        for o in old_fields {
            if let Some(n) = new_fields.iter().find(|n| n.name == o.name) {
                self.changes_in_field(name, Some(o), n);
            }
        }
    }

    fn changes_in_field<'a>(
        &mut self,
        type_name: &str,
        old: Option<&ast::Field<'a, String>>,
        new: &ast::Field<'a, String>,
    ) {
        let path = format!("{type_name}.{}", new.name);
        let (od, nd) = (
            old.and_then(|o| o.description.as_ref()),
            new.description.as_ref(),
        );
        if differs(od, nd) {
            match (od, nd) {
                (None, Some(n)) => self.add(
                    "FIELD_DESCRIPTION_ADDED",
                    format!("Field '{path}' has description '{}'", quoted(n)),
                    path.clone(),
                    Safe,
                    None,
                ),
                (_, None) => self.add(
                    "FIELD_DESCRIPTION_REMOVED",
                    format!("Description was removed from field '{path}'"),
                    path.clone(),
                    Safe,
                    None,
                ),
                (o, Some(n)) => self.add(
                    "FIELD_DESCRIPTION_CHANGED",
                    format!(
                        "Field '{path}' description changed from '{}' to '{}'",
                        quoted(o.map_or("", String::as_str)),
                        quoted(n)
                    ),
                    path.clone(),
                    Safe,
                    None,
                ),
            }
        }
        if let Some(o) = old
            && type_str(&o.field_type) != type_str(&new.field_type)
        {
            self.add(
                "FIELD_TYPE_CHANGED",
                format!(
                    "Field '{path}' changed type from '{}' to '{}'",
                    type_str(&o.field_type),
                    type_str(&new.field_type)
                ),
                path.clone(),
                if safe_for_field(&o.field_type, &new.field_type) {
                    Safe
                } else {
                    Breaking
                },
                None,
            );
        }
        let old_args: &[InputValue<'a>] = old.map_or(&[], |o| o.arguments.as_slice());
        let is_new = old.is_none();
        let args = compare_lists(old_args, &new.arguments, |a| a.name.as_str());
        for a in args.removed {
            self.add(
                "FIELD_ARGUMENT_REMOVED",
                format!(
                    "Argument '{}: {}' was removed from field '{path}'",
                    a.name,
                    type_str(&a.value_type)
                ),
                format!("{path}.{}", a.name),
                Breaking,
                None,
            );
        }
        for a in args.added {
            let has_default = a.default_value.is_some();
            let required = matches!(a.value_type, ast::Type::NonNullType(_)) && !has_default;
            self.add(
                "FIELD_ARGUMENT_ADDED",
                format!(
                    "Argument '{}: {}'{}added to field '{path}'",
                    a.name,
                    type_str(&a.value_type),
                    if has_default {
                        " (with default value) "
                    } else {
                        " "
                    }
                ),
                format!("{path}.{}", a.name),
                if is_new {
                    Safe
                } else if required {
                    Breaking
                } else {
                    Dangerous
                },
                None,
            );
        }
        for (o, n) in args.mutual {
            let (od, nd) = (o.description.as_ref(), n.description.as_ref());
            if !differs(od, nd) {
                continue;
            }
            let message = match (od, nd) {
                (None, Some(text)) => format!(
                    "Description '{}' was added to argument '{}' on field '{path}'",
                    quoted(text),
                    n.name
                ),
                (Some(text), None) => format!(
                    "Description '{}' was removed from argument '{}' on field '{path}'",
                    quoted(text),
                    n.name
                ),
                (o2, n2) => format!(
                    "Description for argument '{}' on field '{path}' changed from '{}' to '{}'",
                    n.name,
                    quoted(o2.map_or("", String::as_str)),
                    quoted(n2.map_or("", String::as_str))
                ),
            };
            self.add(
                "FIELD_ARGUMENT_DESCRIPTION_CHANGED",
                message,
                format!("{path}.{}", n.name),
                Safe,
                None,
            );
        }
    }

    fn changes_in_input<'a>(
        &mut self,
        name: &str,
        old: Option<&[InputValue<'a>]>,
        new: &[InputValue<'a>],
    ) {
        let is_new = old.is_none();
        let old = old.unwrap_or(&[]);
        let find = |list: &[InputValue<'_>], n: &str| list.iter().any(|f| f.name == n);
        for f in old {
            if !find(new, &f.name) {
                self.add(
                    "INPUT_FIELD_REMOVED",
                    format!(
                        "Input field '{}' was removed from input object type '{name}'",
                        f.name
                    ),
                    format!("{name}.{}", f.name),
                    Breaking,
                    Some(INPUT_FIELD_REMOVED),
                );
            }
        }
        for f in new {
            if find(old, &f.name) {
                continue;
            }
            let default = f.default_value.as_ref().map(default_str);
            let nullable = !matches!(f.value_type, ast::Type::NonNullType(_));
            let (level, reason) = if is_new {
                (Safe, INPUT_ADDED_NEW_TYPE)
            } else if nullable && default.is_none() {
                (Safe, INPUT_ADDED_NULLABLE)
            } else if default.is_none() {
                (Breaking, INPUT_ADDED_REQUIRED)
            } else {
                (Dangerous, INPUT_ADDED_DEFAULT)
            };
            self.add(
                "INPUT_FIELD_ADDED",
                format!(
                    "Input field '{}' of type '{}'{} was added to input object type '{name}'",
                    f.name,
                    type_str(&f.value_type),
                    default
                        .as_ref()
                        .filter(|d| !d.is_empty())
                        .map_or_else(String::new, |d| format!(" with default value '{d}'"))
                ),
                format!("{name}.{}", f.name),
                level,
                Some(reason),
            );
            self.changes_in_input_field(name, None, f);
        }
        for o in old {
            if let Some(n) = new.iter().find(|n| n.name == o.name) {
                self.changes_in_input_field(name, Some(o), n);
            }
        }
    }

    fn changes_in_input_field<'a>(
        &mut self,
        type_name: &str,
        old: Option<&InputValue<'a>>,
        new: &InputValue<'a>,
    ) {
        let path = format!("{type_name}.{}", new.name);
        let (od, nd) = (
            old.and_then(|o| o.description.as_ref()),
            new.description.as_ref(),
        );
        if differs(od, nd) {
            match (od, nd) {
                (None, Some(n)) => self.add(
                    "INPUT_FIELD_DESCRIPTION_ADDED",
                    format!("Input field '{path}' has description '{}'", quoted(n)),
                    path.clone(),
                    Safe,
                    None,
                ),
                (Some(o), None) => self.add(
                    "INPUT_FIELD_DESCRIPTION_REMOVED",
                    format!(
                        "Description '{}' was removed from input field '{path}'",
                        quoted(o)
                    ),
                    path.clone(),
                    Safe,
                    None,
                ),
                (o, n) => self.add(
                    "INPUT_FIELD_DESCRIPTION_CHANGED",
                    format!(
                        "Input field '{path}' description changed from '{}' to '{}'",
                        quoted(o.map_or("", String::as_str)),
                        quoted(n.map_or("", String::as_str))
                    ),
                    path.clone(),
                    Safe,
                    None,
                ),
            }
        }
        if let Some(o) = old
            && type_str(&o.value_type) != type_str(&new.value_type)
        {
            let safe = safe_for_input(&o.value_type, &new.value_type);
            self.add(
                "INPUT_FIELD_TYPE_CHANGED",
                format!(
                    "Input field '{path}' changed type from '{}' to '{}'",
                    type_str(&o.value_type),
                    type_str(&new.value_type)
                ),
                path,
                if safe { Safe } else { Breaking },
                Some(if safe {
                    INPUT_TYPE_SAFE
                } else {
                    INPUT_TYPE_BREAKING
                }),
            );
        }
    }

    fn changes_in_enum<'a>(
        &mut self,
        name: &str,
        old: Option<&[ast::EnumValue<'a, String>]>,
        new: &[ast::EnumValue<'a, String>],
    ) {
        let is_new = old.is_none();
        let values = compare_lists(old.unwrap_or(&[]), new, |v| v.name.as_str());
        for v in values.removed {
            self.add(
                "ENUM_VALUE_REMOVED",
                format!("Enum value '{}' was removed from enum '{name}'", v.name),
                format!("{name}.{}", v.name),
                Breaking,
                Some(ENUM_VALUE_REMOVED),
            );
        }
        for v in values.added {
            self.add(
                "ENUM_VALUE_ADDED",
                format!("Enum value '{}' was added to enum '{name}'", v.name),
                format!("{name}.{}", v.name),
                if is_new { Safe } else { Dangerous },
                (!is_new).then_some(ENUM_VALUE_ADDED),
            );
        }
    }

    fn changes_in_union(&mut self, name: &str, old: Option<&[String]>, new: &[String]) {
        let is_new = old.is_none();
        let members = compare_lists(old.unwrap_or(&[]), new, String::as_str);
        for m in members.removed {
            self.add(
                "UNION_MEMBER_REMOVED",
                format!("Member '{m}' was removed from Union type '{name}'"),
                name.to_owned(),
                Breaking,
                Some(UNION_MEMBER_REMOVED),
            );
        }
        for m in members.added {
            self.add(
                "UNION_MEMBER_ADDED",
                format!("Member '{m}' was added to Union type '{name}'"),
                name.to_owned(),
                if is_new { Safe } else { Dangerous },
                Some(UNION_MEMBER_ADDED),
            );
        }
    }
}

/// graphql-inspector's changes from `old` to `new` (SDL), unsimplified.
pub fn diff_verbose(old: &str, new: &str) -> Result<Vec<Change>, String> {
    let old: Doc<'_> =
        ast::parse_schema::<String>(old).map_err(|e| format!("the old schema: {e}"))?;
    let new: Doc<'_> =
        ast::parse_schema::<String>(new).map_err(|e| format!("the new schema: {e}"))?;
    let mut d = Differ { out: Vec::new() };
    let (old_types, new_types) = (types(&old), types(&new));
    let compared = compare_lists(&old_types, &new_types, |t| type_name(t));
    for t in compared.removed {
        let name = type_name(t);
        d.add(
            "TYPE_REMOVED",
            format!("Type '{name}' was removed"),
            name.to_owned(),
            Breaking,
            None,
        );
    }
    for t in compared.added {
        let name = type_name(t);
        d.add(
            "TYPE_ADDED",
            format!("Type '{name}' was added"),
            name.to_owned(),
            Safe,
            None,
        );
        d.changes_in_type(None, t);
    }
    for (o, n) in compared.mutual {
        d.changes_in_type(Some(o), n);
    }
    Ok(d.out)
}

/// The change types that only add something: what `simplifyChanges` lets hide the changes
/// under them.
const SIMPLE: [&str; 11] = [
    "ENUM_VALUE_ADDED",
    "FIELD_ADDED",
    "FIELD_ARGUMENT_ADDED",
    "FIELD_DESCRIPTION_ADDED",
    "INPUT_FIELD_ADDED",
    "INPUT_FIELD_DESCRIPTION_ADDED",
    "OBJECT_TYPE_INTERFACE_ADDED",
    "TYPE_ADDED",
    "TYPE_DESCRIPTION_ADDED",
    "UNION_MEMBER_ADDED",
    "FIELD_DEPRECATION_ADDED",
];

/// graphql-inspector's `simplifyChanges` (what its CLI shows by default): a change is left
/// out when an earlier addition has its path or its parent's.
pub fn simplify(changes: Vec<Change>) -> Vec<Change> {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    changes
        .into_iter()
        .filter(|c| {
            let parent = c.path.rsplit_once('.').map_or(c.path.as_str(), |(p, _)| p);
            let hidden = seen.contains(parent) || seen.contains(&c.path);
            if SIMPLE.contains(&c.kind) {
                seen.insert(c.path.clone());
            }
            !hidden
        })
        .collect()
}

/// What graphql-inspector's CLI reports from `old` to `new`.
pub fn diff(old: &str, new: &str) -> Result<Vec<Change>, String> {
    diff_verbose(old, new).map(simplify)
}
