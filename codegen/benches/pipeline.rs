//! The generator's time, whole and stage by stage (criterion; `cargo bench -p codegen --bench pipeline`).
//!
//! (The 25-endpoint regen, read from disk as `cargo xtask` does, is `cargo bench -p xtask --bench regen`.)
//! * `whole/all_platforms_2026_08_21`: read + `codegen::generate_spec` on the 1.1 MB aggregate (348 operations,
//!   36 platforms), what `cargo xtask generate --all-platforms` computes before writing.
//! * `stage/*` on the same aggregate, each stage alone with its input prepared outside the timing:
//!   - `parse`: read the file + `serde_json::from_slice::<Value>` (`json::load::parse_json`);
//!   - `normalize`: 3.1 -> 3.0 downgrade + upstream fixups + `Value` -> `openapiv3::OpenAPI`;
//!   - `lower_infer`: `openapiv3` -> IR, response examples -> shapes (`lower::lower`);
//!   - `front_to_ir`: parse + normalize + lower + grouping by platform + successors + name checks
//!     (`codegen::spec_apis`); grouping/finish is not public on its own, it is `front_to_ir` minus the three
//!     stages above;
//!   - `emit_format`: IR -> every file of the 36 crates (`codegen::emit_crates`, every file of every crate on one
//!     rayon pool: names, `quote!`, `syn::parse2`, `prettyplease::unparse`, item spacing);
//!   - `format`: `syn::parse2` + `prettyplease::unparse` of the same Rust files (token streams re-read from
//!     the emitted text), on one thread: what formatting costs without the shortcuts of `emit/format.rs` (one
//!     doc attribute per line, every item parsed), which `emit_format` takes on a rayon pool.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use codegen::manifest::{Lang, Manifest};
use codegen::{EmitOptions, Memories, Source, SpecInput, SpecOptions};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn aggregate() -> PathBuf {
    root().join("tests/fixtures/public-api/public-api-2026-08-21.json")
}

/// Read the file + `serde_json::from_slice::<Value>`.
fn read_json(spec: &Path) -> serde_json::Value {
    codegen::json::load::parse_json(&std::fs::read(spec).unwrap(), spec).unwrap()
}

fn manifest() -> Manifest {
    let path = root().join("specs/manifest.yaml");
    Manifest::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}

/// The aggregate as `cargo xtask generate --spec` reads it.
fn input(spec: &Path) -> SpecInput {
    SpecInput::File(Source::new(spec, std::fs::read(spec).unwrap()))
}

fn whole(c: &mut Criterion) {
    let spec = aggregate();
    let manifest = manifest();
    let mut g = c.benchmark_group("whole");
    g.sample_size(20).measurement_time(Duration::from_secs(6));
    g.bench_function("all_platforms_2026_08_21", |b| {
        b.iter(|| {
            let input = input(&spec);
            codegen::generate_spec(&input, &manifest, &SpecOptions::default(), &Memories::new()).unwrap()
        })
    });
    g.finish();
}

fn stages(c: &mut Criterion) {
    let spec = aggregate();
    let manifest = manifest();
    let parsed = read_json(&spec);
    let normalized = {
        let mut doc = parsed.clone();
        codegen::json::downgrade::downgrade(&mut doc);
        codegen::json::fixups::apply(&mut doc, &spec, &mut Vec::new());
        codegen::json::load::to_openapi(doc, &spec).unwrap()
    };
    let apis = codegen::spec_apis(&input(&spec), &manifest, &SpecOptions::default(), &mut Vec::new()).unwrap();
    let opts = EmitOptions {
        digest: "0".repeat(64),
        command: codegen::GENERATE_COMMAND.to_owned(),
    };
    let changelogs = vec![None; apis.len()];
    // The platform crates' Rust files as token streams, for the format stage alone: what `syn` + prettyplease
    // cost on the files `emit_format` produces (single-threaded; the emitter writes most of that code as text
    // and formats little of it, see `emit/format.rs`). The runtime crate, mostly verbatim templates, is emitted
    // once and not measured.
    let rust_tokens: Vec<proc_macro2::TokenStream> = codegen::emit_crates(&apis, &opts, &changelogs)
        .unwrap()
        .into_iter()
        .flatten()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| proc_macro2::TokenStream::from_str(&f.contents).unwrap())
        .collect();

    let mut g = c.benchmark_group("stage");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function("parse", |b| b.iter(|| read_json(&spec)));
    g.bench_function("normalize", |b| {
        b.iter_batched(
            || parsed.clone(),
            |mut doc| {
                let mut warnings = Vec::new();
                codegen::json::downgrade::downgrade(&mut doc);
                codegen::json::fixups::apply(&mut doc, &spec, &mut warnings);
                codegen::json::load::to_openapi(doc, &spec).unwrap()
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("lower_infer", |b| {
        b.iter(|| codegen::lower::lower(&normalized, &spec, Lang::En, &mut Vec::new()).unwrap())
    });
    g.bench_function("front_to_ir", |b| {
        b.iter(|| codegen::spec_apis(&input(&spec), &manifest, &SpecOptions::default(), &mut Vec::new()).unwrap())
    });
    g.bench_function("emit_format", |b| {
        b.iter(|| {
            codegen::emit_crates(&apis, &opts, &changelogs)
                .unwrap()
                .iter()
                .map(Vec::len)
                .sum::<usize>()
        })
    });
    g.bench_function("format", |b| {
        b.iter_batched(
            || rust_tokens.clone(),
            |streams| {
                streams
                    .into_iter()
                    .map(|t| prettyplease::unparse(&syn::parse2::<syn::File>(t).unwrap()).len())
                    .sum::<usize>()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, whole, stages);
criterion_main!(benches);
