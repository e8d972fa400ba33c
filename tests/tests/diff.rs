//! The drift report on real history: the `xiaohongshu-pgy` group sliced out of six versions of upstream's
//! aggregate definition (`tests/fixtures/public-api/`), plus migration and release by regeneration.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::diff::{Change, FailOn, Kind, Report, Semver, Severity};
use codegen::ir::Api;
use common::{TempRepo, FANS_PROFILE, PORTRAIT, VERSIONS};

const PORTRAIT_PATH: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";
const FANS_PROFILE_PATH: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";

fn fixture(date: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/public-api/xiaohongshu-pgy-{date}.json"))
}

fn manifest() -> codegen::manifest::Manifest {
    common::manifest()
}

fn apis(spec: &Path) -> Vec<Api> {
    let mut warnings = Vec::new();
    codegen::spec_apis(&common::spec(spec), &manifest(), &Default::default(), &mut warnings).unwrap()
}

fn diff(old: &str, new: &str) -> Report {
    codegen::diff::diff_apis(&apis(&fixture(old)), &apis(&fixture(new)))
}

fn of_kind(report: &Report, kind: Kind) -> Vec<&Change> {
    report.changes.iter().filter(|c| c.kind == kind).collect()
}

fn paths(changes: &[&Change]) -> BTreeSet<String> {
    changes.iter().map(|c| c.path.clone()).collect()
}

fn op_paths(date: &str, filter: impl Fn(&codegen::ir::Operation) -> bool) -> BTreeSet<String> {
    apis(&fixture(date))
        .iter()
        .flat_map(|a| &a.operations)
        .filter(|o| filter(o))
        .map(|o| o.path.clone())
        .collect()
}

#[test]
fn reports_of_consecutive_versions() {
    // Upstream drift shows up as a reviewable snapshot diff (`cargo insta review`).
    for pair in VERSIONS.windows(2) {
        let report = diff(pair[0], pair[1]);
        insta::assert_snapshot!(format!("drift_{}_{}", pair[0], pair[1]), report.to_json());
    }
    // And once as the pull-request body a maintainer reads.
    insta::assert_snapshot!(
        "drift_2026-04-23_2026-05-11_markdown",
        diff("2026-04-23", "2026-05-11").to_markdown()
    );
}

#[test]
fn reports_are_deterministic_and_sorted() {
    let a = diff("2026-03-29", "2026-08-21");
    let b = diff("2026-03-29", "2026-08-21");
    assert_eq!(a, b);
    let keys: Vec<_> = a
        .changes
        .iter()
        .map(|c| (c.path.clone(), c.method, c.kind.as_str(), c.detail.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(diff("2026-05-11", "2026-05-11").is_empty());
}

#[test]
fn on_2026_04_16_the_portrait_changed_shape() {
    let report = diff("2026-03-29", "2026-04-16");
    let breaking: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.severity == Severity::Breaking)
        .collect();
    assert_eq!(breaking.len(), 1, "{breaking:#?}");
    let c = breaking[0];
    assert_eq!((c.path.as_str(), c.kind), (PORTRAIT_PATH, Kind::ResponseShapeChanged));
    assert_eq!(
        c.detail,
        "data: object {ages, gender, interests, provinces, cities, devices, dateKey} -> object {fansPortrait}"
    );
    assert_eq!(report.semver, Semver::Major);
    // Everything else is the rewrite of tags, summaries and descriptions.
    assert!(report
        .changes
        .iter()
        .all(|c| c.severity == Severity::Breaking || c.kind == Kind::DocsChanged));
    assert_eq!(paths(&of_kind(&report, Kind::DocsChanged)).len(), 25);
}

#[test]
fn response_fields_are_located_inside_the_new_portrait() {
    // The 2026-04-16 portrait with one key of its innermost objects renamed.
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("edited.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture("2026-04-16")).unwrap()).unwrap();
    let data = &mut doc["paths"][PORTRAIT_PATH]["get"]["responses"]["default"]["content"]["application/json"]
        ["example"]["data"];
    for item in data["fansPortrait"]["ageDistribution"].as_array_mut().unwrap() {
        let d = item["distribution_data"].as_object_mut().unwrap();
        let cnt = d.remove("cnt").unwrap();
        d.insert("count".into(), cnt);
    }
    std::fs::write(&edited, serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = codegen::diff::diff_apis(&apis(&fixture("2026-04-16")), &apis(&edited));
    let got: Vec<(Kind, Severity, &str)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.severity, c.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Kind::ResponseFieldAdded,
                Severity::NonBreaking,
                "data.fansPortrait.ageDistribution[].distribution_data.count (integer)"
            ),
            (
                Kind::ResponseFieldRemoved,
                Severity::Breaking,
                "data.fansPortrait.ageDistribution[].distribution_data.cnt (integer)"
            ),
        ]
    );
}

