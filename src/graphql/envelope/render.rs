//! Writing a pipeline [`Outcome`] the way the pinned stack does: status, key order,
//! `extensions`, content type.

use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value as Json, json};

use super::document::SyntaxError;
use super::pipeline::Outcome;
use super::redact::{self, Redaction};
use crate::graphql::schema::UNCAUGHT_MARKER;
use crate::graphql::validation::GqlError;
use crate::graphql::validation::rules::APOLLO_NO_INTROSPECTION;
use crate::http::response::{self, HTML_UTF8, HttpResponse, JSON_UTF8};
use crate::version::HttpStack;

/// `application/json` as graphql-yoga writes it (no charset).
pub const JSON_PLAIN: &str = "application/json";

fn locations(locs: &[(usize, usize)]) -> Json {
    Json::Array(
        locs.iter()
            .map(|(l, c)| json!({ "line": l, "column": c }))
            .collect(),
    )
}

/// `{message, locations?, extensions?}` in graphql-js's `toJSON` order.
pub fn error_object(message: &str, locs: &[(usize, usize)], extensions: Option<Json>) -> Json {
    let mut m = Map::new();
    m.insert("message".into(), Json::String(message.to_owned()));
    if !locs.is_empty() {
        m.insert("locations".into(), locations(locs));
    }
    if let Some(ext) = extensions {
        m.insert("extensions".into(), ext);
    }
    Json::Object(m)
}

/// A JSON body with the stack's content type (Apollo's writers end with a newline).
pub fn json_response(stack: HttpStack, status: u16, body: &Json) -> HttpResponse {
    let mut out = Vec::with_capacity(128);
    write_json(&mut out, body);
    finish_json(stack, status, out)
}

/// What each stack sends after serialising: Apollo's `JSON.stringify` plus a newline,
/// yoga's without one.
fn finish_json(stack: HttpStack, status: u16, mut out: Vec<u8>) -> HttpResponse {
    end_json(stack, &mut out);
    response::with_body(status, Some(json_type(stack)), out)
}

/// Apollo's writers end the serialised JSON with a newline; yoga's does not.
fn end_json(stack: HttpStack, out: &mut Vec<u8>) {
    match stack {
        HttpStack::Yoga => {}
        HttpStack::Apollo2
        | HttpStack::Apollo4
        | HttpStack::Apollo4OnExpress5
        | HttpStack::Apollo5 => out.push(b'\n'),
    }
}

/// The content type of the stack's JSON answers.
const fn json_type(stack: HttpStack) -> &'static str {
    match stack {
        HttpStack::Yoga => JSON_PLAIN,
        HttpStack::Apollo2
        | HttpStack::Apollo4
        | HttpStack::Apollo4OnExpress5
        | HttpStack::Apollo5 => JSON_UTF8,
    }
}

/// Serialise `value` compactly onto `out` (serde_json cannot fail writing a `Value` to memory).
fn write_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %e, "serialising a GraphQL response failed");
    }
}

/// An executed operation's response body, written straight from its parts (the data is not
/// copied into a new object first): `{"errors":[…],"data":…}` as [`executed_body`] builds it,
/// with the stack's ending.
fn executed_bytes(stack: HttpStack, data: &Json, errors: Vec<Json>) -> bytes::Bytes {
    let mut out = Vec::with_capacity(256);
    out.push(b'{');
    if !errors.is_empty() {
        out.extend_from_slice(b"\"errors\":");
        write_json(&mut out, &errors);
        out.push(b',');
    }
    out.extend_from_slice(b"\"data\":");
    write_json(&mut out, data);
    out.push(b'}');
    end_json(stack, &mut out);
    out.into()
}

/// The body of an executed query of a single request, as every stack writes it: what
/// [`apollo2`], [`yoga`] and [`apollo4`] answer for [`Outcome::Executed`] (yoga redacts nothing
/// and is given [`Redaction::None`]).
pub fn executed_single(
    stack: HttpStack,
    data: &Json,
    errors: &[Json],
    redaction: Redaction,
    query: &str,
) -> bytes::Bytes {
    executed_bytes(
        stack,
        data,
        execution_errors(stack, errors, redaction, query),
    )
}

/// A 200 with an executed operation's body (from [`executed_single`]).
fn answered(stack: HttpStack, body: bytes::Bytes) -> HttpResponse {
    response::with_body(200, Some(json_type(stack)), body)
}

/// Apollo 2's `HttpQueryError` written with `res.send(text)`.
pub fn apollo2_text(status: u16, text: &str, allow: Option<&'static str>) -> HttpResponse {
    let mut res = response::with_body(status, Some(HTML_UTF8), text.to_owned());
    if let Some(allow) = allow {
        res.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    }
    res
}

