//! The HTTP transport: hyper-util's pooled client over a connector of our own (TCP, HTTP proxies, TLS).
//!
//! This file is emitted verbatim from `codegen/templates/transport.rs` into the shared runtime crate.
//!
//! Why not reqwest: the runtime needs one GET (or form POST) with a body read whole. reqwest's layers around
//! the same pooled client (redirects, URL re-parsing, boxed bodies) cost about a third of a loopback request,
//! more than the round trip itself (README "Performance"). What reqwest gave besides, this module gives:
//! TLS (rustls or the platform's), proxies from the environment or the builder, gzip (in `runtime.rs`).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::Uri;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_service::Service;

use crate::Error;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body: empty for a GET, the form for a POST.
pub(crate) type Body = Full<Bytes>;

/// The pooled HTTP client every request goes through.
pub(crate) type Http = hyper_util::client::legacy::Client<Connector, Body>;

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

/// The transport, and the `Proxy-Authorization` to send with every request when plain-HTTP requests go
/// through a proxy that wants one (an HTTPS request sends it in its `CONNECT` instead).
pub(crate) fn build(options: Options<'_>) -> Result<(Http, Option<HeaderValue>), Error> {
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
    let proxy_auth = match proxies.intercept(options.base) {
        Some(proxy) if options.base.scheme_str() == Some("http") => proxy.basic_auth().cloned(),
        _ => None,
    };
    let mut http = HttpConnector::new();
    // Requests are small and answered at once: no Nagle delay.
    http.set_nodelay(true);
    // The TLS layer above hands `https://` destinations down too.
    http.enforce_http(false);
    let connect = Connect {
        http,
        proxies: Arc::new(proxies),
    };
    let connector = tls(connect, options.roots, options.base).map_err(config)?;
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(connector);
    Ok((client, proxy_auth))
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(connect))
}

#[cfg(not(any(feature = "rustls-tls", feature = "native-tls")))]
fn tls(connect: Connect, roots: &[Vec<u8>], base: &Uri) -> Result<Connector, String> {
    if base.scheme_str() == Some("https") || !roots.is_empty() {
        return Err("HTTPS needs the `rustls-tls` or the `native-tls` feature of justoneapi-runtime".to_owned());
    }
    Ok(connect)
}

/// Opens TCP connections: to the destination, or to the proxy the [`Matcher`] picks for it (plain HTTP:
/// the request then goes to the proxy in absolute form; HTTPS: through a `CONNECT` tunnel).
#[derive(Clone)]
pub(crate) struct Connect {
    http: HttpConnector,
    proxies: Arc<Matcher>,
}

// The proxies may carry passwords.
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
        let proxy = self.proxies.intercept(&dst);
        Box::pin(async move {
            let Some(proxy) = proxy else {
                return Ok(Stream::new(http.call(dst).await?, false));
            };
            if proxy.uri().scheme_str() != Some("http") {
                return Err(format!(
                    "proxy scheme `{}` is not supported (only http:// proxies are)",
                    proxy.uri().scheme_str().unwrap_or_default()
                )
                .into());
            }
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
