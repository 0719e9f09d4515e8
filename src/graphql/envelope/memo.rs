//! A cached session's last GraphQL answer, kept to be answered again without executing.
//!
//! An app asks the same few queries of the same session over and over (`viewer` on every
//! screen). A query that ran inline ([`crate::graphql::inline`]) read nothing but its document,
//! its variables, the caller's keys and the cached session: run again with the same four, it
//! writes the same bytes. So the session cache entry keeps the body of its last such answer,
//! and a request that repeats the document (the same cached analysis), the operation name,
//! the variables (in the same order, and of the same JSON type), the method and the master
//! flag gets those bytes back. The entry is
//! dropped whenever the user or the session changes, so an answer can never go stale.
//!
//! Like `/users/me`'s prefix, nothing kept holds the plaintext token: the body is kept in
//! pieces around each place the token was written, and the request's own token (the same
//! token: the cache is keyed by its hash) is written back between them.

use std::borrow::Cow;
use std::sync::{Arc, Weak};

use bytes::{BufMut, Bytes, BytesMut};
use parking_lot::Mutex;
use serde_json::{Map, Value as Json};

use super::pipeline::{Analysis, OperationRequest};

/// What an answer was given for.
pub struct Key {
    /// The cached analysis of the document: compared by address, which the `Weak` keeps from
    /// being reused (a document evicted from the cache and read again is a new analysis).
    analysis: Weak<Analysis>,
    operation_name: Option<String>,
    variables: Option<Map<String, Json>>,
    variables_not_object: bool,
    is_get: bool,
    is_master: bool,
    /// The schema Parse showed (an introspection answer differs between them).
    schema_variant: u8,
}

impl Key {
    pub fn new(req: &OperationRequest, analysis: &Arc<Analysis>) -> Self {
        Self {
            analysis: Arc::downgrade(analysis),
            operation_name: req.operation_name.clone(),
            variables: req.variables.clone(),
            variables_not_object: req.variables_not_object,
            is_get: req.is_get,
            is_master: req.is_master,
            schema_variant: req.schema_variant,
        }
    }

    fn matches(&self, req: &OperationRequest, analysis: &Arc<Analysis>) -> bool {
        std::ptr::eq(self.analysis.as_ptr(), Arc::as_ptr(analysis))
            && self.is_master == req.is_master
            && self.schema_variant == req.schema_variant
            && self.is_get == req.is_get
            && self.variables_not_object == req.variables_not_object
            && self.operation_name == req.operation_name
            && match (&self.variables, &req.variables) {
                (None, None) => true,
                (Some(a), Some(b)) => same_map(a, b),
                _ => false,
            }
    }

    /// Bytes the key holds beyond its own size.
    fn heap_bytes(&self) -> usize {
        self.operation_name.as_ref().map_or(0, String::len)
            + self.variables.as_ref().map_or(0, |v| {
                serde_json::to_vec(v).map_or(usize::MAX / 2, |b| b.len())
            })
    }
}

/// Equal JSON in the same key order: object order can reach an answer (the order in which
/// input fields are coerced and reported), so the memo does not treat reordered maps as one.
fn same_map(a: &Map<String, Json>, b: &Map<String, Json>) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(a), Json::Object(b)) => same_map(a, b),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Json::Number(a), Json::Number(b)) => a.to_string() == b.to_string(),
        (a, b) => a == b,
    }
}

/// A body with every occurrence of one token cut out.
#[derive(Debug, PartialEq, Eq)]
pub struct Tokenless {
    /// The body's pieces; the token stood between each two.
    pieces: Vec<Bytes>,
}

impl Tokenless {
    /// `body` without `token`'s JSON text (as a string's content: what the token is written as
    /// wherever the body holds it).
    pub fn cut(body: &[u8], token: &str) -> Self {
        let written = written_token(token);
        let mut pieces = Vec::new();
        let mut rest = body;
        if !written.is_empty() {
            let finder = memchr::memmem::Finder::new(written.as_bytes());
            while let Some(at) = finder.find(rest) {
                pieces.push(Bytes::copy_from_slice(&rest[..at]));
                rest = &rest[at + written.len()..];
            }
        }
        pieces.push(Bytes::copy_from_slice(rest));
        Self { pieces }
    }

