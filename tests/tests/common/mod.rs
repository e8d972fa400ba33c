//! Throw-away checkouts for pipeline tests: the real manifest's shared parts, chosen endpoints, and
//! definitions copied from `tests/fixtures/docs-openapi/` (copies of `../shared/upstream/docs-openapi/`).

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub mod pgy;

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

/// The platform of the Pgy fixtures.
pub const PLATFORM: &str = "xiaohongshu-pgy";

/// Where the definition of a Pgy fixture endpoint lives in a checkout, relative to `specs/`.
pub fn rel_path(slug: &str, lang: &str) -> String {
    let path = api_path(slug);
    let api = codegen::catalogue::layout::check_path(&path).unwrap();
    let lang = if lang == "zh" {
        codegen::manifest::Lang::Zh
    } else {
        codegen::manifest::Lang::En
    };
    codegen::catalogue::layout::rel_path(codegen::ir::Method::Get, &api, lang)
}

impl TempRepo {
    /// A checkout whose catalogue lists these Pgy endpoints (seed era). `endpoints`: (slug, successor hint).
    pub fn new(endpoints: &[(&str, Option<&str>)]) -> TempRepo {
        let repo = TempRepo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.set_endpoints(endpoints);
        repo
    }

    /// Makes the catalogue list exactly these endpoints (the 2026-03-29 aggregate's Pgy slice, cut to them),
    /// copies the definitions not vendored yet, writes the successor hints as an overlay, a manifest whose shared
    /// part (servers, codes, notice) is the real one's with only the Pgy crate, and a lock for all of it.
    pub fn set_endpoints(&self, endpoints: &[(&str, Option<&str>)]) {
        let specs = self.root().join("specs");
        std::fs::create_dir_all(specs.join("catalogue")).unwrap();
        std::fs::create_dir_all(specs.join("overlays")).unwrap();
        let real = std::fs::read_to_string(workspace_root().join("specs/manifest.yaml")).unwrap();
        let shared = &real[..real.find("\ncrates:").expect("manifest has a crates section")];
        let yaml = format!(
            "{shared}\ncrates:\n  - platform: {PLATFORM}\n    name: justoneapi-xiaohongshu-pgy\n    version: 0.1.0\n"
        );
        std::fs::write(specs.join("manifest.yaml"), yaml).unwrap();
        let paths: Vec<String> = endpoints.iter().map(|(slug, _)| api_path(slug)).collect();
        let mut catalogue: serde_json::Value = serde_json::from_slice(
            &std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/public-api/xiaohongshu-pgy-2026-03-29.json"),
            )
            .unwrap(),
        )
        .unwrap();
        catalogue["paths"]
            .as_object_mut()
            .unwrap()
            .retain(|p, _| paths.contains(p));
        std::fs::write(
            specs.join("catalogue/public-api.json"),
            serde_json::to_vec_pretty(&catalogue).unwrap(),
        )
        .unwrap();
        let mut hints = String::from("overlays:\n");
        for (slug, successor) in endpoints {
            for lang in ["en", "zh"] {
                let target = specs.join(rel_path(slug, lang));
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                if !target.exists() {
                    std::fs::copy(fixture_path(slug, lang), target).unwrap();
                }
            }
            if let Some(s) = successor {
                hints.push_str(&format!(
                    "  - path: {}\n    reason: test hint\n    successor: {}\n",
                    api_path(slug),
                    api_path(s)
                ));
            }
        }
        let overlay = specs.join("overlays/successors.yaml");
        if hints.lines().count() > 1 {
            std::fs::write(overlay, hints).unwrap();
        } else if overlay.exists() {
            std::fs::remove_file(overlay).unwrap();
        }
        self.lock();
    }

    /// Rewrites `specs/specs.lock` for every vendored file as it is now (what a fetch would have recorded).
    pub fn lock(&self) {
        let specs = self.root().join("specs");
        let mut lock = codegen::lock::Lock::empty();
        let mut files = vec![specs.join("catalogue/public-api.json")];
        for platform in std::fs::read_dir(specs.join("definitions")).into_iter().flatten() {
            for f in std::fs::read_dir(platform.unwrap().path()).unwrap() {
                files.push(f.unwrap().path());
            }
        }
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let rel = f.strip_prefix(&specs).unwrap().to_string_lossy().replace('\\', "/");
            lock.files.insert(
                rel.clone(),
                codegen::lock::LockEntry {
                    url: format!("http://upstream.invalid/{rel}"),
                    sha256: codegen::lock::sha256_hex(&bytes),
                    size: bytes.len() as u64,
                    etag: None,
                    last_modified: None,
                    date: "Sun, 29 Mar 2026 00:00:00 GMT".into(),
                },
            );
        }
        std::fs::write(specs.join("specs.lock"), lock.to_text()).unwrap();
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn spec(&self, slug: &str, lang: &str) -> PathBuf {
        self.root().join("specs").join(rel_path(slug, lang))
    }

    /// Rewrites one definition through a closure over its JSON.
    pub fn edit(&self, slug: &str, lang: &str, f: impl FnOnce(&mut serde_json::Value)) {
        let path = self.spec(slug, lang);
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        f(&mut v);
        std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }

    /// The Pgy crate's IR, overlays applied.
    pub fn api(&self) -> anyhow::Result<codegen::ir::Api> {
        let project = xtask::project::Project::load(self.root())?;
        let mut warnings = Vec::new();
        Ok(codegen::crate_apis(&project.specs, &mut warnings)?.remove(0).api)
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
        let (line, headers, length) = parse_head(&data[..head_end]);
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

/// Upstream on 127.0.0.1, as the checkout at `root` vendors it: its catalogue at `/catalogue.json` and each
/// published endpoint's definitions at the URLs upstream's rule gives (under `/openapi/`), each passed through
/// `edit` (API path, language, JSON) first.
pub async fn serve_checkout(root: &Path, edit: impl Fn(&str, &str, &mut serde_json::Value)) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    let project = xtask::project::Project::load(root).unwrap();
    let catalogue = project.specs.parse_catalogue(&mut Vec::new()).unwrap();
    let server = wiremock::MockServer::start().await;
    let mount = |at: String, body: Vec<u8>| {
        wiremock::Mock::given(method("GET"))
            .and(path(at))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_bytes(body))
    };
    mount("/catalogue.json".into(), project.specs.catalogue.clone().unwrap().bytes)
        .mount(&server)
        .await;
    for listed in &catalogue.entries {
        let Some(docs) = &listed.docs else { continue };
        for lang in [codegen::manifest::Lang::En, codegen::manifest::Lang::Zh] {
            let rel = codegen::catalogue::layout::rel_path(listed.method, &listed.api_path, lang);
            let Some(source) = project.specs.definitions.get(&rel) else {
                continue;
            };
            let mut doc: serde_json::Value = serde_json::from_slice(&source.bytes).unwrap();
            edit(&listed.path, lang.as_str(), &mut doc);
            mount(docs.url("/openapi", lang), serde_json::to_vec_pretty(&doc).unwrap())
                .mount(&server)
                .await;
        }
    }
    server
}

