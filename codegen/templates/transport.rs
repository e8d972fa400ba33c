//! The HTTP transport: HTTP/1.1 keep-alive connections to the base URL's host, made by a connector of our own
//! (TCP, HTTP proxies, TLS) and driven by hyper.
//!
//! This file is emitted verbatim from `codegen/templates/transport.rs` into the shared runtime crate.
//!
//! Why not reqwest, or hyper-util's pooled client under it: a client talks to one host, sends one GET (or form
//! POST) at a time per connection and reads each body whole. reqwest's layers (redirects, URL re-parsing, boxed
//! bodies) cost a fifth of a loopback request, and hyper-util's pool (keyed by host, a task spawned per
//! response to return the connection) another 5–8 µs over hyper's own connection (README "Performance"). Here a
//! connection goes back to the pool when the runtime has read its body. What reqwest gave besides, this module
//! gives: TLS (rustls or the platform's), proxies from the environment or the builder; gzip is in `runtime.rs`.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1;
use hyper::header::{HeaderValue, HOST, PROXY_AUTHORIZATION};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::TransportKind;
use crate::Error;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body: empty for a GET, the form for a POST.
pub(crate) type Body = Full<Bytes>;

/// An idle connection older than this is not used again: servers close idle keep-alive connections.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Idle connections kept at most (more are only open while that many requests run at once).
const MAX_IDLE: usize = 32;

/// TCP and proxies, then TLS for `https://` destinations: the platform's library with `native-tls` (asked
/// for explicitly, so it wins when both TLS features are on), else rustls.
#[cfg(feature = "native-tls")]
pub(crate) type Connector = hyper_tls::HttpsConnector<Connect>;
#[cfg(all(feature = "rustls-tls", not(feature = "native-tls")))]
pub(crate) type Connector = hyper_rustls::HttpsConnector<Connect>;
#[cfg(not(any(feature = "rustls-tls", feature = "native-tls")))]
pub(crate) type Connector = Connect;

/// Where the client's connections go besides the destination itself.
#[derive(Clone, Default)]
pub(crate) enum Proxy {
    /// `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (or lowercase), read by `build()`, as curl does.
    #[default]
    Environment,
    /// Direct connections only.
    Off,
    /// Everything through this `http://` proxy.
    All(String),
}

// A proxy URL may carry a password: never shown.
impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proxy::Environment => f.write_str("Environment"),
            Proxy::Off => f.write_str("Off"),
            Proxy::All(_) => f.write_str("All(..)"),
        }
    }
}

/// What `build()` needs to make the transport.
pub(crate) struct Options<'a> {
    pub proxy: &'a Proxy,
    /// PEM texts of extra root certificates.
    pub roots: &'a [Vec<u8>],
    /// The base URL, already checked to be `http://` or `https://`.
    pub base: &'a Uri,
}

/// The transport of a client.
pub(crate) fn build(options: Options<'_>) -> Result<Http, Error> {
    let config = |message: String| Error::Config { message };
    let proxies = match options.proxy {
        Proxy::Environment => Matcher::from_env(),
        Proxy::Off => Matcher::builder().build(),
        Proxy::All(url) => {
            let uri = url.parse::<Uri>().ok().filter(|uri| uri.host().is_some());
            if uri.as_ref().and_then(Uri::scheme_str) != Some("http") {
                // Not shown: it may hold a password.
                return Err(config(
                    "the proxy URL must be `http://[user:password@]host[:port]`".to_owned(),
                ));
            }
            Matcher::builder().all(url.clone()).build()
        }
    };
    // A client only ever connects to its base URL's host: its proxy, if any, is known now.
    let proxy = proxies.intercept(options.base);
    if proxy.as_ref().is_some_and(|p| p.uri().scheme_str() != Some("http")) {
        return Err(config(format!(
            "the proxy that ALL_PROXY, HTTP_PROXY or HTTPS_PROXY names for {} is not an http:// proxy (the \
             only kind supported); set `proxy(..)` or `no_proxy()`",
            options.base
        )));
    }
    // Sent with plain-HTTP requests through the proxy (an HTTPS request sends it in its `CONNECT` instead).
    let proxy_auth = proxy.as_ref().and_then(|p| p.basic_auth().cloned());
    let authority = options.base.authority().map(|a| a.as_str()).unwrap_or_default();
    // The default port is left out, as browsers and curl do.
    let default_port = if options.base.scheme_str() == Some("https") {
        ":443"
    } else {
        ":80"
    };
    let host = HeaderValue::from_str(authority.strip_suffix(default_port).unwrap_or(authority))
        .map_err(|_| config(format!("the host of the base URL `{}` is not valid", options.base)))?;
    let mut http = HttpConnector::new();
    // Requests are small and answered at once: no Nagle delay.
    http.set_nodelay(true);
    // The TLS layer above hands `https://` destinations down too.
    http.enforce_http(false);
    let connect = Connect { http, proxy };
    let connector = tls(connect, options.roots, options.base).map_err(config)?;
    Ok(Http {
        connector,
        host,
        proxy_auth,
        idle: Mutex::new(Vec::new()),
    })
}

/// Keep-alive HTTP/1.1 connections to one host (or its proxy), and how to make more.
pub(crate) struct Http {
    connector: Connector,
    /// `Host` of every request.
    host: HeaderValue,
    proxy_auth: Option<HeaderValue>,
    /// The most recently used last.
    idle: Mutex<Vec<Idle>>,
}

// The connector's proxies and the proxy's credentials stay out of `Debug`.
impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http").field("host", &self.host).finish_non_exhaustive()
    }
}

struct Idle {
    conn: Conn,
    since: Instant,
}

