//! The GraphQL auth API of every version over real HTTP, with an insta snapshot of every
//! answer per version.
//!
//! Each version runs its own auth cookbook (the operations its schema has, in its own shapes):
//! signUp and its errors, logIn and its errors, `logInWith` the anonymous provider, the
//! viewer with and without a session and with the master key, the password-reset and
//! verification-email mutations without an email adapter, `challenge`, the cookbook logOut,
//! and what the revoked token gets afterwards on GraphQL and on REST. Tokens, ids, relay ids
//! and dates are redacted to numbered placeholders.

mod common;

use common::walk::Walk;
use common::{MASTER_KEY, TestServer};
use serde_json::{Value, json};

/// The API generations, named by the first version of each.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Generation {
    V3_7,
    V3_8,
    V3_9,
    V3_10,
    V4_0,
    V4_5,
    V5,
    V6,
    V8,
}

fn generation(version: &str) -> Generation {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap());
    match (parts.next().unwrap(), parts.next().unwrap()) {
        (3, 7) => Generation::V3_7,
        (3, 8) => Generation::V3_8,
        (3, 9) => Generation::V3_9,
        (3, _) => Generation::V3_10,
        (4, m) if m < 5 => Generation::V4_0,
        (4, _) => Generation::V4_5,
        (5, _) => Generation::V5,
        (6 | 7, _) => Generation::V6,
        _ => Generation::V8,
    }
}

/// One version's documents for the cookbook operations.
struct Cookbook {
    sign_up: fn(&str, &str) -> String,
    log_in: fn(&str, &str) -> String,
    viewer: &'static str,
    log_out: &'static str,
}

const USER_FIELDS: &str = "id objectId username email emailVerified ACL { public { read write } users { userId read write } }";

fn cookbook(g: Generation) -> Cookbook {
    match g {
        Generation::V3_7 => Cookbook {
            sign_up: |u, p| {
                format!(
                    r#"mutation {{ users {{ signUp(fields: {{ username: "{u}", password: "{p}", email: "{u}@example.com" }}) {{ objectId createdAt sessionToken }} }} }}"#
                )
            },
            log_in: |u, p| {
                format!(
                    r#"mutation {{ users {{ logIn(username: "{u}", password: "{p}") {{ objectId username email ACL sessionToken }} }} }}"#
                )
            },
            viewer: "query { users { me { objectId username email emailVerified ACL sessionToken } } }",
            log_out: "mutation { users { logOut } }",
        },
        Generation::V3_8 | Generation::V3_9 => {
            let (viewer, log_out) = if g == Generation::V3_8 {
                (
                    "query { viewer { objectId username email ACL sessionToken } }",
                    "mutation { logOut { objectId } }",
                )
            } else {
                (
                    "query { viewer { id username email ACL sessionToken } }",
                    "mutation { logOut { id } }",
                )
            };
            Cookbook {
                sign_up: |u, p| {
                    format!(
                        r#"mutation {{ signUp(fields: {{ username: "{u}", password: "{p}", email: "{u}@example.com" }}) {{ username sessionToken }} }}"#
                    )
                },
                log_in: |u, p| {
                    format!(
                        r#"mutation {{ logIn(fields: {{ username: "{u}", password: "{p}" }}) {{ username email sessionToken }} }}"#
                    )
                },
                viewer,
                log_out,
            }
        }
        _ => Cookbook {
            sign_up: if g == Generation::V3_10 {
                |u, p| {
                    format!(
                        r#"mutation {{ signUp(input: {{ clientMutationId: "s", userFields: {{ username: "{u}", password: "{p}", email: "{u}@example.com" }} }}) {{ clientMutationId viewer {{ sessionToken user {{ {USER_FIELDS} }} }} }} }}"#
                    )
                }
            } else {
                |u, p| {
                    format!(
                        r#"mutation {{ signUp(input: {{ clientMutationId: "s", fields: {{ username: "{u}", password: "{p}", email: "{u}@example.com" }} }}) {{ clientMutationId viewer {{ sessionToken user {{ {USER_FIELDS} }} }} }} }}"#
                    )
                }
            },
            log_in: |u, p| {
                format!(
                    r#"mutation {{ logIn(input: {{ clientMutationId: "l", username: "{u}", password: "{p}" }}) {{ clientMutationId viewer {{ sessionToken user {{ {USER_FIELDS} }} }} }} }}"#
                )
            },
            viewer: "query { viewer { sessionToken user { id objectId username email ACL { public { read write } users { userId read write } } } } }",
            log_out: if g <= Generation::V4_0 {
                r#"mutation { logOut(input: { clientMutationId: "o" }) { clientMutationId viewer { sessionToken user { id username } } } }"#
            } else {
                r#"mutation logOutButton { logOut(input: { clientMutationId: "9vc3nljyhp" }) { ok clientMutationId } }"#
            },
        },
    }
}

