//! `GET /verifyPassword?username=&password=` (and `POST` from 7.0): the user a password
//! belongs to, checked exactly as a login checks it, without creating a session.

use serde_json::{Map, Value};

use super::{RestContext, RestResult, login, render};

pub async fn handle(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> RestResult {
    let user = login::authenticate(ctx, body, query).await?;
    Ok((
        200,
        Value::Object(render::user(&user, &ctx.state.config.files_url())),
    ))
}
