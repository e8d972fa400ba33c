//! HTTP runtime shared by every operation: client configuration, retries, envelope decoding.
//!
//! This file is emitted verbatim from `codegen/templates/runtime.rs` into the shared runtime crate.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer as _};
use tokio::time::Instant;
use tracing::Instrument;

use crate::de::{Decode, Key, Mismatch, Seed};
use crate::transport::{self, Proxy, Sender, Transport};
use crate::{BusinessCode, Error, Server};

/// Per-request timeout the upstream documentation asks for ("at least 60 seconds").
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response body the client reads before giving up (32 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Time to open a connection (TCP, and TLS or a proxy tunnel) before the attempt fails as a connect error,
/// which is retried: nothing was sent. Shorter than the attempt's timeout, so that an unreachable address
/// does not use a whole attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// This crate's `User-Agent` product token.
const RUNTIME_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// How the client retries a request that failed in a way worth retrying.
///
/// Retried: business codes marked retryable (collection failed, rate limit), in a 2xx body or in the JSON
/// body of an HTTP error; HTTP 429, 502, 503 and 504 (honouring `Retry-After`); and connection failures.
/// Never retried: other business codes, other HTTP statuses, timeouts and undecodable bodies.
///
/// Built from [`RetryPolicy::default`] (3 attempts, 1 s doubling to at most 30 s, with jitter, no overall
/// budget) or [`RetryPolicy::none`] and the `with_*` methods:
///
/// ```
/// # use std::time::Duration;
/// # use justoneapi_runtime::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(500))
///     .with_max_elapsed(Duration::from_secs(300));
/// assert_eq!(policy.max_attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Option<Duration>,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_elapsed: None,
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Attempts in all, the first included (default 3; 1 = no retry; 0 is taken as 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Delay before the first retry (default 1 s); doubled for each further retry.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Longest single delay (default 30 s). A `Retry-After` longer than this ends the retries.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Budget for the whole call, retries and delays included (default: none). No retry starts unless its
    /// delay and a whole timeout still fit in it, so it must be at least the timeout: a shorter one would cut
    /// every attempt and never allow a retry, and building the client (or sending a request that overrides
    /// either) fails with [`Error::Config`] instead.
    pub fn with_max_elapsed(mut self, max_elapsed: impl Into<Option<Duration>>) -> Self {
        self.max_elapsed = max_elapsed.into();
        self
    }

    /// Whether delays are randomized (default: yes). With jitter, each backoff delay is drawn uniformly
    /// between half of it and all of it, so that many tasks rate-limited at the same moment do not all retry
    /// at the same moment again. `Retry-After` is always honoured exactly.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Delay before the first retry, before jitter.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Longest single delay.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Budget for the whole call, if any.
    pub fn max_elapsed(&self) -> Option<Duration> {
        self.max_elapsed
    }

    /// Whether delays are randomized.
    pub fn jitter(&self) -> bool {
        self.jitter
    }

    /// Delay before retry number `retry` (1-based), before jitter: `initial_backoff * 2^(retry-1)`, capped at
    /// `max_backoff`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }

    /// The delay the client waits before retry number `retry` when the server did not say (`Retry-After`):
    /// [`backoff`](Self::backoff), or with jitter a uniformly drawn duration between half of it and all of it.
    pub fn delay(&self, retry: u32) -> Duration {
        let backoff = self.backoff(retry);
        if !self.jitter {
            return backoff;
        }
        // Checked: a policy may hold durations up to `Duration::MAX`.
        let half = backoff / 2;
        let drawn = Duration::try_from_secs_f64(backoff.as_secs_f64() * random_unit() / 2.0).unwrap_or(half);
        half.saturating_add(drawn).min(backoff)
    }

    /// Rejects a budget that would make retries impossible (see [`with_max_elapsed`](Self::with_max_elapsed)).
    fn check(&self, timeout: Duration) -> Result<(), Error> {
        match self.max_elapsed {
            Some(budget) if budget < timeout => Err(Error::Config {
                message: format!(
                    "the retry policy's max_elapsed ({budget:?}) is shorter than the timeout ({timeout:?}): \
                     no retry could ever start; raise max_elapsed or lower the timeout"
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// A number in `[0, 1)`, different on every call. `RandomState::new` gives every call fresh SipHash keys
/// (random per thread, then incremented), which is all the randomness jitter needs, without a dependency.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The API token. Never printed: its `Debug` is redacted and it is kept out of every error.
#[derive(Clone)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The types a [`ClientBuilder`] builds: this crate's [`Client`], and each platform crate's `Client`, which
/// wraps it and adds one method per operation.
pub trait ClientKind: From<Client> {
    /// `name/version` of the crate that defines the client, sent first in the default `User-Agent`
    /// (e.g. `justoneapi-xiaohongshu-pgy/0.1.0`).
    const USER_AGENT: &'static str;
}

impl ClientKind for Client {
    const USER_AGENT: &'static str = RUNTIME_AGENT;
}

/// The environment variables [`ClientBuilder::from_env`] reads.
const ENV_VARS: [&str; 6] = [
    "JUSTONEAPI_TOKEN",
    "JUSTONEAPI_SERVER",
    "JUSTONEAPI_BASE_URL",
    "JUSTONEAPI_TIMEOUT_SECS",
    "JUSTONEAPI_CONNECT_TIMEOUT_SECS",
    "JUSTONEAPI_MAX_ATTEMPTS",
];

/// Configures a client: this crate's [`Client`], or a platform crate's client that wraps it (`C`).
///
/// Only the type is generic: every method works on the settings it holds (a type that is not generic),
/// compiled once here, so a platform crate does not compile the builder again for its own client.
#[derive(Debug, Clone)]
pub struct ClientBuilder<C = Client> {
    settings: Settings,
    client: PhantomData<fn() -> C>,
}

/// What a [`ClientBuilder`] holds (not generic).
#[derive(Clone)]
struct Settings {
    token: Token,
    server: Server,
    timeout: Duration,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    max_body_bytes: usize,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    proxy: Option<Proxy>,
    roots: Vec<Vec<u8>>,
    http: Option<Sender>,
}

// Header values (a gateway's key), the base URL's password and the program's client (whose `Debug` shows
// its proxies) stay out of `Debug`.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Settings")
            .field("token", &self.token)
            .field("server", &redact_userinfo(self.server.url()))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("user_agent", &self.user_agent)
            .field("headers", &headers)
            .field("proxy", &self.proxy)
            .field("roots", &self.roots.len())
            .field("http_client", &self.http.as_ref().map(|_| ".."))
            .finish()
    }
}

impl<C> ClientBuilder<C> {
    /// Default settings: [`Server::default`] (the first server the documentation lists, prod-global over
    /// HTTPS), [`DEFAULT_TIMEOUT`], [`RetryPolicy::default`], [`DEFAULT_MAX_BODY_BYTES`], proxies from the
    /// environment.
    pub fn new(token: impl Into<String>) -> Self {
        Self::with(Settings::new(token.into()))
    }

    fn with(settings: Settings) -> Self {
        ClientBuilder {
            settings,
            client: PhantomData,
        }
    }

    /// Settings from the environment, the rest default:
    ///
    /// - `JUSTONEAPI_TOKEN` (required): the API token;
    /// - `JUSTONEAPI_SERVER`: a server by its documented name, e.g. `prod-global` (the default) or `prod-cn`;
    /// - `JUSTONEAPI_BASE_URL`: any other base URL (a proxy, a mock server); not together with
    ///   `JUSTONEAPI_SERVER`;
    /// - `JUSTONEAPI_TIMEOUT_SECS`: [`timeout`](Self::timeout) in whole seconds, at least 1;
    /// - `JUSTONEAPI_MAX_ATTEMPTS`: the retry policy's [`max_attempts`](RetryPolicy::with_max_attempts), at
    ///   least 1.
    ///
    /// An empty variable counts as unset. A missing token, or a variable that is not valid Unicode or not
    /// what it should be, is an [`Error::Config`] naming the variable (never showing the token).
    pub fn from_env() -> Result<Self, Error> {
        Settings::from_env().map(Self::with)
    }

    /// [`from_env`](Self::from_env) with the variables read through `lookup` instead of the process
    /// environment (a configuration file, a secret store, a test).
    pub fn from_lookup(mut lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, Error> {
        Settings::from_lookup(&mut lookup).map(Self::with)
    }

    /// Which server to call (default: [`Server::default`]).
    pub fn server(mut self, server: Server) -> Self {
        self.settings.server = server;
        self
    }

    /// Calls a custom base URL, e.g. a gateway or a local mock server. `user:password@` in it is sent as
    /// HTTP basic authentication and never shown: errors, logs and [`Client::base_url`] show the URL without it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.server = Server::Custom(url.into());
        self
    }

    /// Timeout of one attempt, connection and body included (default [`DEFAULT_TIMEOUT`]); shorter when
    /// less than that is left of [`RetryPolicy::max_elapsed`]. A request builder's `timeout` replaces it for
    /// one request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Time to open a connection, TCP and TLS (or a proxy's tunnel) included (default
    /// [`DEFAULT_CONNECT_TIMEOUT`]). A connection that cannot be made in time fails the attempt as a connect
    /// error, which is retried: the request was not sent. Not with [`http_client`](Self::http_client),
    /// whose client has its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = Some(timeout);
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]). A request builder's `retry_policy` replaces it for
    /// one request.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.settings.retry = retry;
        self
    }

    /// Largest response body to accept (default [`DEFAULT_MAX_BODY_BYTES`]); with the `gzip` feature, of
    /// the decompressed body.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.settings.max_body_bytes = limit;
        self
    }

    /// `User-Agent` header sent with every request (default: the platform crate's name and version, then
    /// this crate's, e.g. `justoneapi-xiaohongshu-pgy/0.1.0 justoneapi-runtime/0.3.0`). It replaces a
    /// `User-Agent` given to [`header`](Self::header).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings.user_agent = Some(user_agent.into());
        self
    }

    /// Sends this header with every request (e.g. what a gateway in front of the API asks for). Checked by
    /// [`build`](ClientBuilder::build); may be given more than once.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.headers.push((name.into(), value.into()));
        self
    }

    /// Sends every request through this proxy, `http://`, `https://` or (cargo feature `socks`) `socks5://`
    /// `[user:password@]host[:port]`: an HTTPS request through a `CONNECT` tunnel (the proxy never sees its
    /// content), a plain-HTTP one in absolute form.
    ///
    /// Without it (and without [`no_proxy`](Self::no_proxy)), the proxy comes from the environment as reqwest
    /// reads it: `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (or lowercase), read once by `build()`
    /// (a variable set later changes nothing for this client); without any of them, the system's settings on
    /// macOS and Windows.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use justoneapi_runtime::Client;
    ///
    /// let client = Client::builder("YOUR_TOKEN")
    ///     .proxy("http://proxy.internal:3128")
    ///     .root_certificates_pem(std::fs::read("corporate-ca.pem")?)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.settings.proxy = Some(Proxy::All(url.into()));
        self
    }

    /// Connects directly, whatever the proxy environment variables say.
    pub fn no_proxy(mut self) -> Self {
        self.settings.proxy = Some(Proxy::Off);
        self
    }

    /// Trusts the root certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks) besides the built-in
    /// ones (`rustls-tls`: Mozilla's) or the platform's (`native-tls`): e.g. a corporate CA. May be given
    /// more than once; a text without a certificate is an [`Error::Config`] from `build()`.
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.settings.roots.push(pem.into());
        self
    }

    /// Sends the requests with this reqwest client: one the program shares (one connection pool for all its
    /// HTTP), or one configured beyond what this builder offers. Its settings are its own, so
    /// [`proxy`](Self::proxy), [`no_proxy`](Self::no_proxy), [`root_certificates_pem`](Self::root_certificates_pem)
    /// and [`connect_timeout`](Self::connect_timeout) cannot be given with it (`build()` says so). What this
    /// crate does stays: the token, retries, the attempt's timeout, the body limit, decoding, redaction, the
    /// span of each call.
    ///
    /// Build it with `redirect::Policy::none()`: the token is in the query of a GET and the form body of a POST,
    /// and a client that follows a redirect hands it to the redirect's target. A response that arrives
    /// after a redirect fails the call with [`Error::Config`].
    ///
    /// reqwest is re-exported (`justoneapi_runtime::reqwest`, and by every platform crate), so the version
    /// matches:
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use justoneapi_runtime::{reqwest, Client};
    ///
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .pool_max_idle_per_host(4)
    ///     .build()?;
    /// let client = Client::builder("YOUR_TOKEN").http_client(http).build()?;
    /// # Ok(()) }
    /// ```
    ///
    /// A pool's connections belong to the Tokio runtime that opened them: share a client between runtimes only
    /// if each of them keeps running. (The client this builder makes itself keeps a pool per runtime.)
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(Sender::Reqwest(client));
        self
    }

    /// Sends the requests through this middleware stack (cargo feature `middleware`): a rate limiter shared by
    /// the whole program, metrics, a cache, each a [`reqwest_middleware::Middleware`] that sees every attempt,
    /// retries included. As with [`http_client`](Self::http_client), the client under it is the program's
    /// (built with `redirect::Policy::none()`). A middleware's own error fails the attempt as an
    /// [`Error::Transport`] whose [`is_middleware`](crate::TransportError::is_middleware) is true, and is
    /// not retried.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use justoneapi_runtime::{reqwest, reqwest_middleware, Client};
    ///
    /// struct CountRequests(std::sync::atomic::AtomicUsize);
    ///
    /// #[async_trait::async_trait]
    /// impl reqwest_middleware::Middleware for CountRequests {
    ///     async fn handle(
    ///         &self,
    ///         request: reqwest::Request,
    ///         extensions: &mut http::Extensions,
    ///         next: reqwest_middleware::Next<'_>,
    ///     ) -> reqwest_middleware::Result<reqwest::Response> {
    ///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    ///         next.run(request, extensions).await
    ///     }
    /// }
    ///
    /// let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    /// let stack = reqwest_middleware::ClientBuilder::new(http)
    ///     .with(CountRequests(Default::default()))
    ///     .build();
    /// let client = Client::builder("YOUR_TOKEN").http_client_with_middleware(stack).build()?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "middleware")]
    #[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
    pub fn http_client_with_middleware(mut self, client: reqwest_middleware::ClientWithMiddleware) -> Self {
        self.settings.http = Some(Sender::Middleware(client));
        self
    }
}

