//! Every `cargo xtask` command as a process, on a copy of the repository's `specs/` and `generated/`, against
//! a server on 127.0.0.1 standing for upstream as `specs/` vendors it (the catalogue, and every published
//! definition at the URL upstream's rule gives): the documented exit codes, the catalogue's credentials, and
//! the promise that a command that fails writes nothing.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{base64, code, copy_dir, repo_root, snapshot, text, xtask, Server};

/// A throw-away checkout: a copy of `specs/` and `generated/`.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["specs", "generated"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

/// Each published endpoint's definition, by (API path, language): its URL path on the [`Upstream`] server, and
/// the file of the repository's `specs/` that vendors it.
fn docs_files() -> BTreeMap<(String, String), (String, PathBuf)> {
    support::published(&repo_root().join("specs"))
        .into_iter()
        .map(|((_, path, lang), v)| ((path, lang), v))
        .collect()
}

/// The URL path of a published endpoint's definition on the [`Upstream`] server.
fn docs_url(api_path: &str, lang: &str) -> String {
    docs_files()[&(api_path.to_owned(), lang.to_owned())].0.clone()
}

/// Upstream, from the repository's `specs/`: the catalogue at `/catalogue.json` (and at
/// `/v3/api-docs/public-api`, behind basic auth when a test says so), every published definition at the URL
/// upstream's rule gives (`/openapi/<group>/<slug>-<lang>.json`).
struct Upstream {
    server: Server,
    base: String,
}

impl Upstream {
    fn start() -> Upstream {
        let mut routes: BTreeMap<String, Vec<u8>> = docs_files()
            .into_values()
            .map(|(url, file)| (url, std::fs::read(file).unwrap()))
            .collect();
        let catalogue = std::fs::read(repo_root().join("specs/catalogue/public-api.json")).unwrap();
        routes.insert("/catalogue.json".into(), catalogue.clone());
        routes.insert("/v3/api-docs/public-api".into(), catalogue);
        let server = Server::start(routes);
        let base = server.base.clone();
        Upstream { server, base }
    }

    /// `--catalogue` and `--base-url` pointing here.
    fn args(&self) -> Vec<String> {
        vec![
            "--catalogue".into(),
            format!("{}/catalogue.json", self.base),
            "--base-url".into(),
            format!("{}/openapi", self.base),
        ]
    }

    /// Serves the definition of `api_path` in `lang` with its summary rewritten.
    fn change_summary(&self, api_path: &str, lang: &str, summary: &str) {
        let (url, file) = docs_files()[&(api_path.to_owned(), lang.to_owned())].clone();
        let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let item = doc["paths"].as_object_mut().unwrap().values_mut().next().unwrap();
        item["get"]["summary"] = summary.into();
        self.server.serve(&url, serde_json::to_vec_pretty(&doc).unwrap());
    }

    fn fail(&self, url: &str, status: u16, times: u32) {
        self.server.fail(url, status, times);
    }
}

const FANS: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";
const IMDB: &str = "/api/imdb/news-by-category-query/v1";
const WEIBO: &str = "/api/weibo/get-user-post/v1";
const FANS_EN: &str = "specs/definitions/xiaohongshu-pgy/get.api.solar.kol.data.userId.fans_profile.v1.en.json";

