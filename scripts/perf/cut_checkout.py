#!/usr/bin/env python3
"""A checkout of one platform crate cut from this one, for timing `cargo xtask --root OUT regen --offline`:
the manifest with that crate's entry only, the catalogue with its paths only, and the lifecycle record, lock,
overlays, type memory and changelogs cut the same way; README.md copied. `generated/` is left to a first run.

    python3 scripts/perf/cut_checkout.py ROOT PLATFORM OUT
"""
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

root, platform, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
prefix = f"/api/{platform}/"
specs, cut = root / "specs", out / "specs"
shutil.rmtree(out, ignore_errors=True)
(cut / "catalogue").mkdir(parents=True)
shutil.copyfile(root / "README.md", out / "README.md")

manifest = (specs / "manifest.yaml").read_text(encoding="utf-8")
head, crates = manifest.split("\ncrates:\n", 1)
entries = re.split(r"(?m)^(?=  - platform: )", crates)
mine = [e for e in entries if e.startswith(f"  - platform: {platform}\n")]
assert len(mine) == 1, f"no crate entry for {platform}"
(cut / "manifest.yaml").write_text(head + "\ncrates:\n" + mine[0], encoding="utf-8")

catalogue = json.loads((specs / "catalogue/public-api.json").read_text(encoding="utf-8"))
catalogue["paths"] = {p: v for p, v in catalogue["paths"].items() if p.startswith(prefix)}
catalogue_bytes = json.dumps(catalogue, ensure_ascii=False).encode("utf-8")
(cut / "catalogue/public-api.json").write_bytes(catalogue_bytes)
lifecycle = (specs / "catalogue/lifecycle.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
(cut / "catalogue/lifecycle.yaml").write_text(
    "".join(l for l in lifecycle if "path: /api/" not in l or f"path: {prefix}" in l), encoding="utf-8"
)
shutil.copytree(specs / "definitions" / platform, cut / "definitions" / platform)
lock = json.loads((specs / "specs.lock").read_text(encoding="utf-8"))
lock["files"] = {k: v for k, v in lock["files"].items() if k.startswith(f"definitions/{platform}/")}
lock["files"]["catalogue/public-api.json"] = {
    "url": "cut by scripts/perf/cut_checkout.py",
    "sha256": hashlib.sha256(catalogue_bytes).hexdigest(),
    "size": len(catalogue_bytes),
    "date": "Thu, 01 Jan 1970 00:00:00 GMT",
}
lock["files"] = dict(sorted(lock["files"].items()))
(cut / "specs.lock").write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
(cut / "types").mkdir()
shutil.copyfile(specs / "types" / f"{platform}.json", cut / "types" / f"{platform}.json")
shutil.copytree(specs / "changelog", cut / "changelog")
(cut / "overlays").mkdir()
for f in sorted((specs / "overlays").glob("*.yaml")):
    text = f.read_text(encoding="utf-8")
    head, _, body = text.partition("overlays:\n")
    items = [i for i in re.split(r"(?m)^(?=  - path: )", body) if i.startswith(f"  - path: {prefix}")]
    if items:
        (cut / "overlays" / f.name).write_text(head + "overlays:\n" + "".join(items), encoding="utf-8")
