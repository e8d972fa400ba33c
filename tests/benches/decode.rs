//! Client-side decoding of the seed portrait response (`cargo bench -p tests --bench decode`).
//!
//! The body is the seed page's example (`fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json`,
//! code 0 + the full portrait, ~5 KB). Two views:
//!
//! * `decode/*` (no I/O): bare `serde_json::from_slice::<Data>` of the `data` object vs `from_slice` of the whole
//!   body into `{ data: Data }` vs `runtime`, the runtime's own decoding of the whole body into
//!   `ApiResponse<Data>` (`justoneapi_runtime::decode_response`, a hidden entry point into what
//!   `ResponseFuture` runs on a 2xx body: envelope, business code, `data`, and the type erasure around them).
//! * `loopback/*` (one keep-alive connection to a server on 127.0.0.1 that answers with the same bytes):
//!   `client.get_kol_fans_portrait_v1(..).send()` through the generated crate's public API (query building,
//!   retry loop, body limit, envelope decode into the same `Data`) vs a bare `reqwest` GET of the same URL +
//!   `bytes()` + `serde_json::from_slice` into `{ data: Data }`. The difference is the generated client's own
//!   per-request overhead.

// `get_kol_fans_portrait_v1` is deprecated upstream; the seed endpoint is benchmarked on purpose.
#![allow(deprecated)]

#[path = "support/mock_http.rs"]
mod mock_http;

use std::sync::Arc;
use std::time::Duration;

use std::hint::black_box;

use criterion::{criterion_group, Criterion};
use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
use justoneapi_xiaohongshu_pgy::{ApiResponse, Client, RetryPolicy};
use serde::Deserialize;

#[derive(Deserialize)]
struct BareEnvelope {
    data: Data,
}

/// URL the runtime's decoder puts into errors (none happen here).
const URL: &str = "http://127.0.0.1/api/xiaohongshu-pgy/get-kol-fans-portrait/v1?kolId=kol-1";

/// The runtime's own decoding of a 2xx body, exactly what `ResponseFuture` runs after the HTTP exchange
/// (type-erased decode, then the downcast back to `ApiResponse<Data>`).
fn runtime_decode(body: &[u8]) -> ApiResponse<Data> {
    justoneapi_runtime::decode_response::<Data>(body, URL).unwrap()
}

fn decode(c: &mut Criterion) {
    let example = mock_http::seed_example();
    let body = serde_json::to_vec(&example).unwrap();
    let data = serde_json::to_vec(&example["data"]).unwrap();
    let mut g = c.benchmark_group("decode");
    g.sample_size(50).measurement_time(Duration::from_secs(3));
    g.bench_function("bare_data", |b| {
        b.iter(|| serde_json::from_slice::<Data>(&data).unwrap())
    });
    g.bench_function("bare_body", |b| {
        b.iter(|| serde_json::from_slice::<BareEnvelope>(&body).unwrap().data)
    });
    g.bench_function("runtime", |b| b.iter(|| runtime_decode(&body)));
    g.finish();
}

/// The generated client and a bare reqwest client of one loopback server answering with the seed body.
struct Loopback {
    rt: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    url: String,
    counters: Arc<mock_http::Counters>,
}

impl Loopback {
    fn start() -> Loopback {
        let body = serde_json::to_vec(&mock_http::seed_example()).unwrap();
        let response = mock_http::response(&body);
        let counters = Arc::new(mock_http::Counters::default());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        {
            let counters = counters.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    mock_http::serve(listener, response, counters, u64::MAX, Duration::from_secs(600)).await
                })
            });
        }
        Loopback {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: Client::builder("TOKEN")
                .base_url(&base)
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap(),
            http: reqwest::Client::new(),
            url: format!("{base}/api/xiaohongshu-pgy/get-kol-fans-portrait/v1?token=TOKEN&kolId=kol-1"),
            counters,
        }
    }

    fn generated(&self) -> Data {
        self.rt
            .block_on(async { self.client.get_kol_fans_portrait_v1("kol-1").send().await.unwrap().data })
    }

    fn bare(&self) -> Data {
        self.rt.block_on(async {
            let bytes = self.http.get(&self.url).send().await.unwrap().bytes().await.unwrap();
            serde_json::from_slice::<BareEnvelope>(&bytes).unwrap().data
        })
    }

    fn report(&self) {
        eprintln!(
            "loopback server: {} connections, {} requests",
            self.counters.connections.load(std::sync::atomic::Ordering::Relaxed),
            self.counters.requests.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
}

fn loopback(c: &mut Criterion) {
    let lb = Loopback::start();
    let mut g = c.benchmark_group("loopback");
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    g.bench_function("generated_send", |b| b.iter(|| lb.generated()));
    g.bench_function("reqwest_bytes_serde", |b| b.iter(|| lb.bare()));
    g.finish();
    lb.report();
}

/// Median time per iteration of each case, the cases timed interleaved (`rounds` rounds, each case runs
/// `batch` iterations per round, in a rotating order) so that a load spike on the shared machine hits all alike.
fn interleaved(cases: &mut [(&str, &mut dyn FnMut())], rounds: usize, batch: usize) -> Vec<f64> {
    let n = cases.len();
    let mut samples = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds + 2 {
        for k in 0..n {
            let i = (round + k) % n;
            let start = std::time::Instant::now();
            for _ in 0..batch {
                (cases[i].1)();
            }
            if round >= 2 {
                samples[i].push(start.elapsed().as_secs_f64() / batch as f64);
            }
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

/// The ratios of the "Performance" issue, measured interleaved in this run.
fn summary() {
    let example = mock_http::seed_example();
    let body = serde_json::to_vec(&example).unwrap();
    let data = serde_json::to_vec(&example["data"]).unwrap();
    let us = |s: f64| format!("{:.2} µs", s * 1e6);
    let m = interleaved(
        &mut [
            ("bare_data", &mut || {
                black_box(serde_json::from_slice::<Data>(black_box(&data)).unwrap());
            }),
            ("bare_body", &mut || {
                black_box(serde_json::from_slice::<BareEnvelope>(black_box(&body)).unwrap());
            }),
            ("runtime", &mut || {
                black_box(runtime_decode(black_box(&body)));
            }),
        ],
        200,
        100,
    );
    println!(
        "\ninterleaved medians (200 rounds x 100 decodes), {} byte body:",
        body.len()
    );
    println!("  bare serde_json Data           {}", us(m[0]));
    println!("  bare serde_json {{data: Data}}  {}", us(m[1]));
    println!("  runtime decode_response        {}", us(m[2]));
    println!(
        "  speed of envelope decode relative to bare Data = {:.2}x, to bare {{data}} = {:.2}x   [>= 0.9]",
        m[0] / m[2],
        m[1] / m[2]
    );

    let lb = Loopback::start();
    let m = interleaved(
        &mut [
            ("generated", &mut || {
                black_box(lb.generated());
            }),
            ("bare", &mut || {
                black_box(lb.bare());
            }),
        ],
        40,
        100,
    );
    println!("\ninterleaved medians (40 rounds x 100 requests), one keep-alive connection each:");
    println!("  generated client send()           {}", us(m[0]));
    println!("  reqwest get + bytes + serde_json  {}", us(m[1]));
    println!(
        "  speed of the generated client relative to bare reqwest + serde_json = {:.2}x",
        m[1] / m[0]
    );
    lb.report();
}

criterion_group!(benches, decode, loopback);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs benches once as a smoke test; the summary is for `cargo bench`.
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
