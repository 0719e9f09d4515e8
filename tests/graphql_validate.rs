//! graphql-js's verdicts, recorded from the real parse-server of each version
//! (`scripts/graphql-validate/record.cjs`: its own graphql package, its own executable schema),
//! replayed against parse-compat's reading of the document and its validation rules. Every
//! document must get the same syntax error, or the same validation errors in the same order
//! with the same locations.

use parse_compat::graphql::envelope::document;
use parse_compat::graphql::validation::{self, Extra, Flavor, Verdict, schema::SchemaModel};
use parse_compat::version::Behavior;
use serde_json::Value;

const VERSIONS: [&str; 12] = [
    "3.7.2", "3.8.0", "3.9.0", "3.10.0", "4.2.0", "4.4.0", "4.5.2", "5.6.0", "6.5.11", "7.5.4",
    "8.6.94", "9.10.0",
];

fn expected_errors(line: &Value) -> Vec<(String, Vec<(usize, usize)>)> {
    line["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| {
                    let locs = e["locations"]
                        .as_array()
                        .map(|l| {
                            l.iter()
                                .map(|p| {
                                    (
                                        p[0].as_u64().unwrap_or(0) as usize,
                                        p[1].as_u64().unwrap_or(0) as usize,
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (e["message"].as_str().unwrap_or("").to_owned(), locs)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Replays one version's recording; returns the differences.
fn replay(version: &str) -> (usize, Vec<String>) {
    let path = format!(
        "{}/fixtures/graphql-validate/{version}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        return (0, vec![format!("{path}: missing")]);
    };
    let behavior = Behavior::parse(version).expect("a recorded version");
    let schema = SchemaModel::for_behavior(&behavior);
    let mut diffs = Vec::new();
    let mut total = 0;
    for raw in text.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        let line: Value = serde_json::from_str(raw).expect("a JSON line");
        let doc = line["doc"].as_str().unwrap_or("");
        let parsed =
            document::parse_nested(doc, behavior.graphql_js_release, document::DEEP_NESTING);
        // Past its nesting limit parse-compat refuses a document itself (COMPATIBILITY.md,
        // "GraphQL documents nested deeper than 1,500 levels"); Node.js's stack overflows in
        // graphql-js near 2,000 nested lists.
        if parsed
            .as_ref()
            .is_err_and(|e| e.message == document::STACK_OVERFLOW)
        {
            continue;
        }
        if let Some(syntax) = line["syntax"].as_str() {
            match parsed {
                Err(e) => {
                    let ours = format!("Syntax Error: {}", e.message);
                    if ours != syntax {
                        diffs.push(format!("{doc:?}\n  real: {syntax}\n  ours: {ours}"));
                    }
                }
                Ok(_) => diffs.push(format!("{doc:?}\n  real: {syntax}\n  ours: parsed")),
            }
            continue;
        }
        let expected = expected_errors(&line);
        let doc_ast = match parsed {
            Ok(d) => d,
            Err(e) => {
                diffs.push(format!(
                    "{doc:?}\n  real: {expected:?}\n  ours: Syntax Error: {}",
                    e.message
                ));
                continue;
            }
        };
        let ours = match validation::validate(
            &schema,
            &doc_ast,
            Flavor::of(&behavior),
            Extra::default(),
        ) {
            Verdict::Errors(errs) => errs
                .into_iter()
                .map(|e| (e.message, e.locations))
                .collect::<Vec<_>>(),
            Verdict::StackOverflow => vec![("<stack overflow>".to_owned(), Vec::new())],
        };
        let expected = if line.get("crash").is_some() {
            vec![("<stack overflow>".to_owned(), Vec::new())]
        } else {
            expected
        };
        if ours != expected {
            diffs.push(format!("{doc:?}\n  real: {expected:?}\n  ours: {ours:?}"));
        }
    }
    (total, diffs)
}

fn short(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 400 {
        return s.to_owned();
    }
    format!(
        "{}…{}",
        chars[..300].iter().collect::<String>(),
        chars[chars.len() - 80..].iter().collect::<String>()
    )
}

#[test]
fn validation_matches_graphql_js_of_every_recorded_version() {
    // On a thread like the executor threads documents are read on.
    std::thread::Builder::new()
        .stack_size(parse_compat::graphql::executor_pool::STACK_SIZE)
        .spawn(compare_all_versions)
        .expect("a thread")
        .join()
        .expect("no panic");
}

fn compare_all_versions() {
    let mut failed = Vec::new();
    let mut report = String::new();
    for v in VERSIONS {
        let (total, diffs) = replay(v);
        if !diffs.is_empty() {
            eprintln!("== {v}: {} of {total} differ", diffs.len());
            for d in diffs.iter().take(8) {
                eprintln!("{}", short(d));
            }
            report.push_str(&format!("== {v}\n"));
            for d in &diffs {
                report.push_str(&short(d));
                report.push('\n');
            }
            failed.push(format!("{v}: {}/{total}", diffs.len()));
        }
    }
    // The whole list, for whoever fixes them.
    let _ = std::fs::write(
        concat!(
            env!("CARGO_TARGET_TMPDIR"),
            "/graphql-validate-differences.txt"
        ),
        report,
    );
    assert!(failed.is_empty(), "differences: {failed:?}");
}
