//! `parse-compat check` and `matrix` on the cookbook logOut forms, whose fate in every version
//! real Parse recorded (../shared/parse-oracle/FINDINGS.md, matrix `d.form.*`).

mod common;

use std::path::PathBuf;

use common::run_binary;
use parse_compat::check::{self, Caller, matrix};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/logout-forms")
}

#[test]
fn the_matrix_of_the_logout_forms_is_the_recorded_one() {
    let sources = check::load(&[examples()]).unwrap();
    let versions = matrix::versions(
        matrix::bound("3", false).unwrap(),
        matrix::bound("x", true).unwrap(),
    );
    assert_eq!(versions.len(), 12);
    let m = matrix::build(&sources, &versions, Caller::default()).unwrap();
    let accepted = |file: &str| {
        let row = m
            .rows
            .iter()
            .find(|r| r.label.contains(file))
            .unwrap_or_else(|| panic!("{file} is checked"));
        matrix::accepted_ranges(&m, row).join(", ")
    };
    // FINDINGS.md section d: ✔ = 200 and the session revoked, ✘ = 400 validation failed.
    assert_eq!(accepted("F1-users-namespace"), "3.7.2");
    assert_eq!(accepted("F2-flat-objectId"), "3.8.0");
    assert_eq!(accepted("F3-flat-id"), "3.9.0");
    assert_eq!(accepted("F4-relay-viewer"), "3.10.0–4.4.0");
    assert_eq!(accepted("F5-relay-clientMutationId"), "3.10.0–9.10.0");
    assert_eq!(accepted("F6-relay-ok"), "4.5.2–9.10.0");
    assert_eq!(accepted("F7-relay-empty-input"), "3.10.0–9.10.0");
    assert_eq!(accepted("F8-relay-no-input"), "");
    assert_eq!(accepted("F9-relay-viewer-sessionToken"), "3.10.0–4.4.0");
    // The TypeScript templates: the fragment is checked inside the operation that uses it.
    assert_eq!(accepted("(LogOut)"), "3.10.0–9.10.0");
    assert_eq!(accepted("(LogOutWithViewer)"), "3.10.0–4.4.0");
    assert_eq!(
        m.rows.len(),
        11,
        "the fragment-only template is not a row of its own"
    );
}

#[test]
fn check_prints_what_real_parse_answers_with_file_positions() {
    let f2 = examples().join("F2-flat-objectId.graphql");
    let f2 = f2.to_str().unwrap();
    // FINDINGS d, F2 on 3.10.0: the unknown field, then the missing argument.
    let (code, out, _) = run_binary(&["check", "--parse-version", "3.10.0", f2]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "{f2}:1:21: error: Cannot query field \"objectId\" on type \"LogOutPayload\"."
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{f2}:1:12: error: Field \"logOut\" argument \"input\" of type \"LogOutInput!\" is required, but it was not provided."
        )),
        "{out}"
    );
    let (code, _, _) = run_binary(&["check", "--parse-version", "3.8.0", f2]);
    assert_eq!(code, 0);
    // 9.x shortens messages for callers without the master key.
    let f4 = examples().join("F4-relay-viewer.graphql");
    let (_, out, _) = run_binary(&["check", "--parse-version", "9.10.0", f4.to_str().unwrap()]);
    assert!(out.contains("Cannot query field \"viewer\"."), "{out}");
    let (_, out, _) = run_binary(&[
        "check",
        "--parse-version",
        "9.10.0",
        "--master",
        f4.to_str().unwrap(),
    ]);
    assert!(
        out.contains("Cannot query field \"viewer\" on type \"LogOutPayload\"."),
        "{out}"
    );
}

#[test]
fn check_formats_and_usage_errors() {
    let dir = examples();
    let dir = dir.to_str().unwrap();
    let (code, out, _) =
        run_binary(&["check", "--parse-version", "4.4.0", "--format", "json", dir]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["parseVersion"], "4.4.0");
    assert_eq!(v["documents"].as_array().unwrap().len(), 11);
    assert_eq!(v["refused"], 5);
    let (_, out, _) = run_binary(&[
        "check",
        "--parse-version",
        "4.4.0",
        "--format",
        "github",
        dir,
    ]);
    assert!(out.lines().all(|l| l.starts_with("::error file=")), "{out}");
    let (_, out, _) = run_binary(&[
        "matrix", "--from", "4.4", "--to", "4.5.2", "--format", "markdown", dir,
    ]);
    assert!(out.starts_with("| document | 4.4.0 | 4.5.2 |"), "{out}");
    assert_eq!(run_binary(&["check", "--parse-version", "2.0.0", dir]).0, 2);
    assert_eq!(
        run_binary(&[
            "check",
            "--parse-version",
            "4.4.0",
            "/nonexistent/file.graphql"
        ])
        .0,
        2
    );
    assert_eq!(run_binary(&["matrix", "--from", "banana", dir]).0, 2);
}
