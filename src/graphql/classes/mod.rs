//! Parse's class API: the root fields real Parse's GraphQL schema has beside the auth API,
//! generated from its classes and its schema (`class`, `classes`, `cloudConfig`, ...),
//! executed here over our own parsed document, because juniper holds only the auth API.
//!
//! The split: [`exec`] is graphql-js's execution (field collection, completion against the
//! pinned version's whole schema, null propagation, error paths); [`roots`] resolves each
//! root field's data as the pinned Parse's resolver does, through the same REST handlers
//! parse-compat's REST API answers with (Parse's resolvers call its REST layer too). An
//! operation runs here when every root field it names is the class API's or one of [`ALONG`],
//! and at least one is the class API's; any other goes to juniper as before. What a resolver
//! cannot answer as the pinned Parse would ([`Failure::Unmodelled`]) makes the whole
//! operation answer that it needs `--upstream`, rather than answer unlike Parse.

mod exec;
mod find;
mod generic;
mod keys;
mod roots;

use serde_json::{Map, Value as Json};

use crate::graphql::collect::Collector;
use crate::graphql::envelope::document::{Document, Operation, OperationKind, Selection};
use crate::graphql::introspection::RootAnswer;
use crate::graphql::schema::ApiError;
use crate::graphql::validation::schema::SchemaModel;
use crate::version::{ApiGeneration, Behavior};
pub use exec::{Declined, Executed};

/// Query root fields only this module executes: the schema and config queries ...
const SCHEMA_QUERIES: [&str; 3] = ["class", "classes", "cloudConfig"];
/// ... and the object queries of the default classes, where their keys are modelled, with
/// 3.8's generic `get` and `find` (of any class).
const OBJECT_QUERIES: [&str; 9] = [
    "user", "session", "role", "node", "users", "sessions", "roles", "get", "find",
];
/// Root fields it executes too when they come with one of [`OWN`] (juniper's `health`, the
/// meta fields).
const ALONG: [&str; 4] = ["health", "__typename", "__schema", "__type"];
/// The mutations of the default classes modelled here (3.8's generic `delete` too), and the
/// call of a Cloud Code function (none is defined here: see [`roots`]).
const MUTATIONS: [&str; 5] = [
    "deleteUser",
    "deleteSession",
    "deleteRole",
    "delete",
    "callCloudCode",
];
/// 3.7's namespaces executed here: `objects` of the query and of the mutation type, and
/// `functions`, whose resolvers answer an empty object; their fields are resolved as root
/// fields are (the `users` namespace of the auth API stays juniper's).
pub(super) const NAMESPACES: [&str; 3] = ["ObjectsQuery", "ObjectsMutation", "FunctionsMutation"];

/// One root field to resolve, with its arguments' values (as graphql-js coerced them: input
/// objects in their type's field order, `Date`s as Parse's date objects) and the leaf paths
/// selected under it (graphql-list-fields' `getFieldNames`).
pub struct RootField<'a> {
    pub name: &'a str,
    pub args: &'a Map<String, Json>,
    pub selected: &'a [String],
}

/// Why a root field has no data.
#[derive(Debug)]
pub enum Failure {
    /// Parse's resolver fails with this error.
    Parse(ApiError),
    /// What the pinned Parse answers here is not modelled.
    Unmodelled,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self::Parse(error)
    }
}

impl From<crate::error::ParseError> for Failure {
    fn from(error: crate::error::ParseError) -> Self {
        Self::Parse(ApiError::from(error))
    }
}

