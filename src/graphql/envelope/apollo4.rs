//! @apollo/server 4 and 5 on Express (Parse 7.x – 9.x), the whole of what those stacks do
//! with a `/graphql` request: `cors()` (Parse's own set from 8.x) → Parse's key/session
//! middleware → graphql-upload (forms) → `express.json()` → Apollo Server's `executeHTTPGraphQLRequest`,
//! with its landing page, CSRF prevention, `Accept` negotiation and the way it writes every
//! outcome.
//!
//! The three generations differ in the Express under them (4 on 7.x, 5 on 8.x and 9.x) and in
//! Apollo Server itself (4 up to 8.x, 5 on 9.x); each difference is a `match` on the stack.

use bytes::Bytes;
use hyper::Method;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value as Json, json};

use super::pipeline::{OperationRequest, Outcome, keep_lone_surrogates};
use super::redact::{self, Redaction};
use super::render::{
    VARIABLES_NOT_OBJECT, answered, coded, error_object, executed_single, is_overflow,
    json_response, syntax_message,
};
use super::{
    Envelope, Refused, Responder, body_or_answer, document, express, landing, multipart, negotiate,
    persisted, set,
};
use crate::http::auth::{RequestAuth, header};
use crate::http::response::{self, HttpResponse};
use crate::http::{AppState, BodyError, cors as parse_cors, json_body};
use crate::version::{HttpStack, LandingPage};

/// Answer one request, and say who answered (for [`cors`]).
pub(super) async fn answer(
    env: &Envelope<'_>,
    parts: &hyper::http::request::Parts,
    body: Result<Bytes, BodyError>,
) -> (HttpResponse, Responder) {
    use Responder::Middleware;
    let stack = env.pipeline.behavior.stack;
    let headers = &parts.headers;
    if parts.method == Method::OPTIONS {
        return match stack {
            // The `cors` package's preflight (7.x; the other stacks have their own modules).
            HttpStack::Apollo4 | HttpStack::Apollo2 | HttpStack::Yoga => {
                (express::cors_preflight(headers), Middleware)
            }
            // Parse's own CORS middleware ends a preflight with `res.sendStatus(200)`.
            HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => (
                response::with_body(200, Some(response::TEXT_UTF8), "OK"),
                Middleware,
            ),
        };
    }
    // Beyond every limit: answered as Express answers a body over `express.json()`'s.
    let bytes = match body_or_answer(body, || {
        response::express_error_page(413, "Payload Too Large")
    }) {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let is_get = parts.method == Method::GET;
    let mut auth = match env.authenticate(headers, None).await {
        Ok(a) => a,
        Err(res) => return (res, Middleware),
    };
    let answer = operations(env, parts, &bytes, is_get, &mut auth).await;
    env.after_session_check(answer, &mut auth).await
}

/// CORS on the way out: Parse 7's context function writes `origin || '*'` on Apollo's own
/// answers; from 8.x Parse's own middleware writes its whole set on every answer.
pub(super) fn cors(
    res: &mut HttpResponse,
    stack: HttpStack,
    responder: Responder,
    req_headers: &HeaderMap,
    state: &AppState,
) {
    match stack {
        HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
            parse_cors::apply_parse_set(res.headers_mut(), &state.config.behavior);
        }
        // 7.x (the other stacks have their own modules).
        HttpStack::Apollo4 | HttpStack::Apollo2 | HttpStack::Yoga => {
            let origin = match responder {
                Responder::Server => header(req_headers, "origin").unwrap_or("*"),
                Responder::Middleware | Responder::BeforeCors => "*",
            };
            set(res, "access-control-allow-origin", origin);
        }
    }
}

