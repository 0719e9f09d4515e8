//! graphql-js's "Did you mean" machinery: `suggestionList` and `didYouMean`, per release.

use std::cmp::Ordering;

use crate::version::GraphqlJs;

/// graphql-js's `didYouMean` (at most five suggestions). `quote` says whether the suggestions
/// are quoted: graphql-js 15+ always quotes; 14's callers quote, except for enum values and
/// input fields of `ValuesOfCorrectType`.
pub fn did_you_mean(sub_message: Option<&str>, suggestions: &[String], quote: bool) -> String {
    let items: Vec<String> = suggestions
        .iter()
        .take(5)
        .map(|s| if quote { format!("\"{s}\"") } else { s.clone() })
        .collect();
    let mut message = String::from(" Did you mean ");
    if let Some(sub) = sub_message {
        message.push_str(sub);
        message.push(' ');
    }
    match suggestions.len() {
        0 => String::new(),
        1 => format!("{message}{}?", items[0]),
        2 => format!("{message}{} or {}?", items[0], items[1]),
        _ => {
            let (last, init) = items.split_last().unwrap_or((&items[0], &[]));
            format!("{message}{}, or {last}?", init.join(", "))
        }
    }
}

/// Optimal string alignment distance on lower-cased input, as graphql-js measures it (the same
/// function from 14 to 16; 15+ stop early past a threshold, which changes no verdict).
fn lexical_distance(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    let (al, bl) = (a.to_lowercase(), b.to_lowercase());
    if al == bl {
        return 1;
    }
    let a: Vec<char> = al.chars().collect();
    let b: Vec<char> = bl.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// graphql-js `suggestionList`: options close enough to `input`, closest first. Ties keep the
/// options' order (14), or sort by `localeCompare` (15) or `naturalCompare` (16).
pub fn suggestion_list(js: GraphqlJs, input: &str, options: &[&str]) -> Vec<String> {
    let len = |s: &str| s.encode_utf16().count();
    let mut scored: Vec<(usize, &str)> = Vec::new();
    for option in options {
        if scored.iter().any(|(_, o)| o == option) {
            continue;
        }
        let distance = lexical_distance(input, option);
        let ok = match js {
            GraphqlJs::V14 => {
                let threshold = (len(input) as f64 / 2.0)
                    .max(len(option) as f64 / 2.0)
                    .max(1.0);
                distance as f64 <= threshold
            }
            GraphqlJs::V15 | GraphqlJs::V16 => distance <= len(input) * 2 / 5 + 1,
        };
        if ok {
            scored.push((distance, option));
        }
    }
    match js {
        GraphqlJs::V14 => scored.sort_by_key(|(d, _)| *d),
        GraphqlJs::V15 => scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| locale_cmp(a.1, b.1))),
        GraphqlJs::V16 => scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_cmp(a.1, b.1))),
    }
    scored.into_iter().map(|(_, s)| s.to_owned()).collect()
}

/// `String.prototype.localeCompare` under Node's ICU root collation, for GraphQL names
/// (`[_A-Za-z0-9]`): `_` before digits before letters, letters without case first, then
/// lower case before upper case.
pub(crate) fn locale_cmp(a: &str, b: &str) -> Ordering {
    let primary = |c: char| -> (u8, char) {
        match c {
            '_' => (0, c),
            '0'..='9' => (1, c),
            _ => (2, c.to_ascii_lowercase()),
        }
    };
    let pa: Vec<(u8, char)> = a.chars().map(primary).collect();
    let pb: Vec<(u8, char)> = b.chars().map(primary).collect();
    pa.cmp(&pb).then_with(|| {
        // Tertiary: lower case sorts before upper case.
        let ta: Vec<bool> = a.chars().map(|c| c.is_ascii_uppercase()).collect();
        let tb: Vec<bool> = b.chars().map(|c| c.is_ascii_uppercase()).collect();
        ta.cmp(&tb)
    })
}

/// graphql-js 16 `naturalCompare` (digit runs compare as numbers).
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let na: String = a[si..i].iter().collect();
            let nb: String = b[sj..j].iter().collect();
            let ord = na
                .trim_start_matches('0')
                .len()
                .cmp(&nb.trim_start_matches('0').len())
                .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
            if ord.is_ne() {
                return ord;
            }
        } else {
            let ord = a[i].cmp(&b[j]);
            if ord.is_ne() {
                return ord;
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_lists_like_graphql_js() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(did_you_mean(None, &s(&[]), true), "");
        assert_eq!(did_you_mean(None, &s(&["a"]), true), " Did you mean \"a\"?");
        assert_eq!(
            did_you_mean(None, &s(&["a", "b"]), true),
            " Did you mean \"a\" or \"b\"?"
        );
        assert_eq!(
            did_you_mean(Some("the enum value"), &s(&["a", "b", "c"]), false),
            " Did you mean the enum value a, b, or c?"
        );
        assert_eq!(
            did_you_mean(None, &s(&["a", "b", "c", "d", "e", "f"]), true),
            " Did you mean \"a\", \"b\", \"c\", \"d\", or \"e\"?"
        );
    }

    #[test]
    fn ties_sort_per_release() {
        let opts = ["ab", "Ab", "a_"];
        assert_eq!(
            suggestion_list(GraphqlJs::V14, "aX", &opts),
            ["ab", "Ab", "a_"]
        );
        assert_eq!(
            suggestion_list(GraphqlJs::V15, "aX", &opts),
            ["a_", "ab", "Ab"]
        );
        assert_eq!(
            suggestion_list(GraphqlJs::V16, "aX", &opts),
            ["Ab", "a_", "ab"]
        );
    }
}
