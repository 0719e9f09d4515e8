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

fn log_in_with(auth_data: &str) -> Value {
    json!({ "query": format!("mutation {{ logInWith(input: {{ authData: {auth_data} }}) {{ viewer {{ user {{ objectId authData }} }} }} }}") })
}

fn first_error(body: &Value) -> (String, Value) {
    let e = &body["errors"][0];
    (
        e["message"].as_str().unwrap_or_default().to_owned(),
        e["extensions"]["code"].clone(),
    )
}

#[tokio::test]
async fn log_in_with_unknown_provider_per_version() {
    for (version, message, code) in [
        ("4.5.2", "Internal server error", json!(1)),
        (
            "6.5.11",
            "Cannot destructure property 'validator' of 'req.config.authDataManager.getValidatorForProvider(...)' as it is undefined.",
            json!(141),
        ),
        (
            "7.5.4",
            "This authentication method is unsupported.",
            json!(252),
        ),
    ] {
        let server = Server::start(version).await;
        let (_, body) = post(&server, log_in_with(r#"{ myProvider: { id: "x1" } }"#)).await;
        assert_eq!(first_error(&body), (message.to_owned(), code), "{version}");
        assert_eq!(body["data"], json!({ "logInWith": null }), "{version}");
    }
}

#[tokio::test]
async fn log_in_with_empty_auth_data_creates_a_user_until_8() {
    for (version, creates) in [("4.2.0", true), ("7.5.4", true), ("8.6.94", false)] {
        let server = Server::start(version).await;
        let (_, body) = post(&server, log_in_with("{}")).await;
        if creates {
            let user = &body["data"]["logInWith"]["viewer"]["user"];
            assert!(user["objectId"].is_string(), "{version}: {body}");
            assert_eq!(user["authData"], Value::Null, "{version}");
        } else {
            assert_eq!(
                first_error(&body),
                ("bad or missing username".to_owned(), json!(200)),
                "{version}"
            );
        }
    }
}

#[tokio::test]
async fn log_in_with_a_provider_without_id_is_accepted_from_7() {
    for (version, accepted) in [("6.5.11", false), ("7.5.4", true), ("9.10.0", true)] {
        let server = Server::start(version).await;
        let (_, body) = post(&server, log_in_with(r#"{ anonymous: { foo: "bar" } }"#)).await;
        if accepted {
            assert_eq!(
                body["data"]["logInWith"]["viewer"]["user"]["authData"],
                json!({ "anonymous": { "foo": "bar" } }),
                "{version}"
            );
        } else {
            assert_eq!(
                first_error(&body),
                (
                    "This authentication method is unsupported.".to_owned(),
                    json!(252)
                ),
                "{version}"
            );
        }
    }
}

#[tokio::test]
async fn duplicate_operation_names_point_at_the_names() {
    let server = Server::start("4.4.0").await;
    let (status, body) = post(
        &server,
        json!({ "query": "query A { health } query A { __typename }", "operationName": "A" }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "errors": [{
            "message": "There can be only one operation named \"A\".",
            "locations": [{ "line": 1, "column": 7 }, { "line": 1, "column": 26 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" }
        }] })
    );
}

#[tokio::test]
async fn unknown_argument_wording_changed_in_graphql_js_15() {
    for (version, message) in [
        (
            "3.10.0",
            "Unknown argument \"verbose\" on field \"health\" of type \"Query\".",
        ),
        (
            "4.2.0",
            "Unknown argument \"verbose\" on field \"Query.health\".",
        ),
    ] {
        let server = Server::start(version).await;
        let (_, body) = post(&server, json!({ "query": "{ health(verbose: true) }" })).await;
        assert_eq!(body["errors"][0]["message"], json!(message), "{version}");
    }
}

#[tokio::test]
async fn variable_coercion_errors_per_graphql_js_and_apollo_core() {
    let query = "query Q($inc: Boolean!) { health @include(if: $inc) }";
    for (version, message, code) in [
        (
            "3.8.0",
            "Variable \"$inc\" got invalid value \"yes\"; Expected type Boolean. Boolean cannot represent a non boolean value: \"yes\"",
            "INTERNAL_SERVER_ERROR",
        ),
        (
            "3.10.0",
            "Variable \"$inc\" got invalid value \"yes\"; Expected type Boolean. Boolean cannot represent a non boolean value: \"yes\"",
            "BAD_USER_INPUT",
        ),
        (
            "4.4.0",
            "Variable \"$inc\" got invalid value \"yes\"; Boolean cannot represent a non boolean value: \"yes\"",
            "BAD_USER_INPUT",
        ),
    ] {
        let server = Server::start(version).await;
        let (status, body) = post(
            &server,
            json!({ "query": query, "variables": { "inc": "yes" } }),
        )
        .await;
        assert_eq!(status, 400, "{version}");
        assert_eq!(
            first_error(&body),
            (message.to_owned(), json!(code)),
            "{version}"
        );
        // A missing variable stays INTERNAL_SERVER_ERROR on Apollo Server 2.
        let (_, body) = post(&server, json!({ "query": query })).await;
        assert_eq!(
            first_error(&body).1,
            json!("INTERNAL_SERVER_ERROR"),
            "{version}"
        );
    }
}

#[tokio::test]
async fn graphql_js_14_prints_input_type_names_bare() {
    let server = Server::start("3.10.0").await;
    let query = "mutation L($input: LogInInput!) { logIn(input: $input) { clientMutationId } }";
    let (_, body) = post(
        &server,
        json!({ "query": query, "variables": { "input": { "username": "x", "password": "y", "bogus": 1 } } }),
    )
    .await;
    assert_eq!(
        first_error(&body).0,
        "Variable \"$input\" got invalid value { username: \"x\", password: \"y\", bogus: 1 }; Field \"bogus\" is not defined by type LogInInput."
    );
}

const EMAIL_NOT_CONFIGURED: &str = "An appName, publicServerURL, and emailAdapter are required for password reset and email verification functionality.";

#[tokio::test]
async fn reset_password_error_is_formatted_by_the_http_stack() {
    let query = r#"mutation { resetPassword(input: { email: "a@example.com" }) { ok } }"#;
    for (version, extensions) in [
        (
            "4.4.0",
            Some(
                json!({ "code": "INTERNAL_SERVER_ERROR", "exception": { "message": EMAIL_NOT_CONFIGURED, "code": 1 } }),
            ),
        ),
        ("6.5.11", None),
        ("9.10.0", Some(json!({ "code": "INTERNAL_SERVER_ERROR" }))),
    ] {
        let server = Server::start(version).await;
        let (status, body) = post(&server, json!({ "query": query })).await;
        assert_eq!(status, 200, "{version}");
        let error = &body["errors"][0];
        assert_eq!(error["message"], json!(EMAIL_NOT_CONFIGURED), "{version}");
        assert_eq!(error.get("extensions").cloned(), extensions, "{version}");
        assert_eq!(body["data"], json!({ "resetPassword": null }), "{version}");
        // sendVerificationEmail is caught by Parse: its numeric code stays.
        let (_, body) = post(
            &server,
            json!({ "query": r#"mutation { sendVerificationEmail(input: { email: "a@example.com" }) { ok } }"# }),
        )
        .await;
        assert_eq!(
            body["errors"][0]["extensions"],
            json!({ "code": 1 }),
            "{version}"
        );
    }
}

#[tokio::test]
async fn confirm_reset_password_exists_on_5_x_and_rejects_unknown_tokens() {
    let query = r#"mutation { confirmResetPassword(input: { username: "u", password: "p", token: "t" }) { ok } }"#;
    for (version, extensions) in [
        ("5.6.0", None),
        ("7.5.4", Some(json!({ "code": "INTERNAL_SERVER_ERROR" }))),
    ] {
        let server = Server::start(version).await;
        let (status, body) = post(&server, json!({ "query": query })).await;
        assert_eq!(status, 200, "{version}: {body}");
        let error = &body["errors"][0];
        assert_eq!(
            error["message"],
            json!(
                "Unexpected error value: \"Failed to reset password: username / email / token is invalid\""
            ),
            "{version}"
        );
        assert_eq!(error.get("extensions").cloned(), extensions, "{version}");
    }
}

#[tokio::test]
async fn a_subscription_is_refused_by_execution_per_stack() {
    for (version, status, body) in [
        (
            "4.4.0",
            400,
            json!({ "errors": [{ "message": "Schema is not configured for subscriptions.", "locations": [{ "line": 1, "column": 1 }], "extensions": { "code": "INTERNAL_SERVER_ERROR" } }] }),
        ),
        (
            "5.6.0",
            200,
            json!({ "errors": [{ "message": "Schema is not configured to execute subscription operation.", "locations": [{ "line": 1, "column": 1 }] }] }),
        ),
        (
            "9.10.0",
            200,
            json!({ "errors": [{ "message": "Schema is not configured to execute subscription operation.", "locations": [{ "line": 1, "column": 1 }], "extensions": { "code": "INTERNAL_SERVER_ERROR" } }], "data": null }),
        ),
    ] {
        let server = Server::start(version).await;
        let got = post(&server, json!({ "query": "subscription { health }" })).await;
        assert_eq!(got, (status, body), "{version}");
    }
}

#[tokio::test]
async fn a_bodiless_delete_has_no_req_body_on_express_5() {
    for (version, status) in [("8.6.94", 500), ("9.10.0", 405)] {
        let server = Server::start(version).await;
        let reply = server
            .request("DELETE", "/graphql")
            .header("X-Parse-Client-Key", graphql_support::CLIENT_KEY)
            .header("Content-Type", "application/json")
            .send()
            .await;
        assert_eq!(reply.status, status, "{version}: {}", reply.body);
        if status == 500 {
            assert!(
                reply.body.starts_with("`req.body` is not set"),
                "{}",
                reply.body
            );
        }
        // With a (empty) JSON body announced, 8.x reaches Apollo's method check.
        let reply = server
            .request("DELETE", "/graphql")
            .header("X-Parse-Client-Key", graphql_support::CLIENT_KEY)
            .header("Content-Type", "application/json")
            .body("{}")
            .send()
            .await;
        assert_eq!(reply.status, 405, "{version}: {}", reply.body);
    }
}

#[tokio::test]
async fn yoga_refuses_string_variables_after_validation_without_running() {
    let server = Server::start("6.5.11").await;
    let (_, body) = post(
        &server,
        json!({ "query": r#"mutation { signUp(input: { fields: { username: "dora", password: "pw" } }) { viewer { sessionToken } } }"#, "variables": "{}" }),
    )
    .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [{ "message": "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided." }] })
    );
    // The mutation did not run: the username is still free.
    let (_, body) = post(
        &server,
        json!({ "query": r#"mutation { signUp(input: { fields: { username: "dora", password: "pw" } }) { clientMutationId } }"# }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    // Validation comes first.
    let (status, body) = post(&server, json!({ "query": "{ nope }", "variables": 3 })).await;
    assert_eq!(status, 400);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Cannot query field \"nope\""),
        "{body}"
    );
}
