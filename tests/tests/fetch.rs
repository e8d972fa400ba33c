//! `cargo xtask fetch` against servers on 127.0.0.1 that each test starts, serving the vendored fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codegen::lock::{sha256_hex, Lock, LockEntry, LOCK_VERSION};
use codegen::manifest::Manifest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::cmd::fetch::{fetch_into, FetchReport};
use xtask::download::{DownloadFailure, FetchFailure, FetchOptions, Outcome};
use xtask::project::Layout;

const GROUP: &str = "xiaohongshu-pgy-apis";
const FANS: &str = "fans-profile-v1";
const SUMMARY: &str = "data-summary-v1";
const TAGS: &str = "kol-content-tags-v1";
const LANGS: [&str; 2] = ["en", "zh"];

fn fixture(slug: &str, lang: &str) -> Vec<u8> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/docs-openapi/{slug}-{lang}.json"));
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The one HTTP path a fixture describes.
fn api_path(slug: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(&fixture(slug, "en")).unwrap();
    value["paths"].as_object().unwrap().keys().next().unwrap().clone()
}

fn read_lock(path: &Path) -> Lock {
    Lock::parse(&std::fs::read_to_string(path).unwrap(), path).unwrap()
}

fn rel(slug: &str, lang: &str) -> String {
    format!("{GROUP}/{slug}-{lang}.json")
}

fn url_path(slug: &str, lang: &str) -> String {
    format!("/openapi/{}", rel(slug, lang))
}

/// A throw-away checkout with `specs/manifest.yaml` listing `slugs` (both languages each).
struct Repo {
    dir: tempfile::TempDir,
    layout: Layout,
    manifest: Manifest,
}

impl Repo {
    fn new(docs_base_url: &str, slugs: &[&str]) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::create_dir_all(layout.specs()).unwrap();
        let mut yaml = format!(
            "docs_base_url: {docs_base_url}\n\
             servers:\n  - name: prod-global\n    url: https://api.justoneapi.com\n    description: {{ en: Global, zh: 全球 }}\n\
             business_codes:\n  - {{ code: 0, name: Success, en: Success, zh: 成功 }}\n\
             deprecation_notice: {{ en: Deprecated., zh: 已过时。 }}\n\
             crates:\n  - name: justoneapi-test\n    version: 0.1.0\n    platform: xiaohongshu-pgy\n    group: {GROUP}\n\
             \x20   title: {{ en: Test, zh: 测试 }}\n    endpoints:\n"
        );
        for slug in slugs {
            yaml.push_str(&format!(
                "      - slug: {slug}\n        path: {}\n        languages: [en, zh]\n",
                api_path(slug)
            ));
        }
        std::fs::write(layout.manifest(), yaml).unwrap();
        let manifest =
            Manifest::parse(&std::fs::read_to_string(layout.manifest()).unwrap(), &layout.manifest()).unwrap();
        Repo { dir, layout, manifest }
    }

    fn file(&self, rel_path: &str) -> PathBuf {
        self.layout.specs().join(rel_path)
    }

    /// Fills `specs/` with an older vendored state (different bytes, and a lock describing them), so that a
    /// fetch that wrongly wrote anything would show up in the snapshot.
    fn seed_old(&self, base_url: &str) {
        let mut lock = Lock {
            version: LOCK_VERSION,
            files: BTreeMap::new(),
        };
        for file in self.manifest.spec_files() {
            let bytes = format!("{{\"old\": \"{}\"}}\n", file.rel_path()).into_bytes();
            let target = self.file(&file.rel_path());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, &bytes).unwrap();
            lock.files.insert(
                file.rel_path(),
                LockEntry {
                    url: file.url(base_url),
                    sha256: sha256_hex(&bytes),
                    size: bytes.len() as u64,
                    etag: None,
                    last_modified: None,
                    date: "Thu, 01 Jan 2015 00:00:00 GMT".into(),
                },
            );
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

    async fn fetch(&self, opts: &FetchOptions) -> Result<FetchReport, FetchFailure> {
        fetch_into(&self.layout.specs(), &self.manifest, opts).await
    }
}

fn opts(base_url: &str) -> FetchOptions {
    FetchOptions {
        base_url: Some(base_url.to_owned()),
        timeout: Duration::from_secs(5),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        ..FetchOptions::default()
    }
}

fn docs_base(server: &MockServer) -> String {
    format!("{}/openapi", server.uri())
}

