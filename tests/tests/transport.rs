//! The runtime's HTTP transport (`codegen/templates/transport.rs` and `runtime.rs`, as emitted into
//! `generated/justoneapi-runtime`) against real servers on 127.0.0.1 that each test starts: TLS with a private
//! certificate authority, proxies, gzip bodies and the body limit, a request dropped half-way, what is sent
//! again and what never is (POST), one client used from several Tokio runtimes, and the caps of the mismatch
//! report. Each test's doc comment states the rule it checks.

// `get_kol_fans_portrait_v1` is deprecated upstream; these tests exercise it on purpose.
#![allow(deprecated)]

mod common;

use std::collections::BTreeMap;
use std::io::{self, Write as _};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use justoneapi_runtime::de::{MAX_MISMATCHES, MAX_PATH_BYTES, MAX_PATH_KEY_CHARS};
use justoneapi_runtime::{Method, Overrides, Parts, ResponseFuture};
use justoneapi_xiaohongshu_pgy::{Error, RetryPolicy, TransportError, DEFAULT_MAX_BODY_BYTES};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::net::{private_ca, HttpConn, HttpServer, Proxy};
use common::pgy::{
    builder, capture_logs, client, expect_kind, ms, portrait, retrying, seed_example, KOL, PORTRAIT, TOKEN,
};

/// The path of the POST operation the tests send through the runtime's hidden request API.
const POST_PATH: &str = "/api/test/form-post/v1";

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

#[track_caller]
fn expect_transport<T: std::fmt::Debug>(result: Result<T, Error>) -> TransportError {
    match expect_kind(result, "transport") {
        Error::Transport { source, .. } => source,
        _ => unreachable!(),
    }
}

/// The runtime's own client (no platform crate): what the hidden request API below sends with.
fn runtime_client(base_url: &str, retry: RetryPolicy) -> justoneapi_runtime::Client {
    justoneapi_runtime::Client::builder(TOKEN)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(retry)
        .build()
        .unwrap()
}

/// A POST operation as the generated crates of other platforms send one (`Parts` and `ResponseFuture` are
/// the runtime's hidden API for them): the token and `id=1` in an `application/x-www-form-urlencoded` body.
fn post(client: &justoneapi_runtime::Client) -> ResponseFuture<Value> {
    let mut parts = Parts::of(Method::POST, POST_PATH, "form_post_v1", Overrides::default());
    parts.form("id", "1".to_owned());
    ResponseFuture::new(client, parts)
}

/// The portrait GET through the same hidden API, raw `data`.
fn get(client: &justoneapi_runtime::Client) -> ResponseFuture<Value> {
    let mut parts = Parts::of(Method::GET, PORTRAIT, "get_kol_fans_portrait_v1", Overrides::default());
    parts.query("kolId", KOL.to_owned());
    ResponseFuture::new(client, parts)
}

/// A GET of `path` decoding `data` as `T` (any type the runtime decodes, e.g. a map).
fn get_as<T>(client: &justoneapi_runtime::Client, path: &'static str) -> ResponseFuture<T> {
    ResponseFuture::new(client, Parts::of(Method::GET, path, "get_as", Overrides::default()))
}

/// Waits up to 2 s for `condition`.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !condition() {
        assert!(Instant::now() < deadline, "{what}: not within 2 s");
        tokio::time::sleep(ms(10)).await;
    }
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A runtime of its own for the servers, running on its worker thread whatever the test's runtimes do.
fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------------------
// 1. TLS with a private certificate authority
// ---------------------------------------------------------------------------------------------------------

