//! Building responses: Parse's JSON bodies, Express's own answers, and the headers both send.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::error::ParseError;

pub type HttpResponse = Response<Full<Bytes>>;

pub const JSON_UTF8: &str = "application/json; charset=utf-8";
pub const HTML_UTF8: &str = "text/html; charset=utf-8";
pub const TEXT_UTF8: &str = "text/plain; charset=utf-8";

// Made once (`from_static` checks every byte when called at run time): on every response.
static X_POWERED_BY: HeaderName = HeaderName::from_static("x-powered-by");
static EXPRESS: HeaderValue = HeaderValue::from_static("Express");

/// A response with a body and content type, plus Express's `x-powered-by`.
pub fn with_body(
    status: u16,
    content_type: Option<&'static str>,
    body: impl Into<Bytes>,
) -> HttpResponse {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = res.headers_mut();
    headers.insert(&X_POWERED_BY, EXPRESS.clone());
    if let Some(ct) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    res
}

/// JSON as Express's `res.json` writes it (compact, `application/json; charset=utf-8`).
pub fn json(status: u16, body: &Value) -> HttpResponse {
    with_body(status, Some(JSON_UTF8), body.to_string())
}

/// A Parse error as Parse's REST error handler writes it: `{"code","error"}`.
pub fn parse_error(err: &ParseError) -> HttpResponse {
    if *err == ParseError::internal() {
        return uncaught_error();
    }
    if err.code == crate::error::ErrorCode::MasterKeyRequired {
        return json(403, &serde_json::json!({ "error": err.message }));
    }
    // A Parse.Error made without a message has none in its JSON (`{"code":105}`).
    let body = if err.message.is_empty() {
        serde_json::json!({ "code": err.code.number() })
    } else {
        serde_json::json!({ "code": err.code.number(), "error": err.message })
    };
    json(err.code.rest_status(), &body)
}

/// Parse's error handler for anything thrown that is not a `Parse.Error` (a database failure,
/// a bug): 500 with `message`, not `error` (fixtures/hostile: `8.username2MiB`).
pub fn uncaught_error() -> HttpResponse {
    json(
        500,
        &serde_json::json!({ "code": 1, "message": "Internal server error." }),
    )
}

/// `{"error":"unauthorized"}`, 403, written raw by Parse: no content type.
pub fn unauthorized() -> HttpResponse {
    with_body(403, None, r#"{"error":"unauthorized"}"#)
}

/// A non-Parse error that carries an HTTP status, as Parse's error handler writes it.
pub fn status_error(status: u16, message: &str) -> HttpResponse {
    json(status, &serde_json::json!({ "error": message }))
}

/// Express's final handler: `Cannot GET /path` in its HTML page.
pub fn express_not_found(method: &str, path: &str) -> HttpResponse {
    let escaped = escape_html(path);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot {method} {escaped}</pre>\n</body>\n</html>\n"
    );
    let mut res = with_body(404, Some(HTML_UTF8), body);
    let headers = res.headers_mut();
    headers.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static("default-src 'none'"),
    );
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Express's HTML error page for an error with a status (e.g. a body it could not parse).
pub fn express_error_page(status: u16, message: &str) -> HttpResponse {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>{}</pre>\n</body>\n</html>\n",
        escape_html(message)
    );
    let mut res = with_body(status, Some(HTML_UTF8), body);
    res.headers_mut().insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static("default-src 'none'"),
    );
    res.headers_mut().insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    res
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
