//! Whole-schema introspection against the real thing: for each recorded version,
//! graphql-js's fullest introspection query of the release that version pins, executed by the
//! real parse-server on its own schema (fixtures/graphql-validate/<v>.introspection.json,
//! recorded by scripts/graphql-validate/record.cjs), must come out of parse-compat's
//! introspection executor byte for byte: every type, field, argument, default, description and
//! deprecation, in graphql-js's order.

use parse_compat::graphql::envelope::document;
use parse_compat::graphql::introspection;
use parse_compat::graphql::validation::schema::SchemaModel;
use parse_compat::version::Behavior;
use serde_json::Value as Json;

/// The first place two JSON values differ, as a JSON pointer with both sides.
fn first_difference(path: &str, expected: &Json, actual: &Json) -> Option<String> {
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            let ek: Vec<&String> = e.keys().collect();
            let ak: Vec<&String> = a.keys().collect();
            if ek != ak {
                return Some(format!("{path}: keys {ek:?} != {ak:?}"));
            }
            e.iter()
                .find_map(|(k, v)| first_difference(&format!("{path}/{k}"), v, &a[k]))
        }
        (Json::Array(e), Json::Array(a)) => {
            if e.len() != a.len() {
                let name = |v: &Json| v.get("name").cloned().unwrap_or(Json::Null);
                return Some(format!(
                    "{path}: {} items != {} ({:?} vs {:?})",
                    e.len(),
                    a.len(),
                    e.iter().map(name).collect::<Vec<_>>(),
                    a.iter().map(name).collect::<Vec<_>>()
                ));
            }
            e.iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (e, a))| first_difference(&format!("{path}/{i}"), e, a))
        }
        _ if expected == actual => None,
        _ => Some(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn check(version: &str) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "fixtures/graphql-validate/{version}.introspection.json"
    ));
    let recorded: Json =
        serde_json::from_str(&std::fs::read_to_string(file).expect("recorded")).expect("JSON");
    let query = recorded["query"].as_str().expect("the query");
    let expected = &recorded["result"]["data"];
    assert!(expected.is_object(), "{version}: real Parse answered data");

    let behavior = Behavior::parse(version).expect("a supported version");
    let schema = SchemaModel::for_behavior(&behavior);
    let doc = document::parse(query, behavior.graphql_js).expect("the query parses");
    let op = doc.select_operation(None).expect("one operation");
    let answer = introspection::answer_root(&schema, behavior.graphql_js, &doc, op, None);
    assert!(answer.introspects() && answer.is_whole(), "{version}");
    let actual = answer.data();
    if let Some(difference) = first_difference("", expected, &actual) {
        panic!("{version}: {difference}");
    }
}

macro_rules! introspection_tests {
    ($($name:ident => $v:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check($v);
            }
        )*
    };
}

introspection_tests! {
    introspection_3_7_2 => "3.7.2",
    introspection_3_8_0 => "3.8.0",
    introspection_3_9_0 => "3.9.0",
    introspection_3_10_0 => "3.10.0",
    introspection_4_2_0 => "4.2.0",
    introspection_4_4_0 => "4.4.0",
    introspection_4_5_2 => "4.5.2",
    introspection_5_6_0 => "5.6.0",
    introspection_6_5_11 => "6.5.11",
    introspection_7_5_4 => "7.5.4",
    introspection_8_6_94 => "8.6.94",
    introspection_9_10_0 => "9.10.0",
}
