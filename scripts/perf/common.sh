# Sourced by the scripts in scripts/perf/: paths, binaries, and the inputs every measurement shares.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
T=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$T
WORK=$T/perf
RESULTS=$WORK/results
mkdir -p "$WORK" "$RESULTS"
AGG=$ROOT/tests/fixtures/public-api/public-api-2026-08-21.json
PGY=xiaohongshu-pgy
XTASK=$T/release/xtask
PROG=$T/release/examples/progenitor_crate

need() { command -v "$1" >/dev/null || { echo "error: $1 is missing (${2:-apt-get install -y $1})" >&2; exit 1; }; }

# The release binaries every script uses: xtask, progenitor's generator (codegen example).
build_binaries() {
    cargo build --release -q -p xtask
    cargo build --release -q -p codegen --example progenitor_crate
}

# progenitor's inputs: our normalized 3.0 document of 2026-08-21, whole and cut to the Pgy paths, and the
# per-endpoint definitions behind generated/justoneapi-xiaohongshu-pgy (English) and behind every committed
# platform crate (all of specs/, English), normalized and merged.
normalized_inputs() {
    [ -f "$WORK/norm-specs.json" ] || "$PROG" normalize-dir "$ROOT/specs/definitions/$PGY" "$WORK/norm-specs.json"
    # shellcheck disable=SC2046 # one argument per platform folder
    [ -f "$WORK/norm-committed.json" ] || "$PROG" normalize-dir $(ls -d "$ROOT"/specs/definitions/*/) "$WORK/norm-committed.json"
    [ -f "$WORK/norm-all.json" ] || "$PROG" normalize "$AGG" "$WORK/norm-all.json"
    [ -f "$WORK/norm-pgy.json" ] || "$PROG" normalize "$AGG" "$WORK/norm-pgy.json" "$PGY"
}

# The platform crates of a `generate --all-platforms` folder: every crate but the shared runtime crate.
platform_dirs() { ls -d "$1"/justoneapi-*/ | grep -v "/justoneapi-runtime/$" | sed 's|/$||'; }
