//! REST answers found by scenario B (fixtures/scenario-b): refusals for other users' objects,
//! requests without a session, and bodies body-parser refuses, per version.

mod common;

use common::TestServer;
use serde_json::{Value, json};

async fn sign_up(server: &TestServer, username: &str) -> (String, String) {
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({ "username": username, "password": "pw-1234" }))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let body = res.json();
    let id = body["objectId"].as_str().unwrap().to_owned();
    let token = body["sessionToken"].as_str().unwrap().to_owned();
    (id, token)
}

fn error(code: u16, message: &str) -> Value {
    json!({ "code": code, "error": message })
}

#[tokio::test]
async fn updating_another_user_is_insufficient_auth_and_sanitized_from_8() {
    for (version, insufficient, cannot_modify) in [
        ("3.7.2", "Insufficient auth.", true),
        ("7.5.4", "Insufficient auth.", true),
        ("8.6.94", "Permission denied", false),
    ] {
        let server = TestServer::start(version).await;
        let (alice, _) = sign_up(&server, "alice").await;
        let (_, bob_token) = sign_up(&server, "bob").await;
        for path in [
            format!("/parse/users/{alice}"),
            "/parse/users/AbCdEfGhIj".to_owned(),
            "/parse/users/me".to_owned(),
        ] {
            let res = server
                .rest("PUT", &path)
                .session(&bob_token)
                .json(&json!({ "email": "x@example.com" }))
                .send()
                .await;
            assert_eq!(res.status, 400, "{version} {path}");
            assert_eq!(res.json(), error(206, insufficient), "{version} {path}");
        }
        let res = server
            .rest("PUT", &format!("/parse/users/{alice}"))
            .json(&json!({ "email": "x@example.com" }))
            .send()
            .await;
        let expected = if cannot_modify {
            format!("Cannot modify user {alice}.")
        } else {
            "Permission denied".to_owned()
        };
        assert_eq!(res.json(), error(206, &expected), "{version}");
        server.stop().await;
    }
}

#[tokio::test]
async fn deleting_a_session_without_a_token_needs_a_session() {
    for (version, message) in [
        ("4.4.0", "Invalid session token"),
        ("8.6.94", "Permission denied"),
    ] {
        let server = TestServer::start(version).await;
        let res = server
            .rest("DELETE", "/parse/sessions/AbCdEfGhIj")
            .send()
            .await;
        assert_eq!(res.status, 400, "{version}");
        assert_eq!(res.json(), error(209, message), "{version}");
        server.stop().await;
    }
}

#[tokio::test]
async fn strict_json_refusals_follow_the_body_parser_of_the_version() {
    for (version, message) in [
        ("4.5.2", "Unexpected token 'n', \"#\" is not valid JSON"),
        (
            "5.6.0",
            "Unexpected token 'n', \"not json at all\" is not valid JSON",
        ),
    ] {
        let server = TestServer::start(version).await;
        let res = server
            .rest("POST", "/parse/users")
            .raw_body("not json at all")
            .send()
            .await;
        assert_eq!(res.status, 400, "{version}");
        assert_eq!(res.json(), json!({ "error": message }), "{version}");
        server.stop().await;
    }
}
