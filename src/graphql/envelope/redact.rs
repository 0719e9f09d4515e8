//! Parse 8.x/9.x's `SchemaSuggestionsControlPlugin`: it rewrites graphql-js's messages for
//! callers who may not introspect the schema (no "Did you mean", no schema type names they did
//! not write). It edits the message text with regular expressions, so this does the same.

/// The strings inside double quotes, in order.
fn quoted(msg: &str) -> Vec<&str> {
    msg.split('"').skip(1).step_by(2).collect()
}

pub use crate::version::Redaction;

/// 8.6.94's `NON_DISCLOSING_TYPE_NAMES`: `RESERVED_GRAPHQL_TYPE_NAMES` and `ReadPreference`.
const NON_DISCLOSING_TYPE_NAMES: [&str; 29] = [
    "String",
    "Boolean",
    "Int",
    "Float",
    "ID",
    "ArrayResult",
    "Query",
    "Mutation",
    "Subscription",
    "CreateFileInput",
    "CreateFilePayload",
    "Viewer",
    "SignUpInput",
    "SignUpPayload",
    "LogInInput",
    "LogInPayload",
    "LogOutInput",
    "LogOutPayload",
    "CloudCodeFunction",
    "CallCloudCodeInput",
    "CallCloudCodePayload",
    "CreateClassInput",
    "CreateClassPayload",
    "UpdateClassInput",
    "UpdateClassPayload",
    "DeleteClassInput",
    "DeleteClassPayload",
    "PageInfo",
    "ReadPreference",
];

/// Apply a redaction to one message (`operation` is the request's document text).
pub fn redact(message: &str, redaction: Redaction, operation: &str) -> String {
    if redaction == Redaction::None {
        return message.to_owned();
    }
    let mut msg = strip_suggestion(message);
    msg = strip_required_field(&msg);
    match redaction {
        Redaction::None | Redaction::Suggestions => {}
        Redaction::SuggestionsAndTypes => msg = strip_type_names(&msg, operation, false),
        Redaction::SuggestionsTypesAndEnums => msg = strip_type_names(&msg, operation, true),
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
/// `newer`: 8.6.94's plugin, which keeps [`NON_DISCLOSING_TYPE_NAMES`] and also redacts
/// argument parents and enum names.
fn strip_type_names(msg: &str, operation: &str, newer: bool) -> String {
    use std::sync::OnceLock;

    use regex::{Captures, Regex};

    let tokens: std::collections::HashSet<&str> = operation
        .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .filter(|t| !t.is_empty())
        .collect();
    let referenced = |t: &str| {
        let bare: String = t
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '!'))
            .collect();
        tokens.contains(bare.as_str()) || (newer && NON_DISCLOSING_TYPE_NAMES.contains(&&*bare))
    };
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
    out = spread
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
        .into_owned();
    if !newer {
        return out;
    }
    static NEWER: OnceLock<Option<(Regex, Regex, Regex)>> = OnceLock::new();
    let Some((argument, enum_value, enum_type)) = NEWER.get_or_init(|| {
        Some((
            Regex::new(r#"Unknown argument ("[^"]*") on field "([^".]+)\.([^".]+)"\."#).ok()?,
            Regex::new(r#"Value ("[^"]*") does not exist in "([^"]+)" enum\."#).ok()?,
            Regex::new(r#"Enum "([^"]+)" cannot represent "#).ok()?,
        ))
    }) else {
        return out;
    };
    out = argument
        .replace_all(&out, |c: &Captures<'_>| {
            if referenced(&c[2]) {
                c[0].to_owned()
            } else {
                format!("Unknown argument {} on field \"{}\".", &c[1], &c[3])
            }
        })
        .into_owned();
    out = enum_value
        .replace_all(&out, |c: &Captures<'_>| {
            if referenced(&c[2]) {
                c[0].to_owned()
            } else {
                format!("Value {} does not exist in the enum.", &c[1])
            }
        })
        .into_owned();
    enum_type
        .replace_all(&out, |c: &Captures<'_>| {
            if referenced(&c[1]) {
                c[0].to_owned()
            } else {
                "Enum cannot represent ".to_owned()
            }
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

    /// Recorded on 8.6.94 (fixtures/graphql-diff: mut.unknownField.3 and .1, and the
    /// templates 9.10.0 does not have).
    #[test]
    fn parse_8_6_redactions_keep_the_names_every_schema_has() {
        let r = Redaction::SuggestionsTypesAndEnums;
        let op = "{ query }";
        // `Query` is Parse's own: kept, where 9.10.0 takes it out.
        let msg = "Cannot query field \"query\" on type \"Query\".";
        assert_eq!(redact(msg, r, op), msg);
        assert_eq!(
            redact(msg, Redaction::SuggestionsAndTypes, op),
            "Cannot query field \"query\"."
        );
        assert_eq!(
            redact(
                "Cannot query field \"query\" on type \"ResetPasswordPayload\".",
                r,
                "mutation { resetPassword(input: {email: \"x\"}) { query } }"
            ),
            "Cannot query field \"query\"."
        );
        assert_eq!(
            redact(
                "Unknown argument \"bogus\" on field \"User.username\".",
                r,
                "{ viewer { user { username(bogus: 1) } } }"
            ),
            "Unknown argument \"bogus\" on field \"username\"."
        );
        assert_eq!(
            redact(
                "Unknown argument \"bogus\" on field \"Query.health\".",
                r,
                "{ health(bogus: 1) }"
            ),
            "Unknown argument \"bogus\" on field \"Query.health\"."
        );
        assert_eq!(
            redact(
                "Value \"NOPE\" does not exist in \"UserOrder\" enum.",
                r,
                "{ users(order: [NOPE]) { count } }"
            ),
            "Value \"NOPE\" does not exist in the enum."
        );
        assert_eq!(
            redact(
                "Enum \"ReadPreference\" cannot represent non-enum value: \"x\".",
                r,
                "{ users(options: {readPreference: \"x\"}) { count } }"
            ),
            "Enum \"ReadPreference\" cannot represent non-enum value: \"x\"."
        );
        assert_eq!(
            redact(
                "Enum \"UserOrder\" cannot represent non-enum value: 1.",
                r,
                "{ users(order: 1) { count } }"
            ),
            "Enum cannot represent non-enum value: 1."
        );
    }
}
