//! `POST /challenge` (6.0+): start an auth adapter's challenge for a user identified by
//! password or by `authData`; the rules are [`crate::account::challenge`].

use serde_json::{Map, Value, json};

use super::{RestContext, RestResult, login};
use crate::account::truthy;
use crate::error::{ErrorCode, ParseError};

pub async fn handle(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> RestResult {
    let named = |k: &str| body.get(k).is_some_and(truthy);
    let user = if named("username") || named("email") {
        if !named("password") {
            return Err(ParseError::new(
                ErrorCode::OtherCause,
                "You provided username or email, you need to also provide password.",
            ));
        }
        Some(login::authenticate(ctx, body, query).await?)
    } else {
        None
    };
    let answer = crate::account::challenge(
        &ctx.state.store,
        user.as_ref(),
        body.get("authData"),
        body.get("challengeData"),
    )
    .await?;
    Ok((200, json!({ "challengeData": answer })))
}