/// Apollo 4/5's error response for one error with a code.
pub fn apollo4_error(
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

/// graphql-yoga's `getErrorResponse`: `{"data":null,"errors":[…]}`.
pub fn yoga_error(status: u16, errors: Vec<Json>, allow: Option<&'static str>) -> HttpResponse {
    let body = json!({ "data": null, "errors": errors });
    let mut res = json_response(HttpStack::Yoga, status, &body);
    if let Some(allow) = allow {
        res.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static(allow));
    }
    res
}

fn syntax_message(e: &SyntaxError) -> String {
    format!("Syntax Error: {}", e.message)
}

/// Node.js ran out of stack in graphql-js (a `RangeError`, not a GraphQL error).
fn is_overflow(e: &SyntaxError) -> bool {
    e.message == super::document::STACK_OVERFLOW
}

/// Resolver errors as the stack formats them: Apollo adds `INTERNAL_SERVER_ERROR` when a
/// resolver error has no code. Errors Parse's resolver did not catch (marked by
/// [`UNCAUGHT_MARKER`]) carry no Parse code: Apollo Server 2 lists the thrown `Parse.Error`'s
/// own properties under `exception`, Apollo 4+ gives only its code, yoga nothing.
fn execution_errors(
    stack: HttpStack,
    errors: &[Json],
    redaction: Redaction,
    query: &str,
) -> Vec<Json> {
    errors
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if let Some(obj) = e.as_object_mut() {
                if let Some(Json::String(m)) = obj.get("message") {
                    let m = redact::redact(m, redaction, query);
                    obj.insert("message".into(), Json::String(m));
                }
                let uncaught = obj
                    .get("extensions")
                    .and_then(|x| x.get(UNCAUGHT_MARKER))
                    .and_then(Json::as_str)
                    .map(str::to_owned);
                if let Some(kind) = uncaught {
                    let code = obj.get("extensions").and_then(|x| x.get("code")).cloned();
                    obj.remove("extensions");
                    let exception = match (kind.as_str(), code) {
                        ("parse-error", Some(code)) => Some(json!({
                            "message": obj.get("message").cloned().unwrap_or(Json::Null),
                            "code": code,
                        })),
                        _ => None,
                    };
                    match stack {
                        HttpStack::Yoga => {}
                        HttpStack::Apollo2 => {
                            let mut ext = Map::new();
                            ext.insert("code".into(), json!("INTERNAL_SERVER_ERROR"));
                            if let Some(exception) = exception {
                                ext.insert("exception".into(), exception);
                            }
                            obj.insert("extensions".into(), Json::Object(ext));
                        }
                        HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                            obj.insert(
                                "extensions".into(),
                                json!({ "code": "INTERNAL_SERVER_ERROR" }),
                            );
                        }
                    }
                    return e;
                }
                let apollo = !matches!(stack, HttpStack::Yoga);
                if apollo && !obj.contains_key("extensions") {
                    obj.insert(
                        "extensions".into(),
                        json!({ "code": "INTERNAL_SERVER_ERROR" }),
                    );
                }
            }
            e
        })
        .collect()
}

/// The body of an executed operation: `errors` before `data` (graphql-js and Apollo order).
fn executed_body(data: &Json, errors: Vec<Json>) -> Json {
    let mut m = Map::new();
    if !errors.is_empty() {
        m.insert("errors".into(), Json::Array(errors));
    }
    m.insert("data".into(), data.clone());
    Json::Object(m)
}

fn coded(errors: &[GqlError], code: &str, redaction: Redaction, query: &str) -> Vec<Json> {
    errors
        .iter()
        .map(|e| {
            let ext = if e.message == APOLLO_NO_INTROSPECTION {
                json!({ "validationErrorCode": "INTROSPECTION_DISABLED", "code": code })
            } else {
                json!({ "code": code })
            };
            error_object(
                &redact::redact(&e.message, redaction, query),
                &e.locations,
                Some(ext),
            )
        })
        .collect()
}

/// Apollo Server 2 (3.x – 5.2): one operation of a single request.
/// graphql-js 16's assertion message for variables that are not an object.
const VARIABLES_NOT_OBJECT: &str = "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided.";