    /// The body again, with `token` where it was cut out.
    pub fn with_token(&self, token: &str) -> Bytes {
        match self.pieces.as_slice() {
            [whole] => whole.clone(),
            pieces => {
                let written = written_token(token);
                let len = pieces.iter().map(Bytes::len).sum::<usize>()
                    + written.len() * (pieces.len() - 1);
                let mut out = BytesMut::with_capacity(len);
                for (i, piece) in pieces.iter().enumerate() {
                    if i > 0 {
                        out.put_slice(written.as_bytes());
                    }
                    out.put_slice(piece);
                }
                out.freeze()
            }
        }
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(Bytes::len).sum()
    }
}

/// A token as a JSON string holds it, without the quotes: the token itself unless it has a
/// character JSON escapes (Parse's tokens never do).
fn written_token(token: &str) -> Cow<'_, str> {
    if token
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f)
    {
        return Cow::Borrowed(token);
    }
    let quoted = Json::String(token.to_owned()).to_string();
    Cow::Owned(quoted[1..quoted.len() - 1].to_owned())
}

struct Entry {
    key: Key,
    body: Tokenless,
}

/// The one answer a cached session keeps (the last one kept replaces it).
#[derive(Default)]
pub struct Slot(Mutex<Option<Arc<Entry>>>);

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

impl Clone for Slot {
    /// A copied session starts with nothing kept.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Slot {
    /// The kept answer to this request, with `token` written back into it.
    pub fn answer(
        &self,
        req: &OperationRequest,
        analysis: &Arc<Analysis>,
        token: &str,
    ) -> Option<Bytes> {
        let entry = self.0.lock().clone()?;
        entry
            .key
            .matches(req, analysis)
            .then(|| entry.body.with_token(token))
    }

    /// Keep `body` as the answer to `key` when it and its key weigh at most `allowance` bytes
    /// (what the session cache counted for this rendering). `false` when it was not kept.
    pub fn keep(&self, key: Key, body: &[u8], token: &str, allowance: usize) -> bool {
        let body = Tokenless::cut(body, token);
        if body.len().saturating_add(key.heap_bytes()) > allowance {
            return false;
        }
        *self.0.lock() = Some(Arc::new(Entry { key, body }));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cut_body_holds_no_token_and_is_whole_again_with_it() {
        let token = "r:0123abcd";
        let body = format!(
            r#"{{"data":{{"viewer":{{"sessionToken":"{token}","user":{{"note":"x{token}{token}y"}}}}}}}}"#
        );
        let cut = Tokenless::cut(body.as_bytes(), token);
        assert!(
            cut.pieces
                .iter()
                .all(|p| !String::from_utf8_lossy(p).contains(token))
        );
        assert_eq!(cut.pieces.len(), 4);
        assert_eq!(cut.with_token(token), body.as_bytes());
        // No token in it: one piece, handed back as it is.
        let plain = Tokenless::cut(b"{\"data\":{}}", token);
        assert_eq!(plain.pieces.len(), 1);
        assert_eq!(plain.with_token(token), &b"{\"data\":{}}"[..]);
    }

    #[test]
    fn a_token_that_json_escapes_is_cut_as_written() {
        let token = "a\"b\\c";
        let body = json!({ "t": token, "u": [token] }).to_string();
        let cut = Tokenless::cut(body.as_bytes(), token);
        assert_eq!(cut.pieces.len(), 3);
        assert_eq!(cut.with_token(token), body.as_bytes());
    }

    #[test]
    fn reordered_or_renumbered_variables_are_other_requests() {
        let map = |v: Json| v.as_object().cloned().unwrap_or_default();
        let a = map(json!({ "a": 1, "b": { "c": [1, 2] } }));
        assert!(same_map(&a, &a.clone()));
        assert!(!same_map(&a, &map(json!({ "b": { "c": [1, 2] }, "a": 1 }))));
        assert!(!same_map(
            &a,
            &map(json!({ "a": 1.0, "b": { "c": [1, 2] } }))
        ));
        assert!(!same_map(&a, &map(json!({ "a": 1, "b": { "c": [2, 1] } }))));
    }
}
