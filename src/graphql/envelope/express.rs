//! What Express and the middleware Parse mounts on it do to a `/graphql` request before a
//! GraphQL server sees it, for the stacks that leave that to them (Apollo Server 2 and
//! @apollo/server 4/5): the `cors` package's preflight, body-parser's JSON reading, Express's
//! `req.query` and its error pages.

use std::borrow::Cow;

use bytes::Bytes;
use hyper::header::HeaderMap;
use serde_json::{Map, Value as Json};

use super::set;
use crate::http::auth::header;
use crate::http::response::{self, HttpResponse};
use crate::http::{json_body, json_error};

/// body-parser's default `limit` (100kb), used by `bodyParser.json()` / `express.json()`.
pub(super) const JSON_LIMIT: usize = 100 * 1024;

/// The media type of the request (lower case, without parameters).
pub(super) fn media_type(headers: &HeaderMap) -> Option<String> {
    header(headers, "content-type").map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

/// Whether the media type is JSON ([`media_type`], without building its lowercase copy).
pub(super) fn is_json_type(headers: &HeaderMap) -> bool {
    header(headers, "content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    })
}

/// The `cors` package's preflight answer (3.x – 7.x): 204, request headers echoed.
pub(super) fn cors_preflight(headers: &HeaderMap) -> HttpResponse {
    let mut res = response::with_body(204, None, Bytes::new());
    set(&mut res, "access-control-allow-origin", "*");
    set(
        &mut res,
        "access-control-allow-methods",
        "GET,HEAD,PUT,PATCH,POST,DELETE",
    );
    if let Some(h) = header(headers, "access-control-request-headers") {
        set(&mut res, "access-control-allow-headers", h);
        set(&mut res, "vary", "Access-Control-Request-Headers");
    }
    res
}

/// Express's `req.query` for the parameters Apollo 2 reads (`a=1&a=2` becomes an array).
pub(super) fn req_query(query: Option<&str>) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in super::query_params(query) {
        // qs's brackets, one level deep: `a[]=x` and `a[0]=x` make an array, `a[b]=x` an
        // object (a GraphQL parameter given so is then refused for not being a string).
        if let Some((base, rest)) = k.split_once('[')
            && !base.is_empty()
            && let Some(inner) = rest.strip_suffix(']')
            && !inner.contains(['[', ']'])
        {
            let slot = out.entry(base.to_owned());
            let as_array = inner.is_empty() || inner.bytes().all(|b| b.is_ascii_digit());
            let empty = if as_array {
                Json::Array(Vec::new())
            } else {
                Json::Object(Map::new())
            };
            match (slot.or_insert(empty), as_array) {
                (Json::Array(items), true) => items.push(Json::String(v)),
                (Json::Object(fields), false) => {
                    fields.insert(inner.to_owned(), Json::String(v));
                }
                (existing, _) => {
                    let first = existing.take();
                    *existing = Json::Array(vec![first, Json::String(v)]);
                }
            }
            continue;
        }
        match out.get_mut(&k) {
            Some(Json::Array(items)) => items.push(Json::String(v)),
            Some(existing) => {
                let first = existing.take();
                *existing = Json::Array(vec![first, Json::String(v)]);
            }
            None => {
                out.insert(k, Json::String(v));
            }
        }
    }
    out
}

/// type-is's `hasBody`: a Transfer-Encoding header, or a numeric Content-Length (even 0).
pub(super) fn announces_body(headers: &HeaderMap) -> bool {
    headers.contains_key(hyper::header::TRANSFER_ENCODING)
        || header(headers, hyper::header::CONTENT_LENGTH)
            .is_some_and(|v| v.trim().parse::<u64>().is_ok())
}

/// Why body-parser refused a JSON body.
pub(super) struct BodyRefusal {
    pub(super) status: u16,
    pub(super) message: String,
}

impl BodyRefusal {
    pub(super) const fn status_text(&self) -> &'static str {
        match self.status {
            415 => "Unsupported Media Type",
            _ => "Bad Request",
        }
    }
}

/// The `charset` parameter of the content type, lowercased and unquoted.
fn charset(headers: &HeaderMap) -> Option<String> {
    let ct = header(headers, "content-type")?;
    ct.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| {
            let value = value.trim();
            value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value)
                .to_ascii_lowercase()
        })
    })
}

