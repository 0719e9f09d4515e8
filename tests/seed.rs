//! `parse-compat seed` runs (for the sized benchmark) and what it writes is what a server
//! serves: seeded users log in with the shared password, and seeded tokens resolve to their
//! users, on SQLite and (with `PARSE_COMPAT_TEST_POSTGRES`) on PostgreSQL.

mod common;

use common::TestServer;
use parse_compat::store::DatabaseLocation;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_users_and_sessions_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let uri = match common::fresh_postgres_database().await {
        Some(uri) => uri,
        None => format!("sqlite:{}", dir.path().join("seed.db").display()),
    };
    let tokens = dir.path().join("tokens.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parse-compat"))
        .args([
            "seed",
            "--parse-version",
            "6.5.11",
            "--databaseURI",
            &uri,
            "--users",
            "300",
            "--sessions",
            "1200",
            "--tokens",
            tokens.to_str().unwrap(),
            "--tokensSample",
            "100",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tokens: Vec<String> = std::fs::read_to_string(&tokens)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(tokens.len(), 100);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("tokens.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let location = DatabaseLocation::parse(&uri).unwrap();
    let server = TestServer::start_with("6.5.11", move |c| c.database = location).await;
    let login = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "seed00000299", "password": "seed-pass"}))
        .send()
        .await;
    assert_eq!(login.status, 200, "{}", login.text());
    // Sessions are dealt to the users in turn: the 13th (index 12) belongs to user 12.
    let me = server
        .rest("GET", "/parse/users/me")
        .header("X-Parse-Session-Token", &tokens[1])
        .send()
        .await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["username"], "seed00000012");
    // 6.x users are private: no public read in the ACL.
    assert!(me.json()["ACL"].get("*").is_none(), "{}", me.text());
    server.stop().await;
}
