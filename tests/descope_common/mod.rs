//! An in-process parse-compat server with the Descope API enabled, and a tiny HTTP/1.1 client
//! for talking to it over real TCP (one request per connection, `Connection: close`).

use std::net::SocketAddr;
use std::sync::Arc;

use parse_compat::config::{Config, DescopeConfig};
use parse_compat::descope::DescopeService;
use parse_compat::graphql::GraphqlService;
use parse_compat::http::{self, AppState};
use parse_compat::store::{DatabaseLocation, Store};
use parse_compat::version::Behavior;
use serde_json::Value;
use std::io::{Read as _, Write as _};

use tokio::net::TcpListener;

pub const PROJECT: &str = "P2testProject";
pub const APP_ID: &str = "compatApp";
pub const REST_KEY: &str = "compatRest";

pub struct TestServer {
    pub addr: SocketAddr,
    pub store: Store,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestServer {
    /// A fresh server over a fresh database.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = DatabaseLocation::File(dir.path().join("descope.db"));
        Self::start_at(dir, location).await
    }

    /// A server over an existing database directory (to restart after a key rotation).
    pub async fn restart(self) -> Self {
        let location = DatabaseLocation::File(self._dir.path().join("descope.db"));
        let mut me = self;
        let dir = std::mem::replace(&mut me._dir, tempfile::tempdir().unwrap());
        // The old server lets go of the file before the new one opens it, as a restarted
        // process would.
        me.store.close().await;
        drop(me);
        Self::start_at(dir, location).await
    }

    async fn start_at(dir: tempfile::TempDir, location: DatabaseLocation) -> Self {
        let mut config = Config::for_tests(Behavior::parse("8.0.0").unwrap());
        config.database = location;
        config.descope = Some(DescopeConfig {
            project_id: PROJECT.into(),
            refresh_token_secs: 4 * 7 * 24 * 3600,
            session_token_secs: 600,
        });
        let store = Store::open(&config.database, config.store_options()).unwrap();
        let descope = DescopeService::open(config.descope.as_ref().unwrap(), &store)
            .await
            .unwrap();
        let graphql = GraphqlService::new(&config).expect("GraphQL executor threads");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(AppState {
            email: parse_compat::email::EmailService::for_config(&config, None),
            config,
            store: store.clone(),
            graphql,
            descope: Some(descope),
            upstream: None,
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(http::serve(listener, state, async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            store,
            _dir: dir,
            shutdown: Some(tx),
        }
    }

    pub fn request(&self, method: &str, path: &str) -> RequestBuilder {
        RequestBuilder {
            addr: self.addr,
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// `POST /v1/auth/<path>` with `Bearer <project>:<token>` and body `{}`.
    pub async fn descope_post(&self, path: &str, token: &str) -> Reply {
        self.request("POST", &format!("/v1/auth/{path}"))
            .bearer(token)
            .json("{}")
            .send()
            .await
    }

    pub async fn sign_up(&self, login_id: &str, password: &str) -> Reply {
        let body = serde_json::json!({
            "loginId": login_id,
            "password": password,
            "user": {"email": format!("{login_id}@example.com")},
            "loginOptions": {}
        });
        let reply = self
            .request("POST", "/v1/auth/password/signup")
            .header("authorization", &format!("Bearer {PROJECT}"))
            .json(&body.to_string())
            .send()
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
    }

    pub async fn sign_in(&self, login_id: &str, password: &str) -> Reply {
        let body = serde_json::json!({"loginId": login_id, "password": password});
        self.request("POST", "/v1/auth/password/signin")
            .header("authorization", &format!("Bearer {PROJECT}"))
            .json(&body.to_string())
            .send()
            .await
    }

    /// A Parse REST login: the user's Parse session token.
    pub async fn parse_login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password});
        let reply = self
            .request("POST", "/parse/login")
            .parse_keys()
            .json(&body.to_string())
            .send()
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["sessionToken"].as_str().unwrap().to_owned()
    }

    pub async fn parse_me(&self, session_token: &str) -> Reply {
        self.request("GET", "/parse/users/me")
            .parse_keys()
            .header("x-parse-session-token", session_token)
            .send()
            .await
    }
}

pub struct RequestBuilder {
    addr: SocketAddr,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

impl RequestBuilder {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {PROJECT}:{token}"))
    }

    pub fn parse_keys(self) -> Self {
        self.header("x-parse-application-id", APP_ID)
            .header("x-parse-rest-api-key", REST_KEY)
    }

    pub fn json(mut self, body: &str) -> Self {
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self.body = Some(body.into());
        self
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.body = Some(body.into());
        self
    }

    pub async fn send(self) -> Reply {
        // A blocking std socket on the blocking pool keeps this client dependency-free.
        tokio::task::spawn_blocking(move || self.send_blocking())
            .await
            .unwrap()
    }

    fn send_blocking(self) -> Reply {
        let mut stream = std::net::TcpStream::connect(self.addr).unwrap();
        let body = self.body.unwrap_or_default();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.method,
            self.path,
            self.addr,
            body.len()
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Reply::parse(&raw)
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    fn parse(raw: &[u8]) -> Self {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .expect("a complete HTTP response");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let json = serde_json::from_str(body).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text: body.to_owned(),
            json,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn str(&self, field: &str) -> String {
        self.json[field].as_str().unwrap_or_default().to_owned()
    }

    /// Assert a Descope error answer.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.json["errorCode"], code, "{}", self.text);
        assert!(self.json["errorDescription"].is_string(), "{}", self.text);
        assert!(self.json["errorMessage"].is_string(), "{}", self.text);
        assert_eq!(self.header("content-type"), Some("application/json"));
    }
}

/// The claims of a JWT, unverified (for assertions only).
pub fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The `kid` of a JWT's header.
pub fn kid(jwt: &str) -> String {
    use base64::Engine as _;
    let head = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["kid"].as_str().unwrap().to_owned()
}
