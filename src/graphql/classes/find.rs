//! The find queries of the default classes (`users`, `sessions`, `roles`): Parse's
//! `findObjects` over its REST `find`, from 3.10 (relay connections; graphql-relay's
//! `unbase64` as the version's release has it). The GraphQL `where` is
//! turned into a REST `where` as `transformQueryInputToParse` does, `skip`/`first`/`after`/
//! `last`/`before` into a page as `calculateSkipAndLimit` does, and the answer into a relay
//! connection with JavaScript's own arithmetic (a count Parse does not compute is a null).
//!
//! What is not modelled answers that it needs `--upstream`: constraints on pointers and
//! relations (`have`, `haveNot`, `inQuery`...), key-value constraints on objects, geo and text
//! queries, null constraint values, and orders on object, pointer or ACL columns.

use serde_json::{Map, Value as Json, json};

use super::{Failure, RootField};
use crate::error::{ErrorCode, ParseError};
use crate::graphql::context::Context;
use crate::graphql::schema::ApiError;
use crate::version::RelayBase64;

/// graphql-relay's cursor prefix.
const PREFIX: &str = "arrayconnection:";

/// The constraints of the `where` inputs modelled here, with their REST operator.
const CONSTRAINTS: [(&str, &str); 11] = [
    ("equalTo", "$eq"),
    ("notEqualTo", "$ne"),
    ("lessThan", "$lt"),
    ("lessThanOrEqualTo", "$lte"),
    ("greaterThan", "$gt"),
    ("greaterThanOrEqualTo", "$gte"),
    ("in", "$in"),
    ("notIn", "$nin"),
    ("exists", "$exists"),
    ("matchesRegex", "$regex"),
    ("options", "$options"),
];

/// Columns a find may not sort on here (objects, pointers, ACLs: PostgreSQL's own order).
const UNSORTABLE: [&str; 5] = ["ACL", "authData", "createdWith", "user", "users"];

/// Columns that are pointers or relations (their constraints are subqueries).
const LINKS: [&str; 3] = ["user", "users", "roles"];

/// graphql-relay's `unbase64` as the version's release has it.
pub(super) fn unbase64(input: &str, mode: RelayBase64) -> String {
    match mode {
        RelayBase64::NodeBuffer => String::from_utf8_lossy(&node_buffer_base64(input)).into_owned(),
        RelayBase64::Strict => strict_unbase64(input),
    }
}

/// Node's `Buffer.from(text, 'base64')` (its decoder before simdutf): each UTF-16 unit read
/// by its low byte, `-`/`_` as `+`/`/`, anything else outside the alphabet skipped, the first
/// `=` (or a group cut short) ending the bytes; at most the length the text's size gives.
fn node_buffer_base64(input: &str) -> Vec<u8> {
    let units: Vec<u8> = input.encode_utf16().map(|u| (u & 0xff) as u8).collect();
    let value = |c: u8| -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    };
    let mut len = units.len();
    for _ in 0..2 {
        if len > 0 && units[len - 1] == b'=' {
            len -= 1;
        }
    }
    let capacity = len * 3 / 4;
    let mut out = Vec::with_capacity(capacity);
    let mut i = 0;
    // The next legal character's value; `None` when the text ends or reaches a `=`.
    let next = |i: &mut usize| -> Option<u8> {
        while *i < units.len() {
            let c = units[*i];
            *i += 1;
            if let Some(v) = value(c) {
                return Some(v);
            }
            if c == b'=' {
                return None;
            }
        }
        None
    };
    'groups: while i < units.len() && out.len() < capacity {
        let Some(mut hi) = next(&mut i) else { break };
        for step in 0..3 {
            if i >= units.len() {
                break 'groups;
            }
            let Some(lo) = next(&mut i) else {
                break 'groups;
            };
            out.push(match step {
                0 => ((hi & 0x3f) << 2) | ((lo & 0x30) >> 4),
                1 => ((hi & 0x0f) << 4) | ((lo & 0x3c) >> 2),
                _ => ((hi & 0x03) << 6) | (lo & 0x3f),
            });
            if out.len() >= capacity {
                break 'groups;
            }
            hi = lo;
        }
    }
    out
}

