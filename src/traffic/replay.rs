//! Replaying a recording: each recorded request is sent again (placeholders replaced by the
//! live values they were bound to), and each answer compared with the recorded one, binding
//! placeholders (`<token#N>`, `<oid#N>`, `<relay:Class:oid#N>`) the first time they appear
//! in an answer. The conformance suite replays the recordings of real Parse with this engine;
//! `parse-compat replay` replays a team's own (see [`super::record`]).

use std::collections::HashMap;
use std::net::SocketAddr;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full, StreamBody};
use hyper::body::Frame;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use regex::Regex;
use serde_json::{Value, json};

/// The placeholders a recording may hold.
pub fn placeholder_re() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"<token#\d+>|<oid#\d+>|<relay:[A-Za-z_]+:oid#\d+>|<date>|<uuid#\d+>|<emailtoken#\d+>|<hash#\d+>|<nonce>|127\.0\.0\.1(?::|%3A)<port>",
        )
        .expect("a valid regex")
    })
}

/// Live values bound to placeholders so far, and the stand-ins for redacted keys.
#[derive(Default, Clone)]
pub struct Bindings {
    tokens: HashMap<String, String>,
    oids: HashMap<String, String>,
    /// Verification and password-reset tokens (`<emailtoken#N>`).
    email_tokens: HashMap<String, String>,
    /// bcrypt hashes (`<hash#N>`: a master-key read of `_password_history` up to 5.x).
    hashes: HashMap<String, String>,
    /// The live server's port, for `127.0.0.1:<port>` in requests (any port matches in
    /// answers while it is unset).
    pub port: Option<u16>,
    /// `<masterKey>` and the other redacted keys, and what to send for them.
    pub keys: HashMap<String, String>,
}

impl Bindings {
    /// The live values bound so far, with their placeholders: tokens, objectIds and e-mail
    /// tokens.
    pub fn bound(&self) -> [Vec<(&str, &str)>; 3] {
        fn pairs(m: &HashMap<String, String>) -> Vec<(&str, &str)> {
            m.iter()
                .map(|(p, live)| (live.as_str(), p.as_str()))
                .collect()
        }
        [
            pairs(&self.tokens),
            pairs(&self.oids),
            pairs(&self.email_tokens),
        ]
    }

