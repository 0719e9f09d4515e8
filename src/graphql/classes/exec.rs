//! graphql-js's `execute` for an operation whose root fields the class API resolves: each
//! root field's data is completed against the field's declared type in the pinned version's
//! whole schema, as graphql-js's `completeValue` does it: selection sets collected per runtime
//! type (`__typename` of the data, else the declared type), `__typename` answered, lists
//! mapped, and a null where the schema promises non-null turned into an error that nulls the
//! nearest nullable parent (or `data` itself).

use serde_json::{Map, Value as Json, json};

use super::{Failure, NAMESPACES, Resolve, RootField};
use crate::graphql::collect::Collector;
use crate::graphql::envelope::document::{Field, OperationKind, Selection};
use crate::graphql::envelope::schema_info::TypeRef;
use crate::graphql::introspection::RootAnswer;
use crate::graphql::schema::ApiError;
use crate::graphql::validation::schema::{InputValue, Kind};

/// A null that must reach the nearest nullable parent (its error is already recorded).
struct Bubble;

/// A root field whose answer is not modelled: the operation is not executed here.
#[derive(Debug)]
pub struct Declined {
    pub field: String,
    pub location: (usize, usize),
}

/// The `data` and `errors` of one executed operation.
#[derive(Debug)]
pub struct Executed {
    pub data: Json,
    pub errors: Vec<Json>,
}

pub(super) struct Engine<'s, 'd> {
    pub(super) fields: Collector<'s, 'd>,
    errors: Vec<Json>,
}

/// graphql-js's `locatedError` of a field: every node merged under its response key.
fn locations(fields: &[&Field]) -> Json {
    fields
        .iter()
        .map(|f| json!({ "line": f.start.line, "column": f.start.column }))
        .collect()
}

impl<'s, 'd> Engine<'s, 'd> {
    pub(super) fn new(fields: Collector<'s, 'd>) -> Self {
        Self {
            fields,
            errors: Vec::new(),
        }
    }

    /// Run the operation's root fields (of the query or mutation type) in order: a
    /// mutation's one after the other, as graphql-js runs them.
    pub(super) fn run(
        mut self,
        resolver: &dyn Resolve,
        mut introspection: Option<RootAnswer>,
    ) -> Result<Executed, Declined> {
        let schema = self.fields.schema;
        let root_type = match self.fields.op.kind {
            OperationKind::Mutation => schema.mutation.as_deref().unwrap_or("Mutation"),
            OperationKind::Query | OperationKind::Subscription => schema.query.as_str(),
        };
        let selections: Vec<&'d Selection> = self.fields.op.selection.iter().collect();
        let mut data = Map::new();
        let mut bubbled = false;
        for (key, group) in self.fields.collect(root_type, selections) {
            let field = group[0];
            let mut path = vec![Json::String(key.clone())];
            let value = match field.name.as_str() {
                "__typename" => Ok(Json::String(root_type.to_owned())),
                "__schema" | "__type" => Ok(introspection
                    .as_mut()
                    .and_then(|answer| answer.take(&key))
                    .unwrap_or(Json::Null)),
                _ => match self.resolve(resolver, root_type, &group, &mut path)? {
                    Some(value) => value,
                    None => continue,
                },
            };
            match value {
                Ok(v) => {
                    data.insert(key, v);
                }
                Err(Bubble) => bubbled = true,
            }
        }
        Ok(Executed {
            data: if bubbled {
                Json::Null
            } else {
                Json::Object(data)
            },
            errors: self.errors,
        })
    }

