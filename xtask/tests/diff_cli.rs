//! `cargo xtask diff` as CI runs it: output formats and exit codes, on the real history in
//! `tests/fixtures/public-api/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(date: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/public-api/xiaohongshu-pgy-{date}.json"))
}

fn xtask(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("diff")
        .args(args)
        .output()
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

#[test]
fn fail_on_breaking_exits_3_on_the_2026_04_23_pair() {
    let (old, new) = (fixture("2026-04-16"), fixture("2026-04-23"));
    let out = xtask(&[
        old.as_os_str(),
        new.as_os_str(),
        "--fail-on".as_ref(),
        "breaking".as_ref(),
    ]);
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("**API drift: 28 changes: 22 breaking"), "{md}");

    let out = xtask(&[old.as_os_str(), new.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(code(&out), 0, "without --fail-on the exit code is 0");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["semver"], "major");
    let first = json["changes"][0].as_object().unwrap();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        ["method", "path", "kind", "severity", "detail"]
    );
}

#[test]
fn a_pair_that_only_renames_operation_ids_passes_fail_on_breaking_but_not_fail_on_any() {
    let dir = tempfile::tempdir().unwrap();
    let old = fixture("2026-05-11");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    for item in doc["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            op["operationId"] = format!("{id}Renamed").into();
        }
    }
    let new = dir.path().join("renamed.json");
    std::fs::write(&new, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = xtask(&[
        old.as_os_str(),
        new.as_os_str(),
        "--fail-on".as_ref(),
        "breaking".as_ref(),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = xtask(&[old.as_os_str(), new.as_os_str(), "--fail-on".as_ref(), "any".as_ref()]);
    assert_eq!(code(&out), 3);
    let same = xtask(&[old.as_os_str(), old.as_os_str(), "--fail-on".as_ref(), "any".as_ref()]);
    assert_eq!(code(&same), 0);
    assert_eq!(
        String::from_utf8(same.stdout).unwrap(),
        "**API drift: no changes (semver: none)**\n"
    );
}

#[test]
fn an_unreadable_definition_exits_1_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(
        &bad,
        "{\"openapi\": \"3.1.0\", \"paths\": {\"/api/x/a\": {\"get\": 1}}}",
    )
    .unwrap();
    let out = xtask(&[fixture("2026-05-11").as_os_str(), bad.as_os_str()]);
    assert_eq!(code(&out), 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("broken.json"), "{err}");
    let missing = dir.path().join("missing.json");
    let out = xtask(&[missing.as_os_str(), fixture("2026-05-11").as_os_str()]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8(out.stderr).unwrap().contains("missing.json"));
}
