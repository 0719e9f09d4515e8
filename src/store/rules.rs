//! The rules of users and sessions as Parse objects, the same whichever store keeps them: who
//! may write what, how a change applies to an object's fields, and what Parse's PostgreSQL
//! adapter refuses.

use serde_json::{Map, Value};

use super::{IssuedSession, StoreError, User};
use crate::error::{ErrorCode, ParseError};
use crate::object::{self, Change, ClassFields, FieldType};

/// Who is asking for a write, as Parse's permission checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Master,
    /// A signed-in user, by objectId.
    User(String),
    /// Neither master key nor session.
    Nobody,
}

/// Whether an ACL grants `perm` (`"read"` or `"write"`) to `who` (`*`, an objectId, or
/// `role:<name>`).
pub fn acl_grants(acl: &Map<String, Value>, who: &str, perm: &str) -> bool {
    acl.get(who)
        .and_then(|p| p.get(perm))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Whether an ACL grants `perm` to any role: only then do a caller's roles matter.
pub fn acl_names_roles(acl: &Map<String, Value>, perm: &str) -> bool {
    acl.keys()
        .any(|who| who.starts_with("role:") && acl_grants(acl, who, perm))
}

/// Whether an ACL lets this reader or writer in: the public, their objectId, or one of
/// their roles (`role:<name>`, with the roles they inherit).
pub fn acl_admits(
    acl: &Map<String, Value>,
    user_id: Option<&str>,
    roles: &[String],
    perm: &str,
) -> bool {
    acl_grants(acl, "*", perm)
        || user_id.is_some_and(|id| acl_grants(acl, id, perm))
        || roles.iter().any(|r| acl_grants(acl, r, perm))
}

impl Caller {
    /// Whether an object with this ACL may be written by the caller on the public's or
    /// their own grant alone. A store that keeps roles asks [`Caller::may_write_as`] when
    /// this says no and the ACL names a role.
    pub fn may_write(&self, acl: &Map<String, Value>) -> bool {
        self.may_write_as(acl, &[])
    }

    /// Whether an object with this ACL may be written by the caller, who holds `roles`
    /// (`role:<name>`).
    pub fn may_write_as(&self, acl: &Map<String, Value>, roles: &[String]) -> bool {
        match self {
            Self::Master => true,
            Self::User(id) => acl_admits(acl, Some(id), roles, "write"),
            Self::Nobody => acl_grants(acl, "*", "write"),
        }
    }
}

/// Whose reading rights narrow a scan: the master key reads everything; anyone else what
/// an ACL lets the public, or them, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reader {
    Master,
    #[default]
    Public,
    /// A signed-in user, with the roles they hold (`role:<name>`, inherited ones included).
    User {
        id: String,
        roles: Vec<String>,
    },
}

/// What narrows a scan of users before each row is checked in full.
#[derive(Debug, Clone, Default)]
pub struct UserScan {
    pub object_id: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub readable_by: Reader,
}

/// A change to a `_User` (`PUT /users/<id>`), validated by the caller as far as it can be
/// without the row: field names and types, operations, formats.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub caller: Caller,
    pub username: Option<String>,
    /// `Some(None)` removes the email.
    pub email: Option<Option<String>>,
    pub email_verified: Option<Option<bool>>,
    pub password: Option<String>,
    /// Normalized; the store adds the user's own read and write unless the caller is master.
    pub acl: Option<Map<String, Value>>,
    /// Parse on PostgreSQL renames the row when an update sets `objectId`.
    pub object_id: Option<String>,
    /// A rename onto an existing objectId is Parse's 137 (8.0+) rather than uncaught.
    pub duplicate_value_error: bool,
    /// Fields beyond `_User`'s own columns, in the order sent.
    pub changes: Vec<(String, Change)>,
    /// The type each of those fields asks for.
    pub field_types: Vec<(String, FieldType)>,
}

/// The result of [`super::Store::update_user`].
#[derive(Debug, Clone)]
pub struct UpdatedUser {
    pub user: User,
    /// Set when the user changed their own password: every old session is gone and this one
    /// replaces them.
    pub new_session: Option<IssuedSession>,
    /// The new values of fields changed by an operation (`Increment`, `Add`...), which Parse
    /// puts in its answer.
    pub answers: Map<String, Value>,
}

