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
use justoneapi_xiaohongshu_pgy::{
    ApiResponse, BusinessCode, Client, ClientBuilder, Error, RetryPolicy, Server, DEFAULT_TIMEOUT,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::pgy::{
    builder, capture_logs, client, expect_kind, keep_callsites_interesting, ms, portrait, retrying, seed_example, KOL,
    PORTRAIT, TOKEN,
};
use common::{assert_json_eq, Recorder};

const FANS_PROFILE: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

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
    /// Answers every request with the seed response and keeps the connection open (keep-alive).
    KeepAlive,
    /// Answers with the seed response, then closes the connection without saying so (no `Connection:
    /// close`), as a server whose idle timeout has passed does.
    CloseAfterAnswer,
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
        if !Self::read_head(&mut stream).await? {
            return Ok(());
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
            Raw::KeepAlive | Raw::CloseAfterAnswer => {
                let body = seed_example().to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                loop {
                    stream.write_all(response.as_bytes()).await?;
                    if matches!(behaviour, Raw::CloseAfterAnswer) || !Self::read_head(&mut stream).await? {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads a request's head (up to the blank line); false when the client closed the connection first.
    async fn read_head(stream: &mut TcpStream) -> io::Result<bool> {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok(false);
            }
            head.extend_from_slice(&buf[..n]);
        }
        Ok(true)
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
async fn a_body_that_is_not_utf8_is_a_decode_error_naming_the_byte() {
    // JSON is UTF-8; the body is checked once, as a whole, before it is parsed.
    let mut bytes = br#"{"code":0,"data":{"dateKey":"2026-"#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(br#""}}"#);
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_raw(bytes, "application/json"),
    )
    .await;
    let (message, body) = expect_decode(portrait(&client(&server.uri())).await);
    assert!(
        message.contains("not UTF-8") && message.contains("index 34"),
        "{message}"
    );
    assert!(body.starts_with(r#"{"code":0"#), "{body}");
    assert_eq!(requests(&server).await, 1, "not retried");
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
            assert!(!source.is_request() && !source.is_body(), "{source:?}");
            // Neither the error nor anything under it carries the URL, which has the token.
            assert!(!format!("{source:?}").contains(PORTRAIT), "{source:?}");
            // The chain goes on below the opaque error, down to the OS's "connection refused".
            let mut chain = Vec::new();
            let mut next = std::error::Error::source(source);
            while let Some(inner) = next {
                chain.push(inner.to_string());
                next = inner.source();
            }
            assert!(chain.iter().any(|m| m.to_lowercase().contains("refused")), "{chain:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(error.is_retryable());
    assert!(std::error::Error::source(&error).is_some());
}

/// A connection reset (or closed) after the request was sent is a transport error: before the response head
/// a request error (`is_request`, hyper-util's send error), in the middle of the body a body error
/// (`is_body`, hyper's body error). The runtime maps every transport error but a timeout to
/// `Error::Transport`, which is right: the client's `Error::Decode`
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
                match behaviour {
                    Raw::ResetMidBody => assert!(source.is_body() && !source.is_request(), "{source:?}"),
                    _ => assert!(source.is_request() && !source.is_body(), "{behaviour:?}: {source:?}"),
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

#[tokio::test]
async fn a_base_url_that_is_not_a_url_is_a_config_error_at_build() {
    // The base URL is parsed once, when the client is built: a malformed one never reaches a request.
    for bad in [
        "http://exa mple.com",
        "http://",
        "https://host.example/api?x=1",
        "http://host.example/#top",
    ] {
        let result = Client::builder(TOKEN).base_url(bad).build();
        let error = expect_kind(result, "config");
        assert!(
            matches!(&error, Error::Config { message } if message.contains(bad)),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_prefixes_every_operation_path() {
    // A proxy mounted under a path: `{base}/api/...`, with or without a trailing slash on the base.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/proxy/v2{PORTRAIT}")))
        .and(query_param("token", TOKEN))
        .and(query_param("kolId", "kol 1&2"))
        .respond_with(json_response(200, &envelope(0)))
        .expect(2)
        .mount(&server)
        .await;
    for base in [
        format!("{}/proxy/v2", server.uri()),
        format!("{}/proxy/v2/", server.uri()),
    ] {
        let client = client(&base);
        assert_eq!(client.base_url(), format!("{}/proxy/v2", server.uri()));
        client.get_kol_fans_portrait_v1("kol 1&2").send().await.unwrap();
    }
    server.verify().await;
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
        let policy = retrying(2, 5_000).with_max_backoff(Duration::from_secs(10));
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
    let policy = retrying(2, 10).with_max_backoff(Duration::from_secs(2));
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
        let policy = retrying(5, 10).with_max_backoff(ms(100));
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
    let policy = retrying(100, 20).with_max_backoff(ms(40)).with_max_elapsed(budget);
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

/// A budget shorter than the timeout would cut every attempt and rule out every retry: refused up front,
/// by `build()`, rather than silently disabling retries.
#[tokio::test]
async fn max_elapsed_shorter_than_the_timeout_is_rejected_by_build() {
    let policy = retrying(3, 10).with_max_elapsed(ms(300));
    let result = builder("http://127.0.0.1:9")
        .timeout(Duration::from_secs(5))
        .retry_policy(policy.clone())
        .build();
    let error = expect_kind(result, "config");
    let message = error.to_string();
    assert!(message.contains("max_elapsed (300ms)"), "{message}");
    assert!(message.contains("timeout (5s)"), "{message}");
    // Equal is accepted: one whole attempt fits.
    builder("http://127.0.0.1:9")
        .timeout(ms(300))
        .retry_policy(policy)
        .build()
        .unwrap();
}

/// A retry starts only when its delay and a whole timeout still fit in the budget.
#[tokio::test]
async fn max_elapsed_smaller_than_a_timeout_plus_backoff_allows_no_retry() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let client = builder(&server.uri())
        .timeout(ms(200))
        .retry_policy(retrying(5, 10).with_max_elapsed(ms(205)))
        .build()
        .unwrap();
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 1);

    // With room for a delay and a timeout, the same call is retried.
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let client = builder(&server.uri())
        .timeout(ms(200))
        .retry_policy(retrying(2, 10).with_max_elapsed(ms(1_000)))
        .build()
        .unwrap();
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 2);
}

// ---------------------------------------------------------------------------------------------------------
// 6. Token hygiene
// ---------------------------------------------------------------------------------------------------------

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
/// of the client, hyper-util and hyper (and `log` records, via `tracing-log`). The mock servers run on
/// threads of their own and are not captured.
#[tokio::test]
async fn token_appears_in_no_error_debug_output_or_log() {
    let (captured, _guard) = capture_logs(tracing_subscriber::filter::LevelFilter::TRACE);

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

// ---------------------------------------------------------------------------------------------------------
// 7. Defaults and retries in detail
// ---------------------------------------------------------------------------------------------------------

#[test]
fn defaults_are_prod_global_sixty_seconds_and_three_attempts_with_jitter() {
    let client = Client::new(TOKEN).unwrap();
    assert_eq!(Server::default(), Server::ProdGlobal);
    assert_eq!(client.base_url(), "https://api.justoneapi.com");
    assert_eq!(client.timeout(), Duration::from_secs(60));
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(60));
    let policy = client.retry_policy();
    assert_eq!(policy, &RetryPolicy::default());
    assert_eq!(policy.max_attempts(), 3);
    assert_eq!(policy.initial_backoff(), Duration::from_secs(1));
    assert_eq!(policy.max_backoff(), Duration::from_secs(30));
    assert_eq!(policy.max_elapsed(), None);
    assert!(policy.jitter());
    assert_eq!(RetryPolicy::none().max_attempts(), 1);
    assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts(), 1);
    // prod-cn is the plain-HTTP mainland address.
    assert_eq!(Server::ProdCn.url(), "http://47.117.133.51:30015");
    assert_eq!(Server::ALL, [Server::ProdGlobal, Server::ProdCn]);
    for server in Server::ALL {
        assert_eq!(Server::from_name(server.name()).as_ref(), Some(server));
    }
    assert_eq!(Server::from_name("custom"), None);
}

/// The default timeout, against a server that accepts the connection and never answers. The clock is
/// tokio's paused one, which jumps to the next timer whenever the runtime has nothing else to do: the test
/// takes milliseconds, but a timeout of any other length would show in `after` and in the virtual time.
#[tokio::test(start_paused = true)]
async fn the_default_timeout_of_sixty_seconds_ends_a_silent_server() {
    // Never accepted: the kernel completes the handshake and the request waits in its queue.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let client = Client::builder(TOKEN).base_url(&url).build().unwrap();
    let started = tokio::time::Instant::now();
    let error = expect_kind(portrait(&client).await, "timeout");
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { after, .. } if after == Duration::from_secs(60)),
        "{error:?}"
    );
    assert!(elapsed >= Duration::from_secs(60), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(61), "{elapsed:?}");
    drop(listener);
}

#[tokio::test]
async fn the_default_policy_makes_three_attempts_with_jittered_doubling_delays() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let client = Client::builder(TOKEN).base_url(server.uri()).build().unwrap();
    let started = Instant::now();
    let (code, ..) = expect_business(portrait(&client).await);
    let elapsed = started.elapsed();
    assert_eq!(code, BusinessCode::RateLimitExceeded);
    assert_eq!(requests(&server).await, 3);
    // 1 s then 2 s, each drawn between half and all of it.
    assert!(elapsed >= ms(1_500), "{elapsed:?}");
    assert!(elapsed < ms(4_500), "{elapsed:?}");
}

#[test]
fn max_backoff_caps_the_doubling() {
    let policy = retrying(10, 100).with_max_backoff(ms(120));
    let delays: Vec<Duration> = [1, 2, 3, 40, u32::MAX].map(|n| policy.backoff(n)).to_vec();
    assert_eq!(delays, [ms(100), ms(120), ms(120), ms(120), ms(120)]);
    assert_eq!(policy.delay(3), ms(120), "no jitter: the backoff itself");
}

#[tokio::test]
async fn capped_delays_are_what_the_client_waits() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(301))).await;
    // 200 + 240 + 240 ms; uncapped it would be 200 + 400 + 800 (wide apart, for a loaded machine).
    let policy = retrying(4, 200).with_max_backoff(ms(240));
    let client = builder(&server.uri()).retry_policy(policy).build().unwrap();
    let started = Instant::now();
    expect_business(portrait(&client).await);
    let elapsed = started.elapsed();
    assert_eq!(requests(&server).await, 4);
    assert!(elapsed >= ms(680), "{elapsed:?}");
    assert!(elapsed < ms(1_300), "{elapsed:?}");
}

#[test]
fn jitter_draws_each_delay_between_half_and_all_of_the_backoff() {
    let policy = RetryPolicy::default()
        .with_initial_backoff(ms(400))
        .with_max_backoff(Duration::from_secs(1));
    let delays: Vec<Duration> = (0..1000).map(|_| policy.delay(1)).collect();
    assert!(delays.iter().all(|d| (ms(200)..=ms(400)).contains(d)), "{delays:?}");
    // Spread over the whole range, not stuck on one value.
    assert!(delays.iter().min().unwrap() < &ms(220), "{delays:?}");
    assert!(delays.iter().max().unwrap() > &ms(380), "{delays:?}");
    let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
    assert!(distinct.len() > 900, "{} distinct delays", distinct.len());
    // The cap applies before the jitter: retry 3 is 1600 ms capped at 1 s.
    assert!((0..200).all(|_| (ms(500)..=ms(1_000)).contains(&policy.delay(3))));
    // Off, the delay is the backoff.
    assert!((0..100).all(|_| policy.clone().with_jitter(false).delay(1) == ms(400)));
}

/// Eight tasks rate-limited at the same moment: with jitter they come back at different moments; without,
/// none comes back before the whole backoff.
#[tokio::test]
async fn rate_limited_tasks_retry_at_spread_out_moments() {
    for jitter in [true, false] {
        let server = MockServer::start().await;
        let ids: Vec<String> = (0..8).map(|i| format!("kol-{i}")).collect();
        for id in &ids {
            Mock::given(method("GET"))
                .and(query_param("kolId", id.as_str()))
                .respond_with(json_response(200, &envelope(302)))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
        }
        answer(&server, json_response(200, &seed_example())).await;
        let client = builder(&server.uri())
            .retry_policy(retrying(2, 400).with_jitter(jitter))
            .build()
            .unwrap();
        let started = Instant::now();
        let tasks: Vec<_> = ids
            .iter()
            .map(|id| {
                let call = client.get_kol_fans_portrait_v1(id.as_str()).send();
                tokio::spawn(async move {
                    call.await.unwrap();
                    started.elapsed()
                })
            })
            .collect();
        let mut done = Vec::new();
        for task in tasks {
            done.push(task.await.unwrap());
        }
        let (first, last) = (*done.iter().min().unwrap(), *done.iter().max().unwrap());
        assert_eq!(requests(&server).await, 16);
        if jitter {
            assert!(first >= ms(200), "{done:?}");
            assert!(last - first >= ms(30), "retried in lockstep: {done:?}");
        } else {
            assert!(first >= ms(400), "{done:?}");
        }
    }
}

#[tokio::test]
async fn a_retryable_business_code_in_an_http_error_body_is_retried() {
    // HTTP 500 (not retried by its status) carrying 302: retried, and the last error keeps both.
    let server = MockServer::start().await;
    answer(&server, json_response(500, &envelope(302))).await;
    let client = builder(&server.uri()).retry_policy(retrying(3, 5)).build().unwrap();
    let error = expect_kind(portrait(&client).await, "http");
    assert!(error.is_retryable());
    assert!(matches!(
        error,
        Error::Http {
            status: 500,
            code: Some(BusinessCode::RateLimitExceeded),
            ..
        }
    ));
    assert_eq!(requests(&server).await, 3);

    // ... and a later success ends the retries.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json_response(401, &envelope("301")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer(&server, json_response(200, &seed_example())).await;
    let client = builder(&server.uri()).retry_policy(retrying(3, 5)).build().unwrap();
    portrait(&client).await.unwrap();
    assert_eq!(requests(&server).await, 2);

    // A code that is not retryable in an HTTP error body is not retried.
    let server = MockServer::start().await;
    answer(&server, json_response(500, &envelope(100))).await;
    let client = builder(&server.uri()).retry_policy(retrying(3, 5)).build().unwrap();
    let error = expect_kind(portrait(&client).await, "http");
    assert!(!error.is_retryable());
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_for() {
    let server = MockServer::start().await;
    // HTTP dates have whole seconds: 2 s ahead is between 1 and 2 s away.
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(raw_response(503, "busy", "text/plain").insert_header("Retry-After", at.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    answer(&server, json_response(200, &seed_example())).await;
    let policy = retrying(2, 10).with_max_backoff(Duration::from_secs(5));
    let client = builder(&server.uri()).retry_policy(policy).build().unwrap();
    let started = Instant::now();
    portrait(&client).await.unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= ms(900), "only {elapsed:?}");
    assert!(elapsed < ms(3_500), "{elapsed:?}");
    assert_eq!(requests(&server).await, 2);

    // A date in the past is "now"; the error keeps what the header said.
    let server = MockServer::start().await;
    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
    answer(
        &server,
        raw_response(429, "slow down", "text/plain").insert_header("Retry-After", past.as_str()),
    )
    .await;
    let client = builder(&server.uri())
        .retry_policy(retrying(2, 5_000).with_max_backoff(Duration::from_secs(10)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "http");
    assert!(started.elapsed() < ms(2_000), "{:?}", started.elapsed());
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert_eq!(requests(&server).await, 2);
}

// ---------------------------------------------------------------------------------------------------------
// 8. Configuration from the environment
// ---------------------------------------------------------------------------------------------------------

/// A `from_lookup` source: these variables, no others.
fn vars(pairs: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> {
    let map: std::collections::HashMap<String, String> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

#[tokio::test]
async fn from_env_reads_token_base_url_timeout_and_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("token", TOKEN))
        .respond_with(json_response(200, &envelope(302)))
        .mount(&server)
        .await;
    let uri = server.uri();
    let client = ClientBuilder::from_lookup(vars(&[
        ("JUSTONEAPI_TOKEN", TOKEN),
        ("JUSTONEAPI_BASE_URL", &uri),
        ("JUSTONEAPI_TIMEOUT_SECS", "7"),
        ("JUSTONEAPI_MAX_ATTEMPTS", "2"),
    ]))
    .unwrap()
    .retry_policy(retrying(2, 5))
    .build()
    .unwrap();
    assert_eq!(client.base_url(), uri);
    assert_eq!(client.timeout(), Duration::from_secs(7));
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 2);

    // Without the builder's own policy, the variable's attempts and the default backoff.
    let client = ClientBuilder::from_lookup(vars(&[
        ("JUSTONEAPI_TOKEN", TOKEN),
        ("JUSTONEAPI_BASE_URL", &uri),
        ("JUSTONEAPI_MAX_ATTEMPTS", "1"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.retry_policy(), &RetryPolicy::default().with_max_attempts(1));
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 3);
}

#[test]
fn from_env_picks_a_documented_server_by_name_and_defaults_the_rest() {
    for (name, url) in [
        ("prod-global", "https://api.justoneapi.com"),
        ("prod-cn", "http://47.117.133.51:30015"),
        (" prod-cn ", "http://47.117.133.51:30015"),
    ] {
        let client = ClientBuilder::from_lookup(vars(&[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_SERVER", name)]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), url, "{name}");
    }
    // Only the token set (empty variables count as unset): every default.
    let client = ClientBuilder::from_lookup(vars(&[
        ("JUSTONEAPI_TOKEN", TOKEN),
        ("JUSTONEAPI_SERVER", ""),
        ("JUSTONEAPI_TIMEOUT_SECS", " "),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.base_url(), Server::ProdGlobal.url());
    assert_eq!(client.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(client.retry_policy(), &RetryPolicy::default());
}

#[test]
fn from_env_errors_name_the_variable_and_never_show_the_token() {
    let cases: [(&[(&str, &str)], &str); 10] = [
        (&[], "JUSTONEAPI_TOKEN is not set"),
        (&[("JUSTONEAPI_TOKEN", "  ")], "JUSTONEAPI_TOKEN is not set"),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_SERVER", "prod-eu")],
            "JUSTONEAPI_SERVER must be one of prod-global, prod-cn, got `prod-eu`",
        ),
        (
            &[
                ("JUSTONEAPI_TOKEN", TOKEN),
                ("JUSTONEAPI_SERVER", "prod-cn"),
                ("JUSTONEAPI_BASE_URL", "http://127.0.0.1:1"),
            ],
            "JUSTONEAPI_SERVER and JUSTONEAPI_BASE_URL are both set",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_TIMEOUT_SECS", "abc")],
            "JUSTONEAPI_TIMEOUT_SECS must be a whole number of seconds, at least 1, got `abc`",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_TIMEOUT_SECS", "0")],
            "JUSTONEAPI_TIMEOUT_SECS must be a whole number of seconds, at least 1, got `0`",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_TIMEOUT_SECS", "1.5")],
            "JUSTONEAPI_TIMEOUT_SECS must be a whole number of seconds, at least 1, got `1.5`",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_MAX_ATTEMPTS", "0")],
            "JUSTONEAPI_MAX_ATTEMPTS must be a whole number, at least 1, got `0`",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_MAX_ATTEMPTS", "-2")],
            "JUSTONEAPI_MAX_ATTEMPTS must be a whole number, at least 1, got `-2`",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_MAX_ATTEMPTS", "many")],
            "JUSTONEAPI_MAX_ATTEMPTS must be a whole number, at least 1, got `many`",
        ),
    ];
    for (pairs, expected) in cases {
        let error = expect_kind(ClientBuilder::from_lookup(vars(pairs)).map(|_| ()), "config");
        let Error::Config { message } = &error else {
            unreachable!()
        };
        assert!(message.starts_with(expected), "{message}");
        assert_error_clean(&error);
    }
    // A base URL that is no URL fails where every base URL is checked, in `build`.
    let builder = ClientBuilder::from_lookup(vars(&[
        ("JUSTONEAPI_TOKEN", TOKEN),
        ("JUSTONEAPI_BASE_URL", "api.justoneapi.com"),
    ]))
    .unwrap();
    expect_kind(builder.build(), "config");
}

// ---------------------------------------------------------------------------------------------------------
// 9. Transport: servers, proxies, an HTTP client of your own, user agent, gzip
// ---------------------------------------------------------------------------------------------------------

/// Neither server is reachable from a test; a proxy (a recorder on 127.0.0.1) shows where each request
/// goes. prod-cn is plain HTTP, so the proxy sees the whole request, token included, in absolute form;
/// prod-global is HTTPS, so it only sees a tunnel asked for (and the credentials of the proxy URL).
#[tokio::test]
async fn prod_cn_and_prod_global_are_reached_through_a_proxy() {
    let proxy = Recorder::start(200, seed_example().to_string()).await;
    let with_password = proxy.url.replace("http://", "http://team:s3cret@");
    let client = Client::builder(TOKEN)
        .server(Server::ProdCn)
        .proxy(&with_password)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("s3cret"), "{client:?}");
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.date_key.as_deref(), Some("2026-03-08"));
    let received = proxy.received();
    assert_eq!(
        received[0].line,
        format!("GET http://47.117.133.51:30015{PORTRAIT}?token={TOKEN}&kolId={KOL} HTTP/1.1")
    );
    assert_eq!(received[0].header("host"), Some("47.117.133.51:30015"));
    assert_eq!(received[0].header("user-agent"), Some(client.user_agent()));
    // base64("team:s3cret")
    assert_eq!(
        received[0].header("proxy-authorization"),
        Some("Basic dGVhbTpzM2NyZXQ=")
    );
    assert_eq!(received[0].body, "", "a GET has no body");

    let client = Client::builder(TOKEN)
        .proxy(&with_password)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = expect_kind(portrait(&client).await, "transport");
    assert!(
        matches!(&error, Error::Transport { url, source } if url == &format!("https://api.justoneapi.com{PORTRAIT}?kolId={KOL}") && source.is_connect()),
        "{error:?}"
    );
    assert_error_clean(&error);
    assert!(!format!("{error:?}").contains("s3cret"), "{error:?}");
    let received = proxy.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].line, "CONNECT api.justoneapi.com:443 HTTP/1.1");
    assert_eq!(
        received[1].header("proxy-authorization"),
        Some("Basic dGVhbTpzM2NyZXQ=")
    );
}

/// `no_proxy` connects directly; a proxy URL that cannot be used is refused by `build()` without being
/// shown (it may hold a password): not a URL, or socks without the `socks` feature (off in this test crate).
#[tokio::test]
async fn no_proxy_connects_directly_and_a_bad_proxy_url_is_a_config_error() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let client = builder(&server.uri()).no_proxy().build().unwrap();
    portrait(&client).await.unwrap();
    builder(&server.uri())
        .proxy("https://u:s3cret@proxy.example")
        .build()
        .expect("an https:// proxy is a proxy");
    for bad in ["socks5://u:s3cret@127.0.0.1:1080", "not a url s3cret", ""] {
        let error = expect_kind(builder(&server.uri()).proxy(bad).build(), "config");
        assert!(error.to_string().contains("proxy"), "{error}");
        assert!(!format!("{error} {error:?}").contains("s3cret"), "{error:?}");
    }
}

/// Extra root certificates must be PEM certificates: anything else is a config error naming which one.
#[tokio::test]
async fn root_certificates_that_are_not_pem_are_a_config_error() {
    let error = expect_kind(
        Client::builder(TOKEN)
            .root_certificates_pem("no certificate here")
            .build(),
        "config",
    );
    assert!(error.to_string().contains("root certificate 1"), "{error}");
    let error = expect_kind(
        Client::builder(TOKEN)
            .root_certificates_pem(
                b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".to_vec(),
            )
            .build(),
        "config",
    );
    assert!(error.to_string().contains("root certificate 1"), "{error}");
}

#[tokio::test]
async fn headers_of_the_builder_are_sent_and_the_user_agent_is_ours() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let client = builder(&server.uri())
        .header("x-team", "data")
        .header("user-agent", "theirs/1.0")
        .build()
        .unwrap();
    portrait(&client).await.unwrap();
    let received = server.received_requests().await.unwrap();
    let header = |name: &str| received[0].headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("x-team").as_deref(), Some("data"));
    assert_eq!(header("user-agent").as_deref(), Some(client.user_agent()));
    assert!(client.user_agent().starts_with("justoneapi-xiaohongshu-pgy/"));

    for (name, value) in [("bad name", "v"), ("x-ok", "two\nlines")] {
        let error = expect_kind(builder(&server.uri()).header(name, value).build(), "config");
        assert!(error.to_string().contains("header"), "{error}");
    }
}

/// Requests one after another share one keep-alive connection; requests at once each get one, and those
/// connections are reused afterwards.
#[tokio::test]
async fn connections_are_kept_alive_and_reused() {
    let server = RawServer::start(Raw::KeepAlive).await;
    let client = builder(&server.url).retry_policy(RetryPolicy::none()).build().unwrap();
    for _ in 0..5 {
        portrait(&client).await.unwrap();
    }
    assert_eq!(server.connections(), 1);

    let calls: Vec<_> = (0..4)
        .map(|_| tokio::spawn(client.get_kol_fans_portrait_v1(KOL).send()))
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let at_once = server.connections();
    assert!((1..=4).contains(&at_once), "{at_once}");
    for _ in 0..5 {
        portrait(&client).await.unwrap();
    }
    assert_eq!(server.connections(), at_once, "idle connections are reused");
}

/// A server that closes idle connections (its keep-alive timeout) costs nothing but new connections: a closed
/// idle connection is not used for the next call, which goes out on a new one without an error.
#[tokio::test]
async fn a_closed_idle_connection_is_replaced_without_an_error() {
    let server = RawServer::start(Raw::CloseAfterAnswer).await;
    let client = builder(&server.url).retry_policy(RetryPolicy::none()).build().unwrap();
    for i in 1..=4 {
        portrait(&client).await.unwrap();
        assert_eq!(server.connections(), i);
        // Time for the close to arrive (a request racing it is the one failure keep-alive cannot avoid).
        tokio::time::sleep(ms(20)).await;
    }
}

/// `name = "x"` / `version = "x"` of a generated crate's manifest.
fn manifest_version(krate: &str) -> String {
    let path = format!("{}/../generated/{krate}/Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

#[tokio::test]
async fn the_user_agent_names_the_platform_crate_and_the_runtime() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let expected = format!(
        "justoneapi-xiaohongshu-pgy/{} justoneapi-runtime/{}",
        manifest_version("justoneapi-xiaohongshu-pgy"),
        manifest_version("justoneapi-runtime")
    );
    for (client, agent) in [
        (client(&server.uri()), expected.as_str()),
        (
            builder(&server.uri()).user_agent("kol-report/2.1").build().unwrap(),
            "kol-report/2.1",
        ),
    ] {
        assert_eq!(client.user_agent(), agent);
        portrait(&client).await.unwrap();
        let received = server.received_requests().await.unwrap();
        let last = received.last().unwrap();
        assert_eq!(last.headers.get("user-agent").unwrap().to_str().unwrap(), agent);
    }
    let error = expect_kind(builder(&server.uri()).user_agent("two\nlines").build(), "config");
    assert!(error.to_string().contains("user agent"), "{error}");
}

/// A gzip member holding `data` in stored (uncompressed) deflate blocks: what `Content-Encoding: gzip`
/// needs, without a compression library in the tests.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(0xffff).peekable();
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    out.extend_from_slice(&(!crc).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Feature `gzip` (on in this workspace's tests): the client asks for gzip and decodes it; the body limit
/// counts decompressed bytes, so a small compressed body cannot hide a large one.
#[tokio::test]
async fn gzip_bodies_are_decompressed_and_the_limit_counts_decompressed_bytes() {
    let text = seed_example().to_string();
    let mut padded = seed_example();
    padded["padding"] = json!(" ".repeat(100_000));
    let padded_text = padded.to_string();
    let server = MockServer::start().await;
    for (id, body) in [("small", &text), ("padded", &padded_text)] {
        Mock::given(method("GET"))
            .and(query_param("kolId", id))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("Content-Encoding", "gzip")
                    .set_body_raw(gzip(body.as_bytes()), "application/json"),
            )
            .mount(&server)
            .await;
    }
    let client = builder(&server.uri()).max_body_bytes(50_000).build().unwrap();
    let response = client.get_kol_fans_portrait_v1("small").send().await.unwrap();
    assert_eq!(response.data.devices.len(), 10);
    let received = server.received_requests().await.unwrap();
    let accept = received[0].headers.get("accept-encoding").unwrap().to_str().unwrap();
    assert!(accept.contains("gzip"), "{accept}");

    let error = expect_kind(client.get_kol_fans_portrait_v1("padded").send().await, "body-too-large");
    assert!(matches!(error, Error::BodyTooLarge { limit: 50_000, .. }));
}

// ---------------------------------------------------------------------------------------------------------
// 10. Per-request overrides, owned futures
// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_request_timeout_replaces_the_clients_for_that_request_only() {
    let hang = RawServer::start(Raw::Hang).await;
    let client = builder(&hang.url).timeout(Duration::from_secs(5)).build().unwrap();
    let started = Instant::now();
    let result = client.get_kol_fans_portrait_v1(KOL).timeout(ms(150)).send().await;
    let error = expect_kind(result, "timeout");
    assert!(started.elapsed() < ms(1_500), "{:?}", started.elapsed());
    assert!(matches!(error, Error::Timeout { after, .. } if after == ms(150)));
    assert_eq!(client.timeout(), Duration::from_secs(5));
}

#[tokio::test]
async fn a_request_retry_policy_replaces_the_clients_for_that_request_only() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let client = client(&server.uri());
    expect_business(
        client
            .get_kol_fans_portrait_v1(KOL)
            .retry_policy(retrying(3, 5))
            .send()
            .await,
    );
    assert_eq!(requests(&server).await, 3);
    // The client's own policy (no retry) for the next request.
    expect_business(portrait(&client).await);
    assert_eq!(requests(&server).await, 4);
    // Overrides on `send_raw` and `.await` alike.
    expect_business(
        client
            .get_kol_fans_portrait_v1(KOL)
            .retry_policy(retrying(2, 5))
            .send_raw()
            .await,
    );
    expect_business(client.get_kol_fans_portrait_v1(KOL).retry_policy(retrying(2, 5)).await);
    assert_eq!(requests(&server).await, 8);
}

/// The rule `build` applies to the client's settings holds for a request's own: nothing is sent.
#[tokio::test]
async fn a_request_budget_shorter_than_its_timeout_is_a_config_error_before_sending() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let client = client(&server.uri());
    let result = client
        .get_kol_fans_portrait_v1(KOL)
        .retry_policy(retrying(3, 5).with_max_elapsed(ms(100)))
        .send()
        .await;
    let error = expect_kind(result, "config");
    assert!(error.to_string().contains("max_elapsed (100ms)"), "{error}");
    let result = client
        .get_kol_fans_portrait_v1(KOL)
        .timeout(Duration::from_secs(2))
        .retry_policy(retrying(3, 5).with_max_elapsed(Duration::from_secs(1)))
        .send()
        .await;
    expect_kind(result, "config");
    assert_eq!(requests(&server).await, 0);
}

fn assert_spawnable<F: std::future::Future + Send + 'static>(future: F) -> F {
    future
}

/// `tokio::spawn(client.op(x).send())`: the futures own a handle on the client, which may be dropped
/// before they run.
#[tokio::test]
async fn requests_can_be_spawned_and_outlive_the_client() {
    let server = MockServer::start().await;
    answer(&server, json_response(200, &seed_example())).await;
    let client = client(&server.uri());
    let mut tasks = Vec::new();
    for i in 0..4 {
        let id = format!("kol-{i}");
        tasks.push(tokio::spawn(assert_spawnable(
            client.get_kol_fans_portrait_v1(id).send(),
        )));
    }
    let request = client.get_kol_fans_portrait_v1("kol-4");
    tasks.push(tokio::spawn(std::future::IntoFuture::into_future(request)));
    drop(client);
    for task in tasks {
        assert_eq!(
            task.await.unwrap().unwrap().data().date_key.as_deref(),
            Some("2026-03-08")
        );
    }
    assert_eq!(requests(&server).await, 5);
}

// ---------------------------------------------------------------------------------------------------------
// 11. Tracing spans
// ---------------------------------------------------------------------------------------------------------

/// Every span and event a subscriber sees, fields as text in the order they were recorded.
#[derive(Clone, Default)]
struct Spans {
    spans: Arc<Mutex<Vec<SpanSeen>>>,
    ids: Arc<Mutex<std::collections::HashMap<u64, usize>>>,
    events: Arc<Mutex<Vec<EventSeen>>>,
}

/// An event: the index of its span in `Spans::spans`, if any, and its fields.
type EventSeen = (Option<usize>, Vec<(String, String)>);

#[derive(Debug, Clone)]
struct SpanSeen {
    name: &'static str,
    fields: Vec<(String, String)>,
}

impl SpanSeen {
    /// Every value `name` was given, in order.
    fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn last(&self, name: &str) -> Option<&str> {
        self.values(name).last().copied()
    }
}

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl<S> tracing_subscriber::Layer<S> for Spans
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let mut spans = self.spans.lock().unwrap();
        spans.push(SpanSeen {
            name: attrs.metadata().name(),
            fields: fields.0,
        });
        self.ids.lock().unwrap().insert(id.into_u64(), spans.len() - 1);
    }

    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        let index = self.ids.lock().unwrap()[&id.into_u64()];
        self.spans.lock().unwrap()[index].fields.extend(fields.0);
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let span = ctx
            .event_span(event)
            .and_then(|s| self.ids.lock().unwrap().get(&s.id().into_u64()).copied());
        self.events.lock().unwrap().push((span, fields.0));
    }
}

