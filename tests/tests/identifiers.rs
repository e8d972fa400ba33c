//! Every Rust name derived from upstream's names is a valid ASCII identifier: over all six aggregate
//! definitions (paths, parameters, enum values, keys of response examples and schemas), through
//! `codegen::names` directly and through the whole pipeline (`names::plan` of each API); and every `.rs` file
//! generated from the aggregates parses with `syn`.

mod common;

use common::{aggregate, manifest, VERSIONS};

use std::collections::BTreeSet;

use codegen::names;
use codegen::SpecOptions;
use proptest::prelude::*;
use serde_json::Value;
use syn::ext::IdentExt;

/// A snake-case name (method, module, parameter, field) as the emitter writes it: `ident_text` escapes
/// keywords (`r#type`, `self_`).
fn check_snake(name: &str, from: &str, bad: &mut Vec<String>) {
    let text = names::ident_text(name);
    if !text.is_ascii() || syn::parse_str::<syn::Ident>(&text).is_err() {
        bad.push(format!("snake `{text}` from {from}"));
    }
}

/// A type or variant name, written as is.
fn check_pascal(name: &str, from: &str, bad: &mut Vec<String>) {
    if !name.is_ascii() || syn::parse_str::<syn::Ident>(name).is_err() {
        bad.push(format!("type `{name}` from {from}"));
    }
}

/// Every name in the document that becomes a Rust name, by kind.
#[derive(Default)]
struct Raw {
    /// (path, platform, POST with a GET twin)
    paths: BTreeSet<(String, String, codegen::ir::Method)>,
    params: BTreeSet<String>,
    enum_values: BTreeSet<String>,
    keys: BTreeSet<String>,
}

fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.insert(k.clone());
                collect_keys(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_keys(i, out)),
        _ => {}
    }
}

/// Walks the definition: examples (their keys), schemas' `properties` (their keys), `enum`s (their values).
fn walk(v: &Value, raw: &mut Raw) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                match k.as_str() {
                    "example" | "examples" => collect_keys(child, &mut raw.keys),
                    "enum" => {
                        for e in child.as_array().into_iter().flatten() {
                            raw.enum_values.insert(match e {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            });
                        }
                    }
                    "properties" => {
                        for (name, prop) in child.as_object().into_iter().flatten() {
                            raw.keys.insert(name.clone());
                            walk(prop, raw);
                        }
                    }
                    _ => walk(child, raw),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, raw)),
        _ => {}
    }
}

fn raw_names(doc: &Value) -> Raw {
    let mut raw = Raw::default();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let item = item.as_object().unwrap();
        for method in ["get", "post"] {
            let Some(op) = item.get(method) else { continue };
            let method = if method == "post" {
                codegen::ir::Method::Post
            } else {
                codegen::ir::Method::Get
            };
            raw.paths.insert((path.clone(), codegen::platform_of(path), method));
            for p in op["parameters"].as_array().into_iter().flatten() {
                if let Some(name) = p["name"].as_str() {
                    raw.params.insert(name.to_owned());
                }
            }
            for (name, _) in op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .flat_map(|(_, media)| media.pointer("/schema/properties").and_then(Value::as_object))
                .flatten()
            {
                raw.params.insert(name.clone());
            }
        }
    }
    walk(doc, &mut raw);
    raw
}

#[test]
fn every_name_in_the_six_aggregates_becomes_a_valid_ascii_identifier() {
    let mut bad = Vec::new();
    let mut counted = [0usize; 4];
    for version in VERSIONS {
        let doc: Value = serde_json::from_slice(&std::fs::read(aggregate(version)).unwrap()).unwrap();
        let raw = raw_names(&doc);
        for (path, platform, method) in &raw.paths {
            let from = format!("{version} path {path}");
            check_snake(&names::operation_fn(*method, path, platform), &from, &mut bad);
            check_pascal(&names::operation_type(*method, path, platform), &from, &mut bad);
        }
        for p in &raw.params {
            let from = format!("{version} parameter {p:?}");
            check_snake(&names::snake(p, "param"), &from, &mut bad);
            check_snake(&names::snake_spelled(p, "param"), &from, &mut bad);
            check_pascal(&names::pascal(p, "Param"), &from, &mut bad);
        }
        for v in &raw.enum_values {
            let from = format!("{version} enum value {v:?}");
            check_pascal(&names::pascal(v, "Empty"), &from, &mut bad);
            check_pascal(&names::pascal_spelled(v, "Empty"), &from, &mut bad);
        }
        for k in &raw.keys {
            let from = format!("{version} key {k:?}");
            check_snake(&names::snake(k, "field"), &from, &mut bad);
            check_snake(&names::snake_spelled(k, "field"), &from, &mut bad);
            check_pascal(&names::pascal(k, "Field"), &from, &mut bad);
        }
        counted[0] += raw.paths.len();
        counted[1] += raw.params.len();
        counted[2] += raw.enum_values.len();
        counted[3] += raw.keys.len();
    }
    assert!(bad.is_empty(), "{} invalid names:\n{}", bad.len(), bad.join("\n"));
    // The walk found what it should (not a vacuous pass).
    assert!(counted.iter().all(|&n| n > 50), "{counted:?}");
}

