#!/usr/bin/env bash
# (b) Compile time of a generated crate alone, its dependencies already built: ours vs progenitor's output for
# the same operations (the Pgy operations; all 348 operations / 36 platforms of 2026-08-21; the committed
# platform crates of generated/, every endpoint of specs/).
#
# Four workspaces under $CARGO_TARGET_DIR/perf/compile, one shared target folder (and one of its own for
# ours-gen):
#   ours-committed  generated/justoneapi-xiaohongshu-pgy (from specs/, what the repo ships), copied to
#                   committed-pgy/ (a path of its own: cargo hashes path packages by their path relative to the
#                   workspace, so two same-named crates at the same relative path would share fingerprints)
#   ours-all        `xtask generate --all-platforms` of 2026-08-21 (36 crates; its Pgy crate has 25 operations)
#   ours-gen        generated/: the runtime and the committed platform crates (not the facade), with a target
#                   folder of its own (its crates have ours-all's names at ours-all's relative paths, and would
#                   share cargo's fingerprints, so each build would rebuild the other's runtime)
#   prog            progenitor's lib.rs for: the per-endpoint definitions behind the committed crate
#                   (progenitor-pgy-specs), the Pgy slice of 2026-08-21 (progenitor-pgy), everything
#                   (progenitor-all), all the English per-endpoint definitions of specs/ merged into one document
#                   (progenitor-committed: what the committed crates are generated from)
# Each measurement touches the crates' src/lib.rs and runs `cargo build` (dev profile, CARGO_INCREMENTAL=0, so
# the crate is compiled from scratch and nothing else is). progenitor's crates use reqwest 0.13 without TLS
# (what progenitor-client 0.15 needs); ours hyper-util + rustls: dependencies are prebuilt, so this does not
# enter the timing. The builds being compared are interleaved (interleave.py), ROUNDS rounds after a warm-up.
# Results: $CARGO_TARGET_DIR/perf/results/compile-*.{md,json}
# Usage: scripts/perf/compile.sh [ROUNDS] [pgy|all|both]   (default 7 both)
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-7}
WHAT=${2:-both}
build_binaries
normalized_inputs
committed_crates=$(platform_dirs "$ROOT/generated" | wc -l)
committed_ops=$(find "$ROOT"/generated/justoneapi-*/src/ops -name '*.rs' ! -name mod.rs | wc -l)
pgy_ops=$(find "$ROOT/generated/justoneapi-$PGY/src/ops" -name '*.rs' ! -name mod.rs | wc -l)
export COMMITTED="the $committed_crates committed platform crates (generated/, $committed_ops operations)"
C=$WORK/compile
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR=$C/target
mkdir -p "$C"

# ours-committed: the shipped crate, as its own workspace with the repository's lock file.
rm -rf "$C/ours-committed" && mkdir -p "$C/ours-committed"
cp -r generated/justoneapi-xiaohongshu-pgy "$C/ours-committed/committed-pgy"
# Its dependency, at the relative path its Cargo.toml names (built once, like progenitor-client).
cp -r generated/justoneapi-runtime "$C/ours-committed/justoneapi-runtime"
printf '[workspace]\nresolver = "2"\nmembers = ["committed-pgy", "justoneapi-runtime"]\n' >"$C/ours-committed/Cargo.toml"
cp Cargo.lock "$C/ours-committed/"
# ours-all: every platform (xtask writes the workspace Cargo.toml).
rm -rf "$C/ours-all"
"$XTASK" generate --spec "$AGG" --all-platforms --out "$C/ours-all" >/dev/null 2>&1
cp Cargo.lock "$C/ours-all/"
# ours-gen: the committed crates as the repository builds them (its lock file), the facade left out.
rm -rf "$C/ours-gen" && mkdir -p "$C/ours-gen"
gen_members=()
for d in generated/justoneapi-*/; do
    cp -r "$d" "$C/ours-gen/"
    gen_members+=("\"$(basename "$d")\"")
done
printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "$(IFS=,; echo "${gen_members[*]}")" >"$C/ours-gen/Cargo.toml"
cp Cargo.lock "$C/ours-gen/"
GEN_TARGET=$C/target-gen
# progenitor: its crates in one workspace. Its lock file is resolved once (crates.io) and kept.
mkdir -p "$C/prog"
"$PROG" generate "$WORK/norm-specs.json" "$C/prog/pgy-specs" progenitor-pgy-specs
"$PROG" generate "$WORK/norm-pgy.json" "$C/prog/pgy" progenitor-pgy
"$PROG" generate "$WORK/norm-all.json" "$C/prog/all" progenitor-all
"$PROG" generate "$WORK/norm-committed.json" "$C/prog/committed" progenitor-committed
printf '[workspace]\nresolver = "2"\nmembers = ["pgy-specs", "pgy", "all", "committed"]\n' >"$C/prog/Cargo.toml"

# Dependencies once (and a first build of the crates themselves).
for ws in ours-committed ours-all prog; do
    cargo build -q --manifest-path "$C/$ws/Cargo.toml" --workspace