/// graphql-relay 0.8+'s `unbase64`: four characters at a time, `=` read as zero, any other
/// character outside the alphabet (or a missing one) giving an empty text; the bytes read as
/// UTF-8 leniently.
fn strict_unbase64(input: &str) -> String {
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let chars: Vec<char> = input.chars().collect();
    let value = |i: usize| -> Option<u32> {
        let c = *chars.get(i)?;
        if c == '=' {
            return Some(0);
        }
        SET.iter()
            .position(|b| u32::from(*b) == u32::from(c))
            .and_then(|p| u32::try_from(p).ok())
    };
    let mut bytes: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (Some(a), Some(b), Some(c), Some(d)) =
            (value(i), value(i + 1), value(i + 2), value(i + 3))
        else {
            return String::new();
        };
        let bits = (a << 18) | (b << 12) | (c << 6) | d;
        bytes.extend([(bits >> 16) & 255, (bits >> 8) & 255, bits & 255]);
        i += 4;
    }
    let mut pad = chars.len();
    while pad > 0 && chars[pad - 1] == '=' {
        pad -= 1;
        bytes.pop();
    }
    let mut out = String::new();
    let mut k = 0;
    let next = |k: &mut usize| -> u32 {
        let v = bytes.get(*k).copied().unwrap_or(0);
        *k += 1;
        v
    };
    while k < bytes.len() {
        let a = next(&mut k);
        let code = if a & 0x80 == 0 {
            a
        } else {
            let b = next(&mut k);
            if a & 0xe0 == 0xc0 {
                ((a & 0x1f) << 6) | (b & 0x3f)
            } else {
                let c = next(&mut k);
                if a & 0xf0 == 0xe0 {
                    ((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f)
                } else {
                    let d = next(&mut k);
                    ((a & 0x07) << 18) | ((b & 0x3f) << 12) | ((c & 0x3f) << 6) | (d & 0x3f)
                }
            }
        };
        if code <= 0x10ffff {
            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
        }
    }
    out
}

/// graphql-relay's `offsetToCursor`.
fn cursor(offset: i64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{PREFIX}{offset}"))
}

/// graphql-relay's `cursorToOffset`: `parseInt` of what follows the prefix's length.
fn offset(cursor: &str, mode: RelayBase64) -> Option<i64> {
    let text: String = unbase64(cursor, mode).chars().skip(PREFIX.len()).collect();
    let text = text.trim_start();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    let n: i64 = digits.get(..digits.len().min(18))?.parse().ok()?;
    Some(if negative { -n } else { n })
}

fn invalid(message: &str) -> Failure {
    Failure::from(ParseError::new(ErrorCode::InvalidQuery, message.to_owned()))
}

