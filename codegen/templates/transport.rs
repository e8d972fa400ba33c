//! The HTTP exchange: reqwest underneath, and the runtime's rules on top of it.
//!
//! This file is emitted verbatim from `codegen/templates/transport.rs` into the shared runtime crate.
//!
//! reqwest does the HTTP: connection pools, HTTP/1.1 and HTTP/2, TLS (rustls with Mozilla's or the OS's roots,
//! or the platform's library), proxies (the builder's, the environment's, the system's; http, https and
//! socks), gzip. What it cannot know is the runtime's: no redirect is followed (the token is in the query of
//! a GET and the form body of a POST); a connect timeout apart from the attempt's; which failures leave the
//! request unsent, so that sending it again is safe; the body limit on decompressed bytes; and no token, no
//! password of the base URL, in anything shown.
//!
//! A pool's connections are driven by tasks of the Tokio runtime that opened them, so a pool shared by two
//! runtimes stalls when one of them is not running (the blocking client's runtime between two calls). The
//! runtime therefore keeps one reqwest client per Tokio runtime that sends on it ([`Pools`]); a program's own
//! client ([`crate::ClientBuilder::http_client`]) is used as it is.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

use crate::error::TransportKind;
use crate::Error;

/// Where the client's connections go besides the destination itself.
#[derive(Clone, Default)]
pub(crate) enum Proxy {
    /// The environment's: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (or lowercase) as `build()`
    /// read them, else the system's settings (macOS, Windows).
    #[default]
    Environment,
    /// Direct connections only.
    Off,
    /// Everything through this proxy.
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

/// How the runtime builds its reqwest clients.
#[derive(Clone)]
pub(crate) struct Options {
    pub proxy: Proxy,
    /// PEM texts of extra root certificates.
    pub roots: Vec<Vec<u8>>,
    pub connect_timeout: Duration,
    /// Whether the base URL is `https://` (which proxy variable applies to it).
    pub https: bool,
}

/// A program's own client, with or without middleware.
#[derive(Clone)]
pub(crate) enum Sender {
    Reqwest(reqwest::Client),
    #[cfg(feature = "middleware")]
    Middleware(reqwest_middleware::ClientWithMiddleware),
}

/// What a client sends its requests with.
pub(crate) enum Transport {
    /// Clients the runtime built, one per Tokio runtime.
    Built(Pools),
    /// The program's own: its settings are its own.
    Given(Sender),
}

// reqwest's `Debug` shows its proxies, which may carry a password.
impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Built(_) => "Transport::Built(..)",
            Transport::Given(_) => "Transport::Given(..)",
        })
    }
}

/// The most Tokio runtimes a client keeps a connection pool for; the least recently used one goes first
/// (a program that starts a runtime per task does not grow the list without end).
const MAX_POOLS: usize = 8;

/// One reqwest client (one connection pool) per Tokio runtime that sends requests.
pub(crate) struct Pools {
    options: Options,
    /// The proxy variables as `build()` read them: every pool follows them, whatever the environment says later.
    env: EnvProxies,
    pools: Mutex<Vec<Pool>>,
    /// Ticks of use, to find the least recently used pool.
    clock: AtomicU64,
}

struct Pool {
    /// `None`: built by `build()`, not yet used by any runtime (the first one to send takes it).
    runtime: Option<tokio::runtime::Id>,
    client: reqwest::Client,
    connects: Arc<AtomicU64>,
    used: u64,
}

impl Transport {
    /// The runtime's own clients, built by these options (the first one at once, so that a bad proxy URL
    /// or certificate fails `build()`).
    pub(crate) fn build(options: Options) -> Result<Transport, Error> {
        let env = EnvProxies::read();
        check_socks(&options, &env)?;
        let (client, connects) = reqwest_client(&options, &env)?;
        Ok(Transport::Built(Pools {
            options,
            env,
            pools: Mutex::new(vec![Pool {
                runtime: None,
                client,
                connects,
                used: 0,
            }]),
            clock: AtomicU64::new(0),
        }))
    }

