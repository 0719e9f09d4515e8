//! A cached session answers a repeated query from its memo (`envelope/memo.rs`): the bytes must
//! be those executing it would write, and must follow everything the answer depends on (the
//! user, the session, the variables, the operation, the keys).

mod graphql_support;

use graphql_support::{Reply, Server, sign_up};
use serde_json::{Value, json};

/// Every HTTP stack and schema generation, each with a query of its `viewer`.
const VERSIONS: [(&str, &str); 8] = [
    (
        "3.7.2",
        "query { users { me { objectId username sessionToken } } }",
    ),
    (
        "3.8.0",
        "query { viewer { objectId username sessionToken } }",
    ),
    ("3.10.0", VIEWER),
    ("4.5.2", VIEWER),
    ("5.6.0", VIEWER),
    ("7.5.4", VIEWER),
    ("8.6.94", VIEWER),
    ("9.10.0", VIEWER),
];

const VIEWER: &str = "query { viewer { sessionToken user { objectId username } } }";

async fn ask(server: &Server, body: Value, token: &str) -> Reply {
    server
        .graphql(body)
        .header("X-Parse-Session-Token", token)
        .send()
        .await
}

/// Status, headers but the date, and body bytes.
fn wire(reply: &Reply) -> (u16, Vec<(String, String)>, String) {
    let headers = reply
        .headers
        .iter()
        .filter(|(n, _)| n != "date")
        .cloned()
        .collect();
    (reply.status, headers, reply.body.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_query_is_answered_with_the_bytes_executing_it_writes() {
    for (version, viewer) in VERSIONS {
        let server = Server::start(version).await;
        let (_, token) = sign_up(&server, "alice").await;
        let documents = [
            json!({ "query": viewer }),
            json!({ "query": "{ __typename }" }),
            json!({
                "query": "query Q($n: Boolean = true) { health @include(if: $n) t: __typename }",
                "variables": { "n": true },
                "operationName": "Q",
            }),
        ];
        for body in documents {
            // The first run reads and validates the document (executor thread), the second
            // executes it inline and keeps it, the third and fourth are answered from the memo.
            let replies = [
                ask(&server, body.clone(), &token).await,
                ask(&server, body.clone(), &token).await,
                ask(&server, body.clone(), &token).await,
                ask(&server, body.clone(), &token).await,
            ];
            let first = wire(&replies[0]);
            assert_eq!(first.0, 200, "{version} {body}: {}", first.2);
            for reply in &replies[1..] {
                assert_eq!(wire(reply), first, "{version} {body}");
            }
        }
        // The token is in the answer, as it was sent.
        let again = ask(&server, json!({ "query": viewer }), &token).await;
        assert!(again.body.contains(&token), "{version}: {}", again.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_answer_follows_the_user_the_variables_the_operation_and_the_keys() {
    for (version, viewer) in VERSIONS {
        let server = Server::start(version).await;
        let (id, token) = sign_up(&server, "alice").await;
        let names = |reply: &Reply| -> String {
            let body: Value = serde_json::from_str(&reply.body).expect("JSON");
            body.to_string()
        };
        // Kept, then the user changes: the next answer shows the change.
        for _ in 0..3 {
            let reply = ask(&server, json!({ "query": viewer }), &token).await;
            assert!(
                names(&reply).contains("\"alice\""),
                "{version}: {}",
                reply.body
            );
        }
        let renamed = server
            .request("PUT", &format!("/parse/users/{id}"))
            .header("X-Parse-Client-Key", "compatClient")
            .header("X-Parse-Session-Token", &token)
            .header("Content-Type", "application/json")
            .body(json!({ "username": "alicia" }).to_string())
            .send()
            .await;
        assert_eq!(renamed.status, 200, "{version}: {}", renamed.body);
        let reply = ask(&server, json!({ "query": viewer }), &token).await;
        assert!(
            names(&reply).contains("\"alicia\""),
            "{version}: {}",
            reply.body
        );

        // Another session of the same user has its own answer (its own token).
        let login = server
            .request("POST", "/parse/login")
            .header("X-Parse-Client-Key", "compatClient")
            .header("Content-Type", "application/json")
            .body(json!({ "username": "alicia", "password": "pw" }).to_string())
            .send()
            .await;
        let second: Value = serde_json::from_str(&login.body).expect("JSON");
        let second = second["sessionToken"].as_str().expect("a token").to_owned();
        for _ in 0..3 {
            let reply = ask(&server, json!({ "query": viewer }), &second).await;
            assert!(reply.body.contains(&second), "{version}: {}", reply.body);
            assert!(!reply.body.contains(&token), "{version}: {}", reply.body);
        }

        // Variables and the operation chosen are part of the question.
        let doc =
            "query A($t: Boolean!) { a: __typename @include(if: $t) } query B { b: __typename }";
        for round in 0..3 {
            for (vars, op, expected) in [
                (json!({ "t": true }), "A", json!({ "a": "Query" })),
                (json!({ "t": false }), "A", json!({})),
                (json!({}), "B", json!({ "b": "Query" })),
            ] {
                let reply = ask(
                    &server,
                    json!({ "query": doc, "variables": vars, "operationName": op }),
                    &token,
                )
                .await;
                let body: Value = serde_json::from_str(&reply.body).expect("JSON");
                assert_eq!(
                    body["data"], expected,
                    "{version}, round {round}, {op} {vars}"
                );
            }
        }

        // The master key's answer is not the session's.
        let master = |server: &Server| {
            server
                .graphql(json!({ "query": "{ __typename }" }))
                .master()
                .header("X-Parse-Session-Token", &token)
        };
        let before = wire(&master(&server).send().await);
        for _ in 0..3 {
            ask(&server, json!({ "query": "{ __typename }" }), &token).await;
        }
        assert_eq!(wire(&master(&server).send().await), before, "{version}");

        // An ended session is refused, not answered from what it kept.
        let out = server
            .request("POST", "/parse/logout")
            .header("X-Parse-Client-Key", "compatClient")
            .header("X-Parse-Session-Token", &token)
            .send()
            .await;
        assert_eq!(out.status, 200, "{version}: {}", out.body);
        let refused = ask(&server, json!({ "query": viewer }), &token).await;
        let body: Value = serde_json::from_str(&refused.body).expect("JSON");
        assert_eq!(
            body,
            json!({ "code": 209, "error": "Invalid session token" }),
            "{version}"
        );
    }
}
