//! Parse's `handleParseHeaders` and `handleParseSession`: application id, keys and session.
//!
//! Runs before every `/parse` route and before `/graphql`, in Parse's order: application id
//! (header, HTTP basic auth, or the JS SDK's body fields), master key, client keys, then the
//! session token. A refusal is returned as the response Parse would write.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use hyper::header::{AUTHORIZATION, AsHeaderName, HeaderMap};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::response::{self, HttpResponse};
use crate::config::Config;
use crate::error::{ErrorCode, ParseError};
use crate::store::{AuthSession, Store, StoreError, now_millis};

/// How a route treats the session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPolicy {
    /// Resolve it; unknown, revoked or expired → 209 before the handler.
    Check,
    /// `Check`, finished by the caller: resolved here only when cached, else
    /// [`RequestAuth::check_pending`] is set and the caller must run [`finish_check`] or
    /// [`finish_check_with`] before answering anything (GraphQL has the reader thread that
    /// looks the token up hand the operation straight to an executor thread).
    CheckLater,
    /// Leave it to the handler (`GET /sessions/me` from 7.0).
    HandlerLooksUp,
    /// Drop it (`/login` ignores any token sent).
    Ignore,
    /// The handler checks the token as part of its own single store operation, answering
    /// exactly what this middleware would (`/logout`: revoke-and-check in one statement).
    Deferred,
}

/// Who is calling, as the middleware established it.
#[derive(Debug, Clone, Default)]
pub struct RequestAuth {
    pub is_master: bool,
    pub installation_id: Option<String>,
    /// The session token sent (non-empty), unless the route ignores it.
    pub session_token: Option<String>,
    /// The resolved session, when the middleware checked the token.
    pub session: Option<Arc<AuthSession>>,
    pub client_version: Option<String>,
    /// `CheckLater` left the token unchecked: the caller must check it as `Check` would.
    pub check_pending: bool,
}

impl RequestAuth {
    /// The token `CheckLater` left for the caller to check, if any.
    pub fn pending_token(&self) -> Option<&str> {
        self.session_token.as_deref().filter(|_| self.check_pending)
    }
}

/// Keys found in the request: borrowed from its headers, owned when they came from the body.
struct Info<'a> {
    app_id: Option<Cow<'a, str>>,
    session_token: Option<Cow<'a, str>>,
    master_key: Option<Cow<'a, str>>,
    installation_id: Option<Cow<'a, str>>,
    client_key: Option<Cow<'a, str>>,
    javascript_key: Option<Cow<'a, str>>,
    dot_net_key: Option<Cow<'a, str>>,
    rest_api_key: Option<Cow<'a, str>>,
    client_version: Option<Cow<'a, str>>,
}

/// A header as text, borrowed; `None` when absent or not visible ASCII.
pub fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl<'a> Info<'a> {
    /// The `X-Parse-*` headers, in one pass over the request's headers (a lookup by name per
    /// key would parse and hash each of nine names on every request). As `HeaderMap::get`
    /// does, a name's first value counts, and a value that is not visible ASCII is absent.
    fn of(headers: &'a HeaderMap) -> Self {
        let mut info = Info {
            app_id: None,
            session_token: None,
            master_key: None,
            installation_id: None,
            client_key: None,
            javascript_key: None,
            dot_net_key: None,
            rest_api_key: None,
            client_version: None,
        };
        let mut seen = 0u16;
        for (name, value) in headers {
            let Some(key) = name.as_str().strip_prefix("x-parse-") else {
                continue;
            };
            let (bit, slot) = match key {
                "application-id" => (0, &mut info.app_id),
                "session-token" => (1, &mut info.session_token),
                "master-key" => (2, &mut info.master_key),
                "installation-id" => (3, &mut info.installation_id),
                "client-key" => (4, &mut info.client_key),
                "javascript-key" => (5, &mut info.javascript_key),
                "windows-key" => (6, &mut info.dot_net_key),
                "rest-api-key" => (7, &mut info.rest_api_key),
                "client-version" => (8, &mut info.client_version),
                _ => continue,
            };
            if seen & (1 << bit) == 0 {
                seen |= 1 << bit;
                *slot = value.to_str().ok().map(Cow::Borrowed);
            }
        }
        info
    }
}

