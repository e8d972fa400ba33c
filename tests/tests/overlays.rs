//! `specs/overlays/`: patches that must apply, and that keep types alive when upstream drops examples.

mod common;

use common::{op_mut, TempRepo, FANS_PROFILE, PORTRAIT};

const OVERLAY: &str = "overlays:
  - path: /api/xiaohongshu-pgy/get-kol-fans-portrait/v1
    reason: keep the portrait type
    response_schema:
      type: object
      properties:
        gender: { type: object, required: [male], properties: { male: { type: number } } }
";

fn repo_with_overlay(text: &str) -> TempRepo {
    let repo = TempRepo::new(&[(PORTRAIT, None), (FANS_PROFILE, None)]);
    std::fs::create_dir_all(repo.root().join("specs/overlays")).unwrap();
    std::fs::write(repo.root().join("specs/overlays/portrait.yaml"), text).unwrap();
    repo
}

fn plan_error(repo: &TempRepo) -> String {
    common::plan(repo.root()).unwrap_err().to_string()
}

#[test]
fn an_overlay_keeps_the_type_when_upstream_drops_the_example() {
    let repo = repo_with_overlay(OVERLAY);
    for lang in ["en", "zh"] {
        repo.edit(PORTRAIT, lang, |doc| {
            op_mut(doc)["responses"]["default"]["content"]["application/json"]
                .as_object_mut()
                .unwrap()
                .remove("example");
        });
    }
    let outputs = common::plan(repo.root()).unwrap();
    let module = outputs
        .files
        .iter()
        .find(|(p, _)| p.ends_with("src/ops/get_kol_fans_portrait_v1.rs"))
        .map(|(_, text)| text)
        .unwrap();
    assert!(module.contains("pub struct Data {"), "{module}");
    assert!(module.contains("pub gender: Option<Gender>"), "{module}");
    assert!(module.contains("pub male: Option<f64>"), "{module}");
    assert!(module.contains("pinned by an overlay"), "{module}");
}

#[test]
fn without_the_overlay_a_dropped_example_leaves_raw_json() {
    let repo = TempRepo::new(&[(PORTRAIT, None)]);
    for lang in ["en", "zh"] {
        repo.edit(PORTRAIT, lang, |doc| {
            op_mut(doc)["responses"]["default"]["content"]["application/json"]
                .as_object_mut()
                .unwrap()
                .remove("example");
        });
    }
    let outputs = common::plan(repo.root()).unwrap();
    let module = outputs
        .files
        .iter()
        .find(|(p, _)| p.ends_with("get_kol_fans_portrait_v1.rs"))
        .unwrap()
        .1;
    assert!(module.contains("pub type Data = serde_json::Value;"), "{module}");
}

#[test]
fn an_overlay_whose_target_is_gone_fails_loudly() {
    let repo = repo_with_overlay(&OVERLAY.replace("get-kol-fans-portrait", "get-kol-fans-portrait-gone"));
    let err = plan_error(&repo);
    assert!(err.contains("never applied"), "{err}");
    assert!(
        err.contains("portrait.yaml") && err.contains("get-kol-fans-portrait-gone"),
        "{err}"
    );
}

#[test]
fn overlays_can_pin_a_successor_and_a_name() {
    let repo = repo_with_overlay(
        "overlays:
  - path: /api/xiaohongshu-pgy/get-kol-fans-portrait/v1
    reason: pair with the new endpoint
    successor: /api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1
  - path: /api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1
    reason: a shorter name
    name: fans_profile_v1
",
    );
    let outputs = common::plan(repo.root()).unwrap();
    let portrait = outputs
        .files
        .iter()
        .find(|(p, _)| p.ends_with("get_kol_fans_portrait_v1.rs"))
        .unwrap()
        .1;
    assert!(
        portrait.contains("Use `Client::fans_profile_v1` instead."),
        "{portrait}"
    );
    assert!(outputs.files.keys().any(|p| p.ends_with("src/ops/fans_profile_v1.rs")));
}

#[test]
fn a_malformed_overlay_names_its_file() {
    let repo = repo_with_overlay("overlays:\n  - path: /x\n    reason: r\n    colour: blue\n");
    let err = plan_error(&repo);
    assert!(err.contains("portrait.yaml") && err.contains("colour"), "{err}");
}

#[test]
fn a_successor_hint_for_an_operation_upstream_no_longer_deprecates_is_a_warning_not_a_stop() {
    // Upstream took five deprecations back on 2026-08-21; a regen must not stop over a hint left behind.
    let repo = repo_with_overlay(
        "overlays:\n  - path: /api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1\n    reason: r\n    successor: /y\n",
    );
    let outputs = common::plan(repo.root()).unwrap();
    let warning = outputs
        .warnings
        .iter()
        .map(ToString::to_string)
        .find(|w| w.contains("portrait.yaml"))
        .expect("a warning naming the overlay");
    assert!(
        warning.contains("/overlays/0/successor") && warning.contains("no longer deprecates"),
        "{warning}"
    );
}
