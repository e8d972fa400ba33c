//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request with one fixed JSON body.
//! Shared by `benches/decode.rs` and `examples/perf_mock_server.rs`; small on purpose so that the clients,
//! not the server, are what is measured.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub struct Counters {
    pub connections: AtomicU64,
    pub requests: AtomicU64,
}

/// The full response (status line, headers, body) sent for every request.
pub fn response(body: &[u8]) -> Arc<Vec<u8>> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Arc::new(out)
}

/// Serves until `max_requests` requests were answered or `max_time` elapsed, whichever comes first.
pub async fn serve(
    listener: TcpListener,
    response: Arc<Vec<u8>>,
    counters: Arc<Counters>,
    max_requests: u64,
    max_time: Duration,
) {
    let accept = async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            counters.connections.fetch_add(1, Ordering::Relaxed);
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream, response.clone(), counters.clone(), max_requests));
        }
    };
    let done = async {
        while counters.requests.load(Ordering::Relaxed) < max_requests {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        _ = accept => {}
        _ = done => {}
        _ = tokio::time::sleep(max_time) => {}
    }
}

async fn connection(mut stream: TcpStream, response: Arc<Vec<u8>>, counters: Arc<Counters>, max_requests: u64) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // One request: headers up to the blank line, then a body of `content-length` bytes (POST forms).
        let len = loop {
            if let Some(len) = message_len(&buf).filter(|&len| buf.len() >= len) {
                break len;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        buf.drain(..len);
        if counters.requests.fetch_add(1, Ordering::Relaxed) >= max_requests {
            return;
        }
        if stream.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// The length of the HTTP/1.1 message at the start of `buf` (head and `content-length` body), once its head is
/// complete.
pub fn message_len(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    Some(end + content_length(&buf[..end]))
}

fn content_length(head: &[u8]) -> usize {
    let head = String::from_utf8_lossy(head);
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The seed portrait response (code 0 and the full portrait) from the vendored definition.
pub fn seed_example() -> serde_json::Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let example = doc["paths"]["/api/xiaohongshu-pgy/get-kol-fans-portrait/v1"]["get"]["responses"]["default"]
        ["content"]["application/json"]["example"]
        .clone();
    assert!(example["data"].is_object(), "no example in {file}");
    example
}