async fn serve_fixture(server: &MockServer, slug: &str, lang: &str) {
    Mock::given(method("GET"))
        .and(path(url_path(slug, lang)))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture(slug, lang)))
        .mount(server)
        .await;
}

async fn serve_fixtures(server: &MockServer, slugs: &[&str]) {
    for slug in slugs {
        for lang in LANGS {
            serve_fixture(server, slug, lang).await;
        }
    }
}

async fn requests_to(server: &MockServer, url_path: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests.iter().filter(|r| r.url.path() == url_path).count()
}

fn only_download_failure(result: Result<FetchReport, FetchFailure>) -> DownloadFailure {
    let failure = result.expect_err("fetch should fail");
    assert!(failure.errors.is_empty(), "{failure}");
    assert_eq!(failure.downloads.len(), 1, "{failure}");
    failure.downloads.into_iter().next().unwrap()
}

fn outcomes(report: &FetchReport) -> Vec<(String, Outcome)> {
    report.files.iter().map(|f| (f.rel_path.clone(), f.outcome)).collect()
}

fn all(slugs: &[&str], outcome: Outcome) -> Vec<(String, Outcome)> {
    slugs
        .iter()
        .flat_map(|slug| LANGS.map(|lang| (rel(slug, lang), outcome)))
        .collect()
}

#[tokio::test]
async fn happy_path_writes_files_and_lock_and_refetch_changes_no_byte() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    // The manifest's own docs_base_url is used when no override is given.
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"fans-en-1\"")
                .insert_header("Last-Modified", "Tue, 20 Oct 2015 07:28:00 GMT")
                .insert_header("Date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        )
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;
    serve_fixtures(&server, &[SUMMARY]).await;
    let options = FetchOptions {
        base_url: None,
        ..opts("unused")
    };

    let report = repo.fetch(&options).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS, SUMMARY], Outcome::Downloaded));
    assert!(report.lock_written);
    assert_eq!(report.lock_path, repo.layout.lock());

    let lock = read_lock(&repo.layout.lock());
    assert_eq!(std::fs::read_to_string(repo.layout.lock()).unwrap(), lock.to_text());
    assert_eq!(lock.files.len(), 4);
    for slug in [FANS, SUMMARY] {
        for lang in LANGS {
            let expected = fixture(slug, lang);
            assert_eq!(std::fs::read(repo.file(&rel(slug, lang))).unwrap(), expected);
            let entry = &lock.files[&rel(slug, lang)];
            assert_eq!(entry.url, format!("{base}/{}", rel(slug, lang)));
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

    // Manifest, four definitions, lock, and the group directory: no temporary files left behind.
    let before = repo.snapshot();
    let mut keys: Vec<&str> = before.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected_keys = vec![
        "specs".to_owned(),
        "specs/manifest.yaml".into(),
        "specs/specs.lock".into(),
        format!("specs/{GROUP}"),
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
    let report = repo.fetch(&options).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS, SUMMARY], Outcome::Unchanged));
    assert!(!report.lock_written);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn base_url_and_out_dir_override_the_manifest_and_specs() {
    let server = MockServer::start().await;
    // Nothing listens there; the override must win.
    let repo = Repo::new("http://127.0.0.1:9/openapi", &[FANS]);
    serve_fixtures(&server, &[FANS]).await;
    let out = repo.dir.path().join("vendored");
    let before = repo.snapshot();

    let report = fetch_into(&out, &repo.manifest, &opts(&docs_base(&server)))
        .await
        .unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    assert_eq!(report.lock_path, out.join("specs.lock"));
    for lang in LANGS {
        assert_eq!(std::fs::read(out.join(rel(FANS, lang))).unwrap(), fixture(FANS, lang));
    }
    let lock = read_lock(&out.join("specs.lock"));
    assert_eq!(
        lock.files[&rel(FANS, "zh")].url,
        format!("{}/{}", docs_base(&server), rel(FANS, "zh"))
    );

    let mut after = repo.snapshot();
    after.retain(|k, _| !k.starts_with("vendored"));
    assert_eq!(after, before, "specs/ must not change when --out is given");
}