#[tokio::test]
async fn each_call_is_a_span_with_operation_path_attempt_code_and_elapsed_but_no_token() {
    use tracing_subscriber::layer::SubscriberExt;

    keep_callsites_interesting();
    let seen = Spans::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(seen.clone()));

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .respond_with(json_response(200, &envelope(302)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .respond_with(json_response(200, &seed_example()))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(FANS_PROFILE))
        .respond_with(json_response(401, &envelope(100)))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).retry_policy(retrying(3, 5)).build().unwrap();
    portrait(&client).await.unwrap();
    let error = client
        .api_solar_kol_data_user_id_fans_profile_v1("user-1")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), "http");

    let spans: Vec<SpanSeen> = seen.spans.lock().unwrap().clone();
    let calls: Vec<&SpanSeen> = spans.iter().filter(|s| s.name == "justoneapi.request").collect();
    assert_eq!(calls.len(), 2, "{spans:#?}");

    let ok = calls[0];
    assert_eq!(ok.last("operation"), Some("get_kol_fans_portrait_v1"));
    assert_eq!(ok.last("http.method"), Some("GET"));
    assert_eq!(ok.last("http.path"), Some(PORTRAIT));
    assert_eq!(ok.values("attempt"), ["1", "2"]);
    assert_eq!(ok.values("business_code"), ["302", "0"]);
    assert_eq!(ok.last("http.status"), Some("200"));
    assert_eq!(ok.last("error"), None);
    let elapsed: u64 = ok.last("elapsed_ms").unwrap().parse().unwrap();
    assert!(elapsed >= 5, "{elapsed} ms for a call with a 5 ms backoff");

    let failed = calls[1];
    assert_eq!(
        failed.last("operation"),
        Some("api_solar_kol_data_user_id_fans_profile_v1")
    );
    assert_eq!(failed.last("http.path"), Some(FANS_PROFILE));
    assert_eq!(failed.values("attempt"), ["1"]);
    assert_eq!(failed.last("http.status"), Some("401"));
    assert_eq!(failed.last("business_code"), Some("100"));
    assert_eq!(failed.last("error"), Some("http"));
    assert!(failed.last("elapsed_ms").is_some());

    // The runtime's events (request, response, retry) belong to the call's span.
    let events = seen.events.lock().unwrap().clone();
    let index = spans.iter().position(|s| s.name == "justoneapi.request").unwrap();
    let in_first: Vec<String> = events
        .iter()
        .filter(|(span, _)| *span == Some(index))
        .flat_map(|(_, fields)| fields.iter().filter(|(n, _)| n == "message").map(|(_, v)| v.clone()))
        .collect();
    for message in ["sending request", "received response", "retrying"] {
        assert!(in_first.iter().any(|m| m == message), "{message}: {in_first:?}");
    }

    let everything = format!("{spans:?} {events:?}");
    assert!(everything.contains(KOL), "the capture sees the query: {everything}");
    assert_no_token("spans and events", &everything);
}

