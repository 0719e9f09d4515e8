//! Test support: a real parse-compat server on a free port, and a small HTTP client.
//!
//! `TestServer::start("4.4.0")` runs the whole application in-process (the same
//! `http::serve_on_threads` the binary runs) on 127.0.0.1:0 with a fresh SQLite file and the keys the
//! oracle recordings use. `server.rest("GET", "/parse/users/me").session(t).send()` reads like
//! the request it makes.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]

pub mod recorded;
pub mod walk;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use parse_compat::config::Config;
use parse_compat::graphql::GraphqlService;
use parse_compat::http::{self, AppState};
use parse_compat::store::{DatabaseLocation, Store};
use parse_compat::version::Behavior;
use serde_json::Value;
use tokio::sync::oneshot;

pub const APP_ID: &str = "compatApp";
pub const REST_KEY: &str = "compatRest";
pub const CLIENT_KEY: &str = "compatClient";
pub const MASTER_KEY: &str = "compatMaster";

/// With `PARSE_COMPAT_TEST_POSTGRES` set to a server's URI (`postgres://parse@127.0.0.1:5432`),
/// every test server gets a new, empty PostgreSQL database there instead of a SQLite file: the
/// same tests then run on the PostgreSQL store.
pub async fn fresh_postgres_database() -> Option<String> {
    let server = std::env::var("PARSE_COMPAT_TEST_POSTGRES").ok()?;
    Some(
        parse_compat::traffic::session::fresh_postgres_database(&server)
            .await
            .expect("the test PostgreSQL server answers"),
    )
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start(version: &str) -> Self {
        Self::start_with(version, |_| {}).await
    }

    /// Start with a configuration adjusted by `tweak`.
    pub async fn start_with(version: &str, tweak: impl FnOnce(&mut Config)) -> Self {
        let behavior = Behavior::parse(version).expect("a supported version");
        let dir = tempfile::tempdir().expect("a temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let mut config = Config::for_tests(behavior);
        config.database = match fresh_postgres_database().await {
            Some(uri) => DatabaseLocation::Postgres(uri),
            None => DatabaseLocation::File(dir.path().join("test.db")),
        };
        config.server_url = format!("http://{addr}/parse");
        tweak(&mut config);
        let store = Store::connect(&config.database, config.store_options())
            .await
            .expect("store opens");
        let descope = match &config.descope {
            Some(d) => Some(
                parse_compat::descope::DescopeService::open(d, &store)
                    .await
                    .expect("descope starts"),
            ),
            None => None,
        };
        let graphql = GraphqlService::new(&config).expect("GraphQL executor threads");
        let upstream =
            parse_compat::http::upstream::Upstream::from_config(&config).expect("a valid upstream");
        let state = Arc::new(AppState {
            email: parse_compat::email::EmailService::for_config(&config, upstream.as_ref()),
            config,
            store,
            graphql,
            upstream,
            descope,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = Arc::clone(&state);
        // The binary's own serving path: connections dealt to two single-threaded runtimes.
        let task = tokio::spawn(async move {
            http::serve_on_threads(listener, serving, 2, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestServer {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// A request with the application id and REST key set.
    pub fn rest(&self, method: &str, path: &str) -> RequestBuilder {
        self.request(method, path)
            .header("X-Parse-Application-Id", APP_ID)
            .header("X-Parse-REST-API-Key", REST_KEY)
    }

    /// A request with no headers at all.
    pub fn request(&self, method: &str, path: &str) -> RequestBuilder {
        RequestBuilder {
            addr: self.addr,
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Stop accepting connections and wait for the server task.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A request to any address (another server of the test, a proxy in front of it).
pub fn request_to(addr: SocketAddr, method: &str, path: &str) -> RequestBuilder {
    RequestBuilder {
        addr,
        method: method.to_owned(),
        path: path.to_owned(),
        headers: Vec::new(),
        body: Bytes::new(),
    }
}

pub struct RequestBuilder {
    addr: SocketAddr,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl RequestBuilder {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn session(self, token: &str) -> Self {
        self.header("X-Parse-Session-Token", token)
    }

    pub fn json(self, body: &Value) -> Self {
        self.header("Content-Type", "application/json")
            .raw_body(body.to_string())
    }

    pub fn raw_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub async fn send(self) -> TestResponse {
        let stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let mut req = hyper::Request::builder()
            .method(self.method.as_str())
            .uri(&self.path)
            .header("host", self.addr.to_string());
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let req = req.body(Full::new(self.body)).expect("a valid request");
        let res = sender.send_request(req).await.expect("a response");
        let status = res.status().as_u16();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = res.into_body().collect().await.expect("a body").to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The parse-compat binary run with `args`: its exit code, standard output and standard error.
pub fn run_binary(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parse-compat"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
