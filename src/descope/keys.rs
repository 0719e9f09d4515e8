//! The RS256 signing keys: generated once, kept in the store, rotated by `keys rotate`.
//!
//! The store holds one JSON document listing every key (private key as PKCS#1 PEM, when it was
//! created, when a newer key replaced it). A [`KeyRing`] is that document parsed once: the
//! current key ready to sign, every still-useful key ready to verify, and the JWKS body
//! rendered once, so no request parses a key.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use jsonwebtoken::DecodingKey;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::store::{Store, StoreError, object_id};

/// RSA modulus size: what Descope and every JOSE library expect for RS256.
const RSA_BITS: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("generating an RSA key failed: {0}")]
    Generate(String),
    #[error("the stored signing keys are unreadable: {0}")]
    Corrupt(String),
    #[error("no current signing key is stored")]
    NoCurrentKey,
}

impl From<KeyError> for StoreError {
    fn from(e: KeyError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// One key as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StoredKey {
    pub kid: String,
    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`).
    pub private_key_pem: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; `None` for the current key.
    pub retired_at: Option<i64>,
}

/// The stored document.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KeyDocument {
    pub keys: Vec<StoredKey>,
}

impl KeyDocument {
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        serde_json::from_str(text).map_err(|e| KeyError::Corrupt(e.to_string()))
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from(r#"{"keys":[]}"#))
    }

    pub fn current(&self) -> Option<&StoredKey> {
        self.keys.iter().rev().find(|k| k.retired_at.is_none())
    }

    /// Retire the current key(s) at `now` and make `key` current.
    pub fn rotate_in(&mut self, key: StoredKey, now: i64) {
        for k in &mut self.keys {
            if k.retired_at.is_none() {
                k.retired_at = Some(now);
            }
        }
        self.keys.push(key);
    }
}

/// A new private key with a fresh `kid`. Slow (tens to hundreds of milliseconds): call it on a
/// blocking thread.
pub fn generate_key(now: i64) -> Result<StoredKey, KeyError> {
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, RSA_BITS)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    let pem = private
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| KeyError::Generate(e.to_string()))?;
    Ok(StoredKey {
        kid: format!("K{}{}", object_id(), object_id()),
        private_key_pem: pem.to_string(),
        created_at: now,
        retired_at: None,
    })
}

/// The key that signs new tokens.
pub struct SigningKey {
    pub kid: String,
    /// Parsed and checked once at load, so a signature costs only the signing.
    pub pair: ring::signature::RsaKeyPair,
    pub rng: ring::rand::SystemRandom,
}

/// A parsed key document.
pub struct KeyRing {
    pub signing: SigningKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: Bytes,
    /// The document text this ring was built from (to notice a rotation by another process).
    pub source: String,
}

impl KeyRing {
    /// Parse `source`, keeping retired keys only while a token they signed can still be
    /// unexpired: `max_token_secs` after their retirement. Slow-ish (PEM and RSA parsing): call
    /// it on a blocking thread.
    pub fn build(source: String, now: i64, max_token_secs: i64) -> Result<Self, KeyError> {
        let doc = KeyDocument::parse(&source)?;
        let current = doc.current().ok_or(KeyError::NoCurrentKey)?;
        let mut verifying = HashMap::new();
        let mut jwks = Vec::new();
        let mut signing = None;
        for stored in &doc.keys {
            let useful = match stored.retired_at {
                None => true,
                Some(at) => at.saturating_add(max_token_secs) >= now,
            };
            if !useful {
                continue;
            }
            let private = rsa::RsaPrivateKey::from_pkcs1_pem(&stored.private_key_pem)
                .map_err(|e| KeyError::Corrupt(format!("key {}: {e}", stored.kid)))?;
            let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
            let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
            let decoding = DecodingKey::from_rsa_components(&n, &e)
                .map_err(|err| KeyError::Corrupt(format!("key {}: {err}", stored.kid)))?;
            verifying.insert(stored.kid.clone(), decoding);
            jwks.push(json!({
                "alg": "RS256",
                "e": e,
                "kid": stored.kid,
                "kty": "RSA",
                "n": n,
                "use": "sig",
            }));
            if stored.kid == current.kid {
                let der = private
                    .to_pkcs1_der()
                    .map_err(|err| KeyError::Corrupt(format!("key {}: {err}", stored.kid)))?;
                let pair = ring::signature::RsaKeyPair::from_der(der.as_bytes())
                    .map_err(|err| KeyError::Corrupt(format!("key {}: {err}", stored.kid)))?;
                signing = Some(SigningKey {
                    kid: stored.kid.clone(),
                    pair,
                    rng: ring::rand::SystemRandom::new(),
                });
            }
        }
        // The newest key first, as clients pick the first usable one.
        jwks.reverse();
        Ok(Self {
            signing: signing.ok_or(KeyError::NoCurrentKey)?,
            verifying,
            jwks: Bytes::from(json!({ "keys": jwks }).to_string()),
            source,
        })
    }

    pub fn verifying_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }

    /// `{"keys":[{alg,e,kid,kty,n,use}, ...]}`, rendered once.
    pub fn jwks(&self) -> Bytes {
        self.jwks.clone()
    }
}

/// Make sure a current key exists (generating one on first start) and return the document.
pub async fn ensure_current_key(store: &Store, now: i64) -> Result<String, StoreError> {
    if let Some(text) = store.descope_keys().await?
        && KeyDocument::parse(&text)?.current().is_some()
    {
        return Ok(text);
    }
    let fresh = generate_on_blocking_thread(now).await?;
    // Another process may have added a key meanwhile: keep theirs, drop ours.
    store
        .descope_update_keys(move |current| {
            let mut doc = match current {
                Some(text) => KeyDocument::parse(&text)?,
                None => KeyDocument::default(),
            };
            if doc.current().is_none() {
                doc.keys.push(fresh);
            }
            Ok(doc.to_text())
        })
        .await
}

/// Add a new current key; older keys stay listed (and verifiable) until their tokens expire.
pub async fn rotate(store: &Store, now: i64) -> Result<String, StoreError> {
    let fresh = generate_on_blocking_thread(now).await?;
    let kid = fresh.kid.clone();
    store
        .descope_update_keys(move |current| {
            let mut doc = match current {
                Some(text) => KeyDocument::parse(&text)?,
                None => KeyDocument::default(),
            };
            doc.rotate_in(fresh, now);
            Ok(doc.to_text())
        })
        .await?;
    Ok(kid)
}

async fn generate_on_blocking_thread(now: i64) -> Result<StoredKey, StoreError> {
    tokio::task::spawn_blocking(move || generate_key(now))
        .await
        .map_err(|e| StoreError::Join(e.to_string()))?
        .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, created: i64, retired: Option<i64>, pem: &str) -> StoredKey {
        StoredKey {
            kid: kid.into(),
            private_key_pem: pem.into(),
            created_at: created,
            retired_at: retired,
        }
    }

    #[test]
    fn rotation_retires_the_current_key_and_keeps_it_listed() {
        let mut doc = KeyDocument {
            keys: vec![key("a", 1, None, "x")],
        };
        doc.rotate_in(key("b", 5, None, "y"), 5);
        assert_eq!(doc.keys[0].retired_at, Some(5));
        assert_eq!(doc.current().unwrap().kid, "b");
        let again = KeyDocument::parse(&doc.to_text()).unwrap();
        assert_eq!(again, doc);
    }

    #[test]
    fn a_ring_lists_only_keys_whose_tokens_can_still_be_valid() {
        let old = generate_key(0).unwrap();
        let mid = generate_key(0).unwrap();
        let new = generate_key(0).unwrap();
        let doc = KeyDocument {
            keys: vec![
                StoredKey {
                    retired_at: Some(100),
                    ..old.clone()
                },
                StoredKey {
                    retired_at: Some(1_000),
                    ..mid.clone()
                },
                new.clone(),
            ],
        };
        // At 1_500 with 600 s tokens: `old` (retired at 100) can sign nothing still valid.
        let ring = KeyRing::build(doc.to_text(), 1_500, 600).unwrap();
        assert_eq!(ring.signing.kid, new.kid);
        assert!(ring.verifying_key(&old.kid).is_none());
        assert!(ring.verifying_key(&mid.kid).is_some());
        assert!(ring.verifying_key(&new.kid).is_some());
        let jwks: serde_json::Value = serde_json::from_slice(&ring.jwks()).unwrap();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [new.kid.as_str(), mid.kid.as_str()]);
        let first = &jwks["keys"][0];
        assert_eq!(first["alg"], "RS256");
        assert_eq!(first["kty"], "RSA");
        assert_eq!(first["use"], "sig");
        assert_eq!(first["e"], "AQAB");
        // A 2048-bit modulus is 256 bytes: 342 base64url characters without padding.
        assert_eq!(first["n"].as_str().unwrap().len(), 342);
    }

    #[test]
    fn a_document_without_a_current_key_is_refused() {
        let k = generate_key(0).unwrap();
        let doc = KeyDocument {
            keys: vec![StoredKey {
                retired_at: Some(1),
                ..k
            }],
        };
        assert!(matches!(
            KeyRing::build(doc.to_text(), 1, 600),
            Err(KeyError::NoCurrentKey)
        ));
        assert!(matches!(
            KeyRing::build("not json".into(), 1, 600),
            Err(KeyError::Corrupt(_))
        ));
    }
}