/// Constant-time equality of a presented key with a configured one.
pub fn key_matches(presented: Option<&str>, configured: Option<&str>) -> bool {
    match (presented, configured) {
        (Some(p), Some(c)) => bool::from(p.as_bytes().ct_eq(c.as_bytes())),
        _ => false,
    }
}

/// `Authorization: Basic base64(appId:javascript-key=KEY)` or `base64(appId:MASTERKEY)`.
pub fn basic_auth(headers: &HeaderMap) -> Option<(String, Option<String>, Option<String>)> {
    let value = header(headers, AUTHORIZATION)?;
    let mut parts = value.split(' ');
    if !parts.next()?.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(parts.next()?)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (app_id, key) = text.split_once(':')?;
    match key.strip_prefix("javascript-key=") {
        Some(js) => Some((app_id.to_owned(), None, Some(js.to_owned()))),
        None => Some((app_id.to_owned(), Some(key.to_owned()), None)),
    }
}

fn body_string(body: &mut Map<String, Value>, key: &str) -> Option<Cow<'static, str>> {
    match body.remove(key) {
        Some(Value::String(s)) => Some(Cow::Owned(s)),
        Some(Value::Null) | None => None,
        Some(other) => Some(Cow::Owned(other.to_string())),
    }
}

/// Authenticate a request. `body` is the parsed JSON body when the route has one (the JS SDK
/// carries its keys there); the SDK's fields are removed from it, as Parse does.
pub async fn authenticate(
    config: &Config,
    store: &Store,
    headers: &HeaderMap,
    body: Option<&mut Map<String, Value>>,
    policy: SessionPolicy,
) -> Result<RequestAuth, HttpResponse> {
    let mut info = Info::of(headers);
    if let Some((app_id, master, js)) = basic_auth(headers)
        && key_matches(Some(&app_id), Some(&config.app_id))
    {
        info.app_id = Some(Cow::Owned(app_id));
        info.master_key = master.map(Cow::Owned).or(info.master_key);
        info.javascript_key = js.map(Cow::Owned).or(info.javascript_key);
    }
    let app_known = key_matches(info.app_id.as_deref(), Some(&config.app_id));
    if !app_known {
        let Some(body) = body else {
            return Err(response::unauthorized());
        };
        body.remove("_RevocableSession");
        let body_app = body.get("_ApplicationId").and_then(Value::as_str);
        let master_consistent = info.master_key.is_none()
            || key_matches(info.master_key.as_deref(), Some(&config.master_key));
        if !(key_matches(body_app, Some(&config.app_id)) && master_consistent) {
            return Err(response::unauthorized());
        }
        info.app_id = body_string(body, "_ApplicationId");
        info.javascript_key = Some(body_string(body, "_JavaScriptKey").unwrap_or_default());
        if let Some(v) = body_string(body, "_ClientVersion") {
            info.client_version = Some(v);
        }
        if let Some(v) = body_string(body, "_InstallationId") {
            info.installation_id = Some(v);
        }
        if let Some(v) = body_string(body, "_SessionToken") {
            info.session_token = Some(v);
        }
        if let Some(v) = body_string(body, "_MasterKey") {
            info.master_key = Some(v);
        }
        body.remove("_ContentType");
        body.remove("_context");
    }

    let is_master = key_matches(info.master_key.as_deref(), Some(&config.master_key));
    let session_token = info
        .session_token
        .filter(|t| !t.is_empty())
        .map(Cow::into_owned);
    let mut auth = RequestAuth {
        is_master,
        installation_id: info
            .installation_id
            .filter(|i| !i.is_empty())
            .map(Cow::into_owned),
        session_token: None,
        session: None,
        client_version: info.client_version.map(Cow::into_owned),
        check_pending: false,
    };
    if is_master {
        auth.session_token = session_token;
        return Ok(auth);
    }
    let configured = [
        (info.client_key.as_deref(), config.client_key.as_deref()),
        (
            info.javascript_key.as_deref(),
            config.javascript_key.as_deref(),
        ),
        (info.dot_net_key.as_deref(), None),
        (info.rest_api_key.as_deref(), config.rest_api_key.as_deref()),
    ];
    let one_configured = configured.iter().any(|(_, c)| c.is_some());
    // Every pair is compared (no short-circuit) so timing does not tell which key matched.
    let one_matches = configured
        .iter()
        .fold(false, |acc, (p, c)| acc | key_matches(*p, *c));
    if one_configured && !one_matches {
        return Err(response::unauthorized());
    }
    match policy {
        SessionPolicy::Ignore => return Ok(auth),
        SessionPolicy::HandlerLooksUp | SessionPolicy::Deferred => {
            auth.session_token = session_token;
            return Ok(auth);
        }
        SessionPolicy::Check | SessionPolicy::CheckLater => {}
    }
    let Some(token) = session_token else {
        return Ok(auth);
    };
    if policy == SessionPolicy::CheckLater {
        match store.cached_session(&token) {
            Some(cached) => auth.session = Some(checked(store, Some(cached))?),
            None => auth.check_pending = true,
        }
        auth.session_token = Some(token);
        return Ok(auth);
    }
    let found = store
        .find_session(&token)
        .await
        .map_err(|e| response::parse_error(&ParseError::from(e)))?;
    auth.session = Some(checked(store, found)?);
    auth.session_token = Some(token);
    Ok(auth)
}

