//! The body of a `_User` write (sign-up or update) read as Parse's `RestWrite` reads it: the
//! class's own fields picked out, every other field checked against the class schema and
//! turned into a change, each refusal in the order Parse makes it.

use serde_json::{Map, Value};

use crate::error::{ErrorCode, ParseError};
use crate::object::{self, Change, ClassFields, FieldType};
use crate::store::{Store, StoreError};
use crate::version::Behavior;

/// A write to a `_User`, sorted out.
#[derive(Debug, Default)]
pub struct UserWrite {
    pub username: Option<String>,
    pub password: Option<String>,
    /// `Some(None)`: the email is removed (`null` or a `Delete`).
    pub email: Option<Option<String>>,
    pub email_verified: Option<Option<bool>>,
    pub acl: Option<Map<String, Value>>,
    pub object_id: Option<String>,
    pub changes: Vec<(String, Change)>,
    pub field_types: Vec<(String, FieldType)>,
}

/// Parse's email check (`/^.+@.+$/`): an `@` with something on each side, on one line.
pub fn valid_email(email: &str) -> bool {
    let one_line = !email.contains(['\n', '\r', '\u{2028}', '\u{2029}']);
    let chars: Vec<char> = email.chars().collect();
    one_line
        && chars
            .iter()
            .enumerate()
            .any(|(i, c)| *c == '@' && i > 0 && i + 1 < chars.len())
}

/// A client setting `emailVerified` (only the master key may).
fn email_verified_refused(behavior: &Behavior) -> ParseError {
    ParseError::new(
        ErrorCode::OperationForbidden,
        behavior.permission_message(
            "Clients aren't allowed to manually update email verification.".to_owned(),
        ),
    )
}

fn is_delete(v: &Value) -> bool {
    v.get("__op").and_then(Value::as_str) == Some("Delete")
}

/// Read `body` as a write to `_User` by a caller (`master` or not); `creating` for a sign-up.
/// The fields `username`/`password` presence rules of a sign-up are checked by the caller
/// before this (Parse's `validateAuthData` comes first).
pub fn read(
    body: &Map<String, Value>,
    schema: &ClassFields,
    behavior: &Behavior,
    master: bool,
    creating: bool,
) -> Result<UserWrite, ParseError> {
    let restricted = !master && body.contains_key("emailVerified");
    if restricted && behavior.restricted_fields_first {
        return Err(email_verified_refused(behavior));
    }
    let field_types = object::check_types("_User", body.iter(), schema, behavior)?;
    if restricted {
        return Err(email_verified_refused(behavior));
    }
    let mut out = UserWrite {
        field_types: field_types
            .into_iter()
            .filter(|(name, _)| object::default_column("_User", name).is_none())
            .collect(),
        ..UserWrite::default()
    };
    for (key, value) in body {
        match key.as_str() {
            "username" => {
                if let Value::String(s) = value {
                    // An empty username changes nothing in Parse's checks; it is written.
                    out.username = Some(s.clone());
                }
            }
            "password" => {
                if let Value::String(s) = value {
                    out.password = Some(s.clone());
                }
            }
            "email" => match value {
                Value::String(s) if !s.is_empty() => out.email = Some(Some(s.clone())),
                Value::String(_) | Value::Null => out.email = Some(None),
                v if is_delete(v) => out.email = Some(None),
                _ => {}
            },
            "emailVerified" => match value {
                Value::Bool(b) => out.email_verified = Some(Some(*b)),
                Value::Null => out.email_verified = Some(None),
                v if is_delete(v) => out.email_verified = Some(None),
                _ => {}
            },
            "ACL" => match value {
                Value::Object(acl) => {
                    out.acl = Some(object::normalize_acl(acl));
                }
                // PostgreSQL is handed something that is no ACL: uncaught.
                _ => return Err(ParseError::internal()),
            },
            "objectId" => {
                if let Value::String(id) = value
                    && !creating
                {
                    out.object_id = Some(id.clone());
                }
            }
            // Set by the server whatever the client sends (types already checked).
            "createdAt" | "updatedAt" | "authData" | "sessionToken" => {}
            _ => {
                let change = object::change_of(value).map_err(ParseError::from)?;
                let change = match change {
                    // A field set to null reads back as absent, as on Parse.
                    Change::Set(Value::Null) => Change::Delete,
                    other => other,
                };
                out.changes.push((key.clone(), change));
            }
        }
    }
    Ok(out)
}

impl UserWrite {
    /// [`check_in_parse_order`] for this write. `user_id`: the user being changed, whose own
    /// username is free to keep.
    pub async fn check_in_parse_order(
        &self,
        store: &Store,
        user_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<(), StoreError> {
        let email = self.email.as_ref().and_then(Option::as_deref);
        check_in_parse_order(store, self.password.as_deref(), username, email, user_id).await
    }
}

/// RestWrite's `transformUser` after the field types, for REST and GraphQL writes alike: the
/// password policy, then the username's uniqueness, then the e-mail's format (the e-mail's
/// own uniqueness is checked where the user is written).
pub async fn check_in_parse_order(
    store: &Store,
    password: Option<&str>,
    username: Option<&str>,
    email: Option<&str>,
    user_id: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(password) = password {
        store
            .check_new_password(password, username, user_id)
            .await?;
    }
    if let Some(email) = email
        && !valid_email(email)
    {
        if let Some(name) = username.filter(|u| !u.is_empty()) {
            store.ensure_username_free(name, user_id).await?;
        }
        return Err(ParseError::new(
            ErrorCode::InvalidEmailAddress,
            "Email address format is invalid.",
        )
        .into());
    }
    Ok(())
}

/// The fields of a new object: each change applied to nothing, in the order sent.
pub fn created_fields(changes: &[(String, Change)]) -> Result<Map<String, Value>, ParseError> {
    let mut fields = Map::new();
    for (name, change) in changes {
        match object::apply(None, change).map_err(ParseError::from)? {
            Some(v) => {
                fields.insert(name.clone(), v);
            }
            None => {
                fields.remove(name);
            }
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn email_format_is_parses() {
        assert!(valid_email("a@b"));
        assert!(valid_email("@@b"));
        assert!(valid_email("a@b@c"));
        assert!(!valid_email("@b"));
        assert!(!valid_email("a@"));
        assert!(!valid_email("ab"));
        assert!(!valid_email("a@b\nc"));
    }
}
