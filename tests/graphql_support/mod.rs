//! An in-process parse-compat for the `/graphql` envelope tests, and a raw HTTP/1.1 client that
//! shows exactly what went over the wire (status, headers, body bytes).

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helper"
)]

use std::net::SocketAddr;
use std::sync::Arc;

use parse_compat::cli::ServeArgs;
use parse_compat::config::Config;
use parse_compat::graphql::GraphqlService;
use parse_compat::http::{self, AppState};
use parse_compat::store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

pub const APP_ID: &str = "compatApp";
pub const CLIENT_KEY: &str = "compatClient";
pub const MASTER_KEY: &str = "compatMaster";

/// A running server pinned to one Parse version, on a free port.
pub struct Server {
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Server {
    pub async fn start(version: &str) -> Server {
        Self::start_with(version, |_| {}).await
    }

    pub async fn start_with(version: &str, tweak: impl FnOnce(&mut ServeArgs)) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db.sqlite");
        let mut args = ServeArgs {
            parse_version: Some(version.into()),
            app_id: Some(APP_ID.into()),
            master_key: Some(MASTER_KEY.into()),
            client_key: Some(CLIENT_KEY.into()),
            javascript_key: Some("compatJs".into()),
            rest_api_key: Some("compatRest".into()),
            database_uri: Some(format!("sqlite:{}", db.display())),
            host: Some("127.0.0.1".into()),
            port: Some(0),
            ..ServeArgs::default()
        };
        tweak(&mut args);
        let config = Config::from_args(args).expect("valid config");
        let store = Store::open(&config.database, config.store_options()).expect("store opens");
        let graphql = GraphqlService::new(&config).expect("GraphQL executor threads");
        let state = Arc::new(AppState {
            email: parse_compat::email::EmailService::for_config(&config, None),
            config,
            store,
            graphql,
            descope: None,
            upstream: None,
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(http::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            _dir: dir,
            stop: Some(stop),
        }
    }

    /// A request to this server; `path` includes any query string.
    pub fn request(&self, method: &str, path: &str) -> RequestBuilder {
        RequestBuilder {
            addr: self.addr,
            method: method.into(),
            path: path.into(),
            headers: vec![("X-Parse-Application-Id".into(), APP_ID.into())],
            body: Vec::new(),
        }
    }

    /// POST /graphql with a JSON body and the client key.
    pub fn graphql(&self, body: Value) -> RequestBuilder {
        self.request("POST", "/graphql")
            .header("X-Parse-Client-Key", CLIENT_KEY)
            .header("Content-Type", "application/json")
            .body(body.to_string())
    }
}

pub struct RequestBuilder {
    addr: SocketAddr,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RequestBuilder {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn master(self) -> Self {
        self.without("X-Parse-Client-Key")
            .header("X-Parse-Master-Key", MASTER_KEY)
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub async fn send(self) -> Reply {
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            self.method,
            self.path,
            self.addr.port()
        );
        for (n, v) in &self.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if !self.body.is_empty() || self.method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(&self.body).await.expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read reply");
        Reply::parse(&raw)
    }
}

/// A response as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("a full response");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The parts of the answer the envelope decides, for snapshots: status, content type,
    /// CORS and `allow` headers, and the body (parsed when it is JSON).
    pub fn shape(&self) -> Value {
        let mut headers = serde_json::Map::new();
        for (n, v) in &self.headers {
            if n == "content-type"
                || n == "allow"
                || n == "x-powered-by"
                || n.starts_with("access-control-")
            {
                headers.insert(n.clone(), Value::String(v.clone()));
            }
        }
        let body = serde_json::from_str::<Value>(&self.body)
            .unwrap_or_else(|_| Value::String(self.body.clone()));
        serde_json::json!({ "status": self.status, "headers": headers, "body": body })
    }
}

/// Sign up through REST: the user's id and session token.
pub async fn sign_up(server: &Server, username: &str) -> (String, String) {
    let reply = server
        .request("POST", "/parse/users")
        .header("X-Parse-Client-Key", "compatClient")
        .header("Content-Type", "application/json")
        .body(serde_json::json!({ "username": username, "password": "pw" }).to_string())
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body: Value = serde_json::from_str(&reply.body).expect("JSON");
    (
        body["objectId"].as_str().expect("an id").to_owned(),
        body["sessionToken"].as_str().expect("a token").to_owned(),
    )
}
