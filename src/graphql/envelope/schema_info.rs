//! What graphql-js's validation messages need to know about the schema: field, argument and
//! input-field names in definition order (for "Did you mean" suggestions) and argument and
//! input types (to check literals as `ValuesOfCorrectTypeRule` does).
//!
//! Read once per process from the pinned schema's own introspection, so it always agrees with
//! what juniper validates against.

use std::collections::HashMap;

use serde_json::Value as Json;

/// The introspection query the envelope runs once to fill [`SchemaInfo`].
pub const INTROSPECTION_QUERY: &str = "{ __schema { types { name kind \
    fields(includeDeprecated: true) { name type { ...T } args { name type { ...T } defaultValue } } \
    inputFields { name type { ...T } defaultValue } \
    enumValues(includeDeprecated: true) { name } } } } \
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";

/// A type reference (`[String!]!`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn from_json(v: &Json) -> Option<TypeRef> {
        match v.get("kind")?.as_str()? {
            "NON_NULL" => Some(TypeRef::NonNull(Box::new(Self::from_json(
                v.get("ofType")?,
            )?))),
            "LIST" => Some(TypeRef::List(Box::new(Self::from_json(v.get("ofType")?)?))),
            _ => Some(TypeRef::Named(v.get("name")?.as_str()?.to_owned())),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    pub fn named(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(t) | TypeRef::NonNull(t) => t.named(),
        }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Named(n) => write!(f, "{n}"),
            TypeRef::List(t) => write!(f, "[{t}]"),
            TypeRef::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct InputField {
    pub name: String,
    pub ty: TypeRef,
    pub has_default: bool,
}

#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub ty: TypeRef,
    pub args: Vec<InputField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

#[derive(Debug, Clone)]
pub struct TypeInfo {
    pub kind: Kind,
    pub fields: Vec<FieldInfo>,
    pub input_fields: Vec<InputField>,
    pub enum_values: Vec<String>,
}

/// The schema facts graphql-js's messages need.
#[derive(Debug, Clone, Default)]
pub struct SchemaInfo {
    pub types: HashMap<String, TypeInfo>,
}

fn input_fields(list: Option<&Json>) -> Vec<InputField> {
    list.and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    Some(InputField {
                        name: a.get("name")?.as_str()?.to_owned(),
                        ty: TypeRef::from_json(a.get("type")?)?,
                        has_default: a.get("defaultValue").is_some_and(|d| !d.is_null()),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

impl SchemaInfo {
    /// The facts of a version's whole schema (what graphql-js coerces variables against).
    pub fn from_model(model: &crate::graphql::validation::schema::SchemaModel) -> SchemaInfo {
        use crate::graphql::validation::schema::Kind as K;
        let input = |v: &crate::graphql::validation::schema::InputValue| InputField {
            name: v.name.clone(),
            ty: v.ty.clone(),
            has_default: v.has_default(),
        };
        let types = model
            .types
            .iter()
            .map(|t| {
                let kind = match t.kind {
                    K::Scalar => Kind::Scalar,
                    K::Object => Kind::Object,
                    K::Interface => Kind::Interface,
                    K::Union => Kind::Union,
                    K::Enum => Kind::Enum,
                    K::InputObject => Kind::InputObject,
                };
                let info = TypeInfo {
                    kind,
                    fields: t
                        .fields
                        .iter()
                        .map(|f| FieldInfo {
                            name: f.name.clone(),
                            ty: f.ty.clone(),
                            args: f.args.iter().map(input).collect(),
                        })
                        .collect(),
                    input_fields: t.input_fields.iter().map(input).collect(),
                    enum_values: t.enum_values.clone(),
                };
                (t.name.clone(), info)
            })
            .collect();
        SchemaInfo { types }
    }

    /// Read the answer to [`INTROSPECTION_QUERY`] (the `data` object).
    pub fn from_introspection(data: &Json) -> SchemaInfo {
        let mut types = HashMap::new();
        let list = data
            .pointer("/__schema/types")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        for t in list {
            let Some(name) = t.get("name").and_then(Json::as_str) else {
                continue;
            };
            let kind = match t.get("kind").and_then(Json::as_str) {
                Some("OBJECT") => Kind::Object,
                Some("INTERFACE") => Kind::Interface,
                Some("UNION") => Kind::Union,
                Some("ENUM") => Kind::Enum,
                Some("INPUT_OBJECT") => Kind::InputObject,
                _ => Kind::Scalar,
            };
            let fields = t
                .get("fields")
                .and_then(Json::as_array)
                .map(|fs| {
                    fs.iter()
                        .filter_map(|f| {
                            Some(FieldInfo {
                                name: f.get("name")?.as_str()?.to_owned(),
                                ty: TypeRef::from_json(f.get("type")?)?,
                                args: input_fields(f.get("args")),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let enum_values = t
                .get("enumValues")
                .and_then(Json::as_array)
                .map(|vs| {
                    vs.iter()
                        .filter_map(|v| Some(v.get("name")?.as_str()?.to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            types.insert(
                name.to_owned(),
                TypeInfo {
                    kind,
                    fields,
                    input_fields: input_fields(t.get("inputFields")),
                    enum_values,
                },
            );
        }
        SchemaInfo { types }
    }

    pub fn field(&self, type_name: &str, field: &str) -> Option<&FieldInfo> {
        self.types
            .get(type_name)?
            .fields
            .iter()
            .find(|f| f.name == field)
    }

    pub fn field_names(&self, type_name: &str) -> Vec<&str> {
        self.types
            .get(type_name)
            .map(|t| t.fields.iter().map(|f| f.name.as_str()).collect())
            .unwrap_or_default()
    }
}