fn args<'a>(command: &'a str, upstream: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    let mut out = vec![command];
    out.extend(upstream.iter().map(String::as_str));
    out.extend(more);
    out
}

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
    let out = xtask(repo.path(), &args("fetch", &upstream.args(), &[]), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // The vendored files are upstream's: nothing changed but nothing had to.
    assert_eq!(
        snapshot(&repo.path().join("specs/definitions")),
        snapshot(&repo_root().join("specs/definitions"))
    );
    assert_eq!(
        std::fs::read(repo.path().join("specs/catalogue/lifecycle.yaml")).unwrap(),
        std::fs::read(repo_root().join("specs/catalogue/lifecycle.yaml")).unwrap()
    );

    let catalogue = format!("{}/catalogue.json", upstream.base);
    let out = xtask(
        repo.path(),
        &[
            "fetch",
            "--catalogue",
            &catalogue,
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
    // Only the lock's catalogue URL may differ from the first run (it came from the loopback server).
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file appeared or vanished"
    );
}

#[test]
fn fetch_vendors_every_published_definition_through_transient_faults_and_counts_its_progress() {
    let upstream = Upstream::start();
    let files = docs_files();
    let profile_zh = docs_url(FANS, "zh");
    let portrait_en = docs_url("/api/xiaohongshu-pgy/api/solar/cooperator/user/blogger/userId/v1", "en");
    upstream.fail(&profile_zh, 503, 2);
    upstream.fail(&portrait_en, 500, 1);
    let repo = checkout();
    // Nothing of what upstream publishes is vendored (hidden and gone endpoints keep theirs): everything must
    // come from upstream.
    let lock_path = repo.path().join("specs/specs.lock");
    let mut lock =
        codegen::lock::Lock::parse(&std::fs::read_to_string(&lock_path).unwrap(), Path::new("specs.lock")).unwrap();
    for (_, vendored) in files.values() {
        let rel = vendored.strip_prefix(repo_root()).unwrap();
        std::fs::remove_file(repo.path().join(rel)).unwrap();
        lock.files
            .remove(&rel.strip_prefix("specs").unwrap().to_string_lossy().into_owned());
    }
    std::fs::write(&lock_path, lock.to_text()).unwrap();
    let total = files.len();
    assert_eq!(total, 594, "297 published endpoints, en + zh");

    let out = xtask(repo.path(), &args("fetch", &upstream.args(), &["--jobs", "6"]), &[]);
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

    // Byte for byte what upstream serves, and the lock describes exactly those bytes.
    assert_eq!(
        snapshot(&repo.path().join("specs/definitions")),
        snapshot(&repo_root().join("specs/definitions"))
    );
    let lock =
        codegen::lock::Lock::parse(&std::fs::read_to_string(&lock_path).unwrap(), Path::new("specs.lock")).unwrap();
    let vendored = snapshot(&repo.path().join("specs"));
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
fn fetch_with_a_lasting_fault_names_each_url_and_writes_nothing() {
    let upstream = Upstream::start();
    let broken = [docs_url(IMDB, "zh"), docs_url(WEIBO, "en")];
    upstream.fail(&broken[0], 404, u32::MAX);
    upstream.fail(&broken[1], 500, u32::MAX);
    let repo = checkout();
    let before = snapshot(repo.path());
    let out = xtask(
        repo.path(),
        &args("fetch", &upstream.args(), &["--timeout-secs", "5"]),
        &[],
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    let all = text(&out);
    for (url, status) in broken.iter().zip(["HTTP 404", "HTTP 500"]) {
        let named = format!("{}{url}: {status}", upstream.base);
        assert!(all.contains(&named), "{named} not named in\n{all}");
    }
    assert!(all.contains("nothing was written"), "{all}");
    assert_eq!(snapshot(repo.path()), before, "specs/ unchanged");
}

#[test]
fn an_online_regen_that_fails_after_its_fetch_writes_nothing() {
    let upstream = Upstream::start();
    upstream.change_summary(FANS, "en", "Fans Profile, renamed upstream");
    let repo = checkout();
    let before = snapshot(repo.path());
    let up = upstream.args();
    let regen = args("regen", &up, &[]);

    let out = xtask(repo.path(), &regen, &[("XTASK_FAIL_AFTER_FETCH", "1")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("nothing was written"), "{}", text(&out));
    assert_eq!(snapshot(repo.path()), before, "specs/ and generated/ unchanged");

    // A failure in the middle of writing (after three files) is undone as well.
    let out = xtask(repo.path(), &regen, &[("XTASK_FAIL_COMMIT_AFTER", "3")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(snapshot(repo.path()), before, "specs/ and generated/ unchanged");

    // Without a failure the same regen writes the definition, the release and the generated crate at once.
    let out = xtask(repo.path(), &regen, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let after = snapshot(repo.path());
    let changed: Vec<&PathBuf> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    for expected in [
        FANS_EN,
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
    let up = upstream.args();
    let out = xtask(repo.path(), &args("drift", &up, &[]), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    upstream.change_summary(FANS, "en", "Fans Profile, renamed upstream");
    let out = xtask(repo.path(), &args("drift", &up, &[]), &[]);
    assert_eq!(code(&out), 3, "{}", text(&out));
    let body = String::from_utf8(out.stdout).unwrap();
    assert!(
        body.contains("## `justoneapi-xiaohongshu-pgy`") && body.contains("renamed upstream"),
        "{body}"
    );
    assert!(body.contains("Run `cargo xtask regen`"), "{body}");

    let catalogue = format!("{}/catalogue.json", upstream.base);
    let out = xtask(
        repo.path(),
        &[
            "drift",
            "--catalogue",
            &catalogue,
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
fn catalogue_credentials_go_to_the_manifest_url_only_and_are_never_printed() {
    const USER: &str = "maintainer";
    const PASSWORD: &str = "s3cret-PASS-7f1c";
    let upstream = Upstream::start();
    upstream.server.require_auth("/v3/api-docs/public-api", USER, PASSWORD);
    let repo = checkout();
    // The manifest's catalogue URL is the loopback server's; its public copy as well, without auth.
    let manifest_path = repo.path().join("specs/manifest.yaml");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let url_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("url: https://api.justoneapi.com/v3"))
        .unwrap();
    let copy_line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("public_copy:"))
        .unwrap();
    let manifest = manifest
        .replace(url_line, &format!("  url: {}/v3/api-docs/public-api", upstream.base))
        .replace(copy_line, &format!("  public_copy: {}/catalogue.json", upstream.base));
    std::fs::write(&manifest_path, manifest).unwrap();
    let base_url = format!("{}/openapi", upstream.base);
    let creds = [
        ("JUSTONEAPI_CATALOGUE_USER", USER),
        ("JUSTONEAPI_CATALOGUE_PASSWORD", PASSWORD),
    ];

    // With credentials: the manifest's URL, with basic auth.
    let out = xtask(repo.path(), &["fetch", "--base-url", &base_url], &creds);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!text(&out).contains(PASSWORD), "{}", text(&out));
    let expected = format!("Basic {}", base64(&format!("{USER}:{PASSWORD}")));
    assert_eq!(upstream.server.auth_seen(), [Some(expected)]);
    let lock = std::fs::read_to_string(repo.path().join("specs/specs.lock")).unwrap();
    assert!(!lock.contains(PASSWORD));

    // A wrong password: refused, the URL and the variables named, the password nowhere.
    let before = snapshot(repo.path());
    let wrong = [
        ("JUSTONEAPI_CATALOGUE_USER", USER),
        ("JUSTONEAPI_CATALOGUE_PASSWORD", "wrong-PASS-91b2"),
    ];
    let out = xtask(repo.path(), &["fetch", "--base-url", &base_url], &wrong);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("/v3/api-docs/public-api: HTTP 401"), "{all}");
    assert!(all.contains("JUSTONEAPI_CATALOGUE_PASSWORD"), "{all}");
    assert!(!all.contains("wrong-PASS-91b2") && !all.contains(PASSWORD), "{all}");
    assert_eq!(snapshot(repo.path()), before);

    // Without credentials: the public copy, and no Authorization header anywhere.
    let out = xtask(repo.path(), &["fetch", "--base-url", &base_url], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("/catalogue.json"), "{}", text(&out));
    assert_eq!(upstream.server.auth_seen().len(), 2, "the public copy was used");

    // Credentials never go to a catalogue elsewhere, and a URL's own user:password is never shown.
    let elsewhere = "http://someone:hunter2-secret@127.0.0.1:9/catalogue.json";
    let out = xtask(
        repo.path(),
        &["fetch", "--catalogue", elsewhere, "--timeout-secs", "1"],
        &creds,
    );
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        !text(&out).contains("hunter2-secret") && !text(&out).contains(PASSWORD),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("127.0.0.1:9/catalogue.json"), "{}", text(&out));
}

#[test]
fn a_hostile_catalogue_is_an_error_naming_the_file_and_operation_and_writes_nothing() {
    let upstream = Upstream::start();
    let repo = checkout();
    let before = snapshot(repo.path());
    let real: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo_root().join("specs/catalogue/public-api.json")).unwrap()).unwrap();
    let path_of = |name: &str| repo.path().join(name);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not-json.json", b"<html>maintenance</html>".to_vec(), "not-json.json"),
        (
            "swagger.json",
            br#"{"swagger": "2.0", "paths": {}}"#.to_vec(),
            "no `openapi` field",
        ),
        (
            "dotdot.json",
            {
                let mut doc = real.clone();
                let op = doc["paths"][WEIBO].clone();
                doc["paths"]
                    .as_object_mut()
                    .unwrap()
                    .insert("/api/weibo/../../../../etc/v1".into(), op);
                serde_json::to_vec(&doc).unwrap()
            },
            "GET /api/weibo/../../../../etc/v1",
        ),
        (
            "empty-slug.json",
            {
                let mut doc = real.clone();
                doc["paths"][WEIBO]["get"]["tags"] = serde_json::json!(["？？？"]);
                serde_json::to_vec(&doc).unwrap()
            },
            "empty folder name on the docs site",
        ),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(path_of(name), bytes).unwrap();
        let file = path_of(name).display().to_string();
        let base = format!("{}/openapi", upstream.base);
        let out = xtask(repo.path(), &["regen", "--catalogue", &file, "--base-url", &base], &[]);
        assert_eq!(code(&out), 1, "{name}: {}", text(&out));
        assert!(text(&out).contains(expected), "{name}: {}", text(&out));
        assert!(text(&out).contains(name), "{name}: {}", text(&out));
        std::fs::remove_file(path_of(name)).unwrap();
        assert_eq!(snapshot(repo.path()), before, "{name}: nothing written");
    }
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
    upstream.change_summary(FANS, "en", "Fans Profile, renamed upstream");
    // `cargo` on the script's PATH is a stand-in that runs the xtask binary under test for `cargo xtask ...`:
    // what the script does is tested (its arguments, its folder, its exit code), without building xtask again
    // in a target folder of its own (the outer `cargo test` holds this one), which took minutes of CI.
    let bin = tempfile::tempdir().unwrap();
    let cargo = bin.path().join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\n[ \"$1\" = xtask ] || exit 97\nshift\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_xtask")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[String]| {
        Command::new("bash")
            .arg(repo_root().join("scripts/drift-check.sh"))
            .args(args)
            .env("PATH", &path)
            .env_remove("JUSTONEAPI_CATALOGUE_USER")
            .env_remove("JUSTONEAPI_CATALOGUE_PASSWORD")
            .output()
            .unwrap()
    };
    let out = run(&upstream.args());
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("renamed upstream"));
    let unreachable = [
        "--catalogue".to_owned(),
        "http://127.0.0.1:9/catalogue.json".into(),
        "--timeout-secs".into(),
        "1".into(),
    ];
    let out = run(&unreachable);
    assert_eq!(code(&out), 1, "{}", text(&out));
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
