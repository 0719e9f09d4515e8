//! GraphQL documents in a client's sources: `.graphql`/`.gql` files (one document each) and
//! templates tagged `gql`, `graphql` or `/* GraphQL */` in JavaScript and TypeScript.
//!
//! A template's `${Name}` interpolations are resolved when `Name` is a tagged template of the
//! same file (the usual way fragments are shared, which graphql-tag appends to the document);
//! others are left out and reported.

use std::path::{Path, PathBuf};

/// One document and where each of its lines comes from.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    /// The document text graphql-js would receive.
    pub text: String,
    /// For each line of `text`: its line in `file` and how many columns it is shifted by.
    lines: Vec<(usize, usize)>,
    /// `${...}` interpolations that could not be resolved.
    pub unresolved: Vec<String>,
}

impl Source {
    /// A document position (1-based line and column) as a position in the file.
    pub fn locate(&self, line: usize, column: usize) -> (usize, usize) {
        match self.lines.get(line.saturating_sub(1)) {
            Some((file_line, shift)) => (*file_line, column + shift),
            None => (line, column),
        }
    }

    /// Where the document starts in its file.
    pub fn start(&self) -> (usize, usize) {
        self.locate(1, 1)
    }
}

const DOCUMENT_EXTENSIONS: [&str; 2] = ["graphql", "gql"];
const SCRIPT_EXTENSIONS: [&str; 8] = ["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"];
const SKIPPED_DIRECTORIES: [&str; 4] = ["node_modules", ".git", "target", "dist"];

/// The files under `paths` that can hold documents, in a stable order.
pub fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !SKIPPED_DIRECTORIES.contains(&name) {
                walk(&p, out)?;
            }
        } else if kind(&p).is_some() {
            out.push(p);
        }
    }
    Ok(())
}

enum Kind {
    Document,
    Script,
}

fn kind(p: &Path) -> Option<Kind> {
    let ext = p.extension().and_then(|e| e.to_str())?.to_ascii_lowercase();
    if DOCUMENT_EXTENSIONS.contains(&ext.as_str()) {
        Some(Kind::Document)
    } else if SCRIPT_EXTENSIONS.contains(&ext.as_str()) {
        Some(Kind::Script)
    } else {
        None
    }
}

/// The documents of one file (a file of another kind is read as a `.graphql` file).
pub fn documents(file: &Path) -> Result<Vec<Source>, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    Ok(match kind(file) {
        Some(Kind::Script) => templates(file, &text),
        _ => {
            let lines = (1..=text.lines().count().max(1)).map(|l| (l, 0)).collect();
            vec![Source {
                file: file.to_path_buf(),
                text,
                lines,
                unresolved: Vec::new(),
            }]
        }
    })
}

/// A tagged template found in a script.
struct Template {
    /// `const Name = gql`...``: the name it is bound to.
    binding: Option<String>,
    /// The template's text with interpolations blanked out, and where it starts.
    text: String,
    line: usize,
    column: usize,
    interpolations: Vec<String>,
}

fn templates(file: &Path, src: &str) -> Vec<Source> {
    let found = scan(src);
    let by_name = |name: &str| found.iter().find(|t| t.binding.as_deref() == Some(name));
    found
        .iter()
        .map(|t| {
            let mut text = t.text.clone();
            let mut lines = line_map(t.line, t.column, &t.text);
            let mut unresolved = Vec::new();
            // graphql-tag appends interpolated documents; resolve them depth-first, once each.
            let mut queue: Vec<String> = t.interpolations.clone();
            let mut added: Vec<String> = Vec::new();
            while let Some(name) = queue.first().cloned() {
                queue.remove(0);
                if added.contains(&name) {
                    continue;
                }
                match by_name(&name) {
                    Some(other) => {
                        text.push('\n');
                        text.push_str(&other.text);
                        lines.extend(line_map(other.line, other.column, &other.text));
                        added.push(name);
                        queue.extend(other.interpolations.iter().cloned());
                    }
                    None => unresolved.push(name),
                }
            }
            Source {
                file: file.to_path_buf(),
                text,
                lines,
                unresolved,
            }
        })
        .collect()
}

/// File line and column shift of each line of a template starting at (line, column).
fn line_map(line: usize, column: usize, text: &str) -> Vec<(usize, usize)> {
    let n = text.split('\n').count();
    (0..n)
        .map(|i| (line + i, if i == 0 { column - 1 } else { 0 }))
        .collect()
}

