//! A GraphQL document read the way graphql-js reads it: the same tokens, the same syntax errors
//! (worded per graphql-js major), and the positions its validation rules report.
//!
//! juniper parses the document again when it executes; this reading exists because the
//! envelope needs graphql-js's syntax error texts, the operation type before execution (GET
//! mutations, introspection policy) and node extents to order validation errors as graphql-js
//! visits them.

use super::schema_info::TypeRef;
use crate::version::{GraphqlJs, GraphqlJsRelease};

/// A place in the source: character offset and graphql-js's 1-based line and column (UTF-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    /// Column counted in Unicode scalar values (juniper's way), 1-based.
    pub char_column: usize,
}

/// A syntax error as graphql-js words it, without the `Syntax Error: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

impl OperationKind {
    pub const fn name(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Subscription => "subscription",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub operations: Vec<Operation>,
    pub fragments: Vec<Fragment>,
    /// Type system definitions and extensions: graphql-js parses them in any document and
    /// refuses them in validation (`ExecutableDefinitionsRule`).
    pub type_system: Vec<TypeSystemDefinition>,
    pub end: Pos,
}

/// A type system definition or extension, kept as what validation visits in it.
#[derive(Debug, Clone)]
pub struct TypeSystemDefinition {
    pub start: Pos,
    /// The defined name (`None` for `schema` and `extend schema`).
    pub name: Option<String>,
    /// A type definition (not an extension, not a directive definition): its name counts as a
    /// known type.
    pub defines_type: bool,
    /// A directive definition: its name and locations.
    pub directive: Option<(String, Vec<String>)>,
    /// Named types, directives and default values, in graphql-js's visit order.
    pub parts: Vec<SdlPart>,
}

#[derive(Debug, Clone)]
pub enum SdlPart {
    NamedType {
        name: String,
        pos: Pos,
    },
    /// The directives of one node, with the node's directive location.
    Directives {
        list: Vec<Directive>,
        location: &'static str,
    },
    Value(Value),
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: OperationKind,
    pub name: Option<String>,
    /// Where the name is (graphql-js reports name nodes, e.g. for duplicate names).
    pub name_pos: Option<Pos>,
    pub start: Pos,
    pub end: Pos,
    pub variables: Vec<VariableDefinition>,
    pub directives: Vec<Directive>,
    /// Where the selection set opens.
    pub selection_pos: Pos,
    pub selection: Vec<Selection>,
}

#[derive(Debug, Clone)]
pub struct VariableDefinition {
    pub name: String,
    /// The `$` of the definition (graphql-js's variable and definition nodes start there).
    pub start: Pos,
    /// The variable's name token (after `$`).
    pub name_pos: Pos,
    pub ty: TypeRef,
    /// Where the type starts, and where its named type is.
    pub ty_pos: Pos,
    pub named_pos: Pos,
    pub has_default: bool,
    pub default: Option<Value>,
    pub directives: Vec<Directive>,
}

/// `@name(arguments)`, at its `@`.
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: String,
    pub pos: Pos,
    pub arguments: Vec<Argument>,
}

#[derive(Debug, Clone)]
pub struct Fragment {
    pub name: String,
    pub name_pos: Pos,
    pub type_condition: String,
    pub type_condition_pos: Pos,
    pub start: Pos,
    pub end: Pos,
    pub directives: Vec<Directive>,
    pub selection_pos: Pos,
    pub selection: Vec<Selection>,
}

#[derive(Debug, Clone)]
pub enum Selection {
    Field(Field),
    Spread {
        name: String,
        start: Pos,
        name_pos: Pos,
        directives: Vec<Directive>,
    },
    Inline {
        start: Pos,
        type_condition: Option<String>,
        type_condition_pos: Pos,
        directives: Vec<Directive>,
        selection_pos: Pos,
        selection: Vec<Selection>,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub alias: Option<String>,
    pub name: String,
    /// The field node's start: its alias when it has one, else its name.
    pub start: Pos,
    pub end: Pos,
    pub arguments: Vec<Argument>,
    pub directives: Vec<Directive>,
    /// Where the selection set opens, when there is one.
    pub selection_pos: Pos,
    pub selection: Option<Vec<Selection>>,
}

impl Field {
    /// The key of the field in the response.
    pub fn response_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone)]
pub struct Argument {
    pub name: String,
    pub start: Pos,
    pub value: Value,
}

/// A literal value with its position.
#[derive(Debug, Clone)]
pub struct Value {
    pub pos: Pos,
    pub kind: ValueKind,
    /// A string written as a block string (`"""..."""`), which `print` keeps.
    pub block: bool,
}

#[derive(Debug, Clone)]
pub enum ValueKind {
    Variable(String),
    Int(String),
    Float(String),
    String(String),
    Boolean(bool),
    Null,
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Pos, Value)>),
}

impl Value {
    /// The value as graphql-js 16's `print` writes it.
    pub fn print(&self) -> String {
        self.print_as(GraphqlJs::V16)
    }

    /// The value as the given graphql-js major's `print` writes it (used in its messages).
    pub fn print_as(&self, js: GraphqlJs) -> String {
        match &self.kind {
            ValueKind::Variable(n) => format!("${n}"),
            ValueKind::Int(s) | ValueKind::Float(s) | ValueKind::Enum(s) => s.clone(),
            ValueKind::String(s) if self.block => print_block_string(s, js),
            ValueKind::String(s) => match js {
                // `JSON.stringify`.
                GraphqlJs::V14 | GraphqlJs::V15 => serde_json::Value::String(s.clone()).to_string(),
                GraphqlJs::V16 => print_string(s),
            },
            ValueKind::Boolean(b) => b.to_string(),
            ValueKind::Null => "null".into(),
            ValueKind::List(items) => {
                let inner: Vec<String> = items.iter().map(|v| v.print_as(js)).collect();
                format!("[{}]", inner.join(", "))
            }
            ValueKind::Object(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(k, _, v)| format!("{k}: {}", v.print_as(js)))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    /// graphql-js's `Kind` of the literal (`IntValue`, `ListValue`, ...).
    pub const fn kind_name(&self) -> &'static str {
        match self.kind {
            ValueKind::Variable(_) => "Variable",
            ValueKind::Int(_) => "IntValue",
            ValueKind::Float(_) => "FloatValue",
            ValueKind::String(_) => "StringValue",
            ValueKind::Boolean(_) => "BooleanValue",
            ValueKind::Null => "NullValue",
            ValueKind::Enum(_) => "EnumValue",
            ValueKind::List(_) => "ListValue",
            ValueKind::Object(_) => "ObjectValue",
        }
    }
}

/// graphql-js 16 `printString`: control characters, `"`, `\\` and U+007F–U+009F escaped.
fn print_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// graphql-js `printBlockString` as `print` calls it for a block string value: 14/15 indent
/// continuation lines by two spaces; 16 rewrote the layout rules.
fn print_block_string(value: &str, js: GraphqlJs) -> String {
    let is_ws = |c: Option<char>| matches!(c, Some(' ' | '\t'));
    match js {
        GraphqlJs::V14 | GraphqlJs::V15 => {
            let indentation = "  ";
            let single = !value.contains('\n');
            let leading_space = is_ws(value.chars().next());
            let trailing_quote = value.ends_with('"');
            let trailing_slash = js == GraphqlJs::V15 && value.ends_with('\\');
            let multiple = !single || trailing_quote || trailing_slash;
            let mut result = String::new();
            if multiple && !(single && leading_space) {
                result.push('\n');
                result.push_str(indentation);
            }
            result.push_str(&value.replace('\n', &format!("\n{indentation}")));
            if multiple {
                result.push('\n');
            }
            format!("\"\"\"{}\"\"\"", result.replace("\"\"\"", "\\\"\"\""))
        }
        GraphqlJs::V16 => {
            let escaped = value.replace("\"\"\"", "\\\"\"\"");
            let lines: Vec<&str> = escaped
                .split("\r\n")
                .flat_map(|l| l.split(['\n', '\r']))
                .collect();
            let single = lines.len() == 1;
            let force_leading = lines.len() > 1
                && lines[1..]
                    .iter()
                    .all(|l| l.is_empty() || is_ws(l.chars().next()));
            let trailing_triple = escaped.ends_with("\\\"\"\"");
            let trailing_quote = value.ends_with('"') && !trailing_triple;
            let trailing_slash = value.ends_with('\\');
            let force_trailing = trailing_quote || trailing_slash;
            let multiple = !single
                || value.encode_utf16().count() > 70
                || force_trailing
                || force_leading
                || trailing_triple;
            let skip_leading = single && is_ws(value.chars().next());
            let mut result = String::new();
            if (multiple && !skip_leading) || force_leading {
                result.push('\n');
            }
            result.push_str(&escaped);
            if multiple || force_trailing {
                result.push('\n');
            }
            format!("\"\"\"{result}\"\"\"")
        }
    }
}

impl Document {
    /// Whether every operation nests at most `limit` levels once its fragments are expanded
    /// where they are spread, as juniper counts them when it parses and executes (a selection
    /// set, an inline fragment or a spread one level each, an argument's value by its own
    /// nesting). Judged within a bounded amount of work, past which the answer is no.
    pub fn nests_within(&self, limit: usize) -> bool {
        const WORK: usize = 20_000;
        let fragments: std::collections::HashMap<&str, &Fragment> = self
            .fragments
            .iter()
            .map(|f| (f.name.as_str(), f))
            .collect();
        let values_within = |arguments: &[Argument], depth: usize| {
            let mut open: Vec<(&Value, usize)> =
                arguments.iter().map(|a| (&a.value, depth + 1)).collect();
            while let Some((v, d)) = open.pop() {
                if d > limit {
                    return false;
                }
                match &v.kind {
                    ValueKind::List(items) => open.extend(items.iter().map(|i| (i, d + 1))),
                    ValueKind::Object(fields) => {
                        open.extend(fields.iter().map(|(_, _, i)| (i, d + 1)));
                    }
                    _ => {}
                }
            }
            true
        };
        let mut work = 0;
        let mut open: Vec<(&[Selection], usize)> = self
            .operations
            .iter()
            .map(|o| (o.selection.as_slice(), 1))
            .collect();
        while let Some((set, depth)) = open.pop() {
            if depth > limit {
                return false;
            }
            for selection in set {
                work += 1;
                if work > WORK {
                    return false;
                }
                match selection {
                    Selection::Field(f) => {
                        let directives = f.directives.iter().map(|d| &d.arguments[..]);
                        if !std::iter::once(&f.arguments[..])
                            .chain(directives)
                            .all(|args| values_within(args, depth))
                        {
                            return false;
                        }
                        if let Some(inner) = &f.selection {
                            open.push((inner, depth + 1));
                        }
                    }
                    Selection::Spread { name, .. } => {
                        if let Some(fragment) = fragments.get(name.as_str()) {
                            open.push((&fragment.selection, depth + 1));
                        }
                    }
                    Selection::Inline { selection, .. } => open.push((selection, depth + 1)),
                }
            }
        }
        true
    }

