//! The generated crates as their users meet them: the `kol_fans_portrait` and `kol_fans_portrait_batch`
//! example programs run against mock servers; downstream crates compiled against the generated one
//! (deprecation warnings; configuration from the environment, an HTTP client of their own behind a proxy,
//! spawned requests, tracing spans); and a crate generated from the aggregate definition whose POST operation
//! sends a form.
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

use common::{assert_json_eq, Recorder};

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

/// Builds the examples (once per test binary) and returns the path of the binary of `name`.
fn example_binary(name: &str) -> PathBuf {
    static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        cargo(&workspace(), &["build", "-p", CRATE, "--examples", "--offline"]);
    });
    let binary = nested_target()
        .join("debug")
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
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
    let binary = tokio::task::spawn_blocking(|| example_binary("kol_fans_portrait"))
        .await
        .unwrap();
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
    let binary = tokio::task::spawn_blocking(|| example_binary("kol_fans_portrait"))
        .await
        .unwrap();
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
fn downstream_crate(name: &str, main_rs: &str, extra_dependencies: &str) -> tempfile::TempDir {
    let generated = workspace().join("generated").join(CRATE);
    downstream_crate_of(name, main_rs, CRATE, &generated, extra_dependencies)
}

/// A downstream crate of the generated crate `krate` at `path`.
fn downstream_crate_of(
    name: &str,
    main_rs: &str,
    krate: &str,
    path: &Path,
    extra_dependencies: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!(
        r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
{krate} = {{ path = {path:?} }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "time"] }}
{extra_dependencies}

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
    let dir = downstream_crate(name, main_rs, "");
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

/// The README's Rust examples, written for the crates as they were before upstream's 2026-04 rebuild (the
/// seed era), still compile against today's: each ```rust block of README.md that uses the Pgy crate is a module
/// of a downstream binary (rustdoc's hidden `# ` lines shown), built without an error or a warning but the
/// deprecations upstream itself made.
#[test]
fn code_written_for_the_seed_era_crates_still_compiles_the_readmes_examples() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let mut main_rs = String::from("#![allow(dead_code, unused_variables)]\n");
    let mut blocks = 0;
    for (i, block) in readme.split("```rust").skip(1).enumerate() {
        let body = block.split_once('\n').map_or("", |(_, rest)| rest);
        let code = body.split("```").next().unwrap();
        if !code.contains("justoneapi_xiaohongshu_pgy") {
            continue;
        }
        let shown: Vec<&str> = code
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(if l == "#" { "" } else { l }))
            .collect();
        main_rs.push_str(&format!("mod readme_{i} {{\n{}\n}}\n", shown.join("\n")));
        blocks += 1;
    }
    assert!(blocks >= 3, "the README's examples were found ({blocks})");
    main_rs.push_str("fn main() {}\n");
    // The middleware example: the feature, and what implementing reqwest-middleware's trait takes.
    let dir = downstream_crate(
        "downstream_readme",
        &main_rs,
        "serde_json = \"1\"\nasync-trait = \"0.1\"\nhttp = \"1\"",
    );
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen(
        &format!("{CRATE} = {{ path"),
        &format!("{CRATE} = {{ features = [\"middleware\"], path"),
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let output = cargo(dir.path(), &["build", "--offline", "--color", "never"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{main_rs}\n{stderr}");
    let other_warnings: Vec<&str> = stderr
        .split("\n\n")
        .filter(|w| w.contains("warning") && !w.contains("use of deprecated") && !w.contains("generated"))
        .collect();
    assert!(other_warnings.is_empty(), "{stderr}");
}

/// The variables `Client::from_env` reads, removed from a child's environment before a test sets its own.
const ENV_VARS: [&str; 7] = [
    "JUSTONEAPI_TOKEN",
    "JUSTONEAPI_SERVER",
    "JUSTONEAPI_BASE_URL",
    "JUSTONEAPI_TIMEOUT_SECS",
    "JUSTONEAPI_CONNECT_TIMEOUT_SECS",
    "JUSTONEAPI_MAX_ATTEMPTS",
    "JUSTONEAPI_CONCURRENCY",
];

fn command(binary: &Path, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary);
    for name in ENV_VARS {
        command.env_remove(name);
    }
    // The machine's proxies must not reach the servers on 127.0.0.1; a test sets its own.
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        command.env_remove(name).env_remove(name.to_lowercase());
    }
    command.envs(vars.iter().copied());
    command
}

