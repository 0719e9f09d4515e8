//! The credentials a request carries in headers: Parse's `Authorization: Basic` (app id and
//! key) and Descope's `Authorization: Bearer <project>:<jwt>[:<key>]` or refresh cookie.
#![no_main]

use hyper::HeaderMap;
use hyper::header::{AUTHORIZATION, COOKIE, HeaderValue};
use libfuzzer_sys::fuzz_target;
use parse_compat::descope::request;
use parse_compat::http::auth;

fuzz_target!(|data: &[u8]| {
    let (authorization, cookie) =
        data.split_at(data.iter().position(|b| *b == b'\n').unwrap_or(data.len()));
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_bytes(authorization) {
        headers.insert(AUTHORIZATION, v);
    }
    if let Ok(v) = HeaderValue::from_bytes(cookie.get(1..).unwrap_or_default()) {
        headers.insert(COOKIE, v);
    }
    let _ = auth::basic_auth(&headers);
    let names = request::refresh_cookie_names(&headers);
    let _ = request::presented_token(&headers, "P2fuzzProject", &names);
    let _ = request::cookie(&headers, "DSR");
});
