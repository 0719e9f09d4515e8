//! `POST /batch`: several REST requests in one, run with the batch's own keys and session,
//! each answered as `{"success": ...}` or `{"error": {"code", "error"}}`, in order.

use hyper::Method;
use serde_json::{Map, Value, json};

use super::{Answer, RestContext, RestResult, Route, resolve, run};
use crate::error::{ErrorCode, ParseError};

/// One sub-request of a batch: its method (GET when missing or not a method), its path below
/// the mount path, and its body when it is an object.
struct Planned<'a> {
    method: Method,
    path: String,
    body: Option<&'a Map<String, Value>>,
}

/// Read a batch's sub-requests as Parse does: every path must carry the mount path, else the
/// whole batch is refused (the error names that path) before any runs.
fn plan<'a>(body: &'a Map<String, Value>, mount: &str) -> Result<Vec<Planned<'a>>, ParseError> {
    let Some(Value::Array(requests)) = body.get("requests") else {
        return Err(ParseError::new(
            ErrorCode::InvalidJson,
            "requests must be an array",
        ));
    };
    requests
        .iter()
        .map(|request| {
            let path = request.get("path").and_then(Value::as_str).unwrap_or("");
            let Some(routable) = path.strip_prefix(mount) else {
                return Err(ParseError::new(
                    ErrorCode::InvalidJson,
                    format!("cannot route batch path {path}"),
                ));
            };
            Ok(Planned {
                method: request
                    .get("method")
                    .and_then(Value::as_str)
                    .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
                    .unwrap_or(Method::GET),
                path: format!("/{}", routable.trim_start_matches('/')),
                body: request.get("body").and_then(Value::as_object),
            })
        })
        .collect()
}

pub async fn handle(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    let planned = plan(body, &ctx.state.config.mount_path)?;
    let behavior = &ctx.state.config.behavior;
    let empty = Map::new();
    let mut results = Vec::with_capacity(planned.len());
    for Planned { method, path, body } in planned {
        let body = body.unwrap_or(&empty);
        let route = resolve(&method, &path, behavior);
        let outcome = match route {
            Route::Unknown | Route::Batch => Err(ParseError::new(
                ErrorCode::InvalidJson,
                format!("cannot route {method} {path}"),
            )),
            Route::LogIn | Route::VerifyPassword if !behavior.batch_login_guards_query => {
                // Before 4.4 Parse's credential reading looks at `req.query`, which a batch
                // sub-request does not have: Node's TypeError, without a code.
                if let Some(field) = missing_credential_field(body) {
                    results.push(json!({"error": {
                        "error": format!("Cannot read properties of undefined (reading '{field}')")
                    }}));
                    continue;
                }
                run(ctx, &route, body, &empty).await
            }
            route => run(ctx, &route, body, &empty).await,
        };
        results.push(match outcome {
            Ok(Answer::Json(_, value)) => json!({ "success": value }),
            Ok(Answer::Raw(res)) => {
                let bytes = http_body_util::BodyExt::collect(res.into_body())
                    .await
                    .map(http_body_util::Collected::to_bytes)
                    .unwrap_or_default();
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                json!({ "success": value })
            }
            Err(e) if e.message.is_empty() => json!({"error": {"code": e.code.number()}}),
            Err(e) => json!({"error": {"code": e.code.number(), "error": e.message}}),
        });
    }
    Ok((200, Value::Array(results)))
}

/// Whether a batch holds a request that no route here answers (or one that is the upstream's
/// for another reason): with an upstream, such a batch is passed on whole. A batch this
/// server refuses as Parse refuses it (no `requests` array, a path outside the mount path) is
/// not passed on.
pub fn has_foreign_request(body: &Map<String, Value>, state: &crate::http::AppState) -> bool {
    let Ok(planned) = plan(body, &state.config.mount_path) else {
        return false;
    };
    let empty = Map::new();
    planned.iter().any(|p| {
        let route = resolve(&p.method, &p.path, &state.config.behavior);
        matches!(route, Route::Batch)
            || super::upstream_answers(&route, p.body.unwrap_or(&empty), &empty, state)
    })
}

/// The field whose `req.query` lookup throws in Parse before 4.4, if any: `username` when the
/// body has none, else `email` when the body has none.
fn missing_credential_field(body: &Map<String, Value>) -> Option<&'static str> {
    let falsy = |k: &str| !crate::object::truthy(body.get(k));
    if falsy("username") {
        Some("username")
    } else if falsy("email") {
        Some("email")
    } else {
        None
    }
}
