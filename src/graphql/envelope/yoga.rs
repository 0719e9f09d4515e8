//! graphql-yoga 2 on Express (Parse 5.3 – 6.x), the whole of what that stack does with a
//! `/graphql` request: `cors()` → Parse's key/session middleware → yoga, which reads the body
//! itself (JSON or its `FormData`), answers browsers with GraphiQL, adds its own CORS headers
//! and writes every outcome with `getErrorResponse` or its result processor.

use bytes::Bytes;
use hyper::Method;
use hyper::header::{HeaderMap, HeaderValue};
use serde_json::{Value as Json, json};

use super::pipeline::{OperationRequest, Outcome, keep_lone_surrogates};
use super::redact::Redaction;
use super::render::{
    VARIABLES_NOT_OBJECT, answered, error_object, executed_single, is_overflow, json_response,
    syntax_message,
};
use super::{
    Envelope, NO_SUCH_OPERATION, Refused, Responder, body_or_answer, document, express, landing,
    multipart, set,
};
use crate::http::auth::{RequestAuth, header};
use crate::http::response::{self, HttpResponse};
use crate::http::{BodyError, json_body};
use crate::version::{HttpStack, LandingPage};

/// Answer one request, and say who answered (for [`cors`]).
pub(super) async fn answer(
    env: &Envelope<'_>,
    parts: &hyper::http::request::Parts,
    body: Result<Bytes, BodyError>,
) -> (HttpResponse, Responder) {
    use Responder::{Middleware, Server};
    let headers = &parts.headers;
    if parts.method == Method::OPTIONS {
        return (express::cors_preflight(headers), Middleware);
    }
    // yoga has no body limit in Parse; parse-compat's own bounds it, answered as body-parser
    // answers a body over its limit.
    let bytes = match body_or_answer(body, || {
        response::status_error(413, "request entity too large")
    }) {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let mut auth = match env.authenticate(headers, None).await {
        Ok(a) => a,
        Err(res) => return (res, Middleware),
    };
    let answer = operations(env, parts, &bytes, &mut auth)
        .await
        .map(|res| (res, Server));
    env.after_session_check(answer, &mut auth).await
}

/// `cors()` on every answer; on yoga's own, its CORS plugin too.
pub(super) fn cors(res: &mut HttpResponse, responder: Responder, req_headers: &HeaderMap) {
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

async fn operations(
    env: &Envelope<'_>,
    parts: &hyper::http::request::Parts,
    bytes: &[u8],
    auth: &mut RequestAuth,
) -> Result<HttpResponse, Refused> {
    let error500 = |msg: String| error(500, vec![error_object(&msg, &[], None)], None);
    // useGraphiQL answers before the request is read: a GET whose Accept names HTML.
    let graphiql = match env.pipeline.behavior.landing_page {
        LandingPage::YogaGraphiql => true,
        LandingPage::None | LandingPage::ApolloProduction(_) => false,
    };
    if parts.method == Method::GET
        && graphiql
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
            let params = super::query_params(parts.uri.query());
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
                    let url = yoga_url(&parts.headers, &parts.uri, &env.state.config.graphql_path);
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
                        Some(Json::String(s)) if s.is_empty() => Some(NO_SUCH_OPERATION.to_owned()),
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
            return Ok(error(
                400,
                vec![error_object(
                    "Request is not valid",
                    &[],
                    Some(json!({ "status": 400, "statusText": "Bad Request" })),
                )],
                None,
            ));
        }
    }
    let mut requests = vec![req];
    keep_lone_surrogates(&mut requests, || {
        json_body::parse_marking(&String::from_utf8_lossy(bytes))
    });
    let outcomes = env.run(requests, auth).await?;
    Ok(match outcomes.first() {
        Some(o) => render(o),
        None => error500("Internal server error".into()),
    })
}

/// graphql-yoga's `getErrorResponse`: `{"data":null,"errors":[…]}`.
fn error(status: u16, errors: Vec<Json>, allow: Option<&'static str>) -> HttpResponse {
    let body = json!({ "data": null, "errors": errors });
    let mut res = json_response(HttpStack::Yoga, status, &body);
    if let Some(allow) = allow {
        res.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    }
    res
}

/// graphql-yoga 2 (5.3 – 6.x).
fn render(outcome: &Outcome) -> HttpResponse {
    let stack = HttpStack::Yoga;
    match outcome {
        Outcome::Executed { data, errors } => answered(
            stack,
            executed_single(stack, data, errors, Redaction::None, ""),
        ),
        Outcome::Answered(body) => answered(stack, body.clone()),
        Outcome::Variables(errs) => {
            let errs: Vec<Json> = errs
                .iter()
                .map(|e| error_object(&e.message, &e.locations, None))
                .collect();
            json_response(stack, 200, &json!({ "errors": errs }))
        }
        Outcome::MissingQuery => error(
            400,
            vec![error_object(
                "Must provide query string.",
                &[],
                Some(json!({ "status": 400 })),
            )],
            None,
        ),
        // yoga's error handler assumes a GraphQLError and trips over the RangeError.
        Outcome::Syntax(e) if is_overflow(e) => error(
            500,
            vec![error_object(
                "Cannot set properties of undefined (setting 'status')",
                &[],
                None,
            )],
            None,
        ),
        Outcome::Syntax(e) => error(
            400,
            vec![error_object(
                &syntax_message(e),
                &[(e.pos.line, e.pos.column)],
                Some(json!({ "status": 400 })),
            )],
            None,
        ),
        Outcome::Invalid(errs) => error(
            400,
            errs.iter()
                .map(|e| error_object(&e.message, &e.locations, None))
                .collect(),
            None,
        ),
        Outcome::NoOperation(_) => error(
            400,
            vec![error_object(
                "Could not determine what operation to execute.",
                &[],
                Some(json!({ "status": 400 })),
            )],
            None,
        ),
        Outcome::NoSubscriptionRoot { message, location } => json_response(
            stack,
            200,
            &json!({ "errors": [error_object(message, &[*location], None)] }),
        ),
        Outcome::VariablesNotObject => error(
            500,
            vec![error_object(VARIABLES_NOT_OBJECT, &[], None)],
            None,
        ),
        // graphql-js 16.5+ (every yoga version) guards the recursion; kept for completeness.
        Outcome::ValidationCrashed => error(
            500,
            vec![error_object(document::STACK_OVERFLOW, &[], None)],
            None,
        ),
        Outcome::GetNotQuery(_) | Outcome::IntrospectionForbidden => error(
            405,
            vec![error_object(
                "Can only perform a mutation operation from a POST request.",
                &[],
                Some(json!({ "status": 405, "headers": { "Allow": "POST" } })),
            )],
            Some("POST"),
        ),
        // yoga ignores the extension, so the pipeline never ends a yoga request with it; were
        // it to, an error is the honest answer.
        Outcome::Persisted(refusal) => {
            error(500, vec![error_object(refusal.message(), &[], None)], None)
        }
        Outcome::StackTypeError(message) => {
            error(500, vec![error_object(message, &[], None)], None)
        }
    }
}
