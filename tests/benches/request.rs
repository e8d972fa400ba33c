//! A loopback request of the generated client against a bare `reqwest` + `serde_json` request of the same body
//! (`cargo bench -p tests --bench request`; `scripts/perf/request.sh` runs it and keeps what it prints).
//!
//! Target ("Performance" issue): a request of the generated client costs at most 1.15× the bare one, judged on
//! the median of 3 rounds' ratios, the two timed interleaved, nothing pinned to a CPU.
//!
//! * ours: `client.get_kol_fans_portrait_v1("kol-1").send().await` through the generated crate's public API, a
//!   client as `Client::builder(token).base_url(..).build()` makes it (default timeout and retry policy), into its
//!   typed `ApiResponse<Data>` (envelope, lenient types, mismatch count, the body kept).
//! * bare: what a program without the generated crate would write: a `reqwest::Client::new()` GET of the same URL,
//!   `bytes()`, `serde_json::from_slice` into `{ data: BareData }` (plain serde-derived structs of the portrait's
//!   shape, `support/seed.rs`; the decode benchmark's baseline).
//!
//! Both talk to one server on 127.0.0.1 (`support/mock_http.rs`, on a thread and a Tokio runtime of its own) that
//! answers every request with the seed portrait response; each client keeps one keep-alive connection. The two
//! clients run on one current-thread Tokio runtime on the main thread, and the scheduler places both threads. A
//! round sends `REQUESTS` requests per side in blocks of `BLOCK`, the sides alternating block by block (which
//! one goes first alternates too), so that a change of load on the shared machine hits both alike; the time per
//! request of a side in a round is its blocks' total over `REQUESTS`.
//!
//! `cargo test --benches` runs this once as a smoke test (a few requests, no judgement); the measurement is for
//! `cargo bench`.

// `get_kol_fans_portrait_v1` is deprecated upstream; the seed endpoint is benchmarked on purpose.
#![allow(deprecated)]

#[path = "support/mock_http.rs"]
mod mock_http;
#[path = "support/seed.rs"]
mod seed;

use std::hint::black_box;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use justoneapi_xiaohongshu_pgy::Client;
use seed::BareEnvelope;

/// The most a request of the generated client may cost, relative to the bare one.
const TARGET: f64 = 1.15;
/// What both sides GET: the request target the generated client sends for `get_kol_fans_portrait_v1("kol-1")`
/// (checked below against what the server received).
const PATH_AND_QUERY: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1?token=TOKEN&kolId=kol-1";

/// Rounds, requests per side per round, requests per block, warm-up requests per side (not counted).
struct Plan {
    rounds: usize,
    requests: usize,
    block: usize,
    warmup: usize,
}

const BENCH: Plan = Plan {
    rounds: 3,
    requests: 10_000,
    block: 100,
    warmup: 1_000,
};
const SMOKE: Plan = Plan {
    rounds: 1,
    requests: 20,
    block: 10,
    warmup: 2,
};

struct Sides {
    rt: tokio::runtime::Runtime,
    ours: Client,
    bare: reqwest::Client,
    url: String,
    counters: Arc<mock_http::Counters>,
    body_len: usize,
}

impl Sides {
    fn start() -> Sides {
        let body = serde_json::to_vec(&seed::seed_example()).unwrap();
        let body_len = body.len();
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
                    mock_http::serve(listener, response, counters).await
                })
            });
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Sides {
            rt,
            ours: Client::builder("TOKEN").base_url(&base).build().unwrap(),
            bare: reqwest::Client::new(),
            url: format!("{base}{PATH_AND_QUERY}"),
            counters,
            body_len,
        }
    }

    /// Seconds for `n` requests of the generated client.
    fn ours(&self, n: usize) -> f64 {
        self.rt.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                black_box(self.ours.get_kol_fans_portrait_v1("kol-1").send().await.unwrap());
            }
            start.elapsed().as_secs_f64()
        })
    }

    /// Seconds for `n` bare requests.
    fn bare(&self, n: usize) -> f64 {
        self.rt.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                let bytes = self.bare.get(&self.url).send().await.unwrap().bytes().await.unwrap();
                black_box(serde_json::from_slice::<BareEnvelope>(&bytes).unwrap());
            }
            start.elapsed().as_secs_f64()
        })
    }

    /// One request of each, in order: both decode the same portrait, and both sent the same request target.
    fn check(&self) {
        let ours = self
            .rt
            .block_on(self.ours.get_kol_fans_portrait_v1("kol-1").send())
            .unwrap();
        let bytes = self
            .rt
            .block_on(async { self.bare.get(&self.url).send().await.unwrap().bytes().await.unwrap() });
        let bare = serde_json::from_slice::<BareEnvelope>(&bytes).unwrap().data;
        let data = ours.data();
        assert_eq!(data.date_key.as_deref(), Some(bare.date_key.as_str()));
        assert_eq!(
            (
                data.ages.len(),
                data.interests.len(),
                data.provinces.len(),
                data.cities.len(),
                data.devices.len()
            ),
            (
                bare.ages.len(),
                bare.interests.len(),
                bare.provinces.len(),
                bare.cities.len(),
                bare.devices.len()
            )
        );
        let heads = self.counters.first_heads.lock().unwrap().clone();
        assert_eq!(heads.len(), 2, "one connection per client: {heads:?}");
        for (side, head) in ["generated client", "bare reqwest"].iter().zip(&heads) {
            let request_line = head.lines().next().unwrap_or_default();
            assert_eq!(request_line, format!("GET {PATH_AND_QUERY} HTTP/1.1"), "{side}");
            println!("{side} sends:\n  {}", head.replace("\r\n", "\n  "));
        }
    }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let plan = if bench { BENCH } else { SMOKE };
    let sides = Sides::start();
    sides.check();
    println!(
        "loopback request, generated client (ours) vs bare reqwest + serde_json, {}-byte body, {} round(s) of {} requests per side in alternating blocks of {}, nothing pinned",
        sides.body_len, plan.rounds, plan.requests, plan.block
    );
    sides.ours(plan.warmup);
    sides.bare(plan.warmup);
    let mut ratios = Vec::with_capacity(plan.rounds);
    for round in 1..=plan.rounds {
        let (mut ours, mut bare) = (0.0, 0.0);
        for block in 0..plan.requests / plan.block {
            if block % 2 == 0 {
                ours += sides.ours(plan.block);
                bare += sides.bare(plan.block);
            } else {
                bare += sides.bare(plan.block);
                ours += sides.ours(plan.block);
            }
        }
        let n = (plan.requests / plan.block * plan.block) as f64;
        let ratio = ours / bare;
        println!(
            "round {round}: ours {:.1} µs, bare {:.1} µs per request, ours/bare {ratio:.3}×",
            ours / n * 1e6,
            bare / n * 1e6
        );
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!("median ours/bare of {} round(s): {median:.3}×", plan.rounds);
    println!(
        "server: {} connections, {} requests",
        sides.counters.connections.load(Ordering::Relaxed),
        sides.counters.requests.load(Ordering::Relaxed)
    );
    if bench {
        println!(
            "target ≤ {TARGET:.2}× (median of {} rounds): {}",
            plan.rounds,
            if median <= TARGET { "yes" } else { "no" }
        );
    } else {
        println!("smoke run (no --bench): not judged");
    }
}
