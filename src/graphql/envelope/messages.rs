//! juniper's validation errors, rewritten into the graphql-js wording of the pinned version and
//! put in the order graphql-js reports them.
//!
//! juniper and graphql-js run the same rules but word them differently and juniper sorts its
//! errors by position. graphql-js visits the document once, each rule reacting on entering or
//! leaving a node, so an error's place in the list is the place of that event. Each rewritten
//! error carries that event as its sort key. Argument literals are checked again here the way
//! `ValuesOfCorrectTypeRule` does, because juniper reports only the first problem of a literal
//! and in its own terms.

use std::collections::HashMap;

use super::document::{Document, Field, Pos, Selection, Value, ValueKind};
use super::schema_info::{Kind, SchemaInfo, TypeRef};
use crate::version::GraphqlJs;

/// A validation error as graphql-js words and places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GqlError {
    pub message: String,
    pub locations: Vec<(usize, usize)>,
}

/// A juniper validation error: message and 0-based (line, character column) positions.
#[derive(Debug, Clone)]
pub struct RawError {
    pub message: String,
    pub positions: Vec<(usize, usize)>,
}

/// graphql-js 16's `specifiedRules` order (14 and 15 list these rules in the same order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    ExecutableDefinitions,
    UniqueOperationNames,
    LoneAnonymousOperation,
    KnownTypeNames,
    FragmentsOnCompositeTypes,
    VariablesAreInputTypes,
    ScalarLeafs,
    FieldsOnCorrectType,
    UniqueFragmentNames,
    KnownFragmentNames,
    NoUnusedFragments,
    PossibleFragmentSpreads,
    NoFragmentCycles,
    UniqueVariableNames,
    NoUndefinedVariables,
    NoUnusedVariables,
    KnownDirectives,
    KnownArgumentNames,
    UniqueArgumentNames,
    ValuesOfCorrectType,
    ProvidedRequiredArguments,
    VariablesInAllowedPosition,
    OverlappingFieldsCanBeMerged,
    UniqueInputFieldNames,
    /// Apollo Server's `NoIntrospection`, appended after graphql-js's rules.
    NoIntrospection,
}

/// When graphql-js reports: entering a node (at its start) or leaving it (at its end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    offset: usize,
    /// 0 = leave, 1 = enter: a node left at offset n is left before one entered there.
    phase: u8,
    rule: Rule,
}

/// The strings inside double quotes, in order.
fn quoted(msg: &str) -> Vec<&str> {
    msg.split('"').skip(1).step_by(2).collect()
}

fn with_period(msg: &str) -> String {
    if msg.ends_with('.') || msg.ends_with('?') {
        msg.to_owned()
    } else {
        format!("{msg}.")
    }
}

/// graphql-js's `didYouMean` suffix (up to five suggestions).
pub fn did_you_mean(suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions
        .iter()
        .take(5)
        .map(|s| format!("\"{s}\""))
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!(" Did you mean {one}?"),
        [a, b] => format!(" Did you mean {a} or {b}?"),
        [init @ .., last] => format!(" Did you mean {}, or {last}?", init.join(", ")),
    }
}

/// Optimal string alignment distance on lower-cased input, as graphql-js measures it.
fn lexical_distance(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    let (al, bl) = (a.to_lowercase(), b.to_lowercase());
    if al == bl {
        return 1;
    }
    let a: Vec<char> = al.chars().collect();
    let b: Vec<char> = bl.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// graphql-js `suggestionList` for the pinned major.
pub fn suggestion_list(js: GraphqlJs, input: &str, options: &[&str]) -> Vec<String> {
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for (i, option) in options.iter().enumerate() {
        let distance = lexical_distance(input, option);
        let ok = match js {
            GraphqlJs::V14 => {
                let threshold = (input.chars().count() as f64 / 2.0)
                    .max(option.chars().count() as f64 / 2.0)
                    .max(1.0);
                distance as f64 <= threshold
            }
            GraphqlJs::V15 | GraphqlJs::V16 => distance <= input.chars().count() * 2 / 5 + 1,
        };
        if ok {
            scored.push((distance, i, option));
        }
    }
    match js {
        GraphqlJs::V14 => scored.sort_by_key(|(d, i, _)| (*d, *i)),
        GraphqlJs::V15 | GraphqlJs::V16 => {
            scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_cmp(a.2, b.2)))
        }
    }
    scored.into_iter().map(|(_, _, s)| s.to_owned()).collect()
}

