//! Request bodies built to hurt: whatever their shape, the server answers and stays up.

mod common;

use common::TestServer;

/// 100,000 unclosed `[` (or `{"a":`), sent with no application id: once enough to overflow
/// the connection thread's stack and abort the whole process, on every version and route.
#[tokio::test]
async fn deeply_nested_rest_body_is_refused_and_the_server_stays_up() {
    for version in ["3.7.2", "4.4.0", "6.5.11", "9.10.0"] {
        let server = TestServer::start(version).await;
        for unit in ["[", "{\"a\":"] {
            for path in [
                "/parse/users",
                "/parse/login",
                "/parse/logout",
                "/parse/users/me",
            ] {
                let res = server
                    .request("POST", path)
                    .header("Content-Type", "application/json")
                    .raw_body(unit.repeat(100_000))
                    .send()
                    .await;
                assert_eq!(res.status, 400, "{version} {path}: {}", res.text());
                assert_eq!(
                    res.json(),
                    serde_json::json!({ "error": "Unexpected end of JSON input" }),
                    "{version} {path}"
                );
            }
        }
        let health = server.rest("GET", "/parse/health").send().await;
        assert_eq!(health.status, 200, "{version} still serves");
    }
}

/// The GraphQL envelope reads its body with the same scanner.
#[tokio::test]
async fn deeply_nested_graphql_body_is_refused_and_the_server_stays_up() {
    for version in ["3.7.2", "5.6.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        let res = server
            .request("POST", "/graphql")
            .header("Content-Type", "application/json")
            .raw_body(format!("{}x", "[".repeat(100_000)))
            .send()
            .await;
        assert!(res.status >= 400, "{version}: {}", res.status);
        let health = server.rest("GET", "/parse/health").send().await;
        assert_eq!(health.status, 200, "{version} still serves");
    }
}

