//! Apollo's automatic persisted queries (`extensions.persistedQuery`), as each stack answers
//! them: Apollo Server 2 as Parse configures it refuses the extension
//! (`PersistedQueryNotSupported`); graphql-yoga ignores it; Apollo Server 4/5 keeps the
//! documents it was sent with their SHA-256 in a bounded in-memory cache, runs a later request
//! that sends only the hash, and refuses a wrong version or a hash that is not the document's.

use std::fmt::Write as _;

use parking_lot::Mutex;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// Why a request's persisted-query extension ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Apollo Server 2: the extension is not enabled.
    NotSupported,
    /// Apollo Server 4/5: only a hash was sent, and no document with it is kept.
    NotFound,
    /// Apollo Server 4/5: `version` is not 1.
    UnsupportedVersion,
    /// Apollo Server 4/5: the hash is not the SHA-256 of the document sent with it.
    HashMismatch,
}

impl Refusal {
    pub const fn message(self) -> &'static str {
        match self {
            Self::NotSupported => "PersistedQueryNotSupported",
            Self::NotFound => "PersistedQueryNotFound",
            Self::UnsupportedVersion => "Unsupported persisted query version",
            Self::HashMismatch => "provided sha does not match query",
        }
    }

    /// The HTTP status and `extensions.code` Parse's stacks answer with.
    pub const fn status_and_code(self) -> (u16, &'static str) {
        match self {
            Self::NotSupported => (200, "PERSISTED_QUERY_NOT_SUPPORTED"),
            Self::NotFound => (200, "PERSISTED_QUERY_NOT_FOUND"),
            Self::UnsupportedVersion | Self::HashMismatch => (400, "INTERNAL_SERVER_ERROR"),
        }
    }
}

/// The `persistedQuery` member of a request's `extensions` (an object, or for a GET its JSON
/// text), when JavaScript would find it truthy, as both Apollo stacks test it.
pub fn of_extensions(extensions: Option<&Json>) -> Option<Json> {
    let parsed;
    let extensions = match extensions? {
        Json::String(text) => {
            parsed = crate::http::json_body::parse(text).ok()?;
            &parsed
        }
        other => other,
    };
    let value = extensions.as_object()?.get("persistedQuery")?;
    crate::js::truthy(value).then(|| value.clone())
}

/// The lowercase hex SHA-256 of a document (Apollo's `computeQueryHash`).
pub fn hash(query: &str) -> String {
    let digest = Sha256::digest(query.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Apollo Server's default persisted-query store: an LRU of about 30 MiB.
const CACHE_BYTES: usize = 30 * 1024 * 1024;

/// The documents Apollo Server 4/5 keeps by hash (per process, as Apollo's in-memory cache).
pub struct Store {
    inner: Mutex<Inner>,
}

struct Inner {
    entries: lru::LruCache<String, std::sync::Arc<str>>,
    bytes: usize,
}

/// What a request's extension asks of the store.
#[derive(Debug)]
pub enum Lookup {
    /// Run this kept document.
    Found(std::sync::Arc<str>),
    /// The document sent matches its hash: keep it once the request is past validation.
    Register(String),
}

impl Default for Store {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: lru::LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }
}

impl Store {
    /// Apollo Server 4/5's reading of the extension: `query` is the document sent, if any.
    pub fn lookup(&self, persisted: &Json, query: Option<&str>) -> Result<Lookup, Refusal> {
        let version_one = persisted
            .get("version")
            .and_then(Json::as_f64)
            .is_some_and(|v| v == 1.0);
        if !version_one {
            return Err(Refusal::UnsupportedVersion);
        }
        let sent = persisted.get("sha256Hash").and_then(Json::as_str);
        match query {
            None => sent
                .and_then(|h| self.inner.lock().entries.get(h).cloned())
                .map(Lookup::Found)
                .ok_or(Refusal::NotFound),
            Some(q) => {
                let computed = hash(q);
                if sent == Some(computed.as_str()) {
                    Ok(Lookup::Register(computed))
                } else {
                    Err(Refusal::HashMismatch)
                }
            }
        }
    }

    /// Keep a document under its hash, evicting the least recently used past the budget.
    pub fn register(&self, hash: String, query: &str) {
        let size = hash.len() + query.len();
        if size > CACHE_BYTES {
            return;
        }
        let mut inner = self.inner.lock();
        if let Some(old) = inner.entries.put(hash.clone(), std::sync::Arc::from(query)) {
            inner.bytes -= hash.len() + old.len();
        }
        inner.bytes += size;
        while inner.bytes > CACHE_BYTES {
            match inner.entries.pop_lru() {
                Some((k, v)) => inner.bytes -= k.len() + v.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_is_apollos() {
        // Recorded: env.persisted.1 registers "query Persisted { health __typename }".
        assert_eq!(
            hash("query Persisted { health __typename }"),
            "5520b3f9536898e3d806533fdcbb49edcc4f847eda6ab533c42ebd137a200188"
        );
    }

    #[test]
    fn truthiness_decides_whether_the_extension_is_there() {
        let ext = |v: Json| of_extensions(Some(&json!({ "persistedQuery": v })));
        assert!(ext(Json::Null).is_none());
        assert!(ext(json!(false)).is_none());
        assert!(ext(json!("")).is_none());
        assert!(ext(json!(0)).is_none());
        assert!(ext(json!("x")).is_some());
        assert!(ext(json!({})).is_some());
        let get = Json::String(r#"{"persistedQuery":{"version":1}}"#.into());
        assert!(of_extensions(Some(&get)).is_some());
    }

    #[test]
    fn a_document_is_found_only_once_registered_and_only_by_its_exact_hash() {
        let store = Store::default();
        let q = "{ health }";
        let h = hash(q);
        let pq = json!({ "version": 1, "sha256Hash": h });
        assert_eq!(store.lookup(&pq, None).unwrap_err(), Refusal::NotFound);
        let Ok(Lookup::Register(key)) = store.lookup(&pq, Some(q)) else {
            panic!("a matching hash registers");
        };
        store.register(key, q);
        assert!(matches!(store.lookup(&pq, None), Ok(Lookup::Found(d)) if &*d == q));
        let upper = json!({ "version": 1, "sha256Hash": h.to_uppercase() });
        assert_eq!(store.lookup(&upper, None).unwrap_err(), Refusal::NotFound);
        assert_eq!(
            store.lookup(&upper, Some(q)).unwrap_err(),
            Refusal::HashMismatch
        );
        assert_eq!(
            store
                .lookup(&json!({ "version": 2, "sha256Hash": h }), Some(q))
                .unwrap_err(),
            Refusal::UnsupportedVersion
        );
        assert_eq!(
            store.lookup(&json!("x"), Some(q)).unwrap_err(),
            Refusal::UnsupportedVersion
        );
    }

    #[test]
    fn the_store_stays_within_its_budget() {
        let store = Store::default();
        let big = "x".repeat(CACHE_BYTES / 4);
        for i in 0..10 {
            store.register(format!("{i:064}"), &big);
        }
        let inner = store.inner.lock();
        assert!(inner.bytes <= CACHE_BYTES);
        assert_eq!(inner.entries.len(), 3);
        assert!(inner.entries.peek(&format!("{:064}", 9)).is_some());
    }
}
