//! GraphQL requests sent as `multipart/form-data` (the graphql-multipart-request spec: an
//! `operations` field, a `map` field, then the files), read as each Parse stack reads them:
//! - graphql-upload's `processRequest` in front of Apollo Server: 8.x (3.7–3.9), 9–11 on
//!   busboy 0.3 (3.10–5.2), 15 on busboy 1 (7.x+);
//! - graphql-yoga 2's `FormData` reading (5.3–6.x).
//!
//! parse-compat keeps no files: an upload is put into the operations as an empty object, which
//! only the `Upload` scalar (outside the auth API, so sent upstream) would read. With
//! `--upstream`, a form that carries a file goes to Parse whole ([`carries_files`]).

use bytes::Bytes;
use futures_util::FutureExt as _;
use serde_json::{Map, Value as Json};

use crate::http::json_body;
use crate::version::MultipartReader;

/// Where graphql-upload's messages send a client.
const SPEC_URL: &str = "https://github.com/jaydenseric/graphql-multipart-request-spec";

/// graphql-upload's default `maxFieldSize` (1 MB), for `operations` and `map`.
const MAX_FIELD_SIZE: usize = 1_000_000;

/// One part of a form, in the order it came.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    /// Sent with a `filename` (busboy's `file` event rather than `field`).
    pub file: bool,
    pub value: Bytes,
}

/// How the body ended after its last whole part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The closing boundary came.
    Complete,
    /// The body ended inside the form (or never reached its first boundary).
    Truncated,
    /// A part's headers could not be read.
    Malformed,
}

/// A form's whole parts and how it ended; `None` from [`read`] when the content type names no
/// boundary.
#[derive(Debug)]
pub struct Form {
    parts: Vec<Part>,
    end: End,
}

/// Whether the content type is `multipart/form-data`, as type-is's `request.is()` matches it.
pub fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("multipart/form-data")
    })
}

/// graphql-yoga's test: the header starts with `multipart/form-data`, case included.
pub fn is_yoga_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.starts_with("multipart/form-data"))
}

/// Read a buffered form. The body is all there, so the parser never waits.
pub fn read(content_type: &str, body: &[u8]) -> Option<Form> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let chunk = Bytes::copy_from_slice(body);
    let stream =
        futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(chunk) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    let end = loop {
        let field = match multipart.next_field().now_or_never() {
            Some(Ok(Some(field))) => field,
            Some(Ok(None)) => break End::Complete,
            Some(Err(e)) => break end_of(&e),
            None => break End::Truncated,
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().is_some();
        match field.bytes().now_or_never() {
            Some(Ok(value)) => parts.push(Part { name, file, value }),
            Some(Err(e)) => break end_of(&e),
            None => break End::Truncated,
        }
    };
    Some(Form { parts, end })
}

fn end_of(error: &multer::Error) -> End {
    match error {
        multer::Error::ReadHeaderFailed(_)
        | multer::Error::DecodeHeaderName { .. }
        | multer::Error::DecodeHeaderValue { .. }
        | multer::Error::IncompleteHeaders => End::Malformed,
        _ => End::Truncated,
    }
}

/// Whether a form sends a file somewhere: a file part, or a `map` that names one. Such a
/// request is Parse's to answer (its files adapter) when there is an upstream.
pub fn carries_files(form: &Form) -> bool {
    form.parts.iter().any(|p| p.file)
        || form
            .parts
            .iter()
            .find(|p| p.name == "map" && !p.file)
            .and_then(|p| serde_json::from_slice::<Json>(&p.value).ok())
            .is_some_and(|map| map.as_object().is_some_and(|m| !m.is_empty()))
}

/// The `operations` text of a form, for deciding where its operations are answered.
pub fn operations_text(form: &Form) -> Option<&[u8]> {
    form.parts
        .iter()
        .find(|p| p.name == "operations" && !p.file)
        .map(|p| &p.value[..])
}

/// How graphql-upload's middleware ended a request.
#[derive(Debug, PartialEq)]
pub enum Upload {
    /// `request.body`: the operations, uploads put in where the map says.
    Body(Json),
    /// An http-errors error: its status and message (the stack renders it).
    Refused(u16, String),
    /// An error without a status (busboy's). `read`: it came once the body was read (a form
    /// cut short), not from busboy's constructor (no boundary) before any of it was, which
    /// decides whether Parse's error handler or Express answers it on Apollo Server 2.
    Crashed { read: bool },
}

