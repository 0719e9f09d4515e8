//! What a recording keeps of an exchange: values a server makes at random become numbered
//! placeholders (the same ones the recordings of real Parse in `fixtures/` use, so one replay
//! engine reads both), and secrets never reach the file.
//!
//! Placeholders, numbered by first appearance in the file (request before response):
//! - `<token#N>`: a session token `r:<32 hex>`;
//! - `<oid#N>`: a 10-character objectId (values of `objectId`, `userId`, `id`, and ACL keys;
//!   afterwards any standalone occurrence in a string, such as a path);
//! - `<relay:Class:oid#N>`: a relay global id, base64 of `Class:objectId`;
//! - `<uuid#N>`: a UUID; `<date>`: an ISO-8601 date.
//!
//! Redactions, numbered so that equal secrets stay equal (a login that repeats the sign-up's
//! password still matches it on replay, a wrong one still differs):
//! - the keys a client sends (`X-Parse-Master-Key`, `-REST-API-Key`, `-Javascript-Key`,
//!   `-Client-Key`, `-Windows-Key`, `-dotNET-Key`, and `_MasterKey`... in the JS SDK's
//!   `text/plain` bodies) become `<masterKey>`, `<restAPIKey>`, ...;
//! - passwords (`password`, `new_password`, `newPassword` at any depth, GraphQL
//!   `password: "..."` literals, form fields) become `<password#N>`.

use std::collections::HashMap;

use base64::Engine as _;
use regex::Regex;
use serde_json::{Map, Value};

/// Request headers whose values are keys, and what they become.
const KEY_HEADERS: [(&str, &str); 6] = [
    ("x-parse-master-key", "<masterKey>"),
    ("x-parse-rest-api-key", "<restAPIKey>"),
    ("x-parse-javascript-key", "<javascriptKey>"),
    ("x-parse-client-key", "<clientKey>"),
    ("x-parse-windows-key", "<windowsKey>"),
    ("x-parse-dotnet-key", "<dotNETKey>"),
];

/// The JS SDK's body fields that carry keys.
const KEY_FIELDS: [(&str, &str); 3] = [
    ("_MasterKey", "<masterKey>"),
    ("_JavaScriptKey", "<javascriptKey>"),
    ("_ClientKey", "<clientKey>"),
];

const PASSWORD_FIELDS: [&str; 3] = ["password", "new_password", "newPassword"];

struct Patterns {
    token: Regex,
    oid: Regex,
    date: Regex,
    uuid: Regex,
    standalone_oid: Regex,
    graphql_password: Regex,
    form_password: Regex,
}

fn patterns() -> &'static Patterns {
    static P: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
    P.get_or_init(|| Patterns {
        token: Regex::new(r"r:[0-9a-f]{32}").expect("valid"),
        oid: Regex::new(r"^[A-Za-z0-9]{10}$").expect("valid"),
        date: Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z").expect("valid"),
        uuid: Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("valid"),
        standalone_oid: Regex::new(r"\b[A-Za-z0-9]{10}\b").expect("valid"),
        graphql_password: Regex::new(r#"((?:password|newPassword)\s*:\s*)"((?:[^"\\]|\\.)*)""#)
            .expect("valid"),
        form_password: Regex::new(r"(^|&)(password|new_password|newPassword)=([^&]*)")
            .expect("valid"),
    })
}

