//! REST behaviour over real HTTP, with an insta snapshot of every response shape per version.
//!
//! Each version runs the same REST walk-through; the snapshot holds every answer (status,
//! content type, body) with tokens, ids and dates redacted to stable placeholders, so a change
//! in any shape of any version shows up as a snapshot diff.

mod common;

use common::walk::Walk;
use common::{MASTER_KEY, TestResponse, TestServer};
use parse_compat::store::{
    IssuedSession, Session, SessionAction, now_millis, object_id, session_token,
};
use serde_json::{Value, json};

const VERSIONS: [&str; 12] = [
    "3.7.2", "3.8.0", "3.9.0", "3.10.0", "4.2.0", "4.4.0", "4.5.2", "5.6.0", "6.5.11", "7.5.4",
    "8.6.94", "9.10.0",
];

fn token_of(body: &Value) -> String {
    body["sessionToken"]
        .as_str()
        .expect("a session token")
        .to_owned()
}

/// Sign `alice` up (password `s3cret`); her session token and its `_Session` object, as
/// `sessions/me` answers it.
async fn alice_and_her_session(server: &TestServer) -> (String, Value) {
    let alice = json!({"username": "alice", "password": "s3cret"});
    let body = server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await
        .json();
    let token = token_of(&body);
    let session = server
        .rest("GET", "/parse/sessions/me")
        .session(&token)
        .send()
        .await
        .json();
    (token, session)
}

