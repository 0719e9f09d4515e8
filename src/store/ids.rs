//! Identifiers, tokens and timestamps in the formats Parse uses, from the OS CSPRNG.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Fill `buf` from the operating system's CSPRNG.
///
/// Failing to read the OS generator leaves us unable to mint secrets at all, which no caller
/// can recover from; it only happens on a broken system, so it aborts loudly.
pub fn os_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random generator is unavailable");
}

/// A Parse objectId: 10 characters of `[A-Za-z0-9]`, unbiased (rejection sampling).
pub fn object_id() -> String {
    let mut out = String::with_capacity(10);
    let mut buf = [0u8; 16];
    while out.len() < 10 {
        os_random(&mut buf);
        for &b in &buf {
            // 248 = 62 * 4: values above would favour the first letters.
            if b < 248 && out.len() < 10 {
                out.push(ALPHANUMERIC[usize::from(b % 62)] as char);
            }
        }
    }
    out
}

/// A Parse session token: `r:` followed by 32 lowercase hex digits (128 random bits).
pub fn session_token() -> String {
    let mut bytes = [0u8; 16];
    os_random(&mut bytes);
    let mut out = String::with_capacity(34);
    out.push_str("r:");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// What is stored for a token: its SHA-256, so a copied database file logs no one in.
pub type TokenHash = [u8; 32];

pub fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    let now = OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// `2026-11-22T13:30:00.957Z`: ISO-8601 UTC with milliseconds, as Parse writes dates.
pub fn iso_millis(millis: i64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year,
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.millisecond()
        );
    }
    // Every answer carries dates: written digit by digit rather than through `format!`.
    let mut out = [0u8; 24];
    let digits = |out: &mut [u8], n: u32| {
        let mut n = n;
        for d in out.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(&mut out[0..4], year.unsigned_abs());
    out[4] = b'-';
    digits(&mut out[5..7], u8::from(dt.month()).into());
    out[7] = b'-';
    digits(&mut out[8..10], dt.day().into());
    out[10] = b'T';
    digits(&mut out[11..13], dt.hour().into());
    out[13] = b':';
    digits(&mut out[14..16], dt.minute().into());
    out[16] = b':';
    digits(&mut out[17..19], dt.second().into());
    out[19] = b'.';
    digits(&mut out[20..23], dt.millisecond().into());
    out[23] = b'Z';
    out.iter().map(|&b| char::from(b)).collect()
}

/// Milliseconds since the epoch of an ISO-8601 date as a client sends one to Parse
/// (`2000-01-02T03:04:05.678Z`, or with an offset, or without fractions); `None` when it is
/// no such date. PostgreSQL keeps microseconds, Parse reads back milliseconds.
pub fn parse_iso_millis(iso: &str) -> Option<i64> {
    let dt = OffsetDateTime::parse(iso.trim(), &time::format_description::well_known::Rfc3339)
        .or_else(|_| {
            // Parse's own dates without a zone read as UTC.
            time::PrimitiveDateTime::parse(
                iso.trim(),
                &time::format_description::well_known::Iso8601::DEFAULT,
            )
            .map(time::PrimitiveDateTime::assume_utc)
        })
        .ok()?;
    i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_years_0_to_9999_are_written_as_javascript_writes_them() {
        for (millis, iso) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_007, "2000-02-29T00:00:00.007Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(iso_millis(millis), iso, "{millis}");
        }
    }

    #[test]
    fn formats_match_parse() {
        let id = object_id();
        assert_eq!(id.len(), 10);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        let token = session_token();
        assert_eq!(token.len(), 34);
        assert!(token.starts_with("r:"));
        assert!(
            token[2..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(session_token(), session_token());
        assert_eq!(iso_millis(1_795_354_200_957), "2026-11-22T13:30:00.957Z");
        assert_eq!(
            parse_iso_millis("2026-11-22T13:30:00.957Z"),
            Some(1_795_354_200_957)
        );
        assert_eq!(
            parse_iso_millis("2026-11-22T14:30:00.957+01:00"),
            Some(1_795_354_200_957)
        );
        assert_eq!(
            parse_iso_millis("2026-11-22T13:30:00"),
            Some(1_795_354_200_000)
        );
        assert_eq!(parse_iso_millis("yesterday"), None);
    }
}
