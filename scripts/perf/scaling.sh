#!/usr/bin/env bash
# (e) Scaling: whole-process `generate --all-platforms` on the 2026-08-21 aggregate at 1x, 2x and 4x its size
# (scale_aggregate.py clones every platform under a new name), time (hyperfine, steady state: the output folder
# already holds the result, so nothing is written) and peak RSS (/usr/bin/time -v, max of 3 runs into a fresh
# folder). Growth is linear or better when, for every factor k, time(k) <= k x time(1) and
# peak(k) <= k x peak(1) (10% allowance for the shared machine's noise). Result: results/scaling.md.
# Usage: scripts/perf/scaling.sh [RUNS] [FACTORS...]   (defaults: 10; 1 2 4)
source "$(dirname "$0")/common.sh"
need hyperfine
[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 1; }
RUNS=${1:-10}
shift || true
FACTORS=("$@")
[ ${#FACTORS[@]} -gt 0 ] || FACTORS=(1 2 4)
[ -n "${SKIP_BUILD:-}" ] || cargo build --release -q -p xtask
out=$WORK/scaling
rm -rf "$out" && mkdir -p "$out"

args=()
for k in "${FACTORS[@]}"; do
    python3 "$ROOT/scripts/perf/scale_aggregate.py" "$AGG" "$k" "$out/x$k.json"
    # Steady state for the timed runs; warnings about upstream's bugs go to stderr, which is not timed output.
    "$XTASK" generate --spec "$out/x$k.json" --all-platforms --out "$out/steady-x$k" >/dev/null 2>&1
    args+=(-n "x$k" "$XTASK generate --spec $out/x$k.json --all-platforms --out $out/steady-x$k")
done
hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$out/time.json" "${args[@]}" >&2

peak() { # peak RSS in KiB, max over 3 runs into a fresh folder
    local max=0 kb
    for _ in 1 2 3; do
        rm -rf "$out/mem"
        kb=$(/usr/bin/time -v "$XTASK" generate --spec "$1" --all-platforms --out "$out/mem" 2>&1 >/dev/null |
            awk '/Maximum resident/ {print $6}')
        if [ "$kb" -gt "$max" ]; then max=$kb; fi
    done
    echo "$max"
}
for k in "${FACTORS[@]}"; do
    echo "$k $(peak "$out/x$k.json") $(wc -c <"$out/x$k.json") $(platform_dirs "$out/steady-x$k" | wc -l)"
done >"$out/memory.txt"

python3 - "$out/time.json" "$out/memory.txt" <<'PY' | tee "$RESULTS/scaling.md"
import json, sys
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rows = [line.split() for line in open(sys.argv[2])]
base_t = times["x" + rows[0][0]]["mean"]
base_m = int(rows[0][1])
base_k = int(rows[0][0])
print("| size | input | crates | generate (mean ± σ) | time / 1x | peak RSS | memory / 1x | linear? |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
ok_all = True
for k, kb, size, crates in rows:
    k, kb = int(k), int(kb)
    t = times[f"x{k}"]
    rt, rm = t["mean"] / base_t, kb / base_m
    bound = k / base_k * 1.10
    ok = rt <= bound and rm <= bound
    ok_all &= ok
    print(f"| {k}x | {int(size) / 1e6:.1f} MB | {crates} | {t['mean'] * 1e3:.0f} ms ± {t['stddev'] * 1e3:.0f} "
          f"| {rt:.2f}x | {kb / 1024:.1f} MiB | {rm:.2f}x | {'yes' if ok else 'NO'} (<= {bound:.2f}x) |")
print()
print("growth at most linear:", "met" if ok_all else "NOT met")
PY