#[test]
fn on_2026_04_23_examples_were_dropped_and_data_summary_v1_removed() {
    let report = diff("2026-04-16", "2026-04-23");
    let removed = of_kind(&report, Kind::OperationRemoved);
    assert_eq!(
        paths(&removed),
        BTreeSet::from(["/api/xiaohongshu-pgy/get-kol-data-summary/v1".to_owned()])
    );
    assert_eq!(removed[0].severity, Severity::Breaking);

    // Every one of the 24 remaining operations lost its example, hence its inferred type...
    let survivors = op_paths("2026-04-23", |_| true);
    assert_eq!(survivors.len(), 24);
    assert!(apis(&fixture("2026-04-23"))
        .iter()
        .flat_map(|a| &a.operations)
        .all(|o| o.response.is_none()));
    // ...but three examples had `data: null`, which was raw JSON already: for them only the documented
    // source of the type changes. So 21 operations, not 24, lose a typed response.
    let shape = of_kind(&report, Kind::ResponseShapeChanged);
    assert_eq!(shape.len(), 21);
    assert!(shape
        .iter()
        .all(|c| c.severity == Severity::Breaking && c.detail.ends_with("is gone; now raw JSON")));
    let untyped_before: BTreeSet<String> = [
        "/api/xiaohongshu-pgy/api/pgy/kol/data/core_data/v1",
        "/api/xiaohongshu-pgy/get-kol-core-data/v1",
        "/api/xiaohongshu-pgy/get-kol-cost-effective/v1",
    ]
    .map(str::to_owned)
    .into();
    let source_only: Vec<&Change> = of_kind(&report, Kind::DocsChanged)
        .into_iter()
        .filter(|c| c.detail.starts_with("data: raw JSON either way"))
        .collect();
    assert_eq!(paths(&source_only), untyped_before);
    let mut all = paths(&shape);
    all.extend(paths(&source_only));
    assert_eq!(all, survivors);

    // Two operationIds were renamed already (the rest follow on 2026-05-11).
    assert_eq!(of_kind(&report, Kind::OperationIdChanged).len(), 2);
    assert!(report.fails(FailOn::Breaking));
}

#[test]
fn on_2026_05_11_every_operation_id_changed_and_accept_cache_went() {
    let report = diff("2026-04-23", "2026-05-11");
    let renamed = of_kind(&report, Kind::OperationIdChanged);
    let every = op_paths("2026-05-11", |_| true);
    assert_eq!(every.len(), 24);
    assert_eq!(paths(&renamed), every);
    assert!(renamed.iter().all(|c| c.severity == Severity::Docs));
    let portrait = renamed.iter().find(|c| c.path == PORTRAIT_PATH).unwrap();
    assert_eq!(
        portrait.detail,
        "`getKolFansPortraitV1` -> `getApiXiaohongshuPgyGetKolFansPortraitV1`"
    );

    let removed = of_kind(&report, Kind::ParamRemoved);
    assert_eq!(removed.len(), 10);
    assert_eq!(paths(&removed).len(), 10);
    assert!(removed
        .iter()
        .all(|c| c.severity == Severity::Breaking && c.detail.starts_with("`acceptCache` ")));
    // Those are the only breaking changes.
    assert_eq!(report.count(Severity::Breaking), 10);
    assert_eq!(report.semver, Semver::Major);
}