    /// Every field node, in document order, with its depth-first visit.
    pub fn fields(&self) -> Vec<&Field> {
        fn walk<'a>(sel: &'a [Selection], out: &mut Vec<&'a Field>) {
            for s in sel {
                match s {
                    Selection::Field(f) => {
                        out.push(f);
                        if let Some(inner) = &f.selection {
                            walk(inner, out);
                        }
                    }
                    Selection::Inline { selection, .. } => walk(selection, out),
                    Selection::Spread { .. } => {}
                }
            }
        }
        let mut out = Vec::new();
        let mut defs: Vec<(usize, &[Selection])> = self
            .operations
            .iter()
            .map(|o| (o.start.offset, o.selection.as_slice()))
            .chain(
                self.fragments
                    .iter()
                    .map(|f| (f.start.offset, f.selection.as_slice())),
            )
            .collect();
        defs.sort_by_key(|(o, _)| *o);
        for (_, sel) in defs {
            walk(sel, &mut out);
        }
        out
    }

    /// The operation graphql-js's `getOperationAST` picks, or why none.
    pub fn select_operation(&self, name: Option<&str>) -> Result<&Operation, OperationError> {
        match name {
            Some(n) => self
                .operations
                .iter()
                .find(|o| o.name.as_deref() == Some(n))
                .ok_or_else(|| OperationError::Unknown(n.to_owned())),
            None => match self.operations.as_slice() {
                [one] => Ok(one),
                [] => Err(OperationError::None),
                _ => Err(OperationError::Ambiguous),
            },
        }
    }
}

/// Marks an operation name that a client sent as another JSON type than a string, written as
/// JavaScript's `String()` writes it: graphql-js compares names with `===`, so it matches no
/// operation, and its message shows it without the mark (no GraphQL name holds a NUL).
pub const UNMATCHABLE: char = '\u{0}';

/// Why no operation could be chosen (graphql-js `buildExecutionContext`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationError {
    Unknown(String),
    Ambiguous,
    None,
}

