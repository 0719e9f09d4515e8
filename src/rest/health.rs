//! `GET /health`: answered before any key check, as Parse does.

use serde_json::{Value, json};

pub fn handle() -> (u16, Value) {
    (200, json!({"status": "ok"}))
}
