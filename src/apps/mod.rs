//! The links and forms of Parse's e-mail flows, under `<mount>/apps/`: what a user's browser
//! opens from a verification or password-reset e-mail.
//!
//! Two routers, as Parse has: [`legacy`] is `PublicAPIRouter` (3.x – 8.x: links redirect to
//! static pages), [`pages`] is `PagesRouter` (9.x: links answer rendered pages). Both parse
//! only form bodies (a JSON body reads as empty there, as on Parse), and both leave what the
//! flows *do* to [`crate::email::EmailService`].

mod legacy;
mod pages;

use hyper::header::{HeaderName, HeaderValue, LOCATION};
use serde_json::{Map, Value};

use crate::http::AppState;
use crate::http::response::{self, HttpResponse};
use crate::version::AppsRouter;

/// A request under `/apps/`, its query and form read.
pub struct AppsRequest<'a> {
    pub state: &'a AppState,
    pub method: &'a hyper::Method,
    /// The path after `/apps/`, split at `/`.
    pub segments: Vec<&'a str>,
    pub query: Map<String, Value>,
    pub form: Map<String, Value>,
    /// Express's `req.xhr`: `X-Requested-With: XMLHttpRequest`.
    pub xhr: bool,
}

impl AppsRequest<'_> {
    /// A non-empty string parameter of the query.
    pub fn query(&self, name: &str) -> Option<&str> {
        text(&self.query, name)
    }

    /// A non-empty string field of the form.
    pub fn form(&self, name: &str) -> Option<&str> {
        text(&self.form, name)
    }

    /// Whether `app_id` names this server's app (Parse's `Config.get(appId)`).
    pub fn known_app(&self, app_id: Option<&str>) -> bool {
        app_id == Some(self.state.config.app_id.as_str())
    }
}

fn text<'m>(map: &'m Map<String, Value>, name: &str) -> Option<&'m str> {
    match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        // A repeated field: Node's querystring gives an array; Parse reads its first value.
        Some(Value::Array(items)) => items
            .first()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// Answer a request under `<mount>/apps/` (`rel` is the path after the mount path).
pub async fn handle(
    state: &AppState,
    parts: &hyper::http::request::Parts,
    rel: &str,
    body: &[u8],
) -> HttpResponse {
    let headers = &parts.headers;
    let content_type = crate::http::auth::header(headers, hyper::header::CONTENT_TYPE);
    let form = match content_type {
        Some(ct) if crate::rest::is_form(ct) => match crate::rest::parse_form(body, ct) {
            Ok(map) => map,
            Err(res) => return res,
        },
        _ => Map::new(),
    };
    let xhr = crate::http::auth::header(headers, HeaderName::from_static("x-requested-with"))
        .is_some_and(|v| v.eq_ignore_ascii_case("xmlhttprequest"));
    let request = AppsRequest {
        state,
        method: &parts.method,
        segments: rel.trim_start_matches("/apps/").split('/').collect(),
        query: crate::rest::query_map(parts.uri.query()),
        form,
        xhr,
    };
    match state.config.behavior.email.router {
        AppsRouter::PublicApi => legacy::handle(&request).await,
        AppsRouter::Pages => pages::handle(&request).await,
    }
}

/// `Found. Redirecting to <url>`, as Express's `res.redirect` writes it.
fn redirect(status: u16, url: &str) -> HttpResponse {
    let mut res = response::with_body(
        status,
        Some(response::HTML_UTF8),
        format!("Found. Redirecting to {url}"),
    );
    if let Ok(v) = HeaderValue::from_str(url) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// Parse's answer when a page or link has no `publicServerURL` (or app name) to work with.
fn not_found() -> HttpResponse {
    response::with_body(404, Some(response::HTML_UTF8), "Not found.")
}

/// An unknown app id: 403 `{"error":"unauthorized"}`.
fn unauthorized() -> HttpResponse {
    response::status_error(403, "unauthorized")
}

/// A password-reset answer for an `XMLHttpRequest` form post: JSON.
fn xhr_answer(result: Result<(), String>) -> HttpResponse {
    match result {
        Ok(()) => response::json(200, &Value::String("Password successfully reset".into())),
        Err(message) => response::parse_error(&crate::error::ParseError::new(
            crate::error::ErrorCode::OtherCause,
            message,
        )),
    }
}

/// A store failure on an `/apps` route: Parse's database-failure answer.
fn failed(err: &crate::store::StoreError) -> HttpResponse {
    tracing::error!(error = %err, "an e-mail flow could not reach the store");
    response::parse_error(&crate::error::ParseError::database())
}
