//! `parse-compat replay`: a recording made with `record` in front of parse-compat as one Parse
//! version replays against the same version with no difference, and against another version
//! with the differences that version is known for; bad input exits 2.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{APP_ID, REST_KEY, TestServer, request_to};
use parse_compat::http::upstream::Upstream;
use parse_compat::traffic::record::{Recorder, serve};
use parse_compat::traffic::replay;
use parse_compat::traffic::session::{ReplayDatabase, ReplayTarget, Replayer};
use parse_compat::version::Behavior;
use serde_json::{Value, json};

/// Record a short session of an app against parse-compat as `version`.
async fn record(version: &str, out: &std::path::Path) {
    let parse = TestServer::start(version).await;
    let recorder = Arc::new(Recorder::create(out).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let upstream = Upstream::new(
        &format!("http://{}/parse", parse.addr),
        Duration::from_secs(10),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(serve(
        listener,
        upstream,
        recorder,
        "/parse".into(),
        async {
            let _ = stopped.await;
        },
    ));
    let via = |method: &str, path: &str| {
        request_to(proxy, method, path)
            .header("X-Parse-Application-Id", APP_ID)
            .header("X-Parse-REST-API-Key", REST_KEY)
    };
    let signup = via("POST", "/parse/users")
        .json(&json!({"username": "ann", "password": "hunter2", "age": 31}))
        .send()
        .await
        .json();
    let token = signup["sessionToken"].as_str().unwrap().to_owned();
    via("POST", "/parse/login")
        .json(&json!({"username": "ann", "password": "wrong"}))
        .send()
        .await;
    via("POST", "/parse/login")
        .json(&json!({"username": "ann", "password": "hunter2"}))
        .send()
        .await;
    via("GET", "/parse/users/me").session(&token).send().await;
    via(
        "PUT",
        &format!("/parse/users/{}", signup["objectId"].as_str().unwrap()),
    )
    .session(&token)
    .json(&json!({"age": {"__op": "Increment", "amount": 1}}))
    .send()
    .await;
    via("POST", "/parse/logout").session(&token).send().await;
    via("GET", "/parse/users/me").session(&token).send().await;
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

async fn replay_against(version: &str, file: &std::path::Path) -> Vec<replay::Difference> {
    let records: Vec<Value> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 7);
    let target = ReplayTarget::Local {
        behavior: Behavior::parse(version).unwrap(),
        database: ReplayDatabase::Sqlite,
        app_id: None,
    };
    let mut replayer = Replayer::new(target, Vec::new()).unwrap();
    replayer.run(&records, |_, _| {}).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_replays_without_difference_on_its_version_and_with_the_known_ones_on_another()
{
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("traffic.jsonl");
    record("9.10.0", &file).await;
    let same = replay_against("9.10.0", &file).await;
    assert!(same.is_empty(), "{same:#?}");
    // Parse 3.7.2 adds the class to users/me and words the revoked token's error alike: the
    // difference is in `users/me`'s body, found by path.
    let older = replay_against("3.7.2", &file).await;
    assert!(
        older
            .iter()
            .any(|d| d.request == "GET /parse/users/me" && d.path == "/body/__type"),
        "{older:#?}"
    );
    // ... and 3.7 does not allow the X-Parse-Request-Id header (4.3+): the recorded CORS
    // headers are compared as well.
    assert!(
        older
            .iter()
            .any(|d| d.path == "/headers/access-control-allow-headers"),
        "{older:#?}"
    );
    assert!(
        older
            .iter()
            .all(|d| d.path.starts_with("/body") || d.path.starts_with("/headers/access-control-")),
        "{older:#?}"
    );
}

#[test]
fn the_command_exits_2_on_bad_input_and_1_on_differences() {
    let bin = env!("CARGO_BIN_EXE_parse-compat");
    let dir = tempfile::tempdir().unwrap();
    let missing = std::process::Command::new(bin)
        .args(["replay", "/nonexistent.jsonl", "--parse-version", "9.10.0"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{not json\n").unwrap();
    let out = std::process::Command::new(bin)
        .args(["replay", bad.to_str().unwrap(), "--parse-version", "9.10.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let unknown = std::process::Command::new(bin)
        .args(["replay", bad.to_str().unwrap(), "--parse-version", "2.0.0"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    // A recorded answer parse-compat does not give: one difference, exit 1, in JSON.
    let differs = dir.path().join("differs.jsonl");
    let record = json!({"step": "1", "request": {"method": "GET", "path": "/parse/health",
        "headers": {"X-Parse-Application-Id": "compatApp"}, "body": null},
        "response": {"status": 200, "headers": {"content-type": "application/json; charset=utf-8"},
        "body": {"status": "not ok"}}});
    std::fs::write(&differs, format!("{record}\n")).unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "replay",
            differs.to_str().unwrap(),
            "--parse-version",
            "9.10.0",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["exchanges"], 1);
    assert_eq!(report["differences"][0]["path"], "/body/status");
    assert_eq!(report["differences"][0]["expected"], "not ok");
    assert_eq!(report["differences"][0]["actual"], "ok");
}

/// The conformance suite as a product feature: the CLI replays recordings of real Parse in
/// fixtures/ (options per record, e-mails, the deviations beside them) with no difference on
/// their own version, and with the version's differences on another.
#[test]
fn the_command_replays_real_parse_recordings_without_difference() {
    let bin = env!("CARGO_BIN_EXE_parse-compat");
    let dir = env!("CARGO_MANIFEST_DIR");
    for (file, version) in [
        ("fixtures/user-email/4.4.0.jsonl", "4.4.0"),
        ("fixtures/user-routes/9.10.0.jsonl", "9.10.0"),
    ] {
        let out = std::process::Command::new(bin)
            .args([
                "replay",
                &format!("{dir}/{file}"),
                "--parse-version",
                version,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{file}: {stdout}");
        assert!(stdout.contains(": 0 difference(s)"), "{stdout}");
    }
    let out = std::process::Command::new(bin)
        .args([
            "replay",
            &format!("{dir}/fixtures/user-email/9.10.0.jsonl"),
            "--parse-version",
            "8.6.94",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=") && l.contains("A.verify.link")),
        "{stdout}"
    );
}

/// `--update` accepts the live answers as the new recording (insta's review habit): the file
/// then replays without difference on the version it was updated for, and with the
/// differences on the version it was recorded from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_accepts_the_live_answers_as_the_new_recording() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("traffic.jsonl");
    record("9.10.0", &file).await;
    let before = std::fs::read_to_string(&file).unwrap();
    let bin = env!("CARGO_BIN_EXE_parse-compat");
    let run = |version: &str, update: bool| {
        let mut args = vec!["replay", file.to_str().unwrap(), "--parse-version", version];
        if update {
            args.push("--update");
        }
        std::process::Command::new(bin).args(args).output().unwrap()
    };
    let updated = run("3.7.2", true);
    assert_eq!(updated.status.code(), Some(0));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(before, after);
    assert!(
        after.contains(r#""__type":"Object","className":"_User""#),
        "{after}"
    );
    assert!(!after.contains("r:"), "tokens stay placeholders: {after}");
    let again = run("3.7.2", false);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(run("9.10.0", false).status.code(), Some(1));
}
