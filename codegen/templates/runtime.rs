//! HTTP runtime shared by every operation: client configuration, retries, envelope decoding.
//!
//! This file is emitted verbatim from `codegen/templates/runtime.rs` into the shared runtime crate.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer as _};

use crate::de::{Decode, Key, Mismatch, Seed};
use crate::{BusinessCode, Error, Server};

/// Per-request timeout the upstream documentation asks for ("at least 60 seconds").
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response body the client reads before giving up (32 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// How the client retries a request that failed in a way worth retrying.
///
/// Retried: business codes marked retryable (collection failed, rate limit), HTTP 429, 502, 503 and 504
/// (honouring `Retry-After`), and connection failures. Never retried: other business codes, other HTTP
/// statuses, timeouts and undecodable bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Longest single delay. A `Retry-After` longer than this ends the retries.
    pub max_backoff: Duration,
    /// Budget for the whole call, retries and delays included. An attempt's timeout is cut to what is left
    /// of it (so even the first attempt ends with the budget, as a [`Error::Timeout`]), and no retry starts
    /// unless its delay and a whole timeout still fit in it.
    pub max_elapsed: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_elapsed: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Delay before retry number `retry` (1-based): `initial_backoff * 2^(retry-1)`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// The API token. Never printed: its `Debug` is redacted and it is kept out of every error.
#[derive(Clone)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Configures a client: this crate's [`Client`], or a platform crate's client that wraps it (`C`).
#[derive(Debug, Clone)]
pub struct ClientBuilder<C = Client> {
    token: Token,
    server: Server,
    timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: usize,
    user_agent: String,
    client: PhantomData<fn() -> C>,
}

impl<C> ClientBuilder<C> {
    /// Default settings: the first server the documentation lists, [`DEFAULT_TIMEOUT`],
    /// [`RetryPolicy::default`], [`DEFAULT_MAX_BODY_BYTES`].
    pub fn new(token: impl Into<String>) -> Self {
        ClientBuilder {
            token: Token(token.into()),
            server: Server::default(),
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            client: PhantomData,
        }
    }

    /// Which server to call (default: the first one the documentation lists).
    pub fn server(mut self, server: Server) -> Self {
        self.server = server;
        self
    }

    /// Calls a custom base URL, e.g. a proxy or a local mock server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.server = Server::Custom(url.into());
        self
    }

    /// Timeout of one attempt, connection and body included (default [`DEFAULT_TIMEOUT`]); shorter when
    /// less than that is left of [`RetryPolicy::max_elapsed`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Largest response body to accept (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// `User-Agent` header sent with every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C, Error> {
        let base_url = self.server.url().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::Config {
                message: format!("base URL `{base_url}` must start with http:// or https://"),
            });
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Config {
                message: format!("cannot build the HTTP client: {}", e.without_url()),
            })?;
        Ok(C::from(Client {
            http,
            base_url,
            token: self.token,
            timeout: self.timeout,
            retry: self.retry,
            max_body_bytes: self.max_body_bytes,
        }))
    }
}

/// Asynchronous client. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: Token,
    timeout: Duration,
    retry: RetryPolicy,
    max_body_bytes: usize,
}

/// A successful response: the typed `data`, the rest of the envelope, what did not fit, and the raw body.
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
    /// Parsed from the kept body on each call: no second (billed) request.
    pub fn raw_data(&self) -> serde_json::Value {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            data: serde_json::Value,
        }
        serde_json::from_slice::<Raw>(&self.body)
            .map(|raw| raw.data)
            .unwrap_or_default()
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

impl Client {
    /// A client for the default server with default settings.
    pub fn new(token: impl Into<String>) -> Result<Client, Error> {
        Client::builder(token).build()
    }