/// The data of the class API's root fields, for one caller: JSON whose objects carry
/// `__typename` where the declared type is abstract, before any selection is applied.
pub trait Resolve {
    fn root(&self, field: &RootField<'_>) -> Result<Json, Failure>;
}

/// Whether `name` is a root field of the class API this version executes here: the object
/// queries of the default classes from 3.8, 3.7's `objects` namespace before.
fn own(behavior: &Behavior, name: &str) -> bool {
    SCHEMA_QUERIES.contains(&name)
        || match behavior.generation {
            ApiGeneration::V3_7 => name == "objects",
            ApiGeneration::V3_8
            | ApiGeneration::V3_9
            | ApiGeneration::V3_10
            | ApiGeneration::V4_0
            | ApiGeneration::V4_5
            | ApiGeneration::V5
            | ApiGeneration::V6
            | ApiGeneration::V8 => OBJECT_QUERIES.contains(&name),
        }
}

/// Whether this module executes `op`: the root fields it names, through fragments and
/// whatever their directives say, are all its own or along, at least one its own.
pub fn serves(behavior: &Behavior, doc: &Document, op: &Operation) -> bool {
    let mut names = Vec::new();
    let mut visited = Vec::new();
    root_names(doc, &op.selection, &mut names, &mut visited);
    match op.kind {
        OperationKind::Query => {
            names.iter().any(|n| own(behavior, n))
                && names.iter().all(|n| own(behavior, n) || ALONG.contains(n))
        }
        OperationKind::Mutation => {
            let own_mutation = |n: &str| match behavior.generation {
                ApiGeneration::V3_7 => n == "objects" || n == "functions",
                _ => MUTATIONS.contains(&n),
            };
            names.iter().any(|n| own_mutation(n))
                && names.iter().all(|n| own_mutation(n) || *n == "__typename")
        }
        OperationKind::Subscription => false,
    }
}

fn root_names<'d>(
    doc: &'d Document,
    selections: &'d [Selection],
    names: &mut Vec<&'d str>,
    visited: &mut Vec<&'d str>,
) {
    for selection in selections {
        match selection {
            Selection::Field(f) => names.push(&f.name),
            Selection::Inline { selection, .. } => root_names(doc, selection, names, visited),
            Selection::Spread { name, .. } => {
                if visited.contains(&name.as_str()) {
                    continue;
                }
                visited.push(name);
                if let Some(fragment) = doc.fragments.iter().find(|f| &f.name == name) {
                    root_names(doc, &fragment.selection, names, visited);
                }
            }
        }
    }
}

