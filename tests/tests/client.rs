//! The generated client's HTTP runtime (`codegen/templates/runtime.rs` and `error.rs`, as emitted into
//! `generated/justoneapi-runtime`, through `generated/justoneapi-xiaohongshu-pgy`) against servers on 127.0.0.1 that each test starts: envelope
//! decoding, business codes, HTTP errors, body limits, timeouts, transport failures, retries and token
//! hygiene. Every failing case asserts the exact error kind and its fields.

// `get_kol_fans_portrait_v1` is deprecated upstream; these tests exercise it on purpose.
#![allow(deprecated)]

mod common;

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use justoneapi_xiaohongshu_pgy::ops::get_kol_fans_portrait_v1::Data;
use justoneapi_xiaohongshu_pgy::{ApiResponse, BusinessCode, Client, ClientBuilder, Error, RetryPolicy};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::assert_json_eq;

/// Distinctive, so that any leak of it into errors, `Debug` output or logs is found by a plain search.
const TOKEN: &str = "SECRET-TOKEN-123";
const PORTRAIT: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";
const FANS_PROFILE: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";
const KOL: &str = "kol-1";

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/// The seed page's response example (code 0 and the full portrait), from the vendored definition.
fn seed_example() -> Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let example =
        doc["paths"][PORTRAIT]["get"]["responses"]["default"]["content"]["application/json"]["example"].clone();
    assert!(example["data"].is_object(), "no example in {file}");
    example
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A client of `base_url` with a 5 s timeout and no retry: each test narrows what it needs.
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder(TOKEN)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::none())
}

fn client(base_url: &str) -> Client {
    builder(base_url).build().unwrap()
}

/// Up to `max_attempts` attempts, first delay `initial_ms` (doubled each retry), capped at 1 s.
fn retrying(max_attempts: u32, initial_ms: u64) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: ms(initial_ms),
        max_backoff: ms(1_000),
        max_elapsed: None,
    }
}

fn envelope(code: impl Into<Value>) -> Value {
    json!({
        "code": code.into(),
        "message": "upstream says no",
        "data": null,
        "recordTime": "2026-03-08T10:00:00",
        "requestId": "req-7",
    })
}

/// Every GET to `server` is answered with `template`.
async fn answer(server: &MockServer, template: ResponseTemplate) {
    Mock::given(method("GET")).respond_with(template).mount(server).await;
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn raw_response(status: u16, body: &str, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type)
}

async fn portrait(client: &Client) -> Result<ApiResponse<Data>, Error> {
    client.get_kol_fans_portrait_v1(KOL).send().await
}

