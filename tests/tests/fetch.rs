//! `cargo xtask fetch` against servers on 127.0.0.1 that each test starts: the catalogue (a slice of the
//! seed-era aggregate) names the endpoints, the server serves their definitions at the URLs upstream's rule
//! gives, and the fetch vendors them under `specs/definitions/`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::catalogue::{Catalogue, Limits};
use codegen::lock::{sha256_hex, Lock, LockEntry, LOCK_VERSION};
use codegen::manifest::Lang;
use codegen::Source;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::cmd::fetch::DownloadArgs;
use xtask::download::{DownloadFailure, FetchFailure, FetchOptions, FileReport, NothingWritten, Outcome};
use xtask::project::{Layout, Project};

const FANS: &str = "fans-profile-v1";
const SUMMARY: &str = "data-summary-v1";
const TAGS: &str = "kol-content-tags-v1";
const LANGS: [&str; 2] = ["en", "zh"];

fn fixture(slug: &str, lang: &str) -> Vec<u8> {
    let file = common::fixture_path(slug, lang);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn api_path(slug: &str) -> String {
    common::api_path(slug)
}

fn read_lock(path: &Path) -> Lock {
    Lock::parse(&std::fs::read_to_string(path).unwrap(), path).unwrap()
}

/// Where a fetch vendors the definition (relative to `specs/`; also its lock key).
fn rel(slug: &str, lang: &str) -> String {
    common::rel_path(slug, lang)
}

fn lang_of(lang: &str) -> Lang {
    if lang == "zh" {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The seed-era catalogue (2026-03-29, Pgy) cut to these endpoints.
fn catalogue_for(slugs: &[&str]) -> Vec<u8> {
    let paths: Vec<String> = slugs.iter().map(|s| api_path(s)).collect();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/public-api/xiaohongshu-pgy-2026-03-29.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    doc["paths"].as_object_mut().unwrap().retain(|p, _| paths.contains(p));
    serde_json::to_vec_pretty(&doc).unwrap()
}

/// A throw-away checkout whose vendored catalogue lists `slugs`, and its docs base URL.
struct Repo {
    dir: tempfile::TempDir,
    layout: Layout,
    base: String,
    catalogue: Catalogue,
}

impl Repo {
    fn new(docs_base_url: &str, slugs: &[&str]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::create_dir_all(layout.specs().join("catalogue")).unwrap();
        let yaml = format!(
            "catalogue:\n  url: http://127.0.0.1:9/catalogue\n\
             docs_base_url: {docs_base_url}\n\
             servers:\n  - name: prod-global\n    url: https://api.justoneapi.com\n    description: {{ en: Global, zh: 全球 }}\n\
             business_codes:\n  - {{ code: 0, name: Success, en: Success, zh: 成功 }}\n\
             deprecation_notice: {{ en: Deprecated., zh: 已过时。 }}\n"
        );
        std::fs::write(layout.manifest(), yaml).unwrap();
        let bytes = catalogue_for(slugs);
        std::fs::write(layout.catalogue(), &bytes).unwrap();
        let catalogue = Catalogue::parse(&Source::new("c.json", bytes), Limits::default(), &mut Vec::new()).unwrap();
        Repo {
            dir,
            layout,
            base: docs_base_url.to_owned(),
            catalogue,
        }
    }

    fn file(&self, rel_path: &str) -> PathBuf {
        self.layout.specs().join(rel_path)
    }

    /// The path part of the URL upstream's rule gives a definition, under `/openapi`.
    fn url_path(&self, slug: &str, lang: &str) -> String {
        let listed = self.catalogue.find(codegen::ir::Method::Get, &api_path(slug)).unwrap();
        listed.docs.as_ref().unwrap().url("/openapi", lang_of(lang))
    }

    /// The full URL of a definition, under the repo's docs base.
    fn url(&self, slug: &str, lang: &str) -> String {
        let listed = self.catalogue.find(codegen::ir::Method::Get, &api_path(slug)).unwrap();
        listed.docs.as_ref().unwrap().url(&self.base, lang_of(lang))
    }

    /// Fills `specs/` with an older vendored state (different bytes, and a lock describing them), so that a
    /// fetch that wrongly wrote anything would show up in the snapshot.
    fn seed_old(&self) {
        let mut lock = Lock {
            version: LOCK_VERSION,
            files: BTreeMap::new(),
        };
        for listed in &self.catalogue.entries {
            for lang in [Lang::En, Lang::Zh] {
                let rel = codegen::catalogue::layout::rel_path(listed.method, &listed.api_path, lang);
                let bytes = format!("{{\"old\": \"{rel}\"}}\n").into_bytes();
                let target = self.file(&rel);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, &bytes).unwrap();
                lock.files.insert(
                    rel,
                    LockEntry {
                        url: listed.docs.as_ref().unwrap().url(&self.base, lang),
                        sha256: sha256_hex(&bytes),
                        size: bytes.len() as u64,
                        etag: None,
                        last_modified: None,
                        date: "Thu, 01 Jan 2015 00:00:00 GMT".into(),
                    },
                );
            }
        }
        std::fs::write(self.layout.lock(), lock.to_text()).unwrap();
    }

    /// Every file and directory under the checkout (directories as `None`).
    fn snapshot(&self) -> BTreeMap<String, Option<Vec<u8>>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let key = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                if path.is_dir() {
                    out.insert(key, None);
                    walk(&path, root, out);
                } else {
                    out.insert(key, Some(std::fs::read(&path).unwrap()));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out
    }

    /// `cargo xtask fetch --catalogue <the vendored catalogue> [--base-url base]` with these download options,
    /// into `out` (default `specs/`).
    async fn fetch_into(
        &self,
        base: Option<&str>,
        opts: &FetchOptions,
        only: Option<&str>,
        out: Option<&Path>,
    ) -> Result<Fetched, FetchFailure> {
        let project = Project::load(self.dir.path()).map_err(|e| FetchFailure {
            downloads: vec![],
            errors: vec![e.to_string()],
        })?;
        let args = DownloadArgs {
            catalogue: only.is_none().then(|| self.layout.catalogue().display().to_string()),
            base_url: base.map(str::to_owned),
            only: only.map(str::to_owned),
            ..DownloadArgs::default()
        };
        let pulled = match xtask::upstream::pull_async(&project, &args, opts).await {
            Ok(p) => p,
            Err(e) => {
                return Err(match e.downcast::<NothingWritten>() {
                    Ok(NothingWritten(f)) => f,
                    Err(e) => FetchFailure {
                        downloads: vec![],
                        errors: vec![e.to_string()],
                    },
                })
            }
        };
        let out = out.map(Path::to_path_buf).unwrap_or_else(|| self.layout.specs());
        let mut tx = xtask::writer::Transaction::new();
        xtask::upstream::stage(&mut tx, &out, &pulled);
        let lock_path = out.join("specs.lock");
        let written = tx.commit().map_err(|e| FetchFailure {
            downloads: vec![],
            errors: e.errors,
        })?;
        Ok(Fetched {
            files: pulled.downloaded.files,
            lock_written: written.contains(&lock_path),
        })
    }

    async fn fetch(&self, opts: &FetchOptions) -> Result<Fetched, FetchFailure> {
        self.fetch_into(None, opts, None, None).await
    }
}

/// What a successful fetch reports.
struct Fetched {
    files: Vec<FileReport>,
    lock_written: bool,
}

fn opts() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        ..FetchOptions::default()
    }
}

