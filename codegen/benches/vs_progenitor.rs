//! Our generator next to progenitor's on the same operations, in one run (`cargo bench -p codegen --bench
//! vs_progenitor`). Prints the medians and the ratios the "Performance" issue asks for.
//!
//! The machine is shared and noisy, so the contenders are timed interleaved: every round runs each case once
//! (in a rotating order) and the median over rounds is reported; a load spike hits all cases alike.
//!
//! * ours, all platforms: read + `codegen::generate_spec` on the 2026-08-21 aggregate (read + parse + normalize +
//!   lower + emit + format, every file of the 36 crates in memory; no disk writes).
//! * progenitor, all platforms: read our normalized 3.0 document (`json::export::normalized_document`,
//!   written to a temp file once) + `serde_json::from_slice::<openapiv3::OpenAPI>` + `Generator::generate_tokens`
//!   + `syn::parse2` + `prettyplease::unparse`, what a progenitor `build.rs` does.
//! * serde_json floor: `serde_json::from_slice::<Value>` of the 1.1 MB aggregate, bytes already in memory.
//! * the 25 Pgy operations: ours = `codegen::generate_spec` with `--platform xiaohongshu-pgy` on the whole aggregate (it
//!   still parses, normalizes and lowers all 348 operations, then filters) and, for a like-for-like input, on the
//!   aggregate cut down to the Pgy paths; progenitor = the normalized document cut down to the Pgy paths.
//!
//! `PERF_ROUNDS` (default 15) sets the number of timed rounds; 2 warm-up rounds are discarded.
//!
//! The process uses mimalloc, the allocator `cargo xtask` ships with; progenitor runs under it too.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use codegen::manifest::Manifest;
use codegen::SpecOptions;
use serde_json::Value;

const PGY: &str = "xiaohongshu-pgy";

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Keeps only the paths under `/api/<platform>/` (components, servers, tags stay).
fn slice(doc: &Value, platform: &str) -> Value {
    let mut doc = doc.clone();
    let prefix = format!("/api/{platform}/");
    doc["paths"]
        .as_object_mut()
        .unwrap()
        .retain(|path, _| path.starts_with(&prefix));
    doc
}

/// progenitor's whole job on one document file: parse, generate, format. Returns the formatted source.
fn progenitor(file: &Path) -> String {
    let bytes = std::fs::read(file).unwrap();
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes).unwrap();
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&spec).unwrap();
    prettyplease::unparse(&syn::parse2::<syn::File>(tokens).unwrap())
}

fn ours(spec: &Path, manifest: &Manifest, platform: Option<&str>) -> usize {
    let opts = SpecOptions {
        platform: platform.map(str::to_owned),
        ..SpecOptions::default()
    };
    let input = codegen::SpecInput::File(codegen::Source::new(spec, std::fs::read(spec).unwrap()));
    let outputs = codegen::generate_spec(&input, manifest, &opts, &codegen::Memories::new()).unwrap();
    outputs.files.values().map(|f| f.len()).sum()
}

struct Case<'a> {
    name: &'static str,
    run: Box<dyn Fn() -> usize + 'a>,
    samples: Vec<Duration>,
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    let n = samples.len();
    if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing special: one quick round then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds: usize = if quick {
        1
    } else {
        std::env::var("PERF_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(15)
    };
    let warmup = if quick { 0 } else { 2 };

    let root = root();
    let manifest_path = root.join("specs/manifest.yaml");
    let manifest = Manifest::parse(&std::fs::read_to_string(&manifest_path).unwrap(), &manifest_path).unwrap();
    let aggregate = root.join("tests/fixtures/public-api/public-api-2026-08-21.json");
    let raw_bytes = std::fs::read(&aggregate).unwrap();
    let raw: Value = serde_json::from_slice(&raw_bytes).unwrap();
    let normalized = codegen::json::export::normalized_document(
        &codegen::Source::new(&aggregate, raw_bytes.clone()),
        &mut Vec::new(),
    )
    .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, doc: &Value| {
        let p = tmp.path().join(name);
        std::fs::write(&p, serde_json::to_vec(doc).unwrap()).unwrap();
        p
    };
    let norm_all = write("normalized-all.json", &normalized);
    let norm_pgy = write("normalized-pgy.json", &slice(&normalized, PGY));
    let raw_pgy = write("raw-pgy.json", &slice(&raw, PGY));

    let count_ops = |doc: &Value| -> usize {
        doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|m| *m == "get" || *m == "post")
                    .count()
            })
            .sum()
    };
    println!(
        "inputs: aggregate 2026-08-21 {} bytes, {} operations; Pgy slice {} operations",
        raw_bytes.len(),
        count_ops(&raw),
        count_ops(&slice(&raw, PGY))
    );
    let lines = |s: &str| s.lines().count();
    println!(
        "outputs (sanity): progenitor all {} lines, progenitor Pgy {} lines",
        lines(&progenitor(&norm_all)),
        lines(&progenitor(&norm_pgy))
    );

    let mut cases = vec![
        Case {
            name: "ours_all_platforms",
            run: Box::new(|| ours(&aggregate, &manifest, None)),
            samples: Vec::new(),
        },
        Case {
            name: "progenitor_all_platforms",
            run: Box::new(|| progenitor(&norm_all).len()),
            samples: Vec::new(),
        },
        Case {
            name: "serde_json_floor",
            run: Box::new(|| match serde_json::from_slice::<Value>(&raw_bytes).unwrap() {
                Value::Object(m) => m.len(),
                _ => 0,
            }),
            samples: Vec::new(),
        },
        Case {
            name: "ours_pgy_filter",
            run: Box::new(|| ours(&aggregate, &manifest, Some(PGY))),
            samples: Vec::new(),
        },
        Case {
            name: "ours_pgy_slice",
            run: Box::new(|| ours(&raw_pgy, &manifest, Some(PGY))),
            samples: Vec::new(),
        },
        Case {
            name: "progenitor_pgy",
            run: Box::new(|| progenitor(&norm_pgy).len()),
            samples: Vec::new(),
        },
    ];

    let n = cases.len();
    for round in 0..warmup + rounds {
        for k in 0..n {
            let case = &mut cases[(round + k) % n];
            let start = Instant::now();
            std::hint::black_box((case.run)());
            let took = start.elapsed();
            if round >= warmup {
                case.samples.push(took);
            }
        }
    }

    let mut med = std::collections::BTreeMap::new();
    println!("\nmedians over {rounds} interleaved rounds:");
    for case in &mut cases {
        let (min, max) = (*case.samples.iter().min().unwrap(), *case.samples.iter().max().unwrap());
        let m = median(&mut case.samples);
        println!("  {:<26} {:>12}   (min {}, max {})", case.name, ms(m), ms(min), ms(max));
        med.insert(case.name, m.as_secs_f64());
    }
    let ratio = |a: &str, b: &str| med[a] / med[b];
    println!("\nratios (target in brackets):");
    println!(
        "  ours_all / progenitor_all   = {:.3}x   [<= 0.25]",
        ratio("ours_all_platforms", "progenitor_all_platforms")
    );
    println!(
        "  ours_all / serde_json floor = {:.2}x   [<= 8]",
        ratio("ours_all_platforms", "serde_json_floor")
    );
    println!(
        "  ours_pgy_filter / progenitor_pgy = {:.3}x",
        ratio("ours_pgy_filter", "progenitor_pgy")
    );
    println!(
        "  ours_pgy_slice  / progenitor_pgy = {:.3}x",
        ratio("ours_pgy_slice", "progenitor_pgy")
    );
}