/// Execute `op` (one [`serves`] accepted), with introspection's answer to its meta fields.
pub fn execute(
    schema: &SchemaModel,
    doc: &Document,
    op: &Operation,
    variables: Option<&Map<String, Json>>,
    introspection: Option<RootAnswer>,
    resolver: &dyn Resolve,
) -> Result<Executed, Declined> {
    let fields = Collector {
        schema,
        doc,
        op,
        variables,
    };
    exec::Engine::new(fields).run(resolver, introspection)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ErrorCode;
    use crate::graphql::envelope::document;
    use crate::version::Behavior;

    /// Answers `class` with a fixed class (or a missing-class error), `classes` with a list
    /// whose second item lacks its non-null `name`.
    struct Fixed;

    impl Resolve for Fixed {
        fn root(&self, field: &RootField<'_>) -> Result<Json, Failure> {
            match (field.name, field.args.get("name").and_then(Json::as_str)) {
                ("class", Some("_User")) => Ok(json!({
                    "name": "_User",
                    "schemaFields": [
                        {"__typename": "SchemaStringField", "name": "objectId"},
                        {"__typename": "SchemaPointerField", "name": "p", "targetClassName": "_User"},
                    ],
                })),
                ("class", Some(other)) => Err(Failure::Parse(ApiError::parse(
                    ErrorCode::InvalidClassName,
                    format!("Class {other} does not exist."),
                ))),
                ("node", _) => Err(Failure::Unmodelled),
                ("classes", _) => Ok(json!([{"name": "_User"}, {"schemaFields": []}])),
                ("health", _) => Ok(json!(true)),
                _ => Ok(json!({"value": null, "isMasterKeyOnly": null})),
            }
        }
    }

    fn run(version: &str, text: &str, variables: Option<Json>) -> (Json, Vec<Json>) {
        let behavior = Behavior::parse(version).unwrap();
        let schema = SchemaModel::for_behavior(&behavior);
        let doc = document::parse(text, behavior.graphql_js).unwrap();
        let op = doc.select_operation(None).unwrap();
        assert!(serves(&behavior, &doc, op), "{text}");
        let variables = variables.and_then(|v| v.as_object().cloned());
        let out = execute(&schema, &doc, op, variables.as_ref(), None, &Fixed).unwrap();
        (out.data, out.errors)
    }

    #[test]
    fn selections_follow_the_runtime_type_of_each_item() {
        let (data, errors) = run(
            "9.10.0",
            "query($v: String!) { c: class(name: $v) { name f: schemaFields { __typename \
             ... on SchemaPointerField { targetClassName } ...F } } health __typename }
             fragment F on SchemaField { name @skip(if: true) }",
            Some(json!({"v": "_User"})),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            data,
            json!({"c": {"name": "_User", "f": [
                {"__typename": "SchemaStringField"},
                {"__typename": "SchemaPointerField", "targetClassName": "_User"},
            ]}, "health": true, "__typename": "Query"})
        );
    }

    // A resolver error on a non-null root field nulls `data`, located at the field.
    #[test]
    fn a_failed_non_null_root_field_nulls_data() {
        let (data, errors) = run(
            "4.4.0",
            "{ health\n  x: class(name: \"Nope\") { name } }",
            None,
        );
        assert_eq!(data, Json::Null);
        assert_eq!(
            errors,
            vec![json!({
                "message": "Class Nope does not exist.",
                "locations": [{"line": 2, "column": 3}],
                "path": ["x"],
                "extensions": {"code": 103},
            })]
        );
    }

    // graphql-js locates a field's error at every node merged under its response key
    // (recorded: graphql-diff 6.5.11 mut.fieldConflict.6).
    #[test]
    fn an_error_is_located_at_every_merged_node() {
        let (_, errors) = run(
            "6.5.11",
            "{ x: class(name: \"N\") { name } x: class(name: \"N\") { name } }",
            None,
        );
        assert_eq!(
            errors[0]["locations"],
            json!([{"line": 1, "column": 3}, {"line": 1, "column": 32}])
        );
    }

    // A missing non-null leaf is graphql-js's own error, and the null climbs to `data`
    // through the non-null list and its non-null items.
    #[test]
    fn a_null_for_a_non_null_field_climbs_to_the_nearest_nullable_parent() {
        let (data, errors) = run("5.6.0", "{ classes { name } }", None);
        assert_eq!(data, Json::Null);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0]["message"],
            "Cannot return null for non-nullable field Class.name."
        );
        assert_eq!(errors[0]["path"], json!(["classes", 1, "name"]));
    }

    #[test]
    fn only_operations_naming_the_class_api_run_here() {
        let behavior = Behavior::parse("9.10.0").unwrap();
        let serves_text = |text: &str| {
            let doc = document::parse(text, behavior.graphql_js).unwrap();
            serves(&behavior, &doc, doc.select_operation(None).unwrap())
        };
        assert!(serves_text(
            "{ health ...F } fragment F on Query { classes { name } }"
        ));
        assert!(serves_text(
            "{ class(name: \"x\") @skip(if: true) { name } }"
        ));
        assert!(!serves_text("{ health }"));
        assert!(!serves_text("{ viewer { sessionToken } classes { name } }"));
        assert!(!serves_text(
            "mutation { logOut(input: {}) { clientMutationId } }"
        ));
        assert!(serves_text("{ node(id: \"x\") { id } }"));
        // the delete mutations, alone or with `__typename`; never beside an auth mutation
        assert!(serves_text(
            "mutation { deleteRole(input: {id: \"x\"}) { clientMutationId } __typename }"
        ));
        assert!(!serves_text(
            "mutation { deleteRole(input: {id: \"x\"}) { clientMutationId } \
             logOut(input: {}) { clientMutationId } }"
        ));
        // Object queries run here from 3.8; 3.7 keeps them under `objects`.
        let object_query = |version: &str| {
            let b = Behavior::parse(version).unwrap();
            let doc = document::parse("{ user(id: \"x\") { id } }", b.graphql_js).unwrap();
            serves(&b, &doc, doc.select_operation(None).unwrap())
        };
        assert!(object_query("4.4.0") && object_query("3.9.0"));
        let b = Behavior::parse("3.7.2").unwrap();
        let serves_3_7 = |text: &str| {
            let doc = document::parse(text, b.graphql_js).unwrap();
            serves(&b, &doc, doc.select_operation(None).unwrap())
        };
        assert!(serves_3_7("{ objects { find_User { count } } health }"));
        assert!(serves_3_7(
            "mutation { objects { delete_Role(objectId: \"x\") } }"
        ));
        // the auth API's namespace stays juniper's
        assert!(!serves_3_7(
            "{ objects { find_User { count } } users { me { objectId } } }"
        ));
        assert!(!serves_3_7("mutation { users { logOut } }"));
    }

    // What a resolver cannot answer as Parse would declines the whole operation.
    #[test]
    fn an_unmodelled_root_field_declines_the_operation() {
        let behavior = Behavior::parse("9.10.0").unwrap();
        let schema = SchemaModel::for_behavior(&behavior);
        let doc = document::parse(
            "{ health\n n: node(id: \"x\") { id } }",
            behavior.graphql_js,
        )
        .unwrap();
        let op = doc.select_operation(None).unwrap();
        let declined = execute(&schema, &doc, op, None, None, &Fixed).unwrap_err();
        assert_eq!(
            (declined.field.as_str(), declined.location),
            ("node", (2, 2))
        );
    }

    // Parse's Date scalar serializes a stored date object as its `iso`.
    #[test]
    fn dates_serialize_as_their_iso_text() {
        assert_eq!(
            exec::serialize(
                "Date",
                json!({"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"})
            ),
            json!("2020-01-01T00:00:00.000Z")
        );
        assert_eq!(exec::serialize("String", json!({"a": 1})), json!({"a": 1}));
    }
}