#[test]
fn on_2026_07_23_nine_deprecated_operations_were_removed() {
    let report = diff("2026-05-11", "2026-07-23");
    let removed = of_kind(&report, Kind::OperationRemoved);
    assert_eq!(removed.len(), 9);
    let deprecated_before = op_paths("2026-05-11", |o| o.is_deprecated());
    assert_eq!(deprecated_before.len(), 9);
    assert_eq!(paths(&removed), deprecated_before);
    assert!(deprecated_before.contains(PORTRAIT_PATH));
    let portrait = removed.iter().find(|c| c.path == PORTRAIT_PATH).unwrap();
    assert!(
        portrait
            .detail
            .ends_with(&format!("successor: GET {FANS_PROFILE_PATH}")),
        "{}",
        portrait.detail
    );
    assert_eq!(
        paths(&of_kind(&report, Kind::OperationAdded)),
        BTreeSet::from(["/api/xiaohongshu-pgy/api/pgy/content_square/search_note_v2/v1".to_owned()])
    );

    // On 2026-08-21 the nine come back, deprecated: additions only.
    let back = diff("2026-07-23", "2026-08-21");
    assert_eq!(paths(&of_kind(&back, Kind::OperationAdded)), deprecated_before);
    assert_eq!(back.semver, Semver::Minor);
}

/// A copy of a definition with every operationId rewritten, written as compact JSON with the keys of every
/// object in reverse order.
fn renamed_and_reordered(date: &str, dir: &Path) -> PathBuf {
    fn reverse(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.reverse();
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, reverse(v))).collect())
            }
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(reverse).collect()),
            other => other,
        }
    }
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture(date)).unwrap()).unwrap();
    for item in doc["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            op["operationId"] = format!("renamed{id}").into();
        }
    }
    let path = dir.join(format!("renamed-{date}.json"));
    std::fs::write(&path, serde_json::to_vec(&reverse(doc)).unwrap()).unwrap();
    path
}

#[test]
fn renaming_operation_ids_alone_is_not_breaking_and_key_order_never_counts() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = renamed_and_reordered("2026-05-11", dir.path());
    let report = codegen::diff::diff_apis(&apis(&fixture("2026-05-11")), &apis(&renamed));
    assert_eq!(report.changes.len(), 24);
    assert!(report
        .changes
        .iter()
        .all(|c| c.kind == Kind::OperationIdChanged && c.severity == Severity::Docs));
    assert_eq!(report.semver, Semver::Patch);
    assert!(!report.fails(FailOn::Breaking));
    assert!(report.fails(FailOn::Any));
}

#[test]
fn a_folder_of_per_endpoint_definitions_diffs_like_a_file() {
    let repo = TempRepo::new(&[(PORTRAIT, Some(FANS_PROFILE)), (FANS_PROFILE, None)]);
    let dir = repo.root().join("specs/definitions").join(common::PLATFORM);
    let same = codegen::diff::diff_specs(
        &common::spec(&dir),
        &common::spec(&dir),
        &manifest(),
        &Default::default(),
    )
    .unwrap();
    assert!(same.is_empty());
    let empty = tempfile::tempdir().unwrap();
    let err = codegen::diff::diff_specs(
        &common::spec(&dir),
        &common::spec(empty.path()),
        &manifest(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains(&empty.path().display().to_string()), "{err}");
    let bad = empty.path().join("bad.json");
    std::fs::write(&bad, "{\"openapi\": ").unwrap();
    let err = codegen::diff::diff_specs(
        &common::spec(&fixture("2026-05-11")),
        &common::spec(&bad),
        &manifest(),
        &Default::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bad.json: not valid JSON at line 1"), "{err}");
}

#[test]
fn migration_to_the_successor_is_a_regeneration() {
    // The crate as it started: the deprecated portrait alone.
    let repo = TempRepo::new(&[(PORTRAIT, None)]);
    let before_api = repo.api().unwrap();
    let before = common::plan(repo.root()).unwrap();
    let ops = Path::new("generated/justoneapi-xiaohongshu-pgy/src/ops");
    let successor_file = ops.join("api_solar_kol_data_user_id_fans_profile_v1.rs");
    let portrait_file = ops.join("get_kol_fans_portrait_v1.rs");
    assert!(!before.files.contains_key(&successor_file));
    assert!(!before.files[&portrait_file].contains("instead"));

    // Add the successor to the manifest, with the hint on v1, and regenerate.
    repo.set_endpoints(&[(PORTRAIT, Some(FANS_PROFILE)), (FANS_PROFILE, None)]);
    let after_api = repo.api().unwrap();
    let after = common::plan(repo.root()).unwrap();
    assert!(after.files[&successor_file].contains("pub fn api_solar_kol_data_user_id_fans_profile_v1("));
    assert!(
        after.files[&portrait_file].contains("Use `Client::api_solar_kol_data_user_id_fans_profile_v1` instead."),
        "{}",
        after.files[&portrait_file]
    );
    xtask::cmd::regen::apply(repo.root(), &after).unwrap();
    assert!(repo.root().join(&successor_file).is_file());

    let report = codegen::diff::diff_api(&before_api, &after_api);
    let added = of_kind(&report, Kind::OperationAdded);
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].path.as_str(), added[0].severity),
        (FANS_PROFILE_PATH, Severity::NonBreaking)
    );
    // The deprecation now names the successor: documentation only.
    let docs = of_kind(&report, Kind::DocsChanged);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].detail, format!("successor: none -> GET {FANS_PROFILE_PATH}"));
    assert_eq!(report.semver, Semver::Minor);
}