#[tokio::test]
async fn not_found_is_reported_without_retry_and_nothing_is_written() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    repo.seed_old(&base);
    serve_fixtures(&server, &[FANS]).await;
    serve_fixture(&server, SUMMARY, "en").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts(&base)).await);
    let url = format!("{base}/{}", rel(SUMMARY, "zh"));
    assert_eq!(
        failure,
        DownloadFailure {
            url: url.clone(),
            reason: "HTTP 404 Not Found".into()
        }
    );
    assert_eq!(requests_to(&server, &url_path(SUMMARY, "zh")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn server_error_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    // Mounted first, so it answers the first request; afterwards the fixture does.
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    serve_fixtures(&server, &[FANS]).await;

    let report = repo.fetch(&opts(&base)).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    assert_eq!(requests_to(&server, &url_path(FANS, "en")).await, 2);
    assert_eq!(requests_to(&server, &url_path(FANS, "zh")).await, 1);
    assert_eq!(std::fs::read(repo.file(&rel(FANS, "en"))).unwrap(), fixture(FANS, "en"));
}

#[tokio::test]
async fn persistent_server_error_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "zh")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "en").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts(&base)).await);
    assert_eq!(failure.url, format!("{base}/{}", rel(FANS, "zh")));
    assert_eq!(failure.reason, "HTTP 503 Service Unavailable (after 3 attempts)");
    assert_eq!(requests_to(&server, &url_path(FANS, "zh")).await, 3);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;
    let before = repo.snapshot();

    let failure = only_download_failure(
        repo.fetch(&FetchOptions {
            timeout: Duration::from_millis(200),
            max_attempts: 2,
            ..opts(&base)
        })
        .await,
    );
    assert_eq!(failure.url, format!("{base}/{}", rel(FANS, "en")));
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
    repo.seed_old(&base);
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_attempts: 2,
            ..opts(&base)
        })
        .await
        .unwrap_err();
    let reason = "body cut off after 100 of 1000 bytes: end of file before message length reached (after 2 attempts)";
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: format!("{base}/{}", rel(FANS, lang)),
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
    repo.seed_old(&base);
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,\n}"))
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts(&base)).await);
    assert_eq!(failure.url, format!("{base}/{}", rel(FANS, "en")));
    assert_eq!(failure.reason, "invalid JSON at line 3 column 13: key must be a string");
    // A bad definition will not get better by asking again.
    assert_eq!(requests_to(&server, &url_path(FANS, "en")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn definition_of_another_path_is_rejected() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "zh")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(fixture(SUMMARY, "zh")))
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "en").await;
    let before = repo.snapshot();

    let failure = only_download_failure(repo.fetch(&opts(&base)).await);
    assert_eq!(failure.url, format!("{base}/{}", rel(FANS, "zh")));
    assert_eq!(
        failure.reason,
        format!(
            "definition describes {}, expected {}",
            api_path(SUMMARY),
            api_path(FANS)
        )
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
        .and(path(url_path(FANS, "en")))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"v1\""),
        )
        .expect(1)
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;

    let report = repo.fetch(&opts(&base)).await.unwrap();
    assert_eq!(outcomes(&report), all(&[FANS], Outcome::Downloaded));
    let before = repo.snapshot();

    let report = repo.fetch(&opts(&base)).await.unwrap();
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
        .and(path(url_path(FANS, "en")))
        .and(header("If-None-Match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(url_path(FANS, "en")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(fixture(FANS, "en"))
                .insert_header("ETag", "\"v1\""),
        )
        .expect(2)
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;
    repo.fetch(&opts(&base)).await.unwrap();
    std::fs::write(repo.file(&rel(FANS, "en")), "{}").unwrap();

    let report = repo.fetch(&opts(&base)).await.unwrap();
    assert_eq!(report.files[0].outcome, Outcome::Downloaded);
    assert_eq!(std::fs::read(repo.file(&rel(FANS, "en"))).unwrap(), fixture(FANS, "en"));
    server.verify().await;
}