/// What differs on every answer of a server and is not the server's doing: a server on this
/// machine as an answer names it (a `location`, a link) becomes `127.0.0.1:<port>`,
/// percent-encoded or not, so that a replay against another port still matches; the CSP nonce
/// of Apollo Server's landing page (64 hex digits) becomes `<nonce>`.
fn local_origins(value: &mut Value) {
    static LOCAL: std::sync::OnceLock<(Regex, Regex)> = std::sync::OnceLock::new();
    let (origin, nonce) = LOCAL.get_or_init(|| {
        (
            Regex::new(r"\b(?:127\.0\.0\.1|localhost)(:|%3A)\d{1,5}\b").expect("valid"),
            Regex::new(r#"(nonce[-="]{1,2})[0-9a-f]{64}\b"#).expect("valid"),
        )
    });
    match value {
        Value::String(s) => {
            if origin.is_match(s) {
                *s = origin.replace_all(s, "127.0.0.1${1}<port>").into_owned();
            }
            if nonce.is_match(s) {
                *s = nonce.replace_all(s, "${1}<nonce>").into_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(local_origins),
        Value::Object(map) => map.values_mut().for_each(local_origins),
        _ => {}
    }
}

/// The placeholders of one recording so far.
#[derive(Default)]
pub struct Normalizer {
    tokens: HashMap<String, String>,
    oids: HashMap<String, String>,
    relays: HashMap<String, (String, String)>,
    uuids: HashMap<String, String>,
    passwords: HashMap<String, String>,
}

fn number(map: &mut HashMap<String, String>, value: &str, kind: &str) -> String {
    if let Some(p) = map.get(value) {
        return p.clone();
    }
    // After the highest number in use: a seeded map need not be contiguous.
    let next = map
        .values()
        .filter_map(|p| {
            p.rsplit_once('#')?
                .1
                .trim_end_matches('>')
                .parse::<usize>()
                .ok()
        })
        .max()
        .unwrap_or(0)
        + 1;
    let placeholder = format!("<{kind}#{next}>");
    map.insert(value.to_owned(), placeholder.clone());
    placeholder
}

/// A relay global id's class and objectId, if `s` is one.
fn decode_relay(s: &str) -> Option<(String, String)> {
    if s.len() < 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (class, id) = text.split_once(':')?;
    let class_ok = class
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (class_ok && patterns().oid.is_match(id)).then(|| (class.to_owned(), id.to_owned()))
}

impl Normalizer {
    /// A normalizer that already knows these live tokens and objectIds by their placeholders
    /// (a replay's bindings), so that an updated recording keeps its numbering.
    pub fn seeded<'a>(
        tokens: impl IntoIterator<Item = (&'a str, &'a str)>,
        oids: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let own = |it: &mut dyn Iterator<Item = (&'a str, &'a str)>| {
            it.map(|(live, p)| (live.to_owned(), p.to_owned()))
                .collect()
        };
        Self {
            tokens: own(&mut tokens.into_iter()),
            oids: own(&mut oids.into_iter()),
            ..Self::default()
        }
    }

    /// A live answer as a recording keeps it: random values as placeholders, a local
    /// server's address as `127.0.0.1:<port>`.
    pub fn response(&mut self, response: Value) -> Value {
        self.discover(&response, "");
        let mut out = self.rewrite(&response, "");
        local_origins(&mut out);
        out
    }

    /// One exchange `{"step", "request", "response"}` as it goes into the file.
    pub fn exchange(&mut self, mut record: Value) -> Value {
        if let Some(request) = record.get_mut("request") {
            self.redact_request(request);
        }
        for part in ["request", "response"] {
            if let Some(v) = record.get(part) {
                let v = v.clone();
                self.discover(&v, "");
            }
        }
        let mut out = self.rewrite(&record, "");
        if let Some(response) = out.get_mut("response") {
            local_origins(response);
        }
        out
    }

    fn password(&mut self, value: &str) -> String {
        number(&mut self.passwords, value, "password")
    }

    fn redact_request(&mut self, request: &mut Value) {
        if let Some(Value::Object(headers)) = request.get_mut("headers") {
            for (name, value) in headers.iter_mut() {
                let lower = name.to_ascii_lowercase();
                if let Some((_, stand_in)) = KEY_HEADERS.iter().find(|(h, _)| *h == lower) {
                    *value = Value::String((*stand_in).to_owned());
                }
            }
        }
        if let Some(body) = request.get_mut("body") {
            self.redact_body(body);
        }
    }

    fn redact_body(&mut self, body: &mut Value) {
        match body {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if let Some((_, stand_in)) = KEY_FIELDS.iter().find(|(k, _)| k == key) {
                        *value = Value::String((*stand_in).to_owned());
                    } else if PASSWORD_FIELDS.contains(&key.as_str()) {
                        if let Value::String(p) = value {
                            *value = Value::String(self.password(p));
                        }
                    } else if key == "query" {
                        if let Value::String(q) = value {
                            *q = self.redact_graphql(q);
                        }
                    } else {
                        self.redact_body(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_body(v)),
            Value::String(s) => {
                // A form-encoded body.
                let p = patterns();
                if p.form_password.is_match(s) {
                    let mut out = String::new();
                    let mut last = 0;
                    for c in p.form_password.captures_iter(s) {
                        let whole = c.get(0).expect("match");
                        out.push_str(&s[last..whole.start()]);
                        let stand_in = self.password(&c[3]);
                        out.push_str(&format!("{}{}={}", &c[1], &c[2], stand_in));
                        last = whole.end();
                    }
                    out.push_str(&s[last..]);
                    *s = out;
                }
            }
            _ => {}
        }
    }

    fn redact_graphql(&mut self, query: &str) -> String {
        let p = patterns();
        let mut out = String::new();
        let mut last = 0;
        for c in p.graphql_password.captures_iter(query) {
            let whole = c.get(0).expect("match");
            out.push_str(&query[last..whole.start()]);
            let stand_in = self.password(&c[2]);
            out.push_str(&format!("{}\"{stand_in}\"", &c[1]));
            last = whole.end();
        }
        out.push_str(&query[last..]);
        out
    }

    fn discover(&mut self, value: &Value, key: &str) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.discover(v, key)),
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "ACL"
                        && let Value::Object(acl) = v
                    {
                        for who in acl.keys() {
                            if patterns().oid.is_match(who) {
                                number(&mut self.oids, who, "oid");
                            }
                        }
                    }
                    self.discover(v, k);
                }
            }
            Value::String(s) => {
                for t in patterns().token.find_iter(s) {
                    number(&mut self.tokens, t.as_str(), "token");
                }
                if matches!(key, "objectId" | "userId" | "id") && patterns().oid.is_match(s) {
                    number(&mut self.oids, s, "oid");
                }
                if key == "id"
                    && let Some((class, id)) = decode_relay(s)
                {
                    number(&mut self.oids, &id, "oid");
                    self.relays.insert(s.clone(), (class, id));
                }
            }
            _ => {}
        }
    }

    fn replace(&mut self, s: &str) -> String {
        if let Some((class, id)) = self.relays.get(s)
            && let Some(oid) = self.oids.get(id)
        {
            return format!("<relay:{class}:{}>", &oid[1..oid.len() - 1]);
        }
        let p = patterns();
        let mut s = p
            .token
            .replace_all(s, |c: &regex::Captures<'_>| {
                self.tokens
                    .get(&c[0])
                    .cloned()
                    .unwrap_or_else(|| c[0].to_owned())
            })
            .into_owned();
        let found: Vec<String> = p
            .uuid
            .find_iter(&s)
            .map(|m| m.as_str().to_owned())
            .collect();
        for u in found {
            let placeholder = number(&mut self.uuids, &u.to_ascii_lowercase(), "uuid");
            s = s.replace(&u, &placeholder);
        }
        s = p.date.replace_all(&s, "<date>").into_owned();
        if !self.oids.is_empty() {
            s = p
                .standalone_oid
                .replace_all(&s, |c: &regex::Captures<'_>| {
                    self.oids
                        .get(&c[0])
                        .cloned()
                        .unwrap_or_else(|| c[0].to_owned())
                })
                .into_owned();
        }
        s
    }

    fn rewrite(&mut self, value: &Value, key: &str) -> Value {
        match value {
            Value::Array(items) if key == "stacktrace" => {
                Value::String(format!("<stacktrace:{} lines>", items.len()))
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.rewrite(v, "")).collect())
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let k2 = self.replace(k);
                    let v2 = self.rewrite(v, k);
                    out.insert(k2, v2);
                }
                Value::Object(out)
            }
            Value::String(_) if key == "stack" => Value::String("<stack>".into()),
            Value::String(s) => Value::String(self.replace(s)),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_redacted_and_random_values_numbered() {
        let mut n = Normalizer::default();
        let signup = n.exchange(json!({
            "step": "1",
            "request": {"method": "POST", "path": "/parse/users",
                "headers": {"X-Parse-Application-Id": "app", "X-Parse-Master-Key": "s3cr3t"},
                "body": {"username": "ann", "password": "hunter2"}},
            "response": {"status": 201, "headers": {}, "body": {
                "objectId": "AbCdEfGhIj", "createdAt": "2026-12-04T21:48:19.123Z",
                "sessionToken": "r:0123456789abcdef0123456789abcdef"}}
        }));
        assert_eq!(
            signup["request"]["headers"]["X-Parse-Master-Key"],
            "<masterKey>"
        );
        assert_eq!(signup["request"]["body"]["password"], "<password#1>");
        assert_eq!(signup["response"]["body"]["objectId"], "<oid#1>");
        assert_eq!(signup["response"]["body"]["createdAt"], "<date>");
        assert_eq!(signup["response"]["body"]["sessionToken"], "<token#1>");
        let text = signup.to_string();
        assert!(!text.contains("hunter2") && !text.contains("s3cr3t"));
        // Later requests name the same values with the same placeholders.
        let me = n.exchange(json!({
            "step": "2",
            "request": {"method": "PUT", "path": "/parse/users/AbCdEfGhIj",
                "headers": {"X-Parse-Session-Token": "r:0123456789abcdef0123456789abcdef"},
                "body": "username=ann&password=hunter2"},
            "response": {"status": 200, "headers": {}, "body": {}}
        }));
        assert_eq!(me["request"]["path"], "/parse/users/<oid#1>");
        assert_eq!(
            me["request"]["headers"]["X-Parse-Session-Token"],
            "<token#1>"
        );
        assert_eq!(me["request"]["body"], "username=ann&password=<password#1>");
        let graphql = n.exchange(json!({
            "step": "3",
            "request": {"method": "POST", "path": "/graphql", "headers": {},
                "body": {"query": "mutation { logIn(input: {username: \"ann\", password: \"other\"}) { id } }",
                         "variables": {"input": {"password": "hunter2"}}}},
            "response": {"status": 200, "headers": {}, "body": {"data": {"logIn": {"id": "X1VzZXI6QWJDZEVmR2hJag=="}}}}
        }));
        assert_eq!(
            graphql["request"]["body"]["query"],
            "mutation { logIn(input: {username: \"ann\", password: \"<password#2>\"}) { id } }"
        );
        assert_eq!(
            graphql["request"]["body"]["variables"]["input"]["password"],
            "<password#1>"
        );
        assert_eq!(
            graphql["response"]["body"]["data"]["logIn"]["id"],
            "<relay:_User:oid#1>"
        );
    }
}
