//! Reading a Descope request: the token from `Authorization: Bearer <ProjectID>:<jwt>[:<key>]`
//! or from a cookie, and the optional JSON body.

use hyper::HeaderMap;
use hyper::header::{AUTHORIZATION, COOKIE};
use serde_json::{Map, Value};

use super::wire::DescopeError;

/// The refresh-cookie name a browser client may announce.
pub const REFRESH_COOKIE_NAME_HEADER: &str = "x-descope-refresh-cookie-name";

/// The token a request presents: the bearer's second part, else the first cookie of `cookies`
/// that is set and non-empty. A bearer naming another project is refused outright.
pub fn presented_token(
    headers: &HeaderMap,
    project_id: &str,
    cookies: &[&str],
) -> Result<String, DescopeError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let text = value
            .to_str()
            .map_err(|_| DescopeError::invalid_token("The Authorization header is not text"))?;
        let credentials = strip_bearer(text).ok_or_else(|| {
            DescopeError::invalid_token("The Authorization header is not a Bearer credential")
        })?;
        // JWTs never contain ':', so the split is unambiguous: project, token, management key.
        let mut parts = credentials.splitn(3, ':');
        let project = parts.next().unwrap_or_default().trim();
        if project != project_id {
            return Err(DescopeError::invalid_token(
                "The project id in the Authorization header does not match this project",
            ));
        }
        if let Some(token) = parts.next().map(str::trim).filter(|t| !t.is_empty()) {
            return Ok(token.to_owned());
        }
    }
    for name in cookies {
        if let Some(v) = cookie(headers, name).filter(|v| !v.is_empty()) {
            return Ok(v);
        }
    }
    Err(DescopeError::missing_token("No token was presented"))
}

/// Where a refresh token may come from, in order: the announced cookie name, then `DSR`.
pub fn refresh_cookie_names(headers: &HeaderMap) -> Vec<&str> {
    let mut names = Vec::with_capacity(2);
    if let Some(name) = crate::http::auth::header(headers, REFRESH_COOKIE_NAME_HEADER)
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        names.push(name);
    }
    names.push(super::wire::REFRESH_COOKIE);
    names
}

fn strip_bearer(value: &str) -> Option<&str> {
    let value = value.trim_start();
    let (scheme, rest) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// A cookie's value from every `Cookie` header (first match wins).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
}

/// The body as a JSON object; an empty body is an empty object.
pub fn json_body(bytes: &[u8]) -> Result<Map<String, Value>, DescopeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(DescopeError::bad_request("The body must be a JSON object")),
        Err(_) => Err(DescopeError::bad_request("The body is not valid JSON")),
    }
}

/// A required, non-empty string field.
pub fn required_string(body: &Map<String, Value>, field: &str) -> Result<String, DescopeError> {
    match body.get(field) {
        None | Some(Value::Null) => Err(DescopeError::missing_argument(&format!(
            "The {field} argument is missing"
        ))),
        Some(Value::String(s)) if s.is_empty() => Err(DescopeError::missing_argument(&format!(
            "The {field} argument is missing"
        ))),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(DescopeError::bad_request(&format!(
            "The {field} argument must be a string"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const DSR: &[&str] = &["DSR"];

    #[test]
    fn the_bearer_carries_project_token_and_optional_key() {
        let h = headers(&[("authorization", "Bearer P2p:jwt.a.b")]);
        assert_eq!(presented_token(&h, "P2p", DSR).unwrap(), "jwt.a.b");
        let h = headers(&[("authorization", "bearer P2p:jwt.a.b:mgmtkey")]);
        assert_eq!(presented_token(&h, "P2p", DSR).unwrap(), "jwt.a.b");
    }

    #[test]
    fn another_project_is_invalid_even_with_a_cookie() {
        let h = headers(&[("authorization", "Bearer P2x:jwt"), ("cookie", "DSR=c")]);
        let err = presented_token(&h, "P2p", DSR).unwrap_err();
        assert_eq!((err.status, err.code), (401, "E011003"));
        let h = headers(&[("authorization", "Basic abc")]);
        assert_eq!(presented_token(&h, "P2p", DSR).unwrap_err().code, "E011003");
    }

    #[test]
    fn cookies_are_the_fallback_in_order() {
        let h = headers(&[
            ("authorization", "Bearer P2p"),
            ("cookie", "a=1; DSR=fromdsr"),
        ]);
        assert_eq!(presented_token(&h, "P2p", DSR).unwrap(), "fromdsr");
        let h = headers(&[
            ("x-descope-refresh-cookie-name", "MyRefresh"),
            ("cookie", "DSR=fromdsr"),
            ("cookie", "MyRefresh=custom"),
        ]);
        assert_eq!(
            presented_token(&h, "P2p", &refresh_cookie_names(&h)).unwrap(),
            "custom"
        );
        let h = headers(&[
            ("x-descope-refresh-cookie-name", "MyRefresh"),
            ("cookie", "DSR=d"),
        ]);
        assert_eq!(
            presented_token(&h, "P2p", &refresh_cookie_names(&h)).unwrap(),
            "d"
        );
    }

    #[test]
    fn nothing_presented_is_missing() {
        for h in [
            headers(&[]),
            headers(&[("authorization", "Bearer P2p")]),
            headers(&[("authorization", "Bearer P2p:")]),
            headers(&[("cookie", "DSR=")]),
        ] {
            let err = presented_token(&h, "P2p", DSR).unwrap_err();
            assert_eq!((err.status, err.code), (401, "E011002"));
        }
    }

    #[test]
    fn bodies() {
        assert!(json_body(b"").unwrap().is_empty());
        assert!(json_body(b" \n").unwrap().is_empty());
        assert!(json_body(b"{}").unwrap().is_empty());
        assert!(json_body(b"null").unwrap().is_empty());
        assert_eq!(
            json_body(br#"{"logoutType":["whatever"]}"#).unwrap().len(),
            1
        );
        assert_eq!(json_body(b"[1]").unwrap_err().code, "E011001");
        assert_eq!(json_body(b"{nope").unwrap_err().status, 400);
    }

    #[test]
    fn required_strings() {
        let body = json_body(br#"{"a":"x","b":"","c":3}"#).unwrap();
        assert_eq!(required_string(&body, "a").unwrap(), "x");
        assert_eq!(required_string(&body, "b").unwrap_err().code, "E011002");
        assert_eq!(required_string(&body, "c").unwrap_err().code, "E011001");
        assert_eq!(required_string(&body, "d").unwrap_err().code, "E011002");
    }
}
