//! Downloading the catalogue and the definitions it publishes, validated, into memory, with the lock they call
//! for. Which files and from where is decided by `upstream.rs`; this module only downloads.
//!
//! Nothing is written here: `cargo xtask fetch` and `regen` hand the result to one
//! [`Transaction`](crate::writer::Transaction), so a failed download (or anything after it) leaves `specs/`
//! exactly as it was.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, DATE, ETAG, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;
use tokio::task::JoinSet;

use codegen::ir::Method;
use codegen::lock::{sha256_hex, Lock, LockEntry, LOCK_VERSION};

/// How many downloads run at once by default: enough to hide latency, few enough to be polite to the docs
/// server.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Told about each file as its download ends (in the order they end), for a progress display. Called from the
/// download tasks, so it must be cheap.
pub trait Progress: Send + Sync + fmt::Debug {
    /// Before the first download: how many files there are.
    fn start(&self, _total: usize) {}
    /// One file is done: `error` is why it failed (after its retries), `None` when it arrived.
    fn file_done(&self, _rel_path: &str, _error: Option<&str>) {}
    /// After the last download.
    fn finish(&self) {}
}
/// Upper bound of the doubling backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Limit for one attempt (connect, headers and body).
    pub timeout: Duration,
    /// Attempts per file, counting the first one.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles after each further one, up to 10 s.
    pub initial_backoff: Duration,
    /// Largest body accepted.
    pub max_body_bytes: u64,
    /// Downloads running at once (at least 1).
    pub concurrency: usize,
    /// Where to report each finished file; nothing is reported when `None`.
    pub progress: Option<Arc<dyn Progress>>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(60),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_body_bytes: 16 * 1024 * 1024,
            concurrency: DEFAULT_CONCURRENCY,
            progress: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New or different content, written to disk.
    Downloaded,
    /// Downloaded, and identical to the file already on disk.
    Unchanged,
    /// The server answered 304 to our `If-None-Match`.
    NotModified,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so callers can align it with `{:<12}`.
        f.pad(match self {
            Outcome::Downloaded => "downloaded",
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "not modified",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// Path relative to the output directory (also the lock key).
    pub rel_path: String,
    pub url: String,
    pub outcome: Outcome,
    pub sha256: String,
    pub size: u64,
}

/// Everything a successful download brings: the definitions, the lock that describes them, a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// The bytes of every file fetched (for a 304, the bytes already there), keyed by path relative to `specs/`.
    pub definitions: BTreeMap<String, Vec<u8>>,
    /// The lock after the download: entries of files not fetched this time are kept.
    pub lock: Lock,
    /// One entry per fetched file, in manifest order.
    pub files: Vec<FileReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadFailure {
    pub url: String,
    pub reason: String,
}

/// Why a fetch wrote nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchFailure {
    /// Every download that failed, in manifest order.
    pub downloads: Vec<DownloadFailure>,
    /// Errors not tied to a URL (unknown slug, unreadable lock, failed writes); each names what it is about.
    pub errors: Vec<String>,
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let lines = self
            .downloads
            .iter()
            .map(|d| format!("{}: {}", d.url, d.reason))
            .chain(self.errors.iter().cloned());
        for line in lines {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            f.write_str(&line)?;
        }
        Ok(())
    }
}

impl std::error::Error for FetchFailure {}

/// A fetch that failed before writing anything: the failures, then a line saying nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingWritten(pub FetchFailure);

impl fmt::Display for NothingWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\nfetch failed; nothing was written", self.0)
    }
}

impl std::error::Error for NothingWritten {}

impl FetchFailure {
    fn error(message: String) -> Self {
        FetchFailure {
            downloads: Vec::new(),
            errors: vec![message],
        }
    }
}

/// One definition to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Path relative to `specs/` (also the lock key).
    pub rel_path: String,
    /// Where to download it from (upstream's URL, or the same file on a `--base-url` mirror).
    pub url: String,
    /// Upstream's URL of the file, recorded in the lock whatever mirror served it.
    pub canonical_url: String,
    /// The one operation the definition must describe.
    pub method: Method,
    pub path: String,
}

