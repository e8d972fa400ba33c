//! Every `cargo xtask` command as a process, on a copy of the repository's `specs/` and `generated/`, against
//! a server on 127.0.0.1 that serves the vendored definitions (`tests/fixtures/docs-openapi/`): the documented
//! exit codes, and the promise that a command that fails writes nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A throw-away checkout: a copy of `specs/` and `generated/`.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["specs", "generated"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
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
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
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

/// A static HTTP/1.1 server for `/openapi/<group>/<file>`: the fixtures, with `edit` applied to the bytes of
/// each file it serves. Unknown paths are 404s.
struct Upstream {
    base: String,
    edits: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl Upstream {
    fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/openapi", listener.local_addr().unwrap());
        let edits: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
        let served = edits.clone();
        let fixtures = repo_root().join("tests/fixtures/docs-openapi");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // Headers until the blank line.
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                let file = path.rsplit('/').next().unwrap_or("").to_owned();
                let body = served
                    .lock()
                    .unwrap()
                    .get(&file)
                    .cloned()
                    .or_else(|| std::fs::read(fixtures.join(&file)).ok());
                let response = match body {
                    Some(body) => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                    None => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
                };
                let _ = stream.write_all(&response);
            }
        });
        Upstream { base, edits }
    }

    /// Serves `file` (`<slug>-<lang>.json`) with its summary rewritten.
    fn change_summary(&self, file: &str, summary: &str) {
        let bytes = std::fs::read(repo_root().join("tests/fixtures/docs-openapi").join(file)).unwrap();
        let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let item = doc["paths"].as_object_mut().unwrap().values_mut().next().unwrap();
        item["get"]["summary"] = summary.into();
        self.edits
            .lock()
            .unwrap()
            .insert(file.to_owned(), serde_json::to_vec_pretty(&doc).unwrap());
    }
}

