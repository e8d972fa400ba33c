#!/usr/bin/env bash
# Generates every platform of an aggregate definition and builds the result with warnings denied.
# Usage: scripts/check-all-platforms.sh [AGGREGATE.json] (default: the 2026-08-21 fixture)
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-tests/fixtures/public-api/public-api-2026-08-21.json}
out=target/all-platforms
rm -rf "$out"
cargo xtask generate --spec "$spec" --all-platforms --out "$out" 2>/dev/null
# Same dependency versions as the workspace, and its target folder, so dependencies are not built twice.
cp Cargo.lock "$out/"
start=$(date +%s)
# Warnings are counted, not denied with RUSTFLAGS: changing RUSTFLAGS would rebuild every dependency.
log=$(CARGO_TARGET_DIR="$PWD/target" cargo build --offline --message-format short --manifest-path "$out/Cargo.toml" 2>&1) || {
    echo "$log"
    exit 1
}
echo "all-platforms build: $(( $(date +%s) - start )) s for $(ls -d "$out"/*/ | wc -l) crates"
if grep -q "warning" <<<"$log"; then
    echo "$log" | grep -B2 -A5 "warning"
    echo "error: the generated crates build with warnings"
    exit 1
fi
