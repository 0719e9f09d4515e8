//! Floods of connections: silent sockets must not keep real clients out.

mod common;

use std::time::Duration;

use common::TestServer;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Send raw bytes on a new connection and read what comes back until the server closes it
/// (or 2 s pass). The server may close before reading all of the request.
async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// 362 idle sockets once made the server refuse real clients for 6 s (until the header
/// timeout freed them). With a cap, the longest-idle socket gives way to a newcomer.
#[tokio::test]
async fn a_flood_of_idle_connections_does_not_keep_a_real_client_out() {
    let server = TestServer::start_with("9.10.0", |c| c.max_connections = 32).await;
    let mut idle = Vec::new();
    for _ in 0..200 {
        // Some send nothing at all, some half a request line: both are idle.
        let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        if idle.len() % 2 == 0 {
            s.write_all(b"GET /parse/health HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        idle.push(s);
    }
    for round in 0..5 {
        let res = tokio::time::timeout(
            Duration::from_secs(1),
            server.rest("GET", "/parse/health").send(),
        )
        .await
        .unwrap_or_else(|_| panic!("round {round}: a real client waited more than 1 s"));
        assert_eq!(res.status, 200);
    }
    // The oldest idle sockets were closed by the server to make room.
    let mut closed = 0;
    for s in &mut idle[..100] {
        let mut buf = [0u8; 64];
        // End of stream, or a reset when the socket had unread bytes.
        let read = tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await;
        if let Ok(Ok(0) | Err(_)) = read {
            closed += 1;
        }
    }
    assert!(
        closed >= 90,
        "only {closed} of the oldest idle sockets were closed"
    );
}

/// A body announced far beyond the limit that never comes is answered 413 once it has been
/// silent for a second (real Parse waits for it indefinitely).
#[tokio::test]
async fn an_oversized_content_length_without_a_body_is_answered_413() {
    let server = TestServer::start("9.10.0").await;
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        b"POST /parse/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 25000000\r\n\r\n",
    )
    .await
    .unwrap();
    let mut head = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut head))
        .await
        .expect("an answer without the body")
        .unwrap();
    let text = String::from_utf8_lossy(&head[..n]);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
}

/// Node's 16 KiB limit on a request's head (fixtures/hostile: 7.header.*): 15,000 bytes of
/// one header pass, 16 KiB and more are answered 431 and the connection closed.
#[tokio::test]
async fn request_heads_over_16_kib_are_answered_431() {
    let server = TestServer::start("9.10.0").await;
    let ok = server
        .rest("GET", "/parse/health")
        .header("X-Foo", &"a".repeat(15_000))
        .send()
        .await;
    assert_eq!(ok.status, 200);
    for size in [16 * 1024, 64 * 1024, 1 << 20] {
        let head = format!(
            "GET /parse/health HTTP/1.1\r\nHost: x\r\nX-Foo: {}\r\n\r\n",
            "a".repeat(size)
        );
        let text = raw_exchange(server.addr, head.as_bytes()).await;
        assert!(
            text.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
            "{size}: {text}"
        );
    }
    assert_eq!(server.rest("GET", "/parse/health").send().await.status, 200);
}

/// A body over the limit is read to its end (and thrown away) before the 413, as Parse does:
/// closing with unread bytes would reset the connection, and the reset can destroy the 413
/// before the client reads it.
#[tokio::test]
async fn an_oversized_body_gets_its_413_every_time() {
    let server = TestServer::start_with("9.10.0", |c| c.body_limit = 1 << 20).await;
    let body = vec![b'a'; 3 << 20];
    for round in 0..10 {
        let res = server
            .rest("POST", "/parse/users")
            .header("Content-Type", "application/json")
            .raw_body(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 413, "round {round}");
        assert_eq!(
            res.json(),
            serde_json::json!({"error": "request entity too large"})
        );
    }
}

/// Two `Content-Length` headers that disagree (fixtures/hostile: 6.contentLengthTwiceDisagree):
/// Node answers 400 and closes; hyper's parser does the same. (Two equal ones, and
/// `Transfer-Encoding` with `Content-Length`, hyper reads as RFC 9112 says: one length, the
/// chunked encoding winning. Node refuses those too; COMPATIBILITY.md lists it.)
#[tokio::test]
async fn disagreeing_content_lengths_are_refused_as_node_refuses_them() {
    let server = TestServer::start("9.10.0").await;
    {
        let head = "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
        let req = format!(
            "POST /parse/login HTTP/1.1\r\nHost: x\r\nX-Parse-Application-Id: compatApp\r\n{head}"
        );
        let text = raw_exchange(server.addr, req.as_bytes()).await;
        assert!(
            text.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{head:?}: {text}"
        );
        assert!(
            text.to_ascii_lowercase().contains("connection: close"),
            "{text}"
        );
    }
}

/// A body of exactly the limit is accepted, in however many pieces it comes
/// (fixtures/hostile: 6.bodyExactly20MiB.users is 201 on real Parse).
#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted() {
    let limit = 1 << 20;
    let server = TestServer::start_with("9.10.0", |c| c.body_limit = limit).await;
    let head = r#"{"username":"exact","password":"p","pad":""#;
    let pad = limit - head.len() - 2;
    let body = format!("{head}{}\"}}", "a".repeat(pad));
    assert_eq!(body.len(), limit);
    let res = server
        .rest("POST", "/parse/users")
        .header("Content-Type", "application/json")
        .raw_body(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let over = format!("{body} ");
    let res = server
        .rest("POST", "/parse/login")
        .header("Content-Type", "application/json")
        .raw_body(over)
        .send()
        .await;
    assert_eq!(res.status, 413);
}

/// A body that arrives in pieces, with a pause between them, is read whole: the server waits
/// for the rest (under its body timeout) instead of reading only what came with the head.
#[tokio::test]
async fn a_body_that_arrives_in_pieces_is_read_whole() {
    let server = TestServer::start("9.10.0").await;
    let body = br#"{"username":"nobody","password":"not-this-one"}"#;
    let (first, rest) = body.split_at(17);
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        format!(
            "POST /parse/login HTTP/1.1\r\nHost: x\r\nX-Parse-Application-Id: {}\r\n\
             X-Parse-REST-API-Key: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            common::APP_ID,
            common::REST_KEY,
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s.write_all(first).await.unwrap();
    s.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.write_all(rest).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    // Both fields were read: Parse's answer to a wrong password, not to a missing field.
    assert!(text.starts_with("HTTP/1.1 404 "), "{text}");
    assert!(
        text.ends_with(r#"{"code":101,"error":"Invalid username/password."}"#),
        "{text}"
    );
}