#[test]
fn example_names_a_missing_or_malformed_variable_on_one_line() {
    let binary = example_binary("kol_fans_portrait");
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], "error[config]: invalid client configuration: JUSTONEAPI_TOKEN is not set\n"),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_TIMEOUT_SECS", "soon")],
            "error[config]: invalid client configuration: JUSTONEAPI_TIMEOUT_SECS must be a whole number of seconds, at least 1, got `soon`\n",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_MAX_ATTEMPTS", "0")],
            "error[config]: invalid client configuration: JUSTONEAPI_MAX_ATTEMPTS must be a whole number, at least 1, got `0`\n",
        ),
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_SERVER", "prod-eu")],
            "error[config]: invalid client configuration: JUSTONEAPI_SERVER must be one of prod-global, prod-cn, got `prod-eu`\n",
        ),
        // A proxy the runtime cannot use (socks without the `socks` feature) is refused before any request, and
        // its password is not shown.
        (
            &[("JUSTONEAPI_TOKEN", TOKEN), ("HTTPS_PROXY", "socks5://team:s3cret@127.0.0.1:1080")],
            "error[config]: invalid client configuration: the proxy that HTTPS_PROXY or ALL_PROXY names is a socks proxy, which needs the `socks` cargo feature; set `proxy(..)` or `no_proxy()`, or turn the feature on\n",
        ),
    ];
    for (vars, expected) in cases {
        let output = command(&binary, vars).arg("kol-42").output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{vars:?}");
        assert_eq!(String::from_utf8(output.stderr).unwrap(), expected);
        assert_eq!(output.stdout, b"");
    }
}

/// Runs the batch example with `ids` against `base_url`, `concurrency` requests at a time; returns its output
/// and how long it took.
async fn run_batch(base_url: &str, ids: &[&str], concurrency: usize) -> (Output, std::time::Duration) {
    let binary = tokio::task::spawn_blocking(|| example_binary("kol_fans_portrait_batch"))
        .await
        .unwrap();
    let base_url = base_url.to_owned();
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let output = command(
            &binary,
            &[
                ("JUSTONEAPI_TOKEN", TOKEN),
                ("JUSTONEAPI_BASE_URL", &base_url),
                ("JUSTONEAPI_MAX_ATTEMPTS", "1"),
                ("JUSTONEAPI_CONCURRENCY", &concurrency.to_string()),
            ],
        )
        .args(&ids)
        .output()
        .unwrap();
        (output, started.elapsed())
    })
    .await
    .unwrap()
}

/// The JSON lines the batch example printed, by kolId.
fn batch_lines(output: &Output) -> std::collections::BTreeMap<String, Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            (value["kolId"].as_str().unwrap().to_owned(), value)
        })
        .collect()
}

