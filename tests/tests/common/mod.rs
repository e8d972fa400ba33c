//! Throw-away checkouts for pipeline tests: the real manifest's shared parts, chosen endpoints, and
//! definitions copied from `tests/fixtures/docs-openapi/` (copies of `../shared/upstream/docs-openapi/`).

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    xtask::cmd::generate::shared_manifest(&workspace_root()).unwrap()
}

/// A definition file or folder, as `cargo xtask generate` and `diff` read it.
pub fn spec(path: &Path) -> codegen::SpecInput {
    xtask::project::read_spec_input(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file `cargo xtask regen` would write for the checkout at `root` (nothing written).
pub fn plan(root: &Path) -> anyhow::Result<codegen::Generated> {
    xtask::cmd::regen::plan(root).map(|(_, generated)| generated)
}

/// What `cargo xtask check` reports for `generated` against the checkout at `root`.
pub fn check(root: &Path, generated: &codegen::Generated) -> xtask::cmd::check::Drift {
    let project = xtask::project::Project::load(root).unwrap();
    xtask::cmd::check::drift(&project, generated).unwrap()
}

/// The files `cargo xtask generate` would write for a spec file or folder (nothing written).
pub fn plan_generate(
    spec_path: &Path,
    manifest: &codegen::manifest::Manifest,
    opts: &codegen::SpecOptions,
) -> codegen::Result<codegen::Generated> {
    codegen::generate_spec(&spec(spec_path), manifest, opts, &codegen::Memories::new())
}

/// The IR of the repository's (first) crate, as `cargo xtask regen` builds it: overlays and type memory applied.
pub fn repo_api() -> codegen::ir::Api {
    let project = xtask::project::Project::load(&workspace_root()).unwrap();
    codegen::crate_apis(&project.specs, &mut Vec::new())
        .unwrap()
        .remove(0)
        .api
}

/// The APIs of a spec file or folder.
pub fn spec_apis(spec_path: &Path) -> codegen::Result<Vec<codegen::ir::Api>> {
    codegen::spec_apis(
        &spec(spec_path),
        &manifest(),
        &codegen::SpecOptions::default(),
        &mut Vec::new(),
    )
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

    pub fn api(&self) -> anyhow::Result<codegen::ir::Api> {
        let project = xtask::project::Project::load(self.root())?;
        let mut warnings = Vec::new();
        let mut overlays = codegen::Overlays::parse(&[])?;
        let krate = &project.specs.manifest.crates[0];
        Ok(codegen::crate_api(&project.specs, krate, &mut overlays, &mut warnings)?.api)
    }
}

/// The operation object of a per-endpoint definition.
pub fn op_mut(doc: &mut serde_json::Value) -> &mut serde_json::Value {
    let paths = doc["paths"].as_object_mut().unwrap();
    let (_, item) = paths.iter_mut().next().unwrap();
    &mut item["get"]
}

/// A request as a raw server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// `GET /path?query HTTP/1.1`, or with a proxy `GET http://host/path?query HTTP/1.1`.
    pub line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 server on 127.0.0.1 that records every request and answers it with `status` and `body`
/// (`Connection: close`). Set as a proxy, it sees requests in absolute form; it refuses `CONNECT` (an HTTPS
/// tunnel) with 403.
pub struct Recorder {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl Recorder {
    pub async fn start(status: u16, body: String) -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Self::serve(stream, status, body.clone(), log.clone()));
            }
        });
        Recorder { url, received }
    }

    async fn serve(
        mut stream: tokio::net::TcpStream,
        status: u16,
        body: String,
        log: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    ) -> std::io::Result<()> {
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            data.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut request_body = data[head_end + 4..].to_vec();
        while request_body.len() < length {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            request_body.extend_from_slice(&buf[..n]);
        }
        let connect = line.starts_with("CONNECT ");
        log.lock().unwrap().push(Received {
            line,
            headers,
            body: String::from_utf8_lossy(&request_body).into_owned(),
        });
        let response = if connect {
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
        } else {
            format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        };
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}
