//! Minting and checking Descope-style JWTs.
//!
//! Claims are the ones Descope's SDKs read: `drn` says what the token is (`DS` session,
//! `DSR` refresh), `sub` is the user, `iss` the project id (the SDKs accept the bare id or a
//! URL ending in it; we issue the bare id), `iat`/`exp` in seconds, `amr` the factors used.
//! A refresh JWT also carries `jti`, the objectId of the session row it stands for: that is
//! what binds it to the shared session table (the session token itself never leaves the
//! store), and it makes two refresh JWTs minted in the same second differ.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;

/// Clock tolerance, seconds; the SDKs use the same.
pub const LEEWAY_SECS: u64 = 5;

/// What a token is, from its `drn` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Session,
    Refresh,
}

impl Kind {
    pub const fn drn(self) -> &'static str {
        match self {
            Self::Session => "DS",
            Self::Refresh => "DSR",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub amr: Vec<String>,
    pub drn: String,
    pub exp: i64,
    pub iat: i64,
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    pub sub: String,
}

impl Claims {
    pub fn new(
        kind: Kind,
        project_id: &str,
        user_id: &str,
        session_id: Option<&str>,
        now: i64,
        lifetime: i64,
    ) -> Self {
        Self {
            amr: vec!["pwd".into()],
            drn: kind.drn().into(),
            exp: now.saturating_add(lifetime),
            iat: now,
            iss: project_id.into(),
            jti: session_id.map(str::to_owned),
            sub: user_id.into(),
        }
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed RS256 JWT")]
    Malformed,
    #[error("the token was signed by a key this project does not know")]
    UnknownKey,
    #[error("the token's signature does not verify")]
    BadSignature,
    #[error("the token was issued for another project")]
    WrongProject,
    #[error("the token is not a {0} token")]
    WrongKind(&'static str),
    #[error("the token has expired")]
    Expired,
}

#[derive(Debug, thiserror::Error)]
#[error("signing a token failed: {0}")]
pub struct SignError(String);

/// Sign `claims` with the ring's current key.
///
/// The same compact JWS `jsonwebtoken::encode` writes (RS256 signatures are deterministic, so
/// the very same bytes; a test holds it to that), signed with the key pair parsed at load.
pub fn mint(ring: &KeyRing, claims: &Claims) -> Result<String, SignError> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(ring.signing.kid.clone());
    let header = serde_json::to_vec(&header).map_err(|e| SignError(e.to_string()))?;
    let claims = serde_json::to_vec(claims).map_err(|e| SignError(e.to_string()))?;
    let mut jwt = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 350);
    URL_SAFE_NO_PAD.encode_string(&header, &mut jwt);
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(&claims, &mut jwt);
    let signing = &ring.signing;
    let mut signature = vec![0; signing.pair.public().modulus_len()];
    signing
        .pair
        .sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &signing.rng,
            jwt.as_bytes(),
            &mut signature,
        )
        .map_err(|e| SignError(e.to_string()))?;
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut jwt);
    Ok(jwt)
}

/// `iss` names this project: the bare id, or a URL/path whose last segment is the id.
fn issuer_is(iss: &str, project_id: &str) -> bool {
    iss == project_id
        || iss
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .is_some_and(|last| last == project_id)
}

