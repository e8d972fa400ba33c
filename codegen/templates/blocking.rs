//! A blocking client for programs without an async runtime (cargo feature `blocking`).
//!
//! This file is emitted verbatim from `codegen/templates/blocking.rs` into the shared runtime crate.
//!
//! Every async request builder works: `run` hands it the async client and drives the future to completion.

use std::future::Future;

use crate::{ClientBuilder, ClientKind, Error};

/// Wraps an async client (this crate's [`crate::Client`], or a platform crate's, `C`) with its own
/// single-threaded runtime.
///
/// Errors, retries and timeouts are the async client's: `run` returns the same [`Error`] the future does.
///
/// Do not use it from inside an async runtime (`run` would panic there); use the async client instead.
#[derive(Debug)]
pub struct Client<C = crate::Client> {
    inner: C,
    runtime: tokio::runtime::Runtime,
}

impl<C: ClientKind> Client<C> {
    /// A blocking client for the default server with default settings.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        Self::from_builder(ClientBuilder::new(token))
    }

    /// A blocking client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_builder(ClientBuilder::from_env()?)
    }

    /// A blocking client from a configured builder.
    pub fn from_builder(builder: ClientBuilder<C>) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config {
                message: format!("cannot start the blocking client's runtime: {e}"),
            })?;
        // Each Tokio runtime that sends on a client gets its own connection pool: the one `build()` makes is
        // this runtime's, so the async client inside (`inner()`) can also be used from other runtimes.
        let inner = runtime.block_on(async { builder.build() })?;
        Ok(Client { inner, runtime })
    }
}

impl<C> Client<C> {
    /// Runs one request to completion, e.g.
    /// `client.run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("user").send())`.
    pub fn run<'a, F, Fut>(&'a self, request: F) -> Fut::Output
    where
        F: FnOnce(&'a C) -> Fut,
        Fut: Future,
    {
        self.runtime.block_on(request(&self.inner))
    }

    /// The async client inside.
    pub fn inner(&self) -> &C {
        &self.inner
    }
}