    /// Put live values into a recorded request string.
    pub fn substitute(&self, s: &str) -> String {
        let mut out = placeholder_re()
            .replace_all(s, |c: &regex::Captures<'_>| {
                let p = &c[0];
                if p.starts_with("<token#") {
                    self.tokens.get(p).cloned().unwrap_or_else(|| p.to_owned())
                } else if p.starts_with("<oid#") {
                    self.oids.get(p).cloned().unwrap_or_else(|| p.to_owned())
                } else if let Some(rest) = p.strip_prefix("<relay:") {
                    let (class, oid) = rest
                        .trim_end_matches('>')
                        .split_once(':')
                        .unwrap_or((rest, rest));
                    let oid = self
                        .oids
                        .get(&format!("<{oid}>"))
                        .cloned()
                        .unwrap_or_default();
                    base64::engine::general_purpose::STANDARD.encode(format!("{class}:{oid}"))
                } else if p.starts_with("<emailtoken#") {
                    self.email_tokens
                        .get(p)
                        .cloned()
                        .unwrap_or_else(|| p.to_owned())
                } else if p.starts_with("<hash#") {
                    self.hashes.get(p).cloned().unwrap_or_else(|| p.to_owned())
                } else if let (Some(head), Some(port)) = (p.strip_suffix("<port>"), self.port) {
                    format!("{head}{port}")
                } else if let Some(n) = p.strip_prefix("<uuid#") {
                    let n: u64 = n.trim_end_matches('>').parse().unwrap_or(0);
                    format!("00000000-0000-4000-8000-{n:012}")
                } else {
                    p.to_owned()
                }
            })
            .into_owned();
        for (placeholder, key) in &self.keys {
            if out.contains(placeholder.as_str()) {
                out = out.replace(placeholder.as_str(), key);
            }
        }
        out
    }

    /// [`Bindings::substitute`] at every string and key of a JSON value.
    pub fn substitute_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.substitute(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.substitute_value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (self.substitute(k), self.substitute_value(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn bind(&mut self, placeholder: &str, live: &str) -> bool {
        let map = if placeholder.starts_with("<token#") {
            &mut self.tokens
        } else if placeholder.starts_with("<emailtoken#") {
            &mut self.email_tokens
        } else if placeholder.starts_with("<hash#") {
            &mut self.hashes
        } else {
            &mut self.oids
        };
        match map.get(placeholder) {
            Some(bound) => bound == live,
            None => {
                // One live value must not stand for two placeholders.
                if map.values().any(|v| v == live) {
                    return false;
                }
                map.insert(placeholder.to_owned(), live.to_owned());
                true
            }
        }
    }

    /// Match a recorded string (with placeholders) against a live one, binding as it goes.
    pub fn match_str(&mut self, expected: &str, actual: &str) -> bool {
        let mut pattern = String::from("^");
        let mut slots = Vec::new();
        let mut last = 0;
        for m in placeholder_re().find_iter(expected) {
            pattern.push_str(&regex::escape(&expected[last..m.start()]));
            let p = m.as_str();
            let group = if p.starts_with("<token#") {
                "(r:[0-9a-f]{32})"
            } else if p.starts_with("<oid#") {
                "([A-Za-z0-9]{10})"
            } else if p.starts_with("<relay:") {
                "([A-Za-z0-9+/]+=*)"
            } else if p == "<date>" {
                r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z)"
            } else if p.starts_with("<emailtoken#") {
                "([A-Za-z0-9]{25})"
            } else if p.starts_with("<hash#") {
                r"(\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53})"
            } else if p == "<nonce>" {
                // Apollo Server's landing page: a new one on every page, the same throughout.
                "([0-9a-f]{64})"
            } else if p.starts_with("<uuid#") {
                // A UUID the client chose comes back as it was sent.
                pattern.push_str(&regex::escape(&self.substitute(p)));
                last = m.end();
                continue;
            } else {
                // `127.0.0.1:<port>` (or `%3A<port>`): the live server's port.
                let head = p.strip_suffix("<port>").unwrap_or(p);
                pattern.push_str(&regex::escape(head));
                r"(\d+)"
            };
            pattern.push_str(group);
            slots.push(p.to_owned());
            last = m.end();
        }
        pattern.push_str(&regex::escape(&expected[last..]));
        pattern.push('$');
        let Ok(full) = Regex::new(&pattern) else {
            return false;
        };
        let Some(caps) = full.captures(actual) else {
            return false;
        };
        for (i, p) in slots.iter().enumerate() {
            let live = &caps[i + 1];
            let ok = if p.starts_with("<token#")
                || p.starts_with("<oid#")
                || p.starts_with("<emailtoken#")
                || p.starts_with("<hash#")
            {
                self.bind(p, live)
            } else if p.ends_with("<port>") {
                self.port.is_none_or(|port| live == port.to_string())
            } else if p == "<nonce>" {
                slots
                    .iter()
                    .position(|q| q == "<nonce>")
                    .is_some_and(|first| &caps[first + 1] == live)
            } else if let Some(rest) = p.strip_prefix("<relay:") {
                let (class, oid) = rest
                    .trim_end_matches('>')
                    .split_once(':')
                    .unwrap_or((rest, rest));
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(live)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                match decoded.and_then(|d| d.strip_prefix(&format!("{class}:")).map(str::to_owned))
                {
                    Some(live_oid) => self.bind(&format!("<{oid}>"), &live_oid),
                    None => false,
                }
            } else {
                true
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Match a recorded JSON value against a live one. `ordered` also requires object keys in
    /// the recorded order.
    pub fn match_value(&mut self, expected: &Value, actual: &Value, ordered: bool) -> bool {
        match (expected, actual) {
            (Value::String(e), Value::Array(_)) => e.starts_with("<stacktrace:"),
            (Value::String(e), Value::String(a)) => self.match_str(e, a),
            (Value::Array(e), Value::Array(a)) => {
                e.len() == a.len()
                    && e.iter()
                        .zip(a)
                        .all(|(x, y)| self.match_value(x, y, ordered))
            }
            (Value::Object(e), Value::Object(a)) => {
                if e.len() != a.len() {
                    return false;
                }
                let mut used = vec![false; a.len()];
                for (idx, (ek, ev)) in e.iter().enumerate() {
                    let key = self.substitute(ek);
                    let found = a.keys().position(|k| *k == key).or_else(|| {
                        a.keys().enumerate().position(|(i, k)| {
                            !used[i] && !e.contains_key(k) && placeholder_re().is_match(&key) && {
                                let mut trial = self.clone();
                                trial.match_str(&key, k)
                            }
                        })
                    });
                    let Some(pos) = found else { return false };
                    if ordered && pos != idx {
                        return false;
                    }
                    used[pos] = true;
                    let Some((ak, av)) = a.iter().nth(pos) else {
                        return false;
                    };
                    if !self.match_str(&key, ak) || !self.match_value(ev, av, ordered) {
                        return false;
                    }
                }
                true
            }
            (e, a) => e == a,
        }
    }

    /// Where a live value differs from a recorded one, by JSON pointer: the places
    /// [`Bindings::match_value`] gives up on, each with both values (bindings made while
    /// looking are kept only where the values match).
    pub fn differences(
        &mut self,
        expected: &Value,
        actual: &Value,
        ordered: bool,
        path: &str,
        out: &mut Vec<(String, Value, Value)>,
    ) {
        let mut trial = self.clone();
        if trial.match_value(expected, actual, ordered) {
            *self = trial;
            return;
        }
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                let keys: Vec<String> = e.keys().map(|k| self.substitute(k)).collect();
                for (key, ev) in keys.iter().zip(e.values()) {
                    let here = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                    match a.get(key) {
                        Some(av) => self.differences(ev, av, ordered, &here, out),
                        None => out.push((here, ev.clone(), Value::Null)),
                    }
                }
                for (key, av) in a {
                    if !keys.contains(key) {
                        out.push((format!("{path}/{key}"), Value::Null, av.clone()));
                    }
                }
                if ordered && out.is_empty() {
                    out.push((
                        path.to_owned(),
                        json!({"keys": keys}),
                        json!({"keys": a.keys().collect::<Vec<_>>()}),
                    ));
                }
            }
            (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    self.differences(ev, av, ordered, &format!("{path}/{i}"), out);
                }
            }
            _ => out.push((path.to_owned(), expected.clone(), actual.clone())),
        }
    }
}

/// A live answer.
#[derive(Debug, Clone)]
pub struct Live {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Live {
    /// The body as JSON, or as a string when it is not JSON.
    pub fn body_value(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Send a recorded request to `addr` with live values in it, over a connection of its own.
pub async fn send(addr: SocketAddr, b: &Bindings, request: &Value) -> Result<Live, String> {
    let method = request["method"]
        .as_str()
        .ok_or("a request without a method")?;
    let path = b.substitute(request["path"].as_str().ok_or("a request without a path")?);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(&path)
        .header("host", addr.to_string());
    if let Some(headers) = request["headers"].as_object() {
        for (k, v) in headers {
            req = req.header(k.as_str(), b.substitute(v.as_str().unwrap_or("")));
        }
    }
    // Framed as Node's http client (which recorded every fixture) frames it: a body, even an
    // empty one, with its Content-Length; no body at all on a method that usually has one
    // (POST, PUT, PATCH...) as an empty chunked body, which servers read as present.
    let framed = request["headers"].as_object().is_some_and(|h| {
        h.keys().any(|k| {
            k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding")
        })
    });
    let body = match &request["body"] {
        Value::Null => None,
        Value::String(s) => Some(Bytes::from(b.substitute(s))),
        other => Some(Bytes::from(b.substitute_value(other).to_string())),
    };
    let body = match body {
        Some(bytes) if framed => Either::Left(Full::new(bytes)),
        Some(bytes) => {
            req = req.header(hyper::header::CONTENT_LENGTH, bytes.len());
            Either::Left(Full::new(bytes))
        }
        None if framed || matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS" | "TRACE") => {
            Either::Left(Full::new(Bytes::new()))
        }
        // A body of unknown length that ends at once: hyper frames it as chunked.
        None => Either::Right(StreamBody::new(futures_util::stream::empty::<
            Result<Frame<Bytes>, std::convert::Infallible>,
        >())),
    };
    let req = req
        .body(body)
        .map_err(|e| format!("the recorded request cannot be sent: {e}"))?;
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("talking to {addr}: {e}"))?;
    tokio::spawn(conn);
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("sending to {addr}: {e}"))?;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the answer from {addr}: {e}"))?
        .to_bytes();
    Ok(Live {
        status,
        headers,
        body,
    })
}

/// One difference between a recorded answer and a live one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Difference {
    pub step: String,
    pub request: String,
    /// A JSON pointer into the answer: `/status`, `/headers/content-type`, `/body/...`.
    pub path: String,
    pub expected: Value,
    pub actual: Value,
}

