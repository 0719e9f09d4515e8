//! Node's `JSON.parse` error messages (V8 11, Node 20), for bodies Parse refuses.
//!
//! Parse answers an unparsable body with the message its JSON parser threw, so clients see
//! V8's wording. This is a validating scanner that reports the first error the way V8 does.

/// Check `text` as V8's `JSON.parse` would; `Err` carries V8's message.
///
/// The scan keeps its open containers in a vector, never on the call stack: a body is hostile
/// input and may nest as deep as its bytes allow (V8's own parser is iterative too).
pub fn v8_parse_error(text: &str) -> Option<String> {
    // V8 words the refusal of a few whole sources (what `String()` of a value JSON cannot
    // hold gives) on their own.
    if matches!(text, "NaN" | "Infinity" | "undefined" | "[object Object]") {
        return Some(format!("\"{text}\" is not valid JSON"));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut s = Scanner {
        c: &chars,
        i: 0,
        open: Vec::new(),
    };
    match s.document() {
        Ok(()) => None,
        Err(Fail::At(msg, i)) => Some(format!("{msg} in JSON at position {}", s.position(i))),
        Err(Fail::EndOfInput) => Some(EOS.to_owned()),
        Err(Fail::Trailing(i)) => Some(format!(
            "Unexpected non-whitespace character after JSON at position {}",
            s.position(i)
        )),
        Err(Fail::Token(pos)) => Some(unexpected_token(&chars, pos)),
    }
}

/// body-parser's `strict` check: the refusal of a body that does not start with `{` or `[`, in
/// the wording of the pinned body-parser (1.19's single mask up to Parse 5.2).
pub fn strict_refusal(text: &str, single_mask: bool) -> Option<String> {
    let first = text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .chars()
        .next();
    if matches!(first, Some('{' | '[')) {
        return None;
    }
    Some(if single_mask {
        strict_violation_single_mask(text)
    } else {
        strict_violation(text)
    })
}

/// body-parser's `strict` refusal of a body that does not start with `{` or `[`: it re-parses
/// a masked copy and puts the original characters back into V8's message.
pub fn strict_violation(text: &str) -> String {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let chars: Vec<char> = trimmed.chars().collect();
    unexpected_token(&chars, 0)
}

/// body-parser 1.19's `strict` refusal: it parses only the leading whitespace plus one mask
/// character, then puts the refused character back in place of the first mask in V8's message
/// (the quoted source keeps the mask: `Unexpected token 'n', "#" is not valid JSON`).
///
/// body-parser finds the refused character with `/^[\x20\x09\x0a\x0d]*(.)/`: in a body of
/// whitespace only, that is its last character, looked up again by its first occurrence.
pub fn strict_violation_single_mask(text: &str) -> String {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let Some(refused) = trimmed.chars().next().or_else(|| text.chars().last()) else {
        return EOS.to_owned();
    };
    let index = text.find(refused).unwrap_or(0);
    let mut partial: Vec<char> = text[..index].chars().collect();
    let pos = partial.len();
    partial.push('#');
    unexpected_token(&partial, pos).replacen('#', &refused.to_string(), 1)
}

enum Fail {
    /// A specific V8 message, located at a character index.
    At(&'static str, usize),
    /// "Unexpected end of JSON input".
    EndOfInput,
    /// Something other than whitespace after the value, at this character index.
    Trailing(usize),
    /// An unexpected character at this position (V8's "Unexpected token" family).
    Token(usize),
}

/// A container the scanner is inside of.
#[derive(Clone, Copy)]
enum Open {
    Array,
    Object,
}

struct Scanner<'a> {
    c: &'a [char],
    i: usize,
    /// Containers entered and not yet closed, innermost last.
    open: Vec<Open>,
}

const EOS: &str = "Unexpected end of JSON input";

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    /// V8 counts positions in UTF-16 code units, as JavaScript strings do.
    fn position(&self, i: usize) -> usize {
        self.c[..i.min(self.c.len())]
            .iter()
            .map(|c| c.len_utf16())
            .sum()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.i += 1;
        }
    }

    /// A specific V8 message: when the parser has one for the place, V8 uses it whatever the
    /// token (even the end of input).
    fn expected(&self, msg: &'static str) -> Fail {
        Fail::At(msg, self.i)
    }

    /// The whole text: one value, then only whitespace.
    fn document(&mut self) -> Result<(), Fail> {
        self.skip_ws();
        self.value()?;
        self.skip_ws();
        if self.i < self.c.len() {
            return Err(Fail::Trailing(self.i));
        }
        Ok(())
    }

    /// One value, containers included, without recursion: opening a container pushes it on
    /// `open`, and after each complete value the innermost container decides what follows.
    fn value(&mut self) -> Result<(), Fail> {
        loop {
            // Read one value; a non-empty container is entered and its first member awaited.
            let entered = match self.peek() {
                None => return Err(Fail::EndOfInput),
                Some('{') => self.enter_object()?,
                Some('[') => self.enter_array(),
                Some('"') => {
                    self.string()?;
                    false
                }
                Some('-' | '0'..='9') => {
                    self.number()?;
                    false
                }
                Some('t') => {
                    self.literal("true")?;
                    false
                }
                Some('f') => {
                    self.literal("false")?;
                    false
                }
                Some('n') => {
                    self.literal("null")?;
                    false
                }
                Some(_) => return Err(Fail::Token(self.i)),
            };
            if entered {
                continue;
            }
            // A value is complete: close every container it completes.
            loop {
                let Some(&innermost) = self.open.last() else {
                    return Ok(());
                };
                self.skip_ws();
                match (innermost, self.peek()) {
                    (Open::Array, Some(',')) => {
                        self.i += 1;
                        self.skip_ws();
                        break;
                    }
                    (Open::Array, Some(']')) | (Open::Object, Some('}')) => {
                        self.i += 1;
                        self.open.pop();
                    }
                    (Open::Array, _) => {
                        return Err(self.expected("Expected ',' or ']' after array element"));
                    }
                    (Open::Object, Some(',')) => {
                        self.i += 1;
                        self.skip_ws();
                        if self.peek() != Some('"') {
                            return Err(self.expected("Expected double-quoted property name"));
                        }
                        self.member_name()?;
                        break;
                    }
                    (Open::Object, _) => {
                        return Err(self.expected("Expected ',' or '}' after property value"));
                    }
                }
            }
        }
    }

    /// At `{`: an empty object is a complete value (`false`); otherwise the object is entered
    /// and its first member's name read (`true`).
    fn enter_object(&mut self) -> Result<bool, Fail> {
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some('}') {
            self.i += 1;
            return Ok(false);
        }
        if self.peek() != Some('"') {
            return Err(self.expected("Expected property name or '}'"));
        }
        self.member_name()?;
        self.open.push(Open::Object);
        Ok(true)
    }

    /// At `[`: an empty array is a complete value (`false`); otherwise it is entered (`true`).
    fn enter_array(&mut self) -> bool {
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(']') {
            self.i += 1;
            return false;
        }
        self.open.push(Open::Array);
        true
    }

    /// A member's name and its `:`, leaving the scanner at the member's value.
    fn member_name(&mut self) -> Result<(), Fail> {
        self.string()?;
        self.skip_ws();
        if self.peek() != Some(':') {
            return Err(self.expected("Expected ':' after property name"));
        }
        self.i += 1;
        self.skip_ws();
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<(), Fail> {
        for expected in word.chars() {
            match self.peek() {
                None => return Err(Fail::EndOfInput),
                Some(c) if c == expected => self.i += 1,
                Some(_) => return Err(Fail::Token(self.i)),
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), Fail> {
        self.i += 1;
        loop {
            match self.peek() {
                None => return Err(self.expected("Unterminated string")),
                Some('"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => self.i += 1,
                        Some('u') => {
                            self.i += 1;
                            for _ in 0..4 {
                                match self.peek() {
                                    Some(c) if c.is_ascii_hexdigit() => self.i += 1,
                                    None => return Err(self.expected("Unterminated string")),
                                    Some(_) => return Err(self.expected("Bad Unicode escape")),
                                }
                            }
                        }
                        None => return Err(self.expected("Unterminated string")),
                        Some(_) => return Err(self.expected("Bad escaped character")),
                    }
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.expected("Bad control character in string literal"));
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some('0'..='9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), Fail> {
        if self.peek() == Some('-') {
            self.i += 1;
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(self.expected("No number after minus sign"));
            }
        }
        if self.peek() == Some('0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some('.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.expected("Unterminated fractional number"));
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.i += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.expected("Exponent part is missing a number"));
            }
        }
        Ok(())
    }
}

