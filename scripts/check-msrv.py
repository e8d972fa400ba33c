#!/usr/bin/env python3
"""Is every workspace member's declared `rust-version` true for the locked dependency tree?

    scripts/check-msrv.py

For each member of the workspace (the generated crates included), walks its dependencies in Cargo.lock (normal,
build and dev, transitively; every target platform, since users build on Windows and macOS too) and compares the
`rust-version` each locked package declares with the member's. Exit 1, naming the offenders, when a dependency
needs a newer Rust than a member declares, or when a member declares none; exit 0 otherwise, printing the
highest requirement found.

Resolver 3 (Cargo.toml) keeps `cargo update` from choosing such versions; this catches what it cannot: a
lock edited another way, or a member whose `rust-version` was lowered. Needs `cargo metadata`, i.e. the
registry (it reads the manifests of every platform's crates, not only this one's).
"""

import json
import subprocess
import sys


def version_key(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            stdout=subprocess.PIPE,
        ).stdout
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    deps = {n["id"]: [d["pkg"] for d in n["deps"]] for n in metadata["resolve"]["nodes"]}

    failures = []
    highest = None
    for member in metadata["workspace_members"]:
        pkg = packages[member]
        declared = pkg.get("rust_version")
        if not declared:
            failures.append(f"{pkg['name']} declares no rust-version")
            continue
        seen, stack = set(), list(deps[member])
        while stack:
            dep = stack.pop()
            if dep in seen:
                continue
            seen.add(dep)
            # Dev-dependencies of a dependency are not in the lock's graph; only its own are followed here.
            stack.extend(deps[dep])
            needed = packages[dep].get("rust_version")
            if not needed:
                continue
            if highest is None or version_key(needed) > version_key(highest[0]):
                highest = (needed, packages[dep]["name"], packages[dep]["version"])
            if version_key(needed) > version_key(declared):
                failures.append(
                    f"{pkg['name']} declares rust-version {declared}, but its locked dependency "
                    f"{packages[dep]['name']} {packages[dep]['version']} needs {needed}"
                )

    if failures:
        for line in sorted(set(failures)):
            print(f"error: {line}", file=sys.stderr)
        print(
            "raise the rust-version (workspace Cargo.toml and codegen::RUST_VERSION), or pin an older "
            "dependency",
            file=sys.stderr,
        )
        return 1
    if highest:
        print(f"rust-version holds: the locked tree needs at most {highest[0]} ({highest[1]} {highest[2]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
