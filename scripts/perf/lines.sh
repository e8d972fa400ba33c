#!/usr/bin/env bash
# (c) Lines of generated Rust: ours vs progenitor's for the same operations. "code" = lines that are neither
# blank nor comments (`//`, `///`, `//!`). Ours is shown with and without the shared runtime crate
# (generated/justoneapi-runtime: client, retries, errors, codes, servers; emitted once per run). Needs
# scripts/perf/compile.sh's outputs, or makes them.
# Results: $CARGO_TARGET_DIR/perf/results/lines.txt
source "$(dirname "$0")/common.sh"
C=$WORK/compile
[ -f "$C/prog/pgy-specs/src/lib.rs" ] && [ -d "$C/ours-all" ] || bash "$(dirname "$0")/compile.sh" 1 >/dev/null
count() { # total and code lines of the .rs files given
    cat "$@" | awk '{ t++ } !/^[[:space:]]*$/ && !/^[[:space:]]*\/\// { c++ } END { printf "%8d total %8d code", t, c }'
}
{
    echo "generated Rust lines (2026-08-21 unless noted)"
    echo "  ours Pgy, committed (specs/)   crate:     $(count $(find generated/justoneapi-xiaohongshu-pgy -name '*.rs'))"
    echo "                                 + runtime: $(count $(find generated/justoneapi-xiaohongshu-pgy generated/justoneapi-runtime -name '*.rs'))"
    echo "  progenitor, same specs/ input  lib.rs:    $(count "$C/prog/pgy-specs/src/lib.rs")"
    echo "  ours Pgy (25 ops)              crate:     $(count $(find "$C/ours-all/justoneapi-xiaohongshu-pgy/src" -name '*.rs'))"
    echo "  progenitor Pgy (25 ops)        lib.rs:    $(count "$C/prog/pgy/src/lib.rs")"
    echo "  ours all platforms (36 crates) crates:    $(count $(find $(platform_dirs "$C/ours-all") -name '*.rs'))"
    echo "                                 runtime:   $(count $(find "$C/ours-all/justoneapi-runtime/src" -name '*.rs'))"
    echo "  progenitor all (348 ops)       lib.rs:    $(count "$C/prog/all/src/lib.rs")"
} | tee "$RESULTS/lines.txt"