async fn walk(version: &str) -> Value {
    let server = TestServer::start(version).await;
    let mut w = Walk::default();
    let alice = json!({"username": "alice", "password": "s3cret", "email": "alice@example.com"});

    let res = server.request("GET", "/parse/health").send().await;
    w.record("health, no keys", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await;
    let signup = w.record("signUp", &res);
    let signup_token = token_of(&signup);
    let user_id = signup["objectId"].as_str().unwrap().to_owned();
    let res = server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await;
    w.record("signUp, taken username", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "ALICE", "password": "x"}))
        .send()
        .await;
    w.record("signUp, username taken in another case", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "carol", "password": "x", "email": "Alice@Example.com"}))
        .send()
        .await;
    w.record("signUp, email taken in another case", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"password": "x"}))
        .send()
        .await;
    w.record("signUp, no username", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "dave"}))
        .send()
        .await;
    w.record("signUp, no password", &res);
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "erin", "password": "x", "email": "not-an-email"}))
        .send()
        .await;
    w.record("signUp, invalid email", &res);

    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "alice", "password": "s3cret"}))
        .send()
        .await;
    let login = w.record("logIn, POST", &res);
    let token = token_of(&login);
    let res = server
        .rest("GET", "/parse/login?username=alice&password=s3cret")
        .send()
        .await;
    w.record("logIn, GET", &res);
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"email": "alice@example.com", "password": "s3cret"}))
        .send()
        .await;
    w.record("logIn by email", &res);
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "alice", "password": "wrong"}))
        .send()
        .await;
    w.record("logIn, wrong password", &res);
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "nobody", "password": "s3cret"}))
        .send()
        .await;
    w.record("logIn, unknown user", &res);
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "alice"}))
        .send()
        .await;
    w.record("logIn, no password", &res);
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"password": "x"}))
        .send()
        .await;
    w.record("logIn, no username", &res);
    let res = server
        .rest("POST", "/parse/login")
        .session("r:doesnotexist")
        .json(&json!({"username": "alice", "password": "s3cret"}))
        .send()
        .await;
    w.record("logIn ignores a bad session header", &res);

    let res = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    w.record("users/me", &res);
    let res = server.rest("GET", "/parse/users/me").send().await;
    w.record("users/me, no token", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session("r:doesnotexist")
        .send()
        .await;
    w.record("users/me, unknown token", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .header("X-Parse-Master-Key", MASTER_KEY)
        .session(&token)
        .send()
        .await;
    w.record("users/me, master key and token", &res);
    let res = server
        .rest("GET", "/parse/sessions/me")
        .session(&token)
        .send()
        .await;
    w.record("sessions/me", &res);
    let res = server.rest("GET", "/parse/sessions/me").send().await;
    w.record("sessions/me, no token", &res);

    // Keys.
    let res = server
        .request("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    w.record("no application id", &res);
    let res = server
        .request("GET", "/parse/users/me")
        .header("X-Parse-Application-Id", "compatApp")
        .session(&token)
        .send()
        .await;
    w.record("application id alone", &res);
    let res = server
        .request("GET", "/parse/users/me")
        .header("x-parse-application-id", "compatApp")
        .header("x-parse-client-key", "compatClient")
        .session(&token)
        .send()
        .await;
    w.record("client key, lower-case header names", &res);
    let res = server
        .request("GET", "/parse/users/me")
        .header("X-Parse-Application-Id", "compatApp")
        .header("X-Parse-Master-Key", "wrong")
        .send()
        .await;
    w.record("wrong master key", &res);
    let basic = base64_encode("compatApp:javascript-key=compatJs");
    let res = server
        .request("GET", "/parse/users/me")
        .header("Authorization", &format!("Basic {basic}"))
        .session(&token)
        .send()
        .await;
    w.record("basic auth with the JavaScript key", &res);
    let sdk_body = json!({
        "_method": "GET", "_ApplicationId": "compatApp", "_JavaScriptKey": "compatJs",
        "_ClientVersion": "js8.6.2", "_InstallationId": "inst-1", "_SessionToken": token,
    });
    let res = server
        .request("POST", "/parse/users/me")
        .header("Content-Type", "text/plain")
        .raw_body(sdk_body.to_string())
        .send()
        .await;
    w.record("JS SDK text/plain body form", &res);

    // Malformed input.
    let res = server
        .rest("POST", "/parse/login")
        .header("Content-Type", "application/json")
        .raw_body(r#"{"username": "alice" "password"}"#)
        .send()
        .await;
    w.record("invalid JSON", &res);
    let res = server
        .rest("POST", "/parse/login")
        .raw_body("hello")
        .send()
        .await;
    w.record("body that is not an object", &res);
    let res = server
        .rest("POST", "/parse/login")
        .raw_body(vec![0xff, 0xfe, b'{'])
        .send()
        .await;
    w.record("invalid UTF-8", &res);
    let res = server.rest("GET", "/parse/nothing/here").send().await;
    w.record("unknown route", &res);
    let res = server.rest("PATCH", "/parse/users/me").send().await;
    w.record("unknown method", &res);
    let res = server.request("OPTIONS", "/parse/users/me").send().await;
    w.record("OPTIONS preflight", &res);

    // Sessions.
    let res = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "alice", "password": "s3cret"}))
        .send()
        .await;
    let other = token_of(&w.record("logIn again", &res));
    let res = server
        .rest("GET", "/parse/sessions/me")
        .session(&other)
        .send()
        .await;
    let other_session = w.record("sessions/me of the second login", &res);
    let other_id = other_session["objectId"].as_str().unwrap().to_owned();
    let res = server
        .rest("DELETE", &format!("/parse/sessions/{other_id}"))
        .session(&token)
        .send()
        .await;
    w.record("delete one of my sessions", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&other)
        .send()
        .await;
    w.record("users/me with the deleted session", &res);
    let res = server
        .rest("DELETE", "/parse/sessions/AAAAAAAAAA")
        .session(&token)
        .send()
        .await;
    w.record("delete an unknown session", &res);

    // Logout.
    let res = server
        .rest("POST", "/parse/logout")
        .session(&token)
        .json(&json!({}))
        .send()
        .await;
    w.record("logout", &res);
    let res = server
        .rest("POST", "/parse/logout")
        .session(&token)
        .json(&json!({}))
        .send()
        .await;
    w.record("logout, revoked token", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    w.record("users/me, revoked token", &res);
    let res = server
        .rest("GET", "/parse/sessions/me")
        .session(&token)
        .send()
        .await;
    w.record("sessions/me, revoked token", &res);
    let res = server
        .rest("POST", "/parse/logout")
        .json(&json!({}))
        .send()
        .await;
    w.record("logout, no token", &res);
    let res = server
        .rest("POST", "/parse/logout")
        .session("")
        .json(&json!({}))
        .send()
        .await;
    w.record("logout, empty token", &res);

    // A password change ends every session and answers a new token.
    let res = server
        .rest("PUT", &format!("/parse/users/{user_id}"))
        .session(&signup_token)
        .json(&json!({"password": "n3w-s3cret"}))
        .send()
        .await;
    let changed = w.record("change my password", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&signup_token)
        .send()
        .await;
    w.record("users/me, session ended by the password change", &res);
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&token_of(&changed))
        .send()
        .await;
    w.record("users/me, token from the password change", &res);
    let res = server
        .rest("PUT", &format!("/parse/users/{user_id}"))
        .json(&json!({"email": "x@example.com"}))
        .send()
        .await;
    w.record("update a user without a session", &res);

    // An expired session is refused with Parse's message.
    let expired = session_token();
    let now = now_millis();
    server
        .state
        .store
        .insert_sessions(vec![IssuedSession {
            session: Session {
                object_id: object_id(),
                user_id: user_id.clone(),
                created_at: now - 10_000,
                updated_at: now - 10_000,
                expires_at: Some(now - 1_000),
                action: SessionAction::Login,
                auth_provider: "password".into(),
                installation_id: None,
                fields: Default::default(),
            },
            token: expired.clone(),
        }])
        .await
        .unwrap();
    let res = server
        .rest("GET", "/parse/users/me")
        .session(&expired)
        .send()
        .await;
    w.record("users/me, expired session", &res);
    let res = server
        .rest("GET", "/parse/sessions/me")
        .session(&expired)
        .send()
        .await;
    w.record("sessions/me, expired session", &res);

    server.stop().await;
    Value::Array(w.steps)
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

macro_rules! shape_tests {
    ($($name:ident => $v:expr),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let steps = walk($v).await;
                insta::assert_json_snapshot!(steps);
            }
        )*
    };
}