/// Compare a live answer with the recorded one: status, content type, body (object keys in
/// the recorded order when `ordered`).
pub fn compare(
    b: &mut Bindings,
    step: &str,
    request: &str,
    expected: &Value,
    live: &Live,
    ordered: bool,
) -> Vec<Difference> {
    let mut found = Vec::new();
    if expected["status"].as_u64() != Some(u64::from(live.status)) {
        found.push((
            "/status".to_owned(),
            expected["status"].clone(),
            json!(live.status),
        ));
    }
    let recorded_type = expected["headers"]
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone())
        })
        .unwrap_or(Value::Null);
    let live_type = live
        .header("content-type")
        .map_or(Value::Null, |v| Value::String(v.to_owned()));
    if recorded_type != live_type {
        found.push(("/headers/content-type".to_owned(), recorded_type, live_type));
    }
    compare_header_families(b, expected, live, &mut found);
    b.differences(
        &expected["body"],
        &live.body_value(),
        ordered,
        "/body",
        &mut found,
    );
    found
        .into_iter()
        .map(|(path, expected, actual)| Difference {
            step: step.to_owned(),
            request: request.to_owned(),
            path,
            expected,
            actual,
        })
        .collect()
}

/// The headers compared besides the content type, by family: where a recording kept any
/// header of a family, the live answer must have the same ones, values matched with the
/// placeholders (CORS headers, a redirect's `location`, the pages' `x-parse-page-param-*`).
const HEADER_FAMILIES: [&str; 3] = ["access-control-", "location", "x-parse-page-param-"];