/// What one file needs: where it comes from, and what we already have.
struct Plan {
    wanted: Wanted,
    /// Current bytes, if any.
    on_disk: Option<Vec<u8>>,
    /// Sent as `If-None-Match` (only when the file on disk is the one the lock describes).
    etag: Option<String>,
}

/// A successful answer to one request.
enum Fetched {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        date: Option<String>,
    },
}

/// Why one attempt failed, and whether another one may help.
enum AttemptError {
    Retryable(String),
    Fatal(String),
}

/// What a response must be to be accepted.
#[derive(Clone)]
enum Expect {
    /// A per-endpoint definition of exactly this operation.
    Definition { method: Method, path: String },
    /// An OpenAPI document (the catalogue; `Catalogue::parse` checks the rest).
    Document,
}

/// The HTTP client every download uses.
fn client(opts: &FetchOptions) -> Result<reqwest::Client, FetchFailure> {
    reqwest::Client::builder()
        .user_agent(concat!("justoneapi-codegen-fetch/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(opts.timeout)
        // A redirect could carry the catalogue's credentials elsewhere; upstream does not redirect.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| FetchFailure::error(format!("cannot build the HTTP client: {}", error_chain(&e))))
}

/// HTTP basic auth for the catalogue (`JUSTONEAPI_CATALOGUE_USER` / `JUSTONEAPI_CATALOGUE_PASSWORD`). The
/// password is never printed: not by `Debug`, not in errors or logs.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    password: String,
}

impl Credentials {
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `url` without any `user:password@` part, for messages and the lock.
pub fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL: it cannot hold credentials we could find; show nothing after a `@` to be safe.
        Err(_) => match url.rfind('@') {
            Some(at) => format!("<redacted>{}", &url[at..]),
            None => url.to_owned(),
        },
    }
}

/// The catalogue, downloaded.
#[derive(Debug, Clone)]
pub struct CatalogueDownload {
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub date: Option<String>,
}

/// Downloads the catalogue from `url` (with `credentials` as HTTP basic auth when given), with the same
/// retries and limits as a definition. Errors show the URL without credentials.
pub async fn download_catalogue(
    url: &str,
    credentials: Option<&Credentials>,
    opts: &FetchOptions,
) -> Result<CatalogueDownload, FetchFailure> {
    let client = client(opts)?;
    let shown = shown_url(url);
    let fail = |reason: String| FetchFailure {
        downloads: vec![DownloadFailure {
            url: shown.clone(),
            reason,
        }],
        errors: Vec::new(),
    };
    // The aggregate is ~1 MB; allow far more, not without bound.
    let opts = FetchOptions {
        max_body_bytes: opts.max_body_bytes.max(64 * 1024 * 1024),
        ..opts.clone()
    };
    match fetch_one(&client, url, None, credentials, &Expect::Document, &opts).await {
        Ok(Fetched::Body {
            bytes,
            etag,
            last_modified,
            date,
        }) => Ok(CatalogueDownload {
            bytes,
            etag,
            last_modified,
            date,
        }),
        Ok(Fetched::NotModified) => Err(fail(
            "HTTP 304 Not Modified, but no conditional request was sent".into(),
        )),
        Err(reason) => {
            let hint = if reason.starts_with("HTTP 401") || reason.starts_with("HTTP 403") {
                if credentials.is_some() {
                    " (the server refused JUSTONEAPI_CATALOGUE_USER / JUSTONEAPI_CATALOGUE_PASSWORD)"
                } else {
                    " (set JUSTONEAPI_CATALOGUE_USER and JUSTONEAPI_CATALOGUE_PASSWORD, or pass --catalogue with the \
                     public copy or a file)"
                }
            } else {
                ""
            };
            Err(fail(format!("{reason}{hint}")))
        }
    }
}