impl<C: ClientKind> ClientBuilder<C> {
    /// Builds the client.
    ///
    /// Fails with [`Error::Config`] when the base URL does not start with `http://` or `https://`, the user
    /// agent or a header is not valid, the retry policy's `max_elapsed` is shorter than the timeout, the
    /// proxy URL is not an `http://` URL, a root certificate cannot be read, or TLS cannot be set up.
    pub fn build(self) -> Result<C, Error> {
        self.settings.build(C::USER_AGENT).map(C::from)
    }
}

impl Settings {
    fn new(token: String) -> Settings {
        Settings {
            token: Token(token),
            server: Server::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: None,
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent: None,
            headers: Vec::new(),
            proxy: None,
            roots: Vec::new(),
            http: None,
        }
    }

    fn from_env() -> Result<Settings, Error> {
        for name in ENV_VARS {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(Error::Config {
                    message: format!("{name} is not valid Unicode"),
                });
            }
        }
        Settings::from_lookup(&mut |name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<Settings, Error> {
        let mut var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let malformed = |name: &str, value: &str, expected: &str| Error::Config {
            message: format!("{name} must be {expected}, got `{value}`"),
        };
        let token = var("JUSTONEAPI_TOKEN").ok_or_else(|| Error::Config {
            message: "JUSTONEAPI_TOKEN is not set".to_owned(),
        })?;
        let mut builder = Settings::new(token.trim().to_owned());
        match (var("JUSTONEAPI_SERVER"), var("JUSTONEAPI_BASE_URL")) {
            (Some(_), Some(_)) => {
                return Err(Error::Config {
                    message: "JUSTONEAPI_SERVER and JUSTONEAPI_BASE_URL are both set; set one of them".to_owned(),
                })
            }
            (Some(name), None) => {
                let names: Vec<&str> = Server::ALL.iter().map(Server::name).collect();
                builder.server = Server::from_name(name.trim())
                    .ok_or_else(|| malformed("JUSTONEAPI_SERVER", &name, &format!("one of {}", names.join(", "))))?;
            }
            (None, Some(url)) => builder.server = Server::Custom(url.trim().to_owned()),
            (None, None) => {}
        }
        if let Some(text) = var("JUSTONEAPI_TIMEOUT_SECS") {
            let secs = text.trim().parse::<u64>().ok().filter(|&secs| secs >= 1);
            let secs = secs.ok_or_else(|| {
                malformed(
                    "JUSTONEAPI_TIMEOUT_SECS",
                    &text,
                    "a whole number of seconds, at least 1",
                )
            })?;
            builder.timeout = Duration::from_secs(secs);
        }
        if let Some(text) = var("JUSTONEAPI_CONNECT_TIMEOUT_SECS") {
            let secs = text.trim().parse::<u64>().ok().filter(|&secs| secs >= 1);
            let secs = secs.ok_or_else(|| {
                malformed(
                    "JUSTONEAPI_CONNECT_TIMEOUT_SECS",
                    &text,
                    "a whole number of seconds, at least 1",
                )
            })?;
            builder.connect_timeout = Some(Duration::from_secs(secs));
        }
        if let Some(text) = var("JUSTONEAPI_MAX_ATTEMPTS") {
            let attempts = text.trim().parse::<u32>().ok().filter(|&n| n >= 1);
            let attempts =
                attempts.ok_or_else(|| malformed("JUSTONEAPI_MAX_ATTEMPTS", &text, "a whole number, at least 1"))?;
            builder.retry = builder.retry.with_max_attempts(attempts);
        }
        Ok(builder)
    }

    /// `kind_agent`: the [`ClientKind::USER_AGENT`] of the client being built.
    fn build(self, kind_agent: &'static str) -> Result<Client, Error> {
        let given = self.server.url().trim_end_matches('/');
        // Shown without `user:password@` from here on, in errors too.
        let shown = redact_userinfo(given);
        if !(given.starts_with("http://") || given.starts_with("https://")) {
            return Err(Error::Config {
                message: format!("base URL `{shown}` must start with http:// or https://"),
            });
        }
        // Checked once here: every request's URL is this one with a path and a query appended.
        let mut base = Url::parse(given)
            .ok()
            .filter(|url| url.host_str().is_some_and(|host| !host.is_empty()))
            .filter(|url| url.query().is_none() && url.fragment().is_none())
            .ok_or_else(|| Error::Config {
                message: format!("base URL `{shown}` is not a valid URL without query or fragment"),
            })?;
        let credentials = basic_auth(&base);
        let _ = base.set_password(None);
        let _ = base.set_username("");
        let base_url = base.as_str().trim_end_matches('/').to_owned();
        self.retry.check(self.timeout)?;
        let user_agent = match self.user_agent {
            Some(agent) => agent,
            None if kind_agent == RUNTIME_AGENT => RUNTIME_AGENT.to_owned(),
            None => format!("{kind_agent} {RUNTIME_AGENT}"),
        };
        let user_agent_value = HeaderValue::from_str(&user_agent).map_err(|_| Error::Config {
            message: format!("user agent `{user_agent}` is not a valid HTTP header value"),
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .ok()
                .zip(HeaderValue::from_str(value).ok());
            let (name, value) = header.ok_or_else(|| Error::Config {
                message: format!("header `{name}` is not a valid HTTP header name and value"),
            })?;
            headers.append(name, value);
        }
        headers.insert(reqwest::header::USER_AGENT, user_agent_value);
        if let Some(credentials) = credentials {
            headers.insert(reqwest::header::AUTHORIZATION, credentials);
        }
        let mut post_headers = headers.clone();
        post_headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let http = match self.http {
            Some(sender) => {
                let theirs = [
                    (self.proxy.is_some(), "proxy()/no_proxy()"),
                    (!self.roots.is_empty(), "root_certificates_pem()"),
                    (self.connect_timeout.is_some(), "connect_timeout()"),
                ];
                if let Some((_, setting)) = theirs.iter().find(|(set, _)| *set) {
                    return Err(Error::Config {
                        message: format!(
                            "{setting} configures the HTTP client this crate builds; with http_client(), set it \
                             on that reqwest client instead"
                        ),
                    });
                }
                Transport::Given(sender)
            }
            None => Transport::build(transport::Options {
                proxy: self.proxy.unwrap_or_default(),
                roots: self.roots,
                connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                https: base.scheme() == "https",
            })?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                token: self.token,
                timeout: self.timeout,
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                user_agent,
                headers,
                post_headers,
            }),
        })
    }
}

