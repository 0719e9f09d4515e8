//! The `/graphql` HTTP envelope of each Parse server stack: CORS, body reading, Parse's
//! key/session middleware, request parameters, and the answer's status and shape.
//!
//! The middleware order differs per stack (read from each version's `ParseGraphQLServer`):
//! - apollo-server-express 2 (3.x – 5.2): cors → `bodyParser.json()` → Parse headers →
//!   Parse error handler → Apollo. A bad JSON body is answered before the keys are checked.
//! - graphql-yoga 2 (5.3 – 6.x): cors → Parse headers/session → yoga, which reads the body.
//! - @apollo/server 4/5 (7.x – 9.x): cors (Parse's own set from 8.x) → Parse headers/session
//!   → `express.json()` → Apollo.

pub mod document;
pub mod landing;
pub mod memo;
pub mod multipart;
pub mod negotiate;
pub mod persisted;
pub mod pipeline;
pub mod redact;
pub mod render;
pub mod schema_info;
pub mod variables;

use std::sync::Arc;

use bytes::Bytes;
use hyper::Method;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value as Json, json};

use crate::http::auth::{self, RequestAuth, SessionPolicy, header};
use crate::http::response::{self, HttpResponse};
use crate::http::{AppState, BodyError, cors, json_body, json_error};
use crate::version::{Behavior, GraphqlJs, HttpStack, LandingPage};
use pipeline::{ExecResult, OperationRequest, Outcome, Pipeline};

/// Parse's middleware refused the session token (209), found where the operation was to run.
struct Refused(HttpResponse);

/// A prefix no GraphQL name can have (names are `[_A-Za-z][_0-9A-Za-z]*`).
const NO_SUCH_OPERATION: &str = "-";

/// body-parser's default `limit` (100kb), used by `bodyParser.json()` / `express.json()`.
const JSON_LIMIT: usize = 100 * 1024;

/// Runs one document against the pinned schema with one caller's context.
pub type Executor = dyn Fn(&str, Option<&str>, &juniper::Variables) -> ExecResult + Send + Sync;

/// The media type of the request (lower case, without parameters).
fn media_type(headers: &HeaderMap) -> Option<String> {
    header(headers, "content-type").map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

fn is_json_type(headers: &HeaderMap) -> bool {
    media_type(headers).as_deref() == Some("application/json")
}

fn set(res: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// The `cors` package's preflight answer (3.x – 7.x): 204, request headers echoed.
fn cors_preflight(headers: &HeaderMap) -> HttpResponse {
    let mut res = response::with_body(204, None, Bytes::new());
    set(&mut res, "access-control-allow-origin", "*");
    set(
        &mut res,
        "access-control-allow-methods",
        "GET,HEAD,PUT,PATCH,POST,DELETE",
    );
    if let Some(h) = header(headers, "access-control-request-headers") {
        set(&mut res, "access-control-allow-headers", h);
        set(&mut res, "vary", "Access-Control-Request-Headers");
    }
    res
}

/// Who answered, which decides the CORS headers added on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Responder {
    /// Express or Parse's middleware, before the GraphQL server.
    Middleware,
    /// The GraphQL server itself.
    Server,
    /// graphql-upload, mounted before the CORS middleware up to 5.2: no CORS header at all.
    BeforeCors,
}

fn apply_cors(
    res: &mut HttpResponse,
    stack: HttpStack,
    responder: Responder,
    req_headers: &HeaderMap,
    state: &AppState,
) {
    match stack {
        HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
            cors::apply_parse_set(res.headers_mut(), &state.config.behavior);
        }
        HttpStack::Apollo2 => {
            if responder != Responder::BeforeCors {
                set(res, "access-control-allow-origin", "*");
            }
        }
        HttpStack::Apollo4 => {
            // Parse 7's context function: `access-control-allow-origin: origin || '*'`.
            let origin = match responder {
                Responder::Server => header(req_headers, "origin").unwrap_or("*"),
                Responder::Middleware | Responder::BeforeCors => "*",
            };
            set(res, "access-control-allow-origin", origin);
        }
        HttpStack::Yoga => {
            set(res, "access-control-allow-origin", "*");
            if responder == Responder::Server {
                // graphql-yoga's own CORS plugin (no options: mirror the request). It allows
                // credentials unless the origin it answers is `*`, and the request-headers
                // line overwrites its Vary.
                let origin = header(req_headers, "origin");
                if let Some(origin) = origin {
                    set(res, "access-control-allow-origin", origin);
                    set(res, "vary", "Origin");
                }
                if let Some(m) = header(req_headers, "access-control-request-method") {
                    set(res, "access-control-allow-methods", m);
                }
                if let Some(h) = header(req_headers, "access-control-request-headers") {
                    set(res, "access-control-allow-headers", h);
                    set(res, "vary", "Access-Control-Request-Headers");
                }
                if origin.is_some_and(|o| o != "*") {
                    set(res, "access-control-allow-credentials", "true");
                }
            }
        }
    }
}

/// The request URL as graphql-yoga sees it behind Express's mount (`http://host/?…`).
fn yoga_url(headers: &HeaderMap, uri: &hyper::Uri, mount: &str) -> String {
    let host = header(headers, "host").unwrap_or("localhost");
    let path = uri.path().strip_prefix(mount).unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };
    match uri.query() {
        Some(q) => format!("http://{host}{path}?{q}"),
        None => format!("http://{host}{path}"),
    }
}

