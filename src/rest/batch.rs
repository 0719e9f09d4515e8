//! `POST /batch`: several REST requests in one, run with the batch's own keys and session,
//! each answered as `{"success": ...}` or `{"error": {"code", "error"}}`, in order.

use hyper::Method;
use serde_json::{Map, Value, json};

use super::{Answer, RestContext, RestResult, Route, resolve, run};
use crate::error::{ErrorCode, ParseError};

pub async fn handle(ctx: &RestContext<'_>, body: &Map<String, Value>) -> RestResult {
    let Some(Value::Array(requests)) = body.get("requests") else {
        return Err(ParseError::new(
            ErrorCode::InvalidJson,
            "requests must be an array",
        ));
    };
    let mount = &ctx.state.config.mount_path;
    // Every path must carry the mount path, or the whole batch is refused before any runs.
    let mut planned = Vec::with_capacity(requests.len());
    for request in requests {
        let path = request.get("path").and_then(Value::as_str).unwrap_or("");
        let Some(routable) = path.strip_prefix(mount.as_str()) else {
            return Err(ParseError::new(
                ErrorCode::InvalidJson,
                format!("cannot route batch path {path}"),
            ));
        };
        let routable = format!("/{}", routable.trim_start_matches('/'));
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::GET);
        let body = match request.get("body") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        planned.push((method, routable, body));
    }
    let behavior = &ctx.state.config.behavior;
    let mut results = Vec::with_capacity(planned.len());
    for (method, path, body) in planned {
        let route = resolve(&method, &path, behavior);
        let outcome = match route {
            Route::Unknown | Route::Batch => Err(ParseError::new(
                ErrorCode::InvalidJson,
                format!("cannot route {method} {path}"),
            )),
            Route::LogIn | Route::VerifyPassword if !behavior.batch_login_guards_query => {
                // Before 4.4 Parse's credential reading looks at `req.query`, which a batch
                // sub-request does not have: Node's TypeError, without a code.
                if let Some(field) = missing_credential_field(&body) {
                    results.push(json!({"error": {
                        "error": format!("Cannot read properties of undefined (reading '{field}')")
                    }}));
                    continue;
                }
                run(ctx, &route, &body, &Map::new()).await
            }
            route => run(ctx, &route, &body, &Map::new()).await,
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
/// for another reason): with an upstream, such a batch is passed on whole. A path outside the
/// mount path is not one: the batch is refused here as Parse refuses it.
pub fn has_foreign_request(body: &Map<String, Value>, state: &crate::http::AppState) -> bool {
    let Some(Value::Array(requests)) = body.get("requests") else {
        return false;
    };
    let mount = state.config.mount_path.as_str();
    requests.iter().any(|request| {
        let path = request.get("path").and_then(Value::as_str).unwrap_or("");
        let Some(routable) = path.strip_prefix(mount) else {
            return false;
        };
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::GET);
        let routable = format!("/{}", routable.trim_start_matches('/'));
        let route = resolve(&method, &routable, &state.config.behavior);
        let body = match request.get("body") {
            Some(Value::Object(m)) => m,
            _ => &Map::new(),
        };
        matches!(route, Route::Batch) || super::upstream_answers(&route, body, &Map::new(), state)
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
