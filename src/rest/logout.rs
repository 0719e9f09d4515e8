//! `POST /logout`: end the session the request carries.
//!
//! The session check Parse's middleware does and the revoke are one SQL statement here
//! (`DELETE .. RETURNING`): an unknown token, a token a concurrent logout just ended, and an
//! expired one get exactly the middleware's answers, at the cost of one write instead of a
//! read and a write.

use serde_json::json;

use super::{RestContext, RestResult};
use crate::error::{ErrorCode, ParseError};

pub async fn handle(ctx: &RestContext<'_>) -> RestResult {
    let Some(token) = &ctx.auth.session_token else {
        return Ok((200, json!({})));
    };
    let store = &ctx.state.store;
    // Parse's middleware resolves the token, and its handler finds the session again.
    let reads = store.class_reads();
    if ctx.auth.is_master {
        // The master key skips the session check: Parse ends the session if it exists.
        store.revoke(token).await?;
        reads.read(crate::store::class_reads::SESSION);
        return Ok((200, json!({})));
    }
    let ended = store.revoke_returning_expiry(token).await?;
    reads.token_resolved(token, ended.is_some(), ended == Some(false));
    match ended {
        None => Err(ParseError::invalid_session_token()),
        Some(true) => Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token is expired.",
        )),
        Some(false) => {
            reads.read(crate::store::class_reads::SESSION);
            Ok((200, json!({})))
        }
    }
}
