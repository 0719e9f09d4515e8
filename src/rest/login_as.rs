//! `POST /loginAs {userId}` (5.0+): a new session for any user, for the master key only.

use serde_json::{Map, Value};

use super::{RestContext, RestResult, login};
use crate::error::{ErrorCode, ParseError};
use crate::object;

pub async fn handle(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    query: &Map<String, Value>,
) -> RestResult {
    let behavior = &ctx.state.config.behavior;
    if !ctx.auth.is_master {
        return Err(ParseError::new(
            ErrorCode::OperationForbidden,
            behavior.permission_message("master key is required".into()),
        ));
    }
    // Parse's `req.body.userId || req.query.userId`, then `if (!userId)`: JavaScript truthiness.
    let given = [body.get("userId"), query.get("userId")]
        .into_iter()
        .find(|v| object::truthy(*v))
        .flatten();
    let user_id = match given {
        Some(Value::String(id)) => id.clone(),
        None => {
            return Err(ParseError::new(
                ErrorCode::InvalidValue,
                "userId must not be empty, null, or undefined",
            ));
        }
        // Parse's query then matches no user.
        Some(_) => return Err(ParseError::new(ErrorCode::ObjectNotFound, "user not found")),
    };
    ctx.state
        .store
        .class_reads()
        .read(crate::store::class_reads::USER);
    let user = ctx
        .state
        .store
        .find_user(user_id)
        .await?
        .ok_or_else(|| ParseError::new(ErrorCode::ObjectNotFound, "user not found"))?;
    login::signed_in(ctx, &user, "masterkey").await
}