/// A connection a response is being read from; [`Http::put_back`] once its body is read whole.
pub(crate) struct Conn {
    sender: http1::SendRequest<Body>,
    /// To a proxy: requests go in absolute form.
    proxied: bool,
}

/// What failed, and hyper's (or the connector's) error.
pub(crate) type Failure = (TransportKind, BoxError);

impl Http {
    /// Sends `request` (its URI absolute) on an idle connection, or on a new one.
    pub(crate) async fn send(&self, mut request: Request<Body>) -> Result<(Response<Incoming>, Conn), Failure> {
        let uri = request.uri().clone();
        request.headers_mut().insert(HOST, self.host.clone());
        loop {
            let (mut conn, reused) = match self.checkout().await {
                Some(conn) => (conn, true),
                None => (self.connect(&uri).await?, false),
            };
            if conn.proxied {
                *request.uri_mut() = uri.clone();
                if let Some(auth) = &self.proxy_auth {
                    request.headers_mut().insert(PROXY_AUTHORIZATION, auth.clone());
                }
            } else if let Some(path) = uri.path_and_query() {
                *request.uri_mut() = Uri::from(path.clone());
            }
            match conn.sender.try_send_request(request).await {
                Ok(response) => return Ok((response, conn)),
                Err(mut error) => match error.take_message() {
                    // Not sent: the idle connection had been closed. Another (or a new) one is tried.
                    Some(unsent) if reused => request = unsent,
                    _ => return Err((TransportKind::Request, error.into_error().into())),
                },
            }
        }
    }

    /// A connection whose response has been read whole, for the next request.
    pub(crate) fn put_back(&self, conn: Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        }
    }

    /// The most recently used idle connection that is still open, once it can take a request.
    async fn checkout(&self) -> Option<Conn> {
        loop {
            let mut conn = {
                let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                let last = idle.pop()?;
                if last.since.elapsed() > IDLE_TIMEOUT {
                    // The others are older still.
                    idle.clear();
                    return None;
                }
                last.conn
            };
            // Ready once hyper has finished the previous exchange (at once, or after its task has run).
            if !conn.sender.is_closed() && conn.sender.ready().await.is_ok() {
                return Some(conn);
            }
        }
    }

    async fn connect(&self, uri: &Uri) -> Result<Conn, Failure> {
        let failed = |error: BoxError| (TransportKind::Connect, error);
        let mut connector = self.connector.clone();
        std::future::poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(failed)?;
        let io = connector.call(uri.clone()).await.map_err(failed)?;
        let proxied = io.connected().is_proxied();
        let (sender, connection) = http1::handshake(io).await.map_err(|e| failed(e.into()))?;
        // The connection's I/O runs in its own task; it ends when the connection closes or the last sender
        // (ours, in the pool or in a request) is dropped.
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, "connection closed with an error");
            }
        });
        Ok(Conn { sender, proxied })
    }
}

#[cfg(feature = "native-tls")]
fn tls(connect: Connect, roots: &[Vec<u8>], _base: &Uri) -> Result<Connector, String> {
    let mut tls = native_tls::TlsConnector::builder();
    for (i, pem) in roots.iter().enumerate() {
        let cert = native_tls::Certificate::from_pem(pem)
            .map_err(|e| format!("root certificate {} is not a PEM certificate: {e}", i + 1))?;
        tls.add_root_certificate(cert);
    }
    let tls = tls.build().map_err(|e| format!("cannot set up TLS: {e}"))?;
    Ok(hyper_tls::HttpsConnector::from((connect, tls.into())))
}

#[cfg(all(feature = "rustls-tls", not(feature = "native-tls")))]
fn tls(connect: Connect, roots: &[Vec<u8>], _base: &Uri) -> Result<Connector, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;

    let mut store = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (i, pem) in roots.iter().enumerate() {
        let bad = |e: &dyn fmt::Display| format!("root certificate {} is not a PEM certificate: {e}", i + 1);
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            store.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
            found += 1;
        }
        if found == 0 {
            return Err(bad(&"no `BEGIN CERTIFICATE` block"));
        }
    }
    // The provider named here, not the process default: another crate turning on a second rustls provider
    // must not make `build()` fail.
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connect))
}

#[cfg(not(any(feature = "rustls-tls", feature = "native-tls")))]
fn tls(connect: Connect, roots: &[Vec<u8>], base: &Uri) -> Result<Connector, String> {
    if base.scheme_str() == Some("https") || !roots.is_empty() {
        return Err("HTTPS needs the `rustls-tls` or the `native-tls` feature of justoneapi-runtime".to_owned());
    }
    Ok(connect)
}

/// Opens TCP connections: to the destination, or to the client's proxy (plain HTTP: the request then goes to
/// the proxy in absolute form; HTTPS: through a `CONNECT` tunnel).
#[derive(Clone)]
pub(crate) struct Connect {
    http: HttpConnector,
    /// The proxy for the base URL's host, the only one a client connects to: decided (and checked to be
    /// `http://`) by [`build`].
    proxy: Option<Intercept>,
}

// The proxy may carry a password.
impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect").finish_non_exhaustive()
    }
}

impl Service<Uri> for Connect {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let proxy = self.proxy.clone();
        Box::pin(async move {
            let Some(proxy) = proxy else {
                return Ok(Stream::new(http.call(dst).await?, false));
            };
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Ok(Stream::new(tunnel.call(dst).await?, false))
            } else {
                Ok(Stream::new(http.call(proxy.uri().clone()).await?, true))
            }
        })
    }
}

/// A TCP connection that knows whether it leads to a proxy (so the pool sends requests in absolute form).
pub(crate) struct Stream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Stream {
    fn new(io: TokioIo<TcpStream>, proxied: bool) -> Stream {
        Stream { io, proxied }
    }
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for Stream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: ReadBufCursor<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Stream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
