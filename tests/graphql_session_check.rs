//! Parse's session middleware in front of `/graphql`, through real HTTP.
//!
//! Parse resolves the session token before any GraphQL server sees the request, so a refused
//! token gets the middleware's 209 whatever the stack would have said about the request, with
//! the CORS headers of an answer from the middleware. (Real Parse 3.10.0, 5.6.0 and 9.10.0
//! answered every request below with that 209, asked on 2026-11-23.) A token not in the session cache is
//! looked up on a reader thread that hands the operation to an executor thread directly, or
//! back to the async worker for a query of a known document (which runs there); these tests
//! pin those paths for one version of each stack.

mod graphql_support;

use graphql_support::{RequestBuilder, Server, sign_up};
use serde_json::{Value, json};

/// One version per HTTP stack (Apollo 2, yoga, Apollo 4, Apollo 4 on Express 5, Apollo 5).
const VERSIONS: [&str; 5] = ["3.10.0", "5.6.0", "7.5.4", "8.6.94", "9.10.0"];

const LOG_OUT: &str = "mutation logOutButton { logOut(input: { clientMutationId: \"9vc3nljyhp\" }) { clientMutationId } }";
const VIEWER: &str = "query { viewer { sessionToken user { username } } }";

/// Requests each stack answers differently, most of them without running any operation.
fn requests(server: &Server) -> Vec<(&'static str, RequestBuilder)> {
    let get_mutation: String = form_urlencoded::byte_serialize(LOG_OUT.as_bytes()).collect();
    vec![
        (
            "a valid query",
            server.graphql(json!({ "query": "{ health }" })),
        ),
        ("a mutation", server.graphql(json!({ "query": LOG_OUT }))),
        ("an empty body", server.graphql(json!({}))),
        (
            "a syntax error",
            server.graphql(json!({ "query": "query {" })),
        ),
        (
            "a batch",
            server.graphql(json!([{ "query": "{ health }" }, { "query": "{ health }" }])),
        ),
        (
            "a GET mutation",
            server
                .request("GET", &format!("/graphql?query={get_mutation}"))
                .header("X-Parse-Client-Key", "compatClient"),
        ),
        (
            "a PUT",
            server
                .request("PUT", "/graphql")
                .header("X-Parse-Client-Key", "compatClient")
                .header("Content-Type", "application/json")
                .body(r#"{"query":"{ health }"}"#),
        ),
        (
            "a text/plain body",
            server
                .graphql(json!({}))
                .header("Content-Type", "text/plain")
                .body("{ health }"),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_answered_before_anything_the_stack_would_say() {
    for version in VERSIONS {
        let server = Server::start(version).await;
        let mut first: Option<Value> = None;
        for (what, request) in requests(&server) {
            let reply = request
                .header("X-Parse-Session-Token", "r:doesnotexist")
                .header("Origin", "http://example.com")
                .send()
                .await;
            let shape = reply.shape();
            assert_eq!(
                shape["body"],
                json!({ "code": 209, "error": "Invalid session token" }),
                "{version}, {what}: {shape}"
            );
            match &first {
                None => first = Some(shape),
                // Same status, content type, CORS headers and body for every request.
                Some(expected) => assert_eq!(&shape, expected, "{version}, {what}"),
            }
        }
    }
}

/// POST a document with a session token; the answer's JSON body.
async fn as_token(server: &Server, query: &str, token: &str) -> Value {
    let reply = server
        .graphql(json!({ "query": query }))
        .header("X-Parse-Session-Token", token)
        .send()
        .await;
    serde_json::from_str(&reply.body).expect("a JSON body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_the_server_has_not_cached_is_looked_up_and_then_works_and_ends() {
    for version in VERSIONS {
        let dir = tempfile::tempdir().expect("temp dir");
        let uri = format!("sqlite:{}", dir.path().join("shared.db").display());
        let on_shared_db = |args: &mut parse_compat::cli::ServeArgs| {
            args.database_uri = Some(uri.clone());
        };
        // The session is made by one server and used on a second one, whose cache is empty.
        let token = {
            let first = Server::start_with(version, on_shared_db).await;
            sign_up(&first, "looked-up").await.1
        };
        let server = Server::start_with(version, on_shared_db).await;
        // Another caller makes the document known, so the looked-up token's query runs on
        // the async worker the reader thread hands the session back to.
        let (_, other) = sign_up(&server, "other").await;
        let warm = as_token(&server, VIEWER, &other).await;
        assert_eq!(
            warm["data"]["viewer"]["user"]["username"], "other",
            "{version}"
        );

        let viewer = as_token(&server, VIEWER, &token).await;
        assert_eq!(
            viewer["data"]["viewer"],
            json!({ "sessionToken": token, "user": { "username": "looked-up" } }),
            "{version}: {viewer}"
        );
        let log_out = as_token(&server, LOG_OUT, &token).await;
        assert_eq!(
            log_out["data"],
            json!({ "logOut": { "clientMutationId": "9vc3nljyhp" } }),
            "{version}: {log_out}"
        );
        let after = as_token(&server, VIEWER, &token).await;
        assert_eq!(
            after,
            json!({ "code": 209, "error": "Invalid session token" }),
            "{version}"
        );
    }
}

/// A query of a known document runs on the async worker, unless a resolver needs the store:
/// up to 4.2, `viewer` under the master key looks the token's session up itself. That attempt
/// is dropped and the query runs again on an executor thread, with the same answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_query_that_needs_the_store_still_answers() {
    for version in ["3.10.0", "4.2.0"] {
        let server = Server::start(version).await;
        let (_, token) = sign_up(&server, "mastered").await;
        for attempt in ["first (unknown document)", "second (known document)"] {
            let reply = server
                .graphql(json!({ "query": VIEWER }))
                .master()
                .header("X-Parse-Session-Token", &token)
                .send()
                .await;
            let body: Value = serde_json::from_str(&reply.body).expect("a JSON body");
            assert_eq!(
                body["data"]["viewer"],
                json!({ "sessionToken": token, "user": { "username": "mastered" } }),
                "{version}, {attempt}: {body}"
            );
        }
    }
}