/// Downloads `wanted` and validates each file. `current`: the bytes already vendored (keyed like the lock), for
/// `If-None-Match` and to tell what changed. The lock keeps the entries of files not downloaded this time.
pub async fn download(
    wanted: Vec<Wanted>,
    old_lock: &Lock,
    current: &BTreeMap<String, Vec<u8>>,
    opts: &FetchOptions,
) -> Result<Downloaded, FetchFailure> {
    let plans: Vec<Plan> = wanted
        .into_iter()
        .map(|wanted| {
            let on_disk = current.get(&wanted.rel_path).cloned();
            // An etag only vouches for the bytes the lock recorded, fetched from the same URL.
            let etag = old_lock.files.get(&wanted.rel_path).and_then(|entry| {
                let same_bytes = on_disk.as_deref().is_some_and(|b| sha256_hex(b) == entry.sha256);
                (same_bytes && entry.url == wanted.canonical_url)
                    .then(|| entry.etag.clone())
                    .flatten()
            });
            Plan { wanted, on_disk, etag }
        })
        .collect();

    let client = client(opts)?;
    let results = download_all(&client, &plans, opts).await;

    let mut failure = FetchFailure::default();
    // Entries of files not fetched this time (hidden and gone endpoints, other endpoints under `--only`) stay:
    // those files are never touched, so what the lock says about them still holds.
    let mut new_lock = Lock {
        version: LOCK_VERSION,
        files: old_lock.files.clone(),
    };
    let mut definitions = BTreeMap::new();
    let mut reports = Vec::new();
    let now = httpdate::fmt_http_date(SystemTime::now());
    for (plan, result) in plans.into_iter().zip(results) {
        let Wanted {
            rel_path,
            url,
            canonical_url,
            ..
        } = plan.wanted;
        match result {
            Err(reason) => failure.downloads.push(DownloadFailure { url, reason }),
            Ok(Fetched::NotModified) => {
                // Only asked when the lock has an entry and the bytes are the locked ones.
                let (Some(entry), Some(bytes)) = (old_lock.files.get(&rel_path), plan.on_disk) else {
                    failure.downloads.push(DownloadFailure {
                        url,
                        reason: "HTTP 304 Not Modified for a file the lock does not describe".into(),
                    });
                    continue;
                };
                reports.push(FileReport {
                    rel_path: rel_path.clone(),
                    url,
                    outcome: Outcome::NotModified,
                    sha256: entry.sha256.clone(),
                    size: entry.size,
                });
                definitions.insert(rel_path, bytes);
            }
            Ok(Fetched::Body {
                bytes,
                etag,
                last_modified,
                date,
            }) => {
                let sha256 = sha256_hex(&bytes);
                let size = bytes.len() as u64;
                let entry = lock_entry(
                    old_lock.files.get(&rel_path),
                    canonical_url,
                    &bytes,
                    etag,
                    last_modified,
                    date,
                    &now,
                );
                new_lock.files.insert(rel_path.clone(), entry);
                let outcome = if plan.on_disk.as_deref() == Some(&bytes[..]) {
                    Outcome::Unchanged
                } else {
                    Outcome::Downloaded
                };
                reports.push(FileReport {
                    rel_path: rel_path.clone(),
                    url,
                    outcome,
                    sha256,
                    size,
                });
                definitions.insert(rel_path, bytes);
            }
        }
    }
    if !failure.downloads.is_empty() {
        return Err(failure);
    }
    Ok(Downloaded {
        definitions,
        lock: new_lock,
        files: reports,
    })
}

/// The lock entry of a file just downloaded: the same content as locked keeps its old date (and an unchanged
/// upstream leaves the lock as it is); new content is dated by the server's `Date`, else the local clock.
pub fn lock_entry(
    old: Option<&LockEntry>,
    url: String,
    bytes: &[u8],
    etag: Option<String>,
    last_modified: Option<String>,
    date: Option<String>,
    now: &str,
) -> LockEntry {
    let sha256 = sha256_hex(bytes);
    let date = match old {
        Some(old) if old.sha256 == sha256 => old.date.clone(),
        _ => date.unwrap_or_else(|| now.to_owned()),
    };
    LockEntry {
        url,
        sha256,
        size: bytes.len() as u64,
        etag,
        last_modified,
        date,
    }
}

