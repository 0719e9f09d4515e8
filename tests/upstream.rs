//! `--upstream`: what parse-compat does not answer reaches the upstream Parse Server unchanged
//! (method, path, query, headers, body), streaming both ways; what it answers never does; a
//! lost or silent upstream gets Parse's lost-backend answer, never a hang.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{MASTER_KEY, TestServer};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// A stand-in upstream: `/big` streams 8 MiB in chunks; anything else is echoed as JSON
/// (method, path with query, headers, and the body's length and text).
async fn fake_upstream() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let service = service_fn(|req: Request<Incoming>| async move {
                    Ok::<_, Infallible>(echo(req).await)
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

async fn echo(req: Request<Incoming>) -> Response<Body> {
    if req.uri().path() == "/big" {
        let chunks = (0..128)
            .map(|i| Ok::<_, Infallible>(Frame::data(Bytes::from(vec![i as u8; 64 * 1024]))));
        let body = StreamBody::new(futures_util::stream::iter(chunks));
        return Response::new(BodyExt::boxed(body));
    }
    let (parts, body) = req.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let headers: serde_json::Map<String, Value> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or(""))))
        .collect();
    let answer = json!({
        "upstream": true,
        "method": parts.method.as_str(),
        "path": parts.uri.path_and_query().map(ToString::to_string),
        "headers": headers,
        "length": bytes.len(),
        "text": if bytes.len() < 4096 { String::from_utf8_lossy(&bytes).into_owned() } else { String::new() },
    });
    let mut res = Response::new(BodyExt::boxed(Full::new(Bytes::from(answer.to_string()))));
    res.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    res.headers_mut()
        .insert("x-from-upstream", "1".parse().unwrap());
    res.headers_mut()
        .insert("keep-alive", "timeout=5".parse().unwrap());
    res
}

