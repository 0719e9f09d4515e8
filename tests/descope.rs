//! The Descope-compatible API over real HTTP against an in-process server: the flows the
//! Descope SDKs drive, every refusal, and the shared revoker between Descope and Parse.

mod descope_common;

use descope_common::{PROJECT, TestServer, claims, kid};
use parse_compat::store::SessionAction;
use serde_json::Value;

const PASSWORD: &str = "Secr3t!pass";

fn redact_jwt_response(body: &Value) -> Value {
    let mut body = body.clone();
    for field in ["sessionJwt", "refreshJwt"] {
        if body[field].as_str().is_some_and(|s| !s.is_empty()) {
            body[field] = "[jwt]".into();
        }
    }
    // Seconds left on the refresh token: exact at sign-in, a second less after a slow refresh.
    if body["cookieMaxAge"].as_i64().is_some_and(|v| v != 0) {
        body["cookieMaxAge"] = "[seconds]".into();
    }
    for field in ["cookieExpiration", "sessionExpiration"] {
        if body[field].as_i64().is_some_and(|v| v != 0) {
            body[field] = "[unix seconds]".into();
        }
    }
    if let Some(user) = body.get_mut("user") {
        redact_user(user);
    }
    if let Some(c) = body.get_mut("claims").and_then(Value::as_object_mut) {
        for field in ["exp", "iat", "sub"] {
            if c.contains_key(field) {
                c.insert(field.into(), format!("[{field}]").into());
            }
        }
    }
    body
}

fn redact_user(user: &mut Value) {
    if user["userId"].as_str().is_some_and(|s| !s.is_empty()) {
        user["userId"] = "[objectId]".into();
    }
    if user["createdTime"].as_i64().is_some_and(|v| v != 0) {
        user["createdTime"] = "[unix seconds]".into();
    }
}

