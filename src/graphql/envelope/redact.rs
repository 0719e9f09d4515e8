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

/// 9.x: schema type names the operation text does not contain are taken out of messages.
fn strip_type_names(msg: &str, operation: &str) -> String {
    let tokens: std::collections::HashSet<&str> = operation
        .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .filter(|t| !t.is_empty())
        .collect();
    let referenced =
        |t: &str| tokens.contains(t.trim_matches(|c| c == '[' || c == ']' || c == '!'));
    let q = quoted(msg);
    if msg.starts_with("Cannot query field \"") && q.len() == 2 {
        let full = format!("Cannot query field \"{}\" on type \"{}\".", q[0], q[1]);
        if msg == full && !referenced(q[1]) {
            return format!("Cannot query field \"{}\".", q[0]);
        }
    }
    if let Some(rest) = msg.strip_prefix("Expected value of type \"")
        && let Some((t, tail)) = rest.split_once('"')
        && !referenced(t)
    {
        return format!("Expected value of the correct type{tail}");
    }
    if msg.starts_with("Field \"")
        && msg.contains("\" must have a selection of subfields.")
        && q.len() >= 2
    {
        let full = format!(
            "Field \"{}\" of type \"{}\" must have a selection of subfields.",
            q[0], q[1]
        );
        if msg.starts_with(&full) && !referenced(q[1]) {
            return format!(
                "Field \"{}\" must have a selection of subfields.{}",
                q[0],
                &msg[full.len()..]
            );
        }
    }
    if msg.contains(" is not defined by type \"")
        && let Some(t) = q.last()
    {
        let suffix = format!(" is not defined by type \"{t}\".");
        if msg.ends_with(&suffix) && !referenced(q[1]) {
            return format!("{} is not defined.", &msg[..msg.len() - suffix.len()]);
        }
    }
    if let Some(start) = msg.find(" as objects of type \"")
        && let Some(t) = msg[start + " as objects of type \"".len()..]
            .split('"')
            .next()
        && !referenced(t)
    {
        return msg.replacen(
            &format!(" as objects of type \"{t}\""),
            " as objects of the parent type",
            1,
        );
    }
    if msg.contains(" used in position expecting type \"")
        && let Some(t) = q.last()
    {
        let suffix = format!(" used in position expecting type \"{t}\".");
        if msg.ends_with(&suffix) && !referenced(t) {
            return format!(
                "{} used in position expecting a different type.",
                &msg[..msg.len() - suffix.len()]
            );
        }
    }
    msg.to_owned()
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
        // Recorded on 9.10.0 (fixtures/graphql-diff: mut.varBadValue.0, mut.fragmentImpossible.2).
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