fn docs_base(server: &MockServer) -> String {
    format!("{}/openapi", server.uri())
}

async fn serve_fixture(server: &MockServer, repo: &Repo, slug: &str, lang: &str) {
    Mock::given(method("GET"))
        .and(path(repo.url_path(slug, lang)))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture(slug, lang)))
        .mount(server)
        .await;
}

async fn serve_fixtures(server: &MockServer, repo: &Repo, slugs: &[&str]) {
    for slug in slugs {
        for lang in LANGS {
            serve_fixture(server, repo, slug, lang).await;
        }
    }
}

async fn requests_to(server: &MockServer, url_path: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests.iter().filter(|r| r.url.path() == url_path).count()
}

fn only_download_failure(result: Result<Fetched, FetchFailure>) -> DownloadFailure {
    let failure = result.err().expect("fetch should fail");
    assert!(failure.errors.is_empty(), "{failure}");
    assert_eq!(failure.downloads.len(), 1, "{failure}");
    failure.downloads.into_iter().next().unwrap()
}

fn outcomes(report: &Fetched) -> Vec<(String, Outcome)> {
    report.files.iter().map(|f| (f.rel_path.clone(), f.outcome)).collect()
}

fn all(slugs: &[&str], outcome: Outcome) -> Vec<(String, Outcome)> {
    slugs
        .iter()
        .flat_map(|slug| LANGS.map(|lang| (rel(slug, lang), outcome)))
        .collect()
}

