#!/usr/bin/env bash
# A loopback request of the generated client vs a bare reqwest + serde_json request of the same body
# (tests/benches/request.rs: the Pgy client's `get_kol_fans_portrait_v1(..).send()` into its typed response
# against a `reqwest::Client` GET of the same URL + `serde_json::from_slice` into plain serde-derived structs, one
# server on 127.0.0.1 answering with the seed portrait response). The two are timed interleaved (alternating
# blocks of requests), nothing pinned to a CPU, 3 rounds; target: the median of the rounds' ratios ours/bare
# ≤ 1.15×. Exits non-zero when the target is missed.
# Results: $CARGO_TARGET_DIR/perf/results/request.txt
# Usage: scripts/perf/request.sh
source "$(dirname "$0")/common.sh"
OUT=$RESULTS/request.txt
cargo bench -q -p tests --bench request 2>&1 | tee "$OUT"
if grep -q '^target .*: yes$' "$OUT"; then
    echo "target met" | tee -a "$OUT"
else
    echo "target NOT met" | tee -a "$OUT"
    exit 1
fi
