//! The cache of validated operations: a repeated document is validated once, yet every
//! execution still sees its own caller, variables and the current state of the store.

mod graphql_schema_support;

use graphql_schema_support::{Caller, Harness};
use serde_json::json;

const VIEWER: &str = "query { viewer { user { username } } }";

#[test]
fn a_repeated_document_is_kept_once_and_still_checks_each_caller() {
    let h = Harness::new("9.10.0");
    let alice = h.user("alice", "pw1");
    let bob = h.user("bob", "pw2");
    assert_eq!(h.schema.cached_operations(), 0);
    let a = h.run(&Caller::session(&alice), VIEWER, json!({}));
    assert_eq!(a["data"]["viewer"]["user"]["username"], "alice");
    let b = h.run(&Caller::session(&bob), VIEWER, json!({}));
    assert_eq!(b["data"]["viewer"]["user"]["username"], "bob");
    assert_eq!(h.schema.cached_operations(), 1);
    // The cached operation runs with this caller: no session, Parse's 8.x+ refusal.
    let anon = h.run(&Caller::anonymous(), VIEWER, json!({}));
    assert_eq!(anon["errors"][0]["message"], "Permission denied");
    assert_eq!(h.schema.cached_operations(), 1);
}

#[test]
fn invalid_documents_are_not_kept_and_variables_are_checked_every_time() {
    let h = Harness::new("4.5.2");
    let bad = h.run(&Caller::anonymous(), "query { viewer { nope } }", json!({}));
    assert!(bad.get("request_error").is_some(), "{bad}");
    assert_eq!(h.schema.cached_operations(), 0);
    let doc = "mutation LogIn($input: LogInInput!) { logIn(input: $input) { viewer { user { username } } } }";
    h.user("alice", "pw1");
    let ok = h.run(
        &Caller::anonymous(),
        doc,
        json!({"input": {"username": "alice", "password": "pw1"}}),
    );
    assert_eq!(ok["data"]["logIn"]["viewer"]["user"]["username"], "alice");
    assert_eq!(h.schema.cached_operations(), 1);
    // Same document, wrong variables: refused although the document is cached.
    let wrong = h.run(&Caller::anonymous(), doc, json!({"input": {"username": 3}}));
    assert!(wrong.get("request_error").is_some(), "{wrong}");
    let wrong_password = h.run(
        &Caller::anonymous(),
        doc,
        json!({"input": {"username": "alice", "password": "nope"}}),
    );
    assert_eq!(wrong_password["errors"][0]["extensions"]["code"], 101);
    assert_eq!(h.schema.cached_operations(), 1);
}

#[test]
fn a_revoked_session_is_refused_by_a_cached_log_out() {
    let h = Harness::new("7.5.4");
    let token = h.user("alice", "pw1");
    let log_out =
        r#"mutation { logOut(input: { clientMutationId: "x" }) { ok clientMutationId } }"#;
    let first = h.run(&Caller::session(&token), log_out, json!({}));
    assert_eq!(first["data"]["logOut"]["ok"], true);
    assert!(!h.alive(&token));
    let other = h.user("bob", "pw2");
    let second = h.run(&Caller::session(&other), log_out, json!({}));
    assert_eq!(second["data"]["logOut"]["ok"], true);
    assert!(!h.alive(&other));
    assert_eq!(h.schema.cached_operations(), 1);
}

#[test]
fn object_literals_are_still_read_when_their_document_is_cached() {
    let h = Harness::new("4.5.2");
    let doc = |id: &str| {
        format!(
            r#"mutation {{ logInWith(input: {{ authData: {{ anonymous: {{ id: "{id}" }} }} }}) {{ viewer {{ user {{ authData }} }} }} }}"#
        )
    };
    for id in ["device-a1", "device-a1", "device-b2"] {
        let out = h.run(&Caller::anonymous(), &doc(id), json!({}));
        assert_eq!(
            out["data"]["logInWith"]["viewer"]["user"]["authData"]["anonymous"]["id"], id,
            "{out}"
        );
    }
    // The literal is swapped for a placeholder (its span padded) before validation: one
    // prepared document for both ids of the same length.
    assert_eq!(h.schema.cached_operations(), 1);
}