/// Query-string parameters; a repeated name keeps every value.
fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Express's `req.query` for the parameters Apollo 2 reads (`a=1&a=2` becomes an array).
fn express_query(query: Option<&str>) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in query_params(query) {
        // qs's brackets, one level deep: `a[]=x` and `a[0]=x` make an array, `a[b]=x` an
        // object (a GraphQL parameter given so is then refused for not being a string).
        if let Some((base, rest)) = k.split_once('[')
            && !base.is_empty()
            && let Some(inner) = rest.strip_suffix(']')
            && !inner.contains(['[', ']'])
        {
            let slot = out.entry(base.to_owned());
            let as_array = inner.is_empty() || inner.bytes().all(|b| b.is_ascii_digit());
            let empty = if as_array {
                Json::Array(Vec::new())
            } else {
                Json::Object(Map::new())
            };
            match (slot.or_insert(empty), as_array) {
                (Json::Array(items), true) => items.push(Json::String(v)),
                (Json::Object(fields), false) => {
                    fields.insert(inner.to_owned(), Json::String(v));
                }
                (existing, _) => {
                    let first = existing.take();
                    *existing = Json::Array(vec![first, Json::String(v)]);
                }
            }
            continue;
        }
        match out.get_mut(&k) {
            Some(Json::Array(items)) => items.push(Json::String(v)),
            Some(existing) => {
                let first = existing.take();
                *existing = Json::Array(vec![first, Json::String(v)]);
            }
            None => {
                out.insert(k, Json::String(v));
            }
        }
    }
    out
}

/// type-is's `hasBody`: a Transfer-Encoding header, or a numeric Content-Length (even 0).
fn announces_body(headers: &HeaderMap) -> bool {
    headers.contains_key(hyper::header::TRANSFER_ENCODING)
        || header(headers, hyper::header::CONTENT_LENGTH)
            .is_some_and(|v| v.trim().parse::<u64>().is_ok())
}

/// Why body-parser refused a JSON body.
struct BodyRefusal {
    status: u16,
    message: String,
}

impl BodyRefusal {
    const fn status_text(&self) -> &'static str {
        match self.status {
            415 => "Unsupported Media Type",
            _ => "Bad Request",
        }
    }
}

/// The `charset` parameter of the content type, lowercased and unquoted.
fn charset(headers: &HeaderMap) -> Option<String> {
    let ct = header(headers, "content-type")?;
    ct.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
                .to_ascii_lowercase()
        })
    })
}