fn refused(status: u16, message: String) -> Upload {
    Upload::Refused(status, message)
}

/// graphql-upload's `processRequest`, as the pinned release runs it over a whole form.
pub fn graphql_upload(form: Option<&Form>, reader: MultipartReader) -> Upload {
    // busboy throws "Multipart: Boundary not found" from its constructor.
    let Some(form) = form else {
        return Upload::Crashed { read: false };
    };
    let busboy1 = matches!(reader, MultipartReader::GraphqlUpload15);
    let mut operations: Option<Json> = None;
    // busboy's `fields: 2` limit: a third field is never emitted.
    let mut fields = 0;
    for part in &form.parts {
        if part.file {
            // Reading stops at the map, so this file came before it.
            return refused(
                400,
                format!("Misordered multipart fields; files should follow ‘map’ ({SPEC_URL})."),
            );
        }
        fields += 1;
        if fields > 2 {
            continue;
        }
        let mut value = &part.value[..];
        if value.len() > MAX_FIELD_SIZE {
            if matches!(reader, MultipartReader::GraphqlUpload8) {
                value = &value[..MAX_FIELD_SIZE];
            } else {
                return refused(
                    413,
                    format!(
                        "The ‘{}’ multipart field value exceeds the {MAX_FIELD_SIZE} byte size limit.",
                        part.name
                    ),
                );
            }
        }
        let text = String::from_utf8_lossy(value);
        match part.name.as_str() {
            "operations" => match json_body::parse(&text) {
                Ok(v @ (Json::Object(_) | Json::Array(_))) => operations = Some(v),
                Ok(_) => {
                    return refused(
                        400,
                        format!("Invalid type for the ‘operations’ multipart field ({SPEC_URL})."),
                    );
                }
                Err(_) => {
                    return refused(
                        400,
                        format!("Invalid JSON in the ‘operations’ multipart field ({SPEC_URL})."),
                    );
                }
            },
            "map" => {
                let Some(mut ops) = operations.take() else {
                    return refused(
                        400,
                        format!(
                            "Misordered multipart fields; ‘map’ should follow ‘operations’ ({SPEC_URL})."
                        ),
                    );
                };
                let map = match json_body::parse(&text) {
                    Ok(Json::Object(m)) => m,
                    Ok(_) => {
                        return refused(
                            400,
                            format!("Invalid type for the ‘map’ multipart field ({SPEC_URL})."),
                        );
                    }
                    Err(_) => {
                        return refused(
                            400,
                            format!("Invalid JSON in the ‘map’ multipart field ({SPEC_URL})."),
                        );
                    }
                };
                for (key, paths) in &map {
                    let Json::Array(paths) = paths else {
                        return refused(
                            400,
                            format!(
                                "Invalid type for the ‘map’ multipart field entry key ‘{key}’ array ({SPEC_URL})."
                            ),
                        );
                    };
                    for (index, path) in paths.iter().enumerate() {
                        let Json::String(path) = path else {
                            return refused(
                                400,
                                format!(
                                    "Invalid type for the ‘map’ multipart field entry key ‘{key}’ array index ‘{index}’ value ({SPEC_URL})."
                                ),
                            );
                        };
                        if !object_path_set(&mut ops, path) {
                            return refused(
                                400,
                                format!(
                                    "Invalid object path for the ‘map’ multipart field entry key ‘{key}’ array index ‘{index}’ value ‘{path}’ ({SPEC_URL})."
                                ),
                            );
                        }
                    }
                }
                // The request goes on once the map is read; the files stream after it.
                return Upload::Body(ops);
            }
            _ => {}
        }
    }
    match form.end {
        End::Truncated | End::Malformed if busboy1 => Upload::Crashed { read: true },
        // busboy 0.3 skips a part whose headers it cannot read, and ends a body that never
        // reached a part as an empty form; a body cut inside a part is its error.
        End::Truncated if !form.parts.is_empty() => Upload::Crashed { read: true },
        _ if operations.is_none() => refused(
            400,
            format!("Missing multipart field ‘operations’ ({SPEC_URL})."),
        ),
        _ => refused(400, format!("Missing multipart field ‘map’ ({SPEC_URL}).")),
    }
}