/// `Authorization: Basic ...` from the URL's `user:password@`, marked sensitive (left out of `Debug`).
fn basic_auth(url: &Url) -> Option<HeaderValue> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    use base64::Engine as _;
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned()
    };
    let pair = format!(
        "{}:{}",
        decode(url.username()),
        decode(url.password().unwrap_or_default())
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// `url` without its `user:password@`, if it has one (also when it is not a valid URL).
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// A URL from the server (a redirect's `Location`) as shown: without `user:password@` and without a `token`
/// in its query (a redirect may carry the request's own query, and with it the token).
fn redact_location(location: &str, request: &str) -> String {
    let Some(mut url) = Url::parse(request).ok().and_then(|base| base.join(location).ok()) else {
        return "(not a URL)".to_owned();
    };
    let _ = url.set_password(None);
    let _ = url.set_username("");
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("token"))
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        url.set_query(None);
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept);
        }
    }
    url.into()
}

/// Asynchronous client. Cheap to clone: clones share one configuration and one connection pool (one per Tokio
/// runtime that uses it).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: Transport,
    /// Without a trailing `/` and without `user:password@`: every operation's path (`/api/...`) is appended.
    base_url: String,
    token: Token,
    timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: usize,
    user_agent: String,
    /// Sent with every request: [`ClientBuilder::header`]s, `User-Agent`, the base URL's credentials.
    headers: HeaderMap,
    /// The same, with the form's `Content-Type`.
    post_headers: HeaderMap,
}

