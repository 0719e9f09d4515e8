//! Recorded traffic, for migration and regression checks: a recording reverse proxy
//! (`parse-compat record`) that writes exchanges in the format of the recordings of real Parse
//! in `fixtures/` (`{"step", "request": {method, path, headers, body}, "response": {status,
//! headers, body}}`, one per line), with random values as numbered placeholders and secrets
//! redacted as they are written.

pub mod normalize;
pub mod record;