    /// Sends `request`, once more if it is a GET that found its reused connection closed by the server
    /// before the response (keep-alive's race: a server may close an idle connection just as a request
    /// goes out on it). Errors are the client's: no URL (it has the token) in them.
    pub(crate) async fn send(&self, request: Request<'_>) -> Result<reqwest::Response, Error> {
        let (sender, connects) = match self {
            Transport::Built(pools) => {
                let (client, connects) = pools.current()?;
                (Sender::Reqwest(client), Some(connects))
            }
            Transport::Given(sender) => (sender.clone(), None),
        };
        let mut resent = false;
        loop {
            let opened = connects.as_ref().map(|c| c.load(Ordering::SeqCst));
            let failure = match sender.execute(request.build()).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            // Known only for the runtime's own clients: no connection was opened while this request was on
            // its way, so it went on a reused one. (Another request opening one meanwhile makes this `false`:
            // not resent, the safe side.)
            let reused = match (&connects, opened) {
                (Some(c), Some(before)) => c.load(Ordering::SeqCst) == before,
                _ => false,
            };
            if !resent && reused && request.method == Method::GET && failure.is_closed_before_response() {
                tracing::debug!(url = %request.shown, "reused connection closed before the response; sending again");
                resent = true;
                continue;
            }
            return Err(failure.into_error(request.shown));
        }
    }
}

impl Pools {
    /// The client of the current Tokio runtime.
    fn current(&self) -> Result<(reqwest::Client, Arc<AtomicU64>), Error> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| outside_runtime())?
            .id();
        let now = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
        let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
        let found = pools.iter().position(|p| p.runtime == Some(runtime));
        let found = found.or_else(|| {
            let unclaimed = pools.iter().position(|p| p.runtime.is_none())?;
            pools[unclaimed].runtime = Some(runtime);
            Some(unclaimed)
        });
        let index = match found {
            Some(index) => index,
            None => {
                let (client, connects) = reqwest_client(&self.options, &self.env)?;
                if pools.len() >= MAX_POOLS {
                    let oldest = (0..pools.len()).min_by_key(|&i| pools[i].used).unwrap_or(0);
                    pools.swap_remove(oldest);
                }
                pools.push(Pool {
                    runtime: Some(runtime),
                    client,
                    connects,
                    used: now,
                });
                pools.len() - 1
            }
        };
        let pool = &mut pools[index];
        pool.used = now;
        Ok((pool.client.clone(), pool.connects.clone()))
    }
}

/// The proxy environment variables, read as reqwest reads them (hyper-util's rules: `ALL_PROXY`, `HTTP_PROXY`,
/// `HTTPS_PROXY`, `NO_PROXY`, the uppercase name first, then the lowercase; none at all in a CGI program, where
/// `HTTP_PROXY` may come from a request header).
#[derive(Clone, Default)]
struct EnvProxies {
    /// Whether any of them is set (or the program is CGI): the proxies are then these, not the system's.
    set: bool,
    http: Option<String>,
    https: Option<String>,
    no: String,
}

impl EnvProxies {
    fn read() -> EnvProxies {
        if std::env::var_os("REQUEST_METHOD").is_some() {
            return EnvProxies {
                set: true,
                ..EnvProxies::default()
            };
        }
        let first = |names: [&str; 2]| names.iter().find_map(|name| std::env::var(name).ok());
        let (all, http, https, no) = (
            first(["ALL_PROXY", "all_proxy"]),
            first(["HTTP_PROXY", "http_proxy"]),
            first(["HTTPS_PROXY", "https_proxy"]),
            first(["NO_PROXY", "no_proxy"]),
        );
        let given = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let all = given(all);
        EnvProxies {
            set: all.is_some() || http.is_some() || https.is_some(),
            http: given(http).or_else(|| all.clone()),
            https: given(https).or(all),
            no: no.unwrap_or_default(),
        }
    }

    /// `builder` with these proxies instead of what reqwest would read now.
    fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if !self.set {
            // No variable: the system's settings where reqwest reads them (macOS, Windows), else none.
            return if cfg!(any(target_os = "macos", windows)) {
                builder
            } else {
                builder.no_proxy()
            };
        }
        let mut builder = builder.no_proxy();
        let no = || reqwest::NoProxy::from_string(&self.no);
        // A variable that is not a proxy URL is left out, as reqwest leaves it out.
        if let Some(proxy) = self.http.as_deref().and_then(|url| reqwest::Proxy::http(url).ok()) {
            builder = builder.proxy(proxy.no_proxy(no()));
        }
        if let Some(proxy) = self.https.as_deref().and_then(|url| reqwest::Proxy::https(url).ok()) {
            builder = builder.proxy(proxy.no_proxy(no()));
        }
        builder
    }
}

