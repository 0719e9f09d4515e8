//! Which GraphQL requests belong to the upstream Parse Server (`--upstream`).
//!
//! parse-compat's schema holds Parse's auth API only. An operation that selects anything else
//! (a class query, a custom field of the user, introspection of the whole schema) is sent
//! upstream whole and unchanged, so that one endpoint serves a client's every document.

use std::collections::{HashMap, HashSet};

use serde_json::Value as Json;

use super::envelope::document::{self, Document, Selection};
use super::envelope::multipart;
use crate::version::GraphqlJs;

/// The object types of our schema and, for each, its fields with the named type each returns.
#[derive(Debug, Default)]
pub struct AuthApi {
    types: HashMap<String, HashMap<String, String>>,
}

impl AuthApi {
    /// Read the types and fields from the schema's SDL (as juniper prints it: one field per
    /// line inside `type Name ... {` blocks).
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut current: Option<String> = None;
        for line in sdl.lines() {
            let trimmed = line.trim();
            if let Some(rest) = trimmed
                .strip_prefix("type ")
                .or_else(|| trimmed.strip_prefix("interface "))
            {
                if trimmed.ends_with('{') {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    types.entry(name.clone()).or_default();
                    current = Some(name);
                }
                continue;
            }
            if trimmed.starts_with('}') {
                current = None;
                continue;
            }
            let Some(owner) = &current else { continue };
            if trimmed.starts_with('"') || trimmed.is_empty() {
                continue;
            }
            let name: String = trimmed
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue;
            }
            // The return type follows the last `:` outside the argument list.
            let after_args = match (trimmed.find('('), trimmed.rfind(')')) {
                (Some(_), Some(close)) => &trimmed[close + 1..],
                _ => &trimmed[name.len()..],
            };
            let returns: String = after_args
                .trim_start_matches([':', ' '])
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let Some(fields) = types.get_mut(owner) {
                fields.insert(name, returns);
            }
        }
        Self { types }
    }

    /// The same schema without these root fields (of `Query` and `Mutation`): an operation
    /// that selects one goes upstream. For the app's Cloud Code triggers (`--userTriggers`).
    #[must_use]
    pub fn without_root_fields(mut self, names: &[&str]) -> Self {
        for root in ["Query", "Mutation"] {
            if let Some(fields) = self.types.get_mut(root) {
                fields.retain(|name, _| !names.contains(&name.as_str()));
            }
        }
        self
    }

    /// Whether every field an operation of the request selects is one this schema has.
    fn covers(&self, doc: &Document, operation: Option<&str>) -> bool {
        let Ok(op) = doc.select_operation(operation) else {
            // No operation to run: the answer is an error parse-compat gives as Parse does.
            return true;
        };
        let root = match op.kind {
            document::OperationKind::Query => "Query",
            document::OperationKind::Mutation => "Mutation",
            document::OperationKind::Subscription => return false,
        };
        let mut seen = HashSet::new();
        self.covers_selection(doc, root, &op.selection, &mut seen)
    }

    fn covers_selection(
        &self,
        doc: &Document,
        type_name: &str,
        selection: &[Selection],
        seen: &mut HashSet<String>,
    ) -> bool {
        let Some(fields) = self.types.get(type_name) else {
            // A scalar or a type this schema lacks: selections on it are not ours.
            return selection.is_empty();
        };
        selection.iter().all(|s| match s {
            Selection::Field(f) if f.name == "__typename" => true,
            Selection::Field(f) => match fields.get(&f.name) {
                None => false,
                Some(returns) => match &f.selection {
                    None => true,
                    Some(inner) => self.covers_selection(doc, returns, inner, seen),
                },
            },
            Selection::Inline {
                type_condition,
                selection,
                ..
            } => {
                let on = type_condition.as_deref().unwrap_or(type_name);
                self.covers_selection(doc, on, selection, seen)
            }
            Selection::Spread { name, .. } => {
                if !seen.insert(name.clone()) {
                    return true;
                }
                match doc.fragments.iter().find(|f| f.name == *name) {
                    Some(fragment) => self.covers_selection(
                        doc,
                        &fragment.type_condition,
                        &fragment.selection,
                        seen,
                    ),
                    // An unknown fragment is an error parse-compat answers.
                    None => true,
                }
            }
        })
    }

    /// Whether a request (GET query string, or a body of one or several operations) selects
    /// anything outside this schema. A request that cannot be read as GraphQL stays here,
    /// where it gets the pinned stack's error.
    pub fn outside(
        &self,
        query: Option<&str>,
        body: &[u8],
        content_type: &str,
        js: GraphqlJs,
    ) -> bool {
        let mut requests: Vec<(String, Option<String>)> = Vec::new();
        if let Some(q) = query {
            let params: HashMap<String, String> = form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if let Some(text) = params.get("query") {
                requests.push((text.clone(), params.get("operationName").cloned()));
            }
        }
        let media = content_type.split(';').next().unwrap_or("").trim();
        // A form's operations are its `operations` field; a form that sends a file is
        // Parse's to store.
        let form = multipart::is_form(Some(content_type))
            .then(|| multipart::read(content_type, body))
            .flatten();
        if form.as_ref().is_some_and(multipart::carries_files) {
            return true;
        }
        let body = form
            .as_ref()
            .map_or(body, |f| multipart::operations_text(f).unwrap_or_default());
        if media.eq_ignore_ascii_case("application/graphql") {
            requests.push((String::from_utf8_lossy(body).into_owned(), None));
        } else if !body.is_empty()
            && let Ok(json) = serde_json::from_slice::<Json>(body)
        {
            let items = match json {
                Json::Array(items) => items,
                one => vec![one],
            };
            for item in items {
                if let Some(text) = item.get("query").and_then(Json::as_str) {
                    let op = item
                        .get("operationName")
                        .and_then(Json::as_str)
                        .map(str::to_owned);
                    requests.push((text.to_owned(), op));
                }
            }
        }
        requests
            .iter()
            .any(|(text, op)| match document::parse(text, js) {
                Ok(doc) => !self.covers(&doc, op.as_deref()),
                Err(_) => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::Behavior;

    fn api(version: &str) -> (AuthApi, GraphqlJs) {
        let behavior = Behavior::parse(version).unwrap();
        (
            AuthApi::from_sdl(&crate::graphql::print_schema(&behavior)),
            behavior.graphql_js,
        )
    }

    fn outside(version: &str, query: &str) -> bool {
        let (api, js) = api(version);
        let body = serde_json::json!({ "query": query }).to_string();
        api.outside(None, body.as_bytes(), "application/json", js)
    }

    #[test]
    fn the_auth_api_stays_and_everything_else_goes_upstream() {
        assert!(!outside("9.10.0", "{ viewer { user { username } } }"));
        assert!(!outside(
            "9.10.0",
            "mutation { logOut(input: {}) { clientMutationId } }"
        ));
        assert!(!outside("9.10.0", "{ health __typename }"));
        assert!(outside("9.10.0", "{ posts { count } }"));
        assert!(outside("9.10.0", "{ viewer { user { nickname } } }"));
        assert!(outside("9.10.0", "{ __schema { types { name } } }"));
        assert!(outside(
            "9.10.0",
            "query A { viewer { ...F } } fragment F on Viewer { nope }"
        ));
        assert!(!outside(
            "9.10.0",
            "{ viewer { ...F } } fragment F on Viewer { sessionToken }"
        ));
        assert!(!outside("3.7.2", "{ users { me { username } } }"));
        assert!(outside("3.7.2", "{ objects { findPost { count } } }"));
        // Not GraphQL at all: answered here, with the stack's own error.
        assert!(!outside("9.10.0", "{ viewer "));
    }

    #[test]
    fn get_requests_and_batches_are_read_too() {
        let (api, js) = api("4.4.0");
        assert!(api.outside(
            Some("query=%7B%20posts%20%7B%20count%20%7D%20%7D"),
            b"",
            "",
            js
        ));
        let batch = br#"[{"query":"{ health }"},{"query":"{ posts { count } }"}]"#;
        assert!(api.outside(None, batch, "application/json", js));
    }

    #[test]
    fn multipart_forms_are_read_and_uploads_go_upstream() {
        let (api, js) = api("9.10.0");
        let ct = "multipart/form-data; boundary=b";
        let form = |ops: &str, map: &str, file: bool| {
            let mut body = format!(
                "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{map}\r\n"
            );
            if file {
                body.push_str("--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"a.txt\"\r\n\r\nhello\r\n");
            }
            body.push_str("--b--\r\n");
            body
        };
        let health = r#"{"query":"{ health }"}"#;
        assert!(!api.outside(None, form(health, "{}", false).as_bytes(), ct, js));
        let posts = r#"{"query":"{ posts { count } }"}"#;
        assert!(api.outside(None, form(posts, "{}", false).as_bytes(), ct, js));
        // A file is for Parse's files adapter, whatever the operation.
        let upload = r#"{"query":"mutation($f: Upload!) { createFile(input: {upload: $f}) { clientMutationId } }","variables":{"f":null}}"#;
        assert!(api.outside(
            None,
            form(upload, r#"{"0":["variables.f"]}"#, true).as_bytes(),
            ct,
            js
        ));
        assert!(api.outside(
            None,
            form(health, r#"{"0":["variables.f"]}"#, false).as_bytes(),
            ct,
            js
        ));
        // A form that cannot be read stays here, for the stack's own refusal.
        assert!(!api.outside(None, b"garbage", ct, js));
    }

    /// With Cloud Code triggers named, the operations they run around go upstream whole;
    /// the rest of the auth API stays.
    #[test]
    fn operations_a_trigger_runs_around_go_upstream() {
        let check = |version: &str, triggers: &str, query: &str| {
            let (api, js) = api(version);
            let fields = crate::triggers::UserTriggers::parse(triggers)
                .unwrap()
                .operations()
                .graphql_fields();
            let api = api.without_root_fields(&fields);
            let body = serde_json::json!({ "query": query }).to_string();
            api.outside(None, body.as_bytes(), "application/json", js)
        };
        let sign_up = r#"mutation { signUp(input: {fields: {username: "a", password: "b"}}) { clientMutationId } }"#;
        assert!(check("9.10.0", "beforeSave", sign_up));
        assert!(!check("9.10.0", "afterLogout", sign_up));
        let log_out = "mutation { logOut(input: {}) { clientMutationId } }";
        assert!(check("9.10.0", "afterLogout", log_out));
        assert!(!check(
            "9.10.0",
            "afterLogout",
            "{ viewer { sessionToken } }"
        ));
        assert!(check("9.10.0", "afterFind", "{ viewer { sessionToken } }"));
        assert!(check(
            "3.7.2",
            "beforeLogin",
            "{ users { me { username } } }"
        ));
        assert!(!check(
            "3.7.2",
            "beforeDelete",
            "{ users { me { username } } }"
        ));
    }
}