/// Apollo Server 2's code for variable errors: `BAD_USER_INPUT` for a value that does not
/// coerce when the installed core knows that code, else `INTERNAL_SERVER_ERROR`.
fn apollo2_variable_errors(
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

pub fn apollo2(
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
        Outcome::MissingQuery => apollo2_text(400, "Must provide query string.", None),
        Outcome::Persisted(_) => json_response(
            stack,
            200,
            &apollo2_item(outcome, bad_user_input, redaction, query),
        ),
        Outcome::GetNotQuery(_) => {
            apollo2_text(405, "GET supports only query operation", Some("POST"))
        }
        // The exception escapes Apollo's request pipeline (validation is not guarded).
        Outcome::ValidationCrashed => json_response(
            stack,
            500,
            &apollo2_item(outcome, bad_user_input, redaction, query),
        ),
        other => json_response(
            stack,
            400,
            &apollo2_item(other, bad_user_input, redaction, query),
        ),
    }
}

/// Apollo Server 2: one element of a batch (or the body of a 400 for a single request).
pub fn apollo2_item(
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
            super::document::STACK_OVERFLOW,
            &[],
            Some(json!({ "code": "INTERNAL_SERVER_ERROR" })),
        )]),
        Outcome::Variables(errs) => errors(apollo2_variable_errors(
            errs,
            bad_user_input,
            redaction,
            query,
        )),
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

fn persisted_error(refusal: super::persisted::Refusal) -> Json {
    error_object(
        refusal.message(),
        &[],
        Some(json!({ "code": refusal.status_and_code().1 })),
    )
}

/// graphql-yoga 2 (5.3 – 6.x).
pub fn yoga(outcome: &Outcome) -> HttpResponse {
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
        Outcome::MissingQuery => yoga_error(
            400,
            vec![error_object(
                "Must provide query string.",
                &[],
                Some(json!({ "status": 400 })),
            )],
            None,
        ),
        // yoga's error handler assumes a GraphQLError and trips over the RangeError.
        Outcome::Syntax(e) if is_overflow(e) => yoga_error(
            500,
            vec![error_object(
                "Cannot set properties of undefined (setting 'status')",
                &[],
                None,
            )],
            None,
        ),
        Outcome::Syntax(e) => yoga_error(
            400,
            vec![error_object(
                &syntax_message(e),
                &[(e.pos.line, e.pos.column)],
                Some(json!({ "status": 400 })),
            )],
            None,
        ),
        Outcome::Invalid(errs) => yoga_error(
            400,
            errs.iter()
                .map(|e| error_object(&e.message, &e.locations, None))
                .collect(),
            None,
        ),
        Outcome::NoOperation(_) => yoga_error(
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
        Outcome::VariablesNotObject => yoga_error(
            500,
            vec![error_object(VARIABLES_NOT_OBJECT, &[], None)],
            None,
        ),
        // graphql-js 16.5+ (every yoga version) guards the recursion; kept for completeness.
        Outcome::ValidationCrashed => yoga_error(
            500,
            vec![error_object(super::document::STACK_OVERFLOW, &[], None)],
            None,
        ),
        Outcome::GetNotQuery(_) | Outcome::IntrospectionForbidden => yoga_error(
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
            yoga_error(500, vec![error_object(refusal.message(), &[], None)], None)
        }
        Outcome::StackTypeError(message) => {
            yoga_error(500, vec![error_object(message, &[], None)], None)
        }
    }
}

/// @apollo/server 4/5 (7.x – 9.x).
pub fn apollo4(
    stack: HttpStack,
    outcome: &Outcome,
    redaction: Redaction,
    query: &str,
) -> HttpResponse {
    let errors_body = |errs: Vec<Json>| json!({ "errors": errs });
    match outcome {
        Outcome::Executed { data, errors } => answered(
            stack,
            executed_single(stack, data, errors, redaction, query),
        ),
        Outcome::Answered(body) => answered(stack, body.clone()),
        Outcome::MissingQuery => apollo4_error(
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
        Outcome::ValidationCrashed => apollo4_error(
            500,
            super::document::STACK_OVERFLOW,
            "INTERNAL_SERVER_ERROR",
            None,
        ),
        Outcome::GetNotQuery(kind) => apollo4_error(
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
            apollo4_error(500, VARIABLES_NOT_OBJECT, "INTERNAL_SERVER_ERROR", None)
        }
        Outcome::IntrospectionForbidden => apollo4_error(
            403,
            "Introspection is not allowed",
            "INTERNAL_SERVER_ERROR",
            None,
        ),
        Outcome::Persisted(refusal) => {
            let (status, code) = refusal.status_and_code();
            apollo4_error(status, refusal.message(), code, None)
        }
        Outcome::StackTypeError(message) => {
            apollo4_error(500, message, "INTERNAL_SERVER_ERROR", None)
        }
    }
}