/// The IR of every crate of the checkout (what an online regen compares before and after its fetch).
fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Api> {
    let project = xtask::project::Project::load(root).unwrap();
    xtask::release::snapshot(&project.specs).unwrap()
}

/// The version bumps and changelog entries an online regen makes for what changed since `before`, written
/// as regen writes them.
fn record(root: &Path, before: &std::collections::BTreeMap<String, Api>, date: &str) -> Vec<xtask::release::Release> {
    let project = xtask::project::Project::load(root).unwrap();
    let after = xtask::release::snapshot(&project.specs).unwrap();
    let planned = xtask::release::plan(before, &after, &project.specs, date).unwrap();
    let mut tx = xtask::writer::Transaction::new();
    if !planned.releases.is_empty() {
        tx.write(project.layout.manifest(), planned.manifest_text.as_bytes());
    }
    for (name, text) in &planned.changelogs {
        tx.write(project.layout.changelog(name), text.as_bytes());
    }
    tx.commit().unwrap();
    planned.releases
}

#[tokio::test]
async fn regen_bumps_the_version_and_writes_the_changelog_only_when_the_api_changed() {
    let repo = TempRepo::new(&[(PORTRAIT, Some(FANS_PROFILE)), (FANS_PROFILE, None)]);
    let manifest_path = repo.root().join("specs/manifest.yaml");
    let changelog = repo.root().join("specs/changelog/justoneapi-xiaohongshu-pgy.md");

    // Upstream unchanged: the fetch rewrites nothing that matters, so no release.
    let original = std::fs::read_to_string(&manifest_path).unwrap();
    let before = snapshot(repo.root());
    common::fetch_from(repo.root(), &common::serve_checkout(repo.root(), |_, _, _| {}).await).await;
    assert!(record(repo.root(), &before, "2026-04-01").is_empty());
    assert_eq!(std::fs::read_to_string(&manifest_path).unwrap(), original);
    assert!(!changelog.exists());

    // Upstream drops `acceptCache` from the portrait (as on 2026-05-11): breaking, 0.1.0 -> 0.2.0.
    let before = snapshot(repo.root());
    let server = common::serve_checkout(repo.root(), |path, _, doc| {
        if path == PORTRAIT_PATH {
            common::op_mut(doc)["parameters"]
                .as_array_mut()
                .unwrap()
                .retain(|p| p["name"] != "acceptCache");
        }
    })
    .await;
    common::fetch_from(repo.root(), &server).await;
    let releases = record(repo.root(), &before, "2026-05-11");
    assert_eq!(releases.len(), 1);
    let r = &releases[0];
    assert_eq!(
        (r.crate_name.as_str(), r.previous.as_str(), r.version.as_str(), r.semver),
        ("justoneapi-xiaohongshu-pgy", "0.1.0", "0.2.0", Semver::Major)
    );
    // Exactly two lines of the manifest changed: the crate's version and the facade's, which re-exports it and
    // takes the largest bump of its crates. The comments are intact.
    // (The facade's version is the repository's own, whatever 0.x.y it is at: a major bump makes it 0.(x+1).0.)
    let edited = std::fs::read_to_string(&manifest_path).unwrap();
    let changed: Vec<(&str, &str)> = original.lines().zip(edited.lines()).filter(|(a, b)| a != b).collect();
    let facade_before = original.lines().find(|l| l.starts_with("  version: 0.")).unwrap();
    let facade_minor: u64 = facade_before
        .trim_start_matches("  version: 0.")
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let facade_after = format!("  version: 0.{}.0", facade_minor + 1);
    assert_eq!(
        changed,
        [
            (facade_before, facade_after.as_str()),
            ("    version: 0.1.0", "    version: 0.2.0")
        ]
    );
    let facade_log = std::fs::read_to_string(repo.root().join("specs/changelog/justoneapi.md")).unwrap();
    assert!(
        facade_log.contains(&format!("## 0.{}.0 (2026-05-11)", facade_minor + 1))
            && facade_log.contains("- `justoneapi-xiaohongshu-pgy` 0.1.0 -> 0.2.0 (major)"),
        "{facade_log}"
    );
    assert_eq!(original.lines().count(), edited.lines().count());
    assert!(edited.contains("# Edited by hand; read by codegen/src/manifest.rs."));
    let log = std::fs::read_to_string(&changelog).unwrap();
    assert!(log.starts_with("# Changelog\n"), "{log}");
    assert!(log.contains("## 0.2.0 (2026-05-11)"), "{log}");
    assert!(
        log.contains(&format!(
            "- `GET {PORTRAIT_PATH}` param-removed: `acceptCache` (query, optional, boolean)"
        )),
        "{log}"
    );

    // generated/ follows from specs/: the new version and the changelog.
    let outputs = common::plan(repo.root()).unwrap();
    let krate = Path::new("generated/justoneapi-xiaohongshu-pgy");
    assert!(outputs.files[&krate.join("Cargo.toml")].contains("version = \"0.2.0\""));
    let emitted = &outputs.files[&krate.join("CHANGELOG.md")];
    assert!(
        emitted.starts_with("<!-- @generated by `cargo xtask regen`"),
        "{emitted}"
    );
    assert!(emitted.ends_with(&log));

    // A docs-only change next: 0.2.0 -> 0.2.1, the new entry above the old one.
    let before = snapshot(repo.root());
    let server = common::serve_checkout(repo.root(), |path, lang, doc| {
        if path == PORTRAIT_PATH {
            common::op_mut(doc)["parameters"]
                .as_array_mut()
                .unwrap()
                .retain(|p| p["name"] != "acceptCache");
        }
        if path == FANS_PROFILE_PATH && lang == "en" {
            common::op_mut(doc)["summary"] = "Follower Distribution".into();
        }
    })
    .await;
    common::fetch_from(repo.root(), &server).await;
    let releases = record(repo.root(), &before, "2026-05-12");
    assert_eq!(releases[0].version, "0.2.1");
    assert_eq!(releases[0].semver, Semver::Patch);
    let log = std::fs::read_to_string(&changelog).unwrap();
    let (new, old) = (
        log.find("## 0.2.1 (2026-05-12)").unwrap(),
        log.find("## 0.2.0 (2026-05-11)").unwrap(),
    );
    assert!(new < old, "{log}");
}