/// A position in a script being scanned.
struct Cursor {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

impl Cursor {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
}

/// Find tagged templates: `gql`, `graphql` (optionally called with a type argument), and
/// templates after a `/* GraphQL */` comment. Strings and comments are skipped.
fn scan(src: &str) -> Vec<Template> {
    let mut cur = Cursor {
        chars: src.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    let mut out = Vec::new();
    let mut last_word = String::new();
    let mut words: Vec<String> = Vec::new();
    let mut graphql_comment = false;
    while let Some(c) = cur.peek(0) {
        if c == '/' && cur.peek(1) == Some('/') {
            while cur.peek(0).is_some_and(|c| c != '\n') {
                cur.bump();
            }
            continue;
        }
        if c == '/' && cur.peek(1) == Some('*') {
            let mut comment = String::new();
            while let Some(c) = cur.peek(0) {
                if c == '*' && cur.peek(1) == Some('/') {
                    cur.bump();
                    cur.bump();
                    break;
                }
                comment.push(c);
                cur.bump();
            }
            graphql_comment = comment.trim_start_matches("/*").trim() == "GraphQL";
            continue;
        }
        if c == '\'' || c == '"' {
            cur.bump();
            while let Some(ch) = cur.peek(0) {
                if ch == c || ch == '\n' {
                    break;
                }
                if ch == '\\' {
                    cur.bump();
                }
                cur.bump();
            }
            cur.bump();
            last_word.clear();
            continue;
        }
        if c == '`' {
            let tagged = graphql_comment || last_word == "gql" || last_word == "graphql";
            // `const NAME = gql`: the words before the tag.
            let binding = if tagged && words.len() >= 2 {
                let n = words.len();
                (words[n - 1] == "gql" || words[n - 1] == "graphql")
                    .then(|| words[n - 2].clone())
                    .filter(|w| !matches!(w.as_str(), "const" | "let" | "var" | "export"))
            } else {
                None
            };
            cur.bump();
            let (line, column) = (cur.line, cur.col);
            let (text, interpolations) = template_body(&mut cur);
            if tagged {
                out.push(Template {
                    binding,
                    text,
                    line,
                    column,
                    interpolations,
                });
            }
            graphql_comment = false;
            last_word.clear();
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut w = String::new();
            while let Some(ch) = cur.peek(0) {
                if !(ch.is_alphanumeric() || ch == '_' || ch == '$') {
                    break;
                }
                w.push(ch);
                cur.bump();
            }
            words.push(w.clone());
            if words.len() > 4 {
                words.remove(0);
            }
            last_word = w;
            continue;
        }
        if !c.is_whitespace() && !matches!(c, '=' | '(' | '<' | '>') {
            // `gql(`...`)`, `graphql<T>(`...`)` and `= gql`...`` keep the tag in view.
            last_word.clear();
            graphql_comment = false;
        }
        cur.bump();
    }
    out
}

/// A template literal's cooked text (interpolations blanked, lines kept) up to its closing
/// backtick, and the interpolated expressions.
fn template_body(cur: &mut Cursor) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut interpolations = Vec::new();
    while let Some(ch) = cur.peek(0) {
        if ch == '`' {
            cur.bump();
            break;
        }
        if ch == '\\' {
            cur.bump();
            let Some(next) = cur.bump() else { break };
            match next {
                '`' | '\\' | '$' => text.push(next),
                'n' => text.push('\n'),
                't' => text.push('\t'),
                other => {
                    text.push('\\');
                    text.push(other);
                }
            }
            continue;
        }
        if ch == '$' && cur.peek(1) == Some('{') {
            let mut depth = 0usize;
            let mut expr = String::new();
            while let Some(e) = cur.bump() {
                text.push(if e == '\n' { '\n' } else { ' ' });
                match e {
                    '{' => {
                        depth += 1;
                        if depth > 1 {
                            expr.push(e);
                        }
                    }
                    '}' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                        expr.push(e);
                    }
                    _ if depth >= 1 => expr.push(e),
                    _ => {}
                }
            }
            let expr = expr.trim().to_owned();
            if !expr.is_empty() {
                interpolations.push(expr);
            }
            continue;
        }
        text.push(ch);
        cur.bump();
    }
    (text, interpolations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_templates_and_their_fragments() {
        let src = "import gql from 'graphql-tag';\n\
                   const USER = gql`\n  fragment U on User { id }\n`;\n\
                   export const Q = gql`query Q { viewer { user { ...U } } } ${USER}`;\n\
                   const notGraphql = `query { nope }`;\n\
                   const C = /* GraphQL */ `{ health }`;\n";
        let docs = templates(Path::new("a.ts"), src);
        assert_eq!(docs.len(), 3);
        assert!(docs[1].text.contains("fragment U on User"));
        assert!(docs[1].unresolved.is_empty());
        // `query` starts at line 5, column 22 of the file.
        assert_eq!(docs[1].start(), (5, 22));
        assert_eq!(docs[2].text, "{ health }");
        // A position inside the appended fragment maps back to its own template.
        let appended_line = docs[1]
            .text
            .lines()
            .position(|l| l.contains("fragment"))
            .unwrap();
        assert_eq!(docs[1].locate(appended_line + 1, 3).0, 3);
    }

    #[test]
    fn unresolved_interpolations_are_reported() {
        let docs = templates(Path::new("b.js"), "gql`{ a ${imported} }`");
        assert_eq!(docs[0].unresolved, vec!["imported".to_string()]);
    }
}
