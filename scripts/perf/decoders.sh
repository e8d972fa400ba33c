#!/usr/bin/env bash
# (f) What a downstream program that calls one operation compiles: a throwaway binary crate that depends on
# generated/justoneapi-xiaohongshu-pgy and awaits `get_kol_fans_portrait_v1` only, built with
# `-C link-dead-code` (so the binary keeps every function that was compiled, in any crate, used or not). The
# decoder functions (`Deserialize::deserialize`, `de::Object::set`) of each operation module are counted from its
# symbols: the target is decoders of 1 module, none for the 24 operations it never calls. A second binary that
# decodes every operation's response is the control (every module with generated response types).
# Result: results/decoders.txt. Usage: scripts/perf/decoders.sh
source "$(dirname "$0")/common.sh"
need nm "apt-get install -y binutils"
CRATE=justoneapi-xiaohongshu-pgy
LIB=${CRATE//-/_}
dir=$WORK/decoders
rm -rf "$dir/src" && mkdir -p "$dir/src/bin"
modules=$(ls "$ROOT/generated/$CRATE/src/ops" | sed -n 's/\.rs$//p' | grep -v '^mod$')
total=$(echo "$modules" | wc -l)
# Modules whose response has generated types (the others decode into serde_json::Value, shared by all).
typed=$(grep -l "impl de::Object for" "$ROOT/generated/$CRATE/src/ops/"*.rs | wc -l)
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "downstream"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$CRATE = { path = "$ROOT/generated/$CRATE" }
tokio = { version = "1", features = ["macros", "rt"] }
serde_json = "1"

# Not a member of the repository's workspace.
[workspace]
TOML
cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
cat >"$dir/src/bin/one.rs" <<RS
#![allow(deprecated)]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = $LIB::Client::new("TOKEN").unwrap();
    let r = client.get_kol_fans_portrait_v1("kol-1").send().await;
    println!("{}", r.is_ok());
}
RS
# The control decodes every operation's `Data` (through serde_json: the point is what gets compiled).
{
    echo '#![allow(deprecated)]'
    echo 'fn main() {'
    for m in $modules; do echo "    println!(\"{:?}\", serde_json::from_str::<$LIB::ops::$m::Data>(\"{}\").is_ok());"; done
    echo '}'
} >"$dir/src/bin/all.rs"
(cd "$dir" && RUSTFLAGS="-C link-dead-code" CARGO_TARGET_DIR="$dir/target" cargo build -q --bins)
# The measurement is only valid if the linker kept unused code: the non-generic code of operations `one` never
# calls (their Debug impls) must be in it.
# (grep -c, not -q: -q would close the pipe early and pipefail would report nm's SIGPIPE.)
if [ "$(nm -C "$dir/target/debug/one" | grep -cE "<$LIB::ops::[a-z0-9_]+::[A-Za-z0-9_]+ as core::fmt::Debug>::fmt")" -eq 0 ]; then
    echo "error: -C link-dead-code did not keep unused functions; the count below would mean nothing" >&2
    exit 1
fi
count() { # operation modules with at least one compiled decoder function in binary $1
    nm -C "$1" | grep -E "<$LIB::ops::[a-z0-9_]+::[A-Za-z0-9_]+ as (serde::de::Deserialize|justoneapi_runtime::de::Object)>" |
        sed -E "s/.*<$LIB::ops::([a-z0-9_]+)::.*/\1/" | sort -u
}
one=$(count "$dir/target/debug/one")
all=$(count "$dir/target/debug/all")
{
    echo "decoders compiled into a downstream binary (-C link-dead-code), $CRATE ($total operation modules):"
    printf "  calls get_kol_fans_portrait_v1 only: %2d module(s): %s\n" "$(echo "$one" | grep -c .)" "$(echo $one)"
    printf "  control, decodes every operation:   %2d module(s) (%d have generated response types)\n" \
        "$(echo "$all" | grep -c .)" "$typed"
    if [ "$one" = get_kol_fans_portrait_v1 ] && [ "$(echo "$all" | grep -c .)" -eq "$typed" ]; then
        echo "  target (no decoder for the other $((total - 1))): met"
    else
        echo "  target (no decoder for the other $((total - 1))): NOT met"
    fi
} | tee "$RESULTS/decoders.txt"