async fn portrait_raw(client: &Client) -> Result<ApiResponse<Value>, Error> {
    client.get_kol_fans_portrait_v1(KOL).send_raw().await
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// The URL errors carry: the request URL with `kolId` but never the token.
fn shown_url(base: &str) -> String {
    format!("{base}{PORTRAIT}?kolId={KOL}")
}

#[track_caller]
fn expect_business(
    result: Result<impl std::fmt::Debug, Error>,
) -> (BusinessCode, Option<String>, Option<String>, String) {
    match result {
        Err(Error::Business {
            code,
            message,
            request_id,
            url,
        }) => (code, message, request_id, url),
        other => panic!("expected a business error, got {other:?}"),
    }
}

/// `(message, body)` of a decode error, after checking its kind.
#[track_caller]
fn expect_decode(result: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    match result {
        Err(error @ Error::Decode { .. }) => {
            assert_eq!(error.kind(), "decode");
            assert_eq!(error.business_code(), None);
            assert!(!error.is_retryable());
            let Error::Decode { message, body, .. } = error else {
                unreachable!()
            };
            (message, body)
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[track_caller]
fn expect_kind<T: std::fmt::Debug>(result: Result<T, Error>, kind: &str) -> Error {
    match result {
        Err(error) => {
            assert_eq!(error.kind(), kind, "{error:?}");
            error
        }
        Ok(value) => panic!("expected a {kind} error, got Ok({value:?})"),
    }
}

#[track_caller]
fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() <= 1e-12, "{actual} != {expected}");
}

/// What a raw server does once it has read a request's head.
#[derive(Clone, Copy, Debug)]
enum Raw {
    /// Says nothing, keeps the connection open.
    Hang,
    /// Sends the head and a part of a `Content-Length` body, then says nothing more.
    StallBody,
    /// A chunked `200` whose chunks never end.
    EndlessChunks,
    /// Closes the connection with a TCP reset (`SO_LINGER` 0) without answering.
    ResetBeforeResponse,
    /// Sends the head and a part of the body, then resets the connection.
    ResetMidBody,
    /// Closes the connection cleanly (FIN) without answering.
    CloseBeforeResponse,
}

/// A raw HTTP/1.1 server on 127.0.0.1 behaving as `behaviour` says on every connection.
struct RawServer {
    url: String,
    connections: Arc<AtomicUsize>,
    bytes_sent: Arc<AtomicUsize>,
}

impl RawServer {
    async fn start(behaviour: Raw) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let bytes_sent = Arc::new(AtomicUsize::new(0));
        let (count, sent) = (connections.clone(), bytes_sent.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(Self::serve(stream, behaviour, sent.clone()));
            }
        });
        RawServer {
            url,
            connections,
            bytes_sent,
        }
    }

    async fn serve(mut stream: TcpStream, behaviour: Raw, sent: Arc<AtomicUsize>) -> io::Result<()> {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            head.extend_from_slice(&buf[..n]);
        }
        const PARTIAL: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"code\":0,\"data\":{\"ages\":[";
        match behaviour {
            Raw::Hang => {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            Raw::StallBody => {
                stream.write_all(PARTIAL).await?;
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            Raw::EndlessChunks => {
                stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                    )
                    .await?;
                let chunk = format!("1000\r\n{}\r\n", " ".repeat(0x1000));
                loop {
                    stream.write_all(chunk.as_bytes()).await?;
                    sent.fetch_add(0x1000, Ordering::SeqCst);
                }
            }
            Raw::ResetBeforeResponse => {
                stream.set_zero_linger()?;
                drop(stream);
            }
            Raw::ResetMidBody => {
                stream.write_all(PARTIAL).await?;
                stream.flush().await?;
                tokio::time::sleep(ms(50)).await;
                stream.set_zero_linger()?;
                drop(stream);
            }
            Raw::CloseBeforeResponse => drop(stream),
        }
        Ok(())
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A base URL on which nothing listens: connecting is refused.
async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------------------------------------
// 1. Success
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_example_decodes_into_typed_data_with_the_envelope() {
    let server = MockServer::start().await;
    let mut body = seed_example();
    body["message"] = json!("success");
    body["recordTime"] = json!("2026-03-08T10:00:00");
    body["requestId"] = json!("req-42");
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .and(query_param("token", TOKEN))
        .and(query_param("kolId", KOL))
        .and(query_param_is_missing("acceptCache"))
        .respond_with(json_response(200, &body))
        .expect(1)
        .mount(&server)
        .await;

    let response = portrait(&client(&server.uri())).await.unwrap();

    assert_eq!(response.message.as_deref(), Some("success"));
    assert_eq!(response.record_time.as_deref(), Some("2026-03-08T10:00:00"));
    assert_eq!(response.request_id.as_deref(), Some("req-42"));
    let data = &response.data;
    assert_eq!(data.date_key.as_deref(), Some("2026-03-08"));
    let groups: Vec<_> = data.ages.iter().map(|a| a.group.as_deref().unwrap()).collect();
    assert_eq!(groups, ["<18", "18-24", "25-34", "35-44", ">44"]);
    assert_close(data.ages[3].percent.unwrap(), 0.5362379555927943);
    let gender = data.gender.as_ref().unwrap();
    assert_close(gender.male.unwrap(), 0.3287250384024577);
    assert_close(gender.female.unwrap(), 0.6712749615975423);
    assert_eq!(data.interests.len(), 20);
    assert_eq!(data.interests[0].name.as_deref(), Some("美食"));
    assert_eq!(data.provinces.len(), 36);
    assert_eq!(data.provinces[0].name.as_deref(), Some("广东"));
    assert_eq!(data.cities.len(), 9);
    assert_eq!(data.cities[8].name.as_deref(), Some("苏州"));
    assert_eq!(data.devices.len(), 10);
    assert_eq!(
        (data.devices[0].name.as_deref(), data.devices[0].desc.as_deref()),
        (Some("apple inc."), Some("苹果"))
    );
    assert_close(data.devices[0].percent.unwrap(), 0.4340122936000964);
    // Everything fit; the raw JSON is the example.
    assert!(response.mismatches.is_empty(), "{:?}", response.mismatches);
    assert_json_eq(&response.raw_data(), &body["data"], "raw data");
    // Nothing of the example is lost: the typed data serializes back to it.
    assert_json_eq(&serde_json::to_value(data).unwrap(), &body["data"], "data");

    // The request: GET, token and kolId in the query and nothing else.
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    let mut query: Vec<(String, String)> = received[0].url.query_pairs().into_owned().collect();
    query.sort();
    assert_eq!(query, [("kolId".into(), KOL.into()), ("token".into(), TOKEN.into())]);
}

#[tokio::test]
async fn accept_cache_is_sent_only_when_set() {
    let server = MockServer::start().await;
    for value in ["true", "false"] {
        Mock::given(method("GET"))
            .and(path(PORTRAIT))
            .and(query_param("token", TOKEN))
            .and(query_param("kolId", KOL))
            .and(query_param("acceptCache", value))
            .respond_with(json_response(200, &seed_example()))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server.uri());
    for value in [true, false] {
        let response = client
            .get_kol_fans_portrait_v1(KOL)
            .accept_cache(value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.data.date_key.as_deref(), Some("2026-03-08"));
    }
    server.verify().await;
}

#[tokio::test]
async fn into_future_send_raw_and_the_successor_operation() {
    let server = MockServer::start().await;
    let example = seed_example();
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .and(query_param("token", TOKEN))
        .respond_with(json_response(200, &example))
        .expect(2)
        .mount(&server)
        .await;
    let mut profile = example.clone();
    profile["requestId"] = json!("r");
    Mock::given(method("GET"))
        .and(path(FANS_PROFILE))
        .and(query_param("token", TOKEN))
        .and(query_param("userId", "user-9"))
        .respond_with(json_response(200, &profile))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    // `.await` on the request builder is `.send().await`.
    let typed = client.get_kol_fans_portrait_v1(KOL).await.unwrap();
    assert_eq!(typed.data.devices.len(), 10);
    assert_eq!(typed.message, None);
    assert_eq!(typed.request_id, None);
    let raw = portrait_raw(&client).await.unwrap();
    assert_eq!(raw.data, example["data"]);

    let successor = client
        .api_solar_kol_data_user_id_fans_profile_v1("user-9")
        .await
        .unwrap();
    assert_eq!(successor.data.date_key.as_deref(), Some("2026-03-08"));
    assert_eq!(successor.request_id.as_deref(), Some("r"));
    let successor_raw = client
        .api_solar_kol_data_user_id_fans_profile_v1("user-9")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(successor_raw.data, profile["data"]);
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Business codes
// ---------------------------------------------------------------------------------------------------------

/// Codes the documentation names (specs/manifest.yaml), with their variants and whether they are retried.
const DOCUMENTED: [(i64, BusinessCode, bool); 8] = [
    (100, BusinessCode::InvalidToken, false),
    (301, BusinessCode::CollectionFailed, true),
    (302, BusinessCode::RateLimitExceeded, true),
    (303, BusinessCode::DailyQuotaExceeded, false),
    (400, BusinessCode::InvalidParameters, false),
    (500, BusinessCode::InternalServerError, false),
    (600, BusinessCode::PermissionDenied, false),
    (601, BusinessCode::InsufficientBalance, false),
];

/// Codes only the aggregate definition's `Result.code` enum lists (no meaning documented), and one nobody
/// lists.
const UNDOCUMENTED: [i64; 7] = [101, 202, 300, 404, 503, 602, 777];

#[tokio::test]
async fn every_nonzero_business_code_is_a_business_error_as_integer_or_string() {
    let cases = DOCUMENTED
        .iter()
        .copied()
        .chain(UNDOCUMENTED.map(|n| (n, BusinessCode::Unknown(n), false)));
    for (number, expected, retryable) in cases {
        for code in [json!(number), json!(number.to_string())] {
            let server = MockServer::start().await;
            // Data that would not decode must not hide the business error.
            let mut body = envelope(code.clone());
            body["data"] = json!("not a portrait");
            answer(&server, json_response(200, &body)).await;

            let result = portrait(&client(&server.uri())).await;
            let (got, message, request_id, url) = expect_business(result);
            assert_eq!(got, expected, "code {code}");
            assert_eq!(got.code(), number);
            assert_eq!(got.is_retryable(), retryable, "code {code}");
            assert_eq!(message.as_deref(), Some("upstream says no"));
            assert_eq!(request_id.as_deref(), Some("req-7"));
            assert_eq!(url, shown_url(&server.uri()));
            assert_eq!(requests(&server).await, 1);
        }
    }
}

#[tokio::test]
async fn business_error_fields_and_kind() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(303))).await;
    let error = expect_kind(portrait(&client(&server.uri())).await, "business");
    assert_eq!(error.business_code(), Some(BusinessCode::DailyQuotaExceeded));
    assert!(!error.is_retryable());
    assert_eq!(error.retry_after(), None);
    assert_eq!(
        error.to_string(),
        format!(
            "business code 303 (Daily Quota Exceeded) from {}: upstream says no (request id req-7)",
            shown_url(&server.uri())
        )
    );
}