// Header values (a gateway's key, the base URL's credentials) stay out of `Debug`.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let headers: Vec<&str> = inner.headers.keys().map(|name| name.as_str()).collect();
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("token", &inner.token)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("max_body_bytes", &inner.max_body_bytes)
            .field("user_agent", &inner.user_agent)
            .field("headers", &headers)
            .field("http", &inner.http)
            .finish()
    }
}

/// A successful response: the typed `data`, the rest of the envelope, what did not fit, and the raw body.
///
/// `#[non_exhaustive]`: later versions may carry more of the response. Read it through the fields or the
/// accessors.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The envelope's `data`, decoded by the rules of [`crate::de`]: a value that did not fit its type was
    /// left out and is listed in [`mismatches`](Self::mismatches).
    pub data: T,
    /// The envelope's `message`.
    pub message: Option<String>,
    /// The envelope's `recordTime`.
    pub record_time: Option<String>,
    /// The envelope's `requestId`; quote it when asking upstream support.
    pub request_id: Option<String>,
    /// Every value of `data` that did not fit the generated type (empty when everything fit), with its path
    /// (`data.ages[2].percent`). Each was also logged as a `tracing` warning.
    pub mismatches: Vec<Mismatch>,
    /// The response body as received, so nothing upstream sent is lost.
    body: Vec<u8>,
}