/// object-path's `set(operations, path, upload)`: false where it throws.
fn object_path_set(root: &mut Json, path: &str) -> bool {
    let keys: Vec<&str> = path.split('.').collect();
    if keys
        .iter()
        .any(|k| matches!(*k, "__proto__" | "constructor" | "prototype"))
    {
        return false;
    }
    let mut at = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        let next_is_index = keys.get(i + 1).is_some_and(|k| k.parse::<usize>().is_ok());
        let fresh = || {
            if last {
                Json::Object(Map::new())
            } else if next_is_index {
                Json::Array(Vec::new())
            } else {
                Json::Object(Map::new())
            }
        };
        at = match at {
            Json::Object(m) => {
                let slot = m.entry((*key).to_owned()).or_insert(Json::Null);
                if last || slot.is_null() {
                    *slot = fresh();
                }
                slot
            }
            Json::Array(items) => {
                let Ok(index) = key.parse::<usize>() else {
                    // A named property on an array: JSON never shows it.
                    return true;
                };
                if items.len() <= index {
                    items.resize(index + 1, Json::Null);
                }
                let slot = &mut items[index];
                if last || slot.is_null() {
                    *slot = fresh();
                }
                slot
            }
            _ => return false,
        };
    }
    true
}

/// graphql-yoga 2's `parsePOSTMultipartRequest`: the operations object its POST reading then
/// takes, or the message of the error it answers 500 with.
pub fn yoga(form: Option<&Form>) -> Result<Json, String> {
    let form = form.ok_or_else(|| "Multipart: Boundary not found".to_owned())?;
    match form.end {
        End::Complete => {}
        End::Truncated => return Err("Unexpected end of form".to_owned()),
        End::Malformed => return Err("Malformed part header".to_owned()),
    }
    // FormData.get: the first part of that name; a file's toString() is "[object File]".
    let get = |name: &str| -> Option<&Part> { form.parts.iter().find(|p| p.name == name) };
    let text = |name: &str| -> String {
        match get(name) {
            Some(p) if p.file => "[object File]".to_owned(),
            Some(p) if !p.value.is_empty() => String::from_utf8_lossy(&p.value).into_owned(),
            _ => "{}".to_owned(),
        }
    };
    let mut operations = json_body::parse(&text("operations"))?;
    let map = json_body::parse(&text("map"))?;
    let keys: Vec<String> = match &map {
        Json::Object(m) => m.keys().cloned().collect(),
        Json::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
        Json::String(s) => (0..s.encode_utf16().count())
            .map(|i| i.to_string())
            .collect(),
        _ => Vec::new(),
    };
    for key in keys {
        let value = match get(&key) {
            Some(p) if p.file => Json::Object(Map::new()),
            Some(p) => Json::String(String::from_utf8_lossy(&p.value).into_owned()),
            None => Json::Null,
        };
        let paths: Vec<String> = match (&map, map.get(&key)) {
            (_, Some(Json::Array(items))) => items
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect(),
            (_, Some(Json::String(s))) => s.chars().map(String::from).collect(),
            (Json::String(s), None) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| s.chars().nth(i))
                .map(|c| vec![c.to_string()])
                .unwrap_or_default(),
            _ => return Err("keys is not iterable".to_owned()),
        };
        for path in paths {
            dset(&mut operations, &path, value.clone());
        }
    }
    Ok(operations)
}