/// `calculateSkipAndLimit` (no `maxLimit` configured): the skip, the limit, and whether the
/// objects must be counted first (`last` alone).
fn skip_and_limit(
    args: &Map<String, Json>,
    mode: RelayBase64,
) -> Result<(Option<i64>, Option<i64>, bool), Failure> {
    let int = |name: &str| args.get(name).and_then(Json::as_i64);
    let text = |name: &str| {
        args.get(name)
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut skip = None;
    let mut limit = None;
    let mut pre_count = false;
    if let Some(s) = int("skip") {
        if s < 0 {
            return Err(invalid("Skip should be a positive number"));
        }
        skip = Some(s);
    }
    if let Some(after) = text("after") {
        match offset(after, mode) {
            Some(a) if a >= 0 => skip = Some(skip.unwrap_or(0) + a + 1),
            _ => return Err(invalid("After is not a valid cursor")),
        }
    }
    if let Some(first) = int("first") {
        if first < 0 {
            return Err(invalid("First should be a positive number"));
        }
        limit = Some(first);
    }
    if let Some(before) = text("before") {
        let before = match offset(before, mode) {
            Some(b) if b >= 0 => b,
            _ => return Err(invalid("Before is not a valid cursor")),
        };
        if skip.unwrap_or(0) >= before {
            limit = Some(0);
        } else if limit.is_none_or(|l| skip.unwrap_or(0) + l > before) {
            limit = Some(before - skip.unwrap_or(0));
        }
    }
    if let Some(last) = int("last") {
        if last < 0 {
            return Err(invalid("Last should be a positive number"));
        }
        match limit {
            Some(l) => {
                if last < l {
                    skip = Some(skip.unwrap_or(0) + (l - last));
                    limit = Some(last);
                }
            }
            None if last == 0 => limit = Some(0),
            None => {
                limit = Some(last);
                pre_count = true;
            }
        }
    }
    Ok((skip, limit, pre_count))
}

/// Whether a `where` holds a `null` anywhere inside (a field, a constraint, a clause, a list
/// item): Parse's `transformQueryInputToParse` walks every object and list of it reading a
/// property of each value (`fieldValue.key`; 3.8's `_key`), which throws a TypeError on
/// `null`, so the find fails with an internal error before anything else is checked.
pub(super) fn holds_null(where_: &Json) -> bool {
    let mut open = vec![where_];
    while let Some(v) = open.pop() {
        match v {
            Json::Null => return true,
            Json::Object(m) => open.extend(m.values()),
            Json::Array(items) => open.extend(items),
            _ => {}
        }
    }
    false
}

/// `transformQueryInputToParse` of a `where` (its keys in the input type's order, as
/// graphql-js coerced it), for the constraints modelled here. `ids` decodes the global ids of
/// `id` constraints (3.10+); without it they are objectIds (3.9).
fn where_to_parse(
    input: &Map<String, Json>,
    class: &str,
    ids: Option<RelayBase64>,
) -> Result<Map<String, Json>, Failure> {
    let mut out = input.clone();
    for (name, value) in input {
        let combined = match name.as_str() {
            "OR" => Some("$or"),
            "AND" => Some("$and"),
            "NOR" => Some("$nor"),
            _ => None,
        };
        if let Some(op) = combined {
            let Json::Array(items) = value else {
                return Err(Failure::Unmodelled);
            };
            let items = items
                .iter()
                .map(|item| match item {
                    Json::Object(m) => where_to_parse(m, class, ids).map(Json::Object),
                    _ => Err(Failure::Unmodelled),
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.shift_remove(name);
            out.insert(op.to_owned(), Json::Array(items));
            continue;
        }
        if LINKS.contains(&name.as_str()) {
            return Err(Failure::Unmodelled);
        }
        // 3.7 hands a `null` to the REST find as it is (later versions fail first: see
        // `holds_null`).
        if value.is_null() {
            continue;
        }
        // An empty constraint is the adapter's "Postgres doesn't support this query type yet
        // {}" (the REST find refuses it).
        let Json::Object(constraints) = value else {
            return Err(Failure::Unmodelled);
        };
        let mut constraints = constraints.clone();
        if name == "id"
            && let Some(mode) = ids
        {
            for v in constraints.values_mut() {
                match v {
                    Json::String(s) => *s = object_id_of(s, class, mode),
                    Json::Array(items) => {
                        for item in items.iter_mut() {
                            if let Json::String(s) = item {
                                *s = object_id_of(s, class, mode);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let original = constraints.clone();
        for (constraint, v) in &original {
            let Some((_, op)) = CONSTRAINTS.iter().find(|(c, _)| c == constraint) else {
                return Err(Failure::Unmodelled);
            };
            // `_Role` has no rows here: a date it is compared with (which Parse's adapter
            // writes as the date's ISO text, readable whatever JavaScript made of the input)
            // never decides anything.
            let compared = matches!(*op, "$lt" | "$lte" | "$gt" | "$gte");
            let role_date = class == "_Role" && compared && is_date(v);
            if !modelled(v, op) && !role_date {
                return Err(Failure::Unmodelled);
            }
            constraints.shift_remove(constraint);
            constraints.insert((*op).to_owned(), v.clone());
        }
        if name == "id" {
            out.shift_remove("id");
            out.insert("objectId".to_owned(), Json::Object(constraints));
        } else {
            out.insert(name.clone(), Json::Object(constraints));
        }
    }
    Ok(out)
}

/// 3.7–3.8's operators (`_eq`, `_or`, a key-value pair's `_key`...) under the names 3.9
/// gave them, each in its place (a translation only: the transformer then moves them as
/// JavaScript does). What has no later name keeps its own, which no transformer here knows.
fn named_operators(input: &Map<String, Json>) -> Map<String, Json> {
    const NAMES: [(&str, &str); 17] = [
        ("_eq", "equalTo"),
        ("_ne", "notEqualTo"),
        ("_lt", "lessThan"),
        ("_lte", "lessThanOrEqualTo"),
        ("_gt", "greaterThan"),
        ("_gte", "greaterThanOrEqualTo"),
        ("_in", "in"),
        ("_nin", "notIn"),
        ("_exists", "exists"),
        ("_regex", "matchesRegex"),
        ("_options", "options"),
        ("_select", "inQueryKey"),
        ("_or", "OR"),
        ("_and", "AND"),
        ("_nor", "NOR"),
        ("_key", "key"),
        ("_value", "value"),
    ];
    let named = |k: &str| {
        NAMES
            .iter()
            .find(|(old, _)| *old == k)
            .map_or(k, |(_, new)| *new)
            .to_owned()
    };
    // Operators only where the input types have them: the constraints of a field, and a
    // key-value pair given to one.
    let constraints = |m: &Map<String, Json>| -> Map<String, Json> {
        m.iter()
            .map(|(op, v)| {
                let v = match v {
                    Json::Object(pair) if pair.contains_key("_key") => {
                        Json::Object(pair.iter().map(|(k, x)| (named(k), x.clone())).collect())
                    }
                    other => other.clone(),
                };
                (named(op), v)
            })
            .collect()
    };
    input
        .iter()
        .map(|(field, value)| match (field.as_str(), value) {
            ("_or" | "_and" | "_nor", Json::Array(items)) => (
                named(field),
                Json::Array(
                    items
                        .iter()
                        .map(|item| match item {
                            Json::Object(m) => Json::Object(named_operators(m)),
                            other => other.clone(),
                        })
                        .collect(),
                ),
            ),
            (_, Json::Object(m)) => (field.clone(), Json::Object(constraints(m))),
            _ => (field.clone(), value.clone()),
        })
        .collect()
}

/// Whether this constraint is answered as Parse's PostgreSQL adapter answers it. Not yet:
/// key-value pairs (a JavaScript error; a `null` never reaches here, [`holds_null`]). Empty `in`/`notIn` lists are (the
/// adapter's `IS NULL` and `1 = 1`), as are equalities with any operand and comparisons
/// with `""` or `false`, which the adapter skips (the REST find: `query::unbuildable`).
/// Dates are, when written as `Date#toISOString` writes them (the only text read the same
/// here): compared, and given to an equality or a list, where the query fails when it runs
/// ([`refused_by_postgres`]).
fn modelled(v: &Json, op: &str) -> bool {
    let canonical_date = |v: &Json| {
        v.get("iso")
            .and_then(Json::as_str)
            .is_some_and(canonical_iso)
    };
    // A date given to an equality or a list fails however it is written; its text matters
    // only when it is the one PostgreSQL reports (`Refusal::exact`).
    let fails = matches!(op, "$eq" | "$ne" | "$in" | "$nin");
    match v {
        Json::Object(m) if m.contains_key("key") => false,
        Json::Array(items) => items.iter().all(|i| {
            if is_date(i) {
                fails || canonical_date(i)
            } else {
                !i.is_object()
            }
        }),
        v if is_date(v) => fails || canonical_date(v),
        _ => true,
    }
}

/// What PostgreSQL answers, after `error: `, to the SQL Parse's adapter writes for a REST
/// `where` it cannot run: a syntax error for a group with no condition in it
/// ([`crate::query::empty_group`]), which it meets before any date it cannot read
/// ([`first_unreadable_date`]).
pub(super) fn refused_by_postgres(where_: &Map<String, Json>) -> Option<Refusal> {
    if crate::query::empty_group(where_) {
        return Some(Refusal {
            text: r#"syntax error at or near ")""#.to_owned(),
            exact: true,
        });
    }
    first_unreadable_date(where_).map(|date| Refusal {
        exact: date
            .get("iso")
            .and_then(Json::as_str)
            .is_some_and(canonical_iso),
        text: format!("invalid input syntax for type timestamp with time zone: \"{date}\""),
    })
}

/// PostgreSQL's refusal of a query: its text, and whether that text is Parse's to the byte
/// (a date JavaScript read from a text other than its own ISO form is written as JavaScript
/// prints it, which is not modelled).
pub(super) struct Refusal {
    pub(super) text: String,
    pub(super) exact: bool,
}

fn is_date(v: &Json) -> bool {
    v.get("__type").and_then(Json::as_str) == Some("Date")
}

/// The first date of a REST `where` that PostgreSQL cannot read, as its text: Parse's
/// adapter compares with a date's ISO text, but hands one given to `$ne`, `$eq`, `$in` or
/// `$nin` over as the JSON of `{__type, iso}`. The query fails where PostgreSQL meets it,
/// in the order the adapter writes its conditions (fields in order; per field `$ne`, `$eq`,
/// `$in`, `$nin`).
fn first_unreadable_date(where_: &Map<String, Json>) -> Option<&Json> {
    where_
        .iter()
        .find_map(|(name, value)| match (name.as_str(), value) {
            ("$or" | "$and" | "$nor", Json::Array(items)) => {
                items.iter().find_map(|item| match item {
                    Json::Object(m) => first_unreadable_date(m),
                    _ => None,
                })
            }
            (_, Json::Object(constraints)) => {
                ["$ne", "$eq", "$in", "$nin"]
                    .iter()
                    .find_map(|op| match constraints.get(*op)? {
                        Json::Array(items) => items.iter().find(|i| is_date(i)),
                        v if is_date(v) => Some(v),
                        _ => None,
                    })
            }
            _ => None,
        })
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ`, as JavaScript's `toISOString` writes a date.
fn canonical_iso(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The objectId a global id of `class` names, else the text itself.
pub(super) fn object_id_of(id: &str, class: &str, mode: RelayBase64) -> String {
    let decoded = unbase64(id, mode);
    match decoded.split_once(':') {
        Some((ty, rest)) if ty == class => rest.to_owned(),
        _ => id.to_owned(),
    }
}

/// A JavaScript value the connection's arithmetic handles: a number or `undefined`.
type JsNumber = Option<i64>;

impl Context {
    /// `findObjects` for `users`, `sessions` or `roles`.
    pub(super) fn find(&self, class: &str, field: &RootField<'_>) -> Result<Json, Failure> {
        let args = field.args;
        let selected = field.selected;
        let relay = self.behavior.graphql_relay_base64;
        let where_ = match args.get("where") {
            None | Some(Json::Null) => Map::new(),
            Some(w) if holds_null(w) => return Err(ApiError::internal().into()),
            Some(Json::Object(m)) => where_to_parse(m, class, Some(relay))?,
            Some(_) => return Err(Failure::Unmodelled),
        };
        let order = self.order(args)?;
        let (mut skip, limit, pre_count) = skip_and_limit(args, relay)?;
        let mut pre: JsNumber = None;
        let refused = refused_by_postgres(&self.adapter_where(class, &where_));
        let pages = selected
            .iter()
            .any(|f| f.starts_with("edges.") || f.starts_with("pageInfo."));
        // The page's size: none when no edge or page info is selected.
        let page_limit = if pages { limit.unwrap_or(100) } else { 0 };
        let count_wanted = (selected.iter().any(|f| f == "count")
            || selected.iter().any(|f| f == "pageInfo.hasPreviousPage")
            || selected.iter().any(|f| f == "pageInfo.hasNextPage"))
            && !pre_count;
        if pre_count {
            let (_, count) = self.rest_find(class, &where_, Some(0), None, None, true)?;
            if refused.is_some() {
                return Err(ApiError::internal().into());
            }
            pre = count;
            let l = limit.unwrap_or(0);
            if let Some(p) = pre
                && skip.unwrap_or(0) + l < p
            {
                skip = Some(p - l);
            }
        }
        let (find_limit, find_skip, find_order) = if page_limit == 0 {
            (0, None, None)
        } else {
            (page_limit, skip.filter(|s| *s != 0), order)
        };
        let (results, count) = self.rest_find(
            class,
            &where_,
            Some(find_limit),
            find_skip,
            find_order,
            count_wanted,
        )?;
        // The page's query reads the selected keys; before 5.0 PostgreSQL may refuse one.
        if find_limit != 0 {
            self.refused_keys(
                class,
                selected
                    .iter()
                    .filter_map(|f| f.strip_prefix("edges.node.")),
            )?;
        }
        if let Some(refusal) = refused {
            self.refused_query(&refusal, find_limit != 0, count_wanted)?;
        }
        self.refused_included_keys(
            class,
            selected
                .iter()
                .filter_map(|f| f.strip_prefix("edges.node.")),
            !results.is_empty(),
        )?;
        let base = skip.unwrap_or(0);
        let len = i64::try_from(results.len()).unwrap_or(i64::MAX);
        let edges: Vec<Json> = results
            .into_iter()
            .zip(0..)
            .map(|(node, i)| json!({ "cursor": cursor(base + i), "node": node }))
            .collect();
        // `((preCount && preCount > 0) || (count && count > 0)) && skip !== undefined &&
        // skip > 0`: 0, undefined, false or true.
        let positive = |n: JsNumber| -> Json {
            match n {
                None => Json::Null,
                Some(0) => json!(0),
                Some(n) => json!(n > 0),
            }
        };
        let mut has_previous = positive(pre);
        if !js_truthy(&has_previous) {
            has_previous = positive(count);
        }
        if js_truthy(&has_previous) {
            has_previous = json!(skip.is_some_and(|s| s > 0));
        }
        let total: JsNumber = match pre {
            Some(p) if p != 0 => Some(p),
            _ => count,
        };
        let has_next = total.is_some_and(|t| t > base + len);
        Ok(json!({
            "edges": edges,
            "pageInfo": {
                "hasPreviousPage": boolean(&has_previous),
                "startCursor": cursor(base),
                "endCursor": cursor(base + len.max(1) - 1),
                "hasNextPage": has_next,
            },
            // `preCount || count`: a zero pre-count gives the count, undefined without one.
            "count": match (pre, count) {
                (Some(p), _) if p != 0 => json!(p),
                (_, Some(c)) => json!(c),
                (Some(0), None) | (None, None) | (Some(_), None) => Json::Null,
            },
        }))
    }

    /// A find's `order` as Parse's REST `order`, where it is modelled.
    fn order(&self, args: &Map<String, Json>) -> Result<Option<String>, Failure> {
        Ok(match args.get("order") {
            None | Some(Json::Null) => None,
            Some(Json::Array(items)) => {
                let mut keys = Vec::new();
                for item in items {
                    let Some(value) = item.as_str() else {
                        return Err(Failure::Unmodelled);
                    };
                    let (name, desc) = match value.rsplit_once('_') {
                        Some((name, "ASC")) => (name, false),
                        Some((name, "DESC")) => (name, true),
                        _ => return Err(Failure::Unmodelled),
                    };
                    // Another user's protected email sorts as its hidden value, or is
                    // refused by the REST find (from 8.6.32 and 9.6.0).
                    if UNSORTABLE.contains(&name) {
                        return Err(Failure::Unmodelled);
                    }
                    // 3.9's `id_ASC` is the value `id`: the sort names a column PostgreSQL
                    // does not have (`find_results`).
                    let name = if name == "id" && self.behavior.graphql_relay_objects {
                        "objectId"
                    } else {
                        name
                    };
                    keys.push(if desc {
                        format!("-{name}")
                    } else {
                        name.to_owned()
                    });
                }
                Some(keys.join(","))
            }
            Some(_) => return Err(Failure::Unmodelled),
        })
    }

    /// 3.9's `findObjects`: `where`, `order`, `skip` and `limit` as REST takes them (no
    /// limit reads every object), answered as a `FindResult` (`results`, `count`).
    pub(super) fn find_results(&self, class: &str, field: &RootField<'_>) -> Result<Json, Failure> {
        let args = field.args;
        let where_ = match args.get("where") {
            None | Some(Json::Null) => Map::new(),
            Some(w) if self.behavior.graphql_null_in_where_fails && holds_null(w) => {
                return Err(ApiError::internal().into());
            }
            Some(Json::Object(m)) if self.behavior.graphql_underscored_operators => {
                where_to_parse(&named_operators(m), class, None)?
            }
            Some(Json::Object(m)) => where_to_parse(m, class, None)?,
            Some(_) => return Err(Failure::Unmodelled),
        };
        let order = self.order(args)?;
        let top = |name: &str| {
            field
                .selected
                .iter()
                .any(|f| f.split('.').next() == Some(name))
        };
        let int = |name: &str| args.get(name).and_then(Json::as_i64);
        let (limit, skip, order) = if top("results") {
            let limit = int("limit");
            if limit == Some(0) {
                (Some(0), None, None)
            } else {
                (
                    Some(limit.unwrap_or(i64::MAX)),
                    int("skip").filter(|s| *s != 0),
                    order,
                )
            }
        } else {
            (Some(0), None, None)
        };
        // PostgreSQL runs the page's query before refusing a negative OFFSET or LIMIT: the
        // REST find is asked for a page it can read, and the refusal comes last.
        let negative = negative_page(limit, skip);
        let (limit, skip) = if negative.is_some() {
            (Some(1), None)
        } else {
            (limit, skip)
        };
        let sorts_on_id = order
            .as_deref()
            .is_some_and(|o| o.split(',').any(|k| k.trim_start_matches('-') == "id"));
        let (results, count) = self.rest_find(class, &where_, limit, skip, order, top("count"))?;
        if limit != Some(0) {
            self.refused_keys(
                class,
                field
                    .selected
                    .iter()
                    .filter_map(|f| f.split_once('.').map(|(_, rest)| rest)),
            )?;
        }
        // PostgreSQL reads a query's columns, then its WHERE, then its ORDER BY.
        if let Some(refusal) = refused_by_postgres(&self.adapter_where(class, &where_)) {
            self.refused_query(&refusal, limit != Some(0), top("count"))?;
        }
        if sorts_on_id && limit != Some(0) {
            return Err(super::roots::no_such_column("id"));
        }
        if let Some(refusal) = negative {
            let refusal = Refusal {
                text: refusal.to_owned(),
                exact: true,
            };
            self.refused_query(&refusal, true, top("count"))?;
        }
        self.refused_included_keys(
            class,
            field
                .selected
                .iter()
                .filter_map(|f| f.strip_prefix("results.")),
            !results.is_empty(),
        )?;
        Ok(json!({ "results": results, "count": count }))
    }

    /// A find's `where` as the adapter writes it (see [`crate::query::as_validated`]): beside
    /// the read ACL a caller without the master key gets, except on `_Session`, whose `where`
    /// Parse puts in an `$and` with the caller's own pointer.
    pub(super) fn adapter_where<'w>(
        &self,
        class: &str,
        where_: &'w Map<String, Json>,
    ) -> std::borrow::Cow<'w, Map<String, Json>> {
        if !self.behavior.or_siblings_moved_into_clauses {
            return std::borrow::Cow::Borrowed(where_);
        }
        let read_acl = !self.auth.is_master && class != "_Session";
        std::borrow::Cow::Owned(crate::query::as_validated(where_, read_acl))
    }

    /// How a find fails on SQL PostgreSQL refuses ([`refused_by_postgres`]): in the page's
    /// query (`found`) Parse's database layer wraps PostgreSQL's error as its own (whose
    /// text 8.0+ hide); in the count, which runs after it or alone, the error reaches GraphQL
    /// unwrapped, as an internal server error. With neither, nothing fails.
    fn refused_query(&self, refusal: &Refusal, found: bool, counted: bool) -> Result<(), Failure> {
        if found {
            let message = if self.behavior.sanitized_permission_errors {
                "An internal server error occurred".to_owned()
            } else if refusal.exact {
                format!("error: {}", refusal.text)
            } else {
                return Err(Failure::Unmodelled);
            };
            return Err(ApiError::parse(ErrorCode::InternalServerError, message).into());
        }
        if counted {
            return Err(ApiError::internal().into());
        }
        Ok(())
    }

    /// Parse's REST `find` with these options, as the caller: the objects as the class's
    /// GraphQL type resolves them, and the count when asked.
    fn rest_find(
        &self,
        class: &str,
        where_: &Map<String, Json>,
        limit: Option<i64>,
        skip: Option<i64>,
        order: Option<String>,
        count: bool,
    ) -> Result<(Vec<Json>, JsNumber), Failure> {
        let mut body = Map::new();
        body.insert("where".into(), Json::Object(where_.clone()));
        if let Some(l) = limit {
            body.insert("limit".into(), json!(l));
        }
        if let Some(s) = skip {
            body.insert("skip".into(), json!(s));
        }
        if let Some(o) = order {
            body.insert("order".into(), json!(o));
        }
        if count {
            body.insert("count".into(), json!(1));
        }
        let rest = self.rest();
        let params = Map::new();
        let answer = match class {
            "_User" => self.wait(crate::rest::find::users(&rest, &body, &params))?,
            "_Session" => self.wait(crate::rest::find::sessions(&rest, &body, &params))?,
            _ => self.wait(crate::rest::find::roles(&rest, &body, &params))?,
        };
        let (_, answer) = answer?;
        let results = answer
            .get("results")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let mut nodes = Vec::with_capacity(results.len());
        for result in results {
            let Json::Object(object) = result else {
                continue;
            };
            nodes.push(self.node(class, object)?);
        }
        let count = answer.get("count").and_then(Json::as_i64);
        Ok((nodes, count))
    }
}

/// What PostgreSQL says, when the page's query runs, of a negative OFFSET (checked first) or
/// LIMIT: a page of limit 0 never runs.
pub(super) fn negative_page(limit: Option<i64>, skip: Option<i64>) -> Option<&'static str> {
    match (limit, skip) {
        (Some(0), _) => None,
        (_, Some(s)) if s < 0 => Some("OFFSET must not be negative"),
        (Some(l), _) if l < 0 => Some("LIMIT must not be negative"),
        _ => None,
    }
}

fn js_truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => true,
    }
}

/// graphql-js's `Boolean` serialization: a number is true unless zero; undefined is null.
fn boolean(v: &Json) -> Json {
    match v {
        Json::Null => Json::Null,
        other => Json::Bool(js_truthy(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: RelayBase64 = RelayBase64::Strict;
    const BUFFER: RelayBase64 = RelayBase64::NodeBuffer;

    #[test]
    fn cursors_are_graphql_relay_s() {
        assert_eq!(cursor(0), "YXJyYXljb25uZWN0aW9uOjA=");
        assert_eq!(offset("YXJyYXljb25uZWN0aW9uOjQ=", STRICT), Some(4));
        // not a cursor: no offset (parseInt's NaN), whatever the prefix
        assert_eq!(offset("bm90IGEgY3Vyc29y", STRICT), None);
        assert_eq!(offset("zzz", STRICT), None);
    }

    #[test]
    fn unbase64_is_graphql_relay_0_10_s() {
        assert_eq!(unbase64("X1VzZXI6YWJj", STRICT), "_User:abc");
        // a group short of four characters, or a character outside the alphabet: nothing
        assert_eq!(unbase64("X1VzZXI6YWJ", STRICT), "");
        assert_eq!(unbase64("X1Vz*XI6", STRICT), "");
    }

    // graphql-relay 0.6-0.7 read ids with Node's Buffer: what the strict decoder refuses
    // whole, it reads around.
    #[test]
    fn unbase64_before_graphql_relay_0_8_is_node_s_buffer() {
        assert_eq!(unbase64("X1VzZXI6YWJj", BUFFER), "_User:abc");
        // a short last group gives what its characters hold
        assert_eq!(unbase64("X1VzZXI6YWJ", BUFFER), "_User:ab");
        // characters outside the alphabet are skipped; URL-safe ones read as + and /
        assert_eq!(unbase64("X1Vz*ZXI6 YWJj", BUFFER), "_User:abc");
        assert_eq!(node_buffer_base64("-_-_"), node_buffer_base64("+/+/"));
        // the first `=` ends the text
        assert_eq!(unbase64("YWI=YWJj", BUFFER), "ab");
        // bytes that are no UTF-8 become U+FFFD
        // (values printed by Node 20's `Buffer.from(text, "base64")`)
        assert_eq!(
            unbase64("zzzzzzzzzz", BUFFER),
            "\u{fffd}<\u{fffd}\u{fffd}<\u{fffd}\u{fffd}"
        );
        // a character beyond Latin-1 is read by its low byte: U+0141 as `A`
        assert_eq!(node_buffer_base64("\u{141}x"), vec![3]);
        assert_eq!(offset("YXJyYXljb25uZWN0aW9uOjQ", BUFFER), Some(4));
    }

    #[test]
    fn underscored_operators_take_their_later_names_in_place() {
        let w = json!({"_or": [{"username": {"_eq": "a"}}], "email": {"_exists": true, "_lt": {"_key": "k", "_value": 1}}});
        let out = named_operators(w.as_object().unwrap());
        assert_eq!(
            Json::Object(out).to_string(),
            r#"{"OR":[{"username":{"equalTo":"a"}}],"email":{"exists":true,"lessThan":{"key":"k","value":1}}}"#
        );
    }

    // Recorded: graphql-diff 3.9.0 valid.sessions.18, 7.5.4's "invalid input syntax" rows.
    #[test]
    fn the_first_date_postgres_cannot_read_follows_the_adapter_s_order() {
        let date = |iso: &str| json!({"__type": "Date", "iso": iso});
        let w = json!({
            "username": {"$in": ["a"]},
            "$or": [{"updatedAt": {"$lt": date("2020-01-01T00:00:00.000Z")}}],
            "createdAt": {
                "$nin": [date("2030-06-15T12:00:00.000Z")],
                "$eq": date("2020-01-01T00:00:00.000Z"),
            },
        });
        assert_eq!(
            first_unreadable_date(w.as_object().unwrap()).map(Json::to_string),
            Some(r#"{"__type":"Date","iso":"2020-01-01T00:00:00.000Z"}"#.to_owned())
        );
        let w = json!({"createdAt": {"$lt": date("2020-01-01T00:00:00.000Z")}});
        assert_eq!(first_unreadable_date(w.as_object().unwrap()), None);
    }

    // Recorded: graphql-diff 3.9.0 mut.missingInputField.2 and .14.
    #[test]
    fn postgres_meets_an_empty_group_before_an_unreadable_date() {
        let date = json!({"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"});
        let w = json!({"createdAt": {"$eq": date}, "$nor": [{}]});
        assert_eq!(
            refused_by_postgres(w.as_object().unwrap()).map(|r| r.text),
            Some(r#"syntax error at or near ")""#.to_owned())
        );
        let w = json!({"createdAt": {"$eq": date}, "$nor": [{}, {"username": "a"}]});
        assert!(
            refused_by_postgres(w.as_object().unwrap())
                .unwrap()
                .text
                .starts_with("invalid input")
        );
        // a date JavaScript read from another text is reported as JavaScript prints it
        let w = json!({"createdAt": {"$in": [{"__type": "Date", "iso": "1.5"}, date]}});
        assert!(!refused_by_postgres(w.as_object().unwrap()).unwrap().exact);
    }

    // Recorded: graphql-diff 9.10.0 mut.wrongLiteral.11 (`where: {emailVerified: null}`),
    // 4.5.2 and 8.6.94 mut.wrongLiteral.55 (`sessionToken: null`).
    #[test]
    fn a_null_anywhere_in_a_where_is_found() {
        assert!(holds_null(&json!({"emailVerified": null})));
        assert!(holds_null(&json!({"OR": [{"a": {"in": ["x", null]}}]})));
        assert!(holds_null(&json!({"AND": [null]})));
        assert!(!holds_null(&json!({"a": {"in": []}, "OR": [{}]})));
    }

    #[test]
    fn skip_and_limit_follow_calculate_skip_and_limit() {
        let args = |v: Json| v.as_object().cloned().unwrap();
        assert_eq!(
            skip_and_limit(&args(json!({"first": 5, "last": 2})), STRICT).unwrap(),
            (Some(3), Some(2), false)
        );
        assert_eq!(
            skip_and_limit(&args(json!({"last": 2})), STRICT).unwrap(),
            (None, Some(2), true)
        );
        assert_eq!(
            skip_and_limit(
                &args(json!({"skip": 1, "after": cursor(0), "before": cursor(1)})),
                STRICT
            )
            .unwrap(),
            (Some(2), Some(0), false)
        );
        assert!(matches!(
            skip_and_limit(&args(json!({"first": -1})), STRICT),
            Err(Failure::Parse(e)) if e.message == "First should be a positive number"
        ));
    }

    #[test]
    fn where_moves_renamed_keys_last_as_javascript_does() {
        let w =
            json!({"id": {"equalTo": "X1VzZXI6YWJj", "exists": true}, "username": {"in": ["a"]}});
        let out = where_to_parse(w.as_object().unwrap(), "_User", Some(STRICT)).unwrap();
        assert_eq!(
            Json::Object(out).to_string(),
            r#"{"username":{"$in":["a"]},"objectId":{"$eq":"abc","$exists":true}}"#
        );
        // dates compare, and their equality is read (to fail as PostgreSQL fails)
        let w = json!({"createdAt": {"greaterThan": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}}});
        assert!(where_to_parse(w.as_object().unwrap(), "_User", Some(STRICT)).is_ok());
        let w = json!({"createdAt": {"equalTo": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}}});
        assert!(where_to_parse(w.as_object().unwrap(), "_User", Some(STRICT)).is_ok());
        let w = json!({"createdAt": {"lessThan": {"__type": "Date", "iso": "2020-01-01"}}});
        assert!(where_to_parse(w.as_object().unwrap(), "_User", Some(STRICT)).is_err());
        let w = json!({"user": {"have": {}}});
        assert!(matches!(
            where_to_parse(w.as_object().unwrap(), "_Session", Some(STRICT)),
            Err(Failure::Unmodelled)
        ));
    }
}
