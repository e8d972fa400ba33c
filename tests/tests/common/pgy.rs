//! The Pgy client as the runtime tests drive it: the seed example, builders with short timeouts, the portrait
//! call, kinds of errors, and a capture of what `tracing` writes.

// `get_kol_fans_portrait_v1` is deprecated upstream; the tests exercise it on purpose.
#![allow(deprecated)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
use justoneapi_xiaohongshu_pgy::{ApiResponse, Client, ClientBuilder, Error, RetryPolicy};
use serde_json::Value;

/// Distinctive, so that any leak of it into errors, `Debug` output or logs is found by a plain search.
pub const TOKEN: &str = "SECRET-TOKEN-123";
pub const PORTRAIT: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";
pub const KOL: &str = "kol-1";

/// The seed page's response example (code 0 and the full portrait), from the vendored definition.
pub fn seed_example() -> Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let example =
        doc["paths"][PORTRAIT]["get"]["responses"]["default"]["content"]["application/json"]["example"].clone();
    assert!(example["data"].is_object(), "no example in {file}");
    example
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A client of `base_url` with a 5 s timeout and no retry: each test narrows what it needs.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder(TOKEN)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
}

pub fn client(base_url: &str) -> Client {
    builder(base_url).build().unwrap()
}

/// Up to `max_attempts` attempts, first delay `initial_ms` (doubled each retry), capped at 1 s, without
/// jitter so that delays can be asserted.
pub fn retrying(max_attempts: u32, initial_ms: u64) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(ms(initial_ms))
        .with_max_backoff(ms(1_000))
        .with_jitter(false)
}

pub async fn portrait(client: &Client) -> Result<ApiResponse<Data>, Error> {
    client.get_kol_fans_portrait_v1(KOL).send().await
}

/// The error of `result`, which must be of `kind`.
#[track_caller]
pub fn expect_kind<T: std::fmt::Debug>(result: Result<T, Error>, kind: &str) -> Error {
    match result {
        Err(error) => {
            assert_eq!(error.kind(), kind, "{error:?}");
            error
        }
        Ok(value) => panic!("expected a {kind} error, got Ok({value:?})"),
    }
}

/// What a `fmt` subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures every event of this thread at `level` and above (a plain-text `fmt` subscriber) until the guard
/// is dropped. Runs on the test's own thread (a current-thread runtime), so the client's events, reqwest's and
/// hyper's (and `log` records, via `tracing-log`) are seen; servers on threads of their own are not.
pub fn capture_logs(level: tracing_subscriber::filter::LevelFilter) -> (Captured, tracing::subscriber::DefaultGuard) {
    use tracing_subscriber::util::SubscriberInitExt;

    let captured = Captured::default();
    let writer = captured.clone();
    let guard = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();
    keep_callsites_interesting();
    (captured, guard)
}

/// tracing caches, per callsite and for the whole process, whether any subscriber wants it: a callsite first
/// reached on another test's thread, which has no subscriber, is cached as "never" and then skipped on this
/// thread too (a log test failed about one run in three on a loaded machine). A subscriber that lives as long
/// as the process and wants everything keeps every callsite asked per call; events still go only to each
/// thread's own subscriber.
pub fn keep_callsites_interesting() {
    static KEEP: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    KEEP.get_or_init(|| tracing::Dispatch::new(tracing_subscriber::registry()));
    tracing::callsite::rebuild_interest_cache();
}