/// The body as iconv-lite decodes it for body-parser: UTF-16 by its byte-order mark (little
/// endian without one), everything else as UTF-8.
fn decode(bytes: &[u8], charset: &str) -> String {
    let units = |big_endian: bool, bytes: &[u8]| -> String {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|pair| {
                let pair = [pair[0], pair.get(1).copied().unwrap_or(0)];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match charset {
        "utf-16" | "utf-16le" | "utf-16be" => match bytes {
            [0xFE, 0xFF, rest @ ..] if charset != "utf-16le" => units(true, rest),
            [0xFF, 0xFE, rest @ ..] if charset != "utf-16be" => units(false, rest),
            _ => units(charset == "utf-16be", bytes),
        },
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// body-parser's JSON reading (`strict`): `Ok(None)` when the content type is not JSON. Only
/// the `utf-*` charsets are read (its `charset.slice(0, 4)` test: even `utf8` is refused).
fn body_parser_json(
    bytes: &[u8],
    headers: &HeaderMap,
    single_mask: bool,
) -> Result<Option<Json>, BodyRefusal> {
    if !is_json_type(headers) {
        return Ok(None);
    }
    let charset = charset(headers).unwrap_or_else(|| "utf-8".to_owned());
    if !charset.starts_with("utf-") {
        return Err(BodyRefusal {
            status: 415,
            message: format!("unsupported charset \"{}\"", charset.to_ascii_uppercase()),
        });
    }
    if bytes.is_empty() {
        return Ok(Some(Json::Object(Map::new())));
    }
    let decoded = decode(bytes, &charset);
    let text = json_body::body_parser_text(&decoded);
    let refused = |message| BodyRefusal {
        status: 400,
        message,
    };
    if let Some(message) = json_error::strict_refusal(text, single_mask) {
        return Err(refused(message));
    }
    json_body::parse(text).map(Some).map_err(refused)
}

/// How the pinned stack treats one HTTP request, around the operation pipeline.
pub struct Envelope<'a> {
    pub pipeline: &'a std::sync::Arc<Pipeline>,
    pub state: &'a AppState,
    /// Where operations run (never on the async workers).
    pub pool: &'a crate::graphql::executor_pool::ExecutorPool,
}

impl Envelope<'_> {
    /// Answer one `/graphql` request. `executor` builds the schema runner for the caller once
    /// Parse's middleware has established who it is.
    pub async fn handle(
        &self,
        parts: hyper::http::request::Parts,
        body: Result<Bytes, BodyError>,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> HttpResponse {
        let stack = self.pipeline.behavior.stack;
        let (mut res, responder) = self.answer(&parts, body, executor).await;
        apply_cors(&mut res, stack, responder, &parts.headers, self.state);
        res
    }

    async fn answer(
        &self,
        parts: &hyper::http::request::Parts,
        body: Result<Bytes, BodyError>,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> (HttpResponse, Responder) {
        use Responder::{Middleware, Server};
        let stack = self.pipeline.behavior.stack;
        let state = self.state;
        let headers = &parts.headers;
        if parts.method == Method::OPTIONS {
            return match stack {
                HttpStack::Apollo2 | HttpStack::Yoga | HttpStack::Apollo4 => {
                    (cors_preflight(headers), Middleware)
                }
                HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => (
                    response::with_body(200, Some(response::TEXT_UTF8), "OK"),
                    Middleware,
                ),
            };
        }
        let bytes = match body {
            Ok(b) => b,
            // Beyond every limit: answered as the stack answers a body over its own (100 KiB)
            // JSON limit. graphql-yoga has none in Parse; the body limit bounds it here.
            Err(BodyError::TooLarge) => {
                let res = match stack {
                    HttpStack::Apollo2 | HttpStack::Yoga => {
                        response::status_error(413, "request entity too large")
                    }
                    HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                        response::express_error_page(413, "Payload Too Large")
                    }
                };
                return (res, Middleware);
            }
            Err(BodyError::Failed) => {
                return (response::status_error(400, "request aborted"), Middleware);
            }
        };
        let is_get = parts.method == Method::GET;
        match stack {
            HttpStack::Apollo2 => {
                let content_type = header(headers, "content-type");
                let parsed = if multipart::is_form(content_type) {
                    // graphql-upload comes first, before CORS and body-parser.
                    let form = multipart::read(content_type.unwrap_or_default(), &bytes);
                    match multipart::graphql_upload(form.as_ref(), self.pipeline.behavior.multipart)
                    {
                        multipart::Upload::Body(operations) => operations,
                        // Parse's error handler answers the http-errors ones.
                        multipart::Upload::Refused(status, message) => {
                            return (
                                response::status_error(status, &message),
                                Responder::BeforeCors,
                            );
                        }
                        // busboy's own errors: Parse's handler answers once the body was read;
                        // before that, graphql-upload holds its answer back and Express's
                        // final handler answers first.
                        multipart::Upload::Crashed { read: true } => {
                            return (response::uncaught_error(), Responder::BeforeCors);
                        }
                        multipart::Upload::Crashed { read: false } => {
                            return (
                                response::express_error_page(500, "Internal Server Error"),
                                Responder::BeforeCors,
                            );
                        }
                    }
                } else if bytes.len() > JSON_LIMIT && is_json_type(headers) {
                    return (
                        response::status_error(413, "request entity too large"),
                        Middleware,
                    );
                } else {
                    match body_parser_json(
                        &bytes,
                        headers,
                        self.pipeline.behavior.strict_json_single_mask,
                    ) {
                        Ok(v) => v.unwrap_or_else(|| Json::Object(Map::new())),
                        Err(refusal) => {
                            return (
                                response::status_error(refusal.status, &refusal.message),
                                Middleware,
                            );
                        }
                    }
                };
                let mut parsed = parsed;
                let mut empty = Map::new();
                let body_map = match &mut parsed {
                    Json::Object(m) => m,
                    _ => &mut empty,
                };
                let mut auth = match auth::authenticate(
                    &state.config,
                    &state.store,
                    headers,
                    Some(body_map),
                    SessionPolicy::CheckLater,
                )
                .await
                {
                    Ok(a) => a,
                    Err(res) => return (res, Middleware),
                };
                let answer = self.apollo2(parts, parsed, &mut auth, executor).await;
                self.after_session_check(answer.map(|res| (res, Server)), &mut auth)
                    .await
            }
            HttpStack::Yoga
            | HttpStack::Apollo4
            | HttpStack::Apollo4OnExpress5
            | HttpStack::Apollo5 => {
                let mut auth = match auth::authenticate(
                    &state.config,
                    &state.store,
                    headers,
                    None,
                    SessionPolicy::CheckLater,
                )
                .await
                {
                    Ok(a) => a,
                    Err(res) => return (res, Middleware),
                };
                let answer = if stack == HttpStack::Yoga {
                    self.yoga(parts, &bytes, &mut auth, executor)
                        .await
                        .map(|res| (res, Server))
                } else {
                    self.apollo4(parts, &bytes, is_get, &mut auth, executor)
                        .await
                };
                self.after_session_check(answer, &mut auth).await
            }
        }
    }

    /// The stack's answer, once Parse's session check has been made. Operations check the
    /// session where they run ([`Envelope::run`]); an answer given without running one (a bad
    /// request) still comes after the check, as the middleware comes first in Parse.
    async fn after_session_check(
        &self,
        answer: Result<(HttpResponse, Responder), Refused>,
        auth: &mut RequestAuth,
    ) -> (HttpResponse, Responder) {
        match answer {
            Err(Refused(res)) => (res, Responder::Middleware),
            Ok(answer) => match auth::finish_check(&self.state.store, auth).await {
                Ok(()) => answer,
                Err(res) => (res, Responder::Middleware),
            },
        }
    }

    /// Run the operations on an executor thread once the middleware's session check passed.
    /// A token not in the cache is looked up on a reader thread, which hands the operations
    /// to the executor itself (this thread is woken once, for the answer). Takes the caller
    /// out of `auth`, leaving nothing pending in it.
    async fn run(
        &self,
        requests: Vec<OperationRequest>,
        auth: &mut RequestAuth,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> Result<Vec<Outcome>, Refused> {
        let pipeline = std::sync::Arc::clone(self.pipeline);
        let mut auth = std::mem::take(auth);
        let (reply, answer) = tokio::sync::oneshot::channel();
        if let Some(analyses) = pipeline.inline_analyses(&requests) {
            // The session first: from the cache, or from a reader thread that hands it back
            // here (rather than on to an executor thread).
            if let Some(token) = auth.pending_token().map(str::to_owned) {
                let found = match self.state.store.cached_session(&token) {
                    Some(hit) => Ok(Some(hit)),
                    None => {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        self.state.store.find_session_then(&token, move |found| {
                            let _ = tx.send(found);
                        });
                        rx.await.unwrap_or(Err(crate::store::StoreError::Closed))
                    }
                };
                auth::finish_check_with(&mut auth, found).map_err(Refused)?;
            }
            // The session's last answer, if this request repeats its question.
            let memo = match (
                &requests[..],
                &analyses[..],
                &auth.session,
                &auth.session_token,
            ) {
                ([req], [analysis], Some(session), Some(token))
                    if self.state.store.caches_sessions() =>
                {
                    if let Some(body) = session.rendered.graphql.answer(req, analysis, token) {
                        return Ok(vec![Outcome::Answered(body)]);
                    }
                    Some((
                        Arc::clone(session),
                        token.clone(),
                        memo::Key::new(req, analysis),
                    ))
                }
                _ => None,
            };
            let requests = Arc::new(requests);
            let exec = executor(auth);
            let run_all = {
                let requests = Arc::clone(&requests);
                move || -> Vec<Outcome> {
                    requests
                        .iter()
                        .zip(&analyses)
                        .map(|(r, a)| pipeline.run_analysed(r, a, exec.as_ref()))
                        .collect()
                }
            };
            if let Some(outcomes) = crate::graphql::inline::attempt(&run_all) {
                // Ran inline, so it read nothing the memo's key does not hold: keep it.
                return Ok(match (memo, &outcomes[..], &requests[..]) {
                    (Some((session, token, key)), [Outcome::Executed { data, errors }], [req]) => {
                        let body = render::executed_single(
                            self.pipeline.behavior.stack,
                            data,
                            errors,
                            self.pipeline.redaction(req.is_master),
                            req.query.as_deref().unwrap_or_default(),
                        );
                        let allowance = session.rendering_allowance();
                        session.rendered.graphql.keep(key, &body, &token, allowance);
                        vec![Outcome::Answered(body)]
                    }
                    _ => outcomes,
                });
            }
            // A resolver needs the store: run them where it may block.
            self.pool.submit(move || Ok(run_all()), reply);
            return Self::outcomes(answer).await;
        }
        let execute = move |auth: RequestAuth| -> Result<Vec<Outcome>, Refused> {
            let exec = executor(auth);
            Ok(requests
                .iter()
                .map(|r| pipeline.run(r, exec.as_ref()))
                .collect())
        };
        match auth.pending_token().map(str::to_owned) {
            None => self.pool.submit(move || execute(auth), reply),
            Some(token) => {
                let pool = self.pool.clone();
                self.state.store.find_session_then(&token, move |found| {
                    match auth::finish_check_with(&mut auth, found) {
                        Ok(()) => pool.submit(move || execute(auth), reply),
                        Err(res) => {
                            let _ = reply.send(Ok(Err(Refused(res))));
                        }
                    }
                });
            }
        }
        Self::outcomes(answer).await
    }

    /// What the executor thread answered.
    async fn outcomes(
        answer: tokio::sync::oneshot::Receiver<
            Result<Result<Vec<Outcome>, Refused>, crate::graphql::executor_pool::PoolError>,
        >,
    ) -> Result<Vec<Outcome>, Refused> {
        match answer.await {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "GraphQL execution task failed");
                Ok(Vec::new())
            }
            Err(_) => {
                tracing::error!(
                    "GraphQL execution task dropped (executor pool or reader threads gone, or a panic in a session lookup)"
                );
                Ok(Vec::new())
            }
        }
    }

    async fn apollo2(
        &self,
        parts: &hyper::http::request::Parts,
        body: Json,
        auth: &mut RequestAuth,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> Result<HttpResponse, Refused> {
        let is_master = auth.is_master;
        let redaction = self.pipeline.redaction(is_master);
        let payload = match parts.method {
            Method::POST => {
                let empty = match &body {
                    Json::Object(m) => m.is_empty(),
                    Json::Array(a) => a.is_empty(),
                    _ => true,
                };
                if empty {
                    return Ok(render::apollo2_text(
                        500,
                        "POST body missing. Did you forget use body-parser middleware?",
                        None,
                    ));
                }
                body
            }
            Method::GET => {
                let q = express_query(parts.uri.query());
                if q.is_empty() {
                    return Ok(render::apollo2_text(400, "GET query missing.", None));
                }
                Json::Object(q)
            }
            _ => {
                return Ok(render::apollo2_text(
                    405,
                    "Apollo Server supports only GET/POST requests.",
                    Some("GET, POST"),
                ));
            }
        };
        let is_get = parts.method == Method::GET;
        let batch = payload.is_array();
        let items: Vec<Json> = match payload {
            Json::Array(items) => items,
            other => vec![other],
        };
        // Apollo Server 2 reads `.query` of each item: a `null` one throws a TypeError.
        if items.iter().any(Json::is_null) {
            return Ok(render::json_response(
                HttpStack::Apollo2,
                500,
                &json!({ "errors": [render::error_object(
                    "Cannot read properties of null (reading 'query')",
                    &[],
                    Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
                )] }),
            ));
        }
        let mut requests = Vec::with_capacity(items.len());
        for item in &items {
            match apollo2_params(item, is_get, is_master, &self.pipeline.behavior) {
                Ok(r) => requests.push(r),
                Err(msg) => return Ok(render::apollo2_text(400, msg, None)),
            }
        }
        let queries: Vec<String> = requests
            .iter()
            .map(|r| r.query.clone().unwrap_or_default())
            .collect();
        let outcomes = self.run(requests, auth, executor).await?;
        let bad_user_input = self.pipeline.behavior.apollo2_bad_user_input;
        if outcomes.len() != queries.len() {
            return Ok(render::apollo2_text(500, "Internal Server Error", None));
        }
        if batch {
            let items: Vec<Json> = outcomes
                .iter()
                .zip(&queries)
                .map(|(o, q)| render::apollo2_item(o, bad_user_input, redaction, q))
                .collect();
            return Ok(render::json_response(
                HttpStack::Apollo2,
                200,
                &Json::Array(items),
            ));
        }
        Ok(render::apollo2(
            &outcomes[0],
            bad_user_input,
            redaction,
            &queries[0],
        ))
    }

    async fn yoga(
        &self,
        parts: &hyper::http::request::Parts,
        bytes: &[u8],
        auth: &mut RequestAuth,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> Result<HttpResponse, Refused> {
        let error500 = |msg: String| {
            render::yoga_error(500, vec![render::error_object(&msg, &[], None)], None)
        };
        // useGraphiQL answers before the request is read: a GET whose Accept names HTML.
        if parts.method == Method::GET
            && self.pipeline.behavior.landing_page == LandingPage::YogaGraphiql
            && header(&parts.headers, "accept").is_some_and(|a| a.contains("text/html"))
        {
            return Ok(response::with_body(
                200,
                Some("text/html"),
                landing::YOGA_GRAPHIQL,
            ));
        }
        let mut req = OperationRequest {
            is_master: auth.is_master,
            ..OperationRequest::default()
        };
        match parts.method {
            Method::GET => {
                req.is_get = true;
                let params = query_params(parts.uri.query());
                let first = |name: &str| {
                    params
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                        .filter(|v| !v.is_empty())
                };
                req.query = first("query");
                req.operation_name = first("operationName");
                // parseGETRequest: JSON.parse of variables, then of extensions.
                if let Some(v) = first("variables") {
                    match json_body::parse(&v) {
                        Ok(Json::Object(m)) => req.variables = Some(m),
                        // graphql-js refuses a string, number or boolean as variables.
                        Ok(Json::String(_) | Json::Number(_) | Json::Bool(_)) => {
                            req.variables_not_object = true;
                        }
                        Ok(_) => {}
                        Err(reason) => return Ok(error500(reason)),
                    }
                }
                if let Some(e) = first("extensions")
                    && let Err(reason) = json_body::parse(&e)
                {
                    return Ok(error500(reason));
                }
            }
            Method::POST => {
                let content_type = header(&parts.headers, "content-type");
                let read = if multipart::is_yoga_form(content_type) {
                    let form = multipart::read(content_type.unwrap_or_default(), bytes);
                    match multipart::yoga(form.as_ref()) {
                        Ok(operations) => Ok(operations),
                        Err(message) => return Ok(error500(message)),
                    }
                } else {
                    json_body::parse(&String::from_utf8_lossy(bytes))
                };
                let value = match read {
                    Ok(v) => v,
                    Err(reason) => {
                        let url =
                            yoga_url(&parts.headers, &parts.uri, &self.state.config.graphql_path);
                        return Ok(error500(format!(
                            "invalid json response body at {url} reason: {reason}"
                        )));
                    }
                };
                match value {
                    Json::Null => {
                        return Ok(error500(
                            "Cannot read properties of null (reading 'operationName')".into(),
                        ));
                    }
                    Json::Object(mut m) => {
                        req.query = match m.remove("query") {
                            Some(Json::String(s)) => Some(s),
                            Some(Json::Null) | None => None,
                            // graphql-js refuses a non-string source with a plain Error, which
                            // yoga then fails to annotate with a status.
                            Some(_) => {
                                return Ok(error500(
                                    "Cannot set properties of undefined (setting 'status')".into(),
                                ));
                            }
                        };
                        req.operation_name = match m.remove("operationName") {
                            // getOperationAST looks for an operation named "": none is.
                            Some(Json::String(s)) if s.is_empty() => {
                                Some(NO_SUCH_OPERATION.to_owned())
                            }
                            Some(Json::String(s)) => Some(s),
                            // A truthy non-string name matches no operation.
                            Some(Json::Number(n)) if n.as_f64() != Some(0.0) => {
                                Some(format!("{NO_SUCH_OPERATION}{n}"))
                            }
                            Some(Json::Bool(true) | Json::Array(_) | Json::Object(_)) => {
                                Some(NO_SUCH_OPERATION.to_owned())
                            }
                            _ => None,
                        };
                        match m.remove("variables") {
                            Some(Json::Object(v)) => req.variables = Some(v),
                            Some(Json::String(_) | Json::Number(_) | Json::Bool(_)) => {
                                req.variables_not_object = true;
                            }
                            Some(Json::Array(_) | Json::Null) | None => {}
                        }
                    }
                    _ => {}
                }
            }
            _ => {
                return Ok(render::yoga_error(
                    400,
                    vec![render::error_object(
                        "Request is not valid",
                        &[],
                        Some(json!({ "status": 400, "statusText": "Bad Request" })),
                    )],
                    None,
                ));
            }
        }
        let outcomes = self.run(vec![req], auth, executor).await?;
        Ok(match outcomes.first() {
            Some(o) => render::yoga(o),
            None => error500("Internal server error".into()),
        })
    }

    async fn apollo4(
        &self,
        parts: &hyper::http::request::Parts,
        bytes: &[u8],
        is_get: bool,
        auth: &mut RequestAuth,
        executor: impl FnOnce(RequestAuth) -> std::sync::Arc<Executor> + Send + 'static,
    ) -> Result<(HttpResponse, Responder), Refused> {
        use Responder::{Middleware, Server};
        let stack = self.pipeline.behavior.stack;
        let headers = &parts.headers;
        // graphql-upload reads a form first; express.json(): Express 4 leaves `{}` for other
        // bodies, Express 5 leaves nothing.
        let content_type = header(headers, "content-type");
        let body: Option<Json> = if multipart::is_form(content_type) {
            let form = multipart::read(content_type.unwrap_or_default(), bytes);
            match multipart::graphql_upload(form.as_ref(), self.pipeline.behavior.multipart) {
                multipart::Upload::Body(operations) => Some(operations),
                multipart::Upload::Refused(status, _) => {
                    return Ok((express_status_page(status), Middleware));
                }
                multipart::Upload::Crashed { .. } => {
                    return Ok((express_status_page(500), Middleware));
                }
            }
        } else if bytes.len() > JSON_LIMIT && is_json_type(headers) {
            return Ok((
                response::express_error_page(413, "Payload Too Large"),
                Middleware,
            ));
        } else {
            match body_parser_json(
                bytes,
                headers,
                self.pipeline.behavior.strict_json_single_mask,
            ) {
                Ok(Some(v)) => Some(v),
                Ok(None) => match stack {
                    HttpStack::Apollo4 => Some(Json::Object(Map::new())),
                    HttpStack::Apollo4OnExpress5
                    | HttpStack::Apollo5
                    | HttpStack::Apollo2
                    | HttpStack::Yoga => None,
                },
                Err(refusal) => {
                    return Ok((
                        response::express_error_page(refusal.status, refusal.status_text()),
                        Middleware,
                    ));
                }
            }
        };
        // body-parser 2 (Express 5) leaves `req.body` unset when the request announces no body
        // at all (no Content-Length, no Transfer-Encoding), whatever its content type.
        let express5 = matches!(stack, HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5);
        let body = if express5 && !announces_body(headers) {
            None
        } else {
            body
        };
        if stack == HttpStack::Apollo4OnExpress5 && body.is_none() {
            return Ok((
                response::with_body(
                    500,
                    Some(response::HTML_UTF8),
                    "`req.body` is not set; this probably means you forgot to set up the `json` middleware before the Apollo Server middleware.",
                ),
                Middleware,
            ));
        }
        // The landing page comes before everything else Apollo Server checks.
        if let LandingPage::ApolloProduction(runtime) = self.pipeline.behavior.landing_page
            && parts.method == Method::GET
            && prefers_html(headers, runtime)
        {
            return Ok((
                response::with_body(
                    200,
                    Some(response::HTML_UTF8),
                    landing::apollo_production(runtime),
                ),
                Middleware,
            ));
        }
        if !csrf_safe(headers) {
            return Ok((
                render::apollo4_error(
                    400,
                    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header (with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value for one of the following headers: X-Parse-Application-Id\n",
                    "BAD_REQUEST",
                    None,
                ),
                Middleware,
            ));
        }
        // Errors Apollo Server throws before running the operation take the content type the
        // `Accept` header prefers, JSON when it prefers neither.
        let content_type = apollo4_content_type(headers);
        let thrown = |mut res: HttpResponse| {
            // Rendered answers are JSON already; only another choice rewrites the header.
            if let Some(other) = content_type.filter(|&t| t != response::JSON_UTF8) {
                set(&mut res, "content-type", other);
            }
            (res, Server)
        };
        let bad = |msg: &str| thrown(render::apollo4_error(400, msg, "BAD_REQUEST", None));
        let mut req = OperationRequest {
            is_master: auth.is_master,
            is_get,
            ..OperationRequest::default()
        };
        match parts.method {
            Method::POST => {
                if body.as_ref().is_some_and(Json::is_array) {
                    return Ok(bad("Operation batching disabled."));
                }
                let Some(Json::Object(mut m)) =
                    body.filter(|b| b.as_object().is_some_and(|m| !m.is_empty()))
                else {
                    return Ok(bad(
                        "POST body missing, invalid Content-Type, or JSON object has no keys.",
                    ));
                };
                match m.get("query") {
                    None | Some(Json::Null | Json::String(_)) => {}
                    Some(Json::Bool(false)) => {}
                    Some(Json::Number(n)) if n.as_f64() == Some(0.0) => {}
                    Some(Json::Object(o)) if o.get("kind") == Some(&json!("Document")) => {
                        return Ok(bad(
                            "GraphQL queries must be strings. It looks like you're sending the internal graphql-js representation of a parsed query in your request instead of a request in the GraphQL query language. You can convert an AST to a string using the `print` function from `graphql`, or use a client like `apollo-client` which converts the internal representation to a string for you.",
                        ));
                    }
                    Some(_) => return Ok(bad("GraphQL queries must be strings.")),
                }
                if m.get("variables").is_some_and(Json::is_string) {
                    return Ok(bad(
                        "`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.",
                    ));
                }
                if m.get("extensions").is_some_and(Json::is_string) {
                    return Ok(bad(
                        "`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string.",
                    ));
                }
                if m.get("extensions")
                    .is_some_and(|e| !e.is_null() && !e.is_object())
                {
                    return Ok(bad(
                        "`extensions` in a POST body must be an object if provided.",
                    ));
                }
                if m.get("variables")
                    .is_some_and(|e| !e.is_null() && !e.is_object())
                {
                    return Ok(bad(
                        "`variables` in a POST body must be an object if provided.",
                    ));
                }
                if m.get("operationName")
                    .is_some_and(|e| !e.is_null() && !e.is_string())
                {
                    return Ok(bad(
                        "`operationName` in a POST body must be a string if provided.",
                    ));
                }
                req.query = match m.remove("query") {
                    Some(Json::String(s)) => Some(s),
                    _ => None,
                };
                req.operation_name = match m.remove("operationName") {
                    Some(Json::String(s)) => Some(s),
                    _ => None,
                };
                if let Some(Json::Object(v)) = m.remove("variables") {
                    req.variables = Some(v);
                }
                req.persisted_query = persisted::of_extensions(m.get("extensions"));
            }
            Method::GET => {
                let params = query_params(parts.uri.query());
                let once = |name: &str| -> Result<Option<String>, String> {
                    let values: Vec<&String> = params
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| v)
                        .collect();
                    match values.as_slice() {
                        [] => Ok(None),
                        [one] => Ok(Some((*one).clone())),
                        _ => Err(format!(
                            "The '{name}' search parameter may only be specified once."
                        )),
                    }
                };
                let json_param = |name: &str| -> Result<Option<Map<String, Json>>, String> {
                    match once(name)? {
                        None => Ok(None),
                        Some(v) => match json_body::parse(&v) {
                            Ok(Json::Object(m)) => Ok(Some(m)),
                            Ok(_) => Err(format!(
                                "The {name} search parameter should contain a JSON-encoded object."
                            )),
                            Err(_) => Err(format!(
                                "The {name} search parameter contains invalid JSON."
                            )),
                        },
                    }
                };
                let mut read = || -> Result<(), String> {
                    req.query = once("query")?;
                    req.operation_name = once("operationName")?;
                    req.variables = json_param("variables")?;
                    let extensions = json_param("extensions")?.map(Json::Object);
                    req.persisted_query = persisted::of_extensions(extensions.as_ref());
                    Ok(())
                };
                if let Err(msg) = read() {
                    return Ok(bad(&msg));
                }
            }
            _ => {
                return Ok(thrown(render::apollo4_error(
                    405,
                    "Apollo Server supports only GET/POST requests.",
                    "BAD_REQUEST",
                    Some("GET, POST"),
                )));
            }
        }
        let redaction = self.pipeline.redaction(auth.is_master);
        let query = req.query.clone().unwrap_or_default();
        let outcomes = self.run(vec![req], auth, executor).await?;
        let res = match outcomes.first() {
            Some(o) => render::apollo4(stack, o, redaction, &query),
            None => {
                render::apollo4_error(500, "Internal server error", "INTERNAL_SERVER_ERROR", None)
            }
        };
        // The operation's result (even a refusal by the pipeline) is answered in the content
        // type the `Accept` header prefers, and refused with 406 when it accepts neither JSON
        // type: after the operation ran, as Apollo Server decides it.
        Ok(match content_type {
            Some(_) => thrown(res),
            None => thrown(render::apollo4_error(
                406,
                "An 'accept' header was provided for this request which does not accept application/json; charset=utf-8 or application/graphql-response+json; charset=utf-8",
                "BAD_REQUEST",
                None,
            )),
        })
    }
}

/// Apollo Server 2's `parseGraphQLRequest` for one payload object.
fn apollo2_params(
    item: &Json,
    is_get: bool,
    is_master: bool,
    behavior: &Behavior,
) -> Result<OperationRequest, &'static str> {
    let empty = Map::new();
    let m = item.as_object().unwrap_or(&empty);
    if let Some(Json::String(ext)) = m.get("extensions")
        && !ext.is_empty()
        && json_body::parse(ext).is_err()
    {
        return Err("Extensions are invalid JSON.");
    }
    let query = match m.get("query") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(Json::Bool(false)) => None,
        Some(Json::Object(o)) if o.get("kind") == Some(&json!("Document")) => {
            return Err(
                "GraphQL queries must be strings. It looks like you're sending the internal graphql-js representation of a parsed query in your request instead of a request in the GraphQL query language. You can convert an AST to a string using the `print` function from `graphql`, or use a client like `apollo-client` which converts the internal representation to a string for you.",
            );
        }
        Some(_) => return Err("GraphQL queries must be strings."),
    };
    // A string is parsed; what is then not an object (arrays are) reaches graphql-js's
    // `execute`, which refuses it.
    let mut variables_not_object = false;
    let mut variables_of = |v: &Json| match v {
        Json::Object(v) => Some(v.clone()),
        Json::Null | Json::Array(_) => None,
        Json::String(_) | Json::Number(_) | Json::Bool(_) => {
            variables_not_object = true;
            None
        }
    };
    let variables = match m.get("variables") {
        Some(Json::String(s)) if s.is_empty() && !behavior.apollo2_empty_variables_parsed => {
            variables_of(&Json::String(String::new()))
        }
        Some(Json::String(s)) => match json_body::parse(s) {
            Ok(v) => variables_of(&v),
            Err(_) => return Err("Variables are invalid JSON."),
        },
        Some(v) => variables_of(v),
        None => None,
    };
    // graphql-js 14 takes any falsy name for none; 15+ only null. A name of another JSON
    // type matches no operation.
    let operation_name = match (m.get("operationName"), behavior.graphql_js) {
        (None | Some(Json::Null), _) => None,
        (Some(v), GraphqlJs::V14) if !crate::js::truthy(v) => None,
        (Some(Json::String(s)), _) => Some(s.clone()),
        (Some(other), _) => Some(format!(
            "{}{}",
            document::UNMATCHABLE,
            crate::js::string(other)
        )),
    };
    Ok(OperationRequest {
        query,
        operation_name,
        variables,
        is_get,
        is_master,
        variables_not_object,
        persisted_query: persisted::of_extensions(m.get("extensions")),
    })
}

/// Apollo Server 4/5's `chooseContentTypeForSingleResultResponse`: JSON without an `Accept`
/// header, else the type it prefers of the two, `None` when it accepts neither.
fn apollo4_content_type(headers: &HeaderMap) -> Option<&'static str> {
    const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
    match header(headers, "accept") {
        None | Some("") => Some(response::JSON_UTF8),
        Some(accept) => negotiate::preferred(accept, &[response::JSON_UTF8, GRAPHQL_RESPONSE_JSON]),
    }
}

/// Apollo Server's `prefersHTML`: its negotiator picks `text/html` among what it serves
/// (`incrementalSpec=v0.2` is offered from @apollo/server 5).
fn prefers_html(headers: &HeaderMap, runtime: &str) -> bool {
    const OFFERS: &[&str] = &[
        response::JSON_UTF8,
        "application/graphql-response+json; charset=utf-8",
        "multipart/mixed; deferSpec=20220824",
        "multipart/mixed; incrementalSpec=v0.2",
        "multipart/mixed",
        "text/html",
    ];
    let offers: Vec<&str> = OFFERS
        .iter()
        .copied()
        .filter(|o| !(o.contains("incrementalSpec") && runtime.starts_with("@apollo/server@4.")))
        .collect();
    header(headers, "accept")
        .filter(|a| !a.is_empty())
        .and_then(|accept| negotiate::preferred(accept, &offers))
        == Some("text/html")
}

/// Express's error page for an error that carries its status (http-errors).
fn express_status_page(status: u16) -> HttpResponse {
    let text = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Internal Server Error");
    response::express_error_page(status, text)
}

/// Apollo Server 4's CSRF prevention, with Parse's `X-Parse-Application-Id` as required header.
fn csrf_safe(headers: &HeaderMap) -> bool {
    if let Some(mt) = media_type(headers)
        && !matches!(
            mt.as_str(),
            "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
        )
    {
        return true;
    }
    header(headers, "x-parse-application-id").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn body_parser_reads_only_utf_charsets() {
        let refusal = |ct: &'static str, body: &[u8]| {
            body_parser_json(body, &headers(&[("content-type", ct)]), true)
                .err()
                .map(|r| (r.status, r.message))
        };
        // fixtures/graphql-diff env.contentType.22/23 on 4.4.0.
        assert_eq!(
            refusal("application/json; charset=latin1", b"{}"),
            Some((415, "unsupported charset \"LATIN1\"".to_owned()))
        );
        assert_eq!(
            refusal(
                "application/json; charset=utf-16",
                br#"{"query": "{ health }"}"#
            ),
            Some((
                400,
                "Unexpected token '\u{227b}', \"#\" is not valid JSON".to_owned()
            ))
        );
        assert_eq!(refusal("application/json; charset=\"UTF-8\"", b"{}"), None);
        assert_eq!(decode(&[0xFE, 0xFF, 0, b'{', 0, b'}'], "utf-16"), "{}");
        assert_eq!(decode(&[b'{', 0, b'}', 0], "utf-16le"), "{}");
    }

    #[test]
    fn apollo4_chooses_the_content_type_of_a_result() {
        assert_eq!(
            apollo4_content_type(&headers(&[])),
            Some(response::JSON_UTF8)
        );
        assert_eq!(
            apollo4_content_type(&headers(&[("accept", "")])),
            Some(response::JSON_UTF8)
        );
        assert_eq!(
            apollo4_content_type(&headers(&[("accept", "application/graphql-response+json")])),
            Some("application/graphql-response+json; charset=utf-8")
        );
        assert_eq!(
            apollo4_content_type(&headers(&[("accept", "text/html")])),
            None
        );
    }

    #[test]
    fn query_strings_are_read_as_express_reads_them() {
        let q = express_query(Some("query[]=%7B%20a%20%7D&v[x]=1&n=1&n=2&query[]=b"));
        assert_eq!(q["query"], json!(["{ a }", "b"]));
        assert_eq!(q["v"], json!({ "x": "1" }));
        assert_eq!(q["n"], json!(["1", "2"]));
    }

    #[test]
    fn apollo2_reads_names_and_variables_per_core_and_graphql_js() {
        let v37 = Behavior::parse("3.7.2").unwrap();
        let v44 = Behavior::parse("4.4.0").unwrap();
        let read = |item: Json, b: &Behavior| apollo2_params(&item, false, false, b);
        let empty_vars = json!({ "query": "{ a }", "variables": "" });
        assert_eq!(
            read(empty_vars.clone(), &v37).unwrap_err(),
            "Variables are invalid JSON."
        );
        assert!(read(empty_vars, &v44).unwrap().variables_not_object);
        assert!(
            read(json!({ "variables": "1" }), &v44)
                .unwrap()
                .variables_not_object
        );
        assert!(
            !read(json!({ "variables": "[1]" }), &v44)
                .unwrap()
                .variables_not_object
        );
        // graphql-js 14 takes "" for no name; 15 looks for an operation named "".
        assert_eq!(
            read(json!({ "operationName": "" }), &v37)
                .unwrap()
                .operation_name,
            None
        );
        assert_eq!(
            read(json!({ "operationName": "" }), &v44)
                .unwrap()
                .operation_name
                .as_deref(),
            Some("")
        );
        let named = read(json!({ "operationName": ["A"] }), &v44).unwrap();
        let name = named.operation_name.unwrap();
        assert_ne!(name, "A", "an array never matches an operation");
        assert_eq!(
            document::OperationError::Unknown(name).message(),
            "Unknown operation named \"A\"."
        );
    }
}
