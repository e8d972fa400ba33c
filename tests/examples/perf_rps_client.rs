//! Requests per second through the generated client on one connection (`scripts/perf/rps.sh`).
//!
//! `cargo run --release -p tests --example perf_rps_client -- BASE_URL [--requests N] [--secs S]`
//!
//! Sends `get_kol_fans_portrait_v1` one after another (never two in flight, so the pool keeps one keep-alive
//! connection) on a single-threaded runtime, decoding every response into the typed `Data`; stops after N
//! requests or S seconds, whichever comes first, and prints `requests/s`.

// The seed endpoint is deprecated upstream; it is measured on purpose.
#![allow(deprecated)]

use std::time::{Duration, Instant};

use justoneapi_xiaohongshu_pgy::{Client, RetryPolicy};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number")))
        .unwrap_or(default)
}

fn main() {
    let base = std::env::args()
        .nth(1)
        .expect("usage: perf_rps_client BASE_URL [--requests N] [--secs S]");
    let max_requests = arg("--requests", 20_000);
    let max_time = Duration::from_secs(arg("--secs", 5));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = Client::builder("TOKEN")
            .base_url(base)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        // Warm-up: connect once.
        client.get_kol_fans_portrait_v1("kol-1").send().await.unwrap();
        let start = Instant::now();
        let mut n = 0u64;
        while n < max_requests && start.elapsed() < max_time {
            let r = client.get_kol_fans_portrait_v1("kol-1").send().await.unwrap();
            assert!(!r.data.ages.is_empty());
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "generated client: {n} requests in {secs:.2} s = {:.0} requests/s",
            n as f64 / secs
        );
    });
}
