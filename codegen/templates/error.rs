//! The one error type of every call.
//!
//! This file is emitted verbatim from `codegen/templates/error.rs` into the shared runtime crate.
//! No variant ever holds the API token: URLs are kept with the token removed.

use std::fmt;
use std::time::Duration;

use crate::BusinessCode;

/// Why a call failed.
///
/// Its `Debug` shows at most the first KiB of a kept body (a body may be megabytes); the fields hold it whole.
#[non_exhaustive]
pub enum Error {
    /// The server answered with a business `code` other than 0.
    Business {
        /// The code, with its documented meaning.
        code: BusinessCode,
        /// The envelope's `message`.
        message: Option<String>,
        /// The envelope's `requestId`.
        request_id: Option<String>,
        /// The request URL, without the token.
        url: String,
    },
    /// The server answered with an HTTP status other than 2xx.
    Http {
        /// HTTP status code.
        status: u16,
        /// The request URL, without the token.
        url: String,
        /// The business code, when the body was a JSON envelope.
        code: Option<BusinessCode>,
        /// The envelope's `message`, when there was one.
        message: Option<String>,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// The response body (lossy UTF-8).
        body: String,
    },
    /// The server answered with a redirect (HTTP 3xx), which is never followed: the token is in the request (the
    /// query of a GET, the form body of a POST), and would go to the redirect's target.
    Redirect {
        /// HTTP status code (301, 302, 307, ...).
        status: u16,
        /// The request URL, without the token.
        url: String,
        /// The `Location` the server named, without a `token` in its query and without `user:password@`.
        location: Option<String>,
    },
    /// No answer within the configured timeout.
    Timeout {
        /// The request URL, without the token.
        url: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The request could not be sent or the response not read (DNS, connection refused or reset, TLS...).
    Transport {
        /// The request URL, without the token.
        url: String,
        /// What failed; its own `source()` chain goes down to the I/O or TLS error.
        source: TransportError,
    },
    /// The response body exceeded the configured limit; the rest was not read.
    BodyTooLarge {
        /// The request URL, without the token.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is not the expected JSON (not JSON, truncated, wrong types, `data` missing).
    Decode {
        /// The request URL, without the token.
        url: String,
        /// What did not fit.
        message: String,
        /// The response body (lossy UTF-8), kept for inspection.
        body: String,
    },
    /// The client configuration is unusable (e.g. a base URL without a scheme).
    Config {
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// A short, stable name of the kind of error: `business`, `http`, `redirect`, `timeout`, `transport`,
    /// `body-too-large`, `decode` or `config`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Business { .. } => "business",
            Error::Http { .. } => "http",
            Error::Redirect { .. } => "redirect",
            Error::Timeout { .. } => "timeout",
            Error::Transport { .. } => "transport",
            Error::BodyTooLarge { .. } => "body-too-large",
            Error::Decode { .. } => "decode",
            Error::Config { .. } => "config",
        }
    }

    /// The business code, from the envelope of a business error or of an HTTP error.
    pub fn business_code(&self) -> Option<BusinessCode> {
        match self {
            Error::Business { code, .. } => Some(*code),
            Error::Http { code, .. } => *code,
            _ => None,
        }
    }

    /// Whether the retry policy may try again after this error: a retryable business code (in a 2xx body or
    /// an HTTP error's), HTTP 429, 502, 503 or 504, or a connection that could not be made.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Business { code, .. } => code.is_retryable(),
            // A retryable business code counts in an HTTP error's envelope too (e.g. 302 with HTTP 500).
            Error::Http { status, code, .. } => {
                matches!(status, 429 | 502 | 503 | 504) || code.is_some_and(BusinessCode::is_retryable)
            }
            Error::Transport { source, .. } => source.is_connect(),
            _ => false,
        }
    }

    /// The delay the server asked for (`Retry-After` on HTTP 429 and 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Http {
                status: 429 | 503,
                retry_after,
                ..
            } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn transport(url: &str, kind: TransportKind, source: impl Into<BoxError>) -> Error {
        Error::Transport {
            url: url.to_owned(),
            source: TransportError {
                kind,
                source: source.into(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Business {
                code,
                message,
                request_id,
                url,
            } => {
                write!(f, "business code {code} from {url}")?;
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Http {
                status,
                url,
                code,
                message,
                ..
            } => {
                write!(f, "HTTP {status} from {url}")?;
                if let Some(code) = code {
                    write!(f, ", business code {code}")?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Error::Redirect { status, url, location } => {
                write!(f, "HTTP {status} from {url}: a redirect")?;
                if let Some(location) = location {
                    write!(f, " to {location}")?;
                }
                f.write_str(", not followed (the token is in the request)")
            }
            Error::Timeout { url, after } => write!(f, "no response from {url} within {after:?}"),
            Error::Transport { url, source } => write!(f, "request to {url} failed: {source}"),
            Error::BodyTooLarge { url, limit } => {
                write!(f, "response from {url} is larger than {limit} bytes")
            }
            Error::Decode { url, message, .. } => {
                write!(f, "cannot decode the response from {url}: {message}")
            }
            Error::Config { message } => write!(f, "invalid client configuration: {message}"),
        }
    }
}

/// The most of a kept body that `Debug` shows.
const DEBUG_BODY_BYTES: usize = 1024;

/// A body in `Debug`: its first KiB (cut at a character boundary), and its length when there is more.
struct Shortened<'a>(&'a str);

impl fmt::Debug for Shortened<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() <= DEBUG_BODY_BYTES {
            return fmt::Debug::fmt(self.0, f);
        }
        let mut end = DEBUG_BODY_BYTES;
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        fmt::Debug::fmt(&self.0[..end], f)?;
        write!(f, "... ({} bytes in all)", self.0.len())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Business {
                code,
                message,
                request_id,
                url,
            } => f
                .debug_struct("Business")
                .field("code", code)
                .field("message", message)
                .field("request_id", request_id)
                .field("url", url)
                .finish(),
            Error::Http {
                status,
                url,
                code,
                message,
                retry_after,
                body,
            } => f
                .debug_struct("Http")
                .field("status", status)
                .field("url", url)
                .field("code", code)
                .field("message", message)
                .field("retry_after", retry_after)
                .field("body", &Shortened(body))
                .finish(),
            Error::Redirect { status, url, location } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("url", url)
                .field("location", location)
                .finish(),
            Error::Timeout { url, after } => f
                .debug_struct("Timeout")
                .field("url", url)
                .field("after", after)
                .finish(),
            Error::Transport { url, source } => f
                .debug_struct("Transport")
                .field("url", url)
                .field("source", source)
                .finish(),
            Error::BodyTooLarge { url, limit } => f
                .debug_struct("BodyTooLarge")
                .field("url", url)
                .field("limit", limit)
                .finish(),
            Error::Decode { url, message, body } => f
                .debug_struct("Decode")
                .field("url", url)
                .field("message", message)
                .field("body", &Shortened(body))
                .finish(),
            Error::Config { message } => f.debug_struct("Config").field("message", message).finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why a request could not be sent or its response not read: a connection refused or reset, a DNS or TLS
/// failure, a broken body, or a middleware's own error.
///
/// Opaque on purpose: the HTTP stack's error types are not part of this crate's API (so upgrading that stack
/// is not a breaking change). What a program needs is here: the kind of failure, a message without the URL,
/// and, through [`source()`](std::error::Error::source), the errors underneath (hyper's, then the I/O or TLS
/// error with its OS error code). No error underneath holds the request's URL.
pub struct TransportError {
    kind: TransportKind,
    /// reqwest's error (without its URL, which has the token), or a middleware's.
    source: BoxError,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which step of an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportKind {
    Connect,
    Request,
    Body,
    Middleware,
}

impl TransportError {
    /// The connection could not be made (refused, DNS, TLS handshake, proxy tunnel, or not within the connect
    /// timeout): the request never reached the server, so it is retried.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportKind::Connect
    }

    /// Sending the request or reading the response head failed after connecting (e.g. the connection was
    /// reset or closed before an answer). The server may have received the request.
    pub fn is_request(&self) -> bool {
        self.kind == TransportKind::Request
    }

    /// Reading the response body failed (e.g. the connection was reset in the middle of it, or a gzip body
    /// was corrupt).
    pub fn is_body(&self) -> bool {
        self.kind == TransportKind::Body
    }

    /// A middleware of [`http_client_with_middleware`](crate::ClientBuilder) failed the request itself
    /// (a rate limiter that gave up, say). Not retried.
    pub fn is_middleware(&self) -> bool {
        self.kind == TransportKind::Middleware
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportKind::Connect => "cannot connect",
            TransportKind::Request => "the request failed before a response",
            TransportKind::Body => "reading the response body failed",
            TransportKind::Middleware => "a middleware failed the request",
        })?;
        // The innermost error names the cause (the messages above it are generic, e.g. "client error
        // (Connect)").
        write!(f, ": {}", crate::transport::innermost(&*self.source))
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