/// The error of a request sent outside a Tokio runtime.
pub(crate) fn outside_runtime() -> Error {
    Error::Config {
        message: "a request was awaited outside a Tokio runtime (the `blocking` client has its own)".to_owned(),
    }
}

/// A socks proxy (the builder's, or the environment's for the base URL's scheme) without the `socks` feature,
/// refused once by `build()`: named by the setting or its variables, never by its URL (it may hold a password).
fn check_socks(options: &Options, env: &EnvProxies) -> Result<(), Error> {
    if cfg!(feature = "socks") {
        return Ok(());
    }
    let is_socks = |url: &str| url.trim_start().to_ascii_lowercase().starts_with("socks");
    let message = match &options.proxy {
        Proxy::All(url) if is_socks(url) => {
            "a socks proxy needs the `socks` cargo feature of justoneapi-runtime (or of the platform crate)".to_owned()
        }
        Proxy::Environment => {
            let (proxy, names) = if options.https {
                (&env.https, "HTTPS_PROXY or ALL_PROXY")
            } else {
                (&env.http, "HTTP_PROXY or ALL_PROXY")
            };
            if !proxy.as_deref().is_some_and(is_socks) {
                return Ok(());
            }
            format!(
                "the proxy that {names} names is a socks proxy, which needs the `socks` cargo feature; set \
                 `proxy(..)` or `no_proxy()`, or turn the feature on"
            )
        }
        _ => return Ok(()),
    };
    Err(Error::Config { message })
}

/// A reqwest client by the runtime's rules, and the count of the connections it opens.
fn reqwest_client(options: &Options, env: &EnvProxies) -> Result<(reqwest::Client, Arc<AtomicU64>), Error> {
    let config = |message: String| Error::Config { message };
    let connects = Arc::new(AtomicU64::new(0));
    let mut builder = reqwest::Client::builder()
        // Never: the token is in the query of a GET and the form body of a POST.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .connector_layer(CountConnects(connects.clone()));
    builder = match &options.proxy {
        Proxy::Environment => env.apply(builder),
        Proxy::Off => builder.no_proxy(),
        Proxy::All(url) => {
            // reqwest's message would show the URL, and with it a password.
            let proxy = reqwest::Proxy::all(url.as_str()).map_err(|_| {
                config(
                    "the proxy URL is not valid: `http://`, `https://` or (feature `socks`) `socks5://` \
                     `[user:password@]host[:port]`"
                        .to_owned(),
                )
            })?;
            builder.proxy(proxy)
        }
    };
    for (i, pem) in options.roots.iter().enumerate() {
        let bad = |e: &dyn fmt::Display| config(format!("root certificate {} is not a PEM certificate: {e}", i + 1));
        let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| bad(&e))?;
        if certificates.is_empty() {
            return Err(bad(&"no `BEGIN CERTIFICATE` block"));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    let client = builder.build().map_err(|e| {
        // TLS reads the certificates only now: name the one it could not use.
        if let Some(message) = unusable_root(&options.roots) {
            return config(message);
        }
        // reqwest's message is about the setting, without a URL.
        config(format!(
            "cannot set up the HTTP client: {}",
            innermost(&e.without_url())
        ))
    })?;
    Ok((client, connects))
}

/// Which of `roots` TLS cannot use, and why (only when building failed: a client per certificate).
fn unusable_root(roots: &[Vec<u8>]) -> Option<String> {
    roots.iter().enumerate().find_map(|(i, pem)| {
        let mut builder = reqwest::Client::builder();
        for certificate in reqwest::Certificate::from_pem_bundle(pem).ok()? {
            builder = builder.add_root_certificate(certificate);
        }
        let error = builder.build().err()?;
        Some(format!(
            "root certificate {} is not a certificate TLS can use: {}",
            i + 1,
            innermost(&error)
        ))
    })
}

/// The innermost error of a chain: the one that names the cause.
pub(crate) fn innermost<'a>(error: &'a (dyn std::error::Error + 'static)) -> &'a (dyn std::error::Error + 'static) {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause
}

/// A request as the runtime sends it.
pub(crate) struct Request<'a> {
    pub method: Method,
    /// With the token, when it is in the query.
    pub url: &'a Url,
    /// As shown in errors and logs.
    pub shown: &'a str,
    pub headers: &'a HeaderMap,
    /// The form body of a POST.
    pub body: Option<&'a str>,
}

impl Request<'_> {
    fn build(&self) -> reqwest::Request {
        let mut request = reqwest::Request::new(self.method.clone(), self.url.clone());
        request.headers_mut().clone_from(self.headers);
        if let Some(body) = self.body {
            *request.body_mut() = Some(reqwest::Body::from(body.to_owned()));
        }
        request
    }
}

