//! The `/graphql` HTTP envelope: everything around the operation pipeline that differs
//! with the HTTP stack a Parse version serves GraphQL with. Each stack is one module, which owns
//! how it reads a request (methods, content types, batching, `Accept`, body limits), how it
//! writes every outcome, and its CORS headers:
//! - [`apollo2`]: apollo-server-express 2 on Express 4 (3.x – 5.2);
//! - [`yoga`]: graphql-yoga 2 (5.3 – 6.x);
//! - [`apollo4`]: @apollo/server 4 and 5 on Express 4 and 5 (7.x – 9.x).
//!
//! What they share lives beside them: Express and its middleware ([`express`]), forms
//! ([`multipart`]), browser pages ([`landing`]), the rendering every stack does alike
//! ([`render`]). This module holds the one request path they all take: [`Envelope::handle`]
//! hands the request to the pinned stack, which calls back into [`Envelope::authenticate`]
//! (Parse's key/session middleware) and [`Envelope::run`] (the stack-agnostic pipeline, on
//! the executor threads) in the order that stack runs its middleware.

pub mod apollo2;
pub mod apollo4;
pub mod document;
pub mod express;
pub mod landing;
pub mod memo;
pub mod multipart;
pub mod negotiate;
pub mod persisted;
pub mod pipeline;
pub mod redact;
pub mod render;
pub mod schema_info;
pub mod variables;
pub mod yoga;

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value as Json};

use crate::graphql::Runner;
use crate::http::auth::{self, RequestAuth, SessionPolicy};
use crate::http::response::{self, HttpResponse};
use crate::http::{AppState, BodyError};
use crate::version::HttpStack;
use pipeline::{OperationRequest, Outcome, Pipeline};

/// Parse's middleware refused the session token (209), found where the operation was to run.
struct Refused(HttpResponse);

/// A prefix no GraphQL name can have (names are `[_A-Za-z][_0-9A-Za-z]*`).
const NO_SUCH_OPERATION: &str = "-";

fn set(res: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Who answered, which decides the CORS headers added on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Responder {
    /// Express or Parse's middleware, before the GraphQL server.
    Middleware,
    /// The GraphQL server itself.
    Server,
    /// graphql-upload, mounted before the CORS middleware up to 5.2: no CORS header at all.
    BeforeCors,
}

/// Query-string parameters; a repeated name keeps every value.
fn query_params(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The request's body, or the answer to one that could not be read: `too_large` is the
/// stack's answer to a body beyond every limit; a body cut short is "request aborted" (400)
/// on every stack, as raw-body reports it.
fn body_or_answer(
    body: Result<Bytes, BodyError>,
    too_large: impl FnOnce() -> HttpResponse,
) -> Result<Bytes, (HttpResponse, Responder)> {
    match body {
        Ok(bytes) => Ok(bytes),
        Err(BodyError::TooLarge) => Err((too_large(), Responder::Middleware)),
        Err(BodyError::Failed) => Err((
            response::status_error(400, "request aborted"),
            Responder::Middleware,
        )),
    }
}

/// Test requests' headers.
#[cfg(test)]
fn test_headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v)))
        .collect()
}

/// How the pinned stack treats one HTTP request, around the operation pipeline.
pub struct Envelope<'a> {
    pub pipeline: &'a Arc<Pipeline>,
    pub state: &'a AppState,
    /// Where operations run (never on the async workers).
    pub pool: &'a crate::graphql::executor_pool::ExecutorPool,
    /// The pinned schema, run as the caller the middleware establishes.
    pub runner: &'a Runner,
    /// Parse's load of its GraphQL schema for this request.
    pub schema_load: SchemaLoad,
}

/// Parse loads its GraphQL schema once per request its middleware lets through, after the
/// session check and before any operation runs: which classes that schema shows with the
/// columns its database layer added (`store::class_reads`). Nothing to load for versions
/// without that behaviour.
pub struct SchemaLoad(std::sync::atomic::AtomicU8);

impl SchemaLoad {
    const NOT_YET: u8 = u8::MAX;