shape_tests! {
    rest_shapes_3_7_2 => VERSIONS[0],
    rest_shapes_3_8_0 => VERSIONS[1],
    rest_shapes_3_9_0 => VERSIONS[2],
    rest_shapes_3_10_0 => VERSIONS[3],
    rest_shapes_4_2_0 => VERSIONS[4],
    rest_shapes_4_4_0 => VERSIONS[5],
    rest_shapes_4_5_2 => VERSIONS[6],
    rest_shapes_5_6_0 => VERSIONS[7],
    rest_shapes_6_5_11 => VERSIONS[8],
    rest_shapes_7_5_4 => VERSIONS[9],
    rest_shapes_8_6_94 => VERSIONS[10],
    rest_shapes_9_10_0 => VERSIONS[11],
}

/// Regression for the oracle's race steps (`j.rest.*`): two logouts of one token at once end
/// it exactly once; the loser gets what a later request gets (400, code 209).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_of_one_token_have_one_winner() {
    let server = TestServer::start("9.10.0").await;
    let alice = json!({"username": "alice", "password": "s3cret"});
    server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await;
    for _ in 0..10 {
        let login = server
            .rest("POST", "/parse/login")
            .json(&alice)
            .send()
            .await
            .json();
        let token = token_of(&login);
        let sends = (0..4).map(|_| {
            server
                .rest("POST", "/parse/logout")
                .session(&token)
                .json(&json!({}))
                .send()
        });
        let results = futures_join_all(sends.collect()).await;
        let ok = results.iter().filter(|r| r.status == 200).count();
        assert_eq!(ok, 1, "exactly one logout wins");
        for r in results.iter().filter(|r| r.status != 200) {
            assert_eq!(r.status, 400);
            assert_eq!(
                r.json(),
                json!({"code": 209, "error": "Invalid session token"})
            );
        }
        let after = server
            .rest("GET", "/parse/users/me")
            .session(&token)
            .send()
            .await;
        assert_eq!(after.status, 400);
    }
}

