//! graphql-js's execution of the introspection meta fields (`__schema`, `__type`) over the
//! pinned version's *whole* schema ([`SchemaModel`]): the types of Parse's default classes,
//! their inputs and enums, graphql-js's own introspection types and directives, each with its
//! description and deprecation, in the type-map order real Parse has. juniper only knows the
//! auth API, so it cannot answer these.
//!
//! Field collection, `@skip`/`@include`, fragments and aliases follow graphql-js's
//! `collectFields`; each meta type's fields resolve as graphql-js's `introspection` module of
//! the pinned major resolves them.

use serde_json::{Map, Value as Json};

use crate::graphql::collect::Collector;
use crate::graphql::envelope::document::{Document, Field, Operation};
use crate::graphql::envelope::schema_info::TypeRef;
use crate::graphql::validation::schema::{
    DirectiveDef, FieldDef, InputValue, Kind, Meta, SchemaModel, TypeDef,
};
use crate::version::GraphqlJs;

/// The root fields of one operation, as introspection sees them.
pub struct RootAnswer {
    /// Each response key in graphql-js's order, with its value when introspection answers
    /// it (`__schema`, `__type`, `__typename`); `None` for a field of the auth API.
    keys: Vec<(String, Option<Json>)>,
    introspected: bool,
}

impl RootAnswer {
    /// Whether any root field is `__schema` or `__type`.
    pub fn introspects(&self) -> bool {
        self.introspected
    }

    /// Whether every root field is answered here.
    pub fn is_whole(&self) -> bool {
        self.keys.iter().all(|(_, v)| v.is_some())
    }

    /// The whole `data` object, when every root field is answered here.
    pub fn data(self) -> Json {
        Json::Object(
            self.keys
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or(Json::Null)))
                .collect(),
        )
    }

    /// The value introspection answers under `key`, taken out.
    pub fn take(&mut self, key: &str) -> Option<Json> {
        self.keys
            .iter_mut()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.take())
    }

    /// `data` as another executor answered it, with the introspection fields put in.
    pub fn patch(self, mut data: Json) -> Json {
        if let Json::Object(map) = &mut data {
            for (key, value) in self.keys {
                if let Some(value) = value {
                    map.insert(key, value);
                }
            }
        }
        data
    }
}

/// Whether a document's text names `__schema` or `__type` (not counting `__typename`): a
/// cheap test that spares every other document [`answer_root`]'s walk.
pub fn may_introspect(text: &str) -> bool {
    text.contains("__schema")
        || text
            .match_indices("__type")
            .any(|(i, m)| !text[i + m.len()..].starts_with("name"))
}

/// The data a query's root introspection fields answer.
pub fn answer_root(
    schema: &SchemaModel,
    js: GraphqlJs,
    doc: &Document,
    op: &Operation,
    variables: Option<&Map<String, Json>>,
) -> RootAnswer {
    let exec = Exec {
        schema,
        js,
        fields: Collector {
            schema,
            doc,
            op,
            variables,
        },
    };
    let mut answer = RootAnswer {
        keys: Vec::new(),
        introspected: false,
    };
    for (key, fields) in exec
        .fields
        .collect(&schema.query, op.selection.iter().collect())
    {
        let first = fields[0];
        let value = match first.name.as_str() {
            "__typename" => Some(Json::String(schema.query.clone())),
            "__schema" => {
                answer.introspected = true;
                Some(exec.complete(Obj::Schema, &fields))
            }
            "__type" => {
                answer.introspected = true;
                let name = exec.fields.argument(first, "name");
                Some(
                    match name
                        .as_ref()
                        .and_then(Json::as_str)
                        .and_then(|n| schema.get(n))
                    {
                        Some(t) => exec.complete(Obj::Type(Ty::Def(t)), &fields),
                        None => Json::Null,
                    },
                )
            }
            _ => None,
        };
        answer.keys.push((key, value));
    }
    answer
}