async fn server_with_upstream(
    upstream: &str,
    tweak: impl FnOnce(&mut parse_compat::config::Config),
) -> TestServer {
    let upstream = upstream.to_owned();
    TestServer::start_with("9.10.0", move |c| {
        c.upstream = Some(upstream);
        tweak(c);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_answered_here_reaches_the_upstream_unchanged() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}"), |_| {}).await;

    let res = server
        .rest("POST", "/parse/classes/Post?x=1")
        .header("Connection", "keep-alive, X-Secret-Hop")
        .header("X-Secret-Hop", "no")
        .json(&json!({"title": "hello"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-from-upstream"), Some("1"));
    assert_eq!(
        res.header("keep-alive"),
        None,
        "hop-by-hop headers stay behind"
    );
    let echo = res.json();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["path"], "/parse/classes/Post?x=1");
    assert_eq!(echo["text"], r#"{"title":"hello"}"#);
    assert_eq!(echo["headers"]["x-parse-application-id"], "compatApp");
    assert_eq!(
        echo["headers"]["host"],
        server.addr.to_string(),
        "Host is kept"
    );
    assert!(echo["headers"].get("x-secret-hop").is_none());

    // Functions with the JS SDK's text/plain body, any path outside the APIs, a method no
    // route here has on a path that has others.
    for (method, path) in [
        ("POST", "/parse/functions/hello"),
        ("GET", "/apps/choose_password"),
        ("PUT", "/parse/login"),
    ] {
        let res = server
            .rest(method, path)
            .header("Content-Type", "text/plain")
            .raw_body(r#"{"a":1}"#)
            .send()
            .await;
        assert_eq!(res.json()["path"], path, "{method} {path}");
        assert_eq!(res.json()["text"], r#"{"a":1}"#, "{method} {path}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_api_is_answered_here_and_never_forwarded() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}/parse"), |_| {}).await;
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "alice", "password": "p"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let token = res.json()["sessionToken"].as_str().unwrap().to_owned();
    let me = server
        .rest("GET", "/parse/users/me")
        .session(&token)
        .send()
        .await;
    assert_eq!(me.json()["username"], "alice");
    // The JS SDK's query of users: a POST with `_method` on a path of ours (9.x users are
    // private: the user finds themselves).
    let found = server
        .rest("POST", "/parse/classes/_User")
        .session(&token)
        .header("Content-Type", "text/plain")
        .raw_body(r#"{"_method":"GET","where":{"username":"alice"}}"#)
        .send()
        .await;
    assert_eq!(
        found.json()["results"][0]["username"],
        "alice",
        "{}",
        found.text()
    );
    // GraphQL: the auth API here, anything else upstream, whole.
    let ours = server
        .rest("POST", "/graphql")
        .header("X-Parse-Master-Key", MASTER_KEY)
        .json(&json!({"query": "{ health }"}))
        .send()
        .await;
    assert_eq!(ours.json()["data"]["health"], true, "{}", ours.text());
    let theirs = server
        .rest("POST", "/graphql")
        .json(&json!({"query": "{ posts { count } }"}))
        .send()
        .await;
    assert_eq!(theirs.json()["upstream"], true);
    assert_eq!(theirs.json()["path"], "/graphql");
    assert_eq!(theirs.json()["text"], r#"{"query":"{ posts { count } }"}"#);
    server.stop().await;
}

/// What reaches a route here but needs Parse's own code goes upstream whole: a sign-up or user
/// update that names `authData`, a query with an operator evaluated only by Parse, a request
/// with the maintenance key (the auth adapters are the upstream's), and a batch that holds any
/// request no route here answers. A batch of only auth requests stays here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_data_and_mixed_batches_go_upstream_whole() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}/parse"), |_| {}).await;
    let with_auth_data = r#"{"authData":{"facebook":{"id":"8","access_token":"t"}}}"#;
    for (method, path) in [("POST", "/parse/users"), ("PUT", "/parse/users/abc")] {
        let res = server
            .rest(method, path)
            .raw_body(with_auth_data)
            .send()
            .await;
        assert_eq!(
            res.json()["upstream"],
            true,
            "{method} {path}: {}",
            res.text()
        );
        assert_eq!(res.json()["text"], with_auth_data);
    }
    let mixed = json!({"requests": [
        {"method": "POST", "path": "/parse/users", "body": {"username": "a", "password": "p"}},
        {"method": "POST", "path": "/parse/classes/Post", "body": {"title": "t"}},
    ]});
    let res = server
        .rest("POST", "/parse/batch")
        .json(&mixed)
        .send()
        .await;
    assert_eq!(res.json()["upstream"], true, "{}", res.text());
    assert_eq!(res.json()["path"], "/parse/batch");

    let ours = json!({"requests": [
        {"method": "POST", "path": "/parse/users", "body": {"username": "b", "password": "p"}},
    ]});
    let res = server.rest("POST", "/parse/batch").json(&ours).send().await;
    assert!(
        res.json()[0]["success"]["objectId"].is_string(),
        "{}",
        res.text()
    );
    // Queries the engine here cannot evaluate, and the maintenance key, which only the
    // upstream knows.
    let related = where_param(
        r#"{"$relatedTo":{"object":{"__type":"Pointer","className":"Team","objectId":"t1"},"key":"members"}}"#,
    );
    for (path, header) in [
        (format!("/parse/users?{related}"), None),
        (
            format!(
                "/parse/classes/_Session?{}",
                where_param(r#"{"user":{"$inQuery":{"where":{},"className":"_User"}}}"#)
            ),
            None,
        ),
        (
            "/parse/users/me".to_owned(),
            Some("X-Parse-Maintenance-Key"),
        ),
    ] {
        let mut req = server.rest("GET", &path);
        if let Some(h) = header {
            req = req.header(h, "k");
        }
        let res = req.send().await;
        assert_eq!(res.json()["upstream"], true, "{path}: {}", res.text());
    }
    let res = server
        .rest(
            "GET",
            &format!(
                "/parse/users?{}",
                where_param(r#"{"username":{"$in":["b"]}}"#)
            ),
        )
        .header("X-Parse-Master-Key", MASTER_KEY)
        .send()
        .await;
    assert_eq!(res.json()["results"][0]["username"], "b", "{}", res.text());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_stream_through_beyond_the_local_body_limit() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}"), |c| c.body_limit = 1 << 20).await;
    let upload = vec![b'x'; 3 << 20];
    let res = server
        .rest("POST", "/parse/files/big.txt")
        .header("Content-Type", "text/plain")
        .raw_body(upload)
        .send()
        .await;
    assert_eq!(res.json()["length"], 3 << 20);
    let big = server.request("GET", "/big").send().await;
    assert_eq!(big.body.len(), 128 * 64 * 1024);
    assert!(
        big.body
            .chunks(64 * 1024)
            .enumerate()
            .all(|(i, c)| c.iter().all(|b| *b == i as u8))
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_silent_upstream_gets_parse_s_lost_backend_answer() {
    // Nothing listens here.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let server = server_with_upstream(&format!("http://{closed}"), |_| {}).await;
    let res = server.rest("GET", "/parse/classes/Post").send().await;
    assert_eq!(res.status, 500);
    assert_eq!(
        res.json(),
        json!({"code": 1, "message": "Internal server error."})
    );
    server.stop().await;

    // Accepts, never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let server = server_with_upstream(&format!("http://{silent_addr}"), |c| {
        c.upstream_timeout_secs = 1;
    })
    .await;
    let started = Instant::now();
    let res = server.rest("GET", "/parse/classes/Post").send().await;
    assert_eq!(res.status, 500);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The auth API does not depend on the upstream.
    let health = server.rest("GET", "/parse/health").send().await;
    assert_eq!(health.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_upstream_nothing_changes() {
    let server = TestServer::start("9.10.0").await;
    let res = server.rest("GET", "/parse/classes/Post").send().await;
    assert_eq!(res.status, 404);
    assert!(res.text().contains("Cannot GET /parse/classes/Post"));
    server.stop().await;
}

/// `where=<json>`, percent-encoded as a client sends it.
fn where_param(json: &str) -> String {
    let encoded: String = json
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("where={encoded}")
}

/// `emailAdapter: upstream`: the upstream Parse Server sends each message with its own
/// adapter, asked through its own routes (with this app's id and master key) before the
/// request that caused the message is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_mails_are_sent_by_the_upstream_when_asked_to() {
    let seen: std::sync::Arc<parking_lot::Mutex<Vec<Value>>> = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = listener.local_addr().unwrap();
    let log = std::sync::Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = std::sync::Arc::clone(&log);
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let log = std::sync::Arc::clone(&log);
                    async move {
                        let (parts, body) = req.into_parts();
                        let bytes = body.collect().await.unwrap().to_bytes();
                        log.lock().push(json!({
                            "path": parts.uri.path(),
                            "app": parts.headers["x-parse-application-id"].to_str().unwrap(),
                            "master": parts.headers["x-parse-master-key"].to_str().unwrap(),
                            "body": serde_json::from_slice::<Value>(&bytes).unwrap(),
                        }));
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("{}"))))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let server = server_with_upstream(&format!("http://{up}/parse"), |c| {
        c.email.adapter = parse_compat::email::sender::AdapterConfig::Upstream;
        c.email.verify_user_emails = true;
        c.email.app_name = Some("app".into());
        c.email.public_server_url = Some("http://localhost:1337/parse".into());
    })
    .await;
    let res = server
        .rest("POST", "/parse/users")
        .json(&json!({"username": "alice", "password": "p", "email": "alice@example.com"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let res = server
        .rest("POST", "/parse/requestPasswordReset")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        *seen.lock(),
        vec![
            json!({"path": "/parse/verificationEmailRequest", "app": "compatApp",
                   "master": MASTER_KEY, "body": {"email": "alice@example.com"}}),
            json!({"path": "/parse/requestPasswordReset", "app": "compatApp",
                   "master": MASTER_KEY, "body": {"email": "alice@example.com"}}),
        ]
    );
    server.stop().await;
}

/// A stand-in LiveQuery server, below HTTP: it reads one request head, switches protocols
/// when asked (101 with `Sec-WebSocket-Accept`), then answers every chunk it reads with
/// `echo:` and the chunk. Each request head it read goes to `heads`.
async fn fake_live_query(heads: tokio::sync::mpsc::UnboundedSender<String>) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let heads = heads.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_lowercase();
                let _ = heads.send(head.clone());
                if !head.contains("upgrade: websocket") {
                    let _ = stream
                        .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\nno")
                        .await;
                    return;
                }
                stream
                    .write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: accepted-key\r\n\r\n")
                    .await
                    .unwrap();
                let mut buf = [0u8; 1024];
                loop {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    let mut answer = b"echo:".to_vec();
                    answer.extend_from_slice(&buf[..n]);
                    if stream.write_all(&answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// Send a raw request head to `addr`; the stream and the answer's head (lower-cased).
async fn raw_head(addr: SocketAddr, head: &str) -> (tokio::net::TcpStream, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "closed before the head ended: {answer:?}");
        answer.push(byte[0]);
    }
    (stream, String::from_utf8_lossy(&answer).to_lowercase())
}

fn handshake(addr: SocketAddr, path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         X-Parse-Application-Id: compatApp\r\n\r\n"
    )
}

/// LiveQuery through parse-compat: a WebSocket handshake reaches the upstream with its
/// `Upgrade` header, the 101 comes back with the upstream's accept key, and then bytes flow
/// both ways unread, until the server stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_upgrade_becomes_a_tunnel_to_the_upstream() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (heads_tx, mut heads) = tokio::sync::mpsc::unbounded_channel();
    let up = fake_live_query(heads_tx).await;
    let server = server_with_upstream(&format!("http://{up}"), |_| {}).await;

    let (mut ws, head) = raw_head(server.addr, &handshake(server.addr, "/parse")).await;
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("upgrade: websocket"), "{head}");
    assert!(
        head.contains("sec-websocket-accept: accepted-key"),
        "{head}"
    );
    let seen = heads.recv().await.unwrap();
    assert!(seen.starts_with("get /parse http/1.1"), "{seen}");
    assert!(seen.contains("connection: upgrade"), "{seen}");
    assert!(
        seen.contains("sec-websocket-key: dghlihnhbxbszsbub25jzq=="),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("host: {}", server.addr)),
        "Host is kept: {seen}"
    );

    for message in ["one", "two, a little later"] {
        ws.write_all(message.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(5), ws.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..n], format!("echo:{message}").as_bytes());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An upstream that does not switch answers as it does; parse-compat passes that on.
    let (_, head) = raw_head(
        server.addr,
        &handshake(server.addr, "/parse").replace("Upgrade: websocket", "Upgrade: other"),
    )
    .await;
    assert!(head.starts_with("http/1.1 400"), "{head}");

    // A stop closes the tunnel instead of waiting for the client.
    server.stop().await;
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), ws.read(&mut buf))
        .await
        .expect("the tunnel closes when the server stops")
        .unwrap_or(0);
    assert_eq!(n, 0);
}

/// Without an upstream, or with one that cannot be reached, a handshake is an ordinary
/// request: Parse's own answers, never a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_upgrade_without_a_live_upstream_is_an_ordinary_request() {
    let server = TestServer::start("9.10.0").await;
    let (_, head) = raw_head(server.addr, &handshake(server.addr, "/parse/health")).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    server.stop().await;

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let server = server_with_upstream(&format!("http://{closed}"), |_| {}).await;
    let (_, head) = raw_head(server.addr, &handshake(server.addr, "/parse")).await;
    assert!(head.starts_with("http/1.1 500"), "{head}");
    server.stop().await;
}

/// `--userTriggers`: what the app's Cloud Code triggers on users and sessions run around goes
/// upstream whole (REST, a batch holding it, the e-mail forms, GraphQL); the rest stays here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_the_app_s_triggers_run_around_go_upstream() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}/parse"), |c| {
        c.user_triggers =
            parse_compat::triggers::UserTriggers::parse("beforeSave, afterLogout").unwrap();
    })
    .await;
    let upstream = |res: &common::TestResponse| res.json()["upstream"] == true;

    // Login is no trigger's here: parse-compat answers it (no such user).
    let login = server
        .rest("POST", "/parse/login")
        .json(&json!({"username": "a", "password": "p"}))
        .send()
        .await;
    assert_eq!(login.status, 404, "{}", login.text());
    for (method, path, body) in [
        (
            "POST",
            "/parse/users",
            json!({"username": "a", "password": "p"}),
        ),
        (
            "POST",
            "/parse/classes/_User",
            json!({"username": "b", "password": "p"}),
        ),
        ("PUT", "/parse/users/abc", json!({"nickname": "n"})),
        ("POST", "/parse/logout", json!({})),
        (
            "POST",
            "/parse/batch",
            json!({"requests": [{"method": "POST", "path": "/parse/users", "body": {"username": "c", "password": "p"}}]}),
        ),
    ] {
        let res = server.rest(method, path).json(&body).send().await;
        assert!(upstream(&res), "{method} {path}: {}", res.text());
        assert_eq!(res.json()["path"], path);
    }
    let form = server
        .rest("POST", "/parse/apps/compatApp/request_password_reset")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .raw_body("new_password=x&token=t&username=a")
        .send()
        .await;
    assert!(upstream(&form), "{}", form.text());
    // Not a trigger's: reads of users, sessions.
    let me = server.rest("GET", "/parse/users/me").send().await;
    assert!(!upstream(&me), "{}", me.text());

    let graphql = |query: &str| {
        server
            .rest("POST", "/graphql")
            .json(&json!({ "query": query }))
            .send()
    };
    let sign_up = graphql(
        r#"mutation { signUp(input: {fields: {username: "g", password: "p"}}) { clientMutationId } }"#,
    )
    .await;
    assert!(upstream(&sign_up), "{}", sign_up.text());
    let health = graphql("{ health }").await;
    assert_eq!(health.json(), json!({"data": {"health": true}}));
    server.stop().await;
}