#[tokio::test]
async fn happy_path_writes_files_lock_and_lifecycle_and_refetch_changes_no_byte() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    // The manifest's own docs_base_url is used when no override is given.
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"fans-en-1\"")
                .insert_header("Last-Modified", "Tue, 20 Oct 2015 07:28:00 GMT")
                .insert_header("Date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        )
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    serve_fixtures(&server, &repo, &[SUMMARY]).await;

    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS, SUMMARY], Outcome::Downloaded));
    assert!(report.lock_written);

    let lock = read_lock(&repo.layout.lock());
    assert_eq!(std::fs::read_to_string(repo.layout.lock()).unwrap(), lock.to_text());
    // Four definitions and the catalogue.
    assert_eq!(lock.files.len(), 5);
    let catalogue = &lock.files["catalogue/public-api.json"];
    assert_eq!(catalogue.url, repo.layout.catalogue().display().to_string());
    assert_eq!(
        catalogue.sha256,
        sha256_hex(&std::fs::read(repo.layout.catalogue()).unwrap())
    );
    for slug in [FANS, SUMMARY] {
        for lang in LANGS {
            let expected = fixture(slug, lang);
            assert_eq!(std::fs::read(repo.file(&rel(slug, lang))).unwrap(), expected);
            let entry = &lock.files[&rel(slug, lang)];
            assert_eq!(entry.url, repo.url(slug, lang));
            assert_eq!(entry.sha256, sha256_hex(&expected));
            assert_eq!(entry.size, expected.len() as u64);
            let reported = report.files.iter().find(|f| f.rel_path == rel(slug, lang)).unwrap();
            assert_eq!((&reported.sha256, reported.size), (&entry.sha256, entry.size));
        }
    }
    let fans_en = &lock.files[&rel(FANS, "en")];
    assert_eq!(fans_en.etag.as_deref(), Some("\"fans-en-1\""));
    assert_eq!(fans_en.last_modified.as_deref(), Some("Tue, 20 Oct 2015 07:28:00 GMT"));
    assert_eq!(fans_en.date, "Wed, 21 Oct 2015 07:28:00 GMT");
    let summary_en = &lock.files[&rel(SUMMARY, "en")];
    assert_eq!((&summary_en.etag, &summary_en.last_modified), (&None, &None));
    assert!(
        summary_en.date.ends_with(" GMT") && summary_en.date.len() == 29,
        "{}",
        summary_en.date
    );
    let lifecycle = std::fs::read_to_string(repo.layout.lifecycle()).unwrap();
    assert!(lifecycle.contains("hidden: []\ngone: []\n"), "{lifecycle}");

    // Manifest, catalogue, lifecycle, four definitions, lock: no temporary files left behind.
    let before = repo.snapshot();
    let keys: Vec<&str> = before.keys().map(String::as_str).collect();
    let mut expected_keys = vec![
        "specs".to_owned(),
        "specs/catalogue".into(),
        "specs/catalogue/lifecycle.yaml".into(),
        "specs/catalogue/public-api.json".into(),
        "specs/definitions".into(),
        format!("specs/definitions/{}", common::PLATFORM),
        "specs/manifest.yaml".into(),
        "specs/specs.lock".into(),
    ];
    expected_keys.extend(
        [FANS, SUMMARY]
            .iter()
            .flat_map(|s| LANGS.map(|l| format!("specs/{}", rel(s, l)))),
    );
    expected_keys.sort_unstable();
    assert_eq!(keys, expected_keys);

    // Upstream unchanged (the server's Date differs by now): every byte stays as it was.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS, SUMMARY], Outcome::Unchanged));
    assert!(!report.lock_written);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn base_url_and_out_dir_override_the_manifest_and_specs_and_the_lock_keeps_upstreams_url() {
    let server = MockServer::start().await;
    // Nothing listens there; the override must win.
    let repo = Repo::new("http://127.0.0.1:9/openapi", &[FANS]);
    serve_fixtures(&server, &repo, &[FANS]).await;
    let out = repo.dir.path().join("vendored");
    let before = repo.snapshot();

    let report = repo
        .fetch_into(Some(&docs_base(&server)), &opts(), None, Some(&out))
        .await
        .unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    for lang in LANGS {
        assert_eq!(std::fs::read(out.join(rel(FANS, lang))).unwrap(), fixture(FANS, lang));
    }
    // The mirror served it; the lock names where upstream publishes it.
    let lock = read_lock(&out.join("specs.lock"));
    assert_eq!(lock.files[&rel(FANS, "zh")].url, repo.url(FANS, "zh"));
    assert!(repo.url(FANS, "zh").starts_with("http://127.0.0.1:9/openapi/"));

    let mut after = repo.snapshot();
    after.retain(|k, _| !k.starts_with("vendored"));
    assert_eq!(after, before, "specs/ must not change when --out is given");
}

