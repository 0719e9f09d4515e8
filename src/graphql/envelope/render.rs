//! Writing a pipeline [`Outcome`] the way the pinned stack does: status, key order,
//! `extensions`, content type.

use serde_json::{Map, Value as Json, json};

use super::document::SyntaxError;
use super::redact::{self, Redaction};
use crate::graphql::schema::UNCAUGHT_MARKER;
use crate::graphql::validation::GqlError;
use crate::graphql::validation::rules::APOLLO_NO_INTROSPECTION;
use crate::http::response::{self, HttpResponse, JSON_UTF8};
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
pub(super) fn json_response(stack: HttpStack, status: u16, body: &Json) -> HttpResponse {
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
pub(super) fn answered(stack: HttpStack, body: bytes::Bytes) -> HttpResponse {
    response::with_body(200, Some(json_type(stack)), body)
}

pub(super) fn syntax_message(e: &SyntaxError) -> String {
    format!("Syntax Error: {}", e.message)
}

/// Node.js ran out of stack in graphql-js (a `RangeError`, not a GraphQL error).
pub(super) fn is_overflow(e: &SyntaxError) -> bool {
    e.message == super::document::STACK_OVERFLOW
}

/// Resolver errors as the stack formats them: Apollo adds `INTERNAL_SERVER_ERROR` when a
/// resolver error has no code. Errors Parse's resolver did not catch (marked by
/// [`UNCAUGHT_MARKER`]) carry no Parse code: Apollo Server 2 lists the thrown `Parse.Error`'s
/// own properties under `exception`, Apollo 4+ gives only its code, yoga nothing.
pub(super) fn execution_errors(
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
pub(super) fn executed_body(data: &Json, errors: Vec<Json>) -> Json {
    let mut m = Map::new();
    if !errors.is_empty() {
        m.insert("errors".into(), Json::Array(errors));
    }
    m.insert("data".into(), data.clone());
    Json::Object(m)
}

pub(super) fn coded(
    errors: &[GqlError],
    code: &str,
    redaction: Redaction,
    query: &str,
) -> Vec<Json> {
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

/// graphql-js 16's assertion message for variables that are not an object.
pub(super) const VARIABLES_NOT_OBJECT: &str = "Variables must be provided as an Object where each property is a variable value. Perhaps look to see if an unparsed JSON string was provided.";
