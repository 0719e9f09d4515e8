//! parse-compat: Parse Server's auth and session API, answered exactly as a pinned Parse
//! version does, over one session store (SQLite, or Parse's own tables in PostgreSQL).

pub mod account;
pub mod apps;
pub mod check;
pub mod cli;
pub mod config;
pub mod descope;
pub mod diff;
pub mod email;
pub mod error;
pub mod graphql;
pub mod http;
pub mod js;
pub mod object;
pub mod policy;
pub mod query;
pub mod rest;
pub mod seed;
pub mod store;
pub mod traffic;
pub mod triggers;
pub mod version;
