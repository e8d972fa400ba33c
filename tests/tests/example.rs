//! The generated crate as its users meet it: the `kol_fans_portrait` example program run against a mock
//! server, and a downstream crate compiled against the generated one (deprecation warnings).
//!
//! Both build with a nested `cargo build --offline` into `<workspace>/target/nested`: the outer `cargo test`
//! holds the lock on its own target directory. The builds are serialized with a mutex, so the tests of this
//! file never wait on each other's cargo lock.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::assert_json_eq;

const TOKEN: &str = "SECRET-TOKEN-123";
const CRATE: &str = "justoneapi-xiaohongshu-pgy";
const PORTRAIT: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";

static CARGO_LOCK: Mutex<()> = Mutex::new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn nested_target() -> PathBuf {
    workspace().join("target").join("nested")
}

/// `cargo <args>` in `dir` with the nested target directory; panics with cargo's output on failure.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let _serial = CARGO_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", nested_target())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} in {} failed:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Builds the example (once per test binary) and returns the path of its binary.
fn example_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            cargo(
                &workspace(),
                &["build", "-p", CRATE, "--example", "kol_fans_portrait", "--offline"],
            );
            let binary = nested_target()
                .join("debug")
                .join("examples")
                .join(format!("kol_fans_portrait{}", std::env::consts::EXE_SUFFIX));
            assert!(binary.is_file(), "{} was not built", binary.display());
            binary
        })
        .clone()
}

fn seed_example() -> Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    doc["paths"][PORTRAIT]["get"]["responses"]["default"]["content"]["application/json"]["example"].clone()
}

/// Runs the example binary with `kol_id` against `base_url` (off the async runtime: it blocks).
async fn run_example(base_url: &str, kol_id: &str, max_attempts: u32) -> Output {
    let binary = tokio::task::spawn_blocking(example_binary).await.unwrap();
    let (base_url, kol_id) = (base_url.to_owned(), kol_id.to_owned());
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .arg(kol_id)
            .env("JUSTONEAPI_TOKEN", TOKEN)
            .env("JUSTONEAPI_BASE_URL", base_url)
            .env("JUSTONEAPI_TIMEOUT_SECS", "10")
            .env("JUSTONEAPI_MAX_ATTEMPTS", max_attempts.to_string())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_prints_the_decoded_portrait_as_json() {
    let server = MockServer::start().await;
    let example = seed_example();
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .and(query_param("token", TOKEN))
        .and(query_param("kolId", "kol-42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&example))
        .expect(1)
        .mount(&server)
        .await;

    let output = run_example(&server.uri(), "kol-42", 3).await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_json_eq(&printed, &example["data"], "data");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_reports_a_business_error_on_one_line_after_max_attempts() {
    let server = MockServer::start().await;
    // A message over two lines: the program still prints one.
    let body = json!({"code": 302, "message": "Rate limit\nexceeded", "data": null, "requestId": "r-302"});
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .expect(3)
        .mount(&server)
        .await;

    // The default backoff (1 s, then 2 s) between the three attempts.
    let output = run_example(&server.uri(), "kol-42", 3).await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.ends_with('\n'));
    assert!(stderr.starts_with("error[business]: code 302: "), "{stderr:?}");
    assert!(stderr.contains("Rate limit exceeded"), "{stderr:?}");
    assert!(stderr.contains("r-302"), "{stderr:?}");
    assert!(!stderr.contains(TOKEN), "{stderr:?}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_usage_and_transport_errors_are_one_line() {
    let binary = tokio::task::spawn_blocking(example_binary).await.unwrap();
    let no_argument = Command::new(&binary).env("JUSTONEAPI_TOKEN", TOKEN).output().unwrap();
    assert_eq!(no_argument.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(no_argument.stderr).unwrap(),
        "error[usage]: expected exactly one argument, the kolId\n"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = run_example(&refused, "kol-42", 1).await;
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("error[transport]: "), "{stderr:?}");
    assert!(!stderr.contains(TOKEN), "{stderr:?}");
}

/// A crate outside the workspace that depends on the generated one by path, with the workspace's
/// `Cargo.lock` (so `--offline` resolves) and its dev profile (so the nested target's artifacts are reused).
/// Each gets its own `name`: cargo identifies a workspace-root package by its name and version, not its
/// path, so two crates of one name would share (and mistake for fresh) each other's build.
fn downstream_crate(name: &str, main_rs: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let generated = workspace().join("generated").join(CRATE);
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
{CRATE} = {{ path = {generated:?} }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "time"] }}

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false

[workspace]
"#
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), main_rs).unwrap();
    dir
}

fn build_downstream(name: &str, main_rs: &str) -> String {
    let dir = downstream_crate(name, main_rs);
    let output = cargo(dir.path(), &["build", "--offline", "--color", "never"]);
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn downstream_call_of_the_deprecated_operation_warns_and_names_the_successor() {
    let stderr = build_downstream(
        "downstream_deprecated",
        r#"
#[tokio::main]
async fn main() {
    let client = justoneapi_xiaohongshu_pgy::Client::new("token").unwrap();
    let _ = client.get_kol_fans_portrait_v1("x").await;
}
"#,
    );
    let start = stderr
        .find("warning: use of deprecated")
        .unwrap_or_else(|| panic!("no deprecation warning:\n{stderr}"));
    let warning = stderr[start..].split("\n\n").next().unwrap();
    assert!(warning.contains("get_kol_fans_portrait_v1"), "{warning}");
    assert!(
        warning.contains("api_solar_kol_data_user_id_fans_profile_v1"),
        "{warning}"
    );
    assert!(warning.contains("src/main.rs"), "{warning}");
}

#[test]
fn downstream_call_of_the_successor_compiles_without_any_warning() {
    let stderr = build_downstream(
        "downstream_successor",
        r#"
#[tokio::main]
async fn main() {
    let client = justoneapi_xiaohongshu_pgy::Client::new("token").unwrap();
    let _ = client.api_solar_kol_data_user_id_fans_profile_v1("x").await;
}
"#,
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("Finished"), "{stderr}");
}
