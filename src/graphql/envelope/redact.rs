//! Parse 8.x/9.x's `SchemaSuggestionsControlPlugin`: it rewrites graphql-js's messages for
//! callers who may not introspect the schema (no "Did you mean", no schema type names they did
//! not write). It edits the message text with regular expressions, so this does the same.

/// The strings inside double quotes, in order.
fn quoted(msg: &str) -> Vec<&str> {
    msg.split('"').skip(1).step_by(2).collect()
}

/// Parse 8.x/9.x's `SchemaSuggestionsControlPlugin`: what a caller who may not introspect sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Nothing is stripped (master key, or versions before the plugin).
    None,
    /// 8.x: "Did you mean" hints and the required-input-field identifiers.
    Suggestions,
    /// 9.x: as 8.x, plus schema type names the caller did not write in the operation.
    SuggestionsAndTypes,
}

/// Apply a redaction to one message (`operation` is the request's document text).
pub fn redact(message: &str, redaction: Redaction, operation: &str) -> String {
    if redaction == Redaction::None {
        return message.to_owned();
    }
    let mut msg = strip_suggestion(message);
    msg = strip_required_field(&msg);
    if redaction == Redaction::SuggestionsAndTypes {
        msg = strip_type_names(&msg, operation);
    }
    msg
}

/// `/ ?Did you mean(.+?)\?$/` → "".
fn strip_suggestion(msg: &str) -> String {
    if !msg.ends_with('?') {
        return msg.to_owned();
    }
    match msg.find("Did you mean") {
        Some(i) if msg.len() > i + "Did you mean".len() + 1 => {
            let head = &msg[..i];
            head.strip_suffix(' ').unwrap_or(head).to_owned()
        }
        _ => msg.to_owned(),
    }
}

/// `Field "<x>" of required type "<y>" was not provided.` → `Field of required type was not provided.`
fn strip_required_field(msg: &str) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find("Field \"") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let q = quoted(tail);
        if q.len() >= 2 {
            let expected = format!(
                "Field \"{}\" of required type \"{}\" was not provided.",
                q[0], q[1]
            );
            if tail.starts_with(&expected) && !q[0].contains('"') {
                out.push_str("Field of required type was not provided.");
                rest = &tail[expected.len()..];
                continue;
            }
        }
        out.push_str("Field \"");
        rest = &tail["Field \"".len()..];
    }
    out.push_str(rest);
    out
}

