//! Node's `JSON.parse` error messages (V8 11, Node 20), for bodies Parse refuses.
//!
//! Parse answers an unparsable body with the message its JSON parser threw, so clients see
//! V8's wording. This is a validating scanner that reports the first error the way V8 does.

/// Check `text` as V8's `JSON.parse` would; `Err` carries V8's message.
pub fn v8_parse_error(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut s = Scanner { c: &chars, i: 0 };
    let result = s.skip_ws().and_then(|()| s.value()).and_then(|()| {
        s.skip_ws()?;
        if s.i < s.c.len() {
            Err(Fail::Msg(format!(
                "Unexpected non-whitespace character after JSON at position {}",
                s.i
            )))
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => None,
        Err(Fail::Msg(m)) => Some(m),
        Err(Fail::Token(pos)) => Some(unexpected_token(&chars, pos)),
    }
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
pub fn strict_violation_single_mask(text: &str) -> String {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let Some(refused) = trimmed.chars().next() else {
        return EOS.to_owned();
    };
    let prefix_len = text.len() - trimmed.len();
    let mut partial: Vec<char> = text[..prefix_len].chars().collect();
    let pos = partial.len();
    partial.push('#');
    unexpected_token(&partial, pos).replacen('#', &refused.to_string(), 1)
}

enum Fail {
    /// A specific V8 message.
    Msg(String),
    /// An unexpected character at this position (V8's "Unexpected token" family).
    Token(usize),
}

struct Scanner<'a> {
    c: &'a [char],
    i: usize,
}

const EOS: &str = "Unexpected end of JSON input";

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn skip_ws(&mut self) -> Result<(), Fail> {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.i += 1;
        }
        Ok(())
    }

    /// A specific V8 message: when the parser has one for the place, V8 uses it whatever the
    /// token (even the end of input).
    fn expected(&self, msg: &str) -> Fail {
        Fail::Msg(format!("{msg} in JSON at position {}", self.i))
    }

    fn value(&mut self) -> Result<(), Fail> {
        match self.peek() {
            None => Err(Fail::Msg(EOS.into())),
            Some('{') => self.object(),
            Some('[') => self.array(),
            Some('"') => self.string(),
            Some('-' | '0'..='9') => self.number(),
            Some('t') => self.literal("true"),
            Some('f') => self.literal("false"),
            Some('n') => self.literal("null"),
            Some(_) => Err(Fail::Token(self.i)),
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Fail> {
        for expected in word.chars() {
            match self.peek() {
                None => return Err(Fail::Msg(EOS.into())),
                Some(c) if c == expected => self.i += 1,
                Some(_) => return Err(Fail::Token(self.i)),
            }
        }
        Ok(())
    }

    fn object(&mut self) -> Result<(), Fail> {
        self.i += 1;
        self.skip_ws()?;
        if self.peek() == Some('}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some('"') {
                return Err(self.expected("Expected property name or '}'"));
            }
            self.string()?;
            self.skip_ws()?;
            if self.peek() != Some(':') {
                return Err(self.expected("Expected ':' after property name"));
            }
            self.i += 1;
            self.skip_ws()?;
            self.value()?;
            self.skip_ws()?;
            match self.peek() {
                Some(',') => {
                    self.i += 1;
                    self.skip_ws()?;
                    if self.peek() != Some('"') {
                        return Err(self.expected("Expected double-quoted property name"));
                    }
                }
                Some('}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.expected("Expected ',' or '}' after property value")),
            }
        }
    }

    fn array(&mut self) -> Result<(), Fail> {
        self.i += 1;
        self.skip_ws()?;
        if self.peek() == Some(']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_ws()?;
            match self.peek() {
                Some(',') => {
                    self.i += 1;
                    self.skip_ws()?;
                }
                Some(']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.expected("Expected ',' or ']' after array element")),
            }
        }
    }

    fn string(&mut self) -> Result<(), Fail> {
        self.i += 1;
        loop {
            match self.peek() {
                None => {
                    return Err(Fail::Msg(format!(
                        "Unterminated string in JSON at position {}",
                        self.i
                    )));
                }
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
                                    None => {
                                        return Err(Fail::Msg(format!(
                                            "Unterminated string in JSON at position {}",
                                            self.i
                                        )));
                                    }
                                    Some(_) => {
                                        return Err(Fail::Msg(format!(
                                            "Bad Unicode escape in JSON at position {}",
                                            self.i
                                        )));
                                    }
                                }
                            }
                        }
                        None => {
                            return Err(Fail::Msg(format!(
                                "Unterminated string in JSON at position {}",
                                self.i
                            )));
                        }
                        Some(_) => {
                            return Err(Fail::Msg(format!(
                                "Bad escaped character in JSON at position {}",
                                self.i
                            )));
                        }
                    }
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(Fail::Msg(format!(
                        "Bad control character in string literal in JSON at position {}",
                        self.i
                    )));
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
                return Err(Fail::Msg(format!(
                    "No number after minus sign in JSON at position {}",
                    self.i
                )));
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
                return Err(Fail::Msg(format!(
                    "Unterminated fractional number in JSON at position {}",
                    self.i
                )));
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.i += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Fail::Msg(format!(
                    "Exponent part is missing a number in JSON at position {}",
                    self.i
                )));
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
}
