//! GraphQL answers found by scenario B (fixtures/scenario-b) against real Parse.

mod graphql_support;

use graphql_support::Server;
use serde_json::{Value, json};

async fn post(server: &Server, body: Value) -> (u16, Value) {
    let reply = server.graphql(body).send().await;
    let parsed = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()));
    (reply.status, parsed)
}

#[tokio::test]
async fn object_literals_may_hold_numbers_at_any_depth() {
    let server = Server::start("9.10.0").await;
    post(
        &server,
        json!({ "query": r#"mutation { signUp(input: { fields: { username: "carol", password: "pw" } }) { clientMutationId } }"# }),
    )
    .await;
    let (status, body) = post(
        &server,
        json!({ "query": r#"mutation { challenge(input: { username: "carol", password: "pw", challengeData: { anonymous: { x: 1, y: 2.5, z: [1, { w: -3 }] } } }) { challengeData } }"# }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({ "data": { "challenge": { "challengeData": {} } } })
    );
}