    pub fn for_store(store: &crate::store::Store) -> Self {
        let enabled = store.class_reads().enabled();
        Self(std::sync::atomic::AtomicU8::new(if enabled {
            Self::NOT_YET
        } else {
            0
        }))
    }

    /// The schema of this request (loaded the first time it is asked for).
    fn get(&self, store: &crate::store::Store) -> u8 {
        use std::sync::atomic::Ordering::Relaxed;
        match self.0.load(Relaxed) {
            Self::NOT_YET => {
                let shows = store.class_reads().load();
                self.0.store(shows, Relaxed);
                shows
            }
            shows => shows,
        }
    }

    /// The schema was loaded elsewhere (on the thread that ran the operations).
    fn loaded(&self, shows: u8) {
        self.0.store(shows, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Give the operations of a request the schema Parse loaded for it.
fn with_schema(requests: &mut [OperationRequest], shows: u8) {
    for r in requests {
        r.schema_variant = shows;
    }
}

impl Envelope<'_> {
    /// Answer one `/graphql` request as the pinned stack does.
    pub async fn handle(
        &self,
        parts: hyper::http::request::Parts,
        body: Result<Bytes, BodyError>,
    ) -> HttpResponse {
        let stack = self.pipeline.behavior.stack;
        let headers = &parts.headers;
        match stack {
            HttpStack::Apollo2 => {
                let (mut res, responder) = apollo2::answer(self, &parts, body).await;
                apollo2::cors(&mut res, responder);
                res
            }
            HttpStack::Yoga => {
                let (mut res, responder) = yoga::answer(self, &parts, body).await;
                yoga::cors(&mut res, responder, headers);
                res
            }
            HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                let (mut res, responder) = apollo4::answer(self, &parts, body).await;
                apollo4::cors(&mut res, stack, responder, headers, self.state);
                res
            }
        }
    }

    /// Parse's key and session middleware (`handleParseHeaders`); the session itself is
    /// checked later, where the operations run. `body`: the parsed JSON body, where the stack
    /// has parsed it by then (keys may come in it).
    async fn authenticate(
        &self,
        headers: &HeaderMap,
        body: Option<&mut Map<String, Json>>,
    ) -> Result<RequestAuth, HttpResponse> {
        auth::authenticate(
            &self.state.config,
            &self.state.store,
            headers,
            body,
            SessionPolicy::CheckLater,
        )
        .await
    }

    /// The stack's answer, once Parse's session check has been made. Operations check the
    /// session where they run ([`Envelope::run`]); an answer given without running one (a bad
    /// request) still comes after the check, as the middleware comes first in Parse.
    async fn after_session_check(
        &self,
        answer: Result<(HttpResponse, Responder), Refused>,
        auth: &mut RequestAuth,
    ) -> (HttpResponse, Responder) {
        match answer {
            Err(Refused(res)) => (res, Responder::Middleware),
            Ok(answer) => match auth::finish_check(&self.state.store, auth).await {
                Ok(()) => {
                    // Parse loads its schema for a request even when no operation runs.
                    self.schema_load.get(&self.state.store);
                    answer
                }
                Err(res) => (res, Responder::Middleware),
            },
        }
    }

    /// Run the operations on an executor thread once the middleware's session check passed.
    /// A token not in the cache is looked up on a reader thread, which hands the operations
    /// to the executor itself (this thread is woken once, for the answer). Takes the caller
    /// out of `auth`, leaving nothing pending in it.
    async fn run(
        &self,
        mut requests: Vec<OperationRequest>,
        auth: &mut RequestAuth,
    ) -> Result<Vec<Outcome>, Refused> {
        let pipeline = std::sync::Arc::clone(self.pipeline);
        let mut auth = std::mem::take(auth);
        if let Some(analyses) = pipeline.inline_analyses(&requests) {
            // The session first: from the cache, or from a reader thread that hands it back
            // here (rather than on to an executor thread).
            if let Some(token) = auth.pending_token().map(str::to_owned) {
                let found = match self.state.store.cached_session(&token) {
                    Some(hit) => Ok(Some(hit)),
                    None => {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        self.state.store.find_session_then(&token, move |found| {
                            let _ = tx.send(found);
                        });
                        rx.await.unwrap_or(Err(crate::store::StoreError::Closed))
                    }
                };
                auth::finish_check_with(&self.state.store, &mut auth, found).map_err(Refused)?;
            }
            with_schema(&mut requests, self.schema_load.get(&self.state.store));
            // The session's last answer, if this request repeats its question.
            let memo = match (
                &requests[..],
                &analyses[..],
                &auth.session,
                &auth.session_token,
            ) {
                ([req], [analysis], Some(session), Some(token))
                    if self.state.store.caches_sessions() =>
                {
                    if let Some(body) = session.rendered.graphql.answer(req, analysis, token) {
                        return Ok(vec![Outcome::Answered(body)]);
                    }
                    Some((
                        Arc::clone(session),
                        token.clone(),
                        memo::Key::new(req, analysis),
                    ))
                }
                _ => None,
            };
            let requests = Arc::new(requests);
            let caller = self.runner.caller(auth);
            let run_all = {
                let requests = Arc::clone(&requests);
                move || -> Vec<Outcome> {
                    requests
                        .iter()
                        .zip(&analyses)
                        .map(|(r, a)| pipeline.run_analysed(r, a, &caller))
                        .collect()
                }
            };
            if let Some(outcomes) = crate::graphql::inline::attempt(&run_all) {
                // Ran inline, so it read nothing the memo's key does not hold: keep it.
                return Ok(match (memo, &outcomes[..], &requests[..]) {
                    (Some((session, token, key)), [Outcome::Executed { data, errors }], [req]) => {
                        let body = render::executed_single(
                            self.pipeline.behavior.stack,
                            data,
                            errors,
                            self.pipeline.redaction(req.is_master),
                            req.query.as_deref().unwrap_or_default(),
                        );
                        let allowance = session.rendering_allowance();
                        session.rendered.graphql.keep(key, &body, &token, allowance);
                        vec![Outcome::Answered(body)]
                    }
                    _ => outcomes,
                });
            }
            // A resolver needs the store: run them where it may block.
            let (reply, answer) = tokio::sync::oneshot::channel();
            self.pool.submit(move || Ok(run_all()), reply);
            return Self::outcomes(answer).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let runner = self.runner.clone();
        let store = self.state.store.clone();
        let execute = move |auth: RequestAuth| -> Result<Vec<Outcome>, Refused> {
            let mut requests = requests;
            // Parse loads its schema once the session check passed (this request's only load:
            // nothing else loads it once operations run).
            with_schema(&mut requests, store.class_reads().load());
            let caller = runner.caller(auth);
            Ok(requests.iter().map(|r| pipeline.run(r, &caller)).collect())
        };
        match auth.pending_token().map(str::to_owned) {
            None => self.pool.submit(move || execute(auth), reply),
            Some(token) => {
                let pool = self.pool.clone();
                let store = self.state.store.clone();
                self.state.store.find_session_then(&token, move |found| {
                    match auth::finish_check_with(&store, &mut auth, found) {
                        Ok(()) => pool.submit(move || execute(auth), reply),
                        Err(res) => {
                            let _ = reply.send(Ok(Err(Refused(res))));
                        }
                    }
                });
            }
        }
        let outcomes = Self::outcomes(answer).await;
        // Loaded where the operations ran, if the session check let them.
        self.schema_load.loaded(0);
        outcomes
    }

    /// What the executor thread answered.
    async fn outcomes(
        answer: tokio::sync::oneshot::Receiver<
            Result<Result<Vec<Outcome>, Refused>, crate::graphql::executor_pool::PoolError>,
        >,
    ) -> Result<Vec<Outcome>, Refused> {
        match answer.await {
            Ok(Ok(outcomes)) => outcomes,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "GraphQL execution task failed");
                Ok(Vec::new())
            }
            Err(_) => {
                tracing::error!(
                    "GraphQL execution task dropped (executor pool or reader threads gone, or a panic in a session lookup)"
                );
                Ok(Vec::new())
            }
        }
    }
}
