//! `parse-compat diff FROM TO`: what changes for a client of Parse's auth API between two
//! versions. Two parts, each from what the product itself runs on:
//!
//! - the schema: the real SDL of each version (`fixtures/schema/`, printed by real Parse on a
//!   fresh database) compared as graphql-inspector compares schemas, with its change names
//!   and criticality ([`schema`]);
//! - the behaviour: every fact of the version table ([`crate::version::Behavior::facts`]) that
//!   differs, judged by the mark the table gives it.
//!
//! Exit 1 when something breaking changed, 2 for bad usage.

pub mod schema;

use serde_json::{Value, json};

use crate::version::{Behavior, Criticality, ParseVersion};

/// The recorded SDL that stands for a version (shared with validation, which reads the same
/// schemas).
pub use crate::graphql::validation::schema::sdl_for;

/// One changed fact of the version table.
#[derive(Debug, Clone)]
pub struct BehaviorChange {
    pub key: String,
    pub description: String,
    pub from: String,
    pub to: String,
    pub criticality: Criticality,
}

/// What `diff` found.
#[derive(Debug, Clone)]
pub struct Report {
    pub from: ParseVersion,
    pub to: ParseVersion,
    /// The recorded versions whose SDL stood for `from` and `to`.
    pub from_schema: &'static str,
    pub to_schema: &'static str,
    pub schema: Vec<schema::Change>,
    pub behavior: Vec<BehaviorChange>,
}

impl Report {
    pub fn count(&self, level: Criticality) -> usize {
        self.schema
            .iter()
            .filter(|c| c.criticality == level)
            .count()
            + self
                .behavior
                .iter()
                .filter(|c| c.criticality == level)
                .count()
    }

    pub fn breaking(&self) -> bool {
        self.count(Criticality::Breaking) > 0
    }
}

/// Compare two versions; `verbose` keeps the schema changes graphql-inspector's CLI leaves
/// out under an addition.
pub fn diff(from: &Behavior, to: &Behavior, verbose: bool) -> Result<Report, String> {
    let (from_schema, from_sdl) = sdl_for(from);
    let (to_schema, to_sdl) = sdl_for(to);
    let schema = if verbose {
        schema::diff_verbose(from_sdl, to_sdl)?
    } else {
        schema::diff(from_sdl, to_sdl)?
    };
    let old = from.facts();
    let new = to.facts();
    let behavior = old
        .iter()
        .zip(&new)
        .filter_map(|(a, b)| {
            a.change_criticality(b).map(|criticality| BehaviorChange {
                key: a.key.clone(),
                description: a.description.clone(),
                from: a.value.clone(),
                to: b.value.clone(),
                criticality,
            })
        })
        .collect();
    Ok(Report {
        from: from.version,
        to: to.version,
        from_schema,
        to_schema,
        schema,
        behavior,
    })
}

/// graphql-inspector's names for the levels.
pub const fn level_name(level: Criticality) -> &'static str {
    match level {
        Criticality::Breaking => "BREAKING",
        Criticality::Dangerous => "DANGEROUS",
        Criticality::Safe => "NON_BREAKING",
    }
}

const fn mark(level: Criticality) -> &'static str {
    match level {
        Criticality::Breaking => "✘",
        Criticality::Dangerous => "!",
        Criticality::Safe => "✔",
    }
}

/// The report as stable JSON (documented in the README).
pub fn to_json(r: &Report) -> Value {
    json!({
        "from": r.from.to_string(),
        "to": r.to.to_string(),
        "schemaOf": {"from": r.from_schema, "to": r.to_schema},
        "schema": r.schema.iter().map(schema::Change::to_json).collect::<Vec<_>>(),
        "behavior": r.behavior.iter().map(|c| json!({
            "key": c.key,
            "description": c.description,
            "from": c.from,
            "to": c.to,
            "criticality": {"level": level_name(c.criticality)},
        })).collect::<Vec<_>>(),
        "summary": {
            "breaking": r.count(Criticality::Breaking),
            "dangerous": r.count(Criticality::Dangerous),
            "safe": r.count(Criticality::Safe),
        },
    })
}

pub fn to_human(r: &Report) -> String {
    let mut out = format!(
        "Parse {} → {} (schemas of real Parse {} and {})\n",
        r.from, r.to, r.from_schema, r.to_schema
    );
    out.push_str(&format!("\nBehaviour ({} changes)\n", r.behavior.len()));
    for c in &r.behavior {
        out.push_str(&format!(
            "  {} {:<12} {}: {} → {}\n      {}\n",
            mark(c.criticality),
            level_name(c.criticality),
            c.key,
            c.from,
            c.to,
            c.description
        ));
    }
    out.push_str(&format!("\nSchema ({} changes)\n", r.schema.len()));
    for c in &r.schema {
        out.push_str(&format!(
            "  {} {:<12} {:<32} {}\n",
            mark(c.criticality),
            level_name(c.criticality),
            c.kind,
            c.message
        ));
    }
    out.push_str(&format!(
        "\n{} breaking, {} dangerous, {} safe\n",
        r.count(Criticality::Breaking),
        r.count(Criticality::Dangerous),
        r.count(Criticality::Safe)
    ));
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn to_markdown(r: &Report) -> String {
    let mut out = format!(
        "## Parse {} → {}\n\n{} breaking, {} dangerous, {} safe (schemas of real Parse {} and {})\n\n",
        r.from,
        r.to,
        r.count(Criticality::Breaking),
        r.count(Criticality::Dangerous),
        r.count(Criticality::Safe),
        r.from_schema,
        r.to_schema
    );
    out.push_str(
        "### Behaviour\n\n| level | fact | from | to | meaning |\n|---|---|---|---|---|\n",
    );
    for c in &r.behavior {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            level_name(c.criticality),
            c.key,
            md_cell(&c.from),
            md_cell(&c.to),
            md_cell(&c.description)
        ));
    }
    out.push_str("\n### Schema\n\n| level | change | message |\n|---|---|---|\n");
    for c in &r.schema {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            level_name(c.criticality),
            c.kind,
            md_cell(&c.message)
        ));
    }
    out
}

/// GitHub workflow commands: an error per breaking change, a warning per dangerous one, a
/// notice per safe one.
pub fn to_github(r: &Report) -> String {
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let command = |level: Criticality| match level {
        Criticality::Breaking => "error",
        Criticality::Dangerous => "warning",
        Criticality::Safe => "notice",
    };
    let mut out = String::new();
    for c in &r.behavior {
        out.push_str(&format!(
            "::{} title=Parse {} → {}: {}::{}: {} → {}\n",
            command(c.criticality),
            r.from,
            r.to,
            c.key,
            escape(&c.description),
            escape(&c.from),
            escape(&c.to)
        ));
    }
    for c in &r.schema {
        out.push_str(&format!(
            "::{} title=Parse {} → {}: {}::{}\n",
            command(c.criticality),
            r.from,
            r.to,
            c.kind,
            escape(&c.message)
        ));
    }
    out
}