/// 9.x: every schema type name a message names that the operation text does not contain as a
/// whole token (wrappers `[`, `]`, `!` aside) is taken out, wherever it appears in the message.
fn strip_type_names(msg: &str, operation: &str) -> String {
    use std::sync::OnceLock;

    use regex::{Captures, Regex};

    let tokens: std::collections::HashSet<&str> = operation
        .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .filter(|t| !t.is_empty())
        .collect();
    let referenced =
        |t: &str| tokens.contains(t.trim_matches(|c| c == '[' || c == ']' || c == '!'));
    // The message templates that name a type, and what each becomes without it.
    static RULES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [
            (
                r#"Expected value of type "([^"]+)""#,
                "Expected value of the correct type",
            ),
            (
                r#"Expected type "([^"]+)" to be an object\."#,
                "Expected an object.",
            ),
            (
                r#"Expected non-nullable type "([^"]+)" not to be null\."#,
                "Expected a non-null value.",
            ),
            (r#" is not defined by type "([^"]+)"\."#, " is not defined."),
            (
                r#" used in position expecting type "([^"]+)"\."#,
                " used in position expecting a different type.",
            ),
        ]
        .into_iter()
        .filter_map(|(re, to)| Regex::new(re).ok().map(|re| (re, to)))
        .collect()
    });
    let mut out = msg.to_owned();
    for (re, to) in rules {
        out = re
            .replace_all(&out, |c: &Captures<'_>| {
                if referenced(&c[1]) {
                    c[0].to_owned()
                } else {
                    (*to).to_owned()
                }
            })
            .into_owned();
    }
    static FIELDS: OnceLock<Option<(Regex, Regex, Regex)>> = OnceLock::new();
    let Some((on_type, selection, spread)) = FIELDS.get_or_init(|| {
        Some((
            Regex::new(r#"Cannot query field ("[^"]*") on type "([^"]+)"\."#).ok()?,
            Regex::new(r#"Field ("[^"]*") of type "([^"]+)" must have a selection of subfields\."#)
                .ok()?,
            Regex::new(r#"objects of type "([^"]+)" can never be of type "([^"]+)"\."#).ok()?,
        ))
    }) else {
        return out;
    };
    out = on_type
        .replace_all(&out, |c: &Captures<'_>| {
            if referenced(&c[2]) {
                c[0].to_owned()
            } else {
                format!("Cannot query field {}.", &c[1])
            }
        })
        .into_owned();
    out = selection
        .replace_all(&out, |c: &Captures<'_>| {
            if referenced(&c[2]) {
                c[0].to_owned()
            } else {
                format!("Field {} must have a selection of subfields.", &c[1])
            }
        })
        .into_owned();
    spread
        .replace_all(&out, |c: &Captures<'_>| {
            let parent = if referenced(&c[1]) {
                format!("type \"{}\"", &c[1])
            } else {
                "the parent type".to_owned()
            };
            let fragment = if referenced(&c[2]) {
                format!("type \"{}\"", &c[2])
            } else {
                "the given type".to_owned()
            };
            format!("objects of {parent} can never be of {fragment}.")
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_9_redactions() {
        let op = "mutation { users { logOut } }";
        assert_eq!(
            redact(
                "Cannot query field \"users\" on type \"Mutation\".",
                Redaction::SuggestionsAndTypes,
                op
            ),
            "Cannot query field \"users\"."
        );
        assert_eq!(
            redact(
                "Cannot query field \"users\" on type \"Mutation\".",
                Redaction::Suggestions,
                op
            ),
            "Cannot query field \"users\" on type \"Mutation\"."
        );
        assert_eq!(
            redact(
                "Field \"LogInInput.password\" of required type \"String!\" was not provided.",
                Redaction::Suggestions,
                op
            ),
            "Field of required type was not provided."
        );
        // Recorded on 9.10.0 (scenario B l.vars.unknownField; fixtures/graphql-diff:
        // mut.varBadValue.0, mut.fragmentImpossible.2).
        assert_eq!(
            redact(
                "Variable \"$input\" got invalid value { username: \"x\", password: \"y\", bogus: 1 }; Field \"bogus\" is not defined by type \"LogInInput\".",
                Redaction::SuggestionsAndTypes,
                "mutation LogInVars($input: LogInInput!) { logIn(input: $input) { viewer { sessionToken } } }"
            ),
            "Variable \"$input\" got invalid value { username: \"x\", password: \"y\", bogus: 1 }; Field \"bogus\" is not defined by type \"LogInInput\"."
        );
        assert_eq!(
            redact(
                "Variable \"$flag0\" got invalid value { nested: true } at \"flag0.ACL\"; Field \"nested\" is not defined by type \"ObjectWhereInput\".",
                Redaction::SuggestionsAndTypes,
                "query($flag0: UserWhereInput) { users(where: $flag0) { count } }"
            ),
            "Variable \"$flag0\" got invalid value { nested: true } at \"flag0.ACL\"; Field \"nested\" is not defined."
        );
        assert_eq!(
            redact(
                "Fragment \"Impossible\" cannot be spread here as objects of type \"User\" can never be of type \"SchemaGeoPointField\".",
                Redaction::SuggestionsAndTypes,
                "{ viewer { user { ...Impossible } } } fragment Impossible on SchemaGeoPointField { name }"
            ),
            "Fragment \"Impossible\" cannot be spread here as objects of the parent type can never be of type \"SchemaGeoPointField\"."
        );
        assert_eq!(
            redact(
                "Cannot query field \"vewer\" on type \"Query\". Did you mean \"viewer\"?",
                Redaction::Suggestions,
                op
            ),
            "Cannot query field \"vewer\" on type \"Query\"."
        );
    }
}
