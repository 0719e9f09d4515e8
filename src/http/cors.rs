//! The CORS headers Parse's `allowCrossDomain` middleware sends on every `/parse` response.

use hyper::header::{HeaderMap, HeaderName, HeaderValue};

use crate::version::Behavior;

pub const ALLOW_METHODS: &str = "GET,PUT,POST,DELETE,OPTIONS";
pub const EXPOSE_HEADERS: &str = "X-Parse-Job-Status-Id, X-Parse-Push-Status-Id";
const ALLOW_HEADERS_BEFORE_4_3: &str = "X-Parse-Master-Key, X-Parse-REST-API-Key, X-Parse-Javascript-Key, X-Parse-Application-Id, X-Parse-Client-Version, X-Parse-Session-Token, X-Requested-With, X-Parse-Revocable-Session, Content-Type, Pragma, Cache-Control";
const ALLOW_HEADERS_FROM_4_3: &str = "X-Parse-Master-Key, X-Parse-REST-API-Key, X-Parse-Javascript-Key, X-Parse-Application-Id, X-Parse-Client-Version, X-Parse-Session-Token, X-Requested-With, X-Parse-Revocable-Session, X-Parse-Request-Id, Content-Type, Pragma, Cache-Control";

/// Parse's allow-headers list for this version (`X-Parse-Request-Id` arrived in 4.3.0).
pub fn allow_headers(behavior: &Behavior) -> &'static str {
    if behavior.cors_request_id_header {
        ALLOW_HEADERS_FROM_4_3
    } else {
        ALLOW_HEADERS_BEFORE_4_3
    }
}

/// Add Parse's fixed CORS set to a response.
pub fn apply_parse_set(headers: &mut HeaderMap, behavior: &Behavior) {
    headers.insert(
        HeaderName::from_static("access-control-allow-origin"),
        HeaderValue::from_static("*"),
    );
    headers.insert(
        HeaderName::from_static("access-control-allow-methods"),
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        HeaderName::from_static("access-control-allow-headers"),
        HeaderValue::from_static(allow_headers(behavior)),
    );
    headers.insert(
        HeaderName::from_static("access-control-expose-headers"),
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}