done
CARGO_TARGET_DIR=$GEN_TARGET cargo build -q --manifest-path "$C/ours-gen/Cargo.toml" --workspace

b() { echo "cargo build -q --offline --manifest-path $C/$1/Cargo.toml $2"; }
# Each comparison is timed interleaved (interleave.py: every round builds each crate once, so a change of load
# on the shared machine hits both alike) and judged by the median of the per-round ratios.
# The shared runtime crate is a dependency of the 36 platform crates of ours-all, built beforehand and not timed.
[ "$WHAT" = all ] || python3 "$(dirname "$0")/interleave.py" "$RESULTS/compile-pgy" "$ROUNDS" \
    "ours: generated/justoneapi-xiaohongshu-pgy ($pgy_ops ops, from specs/)" \
        "touch $C/ours-committed/committed-pgy/src/lib.rs" \
        "$(b ours-committed "-p justoneapi-xiaohongshu-pgy")" \
    "progenitor: the same per-endpoint definitions ($pgy_ops ops, from specs/)" \
        "touch $C/prog/pgy-specs/src/lib.rs" \
        "$(b prog "-p progenitor-pgy-specs")" \
    "ours: justoneapi-xiaohongshu-pgy from 2026-08-21 (25 ops)" \
        "touch $C/ours-all/justoneapi-xiaohongshu-pgy/src/lib.rs" \
        "$(b ours-all "-p justoneapi-xiaohongshu-pgy")" \
    "progenitor: Pgy slice (25 ops)" \
        "touch $C/prog/pgy/src/lib.rs" \
        "$(b prog "-p progenitor-pgy")"

[ "$WHAT" = pgy ] || python3 "$(dirname "$0")/interleave.py" "$RESULTS/compile-all" "$ROUNDS" \
    "ours: 36 crates, all platforms (348 ops)" \
        "touch $(platform_dirs "$C/ours-all" | sed 's|$|/src/lib.rs|' | tr '\n' ' ')" \
        "$(b ours-all --workspace)" \
    "progenitor: one crate, all platforms (348 ops)" \
        "touch $C/prog/all/src/lib.rs" \
        "$(b prog "-p progenitor-all")"
# The committed platform crates (the shared runtime crate built beforehand and not timed) against progenitor on
# the same English definitions.
[ "$WHAT" = pgy ] || python3 "$(dirname "$0")/interleave.py" "$RESULTS/compile-committed" "$ROUNDS" \
    "ours: $COMMITTED" \
        "touch $(platform_dirs "$C/ours-gen" | sed 's|$|/src/lib.rs|' | tr '\n' ' ')" \
        "env CARGO_TARGET_DIR=$GEN_TARGET $(b ours-gen --workspace)" \
    "progenitor: one crate, the same definitions ($committed_ops ops)" \
        "touch $C/prog/committed/src/lib.rs" \
        "$(b prog "-p progenitor-committed")"
# The fixed cost every one of our platform crates pays (lib.rs, client newtype, ops/mod.rs): the crate with
# the fewest operations.
small=$(for d in $(platform_dirs "$C/ours-all"); do echo "$(ls "$d/src/ops" | wc -l) $(basename "$d")"; done | sort -n | head -1 | cut -d' ' -f2)
[ "$WHAT" = pgy ] || python3 "$(dirname "$0")/interleave.py" "$RESULTS/compile-small" "$ROUNDS" \
    "ours: $small alone ($(($(ls "$C/ours-all/$small/src/ops" | wc -l) - 1)) op)" \
        "touch $C/ours-all/$small/src/lib.rs" \
        "$(b ours-all "-p $small")"
cat "$RESULTS"/compile-*.md
# The targets: each of our crates (or all of them) compiles in at most half of progenitor's time on the same
# definitions, judged by the median of the per-round ratios (the JSON keeps the order of the commands above).
python3 - "$RESULTS" "$WHAT" <<'PY' | tee "$RESULTS/compile-verdict.txt"
import json, os, statistics, sys
results, what = sys.argv[1], sys.argv[2]
def load(name):
    return json.load(open(f"{results}/compile-{name}.json"))["results"]
rows = []
if what != "all":
    r = load("pgy")
    rows += [("Pgy crate from specs/ (committed)", r[0], r[1]), ("Pgy crate of 2026-08-21", r[2], r[3])]
if what != "pgy":
    r = load("all")
    rows += [("all platforms of 2026-08-21 (36 crates)", r[0], r[1])]
    r = load("committed")
    rows += [(os.environ["COMMITTED"], r[0], r[1])]
for name, ours, prog in rows:
    ratio = statistics.median(o / p for o, p in zip(ours["times"], prog["times"]))
    print(f"compile {name}: ours {ours['median']:.2f} s, progenitor {prog['median']:.2f} s (medians), "
          f"ratio {ratio:.2f}x (median of {len(ours['times'])} paired rounds) [<= 0.5]: {'met' if ratio <= 0.5 else 'NOT met'}")
PY