#[tokio::test]
async fn code_zero_is_success_only_as_an_integer() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let response = portrait(&client(&server.uri())).await.unwrap();
    assert_eq!(response.data.date_key.as_deref(), Some("2026-03-08"));

    // As upstream's own SDK (`test_string_zero_is_not_treated_as_success`): a string "0" is not success.
    let server = MockServer::start().await;
    let mut body = seed_example();
    body["code"] = json!("0");
    answer(&server, json_response(200, &body)).await;
    let error = portrait(&client(&server.uri())).await.unwrap_err();
    assert_eq!(error.kind(), "business");
    assert_eq!(error.business_code(), Some(BusinessCode::Unknown(0)));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn code_that_is_not_an_integer_or_decimal_string_is_a_decode_error() {
    let cases = [
        r#"{"code":"abc","data":null}"#,
        r#"{"code":1.5,"data":null}"#,
        r#"{"code":"","data":null}"#,
        r#"{"code":"3 01","data":null}"#,
        r#"{"code":"+301","data":null}"#,
        r#"{"code":null,"data":null}"#,
        r#"{"code":true,"data":null}"#,
        r#"{"code":18446744073709551615,"data":null}"#,
        r#"{"data":{}}"#,
    ];
    for text in cases {
        let server = MockServer::start().await;
        answer(&server, raw_response(200, text, "application/json")).await;
        let (message, body) = expect_decode(portrait_raw(&client(&server.uri())).await);
        assert_eq!(body, text);
        assert!(!message.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------------------
// 3. HTTP errors, undecodable bodies, body limit
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn http_error_statuses_with_and_without_an_envelope() {
    for status in [401u16, 403, 429, 500, 503] {
        let with_envelope = serde_json::to_string(&envelope(100)).unwrap();
        let bodies: [(&str, &str, Option<BusinessCode>, Option<&str>); 4] = [
            (
                &with_envelope,
                "application/json",
                Some(BusinessCode::InvalidToken),
                Some("upstream says no"),
            ),
            (
                r#"{"code":"302"}"#,
                "application/json",
                Some(BusinessCode::RateLimitExceeded),
                None,
            ),
            ("<html><body>Bad Gateway</body></html>", "text/html", None, None),
            ("", "text/plain", None, None),
        ];
        for (text, content_type, expected_code, expected_message) in bodies {
            let server = MockServer::start().await;
            answer(&server, raw_response(status, text, content_type)).await;
            let result = portrait(&client(&server.uri())).await;
            let error = expect_kind(result, "http");
            assert_eq!(error.business_code(), expected_code);
            match error {
                Error::Http {
                    status: got,
                    url,
                    code,
                    message,
                    retry_after,
                    body,
                } => {
                    assert_eq!(got, status);
                    assert_eq!(url, shown_url(&server.uri()));
                    assert_eq!(code, expected_code);
                    assert_eq!(message.as_deref(), expected_message);
                    assert_eq!(retry_after, None);
                    assert_eq!(body, text, "HTTP {status}: the body is kept");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(requests(&server).await, 1);
        }
    }
}

#[tokio::test]
async fn http_error_keeps_retry_after() {
    let server = MockServer::start().await;
    answer(
        &server,
        json_response(429, &envelope(302)).insert_header("Retry-After", "7"),
    )
    .await;
    let error = expect_kind(portrait(&client(&server.uri())).await, "http");
    assert!(error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert!(matches!(
        error,
        Error::Http { status: 429, retry_after: Some(d), .. } if d == Duration::from_secs(7)
    ));
}

#[tokio::test]
async fn undecodable_bodies_are_decode_errors_that_keep_the_body() {
    let cases = [
        ("not JSON", "<html>maintenance</html>"),
        ("truncated JSON", r#"{"code":0,"data":{"ages":[{"group":"<18","perc"#),
        ("empty body", ""),
        ("JSON but not an object", "[1,2,3]"),
        ("trailing garbage", r#"{"code":0,"data":{}} x"#),
    ];
    for (case, text) in cases {
        let server = MockServer::start().await;
        answer(&server, raw_response(200, text, "application/json")).await;
        let result = portrait(&client(&server.uri())).await;
        let (message, body) = expect_decode(result);
        assert_eq!(body, text, "{case}: body kept");
        assert!(!message.is_empty(), "{case}");
        assert_eq!(requests(&server).await, 1, "{case}: not retried");
    }
}

#[tokio::test]
async fn an_envelope_that_cannot_be_read_names_the_json_path() {
    for (text, at) in [
        (r#"{"code":{"value":0},"data":{}}"#, "at `code`"),
        (r#"{"data":{},"message":"m"}"#, "at `code`"),
    ] {
        let server = MockServer::start().await;
        answer(&server, raw_response(200, text, "application/json")).await;
        let (message, _) = expect_decode(portrait(&client(&server.uri())).await);
        assert!(message.contains(at), "{message}");
    }
}

#[tokio::test]
async fn values_that_do_not_fit_are_left_out_and_reported_by_path() {
    let cases = [
        (
            r#"{"code":0,"data":{"ages":"many"}}"#,
            vec!["data.ages: expected array, found \"many\""],
        ),
        (
            r#"{"code":0,"data":{"gender":{"male":"half","female":0.5}}}"#,
            vec!["data.gender.male: expected number, found \"half\""],
        ),
        (
            r#"{"code":0,"data":"portrait"}"#,
            vec!["data: expected object, found \"portrait\""],
        ),
        (
            r#"{"code":0,"data":{"ages":[{"group":1,"percent":0.1},{"group":{"x":1},"percent":[]},null]}}"#,
            vec![
                "data.ages[1].group: expected string, found an object",
                "data.ages[1].percent: expected number, found an array",
                "data.ages[2]: expected object, found null",
            ],
        ),
    ];
    for (text, expected) in cases {
        let server = MockServer::start().await;
        answer(&server, raw_response(200, text, "application/json")).await;
        let response = portrait(&client(&server.uri())).await.unwrap();
        let found: Vec<String> = response.mismatches.iter().map(ToString::to_string).collect();
        assert_eq!(found, expected, "{text}");
        let sent: Value = serde_json::from_str(text).unwrap();
        assert_eq!(response.raw_data(), sent["data"], "the raw JSON is what was sent");
    }
    // What fits is kept next to what does not: `1` became the string "1", `0.5` stayed.
    let server = MockServer::start().await;
    let text = r#"{"code":0,"message":5,"data":{"ages":[{"group":1,"percent":"0.25"}],"gender":{"male":"half","female":0.5}}}"#;
    answer(&server, raw_response(200, text, "application/json")).await;
    let response = portrait(&client(&server.uri())).await.unwrap();
    assert_eq!(response.message.as_deref(), Some("5"));
    assert_eq!(response.data.ages[0].group.as_deref(), Some("1"));
    assert_eq!(response.data.ages[0].percent, Some(0.25));
    let gender = response.data.gender.as_ref().unwrap();
    assert_eq!((gender.male, gender.female), (None, Some(0.5)));
}

#[tokio::test]
async fn null_or_missing_data_is_empty_typed_data_and_null_raw() {
    for text in [
        r#"{"code":0,"data":null,"requestId":"r1"}"#,
        r#"{"code":0,"requestId":"r1"}"#,
    ] {
        let server = MockServer::start().await;
        answer(&server, raw_response(200, text, "application/json")).await;
        let client = client(&server.uri());

        // Nothing to decode is not a failure of a billed call: every field is empty, nothing is reported.
        let typed = portrait(&client).await.unwrap();
        assert_eq!(typed.data, Data::default());
        assert!(typed.mismatches.is_empty());
        assert_eq!(typed.raw_data(), Value::Null);
        assert_eq!(typed.raw_body(), text.as_bytes());

        let raw = portrait_raw(&client).await.unwrap();
        assert_eq!(raw.data, Value::Null);
        assert_eq!(raw.request_id.as_deref(), Some("r1"));
    }
}

#[tokio::test]
async fn unknown_extra_fields_are_accepted_and_missing_keys_default() {
    let server = MockServer::start().await;
    let mut body = seed_example();
    body["traceId"] = json!("t-1");
    body["data"]["newDistribution"] = json!([{"x": 1}]);
    body["data"]["ages"][0]["cnt"] = json!(12);
    body["data"]["devices"][0] = json!({"name": "apple inc.", "percent": 0.5, "brandLogo": "a.png"});
    answer(&server, json_response(200, &body)).await;

    let response = portrait(&client(&server.uri())).await.unwrap();
    assert_eq!(response.data.ages[0].group.as_deref(), Some("<18"));
    assert_eq!(response.data.devices[0].name.as_deref(), Some("apple inc."));
    // `desc` was missing: `None`, not an empty string that upstream never sent.
    assert_eq!(response.data.devices[0].desc, None);
    assert_close(response.data.devices[0].percent.unwrap(), 0.5);
    // New keys are not mismatches; they are in the raw JSON.
    assert!(response.mismatches.is_empty());
    assert_eq!(response.raw_data()["newDistribution"], json!([{"x": 1}]));
}

#[tokio::test]
async fn body_over_the_cap_with_content_length_is_body_too_large() {
    let server = MockServer::start().await;
    let mut big = seed_example();
    big["padding"] = json!("x".repeat(4096));
    answer(&server, json_response(200, &big)).await;

    let result = portrait(&builder(&server.uri()).max_body_bytes(1024).build().unwrap()).await;
    let error = expect_kind(result, "body-too-large");
    assert!(!error.is_retryable());
    match error {
        Error::BodyTooLarge { url, limit } => {
            assert_eq!(limit, 1024);
            assert_eq!(url, shown_url(&server.uri()));
        }
        other => panic!("{other:?}"),
    }

    // An HTTP error status does not lift the cap either.
    let server = MockServer::start().await;
    answer(&server, raw_response(500, &"e".repeat(2048), "text/plain")).await;
    let result = portrait(&builder(&server.uri()).max_body_bytes(1024).build().unwrap()).await;
    expect_kind(result, "body-too-large");
}

#[tokio::test]
async fn body_exactly_at_the_cap_is_read() {
    let server = MockServer::start().await;
    let text = serde_json::to_string(&seed_example()).unwrap();
    let cap = text.len();
    answer(&server, raw_response(200, &text, "application/json")).await;
    let response = portrait(&builder(&server.uri()).max_body_bytes(cap).build().unwrap()).await;
    assert_eq!(response.unwrap().data.date_key.as_deref(), Some("2026-03-08"));
    let result = portrait(&builder(&server.uri()).max_body_bytes(cap - 1).build().unwrap()).await;
    expect_kind(result, "body-too-large");
}

#[tokio::test]
async fn endless_chunked_body_is_cut_at_the_cap_without_reading_it_all() {
    let server = RawServer::start(Raw::EndlessChunks).await;
    let client = builder(&server.url)
        .max_body_bytes(64 * 1024)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "body-too-large");
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::BodyTooLarge { limit: 65536, .. }), "{error:?}");
    // Well before the timeout: the client stopped reading at the cap instead of waiting for an end.
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert_eq!(server.connections(), 1);
    // The server got well past the cap before it noticed, but the client did not wait for more: a
    // bounded amount was written, not an unbounded one.
    let sent = server.bytes_sent.load(Ordering::SeqCst);
    assert!(sent >= 64 * 1024, "only {sent} bytes sent");
}

// ---------------------------------------------------------------------------------------------------------
// 4. Timeouts and transport failures
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn server_that_never_answers_times_out_within_the_timeout() {
    let server = RawServer::start(Raw::Hang).await;
    let client = builder(&server.url).timeout(ms(200)).build().unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "timeout");
    let elapsed = started.elapsed();
    assert!(elapsed >= ms(200), "gave up after {elapsed:?}");
    assert!(elapsed < ms(1_200), "took {elapsed:?}");
    assert!(!error.is_retryable());
    match error {
        Error::Timeout { url, after } => {
            assert_eq!(url, shown_url(&server.url));
            assert_eq!(after, ms(200));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn body_that_stalls_times_out() {
    let server = RawServer::start(Raw::StallBody).await;
    let client = builder(&server.url).timeout(ms(200)).build().unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "timeout");
    assert!(started.elapsed() < ms(1_200));
    assert!(matches!(error, Error::Timeout { after, .. } if after == ms(200)));
}

#[tokio::test]
async fn slow_mock_times_out_and_timeouts_are_not_retried() {
    let server = MockServer::start().await;
    answer(
        &server,
        json_response(200, &seed_example()).set_delay(Duration::from_secs(2)),
    )
    .await;
    let client = builder(&server.uri())
        .timeout(ms(150))
        .retry_policy(retrying(3, 10))
        .build()
        .unwrap();
    let started = Instant::now();
    expect_kind(portrait(&client).await, "timeout");
    assert!(started.elapsed() < ms(1_000));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn connection_refused_is_transport() {
    let url = refused_url().await;
    let error = expect_kind(portrait(&client(&url)).await, "transport");
    match &error {
        Error::Transport { url: shown, source } => {
            assert_eq!(shown, &shown_url(&url));
            assert!(source.is_connect(), "{source:?}");
            // reqwest's own message would carry the URL with the token: it is stripped.
            assert_eq!(source.url(), None);
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_retryable());
    assert!(std::error::Error::source(&error).is_some());
}

/// A connection reset (or closed) after the request was sent is a transport error. reqwest reports a reset
/// or close before the response head as a request error (`is_request`), and a reset in the middle of the
/// body as its own "error decoding response body" (`is_decode`, over a hyper body error); the runtime maps
/// every reqwest error but a timeout to `Error::Transport`, which is right: the client's `Error::Decode`
/// means a complete body that is not the expected JSON, and keeps that body. It is not retried: only
/// connection failures are (`is_connect`), since the request may have reached the server.
#[tokio::test]
async fn connection_reset_or_closed_mid_response_is_transport_and_not_retried() {
    for behaviour in [Raw::ResetBeforeResponse, Raw::ResetMidBody, Raw::CloseBeforeResponse] {
        let server = RawServer::start(behaviour).await;
        let client = builder(&server.url).retry_policy(retrying(3, 10)).build().unwrap();
        let started = Instant::now();
        let error = expect_kind(portrait(&client).await, "transport");
        assert!(started.elapsed() < ms(2_000), "{behaviour:?}");
        match &error {
            Error::Transport { url, source } => {
                assert_eq!(url, &shown_url(&server.url), "{behaviour:?}");
                assert!(!source.is_connect(), "{behaviour:?}: {source:?}");
                assert!(!source.is_timeout(), "{behaviour:?}: {source:?}");
                // What reqwest itself calls it: a reset in the body is its "decode" kind.
                match behaviour {
                    Raw::ResetMidBody => assert!(source.is_decode(), "{source:?}"),
                    _ => assert!(source.is_request(), "{behaviour:?}: {source:?}"),
                }
            }
            other => panic!("{behaviour:?}: {other:?}"),
        }
        assert!(!error.is_retryable(), "{behaviour:?}");
        assert_eq!(server.connections(), 1, "{behaviour:?}");
    }
}

#[tokio::test]
async fn base_url_without_a_scheme_is_a_config_error() {
    let result = Client::builder(TOKEN).base_url("127.0.0.1:9").build();
    let error = expect_kind(result, "config");
    assert!(matches!(&error, Error::Config { message } if message.contains("127.0.0.1:9")));
}

// ---------------------------------------------------------------------------------------------------------
// 5. Retries
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn codes_301_and_302_are_retried_with_backoff_up_to_max_attempts() {
    for (number, expected) in [
        (301, BusinessCode::CollectionFailed),
        (302, BusinessCode::RateLimitExceeded),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(json_response(200, &envelope(number)))
            .expect(4)
            .mount(&server)
            .await;
        let client = builder(&server.uri()).retry_policy(retrying(4, 20)).build().unwrap();
        let started = Instant::now();
        let (code, ..) = expect_business(portrait(&client).await);
        let elapsed = started.elapsed();
        assert_eq!(code, expected);
        // Delays 20 + 40 + 80 ms.
        assert!(elapsed >= ms(140), "{number}: only {elapsed:?}");
        assert!(elapsed < ms(1_500), "{number}: {elapsed:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn code_302_twice_then_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, &envelope("302")))
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json_response(200, &seed_example()))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server.uri()).retry_policy(retrying(5, 10)).build().unwrap();
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.date_key.as_deref(), Some("2026-03-08"));
    server.verify().await;
}

#[tokio::test]
async fn other_business_codes_are_not_retried() {
    for number in [100, 303, 400, 500, 600, 601, 602, 777] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(json_response(200, &envelope(number)))
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server.uri()).retry_policy(retrying(5, 10)).build().unwrap();
        let (code, ..) = expect_business(portrait(&client).await);
        assert_eq!(code.code(), number);
        server.verify().await;
    }
}

#[tokio::test]
async fn http_statuses_retried_and_not_retried() {
    for (status, attempts) in [
        (429u16, 3usize),
        (502, 3),
        (503, 3),
        (504, 3),
        (400, 1),
        (401, 1),
        (403, 1),
        (404, 1),
        (500, 1),
    ] {
        let server = MockServer::start().await;
        answer(&server, raw_response(status, "nope", "text/plain")).await;
        let client = builder(&server.uri()).retry_policy(retrying(3, 5)).build().unwrap();
        let error = expect_kind(portrait(&client).await, "http");
        assert!(matches!(error, Error::Http { status: s, .. } if s == status));
        assert_eq!(requests(&server).await, attempts, "HTTP {status}");
    }
}

#[tokio::test]
async fn retry_after_zero_is_honoured_instead_of_the_backoff() {
    for status in [429u16, 503] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(json_response(status, &envelope(302)).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        answer(&server, json_response(200, &seed_example())).await;
        // The backoff alone would wait 5 s.
        let policy = RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(10),
            max_elapsed: None,
        };
        let client = builder(&server.uri()).retry_policy(policy).build().unwrap();
        let started = Instant::now();
        portrait(&client).await.unwrap();
        assert!(started.elapsed() < ms(1_000), "HTTP {status}: {:?}", started.elapsed());
        assert_eq!(requests(&server).await, 2);
    }
}

#[tokio::test]
async fn retry_after_one_second_is_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(raw_response(503, "busy", "text/plain").insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer(&server, json_response(200, &seed_example())).await;
    // The backoff alone would wait 10 ms.
    let policy = RetryPolicy {
        max_backoff: Duration::from_secs(2),
        ..retrying(2, 10)
    };
    let client = builder(&server.uri()).retry_policy(policy).build().unwrap();
    let started = Instant::now();
    portrait(&client).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(1), "only {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn retry_after_longer_than_max_backoff_ends_the_retries_at_once() {
    for header in ["1", "120"] {
        let server = MockServer::start().await;
        answer(
            &server,
            json_response(429, &envelope(302)).insert_header("Retry-After", header),
        )
        .await;
        let policy = RetryPolicy {
            max_backoff: ms(100),
            ..retrying(5, 10)
        };
        let client = builder(&server.uri()).retry_policy(policy).build().unwrap();
        let started = Instant::now();
        let error = expect_kind(portrait(&client).await, "http");
        assert!(started.elapsed() < ms(500), "Retry-After {header}: waited");
        let seconds: u64 = header.parse().unwrap();
        assert!(matches!(
            error,
            Error::Http { status: 429, code: Some(BusinessCode::RateLimitExceeded), retry_after: Some(d), .. }
                if d == Duration::from_secs(seconds)
        ));
        assert_eq!(requests(&server).await, 1);
    }
}

#[tokio::test]
async fn connection_refused_is_retried_with_backoff() {
    let url = refused_url().await;
    let client = builder(&url).retry_policy(retrying(3, 30)).build().unwrap();
    let started = Instant::now();
    expect_kind(portrait(&client).await, "transport");
    // Delays 30 + 60 ms between the three attempts.
    assert!(started.elapsed() >= ms(90), "{:?}", started.elapsed());
}

#[tokio::test]
async fn max_elapsed_is_never_exceeded_by_retries() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(301)).set_delay(ms(20))).await;
    let budget = ms(400);
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_backoff: ms(20),
        max_backoff: ms(40),
        max_elapsed: Some(budget),
    };
    let client = builder(&server.uri())
        .timeout(ms(100))
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    let (code, ..) = expect_business(portrait(&client).await);
    let elapsed = started.elapsed();
    assert_eq!(code, BusinessCode::CollectionFailed);
    assert!(elapsed <= budget, "took {elapsed:?} for a {budget:?} budget");
    let attempts = requests(&server).await;
    assert!((2..100).contains(&attempts), "{attempts} attempts");
}

/// The budget covers the first attempt too: a timeout longer than the budget is cut to it.
#[tokio::test]
async fn max_elapsed_cuts_an_attempt_longer_than_the_budget() {
    let server = RawServer::start(Raw::Hang).await;
    let budget = ms(300);
    let policy = RetryPolicy {
        max_elapsed: Some(budget),
        ..retrying(3, 10)
    };
    let client = builder(&server.url)
        .timeout(Duration::from_secs(5))
        .retry_policy(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "timeout");
    let elapsed = started.elapsed();
    // Timer granularity aside, the call ends when the budget does.
    assert!(elapsed < budget + ms(150), "took {elapsed:?} for a {budget:?} budget");
    assert!(
        matches!(error, Error::Timeout { after, .. } if after <= budget),
        "{error:?}"
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn max_elapsed_smaller_than_a_timeout_plus_backoff_allows_no_retry() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let policy = RetryPolicy {
        max_elapsed: Some(ms(150)),
        ..retrying(5, 10)
    };
    let client = builder(&server.uri())
        .timeout(ms(200))
        .retry_policy(policy)
        .build()
        .unwrap();
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 1);
}

// ---------------------------------------------------------------------------------------------------------
// 6. Token hygiene
// ---------------------------------------------------------------------------------------------------------

/// Everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[track_caller]
fn assert_no_token(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "the token leaked into {what}: {text}");
}

/// Display and Debug of the error and of every error in its `source()` chain.
#[track_caller]
fn assert_error_clean(error: &Error) {
    assert_no_token("Display", &format!("{error}"));
    assert_no_token("Debug", &format!("{error:?}"));
    assert_no_token("alternate Debug", &format!("{error:#?}"));
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        assert_no_token("a source's Display", &format!("{inner}"));
        assert_no_token("a source's Debug", &format!("{inner:?}"));
        source = inner.source();
    }
}

