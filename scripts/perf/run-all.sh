#!/usr/bin/env bash
# Every performance measurement of the "Performance" issue, once, in one run (takes ~45 min on 2 cores, 28 of them
# compile.sh, where progenitor's crate for every English definition of specs/ takes minutes a build).
# Logs and results: $CARGO_TARGET_DIR/perf/results/ (bench-*.txt, process.md, memory.txt, regen-check.txt,
# compile-*.md, lines.txt, request.txt, scaling.md, decoders.txt, profile-*.txt).
source "$(dirname "$0")/common.sh"
dir=$(dirname "$0")
cargo bench -p codegen --bench vs_progenitor 2>&1 | tee "$RESULTS/bench-vs-progenitor.txt"
cargo bench -p codegen --bench pipeline 2>&1 | tee "$RESULTS/bench-pipeline.txt"
cargo bench -p tests --bench decode 2>&1 | tee "$RESULTS/bench-decode.txt"
bash "$dir/process.sh"
bash "$dir/regen-check.sh"
bash "$dir/compile.sh"
bash "$dir/lines.sh"
bash "$dir/request.sh"
bash "$dir/scaling.sh"
bash "$dir/decoders.sh"
bash "$dir/profile.sh"
echo "results in $RESULTS"