// ---------------------------------------------------------------------------------------------------------
// Holes closed in runtime 0.4.0: each test failed before its fix
// ---------------------------------------------------------------------------------------------------------

/// A base URL's `user:password@` is HTTP basic authentication (as curl and reqwest take it), and the password
/// is never shown: not in `Client::base_url`, errors of every kind, `Debug` of the builder or the client, nor
/// the log. (Before: it was kept in the base URL, and every error and log line showed it.)
#[tokio::test]
async fn a_password_in_the_base_url_is_basic_auth_and_never_shown() {
    let (captured, _guard) = capture_logs(tracing_subscriber::filter::LevelFilter::TRACE);
    const PASSWORD: &str = "pa55-W0RD";
    let with_password = |uri: &str| uri.replacen("http://", &format!("http://gateway:{PASSWORD}@"), 1);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header(
            "authorization",
            "Basic Z2F0ZXdheTpwYTU1LVcwUkQ=",
        ))
        .respond_with(json_response(200, &envelope(100)))
        .mount(&server)
        .await;
    let builder = builder(&with_password(&server.uri()));
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    assert_eq!(client.base_url(), server.uri());
    let business = portrait(&client).await.unwrap_err();
    assert_eq!(
        business.business_code(),
        Some(BusinessCode::from_code(100)),
        "the credentials were sent"
    );

    let refused = Client::builder(TOKEN)
        .base_url(with_password(&refused_url().await))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let transport = portrait(&refused).await.unwrap_err();
    let config = Client::builder(TOKEN)
        .base_url(format!("ftp://u:{PASSWORD}@host"))
        .build()
        .unwrap_err();
    let invalid = Client::builder(TOKEN)
        .base_url(format!("http://u:{PASSWORD}@"))
        .build()
        .unwrap_err();

    let shown = format!(
        "{builder_debug} {client:?} {client:#?} {refused:?} {business} {business:?} {transport} {transport:?} \
         {config} {config:?} {invalid} {invalid:?} {}",
        captured.text()
    );
    assert!(shown.contains("refused") || shown.contains("connect"), "{shown}");
    assert!(!shown.contains(PASSWORD), "the password was shown: {shown}");
}

