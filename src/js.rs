//! How JavaScript turns a JSON value into text or a truth value, where Parse's messages and
//! checks depend on it (`String(v)`, `Number.prototype.toString`, truthiness).

use serde_json::{Number, Value as Json};

/// `Number.prototype.toString()` of a double: the shortest digits that read back as the same
/// number, in fixed notation from 1e-7 up to 1e21 and in exponent notation outside.
pub fn number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".to_owned()
        } else if x > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    // Rust's `{:e}` writes the shortest round-trip digits: `d[.ddd]e<exp>`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let n = exp + 1;
    let sign = if x < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(n - k).unwrap_or(0))
        )
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let e = n - 1;
        let e = if e < 0 {
            format!("-{}", -e)
        } else {
            format!("+{e}")
        };
        match digits.split_at(1) {
            (first, "") => format!("{first}e{e}"),
            (first, rest) => format!("{first}.{rest}e{e}"),
        }
    };
    format!("{sign}{body}")
}

/// A JSON number as JavaScript prints it once `JSON.parse` has read it (into a double).
pub fn json_number(n: &Number) -> String {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) if i.unsigned_abs() <= 1 << 53 => i.to_string(),
        (_, Some(u)) if u <= 1 << 53 => u.to_string(),
        _ => number(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// JavaScript's truthiness of a JSON value.
pub fn truthy(v: &Json) -> bool {
    match v {
        Json::Null | Json::Bool(false) => false,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Bool(true) | Json::Array(_) | Json::Object(_) => true,
    }
}

/// JavaScript's `String(v)` of a JSON value (arrays join their items with commas, `null`
/// items as nothing).
pub fn string(v: &Json) -> String {
    match v {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => json_number(n),
        Json::String(s) => s.clone(),
        Json::Array(items) => items
            .iter()
            .map(|item| match item {
                Json::Null => String::new(),
                other => string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Json::Object(_) => "[object Object]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        for (x, js) in [
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (123.456, "123.456"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (1e20, "100000000000000000000"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5.0, "5"),
        ] {
            assert_eq!(number(x), js, "{x}");
        }
        assert_eq!(
            json_number(&serde_json::Number::from(9_007_199_254_740_993_u64)),
            "9007199254740992"
        );
    }

    #[test]
    fn strings_and_truth_as_javascript_has_them() {
        assert_eq!(string(&json!(["A", ["B", null]])), "A,B,");
        assert_eq!(string(&json!({ "a": 1 })), "[object Object]");
        assert_eq!(string(&json!(1.0)), "1");
        assert!(!truthy(&json!(0)) && !truthy(&json!("")) && truthy(&json!([])));
    }
}