/// Downloads and validates every planned file, a few at a time; results are in plan order.
async fn download_all(client: &reqwest::Client, plans: &[Plan], opts: &FetchOptions) -> Vec<Result<Fetched, String>> {
    let mut results: Vec<Option<Result<Fetched, String>>> = plans.iter().map(|_| None).collect();
    let mut tasks = JoinSet::new();
    let mut task_index = HashMap::new();
    let mut next = 0;
    let concurrency = opts.concurrency.max(1);
    if let Some(p) = &opts.progress {
        p.start(plans.len());
    }
    while next < plans.len() || !tasks.is_empty() {
        while next < plans.len() && tasks.len() < concurrency {
            let plan = &plans[next];
            let expect = Expect::Definition {
                method: plan.wanted.method,
                path: plan.wanted.path.clone(),
            };
            let (client, url, etag, opts) = (client.clone(), plan.wanted.url.clone(), plan.etag.clone(), opts.clone());
            let rel_path = plan.wanted.rel_path.clone();
            let handle = tasks.spawn(async move {
                let result = fetch_one(&client, &url, etag.as_deref(), None, &expect, &opts).await;
                if let Some(p) = &opts.progress {
                    p.file_done(&rel_path, result.as_ref().err().map(String::as_str));
                }
                result
            });
            task_index.insert(handle.id(), next);
            next += 1;
        }
        match tasks.join_next_with_id().await {
            Some(Ok((id, result))) => results[task_index[&id]] = Some(result),
            Some(Err(e)) => results[task_index[&e.id()]] = Some(Err(format!("download task failed: {e}"))),
            None => {}
        }
    }
    if let Some(p) = &opts.progress {
        p.finish();
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("download task did not finish".into())))
        .collect()
}

/// One file, with retries on errors that may go away (connection, timeout, 5xx, cut-off body).
async fn fetch_one(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    credentials: Option<&Credentials>,
    expect: &Expect,
    opts: &FetchOptions,
) -> Result<Fetched, String> {
    let attempts = opts.max_attempts.max(1);
    let mut backoff = opts.initial_backoff;
    let mut attempt = 1;
    loop {
        let result = match tokio::time::timeout(
            opts.timeout,
            attempt_once(client, url, etag, credentials, opts.max_body_bytes),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(AttemptError::Retryable(format!(
                "timed out after {}",
                fmt_duration(opts.timeout)
            ))),
        };
        match result {
            Ok(fetched) => {
                // A well-delivered but wrong definition will not improve on a retry.
                if let Fetched::Body { bytes, .. } = &fetched {
                    validate(bytes, expect)?;
                }
                return Ok(fetched);
            }
            Err(AttemptError::Fatal(reason)) => return Err(reason),
            Err(AttemptError::Retryable(reason)) if attempt >= attempts => {
                return Err(if attempts > 1 {
                    format!("{reason} (after {attempts} attempts)")
                } else {
                    reason
                });
            }
            Err(AttemptError::Retryable(_)) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                attempt += 1;
            }
        }
    }
}