impl<T> ApiResponse<T> {
    /// The envelope's `data` as raw JSON, exactly as upstream sent it (`Value::Null` when it was missing).
    /// Parsed from the kept body on each call: no second (billed) request. Nested up to
    /// [`de::MAX_TREE_DEPTH`](crate::de::MAX_TREE_DEPTH) deep (serde_json alone stops at 128); a deeper body
    /// gives `Value::Null` here, and is whole in [`raw_body`](Self::raw_body).
    pub fn raw_data(&self) -> serde_json::Value {
        match crate::de::tree(&self.body) {
            Some(serde_json::Value::Object(mut envelope)) => envelope.remove("data").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }

    /// The whole response body, as received.
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }
}

impl<T: fmt::Debug> fmt::Debug for ApiResponse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiResponse")
            .field("data", &self.data)
            .field("message", &self.message)
            .field("record_time", &self.record_time)
            .field("request_id", &self.request_id)
            .field("mismatches", &self.mismatches)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl<T> ApiResponse<T> {
    /// The envelope's `data`.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The envelope's `data`, the rest dropped.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The envelope's `message`.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The envelope's `recordTime`.
    pub fn record_time(&self) -> Option<&str> {
        self.record_time.as_deref()
    }

    /// The envelope's `requestId`; quote it when asking upstream support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl Client {
    /// A client for the default server with default settings.
    pub fn new(token: impl Into<String>) -> Result<Client, Error> {
        Client::builder(token).build()
    }

    /// Starts configuring a client.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(token)
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Base URL requests go to, without the `user:password@` it may have been given.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The retry loop: sends `parts`, retrying as the policy says, until `decoder` accepts a body. A decoder's
    /// error (a retryable business code, say) decides whether to retry like any other. Records the outcome
    /// on the call's span (see [`ResponseFuture`]).
    async fn exchange(&self, parts: &Parts, decoder: Decoder) -> Result<Decoded, Error> {
        let span = tracing::Span::current();
        if tokio::runtime::Handle::try_current().is_err() {
            // Before anything of Tokio's (the timeout, the pools) would panic.
            let error = transport::outside_runtime();
            span.record("error", error.kind());
            return Err(error);
        }
        let timeout = parts.overrides.timeout.unwrap_or(self.inner.timeout);
        let retry = parts.overrides.retry.as_ref().unwrap_or(&self.inner.retry);
        let started = Instant::now();
        let result = match retry.check(timeout) {
            Ok(()) => self.retry_loop(parts, decoder, timeout, retry, started, &span).await,
            Err(error) => Err(error),
        };
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(_) => {
                span.record("business_code", 0);
            }
            Err(error) => {
                span.record("error", error.kind());
            }
        }
        result
    }

    async fn retry_loop(
        &self,
        parts: &Parts,
        decoder: Decoder,
        timeout: Duration,
        retry: &RetryPolicy,
        started: Instant,
        span: &tracing::Span,
    ) -> Result<Decoded, Error> {
        let mut attempt = 1;
        loop {
            span.record("attempt", attempt);
            // Each attempt gets the timeout, or what is left of the budget when that is less.
            let attempt_timeout = match retry.max_elapsed {
                Some(budget) => timeout.min(budget.saturating_sub(started.elapsed())),
                None => timeout,
            };
            let error = match self.attempt(parts, attempt_timeout).await {
                Ok((body, url)) => match decoder(body, &url) {
                    Ok(decoded) => return Ok(decoded),
                    Err(error) => error,
                },
                Err(error) => error,
            };
            if let Some(code) = error.business_code() {
                span.record("business_code", code.code());
            }
            if attempt >= retry.max_attempts || !error.is_retryable() {
                return Err(error);
            }
            let delay = error.retry_after().unwrap_or_else(|| retry.delay(attempt));
            if delay > retry.max_backoff {
                return Err(error);
            }
            if let Some(budget) = retry.max_elapsed {
                // The next attempt may take a whole timeout: only start it if it fits. (Checked: a server's
                // `Retry-After` and a policy's durations may be as large as a `Duration` goes.)
                let next_ends = started
                    .elapsed()
                    .checked_add(delay)
                    .and_then(|t| t.checked_add(timeout));
                if next_ends.is_none_or(|end| end > budget) {
                    return Err(error);
                }
            }
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One HTTP exchange: the body of a 2xx response and the URL to show for it.
    async fn attempt(&self, parts: &Parts, timeout: Duration) -> Result<(Vec<u8>, String), Error> {
        let Parts {
            method,
            path,
            query,
            form,
            ..
        } = parts;
        let inner = &*self.inner;
        let shown = redacted_url(&inner.base_url, path, query);
        tracing::debug!(method = %method, url = %shown, "sending request");
        // Upstream reads the token where it reads the other parameters: the query string of a GET, the
        // `application/x-www-form-urlencoded` body of a POST.
        let token = inner.token.0.as_str();
        let is_post = *method == Method::POST;
        let params = urlencoded((!is_post).then_some(token), query);
        let mut url = String::with_capacity(inner.base_url.len() + path.len() + 1 + params.len());
        url.push_str(&inner.base_url);
        url.push_str(path);
        if !params.is_empty() {
            url.push('?');
            url.push_str(&params);
        }
        let body = is_post.then(|| urlencoded(Some(token), form));
        // The base URL was checked by `build()` and the rest is percent-encoded: this only fails for an
        // operation path that is not a URL path, which the generator never emits.
        let url = Url::parse(&url).map_err(|e| Error::Config {
            message: format!("the URL {shown} is not valid: {e}"),
        })?;
        let request = transport::Request {
            method: method.clone(),
            url: &url,
            shown: &shown,
            headers: if is_post { &inner.post_headers } else { &inner.headers },
            body: body.as_deref(),
        };
        let exchange = async {
            let response = inner.http.send(request).await?;
            let status = response.status();
            tracing::Span::current().record("http.status", status.as_u16());
            if *response.url() != url {
                // Only a program's own client follows redirects; the token went with it.
                return Err(Error::Config {
                    message: format!(
                        "the http_client followed a redirect from {shown} (to {}): build it with \
                         `redirect::Policy::none()`, the token is in the request",
                        redact_location(response.url().as_str(), url.as_str())
                    ),
                });
            }
            let header = |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok());
            let retry_after = header(reqwest::header::RETRY_AFTER).and_then(parse_retry_after);
            let location = header(reqwest::header::LOCATION).map(|location| redact_location(location, url.as_str()));
            let body = transport::read_body(response, inner.max_body_bytes, &shown).await?;
            Ok::<_, Error>((status, retry_after, location, body))
        };
        // One timeout for the whole attempt: connecting, sending, and reading the body.
        let (status, retry_after, location, body) = match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(Error::Timeout {
                    url: shown,
                    after: timeout,
                })
            }
        };
        tracing::debug!(url = %shown, status = status.as_u16(), bytes = body.len(), "received response");
        if status.is_redirection() {
            return Err(Error::Redirect {
                status: status.as_u16(),
                url: shown,
                location,
            });
        }
        if !status.is_success() {
            let head = serde_json::from_slice::<Head>(&body).ok();
            return Err(Error::Http {
                status: status.as_u16(),
                url: shown,
                code: head.as_ref().map(|h| h.code.business_code()),
                message: head.and_then(|h| h.message),
                retry_after,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        Ok((body, shown))
    }
}

/// Settings one request builder replaces for its request (its `timeout` and `retry_policy`).
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl Overrides {
    /// Timeout of each attempt of this request.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Retry policy of this request.
    pub fn set_retry_policy(&mut self, retry: RetryPolicy) {
        self.retry = Some(retry);
    }
}

/// A request as the runtime sends it: built by the request builders of the platform crates.
#[doc(hidden)]
#[derive(Debug)]
pub struct Parts {
    /// The operation's method name, for the call's span.
    operation: &'static str,
    method: Method,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    /// The `application/x-www-form-urlencoded` body of a POST; GET requests have none.
    form: Vec<(&'static str, String)>,
    overrides: Overrides,
}

impl Parts {
    /// `method` `path` of the operation `operation` (named in the call's span), with the request builder's
    /// overrides; the parameters follow with [`query`](Self::query) and [`form`](Self::form). One plain call
    /// per parameter: what a request builder compiles stays small and free of generic code.
    pub fn of(method: Method, path: &'static str, operation: &'static str, overrides: Overrides) -> Self {
        Parts {
            operation,
            method,
            path,
            query: Vec::new(),
            form: Vec::new(),
            overrides,
        }
    }

    /// Adds a query parameter.
    pub fn query(&mut self, name: &'static str, value: String) {
        self.query.push((name, value));
    }

    /// Adds a field of the `application/x-www-form-urlencoded` body (POST).
    pub fn form(&mut self, name: &'static str, value: String) {
        self.form.push((name, value));
    }

    /// `method` `path` with these query parameters and (POST) form fields (what crates generated for
    /// runtime 0.2.0 call; later ones call [`of`](Self::of)).
    pub fn new(
        method: Method,
        path: &'static str,
        query: Vec<(&'static str, String)>,
        form: Vec<(&'static str, String)>,
    ) -> Self {
        Parts {
            operation: path,
            method,
            path,
            query,
            form,
            overrides: Overrides::default(),
        }
    }

    /// Names the operation in the call's span (default: the path).
    pub fn operation(mut self, name: &'static str) -> Self {
        self.operation = name;
        self
    }

    /// Settings this request replaces.
    pub fn overrides(mut self, overrides: Overrides) -> Self {
        self.overrides = overrides;
        self
    }
}

/// A decoded response, its type erased so that the retry loop is compiled once (see [`ResponseFuture`]).
type Decoded = Box<dyn Any + Send>;
/// Decodes a 2xx body: [`decode_any`] for one response type.
type Decoder = fn(Vec<u8>, &str) -> Result<Decoded, Error>;

/// A request on its way: `.await` it for the decoded response. Returned by every request builder's `send`
/// and `send_raw`, and what `.await` on a request builder runs.
///
/// It owns what it needs (a clone of the client, which shares the connection pool, and the request), so it
/// can be spawned: `tokio::spawn(client.some_operation("id").send())`.
///
/// Each call runs in a `tracing` span named `justoneapi.request`, at INFO level, with the fields
/// `operation` (the method name), `http.method`, `http.path`, `attempt` (the last one made), `http.status`
/// (of the last response), `business_code` (the last non-zero one; 0 on success), `error` (the kind, on
/// failure) and `elapsed_ms`. Neither the span nor any event of the runtime carries the token: URLs are
/// shown without it.
///
/// Only `poll` is generic, in the type `T` that `data` decodes into. So the decoder of a response type is
/// compiled where a response of that type is awaited, in the program that uses the operation, and never for
/// the operations it does not use; the retry loop and the HTTP exchange are compiled once, here. Compiled per
/// operation inside this crate, they and serde's decoders were most of its compile time.
#[must_use = "a request does nothing until it is awaited"]
pub struct ResponseFuture<T> {
    state: State,
    data: PhantomData<fn() -> T>,
}

enum State {
    Start(Client, Parts),
    Sending(Pin<Box<dyn Future<Output = Result<Decoded, Error>> + Send>>),
    Done,
}

impl<T> ResponseFuture<T> {
    /// The future of sending `parts` with `client`.
    #[doc(hidden)]
    pub fn new(client: &Client, parts: Parts) -> Self {
        ResponseFuture {
            state: State::Start(client.clone(), parts),
            data: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Start(_, parts) => parts.path,
            State::Sending(_) => "sending",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}

impl<T: Decode + Send + 'static> Future for ResponseFuture<T> {
    type Output = Result<ApiResponse<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.state = match std::mem::replace(&mut this.state, State::Done) {
            State::Start(client, parts) => {
                let span = tracing::info_span!(
                    "justoneapi.request",
                    operation = parts.operation,
                    http.method = %parts.method,
                    http.path = parts.path,
                    attempt = tracing::field::Empty,
                    http.status = tracing::field::Empty,
                    business_code = tracing::field::Empty,
                    error = tracing::field::Empty,
                    elapsed_ms = tracing::field::Empty,
                );
                let sending = async move { client.exchange(&parts, decode_any::<T>).await };
                State::Sending(Box::pin(sending.instrument(span)))
            }
            other => other,
        };
        let State::Sending(sending) = &mut this.state else {
            panic!("`ResponseFuture` polled after it completed");
        };
        let result = std::task::ready!(sending.as_mut().poll(cx));
        this.state = State::Done;
        Poll::Ready(result.map(unerase::<T>))
    }
}

/// The response [`decode_any::<T>`] boxed.
fn unerase<T: 'static>(decoded: Decoded) -> ApiResponse<T> {
    match decoded.downcast::<ApiResponse<T>>() {
        Ok(response) => *response,
        Err(_) => unreachable!("`decode_any::<T>` decodes into `ApiResponse<T>`"),
    }
}

/// [`decode`], type-erased for the retry loop.
fn decode_any<T: Decode + Send + 'static>(body: Vec<u8>, url: &str) -> Result<Decoded, Error> {
    decode::<T>(body, url).map(|response| Box::new(response) as Decoded)
}

/// The URL as shown in errors and logs: the query without the token.
/// `token=…&name=value&…` (`application/x-www-form-urlencoded`), the token first when there is one.
fn urlencoded(token: Option<&str>, pairs: &[(&'static str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(token) = token {
        out.append_pair("token", token);
    }
    out.extend_pairs(pairs.iter().map(|(k, v)| (k, v))).finish()
}

fn redacted_url(base_url: &str, path: &str, query: &[(&'static str, String)]) -> String {
    let mut shown = String::with_capacity(base_url.len() + path.len() + 64);
    shown.push_str(base_url);
    shown.push_str(path);
    let mut sep = '?';
    for (name, value) in query {
        shown.push(sep);
        shown.push_str(name);
        shown.push('=');
        shown.push_str(value);
        sep = '&';
    }
    shown
}

/// `Retry-After` as delta-seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

/// The business code. Upstream declared it an integer in some versions and a string enum (`"0"`, `"301"`)
/// in others, so both are read: a JSON integer, or a string of decimal digits. Only the integer `0` is
/// success, as in upstream's own SDK: a string `"0"` is a business error with the code
/// `BusinessCode::Unknown(0)`, never mistaken for data.
#[derive(Debug, Clone, Copy)]
struct Code {
    value: i64,
    /// Sent as a string.
    quoted: bool,
}

impl Code {
    fn is_success(self) -> bool {
        self.value == 0 && !self.quoted
    }

    fn business_code(self) -> BusinessCode {
        if self.quoted && self.value == 0 {
            BusinessCode::Unknown(0)
        } else {
            BusinessCode::from_code(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;
        impl Visitor<'_> for CodeVisitor {
            type Value = Code;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer business code, or a string of decimal digits")
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Code, E> {
                Ok(Code { value, quoted: false })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Code, E> {
                i64::try_from(v)
                    .map(|value| Code { value, quoted: false })
                    .map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Code, E> {
                let digits = v.strip_prefix('-').unwrap_or(v);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::invalid_value(serde::de::Unexpected::Str(v), &self));
                }
                v.parse().map(|value| Code { value, quoted: true }).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(CodeVisitor)
    }
}

/// The envelope, decoded in one pass with `data` decoded as `T` on the way.
struct Envelope<T> {
    code: Code,
    message: Option<String>,
    data: Option<T>,
    record_time: Option<String>,
    request_id: Option<String>,
}

struct EnvelopeVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Envelope<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with a business `code` (the response envelope)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<T>, A::Error> {
        // An error names the key it happened in: the JSON path of what could not be read.
        fn at<E: serde::de::Error>(key: &str) -> impl FnOnce(E) -> E + '_ {
            move |e| E::custom(format_args!("at `{key}`: {e}"))
        }
        let (mut code, mut message, mut data, mut record_time, mut request_id) = (None, None, None, None, None);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = key.0;
            match key.as_ref() {
                "code" => code = Some(map.next_value::<Code>().map_err(at(&key))?),
                "data" => data = Some(map.next_value_seed(Seed::<T>(PhantomData)).map_err(at(&key))?),
                "message" => message = map.next_value_seed(Seed(PhantomData)).map_err(at(&key))?,
                "recordTime" => record_time = map.next_value_seed(Seed(PhantomData)).map_err(at(&key))?,
                "requestId" => request_id = map.next_value_seed(Seed(PhantomData)).map_err(at(&key))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(code) = code else {
            return Err(serde::de::Error::custom(
                "at `code`: missing (every response envelope has one)",
            ));
        };
        Ok(Envelope {
            code,
            message,
            data,
            record_time,
            request_id,
        })
    }
}

/// Just enough of the envelope to report an error when the body is not a readable envelope.
#[derive(Deserialize)]
struct Head {
    code: Code,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "requestId")]
    request_id: Option<String>,
    #[serde(default, rename = "data")]
    _data: IgnoredAny,
}

/// Decodes a 2xx response body exactly as the client does (for benchmarks and tests of the runtime itself).
#[doc(hidden)]
pub fn decode_body<T: Decode>(body: &[u8]) -> Result<ApiResponse<T>, Error> {
    decode(body.to_vec(), "")
}

/// The most mismatches logged per response; [`ApiResponse::mismatches`] has up to
/// [`MAX_MISMATCHES`](crate::de::MAX_MISMATCHES) of them.
const LOGGED_MISMATCHES: usize = 20;

/// Decodes a 2xx body; the body moves into the response (kept for `raw_data`, not copied).
fn decode<T: Decode>(body: Vec<u8>, url: &str) -> Result<ApiResponse<T>, Error> {
    let undecodable = |message: String| Error::Decode {
        url: url.to_owned(),
        message,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    // JSON is UTF-8 (RFC 8259): checked once for the whole body, so that the parser does not check every
    // string again (a tenth of the decoding time); a body that is not UTF-8 is undecodable either way.
    // simdutf8 checks it 16 or 32 bytes at a time: a fifth of the time of `std::str::from_utf8` on the mostly
    // Chinese portrait, where the standard library's ASCII fast path does not apply.
    let (envelope, misfits) = match simdutf8::compat::from_utf8(&body) {
        Ok(text) => {
            let (envelope, misfits) = crate::de::counting(|| {
                let mut de = serde_json::Deserializer::from_str(text);
                let envelope = (&mut de).deserialize_map(EnvelopeVisitor::<T>(PhantomData))?;
                de.end()?;
                Ok::<_, serde_json::Error>(envelope)
            });
            (envelope.map_err(|e| e.to_string()), misfits)
        }
        Err(error) => (Err(format!("the body is not UTF-8: {error}")), 0),
    };
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(error) => {
            // A readable code says more than "undecodable": a business error whose body is odd elsewhere.
            return match serde_json::from_slice::<Head>(&body) {
                Ok(head) if !head.code.is_success() => Err(Error::Business {
                    code: head.code.business_code(),
                    message: head.message,
                    request_id: head.request_id,
                    url: url.to_owned(),
                }),
                _ => Err(undecodable(error)),
            };
        }
    };
    if !envelope.code.is_success() {
        return Err(Error::Business {
            code: envelope.code.business_code(),
            message: envelope.message,
            request_id: envelope.request_id,
            url: url.to_owned(),
        });
    }
    // Something did not fit: read the body again, as a tree, to name every place (rare, so not paid for on
    // the happy path).
    let mismatches = if misfits == 0 {
        Vec::new()
    } else {
        crate::de::locate_in::<T>(&body, misfits, |tree| {
            tree.get("data").unwrap_or(&serde_json::Value::Null)
        })
    };
    for m in mismatches.iter().take(LOGGED_MISMATCHES) {
        tracing::warn!(url, path = %m.path, expected = m.expected, found = %m.found, "response value does not fit its type; left out");
    }
    // `misfits` counts every value that did not fit, also past the ones kept.
    let all = misfits.max(mismatches.len());
    if all > LOGGED_MISMATCHES.min(mismatches.len()) {
        tracing::warn!(
            url,
            more = all - LOGGED_MISMATCHES.min(mismatches.len()),
            kept = mismatches.len(),
            "more response values do not fit their types"
        );
    }
    let data = match envelope.data {
        Some(data) => data,
        // `null` or no `data`: the type's empty value (raw JSON: `null`).
        None => T::decode(serde_json::Value::Null).map_err(|e| undecodable(e.to_string()))?,
    };
    Ok(ApiResponse {
        data,
        message: envelope.message,
        record_time: envelope.record_time,
        request_id: envelope.request_id,
        mismatches,
        body,
    })
}
