//! The aggregate OpenAPI 3.1 definitions (every platform) as input: all six upstream versions generate, upstream's
//! known bugs become warnings, and our normalized 3.0 document is accepted by progenitor.

mod common;

use common::{aggregate, manifest, VERSIONS};

use std::path::PathBuf;

use codegen::SpecOptions;

fn operation_count(version: &str) -> usize {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(aggregate(version)).unwrap()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| matches!(m.as_str(), "get" | "post"))
                .count()
        })
        .sum()
}

#[test]
fn every_platform_of_every_version_generates_one_method_per_operation() {
    for version in VERSIONS {
        let outputs = common::plan_generate(&aggregate(version), &manifest(), &SpecOptions::default())
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        // k8s-openapi's sanity count: operations in == methods out.
        let methods = outputs
            .files
            .iter()
            .filter(|(p, _)| p.to_string_lossy().contains("/src/ops/") && !p.ends_with("mod.rs"))
            .count();
        assert_eq!(methods, operation_count(version), "{version}");
    }
}

#[test]
fn the_latest_aggregate_has_348_operations_on_36_platforms() {
    let mut warnings = Vec::new();
    let apis = codegen::spec_apis(
        &common::spec(&aggregate("2026-08-21")),
        &manifest(),
        &SpecOptions::default(),
        &mut warnings,
    )
    .unwrap();
    assert_eq!(apis.len(), 36);
    assert_eq!(apis.iter().map(|a| a.operations.len()).sum::<usize>(), 348);
    let pgy = apis.iter().find(|a| a.platform == "xiaohongshu-pgy").unwrap();
    assert_eq!(pgy.crate_name, "justoneapi-xiaohongshu-pgy");
    assert_eq!(pgy.operations.len(), 25);
    let portrait = pgy
        .operations
        .iter()
        .find(|o| o.path == "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1")
        .unwrap();
    // Upstream pairs the portrait with fans_profile by giving both the summary "Follower Distribution".
    let successor = portrait.deprecation.as_ref().unwrap().successor.as_ref().unwrap();
    assert_eq!(
        successor.path,
        "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1"
    );
    assert_eq!(successor.source, codegen::ir::SuccessorSource::SameSummary);
}

#[test]
fn upstream_spec_bugs_are_warnings_that_name_the_operation() {
    let count = |version: &str, needle: &str| {
        let mut warnings = Vec::new();
        codegen::spec_apis(
            &common::spec(&aggregate(version)),
            &manifest(),
            &SpecOptions::default(),
            &mut warnings,
        )
        .unwrap();
        warnings.sort();
        warnings.dedup();
        let hits: Vec<_> = warnings.into_iter().filter(|w| w.message.contains(needle)).collect();
        assert!(hits
            .iter()
            .all(|w| w.operation.starts_with("GET /api/") || w.operation.starts_with("POST /api/")));
        hits.len()
    };
    // 17 operationIds shared by 44 operations.
    assert_eq!(count("2026-03-29", "is shared by"), 44);
    // 10 query parameters whose default is not one of their enum values.
    assert_eq!(count("2026-08-21", "is not one of its enum values"), 10);
}

#[test]
fn a_single_platform_can_be_named() {
    let opts = SpecOptions {
        platform: Some("xiaohongshu-pgy".into()),
        crate_name: Some("pgy".into()),
        ..SpecOptions::default()
    };
    let outputs = common::plan_generate(&aggregate("2026-05-11"), &manifest(), &opts).unwrap();
    assert_eq!(
        outputs.owned_dirs,
        [PathBuf::from("pgy"), PathBuf::from(codegen::RUNTIME_CRATE)]
    );
    let opts = SpecOptions {
        platform: Some("no-such-platform".into()),
        ..SpecOptions::default()
    };
    let err = common::plan_generate(&aggregate("2026-05-11"), &manifest(), &opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("public-api-2026-05-11.json#/paths") && err.contains("no-such-platform"),
        "{err}"
    );
}

#[test]
fn a_broken_aggregate_names_the_file_and_the_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(aggregate("2026-08-21")).unwrap()).unwrap();
    doc["paths"]["/api/xiaohongshu-pgy/get-kol-fans-portrait/v1"]["get"]["parameters"][1]["required"] =
        serde_json::json!("sometimes");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let err = common::plan_generate(&file, &manifest(), &SpecOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("broken.json#/paths/~1api~1xiaohongshu-pgy~1get-kol-fans-portrait~1v1/get/parameters/1"),
        "{err}"
    );
}

#[test]
fn progenitor_accepts_our_normalized_documents() {
    for version in VERSIONS {
        let mut warnings = Vec::new();
        let doc = codegen::json::export::normalized_document(
            &codegen::Source::new(aggregate(version), std::fs::read(aggregate(version)).unwrap()),
            &mut warnings,
        )
        .unwrap();
        let spec: openapiv3::OpenAPI = serde_json::from_value(doc).unwrap();
        let mut generator = progenitor::Generator::default();
        let tokens = generator
            .generate_tokens(&spec)
            .unwrap_or_else(|e| panic!("{version}: progenitor refused: {e}"));
        assert!(!tokens.is_empty());
    }
}

#[test]
fn progenitor_refuses_the_raw_downgrade_so_the_export_fixes_matter() {
    // Without the export's fixes (unique operationIds, valid defaults) progenitor fails on 2026-03-29.
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(aggregate("2026-03-29")).unwrap()).unwrap();
    codegen::json::downgrade::downgrade(&mut doc);
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc).unwrap();
    assert!(progenitor::Generator::default().generate_tokens(&spec).is_err());
}