async fn futures_join_all<F: std::future::Future<Output = TestResponse> + Send + 'static>(
    futures: Vec<F>,
) -> Vec<TestResponse> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("a request task"));
    }
    out
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let server = TestServer::start_with("9.10.0", |c| c.body_limit = 1024).await;
    let big = format!(r#"{{"username":"{}","password":"x"}}"#, "a".repeat(4096));
    let res = server
        .rest("POST", "/parse/users")
        .raw_body(big)
        .send()
        .await;
    assert_eq!(res.status, 413);
    assert_eq!(res.json(), json!({"error": "request entity too large"}));
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn sessions_without_expiry_when_expire_inactive_sessions_is_false() {
    let server = TestServer::start_with("9.10.0", |c| c.expire_inactive_sessions = false).await;
    let (_, session) = alice_and_her_session(&server).await;
    assert!(session.get("expiresAt").is_none(), "{session}");
}

/// Parse reads `application/x-www-form-urlencoded` bodies on every route
/// (fixtures/hostile: 9.form.*): a form login and sign-up work, and JSON text posted as a
/// form is one field named after the whole text, so the login names no user.
#[tokio::test]
async fn form_encoded_bodies_are_read_as_parse_reads_them() {
    for version in ["3.9.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        let form = |path: &str, body: &str| {
            server
                .rest("POST", path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .raw_body(body.to_owned())
                .send()
        };
        let up = form("/parse/users", "username=form+user&password=p%26q").await;
        assert_eq!(up.status, 201, "{version}: {}", up.text());
        let login = form("/parse/login", "username=form%20user&password=p%26q").await;
        assert_eq!(login.status, 200, "{version}: {}", login.text());
        assert_eq!(login.json()["username"], "form user");
        let json_as_form = form(
            "/parse/login",
            r#"{"username":"form user","password":"p&q"}"#,
        )
        .await;
        assert_eq!(json_as_form.status, 400);
        assert_eq!(
            json_as_form.json(),
            serde_json::json!({"code": 200, "error": "username/email is required."})
        );
    }
}

/// Parse's session write stores `expiresAt` like any other field (spec: "should fail to
/// become user with expired token"): the master key moving it into the past ends the session
/// at once, with Parse's 209; null gives a session that never expires.
#[tokio::test]
async fn a_session_s_expiry_written_by_the_master_key_takes_effect() {
    let server = TestServer::start("6.5.11").await;
    let (token, session) = alice_and_her_session(&server).await;
    let id = session["objectId"].as_str().unwrap().to_owned();
    let set_expiry = |value: Value| {
        server
            .rest("PUT", &format!("/parse/classes/_Session/{id}"))
            .header("X-Parse-Master-Key", MASTER_KEY)
            .json(&json!({ "expiresAt": value }))
            .send()
    };
    let res = set_expiry(json!({"__type": "Date", "iso": "2015-01-01T00:00:00.000Z"})).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let me = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(
        me.json(),
        json!({"code": 209, "error": "Session token is expired."})
    );

    let res = set_expiry(Value::Null).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let me = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(me.json()["username"], "alice", "{}", me.text());
    let session = server
        .rest("GET", "/parse/sessions/me")
        .session(&token)
        .send()
        .await
        .json();
    assert!(session.get("expiresAt").is_none(), "{session}");

    let res = set_expiry(json!("tomorrow")).await;
    assert_eq!(
        res.json(),
        json!({"code": 111, "error": "schema mismatch for _Session.expiresAt; expected Date but got String"})
    );
}

/// `loginAs` reads `req.body.userId || req.query.userId` and refuses what JavaScript finds
/// falsy with 162 (spec: "rejects creating a session for another user with invalid
/// parameters").
#[tokio::test]
async fn login_as_refuses_every_falsy_user_id() {
    let server = TestServer::start("6.5.11").await;
    let alice = json!({"username": "alice", "password": "s3cret"});
    let id = server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await
        .json()["objectId"]
        .as_str()
        .unwrap()
        .to_owned();
    for body in [
        json!({}),
        json!({"userId": null}),
        json!({"userId": ""}),
        json!({"userId": 0}),
        json!({"userId": false}),
    ] {
        let res = server
            .rest("POST", "/parse/loginAs")
            .header("X-Parse-Master-Key", MASTER_KEY)
            .json(&body)
            .send()
            .await;
        assert_eq!(
            res.json(),
            json!({"code": 162, "error": "userId must not be empty, null, or undefined"}),
            "{body}"
        );
    }
    let res = server
        .rest("POST", &format!("/parse/loginAs?userId={id}"))
        .header("X-Parse-Master-Key", MASTER_KEY)
        .json(&json!({"userId": ""}))
        .send()
        .await;
    assert_eq!(res.json()["objectId"], id.as_str(), "{}", res.text());
}

/// `protectedFields` (and the deprecated `userSensitiveFields`) hide other users' fields as
/// Parse's do (spec: UserPII): from the public and from other users, on get and find, and a
/// query on a hidden field is refused; the user and the master key see everything.
#[tokio::test]
async fn protected_fields_hide_other_users_fields() {
    let server = TestServer::start_with("6.5.11", |c| {
        c.enforce_private_users = Some(false);
        c.protected_user_fields = parse_compat::config::ProtectedFields::from_options(
            Some(json!({"_User": {"*": ["zip"], "authenticated": ["zip", "ssn"]}})),
            Some(json!(["ssn"])),
        )
        .unwrap();
    })
    .await;
    let alice = json!({"username": "alice", "password": "s3cret", "email": "a@example.com",
                       "zip": "10001", "ssn": "123", "nick": "al"});
    let made = server
        .rest("POST", "/parse/users")
        .json(&alice)
        .send()
        .await
        .json();
    let (id, token) = (
        made["objectId"].as_str().unwrap().to_owned(),
        token_of(&made),
    );
    let bob = json!({"username": "bob", "password": "s3cret"});
    let bob = token_of(
        &server
            .rest("POST", "/parse/users")
            .json(&bob)
            .send()
            .await
            .json(),
    );
    let get = |session: Option<String>, master: bool| {
        let mut req = server.rest("GET", &format!("/parse/users/{id}"));
        if let Some(t) = &session {
            req = req.session(t);
        }
        if master {
            req = req.header("X-Parse-Master-Key", MASTER_KEY);
        }
        req.send()
    };
    let shown = |v: &Value| {
        ["email", "zip", "ssn", "nick"]
            .into_iter()
            .filter(|f| v.get(*f).is_some())
            .collect::<Vec<_>>()
    };
    // The public: `*` (zip, ssn from userSensitiveFields, email by default).
    assert_eq!(shown(&get(None, false).await.json()), ["nick"]);
    // Another user: `*` and `authenticated` intersect: zip and ssn.
    assert_eq!(
        shown(&get(Some(bob.clone()), false).await.json()),
        ["email", "nick"]
    );
    assert_eq!(
        shown(&get(Some(token), false).await.json()),
        ["email", "zip", "ssn", "nick"]
    );
    assert_eq!(
        shown(&get(None, true).await.json()),
        ["email", "zip", "ssn", "nick"]
    );
    let found = server
        .rest("GET", "/parse/users")
        .session(&bob)
        .send()
        .await
        .json();
    let alice_found = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "alice")
        .unwrap();
    assert_eq!(shown(alice_found), ["email", "nick"]);
    let refused = server
        .rest("GET", "/parse/users?where=%7B%22zip%22%3A%2210001%22%7D")
        .session(&bob)
        .send()
        .await;
    assert_eq!(
        refused.json(),
        json!({"code": 119, "error": "This user is not allowed to query zip on class _User"})
    );
}

