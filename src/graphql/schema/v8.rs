//! Parse 8.x – 9.x: the auth surface is 6.x's, type for type. What changed is run-time
//! behaviour read from [`crate::version::Behavior`] (e.g. `Permission denied` for a viewer
//! without a session) and the envelope in front; the cloud-config fields 8.0 added are not
//! part of the auth API we serve.

pub use super::v6::{Mutation, Query};
