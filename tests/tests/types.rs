//! Response types on real upstream data: objects keyed by data become maps on every platform, and the type
//! memory keeps the Pgy types alive across upstream's six aggregate versions.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use codegen::ir::{Api, Shape, ShapeOrigin};
use codegen::{Memories, SpecOptions};
use common::{aggregate, manifest, VERSIONS};

/// `data.a[].b` -> shape, for every struct field and map of an API's responses.
fn places(api: &Api) -> BTreeMap<String, Shape> {
    fn walk(shape: &Shape, at: String, out: &mut BTreeMap<String, Shape>) {
        out.insert(at.clone(), shape.clone());
        match shape {
            Shape::Optional(inner) => walk(inner, at, out),
            Shape::Array(inner) => walk(inner, format!("{at}[]"), out),
            Shape::Map(inner) => walk(inner, format!("{at}.*"), out),
            Shape::Object { fields, rest } => {
                for f in fields {
                    walk(&f.shape, format!("{at}.{}", f.name), out);
                }
                if let Some(rest) = rest {
                    walk(rest, format!("{at}.*"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for op in &api.operations {
        if let Some(r) = &op.response {
            walk(&r.shape, format!("{} data", op.path), &mut out);
        }
    }
    out
}

/// A key that is plainly data: a number, a date, an id with five or more digits, a URL, a hash.
fn plainly_data(key: &str) -> bool {
    let digits_run = key
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    let hex_run = key
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|run| run.chars().any(|c| c.is_ascii_digit()) && run.chars().any(|c| c.is_ascii_alphabetic()))
        .map(str::len)
        .max()
        .unwrap_or(0);
    key.starts_with(|c: char| c.is_ascii_digit()) || digits_run >= 5 || key.contains("://") || hex_run >= 12
}

#[test]
fn no_struct_field_of_any_platform_is_named_after_a_data_key() {
    let apis = codegen::spec_apis(
        &common::spec(&aggregate("2026-04-16")),
        &manifest(),
        &SpecOptions::default(),
        &mut Vec::new(),
    )
    .unwrap();
    let mut named_after_data = Vec::new();
    for api in &apis {
        for op in &api.operations {
            let Some(r) = &op.response else { continue };
            let mut stack = vec![&r.shape];
            while let Some(shape) = stack.pop() {
                match shape {
                    Shape::Optional(i) | Shape::Array(i) | Shape::Map(i) => stack.push(i),
                    Shape::Object { fields, rest } => {
                        for f in fields {
                            if plainly_data(&f.name) {
                                named_after_data.push(format!("{} {}", op.path, f.name));
                            }
                            stack.push(&f.shape);
                        }
                        stack.extend(rest.as_deref());
                    }
                    _ => {}
                }
            }
        }
    }
    assert_eq!(named_after_data, Vec::<String>::new());

    // The cases the issue measured are maps (or data-keyed entries) of one value type.
    let all: BTreeMap<String, Shape> = apis.iter().flat_map(places).collect();
    let is_map = |at: &str| matches!(all.get(at).map(Shape::non_null), Some(Shape::Map(_)));
    for at in [
        "/api/bilibili/get-video-detail/v2 data.cidMap",
        "/api/bilibili/get-video-detail/v2 data.cidMap.*.cids",
        "/api/bilibili/search-video/v2 data.data.exp_list",
        "/api/taobao/get-item-detail/v1 data.itemSkuDO.skuList",
        "/api/kuaishou/get-video-comment/v1 data.subCommentsMap",
        "/api/douyin-xingtu/gw/api/data_sp/item_report_th_analysis/v1 data.like_info",
        "/api/weibo/get-user-post/v1 data.data.list[].pic_infos",
        "/api/zhihu/get-column-article-detail/v1 data.reaction.image_reactions",
    ] {
        assert!(is_map(at), "{at}: {:?}", all.get(at));
    }
    // ... while records stay structs: kuaishou's `host-name` beside names, toutiao's Chinese record keys.
    assert!(matches!(
        all.get("/api/kuaishou/get-user-detail/v1 data").map(Shape::non_null),
        Some(Shape::Object { .. })
    ));
    assert!(matches!(
        all.get("/api/toutiao/search/v1 data.list[]").map(Shape::non_null),
        Some(Shape::Object { .. })
    ));
}

fn pgy_slice(version: &str) -> PathBuf {
    common::workspace_root().join(format!("tests/fixtures/public-api/xiaohongshu-pgy-{version}.json"))
}

/// The Pgy API of one version, read with `memory`; returns it and the memory it leaves.
fn generate(version: &str, memory: &Memories) -> (Api, Memories) {
    let (mut apis, learned) = codegen::spec_apis_remembering(
        &common::spec(&pgy_slice(version)),
        &manifest(),
        &SpecOptions::default(),
        memory,
        &mut Vec::new(),
    )
    .unwrap();
    assert_eq!(apis.len(), 1);
    (apis.remove(0), learned)
}

#[test]
fn replaying_six_upstream_versions_with_one_memory_keeps_every_type() {
    const PORTRAIT: &str = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";
    let mut memory = Memories::new();
    // Per operation: the typed shape of its latest example, and the version it came from.
    let mut latest: BTreeMap<String, (Shape, &str)> = BTreeMap::new();
    let mut portrait_0416 = None;
    for version in VERSIONS {
        let (api, learned) = generate(version, &memory);
        memory = learned;
        for op in &api.operations {
            let response = op.response.as_ref();
            let fresh = response.is_some_and(|r| r.origin == ShapeOrigin::Example && r.shape != Shape::Any);
            // Without a new example, the type is the last one an example showed.
            if let Some((shape, seen)) = latest.get(&op.path).filter(|_| !fresh) {
                let r = response.unwrap_or_else(|| panic!("{version} {}: untyped", op.path));
                assert_eq!(&r.shape, shape, "{version} {}: the type of {seen}", op.path);
                if r.origin == ShapeOrigin::Memory {
                    let p = r.remembered.as_ref().unwrap();
                    assert_eq!(p.seen.as_str(), *seen, "{version} {}", op.path);
                    assert_eq!(p.source, format!("xiaohongshu-pgy-{seen}.json"));
                }
            }
            if let Some(r) = response.filter(|r| r.origin == ShapeOrigin::Example && r.shape != Shape::Any) {
                latest.insert(op.path.clone(), (r.shape.clone(), version));
            }
            if op.path == PORTRAIT && version == "2026-04-16" {
                portrait_0416 = response.map(|r| r.shape.clone());
            }
            if op.path == PORTRAIT && version > "2026-04-16" {
                assert_eq!(
                    response.map(|r| &r.shape),
                    portrait_0416.as_ref(),
                    "{version}: the 04-16 portrait"
                );
            }
        }
        if version >= "2026-04-23" {
            // Upstream dropped every example on 04-23: every operation an example ever typed is typed by the
            // memory, none is raw JSON that was typed before.
            let remembered = api
                .operations
                .iter()
                .filter(|o| o.response.as_ref().is_some_and(|r| r.origin == ShapeOrigin::Memory))
                .count();
            let ever_typed = api.operations.iter().filter(|o| latest.contains_key(&o.path)).count();
            assert_eq!(remembered, ever_typed, "{version}");
            assert!(remembered >= 14, "{version}: {remembered}");
        }
    }
    // The portrait is back on 08-21, deprecated, with no example: typed by the memory, with the 04-16 shape.
    let (api, _) = generate("2026-08-21", &memory);
    let portrait = api.operations.iter().find(|o| o.path == PORTRAIT).unwrap();
    let r = portrait.response.as_ref().unwrap();
    assert_eq!(r.origin, ShapeOrigin::Memory);
    assert_eq!(Some(&r.shape), portrait_0416.as_ref());
    let Shape::Object { fields, .. } = &r.shape else {
        panic!()
    };
    assert_eq!(fields[0].name, "fansPortrait", "the 04-16 shape, not the seed's");
}

#[test]
fn without_a_memory_dropped_examples_leave_raw_json() {
    let (api, memory) = generate("2026-04-23", &Memories::new());
    assert!(api.operations.iter().all(|o| o.response.is_none()));
    assert!(memory["xiaohongshu-pgy"].is_empty());
}

#[test]
fn the_drift_report_judges_with_the_memory() {
    let (_, memory) = generate("2026-04-16", &Memories::new());
    let (old, new) = (pgy_slice("2026-04-16"), pgy_slice("2026-04-23"));
    let opts = SpecOptions::default();
    let (old, new) = (common::spec(&old), common::spec(&new));
    let without = codegen::diff::diff_specs(&old, &new, &manifest(), &opts).unwrap();
    let with = codegen::diff::diff_specs_remembering(&old, &new, &manifest(), &opts, Some(&memory)).unwrap();
    let shape_changes = |r: &codegen::diff::Report| {
        r.changes
            .iter()
            .filter(|c| c.kind == codegen::diff::Kind::ResponseShapeChanged)
            .count()
    };
    assert!(shape_changes(&without) >= 21, "{}", without.to_markdown());
    assert_eq!(shape_changes(&with), 0, "{}", with.to_markdown());
    let kept = with
        .changes
        .iter()
        .filter(|c| c.detail.contains("the type is kept from the type memory"))
        .count();
    assert!(kept >= 21, "{}", with.to_markdown());
    // What still breaks is what really changed: the removed operation.
    assert!(with
        .changes
        .iter()
        .any(|c| c.kind == codegen::diff::Kind::OperationRemoved));
}
