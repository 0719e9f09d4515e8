//! `POST /logout`: end the session the request carries.

use serde_json::json;

use super::{RestContext, RestResult};
use crate::error::ParseError;

pub async fn handle(ctx: &RestContext<'_>) -> RestResult {
    if let Some(token) = &ctx.auth.session_token {
        let revoked = ctx.state.store.revoke(token).await?;
        // The middleware saw this session alive; if it is gone now a concurrent logout won,
        // and this request gets what any later request with the token gets.
        if !revoked && ctx.auth.session.is_some() {
            return Err(ParseError::invalid_session_token());
        }
    }
    Ok((200, json!({})))
}
