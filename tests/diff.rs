//! `parse-compat diff`: its schema part equals graphql-inspector's diff of the real SDL of
//! every recorded pair of Parse versions (fixtures/schema-diff, recorded with
//! `@graphql-inspector/core` 8.0.0: the library's list, and under `simplified/` what its CLI
//! shows), change by change and in order; its behaviour part is the version table's.

mod common;

use common::run_binary;
use parse_compat::diff::schema::{Change, diff, diff_verbose};
use serde_json::Value;

fn sdl(version: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/fixtures/schema/{version}.graphql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the SDL is recorded")
}

/// Only what the Rust side models: `meta` is the library's own.
fn comparable(v: &Value) -> Value {
    let mut c = serde_json::json!({
        "type": v["type"],
        "message": v["message"],
        "path": v["path"],
        "criticality": {"level": v["criticality"]["level"]},
    });
    if let Some(reason) = v["criticality"].get("reason") {
        c["criticality"]["reason"] = reason.clone();
    }
    c
}

fn check_dir(sub: &str, run: fn(&str, &str) -> Result<Vec<Change>, String>) -> usize {
    let dir = format!("{}/fixtures/schema-diff/{sub}", env!("CARGO_MANIFEST_DIR"));
    let mut files = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the recordings exist") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(pair) = name.strip_suffix(".json") else {
            continue;
        };
        let (from, to) = pair.split_once("__").expect("FROM__TO.json");
        let recorded: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let ours: Vec<Value> = run(&sdl(from), &sdl(to))
            .expect("both SDLs parse")
            .iter()
            .map(Change::to_json)
            .collect();
        let recorded: Vec<Value> = recorded.iter().map(comparable).collect();
        files += 1;
        if ours != recorded {
            let at = ours
                .iter()
                .zip(&recorded)
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(recorded.len()));
            failures.push(format!(
                "{sub}/{name}: {} changes (recorded {}), first difference at #{at}:\n  ours:     {}\n  recorded: {}",
                ours.len(),
                recorded.len(),
                ours.get(at).map_or("-".into(), Value::to_string),
                recorded.get(at).map_or("-".into(), Value::to_string),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    files
}

#[test]
fn the_schema_diff_is_graphql_inspectors_for_every_recorded_pair() {
    assert_eq!(check_dir("", diff_verbose), 26);
}

#[test]
fn the_simplified_diff_is_graphql_inspector_clis() {
    assert_eq!(check_dir("simplified", diff), 26);
}

#[test]
fn a_breaking_migration_exits_1_with_every_change_listed() {
    let (code, out, _) = run_binary(&["diff", "3.9.0", "9.10.0", "--format", "json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["from"], "3.9.0");
    assert_eq!(report["schemaOf"]["to"], "9.10.0");
    let behavior = report["behavior"].as_array().unwrap();
    let private = behavior
        .iter()
        .find(|c| c["key"] == "private_users")
        .expect("private users changed");
    assert_eq!(
        (private["from"].as_str(), private["to"].as_str()),
        (Some("no"), Some("yes"))
    );
    assert_eq!(private["criticality"]["level"], "BREAKING");
    let recorded: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/fixtures/schema-diff/simplified/3.9.0__9.10.0.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(report["schema"].as_array().unwrap().len(), recorded.len());
    assert!(report["summary"]["breaking"].as_u64().unwrap() > 0);
}

#[test]
fn versions_of_one_generation_differ_only_in_behaviour() {
    // 8.6.94 and 9.10.0 print the same SDL; their behaviour differs.
    let (code, out, _) = run_binary(&["diff", "8.6.94", "9.10.0", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["schema"], serde_json::json!([]));
    assert!(!report["behavior"].as_array().unwrap().is_empty());
    assert_eq!(
        code, 1,
        "the 9.0 changes (master sign-up without session...) break"
    );
    let (code, out, _) = run_binary(&["diff", "9.10.0", "9.10.1"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 breaking, 0 dangerous, 0 safe"), "{out}");
}

#[test]
fn formats_and_bad_usage() {
    let (_, md, _) = run_binary(&["diff", "4.4.0", "4.5.2", "--format", "markdown"]);
    assert!(md.starts_with("## Parse 4.4.0 → 4.5.2"), "{md}");
    assert!(md.contains("| level | change | message |"), "{md}");
    let (_, gh, _) = run_binary(&["diff", "4.4.0", "4.5.2", "--format", "github"]);
    assert!(
        gh.lines().all(|l| l.starts_with("::error ")
            || l.starts_with("::warning ")
            || l.starts_with("::notice ")),
        "{gh}"
    );
    assert!(
        gh.contains("::error title=Parse 4.4.0 → 4.5.2: FIELD_"),
        "{gh}"
    );
    let (code, _, err) = run_binary(&["diff", "2.0.0", "9.10.0"]);
    assert_eq!(code, 2);
    assert!(err.contains("not supported"), "{err}");
}