/// V8's "Unexpected token" message, with the source (or 10 characters of context either side
/// when it is 21 characters or longer).
fn unexpected_token(chars: &[char], pos: usize) -> String {
    const CONTEXT: usize = 10;
    let token: String = chars.get(pos).map(|c| c.to_string()).unwrap_or_default();
    let len = chars.len();
    if len < CONTEXT * 2 + 1 {
        let all: String = chars.iter().collect();
        return format!("Unexpected token '{token}', \"{all}\" is not valid JSON");
    }
    let start = pos.saturating_sub(CONTEXT);
    let end = (pos + CONTEXT).min(len);
    let snippet: String = chars[start..end].iter().collect();
    let (pre, post) = (
        if start == 0 { "" } else { "..." },
        if end == len { "" } else { "..." },
    );
    format!("Unexpected token '{token}', {pre}\"{snippet}\"{post} is not valid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v8_words_whole_special_sources_apart() {
        // Node 20's `JSON.parse` of each source, as real Parse 5.6.0 quotes them.
        for (source, message) in [
            ("NaN", "\"NaN\" is not valid JSON"),
            ("undefined", "\"undefined\" is not valid JSON"),
            ("Infinity", "\"Infinity\" is not valid JSON"),
            ("[object Object]", "\"[object Object]\" is not valid JSON"),
            (" NaN", "Unexpected token 'N', \" NaN\" is not valid JSON"),
            (
                "undefinedx",
                "Unexpected token 'u', \"undefinedx\" is not valid JSON",
            ),
        ] {
            assert_eq!(v8_parse_error(source).as_deref(), Some(message), "{source}");
        }
    }

    #[test]
    fn body_parser_1_19_masks_one_character() {
        // y.invalidJson.users / y.jsonString.login of scenario B on 3.x-4.x.
        assert_eq!(
            strict_violation_single_mask("not json at all"),
            "Unexpected token 'n', \"#\" is not valid JSON"
        );
        assert_eq!(
            strict_violation_single_mask("\"carol\""),
            "Unexpected token '\"', \"#\" is not valid JSON"
        );
        assert_eq!(
            strict_violation_single_mask("  x"),
            "Unexpected token 'x', \"  #\" is not valid JSON"
        );
        // fixtures/graphql-diff env.badJson.1 (3.x-4.x): whitespace only refuses its last
        // character, found again at its first occurrence.
        assert_eq!(
            strict_violation_single_mask(" "),
            "Unexpected token ' ', \"#\" is not valid JSON"
        );
        assert_eq!(
            strict_violation_single_mask("\t \t"),
            "Unexpected token '\t', \"#\" is not valid JSON"
        );
        assert_eq!(strict_refusal("{}", true), None);
        assert_eq!(strict_refusal(" [1]", false), None);
    }

    #[test]
    fn messages_recorded_from_node_20() {
        // h.invalidJson on 3.x-4.x.
        assert_eq!(
            v8_parse_error(r#"{"query": "{ health }""#).as_deref(),
            Some("Expected ',' or '}' after property value in JSON at position 22")
        );
        // h.nonJsonBody on yoga.
        assert_eq!(
            v8_parse_error("this is not json").as_deref(),
            Some("Unexpected token 'h', \"this is not json\" is not valid JSON")
        );
        assert_eq!(v8_parse_error("").as_deref(), Some(EOS));
        assert_eq!(v8_parse_error("{\"a\":1}"), None);
        assert_eq!(
            v8_parse_error("{\"a\":1 \"b\":2}").as_deref(),
            Some("Expected ',' or '}' after property value in JSON at position 7")
        );
    }

    #[test]
    fn nesting_of_any_depth_is_scanned_without_recursion() {
        // A body of 100,000 `[` once overflowed the connection thread's stack and aborted
        // the process. Messages checked against Node 20's JSON.parse.
        let deep = 100_000;
        assert_eq!(v8_parse_error(&"[".repeat(deep)).as_deref(), Some(EOS));
        assert_eq!(
            v8_parse_error(&"{\"a\":".repeat(deep)).as_deref(),
            Some(EOS)
        );
        assert_eq!(
            v8_parse_error(&format!("{}x", "[".repeat(deep))).as_deref(),
            Some("Unexpected token 'x', ...\"[[[[[[[[[[x\" is not valid JSON")
        );
        let closed = format!("{}{}", "[".repeat(deep), "]".repeat(deep));
        assert_eq!(v8_parse_error(&closed), None);
        assert_eq!(
            v8_parse_error(&format!("{closed}x")).as_deref(),
            Some("Unexpected non-whitespace character after JSON at position 200000")
        );
        let objects = format!("{}1{}", "{\"a\":".repeat(deep), "}".repeat(deep));
        assert_eq!(v8_parse_error(&objects), None);
    }

    #[test]
    fn positions_count_utf16_units_as_v8_does() {
        // Node 20: JSON.parse('{"a":"😀" x}') -> position 10 (the emoji is two code units).
        assert_eq!(
            v8_parse_error("{\"a\":\"\u{1F600}\" x}").as_deref(),
            Some("Expected ',' or '}' after property value in JSON at position 10")
        );
    }
}
