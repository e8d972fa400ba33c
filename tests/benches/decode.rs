//! Client-side decoding of the seed portrait response (`cargo bench -p tests --bench decode`).
//!
//! The body is the seed page's example (`fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json`,
//! code 0 + the full portrait, ~5 KB). The baseline is what a hand-written serde client would do: plain
//! `#[derive(Deserialize)]` structs with the portrait's fields (`BareData`), strict and without `Option`s.
//!
//! * `decode/*` (no I/O): `bare_data` (`from_slice::<BareData>` of the `data` object), `bare_body` (the whole body
//!   into `{ data: BareData }`), `lenient_data` (the generated `Data` alone, through the runtime's lenient rules:
//!   `de::from_slice`), and `runtime_body` (the runtime's own envelope decoding, `decode_body`, into
//!   `ApiResponse<Data>`: code, envelope fields, lenient data, mismatch count, the body kept).
//! * `loopback/*` (one keep-alive connection to a server on 127.0.0.1 that answers with the same bytes):
//!   `client.get_kol_fans_portrait_v1(..).send()` through the generated crate's public API vs a bare `reqwest`
//!   GET of the same URL + `bytes()` + `serde_json::from_slice` into `{ data: BareData }` (what a program without
//!   the generated crate would write).
//!
//! `cargo bench` then prints the ratios of the "Performance" issue, each timed interleaved, and where a loopback
//! request's time goes: the round trip alone (a blocking `std::net::TcpStream`, the request written by hand, the
//! response read up to its `Content-Length`), hyper's HTTP/1 connection alone (what the runtime's transport drives
//! since 0.3.0, with a pool of its own), hyper-util's pooled client (what reqwest is built on), reqwest (`bytes()`,
//! no decoding; the runtime's transport before 0.3.0), + serde_json, and the generated client.

// `get_kol_fans_portrait_v1` is deprecated upstream; the seed endpoint is benchmarked on purpose.
#![allow(deprecated)]

#[path = "support/mock_http.rs"]
mod mock_http;

use std::cell::RefCell;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use std::hint::black_box;

use criterion::{criterion_group, Criterion};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
use justoneapi_xiaohongshu_pgy::{ApiResponse, Client, RetryPolicy};
use serde::Deserialize;