impl OperationError {
    pub fn message(&self) -> String {
        match self {
            Self::Unknown(n) => format!(
                "Unknown operation named \"{}\".",
                n.strip_prefix(UNMATCHABLE).unwrap_or(n)
            ),
            Self::Ambiguous => {
                "Must provide operation name if query contains multiple operations.".into()
            }
            Self::None => "Must provide an operation.".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Sof,
    Eof,
    Punct(&'static str),
    Name(String),
    Int(String),
    Float(String),
    Str(String),
    BlockStr(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: Pos,
    end: Pos,
}

#[derive(Clone, Copy)]
struct LexState {
    i: usize,
    line: usize,
    line_start_utf16: usize,
    line_start_char: usize,
    utf16: usize,
}

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    line: usize,
    line_start_utf16: usize,
    line_start_char: usize,
    utf16: usize,
    js: GraphqlJs,
    release: GraphqlJsRelease,
    /// The source came from a JSON body with lone surrogate escapes, each kept as its mark
    /// (`json_body::parse_marking`): a mark is that one UTF-16 unit, as graphql-js reads it.
    lone_surrogates: bool,
    _src: &'a str,
}

/// graphql-js 14/15 `printCharCode`: `JSON.stringify` of ASCII below U+007F, else the
/// escaped UTF-16 unit (the first one of a pair), or `<EOF>`.
fn print_char_code(c: Option<char>) -> String {
    match c {
        None => "<EOF>".into(),
        Some(c) if (c as u32) < 0x7f => serde_json::Value::String(c.to_string()).to_string(),
        Some(c) => {
            let mut buf = [0u16; 2];
            let first = c.encode_utf16(&mut buf)[0];
            format!("\"\\u{first:04X}\"")
        }
    }
}

/// graphql-js 16 `printCodePointAt`: printable ASCII quoted (`'"'` for a quote), else `U+XXXX`.
fn print_code_point(c: Option<char>) -> String {
    match c {
        None => "<EOF>".into(),
        Some('"') => "'\"'".into(),
        Some(c) if (0x20..=0x7e).contains(&(c as u32)) => format!("\"{c}\""),
        Some(c) => format!("U+{:04X}", c as u32),
    }
}

impl<'a> Lexer<'a> {
    fn save(&self) -> LexState {
        LexState {
            i: self.i,
            line: self.line,
            line_start_utf16: self.line_start_utf16,
            line_start_char: self.line_start_char,
            utf16: self.utf16,
        }
    }

    fn restore(&mut self, st: LexState) {
        self.i = st.i;
        self.line = st.line;
        self.line_start_utf16 = st.line_start_utf16;
        self.line_start_char = st.line_start_char;
        self.utf16 = st.utf16;
    }

    fn new(src: &'a str, release: GraphqlJsRelease, lone_surrogates: bool) -> Self {
        let js = release.js();
        Self {
            lone_surrogates,
            release,
            chars: src.chars().collect(),
            i: 0,
            line: 1,
            line_start_utf16: 0,
            line_start_char: 0,
            utf16: 0,
            js,
            _src: src,
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            offset: self.i,
            line: self.line,
            column: self.utf16 - self.line_start_utf16 + 1,
            char_column: self.i - self.line_start_char + 1,
        }
    }

    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    /// The lone surrogate `c` stands for, in a source that marks them.
    fn lone_surrogate(&self, c: Option<char>) -> Option<u16> {
        c.filter(|_| self.lone_surrogates)
            .and_then(crate::http::json_body::lone_surrogate)
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek(0) {
            self.i += 1;
            self.utf16 += match self.lone_surrogate(Some(c)) {
                Some(_) => 1,
                None => c.len_utf16(),
            };
            if c == '\n' || (c == '\r' && self.peek(0) != Some('\n')) {
                self.line += 1;
                self.line_start_utf16 = self.utf16;
                self.line_start_char = self.i;
            }
        }
    }

    fn dot(&self) -> &'static str {
        match self.js {
            GraphqlJs::V14 => "",
            GraphqlJs::V15 | GraphqlJs::V16 => ".",
        }
    }

    fn err(&self, pos: Pos, message: String) -> SyntaxError {
        SyntaxError { message, pos }
    }

    /// The release's way of naming a character in a lexer message.
    fn print_char(&self, c: Option<char>) -> String {
        if let Some(unit) = self.lone_surrogate(c) {
            return match self.js {
                GraphqlJs::V14 | GraphqlJs::V15 => format!("\"\\u{unit:04X}\""),
                GraphqlJs::V16 => format!("U+{unit:04X}"),
            };
        }
        match self.js {
            GraphqlJs::V14 | GraphqlJs::V15 => print_char_code(c),
            GraphqlJs::V16 => print_code_point(c),
        }
    }

    fn unexpected_char(&self) -> SyntaxError {
        let pos = self.pos();
        let c = self.peek(0);
        let desc = self.print_char(c);
        let message = match (self.js, c) {
            (_, Some('\'')) => {
                "Unexpected single quote character ('), did you mean to use a double quote (\")?"
                    .to_string()
            }
            // graphql-js 16 calls what is no Unicode scalar value invalid.
            (GraphqlJs::V16, c) if self.lone_surrogate(c).is_some() => {
                format!("Invalid character: {desc}.")
            }
            (GraphqlJs::V16, _) => format!("Unexpected character: {desc}."),
            (_, Some(ch)) if (ch as u32) < 0x20 && !matches!(ch, '\t' | '\n' | '\r') => {
                format!("Cannot contain the invalid character {desc}.")
            }
            (_, _) => format!("Cannot parse the unexpected character {desc}."),
        };
        self.err(pos, message)
    }

    fn next(&mut self) -> Result<Token, SyntaxError> {
        loop {
            match self.peek(0) {
                Some('\u{feff}' | ' ' | '\t' | ',' | '\n' | '\r') => self.bump(),
                Some('#') => {
                    while let Some(c) = self.peek(0) {
                        // graphql-js 16 ends a comment at what is no Unicode scalar value.
                        if c == '\n'
                            || c == '\r'
                            || (self.js == GraphqlJs::V16 && self.lone_surrogate(Some(c)).is_some())
                        {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let start = self.pos();
        let Some(c) = self.peek(0) else {
            return Ok(Token {
                tok: Tok::Eof,
                start,
                end: start,
            });
        };
        let punct: Option<&'static str> = match c {
            '!' => Some("!"),
            '$' => Some("$"),
            '&' => Some("&"),
            '(' => Some("("),
            ')' => Some(")"),
            ':' => Some(":"),
            '=' => Some("="),
            '@' => Some("@"),
            '[' => Some("["),
            ']' => Some("]"),
            '{' => Some("{"),
            '|' => Some("|"),
            '}' => Some("}"),
            _ => None,
        };
        if let Some(p) = punct {
            self.bump();
            return Ok(Token {
                tok: Tok::Punct(p),
                start,
                end: self.pos(),
            });
        }
        if c == '.' {
            if self.peek(1) == Some('.') && self.peek(2) == Some('.') {
                self.bump();
                self.bump();
                self.bump();
                return Ok(Token {
                    tok: Tok::Punct("..."),
                    start,
                    end: self.pos(),
                });
            }
            return Err(self.unexpected_char());
        }
        if c == '_' || c.is_ascii_alphabetic() {
            let mut s = String::new();
            while let Some(c) = self.peek(0) {
                if c == '_' || c.is_ascii_alphanumeric() {
                    s.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            return Ok(Token {
                tok: Tok::Name(s),
                start,
                end: self.pos(),
            });
        }
        if c == '-' || c.is_ascii_digit() {
            return self.number(start);
        }
        if c == '"' {
            if self.peek(1) == Some('"') && self.peek(2) == Some('"') {
                return self.block_string(start);
            }
            return self.string(start);
        }
        Err(self.unexpected_char())
    }

    fn expected_digit(&self) -> SyntaxError {
        let desc = self.print_char(self.peek(0));
        self.err(
            self.pos(),
            format!("Invalid number, expected digit but got: {desc}."),
        )
    }

    fn digits(&mut self) -> Result<String, SyntaxError> {
        let mut s = String::new();
        if !matches!(self.peek(0), Some('0'..='9')) {
            return Err(self.expected_digit());
        }
        while let Some(c @ '0'..='9') = self.peek(0) {
            s.push(c);
            self.bump();
        }
        Ok(s)
    }

    fn number(&mut self, start: Pos) -> Result<Token, SyntaxError> {
        let mut s = String::new();
        let mut float = false;
        if self.peek(0) == Some('-') {
            s.push('-');
            self.bump();
        }
        if self.peek(0) == Some('0') {
            s.push('0');
            self.bump();
            if let Some(c @ '0'..='9') = self.peek(0) {
                let desc = self.print_char(Some(c));
                return Err(self.err(
                    self.pos(),
                    format!("Invalid number, unexpected digit after 0: {desc}."),
                ));
            }
        } else {
            s.push_str(&self.digits()?);
        }
        if self.peek(0) == Some('.') {
            float = true;
            s.push('.');
            self.bump();
            s.push_str(&self.digits()?);
        }
        if let Some(e @ ('e' | 'E')) = self.peek(0) {
            float = true;
            s.push(e);
            self.bump();
            if let Some(c @ ('+' | '-')) = self.peek(0) {
                s.push(c);
                self.bump();
            }
            s.push_str(&self.digits()?);
        }
        // What may not follow a number: nothing checked up to graphql-js 14.5.4, `.` and an
        // exponent letter from 14.5.5, `.` and any name start from 15.
        let refused = |c: char| {
            if self.release.at_least(15, 0) {
                c == '.' || c == '_' || c.is_ascii_alphabetic()
            } else if self.release.at_least_patch(14, 5, 5) {
                matches!(c, '.' | 'e' | 'E')
            } else {
                false
            }
        };
        if let Some(c) = self.peek(0)
            && refused(c)
        {
            let desc = self.print_char(Some(c));
            return Err(self.err(
                self.pos(),
                format!("Invalid number, expected digit but got: {desc}."),
            ));
        }
        let tok = if float { Tok::Float(s) } else { Tok::Int(s) };
        Ok(Token {
            tok,
            start,
            end: self.pos(),
        })
    }

    fn string(&mut self, start: Pos) -> Result<Token, SyntaxError> {
        self.bump();
        let v16 = self.js == GraphqlJs::V16;
        let mut s = String::new();
        loop {
            match self.peek(0) {
                None | Some('\n' | '\r') => {
                    return Err(self.err(self.pos(), "Unterminated string.".into()));
                }
                Some('"') => {
                    self.bump();
                    return Ok(Token {
                        tok: Tok::Str(s),
                        start,
                        end: self.pos(),
                    });
                }
                Some('\\') => {
                    let backslash = self.pos();
                    self.bump();
                    let e = self.peek(0);
                    let simple = match e {
                        Some('"') => Some('"'),
                        Some('\\') => Some('\\'),
                        Some('/') => Some('/'),
                        Some('b') => Some('\u{8}'),
                        Some('f') => Some('\u{c}'),
                        Some('n') => Some('\n'),
                        Some('r') => Some('\r'),
                        Some('t') => Some('\t'),
                        _ => None,
                    };
                    if let Some(ch) = simple {
                        s.push(ch);
                        self.bump();
                        continue;
                    }
                    if e == Some('u') {
                        s.push(self.unicode_escape(backslash)?);
                        continue;
                    }
                    return Err(if v16 {
                        let shown: String = e.map(String::from).unwrap_or_default();
                        self.err(
                            backslash,
                            format!("Invalid character escape sequence: \"\\{shown}\"."),
                        )
                    } else {
                        // graphql-js 14/15: `String.fromCharCode` of what follows (NUL at the end).
                        let shown = e.unwrap_or('\0');
                        self.err(
                            self.pos(),
                            format!("Invalid character escape sequence: \\{shown}."),
                        )
                    });
                }
                // graphql-js 16 takes every Unicode scalar value; 14/15 refuse control characters.
                Some(c)
                    if (!v16 && (c as u32) < 0x20 && c != '\t')
                        || (v16 && self.lone_surrogate(Some(c)).is_some()) =>
                {
                    let desc = self.print_char(Some(c));
                    return Err(self.err(
                        self.pos(),
                        format!("Invalid character within String: {desc}."),
                    ));
                }
                Some(c) => {
                    s.push(c);
                    self.bump();
                }
            }
        }
    }

    /// `\u` escapes, the lexer at the `u`: four hex digits (14/15, and 16 with surrogate pairs
    /// joined) or `\u{...}` (16).
    fn unicode_escape(&mut self, backslash: Pos) -> Result<char, SyntaxError> {
        let hex4 = |lx: &Self, from: usize| -> Option<u32> {
            let digits: String = (from..from + 4).filter_map(|k| lx.peek(k)).collect();
            (digits.len() == 4 && digits.chars().all(|c| c.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(&digits, 16).ok())
                .flatten()
        };
        let slice = |lx: &Self, from: usize, len: usize| -> String {
            (from..from + len).filter_map(|k| lx.peek(k)).collect()
        };
        if self.js != GraphqlJs::V16 {
            let Some(code) = hex4(self, 1) else {
                let shown = slice(self, 1, 4);
                return Err(self.err(
                    self.pos(),
                    format!("Invalid character escape sequence: \\u{shown}."),
                ));
            };
            for _ in 0..5 {
                self.bump();
            }
            // A surrogate pair written as two escapes is one character.
            if (0xd800..0xdc00).contains(&code)
                && self.peek(0) == Some('\\')
                && self.peek(1) == Some('u')
                && let Some(low) = hex4(self, 2)
                && (0xdc00..0xe000).contains(&low)
            {
                for _ in 0..6 {
                    self.bump();
                }
                let c = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
        }
        if self.peek(1) == Some('{') {
            // `\u{` + hex digits + `}`: graphql-js reads up to 12 characters from the backslash.
            let mut point: u32 = 0;
            let mut size = 3;
            let mut ok = None;
            while size < 12 {
                let c = self.peek(size - 1);
                size += 1;
                if c == Some('}') {
                    if size >= 5
                        && let Some(ch) = char::from_u32(point)
                    {
                        ok = Some(ch);
                    }
                    break;
                }
                match c.and_then(|c| c.to_digit(16)) {
                    Some(d) if point < 0x0800_0000 => point = (point << 4) | d,
                    _ => break,
                }
            }
            if let Some(ch) = ok {
                for _ in 0..size - 1 {
                    self.bump();
                }
                return Ok(ch);
            }
            let shown: String = slice(self, 0, size - 1);
            return Err(self.err(
                backslash,
                format!("Invalid Unicode escape sequence: \"\\{shown}\"."),
            ));
        }
        let fail = |lx: &Self| {
            let shown = slice(lx, 0, 5);
            lx.err(
                backslash,
                format!("Invalid Unicode escape sequence: \"\\{shown}\"."),
            )
        };
        let Some(code) = hex4(self, 1) else {
            return Err(fail(self));
        };
        if let Some(c) = char::from_u32(code) {
            for _ in 0..5 {
                self.bump();
            }
            return Ok(c);
        }
        if (0xd800..0xdc00).contains(&code)
            && self.peek(5) == Some('\\')
            && self.peek(6) == Some('u')
            && let Some(low) = hex4(self, 7)
            && (0xdc00..0xe000).contains(&low)
        {
            for _ in 0..11 {
                self.bump();
            }
            let c = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
        }
        Err(fail(self))
    }

    fn block_string(&mut self, start: Pos) -> Result<Token, SyntaxError> {
        self.bump();
        self.bump();
        self.bump();
        let mut raw = String::new();
        loop {
            match self.peek(0) {
                None => {
                    return Err(self.err(self.pos(), "Unterminated string.".into()));
                }
                Some(c)
                    if (self.js != GraphqlJs::V16
                        && (c as u32) < 0x20
                        && !matches!(c, '\t' | '\n' | '\r'))
                        || (self.js == GraphqlJs::V16
                            && self.lone_surrogate(Some(c)).is_some()) =>
                {
                    let desc = self.print_char(Some(c));
                    return Err(self.err(
                        self.pos(),
                        format!("Invalid character within String: {desc}."),
                    ));
                }
                Some('"') if self.peek(1) == Some('"') && self.peek(2) == Some('"') => {
                    self.bump();
                    self.bump();
                    self.bump();
                    return Ok(Token {
                        tok: Tok::BlockStr(block_string_value(&raw)),
                        start,
                        end: self.pos(),
                    });
                }
                Some('\\')
                    if self.peek(1) == Some('"')
                        && self.peek(2) == Some('"')
                        && self.peek(3) == Some('"') =>
                {
                    raw.push_str("\"\"\"");
                    for _ in 0..4 {
                        self.bump();
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.bump();
                }
            }
        }
    }
}

/// graphql-js `dedentBlockStringValue`.
fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .split("\r\n")
        .flat_map(|l| l.split(['\n', '\r']))
        .collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter_map(|l| {
            let n = l.chars().take_while(|c| *c == ' ' || *c == '\t').count();
            (n < l.chars().count()).then_some(n)
        })
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                (*l).to_owned()
            } else {
                l.chars().skip(indent).collect()
            }
        })
        .collect();
    let blank = |l: &String| l.chars().all(|c| c == ' ' || c == '\t');
    while out.first().is_some_and(blank) {
        out.remove(0);
    }
    while out.last().is_some_and(blank) {
        out.pop();
    }
    out.join("\n")
}

/// juniper's default parser limits, which documents read elsewhere than on an executor thread
/// keep (they bound this parser's recursion on a 2 MiB stack). Only operations nesting no
/// deeper run on an async worker ([`Document::nests_within`]).
pub const MAX_DEPTH: usize = 64;
const MAX_TOKENS: usize = 15_000;

/// The nesting read on the executor threads, whose stacks are sized for it
/// (`executor_pool::STACK_SIZE`). graphql-js has no limit of its own: Node.js's stack
/// overflows between about 1,600 (nested objects) and 2,500 levels (nested fragments).
pub const DEEP_NESTING: usize = 1_500;

/// How deep graphql-js 14 and 15 read nested list literals on an executor thread's parse:
/// their parsers spend less of Node.js's stack per list than 16's, so real Parse 3.7–4.5
/// read a list 2,000 deep where 5.x+ overflow (recorded: graphql-diff syn.deepBraces.21).
/// graphql-js's own `parse` alone overflows at 2,254 (14.5.3) and 2,352 (15.3.0) levels
/// (2,058 for 16); a server's own frames take some of that, so these are a little lower.
const DEEP_LISTS_V14: usize = 2_150;
const DEEP_LISTS_V15: usize = 2_250;

/// What a document nested past the limit is refused with: Node.js's `RangeError`, which the
/// stacks answer for graphql-js's parser overflowing its stack.
pub const STACK_OVERFLOW: &str = "Maximum call stack size exceeded";

struct Parser<'a> {
    release: GraphqlJsRelease,
    max_depth: usize,
    /// The limit for a list literal's items (see [`DEEP_LISTS_V14`]).
    max_list_depth: usize,
    lexer: Lexer<'a>,
    token: Token,
    prev_end: Pos,
    prev_token_start: Pos,
    depth: usize,
    tokens: usize,
}

impl<'a> Parser<'a> {
    fn desc(&self, tok: &Tok) -> String {
        let v14 = self.lexer.js == GraphqlJs::V14;
        match tok {
            Tok::Sof => "<SOF>".into(),
            Tok::Eof => "<EOF>".into(),
            Tok::Punct(p) if v14 => (*p).to_string(),
            Tok::Punct(p) => format!("\"{p}\""),
            Tok::Name(v) => format!("Name \"{v}\""),
            Tok::Int(v) => format!("Int \"{v}\""),
            Tok::Float(v) => format!("Float \"{v}\""),
            Tok::Str(v) => format!("String \"{v}\""),
            Tok::BlockStr(v) => format!("BlockString \"{v}\""),
        }
    }

    fn advance(&mut self) -> Result<Token, SyntaxError> {
        self.tokens += 1;
        if self.tokens > MAX_TOKENS {
            return Err(SyntaxError {
                message: format!("Document exceeds the limit of {MAX_TOKENS} tokens"),
                pos: self.token.start,
            });
        }
        let next = self.lexer.next()?;
        let prev = std::mem::replace(&mut self.token, next);
        self.prev_end = prev.end;
        self.prev_token_start = prev.start;
        Ok(prev)
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        self.nested_within(self.max_depth, parse)
    }

    fn nested_within<T>(
        &mut self,
        limit: usize,
        parse: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth >= limit {
            return Err(SyntaxError {
                message: STACK_OVERFLOW.to_owned(),
                pos: self.token.start,
            });
        }
        self.depth += 1;
        let parsed = parse(self);
        self.depth -= 1;
        parsed
    }

    fn unexpected(&self) -> SyntaxError {
        SyntaxError {
            message: format!(
                "Unexpected {}{}",
                self.desc(&self.token.tok),
                self.lexer.dot()
            ),
            pos: self.token.start,
        }
    }

    fn expected(&self, what: &str) -> SyntaxError {
        SyntaxError {
            message: format!(
                "Expected {what}, found {}{}",
                self.desc(&self.token.tok),
                self.lexer.dot()
            ),
            pos: self.token.start,
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(&self.token.tok, Tok::Punct(q) if *q == p)
    }

    fn is_name(&self, n: &str) -> bool {
        matches!(&self.token.tok, Tok::Name(v) if v == n)
    }

    fn expect_punct(&mut self, p: &'static str) -> Result<Token, SyntaxError> {
        if self.is_punct(p) {
            return self.advance();
        }
        let what = if self.lexer.js == GraphqlJs::V14 {
            p.to_string()
        } else {
            format!("\"{p}\"")
        };
        Err(self.expected(&what))
    }

    fn skip_punct(&mut self, p: &'static str) -> Result<bool, SyntaxError> {
        if self.is_punct(p) {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect_keyword(&mut self, k: &str) -> Result<(), SyntaxError> {
        if self.is_name(k) {
            self.advance()?;
            return Ok(());
        }
        Err(self.expected(&format!("\"{k}\"")))
    }

    fn name(&mut self) -> Result<(String, Pos), SyntaxError> {
        if let Tok::Name(v) = &self.token.tok {
            let v = v.clone();
            let start = self.token.start;
            self.advance()?;
            return Ok((v, start));
        }
        Err(self.expected("Name"))
    }

    /// The token after the current one (graphql-js `lexer.lookahead()`).
    fn lookahead(&mut self) -> Result<Token, SyntaxError> {
        let saved = self.lexer.save();
        let next = self.lexer.next();
        self.lexer.restore(saved);
        next
    }

    fn is_description(&self) -> bool {
        matches!(self.token.tok, Tok::Str(_) | Tok::BlockStr(_))
    }

    /// graphql-js 16.12+ reads descriptions on operations, fragments and variables.
    fn executable_descriptions(&self) -> bool {
        self.release.at_least(16, 12)
    }

    fn unexpected_token(&self, tok: &Token) -> SyntaxError {
        SyntaxError {
            message: format!("Unexpected {}{}", self.desc(&tok.tok), self.lexer.dot()),
            pos: tok.start,
        }
    }

    fn document(&mut self) -> Result<Document, SyntaxError> {
        self.advance()?;
        let mut operations = Vec::new();
        let mut fragments = Vec::new();
        let mut type_system = Vec::new();
        loop {
            self.definition(&mut operations, &mut fragments, &mut type_system)?;
            if self.token.tok == Tok::Eof {
                break;
            }
        }
        Ok(Document {
            operations,
            fragments,
            type_system,
            end: self.token.start,
        })
    }

    /// graphql-js `parseDefinition`, per release.
    fn definition(
        &mut self,
        operations: &mut Vec<Operation>,
        fragments: &mut Vec<Fragment>,
        type_system: &mut Vec<TypeSystemDefinition>,
    ) -> Result<(), SyntaxError> {
        const TYPE_SYSTEM: [&str; 8] = [
            "schema",
            "scalar",
            "type",
            "interface",
            "union",
            "enum",
            "input",
            "directive",
        ];
        if self.is_punct("{") {
            operations.push(self.operation()?);
            return Ok(());
        }
        let has_description = self.is_description();
        let keyword = if has_description {
            self.lookahead()?
        } else {
            self.token.clone()
        };
        let word = match &keyword.tok {
            Tok::Name(w) => Some(w.clone()),
            _ => None,
        };
        let v16 = self.lexer.js == GraphqlJs::V16;
        if v16
            && has_description
            && keyword.tok == Tok::Punct("{")
            && self.executable_descriptions()
        {
            return Err(SyntaxError {
                message:
                    "Unexpected description, descriptions are not supported on shorthand queries."
                        .into(),
                pos: self.token.start,
            });
        }
        let Some(word) = word else {
            return Err(self.unexpected_token(&keyword));
        };
        if TYPE_SYSTEM.contains(&word.as_str()) {
            type_system.push(self.type_system_definition()?);
            return Ok(());
        }
        if has_description && !(v16 && self.executable_descriptions()) {
            // 14/15 read a description as the start of a type system definition.
            if !v16 {
                return Err(self.unexpected_token(&keyword));
            }
            return Err(SyntaxError {
                message:
                    "Unexpected description, descriptions are supported only on type definitions."
                        .into(),
                pos: self.token.start,
            });
        }
        match word.as_str() {
            "query" | "mutation" | "subscription" => operations.push(self.operation()?),
            "fragment" => fragments.push(self.fragment()?),
            _ if has_description => {
                return Err(SyntaxError {
                    message:
                        "Unexpected description, only GraphQL definitions support descriptions."
                            .into(),
                    pos: self.token.start,
                });
            }
            "extend" => type_system.push(self.type_system_extension()?),
            _ => return Err(self.unexpected_token(&keyword)),
        }
        Ok(())
    }

    /// An optional description (a string before a definition).
    fn skip_description(&mut self) -> Result<(), SyntaxError> {
        if self.is_description() {
            self.advance()?;
        }
        Ok(())
    }

    fn sdl_directives(
        &mut self,
        location: &'static str,
        parts: &mut Vec<SdlPart>,
    ) -> Result<(), SyntaxError> {
        let list = self.directives(true)?;
        if !list.is_empty() {
            parts.push(SdlPart::Directives { list, location });
        }
        Ok(())
    }

    fn sdl_named_type(&mut self, parts: &mut Vec<SdlPart>) -> Result<(), SyntaxError> {
        let (name, pos) = self.name()?;
        parts.push(SdlPart::NamedType { name, pos });
        Ok(())
    }

    fn sdl_type_ref(&mut self, parts: &mut Vec<SdlPart>) -> Result<(), SyntaxError> {
        let (ty, pos) = self.type_ref()?;
        parts.push(SdlPart::NamedType {
            name: ty.named().to_owned(),
            pos,
        });
        Ok(())
    }

    /// `implements & A & B`.
    fn sdl_implements(&mut self, parts: &mut Vec<SdlPart>) -> Result<(), SyntaxError> {
        if self.is_name("implements") {
            self.advance()?;
            self.skip_punct("&")?;
            loop {
                self.sdl_named_type(parts)?;
                if !self.skip_punct("&")? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// `InputValueDefinition`: description, name, type, default value, directives.
    fn sdl_input_value(
        &mut self,
        location: &'static str,
        parts: &mut Vec<SdlPart>,
    ) -> Result<(), SyntaxError> {
        self.skip_description()?;
        self.name()?;
        self.expect_punct(":")?;
        self.sdl_type_ref(parts)?;
        if self.skip_punct("=")? {
            let v = self.value(true)?;
            parts.push(SdlPart::Value(v));
        }
        self.sdl_directives(location, parts)
    }

    /// `(` InputValueDefinition+ `)`, when there.
    fn sdl_arguments(&mut self, parts: &mut Vec<SdlPart>) -> Result<(), SyntaxError> {
        if self.skip_punct("(")? {
            loop {
                self.sdl_input_value("ARGUMENT_DEFINITION", parts)?;
                if self.skip_punct(")")? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// `{` FieldDefinition+ `}`, when there.
    fn sdl_fields(&mut self, parts: &mut Vec<SdlPart>) -> Result<bool, SyntaxError> {
        if !self.skip_punct("{")? {
            return Ok(false);
        }
        loop {
            self.skip_description()?;
            self.name()?;
            self.sdl_arguments(parts)?;
            self.expect_punct(":")?;
            self.sdl_type_ref(parts)?;
            self.sdl_directives("FIELD_DEFINITION", parts)?;
            if self.skip_punct("}")? {
                break;
            }
        }
        Ok(true)
    }

    /// `{` InputValueDefinition+ `}`, when there.
    fn sdl_input_fields(&mut self, parts: &mut Vec<SdlPart>) -> Result<bool, SyntaxError> {
        if !self.skip_punct("{")? {
            return Ok(false);
        }
        loop {
            self.sdl_input_value("INPUT_FIELD_DEFINITION", parts)?;
            if self.skip_punct("}")? {
                break;
            }
        }
        Ok(true)
    }

    /// `=` `|`? A `|` B, when there.
    fn sdl_union_members(&mut self, parts: &mut Vec<SdlPart>) -> Result<bool, SyntaxError> {
        if !self.skip_punct("=")? {
            return Ok(false);
        }
        self.skip_punct("|")?;
        loop {
            self.sdl_named_type(parts)?;
            if !self.skip_punct("|")? {
                break;
            }
        }
        Ok(true)
    }

    /// `{` EnumValueDefinition+ `}`, when there.
    fn sdl_enum_values(&mut self, parts: &mut Vec<SdlPart>) -> Result<bool, SyntaxError> {
        if !self.skip_punct("{")? {
            return Ok(false);
        }
        loop {
            self.skip_description()?;
            // graphql-js 15+ reserve these names; 14 takes them.
            if let Tok::Name(n) = &self.token.tok
                && matches!(n.as_str(), "true" | "false" | "null")
                && self.lexer.js != GraphqlJs::V14
            {
                return Err(SyntaxError {
                    message: format!(
                        "Name \"{n}\" is reserved and cannot be used for an enum value."
                    ),
                    pos: self.token.start,
                });
            }
            self.name()?;
            self.sdl_directives("ENUM_VALUE", parts)?;
            if self.skip_punct("}")? {
                break;
            }
        }
        Ok(true)
    }

    /// `{ query: Query ... }` of a schema definition or extension.
    fn sdl_operation_types(&mut self, parts: &mut Vec<SdlPart>) -> Result<bool, SyntaxError> {
        if !self.skip_punct("{")? {
            return Ok(false);
        }
        loop {
            let (op, _) = self.name()?;
            if !matches!(op.as_str(), "query" | "mutation" | "subscription") {
                return Err(self.unexpected_token(&Token {
                    tok: Tok::Name(op),
                    start: self.prev_token_start,
                    end: self.prev_end,
                }));
            }
            self.expect_punct(":")?;
            self.sdl_named_type(parts)?;
            if self.skip_punct("}")? {
                break;
            }
        }
        Ok(true)
    }

    fn type_system_definition(&mut self) -> Result<TypeSystemDefinition, SyntaxError> {
        const LOCATIONS: [&str; 19] = [
            "QUERY",
            "MUTATION",
            "SUBSCRIPTION",
            "FIELD",
            "FRAGMENT_DEFINITION",
            "FRAGMENT_SPREAD",
            "INLINE_FRAGMENT",
            "VARIABLE_DEFINITION",
            "SCHEMA",
            "SCALAR",
            "OBJECT",
            "FIELD_DEFINITION",
            "ARGUMENT_DEFINITION",
            "INTERFACE",
            "UNION",
            "ENUM",
            "ENUM_VALUE",
            "INPUT_OBJECT",
            "INPUT_FIELD_DEFINITION",
        ];
        let start = self.token.start;
        self.skip_description()?;
        let Tok::Name(keyword) = self.token.tok.clone() else {
            return Err(self.unexpected());
        };
        self.advance()?;
        let mut parts = Vec::new();
        let mut def = TypeSystemDefinition {
            start,
            name: None,
            defines_type: true,
            directive: None,
            parts: Vec::new(),
        };
        match keyword.as_str() {
            "schema" => {
                def.defines_type = false;
                self.sdl_directives("SCHEMA", &mut parts)?;
                if !self.sdl_operation_types(&mut parts)? {
                    return Err(self.expected(&self.punct_shown("{")));
                }
            }
            "scalar" => {
                def.name = Some(self.name()?.0);
                self.sdl_directives("SCALAR", &mut parts)?;
            }
            "type" | "interface" => {
                def.name = Some(self.name()?.0);
                self.sdl_implements(&mut parts)?;
                let location = if keyword == "type" {
                    "OBJECT"
                } else {
                    "INTERFACE"
                };
                self.sdl_directives(location, &mut parts)?;
                self.sdl_fields(&mut parts)?;
            }
            "union" => {
                def.name = Some(self.name()?.0);
                self.sdl_directives("UNION", &mut parts)?;
                self.sdl_union_members(&mut parts)?;
            }
            "enum" => {
                def.name = Some(self.name()?.0);
                self.sdl_directives("ENUM", &mut parts)?;
                self.sdl_enum_values(&mut parts)?;
            }
            "input" => {
                def.name = Some(self.name()?.0);
                self.sdl_directives("INPUT_OBJECT", &mut parts)?;
                self.sdl_input_fields(&mut parts)?;
            }
            _ => {
                // directive @name(args) repeatable? on A | B
                def.defines_type = false;
                self.expect_punct("@")?;
                let name = self.name()?.0;
                self.sdl_arguments(&mut parts)?;
                if self.lexer.js != GraphqlJs::V14 && self.is_name("repeatable") {
                    self.advance()?;
                }
                self.expect_keyword("on")?;
                self.skip_punct("|")?;
                let mut locations = Vec::new();
                loop {
                    let tok = self.token.clone();
                    let (loc, _) = self.name()?;
                    if !LOCATIONS.contains(&loc.as_str()) {
                        return Err(self.unexpected_token(&tok));
                    }
                    locations.push(loc);
                    if !self.skip_punct("|")? {
                        break;
                    }
                }
                def.name = Some(name.clone());
                def.directive = Some((name, locations));
            }
        }
        def.parts = parts;
        Ok(def)
    }

    /// `extend schema|scalar|type|interface|union|enum|input ...`.
    fn type_system_extension(&mut self) -> Result<TypeSystemDefinition, SyntaxError> {
        let start = self.token.start;
        self.advance()?;
        let keyword_tok = self.token.clone();
        let Tok::Name(keyword) = keyword_tok.tok.clone() else {
            return Err(self.unexpected());
        };
        let mut parts = Vec::new();
        let mut def = TypeSystemDefinition {
            start,
            name: None,
            defines_type: false,
            directive: None,
            parts: Vec::new(),
        };
        let extended = match keyword.as_str() {
            "schema" => {
                self.advance()?;
                let before = parts.len();
                self.sdl_directives("SCHEMA", &mut parts)?;
                let ops = self.sdl_operation_types(&mut parts)?;
                ops || parts.len() > before
            }
            "scalar" => {
                self.advance()?;
                def.name = Some(self.name()?.0);
                let before = parts.len();
                self.sdl_directives("SCALAR", &mut parts)?;
                parts.len() > before
            }
            "type" | "interface" => {
                self.advance()?;
                def.name = Some(self.name()?.0);
                let before = parts.len();
                self.sdl_implements(&mut parts)?;
                let location = if keyword == "type" {
                    "OBJECT"
                } else {
                    "INTERFACE"
                };
                self.sdl_directives(location, &mut parts)?;
                let fields = self.sdl_fields(&mut parts)?;
                fields || parts.len() > before
            }
            "union" => {
                self.advance()?;
                def.name = Some(self.name()?.0);
                let before = parts.len();
                self.sdl_directives("UNION", &mut parts)?;
                let members = self.sdl_union_members(&mut parts)?;
                members || parts.len() > before
            }
            "enum" => {
                self.advance()?;
                def.name = Some(self.name()?.0);
                let before = parts.len();
                self.sdl_directives("ENUM", &mut parts)?;
                let values = self.sdl_enum_values(&mut parts)?;
                values || parts.len() > before
            }
            "input" => {
                self.advance()?;
                def.name = Some(self.name()?.0);
                let before = parts.len();
                self.sdl_directives("INPUT_OBJECT", &mut parts)?;
                let fields = self.sdl_input_fields(&mut parts)?;
                fields || parts.len() > before
            }
            _ => return Err(self.unexpected_token(&keyword_tok)),
        };
        if !extended {
            return Err(self.unexpected());
        }
        def.parts = parts;
        Ok(def)
    }

    /// A punctuator as the release writes it in "Expected ..." messages.
    fn punct_shown(&self, p: &str) -> String {
        if self.lexer.js == GraphqlJs::V14 {
            p.to_string()
        } else {
            format!("\"{p}\"")
        }
    }

    fn operation(&mut self) -> Result<Operation, SyntaxError> {
        let start = self.token.start;
        if self.executable_descriptions() && self.is_description() {
            self.advance()?;
        }
        if self.is_punct("{") {
            let selection_pos = self.token.start;
            let selection = self.selection_set()?;
            return Ok(Operation {
                kind: OperationKind::Query,
                name: None,
                name_pos: None,
                start,
                end: self.prev_end,
                variables: Vec::new(),
                directives: Vec::new(),
                selection_pos,
                selection,
            });
        }
        let (kw, _) = self.name()?;
        let kind = match kw.as_str() {
            "mutation" => OperationKind::Mutation,
            "subscription" => OperationKind::Subscription,
            _ => OperationKind::Query,
        };
        let (name, name_pos) = if let Tok::Name(_) = self.token.tok {
            let (n, p) = self.name()?;
            (Some(n), Some(p))
        } else {
            (None, None)
        };
        let mut variables = Vec::new();
        if self.skip_punct("(")? {
            loop {
                let vstart = self.token.start;
                if self.executable_descriptions() && self.is_description() {
                    self.advance()?;
                }
                self.expect_punct("$")?;
                let (vname, name_pos) = self.name()?;
                self.expect_punct(":")?;
                let ty_pos = self.token.start;
                let (ty, named_pos) = self.type_ref()?;
                let has_default = self.skip_punct("=")?;
                let default = if has_default {
                    Some(self.value(true)?)
                } else {
                    None
                };
                let directives = self.directives(true)?;
                variables.push(VariableDefinition {
                    name: vname,
                    start: vstart,
                    name_pos,
                    ty,
                    ty_pos,
                    named_pos,
                    has_default,
                    default,
                    directives,
                });
                if self.skip_punct(")")? {
                    break;
                }
            }
        }
        let directives = self.directives(false)?;
        let selection_pos = self.token.start;
        let selection = self.selection_set()?;
        Ok(Operation {
            kind,
            name,
            name_pos,
            start,
            end: self.prev_end,
            variables,
            directives,
            selection_pos,
            selection,
        })
    }

    fn fragment(&mut self) -> Result<Fragment, SyntaxError> {
        let start = self.token.start;
        if self.executable_descriptions() && self.is_description() {
            self.advance()?;
        }
        self.expect_keyword("fragment")?;
        if self.is_name("on") {
            return Err(self.unexpected());
        }
        let (name, name_pos) = self.name()?;
        self.expect_keyword("on")?;
        let (type_condition, type_condition_pos) = self.name()?;
        let directives = self.directives(false)?;
        let selection_pos = self.token.start;
        let selection = self.selection_set()?;
        Ok(Fragment {
            name,
            name_pos,
            type_condition,
            type_condition_pos,
            start,
            end: self.prev_end,
            directives,
            selection_pos,
            selection,
        })
    }

    /// A type reference, with the position of its named type.
    fn type_ref(&mut self) -> Result<(TypeRef, Pos), SyntaxError> {
        let (inner, named) = if self.skip_punct("[")? {
            let (item, named) = self.nested(Self::type_ref)?;
            self.expect_punct("]")?;
            (TypeRef::List(Box::new(item)), named)
        } else {
            let (name, pos) = self.name()?;
            (TypeRef::Named(name), pos)
        };
        if self.skip_punct("!")? {
            return Ok((TypeRef::NonNull(Box::new(inner)), named));
        }
        Ok((inner, named))
    }

    fn directives(&mut self, is_const: bool) -> Result<Vec<Directive>, SyntaxError> {
        let mut out = Vec::new();
        while self.is_punct("@") {
            let pos = self.token.start;
            self.advance()?;
            let (name, _) = self.name()?;
            let arguments = self.arguments(is_const)?;
            out.push(Directive {
                name,
                pos,
                arguments,
            });
        }
        Ok(out)
    }

    fn arguments(&mut self, is_const: bool) -> Result<Vec<Argument>, SyntaxError> {
        let mut args = Vec::new();
        if self.skip_punct("(")? {
            loop {
                let (name, start) = self.name()?;
                self.expect_punct(":")?;
                let value = self.value(is_const)?;
                args.push(Argument { name, start, value });
                if self.skip_punct(")")? {
                    break;
                }
            }
        }
        Ok(args)
    }

    fn selection_set(&mut self) -> Result<Vec<Selection>, SyntaxError> {
        self.nested(Self::selection_set_inner)
    }

    fn selection_set_inner(&mut self) -> Result<Vec<Selection>, SyntaxError> {
        self.expect_punct("{")?;
        let mut out = Vec::new();
        loop {
            out.push(self.selection()?);
            if self.skip_punct("}")? {
                break;
            }
        }
        Ok(out)
    }

    fn selection(&mut self) -> Result<Selection, SyntaxError> {
        let start = self.token.start;
        if self.skip_punct("...")? {
            let has_on = self.is_name("on");
            if !has_on && let Tok::Name(_) = self.token.tok {
                let (name, name_pos) = self.name()?;
                let directives = self.directives(false)?;
                return Ok(Selection::Spread {
                    name,
                    start,
                    name_pos,
                    directives,
                });
            }
            let (type_condition, type_condition_pos) = if has_on {
                self.advance()?;
                let (name, pos) = self.name()?;
                (Some(name), pos)
            } else {
                (None, start)
            };
            let directives = self.directives(false)?;
            let selection_pos = self.token.start;
            let selection = self.selection_set()?;
            return Ok(Selection::Inline {
                start,
                type_condition,
                type_condition_pos,
                directives,
                selection_pos,
                selection,
            });
        }
        let (first, _) = self.name()?;
        let (alias, name) = if self.skip_punct(":")? {
            (Some(first), self.name()?.0)
        } else {
            (None, first)
        };
        let arguments = self.arguments(false)?;
        let directives = self.directives(false)?;
        let selection_pos = self.token.start;
        let selection = if self.is_punct("{") {
            Some(self.selection_set()?)
        } else {
            None
        };
        Ok(Selection::Field(Field {
            alias,
            name,
            start,
            end: self.prev_end,
            arguments,
            directives,
            selection_pos,
            selection,
        }))
    }

    fn value(&mut self, is_const: bool) -> Result<Value, SyntaxError> {
        let pos = self.token.start;
        let kind = match self.token.tok.clone() {
            Tok::Punct("[") => {
                self.advance()?;
                let mut items = Vec::new();
                while !self.skip_punct("]")? {
                    let limit = self.max_list_depth;
                    items.push(self.nested_within(limit, |p| p.value(is_const))?);
                }
                ValueKind::List(items)
            }
            Tok::Punct("{") => {
                self.advance()?;
                let mut fields = Vec::new();
                while !self.skip_punct("}")? {
                    let (name, fpos) = self.name()?;
                    self.expect_punct(":")?;
                    fields.push((name, fpos, self.nested(|p| p.value(is_const))?));
                }
                ValueKind::Object(fields)
            }
            Tok::Int(v) => {
                self.advance()?;
                ValueKind::Int(v)
            }
            Tok::Float(v) => {
                self.advance()?;
                ValueKind::Float(v)
            }
            Tok::Str(v) => {
                self.advance()?;
                ValueKind::String(v)
            }
            Tok::BlockStr(v) => {
                self.advance()?;
                return Ok(Value {
                    pos,
                    kind: ValueKind::String(v),
                    block: true,
                });
            }
            Tok::Name(v) => {
                self.advance()?;
                match v.as_str() {
                    "true" => ValueKind::Boolean(true),
                    "false" => ValueKind::Boolean(false),
                    "null" => ValueKind::Null,
                    _ => ValueKind::Enum(v),
                }
            }
            Tok::Punct("$") if !is_const => {
                self.advance()?;
                ValueKind::Variable(self.name()?.0)
            }
            Tok::Punct("$") => {
                // graphql-js 16 names the variable in this message; 14/15 only the token.
                if self.lexer.js == GraphqlJs::V16 {
                    self.advance()?;
                    if let Tok::Name(n) = &self.token.tok {
                        return Err(SyntaxError {
                            message: format!("Unexpected variable \"${n}\" in constant value."),
                            pos,
                        });
                    }
                    return Err(self.expected("Name"));
                }
                return Err(self.unexpected());
            }
            _ => return Err(self.unexpected()),
        };
        Ok(Value {
            pos,
            kind,
            block: false,
        })
    }
}

/// Parse a document as graphql-js `parse` of the given major does (its release Parse shipped
/// last).
pub fn parse(source: &str, js: GraphqlJs) -> Result<Document, SyntaxError> {
    let release = match js {
        GraphqlJs::V14 => GraphqlJsRelease {
            major: 14,
            minor: 5,
            patch: 8,
        },
        GraphqlJs::V15 => GraphqlJsRelease {
            major: 15,
            minor: 4,
            patch: 0,
        },
        GraphqlJs::V16 => GraphqlJsRelease {
            major: 16,
            minor: 11,
            patch: 0,
        },
    };
    parse_with(source, release)
}

/// Parse a document as graphql-js `parse` of the given release does.
pub fn parse_with(source: &str, release: GraphqlJsRelease) -> Result<Document, SyntaxError> {
    parse_nested(source, release, MAX_DEPTH)
}

/// [`parse_with`], allowing `max_depth` levels of nesting (needs a stack sized for it).
pub fn parse_nested(
    source: &str,
    release: GraphqlJsRelease,
    max_depth: usize,
) -> Result<Document, SyntaxError> {
    parse_source(source, release, max_depth, false)
}

/// [`parse_nested`] of a source whose lone surrogates are marked
/// (`json_body::parse_marking`): each is read as the one UTF-16 unit graphql-js sees.
pub fn parse_marked(
    source: &str,
    release: GraphqlJsRelease,
    max_depth: usize,
) -> Result<Document, SyntaxError> {
    parse_source(source, release, max_depth, true)
}

fn parse_source(
    source: &str,
    release: GraphqlJsRelease,
    max_depth: usize,
    lone_surrogates: bool,
) -> Result<Document, SyntaxError> {
    let lexer = Lexer::new(source, release, lone_surrogates);
    let start = lexer.pos();
    // Deeper lists only where the stack is sized for the deep limit (an executor thread).
    let max_list_depth = match release.js() {
        GraphqlJs::V14 if max_depth >= DEEP_NESTING => DEEP_LISTS_V14,
        GraphqlJs::V15 if max_depth >= DEEP_NESTING => DEEP_LISTS_V15,
        GraphqlJs::V14 | GraphqlJs::V15 | GraphqlJs::V16 => max_depth,
    };
    let mut parser = Parser {
        release,
        max_depth,
        max_list_depth,
        prev_token_start: start,
        lexer,
        token: Token {
            tok: Tok::Sof,
            start,
            end: start,
        },
        prev_end: start,
        depth: 0,
        tokens: 0,
    };
    parser.document()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_fragments_where_they_are_spread() {
        let doc = |s: &str| parse(s, GraphqlJs::V16).unwrap();
        // `health` sits at level 3: the selection set, the spread, F's selection.
        let d = doc("{ ...F } fragment F on Query { ... on Query { health } }");
        assert!(d.nests_within(3));
        assert!(!d.nests_within(2));
        // Argument values nest too (counted generously: the value `1` is at level 5).
        let d = doc("{ a(x: [[[1]]]) }");
        assert!(d.nests_within(5));
        assert!(!d.nests_within(4));
        // A chain of fragments is as deep as its length, however short each one is.
        let chain = (0..100)
            .map(|i| format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1))
            .collect::<String>()
            + "fragment F100 on Query { health }\n{ ...F0 }";
        assert!(!doc(&chain).nests_within(MAX_DEPTH));
        assert!(doc(&chain).nests_within(102));
    }

    #[test]
    fn syntax_error_wording_per_graphql_js() {
        let e = parse("query { viewer { ", GraphqlJs::V14).unwrap_err();
        assert_eq!(e.message, "Expected Name, found <EOF>");
        assert_eq!((e.pos.line, e.pos.column), (1, 18));
        let e = parse("query { viewer { ", GraphqlJs::V15).unwrap_err();
        assert_eq!(e.message, "Expected Name, found <EOF>.");
        let e = parse("{ a(x: 1 }", GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, "Expected Name, found \"}\".");
        let e = parse("{ a(x: 1 }", GraphqlJs::V14).unwrap_err();
        assert_eq!(e.message, "Expected Name, found }");
        let e = parse("", GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, "Unexpected <EOF>.");
        let e = parse("{ a ? }", GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, "Unexpected character: \"?\".");
        let e = parse("{ a ? }", GraphqlJs::V15).unwrap_err();
        assert_eq!(e.message, "Cannot parse the unexpected character \"?\".");
        // Type system definitions parse (validation refuses them).
        let doc = parse("type Foo { a: Int }", GraphqlJs::V16).unwrap();
        assert_eq!(doc.type_system[0].name.as_deref(), Some("Foo"));
        let e = parse("\"d\" query { a }", GraphqlJs::V16).unwrap_err();
        assert_eq!(
            e.message,
            "Unexpected description, descriptions are supported only on type definitions."
        );
        let e = parse("\"d\" query { a }", GraphqlJs::V14).unwrap_err();
        assert_eq!(e.message, "Unexpected Name \"query\"");
        // graphql-js 14.5.5 refuses `1.2.3`; 14.4 lexes `.` as a character of its own.
        let old = GraphqlJsRelease {
            major: 14,
            minor: 4,
            patch: 2,
        };
        let e = parse_with("{ a(b: 1.2.3) }", old).unwrap_err();
        assert_eq!(e.message, "Cannot parse the unexpected character \".\".");
        let e = parse("{ a(b: 1.2.3) }", GraphqlJs::V14).unwrap_err();
        assert_eq!(e.message, "Invalid number, expected digit but got: \".\".");
        let deep = format!("{}{}", "{ a ".repeat(100_000), "}".repeat(100_000));
        let e = parse(&deep, GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, STACK_OVERFLOW);
    }

    // Recorded: graphql-diff syn.deepBraces.21 — a list literal 2,000 deep (left open) is
    // read to its unexpected `}` by 3.7–4.5 (graphql-js 14, 15), and overflows 5.x+'s (16).
    #[test]
    fn graphql_js_14_and_15_read_deeper_lists_than_16() {
        let run = || {
            let text = format!("{{ health(a: {}}}", "[".repeat(2_000));
            let on = |major| {
                let release = GraphqlJsRelease {
                    major,
                    minor: 0,
                    patch: 0,
                };
                parse_nested(&text, release, DEEP_NESTING)
                    .unwrap_err()
                    .message
            };
            assert_eq!(on(14), "Unexpected }");
            assert_eq!(on(15), "Unexpected \"}\".");
            assert_eq!(on(16), STACK_OVERFLOW);
            // past graphql-js 14's own limit, it overflows too
            let deeper = format!("{{ health(a: {}}}", "[".repeat(DEEP_LISTS_V15 + 1));
            let release = GraphqlJsRelease {
                major: 15,
                minor: 0,
                patch: 0,
            };
            let e = parse_nested(&deeper, release, DEEP_NESTING).unwrap_err();
            assert_eq!(e.message, STACK_OVERFLOW);
        };
        // As on an executor thread: a debug build needs KiBs of stack per level.
        std::thread::Builder::new()
            .stack_size(crate::graphql::executor_pool::STACK_SIZE)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn operations_and_field_extents() {
        let doc = parse(
            "query A { health } mutation B { logOut(input: {x: 1}) { ok } }",
            GraphqlJs::V16,
        )
        .unwrap();
        assert_eq!(doc.operations.len(), 2);
        assert_eq!(doc.operations[1].kind, OperationKind::Mutation);
        let fields = doc.fields();
        assert_eq!(fields[1].name, "logOut");
        assert_eq!(fields[1].start.column, 33);
        assert_eq!(fields[1].end.offset, 60);
        assert_eq!(
            doc.select_operation(Some("C")).unwrap_err().message(),
            "Unknown operation named \"C\"."
        );
        assert_eq!(
            doc.select_operation(None).unwrap_err(),
            OperationError::Ambiguous
        );
    }
}
