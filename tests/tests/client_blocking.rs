//! `blocking::Client` (cargo feature `blocking`): the same requests without an async runtime in the caller.

use justoneapi_xiaohongshu_pgy::blocking;
use justoneapi_xiaohongshu_pgy::Client;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Starts a mock server on its own runtime thread, since the caller under test has none.
fn serve(body: serde_json::Value) -> (std::thread::JoinHandle<()>, String, std::sync::mpsc::Sender<()>) {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1"))
                .and(query_param("token", "t"))
                .and(query_param("userId", "u1"))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
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
