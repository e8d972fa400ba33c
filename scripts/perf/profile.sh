#!/usr/bin/env bash
# Where the all-platform `generate` spends its time: `perf record` (DWARF call graphs from the release binary's
# unwind tables; no debug build needed) over a few runs of `xtask generate --all-platforms` on 2026-08-21.
# Results: $CARGO_TARGET_DIR/perf/results/profile-{children,self}.txt (inclusive and self time by function).
# Usage: scripts/perf/profile.sh [RUNS]   (default 5)
source "$(dirname "$0")/common.sh"
need perf "apt-get install -y linux-perf"
RUNS=${1:-5}
cargo build --release -q -p xtask
out=$WORK/profile
rm -rf "$out" && mkdir -p "$out"
"$XTASK" generate --spec "$AGG" --all-platforms --out "$out/gen" >/dev/null 2>&1
perf record -q -o "$out/perf.data" -F 1999 --call-graph dwarf,32768 -- \
    bash -c "for i in \$(seq $RUNS); do '$XTASK' generate --spec '$AGG' --all-platforms --out '$out/gen' >/dev/null 2>&1; done"
report() { perf report -i "$out/perf.data" --comm xtask --stdio -g none --percent-limit 1.5 "$@" 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-150; }
report --children --sort symbol >"$RESULTS/profile-children.txt"
report --no-children --sort symbol >"$RESULTS/profile-self.txt"
echo "inclusive (children) time, top entries:"; head -45 "$RESULTS/profile-children.txt"
echo; echo "self time, top entries:"; head -25 "$RESULTS/profile-self.txt"
