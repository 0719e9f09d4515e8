//! `parse-compat record`: the recording proxy in front of a Parse server (parse-compat itself
//! here) forwards every exchange unchanged and writes it in the recordings' format, with
//! passwords and keys redacted and random values as placeholders.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{APP_ID, MASTER_KEY, REST_KEY, TestServer, request_to};
use parse_compat::http::upstream::Upstream;
use parse_compat::traffic::record::{Recorder, serve};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recording_proxy_forwards_and_records_with_secrets_redacted() {
    let parse = TestServer::start("9.10.0").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("traffic.jsonl");
    let recorder = Arc::new(Recorder::create(&out).unwrap());
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
        .json(&json!({"username": "ann", "password": "hunter2", "nickname": "A"}))
        .send()
        .await;
    assert_eq!(signup.status, 201, "{}", signup.text());
    let body = signup.json();
    let (id, token) = (
        body["objectId"].as_str().unwrap().to_owned(),
        body["sessionToken"].as_str().unwrap().to_owned(),
    );
    let wrong = via("POST", "/parse/login")
        .json(&json!({"username": "ann", "password": "nope"}))
        .send()
        .await;
    assert_eq!(wrong.status, 404);
    let me = via("GET", "/parse/users/me").session(&token).send().await;
    assert_eq!(me.status, 200);
    // Forwarded unchanged: the same bytes as asking parse-compat directly.
    let direct = parse
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(me.body, direct.body);
    let fetched = via("GET", &format!("/parse/users/{id}"))
        .header("X-Parse-Master-Key", MASTER_KEY)
        .send()
        .await;
    assert_eq!(fetched.status, 200);
    let logout = via("POST", "/parse/logout").session(&token).send().await;
    assert_eq!(logout.status, 200);
    let too_big = via("POST", "/parse/users")
        .header("Content-Type", "application/json")
        .raw_body(vec![b' '; parse_compat::traffic::record::MAX_BODY + 1])
        .send()
        .await;
    assert_eq!(too_big.status, 413);
    let _ = stop.send(());
    serving.await.unwrap().unwrap();

    let text = std::fs::read_to_string(&out).unwrap();
    for secret in ["hunter2", "nope", REST_KEY, MASTER_KEY, &token, &id] {
        assert!(!text.contains(secret), "{secret} reached the recording");
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    let steps: Vec<&str> = lines.iter().map(|l| l["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["1", "2", "3", "4", "5"]);
    let [signup, wrong, me, fetched, logout] = &lines[..] else {
        unreachable!()
    };
    assert_eq!(signup["request"]["method"], "POST");
    assert_eq!(signup["request"]["path"], "/parse/users");
    assert_eq!(
        signup["request"]["headers"]["x-parse-rest-api-key"],
        "<restAPIKey>"
    );
    assert_eq!(
        signup["request"]["headers"]["x-parse-application-id"],
        APP_ID
    );
    assert_eq!(
        signup["request"]["body"],
        json!({"username": "ann", "password": "<password#1>", "nickname": "A"})
    );
    assert_eq!(signup["response"]["status"], 201);
    assert_eq!(
        signup["response"]["body"],
        json!({"objectId": "<oid#1>", "createdAt": "<date>", "sessionToken": "<token#1>"})
    );
    // The upstream's Location names the proxy, as the pass-through rewrites it; a server on
    // this machine is recorded as `127.0.0.1:<port>`, so that a replay elsewhere matches.
    assert!(proxy.ip().is_loopback());
    assert_eq!(
        signup["response"]["headers"]["location"],
        "http://127.0.0.1:<port>/parse/users/<oid#1>"
    );
    assert_eq!(wrong["request"]["body"]["password"], "<password#2>");
    assert_eq!(wrong["response"]["body"]["code"], 101);
    assert_eq!(
        me["request"]["headers"]["x-parse-session-token"],
        "<token#1>"
    );
    assert_eq!(me["response"]["body"]["username"], "ann");
    assert_eq!(fetched["request"]["path"], "/parse/users/<oid#1>");
    assert_eq!(
        fetched["request"]["headers"]["x-parse-master-key"],
        "<masterKey>"
    );
    assert_eq!(logout["response"]["body"], json!({}));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
