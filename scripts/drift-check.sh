#!/usr/bin/env bash
# Scheduled drift check: has upstream changed the definitions vendored under specs/?
#
#   scripts/drift-check.sh [FETCH-ARGS...] > pr-body.md
#
# A thin wrapper around `cargo xtask drift` (see `xtask/src/cmd/drift.rs`): FETCH-ARGS are its arguments
# (e.g. `--catalogue catalogue.json --base-url http://127.0.0.1:8080/openapi` to try it against a local copy).
# The catalogue's credentials come from JUSTONEAPI_CATALOGUE_USER / JUSTONEAPI_CATALOGUE_PASSWORD.
#
# Exit codes: 0 no drift; 3 drift (stdout is the pull-request body); 1 error (the catalogue or a definition could
# not be downloaded, something does not load, ...; the reason is on stderr).
set -uo pipefail
cd "$(dirname "$0")/.."
exec cargo xtask drift "$@"
