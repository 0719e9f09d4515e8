//! Parse's REST JSON for users and sessions, with its field order.

use serde_json::{Map, Value, json};

use crate::store::{Session, SessionAction, User, UserInternals, iso_millis};
use crate::version::Behavior;

/// A `_User` as Parse returns it: columns in Parse's order, then the ACL. File fields get
/// their URL under `files_url` (`<serverURL>/files/<appId>/`), as Parse's files controller
/// adds it to every answer.
pub fn user(user: &User, files_url: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("objectId".into(), json!(user.object_id));
    out.insert("createdAt".into(), json!(iso_millis(user.created_at)));
    out.insert("updatedAt".into(), json!(iso_millis(user.updated_at)));
    out.insert("username".into(), json!(user.username));
    if let Some(email) = &user.email {
        out.insert("email".into(), json!(email));
    }
    if let Some(verified) = user.email_verified {
        out.insert("emailVerified".into(), json!(verified));
    }
    if let Some(auth_data) = &user.auth_data {
        out.insert("authData".into(), Value::Object(auth_data.clone()));
    }
    for (name, value) in &user.fields {
        out.insert(name.clone(), with_file_url(value, files_url));
    }
    out.insert("ACL".into(), Value::Object(user.acl.clone()));
    out
}

/// `_User`'s own columns that come before the internal ones in Parse's row.
const COLUMNS_BEFORE_INTERNALS: [&str; 7] = [
    "objectId",
    "createdAt",
    "updatedAt",
    "username",
    "email",
    "emailVerified",
    "authData",
];

/// Add a user's internal columns to its answer where Parse's row has them: after `_User`'s own
/// columns, before the app's fields and the ACL (fixtures/user-email, case M).
pub fn add_internals(user: &mut Map<String, Value>, internals: &UserInternals) {
    let fields = internals.fields();
    if fields.is_empty() {
        return;
    }
    let mut out = Map::with_capacity(user.len() + fields.len());
    let mut pending = Some(fields);
    for (key, value) in std::mem::take(user) {
        if !COLUMNS_BEFORE_INTERNALS.contains(&key.as_str())
            && let Some(fields) = pending.take()
        {
            out.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
        }
        out.insert(key, value);
    }
    if let Some(fields) = pending {
        out.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
    }
    *user = out;
}

/// A File value with its URL (the name percent-encoded as `encodeURIComponent` does).
fn with_file_url(value: &Value, files_url: &str) -> Value {
    match value {
        Value::Object(m) if m.get("__type").and_then(Value::as_str) == Some("File") => {
            let name = m.get("name").and_then(Value::as_str).unwrap_or_default();
            let encoded: String =
                percent_encoding::utf8_percent_encode(name, URI_COMPONENT).collect();
            json!({"__type": "File", "name": name, "url": format!("{files_url}{encoded}")})
        }
        other => other.clone(),
    }
}

/// What `encodeURIComponent` leaves as it is: letters, digits and `-_.!~*'()`.
pub const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// A `_Session` as Parse returns it, with its token when known (see `store::sealing`).
pub fn session(session: &Session, token: Option<&str>, behavior: &Behavior) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("objectId".into(), json!(session.object_id));
    out.insert("createdAt".into(), json!(iso_millis(session.created_at)));
    out.insert("updatedAt".into(), json!(iso_millis(session.updated_at)));
    // Sessions Parse made carry `restricted: false`; one the master key wrote does not.
    if behavior.session_has_restricted && session.action != SessionAction::Unset {
        out.insert("restricted".into(), json!(false));
    }
    out.insert(
        "user".into(),
        json!({"objectId": session.user_id, "__type": "Pointer", "className": "_User"}),
    );
    if let Some(installation) = &session.installation_id {
        out.insert("installationId".into(), json!(installation));
    }
    if let Some(token) = token {
        out.insert("sessionToken".into(), json!(token));
    }
    if let Some(expires) = session.expires_at {
        out.insert(
            "expiresAt".into(),
            json!({"__type": "Date", "iso": iso_millis(expires)}),
        );
    }
    if session.action != SessionAction::Unset {
        out.insert("createdWith".into(), created_with(session));
    }
    for (name, value) in &session.fields {
        out.insert(name.clone(), value.clone());
    }
    out
}

/// `createdWith`: the action, and the auth provider when the session names one.
pub fn created_with(session: &Session) -> Value {
    if session.auth_provider.is_empty() {
        json!({"action": session.action.as_str()})
    } else {
        json!({"action": session.action.as_str(), "authProvider": session.auth_provider})
    }
}