fn envelope(code: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": code, "message": "not now", "data": null}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_example_waits_out_rate_limits_without_failing_the_batch() {
    let server = MockServer::start().await;
    // kol-2 is rate-limited once and kol-4 twice, beyond the client's single attempt; kol-x has no quota left.
    for (id, times) in [("kol-2", 1), ("kol-4", 2)] {
        Mock::given(method("GET"))
            .and(query_param("kolId", id))
            .respond_with(envelope(302))
            .up_to_n_times(times)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(query_param("kolId", "kol-x"))
        .respond_with(envelope(303))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(PORTRAIT))
        .and(query_param("token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(seed_example()))
        .with_priority(2)
        .mount(&server)
        .await;

    let ids = ["kol-0", "kol-1", "kol-2", "kol-3", "kol-4", "kol-x"];
    let (output, _) = run_batch(&server.uri(), &ids, 2).await;
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(output.status.code(), Some(1), "one request failed: {stderr}");
    assert_eq!(stderr, "1 request(s) failed\n");
    let lines = batch_lines(&output);
    assert_eq!(
        lines.keys().collect::<Vec<_>>(),
        ["kol-0", "kol-1", "kol-2", "kol-3", "kol-4", "kol-x"]
    );
    for id in &ids[..5] {
        assert_json_eq(&lines[*id]["data"], &seed_example()["data"], id);
    }
    assert_eq!(lines["kol-x"]["error"]["kind"], "business");
    assert_eq!(lines["kol-x"]["error"]["code"], 303);
    // Every rate-limited request went again: 6 first requests, 1 + 2 repeats.
    assert_eq!(server.received_requests().await.unwrap().len(), 9);
    assert!(!String::from_utf8_lossy(&output.stdout).contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_example_runs_at_most_the_concurrency_asked_for() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(seed_example())
                .set_delay(std::time::Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let ids = ["a", "b", "c", "d", "e", "f"];
    // Two at a time: three rounds of 400 ms at least.
    let (output, two) = run_batch(&server.uri(), &ids, 2).await;
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(batch_lines(&output).len(), 6);
    assert!(two >= std::time::Duration::from_millis(1_200), "{two:?}");
    // All six at once: one round.
    let (output, six) = run_batch(&server.uri(), &ids, 6).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(six < std::time::Duration::from_millis(1_200), "{six:?}");
}

/// What the issue asks of a downstream crate, in one program outside the workspace: configuration from
/// the environment (the client's and the proxy from `HTTP_PROXY`, as curl reads it), requests spawned on
/// tokio, and the call spans in its own subscriber. The base URL is a name that never resolves: only the
/// proxy (a recorder on 127.0.0.1) can answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downstream_crate_uses_from_env_a_proxy_from_the_environment_spawned_requests_and_spans() {
    let body = json!({"code": 0, "data": {"gender": {"male": 0.25, "female": 0.75}}, "requestId": "r-1"});
    let proxy = Recorder::start(200, body.to_string()).await;
    let main_rs = r#"
use justoneapi_xiaohongshu_pgy::ClientBuilder;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
    let client = ClientBuilder::from_env().unwrap().build().unwrap();
    let tasks: Vec<_> = ["u1", "u2", "u3"]
        .into_iter()
        .map(|id| tokio::spawn(client.api_solar_kol_data_user_id_fans_profile_v1(id).send()))
        .collect();
    for task in tasks {
        let response = task.await.unwrap().unwrap();
        let female = response.data.gender.as_ref().and_then(|g| g.female).unwrap();
        println!("{} {}", female, response.request_id().unwrap());
    }
}
"#;
    let name = "downstream_configured";
    let dir = downstream_crate(
        name,
        main_rs,
        r#"tracing-subscriber = { version = "0.3", default-features = false, features = ["fmt", "std"] }"#,
    );
    let dir_path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || cargo(&dir_path, &["build", "--offline", "--color", "never"]))
        .await
        .unwrap();
    let binary = nested_target()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let proxy_url = proxy.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        command(
            &binary,
            &[
                ("JUSTONEAPI_TOKEN", TOKEN),
                ("JUSTONEAPI_BASE_URL", "http://api.justoneapi.invalid"),
                ("JUSTONEAPI_MAX_ATTEMPTS", "1"),
                ("HTTP_PROXY", &proxy_url),
            ],
        )
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, "0.75 r-1\n".repeat(3));

    // Every request went through the proxy, in absolute form, with the token from the environment.
    let mut lines: Vec<String> = proxy.received().into_iter().map(|r| r.line).collect();
    lines.sort();
    let expected: Vec<String> = ["u1", "u2", "u3"]
        .iter()
        .map(|id| {
            format!(
                "GET http://api.justoneapi.invalid/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1?token={TOKEN}&userId={id} HTTP/1.1"
            )
        })
        .collect();
    assert_eq!(lines, expected);

    // One span per call, closed once, with the operation and the outcome; never the token.
    let closed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("justoneapi.request{") && l.contains(" close time.busy="))
        .collect();
    assert_eq!(closed.len(), 3, "{stderr}");
    for line in closed {
        assert!(line.contains("api_solar_kol_data_user_id_fans_profile_v1"), "{line}");
        assert!(line.contains("attempt=1"), "{line}");
        assert!(line.contains("business_code=0"), "{line}");
        assert!(line.contains("elapsed_ms="), "{line}");
    }
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

