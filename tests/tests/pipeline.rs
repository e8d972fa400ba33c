//! The pipeline on the vendored definitions: bilingual IR, inferred types, names, deprecation, and the
//! errors a maintainer sees when upstream's two languages disagree.

mod common;

use codegen::ir::{Shape, SuccessorSource};
use common::{op_mut, TempRepo, FANS_PROFILE, PORTRAIT};
use serde_json::json;

fn portrait_repo() -> TempRepo {
    TempRepo::new(&[(PORTRAIT, Some(FANS_PROFILE)), (FANS_PROFILE, None)])
}

#[test]
fn ir_of_the_vendored_specs() {
    // Spec drift shows up here as a reviewable snapshot diff (`cargo insta review`).
    insta::assert_yaml_snapshot!("ir_xiaohongshu_pgy", common::repo_api());
}

#[test]
fn public_api_surface_of_the_vendored_specs() {
    // What a reviewer reads after a regen: methods, arguments, setters and response type trees, one screen per
    // change (`generated/` itself is checked by `cargo xtask check`, not copied here).
    insta::assert_snapshot!(
        "api_xiaohongshu_pgy",
        codegen::api_surface(&common::repo_api()).unwrap()
    );
}

#[test]
fn a_changed_example_shape_changes_the_api_surface() {
    let repo = portrait_repo();
    let before = codegen::api_surface(&repo.api().unwrap()).unwrap();
    for lang in ["en", "zh"] {
        repo.edit(PORTRAIT, lang, |doc| {
            let ages =
                &mut op_mut(doc)["responses"]["default"]["content"]["application/json"]["example"]["data"]["ages"];
            for age in ages.as_array_mut().unwrap() {
                age["percent"] = json!("12%");
            }
        });
    }
    let after = codegen::api_surface(&repo.api().unwrap()).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after);
    let changed: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        changed,
        ["    percent: Option<f64>\n", "    percent: Option<crate::Text>\n"],
        "one line of the surface changes"
    );
}

#[test]
fn texts_merge_into_one_bilingual_operation() {
    let api = portrait_repo().api().unwrap();
    let op = api
        .operations
        .iter()
        .find(|o| o.path.ends_with("get-kol-fans-portrait/v1"))
        .unwrap();
    assert_eq!(op.summary.en.as_deref(), Some("KOL Follower Profile (V1) [Deprecated]"));
    assert_eq!(op.summary.zh.as_deref(), Some("KOL粉丝画像 (V1) [已弃用]"));
    let names: Vec<&str> = op.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["kolId", "acceptCache"],
        "the token is client configuration, not a parameter"
    );
    assert_eq!(op.params[1].description.zh.as_deref(), Some("启用缓存。"));
    assert!(!op.params[1].required);
}

#[test]
fn the_portrait_example_becomes_typed_data() {
    let api = portrait_repo().api().unwrap();
    let op = api
        .operations
        .iter()
        .find(|o| o.path.ends_with("get-kol-fans-portrait/v1"))
        .unwrap();
    let Shape::Object { fields, .. } = &op.response.as_ref().unwrap().shape else {
        panic!("data is an object")
    };
    let keys: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ages",
            "gender",
            "interests",
            "provinces",
            "cities",
            "devices",
            "dateKey"
        ]
    );
    let devices = &fields[5].shape;
    let Shape::Array(item) = devices else {
        panic!("devices is an array")
    };
    let Shape::Object { fields: device, .. } = item.as_ref() else {
        panic!("of objects")
    };
    let device: Vec<(&str, &Shape)> = device.iter().map(|f| (f.name.as_str(), &f.shape)).collect();
    assert_eq!(
        device,
        [
            ("name", &Shape::String),
            ("desc", &Shape::String),
            ("percent", &Shape::Number)
        ]
    );
}

#[test]
fn deprecation_names_the_successor_from_the_successor_overlay() {
    let api = portrait_repo().api().unwrap();
    let op = api
        .operations
        .iter()
        .find(|o| o.path.ends_with("get-kol-fans-portrait/v1"))
        .unwrap();
    let d = op.deprecation.as_ref().expect("the portrait v1 is deprecated");
    let s = d.successor.as_ref().unwrap();
    assert_eq!(s.path, "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1");
    assert_eq!(s.source, SuccessorSource::Overlay);
    assert!(d.note.en.as_deref().unwrap().contains("deprecated"));
    assert!(d.note.zh.as_deref().unwrap().contains("过时"));
}

#[test]
fn languages_disagreeing_on_structure_is_an_error_naming_both_files_and_the_pointer() {
    let repo = portrait_repo();
    repo.edit(PORTRAIT, "zh", |doc| {
        op_mut(doc)["parameters"][1]["required"] = json!(false)
    });
    let err = repo.api().unwrap_err().to_string();
    assert!(
        err.contains(&common::rel_path(PORTRAIT, "en")) && err.contains(&common::rel_path(PORTRAIT, "zh")),
        "{err}"
    );
    assert!(
        err.contains("/paths/~1api~1xiaohongshu-pgy~1get-kol-fans-portrait~1v1/get/parameters/1/required"),
        "{err}"
    );
}

