//! `cargo xtask regen --offline` minus the writes, in process (`cargo bench -p xtask --bench regen`): read
//! `specs/` (manifest, 50 per-endpoint definitions, overlays, type memory, lock, changelogs), then generate
//! every file of `generated/` in memory.

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

fn regen(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut g = c.benchmark_group("whole");
    g.sample_size(20).measurement_time(Duration::from_secs(6));
    g.bench_function("regen_25_endpoints", |b| {
        b.iter(|| xtask::cmd::regen::plan(&root).unwrap())
    });
    g.finish();
}

criterion_group!(benches, regen);
criterion_main!(benches);