/// From 8.6.32 and 9.6.0 a `_User` find sorted on a protected field is refused to all but
/// the master key, after the check of its `where` (graphql-diff 9.10.0 valid.users.14 was
/// recorded through GraphQL's `users(order: [email_DESC])`); before, the sort is served.
#[tokio::test]
async fn a_sort_on_a_protected_field_is_refused_from_8_6_32() {
    for (version, refusal) in [
        ("6.5.11", None),
        ("8.6.94", Some("Permission denied")),
        ("9.10.0", Some("Permission denied")),
    ] {
        let server = TestServer::start(version).await;
        let (token, _) = alice_and_her_session(&server).await;
        let find = |query: &'static str, master: bool| {
            let mut req = server.rest("GET", &format!("/parse/users?{query}"));
            req = if master {
                req.header("X-Parse-Master-Key", MASTER_KEY)
            } else {
                req.session(&token)
            };
            req.send()
        };
        let res = find("order=createdAt,-email", false).await;
        match refusal {
            Some(message) => assert_eq!(
                (res.status, res.json()),
                (400, json!({"code": 119, "error": message})),
                "{version}"
            ),
            None => assert_eq!(res.status, 200, "{version}: {}", res.text()),
        }
        // A where on it is refused as well; the master key sorts on anything.
        if refusal.is_some() {
            let res = find("where=%7B%22email%22%3A%22a%22%7D&order=email", false).await;
            assert_eq!(res.json()["code"], 119, "{version}");
        }
        let res = find("order=-email", true).await;
        assert_eq!(res.status, 200, "{version}: {}", res.text());
    }
}