/// An introspection object: what graphql-js's meta types resolve on.
#[derive(Clone, Copy)]
enum Obj<'s> {
    Schema,
    Type(Ty<'s>),
    Field(&'s FieldDef),
    Input(&'s InputValue),
    EnumValue(&'s str, &'s Meta),
    Directive(&'s DirectiveDef),
}

impl Obj<'_> {
    const fn type_name(&self) -> &'static str {
        match self {
            Self::Schema => "__Schema",
            Self::Type(_) => "__Type",
            Self::Field(_) => "__Field",
            Self::Input(_) => "__InputValue",
            Self::EnumValue(..) => "__EnumValue",
            Self::Directive(_) => "__Directive",
        }
    }
}

/// A type as `__Type` sees it: a named type of the schema, or a wrapper.
#[derive(Clone, Copy)]
enum Ty<'s> {
    Def(&'s TypeDef),
    Ref(&'s TypeRef),
}

/// What a meta field resolves to, before its selection is applied.
enum Out<'s> {
    Leaf(Json),
    One(Option<Obj<'s>>),
    Many(Option<Vec<Obj<'s>>>),
}

struct Exec<'s, 'd> {
    schema: &'s SchemaModel,
    js: GraphqlJs,
    fields: Collector<'s, 'd>,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Scalar => "SCALAR",
        Kind::Object => "OBJECT",
        Kind::Interface => "INTERFACE",
        Kind::Union => "UNION",
        Kind::Enum => "ENUM",
        Kind::InputObject => "INPUT_OBJECT",
    }
}

fn opt_string(s: Option<&str>) -> Json {
    s.map_or(Json::Null, |s| Json::String(s.to_owned()))
}

impl<'s, 'd> Exec<'s, 'd> {
    /// `includeDeprecated` as graphql-js reads it (default false; any truthy value counts).
    fn include_deprecated(&self, field: &Field) -> bool {
        match self.fields.argument(field, "includeDeprecated") {
            Some(Json::Bool(b)) => b,
            _ => false,
        }
    }

    /// Apply the fields under one response key to an object.
    fn complete(&self, obj: Obj<'s>, fields: &[&'d Field]) -> Json {
        let mut out = Map::new();
        for (key, group) in self.fields.collect_subfields(obj.type_name(), fields) {
            let value = self.resolve(obj, group[0]);
            let value = match value {
                Out::Leaf(v) => v,
                Out::One(None) | Out::Many(None) => Json::Null,
                Out::One(Some(o)) => self.complete(o, &group),
                Out::Many(Some(items)) => Json::Array(
                    items
                        .into_iter()
                        .map(|o| self.complete(o, &group))
                        .collect(),
                ),
            };
            out.insert(key, value);
        }
        Json::Object(out)
    }

    fn named_type(&self, name: &str) -> Option<Obj<'s>> {
        self.schema.get(name).map(|t| Obj::Type(Ty::Def(t)))
    }

    fn type_of(&self, ty: &'s TypeRef) -> Obj<'s> {
        match ty {
            TypeRef::Named(n) => self
                .schema
                .get(n)
                .map_or(Obj::Type(Ty::Ref(ty)), |t| Obj::Type(Ty::Def(t))),
            _ => Obj::Type(Ty::Ref(ty)),
        }
    }

    /// A filter on deprecated members: 14 filters on a truthy reason, 15+ on any reason.
    fn kept(&self, meta: &Meta, include_deprecated: bool) -> bool {
        include_deprecated
            || match self.js {
                GraphqlJs::V14 => meta.deprecation.as_deref().is_none_or(str::is_empty),
                GraphqlJs::V15 | GraphqlJs::V16 => meta.deprecation.is_none(),
            }
    }

    fn is_deprecated(&self, meta: &Meta) -> bool {
        match self.js {
            GraphqlJs::V14 => meta.deprecation.as_deref().is_some_and(|r| !r.is_empty()),
            GraphqlJs::V15 | GraphqlJs::V16 => meta.deprecation.is_some(),
        }
    }

    fn input_values(&self, values: &'s [InputValue], field: &Field) -> Out<'s> {
        // Deprecated arguments and input fields arrived with graphql-js 15.x's
        // `includeDeprecated` on them; 14 lists every one.
        let all = self.js == GraphqlJs::V14 || self.include_deprecated(field);
        Out::Many(Some(
            values
                .iter()
                .filter(|v| all || v.meta.deprecation.is_none())
                .map(Obj::Input)
                .collect(),
        ))
    }

    fn resolve(&self, obj: Obj<'s>, field: &'d Field) -> Out<'s> {
        if field.name == "__typename" {
            return Out::Leaf(Json::String(obj.type_name().to_owned()));
        }
        match obj {
            Obj::Schema => self.resolve_schema(field),
            Obj::Type(ty) => self.resolve_type(ty, field),
            Obj::Field(def) => match field.name.as_str() {
                "name" => Out::Leaf(Json::String(def.name.clone())),
                "description" => Out::Leaf(opt_string(def.meta.description.as_deref())),
                "args" => self.input_values(&def.args, field),
                "type" => Out::One(Some(self.type_of(&def.ty))),
                "isDeprecated" => Out::Leaf(Json::Bool(self.is_deprecated(&def.meta))),
                "deprecationReason" => Out::Leaf(opt_string(def.meta.deprecation.as_deref())),
                _ => Out::Leaf(Json::Null),
            },
            Obj::Input(def) => match field.name.as_str() {
                "name" => Out::Leaf(Json::String(def.name.clone())),
                "description" => Out::Leaf(opt_string(def.meta.description.as_deref())),
                "type" => Out::One(Some(self.type_of(&def.ty))),
                "defaultValue" => Out::Leaf(opt_string(def.default.as_deref())),
                "isDeprecated" => Out::Leaf(Json::Bool(self.is_deprecated(&def.meta))),
                "deprecationReason" => Out::Leaf(opt_string(def.meta.deprecation.as_deref())),
                _ => Out::Leaf(Json::Null),
            },
            Obj::EnumValue(name, meta) => match field.name.as_str() {
                "name" => Out::Leaf(Json::String(name.to_owned())),
                "description" => Out::Leaf(opt_string(meta.description.as_deref())),
                "isDeprecated" => Out::Leaf(Json::Bool(self.is_deprecated(meta))),
                "deprecationReason" => Out::Leaf(opt_string(meta.deprecation.as_deref())),
                _ => Out::Leaf(Json::Null),
            },
            Obj::Directive(def) => match field.name.as_str() {
                "name" => Out::Leaf(Json::String(def.name.clone())),
                "description" => Out::Leaf(opt_string(def.description.as_deref())),
                "isRepeatable" => Out::Leaf(Json::Bool(def.repeatable)),
                "locations" => Out::Leaf(Json::Array(
                    def.locations
                        .iter()
                        .map(|l| Json::String(l.clone()))
                        .collect(),
                )),
                "args" => self.input_values(&def.args, field),
                _ => Out::Leaf(Json::Null),
            },
        }
    }

    fn resolve_schema(&self, field: &Field) -> Out<'s> {
        match field.name.as_str() {
            "description" => Out::Leaf(Json::Null),
            "types" => Out::Many(Some(
                self.schema
                    .types
                    .iter()
                    .map(|t| Obj::Type(Ty::Def(t)))
                    .collect(),
            )),
            "queryType" => Out::One(self.named_type(&self.schema.query)),
            "mutationType" => Out::One(
                self.schema
                    .mutation
                    .as_deref()
                    .and_then(|m| self.named_type(m)),
            ),
            "subscriptionType" => Out::One(
                self.schema
                    .subscription
                    .as_deref()
                    .and_then(|m| self.named_type(m)),
            ),
            "directives" => Out::Many(Some(
                self.schema.directives.iter().map(Obj::Directive).collect(),
            )),
            _ => Out::Leaf(Json::Null),
        }
    }

    fn resolve_type(&self, ty: Ty<'s>, field: &Field) -> Out<'s> {
        let def = match ty {
            Ty::Def(def) => def,
            Ty::Ref(wrapper) => {
                return match (field.name.as_str(), wrapper) {
                    ("kind", TypeRef::NonNull(_)) => Out::Leaf(Json::from("NON_NULL")),
                    ("kind", TypeRef::List(_)) => Out::Leaf(Json::from("LIST")),
                    ("ofType", TypeRef::NonNull(inner) | TypeRef::List(inner)) => {
                        Out::One(Some(self.type_of(inner)))
                    }
                    // A named type the schema lacks cannot be referenced by a valid schema.
                    _ => Out::Leaf(Json::Null),
                };
            }
        };
        match field.name.as_str() {
            "kind" => Out::Leaf(Json::from(kind_name(def.kind))),
            "name" => Out::Leaf(Json::String(def.name.clone())),
            "description" => Out::Leaf(opt_string(def.description.as_deref())),
            "specifiedByURL" | "specifiedByUrl" => {
                Out::Leaf(opt_string(def.specified_by.as_deref()))
            }
            "fields" => match def.kind {
                Kind::Object | Kind::Interface => {
                    let all = self.include_deprecated(field);
                    Out::Many(Some(
                        def.fields
                            .iter()
                            .filter(|f| self.kept(&f.meta, all))
                            .map(Obj::Field)
                            .collect(),
                    ))
                }
                _ => Out::Many(None),
            },
            "interfaces" => match (def.kind, self.js) {
                (Kind::Object, _) | (Kind::Interface, GraphqlJs::V15 | GraphqlJs::V16) => {
                    Out::Many(Some(
                        def.interfaces
                            .iter()
                            .filter_map(|i| self.named_type(i))
                            .collect(),
                    ))
                }
                _ => Out::Many(None),
            },
            "possibleTypes" if def.is_abstract() => Out::Many(Some(
                self.schema
                    .possible_types(&def.name)
                    .iter()
                    .filter_map(|t| self.named_type(t))
                    .collect(),
            )),
            "enumValues" if def.kind == Kind::Enum => {
                let all = self.include_deprecated(field);
                Out::Many(Some(
                    def.enum_values
                        .iter()
                        .zip(&def.enum_meta)
                        .filter(|(_, meta)| self.kept(meta, all))
                        .map(|(name, meta)| Obj::EnumValue(name, meta))
                        .collect(),
                ))
            }
            "inputFields" if def.kind == Kind::InputObject => {
                let all = self.js == GraphqlJs::V14 || self.include_deprecated(field);
                Out::Many(Some(
                    def.input_fields
                        .iter()
                        .filter(|f| all || f.meta.deprecation.is_none())
                        .map(Obj::Input)
                        .collect(),
                ))
            }
            // No input type of Parse's schema is `@oneOf`.
            "isOneOf" if def.kind == Kind::InputObject => Out::Leaf(Json::Bool(false)),
            _ => Out::Leaf(Json::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::envelope::document;
    use crate::version::Behavior;

    fn answer(version: &str, query: &str, variables: Option<Json>) -> RootAnswer {
        let behavior = Behavior::parse(version).unwrap();
        let schema = SchemaModel::for_behavior(&behavior);
        let doc = document::parse(query, behavior.graphql_js).unwrap();
        let op = doc.select_operation(None).unwrap();
        let vars = variables.and_then(|v| v.as_object().cloned());
        answer_root(&schema, behavior.graphql_js, &doc, op, vars.as_ref())
    }

    #[test]
    fn fragments_aliases_and_directives_shape_the_answer() {
        let q = r#"query Q($skip: Boolean!, $t: String = "Role") {
            a: __type(name: $t) { ...F kind @skip(if: $skip) }
            b: __type(name: "NoSuchType") { name }
            __typename
            ... on Query { c: __schema { queryType { name } } }
        }
        fragment F on __Type { name __typename ofType { name } }"#;
        let a = answer("9.10.0", q, Some(serde_json::json!({"skip": true})));
        assert!(a.introspects() && a.is_whole());
        assert_eq!(
            a.data(),
            serde_json::json!({
                "a": {"name": "Role", "__typename": "__Type", "ofType": null},
                "b": null,
                "__typename": "Query",
                "c": {"queryType": {"name": "Query"}}
            })
        );
    }

    #[test]
    fn only_documents_naming_the_meta_fields_are_walked() {
        assert!(!may_introspect("{ viewer { user { id } } __typename }"));
        assert!(may_introspect(
            "{ __typename __type(name: \"A\") { name } }"
        ));
        assert!(may_introspect("{ __schema { types { name } } }"));
        assert!(may_introspect(
            "{ __typename } fragment F on Query { __type(name: \"A\") { name } }"
        ));
    }

    #[test]
    fn wrappers_unwrap_to_the_named_type() {
        let q =
            r#"{ __type(name: "Query") { fields { name type { kind ofType { kind name } } } } }"#;
        let data = answer("9.10.0", q, None).data();
        let fields = data["__type"]["fields"].as_array().unwrap();
        let health = fields.iter().find(|f| f["name"] == "health").unwrap();
        assert_eq!(
            health["type"],
            serde_json::json!({"kind": "NON_NULL", "ofType": {"kind": "SCALAR", "name": "Boolean"}})
        );
    }

    #[test]
    fn a_root_field_of_the_auth_api_is_left_to_the_executor() {
        let a = answer("9.10.0", "{ health __type(name: \"ID\") { kind } }", None);
        assert!(a.introspects() && !a.is_whole());
        let data = a.patch(serde_json::json!({"health": true, "__type": null}));
        assert_eq!(
            data,
            serde_json::json!({"health": true, "__type": {"kind": "SCALAR"}})
        );
        assert!(!answer("9.10.0", "{ health __typename }", None).introspects());
    }

    #[test]
    fn interfaces_of_an_interface_arrived_in_graphql_js_15() {
        let q = r#"{ __type(name: "Node") { interfaces { name } } }"#;
        assert_eq!(
            answer("3.10.0", q, None).data()["__type"]["interfaces"],
            Json::Null
        );
        assert_eq!(
            answer("4.2.0", q, None).data()["__type"]["interfaces"],
            serde_json::json!([])
        );
    }

    #[test]
    fn deprecated_members_are_listed_only_when_asked() {
        let model = SchemaModel::build(
            "type Query { a: Int @deprecated(reason: \"use b\") b: Int c: Int @deprecated }",
            include_str!("../../assets/graphql-js/16.13.2.graphql"),
            None,
        )
        .unwrap();
        let run = |q: &str| {
            let doc = document::parse(q, GraphqlJs::V16).unwrap();
            let op = doc.select_operation(None).unwrap();
            answer_root(&model, GraphqlJs::V16, &doc, op, None).data()
        };
        let shown = run(r#"{ __type(name: "Query") { fields { name } } }"#);
        assert_eq!(
            shown["__type"]["fields"],
            serde_json::json!([{"name": "b"}])
        );
        let all = run(
            r#"{ __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }"#,
        );
        assert_eq!(
            all["__type"]["fields"],
            serde_json::json!([
                {"name": "a", "isDeprecated": true, "deprecationReason": "use b"},
                {"name": "b", "isDeprecated": false, "deprecationReason": null},
                {"name": "c", "isDeprecated": true, "deprecationReason": "No longer supported"}
            ])
        );
    }
}
