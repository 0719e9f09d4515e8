//! `parse-compat record`: a recording reverse proxy. Put it in front of a Parse Server (or
//! anything that answers like one), use the app, and every exchange is appended to a JSONL
//! file in the format of the recordings of real Parse in `fixtures/`, placeholders and
//! redactions applied as it is written (see [`super::normalize`]).
//!
//! Requests and answers pass unchanged but for hop-by-hop headers (the pass-through's own
//! forwarding, `crate::http::upstream`). Bodies are read whole to be recorded, up to 20 MiB
//! each (Parse's own default `maxUploadSize`); a bigger request is refused with 413, as
//! Parse would refuse it.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use super::normalize::Normalizer;
use crate::http::upstream::{PassBody, Upstream, buffered};

/// The largest body recorded (and forwarded).
pub const MAX_BODY: usize = 20 << 20;

/// Response headers that change on every answer, or only describe the transfer.
pub(crate) const VOLATILE: [&str; 4] = ["date", "etag", "content-length", "keep-alive"];

/// The recording: one line per exchange, in the order answers complete.
pub struct Recorder {
    normalizer: parking_lot::Mutex<(Normalizer, std::io::BufWriter<std::fs::File>)>,
    sequence: AtomicU64,
}

impl Recorder {
    /// Create (or truncate) the recording, readable by its owner only: it holds an app's data.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path)?;
        Ok(Self {
            normalizer: parking_lot::Mutex::new((
                Normalizer::default(),
                std::io::BufWriter::new(file),
            )),
            sequence: AtomicU64::new(0),
        })
    }

    fn next_step(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Append one exchange, normalized.
    pub fn write(&self, record: Value) -> std::io::Result<()> {
        let mut guard = self.normalizer.lock();
        let (normalizer, file) = &mut *guard;
        let line = normalizer.exchange(record);
        serde_json::to_writer(&mut *file, &line)?;
        file.write_all(b"\n")?;
        file.flush()
    }
}

/// A body as a recording holds it: JSON when it is JSON (the JS SDK sends JSON as
/// `text/plain`), else its text, else base64; `null` when empty.
fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::String(text.to_owned()),
        Err(_) => {
            use base64::Engine as _;
            json!({"base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
        }
    }
}

fn headers_value(headers: &hyper::HeaderMap, keep: impl Fn(&str) -> bool) -> Value {
    let mut out = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        if keep(name)
            && let Ok(v) = value.to_str()
        {
            out.insert(name.to_owned(), Value::String(v.to_owned()));
        }
    }
    Value::Object(out)
}

/// The request headers that shape Parse's answer (the rest is the client's transport).
fn request_header(name: &str) -> bool {
    name.starts_with("x-parse-")
        || matches!(
            name,
            "content-type" | "accept" | "origin" | "authorization" | "x-requested-with"
        )
}

/// Serve the recording proxy on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    upstream: Upstream,
    recorder: Arc<Recorder>,
    mount: String,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        let (upstream, recorder, mount) = (upstream.clone(), Arc::clone(&recorder), mount.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (upstream, recorder, mount) =
                    (upstream.clone(), Arc::clone(&recorder), mount.clone());
                async move {
                    Ok::<_, std::convert::Infallible>(
                        exchange(req, &upstream, &recorder, &mount).await,
                    )
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn exchange(
    req: Request<Incoming>,
    upstream: &Upstream,
    recorder: &Recorder,
    mount: &str,
) -> Response<PassBody> {
    let step = recorder.next_step();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let mut refused = Response::new(buffered(Bytes::from_static(
                br#"{"code":130,"error":"request entity too large"}"#,
            )));
            *refused.status_mut() = hyper::StatusCode::PAYLOAD_TOO_LARGE;
            refused.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
            );
            return refused;
        }
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let request = json!({
        "method": parts.method.as_str(),
        "path": path,
        "headers": headers_value(&parts.headers, request_header),
        "body": body_value(&body),
    });
    let answer = upstream.forward(parts, buffered(body), mount).await;
    let (head, body) = answer.into_parts();
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) => {
            tracing::warn!(error = %err, "the upstream's answer could not be read whole");
            Bytes::new()
        }
    };
    let record = json!({
        "step": step.to_string(),
        "request": request,
        "response": {
            "status": head.status.as_u16(),
            "headers": headers_value(&head.headers, |n| !VOLATILE.contains(&n)),
            "body": body_value(&bytes),
        },
    });
    if let Err(err) = recorder.write(record) {
        tracing::error!(error = %err, "writing the recording failed");
    }
    Response::from_parts(head, buffered(bytes))
}

/// Bind, announce, and record until Ctrl-C.
pub async fn run(
    addr: SocketAddr,
    upstream: Upstream,
    out: &Path,
    mount: String,
) -> anyhow::Result<()> {
    let recorder = Arc::new(Recorder::create(out)?);
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(address = %listener.local_addr()?, out = %out.display(), "recording");
    serve(listener, upstream, recorder, mount, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