/// A `where` naming a column the class does not have: PostgreSQL refuses the query up to
/// 9.6 (asked of real Parse 3.8.0, 5.6.0 and 8.6.94: 500 on the page, 500 "Internal server
/// error." on a count alone; their PostgreSQL error objects are answered in 8.x's words),
/// and from 9.7 the adapter swallows the error: nothing matches, not even `$ne`. A field
/// under `$exists: false` is skipped, and a field a user was saved with is a column.
#[tokio::test]
async fn a_where_on_a_missing_column_fails_until_9_7_and_then_matches_nothing() {
    for (version, fails) in [("5.6.0", true), ("8.6.94", true), ("9.10.0", false)] {
        let server = TestServer::start(version).await;
        let made = server
            .rest("POST", "/parse/users")
            .json(&json!({"username": "ann", "password": "pw", "zip": "1"}))
            .send()
            .await;
        assert_eq!(made.status, 201, "{version}: {}", made.text());
        let find = |query: &'static str| {
            server
                .rest("GET", &format!("/parse/classes/_User?{query}"))
                .header("X-Parse-Master-Key", MASTER_KEY)
                .send()
        };
        let res = find("where=%7B%22a%22%3A%7B%22%24ne%22%3A1%7D%7D").await;
        let counted = find("where=%7B%22a%22%3A1%7D&limit=0&count=1").await;
        if fails {
            assert_eq!(
                (res.status, res.json()),
                (
                    500,
                    json!({"code": 1, "error": "An internal server error occurred"})
                ),
                "{version}"
            );
            assert_eq!(
                (counted.status, counted.json()),
                (500, json!({"code": 1, "message": "Internal server error."})),
                "{version}"
            );
        } else {
            assert_eq!((res.status, res.json()), (200, json!({"results": []})));
            assert_eq!(counted.json(), json!({"results": [], "count": 0}));
        }
        // Nothing is read for a page of none without a count; `$exists: false` on a field
        // the schema lacks and a saved custom field are no missing column.
        for query in [
            "where=%7B%22a%22%3A1%7D&limit=0",
            "where=%7B%22a%22%3A%7B%22%24exists%22%3Afalse%7D%7D",
            "where=%7B%22zip%22%3A%221%22%7D",
        ] {
            let res = find(query).await;
            assert_eq!(res.status, 200, "{version} {query}: {}", res.text());
        }
    }
}

