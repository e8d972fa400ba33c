//! The one error type of every call.
//!
//! This file is emitted verbatim from `codegen/templates/error.rs` into the shared runtime crate.
//! No variant ever holds the API token: URLs are kept with the token removed.

use std::fmt;
use std::time::Duration;

use crate::BusinessCode;

/// Why a call failed.
#[derive(Debug)]
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
    /// A short, stable name of the kind of error: `business`, `http`, `timeout`, `transport`,
    /// `body-too-large`, `decode` or `config`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Business { .. } => "business",
            Error::Http { .. } => "http",
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why a request could not be sent or its response not read: a connection refused or reset, a DNS or TLS
/// failure, a broken body.
///
/// Opaque on purpose: the HTTP stack's error types are not part of this crate's API (so upgrading that stack
/// is not a breaking change). What a program needs is here: the kind of failure, a message without the URL,
/// and, through [`source()`](std::error::Error::source), the errors underneath (hyper's, then the I/O or TLS
/// error with its OS error code).
pub struct TransportError {
    kind: TransportKind,
    /// hyper's error (or the decompressor's); never holds the URL, which has the token.
    source: BoxError,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which step of an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportKind {
    Connect,
    Request,
    Body,
}

impl TransportError {
    /// The connection could not be made (refused, DNS, TLS handshake, proxy tunnel): the request never
    /// reached the server, so it is retried.
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
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportKind::Connect => "cannot connect",
            TransportKind::Request => "the request failed before a response",
            TransportKind::Body => "reading the response body failed",
        })?;
        // The innermost error names the cause (hyper's own messages above it are generic, e.g.
        // "client error (Connect)").
        let mut cause: &(dyn std::error::Error + 'static) = &*self.source;
        while let Some(next) = cause.source() {
            cause = next;
        }
        write!(f, ": {cause}")
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