/// What Node's JSON.parse accepts and serde_json refused, as real Parse answered it
/// (fixtures/hostile: 2.login.deep*, 4.string.loneSurrogate, 5.bom.*).
#[tokio::test]
async fn bodies_v8_accepts_are_accepted() {
    for version in ["3.9.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        let sign_up = |name: &str| {
            server
                .rest("POST", "/parse/users")
                .json(&serde_json::json!({ "username": name, "password": "p" }))
        };
        assert_eq!(sign_up("deep").send().await.status, 201);
        // An extra field nested 100,000 deep: the login is answered (Parse: 200).
        let deep = format!(
            r#"{{"username":"deep","password":"p","x":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let res = server
            .rest("POST", "/parse/login")
            .header("Content-Type", "application/json")
            .raw_body(deep)
            .send()
            .await;
        assert_eq!(res.status, 200, "{version}: {}", res.text());
        // A byte-order mark before the body is ignored.
        let res = server
            .rest("POST", "/parse/login")
            .header("Content-Type", "application/json; charset=utf-8")
            .raw_body("\u{feff}{\"username\":\"deep\",\"password\":\"p\"}")
            .send()
            .await;
        assert_eq!(res.status, 200, "{version}: {}", res.text());
        // A lone surrogate is stored as U+FFFD: the same user as the literal character.
        let res = server
            .rest("POST", "/parse/users")
            .header("Content-Type", "application/json")
            .raw_body(r#"{"username":"lone_\ud800","password":"p","n":1e999}"#)
            .send()
            .await;
        assert_eq!(res.status, 201, "{version}: {}", res.text());
        let res = server
            .rest("POST", "/parse/login")
            .json(&serde_json::json!({ "username": "lone_\u{fffd}", "password": "p" }))
            .send()
            .await;
        assert_eq!(res.status, 200, "{version}: {}", res.text());
        assert_eq!(res.json()["username"], "lone_\u{fffd}");
    }
}

/// Real Parse on PostgreSQL cannot index a username or email over 2704 bytes and answers its
/// uncaught-error 500 (fixtures/hostile: 8.username2MiB, 8.username2800, 8.email1MiB); 2600
/// bytes are fine. The same limit keeps every cached session small.
#[tokio::test]
async fn identities_beyond_postgres_index_limit_are_refused_as_parse_refuses_them() {
    let server = TestServer::start("9.10.0").await;
    let sign_up = |name: String, email: Option<String>| {
        let mut body = serde_json::json!({ "username": name, "password": "p" });
        if let Some(e) = email {
            body["email"] = e.into();
        }
        server.rest("POST", "/parse/users").json(&body).send()
    };
    for (name, email) in [
        ("a".repeat(2 << 20), None),
        ("b".repeat(2800), None),
        ("c".into(), Some(format!("{}@x.com", "c".repeat(1 << 20)))),
    ] {
        let res = sign_up(name, email).await;
        assert_eq!(res.status, 500);
        assert_eq!(
            res.json(),
            serde_json::json!({"code": 1, "message": "Internal server error."})
        );
    }
    let res = sign_up("d".repeat(2600), None).await;
    assert_eq!(res.status, 201, "{}", res.text());
}

/// graphql-js reads a valid document however deep it nests (up to where Node.js's stack ends),
/// and so does parse-compat up to 1,500 levels: recorded on every version, an operation whose
/// `health` sits under 150 inline fragments, or at the end of 80 chained fragments, is
/// answered (graphql-diff mut.deepNesting.15, mut.wide.13). Asked again, the document is
/// cached and valid, yet still too deep for an async worker's stack: it must run on an
/// executor thread again, or the process dies of a stack overflow.
#[tokio::test]
async fn a_valid_deep_document_is_answered_and_repeated_safely() {
    // Both small enough to be cached (16 KiB).
    let inline = format!("{{{}health{}}}", "...{".repeat(1_400), "}".repeat(1_400));
    let chained = (0..500)
        .map(|i| format!("fragment F{i} on Query{{...F{}}}\n", i + 1))
        .collect::<String>()
        + "fragment F500 on Query{health}\n{...F0}";
    assert!(inline.len() < 16 * 1024 && chained.len() < 16 * 1024);
    for version in ["3.9.0", "9.10.0"] {
        let server = TestServer::start(version).await;
        for document in [&inline, &chained] {
            for attempt in 0..2 {
                let res = server
                    .request("POST", "/graphql")
                    .header("X-Parse-Application-Id", common::APP_ID)
                    .header("X-Parse-Client-Key", common::CLIENT_KEY)
                    .header("Content-Type", "application/json")
                    .raw_body(serde_json::json!({ "query": document }).to_string())
                    .send()
                    .await;
                assert_eq!(
                    res.json(),
                    serde_json::json!({"data": {"health": true}}),
                    "{version}, attempt {attempt}: {}",
                    &res.text()[..res.text().len().min(300)]
                );
            }
        }
    }
}

/// Parse 3.x's query validation visits each clause of an `$or` twice, so its cost doubles
/// with every nested `$or` (real Parse never answers a `where` forty deep: graphql-diff
/// hang.deepOrWhere.0). Modelled here, the same `where` hundreds deep, each level with a
/// sibling to move into the clauses, is answered, with and without the master key, on the
/// typed and the generic find.
#[tokio::test]
async fn a_deep_or_where_with_siblings_is_answered_on_3_x() {
    let levels = 700;
    let typed = format!(
        "{{ objects {{ find_User(where: {}{{username: {{_eq: \"x\"}}}}{}) {{ count }} }} }}",
        "{_or: [".repeat(levels),
        "], createdAt: {_exists: true}}".repeat(levels)
    );
    let generic = format!(
        "{{ objects {{ find(className: \"_User\", where: {}{{username: \"x\"}}{}) {{ count results }} }} }}",
        "{_or: [".repeat(levels),
        "], emailVerified: {_ne: true}}".repeat(levels)
    );
    let server = TestServer::start("3.7.2").await;
    for document in [&typed, &generic] {
        for master in [false, true] {
            let mut req = server
                .request("POST", "/graphql")
                .header("X-Parse-Application-Id", common::APP_ID)
                .header("Content-Type", "application/json");
            req = if master {
                req.header("X-Parse-Master-Key", common::MASTER_KEY)
            } else {
                req.header("X-Parse-Client-Key", common::CLIENT_KEY)
            };
            let res = req
                .raw_body(serde_json::json!({ "query": document }).to_string())
                .send()
                .await;
            let body = res.json();
            assert_eq!(
                body["data"]["objects"].as_object().map(|o| o.len()),
                Some(1),
                "master {master}: {}",
                &res.text()[..res.text().len().min(300)]
            );
            assert_eq!(
                body["data"]["objects"]["find_User"]["count"]
                    .as_i64()
                    .or(body["data"]["objects"]["find"]["count"].as_i64()),
                Some(0)
            );
        }
    }
}

/// A lone surrogate escape in a GraphQL body's query (`"\ud800"`) is one UTF-16 unit to
/// graphql-js, which a Rust string cannot hold: it is named and located as each graphql-js
/// major does (recorded: fixtures/graphql-diff env.badJson.22 on every version), where it
/// stops the lexer, and read as U+FFFD where it does not (14/15's strings and comments).
#[tokio::test]
async fn lone_surrogates_in_a_graphql_query_are_read_as_graphql_js_reads_them() {
    // (version, graphql-js 16)
    for (version, v16) in [
        ("3.7.2", false),
        ("4.5.2", false),
        ("5.6.0", true),
        ("9.10.0", true),
    ] {
        let server = TestServer::start(version).await;
        let post = |body: &'static str| {
            server
                .request("POST", "/graphql")
                .header("X-Parse-Application-Id", common::APP_ID)
                .header("X-Parse-Client-Key", common::CLIENT_KEY)
                .header("Content-Type", "application/json")
                .raw_body(body)
                .send()
        };
        let first_error = |res: &common::TestResponse| {
            let e = &res.json()["errors"][0];
            (e["message"].clone(), e["locations"][0]["column"].clone())
        };
        let res = post(r#"{"query":"\ud800"}"#).await;
        let message = if v16 {
            "Syntax Error: Invalid character: U+D800."
        } else {
            r#"Syntax Error: Cannot parse the unexpected character "\uD800"."#
        };
        assert_eq!(res.status, 400, "{version}: {}", res.text());
        assert_eq!(first_error(&res), (message.into(), 1.into()), "{version}");

        // In a comment: graphql-js 16 ends the comment there and refuses it.
        let res = post(r#"{"query":"{ health } # \udfff"}"#).await;
        if v16 {
            assert_eq!(
                first_error(&res),
                ("Syntax Error: Invalid character: U+DFFF.".into(), 14.into()),
                "{version}"
            );
        } else {
            assert_eq!(
                res.json()["data"]["health"],
                true,
                "{version}: {}",
                res.text()
            );
        }

        // In a string: 16 refuses it; 14/15 read one unit, so what follows is located right.
        let res = post(r#"{"query":"{ health(a: \"\ud800\") } ?"}"#).await;
        let expected = if v16 {
            ("Syntax Error: Invalid character within String: U+D800.", 14)
        } else {
            (
                r#"Syntax Error: Cannot parse the unexpected character "?"."#,
                20,
            )
        };
        assert_eq!(
            first_error(&res),
            (expected.0.into(), expected.1.into()),
            "{version}"
        );

        // A pair is one character, and U+FFFD written as such is no surrogate.
        let res = post(r#"{"query":"\ud83d\ude00 \ufffd"}"#).await;
        let message = if v16 {
            "Syntax Error: Unexpected character: U+1F600."
        } else {
            r#"Syntax Error: Cannot parse the unexpected character "\uD83D"."#
        };
        assert_eq!(first_error(&res), (message.into(), 1.into()), "{version}");
        let res = post(r#"{"query":"\ufffd"}"#).await;
        let message = if v16 {
            "Syntax Error: Unexpected character: U+FFFD."
        } else {
            r#"Syntax Error: Cannot parse the unexpected character "\uFFFD"."#
        };
        assert_eq!(first_error(&res), (message.into(), 1.into()), "{version}");
    }
}
