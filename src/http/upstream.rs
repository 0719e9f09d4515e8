//! Pass-through to a real Parse Server (`--upstream`): every request parse-compat does not
//! answer itself (`/classes/Post`, `/functions`, `/files`, `/schemas`, push, GraphQL
//! operations outside the auth API...) is forwarded there unchanged, and the answer streamed
//! back as it comes.
//!
//! Requests keep their method, path, query, headers (`Host` included, so the Location
//! headers Parse writes name parse-compat) and body; only hop-by-hop headers are dropped, in
//! both directions. Bodies stream both ways (a file upload is never held whole in memory)
//! unless parse-compat had to read the body to decide. An upstream that cannot be reached, or
//! does not start answering in time, gets Parse's own answer for a lost backend: 500
//! `{"code":1,"message":"Internal server error."}` — never a hang.
//!
//! A request that asks to switch protocols (`Connection: upgrade`, `Upgrade: websocket`: the
//! LiveQuery client's handshake) goes to the upstream with its `Upgrade` header; when the
//! upstream switches (101), parse-compat switches too and then relays bytes both ways,
//! unread, until either side closes ([`Upstream::tunnel`]).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::response;

/// A body that is either already read or still streaming from the peer.
pub type PassBody = Either<Full<Bytes>, Incoming>;

/// How long connecting to the upstream may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The headers that describe one connection, not the message (RFC 9110, 7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether a request asks to switch protocols: an `Upgrade` header, named by `Connection`.
pub fn wants_upgrade<B>(req: &Request<B>) -> bool {
    req.headers().contains_key(hyper::header::UPGRADE)
        && req
            .headers()
            .get_all(hyper::header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
}

/// A configured upstream Parse Server.
#[derive(Clone)]
pub struct Upstream {
    client: Client<HttpConnector, PassBody>,
    /// `http://host:port`, no path.
    origin: String,
    /// The upstream's mount path when the URL named one (`http://host:1337/parse`), which
    /// replaces ours; `None` keeps paths as they came.
    mount: Option<String>,
    /// Time for the upstream to start answering.
    answer_timeout: Duration,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("origin", &self.origin)
            .field("mount", &self.mount)
            .finish_non_exhaustive()
    }
}

/// Why an upstream URL was refused.
#[derive(Debug, thiserror::Error)]
#[error("--upstream `{url}`: {reason}")]
pub struct UpstreamError {
    url: String,
    reason: &'static str,
}

impl Upstream {
    /// The upstream a configuration names, if any.
    pub fn from_config(config: &crate::config::Config) -> Result<Option<Self>, UpstreamError> {
        config
            .upstream
            .as_deref()
            .map(|url| Self::new(url, Duration::from_secs(config.upstream_timeout_secs)))
            .transpose()
    }

    /// An upstream at `url` (`http://host:port`, optionally with the mount path its API lives
    /// under). Only `http` is spoken: put the upstream beside parse-compat, not across a
    /// network that needs TLS.
    pub fn new(url: &str, answer_timeout: Duration) -> Result<Self, UpstreamError> {
        let err = |reason| UpstreamError {
            url: url.to_owned(),
            reason,
        };
        let uri: Uri = url.parse().map_err(|_| err("not a URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(err("only http:// upstreams are supported"));
        }
        let authority = uri.authority().ok_or_else(|| err("no host"))?;
        let path = uri.path().trim_end_matches('/');
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Self {
            client,
            origin: format!("http://{authority}"),
            mount: (!path.is_empty()).then(|| path.to_owned()),
            answer_timeout,
        })
    }

    /// The upstream URI for a request that came in on `path_and_query`, under our REST mount
    /// path `local_mount`.
    fn target(&self, path_and_query: &str, local_mount: &str) -> Result<Uri, ()> {
        let rewritten = match &self.mount {
            Some(mount)
                if path_and_query == local_mount
                    || path_and_query.starts_with(&format!("{local_mount}/"))
                    || path_and_query.starts_with(&format!("{local_mount}?")) =>
            {
                format!("{mount}{}", &path_and_query[local_mount.len()..])
            }
            _ => path_and_query.to_owned(),
        };
        format!("{}{rewritten}", self.origin)
            .parse()
            .map_err(|_| ())
    }

