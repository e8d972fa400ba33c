//! The whole API: every endpoint of the docs site's index (`tests/fixtures/docs-openapi-index.json`, 201
//! endpoints in 25 groups) is a method of its platform crate under `generated/`, deprecated ones are
//! `#[deprecated]`, the facade crate `justoneapi` compiles only the platforms it is asked for and serves them
//! all with one client, and the README's platform table is what the tool computes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::workspace_root;

#[derive(Debug, Deserialize)]
struct IndexEntry {
    path: String,
    method: String,
    group: String,
    slug: String,
    deprecated: bool,
}

fn index() -> Vec<IndexEntry> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/docs-openapi-index.json");
    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap()
}

/// The platform of a path: its segment after `/api/`.
fn platform(path: &str) -> &str {
    path.trim_start_matches("/api/").split('/').next().unwrap()
}

/// A method of a generated `impl Client` block.
struct Method {
    name: String,
    deprecated: bool,
}

/// Every operation module of a generated crate, by the HTTP path (`pub const PATH`) it calls: the client methods
/// it defines.
fn methods_by_path(krate: &Path) -> BTreeMap<String, Vec<Method>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(krate.join("src/ops")).unwrap() {
        let file = entry.unwrap().path();
        if file.file_name().unwrap() == "mod.rs" {
            continue;
        }
        let ast = syn::parse_file(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut path = None;
        let mut methods = Vec::new();
        for item in &ast.items {
            match item {
                syn::Item::Const(c) if c.ident == "PATH" => {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s), ..
                    }) = &*c.expr
                    {
                        path = Some(s.value());
                    }
                }
                syn::Item::Impl(imp) if matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client")) => {
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            methods.push(Method {
                                name: f.sig.ident.to_string(),
                                deprecated: f.attrs.iter().any(|a| a.path().is_ident("deprecated")),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let path = path.unwrap_or_else(|| panic!("{} has no PATH", file.display()));
        out.insert(path, methods);
    }
    out
}

#[test]
fn every_endpoint_of_the_index_is_a_method_and_every_deprecated_one_warns() {
    let generated = workspace_root().join("generated");
    let index = index();
    assert_eq!(index.len(), 201);
    let mut crates: BTreeMap<String, BTreeMap<String, Vec<Method>>> = BTreeMap::new();
    let mut missing = Vec::new();
    for e in &index {
        assert_eq!(e.method, "get", "{}", e.path);
        let krate = format!("justoneapi-{}", platform(&e.path));
        let methods = crates
            .entry(krate.clone())
            .or_insert_with(|| methods_by_path(&generated.join(&krate)));
        match methods.get(&e.path).map(Vec::as_slice) {
            Some([m]) => assert_eq!(
                m.deprecated, e.deprecated,
                "{krate}::Client::{} ({} {}/{}): #[deprecated] must follow upstream",
                m.name, e.path, e.group, e.slug
            ),
            other => missing.push(format!(
                "{krate}: {} has {} methods",
                e.path,
                other.map_or(0, <[Method]>::len)
            )),
        }
    }
    assert_eq!(missing, Vec::<String>::new());
    assert_eq!(crates.len(), 25, "one crate per platform");
    // Nothing more either: every module of a crate is an endpoint of the index.
    let indexed: Vec<&str> = index.iter().map(|e| e.path.as_str()).collect();
    for (krate, methods) in &crates {
        for path in methods.keys() {
            assert!(indexed.contains(&path.as_str()), "{krate}: {path} is not in the index");
        }
    }
}

/// The packages `cargo tree` resolves for the facade with `features`, that are platform crates.
fn platform_crates_with(features: &[&str]) -> Vec<String> {
    let mut args = vec![
        "tree",
        "--offline",
        "-p",
        "justoneapi",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--no-default-features",
    ];
    let joined = features.join(",");
    if !features.is_empty() {
        args.extend(["--features", &joined]);
    }
    let out = Command::new(env!("CARGO"))
        .args(&args)
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut found: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|name| name.starts_with("justoneapi-") && *name != "justoneapi-runtime")
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_facade_compiles_only_the_platforms_it_is_asked_for() {
    assert_eq!(
        platform_crates_with(&[]),
        Vec::<String>::new(),
        "no platform by default"
    );
    assert_eq!(platform_crates_with(&["douyin"]), ["justoneapi-douyin"]);
    assert_eq!(
        platform_crates_with(&["douyin-xingtu", "xiaohongshu-pgy"]),
        ["justoneapi-douyin-xingtu", "justoneapi-xiaohongshu-pgy"]
    );
    assert_eq!(platform_crates_with(&["full"]).len(), 25);
}

/// The documented response example of a vendored definition.
fn documented_example(rel: &str, api_path: &str) -> Value {
    let file = workspace_root().join("specs").join(rel);
    let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let example =
        doc["paths"][api_path]["get"]["responses"]["default"]["content"]["application/json"]["example"].clone();
    assert_eq!(example["code"], 0, "{}", file.display());
    example
}

#[tokio::test]
async fn one_facade_client_serves_every_enabled_platform_with_its_typed_responses() {
    const USER: &str = "/api/douyin/get-user-detail/v3";
    const FANS: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";
    let server = MockServer::start().await;
    let user = documented_example("douyin-apis/user-profile-v3-en.json", USER);
    let fans = documented_example("xiaohongshu-pgy-apis/fans-profile-v1-en.json", FANS);
    Mock::given(method("GET"))
        .and(path(USER))
        .and(query_param("token", "T"))
        .and(query_param("secUid", "SEC"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&user))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(FANS))
        .and(query_param("userId", "U"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&fans))
        .expect(1)
        .mount(&server)
        .await;

    let client = justoneapi::Client::builder("T").base_url(server.uri()).build().unwrap();
    assert!(
        client.user_agent().starts_with("justoneapi/"),
        "{}",
        client.user_agent()
    );

    let response = client.douyin().get_user_detail_v3("SEC").await.unwrap();
    assert!(response.mismatches.is_empty(), "{:?}", response.mismatches);
    let nickname = response.data.user.as_ref().and_then(|u| u.nickname.clone());
    assert_eq!(nickname.as_deref(), user["data"]["user"]["nickname"].as_str());
    assert_eq!(response.raw_data(), user["data"]);

    let response = client
        .xiaohongshu_pgy()
        .api_solar_kol_data_user_id_fans_profile_v1("U")
        .await
        .unwrap();
    assert!(response.mismatches.is_empty(), "{:?}", response.mismatches);
    assert_eq!(response.raw_data(), fans["data"]);
    // Both platform clients came from one configuration: the same server, token and agent.
    assert_eq!(client.douyin().base_url(), client.xiaohongshu_pgy().base_url());
    assert_eq!(client.douyin().user_agent(), client.user_agent());
}

#[test]
fn the_readme_platform_table_is_the_one_the_tool_computes() {
    let (_, generated) = xtask::cmd::regen::plan(&workspace_root()).unwrap();
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let table = codegen::stats::markdown_table(&generated.stats);
    assert_eq!(
        xtask::cmd::stats::with_table(&readme, &table).as_deref(),
        Some(readme.as_str())
    );
    assert_eq!(generated.stats.len(), 25);
    let (operations, deprecated): (usize, usize) = generated
        .stats
        .iter()
        .fold((0, 0), |(o, d), s| (o + s.operations, d + s.deprecated));
    assert_eq!(
        (operations, deprecated),
        (201, 33),
        "the index's endpoints and deprecations"
    );
}

#[test]
fn every_platform_crate_and_the_facade_are_workspace_members() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(workspace_root())
        .output()
        .unwrap();
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let members: Vec<PathBuf> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| PathBuf::from(p["manifest_path"].as_str().unwrap()))
        .collect();
    for dir in std::fs::read_dir(workspace_root().join("generated")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            assert!(
                members.contains(&dir.join("Cargo.toml")),
                "{} is not a member",
                dir.display()
            );
        }
    }
}
