//! Walk-through snapshots: record each answer of a scenario with generated values (tokens,
//! object ids, relay ids, dates) replaced by numbered placeholders in order of appearance, so
//! the same scenario gives the same snapshot on every run and any change of shape shows.

use std::collections::HashMap;

use base64::Engine as _;
use regex::Regex;
use serde_json::{Value, json};

use super::TestResponse;

/// Replaces generated values with numbered placeholders, in order of appearance.
#[derive(Default)]
pub struct Redactor {
    seen: HashMap<String, String>,
    tokens: usize,
    oids: usize,
}

fn is_object_id(s: &str) -> bool {
    s.len() == 10 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The objectId inside a relay global id (`base64("_User:" + objectId)`), if it is one.
fn relay_object_id(s: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (class, id) = text.split_once(':')?;
    (class.starts_with('_') && is_object_id(id)).then(|| id.to_owned())
}

impl Redactor {
    fn placeholder_for_oid(&mut self, oid: &str) -> String {
        if !self.seen.contains_key(oid) {
            self.oids += 1;
            self.seen
                .insert(oid.to_owned(), format!("[oid#{}]", self.oids));
        }
        self.seen[oid].clone()
    }

    pub fn redact_str(&mut self, s: &str, known_oids: &[String]) -> String {
        if let Some(oid) = relay_object_id(s) {
            return format!("[relay:{}]", self.placeholder_for_oid(&oid));
        }
        let token = Regex::new(r"r:[0-9a-f]{32}").unwrap();
        let date = Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z").unwrap();
        let mut out = token
            .replace_all(s, |c: &regex::Captures<'_>| {
                let v = c[0].to_owned();
                if !self.seen.contains_key(&v) {
                    self.tokens += 1;
                    self.seen
                        .insert(v.clone(), format!("[token#{}]", self.tokens));
                }
                self.seen[&v].clone()
            })
            .into_owned();
        out = date.replace_all(&out, "[date]").into_owned();
        for oid in known_oids {
            if out.contains(oid.as_str()) {
                let placeholder = self.placeholder_for_oid(oid);
                out = out.replace(oid.as_str(), &placeholder);
            }
        }
        out
    }

    /// Object ids found in a body: `objectId` fields (and `id`/`userId` holding a plain one),
    /// and the user-id keys of REST ACLs.
    pub fn collect_oids(v: &Value, key: &str, out: &mut Vec<String>) {
        match v {
            Value::String(s) if matches!(key, "objectId" | "id" | "userId") && is_object_id(s) => {
                out.push(s.clone());
            }
            Value::Array(a) => a.iter().for_each(|x| Self::collect_oids(x, "", out)),
            Value::Object(m) => {
                for (k, x) in m {
                    if key == "ACL" && is_object_id(k) {
                        out.push(k.clone());
                    }
                    Self::collect_oids(x, k, out);
                }
            }
            _ => {}
        }
    }

    pub fn redact(&mut self, v: &Value, oids: &[String]) -> Value {
        match v {
            Value::String(s) => Value::String(self.redact_str(s, oids)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.redact(x, oids)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (self.redact_str(k, oids), self.redact(x, oids)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The recorded steps of one walk-through.
#[derive(Default)]
pub struct Walk {
    redactor: Redactor,
    oids: Vec<String>,
    pub steps: Vec<Value>,
}

impl Walk {
    /// Record an answer (status, content type, redacted body) and return its body as sent.
    pub fn record(&mut self, step: &str, res: &TestResponse) -> Value {
        let body: Value =
            serde_json::from_slice(&res.body).unwrap_or_else(|_| Value::String(res.text()));
        Redactor::collect_oids(&body, "", &mut self.oids);
        let oids = self.oids.clone();
        let shown = self.redactor.redact(&body, &oids);
        self.steps.push(json!({
            "step": step,
            "status": res.status,
            "content-type": res.header("content-type"),
            "body": shown,
        }));
        body
    }
}