/// An HTTPS server whose certificate a private authority signed is trusted once that authority's certificate
/// is given (`root_certificates_pem`); without it the handshake fails, a connect error (nothing was sent).
#[tokio::test]
async fn https_with_a_private_ca_is_trusted_only_when_its_certificate_is_given() {
    let ca = private_ca();
    let server = HttpServer::start(Some(ca.server.clone()), seed_example().to_string()).await;
    assert!(server.url().starts_with("https://127.0.0.1:"), "{}", server.url());

    let trusting = builder(&server.url())
        .root_certificates_pem(ca.ca_pem.clone())
        .build()
        .unwrap();
    let response = portrait(&trusting).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    let lines = server.lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with(&format!("GET {PORTRAIT}?")), "{lines:?}");

    let untrusting = client(&server.url());
    let error = expect_transport(portrait(&untrusting).await);
    assert!(error.is_connect(), "{error:?}");
    // rustls: "invalid peer certificate: UnknownIssuer".
    assert!(error.to_string().contains("certificate"), "{error}");
    assert_eq!(server.connections(), 2, "the handshake was attempted");
    assert_eq!(
        server.lines().len(),
        1,
        "no request was sent over an untrusted connection"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 2. Proxies
// ---------------------------------------------------------------------------------------------------------

/// With `proxy(url)`, an HTTPS request goes through a `CONNECT` tunnel to the server's authority (the proxy sees
/// nothing else); TLS runs inside it between client and server, trusted through the private authority. The
/// tunnel's connection is kept for the next request.
#[tokio::test]
async fn https_through_a_proxy_goes_through_a_connect_tunnel() {
    let ca = private_ca();
    let server = HttpServer::start(Some(ca.server.clone()), seed_example().to_string()).await;
    let proxy = Proxy::start("{}".to_owned()).await;
    let client = builder(&server.url())
        .proxy(proxy.url.clone())
        .root_certificates_pem(ca.ca_pem)
        .build()
        .unwrap();

    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    assert_eq!(proxy.lines(), [format!("CONNECT {} HTTP/1.1", server.addr)]);
    assert_eq!(server.lines().len(), 1);

    portrait(&client).await.unwrap();
    assert_eq!(proxy.lines().len(), 1, "one tunnel, kept alive: {:?}", proxy.lines());
    assert_eq!(server.lines().len(), 2);
}

/// A plain-HTTP request through an HTTP proxy is sent to the proxy in absolute form
/// (`GET http://host/path?query HTTP/1.1`): the proxy, not the client, reaches the host (here one that does not
/// resolve at all).
#[tokio::test]
async fn plain_http_through_a_proxy_is_sent_in_absolute_form() {
    let proxy = Proxy::start(seed_example().to_string()).await;
    let client = builder("http://api.justoneapi.invalid")
        .proxy(proxy.url.clone())
        .build()
        .unwrap();
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    let lines = proxy.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(
        line.starts_with(&format!("GET http://api.justoneapi.invalid{PORTRAIT}?")),
        "{line}"
    );
    assert!(
        line.contains(&format!("kolId={KOL}")) && line.ends_with(" HTTP/1.1"),
        "{line}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 3. gzip and the body limit
// ---------------------------------------------------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn gzip_response(compressed: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("Content-Encoding", "gzip")
        .set_body_raw(compressed, "application/json")
}

/// A gzip member of `prefix` followed by `spaces` spaces (a multiple of 1 MiB), built without compressing them
/// all: one sync-flushed deflate chunk of 1 MiB of spaces, repeated. Each copy starts byte-aligned and its
/// back-references stay inside its own spaces, so the copies chain into one valid stream; the CRC is combined
/// from the chunk's.
fn gzip_padded(prefix: &[u8], spaces: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    const CHUNK: usize = 1 << 20;
    assert_eq!(spaces % CHUNK, 0);
    let deflate = |data: &[u8], flush| {
        let mut compress = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        compress.compress_vec(data, &mut out, flush).unwrap();
        assert_eq!(compress.total_in(), data.len() as u64);
        out
    };
    let padding = vec![b' '; CHUNK];
    let chunk = deflate(&padding, FlushCompress::Sync);
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(deflate(prefix, FlushCompress::Sync));
    for _ in 0..spaces / CHUNK {
        out.extend_from_slice(&chunk);
    }
    // The final (empty) block.
    out.extend(deflate(&[], FlushCompress::Finish));
    let mut crc = Crc::new();
    crc.update(prefix);
    let mut chunk_crc = Crc::new();
    chunk_crc.update(&padding);
    for _ in 0..spaces / CHUNK {
        crc.combine(&chunk_crc);
    }
    out.extend(crc.sum().to_le_bytes());
    out.extend(((prefix.len() + spaces) as u32).to_le_bytes());
    out
}

/// The body limit counts decompressed bytes: a gzip body of a few KiB on the wire that inflates to over
/// 1 MiB is `BodyTooLarge` under a 64 KiB limit, and read whole under any limit at least its inflated size,
/// `usize::MAX` included.
#[tokio::test]
async fn the_body_limit_counts_the_inflated_bytes_of_a_gzip_body() {
    let mut envelope = seed_example();
    envelope["padding"] = json!(" ".repeat(1 << 20));
    let inflated = envelope.to_string().into_bytes();
    let compressed = gzip(&inflated);
    assert!(compressed.len() < 16 * 1024, "{} bytes on the wire", compressed.len());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(gzip_response(compressed))
        .mount(&server)
        .await;

    let small = builder(&server.uri()).max_body_bytes(64 * 1024).build().unwrap();
    let error = expect_kind(portrait(&small).await, "body-too-large");
    assert!(matches!(error, Error::BodyTooLarge { limit: 65_536, .. }), "{error:?}");

    for limit in [inflated.len(), 2 << 20, usize::MAX] {
        let client = builder(&server.uri()).max_body_bytes(limit).build().unwrap();
        let response = portrait(&client)
            .await
            .unwrap_or_else(|e| panic!("limit {limit}: {e:?}"));
        assert_eq!(response.data.devices.len(), 10);
        assert!(
            response.raw_body() == inflated.as_slice(),
            "limit {limit}: the inflated body"
        );
    }
}

/// A gzip bomb, 64 MiB of JSON (an envelope, then whitespace) in about 64 KiB, is stopped at the default limit
/// of 32 MiB: `BodyTooLarge`, quickly, without inflating the rest.
#[tokio::test]
async fn a_gzip_bomb_is_stopped_at_the_default_limit() {
    let prefix = br#"{"code":0,"message":"bomb","data":null}"#;
    // The construction is sound: a small one inflates to exactly what it stands for.
    let small = gzip_padded(prefix, 2 << 20);
    let mut inflated = Vec::new();
    io::Read::read_to_end(&mut flate2::read::GzDecoder::new(small.as_slice()), &mut inflated).unwrap();
    assert_eq!(inflated.len(), prefix.len() + (2 << 20));
    assert!(inflated.starts_with(prefix) && inflated[prefix.len()..].iter().all(|&b| b == b' '));

    let bomb = gzip_padded(prefix, 64 << 20);
    assert!(bomb.len() < 100 * 1024, "{} bytes on the wire", bomb.len());
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(gzip_response(bomb))
        .mount(&server)
        .await;

    let started = Instant::now();
    let error = expect_kind(portrait(&client(&server.uri())).await, "body-too-large");
    assert!(
        matches!(error, Error::BodyTooLarge { limit, .. } if limit == DEFAULT_MAX_BODY_BYTES),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

/// A server on 127.0.0.1 that answers every request with `body`, framed by `Content-Length`, or with `chunked`
/// in 64 KiB chunks (no length known in advance).
async fn serve_bytes(body: Arc<Vec<u8>>, chunked: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut conn = HttpConn::new(stream);
                while let Ok(Some(_)) = conn.next_request().await {
                    let stream = &mut conn.stream;
                    let sent: io::Result<()> = async {
                        if chunked {
                            stream
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                                .await?;
                            for chunk in body.chunks(64 * 1024) {
                                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
                                stream.write_all(chunk).await?;
                                stream.write_all(b"\r\n").await?;
                            }
                            stream.write_all(b"0\r\n\r\n").await
                        } else {
                            let head = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                                body.len()
                            );
                            stream.write_all(head.as_bytes()).await?;
                            stream.write_all(&body).await
                        }
                    }
                    .await;
                    if sent.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// The seed example padded with trailing whitespace to exactly `len` bytes (still one JSON document).
fn padded_envelope(len: usize) -> Arc<Vec<u8>> {
    let envelope = seed_example().to_string();
    let mut body = vec![b' '; len];
    body[..envelope.len()].copy_from_slice(envelope.as_bytes());
    Arc::new(body)
}

/// The default limit (no `max_body_bytes` call) is `DEFAULT_MAX_BODY_BYTES`, 32 MiB: a body of exactly that
/// many bytes is read and decoded, one byte more is `BodyTooLarge`, whether its length was announced
/// (`Content-Length`) or not (chunked).
#[tokio::test]
async fn the_default_limit_is_exactly_32_mib() {
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 32 * 1024 * 1024);
    let exact = padded_envelope(DEFAULT_MAX_BODY_BYTES);
    let over = padded_envelope(DEFAULT_MAX_BODY_BYTES + 1);
    for chunked in [false, true] {
        let at_limit = client(&serve_bytes(exact.clone(), chunked).await);
        let response = portrait(&at_limit)
            .await
            .unwrap_or_else(|e| panic!("chunked: {chunked}: {e:?}"));
        assert_eq!(response.raw_body().len(), DEFAULT_MAX_BODY_BYTES);
        assert_eq!(response.data.devices.len(), 10);
        drop(response);

        let over_limit = client(&serve_bytes(over.clone(), chunked).await);
        let error = expect_kind(portrait(&over_limit).await, "body-too-large");
        assert!(
            matches!(error, Error::BodyTooLarge { limit, .. } if limit == DEFAULT_MAX_BODY_BYTES),
            "chunked: {chunked}: {error:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// 4. A request dropped half-way
// ---------------------------------------------------------------------------------------------------------

/// A request dropped in the middle of its body (its future dropped, here by a timeout around it) leaves the
/// client whole: the half-read connection is closed, never reused, and the next request on the same client
/// succeeds on a new connection.
#[tokio::test]
async fn a_request_dropped_mid_body_leaves_the_client_usable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let partial_sent = Arc::new(AtomicBool::new(false));
    let first_closed = Arc::new(AtomicBool::new(false));
    let (count, sent, closed) = (connections.clone(), partial_sent.clone(), first_closed.clone());
    let body = seed_example().to_string();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let first = count.fetch_add(1, Ordering::SeqCst) == 0;
            let (sent, closed, body) = (sent.clone(), closed.clone(), body.clone());
            tokio::spawn(async move {
                let mut conn = HttpConn::new(stream);
                if first {
                    // The head and a part of the body, then silence until the client hangs up.
                    if conn.next_request().await.ok().flatten().is_none() {
                        return;
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let partial = [head.as_bytes(), &body.as_bytes()[..body.len() / 2]].concat();
                    conn.stream.write_all(&partial).await.unwrap();
                    sent.store(true, Ordering::SeqCst);
                    if let Ok(None) = conn.next_request().await {
                        closed.store(true, Ordering::SeqCst);
                    }
                } else {
                    while let Ok(Some(_)) = conn.next_request().await {
                        if conn.respond(&body).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    let client = client(&url);

    let dropped = tokio::time::timeout(ms(300), portrait(&client)).await;
    assert!(dropped.is_err(), "the first request must still be reading: {dropped:?}");
    assert!(partial_sent.load(Ordering::SeqCst), "dropped in the middle of the body");
    eventually("the dropped request's connection is closed", || {
        first_closed.load(Ordering::SeqCst)
    })
    .await;

    let started = Instant::now();
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------------------------------------------------
// 5. What is sent again: GET and POST
// ---------------------------------------------------------------------------------------------------------

/// A server that answers the first request of its first connection and keeps that connection open, then reads
/// the next request on it and closes it without an answer, as a server whose idle timeout strikes just as a
/// request arrives; later connections are answered in full. It records every request it read.
struct ClosesSecondRequest {
    url: String,
    received: Arc<Mutex<Vec<common::Received>>>,
    connections: Arc<AtomicUsize>,
}

impl ClosesSecondRequest {
    async fn start(body: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (log, count) = (received.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let first = count.fetch_add(1, Ordering::SeqCst) == 0;
                let (log, body) = (log.clone(), body.clone());
                tokio::spawn(async move {
                    let mut conn = HttpConn::new(stream);
                    let mut answered = 0;
                    while let Ok(Some(request)) = conn.next_request().await {
                        log.lock().unwrap().push(request);
                        if first && answered == 1 {
                            // Read whole (so the close is a clean FIN, not a reset), never answered.
                            return;
                        }
                        if conn.respond(&body).await.is_err() {
                            return;
                        }
                        answered += 1;
                    }
                });
            }
        });
        ClosesSecondRequest {
            url,
            received,
            connections,
        }
    }

    fn received(&self) -> Vec<common::Received> {
        self.received.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A GET that finds its reused (kept-alive) connection closed by the server before any response ("connection
/// closed before message completed") is sent once more at once, on a new connection, and succeeds, even with
/// no retries in the policy: a GET is safe to repeat. The server saw it twice.
#[tokio::test]
async fn a_get_whose_reused_connection_closes_before_the_response_is_sent_again() {
    let server = ClosesSecondRequest::start(seed_example().to_string()).await;
    let client = runtime_client(&server.url, RetryPolicy::none());
    get(&client).await.unwrap();
    let response = get(&client).await.unwrap();
    assert_eq!(response.data["devices"].as_array().unwrap().len(), 10);
    let lines: Vec<String> = server.received().into_iter().map(|r| r.line).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.starts_with(&format!("GET {PORTRAIT}?"))),
        "{lines:?}"
    );
    assert_eq!(server.connections(), 2, "sent again on a new connection");
}

/// A POST in the same situation is never sent again, even with retries in the policy: the server may have
/// acted on it. The call fails with a transport error that is not a connect error, and the server saw the
/// request once.
#[tokio::test]
async fn a_post_whose_reused_connection_closes_before_the_response_is_not_sent_again() {
    let server = ClosesSecondRequest::start(r#"{"code":0,"data":{"ok":true}}"#.to_owned()).await;
    let client = runtime_client(&server.url, retrying(3, 5));
    let first = post(&client).await.unwrap();
    assert_eq!(first.data, json!({"ok": true}));
    let error = expect_transport(post(&client).await);
    assert!(error.is_request() && !error.is_connect(), "{error:?}");
    tokio::time::sleep(ms(100)).await;
    let received = server.received();
    assert_eq!(received.len(), 2, "{received:?}");
    for request in &received {
        assert_eq!(request.line, format!("POST {POST_PATH} HTTP/1.1"));
        assert_eq!(request.body, format!("token={TOKEN}&id=1"));
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }
    assert_eq!(server.connections(), 1, "no new connection: nothing was sent again");
}

/// A POST whose (new) connection the server closes after reading the request, without answering, fails with a
/// transport error and is not retried, even with retries in the policy: the server may have acted on it.
#[tokio::test]
async fn a_post_closed_without_an_answer_is_not_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let mut conn = HttpConn::new(stream);
            if let Ok(Some(request)) = conn.next_request().await {
                log.lock().unwrap().push(request.line);
            }
        }
    });
    let client = runtime_client(&url, retrying(3, 5));
    let error = expect_transport(post(&client).await);
    assert!(!error.is_connect(), "{error:?}");
    tokio::time::sleep(ms(100)).await;
    assert_eq!(*received.lock().unwrap(), [format!("POST {POST_PATH} HTTP/1.1")]);
}

/// A POST whose connection cannot be made was never sent, so it is retried like any request: over TLS to a
/// server that drops every handshake, each of the `max_attempts` attempts is a new connection; to a refused
/// port, the attempts are `max_attempts`, with the backoff waited between them.
#[tokio::test]
async fn a_post_that_cannot_connect_is_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let client = runtime_client(&url, retrying(3, 5));
    let error = expect_transport(post(&client).await);
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);

    let refused = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let client = runtime_client(&refused, retrying(3, 100));
    let started = Instant::now();
    let error = expect_transport(post(&client).await);
    assert!(error.is_connect(), "{error:?}");
    let elapsed = started.elapsed();
    // Two backoffs: 100 ms, then 200 ms.
    assert!(elapsed >= ms(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

/// A POST answered with a retryable business code (302, rate limit exceeded) is retried: the server said it did
/// not act on it. The retry sends the same form again.
#[tokio::test]
async fn a_post_answered_with_a_retryable_business_code_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(POST_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 302, "message": "slow down"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(POST_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {"ok": true}})))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = runtime_client(&server.uri(), retrying(3, 5));
    let response = post(&client).await.unwrap();
    assert_eq!(response.data, json!({"ok": true}));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.method.as_str(), "POST");
        assert_eq!(String::from_utf8_lossy(&request.body), format!("token={TOKEN}&id=1"));
        assert_eq!(
            request.url.query(),
            None,
            "the token is in the body of a POST, not its URL"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// 6. One client, several Tokio runtimes
// ---------------------------------------------------------------------------------------------------------

/// One client used from two Tokio runtimes: each runtime gets its own connection pool, so a request from the
/// second runtime does not wait on a kept-alive connection whose task belongs to the first, idle, runtime; and
/// each runtime's connection is reused by that runtime.
#[test]
fn one_client_in_two_runtimes_does_not_wait_on_the_idle_one() {
    let servers = server_runtime();
    let server = servers.block_on(HttpServer::start(None, seed_example().to_string()));
    let client = client(&server.url());
    let (a, b) = (current_thread_runtime(), current_thread_runtime());

    a.block_on(portrait(&client)).unwrap();
    // `a` stays alive, idle: its connection's task does not run.
    let started = Instant::now();
    let result = b.block_on(portrait(&client));
    let elapsed = started.elapsed();
    assert_eq!(result.unwrap().data.devices.len(), 10);
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?} (the timeout is 5 s)");

    a.block_on(portrait(&client)).unwrap();
    b.block_on(portrait(&client)).unwrap();
    assert_eq!(server.lines().len(), 4);
    assert_eq!(server.connections(), 2, "one connection per runtime, each reused");
    drop((a, b));
}

/// The blocking client's runtime is idle between its calls: its async client (`inner()`) used meanwhile from
/// another runtime does not wait on it, and the blocking client still works after.
#[test]
fn the_blocking_clients_inner_client_works_from_another_runtime() {
    let servers = server_runtime();
    let server = servers.block_on(HttpServer::start(None, seed_example().to_string()));
    let blocking = justoneapi_xiaohongshu_pgy::blocking::Client::from_builder(builder(&server.url())).unwrap();
    blocking.run(|c| c.get_kol_fans_portrait_v1(KOL).send()).unwrap();

    let other = current_thread_runtime();
    let started = Instant::now();
    let result = other.block_on(portrait(blocking.inner()));
    let elapsed = started.elapsed();
    assert_eq!(result.unwrap().data.devices.len(), 10);
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?} (the timeout is 5 s)");

    let again = blocking.run(|c| c.get_kol_fans_portrait_v1(KOL).send()).unwrap();
    assert_eq!(again.data.devices.len(), 10);
    assert_eq!(server.lines().len(), 3);
}

// ---------------------------------------------------------------------------------------------------------
// 7. Mismatches: the cap, the log, long keys, deep nesting
// ---------------------------------------------------------------------------------------------------------

/// Every value that does not fit is left out, but at most `MAX_MISMATCHES` are kept in `mismatches` (a hostile
/// body could hold millions); 20 are logged one by one as warnings, then one warning says how many more values
/// did not fit (`more`: all of them, past the 20 logged; `kept`: how many `mismatches` holds).
#[tokio::test]
async fn mismatches_are_capped_and_logged_twenty_then_one_summary() {
    let (captured, _guard) = capture_logs(tracing_subscriber::filter::LevelFilter::WARN);

    let mut body = seed_example();
    body["data"]["ages"] = (0..1500)
        .map(|i| json!({"group": format!("g{i}"), "percent": {"value": i}}))
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .mount(&server)
        .await;

    let response = portrait(&client(&server.uri())).await.unwrap();
    assert_eq!(
        response.data.ages.len(),
        1500,
        "the items stay, without the values that did not fit"
    );
    assert!(response.data.ages.iter().all(|a| a.percent.is_none()));
    assert_eq!(response.data.ages[1499].group.as_deref(), Some("g1499"));
    assert_eq!(response.mismatches.len(), MAX_MISMATCHES);
    for (i, mismatch) in response.mismatches.iter().enumerate() {
        assert_eq!(mismatch.path, format!("data.ages[{i}].percent"));
        assert_eq!(mismatch.expected, "number");
        assert_eq!(mismatch.found, "an object");
    }

    let logs = captured.text();
    let lines: Vec<&str> = logs.lines().collect();
    let each: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("response value does not fit its type"))
        .collect();
    assert_eq!(each.len(), 20, "{logs}");
    assert!(each.iter().all(|l| l.contains("WARN")), "{logs}");
    assert!(each[0].contains("data.ages[0].percent") && each[19].contains("data.ages[19].percent"));
    let summary: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("more response values do not fit their types"))
        .collect();
    assert_eq!(summary.len(), 1, "{logs}");
    assert!(summary[0].contains("WARN"), "{}", summary[0]);
    assert!(
        summary[0].contains("more=1480") && summary[0].contains(&format!("kept={MAX_MISMATCHES}")),
        "{}",
        summary[0]
    );
    assert_eq!(lines.len(), 21, "nothing else at WARN: {logs}");
}

/// Nine levels of maps, each keyed by data: the type of a response whose path runs through nine keys.
type Nested9 =
    BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeMap<String, Nested3>>>>>>;
type Nested3 = BTreeMap<String, BTreeMap<String, BTreeMap<String, i64>>>;

/// A mismatch's path stays short whatever the body: under a key of 100 000 characters the key is cut to
/// `MAX_PATH_KEY_CHARS` characters and `…`; a path through nine such keys is cut at `MAX_PATH_BYTES` bytes and
/// `…`.
#[tokio::test]
async fn mismatch_paths_are_cut_under_long_keys() {
    let long = |c: char| c.to_string().repeat(100_000);
    let one = json!({"code": 0, "data": {long('k'): "not an integer"}});
    let mut nested = json!("not an integer");
    for c in ['i', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'] {
        nested = json!({long(c): nested});
    }
    let nine = json!({"code": 0, "data": nested});
    let server = MockServer::start().await;
    for (at, body) in [("/one", &one), ("/nine", &nine)] {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let client = runtime_client(&server.uri(), RetryPolicy::none());

    let response = get_as::<BTreeMap<String, i64>>(&client, "/one").await.unwrap();
    assert!(response.data.is_empty());
    assert_eq!(response.mismatches.len(), 1);
    let path = &response.mismatches[0].path;
    assert_eq!(*path, format!("data[\"{}…\"]", "k".repeat(MAX_PATH_KEY_CHARS)));
    assert!(path.len() <= MAX_PATH_BYTES + '…'.len_utf8());
    assert_eq!(response.mismatches[0].expected, "integer");

    let response = get_as::<Nested9>(&client, "/nine").await.unwrap();
    assert_eq!(response.mismatches.len(), 1);
    let path = &response.mismatches[0].path;
    assert!(path.len() <= MAX_PATH_BYTES + '…'.len_utf8(), "{} bytes", path.len());
    assert!(
        path.len() > MAX_PATH_BYTES - 8,
        "{} bytes: cut late, not early",
        path.len()
    );
    assert!(
        path.starts_with(&format!("data[\"{}…\"][\"b", "a".repeat(MAX_PATH_KEY_CHARS))),
        "{path}"
    );
    assert!(path.ends_with('…'), "{path}");
    assert!(!path.contains("\"][\"i"), "the ninth key is past the cut: {path}");
}

/// Nesting depth of arrays and objects, without recursion.
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((value, level)) = stack.pop() {
        let children: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => map.values().collect(),
            _ => Vec::new(),
        };
        if !children.is_empty() || value.is_array() || value.is_object() {
            deepest = deepest.max(level + 1);
        }
        stack.extend(children.into_iter().map(|child| (child, level + 1)));
    }
    deepest
}

/// A value nested 200 deep inside `data` (deeper than serde_json's own limit of 128) does not fail the call or
/// hide anything: a value elsewhere that does not fit is still reported by its path, and `raw_data()` gives the
/// whole `data` as it was sent.
#[tokio::test]
async fn a_value_nested_200_deep_does_not_hide_a_misfit_or_the_raw_data() {
    let deep = format!("{}{{\"leaf\":1}}{}", "[".repeat(199), "]".repeat(199));
    let mut data = seed_example()["data"].clone();
    data["ages"][0]["percent"] = json!("n/a");
    let data_text = data.to_string();
    let data_text = format!("{{\"deep\":{deep},{}", &data_text[1..]);
    let body = format!(r#"{{"code":0,"message":"ok","data":{data_text}}}"#);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json"))
        .mount(&server)
        .await;

    let response = portrait(&client(&server.uri())).await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    assert_eq!(response.data.ages[0].percent, None);
    assert_eq!(response.mismatches.len(), 1, "{:?}", response.mismatches);
    let mismatch = &response.mismatches[0];
    assert_eq!(
        (mismatch.path.as_str(), mismatch.expected, mismatch.found.as_str()),
        ("data.ages[0].percent", "number", "\"n/a\"")
    );

    let expected: Value = {
        use serde::Deserialize as _;
        let mut de = serde_json::Deserializer::from_str(&data_text);
        de.disable_recursion_limit();
        Value::deserialize(&mut de).unwrap()
    };
    let raw = response.raw_data();
    assert_eq!(depth(&raw["deep"]), 200);
    assert!(raw == expected, "raw_data() is the data sent");
}
