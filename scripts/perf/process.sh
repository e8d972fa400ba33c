#!/usr/bin/env bash
# (a) Whole-process time (hyperfine) and peak memory (/usr/bin/time -v): ours vs progenitor, release binaries
# already built. Results: $CARGO_TARGET_DIR/perf/results/process.{md,json}, memory.txt.
# Usage: scripts/perf/process.sh [RUNS]   (default 20)
source "$(dirname "$0")/common.sh"
need hyperfine
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 1; }
RUNS=${1:-20}
build_binaries
normalized_inputs
out=$WORK/process
rm -rf "$out" && mkdir -p "$out"
# Steady state: the output folder already holds what generation produces, so nothing is written.
"$XTASK" generate --spec "$AGG" --all-platforms --out "$out/all-steady" >/dev/null 2>&1
"$XTASK" generate --spec "$AGG" --platform "$PGY" --out "$out/pgy-steady" >/dev/null 2>&1

# A checkout of the Pgy crate alone: the manifest, catalogue, lock, lifecycle, overlays and type memory cut to it
# (scripts/perf/cut_checkout.py); `generated/` written by a first run. What `regen --offline` costs for one
# platform, with the per-run costs that do not grow with the API.
pgy_root=$out/pgy-root
python3 scripts/perf/cut_checkout.py "$ROOT" "$PGY" "$pgy_root"
endpoints=$(ls "$pgy_root/specs/definitions/$PGY" | grep -c '\.en\.json$')
echo "Pgy-only checkout: $endpoints vendored endpoints"
"$XTASK" --root "$pgy_root" regen --offline >/dev/null
"$XTASK" --root "$pgy_root" check >/dev/null
# -N: no intermediate shell. Warnings about upstream's bugs go to stderr, which hyperfine discards.
hyperfine -N --warmup 3 --runs "$RUNS" \
    --export-markdown "$RESULTS/process.md" --export-json "$RESULTS/process.json" \
    -n "ours: regen --offline (all of specs/; nothing to write)" "$XTASK regen --offline" \
    -n "ours: generate --all-platforms (steady, nothing to write)" \
        "$XTASK generate --spec $AGG --all-platforms --out $out/all-steady" \
    -n "ours: generate --all-platforms (fresh folder)" --prepare "rm -rf $out/all-fresh" \
        "$XTASK generate --spec $AGG --all-platforms --out $out/all-fresh" \
    -n "progenitor: all platforms (normalized doc -> lib.rs)" \
        "$PROG generate $WORK/norm-all.json $out/prog-all progenitor-all" \
    -n "ours: generate --platform xiaohongshu-pgy (steady)" \
        "$XTASK generate --spec $AGG --platform $PGY --out $out/pgy-steady" \
    -n "progenitor: Pgy slice (normalized doc -> lib.rs)" \
        "$PROG generate $WORK/norm-pgy.json $out/prog-pgy progenitor-pgy" \
    -n "ours: regen --offline (Pgy alone, 3 crates; nothing to write)" \
        "$XTASK --root $pgy_root regen --offline"

peak() { # peak RSS in KiB of a command writing into a fresh folder, max over 3 runs
    local max=0 kb
    for _ in 1 2 3; do
        rm -rf "$out/mem-all" "$out/mem-prog"
        kb=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {print $6}')
        if [ "$kb" -gt "$max" ]; then max=$kb; fi
    done
    echo "$max"
}
ours_kb=$(peak "$XTASK" generate --spec "$AGG" --all-platforms --out "$out/mem-all")
prog_kb=$(peak "$PROG" generate "$WORK/norm-all.json" "$out/mem-prog" progenitor-all)
awk -v o="$ours_kb" -v p="$prog_kb" 'BEGIN {
    print "peak RSS, all platforms of 2026-08-21 (max of 3 runs):"
    printf "  ours       (xtask generate --all-platforms)   %6.1f MiB\n", o / 1024
    printf "  progenitor (progenitor_crate generate, all)   %6.1f MiB\n", p / 1024
    printf "  ratio ours/progenitor                         %6.3f   [<= 0.5]\n", o / p
}' | tee "$RESULTS/memory.txt"
cat "$RESULTS/process.md"
# The targets of whole-process generation (hyperfine's JSON keeps the order of the commands above).
python3 - "$RESULTS/process.json" <<'PY' | tee -a "$RESULTS/memory.txt"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
regen, generate = r[0]["mean"] * 1000, r[1]["mean"] * 1000
print(f"all-platform generate, whole process, nothing to write: mean {generate:.1f} ms [< 100 ms]: {'met' if generate < 100 else 'NOT met'}")
print(f"regen --offline over specs/: mean {regen:.0f} ms (see regen-check.sh for its target)")
pgy = r[6]["mean"] * 1000
print(f"regen --offline, Pgy alone, nothing to write: mean {pgy:.1f} ms [< 50 ms]: {'met' if pgy < 50 else 'NOT met'}")
PY
