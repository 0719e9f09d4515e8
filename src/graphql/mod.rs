//! The GraphQL auth API of every Parse version (juniper), behind each version's own envelope.
//!
//! `schema/` holds one juniper schema per API generation; `envelope/` answers HTTP exactly as
//! the pinned version's server stack does (apollo-server-express 2, graphql-yoga 2,
//! @apollo/server 4/5) and rewrites juniper's messages into the pinned graphql-js wording.

pub mod context;
pub mod envelope;
pub mod schema;

use std::sync::Arc;

use hyper::Request;
use hyper::body::Incoming;

use crate::config::Config;
use crate::http::{AppState, HttpResponse, RequestAuth, response};
use crate::version::Behavior;
use context::Context;
use envelope::pipeline::Pipeline;
use envelope::{Envelope, Executor};
pub use schema::print_schema;

/// The schema of the pinned version and its envelope, built once at startup.
pub struct GraphqlService {
    behavior: Behavior,
    schema: Arc<schema::Schema>,
    pipeline: Arc<Pipeline>,
    graphql_path: String,
}

impl GraphqlService {
    pub fn new(config: &Config) -> Self {
        let behavior = config.behavior;
        Self {
            behavior,
            schema: Arc::new(schema::Schema::for_behavior(&behavior)),
            pipeline: Arc::new(Pipeline::new(behavior)),
            graphql_path: config.graphql_path.clone(),
        }
    }

    /// Answer a request to the GraphQL path.
    pub async fn handle(&self, state: &AppState, req: Request<Incoming>) -> HttpResponse {
        let envelope = Envelope {
            pipeline: &self.pipeline,
            state,
        };
        let schema = Arc::clone(&self.schema);
        let store = state.store.clone();
        let behavior = self.behavior;
        let runtime = tokio::runtime::Handle::current();
        envelope
            .handle(req, move |auth: RequestAuth| -> Arc<Executor> {
                let ctx = Context {
                    store,
                    behavior,
                    auth,
                    runtime,
                };
                Arc::new(
                    move |doc: &str, op: Option<&str>, vars: &juniper::Variables| {
                        schema.execute_sync(doc, op, vars, &ctx)
                    },
                )
            })
            .await
    }

    /// GraphiQL at the playground path (`--mountPlayground`), pointed at the GraphQL path.
    pub async fn playground(&self, _state: &AppState, req: Request<Incoming>) -> HttpResponse {
        if req.method() != hyper::Method::GET {
            return response::express_not_found(req.method().as_str(), req.uri().path());
        }
        let page = juniper_hyper::graphiql(&self.graphql_path, None).await;
        let (parts, body) = page.into_parts();
        let mut res = response::with_body(parts.status.as_u16(), Some(response::HTML_UTF8), body);
        for (name, value) in parts.headers.iter() {
            if name != hyper::header::CONTENT_TYPE {
                res.headers_mut().insert(name.clone(), value.clone());
            }
        }
        res
    }
}