    /// Forward a request and hand back the upstream's answer, its body streaming.
    pub async fn forward(
        &self,
        parts: hyper::http::request::Parts,
        body: PassBody,
        local_mount: &str,
    ) -> Response<PassBody> {
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
        // Where the client reached us, to point the upstream's Location headers back here.
        let here = parts
            .headers
            .get(hyper::header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|host| format!("http://{host}{local_mount}"));
        let Ok(uri) = self.target(&path_and_query, local_mount) else {
            return lost();
        };
        let mut request = Request::new(body);
        *request.method_mut() = parts.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = end_to_end(parts.headers);
        let sent = tokio::time::timeout(self.answer_timeout, self.client.request(request)).await;
        match sent {
            Ok(Ok(res)) => {
                let (mut head, body) = res.into_parts();
                head.headers = end_to_end(head.headers);
                if let Some(here) = &here {
                    self.relocate(&mut head.headers, here, local_mount);
                }
                Response::from_parts(head, Either::Right(body))
            }
            Ok(Err(err)) => {
                tracing::warn!(upstream = %self.origin, error = %err, "upstream request failed");
                lost()
            }
            Err(_) => {
                tracing::warn!(upstream = %self.origin, "upstream did not answer in time");
                lost()
            }
        }
    }
}

impl Upstream {
    /// Pass a protocol switch (a WebSocket handshake) to the upstream, over a connection of
    /// its own. When the upstream switches, answer 101 with its headers and relay both
    /// connections' bytes until either closes or `lifeline` says the server stops; `hold`
    /// (the client connection's place under the connection cap) is kept as long. Any other
    /// answer is passed back as [`Upstream::forward`] would.
    pub async fn tunnel<H: Send + 'static>(
        &self,
        mut req: Request<Incoming>,
        local_mount: &str,
        hold: H,
        mut lifeline: super::drain::Lifeline,
    ) -> Response<PassBody> {
        let client_side = hyper::upgrade::on(&mut req);
        let (parts, _) = req.into_parts();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
        let Ok(target) = self.target(&path_and_query, local_mount) else {
            return lost();
        };
        let Some(authority) = target.authority().map(ToString::to_string) else {
            return lost();
        };
        let origin_form: Uri = match target.path_and_query().map(|p| p.as_str().parse()) {
            Some(Ok(uri)) => uri,
            _ => return lost(),
        };
        let mut headers = end_to_end(parts.headers.clone());
        for name in [hyper::header::CONNECTION, hyper::header::UPGRADE] {
            if let Some(value) = parts.headers.get(&name) {
                headers.insert(name, value.clone());
            }
        }
        let mut request = Request::new(buffered(Bytes::new()));
        *request.method_mut() = parts.method;
        *request.uri_mut() = origin_form;
        *request.headers_mut() = headers;
        let answered = tokio::time::timeout(self.answer_timeout, async {
            let stream =
                tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&authority))
                    .await
                    .map_err(|_| "connect timed out".to_owned())?
                    .map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(async move {
                if let Err(err) = conn.with_upgrades().await {
                    tracing::debug!(error = %err, "upstream tunnel connection ended");
                }
            });
            sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        let mut res = match answered {
            Ok(Ok(res)) => res,
            Ok(Err(err)) => {
                tracing::warn!(upstream = %self.origin, error = %err, "upstream upgrade failed");
                return lost();
            }
            Err(_) => {
                tracing::warn!(upstream = %self.origin, "upstream did not answer the upgrade in time");
                return lost();
            }
        };
        if res.status() != hyper::StatusCode::SWITCHING_PROTOCOLS {
            let (mut head, body) = res.into_parts();
            head.headers = end_to_end(head.headers);
            return Response::from_parts(head, Either::Right(body));
        }
        let upstream_side = hyper::upgrade::on(&mut res);
        let (mut head, _) = res.into_parts();
        let switched = head.headers.clone();
        head.headers = end_to_end(head.headers);
        for name in [hyper::header::CONNECTION, hyper::header::UPGRADE] {
            if let Some(value) = switched.get(&name) {
                head.headers.insert(name, value.clone());
            }
        }
        let origin = self.origin.clone();
        tokio::spawn(async move {
            let relay = async {
                let (client, upstream) = tokio::try_join!(client_side, upstream_side)?;
                let mut client = hyper_util::rt::TokioIo::new(client);
                let mut upstream = hyper_util::rt::TokioIo::new(upstream);
                tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            };
            tokio::select! {
                ended = relay => if let Err(err) = ended {
                    tracing::debug!(upstream = %origin, error = %err, "tunnel ended");
                },
                () = lifeline.stopping() => {}
            }
            drop(hold);
        });
        Response::from_parts(head, buffered(Bytes::new()))
    }

    /// POST a JSON body to one of the upstream's REST routes (`route` below its mount path,
    /// or below `local_mount` when the upstream URL named none), with these headers; its
    /// status and body. For parse-compat's own calls, such as asking it to send an e-mail.
    pub async fn post_json(
        &self,
        route: &str,
        local_mount: &str,
        headers: &[(&'static str, &str)],
        body: &serde_json::Value,
    ) -> Result<(u16, Bytes), String> {
        let path = format!("{}{route}", self.mount.as_deref().unwrap_or(local_mount));
        let uri: Uri = format!("{}{path}", self.origin)
            .parse()
            .map_err(|_| format!("not a URL: {}{path}", self.origin))?;
        let mut request = Request::new(buffered(Bytes::from(body.to_string())));
        *request.method_mut() = hyper::Method::POST;
        *request.uri_mut() = uri;
        let h = request.headers_mut();
        h.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        for (name, value) in headers {
            let value = hyper::header::HeaderValue::from_str(value)
                .map_err(|_| format!("{name} is not a header value"))?;
            h.insert(*name, value);
        }
        let answer = async {
            let res = self
                .client
                .request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = res.status().as_u16();
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok((status, bytes))
        };
        tokio::time::timeout(self.answer_timeout, answer)
            .await
            .map_err(|_| "the upstream did not answer in time".to_owned())?
    }
}

impl Upstream {
    /// A `Location` naming the upstream's API (Parse writes its own `serverURL` there) is
    /// made to name the same resource here.
    fn relocate(&self, headers: &mut HeaderMap, here: &str, local_mount: &str) {
        let Some(location) = headers
            .get(hyper::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return;
        };
        let theirs = format!(
            "{}{}",
            self.origin,
            self.mount.as_deref().unwrap_or(local_mount)
        );
        if let Some(rest) = location.strip_prefix(&theirs)
            && (rest.is_empty() || rest.starts_with('/'))
            && let Ok(v) = hyper::header::HeaderValue::from_str(&format!("{here}{rest}"))
        {
            headers.insert(hyper::header::LOCATION, v);
        }
    }
}

/// Parse's answer when its backend is gone.
fn lost() -> Response<PassBody> {
    response::uncaught_error().map(Either::Left)
}

/// `headers` without the hop-by-hop ones, nor those the `Connection` header names.
fn end_to_end(mut headers: HeaderMap) -> HeaderMap {
    let named: Vec<HeaderName> = headers
        .get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    headers
}

/// A buffered body for forwarding.
pub fn buffered(bytes: Bytes) -> PassBody {
    Either::Left(Full::new(bytes))
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;

    use super::*;

    #[test]
    fn a_mount_path_in_the_url_replaces_ours() {
        let up = Upstream::new("http://127.0.0.1:1337/parse", Duration::from_secs(1)).unwrap();
        assert_eq!(
            up.target("/api/classes/Post?limit=1", "/api")
                .unwrap()
                .to_string(),
            "http://127.0.0.1:1337/parse/classes/Post?limit=1"
        );
        assert_eq!(
            up.target("/apps/x", "/api").unwrap().to_string(),
            "http://127.0.0.1:1337/apps/x"
        );
        let bare = Upstream::new("http://127.0.0.1:1337", Duration::from_secs(1)).unwrap();
        assert_eq!(
            bare.target("/parse/functions/hi", "/parse")
                .unwrap()
                .to_string(),
            "http://127.0.0.1:1337/parse/functions/hi"
        );
        assert!(Upstream::new("https://x", Duration::from_secs(1)).is_err());
        assert!(Upstream::new("nope", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_upstream_s_locations_name_this_server() {
        let up = Upstream::new("http://127.0.0.1:1337/parse", Duration::from_secs(1)).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "location",
            HeaderValue::from_static("http://127.0.0.1:1337/parse/classes/Post/abc"),
        );
        up.relocate(&mut h, "http://api.example.com/v1", "/v1");
        assert_eq!(h["location"], "http://api.example.com/v1/classes/Post/abc");
        let mut elsewhere = HeaderMap::new();
        elsewhere.insert(
            "location",
            HeaderValue::from_static("https://files.example.com/x"),
        );
        up.relocate(&mut elsewhere, "http://api.example.com/v1", "/v1");
        assert_eq!(elsewhere["location"], "https://files.example.com/x");
    }

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut h = HeaderMap::new();
        h.insert("connection", HeaderValue::from_static("close, x-private"));
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("x-parse-session-token", HeaderValue::from_static("r:1"));
        let kept = end_to_end(h);
        assert_eq!(kept.len(), 1);
        assert!(kept.contains_key("x-parse-session-token"));
    }
}