impl Sender {
    async fn execute(&self, request: reqwest::Request) -> Result<reqwest::Response, Failure> {
        match self {
            Sender::Reqwest(client) => client.execute(request).await.map_err(Failure::Reqwest),
            #[cfg(feature = "middleware")]
            Sender::Middleware(client) => client.execute(request).await.map_err(|e| match e {
                reqwest_middleware::Error::Reqwest(e) => Failure::Reqwest(e),
                reqwest_middleware::Error::Middleware(e) => Failure::Middleware(e.into()),
            }),
        }
    }
}

/// Why a request got no response.
enum Failure {
    Reqwest(reqwest::Error),
    /// A middleware's own error (only with the `middleware` feature).
    #[cfg_attr(not(feature = "middleware"), allow(dead_code))]
    Middleware(Box<dyn std::error::Error + Send + Sync>),
}

impl Failure {
    /// hyper's "connection closed before message completed": the server closed the connection after the
    /// request went out and before any response.
    fn is_closed_before_response(&self) -> bool {
        let error = match self {
            Failure::Reqwest(error) => error,
            Failure::Middleware(_) => return false,
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(error) = cause {
            if error
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_incomplete_message)
            {
                return true;
            }
            cause = error.source();
        }
        false
    }

    fn into_error(self, shown: &str) -> Error {
        match self {
            Failure::Reqwest(error) => {
                // A connect timeout is a connect error too: nothing was sent.
                let kind = if error.is_connect() {
                    TransportKind::Connect
                } else if error.is_body() || error.is_decode() {
                    TransportKind::Body
                } else {
                    TransportKind::Request
                };
                // reqwest's error holds the URL, and with it the token.
                Error::transport(shown, kind, error.without_url())
            }
            Failure::Middleware(error) => Error::transport(shown, TransportKind::Middleware, error),
        }
    }
}

/// Reads the body of `response` whole, or fails once more than `limit` bytes arrived. With gzip, reqwest
/// hands over decompressed bytes, so the limit counts those: a small compressed body cannot inflate past it.
pub(crate) async fn read_body(mut response: reqwest::Response, limit: usize, url: &str) -> Result<Vec<u8>, Error> {
    let too_large = || Error::BodyTooLarge {
        url: url.to_owned(),
        limit,
    };
    let length = response.content_length();
    if length.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    // Sized from `Content-Length` when there is one (at most 1 MiB ahead: a hostile `Content-Length` does not
    // reserve the whole limit).
    let expected = length.unwrap_or(0).min(limit.min(1 << 20) as u64) as usize;
    let mut bytes = Vec::with_capacity(expected);
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            let kind = if e.is_timeout() {
                TransportKind::Request
            } else {
                TransportKind::Body
            };
            Error::transport(url, kind, e.without_url())
        })?;
        let Some(chunk) = chunk else { break };
        if chunk.len() > limit - bytes.len() {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Counts the connections a reqwest client opens (a tower layer around its connector).
#[derive(Clone)]
struct CountConnects(Arc<AtomicU64>);

impl<S> tower_layer::Layer<S> for CountConnects {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            connects: self.0.clone(),
        }
    }
}

#[derive(Clone)]
struct Counted<S> {
    inner: S,
    connects: Arc<AtomicU64>,
}

impl<S: tower_service::Service<R>, R> tower_service::Service<R> for Counted<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> S::Future {
        self.connects.fetch_add(1, Ordering::SeqCst);
        self.inner.call(request)
    }
}
