//! `parse-compat check` and `parse-compat matrix`: what a pinned Parse version refuses in a
//! client's GraphQL documents before executing them — syntax errors, validation errors in its
//! graphql-js wording and locations, and its introspection policy — with the reading and
//! validation code the server runs ([`crate::graphql::validation`]).

pub mod extract;
pub mod matrix;

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::graphql::envelope::document::{self, DEEP_NESTING, STACK_OVERFLOW};
use crate::graphql::envelope::pipeline::{
    apollo_refuses_introspection, plugin_refuses_introspection, redaction_for,
};
use crate::graphql::envelope::redact;
use crate::graphql::validation::schema::SchemaModel;
use crate::graphql::validation::{self, Extra, Flavor, Verdict};
use crate::version::Behavior;
use extract::Source;

/// One refusal, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// A document and what one version says about it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub source: Source,
    /// The operations it defines (`anonymous query` for an unnamed one).
    pub operations: Vec<String>,
    pub problems: Vec<Problem>,
}

/// What a caller is, for the parts of the answer that depend on it (8.x/9.x hide schema
/// details from callers without the master key; 9.x refuses them introspection).
#[derive(Debug, Clone, Copy, Default)]
pub struct Caller {
    pub master: bool,
}

/// Every document under `paths` that a client sends: a document of fragments only (a
/// fragment library, or a template interpolated into others) is checked where it is used.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    for f in extract::files(paths)? {
        out.extend(
            extract::documents(&f)?
                .into_iter()
                .filter(|s| !fragments_only(&s.text)),
        );
    }
    Ok(out)
}

fn fragments_only(text: &str) -> bool {
    document::parse(text, crate::version::GraphqlJs::V16)
        .is_ok_and(|d| d.operations.is_empty() && !d.fragments.is_empty())
}

/// What `behavior`'s Parse says about one document before executing it.
pub fn verdict(
    behavior: &Behavior,
    schema: &SchemaModel,
    source: &Source,
    caller: Caller,
) -> Vec<Problem> {
    let text = &source.text;
    let at = |line: usize, column: usize, message: String| {
        let (line, column) = source.locate(line, column);
        Problem {
            message,
            line,
            column,
        }
    };
    let redaction = redaction_for(behavior, caller.master);
    let doc = match document::parse_nested(text, behavior.graphql_js_release, DEEP_NESTING) {
        Ok(doc) => doc,
        Err(e) if e.message == STACK_OVERFLOW => {
            let (line, column) = source.start();
            return vec![Problem {
                message: STACK_OVERFLOW.into(),
                line,
                column,
            }];
        }
        Err(e) => {
            let message = redact::redact(&format!("Syntax Error: {}", e.message), redaction, text);
            return vec![at(e.pos.line, e.pos.column, message)];
        }
    };
    let extra = Extra {
        no_introspection: apollo_refuses_introspection(behavior),
    };
    match validation::validate(schema, &doc, Flavor::of(behavior), extra) {
        Verdict::StackOverflow => {
            let (line, column) = source.start();
            vec![Problem {
                message: STACK_OVERFLOW.into(),
                line,
                column,
            }]
        }
        Verdict::Errors(errors) if !errors.is_empty() => errors
            .into_iter()
            .map(|e| {
                let (line, column) = e.locations.first().copied().unwrap_or((1, 1));
                at(line, column, redact::redact(&e.message, redaction, text))
            })
            .collect(),
        Verdict::Errors(_) => {
            if plugin_refuses_introspection(behavior, caller.master, text, &doc) {
                let (line, column) = source.start();
                return vec![Problem {
                    message: "Introspection is not allowed".into(),
                    line,
                    column,
                }];
            }
            Vec::new()
        }
    }
}

fn operation_names(text: &str) -> Vec<String> {
    match document::parse(text, crate::version::GraphqlJs::V16) {
        Ok(doc) => doc
            .operations
            .iter()
            .map(|o| match &o.name {
                Some(n) => n.clone(),
                None => format!("anonymous {}", o.kind.name()),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Check every document against one version.
pub fn check(behavior: &Behavior, sources: &[Source], caller: Caller) -> Vec<Checked> {
    let schema = SchemaModel::for_behavior(behavior);
    sources
        .iter()
        .map(|s| Checked {
            source: s.clone(),
            operations: operation_names(&s.text),
            problems: verdict(behavior, &schema, s, caller),
        })
        .collect()
}

/// A document's name in reports: `file:line (Operation, ...)`.
pub fn label(c: &Checked) -> String {
    let (line, _) = c.source.start();
    let ops = if c.operations.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.operations.join(", "))
    };
    format!("{}:{line}{ops}", c.source.file.display())
}

pub fn to_json(behavior: &Behavior, checked: &[Checked]) -> Value {
    let documents: Vec<Value> = checked
        .iter()
        .map(|c| {
            let (line, column) = c.source.start();
            json!({
                "file": c.source.file.display().to_string(),
                "line": line,
                "column": column,
                "operations": c.operations,
                "ok": c.problems.is_empty(),
                "errors": c.problems.iter().map(|p| json!({
                    "message": p.message,
                    "line": p.line,
                    "column": p.column,
                })).collect::<Vec<_>>(),
                "unresolvedInterpolations": c.source.unresolved,
            })
        })
        .collect();
    json!({
        "parseVersion": behavior.version.to_string(),
        "documents": documents,
        "refused": checked.iter().filter(|c| !c.problems.is_empty()).count(),
    })
}

pub fn to_human(behavior: &Behavior, checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        for name in &c.source.unresolved {
            let (line, column) = c.source.start();
            out.push_str(&format!(
                "{}:{line}:{column}: note: ${{{name}}} is not a document of this file; checked without it\n",
                c.source.file.display()
            ));
        }
        for p in &c.problems {
            out.push_str(&format!(
                "{}:{}:{}: error: {}\n",
                c.source.file.display(),
                p.line,
                p.column,
                p.message
            ));
        }
    }
    let refused = checked.iter().filter(|c| !c.problems.is_empty()).count();
    out.push_str(&format!(
        "{} document(s), {} refused by Parse {}\n",
        checked.len(),
        refused,
        behavior.version
    ));
    out
}

pub fn to_markdown(behavior: &Behavior, checked: &[Checked]) -> String {
    let mut out = format!(
        "### GraphQL documents against Parse {}\n\n| document | verdict |\n|---|---|\n",
        behavior.version
    );
    for c in checked {
        let verdict = match c.problems.first() {
            None => "✔".to_owned(),
            Some(p) => format!("✘ {}:{} {}", p.line, p.column, escape_cell(&p.message)),
        };
        out.push_str(&format!("| `{}` | {verdict} |\n", escape_cell(&label(c))));
    }
    out
}

pub fn to_github(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        for p in &c.problems {
            out.push_str(&format!(
                "::error file={},line={},col={}::{}\n",
                c.source.file.display(),
                p.line,
                p.column,
                github_escape(&p.message)
            ));
        }
    }
    out
}

pub(crate) fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// GitHub workflow-command data escaping (`%`, CR, LF).
pub(crate) fn github_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}
