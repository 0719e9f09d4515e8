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

/// `Value::Object(user(..))` with the `extra` members after it, serialized, written without
/// building the map: the hot path of `users/me`, which renders each session it reads from
/// the database. `None` when one of the user's own fields bears a key this writes (the map
/// would keep that key at its first place): render through [`user`] then.
pub fn user_json(user: &User, files_url: &str, extra: &[(&str, &str)]) -> Option<Vec<u8>> {
    // The keys `user` writes whatever the user's fields are, and the extra ones.
    let taken = |name: &str| {
        COLUMNS_BEFORE_INTERNALS.contains(&name)
            || name == "ACL"
            || extra.iter().any(|(key, _)| *key == name)
    };
    if user.fields.keys().any(|name| taken(name)) {
        return None;
    }
    let mut out = Vec::with_capacity(256);
    let member = |out: &mut Vec<u8>, key: &str, value: &dyn erased::Json| {
        out.push(if out.is_empty() { b'{' } else { b',' });
        erased::string(out, key);
        out.push(b':');
        value.write(out);
    };
    member(&mut out, "objectId", &user.object_id.as_str());
    member(&mut out, "createdAt", &iso_millis(user.created_at).as_str());
    member(&mut out, "updatedAt", &iso_millis(user.updated_at).as_str());
    member(&mut out, "username", &user.username.as_str());
    if let Some(email) = &user.email {
        member(&mut out, "email", &email.as_str());
    }
    if let Some(verified) = user.email_verified {
        member(&mut out, "emailVerified", &verified);
    }
    if let Some(auth_data) = &user.auth_data {
        member(&mut out, "authData", auth_data);
    }
    for (name, value) in &user.fields {
        match file_parts(value) {
            Some(name_of_file) => {
                let url = file_url(files_url, name_of_file);
                member(&mut out, name, &erased::File(name_of_file, &url));
            }
            None => member(&mut out, name, value),
        }
    }
    member(&mut out, "ACL", &user.acl);
    for (key, value) in extra {
        member(&mut out, key, value);
    }
    out.push(b'}');
    Some(out)
}

/// Writing JSON values of several kinds through one closure.
mod erased {
    use serde_json::{Map, Value};

    pub trait Json {
        fn write(&self, out: &mut Vec<u8>);
    }

    /// A string as serde_json writes it.
    pub fn string(out: &mut Vec<u8>, s: &str) {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }

    impl Json for &str {
        fn write(&self, out: &mut Vec<u8>) {
            string(out, self);
        }
    }

    impl Json for bool {
        fn write(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(if *self { b"true" } else { b"false" });
        }
    }

    impl Json for Value {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(&mut *out, self);
        }
    }

    impl Json for Map<String, Value> {
        fn write(&self, out: &mut Vec<u8>) {
            let _ = serde_json::to_writer(&mut *out, self);
        }
    }

    /// A File with its URL, as `with_file_url` makes it.
    pub struct File<'a>(pub &'a str, pub &'a str);

    impl Json for File<'_> {
        fn write(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(br#"{"__type":"File","name":"#);
            string(out, self.0);
            out.extend_from_slice(br#","url":"#);
            string(out, self.1);
            out.push(b'}');
        }
    }
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
    match file_parts(value) {
        Some(name) => json!({"__type": "File", "name": name, "url": file_url(files_url, name)}),
        None => value.clone(),
    }
}

/// The name of a File value; `None` for any other value.
fn file_parts(value: &Value) -> Option<&str> {
    match value {
        Value::Object(m) if m.get("__type").and_then(Value::as_str) == Some("File") => {
            Some(m.get("name").and_then(Value::as_str).unwrap_or_default())
        }
        _ => None,
    }
}

/// A file's URL: its name percent-encoded as `encodeURIComponent` does.
fn file_url(files_url: &str, name: &str) -> String {
    let encoded = percent_encoding::utf8_percent_encode(name, URI_COMPONENT);
    format!("{files_url}{encoded}")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn a_user(fields: Value, auth_data: Option<Value>, email: Option<&str>) -> User {
        User {
            object_id: "aB3dE5gH7j".into(),
            username: "ünïcode \"quoted\" \\ name\u{1}".into(),
            email: email.map(str::to_owned),
            email_verified: email.map(|_| false),
            hashed_password: Some("$2b$10$hash".into()),
            auth_data: auth_data.map(|v| v.as_object().unwrap().clone()),
            acl: json!({"*": {"read": true}, "aB3dE5gH7j": {"read": true, "write": true}})
                .as_object()
                .unwrap()
                .clone(),
            created_at: 1_700_000_000_123,
            updated_at: -1_000,
            fields: fields.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn user_json_writes_the_bytes_of_the_rendered_map() {
        let files = "http://localhost:1337/parse/files/app/";
        let extra = [("__type", "Object"), ("className", "_User")];
        let users = [
            a_user(json!({}), None, None),
            a_user(
                json!({
                    "nickname": "n\u{2028}é",
                    "age": 42, "ratio": 0.5, "big": 1e300, "none": null,
                    "tags": ["a", {"b": [1, 2]}],
                    "avatar": {"__type": "File", "name": "a b/ü?.png"},
                    "nameless": {"__type": "File"},
                    "when": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"},
                }),
                Some(json!({"anonymous": {"id": "x"}})),
                Some("A@Example.com"),
            ),
        ];
        for u in &users {
            for extra in [&extra[..], &[]] {
                let mut map = user(u, files);
                for (k, v) in extra {
                    map.insert((*k).into(), Value::from(*v));
                }
                let expected = Value::Object(map).to_string();
                let written = String::from_utf8(user_json(u, files, extra).unwrap()).unwrap();
                assert_eq!(written, expected);
            }
        }
    }

    #[test]
    fn a_field_named_like_a_written_key_is_left_to_the_map() {
        let files = "f/";
        let mut named_email = a_user(json!({"email": "x"}), None, None);
        assert!(user_json(&named_email, files, &[]).is_none());
        named_email.fields.clear();
        named_email.fields.insert("className".into(), json!("mine"));
        assert!(user_json(&named_email, files, &[]).is_some());
        assert!(user_json(&named_email, files, &[("className", "_User")]).is_none());
    }
}