fn family_of(name: &str) -> Option<&'static str> {
    HEADER_FAMILIES
        .iter()
        .copied()
        .find(|f| name == *f || (f.ends_with('-') && name.starts_with(f)))
}

fn compare_header_families(
    b: &mut Bindings,
    expected: &Value,
    live: &Live,
    found: &mut Vec<(String, Value, Value)>,
) {
    let recorded: Vec<(String, String)> = expected["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    for family in HEADER_FAMILIES {
        if !recorded.iter().any(|(k, _)| family_of(k) == Some(family)) {
            continue;
        }
        for (k, v) in recorded
            .iter()
            .filter(|(k, _)| family_of(k) == Some(family))
        {
            match live.header(k) {
                Some(lv) if b.match_str(v, lv) => {}
                other => found.push((
                    format!("/headers/{k}"),
                    json!(v),
                    other.map_or(Value::Null, |lv| json!(lv)),
                )),
            }
        }
        for (k, lv) in &live.headers {
            let k = k.to_ascii_lowercase();
            if family_of(&k) == Some(family) && !recorded.iter().any(|(rk, _)| *rk == k) {
                found.push((format!("/headers/{k}"), Value::Null, json!(lv)));
            }
        }
    }
}

/// A parse-compat server answering as one Parse version, on 127.0.0.1 at a free port: what
/// `parse-compat replay` replays against by default.
pub struct LocalServer {
    pub addr: SocketAddr,
    /// Its configuration (`serverURL` names its port).
    pub config: crate::config::Config,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl LocalServer {
    /// Start with `config`, whose `serverURL` becomes this server's address, after `tweak`
    /// (which sees that URL) adjusts it.
    pub async fn start(
        mut config: crate::config::Config,
        tweak: impl FnOnce(&mut crate::config::Config),
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        config.server_url = format!("http://{addr}{}", config.mount_path);
        tweak(&mut config);
        let store = crate::store::Store::connect(&config.database, config.store_options()).await?;
        let graphql = crate::graphql::GraphqlService::new(&config)?;
        let upstream = crate::http::upstream::Upstream::from_config(&config)?;
        let state = std::sync::Arc::new(crate::http::AppState {
            email: crate::email::EmailService::for_config(&config, upstream.as_ref()),
            config: config.clone(),
            store,
            graphql,
            descope: None,
            upstream,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(crate::http::serve_on_threads(listener, state, 2, async {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            config,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
