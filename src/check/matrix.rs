//! `parse-compat matrix`: the same check for every recorded Parse version (one per schema
//! generation, HTTP stack and graphql-js release), as documents × versions, with the versions
//! where each document starts or stops being accepted.

use serde_json::{Value, json};

use super::extract::Source;
use super::{Caller, Problem, escape_cell, github_escape, label, verdict};
use crate::graphql::validation::schema::{RECORDED_SDL, SchemaModel};
use crate::version::{Behavior, ParseVersion};

/// One document across versions.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    pub source: Source,
    /// Per version (in `Matrix::versions` order): the first problem, or none.
    pub cells: Vec<Option<Problem>>,
}

#[derive(Debug, Clone)]
pub struct Matrix {
    pub versions: Vec<ParseVersion>,
    pub rows: Vec<Row>,
}

/// `3.7` → 3.7.0, `9.x` → the highest 9, `4.4.0` → itself.
pub fn bound(text: &str, upper: bool) -> Result<ParseVersion, String> {
    let parts: Vec<&str> = text.trim_start_matches('v').split('.').collect();
    let num = |i: usize, default: u32| -> Result<u32, String> {
        match parts.get(i).copied() {
            None | Some("x") | Some("*") => Ok(default),
            Some(p) => p
                .parse()
                .map_err(|_| format!("not a Parse version: {text:?} (try 3.7, 4.4.0 or 9.x)")),
        }
    };
    let wild = if upper { u32::MAX } else { 0 };
    Ok(ParseVersion::new(
        num(0, wild)?,
        num(1, wild)?,
        num(2, wild)?,
    ))
}

/// The recorded versions between `from` and `to` (inclusive).
pub fn versions(from: ParseVersion, to: ParseVersion) -> Vec<ParseVersion> {
    RECORDED_SDL
        .iter()
        .filter_map(|(v, _)| v.parse::<ParseVersion>().ok())
        .filter(|v| *v >= from && *v <= to)
        .collect()
}

pub fn build(
    sources: &[Source],
    versions: &[ParseVersion],
    caller: Caller,
) -> Result<Matrix, String> {
    let behaviors: Vec<Behavior> = versions
        .iter()
        .map(|v| Behavior::parse(&v.to_string()).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let schemas: Vec<_> = behaviors.iter().map(SchemaModel::for_behavior).collect();
    let rows = sources
        .iter()
        .map(|s| {
            let checked = super::Checked {
                source: s.clone(),
                operations: super::operation_names(&s.text),
                problems: Vec::new(),
            };
            Row {
                label: label(&checked),
                source: s.clone(),
                cells: behaviors
                    .iter()
                    .zip(&schemas)
                    .map(|(b, schema)| verdict(b, schema, s, caller).into_iter().next())
                    .collect(),
            }
        })
        .collect();
    Ok(Matrix {
        versions: versions.to_vec(),
        rows,
    })
}

/// Where a row's verdict changes: (version, now accepted?).
pub fn transitions(m: &Matrix, row: &Row) -> Vec<(ParseVersion, bool)> {
    let mut out = Vec::new();
    let mut prev: Option<bool> = None;
    for (v, cell) in m.versions.iter().zip(&row.cells) {
        let ok = cell.is_none();
        if prev.is_some_and(|p| p != ok) {
            out.push((*v, ok));
        }
        prev = Some(ok);
    }
    out
}

/// The versions a row is accepted by, as ranges (`3.10.0–4.4.0`).
pub fn accepted_ranges(m: &Matrix, row: &Row) -> Vec<String> {
    let mut out = Vec::new();
    let mut start: Option<ParseVersion> = None;
    let mut last: Option<ParseVersion> = None;
    for (v, cell) in m.versions.iter().zip(&row.cells) {
        if cell.is_none() {
            start.get_or_insert(*v);
            last = Some(*v);
        } else if let (Some(s), Some(l)) = (start.take(), last) {
            out.push(range(s, l));
        }
    }
    if let (Some(s), Some(l)) = (start, last) {
        out.push(range(s, l));
    }
    out
}

fn range(a: ParseVersion, b: ParseVersion) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    }
}

pub fn to_json(m: &Matrix) -> Value {
    json!({
        "versions": m.versions.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        "documents": m.rows.iter().map(|r| {
            let (line, column) = r.source.start();
            json!({
                "label": r.label,
                "file": r.source.file.display().to_string(),
                "line": line,
                "column": column,
                "acceptedBy": accepted_ranges(m, r),
                "verdicts": m.versions.iter().zip(&r.cells).map(|(v, c)| json!({
                    "version": v.to_string(),
                    "ok": c.is_none(),
                    "error": c.as_ref().map(|p| json!({
                        "message": p.message, "line": p.line, "column": p.column,
                    })),
                })).collect::<Vec<_>>(),
                "changes": transitions(m, r).iter().map(|(v, ok)| json!({
                    "version": v.to_string(),
                    "starts": ok,
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })
}

pub fn to_human(m: &Matrix) -> String {
    let width = m
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!("{:width$}", "document");
    for v in &m.versions {
        out.push_str(&format!("  {:>7}", short(v)));
    }
    out.push('\n');
    for r in &m.rows {
        out.push_str(&format!("{:width$}", r.label));
        for c in &r.cells {
            out.push_str(&format!("  {:>7}", if c.is_none() { "✔" } else { "✘" }));
        }
        out.push('\n');
    }
    out.push('\n');
    for r in &m.rows {
        let ranges = accepted_ranges(m, r);
        out.push_str(&format!(
            "{}\n  accepted by: {}\n",
            r.label,
            if ranges.is_empty() {
                "no version".to_owned()
            } else {
                ranges.join(", ")
            }
        ));
        for (v, ok) in transitions(m, r) {
            let what = if ok {
                "starts working"
            } else {
                "stops working"
            };
            out.push_str(&format!("  {what} in {v}"));
            if !ok
                && let Some(Some(p)) = m.versions.iter().position(|x| *x == v).map(|i| &r.cells[i])
            {
                out.push_str(&format!(": {}", p.message));
            }
            out.push('\n');
        }
        if transitions(m, r).is_empty()
            && let Some(Some(p)) = r.cells.first()
        {
            out.push_str(&format!("  refused everywhere: {}\n", p.message));
        }
    }
    out
}

fn short(v: &ParseVersion) -> String {
    v.to_string()
}

pub fn to_markdown(m: &Matrix) -> String {
    let mut out = String::from("| document |");
    for v in &m.versions {
        out.push_str(&format!(" {v} |"));
    }
    out.push_str("\n|---|");
    for _ in &m.versions {
        out.push_str("---|");
    }
    out.push('\n');
    for r in &m.rows {
        out.push_str(&format!("| `{}` |", escape_cell(&r.label)));
        for c in &r.cells {
            match c {
                None => out.push_str(" ✔ |"),
                Some(p) => out.push_str(&format!(" ✘ {} |", escape_cell(&p.message))),
            }
        }
        out.push('\n');
    }
    out
}

pub fn to_github(m: &Matrix) -> String {
    let mut out = String::new();
    for r in &m.rows {
        for (v, ok) in transitions(m, r) {
            if ok {
                continue;
            }
            let i = m.versions.iter().position(|x| *x == v).unwrap_or(0);
            if let Some(p) = &r.cells[i] {
                out.push_str(&format!(
                    "::warning file={},line={},col={}::stops working in Parse {v}: {}\n",
                    r.source.file.display(),
                    p.line,
                    p.column,
                    github_escape(&p.message)
                ));
            }
        }
    }
    out
}
