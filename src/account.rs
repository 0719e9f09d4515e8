//! Account rules shared by REST and GraphQL, written once over the store: what Parse's
//! `UsersRouter` decides, independent of how a request arrived. (Sign-in's password check is
//! [`crate::store::Store::check_credentials`].)

use serde_json::{Map, Value};

use crate::error::{ErrorCode, ParseError};
use crate::store::{Store, User};

/// JavaScript truthiness, which Parse's checks use on request values.
pub fn truthy(v: &Value) -> bool {
    crate::object::truthy(Some(v))
}

/// A value as JavaScript turns it into a string (an auth provider's `id`).
pub fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `UsersRouter.handleChallenge` (6.0+) once the caller's username or email and password, if
/// any, identified `user`: the checks on `challengeData` and `authData` in Parse's order, then
/// each provider in `challengeData` that has a `challenge` function answers. With no auth
/// adapter configured none has one, so a request that passes the checks gets `{}`.
pub async fn challenge(
    store: &Store,
    user: Option<&User>,
    auth_data: Option<&Value>,
    challenge_data: Option<&Value>,
) -> Result<Map<String, Value>, ParseError> {
    let other = |m: &'static str| ParseError::new(ErrorCode::OtherCause, m);
    if !challenge_data.is_some_and(truthy) {
        return Err(other("Nothing to challenge."));
    }
    if !matches!(challenge_data, Some(Value::Object(_) | Value::Array(_))) {
        return Err(other("challengeData should be an object."));
    }
    let Some(auth_data) = auth_data.filter(|a| truthy(a)) else {
        return Ok(Map::new());
    };
    let providers = match auth_data {
        Value::Object(map) => map.clone(),
        // `typeof [] === 'object'`: an array names no provider.
        Value::Array(_) => Map::new(),
        _ => return Err(other("authData should be an object.")),
    };
    if user.is_some() {
        return Err(other(
            "You cannot provide username/email and authData, only use one identification method.",
        ));
    }
    let with_id: Vec<(&String, &Value)> = providers
        .iter()
        .filter_map(|(p, d)| d.get("id").filter(|id| truthy(id)).map(|id| (p, id)))
        .collect();
    if with_id.len() > 1 {
        return Err(other(
            "You cannot provide more than one authData provider with an id.",
        ));
    }
    // Every failure from here on is the same answer, so that ids cannot be guessed.
    let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "User not found.");
    let (provider, id) = with_id.first().ok_or_else(not_found)?;
    let found = store
        .find_user_by_auth((*provider).clone(), id_string(id))
        .await?;
    // Only `anonymous` validates without configuration; any other provider's validator fails.
    if found.is_none() || provider.as_str() != "anonymous" {
        return Err(not_found());
    }
    Ok(Map::new())
}
