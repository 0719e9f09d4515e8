//! Parse 3.7 – 3.9 read a viewer's selected fields (graphql-list-fields, after `@skip` and
//! `@include`, without `__typename`) before anything else; with none left they failed with an
//! internal error (recorded: fixtures/graphql-diff valid.viewer.4 on 3.7.2, valid.viewer.20 on
//! 3.9.0). What the failing resolver had done by then stays done.

mod graphql_support;

use graphql_support::Server;
use serde_json::{Value, json};

async fn post(server: &Server, query: &str, token: Option<&str>) -> Value {
    let mut request = server.graphql(json!({ "query": query }));
    if let Some(token) = token {
        request = request.header("X-Parse-Session-Token", token);
    }
    let reply = request.send().await;
    serde_json::from_str(&reply.body).expect("a JSON body")
}

/// The session token a sign-up mutation's answer carries, wherever the version puts it.
async fn signed_up_token(server: &Server, sign_up: &str) -> String {
    let signed = post(server, sign_up, None).await.to_string();
    signed
        .split("\"sessionToken\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap_or_else(|| panic!("{signed}"))
        .to_owned()
}

fn internal_error(body: &Value) -> bool {
    body["errors"][0]["message"] == "Internal server error"
        && body["errors"][0]["extensions"]["code"] == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_with_only_typename_fails_after_the_token_check() {
    for (version, sign_up, only_typename, with_field) in [
        (
            "3.7.2",
            "mutation { users { signUp(fields: { username: \"ann\", password: \"pw\" }) { sessionToken } } }",
            "{ users { me { __typename username @skip(if: true) } } }",
            "{ users { me { __typename username } } }",
        ),
        (
            "3.8.0",
            "mutation { signUp(fields: { username: \"ann\", password: \"pw\" }) { sessionToken } }",
            "{ viewer { ... on Viewer { username @include(if: false) __typename } } }",
            "{ viewer { username } }",
        ),
        (
            "3.9.0",
            "mutation { signUp(fields: { username: \"ann\", password: \"pw\" }) { sessionToken } }",
            "{ viewer { __typename } }",
            "{ viewer { username } }",
        ),
    ] {
        let server = Server::start(version).await;
        let token = signed_up_token(&server, sign_up).await;
        // Without a token the token check answers first.
        let anonymous = post(&server, only_typename, None).await;
        assert!(!internal_error(&anonymous), "{version}: {anonymous}");
        let failed = post(&server, only_typename, Some(&token)).await;
        assert!(internal_error(&failed), "{version}: {failed}");
        let fine = post(&server, with_field, Some(&token)).await;
        assert!(fine.to_string().contains("\"ann\""), "{version}: {fine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_and_log_out_fail_where_parse_did_and_keep_what_they_did() {
    for version in ["3.8.0", "3.9.0"] {
        let server = Server::start(version).await;
        // signUp creates the user and its session before reading the viewer back.
        let failed = post(
            &server,
            "mutation { signUp(fields: { username: \"bob\", password: \"pw\" }) { __typename } }",
            None,
        )
        .await;
        assert!(internal_error(&failed), "{version}: {failed}");
        let logged_in = post(
            &server,
            "mutation { logIn(fields: { username: \"bob\", password: \"pw\" }) { sessionToken } }",
            None,
        )
        .await;
        let token = logged_in["data"]["logIn"]["sessionToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{version}: {logged_in}"))
            .to_owned();
        // logOut reads the viewer first: it fails and the session lives on.
        let out = post(&server, "mutation { logOut { __typename } }", Some(&token)).await;
        assert!(internal_error(&out), "{version}: {out}");
        let still = post(&server, "{ viewer { username } }", Some(&token)).await;
        assert_eq!(
            still["data"]["viewer"]["username"], "bob",
            "{version}: {still}"
        );
        let out = post(&server, "mutation { logOut { username } }", Some(&token)).await;
        assert_eq!(out["data"]["logOut"]["username"], "bob", "{version}: {out}");
    }
}

/// 3.9's `deleteSession(id:)` answers the deleted object itself, read before the delete
/// (recorded for unknown ids: fixtures/graphql-diff 3.9.0 valid.harmlessMutations.*); with
/// only `__typename` selected Parse's `keys.split` throws, before anything is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_3_9_delete_answers_the_object_it_read() {
    let server = Server::start("3.9.0").await;
    let sign_up =
        "mutation { signUp(fields: { username: \"ann\", password: \"pw\" }) { sessionToken } }";
    let token = signed_up_token(&server, sign_up).await;
    let found = post(&server, "{ sessions { results { id } } }", Some(&token)).await;
    let id = found["data"]["sessions"]["results"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{found}"))
        .to_owned();
    let typename_only = format!("mutation {{ deleteSession(id: \"{id}\") {{ __typename }} }}");
    let failed = post(&server, &typename_only, Some(&token)).await;
    assert!(internal_error(&failed), "{failed}");
    let unknown = post(
        &server,
        "mutation { deleteSession(id: \"zzzzzzzzzz\") { id } }",
        Some(&token),
    )
    .await;
    assert_eq!(
        unknown["errors"][0]["message"], "Object not found.",
        "{unknown}"
    );
    let deleted = post(
        &server,
        &format!("mutation {{ deleteSession(id: \"{id}\") {{ id createdWith }} }}"),
        Some(&token),
    )
    .await;
    assert_eq!(
        deleted["data"]["deleteSession"],
        json!({"id": id, "createdWith": {"action": "signup", "authProvider": "password"}}),
        "{deleted}"
    );
    let after = post(&server, "{ viewer { username } }", Some(&token)).await;
    // Parse's middleware refuses the ended session before GraphQL runs.
    assert_eq!(
        after,
        json!({"code": 209, "error": "Invalid session token"}),
        "{after}"
    );
}