#[tokio::test]
async fn failed_rename_mid_commit_restores_everything() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    serve_fixtures(&server, &[FANS, SUMMARY]).await;
    repo.seed_old(&base);
    // The first file is new (a rollback must delete it), the next two hold old bytes (a rollback must put them
    // back), and the last is a directory, which no rename can replace with a file.
    std::fs::remove_file(repo.file(&rel(FANS, "en"))).unwrap();
    let blocked = repo.file(&rel(SUMMARY, "zh"));
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    let before = repo.snapshot();

    let failure = repo.fetch(&opts(&base)).await.unwrap_err();
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
async fn one_failure_among_many_writes_nothing_and_names_only_that_url() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY, TAGS]);
    repo.seed_old(&base);
    Mock::given(method("GET"))
        .and(path(url_path(SUMMARY, "en")))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    serve_fixtures(&server, &[FANS, TAGS]).await;
    serve_fixture(&server, SUMMARY, "zh").await;
    let before = repo.snapshot();

    let failure = repo.fetch(&opts(&base)).await.unwrap_err();
    let url = format!("{base}/{}", rel(SUMMARY, "en"));
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
            assert_eq!(requests_to(&server, &url_path(slug, lang)).await, 1);
        }
    }
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn every_failure_is_reported_in_manifest_order() {
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
        .and(path(url_path(SUMMARY, "zh")))
        .respond_with(ResponseTemplate::new(200).set_body_string(swagger2))
        .mount(&server)
        .await;
    serve_fixture(&server, FANS, "zh").await;
    serve_fixture(&server, SUMMARY, "en").await;
    let before = repo.snapshot();

    let failure = repo.fetch(&opts(&base)).await.unwrap_err();
    assert!(failure.errors.is_empty());
    assert_eq!(
        failure.to_string(),
        format!(
            "{base}/{}: HTTP 404 Not Found\n{base}/{}: unsupported OpenAPI version \"2.0\", expected 3.0.x or 3.1.x",
            rel(FANS, "en"),
            rel(SUMMARY, "zh")
        )
    );
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn body_over_the_cap_is_rejected_by_content_length() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    serve_fixtures(&server, &[FANS]).await;
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_body_bytes: 1000,
            ..opts(&base)
        })
        .await
        .unwrap_err();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: format!("{base}/{}", rel(FANS, lang)),
            reason: format!(
                "body exceeds 1000 bytes (Content-Length: {})",
                fixture(FANS, lang).len()
            ),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert_eq!(requests_to(&server, &url_path(FANS, "en")).await, 1);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap() {
    let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned();
    let (base, connections) = raw_server(head, None).await;
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    let before = repo.snapshot();

    // The body never ends, so reading it all would hit the timeout instead.
    let failure = repo
        .fetch(&FetchOptions {
            max_body_bytes: 100_000,
            ..opts(&base)
        })
        .await
        .unwrap_err();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: format!("{base}/{}", rel(FANS, lang)),
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
    repo.seed_old(&base);
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            max_attempts: 2,
            ..opts(&base)
        })
        .await
        .unwrap_err();
    let expected: Vec<DownloadFailure> = LANGS
        .iter()
        .map(|lang| DownloadFailure {
            url: format!("{base}/{}", rel(FANS, lang)),
            reason: "connection failed: Connection refused (os error 111) (after 2 attempts)".into(),
        })
        .collect();
    assert_eq!(failure.downloads, expected);
    assert_eq!(repo.snapshot(), before);
}

#[tokio::test]
async fn only_fetches_one_endpoint_and_keeps_the_other_lock_entries() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS, SUMMARY]);
    serve_fixtures(&server, &[FANS, SUMMARY]).await;
    repo.fetch(&opts(&base)).await.unwrap();
    let old_lock = read_lock(&repo.layout.lock());

    // Upstream changes both endpoints; only SUMMARY is asked for.
    server.reset().await;
    let changed = |slug: &str, lang: &str| {
        let value: serde_json::Value = serde_json::from_slice(&fixture(slug, lang)).unwrap();
        serde_json::to_vec(&value).unwrap()
    };
    for slug in [FANS, SUMMARY] {
        for lang in LANGS {
            assert_ne!(changed(slug, lang), fixture(slug, lang));
            Mock::given(method("GET"))
                .and(path(url_path(slug, lang)))
                .respond_with(ResponseTemplate::new(200).set_body_bytes(changed(slug, lang)))
                .mount(&server)
                .await;
        }
    }

    let report = repo
        .fetch(&FetchOptions {
            only: Some(SUMMARY.into()),
            ..opts(&base)
        })
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
    assert!(requested.iter().all(|p| p.contains(SUMMARY)), "{requested:?}");
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
}

#[tokio::test]
async fn only_with_an_unknown_slug_names_it_and_requests_nothing() {
    let server = MockServer::start().await;
    let base = docs_base(&server);
    let repo = Repo::new(&base, &[FANS]);
    repo.seed_old(&base);
    serve_fixtures(&server, &[FANS]).await;
    let before = repo.snapshot();

    let failure = repo
        .fetch(&FetchOptions {
            only: Some("no-such-endpoint-v9".into()),
            ..opts(&base)
        })
        .await
        .unwrap_err();
    assert_eq!(
        failure.to_string(),
        "unknown slug `no-such-endpoint-v9`: the manifest lists no endpoint with that slug"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(repo.snapshot(), before);
}