/// dset 3's `dset(obj, path, value)`: it stops at a magic key and keeps what an existing
/// object or array holds.
fn dset(root: &mut Json, path: &str, value: Json) {
    let keys: Vec<&str> = path.split('.').collect();
    let mut at = root;
    for (i, key) in keys.iter().enumerate() {
        if matches!(*key, "__proto__" | "constructor" | "prototype") {
            return;
        }
        let last = i + 1 == keys.len();
        let fresh = || match keys.get(i + 1) {
            Some(next) if next.parse::<f64>().is_ok() && !next.contains('.') => {
                Json::Array(Vec::new())
            }
            _ => Json::Object(Map::new()),
        };
        let slot = match at {
            Json::Object(m) => m.entry((*key).to_owned()).or_insert(Json::Null),
            Json::Array(items) => match key.parse::<usize>() {
                Ok(index) => {
                    if items.len() <= index {
                        items.resize(index + 1, Json::Null);
                    }
                    &mut items[index]
                }
                Err(_) => return,
            },
            _ => return,
        };
        if last {
            *slot = value;
            return;
        }
        if !matches!(slot, Json::Object(_) | Json::Array(_)) {
            *slot = fresh();
        }
        at = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=----b";

    fn form(parts: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut out = String::new();
        for (name, filename, value) in parts {
            out.push_str("------b\r\nContent-Disposition: form-data; name=\"");
            out.push_str(name);
            out.push('"');
            if let Some(f) = filename {
                out.push_str("; filename=\"");
                out.push_str(f);
                out.push('"');
            }
            out.push_str("\r\n\r\n");
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str("------b--\r\n");
        Bytes::from(out)
    }

    fn upload(body: &Bytes, reader: MultipartReader) -> Upload {
        graphql_upload(read(CT, body).as_ref(), reader)
    }

    fn message(u: Upload) -> String {
        match u {
            Upload::Refused(_, m) => m,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn graphql_upload_puts_files_where_the_map_says() {
        let body = form(&[
            (
                "operations",
                None,
                r#"{"query":"q","variables":{"file":null,"list":[null,null]}}"#,
            ),
            (
                "map",
                None,
                r#"{"0":["variables.file"],"1":["variables.list.1"]}"#,
            ),
            ("0", Some("a.txt"), "alpha"),
            ("1", Some("b.txt"), "beta"),
        ]);
        let form = read(CT, &body).unwrap();
        assert!(carries_files(&form));
        assert_eq!(
            graphql_upload(Some(&form), MultipartReader::GraphqlUpload15),
            Upload::Body(serde_json::json!({
                "query": "q",
                "variables": {"file": {}, "list": [null, {}]}
            }))
        );
    }

    #[test]
    fn graphql_upload_refuses_as_its_spec_checks_say() {
        use MultipartReader::{GraphqlUpload8, GraphqlUpload15};
        let m =
            |parts: &[(&str, Option<&str>, &str)]| message(upload(&form(parts), GraphqlUpload15));
        assert!(
            m(&[("query", None, "{ health }")]).starts_with("Missing multipart field ‘operations’")
        );
        assert!(m(&[("operations", None, "{}")]).starts_with("Missing multipart field ‘map’"));
        assert!(
            m(&[("operations", None, "not json")]).starts_with("Invalid JSON in the ‘operations’")
        );
        assert!(m(&[("operations", None, "5")]).starts_with("Invalid type for the ‘operations’"));
        assert!(m(&[("map", None, "{}")]).starts_with("Misordered multipart fields; ‘map’"));
        assert!(
            m(&[("operations", None, "{}"), ("map", None, "[]")])
                .starts_with("Invalid type for the ‘map’ multipart field (")
        );
        assert!(
            m(&[("operations", None, "{}"), ("map", None, r#"{"0":"x"}"#)])
                .contains("entry key ‘0’ array (")
        );
        assert!(
            m(&[("operations", None, "{}"), ("map", None, r#"{"0":[1]}"#)])
                .contains("entry key ‘0’ array index ‘0’ value (")
        );
        assert!(
            m(&[
                ("operations", None, r#"{"a":"s"}"#),
                ("map", None, r#"{"0":["a.b"]}"#)
            ])
            .contains("index ‘0’ value ‘a.b’")
        );
        assert!(
            m(&[("0", Some("f"), "x"), ("operations", None, "{}")])
                .starts_with("Misordered multipart fields; files")
        );
        // A third field is over busboy's limit and never read.
        assert!(
            m(&[
                ("a", None, "1"),
                ("b", None, "2"),
                ("operations", None, "{}")
            ])
            .starts_with("Missing multipart field ‘operations’")
        );
        // Over 1 MB: refused from graphql-upload 9, cut short (so no longer JSON) before.
        let big = format!("{{\"query\":\"{}\"}}", "x".repeat(MAX_FIELD_SIZE));
        assert_eq!(
            upload(&form(&[("operations", None, &big)]), GraphqlUpload15),
            Upload::Refused(
                413,
                "The ‘operations’ multipart field value exceeds the 1000000 byte size limit."
                    .into()
            )
        );
        assert!(
            message(upload(&form(&[("operations", None, &big)]), GraphqlUpload8))
                .starts_with("Invalid JSON in the ‘operations’")
        );
    }

    #[test]
    fn broken_forms_end_as_each_busboy_ends_them() {
        use MultipartReader::{GraphqlUpload9, GraphqlUpload15};
        let garbage = Bytes::from_static(b"garbage");
        // busboy 0.3 ends a body without a boundary as an empty form; busboy 1 fails it.
        assert!(
            message(upload(&garbage, GraphqlUpload9))
                .starts_with("Missing multipart field ‘operations’")
        );
        assert_eq!(
            upload(&garbage, GraphqlUpload15),
            Upload::Crashed { read: true }
        );
        assert_eq!(
            yoga(read(CT, &garbage).as_ref()),
            Err("Unexpected end of form".into())
        );
        // No boundary in the content type.
        assert_eq!(
            graphql_upload(
                read("multipart/form-data", &garbage).as_ref(),
                GraphqlUpload9
            ),
            Upload::Crashed { read: false }
        );
        assert_eq!(
            yoga(read("multipart/form-data", &garbage).as_ref()),
            Err("Multipart: Boundary not found".into())
        );
        // Cut inside a part, after a whole one.
        let cut = Bytes::from(
            "------b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n------b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{",
        );
        assert_eq!(upload(&cut, GraphqlUpload9), Upload::Crashed { read: true });
        // busboy 0.3 skips a part it cannot read; busboy 1 fails the form.
        let malformed = Bytes::from(
            "------b\r\nContent-Disposition form-data\r\nno colon\r\n\r\nx\r\n------b--\r\n",
        );
        assert!(
            message(upload(&malformed, GraphqlUpload9))
                .starts_with("Missing multipart field ‘operations’")
        );
        assert_eq!(
            upload(&malformed, GraphqlUpload15),
            Upload::Crashed { read: true }
        );
        assert_eq!(
            yoga(read(CT, &malformed).as_ref()),
            Err("Malformed part header".into())
        );
    }

    #[test]
    fn yoga_reads_the_form_as_formdata_and_json_parse_do() {
        let ok = |parts: &[(&str, Option<&str>, &str)]| yoga(read(CT, &form(parts)).as_ref());
        assert_eq!(
            ok(&[("query", None, "{ health }")]),
            Ok(serde_json::json!({}))
        );
        assert_eq!(
            ok(&[("operations", None, r#"{"query":"{ health }"}"#)]),
            Ok(serde_json::json!({"query": "{ health }"}))
        );
        assert_eq!(
            ok(&[("operations", None, "not json"), ("map", None, "{}")]),
            Err("Unexpected token 'o', \"not json\" is not valid JSON".into())
        );
        assert_eq!(
            ok(&[("operations", Some("ops.json"), "{}")]),
            Err("Unexpected token 'o', \"[object File]\" is not valid JSON".into())
        );
        assert_eq!(
            ok(&[
                ("operations", None, r#"{"variables":{}}"#),
                (
                    "map",
                    None,
                    r#"{"f":["variables.file"],"g":["variables.text"]}"#
                ),
                ("f", Some("a.txt"), "alpha"),
                ("g", None, "plain"),
            ]),
            Ok(serde_json::json!({"variables": {"file": {}, "text": "plain"}}))
        );
        assert_eq!(
            ok(&[("operations", None, "{}"), ("map", None, r#"{"f":5}"#)]),
            Err("keys is not iterable".into())
        );
    }

    #[test]
    fn the_form_content_type_is_matched_as_each_reader_matches_it() {
        assert!(is_form(Some("Multipart/Form-Data; boundary=x")));
        assert!(!is_yoga_form(Some("Multipart/Form-Data; boundary=x")));
        assert!(is_yoga_form(Some("multipart/form-data")));
        assert!(!is_form(Some("multipart/mixed")));
        assert!(!is_form(None));
    }
}
