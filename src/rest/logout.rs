//! `POST /logout`: end the session the request carries.
//!
//! The session check Parse's middleware does and the revoke are one SQL statement here
//! (`DELETE .. RETURNING`): an unknown token, a token a concurrent logout just ended, and an
//! expired one get exactly the middleware's answers, at the cost of one write instead of a
//! read and a write.

use serde_json::json;

use super::{RestContext, RestResult};
use crate::error::{ErrorCode, ParseError};
use crate::store::class_reads::{SESSION, USER};

pub async fn handle(ctx: &RestContext<'_>) -> RestResult {
    let Some(token) = &ctx.auth.session_token else {
        return Ok((200, json!({})));
    };
    let store = &ctx.state.store;
    let reads = store.class_reads();
    if ctx.auth.is_master {
        // The master key skips the session check: Parse ends the session if it exists.
        store.revoke(token).await?;
        reads.read(SESSION);
        return Ok((200, json!({})));
    }
    // Parse's middleware reads the token (from its user cache when there), then its handler
    // finds the session again.
    let cached = reads
        .enabled()
        .then(|| store.cached_session(token))
        .flatten();
    let ended = store.revoke_returning_expiry(token).await?;
    match (&cached, ended) {
        (_, None) => reads.token_resolved(None, false),
        (Some(session), Some(expired)) => reads.token_resolved(Some(session), !expired),
        (None, Some(_)) => reads.read(SESSION | USER),
    }
    match ended {
        None => Err(ParseError::invalid_session_token()),
        Some(true) => Err(ParseError::new(
            ErrorCode::InvalidSessionToken,
            "Session token is expired.",
        )),
        Some(false) => {
            reads.read(SESSION);
            Ok((200, json!({})))
        }
    }
}