/// What `cargo xtask fetch --catalogue <server>/catalogue.json --base-url <server>/openapi` does, into `root`.
pub async fn fetch_from(root: &Path, server: &wiremock::MockServer) {
    let project = xtask::project::Project::load(root).unwrap();
    let args = upstream_args(server);
    let pulled = xtask::upstream::pull_async(&project, &args, &args.options())
        .await
        .unwrap();
    let mut tx = xtask::writer::Transaction::new();
    xtask::upstream::stage(&mut tx, &project.layout.specs(), &pulled);
    tx.commit().unwrap();
}

/// The download flags that point `fetch`, `regen` and `drift` at a [`serve_checkout`] server.
pub fn upstream_args(server: &wiremock::MockServer) -> xtask::cmd::fetch::DownloadArgs {
    xtask::cmd::fetch::DownloadArgs {
        catalogue: Some(format!("{}/catalogue.json", server.uri())),
        base_url: Some(format!("{}/openapi", server.uri())),
        timeout_secs: 10,
        jobs: 8,
        only: None,
    }
}

/// Servers and a proxy on 127.0.0.1 for the transport tests (`tests/transport.rs`, `tests/proxy_env.rs`): a
/// private certificate authority, an HTTP/1.1 server (over TLS when given a configuration), and a proxy that
/// tunnels `CONNECT` and answers absolute-form requests itself.
/// A request head (without its blank line): the request line, the headers, and the `Content-Length` (0 when
/// there is none).
fn parse_head(head: &[u8]) -> (String, Vec<(String, String)>, usize) {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    (line, headers, length)
}

pub mod net {
    use std::io;
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::Received;

    /// A certificate authority of the test's own, and a server certificate it signed for `127.0.0.1` and
    /// `localhost`: trusted by nobody unless given to the client.
    pub struct PrivateCa {
        /// The authority's certificate (PEM), what `root_certificates_pem` is given.
        pub ca_pem: String,
        /// A rustls server configuration (ring provider, no ALPN: HTTP/1.1) with the signed certificate.
        pub server: Arc<rustls::ServerConfig>,
    }

    pub fn private_ca() -> PrivateCa {
        use rcgen::KeyUsagePurpose;
        use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair};

        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "justoneapi test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "127.0.0.1");
        leaf.use_authority_key_identifier_extension = true;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = leaf.signed_by(&key, &issuer).unwrap();

