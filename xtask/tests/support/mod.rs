//! What the process-level tests of `cargo xtask` share: throw-away checkouts, running the binary, snapshots of a
//! folder, and a static HTTP/1.1 server on 127.0.0.1 standing for upstream.

#![allow(dead_code)] // each test file uses a different part

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

/// Runs `cargo xtask --root <root> <args>` (the test hooks' variables removed, then `env` set).
pub fn xtask(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("--root").arg(root).args(args);
    cmd.env_remove("XTASK_FAIL_AFTER_FETCH")
        .env_remove("XTASK_FAIL_COMMIT_AFTER")
        .env_remove("JUSTONEAPI_CATALOGUE_USER")
        .env_remove("JUSTONEAPI_CATALOGUE_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

pub fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Where upstream publishes each definition a checkout's catalogue publishes, by (HTTP method, API path,
/// language): the URL path under a server (`/openapi/<group>/<slug>-<lang>.json`, by upstream's rule), and the
/// file of `specs` that vendors it.
pub fn published(specs: &Path) -> BTreeMap<(String, String, String), (String, PathBuf)> {
    let bytes = std::fs::read(specs.join("catalogue/public-api.json")).unwrap();
    let source = codegen::Source::new("catalogue.json", bytes);
    let catalogue =
        codegen::catalogue::Catalogue::parse(&source, codegen::catalogue::Limits::default(), &mut Vec::new()).unwrap();
    let mut out = BTreeMap::new();
    for listed in &catalogue.entries {
        let Some(docs) = &listed.docs else { continue };
        for lang in [codegen::manifest::Lang::En, codegen::manifest::Lang::Zh] {
            let rel = codegen::catalogue::layout::rel_path(listed.method, &listed.api_path, lang);
            out.insert(
                (
                    listed.method.as_str().to_owned(),
                    listed.path.clone(),
                    lang.as_str().to_owned(),
                ),
                (docs.url("/openapi", lang), specs.join(rel)),
            );
        }
    }
    out
}

/// The path a server guards with basic auth, the `Authorization` it wants, and the ones it received.
#[derive(Debug, Default)]
struct Guard {
    path: String,
    wanted: Option<String>,
    seen: Vec<Option<String>>,
}

/// A static HTTP/1.1 server on 127.0.0.1: `routes` maps URL paths to bytes (changeable while it runs),
/// `faults` answers some paths with an error status a number of times, and one path may require a basic-auth
/// `Authorization` header (recorded as received). Unknown paths are 404s.
pub struct Server {
    pub base: String,
    pub routes: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    /// URL path -> (status, how many more requests get it; `u32::MAX` for all).
    faults: Arc<Mutex<BTreeMap<String, (u16, u32)>>>,
    auth: Arc<Mutex<Guard>>,
}

impl Server {
    pub fn start(routes: BTreeMap<String, Vec<u8>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes = Arc::new(Mutex::new(routes));
        let faults: Arc<Mutex<BTreeMap<String, (u16, u32)>>> = Arc::default();
        let auth: Arc<Mutex<Guard>> = Arc::default();
        let (served, faulty, guarded) = (routes.clone(), faults.clone(), auth.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (served, faulty, guarded) = (served.clone(), faulty.clone(), guarded.clone());
                // One thread per connection, as the fetch runs several downloads at once.
                std::thread::spawn(move || answer(stream, &served, &faulty, &guarded));
            }
        });
        Server {
            base,
            routes,
            faults,
            auth,
        }
    }

    /// Serves `bytes` at the URL path `path` (replacing what was there).
    pub fn serve(&self, path: &str, bytes: Vec<u8>) {
        self.routes.lock().unwrap().insert(path.to_owned(), bytes);
    }

    /// Answers the next `times` requests for the URL path `path` with `status` (every one for `u32::MAX`).
    pub fn fail(&self, path: &str, status: u16, times: u32) {
        self.faults.lock().unwrap().insert(path.to_owned(), (status, times));
    }

    /// `path` answers 401 unless the request carries basic auth for `user` and `password`.
    pub fn require_auth(&self, path: &str, user: &str, password: &str) {
        let mut auth = self.auth.lock().unwrap();
        auth.path = path.to_owned();
        auth.wanted = Some(format!("Basic {}", base64(&format!("{user}:{password}"))));
    }

    /// The `Authorization` header of each request for the guarded path.
    pub fn auth_seen(&self) -> Vec<Option<String>> {
        self.auth.lock().unwrap().seen.clone()
    }
}

/// Base64 (RFC 4648, padded), for the basic auth check.
pub fn base64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn answer(
    mut stream: std::net::TcpStream,
    routes: &Mutex<BTreeMap<String, Vec<u8>>>,
    faults: &Mutex<BTreeMap<String, (u16, u32)>>,
    auth: &Mutex<Guard>,
) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Headers until the blank line.
    let mut authorization = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_owned());
            }
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut fault = {
        let mut faults = faults.lock().unwrap();
        match faults.get_mut(&path) {
            Some((status, times)) if *times > 0 => {
                if *times != u32::MAX {
                    *times -= 1;
                }
                Some(*status)
            }
            _ => None,
        }
    };
    {
        let mut auth = auth.lock().unwrap();
        if !auth.path.is_empty() && auth.path == path {
            auth.seen.push(authorization.clone());
            if auth.wanted != authorization {
                fault = Some(401);
            }
        }
    }
    let body = if fault.is_some() {
        None
    } else {
        routes.lock().unwrap().get(&path).cloned()
    };
    let response = match (fault, body) {
        (None, Some(body)) => {
            let mut r = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend(body);
            r
        }
        (status, _) => format!(
            "HTTP/1.1 {} Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            status.unwrap_or(404)
        )
        .into_bytes(),
    };
    let _ = stream.write_all(&response);
}