/// The first session token anywhere in a GraphQL answer.
fn find_token(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.starts_with("r:") && s.len() == 34 => Some(s.clone()),
        Value::Array(a) => a.iter().find_map(find_token),
        Value::Object(m) => m.values().find_map(find_token),
        _ => None,
    }
}

async fn walk(version: &str) -> Value {
    let server = TestServer::start(version).await;
    let g = generation(version);
    let book = cookbook(g);
    let mut w = Walk::default();
    let gql = |query: String| json!({ "query": query });

    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.sign_up)("alice", "s3cret")))
        .send()
        .await;
    let sign_up_token = find_token(&w.record("signUp", &res)).expect("signUp token");
    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.sign_up)("alice", "other")))
        .send()
        .await;
    w.record("signUp, taken username", &res);
    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.sign_up)("ALICE", "other")))
        .send()
        .await;
    w.record("signUp, username taken in another case", &res);

    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.log_in)("alice", "s3cret")))
        .send()
        .await;
    let token = find_token(&w.record("logIn", &res)).expect("logIn token");
    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.log_in)("alice", "wrong")))
        .send()
        .await;
    w.record("logIn, wrong password", &res);
    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.log_in)("nobody", "s3cret")))
        .send()
        .await;
    w.record("logIn, unknown user", &res);
    let res = server
        .rest("POST", "/graphql")
        .json(&gql((book.log_in)("alice", "")))
        .send()
        .await;
    w.record("logIn, empty password", &res);

    let viewer = gql(book.viewer.to_owned());
    let res = server
        .rest("POST", "/graphql")
        .session(&token)
        .json(&viewer)
        .send()
        .await;
    w.record("viewer", &res);
    let res = server.rest("POST", "/graphql").json(&viewer).send().await;
    w.record("viewer, no session", &res);
    let res = server
        .rest("POST", "/graphql")
        .header("X-Parse-Master-Key", MASTER_KEY)
        .session(&token)
        .json(&viewer)
        .send()
        .await;
    w.record("viewer, master key and session", &res);

    if g >= Generation::V4_0 {
        let anonymous = format!(
            r#"mutation {{ logInWith(input: {{ clientMutationId: "a", authData: {{ anonymous: {{ id: "{}" }} }} }}) {{ clientMutationId viewer {{ sessionToken user {{ username authData }} }} }} }}"#,
            "9f2c3a4b-0d1e-4f5a-8b6c-7d8e9f0a1b2c"
        );
        let res = server
            .rest("POST", "/graphql")
            .json(&gql(anonymous.clone()))
            .send()
            .await;
        let body = w.record("logInWith anonymous, new user", &res);
        // The generated username is random: keep the shape, not the value.
        if let Some(steps) = w.steps.last_mut()
            && let Some(name) = steps.pointer_mut("/body/data/logInWith/viewer/user/username")
        {
            assert!(name.is_string(), "{body}");
            *name = json!("[generated]");
        }
        let res = server
            .rest("POST", "/graphql")
            .json(&gql(anonymous))
            .send()
            .await;
        w.record("logInWith anonymous, same id again", &res);
        if let Some(steps) = w.steps.last_mut()
            && let Some(name) = steps.pointer_mut("/body/data/logInWith/viewer/user/username")
        {
            *name = json!("[generated]");
        }
        let res = server
            .rest("POST", "/graphql")
            .json(&gql(
                r#"mutation { logInWith(input: { authData: { acmeSso: { id: "1", token: "t" } } }) { viewer { sessionToken } } }"#
                    .to_owned(),
            ))
            .send()
            .await;
        w.record("logInWith a provider Parse has no adapter for", &res);
    }
    if g >= Generation::V3_10 {
        for (step, doc) in [
            (
                "resetPassword",
                r#"mutation { resetPassword(input: { email: "alice@example.com" }) { ok } }"#,
            ),
            (
                "sendVerificationEmail",
                r#"mutation { sendVerificationEmail(input: { email: "alice@example.com" }) { ok } }"#,
            ),
        ] {
            let res = server
                .rest("POST", "/graphql")
                .json(&gql(doc.to_owned()))
                .send()
                .await;
            w.record(step, &res);
        }
    }
    if g >= Generation::V5 {
        let res = server
            .rest("POST", "/graphql")
            .json(&gql(
                r#"mutation { confirmResetPassword(input: { username: "alice", password: "n3w", token: "not-a-token" }) { ok } }"#
                    .to_owned(),
            ))
            .send()
            .await;
        w.record("confirmResetPassword, bad token", &res);
    }
    if g >= Generation::V6 {
        let res = server
            .rest("POST", "/graphql")
            .json(&gql(
                r#"mutation { challenge(input: { username: "alice", password: "s3cret" }) { challengeData } }"#
                    .to_owned(),
            ))
            .send()
            .await;
        w.record("challenge, no challenge data", &res);
    }

    let log_out = gql(book.log_out.to_owned());
    let res = server
        .rest("POST", "/graphql")
        .session(&token)
        .json(&log_out)
        .send()
        .await;
    w.record("cookbook logOut", &res);
    let res = server
        .rest("POST", "/graphql")
        .session(&token)
        .json(&viewer)
        .send()
        .await;
    w.record("viewer, revoked session", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    w.record("REST users/me, session revoked on GraphQL", &res);
    let res = server
        .rest("POST", "/graphql")
        .session(&token)
        .json(&log_out)
        .send()
        .await;
    w.record("cookbook logOut, revoked session", &res);
    let res = server.rest("POST", "/graphql").json(&log_out).send().await;
    w.record("cookbook logOut, no session", &res);

    // A REST logout ends the sign-up session; GraphQL then refuses it.
    let res = server
        .rest("POST", "/parse/logout")
        .session(&sign_up_token)
        .send()
        .await;
    w.record("REST logout of the signUp session", &res);
    let res = server
        .rest("POST", "/graphql")
        .session(&sign_up_token)
        .json(&viewer)
        .send()
        .await;
    w.record("viewer, session revoked on REST", &res);

    server.stop().await;
    Value::Array(w.steps)
}

macro_rules! shapes {
    ($($name:ident => $version:literal),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let steps = walk($version).await;
            insta::with_settings!({ snapshot_suffix => $version, prepend_module_to_snapshot => true }, {
                insta::assert_json_snapshot!("graphql_shapes", steps);
            });
        }
    )*};
}

shapes! {
    shapes_3_7_2 => "3.7.2",
    shapes_3_8_0 => "3.8.0",
    shapes_3_9_0 => "3.9.0",
    shapes_3_10_0 => "3.10.0",
    shapes_4_2_0 => "4.2.0",
    shapes_4_4_0 => "4.4.0",
    shapes_4_5_2 => "4.5.2",
    shapes_5_6_0 => "5.6.0",
    shapes_6_5_11 => "6.5.11",
    shapes_7_5_4 => "7.5.4",
    shapes_8_6_94 => "8.6.94",
    shapes_9_10_0 => "9.10.0",
}