/// The body as iconv-lite decodes it for body-parser: UTF-16 by its byte-order mark (little
/// endian without one), everything else as UTF-8.
fn decode<'a>(bytes: &'a [u8], charset: &str) -> Cow<'a, str> {
    let units = |big_endian: bool, bytes: &[u8]| -> String {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|pair| {
                let pair = [pair[0], pair.get(1).copied().unwrap_or(0)];
                if big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match charset {
        "utf-16" | "utf-16le" | "utf-16be" => match bytes {
            [0xFE, 0xFF, rest @ ..] if charset != "utf-16le" => units(true, rest),
            [0xFF, 0xFE, rest @ ..] if charset != "utf-16be" => units(false, rest),
            _ => units(charset == "utf-16be", bytes),
        }
        .into(),
        _ => String::from_utf8_lossy(bytes),
    }
}

/// body-parser's JSON reading (`strict`): `Ok(None)` when the content type is not JSON. Only
/// the `utf-*` charsets are read (its `charset.slice(0, 4)` test: even `utf8` is refused).
pub(super) fn body_parser_json(
    bytes: &[u8],
    headers: &HeaderMap,
    single_mask: bool,
) -> Result<Option<Json>, BodyRefusal> {
    if !is_json_type(headers) {
        return Ok(None);
    }
    let charset = charset(headers).map_or(Cow::Borrowed("utf-8"), Cow::Owned);
    if !charset.starts_with("utf-") {
        return Err(BodyRefusal {
            status: 415,
            message: format!("unsupported charset \"{}\"", charset.to_ascii_uppercase()),
        });
    }
    if bytes.is_empty() {
        return Ok(Some(Json::Object(Map::new())));
    }
    let decoded = decode(bytes, &charset);
    let text = json_body::body_parser_text(&decoded);
    let refused = |message| BodyRefusal {
        status: 400,
        message,
    };
    if let Some(message) = json_error::strict_refusal(text, single_mask) {
        return Err(refused(message));
    }
    json_body::parse(text).map(Some).map_err(refused)
}

/// A JSON body [`body_parser_json`] read, parsed again with its lone surrogates marked
/// (`json_body::parse_marking`); `None` if it is no JSON body or has none.
pub(super) fn marked_body(bytes: &[u8], headers: &HeaderMap) -> Option<Json> {
    if !is_json_type(headers) {
        return None;
    }
    let charset = charset(headers).map_or(Cow::Borrowed("utf-8"), Cow::Owned);
    let decoded = decode(bytes, &charset);
    json_body::parse_marking(json_body::body_parser_text(&decoded))
}

/// Express's error page for an error that carries its status (http-errors).
pub(super) fn status_page(status: u16) -> HttpResponse {
    let text = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Internal Server Error");
    response::express_error_page(status, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use super::super::test_headers as headers;

    #[test]
    fn body_parser_reads_only_utf_charsets() {
        let refusal = |ct: &'static str, body: &[u8]| {
            body_parser_json(body, &headers(&[("content-type", ct)]), true)
                .err()
                .map(|r| (r.status, r.message))
        };
        // fixtures/graphql-diff env.contentType.22/23 on 4.4.0.
        assert_eq!(
            refusal("application/json; charset=latin1", b"{}"),
            Some((415, "unsupported charset \"LATIN1\"".to_owned()))
        );
        assert_eq!(
            refusal(
                "application/json; charset=utf-16",
                br#"{"query": "{ health }"}"#
            ),
            Some((
                400,
                "Unexpected token '\u{227b}', \"#\" is not valid JSON".to_owned()
            ))
        );
        assert_eq!(refusal("application/json; charset=\"UTF-8\"", b"{}"), None);
        assert_eq!(decode(&[0xFE, 0xFF, 0, b'{', 0, b'}'], "utf-16"), "{}");
        assert_eq!(decode(&[b'{', 0, b'}', 0], "utf-16le"), "{}");
    }

    #[test]
    fn query_strings_are_read_as_express_reads_them() {
        let q = req_query(Some("query[]=%7B%20a%20%7D&v[x]=1&n=1&n=2&query[]=b"));
        assert_eq!(q["query"], json!(["{ a }", "b"]));
        assert_eq!(q["v"], json!({ "x": "1" }));
        assert_eq!(q["n"], json!(["1", "2"]));
    }
}
