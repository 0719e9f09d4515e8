//! A request body, as REST and the GraphQL stacks read it (JSON, the JS SDK's `text/plain`
//! form with its `_ApplicationId` fields): never a panic, never unbounded recursion, and the
//! value builder and V8's message scanner always agree on what is valid JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parse_compat::http::{json_body, json_error};
use parse_compat::version::Behavior;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let built = json_body::parse(&text);
    let scanned = json_error::v8_parse_error(&text);
    assert_eq!(
        built.is_ok(),
        scanned.is_none(),
        "builder and scanner disagree: {built:?} / {scanned:?}"
    );
    if let Ok(value) = built {
        // What was built can be written back and read again to the same value.
        let again = json_body::parse(&value.to_string()).expect("a written value reads back");
        assert_eq!(again, value);
    }
    for version in ["3.7.2", "4.5.2", "9.10.0"] {
        let behavior = Behavior::parse(version).expect("a supported version");
        let _ = parse_compat::rest::parse_body(data, &behavior);
    }
});