/// graphql-js 16 `naturalCompare` (digit runs compare as numbers).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let na: String = a[si..i].iter().collect();
            let nb: String = b[sj..j].iter().collect();
            let ord = na
                .trim_start_matches('0')
                .len()
                .cmp(&nb.trim_start_matches('0').len())
                .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
            if ord.is_ne() {
                return ord;
            }
        } else {
            let ord = a[i].cmp(&b[j]);
            if ord.is_ne() {
                return ord;
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

/// Everything the rewrite needs about one request.
pub struct Rewriter<'a> {
    pub js: GraphqlJs,
    pub source: &'a str,
    pub doc: &'a Document,
    pub info: &'a SchemaInfo,
    pub query_type: &'a str,
    pub mutation_type: &'a str,
}

impl Rewriter<'_> {
    /// Turn a 0-based juniper (line, character column) into a position in the source.
    fn pos_at(&self, line0: usize, col0: usize) -> Pos {
        let mut line = 0;
        let mut offset = 0;
        let mut chars = self.source.chars().peekable();
        while line < line0 {
            match chars.next() {
                None => break,
                Some('\n') => {
                    line += 1;
                    offset += 1;
                }
                Some('\r') => {
                    offset += 1;
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                        offset += 1;
                    }
                    line += 1;
                }
                Some(_) => offset += 1,
            }
        }
        let mut utf16 = 0;
        for c in chars.take(col0) {
            utf16 += c.len_utf16();
            offset += 1;
        }
        Pos {
            offset,
            line: line0 + 1,
            column: utf16 + 1,
            char_column: col0 + 1,
        }
    }

    fn field_at(&self, offset: usize) -> Option<&Field> {
        self.doc
            .fields()
            .into_iter()
            .find(|f| f.start.offset == offset)
    }

    fn operation_end(&self, offset: usize) -> usize {
        self.doc
            .operations
            .iter()
            .map(|o| (o.start.offset, o.end.offset))
            .chain(
                self.doc
                    .fragments
                    .iter()
                    .map(|f| (f.start.offset, f.end.offset)),
            )
            .find(|(s, e)| *s <= offset && offset < *e)
            .map(|(_, e)| e)
            .unwrap_or(self.doc.end.offset)
    }

    /// Argument literal positions mapped to their declared types (typed walk of the document).
    fn argument_types(&self) -> HashMap<usize, (TypeRef, &Value)> {
        fn walk<'d>(
            rw: &Rewriter<'_>,
            sel: &'d [Selection],
            parent: &str,
            out: &mut HashMap<usize, (TypeRef, &'d Value)>,
        ) {
            for s in sel {
                match s {
                    Selection::Field(f) => {
                        let info = rw.info.field(parent, &f.name);
                        for a in &f.arguments {
                            if let Some(def) =
                                info.and_then(|i| i.args.iter().find(|d| d.name == a.name))
                            {
                                out.insert(a.value.pos.offset, (def.ty.clone(), &a.value));
                            }
                        }
                        if let (Some(inner), Some(i)) = (&f.selection, info) {
                            walk(rw, inner, i.ty.named(), out);
                        }
                    }
                    Selection::Inline {
                        type_condition,
                        selection,
                        ..
                    } => walk(
                        rw,
                        selection,
                        type_condition.as_deref().unwrap_or(parent),
                        out,
                    ),
                    Selection::Spread { .. } => {}
                }
            }
        }
        let mut out = HashMap::new();
        for op in &self.doc.operations {
            let root = match op.kind {
                super::document::OperationKind::Mutation => self.mutation_type,
                _ => self.query_type,
            };
            walk(self, &op.selection, root, &mut out);
        }
        for f in &self.doc.fragments {
            walk(self, &f.selection, &f.type_condition, &mut out);
        }
        out
    }

    /// Rewrite and order juniper's validation errors. `no_introspection` adds Apollo Server's
    /// `NoIntrospection` rule (introspection disabled in production) after graphql-js's rules.
    pub fn rewrite(&self, raw: &[RawError], no_introspection: bool) -> Vec<GqlError> {
        let js = self.js;
        let v16 = js == GraphqlJs::V16;
        let v14 = js == GraphqlJs::V14;
        let arg_types = self.argument_types();
        let mut out: Vec<(Event, GqlError)> = Vec::new();
        for err in raw {
            let positions: Vec<Pos> = err
                .positions
                .iter()
                .map(|(l, c)| self.pos_at(*l, *c))
                .collect();
            let first = positions.first().copied().unwrap_or_default();
            let locations: Vec<(usize, usize)> =
                positions.iter().map(|p| (p.line, p.column)).collect();
            let enter = |rule| Event {
                offset: first.offset,
                phase: 1,
                rule,
            };
            let m = err.message.as_str();
            let q = quoted(m);
            let leaf_parent = |name: &str| {
                self.info
                    .types
                    .get(name)
                    .is_some_and(|t| matches!(t.kind, Kind::Scalar | Kind::Enum))
            };
            if m.starts_with("Unknown field ") && q.len() == 2 && leaf_parent(q[1]) {
                // graphql-js has no parent type under a leaf field: only ScalarLeafs reports.
                continue;
            }
            let (event, message) = if m.starts_with("Unknown field ") && q.len() == 2 {
                let options = self.info.field_names(q[1]);
                let suggestions = suggestion_list(js, q[0], &options);
                (
                    enter(Rule::FieldsOnCorrectType),
                    format!(
                        "Cannot query field \"{}\" on type \"{}\".{}",
                        q[0],
                        q[1],
                        did_you_mean(&suggestions)
                    ),
                )
            } else if m.starts_with("Unknown argument ")
                && m.contains("\" on field \"")
                && q.len() == 3
            {
                let args: Vec<&str> = self
                    .info
                    .field(q[2], q[1])
                    .map(|f| f.args.iter().map(|a| a.name.as_str()).collect())
                    .unwrap_or_default();
                let suggestions = did_you_mean(&suggestion_list(js, q[0], &args));
                let msg = if !v14 {
                    format!(
                        "Unknown argument \"{}\" on field \"{}.{}\".{suggestions}",
                        q[0], q[2], q[1]
                    )
                } else {
                    format!(
                        "Unknown argument \"{}\" on field \"{}\" of type \"{}\".{suggestions}",
                        q[0], q[1], q[2]
                    )
                };
                (enter(Rule::KnownArgumentNames), msg)
            } else if m.starts_with("Unknown argument ") && q.len() == 2 {
                (
                    enter(Rule::KnownArgumentNames),
                    format!("Unknown argument \"{}\" on directive \"@{}\".", q[0], q[1]),
                )
            } else if m.ends_with("is required but not provided") && q.len() == 3 {
                let end = self
                    .field_at(first.offset)
                    .map_or(first.offset, |f| f.end.offset);
                let head = if m.starts_with("Directive") {
                    format!("Directive \"{}\"", q[0])
                } else {
                    format!("Field \"{}\"", q[0])
                };
                (
                    Event {
                        offset: end,
                        phase: 0,
                        rule: Rule::ProvidedRequiredArguments,
                    },
                    format!(
                        "{head} argument \"{}\" of type \"{}\" is required, but it was not provided.",
                        q[1], q[2]
                    ),
                )
            } else if m.starts_with("Invalid value for argument ") {
                let found = arg_types.get(&first.offset);
                let mut literal = Vec::new();
                if let Some((ty, value)) = found {
                    self.check_value(value, Some(ty), &mut literal);
                }
                if literal.is_empty() {
                    let shown = found.map(|(t, v)| (t.to_string(), v.print()));
                    let (t, v) = shown.unwrap_or_else(|| (String::new(), String::new()));
                    let msg = if v14 {
                        format!("Expected type {t}, found {v}.")
                    } else {
                        format!("Expected value of type \"{t}\", found {v}.")
                    };
                    literal.push((first, msg));
                }
                for (pos, msg) in literal {
                    out.push((
                        Event {
                            offset: pos.offset,
                            phase: 1,
                            rule: Rule::ValuesOfCorrectType,
                        },
                        GqlError {
                            message: msg,
                            locations: vec![(pos.line, pos.column)],
                        },
                    ));
                }
                continue;
            } else if m.contains("must not have a selection since type ") && q.len() == 1 {
                let ty = m.rsplit("since type ").next().unwrap_or("");
                let ty = ty.trim_end_matches(" has no subfields");
                (
                    enter(Rule::ScalarLeafs),
                    format!(
                        "Field \"{}\" must not have a selection since type \"{ty}\" has no subfields.",
                        q[0]
                    ),
                )
            } else if m.contains("must have a selection of subfields") {
                (enter(Rule::ScalarLeafs), with_period(m))
            } else if m.starts_with("Unknown type ") && q.len() == 1 {
                let mut names: Vec<&str> = self.info.types.keys().map(String::as_str).collect();
                names.sort_unstable();
                let hint = did_you_mean(&suggestion_list(js, q[0], &names));
                (
                    enter(Rule::KnownTypeNames),
                    format!("Unknown type \"{}\".{hint}", q[0]),
                )
            } else if m.starts_with("Variable \"$") && m.contains(" is not defined") {
                let end = self.operation_end(first.offset);
                let msg = match q.get(1) {
                    Some(op) => format!(
                        "Variable \"{}\" is not defined by operation \"{op}\".",
                        q[0]
                    ),
                    None => format!("Variable \"{}\" is not defined.", q[0]),
                };
                (
                    Event {
                        offset: end,
                        phase: 0,
                        rule: Rule::NoUndefinedVariables,
                    },
                    msg,
                )
            } else if m.starts_with("Variable \"$") && m.contains(" is not used") {
                let end = self.operation_end(first.offset);
                let msg = match q.get(1) {
                    Some(op) => {
                        format!("Variable \"{}\" is never used in operation \"{op}\".", q[0])
                    }
                    None => format!("Variable \"{}\" is never used.", q[0]),
                };
                (
                    Event {
                        offset: end,
                        phase: 0,
                        rule: Rule::NoUnusedVariables,
                    },
                    msg,
                )
            } else if let Some(rest) = m.strip_prefix("Unknown fragment: ") {
                (
                    enter(Rule::KnownFragmentNames),
                    format!("Unknown fragment {rest}."),
                )
            } else if m.starts_with("Fragment \"") && m.ends_with("is never used") {
                (
                    Event {
                        offset: self.doc.end.offset,
                        phase: 0,
                        rule: Rule::NoUnusedFragments,
                    },
                    with_period(m),
                )
            } else if let Some(name) = m.strip_prefix("There can only be one operation named ") {
                // graphql-js points at the two names, not the operations.
                let names: Vec<(usize, usize)> = positions
                    .iter()
                    .map(|p| {
                        self.doc
                            .operations
                            .iter()
                            .find(|o| o.start.offset == p.offset)
                            .and_then(|o| o.name_pos)
                            .map_or((p.line, p.column), |n| (n.line, n.column))
                    })
                    .collect();
                let name = name.trim_matches('"');
                out.push((
                    enter(Rule::UniqueOperationNames),
                    GqlError {
                        message: format!("There can be only one operation named \"{name}\"."),
                        locations: names,
                    },
                ));
                continue;
            } else if let Some(name) = m.strip_prefix("There can only be one fragment named ") {
                let names: Vec<(usize, usize)> = positions
                    .iter()
                    .map(|p| {
                        self.doc
                            .fragments
                            .iter()
                            .find(|f| f.start.offset == p.offset)
                            .map_or((p.line, p.column), |f| (f.name_pos.line, f.name_pos.column))
                    })
                    .collect();
                let name = name.trim_matches('"');
                out.push((
                    enter(Rule::UniqueFragmentNames),
                    GqlError {
                        message: format!("There can be only one fragment named \"{name}\"."),
                        locations: names,
                    },
                ));
                continue;
            } else if let Some(name) = m.strip_prefix("There can only be one variable named ") {
                let name = name.trim_matches('"').trim_start_matches('$');
                let shown = if v16 {
                    format!("${name}")
                } else {
                    name.to_owned()
                };
                (
                    enter(Rule::UniqueVariableNames),
                    format!("There can be only one variable named \"{shown}\"."),
                )
            } else if let Some(rest) = m.strip_prefix("There can only be one argument named") {
                (
                    enter(Rule::UniqueArgumentNames),
                    with_period(&format!("There can be only one argument named{rest}")),
                )
            } else if let Some(rest) = m.strip_prefix("There can only be one input field named") {
                (
                    enter(Rule::UniqueInputFieldNames),
                    with_period(&format!("There can be only one input field named{rest}")),
                )
            } else if m.starts_with("This anonymous operation") {
                (enter(Rule::LoneAnonymousOperation), with_period(m))
            } else if m.starts_with("Unknown directive ") && q.len() == 1 {
                let shown = if v14 {
                    q[0].to_owned()
                } else {
                    format!("@{}", q[0])
                };
                (
                    enter(Rule::KnownDirectives),
                    format!("Unknown directive \"{shown}\"."),
                )
            } else if m.starts_with("Directive \"") && m.contains(" may not be used on ") {
                let loc = m.rsplit(" may not be used on ").next().unwrap_or("");
                let shown = if v14 {
                    q[0].to_owned()
                } else {
                    format!("@{}", q[0])
                };
                (
                    enter(Rule::KnownDirectives),
                    format!("Directive \"{shown}\" may not be used on {loc}."),
                )
            } else if m.contains("used in position expecting type") {
                let end = self.operation_end(first.offset);
                (
                    Event {
                        offset: end,
                        phase: 0,
                        rule: Rule::VariablesInAllowedPosition,
                    },
                    with_period(m),
                )
            } else if m.starts_with("Fields \"") && m.contains(" conflict because ") {
                (enter(Rule::OverlappingFieldsCanBeMerged), with_period(m))
            } else if m.contains("cannot be of non-input type") && q.len() == 2 {
                (
                    enter(Rule::VariablesAreInputTypes),
                    format!(
                        "Variable \"{}\" cannot be non-input type \"{}\".",
                        q[0], q[1]
                    ),
                )
            } else if let Some(name) = m.strip_prefix("Cannot spread fragment ") {
                (
                    enter(Rule::NoFragmentCycles),
                    format!("Cannot spread fragment {name} within itself."),
                )
            } else if m.contains("cannot condition non composite type") && q.len() == 2 {
                (
                    enter(Rule::FragmentsOnCompositeTypes),
                    format!(
                        "Fragment \"{}\" cannot condition on non composite type \"{}\".",
                        q[0], q[1]
                    ),
                )
            } else if m.contains("cannot be spread here") {
                (enter(Rule::PossibleFragmentSpreads), with_period(m))
            } else {
                (enter(Rule::ExecutableDefinitions), with_period(m))
            };
            out.push((event, GqlError { message, locations }));
        }
        if no_introspection {
            for pos in introspection_fields(self.doc) {
                out.push((
                    Event {
                        offset: pos.offset,
                        phase: 1,
                        rule: Rule::NoIntrospection,
                    },
                    GqlError {
                        message: APOLLO_NO_INTROSPECTION.to_owned(),
                        locations: vec![(pos.line, pos.column)],
                    },
                ));
            }
        }
        out.sort_by_key(|(e, _)| *e);
        out.into_iter().map(|(_, e)| e).collect()
    }

    /// `ValuesOfCorrectTypeRule` over every argument literal of the document, in visit order
    /// (used when juniper could not even read a literal, e.g. an `Int` where the schema has no
    /// `Int` type).
    pub fn literal_errors(&self) -> Vec<GqlError> {
        let mut found: Vec<(usize, TypeRef, &Value)> = self
            .argument_types()
            .into_iter()
            .map(|(offset, (ty, v))| (offset, ty, v))
            .collect();
        found.sort_by_key(|(offset, _, _)| *offset);
        let mut out = Vec::new();
        for (_, ty, value) in found {
            self.check_value(value, Some(&ty), &mut out);
        }
        out.into_iter()
            .map(|(pos, message)| GqlError {
                message,
                locations: vec![(pos.line, pos.column)],
            })
            .collect()
    }

    /// `ValuesOfCorrectTypeRule` for one literal, reporting in visit order.
    fn check_value(&self, value: &Value, ty: Option<&TypeRef>, out: &mut Vec<(Pos, String)>) {
        let v14 = self.js == GraphqlJs::V14;
        let Some(ty) = ty else { return };
        let expected = |out: &mut Vec<(Pos, String)>| {
            let msg = if v14 {
                format!("Expected type {ty}, found {}.", value.print())
            } else {
                format!("Expected value of type \"{ty}\", found {}.", value.print())
            };
            out.push((value.pos, msg));
        };
        let nullable = match ty {
            TypeRef::NonNull(inner) => inner.as_ref(),
            other => other,
        };
        match &value.kind {
            ValueKind::Variable(_) => {}
            ValueKind::Null => {
                if ty.is_non_null() {
                    expected(out);
                }
            }
            ValueKind::List(items) => match nullable {
                TypeRef::List(item) => {
                    for i in items {
                        self.check_value(i, Some(item), out);
                    }
                }
                TypeRef::Named(_) => self.check_leaf(value, ty, out),
                TypeRef::NonNull(_) => {}
            },
            ValueKind::Object(fields) => {
                let TypeRef::Named(name) = nullable else {
                    return self.check_leaf(value, ty, out);
                };
                let Some(t) = self.info.types.get(name) else {
                    return;
                };
                if t.kind != Kind::InputObject {
                    return self.check_leaf(value, ty, out);
                }
                for def in &t.input_fields {
                    let given = fields.iter().any(|(k, _, _)| k == &def.name);
                    if !given && def.ty.is_non_null() && !def.has_default {
                        let msg = if v14 {
                            format!(
                                "Field {name}.{} of required type {} was not provided.",
                                def.name, def.ty
                            )
                        } else {
                            format!(
                                "Field \"{name}.{}\" of required type \"{}\" was not provided.",
                                def.name, def.ty
                            )
                        };
                        out.push((value.pos, msg));
                    }
                }
                for (k, kpos, v) in fields {
                    match t.input_fields.iter().find(|d| &d.name == k) {
                        Some(def) => self.check_value(v, Some(&def.ty), out),
                        None => {
                            let names: Vec<&str> =
                                t.input_fields.iter().map(|d| d.name.as_str()).collect();
                            let hint = did_you_mean(&suggestion_list(self.js, k, &names));
                            let msg = if v14 {
                                format!("Field \"{k}\" is not defined by type {name}.{hint}")
                            } else {
                                format!("Field \"{k}\" is not defined by type \"{name}\".{hint}")
                            };
                            out.push((*kpos, msg));
                        }
                    }
                }
            }
            _ => self.check_leaf(value, ty, out),
        }
    }

    /// A scalar or enum position: graphql-js's built-in scalars' `parseLiteral` messages.
    fn check_leaf(&self, value: &Value, ty: &TypeRef, out: &mut Vec<(Pos, String)>) {
        let v14 = self.js == GraphqlJs::V14;
        let name = ty.named();
        let printed = value.print();
        let bad = |reason: String, out: &mut Vec<(Pos, String)>| {
            let msg = if v14 {
                format!("Expected type {ty}, found {printed}.")
            } else {
                reason
            };
            out.push((value.pos, msg));
        };
        let is_enum = self
            .info
            .types
            .get(name)
            .is_some_and(|t| t.kind == Kind::Enum);
        if is_enum {
            let values = self
                .info
                .types
                .get(name)
                .map(|t| t.enum_values.clone())
                .unwrap_or_default();
            match &value.kind {
                ValueKind::Enum(v) if values.contains(v) => {}
                ValueKind::Enum(v) => {
                    let opts: Vec<&str> = values.iter().map(String::as_str).collect();
                    let hint = did_you_mean(&suggestion_list(self.js, v, &opts));
                    bad(
                        format!("Value \"{v}\" does not exist in \"{name}\" enum.{hint}"),
                        out,
                    );
                }
                _ => bad(
                    format!("Enum \"{name}\" cannot represent non-enum value: {printed}."),
                    out,
                ),
            }
            return;
        }
        match (name, &value.kind) {
            ("String", ValueKind::String(_))
            | ("Boolean", ValueKind::Boolean(_))
            | ("Float", ValueKind::Int(_) | ValueKind::Float(_))
            | ("ID", ValueKind::String(_) | ValueKind::Int(_)) => {}
            ("Int", ValueKind::Int(n)) if n.parse::<i32>().is_err() => bad(
                format!("Int cannot represent non 32-bit signed integer value: {printed}"),
                out,
            ),
            ("Int", ValueKind::Int(_)) => {}
            ("String", _) => bad(
                format!("String cannot represent a non string value: {printed}"),
                out,
            ),
            ("Boolean", _) => bad(
                format!("Boolean cannot represent a non boolean value: {printed}"),
                out,
            ),
            ("Int", _) => bad(
                format!("Int cannot represent non-integer value: {printed}"),
                out,
            ),
            ("Float", _) => bad(
                format!("Float cannot represent non numeric value: {printed}"),
                out,
            ),
            ("ID", _) => bad(
                format!("ID cannot represent a non-string and non-integer value: {printed}"),
                out,
            ),
            _ => {}
        }
    }
}