        // The ring provider explicitly: the process-wide default provider is left alone.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der().clone()], key.into())
            .unwrap();
        PrivateCa {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        }
    }

    /// One HTTP/1.1 connection, server side: requests read one after the other (with their
    /// `Content-Length` bodies), answers written.
    pub struct HttpConn<S> {
        pub stream: S,
        /// Bytes read past the last request.
        buf: Vec<u8>,
    }

    impl<S: AsyncRead + AsyncWrite + Unpin> HttpConn<S> {
        pub fn new(stream: S) -> Self {
            HttpConn {
                stream,
                buf: Vec::new(),
            }
        }

        /// The next request, or `None` when the client closed the connection first.
        pub async fn next_request(&mut self) -> io::Result<Option<Received>> {
            let mut chunk = [0u8; 8192];
            let head_end = loop {
                if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break at;
                }
                let n = self.stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                self.buf.extend_from_slice(&chunk[..n]);
            };
            let (line, headers, length) = super::parse_head(&self.buf[..head_end]);
            self.buf.drain(..head_end + 4);
            while self.buf.len() < length {
                let n = self.stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&self.buf[..length]).into_owned();
            self.buf.drain(..length);
            Ok(Some(Received { line, headers, body }))
        }

        /// A `200` with this JSON body; the connection stays open.
        pub async fn respond(&mut self, body: &str) -> io::Result<()> {
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            self.stream.write_all(response.as_bytes()).await?;
            self.stream.flush().await
        }
    }

    /// An HTTP/1.1 server on 127.0.0.1, over TLS when given a configuration, that answers every request with
    /// `body` and keeps connections open; it records the request lines and counts connections.
    pub struct HttpServer {
        pub addr: SocketAddr,
        tls: bool,
        connections: Arc<AtomicUsize>,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl HttpServer {
        pub async fn start(tls: Option<Arc<rustls::ServerConfig>>, body: String) -> HttpServer {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let connections = Arc::new(AtomicUsize::new(0));
            let lines = Arc::new(Mutex::new(Vec::new()));
            let server = HttpServer {
                addr,
                tls: tls.is_some(),
                connections: connections.clone(),
                lines: lines.clone(),
            };
            let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
            let body = Arc::new(body);
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (acceptor, body, lines) = (acceptor.clone(), body.clone(), lines.clone());
                    tokio::spawn(async move {
                        match acceptor {
                            // A failed handshake (a client that does not trust the certificate) ends it.
                            Some(acceptor) => {
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    let _ = Self::serve(HttpConn::new(stream), &body, &lines).await;
                                }
                            }
                            None => {
                                let _ = Self::serve(HttpConn::new(stream), &body, &lines).await;
                            }
                        }
                    });
                }
            });
            server
        }

        async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
            mut conn: HttpConn<S>,
            body: &str,
            lines: &Mutex<Vec<String>>,
        ) -> io::Result<()> {
            while let Some(request) = conn.next_request().await? {
                lines.lock().unwrap().push(request.line);
                conn.respond(body).await?;
            }
            Ok(())
        }

        /// `https://127.0.0.1:port` or `http://127.0.0.1:port`.
        pub fn url(&self) -> String {
            let scheme = if self.tls { "https" } else { "http" };
            format!("{scheme}://{}", self.addr)
        }

        /// The request line of every request answered so far.
        pub fn lines(&self) -> Vec<String> {
            self.lines.lock().unwrap().clone()
        }

        /// Connections accepted (TCP), handshakes that failed included.
        pub fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }
    }

    /// A proxy on 127.0.0.1 that records the request line of everything it is asked: a `CONNECT` opens a
    /// tunnel to its target (`200 Connection Established`, then bytes both ways); a request in absolute form
    /// (`GET http://host/path`) is answered by the proxy itself with `body`.
    pub struct Proxy {
        pub url: String,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl Proxy {
        pub async fn start(body: String) -> Proxy {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let lines = Arc::new(Mutex::new(Vec::new()));
            let log = lines.clone();
            let body = Arc::new(body);
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (log, body) = (log.clone(), body.clone());
                    tokio::spawn(async move { Self::serve(stream, &body, &log).await });
                }
            });
            Proxy { url, lines }
        }

        async fn serve(stream: TcpStream, body: &str, log: &Mutex<Vec<String>>) -> io::Result<()> {
            let mut conn = HttpConn::new(stream);
            while let Some(request) = conn.next_request().await? {
                log.lock().unwrap().push(request.line.clone());
                if let Some(target) = request.line.strip_prefix("CONNECT ") {
                    let authority = target.split(' ').next().unwrap_or_default();
                    let mut upstream = TcpStream::connect(authority).await?;
                    conn.stream
                        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                        .await?;
                    // Whatever the client sent after the head (nothing: it waits for the 200) goes first.
                    upstream.write_all(&conn.buf).await?;
                    tokio::io::copy_bidirectional(&mut conn.stream, &mut upstream).await?;
                    return Ok(());
                }
                conn.respond(body).await?;
            }
            Ok(())
        }

        /// The request line of everything the proxy was asked so far.
        pub fn lines(&self) -> Vec<String> {
            self.lines.lock().unwrap().clone()
        }
    }
}