/// [`verdict`], telling Parse's schema cache model what Parse read to reach it.
fn checked(
    store: &Store,
    found: Option<Arc<AuthSession>>,
) -> Result<Arc<AuthSession>, HttpResponse> {
    let reads = store.class_reads();
    if reads.enabled() {
        let accepted = found
            .as_ref()
            .is_some_and(|s| !s.session.is_expired(now_millis()));
        reads.token_resolved(found.as_deref(), accepted);
    }
    verdict(found)
}

/// `Check`'s verdict on what the token resolved to: 209 when unknown, revoked or expired.
fn verdict(found: Option<Arc<AuthSession>>) -> Result<Arc<AuthSession>, HttpResponse> {
    let Some(session) = found else {
        return Err(response::parse_error(&ParseError::invalid_session_token()));
    };
    if session.session.is_expired(now_millis()) {
        return Err(response::parse_error(&ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token is expired.",
        )));
    }
    Ok(session)
}

/// Finish a `CheckLater` check on the async side (a reader thread reads).
pub async fn finish_check(store: &Store, auth: &mut RequestAuth) -> Result<(), HttpResponse> {
    let Some(token) = auth.pending_token() else {
        return Ok(());
    };
    let found = store.find_session(token).await;
    finish_check_with(store, auth, found)
}

/// Finish a `CheckLater` check with what the token was found to be (see
/// [`Store::find_session_then`]).
pub fn finish_check_with(
    store: &Store,
    auth: &mut RequestAuth,
    found: Result<Option<Arc<AuthSession>>, StoreError>,
) -> Result<(), HttpResponse> {
    let found = found.map_err(|e| response::parse_error(&ParseError::from(e)))?;
    auth.session = Some(checked(store, found)?);
    auth.check_pending = false;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn parse_headers_are_read_as_header_map_get_reads_them() {
        let mut headers = HeaderMap::new();
        headers.append("X-Parse-Session-Token", HeaderValue::from_static("r:first"));
        headers.append(
            "x-parse-session-token",
            HeaderValue::from_static("r:second"),
        );
        headers.append(
            "X-Parse-Installation-Id",
            HeaderValue::from_bytes(b"caf\xc3\xa9").expect("a value"),
        );
        headers.append("X-Parse-Installation-Id", HeaderValue::from_static("ascii"));
        headers.append("X-Parse-Unknown", HeaderValue::from_static("x"));
        headers.append("X-Parse-Application-Id", HeaderValue::from_static("app"));
        let info = Info::of(&headers);
        let get = |name: &str| header(&headers, name);
        assert_eq!(info.session_token.as_deref(), get("x-parse-session-token"));
        assert_eq!(info.session_token.as_deref(), Some("r:first"));
        // Not visible ASCII: absent, and the name's second value does not stand in for it.
        assert_eq!(
            info.installation_id.as_deref(),
            get("x-parse-installation-id")
        );
        assert_eq!(info.installation_id, None);
        assert_eq!(info.app_id.as_deref(), Some("app"));
        assert_eq!(info.master_key, None);
    }
}
