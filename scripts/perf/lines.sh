#!/usr/bin/env bash
# (c) Lines of generated Rust: ours vs progenitor's for the same operations. "code" = lines that are neither
# blank nor comments (`//`, `///`, `//!`). Ours includes the runtime copied into every crate (runtime.rs,
# error.rs, blocking.rs: shown apart). Needs scripts/perf/compile.sh's outputs, or makes them.
# Results: $CARGO_TARGET_DIR/perf/results/lines.txt
source "$(dirname "$0")/common.sh"
C=$WORK/compile
[ -f "$C/prog/pgy-specs/src/lib.rs" ] && [ -d "$C/ours-all" ] || bash "$(dirname "$0")/compile.sh" 1 >/dev/null
count() { # total and code lines of the .rs files given
    cat "$@" | awk '{ t++ } !/^[[:space:]]*$/ && !/^[[:space:]]*\/\// { c++ } END { printf "%8d total %8d code", t, c }'
}
runtime_of() { for d in "$@"; do ls "$d"/src/{runtime,error,blocking}.rs; done; }
ops_of() { for d in "$@"; do find "$d/src" -name '*.rs' ! -name runtime.rs ! -name error.rs ! -name blocking.rs; done; }
{
    echo "generated Rust lines (2026-08-21 unless noted)"
    echo "  ours Pgy, committed (specs/)   all files: $(count $(find generated/justoneapi-xiaohongshu-pgy -name '*.rs'))"
    echo "                                 w/o runtime: $(count $(ops_of generated/justoneapi-xiaohongshu-pgy))"
    echo "  progenitor, same specs/ input  lib.rs:    $(count "$C/prog/pgy-specs/src/lib.rs")"
    echo "  ours Pgy (25 ops)              all files: $(count $(find "$C/ours-all/justoneapi-xiaohongshu-pgy/src" -name '*.rs'))"
    echo "                                 w/o runtime: $(count $(ops_of "$C/ours-all/justoneapi-xiaohongshu-pgy"))"
    echo "  progenitor Pgy (25 ops)        lib.rs:    $(count "$C/prog/pgy/src/lib.rs")"
    echo "  ours all platforms (36 crates) all files: $(count $(find "$C"/ours-all/*/src -name '*.rs'))"
    echo "                                 w/o runtime: $(count $(ops_of "$C"/ours-all/*/))"
    echo "                                 runtime x36: $(count $(runtime_of "$C"/ours-all/*/))"
    echo "  progenitor all (348 ops)       lib.rs:    $(count "$C/prog/all/src/lib.rs")"
} | tee "$RESULTS/lines.txt"