    /// A field the resolver answers (a root field, or a field of a namespace), completed
    /// against its declared type and caught as its parent sees it; `None` for a field the
    /// parent type lacks.
    fn resolve(
        &mut self,
        resolver: &dyn Resolve,
        parent: &str,
        group: &[&'d Field],
        path: &mut Vec<Json>,
    ) -> Result<Option<Result<Json, Bubble>>, Declined> {
        let schema = self.fields.schema;
        let field = group[0];
        let Some(def) = schema.get(parent).and_then(|t| t.field(&field.name)) else {
            return Ok(None);
        };
        if NAMESPACES.contains(&def.ty.named()) {
            let completed = self.namespace(resolver, def.ty.named(), group, path)?;
            return Ok(Some(caught(&def.ty, completed)));
        }
        let args = self.arguments(field, &def.args);
        let selected = self.fields.leaf_paths(group);
        let resolved = resolver.root(&RootField {
            name: &field.name,
            args: &args,
            selected: &selected,
        });
        let completed = match resolved {
            Ok(raw) => self.complete(&def.ty, raw, group, parent, path),
            Err(Failure::Parse(error)) => {
                self.error(&error, group, path);
                Err(Bubble)
            }
            Err(Failure::Unmodelled) => {
                return Err(Declined {
                    field: field.name.clone(),
                    location: (field.start.line, field.start.column),
                });
            }
        };
        Ok(Some(caught(&def.ty, completed)))
    }

    /// A namespace's object (3.7's `objects`, whose resolver answers `{}`): each of its fields
    /// resolved as a root field is, in the document's order.
    fn namespace(
        &mut self,
        resolver: &dyn Resolve,
        ty: &str,
        group: &[&'d Field],
        path: &mut Vec<Json>,
    ) -> Result<Result<Json, Bubble>, Declined> {
        let mut out = Map::new();
        for (key, fields) in self.fields.collect_subfields(ty, group) {
            if fields[0].name == "__typename" {
                out.insert(key, Json::String(ty.to_owned()));
                continue;
            }
            path.push(Json::String(key.clone()));
            let value = self.resolve(resolver, ty, &fields, path)?;
            path.pop();
            match value {
                Some(Ok(v)) => {
                    out.insert(key, v);
                }
                Some(Err(Bubble)) => return Ok(Err(Bubble)),
                None => {}
            }
        }
        Ok(Ok(Json::Object(out)))
    }

    /// Every argument the field was given, with variables put in (graphql-js leaves out an
    /// argument whose variable was not provided and has no default), coerced to its type.
    fn arguments(&self, field: &Field, defs: &[InputValue]) -> Map<String, Json> {
        field
            .arguments
            .iter()
            .filter_map(|a| {
                let value = self.fields.value(a)?;
                let value = match defs.iter().find(|d| d.name == a.name) {
                    Some(def) => self.coerce(&def.ty, value),
                    None => value,
                };
                Some((a.name.clone(), value))
            })
            .collect()
    }

    /// graphql-js's input coercion as far as Parse's resolvers can tell: an input object's
    /// fields in its type's order, a single value where a list is expected wrapped in one, and
    /// Parse's `Date` scalar giving a date object.
    fn coerce(&self, ty: &TypeRef, value: Json) -> Json {
        match (ty, value) {
            (_, Json::Null) => Json::Null,
            (TypeRef::NonNull(inner), v) => self.coerce(inner, v),
            (TypeRef::List(inner), Json::Array(items)) => {
                Json::Array(items.into_iter().map(|v| self.coerce(inner, v)).collect())
            }
            (TypeRef::List(inner), v) => Json::Array(vec![self.coerce(inner, v)]),
            (TypeRef::Named(name), v) => match self.fields.schema.get(name) {
                Some(def) if def.kind == Kind::InputObject => {
                    let Json::Object(mut given) = v else {
                        return v;
                    };
                    let mut out = Map::new();
                    for field in &def.input_fields {
                        if let Some(v) = given.shift_remove(&field.name) {
                            out.insert(field.name.clone(), self.coerce(&field.ty, v));
                        }
                    }
                    Json::Object(out)
                }
                _ if name == "Date" => match v {
                    Json::String(iso) => json!({ "__type": "Date", "iso": iso }),
                    other => other,
                },
                _ => v,
            },
        }
    }

    fn error(&mut self, error: &ApiError, fields: &[&Field], path: &[Json]) {
        self.errors.push(json!({
            "message": error.message,
            "locations": locations(fields),
            "path": path,
            "extensions": error.extensions(),
        }));
    }

    /// graphql-js `completeValue` of `value` for the fields under one response key.
    fn complete(
        &mut self,
        ty: &TypeRef,
        value: Json,
        fields: &[&'d Field],
        parent: &str,
        path: &mut Vec<Json>,
    ) -> Result<Json, Bubble> {
        match ty {
            TypeRef::NonNull(inner) => {
                let completed = self.complete(inner, value, fields, parent, path)?;
                if completed.is_null() {
                    let message = format!(
                        "Cannot return null for non-nullable field {parent}.{}.",
                        fields[0].name
                    );
                    self.errors.push(json!({
                        "message": message,
                        "locations": locations(fields),
                        "path": path,
                    }));
                    return Err(Bubble);
                }
                Ok(completed)
            }
            _ if value.is_null() => Ok(Json::Null),
            TypeRef::List(inner) => {
                let Json::Array(items) = value else {
                    return Ok(Json::Null);
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    path.push(Json::from(i));
                    let completed = self.complete(inner, item, fields, parent, path);
                    path.pop();
                    out.push(caught(inner, completed)?);
                }
                Ok(Json::Array(out))
            }
            TypeRef::Named(name) => {
                let schema = self.fields.schema;
                match schema.get(name).map(|t| t.kind) {
                    Some(Kind::Object | Kind::Interface | Kind::Union) => {
                        let runtime = value
                            .get("__typename")
                            .and_then(Json::as_str)
                            .unwrap_or(name)
                            .to_owned();
                        self.complete_object(&runtime, value, fields, path)
                    }
                    _ => Ok(serialize(name, value)),
                }
            }
        }
    }

    fn complete_object(
        &mut self,
        runtime: &str,
        value: Json,
        fields: &[&'d Field],
        path: &mut Vec<Json>,
    ) -> Result<Json, Bubble> {
        let schema = self.fields.schema;
        let mut out = Map::new();
        for (key, group) in self.fields.collect_subfields(runtime, fields) {
            let field = group[0];
            if field.name == "__typename" {
                out.insert(key, Json::String(runtime.to_owned()));
                continue;
            }
            let Some(def) = schema.get(runtime).and_then(|t| t.field(&field.name)) else {
                continue;
            };
            // Cloned: aliases may select one field under several keys.
            let raw = value.get(&field.name).cloned().unwrap_or(Json::Null);
            path.push(Json::String(key.clone()));
            let completed = self.complete(&def.ty, raw, &group, runtime, path);
            path.pop();
            out.insert(key, caught(&def.ty, completed)?);
        }
        Ok(Json::Object(out))
    }
}

/// A leaf's value as its scalar serializes it: Parse's `Date` gives the `iso` of a stored
/// date object.
pub(super) fn serialize(scalar: &str, value: Json) -> Json {
    match (scalar, &value) {
        ("Date", Json::Object(m)) if m.get("__type").and_then(Json::as_str) == Some("Date") => {
            m.get("iso").cloned().unwrap_or(Json::Null)
        }
        _ => value,
    }
}

/// A field's completion as its parent sees it: a nullable field turns a bubbling null into
/// its own null; a non-null one passes it on.
fn caught(ty: &TypeRef, completed: Result<Json, Bubble>) -> Result<Json, Bubble> {
    match completed {
        Err(Bubble) if !ty.is_non_null() => Ok(Json::Null),
        other => other,
    }
}