/// The names the emitter actually uses: `names::plan` of every API of every version.
#[test]
fn every_planned_name_of_every_platform_is_a_valid_ascii_identifier() {
    let manifest = manifest();
    let mut bad = Vec::new();
    let mut total = 0;
    for version in VERSIONS {
        let apis = codegen::spec_apis(
            &common::spec(&aggregate(version)),
            &manifest,
            &SpecOptions::default(),
            &mut Vec::new(),
        )
        .unwrap();
        for api in &apis {
            let plan = names::plan(api).unwrap();
            for n in &plan.ops {
                let from = format!("{version} {} {}", n.op.method.as_str(), n.op.path);
                check_snake(&n.func, &from, &mut bad);
                n.params.iter().for_each(|p| check_snake(&p.name, &from, &mut bad));
                for e in n.params.iter().filter_map(|p| p.enum_names.as_ref()) {
                    check_pascal(&e.type_name, &from, &mut bad);
                    e.variants.iter().for_each(|v| check_pascal(v, &from, &mut bad));
                    total += e.variants.len();
                }
                for s in n.structs.values() {
                    check_pascal(&s.type_name, &from, &mut bad);
                    s.fields.iter().for_each(|f| check_snake(f, &from, &mut bad));
                    total += s.fields.len();
                }
                total += 1 + n.params.len();
            }
        }
    }
    assert!(bad.is_empty(), "{} invalid names:\n{}", bad.len(), bad.join("\n"));
    assert!(total > 10_000, "{total}");
}

/// Every `.rs` file generated from every version parses; `ops/mod.rs` declares exactly the operation files.
#[test]
fn every_file_generated_from_the_six_aggregates_is_valid_rust() {
    let manifest = manifest();
    let mut parsed_templates = false;
    for version in VERSIONS {
        let out = common::plan_generate(&aggregate(version), &manifest, &SpecOptions::default())
            .unwrap_or_else(|e| panic!("{version}: {e}"));
        for (path, text) in &out.files {
            let p = path.to_string_lossy().replace('\\', "/");
            if !p.ends_with(".rs") {
                continue;
            }
            // The runtime templates (the shared runtime crate) are the same in every version: parse them once.
            let template = codegen::TEMPLATES.iter().any(|(t, _)| p.ends_with(t));
            if template && parsed_templates {
                continue;
            }
            syn::parse_file(text).unwrap_or_else(|e| panic!("{version}: {p}: {e}"));
        }
        parsed_templates = true;
        // Platform crates (the runtime and the facade have no operations).
        for dir in out
            .owned_dirs
            .iter()
            .filter(|d| out.files.contains_key(&d.join("src/ops/mod.rs")))
        {
            let ops_dir = dir.join("src/ops");
            let declared: BTreeSet<String> = syn::parse_file(&out.files[&ops_dir.join("mod.rs")])
                .unwrap()
                .items
                .iter()
                .filter_map(|i| match i {
                    syn::Item::Mod(m) => Some(m.ident.unraw().to_string()),
                    _ => None,
                })
                .collect();
            let files: BTreeSet<String> = out
                .files
                .keys()
                .filter(|p| p.parent() == Some(ops_dir.as_path()))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .filter(|s| s != "mod")
                .collect();
            assert_eq!(declared, files, "{version}: {}", dir.display());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the wire name, each derivation gives a valid ASCII identifier.
    #[test]
    fn any_wire_name_derives_valid_identifiers(raw in prop_oneof![
        "\\PC{0,12}",
        ".{0,6}",
        "[a-zA-Z0-9_ -]{0,12}",
        prop::sample::select(vec!["self", "Self", "super", "crate", "_", "type", "r#type", "gen", "macro_rules",
                                  "union", "static", "dyn", "async", "1", "美食", "😀", ""]).prop_map(String::from),
    ]) {
        for snake in [names::snake(&raw, "field"), names::snake_spelled(&raw, "field"),
                      names::operation_fn(codegen::ir::Method::Post, &format!("/api/p/{raw}"), "p")] {
            let text = names::ident_text(&snake);
            prop_assert!(text.is_ascii(), "{text}");
            prop_assert!(syn::parse_str::<syn::Ident>(&text).is_ok(), "{raw:?} -> {text}");
        }
        for pascal in [names::pascal(&raw, "Field"), names::pascal_spelled(&raw, "Field"),
                       names::operation_type(codegen::ir::Method::Post, &format!("/api/p/{raw}"), "p")] {
            prop_assert!(pascal.is_ascii(), "{pascal}");
            prop_assert!(syn::parse_str::<syn::Ident>(&pascal).is_ok(), "{raw:?} -> {pascal}");
        }
    }
}
