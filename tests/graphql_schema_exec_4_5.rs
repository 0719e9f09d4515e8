//! The 4.5 – 5.x GraphQL auth API executed against a real store (FINDINGS a–g).

mod graphql_schema_support;

use graphql_schema_support::{Caller, Harness};
use serde_json::json;

const SIGN_UP: &str = r#"mutation { signUp(input: {fields: {username: "alice", password: "pw1"}, clientMutationId: "signUp-alice"}) { clientMutationId viewer { sessionToken user { id objectId username ACL { public { read write } users { userId read write } roles { roleName } } } } } }"#;

#[test]
fn sign_up_returns_the_viewer_with_a_relay_id_and_typed_acl() {
    let h = Harness::new("4.5.2");
    let out = h.run(&Caller::anonymous(), SIGN_UP, json!({}));
    let token = out["data"]["signUp"]["viewer"]["sessionToken"]
        .as_str()
        .unwrap();
    assert!(h.alive(token));
    redacted!(out);
}

#[test]
fn duplicate_sign_up_is_202_with_a_null_payload() {
    let h = Harness::new("4.5.2");
    h.user("alice", "pw1");
    redacted!(h.run(&Caller::anonymous(), SIGN_UP, json!({})));
}

#[test]
fn log_in_wrong_password_and_empty_password() {
    let h = Harness::new("4.5.2");
    h.user("alice", "pw1");
    let doc = |pw: &str| {
        format!(
            r#"mutation {{ logIn(input: {{username: "alice", password: "{pw}"}}) {{ viewer {{ sessionToken user {{ username }} }} }} }}"#
        )
    };
    let ok = h.run(&Caller::anonymous(), &doc("pw1"), json!({}));
    assert!(
        h.alive(
            ok["data"]["logIn"]["viewer"]["sessionToken"]
                .as_str()
                .unwrap()
        )
    );
    redacted!(ok);
    redacted!(h.run(&Caller::anonymous(), &doc("nope"), json!({})));
    redacted!(h.run(&Caller::anonymous(), &doc(""), json!({})));
}

#[test]
fn viewer_with_and_without_a_session_and_with_the_master_key() {
    let h = Harness::new("4.5.2");
    let token = h.user("alice", "pw1");
    let doc = "query { viewer { sessionToken user { objectId username } } }";
    redacted!(h.run(&Caller::session(&token), doc, json!({})));
    redacted!(h.run(&Caller::anonymous(), doc, json!({})));
    redacted!(h.run(&Caller::master_with(&token), doc, json!({})));
}

#[test]
fn log_out_revokes_the_session_and_succeeds_without_one() {
    let h = Harness::new("4.5.2");
    let token = h.user("alice", "pw1");
    let doc = r#"mutation logOutButton { logOut(input: {clientMutationId: "9vc3nljyhp"}) { clientMutationId ok } }"#;
    redacted!(h.run(&Caller::session(&token), doc, json!({})));
    assert!(!h.alive(&token));
    redacted!(h.run(&Caller::anonymous(), doc, json!({})));
}

#[test]
fn log_in_with_anonymous_auth_data_creates_then_finds_the_user() {
    let h = Harness::new("4.5.2");
    let doc = r#"mutation { logInWith(input: {authData: {anonymous: {id: "anon-1"}}}) { viewer { sessionToken user { objectId authData } } } }"#;
    let first = h.run(&Caller::anonymous(), doc, json!({}));
    let second = h.run(
        &Caller::anonymous(),
        "mutation L($a: Object!) { logInWith(input: {authData: $a}) { viewer { user { objectId } } } }",
        json!({"a": {"anonymous": {"id": "anon-1"}}}),
    );
    assert_eq!(
        first["data"]["logInWith"]["viewer"]["user"]["objectId"],
        second["data"]["logInWith"]["viewer"]["user"]["objectId"],
        "{first} {second}"
    );
    redacted!(first);
    redacted!(h.run(
        &Caller::anonymous(),
        r#"mutation { logInWith(input: {authData: {facebook: {id: "x", access_token: "t"}}}) { viewer { sessionToken } } }"#,
        json!({})
    ));
}
