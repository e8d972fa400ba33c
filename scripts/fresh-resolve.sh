#!/usr/bin/env bash
# The generated crates as a downstream project gets them: without this repository's Cargo.lock, every
# dependency resolved afresh to its latest compatible version, then checked with warnings denied (all
# features, all targets). A new release of a dependency that deprecates what the runtime calls, or breaks it,
# fails here before a user sees it. Needs the crates.io index (CI: the package registries are reachable).
# Usage: scripts/fresh-resolve.sh        (work folder: target/fresh-resolve; its own target folder)
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/fresh-resolve
rm -rf "$work/crates"
mkdir -p "$work/crates"
cp -R generated/justoneapi* "$work/crates/"
# A workspace of the copies only: the path dependencies between them stay as they are in generated/.
# Resolver 2, as most downstream projects have it: the newest compatible versions, whatever their rust-version.
cat > "$work/crates/Cargo.toml" <<'TOML'
[workspace]
members = ["justoneapi*"]
resolver = "2"
TOML
rm -f "$work/crates/Cargo.lock"
(cd "$work/crates" && cargo generate-lockfile --quiet)
echo "fresh resolve: $(grep -c '^name = ' "$work/crates/Cargo.lock") packages; reqwest $(grep -A1 '^name = "reqwest"$' "$work/crates/Cargo.lock" | sed -n 's/version = //p' | tr -d '"')"
start=$(date +%s)
# -D warnings reaches only the workspace's own crates: cargo caps lints of registry dependencies.
CARGO_TARGET_DIR="$PWD/$work/target" RUSTFLAGS="-D warnings" \
    cargo check --quiet --manifest-path "$work/crates/Cargo.toml" --workspace --all-targets --all-features
echo "fresh resolve: $(ls -d "$work"/crates/*/ | wc -l) crates checked, warnings denied, in $(( $(date +%s) - start )) s"
