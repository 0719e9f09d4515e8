//! The HTTP server: connections, the body limit, and routing to REST, GraphQL and Descope.

pub mod auth;
pub mod connections;
pub mod cors;
pub mod drain;
pub mod json_body;
pub mod json_error;
pub mod response;
pub mod upstream;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Method, Request, Response, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use self::drain::{Drain, Lifeline};
use self::upstream::PassBody;
use crate::config::Config;
use crate::store::Store;
pub use auth::{RequestAuth, SessionPolicy};
pub use response::HttpResponse;

/// Node's `--max-http-header-size`: a request whose head is larger is answered 431 and closed
/// (fixtures/hostile: `7.header.*`). hyper applies it to its read buffer, which holds the head.
const MAX_HEAD_BYTES: usize = 16 * 1024;

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
    /// Where requests parse-compat does not answer go (`--upstream`); without one they get
    /// Express's 404 as before.
    pub upstream: Option<upstream::Upstream>,
    /// Parse's e-mail flows (verification and password reset).
    pub email: std::sync::Arc<crate::email::EmailService>,
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
///
/// A refused body is read on and thrown away (within [`DISCARD_MAX`] bytes, while it keeps
/// arriving) before the 413 is answered. Closing a socket with unread bytes makes the kernel
/// reset the connection, and a reset can discard the 413 before the client reads it: the
/// client would see a broken connection instead of Parse's answer. A body announced larger
/// than the limit that does not arrive is refused once it has been silent for
/// [`DISCARD_IDLE`] (real Parse waits for it indefinitely).
pub async fn read_body(body: Incoming, limit: usize) -> Result<Bytes, BodyError> {
    if hyper::body::Body::is_end_stream(&body) {
        return Ok(Bytes::new());
    }
    let announced = hyper::body::Body::size_hint(&body).exact();
    let mut body = body;
    if announced.is_some_and(|len| len > limit as u64) {
        discard(&mut body).await;
        return Err(BodyError::TooLarge);
    }
    let collected = {
        let mut collect = std::pin::pin!(collect_within(&mut body, limit));
        // A small body usually came with the head and is read at once: only a body still on
        // its way needs the timer (a timer per request showed in profiles of GraphQL reads).
        match std::future::poll_fn(|cx| std::task::Poll::Ready(collect.as_mut().poll(cx))).await {
            std::task::Poll::Ready(read) => Ok(read),
            std::task::Poll::Pending => tokio::time::timeout(BODY_READ_TIMEOUT, collect).await,
        }
    };
    match collected {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(BodyError::TooLarge)) => {
            discard(&mut body).await;
            Err(BodyError::TooLarge)
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(BodyError::Failed),
    }
}

/// The rest of a refused body is read and dropped up to this many bytes.
const DISCARD_MAX: usize = 64 << 20;
/// ... while no gap between its pieces is longer than this.
const DISCARD_IDLE: Duration = Duration::from_secs(1);

async fn collect_within(body: &mut Incoming, limit: usize) -> Result<Bytes, BodyError> {
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| BodyError::Failed)?.into_data() else {
            continue;
        };
        total += data.len();
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        pieces.push(data);
    }
    // A body in one piece (the usual case) is kept as it came; only several are copied.
    Ok(match pieces.len() {
        1 => pieces.swap_remove(0),
        _ => Bytes::from(pieces.concat()),
    })
}

async fn discard(body: &mut Incoming) {
    let mut dropped = 0usize;
    while dropped < DISCARD_MAX {
        match tokio::time::timeout(DISCARD_IDLE, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                dropped += frame.data_ref().map_or(0, Bytes::len);
            }
            _ => return,
        }
    }
}

fn connection_builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        // A client may shut its sending side once its request is out and wait for the
        // answer (Node answers it); without this hyper closes at that end of stream.
        .half_close(true)
        .keep_alive(true);
    builder
}

