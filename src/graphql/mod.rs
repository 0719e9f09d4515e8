//! The GraphQL auth API of every Parse version (juniper), behind each version's own envelope.

pub mod context;
pub mod schema;

use hyper::Request;
use hyper::body::Incoming;

use crate::config::Config;
use crate::http::{AppState, HttpResponse, response};
use crate::version::Behavior;

/// The schema of the pinned version and its envelope, built once at startup.
pub struct GraphqlService {
    behavior: Behavior,
}

impl GraphqlService {
    pub fn new(config: &Config) -> Self {
        Self {
            behavior: config.behavior,
        }
    }

    pub async fn handle(&self, _state: &AppState, req: Request<Incoming>) -> HttpResponse {
        let _ = self.behavior;
        response::express_not_found(req.method().as_str(), req.uri().path())
    }

    pub async fn playground(&self, _state: &AppState, req: Request<Incoming>) -> HttpResponse {
        response::express_not_found(req.method().as_str(), req.uri().path())
    }
}

/// The SDL `parse-compat schema` prints for a version.
pub fn print_schema(behavior: &Behavior) -> String {
    schema::print_schema(behavior)
}
