//! Every `cargo xtask` command as a process, on a copy of the repository's `specs/` and `generated/`, against
//! a server on 127.0.0.1 that serves the vendored definitions (`specs/`, the whole docs mirror): the documented
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

/// A static HTTP/1.1 server for `/openapi/<group>/<file>`: the repository's vendored definitions (`specs/`,
/// the whole docs mirror), with `edits` replacing the bytes of some files and `faults` answering some
/// requests with an error status. Unknown paths are 404s.
struct Upstream {
    base: String,
    edits: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    /// `group/file` -> (status, how many more requests get it; `u32::MAX` for all).
    faults: Arc<Mutex<BTreeMap<String, (u16, u32)>>>,
}

impl Upstream {
    fn start() -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/openapi", listener.local_addr().unwrap());
        let edits: Arc<Mutex<BTreeMap<String, Vec<u8>>>> = Arc::default();
        let faults: Arc<Mutex<BTreeMap<String, (u16, u32)>>> = Arc::default();
        let (served, faulty) = (edits.clone(), faults.clone());
        let mirror = repo_root().join("specs");
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (served, faulty, mirror) = (served.clone(), faulty.clone(), mirror.clone());
                // One thread per connection, as the fetch runs several downloads at once.
                std::thread::spawn(move || answer(stream, &served, &faulty, &mirror));
            }
        });
        Upstream { base, edits, faults }
    }

    /// Serves `file` (`<group>/<slug>-<lang>.json`) with its summary rewritten.
    fn change_summary(&self, file: &str, summary: &str) {
        let bytes = std::fs::read(repo_root().join("specs").join(file)).unwrap();
        let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let item = doc["paths"].as_object_mut().unwrap().values_mut().next().unwrap();
        item["get"]["summary"] = summary.into();
        self.edits
            .lock()
            .unwrap()
            .insert(file.to_owned(), serde_json::to_vec_pretty(&doc).unwrap());
    }

    /// Answers the next `times` requests for `file` with `status` (every one for `u32::MAX`).
    fn fail(&self, file: &str, status: u16, times: u32) {
        self.faults.lock().unwrap().insert(file.to_owned(), (status, times));
    }
}

fn answer(
    mut stream: std::net::TcpStream,
    edits: &Mutex<BTreeMap<String, Vec<u8>>>,
    faults: &Mutex<BTreeMap<String, (u16, u32)>>,
    mirror: &Path,
) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Headers until the blank line.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let file = path.strip_prefix("/openapi/").unwrap_or("").to_owned();
    let fault = {
        let mut faults = faults.lock().unwrap();
        match faults.get_mut(&file) {
            Some((status, times)) if *times > 0 => {
                if *times != u32::MAX {
                    *times -= 1;
                }
                Some(*status)
            }
            _ => None,
        }
    };
    let body = if fault.is_some() || file.split('/').any(|part| part == ".." || part.is_empty()) {
        None
    } else {
        edits
            .lock()
            .unwrap()
            .get(&file)
            .cloned()
            .or_else(|| std::fs::read(mirror.join(&file)).ok())
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

const FANS_EN: &str = "xiaohongshu-pgy-apis/fans-profile-v1-en.json";

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

/// The number of definitions the manifest lists (both languages of every endpoint of every group).
fn manifest_files(root: &Path) -> usize {
    let text = std::fs::read_to_string(root.join("specs/manifest.yaml")).unwrap();
    let manifest = codegen::manifest::Manifest::parse(&text, Path::new("specs/manifest.yaml")).unwrap();
    manifest.spec_files().len()
}

#[test]
fn fetch_vendors_the_whole_mirror_through_transient_faults_and_counts_its_progress() {
    let upstream = Upstream::start();
    upstream.fail("douyin-apis/user-profile-v3-en.json", 503, 2);
    upstream.fail("xiaohongshu-pgy-apis/fans-profile-v1-zh.json", 500, 1);
    let repo = checkout();
    // An empty specs/ but for the manifest: everything must come from upstream.
    for entry in std::fs::read_dir(repo.path().join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path.file_name().unwrap().to_string_lossy().ends_with("-apis") {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    std::fs::remove_file(repo.path().join("specs/specs.lock")).unwrap();
    let total = manifest_files(repo.path());
    assert_eq!(total, 402, "201 endpoints, en + zh");

    let out = xtask(
        repo.path(),
        &["fetch", "--base-url", &upstream.base, "--jobs", "6"],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("fetch: {total} files ({total} downloaded)")),
        "{stdout}"
    );
    // Not a terminal: one counted line per file on stderr, the last one saying all are done.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let counted: Vec<&str> = stderr.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(counted.len(), total, "{stderr}");
    assert!(
        counted.iter().any(|l| l.starts_with(&format!("[{total}/{total}] "))),
        "{stderr}"
    );

    // Byte for byte the mirror, and the lock describes exactly those bytes.
    let vendored = snapshot(&repo.path().join("specs"));
    let mirror = snapshot(&repo_root().join("specs"));
    let is_definition =
        |p: &Path| p.components().count() == 2 && p.to_string_lossy().split('/').next().unwrap().ends_with("-apis");
    for (rel, bytes) in mirror.iter().filter(|(p, _)| is_definition(p)) {
        assert_eq!(vendored.get(rel), Some(bytes), "{}", rel.display());
    }
    let lock = std::fs::read_to_string(repo.path().join("specs/specs.lock")).unwrap();
    let lock = codegen::lock::Lock::parse(&lock, Path::new("specs.lock")).unwrap();
    assert_eq!(lock.files.len(), total);
    for (rel, entry) in &lock.files {
        let bytes = &vendored[&PathBuf::from(rel)];
        assert_eq!(entry.sha256, codegen::lock::sha256_hex(bytes), "{rel}");
    }
    assert_eq!(
        code(&xtask(repo.path(), &["check"], &[])),
        0,
        "the checkout generates as before"
    );
}

#[test]
fn fetch_of_the_whole_mirror_with_a_lasting_fault_names_each_url_and_writes_nothing() {
    let upstream = Upstream::start();
    upstream.fail("imdb-apis/main-search-v1-zh.json", 404, u32::MAX);
    upstream.fail("weibo-apis/hot-search-v1-en.json", 500, u32::MAX);
    let repo = checkout();
    let before = snapshot(repo.path());
    let out = xtask(
        repo.path(),
        &["fetch", "--base-url", &upstream.base, "--timeout-secs", "5"],
        &[],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let all = text(&out);
    for url in [
        "imdb-apis/main-search-v1-zh.json: HTTP 404",
        "weibo-apis/hot-search-v1-en.json: HTTP 500",
    ] {
        assert!(
            all.contains(&format!("{}/{url}", upstream.base)),
            "{url} not named in\n{all}"
        );
    }
    assert!(all.contains("nothing was written"), "{all}");
    assert_eq!(snapshot(repo.path()), before, "specs/ unchanged");
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
fn only_fetch_takes_an_output_folder() {
    // `regen` and `drift` compare with or write into specs/; a stray `--out` is a usage error (clap's exit 2),
    // not a flag silently ignored.
    let repo = checkout();
    for command in ["regen", "drift"] {
        let out = xtask(repo.path(), &[command, "--out", "elsewhere"], &[]);
        assert_eq!(code(&out), 2, "{}", text(&out));
        assert!(text(&out).contains("--out"), "{}", text(&out));
    }
    assert!(!repo.path().join("elsewhere").exists());
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