/// `include=user` on sessions, as real Parse 5.6.0 and 9.10.0 answered it (asked this
/// session): the pointer becomes the user as a find of it by the caller answers, marked
/// `"__type": "Object"`, projected by the keys under `user.`; `GET /sessions/me` ignores it.
#[tokio::test]
async fn a_session_query_includes_its_user_when_asked() {
    for version in ["5.6.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        let (token, _) = alice_and_her_session(&server).await;
        let get = |path: String| server.rest("GET", &path).session(&token).send();
        let found = get("/parse/classes/_Session?include=user".into())
            .await
            .json();
        let user = &found["results"][0]["user"];
        assert_eq!(user["username"], "alice", "{version}: {found}");
        let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
        assert_eq!(
            keys.iter().rev().take(2).collect::<Vec<_>>(),
            [&&"className".to_owned(), &&"__type".to_owned()],
            "{version}: {found}"
        );
        assert_eq!(user["__type"], "Object");
        let projected = get("/parse/sessions?keys=user.username&include=user".into())
            .await
            .json();
        let user = projected["results"][0]["user"].as_object().unwrap().clone();
        assert_eq!(
            user.keys().collect::<Vec<_>>(),
            [
                "username",
                "objectId",
                "createdAt",
                "updatedAt",
                "ACL",
                "__type",
                "className"
            ],
            "{version}: {projected}"
        );
        let id = found["results"][0]["objectId"].as_str().unwrap().to_owned();
        let one = get(format!("/parse/classes/_Session/{id}?include=user"))
            .await
            .json();
        assert_eq!(one["user"]["__type"], "Object", "{version}: {one}");
        let me = get("/parse/sessions/me?include=user".into()).await.json();
        assert_eq!(me["user"]["__type"], "Pointer", "{version}: {me}");
    }
}

/// RestWrite checks a user's username for uniqueness before the format of its e-mail (the
/// GraphQL corpus recorded it on 3.10.0): a taken username is what a sign-up hears first.
#[tokio::test]
async fn a_taken_username_is_refused_before_a_bad_email() {
    for version in ["3.10.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        let (token, _) = alice_and_her_session(&server).await;
        for (username, expected) in [
            (
                "alice",
                json!({"code": 202, "error": "Account already exists for this username."}),
            ),
            (
                "bob",
                json!({"code": 125, "error": "Email address format is invalid."}),
            ),
        ] {
            let res = server
                .rest("POST", "/parse/users")
                .json(&json!({"username": username, "password": "pw", "email": "not-an-email"}))
                .send()
                .await;
            assert_eq!(res.json(), expected, "{version} {username}");
        }
        // A user keeps their own username: only the e-mail is wrong.
        let me = server
            .rest("GET", "/parse/users/me")
            .session(&token)
            .send()
            .await
            .json();
        let id = me["objectId"].as_str().expect("an id");
        let res = server
            .rest("PUT", &format!("/parse/users/{id}"))
            .session(&token)
            .json(&json!({"username": "alice", "email": "still-not"}))
            .send()
            .await;
        assert_eq!(
            res.json(),
            json!({"code": 125, "error": "Email address format is invalid."}),
            "{version}"
        );
    }
}

/// `n` sessions of `user_id`, written as an import writes them.
fn sessions_of(user_id: &str, n: usize) -> Vec<IssuedSession> {
    let now = now_millis();
    (0..n)
        .map(|_| IssuedSession {
            session: Session {
                object_id: object_id(),
                user_id: user_id.to_owned(),
                created_at: now,
                updated_at: now,
                expires_at: None,
                action: SessionAction::Login,
                auth_provider: "password".into(),
                installation_id: None,
                fields: Default::default(),
            },
            token: session_token(),
        })
        .collect()
}

/// The `count` of a find, with the master key or as the owner of `token`.
async fn count(server: &TestServer, path: &str, token: Option<&str>) -> Value {
    let req = server.rest("GET", path);
    let req = match token {
        Some(token) => req.session(token),
        None => req.header("X-Parse-Master-Key", MASTER_KEY),
    };
    let res = req.send().await;
    assert_eq!(res.status, 200, "{path}: {}", res.json());
    res.json()["count"].clone()
}