#[tokio::test]
async fn not_found_is_reported_without_retry_and_nothing_is_written() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    repo.seed_old();
    serve_fixtures(&server, &repo, &[FANS]).await;
    serve_fixture(&server, &repo, SUMMARY, "en").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts()).await);
    assert_eq!(
        failure,
        DownloadFailure {
            url: repo.url(SUMMARY, "zh"),
            reason: "HTTP 404 Not Found".into()
        }
    );
    assert_eq!(requests_to(&server, &repo.url_path(SUMMARY, "zh")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn server_error_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    // Mounted first, so it answers the first request; afterwards the fixture does.
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    serve_fixtures(&server, &repo, &[FANS]).await;

    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    assert_eq!(requests_to(&server, &repo.url_path(FANS, "en")).await, 2);
    assert_eq!(requests_to(&server, &repo.url_path(FANS, "zh")).await, 1);
    assert_eq!(std::fs::read(repo.file(&rel(FANS, "en"))).unwrap(), fixture(FANS, "en"));
}

#[tokio::test]
async fn persistent_server_error_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "zh")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "en").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts()).await);
    assert_eq!(failure.url, repo.url(FANS, "zh"));
    assert_eq!(failure.reason, "HTTP 503 Service Unavailable (after 3 attempts)");
    assert_eq!(requests_to(&server, &repo.url_path(FANS, "zh")).await, 3);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    let before = repo.snapshot();

    let failure = only_download_failure(
        repo.fetch(&FetchOptions {
            timeout: Duration::from_millis(200),
            max_attempts: 2,
            ..opts()
        })
        .await,
    );
    assert_eq!(failure.url, repo.url(FANS, "en"));
    assert_eq!(failure.reason, "timed out after 200ms (after 2 attempts)");
    assert_eq!(repo.snapshot(), before);
}

