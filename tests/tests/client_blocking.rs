//! `blocking::Client` (cargo feature `blocking`): the same requests without an async runtime in the caller.

use std::time::{Duration, Instant};

use justoneapi_xiaohongshu_pgy::blocking;
use justoneapi_xiaohongshu_pgy::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Starts a mock server on its own runtime thread, since the caller under test has none.
fn serve(body: serde_json::Value) -> (std::thread::JoinHandle<()>, String, std::sync::mpsc::Sender<()>) {
    serve_in_turn(vec![ResponseTemplate::new(200).set_body_json(body)])
}

/// A mock server answering with `responses` in turn, each once, the last one from then on.
fn serve_in_turn(
    responses: Vec<ResponseTemplate>,
) -> (std::thread::JoinHandle<()>, String, std::sync::mpsc::Sender<()>) {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = MockServer::start().await;
            let last = responses.len() - 1;
            for (i, response) in responses.into_iter().enumerate() {
                let mock = Mock::given(method("GET"))
                    .and(path("/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1"))
                    .and(query_param("token", "t"))
                    .and(query_param("userId", "u1"))
                    .respond_with(response)
                    .with_priority(i as u8 + 1);
                let mock = if i == last { mock } else { mock.up_to_n_times(1) };
                mock.mount(&server).await;
            }
            url_tx.send(server.uri()).unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv()).await.unwrap().ok();
        });
    });
    let url = url_rx.recv().unwrap();
    (handle, url, stop_tx)
}

#[test]
fn a_blocking_call_decodes_typed_data() {
    let (handle, url, stop) =
        serve(json!({"code": 0, "data": {"gender": {"male": 0.25, "female": 0.75}}, "requestId": "r1"}));
    let client = blocking::Client::from_builder(Client::builder("t").base_url(url)).unwrap();
    let response = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap();
    assert_eq!(response.data.gender.as_ref().and_then(|g| g.female), Some(0.75));
    assert_eq!(response.request_id.as_deref(), Some("r1"));
    // The client keeps working across calls (its connection pool lives on its own runtime).
    let again = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap();
    assert_eq!(again.data, response.data);
    stop.send(()).unwrap();
    handle.join().unwrap();
}

#[test]
fn a_blocking_business_error_is_the_same_error() {
    let (handle, url, stop) = serve(json!({"code": 601, "message": "balance", "data": null}));
    let client = blocking::Client::from_builder(Client::builder("t").base_url(url)).unwrap();
    let err = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap_err();
    assert_eq!(err.kind(), "business");
    assert_eq!(err.business_code().map(|c| c.code()), Some(601));
    stop.send(()).unwrap();
    handle.join().unwrap();
}

fn envelope(code: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": code, "message": "busy", "data": null}))
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(10))
        .with_jitter(false)
}

#[test]
fn a_blocking_call_is_retried_like_an_async_one() {
    let success = ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {"gender": {"male": 1.0}}}));
    let (handle, url, stop) = serve_in_turn(vec![envelope(302), envelope(301), success]);
    let builder = Client::builder("t").base_url(url).retry_policy(fast_retries(3));
    let client = blocking::Client::from_builder(builder).unwrap();
    let response = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap();
    assert_eq!(response.data.gender.as_ref().and_then(|g| g.male), Some(1.0));
    stop.send(()).unwrap();
    handle.join().unwrap();

    // Out of attempts: the last business error, as the async client reports it.
    let (handle, url, stop) = serve_in_turn(vec![envelope(302)]);
    let builder = Client::builder("t").base_url(url).retry_policy(fast_retries(2));
    let client = blocking::Client::from_builder(builder).unwrap();
    let error = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap_err();
    assert_eq!(error.business_code().map(|c| c.code()), Some(302));
    assert!(error.is_retryable());
    stop.send(()).unwrap();
    handle.join().unwrap();
}

#[test]
fn a_blocking_call_times_out_and_fails_to_connect_like_an_async_one() {
    let slow = ResponseTemplate::new(200)
        .set_body_json(json!({"code": 0, "data": {}}))
        .set_delay(Duration::from_secs(3));
    let (handle, url, stop) = serve_in_turn(vec![slow]);
    let builder = Client::builder("t")
        .base_url(url)
        .timeout(Duration::from_millis(150))
        .retry_policy(RetryPolicy::none());
    let client = blocking::Client::from_builder(builder).unwrap();
    let started = Instant::now();
    let error = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(matches!(error, Error::Timeout { after, .. } if after == Duration::from_millis(150)));
    stop.send(()).unwrap();
    handle.join().unwrap();

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let builder = Client::builder("t").base_url(refused).retry_policy(RetryPolicy::none());
    let client = blocking::Client::from_builder(builder).unwrap();
    let error = client
        .run(|c| c.api_solar_kol_data_user_id_fans_profile_v1("u1").send())
        .unwrap_err();
    assert_eq!(error.kind(), "transport");
    assert!(matches!(&error, Error::Transport { source, .. } if source.is_connect()));
}

#[test]
fn a_blocking_client_refuses_a_configuration_the_async_one_refuses() {
    let builder = Client::builder("t")
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::default().with_max_elapsed(Duration::from_secs(5)));
    let error = blocking::Client::from_builder(builder).unwrap_err();
    assert_eq!(error.kind(), "config");
}