#[tokio::test]
async fn regen_judges_a_dropped_example_with_a_remembered_type_as_a_patch() {
    let repo = TempRepo::new(&[(PORTRAIT, Some(FANS_PROFILE)), (FANS_PROFILE, None)]);
    // The memory as an earlier online regen left it: what today's definitions teach.
    let learned = common::plan(repo.root()).unwrap().learned;
    let types = repo.root().join("specs/types");
    std::fs::create_dir_all(&types).unwrap();
    std::fs::write(types.join("xiaohongshu-pgy.json"), learned["xiaohongshu-pgy"].to_json()).unwrap();

    // Upstream drops every example (as on 2026-04-23).
    let before = snapshot(repo.root());
    let server = common::serve_checkout(repo.root(), |_, _, doc| {
        common::op_mut(doc)["responses"]["default"]["content"]["application/json"]
            .as_object_mut()
            .unwrap()
            .remove("example");
    })
    .await;
    common::fetch_from(repo.root(), &server).await;
    let releases = record(repo.root(), &before, "2026-04-23");
    assert_eq!(releases.len(), 1);
    let r = &releases[0];
    assert_eq!(
        (r.version.as_str(), r.semver),
        ("0.1.1", Semver::Patch),
        "{}",
        r.report.to_markdown()
    );
    assert!(r.report.changes.iter().all(|c| c.severity == Severity::Docs));
    assert!(r
        .report
        .changes
        .iter()
        .any(|c| c.path == common::api_path(FANS_PROFILE) && c.detail.contains("the response example is gone")));
    // The generated crate keeps its types.
    let outputs = common::plan(repo.root()).unwrap();
    let module = outputs
        .files
        .iter()
        .find(|(p, _)| p.ends_with("src/ops/api_solar_kol_data_user_id_fans_profile_v1.rs"))
        .map(|(_, text)| text)
        .unwrap();
    assert!(module.contains("pub struct Gender"), "{module}");
}