#[test]
fn languages_disagreeing_on_the_example_shape_points_into_the_example() {
    let repo = portrait_repo();
    repo.edit(PORTRAIT, "zh", |doc| {
        op_mut(doc)["responses"]["default"]["content"]["application/json"]["example"]["data"]["gender"]["male"] =
            json!("a third")
    });
    let err = repo.api().unwrap_err().to_string();
    assert!(err.contains("/example/data/gender/male"), "{err}");
    assert!(err.contains("English number, Chinese string"), "{err}");
}

#[test]
fn languages_disagreeing_on_deprecation_or_enum_values_are_errors() {
    let repo = portrait_repo();
    repo.edit(FANS_PROFILE, "zh", |doc| op_mut(doc)["deprecated"] = json!(true));
    let err = repo.api().unwrap_err().to_string();
    assert!(err.contains("/get/deprecated"), "{err}");

    let repo = TempRepo::new(&[("data-summary-v1", None)]);
    repo.edit("data-summary-v1", "en", |doc| {
        op_mut(doc)["parameters"][2]["schema"]["enum"] = json!(["DAILY_NOTE", "OTHER_NOTE"])
    });
    let err = repo.api().unwrap_err().to_string();
    assert!(err.contains("/parameters/2/schema/enum"), "{err}");
}

#[test]
fn a_changed_example_shape_changes_the_snapshotted_ir() {
    let repo = portrait_repo();
    let before = serde_norway::to_string(&repo.api().unwrap()).unwrap();
    for lang in ["en", "zh"] {
        repo.edit(PORTRAIT, lang, |doc| {
            let ages =
                &mut op_mut(doc)["responses"]["default"]["content"]["application/json"]["example"]["data"]["ages"];
            for age in ages.as_array_mut().unwrap() {
                age["percent"] = json!({"value": 1});
            }
        });
    }
    let after = serde_norway::to_string(&repo.api().unwrap()).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after);
    let changed: Vec<String> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| c.to_string())
        .collect();
    assert!(!changed.is_empty(), "the IR snapshot must change");
    assert!(changed.iter().any(|l| l.contains("value")), "{changed:?}");
}

#[test]
fn a_definition_for_another_path_than_its_file_name_says_is_rejected() {
    let repo = portrait_repo();
    repo.edit(FANS_PROFILE, "en", |doc| {
        let item = doc["paths"]["/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1"].take();
        doc["paths"] = json!({"/api/xiaohongshu-pgy/somewhere-else/v1": item});
    });
    let err = repo.api().unwrap_err().to_string();
    assert!(
        err.contains(&format!("{}#/paths", common::rel_path(FANS_PROFILE, "en"))),
        "{err}"
    );
    assert!(err.contains("/api/xiaohongshu-pgy/somewhere-else/v1"), "{err}");
}

#[test]
fn names_come_from_paths_so_renamed_operation_ids_change_nothing() {
    let repo = portrait_repo();
    let before = common::plan(repo.root()).unwrap();
    for lang in ["en", "zh"] {
        repo.edit(PORTRAIT, lang, |doc| {
            op_mut(doc)["operationId"] = json!("getApiXiaohongshuPgyGetKolFansPortraitV1")
        });
    }
    let after = common::plan(repo.root()).unwrap();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("@generated"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (path, text) in &before.files {
        // `generated/README.md` holds the inputs' digest, and the inputs did change.
        if path.ends_with("generated/README.md") {
            continue;
        }
        assert_eq!(strip(text), strip(&after.files[path]), "{} changed", path.display());
    }
}

#[test]
fn two_paths_that_would_share_a_method_name_are_an_error_naming_both() {
    let repo = portrait_repo();
    // A second spelling of the portrait path (dash vs underscore) derives the same method name: the catalogue
    // lists it (a copy of the follower profile under another summary) and its definitions are vendored.
    let (from, to) = (
        "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1",
        "/api/xiaohongshu-pgy/get_kol_fans_portrait/v1",
    );
    let catalogue = repo.root().join("specs/catalogue/public-api.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&catalogue).unwrap()).unwrap();
    let mut item = doc["paths"][from].clone();
    item["get"]["summary"] = json!("Fans Portrait (V1)");
    doc["paths"][to] = item;
    std::fs::write(&catalogue, serde_json::to_vec(&doc).unwrap()).unwrap();
    let api = codegen::catalogue::layout::check_path(to).unwrap();
    for lang in ["en", "zh"] {
        let mut def: serde_json::Value =
            serde_json::from_slice(&std::fs::read(repo.spec(FANS_PROFILE, lang)).unwrap()).unwrap();
        let item = def["paths"][from].take();
        def["paths"] = json!({ to: item });
        let l = if lang == "en" {
            codegen::manifest::Lang::En
        } else {
            codegen::manifest::Lang::Zh
        };
        let rel = codegen::catalogue::layout::rel_path(codegen::ir::Method::Get, &api, l);
        std::fs::write(repo.root().join("specs").join(rel), serde_json::to_vec(&def).unwrap()).unwrap();
    }
    let err = common::plan(repo.root()).unwrap_err().to_string();
    assert!(err.contains("get_kol_fans_portrait_v1"), "{err}");
    assert!(
        err.contains("GET /api/xiaohongshu-pgy/get-kol-fans-portrait/v1"),
        "{err}"
    );
    assert!(
        err.contains("GET /api/xiaohongshu-pgy/get_kol_fans_portrait/v1"),
        "{err}"
    );
}