async fn operations(
    env: &Envelope<'_>,
    parts: &hyper::http::request::Parts,
    bytes: &[u8],
    is_get: bool,
    auth: &mut RequestAuth,
) -> Result<(HttpResponse, Responder), Refused> {
    use Responder::{Middleware, Server};
    let stack = env.pipeline.behavior.stack;
    let headers = &parts.headers;
    // graphql-upload reads a form first; express.json(): Express 4 leaves `{}` for other
    // bodies, Express 5 leaves nothing.
    let content_type = header(headers, "content-type");
    let body: Option<Json> = if multipart::is_form(content_type) {
        let form = multipart::read(content_type.unwrap_or_default(), bytes);
        match multipart::graphql_upload(form.as_ref(), env.pipeline.behavior.multipart) {
            multipart::Upload::Body(operations) => Some(operations),
            multipart::Upload::Refused(status, _) => {
                return Ok((express::status_page(status), Middleware));
            }
            multipart::Upload::Crashed { .. } => {
                return Ok((express::status_page(500), Middleware));
            }
        }
    } else if bytes.len() > express::JSON_LIMIT && express::is_json_type(headers) {
        return Ok((
            response::express_error_page(413, "Payload Too Large"),
            Middleware,
        ));
    } else {
        match express::body_parser_json(
            bytes,
            headers,
            env.pipeline.behavior.strict_json_single_mask,
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
    // Apollo Server 4's express4 integration then refuses to go on; Apollo Server 5's own
    // Express 5 integration reads a missing body as none.
    let (express5, needs_body) = match stack {
        HttpStack::Apollo4OnExpress5 => (true, true),
        HttpStack::Apollo5 => (true, false),
        HttpStack::Apollo4 | HttpStack::Apollo2 | HttpStack::Yoga => (false, false),
    };
    let body = if express5 && !express::announces_body(headers) {
        None
    } else {
        body
    };
    if needs_body && body.is_none() {
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
    if let LandingPage::ApolloProduction(runtime) = env.pipeline.behavior.landing_page
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
            error(
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
    let content_type = accepted_type(headers);
    let thrown = |mut res: HttpResponse| {
        // Rendered answers are JSON already; only another choice rewrites the header.
        if let Some(other) = content_type.filter(|&t| t != response::JSON_UTF8) {
            set(&mut res, "content-type", other);
        }
        (res, Server)
    };
    let bad = |msg: &str| thrown(error(400, msg, "BAD_REQUEST", None));
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
            let params = super::query_params(parts.uri.query());
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
            return Ok(thrown(error(
                405,
                "Apollo Server supports only GET/POST requests.",
                "BAD_REQUEST",
                Some("GET, POST"),
            )));
        }
    }
    let redaction = env.pipeline.redaction(auth.is_master);
    let query = req.query.clone().unwrap_or_default();
    let mut requests = vec![req];
    keep_lone_surrogates(&mut requests, || express::marked_body(bytes, headers));
    let outcomes = env.run(requests, auth).await?;
    let res = match outcomes.first() {
        Some(o) => render(stack, o, redaction, &query),
        None => error(500, "Internal server error", "INTERNAL_SERVER_ERROR", None),
    };
    // The operation's result (even a refusal by the pipeline) is answered in the content
    // type the `Accept` header prefers, and refused with 406 when it accepts neither JSON
    // type: after the operation ran, as Apollo Server decides it.
    Ok(match content_type {
        Some(_) => thrown(res),
        None => thrown(error(
            406,
            "An 'accept' header was provided for this request which does not accept application/json; charset=utf-8 or application/graphql-response+json; charset=utf-8",
            "BAD_REQUEST",
            None,
        )),
    })
}

/// Apollo Server 4/5's `chooseContentTypeForSingleResultResponse`: JSON without an `Accept`
/// header, else the type it prefers of the two, `None` when it accepts neither.
fn accepted_type(headers: &HeaderMap) -> Option<&'static str> {
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

/// Apollo Server 4's CSRF prevention, with Parse's `X-Parse-Application-Id` as required header.
fn csrf_safe(headers: &HeaderMap) -> bool {
    if let Some(mt) = express::media_type(headers)
        && !matches!(
            mt.as_str(),
            "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
        )
    {
        return true;
    }
    header(headers, "x-parse-application-id").is_some_and(|v| !v.is_empty())
}

/// Apollo 4/5's error response for one error with a code.
pub(super) fn error(
    status: u16,
    message: &str,
    code: &str,
    allow: Option<&'static str>,
) -> HttpResponse {
    let body = json!({ "errors": [error_object(message, &[], Some(json!({ "code": code })))] });
    let mut res = json_response(HttpStack::Apollo4, status, &body);
    if let Some(allow) = allow {
        res.headers_mut().insert(
            HeaderName::from_static("allow"),
            HeaderValue::from_static(allow),
        );
    }
    res
}

/// @apollo/server 4/5 (7.x – 9.x).
fn render(stack: HttpStack, outcome: &Outcome, redaction: Redaction, query: &str) -> HttpResponse {
    let errors_body = |errs: Vec<Json>| json!({ "errors": errs });
    match outcome {
        Outcome::Executed { data, errors } => answered(
            stack,
            executed_single(stack, data, errors, redaction, query),
        ),
        Outcome::Answered(body) => answered(stack, body.clone()),
        Outcome::MissingQuery => error(
            400,
            "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.",
            "BAD_REQUEST",
            None,
        ),
        Outcome::Syntax(e) if is_overflow(e) => json_response(
            stack,
            400,
            &errors_body(vec![error_object(
                &e.message,
                &[],
                Some(json!({ "code": "GRAPHQL_PARSE_FAILED" })),
            )]),
        ),
        Outcome::Syntax(e) => json_response(
            stack,
            400,
            &errors_body(vec![error_object(
                &redact::redact(&syntax_message(e), redaction, query),
                &[(e.pos.line, e.pos.column)],
                Some(json!({ "code": "GRAPHQL_PARSE_FAILED" })),
            )]),
        ),
        Outcome::Invalid(errs) => json_response(
            stack,
            400,
            &errors_body(coded(errs, "GRAPHQL_VALIDATION_FAILED", redaction, query)),
        ),
        Outcome::Variables(errs) => {
            // Apollo Server 5 answers variable coercion errors with 400; 4 with 200.
            let status = match stack {
                HttpStack::Apollo5 => 400,
                HttpStack::Apollo2
                | HttpStack::Yoga
                | HttpStack::Apollo4
                | HttpStack::Apollo4OnExpress5 => 200,
            };
            json_response(
                stack,
                status,
                &errors_body(coded(errs, "BAD_USER_INPUT", redaction, query)),
            )
        }
        Outcome::NoOperation(e) => json_response(
            stack,
            400,
            &errors_body(vec![error_object(
                &e.message(),
                &[],
                Some(json!({ "code": "OPERATION_RESOLUTION_FAILURE" })),
            )]),
        ),
        // graphql-js 16.5+ guards the recursion; kept for completeness.
        Outcome::ValidationCrashed => {
            error(500, document::STACK_OVERFLOW, "INTERNAL_SERVER_ERROR", None)
        }
        Outcome::GetNotQuery(kind) => error(
            405,
            &format!(
                "GET requests only support query operations, not {} operations",
                kind.name()
            ),
            "BAD_REQUEST",
            Some("POST"),
        ),
        Outcome::NoSubscriptionRoot { message, location } => json_response(
            stack,
            200,
            &json!({
                "errors": [error_object(
                    message,
                    &[*location],
                    Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
                )],
                "data": null,
            }),
        ),
        Outcome::VariablesNotObject => {
            error(500, VARIABLES_NOT_OBJECT, "INTERNAL_SERVER_ERROR", None)
        }
        Outcome::IntrospectionForbidden => error(
            403,
            "Introspection is not allowed",
            "INTERNAL_SERVER_ERROR",
            None,
        ),
        Outcome::Persisted(refusal) => {
            let (status, code) = refusal.status_and_code();
            error(status, refusal.message(), code, None)
        }
        Outcome::StackTypeError(message) => error(500, message, "INTERNAL_SERVER_ERROR", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_headers as headers;

    #[test]
    fn apollo4_chooses_the_content_type_of_a_result() {
        assert_eq!(accepted_type(&headers(&[])), Some(response::JSON_UTF8));
        assert_eq!(
            accepted_type(&headers(&[("accept", "")])),
            Some(response::JSON_UTF8)
        );
        assert_eq!(
            accepted_type(&headers(&[("accept", "application/graphql-response+json")])),
            Some("application/graphql-response+json; charset=utf-8")
        );
        assert_eq!(accepted_type(&headers(&[("accept", "text/html")])), None);
    }
}