/// A change to a `_Session` (`PUT /sessions/<id>`): custom fields only.
#[derive(Debug, Clone)]
pub struct SessionUpdate {
    pub caller: Caller,
    /// Up to 4.x Parse lets any signed-in user write any session; from 5.0 only their own.
    pub own_only: bool,
    pub changes: Vec<(String, Change)>,
    pub field_types: Vec<(String, FieldType)>,
    /// A new `expiresAt`: `Some(None)` removes it (the session never expires), `None` keeps it.
    pub expires_at: Option<Option<i64>>,
}

/// Fields reordered as the class orders them (fields it does not know go last, as sent).
pub fn in_class_order(fields: Map<String, Value>, schema: &ClassFields) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = fields.into_iter().collect();
    entries.sort_by_key(|(name, _)| schema.position(name).unwrap_or(usize::MAX));
    entries.into_iter().collect()
}

/// Apply changes to an object's fields; answers the values Parse reports back. A dotted
/// name (`prefs.theme`) changes a key inside an `Object` field.
pub fn apply_changes(
    fields: &mut Map<String, Value>,
    changes: &[(String, Change)],
) -> Result<Map<String, Value>, StoreError> {
    let mut answers = Map::new();
    for (name, change) in changes {
        let mut path = name.split('.');
        let first = path.next().unwrap_or(name);
        let rest: Vec<&str> = path.collect();
        let next = if rest.is_empty() {
            let next = object::apply(fields.get(name), change).map_err(ParseError::from)?;
            match &next {
                Some(v) => {
                    fields.insert(name.clone(), v.clone());
                }
                None => {
                    fields.remove(name);
                }
            }
            next
        } else {
            let root = fields
                .entry(first.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            let next = apply_at(root, &rest, change)?;
            // Stored as jsonb: the changed object's keys are in jsonb's order again.
            *root = object::jsonb(root);
            next
        };
        if change.answers_value() {
            let mut value = next.unwrap_or(Value::Null);
            for key in rest.iter().rev() {
                let mut wrapped = Map::new();
                wrapped.insert((*key).to_owned(), value);
                value = Value::Object(wrapped);
            }
            answers.insert(first.to_owned(), value);
        }
    }
    Ok(answers)
}

/// Apply a change at a key path inside an object value.
fn apply_at(
    value: &mut Value,
    path: &[&str],
    change: &Change,
) -> Result<Option<Value>, StoreError> {
    let Value::Object(map) = value else {
        // Not an object: PostgreSQL's jsonb_set refuses it.
        return Err(ParseError::internal().into());
    };
    match path {
        [] => Err(ParseError::internal().into()),
        [last] => {
            let next = object::apply(map.get(*last), change).map_err(ParseError::from)?;
            match &next {
                Some(v) => {
                    map.insert((*last).to_owned(), v.clone());
                }
                None => {
                    map.shift_remove(*last);
                }
            }
            Ok(next)
        }
        [key, rest @ ..] => {
            let inner = map
                .entry((*key).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            apply_at(inner, rest, change)
        }
    }
}

/// What Parse's PostgreSQL adapter refuses when it builds an update's SQL: clearing a column
/// the class does not have (an error from PostgreSQL: uncaught), and `Bytes` values.
pub fn postgres_update_refusal(
    changes: &[(String, Change)],
    schema: &ClassFields,
    class: &str,
) -> Option<ParseError> {
    for (name, change) in changes {
        match change {
            Change::Delete
                if !name.contains('.')
                    && schema.get(name).is_none()
                    && object::default_column(class, name).is_none() =>
            {
                return Some(ParseError::internal());
            }
            Change::Set(v @ Value::Object(m))
                if m.get("__type").and_then(Value::as_str) == Some("Bytes") =>
            {
                return Some(object::postgres_unsupported(v).into());
            }
            _ => {}
        }
    }
    None
}

pub fn permission(code: ErrorCode, message: String, sanitized: bool) -> ParseError {
    ParseError::new(
        code,
        if sanitized {
            "Permission denied".to_owned()
        } else {
            message
        },
    )
}

/// Parse's `_password_history` after a password change (`maxPasswordHistory` = `max`): the
/// replaced hashes, oldest first, at most `max - 1` of them, the one just replaced last.
pub fn next_password_history(
    mut history: Vec<String>,
    max: u32,
    replaced: Option<String>,
) -> Vec<String> {
    history.truncate(usize::try_from(max).unwrap_or(0));
    let keep = usize::try_from(max.saturating_sub(2)).unwrap_or(0);
    while history.len() > keep {
        history.remove(0);
    }
    history.extend(replaced);
    history
}
