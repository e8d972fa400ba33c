//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request with one fixed JSON body.
//! Used by `benches/request.rs`; small on purpose so that the clients, not the server, are what is measured.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub struct Counters {
    pub connections: AtomicU64,
    pub requests: AtomicU64,
    /// The head of the first request of every connection (to show what each client sends).
    pub first_heads: Mutex<Vec<String>>,
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

/// Serves every connection until the process ends.
pub async fn serve(listener: TcpListener, response: Arc<Vec<u8>>, counters: Arc<Counters>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, response.clone(), counters.clone()));
    }
}

async fn connection(mut stream: TcpStream, response: Arc<Vec<u8>>, counters: Arc<Counters>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let mut first = true;
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
        if first {
            let head = String::from_utf8_lossy(&buf[..len]).trim_end().to_owned();
            counters.first_heads.lock().unwrap().push(head);
            first = false;
        }
        buf.drain(..len);
        counters.requests.fetch_add(1, Ordering::Relaxed);
        if stream.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// The length of the HTTP/1.1 message at the start of `buf` (head and `content-length` body), once its head is
/// complete.
fn message_len(buf: &[u8]) -> Option<usize> {
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