fn xtask(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("--root").arg(root).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.env_remove("XTASK_FAIL_AFTER_FETCH")
        .env_remove("XTASK_FAIL_COMMIT_AFTER");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const FANS_EN: &str = "fans-profile-v1-en.json";

#[test]
fn check_is_0_on_the_repository_and_1_on_a_stale_copy() {
    let repo = checkout();
    let out = xtask(repo.path(), &["check"], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    std::fs::write(
        repo.path().join("generated/justoneapi-xiaohongshu-pgy/src/lib.rs"),
        "// edited\n",
    )
    .unwrap();
    let out = xtask(repo.path(), &["check"], &[]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("src/lib.rs: stale"), "{}", text(&out));
    // regen --offline repairs it, then check passes again.
    let out = xtask(repo.path(), &["regen", "--offline"], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(code(&xtask(repo.path(), &["check"], &[])), 0);
}

#[test]
fn fetch_is_0_when_upstream_answers_and_1_with_nothing_written_when_it_does_not() {
    let upstream = Upstream::start();
    let repo = checkout();
    let before = snapshot(repo.path());
    let out = xtask(repo.path(), &["fetch", "--base-url", &upstream.base], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The vendored files are the fixtures: nothing changed but nothing had to.
    assert_eq!(
        snapshot(&repo.path().join("specs/xiaohongshu-pgy-apis")),
        snapshot(&repo_root().join("specs/xiaohongshu-pgy-apis"))
    );

    let out = xtask(
        repo.path(),
        &[
            "fetch",
            "--base-url",
            "http://127.0.0.1:9/openapi",
            "--timeout-secs",
            "2",
        ],
        &[],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("127.0.0.1:9"), "{}", text(&out));
    let after = snapshot(repo.path());
    // Only the lock's URLs may differ from the first run (it fetched from the loopback server).
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file appeared or vanished"
    );
}

#[test]
fn an_online_regen_that_fails_after_its_fetch_writes_nothing() {
    let upstream = Upstream::start();
    upstream.change_summary(FANS_EN, "Fans Profile, renamed upstream");
    let repo = checkout();
    let before = snapshot(repo.path());

    let out = xtask(
        repo.path(),
        &["regen", "--base-url", &upstream.base],
        &[("XTASK_FAIL_AFTER_FETCH", "1")],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("nothing was written"), "{}", text(&out));
    assert_eq!(snapshot(repo.path()), before, "specs/ and generated/ unchanged");

    // A failure in the middle of writing (after three files) is undone as well.
    let out = xtask(
        repo.path(),
        &["regen", "--base-url", &upstream.base],
        &[("XTASK_FAIL_COMMIT_AFTER", "3")],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(snapshot(repo.path()), before, "specs/ and generated/ unchanged");

    // Without a failure the same regen writes the definition, the release and the generated crate at once.
    let out = xtask(repo.path(), &["regen", "--base-url", &upstream.base], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let after = snapshot(repo.path());
    let changed: Vec<&PathBuf> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    for expected in [
        "specs/xiaohongshu-pgy-apis/fans-profile-v1-en.json",
        "specs/manifest.yaml",
        "specs/changelog/justoneapi-xiaohongshu-pgy.md",
        "generated/justoneapi-xiaohongshu-pgy/src/ops/api_solar_kol_data_user_id_fans_profile_v1.rs",
    ] {
        assert!(
            changed.contains(&&PathBuf::from(expected)),
            "{expected} not in {changed:?}"
        );
    }
    let log =
        String::from_utf8(after[&PathBuf::from("specs/changelog/justoneapi-xiaohongshu-pgy.md")].clone()).unwrap();
    assert!(
        log.contains("docs-changed") && log.contains("renamed upstream"),
        "{log}"
    );
    assert_eq!(code(&xtask(repo.path(), &["check"], &[])), 0);
}

#[test]
fn drift_is_0_without_drift_3_with_drift_and_1_when_upstream_is_unreachable() {
    let upstream = Upstream::start();
    let repo = checkout();
    let before = snapshot(repo.path());
    let out = xtask(repo.path(), &["drift", "--base-url", &upstream.base], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    upstream.change_summary(FANS_EN, "Fans Profile, renamed upstream");
    let out = xtask(repo.path(), &["drift", "--base-url", &upstream.base], &[]);
    assert_eq!(code(&out), 3, "{}", text(&out));
    let body = String::from_utf8(out.stdout).unwrap();
    assert!(
        body.contains("## `specs/xiaohongshu-pgy-apis`") && body.contains("renamed upstream"),
        "{body}"
    );
    assert!(body.contains("Run `cargo xtask regen`"), "{body}");

    let out = xtask(
        repo.path(),
        &[
            "drift",
            "--base-url",
            "http://127.0.0.1:9/openapi",
            "--timeout-secs",
            "2",
        ],
        &[],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(snapshot(repo.path()), before, "drift writes nothing");
}

#[test]
fn the_drift_script_is_a_thin_wrapper_with_the_same_exit_codes() {
    let upstream = Upstream::start();
    upstream.change_summary(FANS_EN, "Fans Profile, renamed upstream");
    // The outer `cargo test` holds its target folder: the script's `cargo xtask` builds in a folder of its own.
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/drift-check.sh"))
        .args(["--base-url", &upstream.base])
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("nested"),
        )
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("renamed upstream"));
}

#[test]
fn generate_is_0_into_a_folder_and_1_with_nothing_written_for_a_broken_spec() {
    let repo = checkout();
    let out_dir = repo.path().join("out");
    let aggregate = repo_root().join("tests/fixtures/public-api/xiaohongshu-pgy-2026-08-21.json");
    let out = xtask(
        repo.path(),
        &[
            "generate",
            "--spec",
            aggregate.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(out_dir.join("justoneapi-xiaohongshu-pgy/src/lib.rs").exists());

    let broken = repo.path().join("broken.json");
    std::fs::write(&broken, "{\"openapi\": \"3.1.0\", \"paths\": ").unwrap();
    let elsewhere = repo.path().join("elsewhere");
    let out = xtask(
        repo.path(),
        &[
            "generate",
            "--spec",
            broken.to_str().unwrap(),
            "--out",
            elsewhere.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("broken.json: not valid JSON at line 1"),
        "{}",
        text(&out)
    );
    assert!(!elsewhere.exists());
}