    /// Starts configuring a client.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(token)
    }

    /// Base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The retry loop: sends `parts`, retrying as the policy says, until `decoder` accepts a body. A decoder's
    /// error (a retryable business code, say) decides whether to retry like any other.
    async fn exchange(&self, parts: &Parts, decoder: Decoder) -> Result<Decoded, Error> {
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            // Each attempt gets the configured timeout, or what is left of the budget when that is less.
            let timeout = match self.retry.max_elapsed {
                Some(budget) => self.timeout.min(budget.saturating_sub(started.elapsed())),
                None => self.timeout,
            };
            let error = match self.attempt(parts, timeout).await {
                Ok((body, url)) => match decoder(body, &url) {
                    Ok(decoded) => return Ok(decoded),
                    Err(error) => error,
                },
                Err(error) => error,
            };
            if attempt >= self.retry.max_attempts || !error.is_retryable() {
                return Err(error);
            }
            let delay = error.retry_after().unwrap_or_else(|| self.retry.backoff(attempt));
            if delay > self.retry.max_backoff {
                return Err(error);
            }
            if let Some(budget) = self.retry.max_elapsed {
                // The next attempt may take a whole timeout: only start it if it fits.
                if started.elapsed() + delay + self.timeout > budget {
                    return Err(error);
                }
            }
            let path = parts.path;
            tracing::debug!(path, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
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
        } = parts;
        let url = format!("{}{}", self.base_url, path);
        let shown = redacted_url(&url, query);
        tracing::debug!(method = %method, url = %shown, "sending request");
        let mut request = self.http.request(method.clone(), &url).timeout(timeout);
        // Upstream reads the token where it reads the other parameters: the query string of a GET, the
        // `application/x-www-form-urlencoded` body of a POST.
        if *method == reqwest::Method::POST {
            let mut body: Vec<(&str, &str)> = Vec::with_capacity(form.len() + 1);
            body.push(("token", self.token.0.as_str()));
            body.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
            request = request.query(query).form(&body);
        } else {
            request = request.query(&[("token", self.token.0.as_str())]).query(query);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| Error::from_reqwest(e, &shown, timeout))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = self.read_body(&mut response, &shown, timeout).await?;
        tracing::debug!(url = %shown, status = status.as_u16(), bytes = body.len(), "received response");
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

    async fn read_body(
        &self,
        response: &mut reqwest::Response,
        url: &str,
        timeout: Duration,
    ) -> Result<Vec<u8>, Error> {
        let limit = self.max_body_bytes;
        if response.content_length().is_some_and(|len| len > limit as u64) {
            return Err(Error::BodyTooLarge { url: url.to_owned(), limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::from_reqwest(e, url, timeout))?
        {
            if body.len() + chunk.len() > limit {
                return Err(Error::BodyTooLarge { url: url.to_owned(), limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// A request as the runtime sends it: built by the request builders of the platform crates.
#[doc(hidden)]
#[derive(Debug)]
pub struct Parts {
    method: reqwest::Method,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    /// The `application/x-www-form-urlencoded` body of a POST; GET requests have none.
    form: Vec<(&'static str, String)>,
}

impl Parts {
    /// `method` `path` with these query parameters and (POST) form fields.
    pub fn new(
        method: reqwest::Method,
        path: &'static str,
        query: Vec<(&'static str, String)>,
        form: Vec<(&'static str, String)>,
    ) -> Self {
        Parts {
            method,
            path,
            query,
            form,
        }
    }
}

/// A decoded response, its type erased so that the retry loop is compiled once (see [`ResponseFuture`]).
type Decoded = Box<dyn Any + Send>;
/// Decodes a 2xx body: [`decode_any`] for one response type.
type Decoder = fn(Vec<u8>, &str) -> Result<Decoded, Error>;

/// A request on its way: `.await` it for the decoded response. Returned by every request builder's `send`
/// and `send_raw`, and what `.await` on a request builder runs.
///
/// Only `poll` is generic, in the type `T` that `data` decodes into. So the decoder of a response type is
/// compiled where a response of that type is awaited, in the program that uses the operation, and never for
/// the operations it does not use; the retry loop and the HTTP exchange are compiled once, here. Compiled per
/// operation inside this crate, they and serde's decoders were most of its compile time.
#[must_use = "a request does nothing until it is awaited"]
pub struct ResponseFuture<'a, T> {
    state: State<'a>,
    data: PhantomData<fn() -> T>,
}

enum State<'a> {
    Start(&'a Client, Parts),
    Sending(Pin<Box<dyn Future<Output = Result<Decoded, Error>> + Send + 'a>>),
    Done,
}

impl<'a, T> ResponseFuture<'a, T> {
    /// The future of sending `parts` with `client`.
    #[doc(hidden)]
    pub fn new(client: &'a Client, parts: Parts) -> Self {
        ResponseFuture {
            state: State::Start(client, parts),
            data: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ResponseFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Start(_, parts) => parts.path,
            State::Sending(_) => "sending",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}

impl<T: Decode + Send + 'static> Future for ResponseFuture<'_, T> {
    type Output = Result<ApiResponse<T>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.state = match std::mem::replace(&mut this.state, State::Done) {
            State::Start(client, parts) => {
                State::Sending(Box::pin(async move { client.exchange(&parts, decode_any::<T>).await }))
            }
            other => other,
        };
        let State::Sending(sending) = &mut this.state else {
            panic!("`ResponseFuture` polled after it completed");
        };
        let result = std::task::ready!(sending.as_mut().poll(cx));
        this.state = State::Done;
        Poll::Ready(result.map(|decoded| match decoded.downcast::<ApiResponse<T>>() {
            Ok(response) => *response,
            Err(_) => unreachable!("`decode_any::<T>` decodes into `ApiResponse<T>`"),
        }))
    }
}

/// [`decode`], type-erased for the retry loop.
fn decode_any<T: Decode + Send + 'static>(body: Vec<u8>, url: &str) -> Result<Decoded, Error> {
    decode::<T>(body, url).map(|response| Box::new(response) as Decoded)
}

/// The URL as shown in errors and logs: the query without the token.
fn redacted_url(url: &str, query: &[(&'static str, String)]) -> String {
    let mut shown = url.to_owned();
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
                v.parse()
                    .map(|value| Code { value, quoted: true })
                    .map_err(E::custom)
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
            return Err(serde::de::Error::custom("at `code`: missing (every response envelope has one)"));
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

/// The most mismatches logged per response; all of them are in [`ApiResponse::mismatches`].
const LOGGED_MISMATCHES: usize = 20;

/// Decodes a 2xx body; the body moves into the response (kept for `raw_data`, not copied).
fn decode<T: Decode>(body: Vec<u8>, url: &str) -> Result<ApiResponse<T>, Error> {
    let undecodable = |message: String| Error::Decode {
        url: url.to_owned(),
        message,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (envelope, misfits) = crate::de::counting(|| {
        let mut de = serde_json::Deserializer::from_slice(&body);
        let envelope = (&mut de).deserialize_map(EnvelopeVisitor::<T>(PhantomData))?;
        de.end()?;
        Ok::<_, serde_json::Error>(envelope)
    });
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
                _ => Err(undecodable(error.to_string())),
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
        let tree: serde_json::Value = serde_json::from_slice(&body).map_err(|e| undecodable(e.to_string()))?;
        crate::de::locate::<T>(tree.get("data").unwrap_or(&serde_json::Value::Null))
    };
    for m in mismatches.iter().take(LOGGED_MISMATCHES) {
        tracing::warn!(url, path = %m.path, expected = m.expected, found = %m.found, "response value does not fit its type; left out");
    }
    if mismatches.len() > LOGGED_MISMATCHES {
        tracing::warn!(url, more = mismatches.len() - LOGGED_MISMATCHES, "more response values do not fit their types");
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