/// A raw HTTP/1.1 server that answers every request with `head` followed by `body` (then closes), or, when
/// `body` is `None`, streams chunks without end. Returns its base URL and a count of connections.
async fn raw_server(head: String, body: Option<Vec<u8>>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (head, body) = (head.clone(), body.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                match body {
                    Some(body) => {
                        let _ = socket.write_all(&body).await;
                        let _ = socket.shutdown().await;
                    }
                    None => {
                        let chunk = format!("400\r\n{}\r\n", "x".repeat(0x400));
                        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
                    }
                }
            });
        }
    });
    (format!("http://{addr}/openapi"), connections)
}

#[tokio::test]
async fn truncated_body_is_retried_then_reported() {
    let partial = fixture(FANS, "en")[..100].to_vec();
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n".to_owned();
    let (base, connections) = raw_server(head, Some(partial)).await;
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_attempts: 2,
            ..opts()
        })
        .await
        .err()
        .unwrap();
    let reason = "body cut off after 100 of 1000 bytes: end of file before message length reached (after 2 attempts)";
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: repo.url(FANS, lang),
            reason: reason.into(),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert!(failure.errors.is_empty());
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 4);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn invalid_json_is_reported_with_its_position() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,\n}"))
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts()).await);
    assert_eq!(failure.url, repo.url(FANS, "en"));
    assert_eq!(failure.reason, "invalid JSON at line 3 column 13: key must be a string");
    // A bad definition will not get better by asking again.
    assert_eq!(requests_to(&server, &repo.url_path(FANS, "en")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn a_definition_of_another_path_or_method_is_rejected() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, TAGS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "zh")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture(SUMMARY, "zh")))
        .mount(&server)
        .await;
    // TAGS's own path, but described as a POST.
    let post = String::from_utf8(fixture(TAGS, "en"))
        .unwrap()
        .replacen("\"get\"", "\"post\"", 1);
    Mock::given(method("GET"))
        .and(path(repo.url_path(TAGS, "en")))
        .respond_with(ResponseTemplate::new(200).set_body_string(post))
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "en").await;
    serve_fixture(&server, &repo, TAGS, "zh").await;
    let before = repo.snapshot();

    let failure = repo.fetch(&opts()).await.err().unwrap();
    assert_eq!(
        failure.downloads,
        [
            DownloadFailure {
                url: repo.url(FANS, "zh"),
                reason: format!(
                    "definition describes {}, expected {}",
                    api_path(SUMMARY),
                    api_path(FANS)
                ),
            },
            DownloadFailure {
                url: repo.url(TAGS, "en"),
                reason: format!("definition of {} has no GET operation", api_path(TAGS)),
            },
        ]
    );
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn etag_makes_the_second_fetch_conditional() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    // Mounted first: answers only requests that carry the etag from the first download.
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"v1\""),
        )
        .expect(1)
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;

    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    let before = repo.snapshot();

    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(
        outcomes(&report),
        vec![
            (rel(FANS, "en"), Outcome::NotModified),
            (rel(FANS, "zh"), Outcome::Unchanged)
        ]
    );
    assert_eq!(report.files[0].sha256, sha256_hex(&fixture(FANS, "en")));
    assert!(!report.lock_written);
    assert_eq!(repo.snapshot(), before);
    server.verify().await;
}

#[tokio::test]
async fn edited_file_is_fetched_again_without_if_none_match() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    // Would wrongly answer 304 if the edited file still got a conditional request.
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"v1\""),
        )
        .expect(2)
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    repo.fetch(&opts()).await.unwrap();
    std::fs::write(repo.file(&rel(FANS, "en")), "{}").unwrap();

    let report = repo.fetch(&opts()).await.unwrap();
    assert_eq!(report.files[0].outcome, Outcome::Downloaded);
    assert_eq!(std::fs::read(repo.file(&rel(FANS, "en"))).unwrap(), fixture(FANS, "en"));
    server.verify().await;
}

