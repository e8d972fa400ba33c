//! Client-side decoding of the seed portrait response (`cargo bench -p tests --bench decode`).
//!
//! The body is the seed page's example (`fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json`,
//! code 0 + the full portrait, ~4 KB). The baseline is what a hand-written serde client would do: plain
//! `#[derive(Deserialize)]` structs with the portrait's fields (`BareData`, `support/seed.rs`), strict and without
//! `Option`s.
//!
//! * `decode/*` (no I/O): `bare_data` (`from_slice::<BareData>` of the `data` object), `bare_body` (the whole body
//!   into `{ data: BareData }`), `lenient_data` (the generated `Data` alone, through the runtime's lenient rules:
//!   `de::from_slice`), and `runtime_body` (the runtime's own envelope decoding, `decode_body`, into
//!   `ApiResponse<Data>`: code, envelope fields, lenient data, mismatch count, the body kept).
//!
//! `cargo bench` then prints the ratios of the "Performance" issue, timed interleaved. A whole loopback request
//! (HTTP and decoding) is `benches/request.rs`.

// `get_kol_fans_portrait_v1` is deprecated upstream; the seed endpoint is benchmarked on purpose.
#![allow(deprecated)]

#[path = "support/seed.rs"]
mod seed;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion};
use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
use justoneapi_xiaohongshu_pgy::ApiResponse;
use seed::{BareData, BareEnvelope};

/// The runtime's own decoding of a response body.
fn runtime_body(body: &[u8]) -> ApiResponse<Data> {
    justoneapi_runtime::decode_body::<Data>(body).unwrap()
}

fn lenient_data(data: &[u8]) -> Data {
    justoneapi_runtime::de::from_slice::<Data>(data).unwrap().0
}

// -----------------------------------------------------------------------------------------------------------

fn decode(c: &mut Criterion) {
    let example = seed::seed_example();
    let body = serde_json::to_vec(&example).unwrap();
    let data = serde_json::to_vec(&example["data"]).unwrap();
    let mut g = c.benchmark_group("decode");
    g.sample_size(50).measurement_time(Duration::from_secs(3));
    g.bench_function("bare_data", |b| {
        b.iter(|| serde_json::from_slice::<BareData>(&data).unwrap())
    });
    g.bench_function("bare_body", |b| {
        b.iter(|| serde_json::from_slice::<BareEnvelope>(&body).unwrap().data)
    });
    g.bench_function("lenient_data", |b| b.iter(|| lenient_data(&data)));
    g.bench_function("runtime_body", |b| b.iter(|| runtime_body(&body)));
    g.finish();
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
    let example = seed::seed_example();
    let body = serde_json::to_vec(&example).unwrap();
    let data = serde_json::to_vec(&example["data"]).unwrap();
    let us = |s: f64| format!("{:.2} µs", s * 1e6);
    let m = interleaved(
        &mut [
            ("bare_data", &mut || {
                black_box(serde_json::from_slice::<BareData>(black_box(&data)).unwrap());
            }),
            ("bare_body", &mut || {
                black_box(serde_json::from_slice::<BareEnvelope>(black_box(&body)).unwrap());
            }),
            ("lenient_data", &mut || {
                black_box(lenient_data(black_box(&data)));
            }),
            ("runtime_body", &mut || {
                black_box(runtime_body(black_box(&body)));
            }),
        ],
        200,
        100,
    );
    println!(
        "\ninterleaved medians (200 rounds x 100 decodes), {} byte body:",
        body.len()
    );
    println!("  bare serde_json BareData             {}", us(m[0]));
    println!("  bare serde_json {{data: BareData}}    {}", us(m[1]));
    println!("  lenient Data (runtime de::from_slice) {}", us(m[2]));
    println!("  runtime decode_body -> ApiResponse    {}", us(m[3]));
    println!(
        "  speed of the lenient Data relative to bare BareData = {:.2}x (the cost of leniency)",
        m[0] / m[2]
    );
    println!(
        "  speed of runtime decode + envelope relative to bare {{data: BareData}} = {:.2}x   [>= 0.9]",
        m[1] / m[3]
    );
}

criterion_group!(benches, decode);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs benches once as a smoke test; the summary is for `cargo bench`.
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
