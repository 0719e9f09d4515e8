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

// Made once: `from_static` checks every byte of a name or value when called at run time, and
// these go on every response.
static ALLOW_ORIGIN: HeaderName = HeaderName::from_static("access-control-allow-origin");
static ALLOW_METHODS_NAME: HeaderName = HeaderName::from_static("access-control-allow-methods");
static ALLOW_HEADERS_NAME: HeaderName = HeaderName::from_static("access-control-allow-headers");
static EXPOSE_HEADERS_NAME: HeaderName = HeaderName::from_static("access-control-expose-headers");
static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
static ALLOW_METHODS_VALUE: HeaderValue = HeaderValue::from_static(ALLOW_METHODS);
static ALLOW_HEADERS_BEFORE_4_3_VALUE: HeaderValue =
    HeaderValue::from_static(ALLOW_HEADERS_BEFORE_4_3);
static ALLOW_HEADERS_FROM_4_3_VALUE: HeaderValue = HeaderValue::from_static(ALLOW_HEADERS_FROM_4_3);
static EXPOSE_HEADERS_VALUE: HeaderValue = HeaderValue::from_static(EXPOSE_HEADERS);

/// Add Parse's fixed CORS set to a response.
pub fn apply_parse_set(headers: &mut HeaderMap, behavior: &Behavior) {
    let allow_headers = if behavior.cors_request_id_header {
        &ALLOW_HEADERS_FROM_4_3_VALUE
    } else {
        &ALLOW_HEADERS_BEFORE_4_3_VALUE
    };
    headers.insert(&ALLOW_ORIGIN, ANY_ORIGIN.clone());
    headers.insert(&ALLOW_METHODS_NAME, ALLOW_METHODS_VALUE.clone());
    headers.insert(&ALLOW_HEADERS_NAME, allow_headers.clone());
    headers.insert(&EXPOSE_HEADERS_NAME, EXPOSE_HEADERS_VALUE.clone());
}
