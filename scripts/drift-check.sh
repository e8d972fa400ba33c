#!/usr/bin/env bash
# Scheduled drift check: has upstream changed the definitions vendored under specs/?
#
#   scripts/drift-check.sh [FETCH-ARGS...] > pr-body.md
#
# FETCH-ARGS go to `cargo xtask fetch` (e.g. `--base-url http://127.0.0.1:8080/openapi` to try it offline).
#
# Fetches every definition in specs/manifest.yaml into a temporary folder (specs/ is not touched), then runs
# `cargo xtask diff specs/<group> <tmp>/<group> --fail-on any --format markdown` for each docs group and
# prints the reports: the body of the pull request that `cargo xtask regen` would make.
#
# Exit codes: 0 no drift; 3 drift (stdout is the pull-request body); 1 error (a download failed, a definition
# does not load, ...; the reason is on stderr). Progress goes to stderr.
set -uo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! cargo xtask fetch --out "$tmp" "$@" >&2; then
    echo "drift-check: fetch failed (see above); cannot tell whether upstream drifted" >&2
    exit 1
fi

# Every docs group the manifest names (crate-level `group:` and per-endpoint overrides).
groups="$(sed -n 's/^[[:space:]]*group:[[:space:]]*\([^[:space:]#]*\).*/\1/p' specs/manifest.yaml | sort -u)"
if [ -z "$groups" ]; then
    echo "drift-check: no group in specs/manifest.yaml" >&2
    exit 1
fi

status=0
for group in $groups; do
    printf '## `specs/%s`\n\n' "$group"
    cargo xtask diff "specs/$group" "$tmp/$group" --fail-on any --format markdown
    rc=$?
    case "$rc" in
        0) ;;
        3) status=3 ;;
        *) echo "drift-check: cargo xtask diff failed for group $group (exit $rc)" >&2; exit 1 ;;
    esac
    printf '\n'
done

if [ "$status" -eq 3 ]; then
    printf 'Run `cargo xtask regen` to vendor these definitions, bump the crate versions and write the changelogs.\n'
fi
exit "$status"
