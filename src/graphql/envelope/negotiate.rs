//! The `negotiator` package's `mediaType(available)`, as Apollo Server 4/5 uses it to choose
//! the content type of a single result from the request's `Accept` header.
//!
//! A range matches an offered type when its type and subtype are equal or `*` and each of
//! its parameters (but `q`) equals the offered type's; among the ranges that match, an offer
//! takes the most specific, then the highest `q`, then the earliest. Offers with `q` 0 are
//! refused; the rest are ranked by `q`, specificity, the range's place, then the offer's.

/// One media type, lowercased: `type`, `subtype` and its parameters.
struct MediaType {
    kind: String,
    subtype: String,
    params: Vec<(String, String)>,
    q: f64,
    /// Position in the header (ranges) or in the offers.
    index: usize,
}

/// negotiator's `parseMediaType`: `type/subtype` then `;`-separated `key=value` pairs (a
/// value may be quoted); anything else is not a media range and is skipped.
fn parse(text: &str, index: usize) -> Option<MediaType> {
    let text = text.trim();
    let (essence, rest) = match text.split_once(';') {
        Some((e, r)) => (e.trim_end(), Some(r)),
        None => (text, None),
    };
    let (kind, subtype) = essence.split_once('/')?;
    if kind.is_empty()
        || subtype.is_empty()
        || kind.contains(char::is_whitespace)
        || subtype.contains(char::is_whitespace)
        || subtype.contains('/')
    {
        return None;
    }
    let mut params = Vec::new();
    let mut q = 1.0;
    for pair in rest.into_iter().flat_map(|r| r.split(';')) {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if key == "q" {
            q = value.parse().unwrap_or(0.0);
            break;
        }
        params.push((key, value.to_owned()));
    }
    Some(MediaType {
        kind: kind.to_ascii_lowercase(),
        subtype: subtype.to_ascii_lowercase(),
        params,
        q,
        index,
    })
}

/// Split an `Accept` header at the commas outside quotes.
fn ranges(accept: &str) -> Vec<MediaType> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in accept.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&accept[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&accept[start..]);
    parts
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| parse(p, i))
        .collect()
}

/// How well a range fits an offer: specificity, `q` and the range's place.
struct Priority {
    s: u8,
    q: f64,
    o: usize,
}

fn specify(offer: &MediaType, range: &MediaType) -> Option<Priority> {
    let mut s = 0;
    if range.kind == offer.kind {
        s |= 4;
    } else if range.kind != "*" {
        return None;
    }
    if range.subtype == offer.subtype {
        s |= 2;
    } else if range.subtype != "*" {
        return None;
    }
    if !range.params.is_empty() {
        let offered = |k: &str| {
            offer
                .params
                .iter()
                .find(|(ok, _)| ok == k)
                .map_or("", |(_, v)| v.as_str())
        };
        let all = range
            .params
            .iter()
            .all(|(k, v)| v == "*" || v.eq_ignore_ascii_case(offered(k)));
        if !all {
            return None;
        }
        s |= 1;
    }
    Some(Priority {
        s,
        q: range.q,
        o: range.index,
    })
}

/// The offer the header prefers, if it accepts any (`offers` in the server's order).
pub fn preferred<'o>(accept: &str, offers: &[&'o str]) -> Option<&'o str> {
    let ranges = ranges(accept);
    let mut ranked: Vec<(Priority, usize)> = offers
        .iter()
        .enumerate()
        .filter_map(|(i, offer)| {
            let offer = parse(offer, i)?;
            // A later range replaces the best so far when it is more specific, then when its
            // `q` is higher, then (negotiator's own rule) when it comes later.
            let mut best: Option<Priority> = None;
            for range in &ranges {
                if let Some(p) = specify(&offer, range) {
                    let better = best.as_ref().is_none_or(|b| {
                        b.s.cmp(&p.s)
                            .then(b.q.partial_cmp(&p.q).unwrap_or(std::cmp::Ordering::Equal))
                            .then(b.o.cmp(&p.o))
                            == std::cmp::Ordering::Less
                    });
                    if better {
                        best = Some(p);
                    }
                }
            }
            best.filter(|p| p.q > 0.0).map(|p| (p, i))
        })
        .collect();
    ranked.sort_by(|(a, ai), (b, bi)| {
        b.q.partial_cmp(&a.q)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.s.cmp(&a.s))
            .then(a.o.cmp(&b.o))
            .then(ai.cmp(bi))
    });
    ranked.first().map(|(_, i)| offers[*i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json; charset=utf-8";
    const GRAPHQL_JSON: &str = "application/graphql-response+json; charset=utf-8";
    const OFFERS: [&str; 2] = [JSON, GRAPHQL_JSON];

    #[test]
    fn apollo_servers_choices_as_recorded() {
        // fixtures/graphql-diff env.accept.* on 7.5.4 - 9.10.0.
        assert_eq!(preferred("*/*", &OFFERS), Some(JSON));
        assert_eq!(
            preferred("application/graphql-response+json", &OFFERS),
            Some(GRAPHQL_JSON)
        );
        assert_eq!(
            preferred(
                "application/graphql-response+json;q=0.9, application/json;q=0.8",
                &OFFERS
            ),
            Some(GRAPHQL_JSON)
        );
        assert_eq!(
            preferred("application/graphql-response+json; charset=utf-8", &OFFERS),
            Some(GRAPHQL_JSON)
        );
        for refused in [
            "text/html",
            "multipart/mixed",
            "multipart/mixed; deferSpec=20220824",
            "application/xml",
            "text/event-stream",
            "application/json;q=0",
            "garbage",
            "text/plain",
        ] {
            assert_eq!(preferred(refused, &OFFERS), None, "{refused}");
        }
    }

    #[test]
    fn specificity_beats_order_and_q_beats_specificity() {
        assert_eq!(
            preferred("application/*;q=0.5, application/json", &OFFERS),
            Some(JSON)
        );
        assert_eq!(
            preferred("application/json;q=0.1, */*", &OFFERS),
            Some(GRAPHQL_JSON)
        );
        assert_eq!(preferred("application/json; charset=latin1", &OFFERS), None);
    }
}
