//! The GraphQL auth API of every Parse version (juniper), behind each version's own envelope.
//!
//! `schema/` holds one juniper schema per API generation; `envelope/` answers HTTP exactly as
//! the pinned version's server stack does (apollo-server-express 2, graphql-yoga 2,
//! @apollo/server 4/5), validating documents in the pinned graphql-js's terms (`validation/`)
//! before juniper executes them.

pub mod classes;
pub mod collect;
pub mod context;
pub mod envelope;
pub mod executor_pool;
pub mod inline;
pub mod introspection;
pub mod passthrough;
pub mod schema;
pub mod validation;

use std::sync::Arc;

use http_body_util::Either;
use hyper::body::Incoming;
use hyper::{Request, Response};

use crate::config::Config;
use crate::http::upstream::{self, PassBody};
use crate::http::{AppState, HttpResponse, RequestAuth, response};
use crate::version::Behavior;
use context::Context;
use envelope::Envelope;
use envelope::pipeline::Pipeline;
use envelope::pipeline::{ExecResult, Execute};
pub use schema::print_schema;

/// The schema of the pinned version and its envelope, built once at startup.
pub struct GraphqlService {
    behavior: Behavior,
    schema: Arc<schema::Schema>,
    pipeline: Arc<Pipeline>,
    pool: executor_pool::ExecutorPool,
    graphql_path: String,
    /// What the schema covers, to send everything else upstream (`--upstream`).
    auth_api: passthrough::AuthApi,
}

impl GraphqlService {
    /// Build the pinned version's schema and start the executor threads.
    pub fn new(config: &Config) -> std::io::Result<Self> {
        let behavior = config.behavior;
        let schema = schema::Schema::for_behavior(&behavior);
        Ok(Self {
            behavior,
            auth_api: passthrough::AuthApi::from_sdl(&schema.sdl())
                .without_root_fields(&config.upstream_operations().graphql_fields()),
            schema: Arc::new(schema),
            pipeline: Arc::new(Pipeline::new(behavior)),
            pool: executor_pool::ExecutorPool::for_this_machine()?,
            graphql_path: config.graphql_path.clone(),
        })
    }

    /// Answer a request to the GraphQL path.
    pub async fn handle(
        &self,
        state: &Arc<AppState>,
        req: Request<Incoming>,
    ) -> Response<PassBody> {
        let (parts, body) = req.into_parts();
        let body = crate::http::read_body(body, state.config.body_limit).await;
        if let (Some(upstream), Ok(bytes)) = (&state.upstream, &body) {
            let content_type =
                crate::http::auth::header(&parts.headers, hyper::header::CONTENT_TYPE);
            if self.auth_api.outside(
                parts.uri.query(),
                bytes,
                content_type.unwrap_or(""),
                self.behavior.graphql_js,
            ) {
                let bytes = bytes.clone();
                return upstream
                    .forward(parts, upstream::buffered(bytes), &state.config.mount_path)
                    .await;
            }
        }
        self.answer(state, parts, body).await.map(Either::Left)
    }

    async fn answer(
        &self,
        state: &Arc<AppState>,
        parts: hyper::http::request::Parts,
        body: Result<bytes::Bytes, crate::http::BodyError>,
    ) -> HttpResponse {
        let runner = Runner {
            state: Arc::clone(state),
            schema: Arc::clone(&self.schema),
            store: state.store.clone(),
            email: Arc::clone(&state.email),
            behavior: self.behavior,
            runtime: tokio::runtime::Handle::current(),
        };
        let envelope = Envelope {
            pipeline: &self.pipeline,
            state,
            pool: &self.pool,
            runner: &runner,
            schema_load: envelope::SchemaLoad::for_store(&state.store),
        };
        envelope.handle(parts, body).await
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

/// The pinned schema with what its resolvers reach, ready to run documents for whichever
/// caller Parse's middleware establishes: how the envelope executes.
#[derive(Clone)]
pub struct Runner {
    /// The server, for the resolvers that answer as Parse's REST layer does (the class API).
    state: Arc<AppState>,
    schema: Arc<schema::Schema>,
    store: crate::store::Store,
    email: Arc<crate::email::EmailService>,
    behavior: Behavior,
    /// The runtime the store's futures run on (resolvers run on executor threads).
    runtime: tokio::runtime::Handle,
}

impl Runner {
    /// Run documents as `auth`'s caller.
    pub fn caller(&self, auth: RequestAuth) -> Caller {
        Caller {
            schema: Arc::clone(&self.schema),
            ctx: Context {
                state: Arc::clone(&self.state),
                store: self.store.clone(),
                behavior: self.behavior,
                auth,
                runtime: self.runtime.clone(),
                email: Arc::clone(&self.email),
            },
        }
    }
}

/// The pinned schema with one caller's context.
pub struct Caller {
    schema: Arc<schema::Schema>,
    ctx: Context,
}

impl Execute for Caller {
    fn execute(
        &self,
        document: &str,
        operation_name: Option<&str>,
        variables: &juniper::Variables,
    ) -> ExecResult {
        self.schema
            .execute_sync(document, operation_name, variables, &self.ctx)
    }

    fn class_api(&self) -> Option<&dyn classes::Resolve> {
        Some(&self.ctx)
    }
}
