//! Parse's account options (`accountLockout`, `passwordPolicy`, `revokeSessionOnPasswordReset`,
//! `enforcePrivateUsers`) as a client meets them on REST and GraphQL.

mod common;

use common::TestServer;
use serde_json::{Value, json};

async fn sign_up(server: &TestServer, username: &str, password: &str) -> common::TestResponse {
    server
        .rest("POST", "/parse/users")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
}

async fn log_in(server: &TestServer, username: &str, password: &str) -> common::TestResponse {
    server
        .rest("POST", "/parse/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
}

fn lockout(duration: f64, threshold: u32) -> parse_compat::policy::AccountLockout {
    parse_compat::policy::account_lockout(&json!({"duration": duration, "threshold": threshold}))
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_refuses_every_password_until_the_lockout_ends() {
    let server =
        TestServer::start_with("9.10.0", |c| c.account_lockout = Some(lockout(1.0, 3))).await;
    assert_eq!(sign_up(&server, "locky", "right").await.status, 201);
    let locked = json!({"code": 101, "error": "Your account is locked due to multiple failed login attempts. Please try again after 1 minute(s)"});
    let invalid = json!({"code": 101, "error": "Invalid username/password."});
    // The attempt that reaches the threshold is still a wrong password; the lock holds from
    // the next one, whatever the password.
    for _ in 0..3 {
        assert_eq!(log_in(&server, "locky", "wrong").await.json(), invalid);
    }
    assert_eq!(log_in(&server, "locky", "right").await.json(), locked);
    let verify = server
        .rest("GET", "/parse/verifyPassword?username=locky&password=right")
        .send()
        .await;
    assert_eq!(verify.json(), locked);
    // GraphQL's logIn goes through the same check.
    let gql = server
        .rest("POST", "/graphql")
        .json(&json!({"query": "mutation { logIn(input: {username: \"locky\", password: \"right\"}) { viewer { sessionToken } } }"}))
        .send()
        .await;
    assert!(
        gql.text().contains("Your account is locked"),
        "{}",
        gql.text()
    );
    // Unknown users are never counted (nothing to lock).
    for _ in 0..4 {
        assert_eq!(log_in(&server, "nobody", "x").await.json(), invalid);
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_login_resets_the_count() {
    let server =
        TestServer::start_with("6.5.11", |c| c.account_lockout = Some(lockout(0.5, 3))).await;
    sign_up(&server, "resetty", "right").await;
    for _ in 0..2 {
        assert_eq!(log_in(&server, "resetty", "wrong").await.status, 404);
    }
    assert_eq!(log_in(&server, "resetty", "right").await.status, 200);
    for _ in 0..2 {
        assert_eq!(log_in(&server, "resetty", "wrong").await.status, 404);
    }
    assert_eq!(log_in(&server, "resetty", "right").await.status, 200);
    server.stop().await;
}

fn policy(v: Value) -> parse_compat::policy::PasswordPolicy {
    parse_compat::policy::password_policy(&v).unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_follow_the_policy_on_sign_up_and_change() {
    let server = TestServer::start_with("9.10.0", |c| {
        c.password_policy = Some(policy(json!({
            "validatorPattern": "^(?=.*[0-9]).{6,}$",
            "doNotAllowUsername": true,
            "maxPasswordHistory": 2
        })))
    })
    .await;
    let refused = |msg: &str| json!({"code": 142, "error": msg});
    let pattern = "Password does not meet the Password Policy requirements.";
    assert_eq!(
        sign_up(&server, "pp_user", "short").await.json(),
        refused(pattern)
    );
    assert_eq!(
        sign_up(&server, "pp_user", "pp_user1").await.json(),
        refused("Password cannot contain your username.")
    );
    let created = sign_up(&server, "pp_user", "good123").await.json();
    let (id, token) = (
        created["objectId"].as_str().unwrap(),
        created["sessionToken"].as_str().unwrap(),
    );
    let put = |password: &'static str, token: String| {
        let path = format!("/parse/users/{id}");
        let server = &server;
        async move {
            server
                .rest("PUT", &path)
                .session(&token)
                .json(&json!({"password": password}))
                .send()
                .await
        }
    };
    let same = "New password should not be the same as last 2 passwords.";
    assert_eq!(
        put("nodigits", token.to_owned()).await.json(),
        refused(pattern)
    );
    assert_eq!(
        put("xpp_user9", token.to_owned()).await.json(),
        refused("Password cannot contain your username.")
    );
    assert_eq!(put("good123", token.to_owned()).await.json(), refused(same));
    let changed = put("good456", token.to_owned()).await.json();
    let token = changed["sessionToken"].as_str().unwrap().to_owned();
    assert_eq!(put("good123", token.clone()).await.json(), refused(same));
    let changed = put("good789", token).await.json();
    let token = changed["sessionToken"].as_str().unwrap().to_owned();
    // good123 is now three passwords back: allowed again.
    assert!(put("good123", token).await.json()["sessionToken"].is_string());
    assert_eq!(log_in(&server, "pp_user", "good123").await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_password_refuses_login_only() {
    let server = TestServer::start_with("9.10.0", |c| {
        c.password_policy = Some(policy(json!({"maxPasswordAge": 0.00002})))
    })
    .await;
    let token = sign_up(&server, "aged", "p1").await.json()["sessionToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(log_in(&server, "aged", "p1").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        log_in(&server, "aged", "p1").await.json(),
        json!({"code": 101, "error": "Your password has expired. Please reset your password."})
    );
    let me = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(me.status, 200, "sessions made before stay valid");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_revoking_on_password_change_the_other_sessions_stay() {
    let server =
        TestServer::start_with("9.10.0", |c| c.revoke_session_on_password_reset = false).await;
    let created = sign_up(&server, "keeper", "p1").await.json();
    let (id, first) = (
        created["objectId"].as_str().unwrap(),
        created["sessionToken"].as_str().unwrap(),
    );
    let second = log_in(&server, "keeper", "p1").await.json()["sessionToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = server
        .rest("PUT", &format!("/parse/users/{id}"))
        .session(first)
        .json(&json!({"password": "p2"}))
        .send()
        .await
        .json();
    assert!(changed["sessionToken"].is_string());
    for token in [first, second.as_str()] {
        assert_eq!(
            server
                .rest("GET", "/parse/users/me")
                .session(token)
                .send()
                .await
                .status,
            200
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforce_private_users_overrides_the_version_default() {
    let server = TestServer::start_with("9.10.0", |c| c.enforce_private_users = Some(false)).await;
    let created = sign_up(&server, "public", "p").await.json();
    let id = created["objectId"].as_str().unwrap();
    let other = server
        .rest("GET", &format!("/parse/users/{id}"))
        .send()
        .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.json()["ACL"]["*"], json!({"read": true}));
    server.stop().await;
}
