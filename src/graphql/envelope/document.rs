//! A GraphQL document read the way graphql-js reads it: the same tokens, the same syntax errors
//! (worded per graphql-js major), and the positions its validation rules report.
//!
//! juniper parses the document again when it executes; this reading exists because the
//! envelope needs graphql-js's syntax error texts, the operation type before execution (GET
//! mutations, introspection policy) and node extents to order validation errors as graphql-js
//! visits them.

use super::schema_info::TypeRef;
use crate::version::GraphqlJs;

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
    pub end: Pos,
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
    pub selection: Vec<Selection>,
}

#[derive(Debug, Clone)]
pub struct VariableDefinition {
    pub name: String,
    pub start: Pos,
    pub ty: TypeRef,
    pub has_default: bool,
}

#[derive(Debug, Clone)]
pub struct Fragment {
    pub name: String,
    pub name_pos: Pos,
    pub type_condition: String,
    pub start: Pos,
    pub end: Pos,
    pub selection: Vec<Selection>,
}

#[derive(Debug, Clone)]
pub enum Selection {
    Field(Field),
    Spread {
        name: String,
        start: Pos,
    },
    Inline {
        start: Pos,
        type_condition: Option<String>,
        selection: Vec<Selection>,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub start: Pos,
    pub end: Pos,
    pub arguments: Vec<Argument>,
    pub selection: Option<Vec<Selection>>,
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
    /// The value as graphql-js's `print` writes it (used in its messages).
    pub fn print(&self) -> String {
        match &self.kind {
            ValueKind::Variable(n) => format!("${n}"),
            ValueKind::Int(s) | ValueKind::Float(s) | ValueKind::Enum(s) => s.clone(),
            ValueKind::String(s) => serde_json::Value::String(s.clone()).to_string(),
            ValueKind::Boolean(b) => b.to_string(),
            ValueKind::Null => "null".into(),
            ValueKind::List(items) => {
                let inner: Vec<String> = items.iter().map(Value::print).collect();
                format!("[{}]", inner.join(", "))
            }
            ValueKind::Object(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(k, _, v)| format!("{k}: {}", v.print()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }
}

impl Document {
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
            Self::Unknown(n) => format!("Unknown operation named \"{n}\"."),
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

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    line: usize,
    line_start_utf16: usize,
    line_start_char: usize,
    utf16: usize,
    js: GraphqlJs,
    _src: &'a str,
}

fn describe_char(c: Option<char>) -> String {
    match c {
        None => "<EOF>".into(),
        Some(c) if (c as u32) < 0x7f && (c as u32) >= 0x20 => {
            serde_json::Value::String(c.to_string()).to_string()
        }
        Some(c) => {
            let mut buf = [0u16; 2];
            let units = c.encode_utf16(&mut buf);
            let hex: Vec<String> = units.iter().map(|u| format!("\\u{u:04X}")).collect();
            format!("\"{}\"", hex.join(""))
        }
    }
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str, js: GraphqlJs) -> Self {
        Self {
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

    fn bump(&mut self) {
        if let Some(c) = self.peek(0) {
            self.i += 1;
            self.utf16 += c.len_utf16();
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

    fn unexpected_char(&self) -> SyntaxError {
        let pos = self.pos();
        let c = self.peek(0);
        let desc = describe_char(c);
        let message = match (self.js, c) {
            (_, Some('\'')) => {
                "Unexpected single quote character ('), did you mean to use a double quote (\")?"
                    .to_string()
            }
            (GraphqlJs::V16, Some(ch)) if (ch as u32) < 0x20 || ch == '\u{7f}' => {
                format!("Invalid character: U+{:04X}.", ch as u32)
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
                        if c == '\n' || c == '\r' {
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
        let c = self.peek(0);
        let desc = describe_char(c);
        self.err(
            self.pos(),
            format!(
                "Invalid number, expected digit but got: {desc}{}",
                self.dot()
            ),
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
                let desc = describe_char(Some(c));
                return Err(self.err(
                    self.pos(),
                    format!(
                        "Invalid number, unexpected digit after 0: {desc}{}",
                        self.dot()
                    ),
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
        if matches!(self.peek(0), Some('e' | 'E')) {
            float = true;
            s.push('e');
            self.bump();
            if let Some(c @ ('+' | '-')) = self.peek(0) {
                s.push(c);
                self.bump();
            }
            s.push_str(&self.digits()?);
        }
        if let Some(c) = self.peek(0)
            && self.js == GraphqlJs::V16
            && (c == '.' || c == '_' || c.is_ascii_alphabetic())
        {
            let desc = describe_char(Some(c));
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
        let mut s = String::new();
        loop {
            match self.peek(0) {
                None | Some('\n' | '\r') => {
                    return Err(self.err(self.pos(), format!("Unterminated string{}", self.dot())));
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
                    let esc_pos = self.pos();
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
                        let hex: String = (1..=4).filter_map(|k| self.peek(k)).collect();
                        if hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                            let code = u32::from_str_radix(&hex, 16).unwrap_or(0xfffd);
                            s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            for _ in 0..5 {
                                self.bump();
                            }
                            continue;
                        }
                        return Err(self.err(
                            esc_pos,
                            format!(
                                "Invalid Unicode escape sequence: \"\\u{hex}\"{}",
                                self.dot()
                            ),
                        ));
                    }
                    let shown: String = e.map(String::from).unwrap_or_default();
                    return Err(self.err(
                        esc_pos,
                        format!(
                            "Invalid character escape sequence: \"\\{shown}\"{}",
                            self.dot()
                        ),
                    ));
                }
                Some(c) if (c as u32) < 0x20 && c != '\t' => {
                    let desc = describe_char(Some(c));
                    return Err(self.err(
                        self.pos(),
                        format!("Invalid character within String: {desc}{}", self.dot()),
                    ));
                }
                Some(c) => {
                    s.push(c);
                    self.bump();
                }
            }
        }
    }

    fn block_string(&mut self, start: Pos) -> Result<Token, SyntaxError> {
        self.bump();
        self.bump();
        self.bump();
        let mut raw = String::new();
        loop {
            match self.peek(0) {
                None => {
                    return Err(self.err(self.pos(), format!("Unterminated string{}", self.dot())));
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

/// juniper's default parser limits: deeper or longer documents are refused here with its
/// wording (graphql-js has no such limits), which also bounds this parser's recursion.
const MAX_DEPTH: usize = 64;
const MAX_TOKENS: usize = 15_000;

struct Parser<'a> {
    lexer: Lexer<'a>,
    token: Token,
    prev_end: Pos,
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
        Ok(prev)
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(SyntaxError {
                message: format!("Document nesting exceeds the limit of {MAX_DEPTH} levels"),
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

    fn document(&mut self) -> Result<Document, SyntaxError> {
        self.advance()?;
        let mut operations = Vec::new();
        let mut fragments = Vec::new();
        loop {
            if self.is_punct("{") {
                operations.push(self.operation()?);
            } else if let Tok::Name(kw) = &self.token.tok {
                // Type-system definitions (`type`, `schema`, …) are not executable: graphql-js
                // parses and then refuses them in validation; we refuse them here.
                match kw.as_str() {
                    "query" | "mutation" | "subscription" => operations.push(self.operation()?),
                    "fragment" => fragments.push(self.fragment()?),
                    _ => return Err(self.unexpected()),
                }
            } else {
                return Err(self.unexpected());
            }
            if self.token.tok == Tok::Eof {
                break;
            }
        }
        Ok(Document {
            operations,
            fragments,
            end: self.token.start,
        })
    }

    fn operation(&mut self) -> Result<Operation, SyntaxError> {
        let start = self.token.start;
        if self.is_punct("{") {
            let selection = self.selection_set()?;
            return Ok(Operation {
                kind: OperationKind::Query,
                name: None,
                name_pos: None,
                start,
                end: self.prev_end,
                variables: Vec::new(),
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
                self.expect_punct("$")?;
                let (vname, _) = self.name()?;
                self.expect_punct(":")?;
                let ty = self.type_ref()?;
                let has_default = self.skip_punct("=")?;
                if has_default {
                    self.value(true)?;
                }
                self.directives(true)?;
                variables.push(VariableDefinition {
                    name: vname,
                    start: vstart,
                    ty,
                    has_default,
                });
                if self.skip_punct(")")? {
                    break;
                }
            }
        }
        self.directives(false)?;
        let selection = self.selection_set()?;
        Ok(Operation {
            kind,
            name,
            name_pos,
            start,
            end: self.prev_end,
            variables,
            selection,
        })
    }

    fn fragment(&mut self) -> Result<Fragment, SyntaxError> {
        let start = self.token.start;
        self.expect_keyword("fragment")?;
        if self.is_name("on") {
            return Err(self.unexpected());
        }
        let (name, name_pos) = self.name()?;
        self.expect_keyword("on")?;
        let (type_condition, _) = self.name()?;
        self.directives(false)?;
        let selection = self.selection_set()?;
        Ok(Fragment {
            name,
            name_pos,
            type_condition,
            start,
            end: self.prev_end,
            selection,
        })
    }

    fn type_ref(&mut self) -> Result<TypeRef, SyntaxError> {
        let inner = if self.skip_punct("[")? {
            let item = self.nested(Self::type_ref)?;
            self.expect_punct("]")?;
            TypeRef::List(Box::new(item))
        } else {
            TypeRef::Named(self.name()?.0)
        };
        if self.skip_punct("!")? {
            return Ok(TypeRef::NonNull(Box::new(inner)));
        }
        Ok(inner)
    }

    fn directives(&mut self, is_const: bool) -> Result<(), SyntaxError> {
        while self.skip_punct("@")? {
            self.name()?;
            self.arguments(is_const)?;
        }
        Ok(())
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
                let (name, _) = self.name()?;
                self.directives(false)?;
                return Ok(Selection::Spread { name, start });
            }
            let type_condition = if has_on {
                self.advance()?;
                Some(self.name()?.0)
            } else {
                None
            };
            self.directives(false)?;
            let selection = self.selection_set()?;
            return Ok(Selection::Inline {
                start,
                type_condition,
                selection,
            });
        }
        let (first, _) = self.name()?;
        let name = if self.skip_punct(":")? {
            self.name()?.0
        } else {
            first
        };
        let arguments = self.arguments(false)?;
        self.directives(false)?;
        let selection = if self.is_punct("{") {
            Some(self.selection_set()?)
        } else {
            None
        };
        Ok(Selection::Field(Field {
            name,
            start,
            end: self.prev_end,
            arguments,
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
                    items.push(self.nested(|p| p.value(is_const))?);
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
            Tok::Str(v) | Tok::BlockStr(v) => {
                self.advance()?;
                ValueKind::String(v)
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
        Ok(Value { pos, kind })
    }
}

/// Parse a document as graphql-js `parse` of the given major does.
pub fn parse(source: &str, js: GraphqlJs) -> Result<Document, SyntaxError> {
    let lexer = Lexer::new(source, js);
    let start = lexer.pos();
    let mut parser = Parser {
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
        let e = parse("type Foo { a: Int }", GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, "Unexpected Name \"type\".");
        let deep = format!("{}{}", "{ a ".repeat(100_000), "}".repeat(100_000));
        let e = parse(&deep, GraphqlJs::V16).unwrap_err();
        assert_eq!(e.message, "Document nesting exceeds the limit of 64 levels");
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