/// Serve one accepted connection on the current runtime until it ends, the server stops
/// (`lifeline`), or the connection cap closes it to make room for another. A request that
/// asks to switch protocols goes to the upstream, when there is one, and may turn the
/// connection into a tunnel there, which keeps the connection's place under the cap.
fn spawn_connection(
    stream: tokio::net::TcpStream,
    admitted: connections::Admitted,
    state: &Arc<AppState>,
    builder: &http1::Builder,
    lifeline: Lifeline,
) {
    let _ = stream.set_nodelay(true);
    let state = Arc::clone(state);
    let admitted = Arc::new(admitted);
    let slot = Arc::clone(&admitted);
    let tunnels = lifeline.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        let state = Arc::clone(&state);
        let busy = slot.connection.request();
        let tunnel = upstream::wants_upgrade(&req).then(|| (Arc::clone(&slot), tunnels.clone()));
        async move {
            let res = match (tunnel, &state.upstream) {
                (Some((slot, lifeline)), Some(upstream)) => {
                    // The tunnel keeps the connection busy, so the cap never evicts it.
                    let hold = (slot, busy);
                    catch_panic(upstream.tunnel(req, &state.config.mount_path, hold, lifeline))
                        .await
                }
                _ => {
                    let res = answer(state, req).await;
                    drop(busy);
                    res
                }
            };
            Ok::<_, Infallible>(res)
        }
    });
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    let mut lifeline = lifeline;
    tokio::spawn(async move {
        let mut conn = std::pin::pin!(conn);
        tokio::select! {
            ended = conn.as_mut() => if let Err(err) = ended {
                tracing::debug!(error = %err, "connection ended with an error");
            },
            () = admitted.connection.evicted() => {
                tracing::debug!("closed an idle connection to make room for a new one");
            }
            () = lifeline.stopping() => {
                conn.as_mut().graceful_shutdown();
                if let Err(err) = conn.await {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
            }
        }
        drop(admitted);
        drop(lifeline);
    });
}

/// Route a request, turning a panic anywhere below into Parse's answer to an unexpected
/// exception instead of a dropped connection.
async fn answer(state: Arc<AppState>, req: Request<Incoming>) -> Response<PassBody> {
    catch_panic(route(state, req)).await
}

/// Parse's answer to an exception its handlers did not expect (500, code 1) when `handler`
/// panics. Nothing of the request is logged: the panic hook already printed where it was.
async fn catch_panic(handler: impl Future<Output = Response<PassBody>>) -> Response<PassBody> {
    use futures_util::FutureExt as _;
    match std::panic::AssertUnwindSafe(handler).catch_unwind().await {
        Ok(res) => res,
        Err(_panic) => {
            tracing::error!("a request handler panicked; answered 500");
            response::uncaught_error().map(Either::Left)
        }
    }
}

