//! The loopback server of `scripts/perf/rps.sh`: answers every request on 127.0.0.1 with the seed portrait
//! response (code 0, ~5 KB), HTTP/1.1 keep-alive, one thread. Bounded: exits after `--max-requests` answers or
//! `--max-secs` seconds, whichever comes first, and prints how many connections and requests it saw.
//!
//! `cargo run --release -p tests --example perf_mock_server -- [--port 0] [--max-requests N] [--max-secs S]`
//! prints `listening on http://127.0.0.1:PORT` first.

#[path = "../benches/support/mock_http.rs"]
mod mock_http;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number")))
        .unwrap_or(default)
}

fn main() {
    let port = arg("--port", 0);
    let max_requests = arg("--max-requests", 1_000_000);
    let max_secs = arg("--max-secs", 120);
    let body = serde_json::to_vec(&mock_http::seed_example()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let counters = Arc::new(mock_http::Counters::default());
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port as u16)).await.unwrap();
        println!("listening on http://{}", listener.local_addr().unwrap());
        mock_http::serve(
            listener,
            mock_http::response(&body),
            counters.clone(),
            max_requests,
            Duration::from_secs(max_secs),
        )
        .await;
    });
    println!(
        "mock server done: {} connections, {} requests",
        counters.connections.load(Ordering::Relaxed),
        counters.requests.load(Ordering::Relaxed)
    );
}