/// A POST operation of the aggregate definition, generated and built outside the workspace and sent to a
/// mock server: the token and the set fields go into the `application/x-www-form-urlencoded` body, nothing
/// into the URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_operation_sends_the_token_and_its_fields_in_a_form_body() {
    const SEARCH: &str = "/api/weixin/search-article/v2";
    let out = tempfile::tempdir().unwrap();
    let opts = codegen::SpecOptions {
        platform: Some("weixin".into()),
        ..Default::default()
    };
    let outputs = common::plan_generate(&common::aggregate("2026-08-21"), &common::manifest(), &opts).unwrap();
    for (path, contents) in &outputs.files {
        let file = out.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, contents).unwrap();
    }
    let main_rs = r#"
#[tokio::main]
async fn main() {
    let client = justoneapi_weixin::Client::from_env().unwrap();
    let response = client.post_search_article_v2("rust 异步 & more").current_page(2).send_raw().await.unwrap();
    println!("{}", response.data);
}
"#;
    let name = "downstream_post";
    let dir = downstream_crate_of(
        name,
        main_rs,
        "justoneapi-weixin",
        &out.path().join("justoneapi-weixin"),
        "",
    );
    let dir_path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || cargo(&dir_path, &["build", "--offline", "--color", "never"]))
        .await
        .unwrap();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(SEARCH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {"items": [1, 2]}})))
        .expect(1)
        .mount(&server)
        .await;
    let binary = nested_target()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let uri = server.uri();
    let output = tokio::task::spawn_blocking(move || {
        command(&binary, &[("JUSTONEAPI_TOKEN", TOKEN), ("JUSTONEAPI_BASE_URL", &uri)])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "{\"items\":[1,2]}\n");

    let received = server.received_requests().await.unwrap();
    let request = &received[0];
    assert_eq!(request.url.query(), None, "nothing in the URL: {}", request.url);
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap();
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    let mut form = request.url.clone();
    form.set_query(Some(std::str::from_utf8(&request.body).unwrap()));
    // The client's token first, then the fields set, in the definition's order; once each.
    let fields: Vec<(String, String)> = form.query_pairs().into_owned().collect();
    assert_eq!(
        fields,
        [
            ("token".to_owned(), TOKEN.to_owned()),
            ("currentPage".to_owned(), "2".to_owned()),
            ("keyword".to_owned(), "rust 异步 & more".to_owned()),
        ]
    );
    server.verify().await;
}

/// The packages `cargo tree` resolves for `args` in the workspace, as `name vX.Y.Z` lines.
///
/// `--locked`, not `--offline`: the opt-in native-tls graph names packages no default build downloads
/// (openssl, foreign-types), so on a fresh machine cargo fetches them from the package registry as `cargo test`
/// fetched the rest; `Cargo.lock` stays as committed.
fn resolved(args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "tree",
        "--locked",
        "-e",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ];
    all.extend_from_slice(args);
    let output = cargo(&workspace(), &all);
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// TLS is rustls unless a program asks for the platform's library: OpenSSL is in `Cargo.lock` (the opt-in
/// feature needs it there) but in no default build of the generated crates.
#[test]
fn a_default_build_has_rustls_and_no_openssl_and_native_tls_is_opt_in() {
    let banned = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| {
                ["native-tls ", "openssl ", "openssl-sys ", "hyper-tls "]
                    .iter()
                    .any(|b| l.starts_with(b))
            })
            .cloned()
            .collect()
    };
    for krate in [CRATE, "justoneapi-runtime"] {
        let lines = resolved(&["-p", krate]);
        assert!(lines.iter().any(|l| l.starts_with("rustls ")), "{krate}: {lines:?}");
        assert_eq!(banned(&lines), Vec::<String>::new(), "{krate}");
    }
    let lines = resolved(&["-p", CRATE, "--no-default-features", "--features", "native-tls"]);
    assert!(lines.iter().any(|l| l.starts_with("native-tls ")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("rustls ")), "{lines:?}");
}