/// Runs on the test's own thread (current-thread runtime), so the thread-local subscriber sees every event
/// of the client, reqwest (its `log` records too, via `tracing-log`) and hyper. The mock servers run on
/// threads of their own and are not captured.
#[tokio::test]
async fn token_appears_in_no_error_debug_output_or_log() {
    use tracing_subscriber::util::SubscriberInitExt;

    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();

    let mut kinds = Vec::new();
    let mut check = |error: Error| {
        assert_error_clean(&error);
        kinds.push(error.kind());
    };

    // business, after retries (so the retry log line is produced too)
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let retried = builder(&server.uri()).retry_policy(retrying(2, 5)).build().unwrap();
    assert_no_token("the client's Debug", &format!("{retried:?}"));
    assert_no_token("the client's alternate Debug", &format!("{retried:#?}"));
    check(portrait(&retried).await.unwrap_err());
    let received = server.received_requests().await.unwrap();
    assert!(received[0].url.query().unwrap().contains(TOKEN), "the token was sent");

    // http
    let server = MockServer::start().await;
    answer(&server, json_response(401, &envelope(100))).await;
    check(portrait(&client(&server.uri())).await.unwrap_err());

    // decode
    let server = MockServer::start().await;
    answer(&server, raw_response(200, "<html/>", "text/html")).await;
    check(portrait(&client(&server.uri())).await.unwrap_err());

    // body-too-large
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let small = builder(&server.uri()).max_body_bytes(16).build().unwrap();
    check(portrait(&small).await.unwrap_err());

    // timeout
    let hang = RawServer::start(Raw::Hang).await;
    let quick = builder(&hang.url).timeout(ms(100)).build().unwrap();
    check(portrait(&quick).await.unwrap_err());

    // transport: refused (retried once), then reset mid-body
    let refused = builder(&refused_url().await)
        .retry_policy(retrying(2, 5))
        .build()
        .unwrap();
    check(portrait(&refused).await.unwrap_err());
    let reset = RawServer::start(Raw::ResetMidBody).await;
    check(portrait(&client(&reset.url)).await.unwrap_err());

    // config
    let bad = Client::builder(TOKEN).base_url("ftp://example.com");
    assert_no_token("the builder's Debug", &format!("{bad:?}"));
    check(bad.build().unwrap_err());

    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "body-too-large",
            "business",
            "config",
            "decode",
            "http",
            "timeout",
            "transport"
        ]
    );

    let logs = captured.text();
    // The capture works: the runtime's own events (request, response, retry) are in it...
    assert!(logs.contains("sending request"), "{logs}");
    assert!(logs.contains("received response"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains(&format!("kolId={KOL}")), "{logs}");
    // ...and so are the HTTP stack's TRACE events.
    assert!(logs.contains("TRACE"), "{logs}");
    assert_no_token("the tracing output", &logs);
}