/// The retry budget's arithmetic cannot overflow: a server's `Retry-After` of u64::MAX seconds under a policy
/// whose `max_backoff` is `Duration::MAX` ends the retries with the server's error. (Before: `elapsed + delay +
/// timeout` panicked.) Jittered delays of the largest backoffs stay within the backoff.
#[tokio::test]
async fn a_huge_retry_after_under_an_unbounded_backoff_ends_the_retries_without_a_panic() {
    let server = MockServer::start().await;
    answer(
        &server,
        json_response(429, &envelope(429)).insert_header("retry-after", u64::MAX.to_string().as_str()),
    )
    .await;
    let policy = RetryPolicy::default()
        .with_max_backoff(Duration::MAX)
        .with_max_elapsed(Duration::from_secs(120));
    let client = builder(&server.uri())
        .timeout(Duration::from_secs(60))
        .retry_policy(policy)
        .build()
        .unwrap();
    let error = expect_kind(portrait(&client).await, "http");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(u64::MAX)));
    assert_eq!(requests(&server).await, 1);

    let widest = RetryPolicy::default()
        .with_initial_backoff(Duration::MAX)
        .with_max_backoff(Duration::MAX);
    for retry in [1, 2, 64, u32::MAX] {
        let delay = widest.delay(retry);
        assert!(delay >= Duration::MAX / 2 - Duration::from_secs(1), "{delay:?}");
    }
}

