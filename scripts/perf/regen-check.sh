#!/usr/bin/env bash
# Whole-process `cargo xtask regen --offline` and `cargo xtask check` over the whole of specs/ (every platform of
# the vendored catalogue), release binary, on a copy of the checkout (README.md, specs/, generated/) so nothing
# of this one is touched. Targets: regen < 2 s, check < 3 s, each the mean of its hyperfine runs (absolute
# targets, not a comparison). Results: $CARGO_TARGET_DIR/perf/results/regen-check.{md,json,txt}.
# Usage: scripts/perf/regen-check.sh [RUNS]   (default 10)
source "$(dirname "$0")/common.sh"
need hyperfine
RUNS=${1:-10}
cargo build --release -q -p xtask
copy=$WORK/regen-check
rm -rf "$copy" && mkdir -p "$copy"
cp -r README.md specs generated "$copy/"
"$XTASK" --root "$copy" regen --offline >/dev/null 2>&1
endpoints=$(find specs/definitions -name '*.en.json' | wc -l)
operations=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len([m for m in i if m in ("get","post")]) for i in d["paths"].values()))' specs/catalogue/public-api.json)
crates=$(ls -d generated/justoneapi*/ | wc -l)
echo "input: $operations operations in the catalogue, $endpoints vendored endpoints (en + zh), $crates crates"
# -N: no intermediate shell. Warnings about upstream's bugs go to stderr, which hyperfine discards.
hyperfine -N --warmup 2 --runs "$RUNS" \
    --export-markdown "$RESULTS/regen-check.md" --export-json "$RESULTS/regen-check.json" \
    -n "regen --offline (whole API, nothing to write)" "$XTASK --root $copy regen --offline" \
    -n "check (whole API)" "$XTASK --root $copy check"
python3 - "$RESULTS/regen-check.json" <<'PY' | tee "$RESULTS/regen-check.txt"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for result, target in zip(r, (2.0, 3.0)):
    mean, sd = result["mean"], result["stddev"]
    verdict = "met" if mean < target else "NOT met"
    print(f"{result['command']}: mean {mean * 1000:.0f} ms (sd {sd * 1000:.0f} ms, min {result['min'] * 1000:.0f} ms) [< {target:.0f} s]: {verdict}")
PY