// --- the baseline: the portrait as a hand-written serde client would type it --------------------------------

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareData {
    ages: Vec<BareGroup>,
    gender: BareGender,
    interests: Vec<BareShare>,
    provinces: Vec<BareShare>,
    cities: Vec<BareShare>,
    devices: Vec<BareDevice>,
    #[serde(rename = "dateKey")]
    date_key: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareGroup {
    group: String,
    percent: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareGender {
    male: f64,
    female: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareShare {
    name: String,
    percent: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareDevice {
    name: String,
    desc: String,
    percent: f64,
}

#[derive(Deserialize)]
struct BareEnvelope {
    data: BareData,
}

/// The runtime's own decoding of a response body.
fn runtime_body(body: &[u8]) -> ApiResponse<Data> {
    justoneapi_runtime::decode_body::<Data>(body).unwrap()
}

fn lenient_data(data: &[u8]) -> Data {
    justoneapi_runtime::de::from_slice::<Data>(data).unwrap().0
}

// -----------------------------------------------------------------------------------------------------------

fn decode(c: &mut Criterion) {
    let example = mock_http::seed_example();
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

/// The request target every baseline GETs: what the generated client sends for `get_kol_fans_portrait_v1("kol-1")`.
const TARGET: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1?token=TOKEN&kolId=kol-1";

/// The generated client and a bare reqwest client of one loopback server answering with the seed body.
struct Loopback {
    rt: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    url: String,
    /// A connection of its own for [`Loopback::raw`], with its read buffer.
    raw: RefCell<(std::net::TcpStream, Vec<u8>)>,
    /// The request `raw` writes.
    raw_request: Vec<u8>,
    /// A hyper HTTP/1 connection of its own (its task runs on `rt`), for [`Loopback::hyper`].
    hyper: RefCell<hyper::client::conn::http1::SendRequest<Empty<Bytes>>>,
    hyper_uri: hyper::Uri,
    /// hyper-util's pooled client (connection pool, `HttpConnector`), for [`Loopback::pooled`].
    pooled: hyper_util::client::legacy::Client<HttpConnector, Empty<Bytes>>,
    counters: Arc<mock_http::Counters>,
}

impl Loopback {
    fn start() -> Loopback {
        let body = serde_json::to_vec(&mock_http::seed_example()).unwrap();
        let response = mock_http::response(&body);
        let counters = Arc::new(mock_http::Counters::default());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let url = format!("{base}{TARGET}");
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
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let hyper = rt.block_on(async {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let (send, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .unwrap();
            tokio::spawn(connection);
            send
        });
        Loopback {
            rt,
            client: Client::builder("TOKEN")
                .base_url(&base)
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap(),
            http: reqwest::Client::new(),
            raw: RefCell::new((raw_connection(addr), Vec::with_capacity(16 << 10))),
            raw_request: format!("GET {TARGET} HTTP/1.1\r\nhost: {addr}\r\n\r\n").into_bytes(),
            hyper: RefCell::new(hyper),
            hyper_uri: url.parse().unwrap(),
            url,
            pooled: hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
            counters,
        }
    }

    fn generated(&self) -> Data {
        self.rt
            .block_on(async { self.client.get_kol_fans_portrait_v1("kol-1").send().await.unwrap().data })
    }

    fn bare(&self) -> BareData {
        self.rt.block_on(async {
            let bytes = self.http.get(&self.url).send().await.unwrap().bytes().await.unwrap();
            serde_json::from_slice::<BareEnvelope>(&bytes).unwrap().data
        })
    }

    /// Length of the response (head and body) of one exchange on the raw connection: the round trip and
    /// nothing else.
    fn raw(&self) -> usize {
        let (stream, buf) = &mut *self.raw.borrow_mut();
        stream.write_all(&self.raw_request).unwrap();
        buf.clear();
        let mut chunk = [0u8; 16 << 10];
        loop {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the loopback server closed the raw connection");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(len) = mock_http::message_len(buf).filter(|&len| buf.len() >= len) {
                return len;
            }
        }
    }

    /// Bytes of the body through hyper's HTTP/1 connection (no pool, no middleware; what the runtime's transport
    /// drives), not decoded.
    fn hyper(&self) -> usize {
        let send = &mut *self.hyper.borrow_mut();
        self.rt.block_on(async {
            let request = hyper::Request::get(self.hyper_uri.clone())
                .header(hyper::header::HOST, self.hyper_uri.authority().unwrap().as_str())
                .body(Empty::new())
                .unwrap();
            let response = send.send_request(request).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes().len()
        })
    }

    /// Bytes of the body through hyper-util's pooled client (what reqwest wraps), not decoded.
    fn pooled(&self) -> usize {
        self.rt.block_on(async {
            let response = self.pooled.get(self.hyper_uri.clone()).await.unwrap();
            response.into_body().collect().await.unwrap().to_bytes().len()
        })
    }

    /// Bytes of the body through reqwest, not decoded.
    fn bytes(&self) -> usize {
        self.rt.block_on(async {
            self.http
                .get(&self.url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .len()
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

fn raw_connection(addr: std::net::SocketAddr) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
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

    let lb = Loopback::start();
    let m = interleaved(
        &mut [
            ("generated", &mut || {
                black_box(lb.generated());
            }),
            ("bare", &mut || {
                black_box(lb.bare());
            }),
            ("bytes", &mut || {
                black_box(lb.bytes());
            }),
            ("pooled", &mut || {
                black_box(lb.pooled());
            }),
            ("hyper", &mut || {
                black_box(lb.hyper());
            }),
            ("raw", &mut || {
                black_box(lb.raw());
            }),
        ],
        40,
        100,
    );
    println!("\ninterleaved medians (40 rounds x 100 requests), one keep-alive connection each:");
    println!("  generated client send()           {}", us(m[0]));
    println!("  reqwest get + bytes + serde_json  {}", us(m[1]));
    println!("  reqwest get + bytes               {}", us(m[2]));
    println!("  hyper-util pooled client + bytes  {}", us(m[3]));
    println!("  hyper http1 connection + bytes    {}", us(m[4]));
    println!("  round trip alone (std TcpStream)  {}", us(m[5]));
    println!(
        "  speed of the generated client relative to bare reqwest + serde_json = {:.2}x",
        m[1] / m[0]
    );
    // serde_json's share is what it adds to a reqwest GET; the generated client's own is what is left of its
    // request after hyper's connection (which its transport drives) and that decoding.
    let decoding = m[1] - m[2];
    println!(
        "  a request of the generated client: round trip {:.0}%, hyper's HTTP/1 connection {:.0}% (hyper-util's pooled client would be {:.0}%, reqwest, the transport before runtime 0.3.0, {:.0}%), serde_json decoding {:.0}%, the generated client's own (pool, URL, envelope, leniency, span) {:.0}%",
        100.0 * m[5] / m[0],
        100.0 * (m[4] - m[5]) / m[0],
        100.0 * (m[3] - m[5]) / m[0],
        100.0 * (m[2] - m[5]) / m[0],
        100.0 * decoding / m[0],
        100.0 * (m[0] - m[4] - decoding) / m[0]
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
