//! The machine's ceiling for the benchmark: hyper answering a fixed small JSON body on the
//! same tokio runtime, with no Parse logic at all. `bench/run.sh` measures it first, so the
//! figures of a run can be read against what this machine does at best at that moment.
//!
//! With a second argument, a file holding an HTTP response as `curl -si` prints it, it answers
//! that response instead (its status, headers and body; hyper writes `date` and
//! `content-length` itself): the ceiling for an exchange of exactly that size.
//!
//! usage: bench_baseline PORT [RESPONSE_FILE]

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode, header};
use hyper_util::rt::TokioIo;

/// The status, headers and body of a response as `curl -si` prints it.
struct Canned {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Bytes,
}

fn canned(raw: &[u8]) -> anyhow::Result<Canned> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("no blank line after the headers"))?;
    let head = std::str::from_utf8(&raw[..split])?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .ok_or_else(|| anyhow::anyhow!("no status line"))?
        .parse()?;
    let mut headers = header::HeaderMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("not a header: {line}"))?;
        let name = header::HeaderName::from_bytes(name.trim().as_bytes())?;
        if [header::DATE, header::CONTENT_LENGTH, header::CONNECTION].contains(&name) {
            continue;
        }
        headers.append(name, header::HeaderValue::from_str(value.trim())?);
    }
    Ok(Canned {
        status,
        headers,
        body: Bytes::copy_from_slice(&raw[split + 4..]),
    })
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: bench_baseline PORT [RESPONSE_FILE]"))?
        .parse()?;
    let canned = match args.next() {
        Some(path) => Some(std::sync::Arc::new(canned(&std::fs::read(path)?)?)),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let canned = canned.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let res = match &canned {
                        Some(c) => {
                            let mut res = Response::new(Full::new(c.body.clone()));
                            *res.status_mut() = c.status;
                            *res.headers_mut() = c.headers.clone();
                            res
                        }
                        None => {
                            let mut res =
                                Response::new(Full::new(Bytes::from_static(b"{\"ok\":true}")));
                            res.headers_mut().insert(
                                header::CONTENT_TYPE,
                                header::HeaderValue::from_static("application/json"),
                            );
                            res
                        }
                    };
                    async move { Ok::<_, Infallible>(res) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
