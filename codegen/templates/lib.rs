//! The runtime's hand-written source, compiled where it is written.
//!
//! `runtime.rs`, `transport.rs`, `de.rs`, `text.rs`, `error.rs` and `blocking.rs` are emitted verbatim into `generated/justoneapi-runtime`
//! (see `codegen::TEMPLATES`); this crate compiles, lints and unit-tests them here, so a change is checked before
//! any regen. The business codes and servers come from `specs/manifest.yaml`, so they are the generated ones.

#![warn(missing_docs)]

pub mod blocking;
#[path = "../../generated/justoneapi-runtime/src/codes.rs"]
mod codes;
pub mod de;
mod error;
mod runtime;
#[path = "../../generated/justoneapi-runtime/src/servers.rs"]
mod servers;
mod text;
mod transport;

pub use codes::BusinessCode;
pub use de::Mismatch;
pub use error::{Error, TransportError};
pub use reqwest;
#[doc(hidden)]
pub use reqwest::Method;
#[cfg(feature = "middleware")]
pub use reqwest_middleware;
pub use runtime::{
    decode_body, ApiResponse, Client, ClientBuilder, ClientKind, Overrides, Parts, ResponseFuture, RetryPolicy,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
};
pub use servers::Server;
pub use text::Text;