/// `Debug` of the builder and of the client names the headers given to `.header()`, never their values (a
/// gateway's key). (Before: both printed the values.)
#[test]
fn debug_of_the_builder_and_the_client_shows_header_names_not_values() {
    let builder = Client::builder(TOKEN).header("x-gateway-key", "K3Y-VALUE");
    let shown = format!("{builder:?} {builder:#?}");
    assert!(shown.contains("x-gateway-key"), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{shown} {client:?} {client:#?}");
    assert!(shown.contains("x-gateway-key"), "{shown}");
    assert!(!shown.contains("K3Y-VALUE"), "a header value was shown: {shown}");
}

/// An error keeps the whole body in its field, but its `Debug` shows the first KiB and the length. (Before: a
/// 32 MiB body went whole into every `{:?}` of the error, a log line of 32 MiB.)
#[tokio::test]
async fn debug_of_an_error_shows_at_most_a_kib_of_its_body() {
    let body = format!("<html>{}</html>", "x".repeat(1 << 20));
    for status in [200, 500] {
        let server = MockServer::start().await;
        answer(&server, raw_response(status, &body, "text/html")).await;
        let error = portrait(&client(&server.uri())).await.unwrap_err();
        let kept = match &error {
            Error::Decode { body, .. } | Error::Http { body, .. } => body.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(kept, body.len(), "the field holds the whole body");
        let shown = format!("{error:?}");
        assert!(shown.len() < 2048, "{} bytes of Debug", shown.len());
        assert!(shown.contains(&format!("({} bytes in all)", body.len())), "{shown}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// The program's own HTTP client, middleware, redirects
// ---------------------------------------------------------------------------------------------------------

/// `http_client` sends with the program's own reqwest client (its default headers arrive), and what the runtime
/// does stays: the token, retries of a retryable business code, decoding.
#[tokio::test]
async fn a_programs_own_reqwest_client_sends_the_requests_with_the_runtimes_rules() {
    use justoneapi_xiaohongshu_pgy::reqwest;

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("x-theirs", "1"))
        .respond_with(json_response(200, &envelope(302)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::header("x-theirs", "1"))
        .and(query_param("token", TOKEN))
        .respond_with(json_response(200, &seed_example()))
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-theirs", reqwest::header::HeaderValue::from_static("1"));
    let theirs = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let client = builder(&server.uri())
        .http_client(theirs)
        .retry_policy(retrying(2, 1))
        .build()
        .unwrap();
    let response = portrait(&client).await.unwrap();
    assert_eq!(response.data.ages.len(), 5);
    assert_eq!(requests(&server).await, 2, "the business code 302 was retried");
}

/// Settings of the client the runtime builds cannot be given with the program's own: that client has its own.
#[test]
fn settings_of_the_built_client_beside_http_client_are_a_config_error() {
    use justoneapi_xiaohongshu_pgy::reqwest;

    type Setting = fn(ClientBuilder) -> ClientBuilder;
    let settings: [(&str, Setting); 4] = [
        ("proxy", |b| b.proxy("http://127.0.0.1:1")),
        ("no_proxy", |b| b.no_proxy()),
        ("root_certificates_pem", |b| b.root_certificates_pem("x")),
        ("connect_timeout", |b| b.connect_timeout(ms(5))),
    ];
    for (name, set) in settings {
        let builder = set(Client::builder(TOKEN).http_client(reqwest::Client::new()));
        let error = expect_kind(builder.build(), "config");
        assert!(error.to_string().contains(name), "{name}: {error}");
    }
}

/// Redirects are never followed (the token is in the query): a 3xx is an `Error::Redirect` that keeps the
/// `Location`, shown without a token and without credentials, and is not retried.
#[tokio::test]
async fn a_redirect_is_an_http_error_with_its_location_and_no_token() {
    let server = MockServer::start().await;
    let target = format!("http://u:pw@elsewhere.example/moved?token={TOKEN}&kolId=kol-1");
    answer(
        &server,
        ResponseTemplate::new(302).insert_header("location", target.as_str()),
    )
    .await;
    let error = expect_kind(portrait(&client(&server.uri())).await, "redirect");
    let Error::Redirect { status, location, .. } = &error else {
        unreachable!()
    };
    assert_eq!(*status, 302);
    assert_eq!(location.as_deref(), Some("http://elsewhere.example/moved?kolId=kol-1"));
    assert!(error.to_string().contains("elsewhere.example/moved"), "{error}");
    assert_error_clean(&error);
    assert_eq!(requests(&server).await, 1);
}

/// A program's client that follows redirects: the response of the redirect's target is not read as the API's
/// (an `Error::Config` says to build it with `redirect::Policy::none()`).
#[tokio::test]
async fn a_response_after_a_redirect_followed_by_the_programs_client_is_refused() {
    use justoneapi_xiaohongshu_pgy::reqwest;

    let server = MockServer::start().await;
    Mock::given(path(PORTRAIT))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/elsewhere"))
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(json_response(200, &seed_example()))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let error = expect_kind(portrait(&client).await, "config");
    assert!(error.to_string().contains("Policy::none()"), "{error}");
    assert_error_clean(&error);
}

/// Middleware (`http_client_with_middleware`) sees every attempt, retries included; its own error fails the
/// call as a transport error that `is_middleware`, and is not retried.
#[tokio::test]
async fn middleware_sees_every_attempt_and_its_error_is_not_retried() {
    use justoneapi_xiaohongshu_pgy::{reqwest, reqwest_middleware};

    struct Counting {
        seen: Arc<AtomicUsize>,
        refuse: bool,
    }
    #[async_trait::async_trait]
    impl reqwest_middleware::Middleware for Counting {
        async fn handle(
            &self,
            request: reqwest::Request,
            extensions: &mut http::Extensions,
            next: reqwest_middleware::Next<'_>,
        ) -> reqwest_middleware::Result<reqwest::Response> {
            self.seen.fetch_add(1, Ordering::SeqCst);
            if self.refuse {
                return Err(reqwest_middleware::Error::middleware(io::Error::other(
                    "rate limit budget spent",
                )));
            }
            next.run(request, extensions).await
        }
    }
    let stack = |refuse: bool, seen: &Arc<AtomicUsize>| {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        reqwest_middleware::ClientBuilder::new(http)
            .with(Counting {
                seen: seen.clone(),
                refuse,
            })
            .build()
    };

    let server = MockServer::start().await;
    answer(&server, json_response(200, &envelope(302))).await;
    let seen = Arc::new(AtomicUsize::new(0));
    let client = builder(&server.uri())
        .http_client_with_middleware(stack(false, &seen))
        .retry_policy(retrying(3, 1))
        .build()
        .unwrap();
    expect_kind(portrait(&client).await, "business");
    assert_eq!(seen.load(Ordering::SeqCst), 3);

    let seen = Arc::new(AtomicUsize::new(0));
    let client = builder(&server.uri())
        .http_client_with_middleware(stack(true, &seen))
        .retry_policy(retrying(3, 1))
        .build()
        .unwrap();
    let error = expect_kind(portrait(&client).await, "transport");
    let Error::Transport { source, .. } = &error else {
        unreachable!()
    };
    assert!(source.is_middleware() && !error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("rate limit budget spent"), "{error}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------------------
// The connect timeout
// ---------------------------------------------------------------------------------------------------------

/// An address that takes connections but never completes one: a listener that never accepts, its backlog filled,
/// so the kernel drops further SYNs and a connect hangs (as a black-holed address does).
async fn black_hole() -> (String, impl Drop) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut filling = Vec::new();
    for _ in 0..16 {
        match tokio::time::timeout(ms(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => filling.push(stream),
            _ => break,
        }
    }
    struct Hole(#[allow(dead_code)] TcpListener, #[allow(dead_code)] Vec<TcpStream>);
    impl Drop for Hole {
        fn drop(&mut self) {}
    }
    (format!("http://{addr}"), Hole(listener, filling))
}

/// A connection that cannot be made within the connect timeout fails the attempt as a connect error, long
/// before the attempt's timeout, and is retried: nothing was sent. (Before: the whole attempt's timeout went by,
/// and a timeout was not retried.)
#[tokio::test]
async fn a_connection_not_made_within_the_connect_timeout_is_a_connect_error_and_retried() {
    let (url, _hole) = black_hole().await;
    let client = builder(&url)
        .timeout(Duration::from_secs(20))
        .connect_timeout(ms(300))
        .retry_policy(retrying(2, 10))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "transport");
    let elapsed = started.elapsed();
    let Error::Transport { source, .. } = &error else {
        unreachable!()
    };
    assert!(source.is_connect() && error.is_retryable(), "{error:?}");
    assert!(elapsed >= ms(600), "two attempts of 300 ms each: {elapsed:?}");
    assert!(
        elapsed < Duration::from_secs(5),
        "the attempt's timeout did not run out: {elapsed:?}"
    );
}

/// `JUSTONEAPI_CONNECT_TIMEOUT_SECS` sets the connect timeout (whole seconds, at least 1), and a malformed value
/// is a config error naming it.
#[tokio::test]
async fn from_env_reads_the_connect_timeout() {
    let (url, _hole) = black_hole().await;
    let client = ClientBuilder::from_lookup(vars(&[
        ("JUSTONEAPI_TOKEN", TOKEN),
        ("JUSTONEAPI_BASE_URL", &url),
        ("JUSTONEAPI_CONNECT_TIMEOUT_SECS", "1"),
        ("JUSTONEAPI_MAX_ATTEMPTS", "1"),
    ]))
    .unwrap()
    .timeout(Duration::from_secs(20))
    .build()
    .unwrap();
    let started = Instant::now();
    let error = expect_kind(portrait(&client).await, "transport");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}: {error}",
        started.elapsed()
    );
    for bad in ["0", "soon", "-1"] {
        let error = ClientBuilder::from_lookup(vars(&[
            ("JUSTONEAPI_TOKEN", TOKEN),
            ("JUSTONEAPI_CONNECT_TIMEOUT_SECS", bad),
        ]))
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("JUSTONEAPI_CONNECT_TIMEOUT_SECS must be a whole number of seconds"),
            "{error}"
        );
    }
}
