#!/usr/bin/env bash
# Where the time goes: `perf record` with DWARF call graphs (from the release binary's unwind tables; no debug
# build needed) of one run each of `xtask generate --all-platforms` on 2026-08-21 and `xtask regen --offline`,
# both in the steady state (outputs up to date, nothing written).
# Results: $CARGO_TARGET_DIR/perf/results/profile-{generate,regen}-{children,self}.txt: inclusive and self time
# by function; the "children" files start with each entry's share of the samples that unwind to main.
# Usage: scripts/perf/profile.sh
source "$(dirname "$0")/common.sh"
need perf "apt-get install -y linux-perf"
cargo build --release -q -p xtask
out=$WORK/profile
rm -rf "$out" && mkdir -p "$out"
"$XTASK" generate --spec "$AGG" --all-platforms --out "$out/gen" >/dev/null 2>&1

prof() { # name command...: record the binary itself (under a shell, stacks are lost at exec), 4999 Hz
    local name=$1 data=$out/$1.data
    shift
    perf record -q -o "$data" -F 4999 --call-graph dwarf,65528 -- "$@" >/dev/null 2>&1
    report() { perf report -i "$data" --comm xtask --stdio -g none --percent-limit 1 "$@" 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-150; }
    report --children --sort symbol >"$out/children.txt"
    report --no-children --sort symbol >"$RESULTS/profile-$name-self.txt"
    # Some DWARF stacks (deep syn recursion) do not unwind to main; shares are of the samples that do.
    awk 'NR == FNR { if ($NF == "xtask::main") main = $1 + 0; next }
         { printf "%6.1f%% of main  %s\n", 100 * ($1 + 0) / main, $0 }' \
        "$out/children.txt" "$out/children.txt" >"$RESULTS/profile-$name-children.txt"
    echo "== $name: inclusive time, pipeline functions"
    grep -E 'xtask::main|codegen::|syn::parse::Parser>::parse2|prettyplease::unparse[[:space:]]*$|proc_macro2::Literal::string[[:space:]]*$|syn::lit::value::parse_lit_str' \
        "$RESULTS/profile-$name-children.txt" | head -30
    echo "== $name: self time, top 12"
    head -12 "$RESULTS/profile-$name-self.txt"
}
prof generate "$XTASK" generate --spec "$AGG" --all-platforms --out "$out/gen"
prof regen "$XTASK" regen --offline