/// Parse counts a master-key query without `where` with PostgreSQL's estimate of the table's
/// rows (`pg_class.reltuples`, recorded in fixtures/graphql-diff as -1 up to 4.x and 0 from
/// 5.0 on a fresh database): -1 until the table is analysed, which autovacuum does once
/// more than 50 + 10% of its rows changed; the estimate then stays until the next analysis.
/// Any `where`, or any caller but the master key, is counted exactly. The estimate and the
/// changes since it outlive a restart.
#[tokio::test]
async fn a_master_count_without_where_is_postgres_estimate_of_the_table() {
    for (version, unknown) in [("4.5.2", -1), ("5.6.0", 0)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("estimate.db");
        let at = path.clone();
        let server = TestServer::start_with(version, move |c| {
            c.database = parse_compat::store::DatabaseLocation::File(at);
        })
        .await;
        let (token, session) = alice_and_her_session(&server).await;
        let alice = session["user"]["objectId"].as_str().unwrap().to_owned();
        let users = "/parse/classes/_User?count=1&limit=0";
        let sessions = "/parse/sessions?count=1&limit=0";
        assert_eq!(
            count(&server, users, None).await,
            json!(unknown),
            "{version}"
        );
        assert_eq!(
            count(&server, "/parse/users?count=1&where=%7B%7D", None).await,
            json!(unknown),
            "{version}: an empty where narrows nothing"
        );
        assert_eq!(count(&server, sessions, None).await, json!(unknown));
        // Counted: a where, or a caller whose ACL or ownership narrows the query.
        let alice_only = "/parse/users?count=1&limit=0&where=%7B%22username%22%3A%22alice%22%7D";
        assert_eq!(count(&server, alice_only, None).await, json!(1));
        assert_eq!(count(&server, users, Some(&token)).await, json!(1));
        assert_eq!(count(&server, sessions, Some(&token)).await, json!(1));

        // 1 + 49 session rows written: not more than 50 changes yet.
        let store = &server.state.store;
        store
            .insert_sessions(sessions_of(&alice, 49))
            .await
            .unwrap();
        assert_eq!(count(&server, sessions, None).await, json!(unknown));
        // The 51st change: analysed, 51 live sessions.
        store.insert_sessions(sessions_of(&alice, 1)).await.unwrap();
        assert_eq!(count(&server, sessions, None).await, json!(51));
        // An estimate, not a count: more than 55.1 changes are needed (50 + 10% of 51).
        store
            .insert_sessions(sessions_of(&alice, 10))
            .await
            .unwrap();
        let res = server
            .rest("POST", "/parse/logout")
            .session(&token)
            .send()
            .await;
        assert_eq!(res.status, 200);
        assert_eq!(count(&server, sessions, None).await, json!(51));
        assert_eq!(
            count(
                &server,
                "/parse/sessions?count=1&limit=0&where=%7B%7D",
                None
            )
            .await,
            json!(51)
        );
        assert_eq!(
            count(
                &server,
                "/parse/sessions?count=1&limit=0&where=%7B%22installationId%22%3A%7B%22%24exists%22%3Afalse%7D%7D",
                None
            )
            .await,
            json!(60),
            "{version}: counted with a where"
        );
        // The page is read as usual beside an estimated count.
        let page = server
            .rest("GET", "/parse/classes/_User?count=1")
            .header("X-Parse-Master-Key", MASTER_KEY)
            .send()
            .await
            .json();
        assert_eq!(page["results"].as_array().map(Vec::len), Some(1));
        assert_eq!(page["count"], json!(unknown));

        // 11 changes since the analysis (10 logins, 1 logout) are kept over a restart.
        store.close().await;
        server.stop().await;
        let at = path.clone();
        let server = TestServer::start_with(version, move |c| {
            c.database = parse_compat::store::DatabaseLocation::File(at);
        })
        .await;
        assert_eq!(count(&server, sessions, None).await, json!(51));
        let store = &server.state.store;
        store
            .insert_sessions(sessions_of(&alice, 44))
            .await
            .unwrap();
        assert_eq!(count(&server, sessions, None).await, json!(51), "{version}");
        store.insert_sessions(sessions_of(&alice, 1)).await.unwrap();
        assert_eq!(
            count(&server, sessions, None).await,
            json!(105),
            "{version}"
        );
        server.stop().await;
    }
}