/// Apollo Server 4's `NoIntrospection` message (introspection off under NODE_ENV=production).
pub const APOLLO_NO_INTROSPECTION: &str = "GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production";

/// Apollo Server's `NoIntrospection` rule: one error per `__schema` / `__type` field.
pub fn introspection_fields(doc: &Document) -> Vec<Pos> {
    doc.fields()
        .into_iter()
        .filter(|f| f.name == "__schema" || f.name == "__type")
        .map(|f| f.start)
        .collect()
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
    if msg.contains(" is not defined by type \"") && q.len() >= 2 {
        let suffix = format!(" is not defined by type \"{}\".", q[1]);
        if msg.ends_with(&suffix) && !referenced(q[1]) {
            return format!("{} is not defined.", &msg[..msg.len() - suffix.len()]);
        }
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
    fn suggestions_follow_graphql_js() {
        assert_eq!(
            suggestion_list(GraphqlJs::V16, "viewr", &["health", "viewer", "me"]),
            vec!["viewer".to_string()]
        );
        assert!(
            suggestion_list(
                GraphqlJs::V16,
                "thisFieldDoesNotExist",
                &["health", "viewer"]
            )
            .is_empty()
        );
        assert_eq!(
            did_you_mean(&["a".into(), "b".into(), "c".into()]),
            " Did you mean \"a\", \"b\", or \"c\"?"
        );
    }

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
