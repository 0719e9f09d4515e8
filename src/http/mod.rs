//! The HTTP server: connections, the body limit, and routing to REST, GraphQL and Descope.

pub mod auth;
pub mod cors;
pub mod json_error;
pub mod response;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Method, Request, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::store::Store;
pub use auth::{RequestAuth, SessionPolicy};
pub use response::HttpResponse;

/// A client that has not sent its request headers within this time is disconnected.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A body that has not arrived within this time is refused.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a request handler may use, built once at startup.
pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub graphql: crate::graphql::GraphqlService,
    pub descope: Option<crate::descope::DescopeService>,
}

/// A request with its body read (within the limit).
#[derive(Debug, Clone)]
pub struct ParseRequest {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl ParseRequest {
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    pub fn query(&self) -> Option<&str> {
        self.uri.query()
    }
}

/// Why a body could not be read.
pub enum BodyError {
    TooLarge,
    Failed,
}

/// Read a body, refusing more than `limit` bytes.
pub async fn read_body(body: Incoming, limit: usize) -> Result<Bytes, BodyError> {
    if hyper::body::Body::is_end_stream(&body) {
        return Ok(Bytes::new());
    }
    let limited = Limited::new(body, limit);
    match tokio::time::timeout(BODY_READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(_)) | Err(_) => Err(BodyError::Failed),
    }
}

/// Serve connections from `listener` until `shutdown` resolves, then let open requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(conn) => conn,
                    Err(err) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let service = service_fn(move |req| {
                    let state = Arc::clone(&state);
                    async move { Ok::<_, Infallible>(route(state, req).await) }
                });
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(err) = conn.await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {
            tracing::warn!("connections still open after 10 s; closing them");
        }
    }
    Ok(())
}

fn under(path: &str, mount: &str) -> bool {
    path == mount || (path.starts_with(mount) && path.as_bytes().get(mount.len()) == Some(&b'/'))
}

/// Send a request to the API that owns its path.
async fn route(state: Arc<AppState>, req: Request<Incoming>) -> HttpResponse {
    let path = req.uri().path().to_owned();
    let config = &state.config;
    if under(&path, &config.mount_path) {
        return crate::rest::handle(&state, req).await;
    }
    let graphql_path = config.graphql_path.as_str();
    if path == graphql_path
        || (path.len() == graphql_path.len() + 1
            && path.starts_with(graphql_path)
            && path.ends_with('/'))
    {
        return state.graphql.handle(&state, req).await;
    }
    if config.mount_playground && path == config.playground_path {
        return state.graphql.playground(&state, req).await;
    }
    if let Some(descope) = &state.descope {
        if path.starts_with("/v1/auth/") || path.starts_with("/v2/keys/") {
            return descope.handle(&state, req).await;
        }
    }
    response::express_not_found(req.method().as_str(), &path)
}
