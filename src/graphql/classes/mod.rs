//! Parse's class API: the root fields real Parse's GraphQL schema has beside the auth API,
//! generated from its classes and its schema (`class`, `classes`, `cloudConfig`, ...),
//! executed here over our own parsed document, because juniper holds only the auth API.
//!
//! The split: [`exec`] is graphql-js's execution (field collection, completion against the
//! pinned version's whole schema, null propagation, error paths); [`roots`] resolves each
//! root field's data from the store and the caller, as the pinned Parse's resolver does. An
//! operation runs here when every root field it names is one of [`OWN`] or of [`ALONG`], and
//! at least one is of [`OWN`]; any other goes to juniper as before.

mod exec;
mod roots;

use serde_json::{Map, Value as Json};

use crate::graphql::collect::Collector;
use crate::graphql::envelope::document::{Document, Operation, OperationKind, Selection};
use crate::graphql::introspection::RootAnswer;
use crate::graphql::schema::ApiError;
use crate::graphql::validation::schema::SchemaModel;
pub use exec::Executed;

/// Query root fields only this module executes.
const OWN: [&str; 3] = ["class", "classes", "cloudConfig"];
/// Root fields it executes too when they come with one of [`OWN`] (juniper's `health`, the
/// meta fields).
const ALONG: [&str; 4] = ["health", "__typename", "__schema", "__type"];

/// One root field to resolve, with its arguments' values.
pub struct RootField<'a> {
    pub name: &'a str,
    pub args: &'a Map<String, Json>,
}

/// The data of the class API's root fields, for one caller: JSON whose objects carry
/// `__typename` where the declared type is abstract, before any selection is applied.
pub trait Resolve {
    fn root(&self, field: &RootField<'_>) -> Result<Json, ApiError>;
}

/// Whether this module executes `op`: the root fields it names, through fragments and
/// whatever their directives say, are all its own or along, at least one its own.
pub fn serves(doc: &Document, op: &Operation) -> bool {
    if op.kind != OperationKind::Query {
        return false;
    }
    let mut names = Vec::new();
    let mut visited = Vec::new();
    root_names(doc, &op.selection, &mut names, &mut visited);
    names.iter().any(|n| OWN.contains(n))
        && names.iter().all(|n| OWN.contains(n) || ALONG.contains(n))
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
) -> Executed {
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
        fn root(&self, field: &RootField<'_>) -> Result<Json, ApiError> {
            match (field.name, field.args.get("name").and_then(Json::as_str)) {
                ("class", Some("_User")) => Ok(json!({
                    "name": "_User",
                    "schemaFields": [
                        {"__typename": "SchemaStringField", "name": "objectId"},
                        {"__typename": "SchemaPointerField", "name": "p", "targetClassName": "_User"},
                    ],
                })),
                ("class", Some(other)) => Err(ApiError::parse(
                    ErrorCode::InvalidClassName,
                    format!("Class {other} does not exist."),
                )),
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
        assert!(serves(&doc, op), "{text}");
        let variables = variables.and_then(|v| v.as_object().cloned());
        let out = execute(&schema, &doc, op, variables.as_ref(), None, &Fixed);
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
            serves(&doc, doc.select_operation(None).unwrap())
        };
        assert!(serves_text("{ health ...F } fragment F on Query { classes { name } }"));
        assert!(serves_text("{ class(name: \"x\") @skip(if: true) { name } }"));
        assert!(!serves_text("{ health }"));
        assert!(!serves_text("{ viewer { sessionToken } classes { name } }"));
        assert!(!serves_text("mutation { logOut(input: {}) { clientMutationId } }"));
    }
}