/// `passwordPolicy.validatorCallback: "upstream"`: the app's JavaScript validator lives in the
/// upstream, so every write that sets a password goes there; other writes stay here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_set_a_password_go_to_the_upstream_s_validator() {
    let up = fake_upstream().await;
    let server = server_with_upstream(&format!("http://{up}/parse"), |c| {
        c.password_policy =
            parse_compat::policy::password_policy(&json!({"validatorCallback": "upstream"}))
                .unwrap();
    })
    .await;
    let upstream = |res: &common::TestResponse| res.json()["upstream"] == true;
    for (method, path, body, goes) in [
        (
            "POST",
            "/parse/users",
            json!({"username": "a", "password": "p"}),
            true,
        ),
        ("PUT", "/parse/users/abc", json!({"password": "new"}), true),
        ("PUT", "/parse/users/abc", json!({"nickname": "n"}), false),
        (
            "POST",
            "/parse/login",
            json!({"username": "a", "password": "p"}),
            false,
        ),
    ] {
        let res = server.rest(method, path).json(&body).send().await;
        assert_eq!(
            upstream(&res),
            goes,
            "{method} {path} {body}: {}",
            res.text()
        );
    }
    let sign_up = server
        .rest("POST", "/graphql")
        .json(&json!({"query": r#"mutation { signUp(input: {fields: {username: "g", password: "p"}}) { clientMutationId } }"#}))
        .send()
        .await;
    assert!(upstream(&sign_up), "{}", sign_up.text());
    server.stop().await;
}

/// A configuration and the requests it sends upstream (`true`) or keeps (`false`).
type Case = (
    &'static str,
    fn(&mut parse_compat::config::Config),
    &'static [(&'static str, &'static str, bool)],
);

/// Options whose decisions live in the upstream: `verifyUserEmails` and
/// `preventLoginWithUnverifiedEmail` given there as functions, and LiveQuery on `_User` or
/// `_Session` (its server publishes only the writes it makes). What they concern goes there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_and_live_queries_of_the_upstream_take_their_operations_there() {
    let up = fake_upstream().await;
    let cases: [Case; 3] = [
        (
            "verifyUserEmails upstream",
            |c| c.email.verify_user_emails_upstream = true,
            &[
                ("POST", "/parse/users", true),
                ("POST", "/parse/verificationEmailRequest", true),
                ("POST", "/parse/login", false),
            ],
        ),
        (
            "preventLoginWithUnverifiedEmail upstream",
            |c| c.email.prevent_login_upstream = true,
            &[
                ("POST", "/parse/login", true),
                ("GET", "/parse/verifyPassword", true),
                ("POST", "/parse/users", false),
            ],
        ),
        (
            "liveQuery on _Session",
            |c| c.live_query_classes = vec!["_Session".into()],
            &[
                ("POST", "/parse/users", true),
                ("POST", "/parse/login", true),
                ("POST", "/parse/logout", true),
                ("DELETE", "/parse/sessions/abc", true),
                ("GET", "/parse/users/me", false),
            ],
        ),
    ];
    for (name, tweak, requests) in cases {
        let server = server_with_upstream(&format!("http://{up}/parse"), tweak).await;
        for (method, path, goes) in requests {
            let res = server
                .rest(method, path)
                .json(&json!({"username": "a", "password": "p", "email": "a@example.com"}))
                .send()
                .await;
            let upstream = res.json()["upstream"] == true;
            assert_eq!(upstream, *goes, "{name}: {method} {path}: {}", res.text());
        }
        server.stop().await;
    }
}