#[tokio::test]
async fn failed_rename_mid_commit_restores_everything() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    serve_fixtures(&server, &repo, &[FANS, SUMMARY]).await;
    repo.seed_old();
    // Into `--out`, which holds an older copy: the first file is new (a rollback must delete it), the next two
    // hold old bytes (a rollback must put them back), and the last is a directory, which no rename can replace
    // with a file. (In specs/ itself a directory there is refused when the checkout is read.)
    let out = repo.dir.path().join("out");
    for rel in [rel(SUMMARY, "en"), rel(FANS, "zh"), "specs.lock".to_owned()] {
        let target = out.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(repo.file(&rel), target).unwrap();
    }
    let blocked = out.join(rel(SUMMARY, "zh"));
    std::fs::create_dir(&blocked).unwrap();
    let before = repo.snapshot();

    let failure = repo.fetch_into(None, &opts(), None, Some(&out)).await.err().unwrap();
    assert!(failure.downloads.is_empty(), "{failure}");
    assert_eq!(
        failure.errors,
        vec![format!(
            "{}: cannot move the new file into place: Is a directory (os error 21)",
            blocked.display()
        )]
    );
    assert_eq!(failure.to_string(), failure.errors[0]);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn a_folder_where_a_definition_belongs_is_refused_when_the_checkout_is_read() {
    let repo = Repo::new("http://127.0.0.1:9/openapi", &[FANS]);
    repo.seed_old();
    let blocked = repo.file(&rel(FANS, "zh"));
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    let before = repo.snapshot();
    let failure = repo.fetch(&opts()).await.err().unwrap();
    assert_eq!(
        failure.to_string(),
        format!("{}: Is a directory (os error 21)", blocked.display())
    );
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn one_failure_among_many_writes_nothing_and_names_only_that_url() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY, TAGS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(SUMMARY, "en")))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    serve_fixtures(&server, &repo, &[FANS, TAGS]).await;
    serve_fixture(&server, &repo, SUMMARY, "zh").await;
    let before = repo.snapshot();

    let failure = repo.fetch(&opts()).await.err().unwrap();
    let url = repo.url(SUMMARY, "en");
    assert_eq!(
        failure,
        FetchFailure {
            downloads: vec![DownloadFailure {
                url: url.clone(),
                reason: "HTTP 403 Forbidden".into()
            }],
            errors: vec![],
        }
    );
    assert_eq!(failure.to_string(), format!("{url}: HTTP 403 Forbidden"));
    // The five good files were downloaded, yet none was written.
    for slug in [FANS, TAGS] {
        for lang in LANGS {
            assert_eq!(requests_to(&server, &repo.url_path(slug, lang)).await, 1);
        }
    }
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn every_failure_is_reported_in_catalogue_order() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    let swagger2 = String::from_utf8(fixture(SUMMARY, "zh")).unwrap().replacen(
        "\"openapi\": \"3.0.0\"",
        "\"openapi\": \"2.0\"",
        1,
    );
    assert!(swagger2.contains("\"openapi\": \"2.0\""));
    Mock::given(method("GET"))
        .and(path(repo.url_path(SUMMARY, "zh")))
        .respond_with(ResponseTemplate::new(200).set_body_string(swagger2))
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    serve_fixture(&server, &repo, SUMMARY, "en").await;
    let before = repo.snapshot();

    let failure = repo.fetch(&opts()).await.err().unwrap();
    assert!(failure.errors.is_empty());
    assert_eq!(
        failure.to_string(),
        format!(
            "{}: HTTP 404 Not Found\n{}: unsupported OpenAPI version \"2.0\", expected 3.0.x or 3.1.x",
            repo.url(FANS, "en"),
            repo.url(SUMMARY, "zh")
        )
    );
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn body_over_the_cap_is_rejected_by_content_length() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    serve_fixtures(&server, &repo, &[FANS]).await;
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_body_bytes: 1000,
            ..opts()
        })
        .await
        .err()
        .unwrap();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: repo.url(FANS, lang),
            reason: format!(
                "body exceeds 1000 bytes (Content-Length: {})",
                fixture(FANS, lang).len()
            ),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert_eq!(requests_to(&server, &repo.url_path(FANS, "en")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap() {
    let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned();
    let (base, connections) = raw_server(head, None).await;
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    let before = repo.snapshot();

    // The body never ends, so reading it all would hit the timeout instead.
    let failure = repo
        .fetch(&FetchOptions {
            max_body_bytes: 100_000,
            ..opts()
        })
        .await
        .err()
        .unwrap();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: repo.url(FANS, lang),
            reason: "body exceeds 100000 bytes".into(),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // A port that was just free: nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/openapi", listener.local_addr().unwrap());
    drop(listener);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_attempts: 2,
            ..opts()
        })
        .await
        .err()
        .unwrap();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: repo.url(FANS, lang),
            reason: "connection failed: Connection refused (os error 111) (after 2 attempts)".into(),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_where_it_pointed() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    Mock::given(method("GET"))
        .and(path(repo.url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", "https://user:secret@elsewhere.invalid/x.json"),
        )
        .mount(&server)
        .await;
    serve_fixture(&server, &repo, FANS, "zh").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts()).await);
    assert_eq!(
        failure.reason,
        "HTTP 302 Found to https://elsewhere.invalid/x.json (redirects are not followed)"
    );
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn only_refetches_one_endpoint_with_the_vendored_catalogue_and_keeps_the_other_lock_entries() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    serve_fixtures(&server, &repo, &[FANS, SUMMARY]).await;
    repo.fetch(&opts()).await.unwrap();
    let old_lock = read_lock(&repo.layout.lock());

    // Upstream changes both endpoints; only SUMMARY is asked for (by its path).
    server.reset().await;
    let changed = |slug: &str, lang: &str| {
        let value: serde_json::Value = serde_json::from_slice(&fixture(slug, lang)).unwrap();
        serde_json::to_vec(&value).unwrap()
    };
    for slug in [FANS, SUMMARY] {
        for lang in LANGS {
            assert_ne!(changed(slug, lang), fixture(slug, lang));
            Mock::given(method("GET"))
                .and(path(repo.url_path(slug, lang)))
                .respond_with(ResponseTemplate::new(200).set_body_bytes(changed(slug, lang)))
                .mount(&server)
                .await;
        }
    }

    let report = repo
        .fetch_into(None, &opts(), Some(&api_path(SUMMARY)), None)
        .await
        .unwrap();
    assert_eq!(outcomes(&report), all(&[SUMMARY], Outcome::Downloaded));
    let requested: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(requested.iter().all(|p| p.contains("data-summary")), "{requested:?}");
    assert_eq!(requested.len(), 2);

    let lock = read_lock(&repo.layout.lock());
    for lang in LANGS {
        assert_eq!(std::fs::read(repo.file(&rel(FANS, lang))).unwrap(), fixture(FANS, lang));
        assert_eq!(lock.files[&rel(FANS, lang)], old_lock.files[&rel(FANS, lang)]);
        assert_eq!(
            std::fs::read(repo.file(&rel(SUMMARY, lang))).unwrap(),
            changed(SUMMARY, lang)
        );
        assert_eq!(
            lock.files[&rel(SUMMARY, lang)].sha256,
            sha256_hex(&changed(SUMMARY, lang))
        );
    }
    // A platform works too.
    let report = repo
        .fetch_into(None, &opts(), Some(common::PLATFORM), None)
        .await
        .unwrap();
    assert_eq!(report.files.len(), 4);
}

#[tokio::test]
async fn only_with_an_unknown_platform_or_path_names_it_and_requests_nothing() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old();
    serve_fixtures(&server, &repo, &[FANS]).await;
    let before = repo.snapshot();

    let failure = repo
        .fetch_into(None, &opts(), Some("no-such-platform"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(
        failure.to_string(),
        "--only no-such-platform: no endpoint the vendored catalogue publishes has this platform, path or docs slug; \
         nothing was downloaded"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(repo.snapshot(), before);
}