/// Check a token's header, signature, expiry, issuer and kind; return its claims.
pub fn verify(
    ring: &KeyRing,
    token: &str,
    project_id: &str,
    kind: Kind,
) -> Result<Claims, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenError::Malformed);
    }
    let kid = header.kid.ok_or(TokenError::UnknownKey)?;
    let key = ring.verifying_key(&kid).ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_SECS;
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    let data =
        jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            _ => TokenError::Malformed,
        })?;
    let claims = data.claims;
    if !issuer_is(&claims.iss, project_id) {
        return Err(TokenError::WrongProject);
    }
    if claims.drn != kind.drn() {
        return Err(TokenError::WrongKind(kind.drn()));
    }
    if kind == Kind::Refresh && claims.jti.as_deref().is_none_or(str::is_empty) {
        return Err(TokenError::Malformed);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descope::keys::{KeyDocument, KeyRing, StoredKey, generate_key};
    use std::sync::OnceLock;

    /// Two keys, generated once for all tests (generation is slow): `b` current, `a` retired.
    fn keys() -> &'static (StoredKey, StoredKey) {
        static KEYS: OnceLock<(StoredKey, StoredKey)> = OnceLock::new();
        KEYS.get_or_init(|| (generate_key(0).unwrap(), generate_key(0).unwrap()))
    }

    fn ring_with(current: &StoredKey, retired: Option<&StoredKey>) -> KeyRing {
        let mut doc = KeyDocument::default();
        if let Some(r) = retired {
            doc.keys.push(StoredKey {
                retired_at: Some(10),
                ..r.clone()
            });
        }
        doc.keys.push(current.clone());
        KeyRing::build(doc.to_text(), 20, 1_000_000).unwrap()
    }

    /// The stored key as jsonwebtoken's encoder takes it, to sign reference tokens.
    fn jsonwebtoken_key(key: &StoredKey) -> jsonwebtoken::EncodingKey {
        jsonwebtoken::EncodingKey::from_rsa_pem(key.private_key_pem.as_bytes()).unwrap()
    }

    fn now() -> i64 {
        crate::store::now_millis() / 1000
    }

    fn refresh_claims() -> Claims {
        Claims::new(Kind::Refresh, "P2proj", "user1", Some("sess1"), now(), 60)
    }

    #[test]
    fn a_minted_refresh_token_verifies_with_its_claims() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let claims = refresh_claims();
        let jwt = mint(&ring, &claims).unwrap();
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.kid.as_deref(), Some(a.kid.as_str()));
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(verify(&ring, &jwt, "P2proj", Kind::Refresh), Ok(claims));
    }

    #[test]
    fn minting_writes_the_very_bytes_jsonwebtoken_writes() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let claims = refresh_claims();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(a.kid.clone());
        let reference = jsonwebtoken::encode(&header, &claims, &jsonwebtoken_key(a)).unwrap();
        assert_eq!(mint(&ring, &claims).unwrap(), reference);
    }

    #[test]
    fn the_kind_must_match() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let session = mint(
            &ring,
            &Claims::new(Kind::Session, "P2proj", "user1", None, now(), 60),
        )
        .unwrap();
        assert_eq!(
            verify(&ring, &session, "P2proj", Kind::Refresh),
            Err(TokenError::WrongKind("DSR"))
        );
        assert!(verify(&ring, &session, "P2proj", Kind::Session).is_ok());
        let refresh = mint(&ring, &refresh_claims()).unwrap();
        assert_eq!(
            verify(&ring, &refresh, "P2proj", Kind::Session),
            Err(TokenError::WrongKind("DS"))
        );
    }

    #[test]
    fn a_refresh_token_without_a_session_id_is_malformed() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let jwt = mint(
            &ring,
            &Claims::new(Kind::Refresh, "P2proj", "user1", None, now(), 60),
        )
        .unwrap();
        assert_eq!(
            verify(&ring, &jwt, "P2proj", Kind::Refresh),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn another_project_is_refused_and_url_issuers_are_accepted() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let jwt = mint(&ring, &refresh_claims()).unwrap();
        assert_eq!(
            verify(&ring, &jwt, "P2other", Kind::Refresh),
            Err(TokenError::WrongProject)
        );
        assert!(issuer_is("https://api.descope.com/P2proj", "P2proj"));
        assert!(issuer_is("P2proj", "P2proj"));
        assert!(!issuer_is("https://api.descope.com/P2projX", "P2proj"));
        assert!(!issuer_is("", "P2proj"));
    }

    #[test]
    fn an_expired_token_is_expired_beyond_the_leeway_only() {
        let (a, _) = keys();
        let ring = ring_with(a, None);
        let t = now();
        let just = Claims::new(Kind::Refresh, "P2proj", "u", Some("s"), t - 62, 60);
        assert!(verify(&ring, &mint(&ring, &just).unwrap(), "P2proj", Kind::Refresh).is_ok());
        let old = Claims::new(Kind::Refresh, "P2proj", "u", Some("s"), t - 120, 60);
        assert_eq!(
            verify(&ring, &mint(&ring, &old).unwrap(), "P2proj", Kind::Refresh),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn rotation_keeps_old_tokens_verifiable_and_signs_with_the_new_key() {
        let (a, b) = keys();
        let before = ring_with(a, None);
        let old_token = mint(&before, &refresh_claims()).unwrap();
        let after = ring_with(b, Some(a));
        assert_eq!(after.signing.kid, b.kid);
        assert!(verify(&after, &old_token, "P2proj", Kind::Refresh).is_ok());
        let new_token = mint(&after, &refresh_claims()).unwrap();
        // A server that never knew key `b` refuses the new token: unknown key.
        assert_eq!(
            verify(&before, &new_token, "P2proj", Kind::Refresh),
            Err(TokenError::UnknownKey)
        );
    }

    #[test]
    fn tampering_and_garbage_are_refused() {
        let (a, b) = keys();
        let ring = ring_with(a, None);
        let jwt = mint(&ring, &refresh_claims()).unwrap();
        // Another key's signature under this key's kid.
        let forged = {
            let other = ring_with(b, None);
            let theirs = mint(&other, &refresh_claims()).unwrap();
            let (head, _) = jwt.rsplit_once('.').unwrap();
            let (_, sig) = theirs.rsplit_once('.').unwrap();
            format!("{head}.{sig}")
        };
        assert_eq!(
            verify(&ring, &forged, "P2proj", Kind::Refresh),
            Err(TokenError::BadSignature)
        );
        for garbage in [
            "",
            "a",
            "a.b.c",
            "....",
            "eyJhbGciOiJub25lIn0.e30.",
            "é.é.é",
        ] {
            assert_eq!(
                verify(&ring, garbage, "P2proj", Kind::Refresh),
                Err(TokenError::Malformed),
                "{garbage:?}"
            );
        }
        // An HS256 token, even with a known kid, is refused before any key is used.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(a.kid.clone());
        let hs = jsonwebtoken::encode(
            &header,
            &refresh_claims(),
            &jsonwebtoken::EncodingKey::from_secret(b"secret"),
        )
        .unwrap();
        assert_eq!(
            verify(&ring, &hs, "P2proj", Kind::Refresh),
            Err(TokenError::Malformed)
        );
        // No kid at all.
        let nokid = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &refresh_claims(),
            &jsonwebtoken_key(a),
        )
        .unwrap();
        assert_eq!(
            verify(&ring, &nokid, "P2proj", Kind::Refresh),
            Err(TokenError::UnknownKey)
        );
    }
}