async fn attempt_once(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    credentials: Option<&Credentials>,
    max_body_bytes: u64,
) -> Result<Fetched, AttemptError> {
    let mut request = client.get(url);
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    if let Some(c) = credentials {
        request = request.basic_auth(&c.user, Some(&c.password));
    }
    let mut response = request.send().await.map_err(|e| {
        if e.is_builder() {
            AttemptError::Fatal(format!("invalid request: {}", error_chain(&e)))
        } else {
            AttemptError::Retryable(format!("connection failed: {}", error_chain(&e)))
        }
    })?;

    let status = response.status();
    if status == StatusCode::NOT_MODIFIED && etag.is_some() {
        return Ok(Fetched::NotModified);
    }
    if status.is_server_error() {
        return Err(AttemptError::Retryable(fmt_status(status)));
    }
    if status != StatusCode::OK {
        let mut reason = fmt_status(status);
        if status == StatusCode::NOT_MODIFIED {
            reason.push_str(", but no conditional request was sent");
        }
        if status.is_redirection() {
            if let Some(to) = header_text(response.headers(), reqwest::header::LOCATION) {
                reason.push_str(&format!(" to {} (redirects are not followed)", shown_url(&to)));
            }
        }
        return Err(AttemptError::Fatal(reason));
    }

    let declared = response.content_length();
    if let Some(len) = declared {
        if len > max_body_bytes {
            return Err(AttemptError::Fatal(format!(
                "body exceeds {max_body_bytes} bytes (Content-Length: {len})"
            )));
        }
    }
    let headers = response.headers().clone();
    let capacity = declared.unwrap_or(0).min(max_body_bytes) as usize;
    let mut bytes = Vec::with_capacity(capacity);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if (bytes.len() + chunk.len()) as u64 > max_body_bytes {
                    return Err(AttemptError::Fatal(format!("body exceeds {max_body_bytes} bytes")));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                let got = bytes.len();
                return Err(AttemptError::Retryable(match declared {
                    Some(len) => format!("body cut off after {got} of {len} bytes: {}", error_chain(&e)),
                    None => format!("body cut off after {got} bytes: {}", error_chain(&e)),
                }));
            }
        }
    }
    // hyper already checks this; kept so a short body can never pass as complete.
    if let Some(len) = declared {
        if bytes.len() as u64 != len {
            return Err(AttemptError::Retryable(format!(
                "body cut off after {} of {len} bytes",
                bytes.len()
            )));
        }
    }

    Ok(Fetched::Body {
        bytes,
        etag: header_text(&headers, ETAG),
        last_modified: header_text(&headers, LAST_MODIFIED),
        date: header_text(&headers, DATE),
    })
}

/// Checks that `bytes` is an OpenAPI 3.0/3.1 document (and, for a definition, one of exactly its operation).
fn validate(bytes: &[u8], expect: &Expect) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json appends " at line L column C" itself; say where first, then what.
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        format!("invalid JSON at line {} column {}: {message}", e.line(), e.column())
    })?;
    let Some(top) = value.as_object() else {
        return Err("top level is not a JSON object".into());
    };
    match top.get("openapi") {
        None => return Err("no `openapi` field".into()),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") || v.starts_with("3.1.") => {}
        Some(serde_json::Value::String(v)) => {
            return Err(format!("unsupported OpenAPI version \"{v}\", expected 3.0.x or 3.1.x"))
        }
        Some(other) => return Err(format!("`openapi` is not a string: {other}")),
    }
    let Some(paths) = top.get("paths").and_then(|p| p.as_object()) else {
        return Err("no `paths` object".into());
    };
    let Expect::Definition {
        method,
        path: expected_path,
    } = expect
    else {
        return Ok(());
    };
    let method_key = method.as_str().to_ascii_lowercase();
    let found: Vec<&str> = paths.keys().map(String::as_str).collect();
    match found[..] {
        [only] if only == expected_path => match paths[only].get(&method_key) {
            Some(_) => Ok(()),
            None => Err(format!("definition of {only} has no {} operation", method.as_str())),
        },
        [only] => Err(format!("definition describes {only}, expected {expected_path}")),
        [] => Err(format!("definition describes no path, expected {expected_path}")),
        _ => Err(format!(
            "definition describes {} paths ({}), expected only {expected_path}",
            found.len(),
            found.join(", ")
        )),
    }
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_owned)
}

fn fmt_status(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// reqwest's own message ("error sending request for url ...") hides the cause; the innermost error names it.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}
