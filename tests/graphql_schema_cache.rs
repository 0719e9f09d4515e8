//! The columns Parse 5.0+'s GraphQL schema shows once its database layer has read a class
//! through its schema cache (`store::class_reads`), through real HTTP: what a document that
//! names one is answered, before and after a reload of the cache, beside 4.x (whose cache
//! hands out copies and never shows them). The recorded sequence of real Parse is replayed by
//! `tests/graphql_diff.rs` (`schema_cache_*`).

mod common;

use common::{APP_ID, MASTER_KEY, TestServer};
use serde_json::{Value, json};

async fn master_graphql(server: &TestServer, query: &str) -> (u16, Value) {
    let res = server
        .request("POST", "/graphql")
        .header("X-Parse-Application-Id", APP_ID)
        .header("X-Parse-Master-Key", MASTER_KEY)
        .json(&json!({ "query": query }))
        .send()
        .await;
    (res.status, res.json())
}

/// Sign up, reload Parse's schema cache, then use the token: `_Session` and `_User` read.
async fn read_user_and_session(server: &TestServer) {
    let signed = server
        .rest("POST", "/parse/users")
        .json(&json!({ "username": "alice", "password": "pw-alice-1" }))
        .send()
        .await
        .json();
    let token = signed["sessionToken"].as_str().expect("a token").to_owned();
    let reload = server
        .request("GET", "/parse/schemas/_User")
        .header("X-Parse-Application-Id", APP_ID)
        .header("X-Parse-Master-Key", MASTER_KEY)
        .send()
        .await;
    assert_eq!(reload.status, 200);
    let me = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(me.status, 200);
}

fn user_fields(answer: &Value) -> Vec<String> {
    answer["data"]["__type"]["fields"]
        .as_array()
        .expect("the fields of User")
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const USER_FIELDS: &str = "{ __type(name: \"User\") { fields { name } } }";

#[tokio::test]
async fn a_schema_built_after_reads_shows_the_read_columns_until_a_reload() {
    for version in ["5.6.0", "6.5.11", "9.10.0"] {
        let server = TestServer::start(version).await;
        read_user_and_session(&server).await;
        // The first GraphQL request builds the schema from the objects read.
        let (_, answer) = master_graphql(&server, USER_FIELDS).await;
        let fields = user_fields(&answer);
        for column in ["_hashed_password", "_password_history", "_rperm", "_wperm"] {
            assert!(fields.iter().any(|f| f == column), "{version}: {fields:?}");
        }
        // Valid only in that schema: not answered here.
        let (status, answer) =
            master_graphql(&server, "{ users { edges { node { _hashed_password } } } }").await;
        assert_eq!(status, 400, "{version}: {answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("--upstream"), "{version}: {message}");
        // Suggested, as graphql-js suggests any field.
        let (_, answer) = master_graphql(&server, "{ users { edges { node { _rper } } } }").await;
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("Did you mean \"_rperm\""),
            "{version}: {message}"
        );
        // `classes` reloads the cache: the next request rebuilds the schema from fresh objects.
        let (status, _) = master_graphql(&server, "{ classes { name } }").await;
        assert_eq!(status, 200);
        let (_, answer) = master_graphql(&server, USER_FIELDS).await;
        let fields = user_fields(&answer);
        assert!(
            !fields.iter().any(|f| f.starts_with('_')),
            "{version}: {fields:?}"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn parse_4_never_shows_them() {
    let server = TestServer::start("4.4.0").await;
    read_user_and_session(&server).await;
    let (_, answer) = master_graphql(&server, USER_FIELDS).await;
    let fields = user_fields(&answer);
    assert!(!fields.iter().any(|f| f.starts_with('_')), "{fields:?}");
    let (status, answer) =
        master_graphql(&server, "{ users { edges { node { _hashed_password } } } }").await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["errors"][0]["message"],
        "Cannot query field \"_hashed_password\" on type \"User\"."
    );
    server.stop().await;
}