/// Wait for a listener's next connection; on failure (out of file descriptors and the like)
/// back off instead of spinning.
async fn accept(listener: &TcpListener) -> tokio::net::TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return stream,
            Err(err) => {
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Serve connections from `listener` on the current runtime until `shutdown` resolves, then
/// let open requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let drain = Drain::default();
    let builder = connection_builder();
    let open = connections::Connections::new(state.config.max_connections);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            stream = accept(&listener) => {
                if let Some(admitted) = open.admit() {
                    spawn_connection(stream, admitted, &state, &builder, drain.lifeline());
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    drain.finish().await;
    Ok(())
}

/// Serve connections from `listener` on `workers` threads, each running its own
/// single-threaded runtime, until `shutdown` resolves; then let open requests finish.
///
/// A connection stays on the thread it was handed to for its whole life, so serving a request
/// never moves a task between threads or wakes a parked worker: on a machine whose cores are
/// shared with the clients, that bookkeeping of a work-stealing scheduler costs more than the
/// balance it buys. Connections are dealt to the threads in turn.
pub async fn serve_on_threads(
    listener: TcpListener,
    state: Arc<AppState>,
    workers: usize,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut queues = Vec::with_capacity(workers.max(1));
    let mut threads = Vec::with_capacity(workers.max(1));
    for i in 0..workers.max(1) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (tx, rx) =
            tokio::sync::mpsc::unbounded_channel::<(std::net::TcpStream, connections::Admitted)>();
        let state = Arc::clone(&state);
        let stop = stop_rx.clone();
        threads.push(
            std::thread::Builder::new()
                .name(format!("http-{i}"))
                .spawn(move || runtime.block_on(worker(rx, state, stop)))?,
        );
        queues.push(tx);
    }
    tokio::pin!(shutdown);
    let open = connections::Connections::new(state.config.max_connections);
    let mut next = 0usize;
    loop {
        tokio::select! {
            stream = accept(&listener) => {
                // At the cap with every connection busy: close the newcomer (dropping it).
                let Some(admitted) = open.admit() else { continue };
                // A stream is tied to the runtime that registered it; hand over the socket.
                match stream.into_std() {
                    Ok(std) => {
                        let _ = queues[next % queues.len()].send((std, admitted));
                        next = next.wrapping_add(1);
                    }
                    Err(err) => tracing::warn!(error = %err, "cannot hand a connection over"),
                }
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(queues);
    tokio::task::spawn_blocking(move || {
        for t in threads {
            let _ = t.join();
        }
    })
    .await
    .map_err(std::io::Error::other)?;
    Ok(())
}

async fn worker(
    mut streams: tokio::sync::mpsc::UnboundedReceiver<(std::net::TcpStream, connections::Admitted)>,
    state: Arc<AppState>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let drain = Drain::default();
    let builder = connection_builder();
    loop {
        tokio::select! {
            stream = streams.recv() => {
                let Some((stream, admitted)) = stream else { break };
                match tokio::net::TcpStream::from_std(stream) {
                    Ok(stream) => spawn_connection(stream, admitted, &state, &builder, drain.lifeline()),
                    Err(err) => tracing::warn!(error = %err, "cannot take a connection over"),
                }
            }
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
    drain.finish().await;
}

fn under(path: &str, mount: &str) -> bool {
    path == mount || (path.starts_with(mount) && path.as_bytes().get(mount.len()) == Some(&b'/'))
}

/// Send a request to the API that owns its path, or to the upstream when none does.
async fn route(state: Arc<AppState>, req: Request<Incoming>) -> Response<PassBody> {
    let config = &state.config;
    if under(req.uri().path(), &config.mount_path) {
        if let Some(upstream) = &state.upstream {
            let rel = &req.uri().path()[config.mount_path.len()..];
            if !crate::rest::may_serve(req.method(), rel, &config.behavior) {
                let (parts, body) = req.into_parts();
                return upstream
                    .forward(parts, Either::Right(body), &config.mount_path)
                    .await;
            }
        }
        return crate::rest::handle(&state, req).await;
    }
    let answered = route_other(&state, req).await;
    match (answered, &state.upstream) {
        (Ok(res), _) => res,
        (Err(req), Some(upstream)) => {
            let (parts, body) = req.into_parts();
            upstream
                .forward(parts, Either::Right(body), &config.mount_path)
                .await
        }
        (Err(req), None) => {
            response::express_not_found(req.method().as_str(), req.uri().path()).map(Either::Left)
        }
    }
}

/// Express's `app.use(mount, ...)` match: the mount path, case-insensitively, then the end of
/// the path or a `/` (so `/GRAPHQL` and `/graphql/extra` reach a handler mounted at
/// `/graphql`, and `/graphql.json` does not).
fn mounted_at(path: &str, mount: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    path.len() >= mount.len()
        && path.as_bytes()[..mount.len()].eq_ignore_ascii_case(mount.as_bytes())
        && matches!(path.as_bytes().get(mount.len()), None | Some(b'/'))
}

/// The APIs outside the REST mount path; the request back when none of them owns it.
async fn route_other(
    state: &Arc<AppState>,
    req: Request<Incoming>,
) -> Result<Response<PassBody>, Request<Incoming>> {
    let path = req.uri().path().to_owned();
    let config = &state.config;
    if mounted_at(&path, &config.graphql_path) {
        return Ok(state.graphql.handle(state, req).await);
    }
    if config.mount_playground && path == config.playground_path {
        return Ok(Box::pin(state.graphql.playground(state, req))
            .await
            .map(Either::Left));
    }
    if let Some(descope) = &state.descope
        && (path.starts_with("/v1/auth/") || path.starts_with("/v2/keys/"))
    {
        return Ok(Box::pin(descope.handle(state, req)).await.map(Either::Left));
    }
    Err(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graphql_mount_matches_as_express_mounts() {
        // fixtures/graphql-diff env.paths.* on every recorded version.
        for served in [
            "/graphql",
            "/graphql/",
            "/GRAPHQL",
            "/Graphql",
            "/graphql/extra",
            "/graphql//",
        ] {
            assert!(mounted_at(served, "/graphql"), "{served}");
        }
        for refused in [
            "/graphql%20",
            "/graphql.json",
            "/graphql;x",
            "/parse/graphql",
            "/graphiql",
            "/",
        ] {
            assert!(!mounted_at(refused, "/graphql"), "{refused}");
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_parse_s_internal_error() {
        let res = catch_panic(async { panic!("a bug") }).await;
        assert_eq!(res.status(), 500);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            &body[..],
            br#"{"code":1,"message":"Internal server error."}"#
        );
    }
}
