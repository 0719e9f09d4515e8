//! A GraphQL document, lexed and parsed in each graphql-js generation's terms (the first thing
//! `/graphql` does with a request): never a panic, never unbounded recursion, and a parsed
//! document can be walked and have its operation chosen.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parse_compat::graphql::envelope::document;
use parse_compat::version::GraphqlJs;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for js in [GraphqlJs::V14, GraphqlJs::V15, GraphqlJs::V16] {
        match document::parse(source, js) {
            Ok(doc) => {
                let _ = doc.fields().len();
                if let Err(e) = doc.select_operation(None) {
                    let _ = e.message();
                }
            }
            Err(e) => assert!(!e.message.is_empty()),
        }
    }
});
