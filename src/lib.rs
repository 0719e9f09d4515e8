//! parse-compat: Parse Server's auth and session API, answered exactly as a pinned Parse
//! version does, over one SQLite session store.

pub mod error;
pub mod store;
pub mod version;
