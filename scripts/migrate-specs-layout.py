#!/usr/bin/env python3
"""One-time move of a seed-era specs/ (manifest endpoint lists, docs-site groups and slugs) to the catalogue
layout: specs/catalogue/public-api.json (the aggregate of that era, the seed era's catalogue), definitions
under specs/definitions/<platform>/<method>.<path segments>.<lang>.json, the lock and the type memory re-keyed,
successor hints moved to an overlay, the manifest without endpoint lists.

Usage: scripts/migrate-specs-layout.py SPECS_DIR CATALOGUE.json CATALOGUE_ORIGIN
Nothing is downloaded; every byte of every definition stays as it was.
"""
import json, os, re, shutil, sys, email.utils, time

specs, catalogue, origin = sys.argv[1], sys.argv[2], sys.argv[3]
import yaml  # PyYAML, for reading the old manifest only

manifest_path = os.path.join(specs, 'manifest.yaml')
text = open(manifest_path, encoding='utf-8').read()
old = yaml.safe_load(text)
lock = json.load(open(os.path.join(specs, 'specs.lock')))

def new_rel(platform, path, lang, method='get'):
    rest = path[len('/api/' + platform):].strip('/')
    segs = [s for s in rest.split('/') if s] if rest else []
    return f"definitions/{platform}/{'.'.join([method] + segs)}.{lang}.json"

moves = {}
successors = []
for krate in old['crates']:
    slugs = {e['slug']: e['path'] for e in krate['endpoints']}
    for ep in krate['endpoints']:
        group = ep.get('group', krate['group'])
        for lang in ep['languages']:
            moves[f"{group}/{ep['slug']}-{lang}.json"] = new_rel(krate['platform'], ep['path'], lang)
        if 'successor' in ep:
            successors.append((krate['name'], ep['path'], slugs[ep['successor']]))

for old_rel, rel in moves.items():
    dst = os.path.join(specs, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.move(os.path.join(specs, old_rel), dst)
for d in sorted({o.split('/')[0] for o in moves}):
    os.rmdir(os.path.join(specs, d))
lock['files'] = {moves.get(k, k): v for k, v in lock['files'].items()}

os.makedirs(os.path.join(specs, 'catalogue'), exist_ok=True)
data = open(catalogue, 'rb').read()
shutil.copyfile(catalogue, os.path.join(specs, 'catalogue/public-api.json'))
import hashlib
lock['files']['catalogue/public-api.json'] = {
    'url': origin,
    'sha256': hashlib.sha256(data).hexdigest(),
    'size': len(data),
    'date': email.utils.formatdate(time.time(), usegmt=True),
}
lock['files'] = dict(sorted(lock['files'].items()))
with open(os.path.join(specs, 'specs.lock'), 'w') as f:
    f.write(json.dumps(lock, indent=2, ensure_ascii=False) + '\n')
with open(os.path.join(specs, 'catalogue/lifecycle.yaml'), 'w') as f:
    f.write("# Since when upstream hides an endpoint from its docs (`hidden`: still served, no definition published) or no\n"
            "# longer lists it (`gone`: kept in the crate, deprecated, until `cargo xtask regen --remove`).\n"
            "# Written by `cargo xtask fetch` and `regen` from the vendored catalogue; not edited by hand.\n"
            "hidden: []\ngone: []\n")

types = os.path.join(specs, 'types')
for name in sorted(os.listdir(types)):
    p = os.path.join(types, name)
    mem = json.load(open(p))
    for entry in mem.values():
        entry['source'] = moves.get(entry['source'], entry['source'])
    with open(p, 'w') as f:
        f.write(json.dumps(mem, indent=2, ensure_ascii=False) + '\n')

if successors:
    lines = ["# Successors of deprecated endpoints that upstream's definitions do not name: each pairs a deprecated\n",
             "# endpoint with the one upstream's 2026-08-21 aggregate gives the same summary (moved here from the\n",
             "# manifest's former `successor:` hints).\n", "overlays:\n"]
    for krate, path, succ in successors:
        lines.append(f"  - path: {path}\n    reason: same summary as {succ} in upstream's 2026-08-21 aggregate\n    successor: {succ}\n")
    open(os.path.join(specs, 'overlays/successors.yaml'), 'w').write(''.join(lines))

# The manifest: everything before `crates:` (comments included), the catalogue source, then the crates.
head = text[:text.index('\ncrates:')]
head = re.sub(r'^# Crates: .*?(?=\Z)', '', head, flags=re.S | re.M)
head = head.replace("docs_base_url: https://docs.justoneapi.com/openapi\n",
    "# Upstream's aggregate definition: the list of endpoints, their states (published, hidden) and metadata.\n"
    "# HTTP basic auth from JUSTONEAPI_CATALOGUE_USER / JUSTONEAPI_CATALOGUE_PASSWORD; without them, the public copy\n"
    "# the vendor's SDK repository commits. `cargo xtask fetch --catalogue URL|FILE` reads another.\n"
    "catalogue:\n"
    "  url: https://api.justoneapi.com/v3/api-docs/public-api\n"
    "  public_copy: https://raw.githubusercontent.com/justoneapi/justoneapi-python/main/openapi/public-api.json\n"
    "\n"
    "# Where the docs site publishes each endpoint's definitions: <docs_base_url>/<group>/<slug>-<lang>.json, the\n"
    "# group and slug derived from the catalogue by upstream's rule (codegen/src/catalogue/url.rs).\n"
    "docs_base_url: https://docs.justoneapi.com/openapi\n")
out = [head.rstrip('\n') + "\n\n# One crate per platform (the path segment after `/api/`): its name and version. A platform the catalogue adds\n"
       "# gets `justoneapi-<platform>` at 0.1.0, and `cargo xtask regen` writes its entry here when it releases it.\n"
       "crates:\n"]
for krate in old['crates']:
    out.append(f"  - platform: {krate['platform']}\n    name: {krate['name']}\n    version: {krate['version']}\n")
    if krate.get('examples'):
        out.append("    examples:\n")
        slugs = {e['slug']: e['path'] for e in krate['endpoints']}
        for ex in krate['examples']:
            out.append(f"      - name: {ex['name']}\n        path: {slugs[ex['endpoint']]}\n")
open(manifest_path, 'w').write(''.join(out))