fn redact_cookies(cookies: &[&str]) -> Vec<String> {
    cookies
        .iter()
        .map(|c| {
            let (name_value, rest) = c.split_once(';').unwrap();
            let (name, value) = name_value.split_once('=').unwrap();
            let value = if value.is_empty() { "" } else { "[jwt]" };
            format!("{name}={value};{rest}")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_answers_a_jwt_response_with_cookies() {
    let server = TestServer::start().await;
    let reply = server.sign_up("ada", PASSWORD).await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = &reply.json;
    let user_id = body["user"]["userId"].as_str().unwrap();
    let refresh = claims(body["refreshJwt"].as_str().unwrap());
    assert_eq!(refresh["drn"], "DSR");
    assert_eq!(refresh["iss"], PROJECT);
    assert_eq!(refresh["sub"], user_id);
    assert!(refresh["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(
        refresh["exp"].as_i64().unwrap() - refresh["iat"].as_i64().unwrap(),
        4 * 7 * 24 * 3600
    );
    let session = claims(body["sessionJwt"].as_str().unwrap());
    assert_eq!(session["drn"], "DS");
    assert_eq!(
        session["exp"].as_i64().unwrap() - session["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(body["sessionExpiration"], session["exp"]);
    assert_eq!(body["cookieMaxAge"], 4 * 7 * 24 * 3600);
    assert_eq!(body["cookieExpiration"], refresh["exp"]);
    insta::assert_json_snapshot!("signup_body", redact_jwt_response(body));
    insta::assert_json_snapshot!("signin_cookies", redact_cookies(&reply.set_cookies()));
    // The same user is a Parse user: the username is the login id.
    let token = server.parse_login("ada", PASSWORD).await;
    let me = server.parse_me(&token).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json["objectId"], user_id);
    assert_eq!(me.json["email"], "ada@example.com");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_accepts_a_parse_user_and_returns_unique_refresh_tokens() {
    let server = TestServer::start().await;
    // Signed up through Parse REST, signed in through Descope.
    let body =
        serde_json::json!({"username": "bob", "password": PASSWORD, "email": "bob@example.com"});
    let created = server
        .request("POST", "/parse/users")
        .parse_keys()
        .json(&body.to_string())
        .send()
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let a = server.sign_in("bob", PASSWORD).await;
    let b = server.sign_in("bob@example.com", PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(a.json["user"]["userId"], created.json["objectId"]);
    assert_eq!(a.json["firstSeen"], false);
    assert_ne!(a.str("refreshJwt"), b.str("refreshJwt"));
    assert_ne!(
        claims(&a.str("refreshJwt"))["jti"],
        claims(&b.str("refreshJwt"))["jti"]
    );
    insta::assert_json_snapshot!("signin_body", redact_jwt_response(&a.json));
    // The Descope session is a row of the shared session table: a password login.
    let jti = claims(&a.str("refreshJwt"))["jti"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = server
        .store
        .find_session_by_id(&jti)
        .await
        .unwrap()
        .expect("the Descope session is a Parse session");
    assert_eq!(row.session.action, SessionAction::Login);
    assert_eq!(row.session.auth_provider, "password");
    assert_eq!(Value::from(row.user.object_id), created.json["objectId"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_and_sign_up_refusals() {
    let server = TestServer::start().await;
    server.sign_up("cy", PASSWORD).await;
    let wrong = server.sign_in("cy", "nope").await;
    wrong.assert_error(401, "E062108");
    let unknown = server.sign_in("nobody", PASSWORD).await;
    unknown.assert_error(401, "E062108");
    assert_eq!(wrong.json, unknown.json, "one answer for both");
    insta::assert_json_snapshot!("bad_credentials", wrong.json);

    let taken = server
        .request("POST", "/v1/auth/password/signup")
        .json(r#"{"loginId":"CY","password":"x"}"#)
        .send()
        .await;
    taken.assert_error(409, "E062107");

    let missing = server
        .request("POST", "/v1/auth/password/signin")
        .json(r#"{"password":"x"}"#)
        .send()
        .await;
    missing.assert_error(400, "E011002");
    insta::assert_json_snapshot!("missing_argument", missing.json);

    for body in ["not json", "[1,2]", r#"{"loginId":5,"password":"x"}"#] {
        let bad = server
            .request("POST", "/v1/auth/password/signin")
            .json(body)
            .send()
            .await;
        bad.assert_error(400, "E011001");
    }
    let bad_email = server
        .request("POST", "/v1/auth/password/signup")
        .json(r#"{"loginId":"dee","password":"x","user":{"email":"nope"}}"#)
        .send()
        .await;
    bad_email.assert_error(400, "E011001");
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_and_me_use_the_refresh_token() {
    let server = TestServer::start().await;
    let up = server.sign_up("dan", PASSWORD).await;
    let rt = up.str("refreshJwt");
    let refreshed = server.descope_post("refresh", &rt).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(
        refreshed.str("refreshJwt"),
        rt,
        "the refresh JWT is not rotated"
    );
    let session = claims(&refreshed.str("sessionJwt"));
    assert_eq!(session["drn"], "DS");
    assert_eq!(session["sub"], up.json["user"]["userId"]);
    insta::assert_json_snapshot!("refresh_body", redact_jwt_response(&refreshed.json));

    let me = server
        .request("GET", "/v1/auth/me")
        .bearer(&rt)
        .send()
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    let mut user = me.json.clone();
    redact_user(&mut user);
    insta::assert_json_snapshot!("me_body", user);

    // A management key after the token is ignored.
    let with_key = server
        .request("GET", "/v1/auth/me")
        .header("authorization", &format!("Bearer {PROJECT}:{rt}:mgmtKey"))
        .send()
        .await;
    assert_eq!(with_key.status, 200, "{}", with_key.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_refresh_token_may_come_from_a_cookie() {
    let server = TestServer::start().await;
    let rt = server.sign_up("eve", PASSWORD).await.str("refreshJwt");
    let by_dsr = server
        .request("POST", "/v1/auth/refresh")
        .header("authorization", &format!("Bearer {PROJECT}"))
        .header("cookie", &format!("other=1; DSR={rt}"))
        .send()
        .await;
    assert_eq!(by_dsr.status, 200, "{}", by_dsr.text);
    let by_name = server
        .request("POST", "/v1/auth/refresh")
        .header("x-descope-refresh-cookie-name", "AppRefresh")
        .header("cookie", &format!("AppRefresh={rt}"))
        .send()
        .await;
    assert_eq!(by_name.status, 200, "{}", by_name.text);
    // The bearer's token wins over a cookie.
    let bearer_first = server
        .request("POST", "/v1/auth/refresh")
        .bearer("garbage")
        .header("cookie", &format!("DSR={rt}"))
        .send()
        .await;
    bearer_first.assert_error(401, "E011003");
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_ends_exactly_that_session_and_clears_the_cookies() {
    let server = TestServer::start().await;
    let first = server.sign_up("fay", PASSWORD).await.str("refreshJwt");
    let second = server.sign_in("fay", PASSWORD).await.str("refreshJwt");
    let parse_token = server.parse_login("fay", PASSWORD).await;

    let out = server.descope_post("logout", &second).await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(out.json["sessionJwt"], "");
    assert_eq!(out.json["refreshJwt"], "");
    insta::assert_json_snapshot!("logout_body", out.json);
    insta::assert_json_snapshot!("logout_cookies", out.set_cookies());

    server
        .descope_post("refresh", &second)
        .await
        .assert_error(401, "E064001");
    let again = server.descope_post("logout", &second).await;
    again.assert_error(401, "E064001");
    insta::assert_json_snapshot!("revoked", again.json);
    // The other Descope session and the Parse session live on.
    assert_eq!(server.descope_post("refresh", &first).await.status, 200);
    assert_eq!(server.parse_me(&parse_token).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_accepts_an_empty_body_and_unknown_logout_types() {
    let server = TestServer::start().await;
    for body in ["", "{}", r#"{"logoutType":["everything","nonsense"]}"#] {
        let rt = server
            .sign_up(&format!("gus{}", body.len()), PASSWORD)
            .await
            .str("refreshJwt");
        let out = server
            .request("POST", "/v1/auth/logout")
            .bearer(&rt)
            .header("content-type", "application/json")
            .raw_body(body)
            .send()
            .await;
        assert_eq!(out.status, 200, "{body:?}: {}", out.text);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logoutall_ends_parse_sessions_too() {
    let server = TestServer::start().await;
    let first = server.sign_up("hal", PASSWORD).await.str("refreshJwt");
    let second = server.sign_in("hal", PASSWORD).await.str("refreshJwt");
    let parse_token = server.parse_login("hal", PASSWORD).await;
    let bystander = server.sign_up("ivy", PASSWORD).await.str("refreshJwt");

    let out = server.descope_post("logoutall", &second).await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(out.json, server_empty_body());
    assert_eq!(out.set_cookies().len(), 2);

    let me = server.parse_me(&parse_token).await;
    assert_eq!(me.status, 400, "{}", me.text);
    assert_eq!(me.json["code"], 209);
    for rt in [&first, &second] {
        server
            .descope_post("refresh", rt)
            .await
            .assert_error(401, "E064001");
    }
    // A revoked token cannot log everyone out again; other users are untouched.
    server
        .descope_post("logoutall", &second)
        .await
        .assert_error(401, "E064001");
    assert_eq!(server.descope_post("refresh", &bystander).await.status, 200);
}

fn server_empty_body() -> Value {
    serde_json::to_value(parse_compat::descope::wire::JwtResponse::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parse_side_revoke_ends_the_descope_refresh_token() {
    let server = TestServer::start().await;
    let rt = server.sign_up("jon", PASSWORD).await.str("refreshJwt");
    let session_id = claims(&rt)["jti"].as_str().unwrap().to_owned();
    let deleted = server
        .request("DELETE", &format!("/parse/sessions/{session_id}"))
        .header("x-parse-application-id", descope_common::APP_ID)
        .header("x-parse-master-key", "compatMaster")
        .send()
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    server
        .descope_post("refresh", &rt)
        .await
        .assert_error(401, "E064001");
    let me = server
        .request("GET", "/v1/auth/me")
        .bearer(&rt)
        .send()
        .await;
    me.assert_error(401, "E064001");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tokens_are_refused_without_a_server_error() {
    let server = TestServer::start().await;
    let up = server.sign_up("kim", PASSWORD).await;
    let rt = up.str("refreshJwt");
    let st = up.str("sessionJwt");

    let missing = server
        .request("POST", "/v1/auth/refresh")
        .header("authorization", &format!("Bearer {PROJECT}"))
        .send()
        .await;
    missing.assert_error(401, "E011002");
    insta::assert_json_snapshot!("missing_token", missing.json);
    server
        .request("POST", "/v1/auth/logout")
        .send()
        .await
        .assert_error(401, "E011002");

    let other_project = server
        .request("POST", "/v1/auth/refresh")
        .header("authorization", &format!("Bearer P2someoneElse:{rt}"))
        .send()
        .await;
    other_project.assert_error(401, "E011003");
    insta::assert_json_snapshot!("wrong_project", other_project.json);

    // A session JWT is not a refresh JWT; garbage is garbage; a tampered payload fails.
    let mut tampered = rt.clone();
    let mid = tampered.find('.').unwrap() + 5;
    tampered.replace_range(mid..=mid, if &rt[mid..=mid] == "A" { "B" } else { "A" });
    for token in [st.as_str(), "garbage", "a.b.c", tampered.as_str(), "é"] {
        for path in ["refresh", "logout", "logoutall"] {
            let reply = server.descope_post(path, token).await;
            assert!(reply.status < 500, "{path} {token}: {}", reply.text);
            reply.assert_error(401, "E011003");
        }
    }
    let me = server
        .request("GET", "/v1/auth/me")
        .bearer("x.y.z")
        .send()
        .await;
    me.assert_error(401, "E011003");
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_checks_a_session_jwt() {
    let server = TestServer::start().await;
    let up = server.sign_up("lea", PASSWORD).await;
    let ok = server
        .request("POST", "/v1/auth/validate")
        .bearer(&up.str("sessionJwt"))
        .send()
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["parsedJWT"]["drn"], "DS");
    assert_eq!(ok.json["parsedJWT"]["sub"], up.json["user"]["userId"]);
    let by_cookie = server
        .request("POST", "/v1/auth/validate")
        .header("cookie", &format!("DS={}", up.str("sessionJwt")))
        .send()
        .await;
    assert_eq!(by_cookie.status, 200, "{}", by_cookie.text);
    server
        .request("POST", "/v1/auth/validate")
        .bearer(&up.str("refreshJwt"))
        .send()
        .await
        .assert_error(401, "E011003");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_jwks_lists_the_signing_key() {
    let server = TestServer::start().await;
    let keys = server
        .request("GET", &format!("/v2/keys/{PROJECT}"))
        .send()
        .await;
    assert_eq!(keys.status, 200, "{}", keys.text);
    let rt = server.sign_up("max", PASSWORD).await.str("refreshJwt");
    assert_eq!(keys.json["keys"][0]["kid"], kid(&rt).as_str());
    insta::assert_json_snapshot!("jwks", keys.json, {
        ".keys[].kid" => "[kid]",
        ".keys[].n" => "[modulus]",
    });
    server
        .request("GET", "/v2/keys/P2someoneElse")
        .send()
        .await
        .assert_error(400, "E011001");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_and_methods_answer_json() {
    let server = TestServer::start().await;
    let unknown = server.request("POST", "/v1/auth/nothing").send().await;
    unknown.assert_error(404, "E011001");
    let wrong_method = server.request("GET", "/v1/auth/logout").send().await;
    wrong_method.assert_error(405, "E011001");
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_key_signs_new_tokens_and_old_tokens_stay_valid() {
    let server = TestServer::start().await;
    let old_rt = server.sign_up("ned", PASSWORD).await.str("refreshJwt");
    let new_kid = parse_compat::descope::rotate_keys(&server.store)
        .await
        .unwrap();
    assert_ne!(kid(&old_rt), new_kid);
    let server = server.restart().await;
    let new_rt = server.sign_in("ned", PASSWORD).await.str("refreshJwt");
    assert_eq!(kid(&new_rt), new_kid);
    let refreshed = server.descope_post("refresh", &old_rt).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(kid(&refreshed.str("sessionJwt")), new_kid);
    let keys = server
        .request("GET", &format!("/v2/keys/{PROJECT}"))
        .send()
        .await;
    let kids: Vec<String> = keys.json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kids, [new_kid, kid(&old_rt)]);
}
