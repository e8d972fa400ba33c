//! `cargo xtask generate --types DIR` and `cargo xtask diff --types DIR`: the type memory as a maintainer or a
//! CI job uses it, run as processes on the real history in `tests/fixtures/public-api/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(date: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/public-api/xiaohongshu-pgy-{date}.json"))
}

fn xtask(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn generate(spec: &Path, out: &Path, types: Option<&Path>) -> String {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "generate".as_ref(),
        "--spec".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    if let Some(types) = types {
        args.extend(["--types".as_ref(), types.as_os_str()]);
    }
    ok(&xtask(&args))
}

const PORTRAIT: &str = "justoneapi-xiaohongshu-pgy/src/ops/get_kol_fans_portrait_v1.rs";

#[test]
fn generate_remembers_types_across_versions_and_creates_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let types = dir.path().join("memory/nested");
    let out = dir.path().join("out");

    generate(&fixture("2026-04-16"), &out, Some(&types));
    let memory: serde_json::Value =
        serde_json::from_slice(&std::fs::read(types.join("xiaohongshu-pgy.json")).unwrap()).unwrap();
    let entry = &memory["GET /api/xiaohongshu-pgy/get-kol-fans-portrait/v1"];
    assert_eq!(entry["source"], "xiaohongshu-pgy-2026-04-16.json");
    assert_eq!(entry["seen"], "2026-04-16");

    // 04-23 has no examples: the portrait keeps its 04-16 type, and the warning says since when.
    let stderr = generate(&fixture("2026-04-23"), &out, Some(&types));
    assert!(
        stderr.contains("GET /api/xiaohongshu-pgy/get-kol-fans-portrait/v1")
            && stderr.contains("remembered from xiaohongshu-pgy-2026-04-16.json (seen 2026-04-16)"),
        "{stderr}"
    );
    let module = std::fs::read_to_string(out.join(PORTRAIT)).unwrap();
    assert!(module.contains("pub fans_portrait: Option<FansPortrait>"), "{module}");
    assert!(module.contains("remembered in specs/types"), "{module}");
    // Nothing new was learned, so the memory is unchanged.
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(types.join("xiaohongshu-pgy.json")).unwrap()).unwrap();
    assert_eq!(again, memory);

    // Without --types, generate behaves as before: the dropped example leaves raw JSON.
    let plain = dir.path().join("plain");
    generate(&fixture("2026-04-23"), &plain, None);
    let module = std::fs::read_to_string(plain.join(PORTRAIT)).unwrap();
    assert!(module.contains("pub type Data = serde_json::Value;"), "{module}");
}

#[test]
fn diff_with_types_calls_a_dropped_example_docs_not_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let types = dir.path().join("types");
    generate(&fixture("2026-04-16"), &dir.path().join("out"), Some(&types));
    let (old, new) = (fixture("2026-04-16"), fixture("2026-04-23"));
    let diff = |extra: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "diff".as_ref(),
            old.as_os_str(),
            new.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ];
        args.extend_from_slice(extra);
        let out = xtask(&args);
        ok(&out);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let portrait = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["path"] == "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1")
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_owned(),
                    c["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let without = diff(&[]);
    assert!(portrait(&without).contains(&("response-shape-changed".into(), "breaking".into())));
    let with = diff(&["--types".as_ref(), types.as_os_str()]);
    let kinds = portrait(&with);
    assert!(kinds.contains(&("docs-changed".into(), "docs".into())), "{kinds:?}");
    assert!(kinds.iter().all(|(_, severity)| severity != "breaking"), "{kinds:?}");
    // diff only reads the memory.
    let entries = std::fs::read_dir(&types).unwrap().count();
    assert_eq!(entries, 1);
}

#[test]
fn an_unreadable_memory_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("xiaohongshu-pgy.json"), "{ not json").unwrap();
    let out = xtask(&[
        "generate".as_ref(),
        "--spec".as_ref(),
        fixture("2026-04-16").as_os_str(),
        "--out".as_ref(),
        dir.path().join("out").as_os_str(),
        "--types".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("xiaohongshu-pgy.json") && stderr.contains("line 1"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
}
