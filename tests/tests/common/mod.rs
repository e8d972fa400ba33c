//! Throw-away checkouts for pipeline tests: the real manifest's shared parts, chosen endpoints, and
//! definitions copied from `tests/fixtures/docs-openapi/` (copies of `../shared/upstream/docs-openapi/`).

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

pub const GROUP: &str = "xiaohongshu-pgy-apis";
pub const PORTRAIT: &str = "kol-follower-profile-v1-deprecated";
pub const FANS_PROFILE: &str = "fans-profile-v1";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn fixture_path(slug: &str, lang: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/docs-openapi/{slug}-{lang}.json"))
}

pub fn fixture_json(slug: &str, lang: &str) -> serde_json::Value {
    let path = fixture_path(slug, lang);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The single HTTP path a fixture describes.
pub fn api_path(slug: &str) -> String {
    fixture_json(slug, "en")["paths"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone()
}

/// The six upstream versions of the aggregate definition kept in `fixtures/public-api/` (copies of
/// `../shared/upstream/public-api/`), oldest first.
pub const VERSIONS: [&str; 6] = [
    "2026-03-29",
    "2026-04-16",
    "2026-04-23",
    "2026-05-11",
    "2026-07-23",
    "2026-08-21",
];

/// The aggregate definition of one of `VERSIONS`.
pub fn aggregate(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/public-api/public-api-{version}.json"))
}

/// The repository's manifest.
pub fn manifest() -> codegen::manifest::Manifest {
    codegen::manifest::Manifest::load(&workspace_root().join("specs/manifest.yaml")).unwrap()
}

/// Numbers compare within a relative 1e-12 (one float parse may differ by an ULP from another, e.g. serde_json's
/// default parsing and a round trip); the rest exactly.
#[track_caller]
pub fn assert_json_eq(actual: &serde_json::Value, expected: &serde_json::Value, at: &str) {
    use serde_json::Value;
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{at}: {a} != {b}");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}: array lengths");
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                assert_json_eq(a, b, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            let mut keys_a: Vec<_> = a.keys().collect();
            let mut keys_b: Vec<_> = b.keys().collect();
            keys_a.sort();
            keys_b.sort();
            assert_eq!(keys_a, keys_b, "{at}: keys");
            for (key, value) in a {
                assert_json_eq(value, &b[key], &format!("{at}.{key}"));
            }
        }
        _ => assert_eq!(actual, expected, "{at}"),
    }
}

pub struct TempRepo {
    pub dir: tempfile::TempDir,
}

impl TempRepo {
    /// `endpoints`: (slug, successor hint).
    pub fn new(endpoints: &[(&str, Option<&str>)]) -> TempRepo {
        let repo = TempRepo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.set_endpoints(endpoints);
        repo
    }

    /// Rewrites the crate's endpoint list in `specs/manifest.yaml` (the shared part, comments included, is
    /// the real manifest's) and copies the definitions of endpoints not vendored yet.
    pub fn set_endpoints(&self, endpoints: &[(&str, Option<&str>)]) {
        let specs = self.root().join("specs").join(GROUP);
        std::fs::create_dir_all(&specs).unwrap();
        let real = std::fs::read_to_string(workspace_root().join("specs/manifest.yaml")).unwrap();
        let shared = &real[..real.find("\ncrates:").expect("manifest has a crates section")];
        let mut yaml = format!(
            "{shared}\ncrates:\n  - name: justoneapi-xiaohongshu-pgy\n    version: 0.1.0\n    platform: xiaohongshu-pgy\n    group: {GROUP}\n    title: {{ en: Xiaohongshu Pgy APIs, zh: 小红书蒲公英 API }}\n    endpoints:\n"
        );
        for (slug, successor) in endpoints {
            yaml.push_str(&format!(
                "      - slug: {slug}\n        path: {}\n        languages: [en, zh]\n",
                api_path(slug)
            ));
            if let Some(s) = successor {
                yaml.push_str(&format!("        successor: {s}\n"));
            }
            for lang in ["en", "zh"] {
                let target = specs.join(format!("{slug}-{lang}.json"));
                if !target.exists() {
                    std::fs::copy(fixture_path(slug, lang), target).unwrap();
                }
            }
        }
        std::fs::write(self.root().join("specs/manifest.yaml"), yaml).unwrap();
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn spec(&self, slug: &str, lang: &str) -> PathBuf {
        self.root().join(format!("specs/{GROUP}/{slug}-{lang}.json"))
    }

    /// Rewrites one definition through a closure over its JSON.
    pub fn edit(&self, slug: &str, lang: &str, f: impl FnOnce(&mut serde_json::Value)) {
        let path = self.spec(slug, lang);
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }

    pub fn api(&self) -> codegen::Result<codegen::ir::Api> {
        let input = codegen::pipeline::Input::load(self.root())?;
        let mut warnings = Vec::new();
        let mut overlays = codegen::normalize::overlay::Overlays::default();
        codegen::pipeline::crate_api(&input, &input.manifest.crates[0], &mut overlays, &mut warnings).map(|b| b.api)
    }
}

/// The operation object of a per-endpoint definition.
pub fn op_mut(doc: &mut serde_json::Value) -> &mut serde_json::Value {
    let paths = doc["paths"].as_object_mut().unwrap();
    let (_, item) = paths.iter_mut().next().unwrap();
    &mut item["get"]
}
