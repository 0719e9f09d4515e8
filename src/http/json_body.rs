//! Request bodies as Node's `JSON.parse` reads them, into `serde_json` values.
//!
//! Parse's body parser hands the text to V8, which accepts what serde_json refuses: nesting of
//! any depth, numbers beyond `f64` (`1e999` is `Infinity`), lone surrogate escapes. Parse then
//! stores and echoes those values in ways clients see (recorded in
//! `fixtures/hostile/FINDINGS.md`): an infinite number comes back `null`, a lone surrogate
//! as U+FFFD, a leading byte-order mark is ignored. This parser gives the same values.
//!
//! It never recurses: containers being built wait on a vector. A `serde_json::Value` itself is
//! dropped, cloned and serialised recursively, so containers nested deeper than
//! [`MAX_DEPTH`] are kept as `null` (the syntax around them is still checked to the end):
//! no route reads a field that deep, and the value stays safe to handle.

use serde_json::{Map, Number, Value};

use super::json_error;

/// Containers nested deeper than this are kept as `null`.
pub const MAX_DEPTH: usize = 512;

/// What body-parser hands to `JSON.parse`: the decoded text without its byte-order mark.
pub fn body_parser_text(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parse `text` as `JSON.parse` would; `Err` carries V8's message.
pub fn parse(text: &str) -> Result<Value, String> {
    parse_as(text, false).map(|(value, _)| value)
}

/// The first of the 2,048 characters that stand for lone surrogates in [`parse_marking`]'s
/// strings: U+D800 is U+10F800, U+DFFF is U+10FFFF (the end of plane 16's private use area).
pub const LONE_SURROGATE_MARK: u32 = 0x10_F800;

/// The UTF-16 unit a character of [`parse_marking`] stands for, if it marks a lone surrogate.
pub fn lone_surrogate(c: char) -> Option<u16> {
    u16::try_from(u32::from(c).checked_sub(LONE_SURROGATE_MARK)? + 0xD800).ok()
}

/// [`parse`], keeping what a Rust string cannot hold but a JavaScript one can: each lone
/// surrogate escape (`"\\ud800"`) becomes its mark (see [`lone_surrogate`]) instead of
/// U+FFFD. `None` when the text is no JSON, has no lone surrogate, or already holds a
/// character of the marks' range (they would be ambiguous).
pub fn parse_marking(text: &str) -> Option<Value> {
    // Every mark is a four-byte sequence starting F4 8F.
    if text.as_bytes().windows(2).any(|w| w == [0xF4, 0x8F]) {
        return None;
    }
    parse_as(text, true)
        .ok()
        .and_then(|(value, marked)| marked.then_some(value))
}

/// A text with every lone surrogate's mark read as U+FFFD.
pub fn unmark_text(text: &mut String) {
    if text.chars().any(|c| lone_surrogate(c).is_some()) {
        *text = text
            .chars()
            .map(|c| {
                if lone_surrogate(c).is_some() {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
    }
}

fn parse_as(text: &str, mark_lone_surrogates: bool) -> Result<(Value, bool), String> {
    let mut builder = Builder {
        s: text.as_bytes(),
        i: 0,
        stack: Vec::new(),
        skipped: Vec::new(),
        mark_lone_surrogates,
        marked: false,
    };
    let value = builder.document().ok_or_else(|| {
        json_error::v8_parse_error(text)
            .unwrap_or_else(|| "Unexpected end of JSON input".to_owned())
    })?;
    Ok((value, builder.marked))
}

/// A container being built.
enum Frame {
    Array(Vec<Value>),
    /// The object so far and the name of the member whose value is being read.
    Object(Map<String, Value>, String),
}

struct Builder<'a> {
    s: &'a [u8],
    i: usize,
    stack: Vec<Frame>,
    /// Containers open beyond `MAX_DEPTH`, scanned and not built: whether each is an object.
    skipped: Vec<bool>,
    /// Lone surrogates become their marks ([`parse_marking`]) rather than U+FFFD.
    mark_lone_surrogates: bool,
    /// A lone surrogate was marked.
    marked: bool,
}

impl Builder<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn depth(&self) -> usize {
        self.stack.len() + self.skipped.len()
    }

    fn document(&mut self) -> Option<Value> {
        self.skip_ws();
        let value = self.value()?;
        self.skip_ws();
        (self.i == self.s.len()).then_some(value)
    }

    /// One value, containers included, without recursion.
    fn value(&mut self) -> Option<Value> {
        loop {
            // Read a scalar or an empty container, or enter a container.
            let mut done = match self.peek()? {
                b'{' => self.open(b'}')?,
                b'[' => self.open(b']')?,
                b'"' => Some(Value::String(self.string()?)),
                b'-' | b'0'..=b'9' => Some(self.number()?),
                b't' => Some(self.literal(b"true", Value::Bool(true))?),
                b'f' => Some(self.literal(b"false", Value::Bool(false))?),
                b'n' => Some(self.literal(b"null", Value::Null)?),
                _ => return None,
            };
            // Hand finished values to their containers, closing those they complete.
            while let Some(value) = done.take() {
                if self.depth() == 0 {
                    return Some(value);
                }
                self.skip_ws();
                let closing = self.peek()?;
                match closing {
                    b',' => {
                        self.i += 1;
                        self.skip_ws();
                        self.add(value)?;
                        if self.in_object() {
                            let name = self.member_name()?;
                            self.set_name(name);
                        }
                    }
                    b']' | b'}' => {
                        self.i += 1;
                        self.add(value)?;
                        done = Some(self.close(closing)?);
                    }
                    _ => return None,
                }
            }
        }
    }

    /// At `{` or `[`: an empty container is a finished value; otherwise it is entered and
    /// `None` (no value yet) is answered.
    fn open(&mut self, close: u8) -> Option<Option<Value>> {
        let object = close == b'}';
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Some(Some(if object {
                Value::Object(Map::new())
            } else {
                Value::Array(Vec::new())
            }));
        }
        let name = if object {
            self.member_name()?
        } else {
            String::new()
        };
        if self.depth() >= MAX_DEPTH {
            self.skipped.push(object);
        } else if object {
            self.stack.push(Frame::Object(Map::new(), name));
        } else {
            self.stack.push(Frame::Array(Vec::new()));
        }
        Some(None)
    }

    fn in_object(&self) -> bool {
        match self.skipped.last() {
            Some(object) => *object,
            None => matches!(self.stack.last(), Some(Frame::Object(..))),
        }
    }

    fn set_name(&mut self, name: String) {
        if self.skipped.is_empty()
            && let Some(Frame::Object(_, pending)) = self.stack.last_mut()
        {
            *pending = name;
        }
    }

    /// Put a finished value into the innermost container being built.
    fn add(&mut self, value: Value) -> Option<()> {
        if !self.skipped.is_empty() {
            return Some(());
        }
        match self.stack.last_mut()? {
            Frame::Array(items) => items.push(value),
            Frame::Object(map, name) => {
                map.insert(std::mem::take(name), value);
            }
        }
        Some(())
    }

    /// Close the innermost container with `close`; answer it as a finished value (`null`
    /// for one beyond the depth limit).
    fn close(&mut self, close: u8) -> Option<Value> {
        if let Some(object) = self.skipped.pop() {
            return (object == (close == b'}')).then_some(Value::Null);
        }
        match (self.stack.pop()?, close) {
            (Frame::Array(items), b']') => Some(Value::Array(items)),
            (Frame::Object(map, _), b'}') => Some(Value::Object(map)),
            _ => None,
        }
    }

    /// A member's name and its `:`, leaving the builder at the member's value.
    fn member_name(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let name = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return None;
        }
        self.i += 1;
        self.skip_ws();
        Some(name)
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Some(value)
        } else {
            None
        }
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.extend_from_slice(&self.s[start..self.i]);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    // Built from valid UTF-8 input and whole characters.
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    let escape = *self.s.get(self.i + 1)?;
                    self.i += 2;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let unit = self.hex4()?;
                            self.unit_to_char(unit)
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u16> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u16::from_str_radix(text, 16).ok()
    }

    /// A `\uXXXX` unit (the builder is just past its digits): a surrogate pair becomes one
    /// character; a lone surrogate becomes U+FFFD, as Parse stores it (or its mark).
    fn unit_to_char(&mut self, unit: u16) -> char {
        if (0xD800..0xDC00).contains(&unit) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
            let save = self.i;
            self.i += 2;
            if let Some(low) = self.hex4()
                && (0xDC00..0xE000).contains(&low)
            {
                let c = 0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                return char::from_u32(c).unwrap_or('\u{fffd}');
            }
            self.i = save;
        }
        char::from_u32(u32::from(unit)).unwrap_or_else(|| {
            if self.mark_lone_surrogates {
                self.marked = true;
                char::from_u32(LONE_SURROGATE_MARK + u32::from(unit) - 0xD800).unwrap_or('\u{fffd}')
            } else {
                '\u{fffd}'
            }
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    /// A number as JavaScript holds it: a double. Integers JavaScript holds exactly stay
    /// integers here; one beyond `f64` (`Infinity`) is `null`, as Parse echoes it.
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        const EXACT: i64 = 1 << 53;
        if integer
            && let Ok(n) = text.parse::<i64>()
            && (-EXACT..=EXACT).contains(&n)
        {
            return Some(Value::Number(n.into()));
        }
        let f: f64 = text.parse().ok()?;
        Some(Number::from_f64(f).map_or(Value::Null, Value::Number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lone_surrogates_are_marked_only_when_asked_and_unambiguous() {
        let text = r#"{"q":"a\ud800b\udfff","pair":"\ud83d\ude00"}"#;
        assert_eq!(
            parse(text).unwrap(),
            json!({"q": "a\u{fffd}b\u{fffd}", "pair": "\u{1f600}"})
        );
        let marked = parse_marking(text).unwrap();
        let q = marked["q"].as_str().unwrap();
        let units: Vec<Option<u16>> = q.chars().map(lone_surrogate).collect();
        assert_eq!(units, [None, Some(0xD800), None, Some(0xDFFF)]);
        assert_eq!(marked["pair"], "\u{1f600}");
        let mut read = q.to_owned();
        unmark_text(&mut read);
        assert_eq!(read, "a\u{fffd}b\u{fffd}");
        // Nothing to mark, no JSON, or a character of the marks' own range already there.
        assert_eq!(parse_marking(r#"{"q":"\ud83d\ude00"}"#), None);
        assert_eq!(parse_marking(r#"{"q":"\ud800""#), None);
        assert_eq!(parse_marking("{\"q\":\"\\ud800\u{10f800}\"}"), None);
    }

    #[test]
    fn ordinary_documents_parse_as_serde_json_parses_them() {
        for text in [
            r#"{"username":"alice","password":"s3cret","n":[1,-2.5,3e2,true,false,null,{}],"o":{"a":[]}}"#,
            r#"[ 1 , { "a" : "b\"c\\d\/e\b\f\n\r\t\u00e9\ud83d\ude00" } ]"#,
            r#""just a string""#,
            "  \n 0 \t",
            r#"{"a":1,"a":2,"b":3}"#,
        ] {
            let ours = parse(text).unwrap();
            let serde: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, serde, "{text}");
        }
    }

    #[test]
    fn what_v8_accepts_and_serde_does_not() {
        // fixtures/hostile: Parse echoes Infinity as null, stores a lone surrogate as U+FFFD,
        // and ignores a byte-order mark.
        assert_eq!(
            parse(r#"{"n":1e999,"m":-1e999}"#).unwrap(),
            json!({"n":null,"m":null})
        );
        assert_eq!(parse(r#"{"n":0.1e-400}"#).unwrap(), json!({"n":0.0}));
        assert_eq!(
            parse(r#"{"u":"a\ud800b","v":"\udc00"}"#).unwrap(),
            json!({"u":"a\u{fffd}b","v":"\u{fffd}"})
        );
        assert_eq!(
            parse(body_parser_text("\u{feff}{\"a\":1}")).unwrap(),
            json!({"a":1})
        );
        // JSON.parse itself refuses the mark (graphql-yoga's fetch reads bodies that way).
        assert_eq!(
            parse("\u{feff}{}").unwrap_err(),
            "Unexpected token '\u{feff}', \"\u{feff}{}\" is not valid JSON"
        );
        // Integers beyond 2^53 are doubles in JavaScript.
        assert_eq!(
            parse("123456789012345678901234567890").unwrap(),
            json!(1.2345678901234568e29)
        );
        assert_eq!(
            parse("9007199254740993").unwrap(),
            json!(9007199254740992.0)
        );
    }

    #[test]
    fn nesting_beyond_the_limit_is_kept_as_null_without_recursion() {
        for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 100_000] {
            let text = format!(
                r#"{{"username":"u","x":{}1{},"after":true}}"#,
                "[{\"k\":".repeat(depth / 2) + &"[".repeat(depth % 2),
                "]".repeat(depth % 2) + &"}]".repeat(depth / 2)
            );
            let v = parse(&text).unwrap_or_else(|e| panic!("depth {depth}: {e}"));
            assert_eq!(v["username"], "u");
            assert_eq!(v["after"], true, "depth {depth}");
            let mut node = &v["x"];
            let mut levels = 0;
            loop {
                node = match node {
                    Value::Array(items) => &items[0],
                    Value::Object(map) => &map["k"],
                    _ => break,
                };
                levels += 1;
            }
            // The document's object is the first level.
            if depth < MAX_DEPTH {
                assert_eq!(*node, json!(1), "depth {depth}");
                assert_eq!(levels, depth);
            } else {
                assert_eq!(*node, Value::Null, "depth {depth}");
                assert_eq!(levels, MAX_DEPTH - 1);
            }
        }
    }

    #[test]
    fn refusals_carry_v8_s_message() {
        assert_eq!(
            parse(&"[".repeat(100_000)).unwrap_err(),
            "Unexpected end of JSON input"
        );
        // Node 20.
        assert_eq!(
            parse(&format!("{}]", "[".repeat(1000))).unwrap_err(),
            "Expected ',' or ']' after array element in JSON at position 1001"
        );
        // Mismatched closers beyond the depth limit are still refused.
        let bad = format!(
            "{}{}}}",
            "[".repeat(MAX_DEPTH + 5),
            "]".repeat(MAX_DEPTH + 4)
        );
        assert!(parse(&bad).is_err());
        assert_eq!(
            parse(r#"{"a":1 "b":2}"#).unwrap_err(),
            "Expected ',' or '}' after property value in JSON at position 7"
        );
        for bad in [
            "{\"a\":01}",
            "[1,]",
            "{\"a\" 1}",
            "\"\u{1}\"",
            "tru",
            "-",
            "1.",
            "{,}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
            assert!(json_error::v8_parse_error(bad).is_some(), "{bad:?}");
        }
    }
}
