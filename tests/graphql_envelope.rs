//! The `/graphql` envelope of each Parse server stack, through real HTTP: every error shape the
//! oracle recorded (steps `g.*` and `h.*` of `shared/parse-oracle`), for one version per stack.
//!
//! Stacks: 3.10.0 (apollo-server-express 2, graphql-js 14), 4.4.0 (apollo-server-express 2,
//! graphql-js 15), 5.6.0 (graphql-yoga 2), 7.5.4 (@apollo/server 4 on Express 4), 8.6.94
//! (@apollo/server 4's express4 integration on Express 5), 9.10.0 (@apollo/server 5).

mod graphql_support;

use graphql_support::{Reply, Server};
use serde_json::json;

const VERSIONS: [&str; 6] = ["3.10.0", "4.4.0", "5.6.0", "7.5.4", "8.6.94", "9.10.0"];

/// A mutation every relay-era schema (3.10+) accepts.
const VALID_MUTATION: &str = "mutation logOutButton { logOut(input: { clientMutationId: \"9vc3nljyhp\" }) { clientMutationId } }";

/// Replace the server's own port (graphql-yoga echoes its URL) so snapshots are stable.
fn stable(reply: &Reply, server: &Server) -> serde_json::Value {
    let port = server.addr.port().to_string();
    let text = reply.shape().to_string().replace(&port, "<port>");
    serde_json::from_str(&text).expect("shape is JSON")
}

macro_rules! snapshot_each_stack {
    ($name:ident, |$server:ident, $version:ident| $request:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for $version in VERSIONS {
                let $server = Server::start($version).await;
                let reply: Reply = $request.send().await;
                insta::assert_json_snapshot!(
                    format!("{}__{}", stringify!($name), $version),
                    stable(&reply, &$server)
                );
            }
        }
    };
}

// h.syntaxError: graphql-js 14 has no final period; yoga adds `extensions.status`.
snapshot_each_stack!(syntax_error, |server, version| server
    .graphql(json!({ "query": "query { viewer { " })));

// h.unknownField: 9.x strips the type name for non-master callers.
snapshot_each_stack!(unknown_field, |server, version| server
    .graphql(json!({ "query": "{ health thisFieldDoesNotExist }" })));

// h.get.query: 8.6.94 cannot read GET requests at all (Express 5 + express4 integration).
snapshot_each_stack!(get_query, |server, version| server
    .request("GET", "/graphql?query=%7B%20health%20%7D")
    .header("X-Parse-Client-Key", "compatClient"));

// h.get.mutation: 405 in every wording.
snapshot_each_stack!(get_mutation, |server, version| {
    let _ = version;
    let q: String = form_urlencoded::byte_serialize(VALID_MUTATION.as_bytes()).collect();
    server
        .request("GET", &format!("/graphql?query={q}"))
        .header("X-Parse-Client-Key", "compatClient")
});

// h.nonJsonBody.textPlain
snapshot_each_stack!(text_plain_body, |server, version| server
    .graphql(json!({}))
    .header("Content-Type", "text/plain")
    .body("this is not json"));

// h.invalidJson: Parse's error handler, yoga's fetch error, or Express's HTML page.
snapshot_each_stack!(invalid_json, |server, version| server
    .graphql(json!({}))
    .body(r#"{"query": "{ health }""#));

// h.emptyObjectBody
snapshot_each_stack!(empty_object_body, |server, version| server
    .graphql(json!({})));

// h.batch: executed only by apollo-server-express 2.
snapshot_each_stack!(batch, |server, version| server
    .graphql(json!([{ "query": "{ health }" }, { "query": "{ health }" }])));

// h.operationNameMismatch
snapshot_each_stack!(operation_name_mismatch, |server, version| server.graphql(
    json!({ "query": "query A { health } query B { health }", "operationName": "C" })
));

// h.multipleOpsNoName
snapshot_each_stack!(multiple_operations_without_name, |server, version| server
    .graphql(json!({ "query": "query A { health } query B { health }" })));

// h.introspection.schema.clientKey: open to 6.x, refused by Apollo in production on 7.x/8.x,
// master-only on 9.x.
snapshot_each_stack!(introspection_client, |server, version| server.graphql(
    json!({ "query": "{ __schema { queryType { name } mutationType { name } } }" })
));

// h.introspection.schema.masterKey
snapshot_each_stack!(introspection_master, |server, version| server
    .graphql(json!({ "query": "{ __schema { queryType { name } mutationType { name } } }" }))
    .master());

// h.introspection.type.clientKey: 9.x refuses `__type` only with arguments.
snapshot_each_stack!(introspection_type_client, |server, version| server
    .graphql(json!({ "query": "{ __type(name: \"Query\") { name kind } }" })));

// g.options.preflight: the cors package's 204 up to 7.x, Parse's own 200 from 8.x.
snapshot_each_stack!(cors_preflight, |server, version| server
    .request("OPTIONS", "/graphql")
    .without("X-Parse-Application-Id")
    .header("Origin", "http://example.com")
    .header("Access-Control-Request-Method", "POST")
    .header(
        "Access-Control-Request-Headers",
        "content-type,x-parse-application-id,x-parse-client-key,x-parse-session-token"
    ));

// g.withOrigin: yoga echoes the origin with credentials, Parse 7 without, 8.x+ never.
snapshot_each_stack!(with_origin, |server, version| server
    .graphql(json!({ "query": "{ health }" }))
    .header("Origin", "http://example.com"));

// g.noApplicationId: Parse's middleware answers before any GraphQL server, without a type.
snapshot_each_stack!(no_application_id, |server, version| server
    .graphql(json!({ "query": "{ health }" }))
    .without("X-Parse-Application-Id"));

// e.*: a garbage session token is refused by the middleware with a REST-shaped 400.
snapshot_each_stack!(garbage_session_token, |server, version| server
    .graphql(json!({ "query": "{ health }" }))
    .header("X-Parse-Session-Token", "r:doesnotexist"));

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_says_express() {
    for version in VERSIONS {
        let server = Server::start(version).await;
        for reply in [
            server
                .graphql(json!({ "query": "{ health }" }))
                .send()
                .await,
            server.graphql(json!({})).body("{").send().await,
            server.request("OPTIONS", "/graphql").send().await,
        ] {
            assert_eq!(reply.header("x-powered-by"), Some("Express"), "{version}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apollo_bodies_end_with_a_newline_and_yoga_bodies_do_not() {
    for (version, newline) in [("4.4.0", true), ("5.6.0", false), ("9.10.0", true)] {
        let server = Server::start(version).await;
        let reply = server
            .graphql(json!({ "query": "{ health }" }))
            .send()
            .await;
        assert_eq!(
            reply.body.ends_with('\n'),
            newline,
            "{version}: {:?}",
            reply.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_invalid_document_gets_the_same_answer() {
    let server = Server::start("4.4.0").await;
    let first = server
        .graphql(json!({ "query": "{ health nope }" }))
        .send()
        .await;
    let second = server
        .graphql(json!({ "query": "{ health nope }" }))
        .send()
        .await;
    assert_eq!(first.status, 400);
    assert_eq!(first.body, second.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playground_serves_graphiql_pointing_at_the_graphql_path() {
    let server = Server::start_with("4.4.0", |a| {
        a.mount_playground = Some(true);
        a.playground_path = Some("/playground".into());
    })
    .await;
    let reply = server.request("GET", "/playground").send().await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );
    assert!(reply.body.contains("/graphql"), "{}", reply.body);
}
