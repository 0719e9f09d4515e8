//! Apollo Server 2 on Express 4 (Parse 3.x – 5.2), the whole of what that stack does with a
//! `/graphql` request: `cors()` → graphql-upload (for forms, mounted before CORS) →
//! `bodyParser.json()` → Parse's key/session middleware and error handler → Apollo Server 2's
//! `runHttpQuery`, and how it writes every outcome.
//!
//! A bad JSON body is answered before the keys are checked. GET reads Express's `req.query`;
//! POST takes an object or a batch (an array); the answer to each operation is Apollo's
//! `formatResponse` of graphql-js's result, with `extensions.code`, and its text errors
//! (`HttpQueryError`) are written with `res.send`.

use bytes::Bytes;
use hyper::Method;
use hyper::header::HeaderValue;
use serde_json::{Map, Value as Json, json};

use super::pipeline::{OperationRequest, Outcome, keep_lone_surrogates};
use super::redact::{self, Redaction};
use super::render::{
    VARIABLES_NOT_OBJECT, answered, coded, error_object, executed_body, executed_single,
    execution_errors, is_overflow, json_response, syntax_message,
};
use super::{
    Envelope, Refused, Responder, body_or_answer, document, express, multipart, persisted, set,
};
use crate::graphql::validation::GqlError;
use crate::http::auth::{RequestAuth, header};
use crate::http::response::{self, HTML_UTF8, HttpResponse};
use crate::http::{BodyError, json_body};
use crate::version::{Behavior, GraphqlJs, HttpStack};

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
    // Beyond every limit: answered as body-parser answers a body over its 100 KiB.
    let bytes = match body_or_answer(body, || {
        response::status_error(413, "request entity too large")
    }) {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let content_type = header(headers, "content-type");
    let parsed = if multipart::is_form(content_type) {
        // graphql-upload comes first, before CORS and body-parser.
        let form = multipart::read(content_type.unwrap_or_default(), &bytes);
        match multipart::graphql_upload(form.as_ref(), env.pipeline.behavior.multipart) {
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
    } else if bytes.len() > express::JSON_LIMIT && express::is_json_type(headers) {
        return (
            response::status_error(413, "request entity too large"),
            Middleware,
        );
    } else {
        match express::body_parser_json(
            &bytes,
            headers,
            env.pipeline.behavior.strict_json_single_mask,
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
    let mut auth = match env.authenticate(headers, Some(body_map)).await {
        Ok(a) => a,
        Err(res) => return (res, Middleware),
    };
    let answer = operations(env, parts, parsed, &bytes, &mut auth).await;
    env.after_session_check(answer.map(|res| (res, Server)), &mut auth)
        .await
}

/// `cors()` with its defaults: every answer but graphql-upload's (mounted before it) allows
/// any origin.
pub(super) fn cors(res: &mut HttpResponse, responder: Responder) {
    if responder != Responder::BeforeCors {
        set(res, "access-control-allow-origin", "*");
    }
}

async fn operations(
    env: &Envelope<'_>,
    parts: &hyper::http::request::Parts,
    body: Json,
    raw: &[u8],
    auth: &mut RequestAuth,
) -> Result<HttpResponse, Refused> {
    let is_master = auth.is_master;
    let redaction = env.pipeline.redaction(is_master);
    let payload = match parts.method {
        Method::POST => {
            let empty = match &body {
                Json::Object(m) => m.is_empty(),
                Json::Array(a) => a.is_empty(),
                _ => true,
            };
            if empty {
                return Ok(text(
                    500,
                    "POST body missing. Did you forget use body-parser middleware?",
                    None,
                ));
            }
            body
        }
        Method::GET => {
            let q = express::req_query(parts.uri.query());
            if q.is_empty() {
                return Ok(text(400, "GET query missing.", None));
            }
            Json::Object(q)
        }
        _ => {
            return Ok(text(
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
        return Ok(json_response(
            HttpStack::Apollo2,
            500,
            &json!({ "errors": [error_object(
                "Cannot read properties of null (reading 'query')",
                &[],
                Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
            )] }),
        ));
    }
    let mut requests = Vec::with_capacity(items.len());
    for item in &items {
        match params(item, is_get, is_master, &env.pipeline.behavior) {
            Ok(r) => requests.push(r),
            Err(msg) => return Ok(text(400, msg, None)),
        }
    }
    let queries: Vec<String> = requests
        .iter()
        .map(|r| r.query.clone().unwrap_or_default())
        .collect();
    keep_lone_surrogates(&mut requests, || express::marked_body(raw, &parts.headers));
    let outcomes = env.run(requests, auth).await?;
    let bad_user_input = env.pipeline.behavior.apollo2_bad_user_input;
    if outcomes.len() != queries.len() {
        return Ok(text(500, "Internal Server Error", None));
    }
    if batch {
        let items: Vec<Json> = outcomes
            .iter()
            .zip(&queries)
            .map(|(o, q)| item(o, bad_user_input, redaction, q))
            .collect();
        return Ok(json_response(HttpStack::Apollo2, 200, &Json::Array(items)));
    }
    Ok(render(&outcomes[0], bad_user_input, redaction, &queries[0]))
}

/// Apollo Server 2's `parseGraphQLRequest` for one payload object.
fn params(
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
        lone_surrogates: None,
        schema_variant: 0,
    })
}

/// Apollo 2's `HttpQueryError` written with `res.send(text)`.
fn text(status: u16, text: &str, allow: Option<&'static str>) -> HttpResponse {
    let mut res = response::with_body(status, Some(HTML_UTF8), text.to_owned());
    if let Some(allow) = allow {
        res.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    }
    res
}

/// Apollo Server 2's code for variable errors: `BAD_USER_INPUT` for a value that does not
/// coerce when the installed core knows that code, else `INTERNAL_SERVER_ERROR`.
fn variable_errors(
    errors: &[GqlError],
    bad_user_input: bool,
    redaction: Redaction,
    query: &str,
) -> Vec<Json> {
    errors
        .iter()
        .map(|e| {
            let code = if bad_user_input && e.message.contains("got invalid value") {
                "BAD_USER_INPUT"
            } else {
                "INTERNAL_SERVER_ERROR"
            };
            error_object(
                &redact::redact(&e.message, redaction, query),
                &e.locations,
                Some(json!({ "code": code })),
            )
        })
        .collect()
}

/// Apollo Server 2: one operation of a single request.
fn render(
    outcome: &Outcome,
    bad_user_input: bool,
    redaction: Redaction,
    query: &str,
) -> HttpResponse {
    let stack = HttpStack::Apollo2;
    match outcome {
        Outcome::Executed { data, errors } => answered(
            stack,
            executed_single(stack, data, errors, redaction, query),
        ),
        Outcome::Answered(body) => answered(stack, body.clone()),
        Outcome::MissingQuery => text(400, "Must provide query string.", None),
        Outcome::Persisted(_) => {
            json_response(stack, 200, &item(outcome, bad_user_input, redaction, query))
        }
        Outcome::GetNotQuery(_) => text(405, "GET supports only query operation", Some("POST")),
        // The exception escapes Apollo's request pipeline (validation is not guarded).
        Outcome::ValidationCrashed => {
            json_response(stack, 500, &item(outcome, bad_user_input, redaction, query))
        }
        other => json_response(stack, 400, &item(other, bad_user_input, redaction, query)),
    }
}

/// Apollo Server 2: one element of a batch (or the body of a 400 for a single request).
pub(super) fn item(
    outcome: &Outcome,
    bad_user_input: bool,
    redaction: Redaction,
    query: &str,
) -> Json {
    let stack = HttpStack::Apollo2;
    let errors = |errs: Vec<Json>| json!({ "errors": errs });
    match outcome {
        Outcome::Executed { data, errors } => {
            executed_body(data, execution_errors(stack, errors, redaction, query))
        }
        // Batches are not answered from the memo; should one be, its body reads back as the
        // same JSON.
        Outcome::Answered(body) => serde_json::from_slice(body).unwrap_or(Json::Null),
        // Apollo catches what `parse` throws: a stack overflow keeps its bare message.
        Outcome::Syntax(e) if is_overflow(e) => errors(vec![error_object(
            &e.message,
            &[],
            Some(json!({ "code": "GRAPHQL_PARSE_FAILED" })),
        )]),
        Outcome::Syntax(e) => errors(vec![error_object(
            &syntax_message(e),
            &[(e.pos.line, e.pos.column)],
            Some(json!({ "code": "GRAPHQL_PARSE_FAILED" })),
        )]),
        Outcome::Invalid(errs) => {
            errors(coded(errs, "GRAPHQL_VALIDATION_FAILED", redaction, query))
        }
        Outcome::ValidationCrashed => errors(vec![error_object(
            document::STACK_OVERFLOW,
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::Variables(errs) => errors(variable_errors(errs, bad_user_input, redaction, query)),
        Outcome::NoOperation(e) => errors(vec![error_object(
            &e.message(),
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::MissingQuery => errors(vec![error_object(
            "Must provide query string.",
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::NoSubscriptionRoot { message, location } => errors(vec![error_object(
            message,
            &[*location],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        // Only yoga passes such variables on; Apollo Server checks them itself.
        Outcome::VariablesNotObject => errors(vec![error_object(
            VARIABLES_NOT_OBJECT,
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::GetNotQuery(_) | Outcome::IntrospectionForbidden => errors(vec![error_object(
            "GET supports only query operation",
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::Persisted(refusal) => errors(vec![persisted_error(*refusal)]),
        Outcome::StackTypeError(message) => errors(vec![error_object(
            message,
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
    }
}

fn persisted_error(refusal: persisted::Refusal) -> Json {
    error_object(
        refusal.message(),
        &[],
        Some(json!({ "code": refusal.status_and_code().1 })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apollo2_reads_names_and_variables_per_core_and_graphql_js() {
        let v37 = Behavior::parse("3.7.2").unwrap();
        let v44 = Behavior::parse("4.4.0").unwrap();
        let read = |item: Json, b: &Behavior| params(&item, false, false, b);
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
