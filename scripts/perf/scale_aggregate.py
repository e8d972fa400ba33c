#!/usr/bin/env python3
"""Writes an aggregate definition N times the size of the given one, for the scaling measurement.

Every path `/api/<platform>/...` is kept and cloned N-1 times as `/api/<platform>-copy<k>/...` (k = 2..N), with
its operationId, tags and the tag list cloned under the same suffix, so each copy is a new platform (a new crate)
that the generator treats exactly like the original. Components are shared, as in the real aggregate.

Usage: scale_aggregate.py AGGREGATE.json N OUT.json
"""
import copy
import json
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, factor, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if factor < 1:
        print("error: N must be >= 1", file=sys.stderr)
        return 2
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    paths = doc.get("paths", {})
    tags = doc.get("tags", [])
    out_paths = dict(paths)
    out_tags = list(tags)
    for k in range(2, factor + 1):
        suffix = f"-copy{k}"
        for path, item in paths.items():
            parts = path.split("/")
            if len(parts) < 3 or parts[1] != "api":
                raise SystemExit(f"error: {src}: path {path!r} is not /api/<platform>/...")
            parts[2] += suffix
            clone = copy.deepcopy(item)
            for op in clone.values():
                if not isinstance(op, dict):
                    continue
                if "operationId" in op:
                    op["operationId"] += f"Copy{k}"
                if "tags" in op:
                    op["tags"] = [t + suffix for t in op["tags"]]
            out_paths["/".join(parts)] = clone
        for tag in tags:
            clone = copy.deepcopy(tag)
            clone["name"] += suffix
            if "x-platform-id" in clone:
                clone["x-platform-id"] += suffix
            out_tags.append(clone)
    doc["paths"] = out_paths
    if tags:
        doc["tags"] = out_tags
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
