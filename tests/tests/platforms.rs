//! The whole API: every operation of the vendored catalogue (`specs/catalogue/public-api.json`, upstream as of
//! 2026-08-21: 297 published, 51 hidden from the docs) is a method of its platform crate under `generated/`,
//! and so is every endpoint the crates shipped before (the seed era's docs index,
//! `tests/fixtures/docs-openapi-index.json`: 201 endpoints, 38 of them now hidden, 7 no longer listed); deprecated
//! ones are `#[deprecated]`; the facade crate `justoneapi` compiles only the platforms it is asked for and serves
//! them all with one client, and the README's platform table is what the tool computes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
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
}

/// The endpoints the crates shipped in the seed era.
fn seed_index() -> Vec<IndexEntry> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/docs-openapi-index.json");
    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap()
}

fn catalogue() -> codegen::catalogue::Catalogue {
    let file = workspace_root().join("specs/catalogue/public-api.json");
    let source = codegen::Source::new(&file, std::fs::read(&file).unwrap());
    codegen::catalogue::Catalogue::parse(&source, codegen::catalogue::Limits::default(), &mut Vec::new()).unwrap()
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

/// Every operation module of a generated crate, by the HTTP method and path it calls (`PATH`, and the method
/// its `Parts` are made with): the client methods it defines.
fn methods_by_endpoint(krate: &Path) -> BTreeMap<(String, String), Vec<Method>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(krate.join("src/ops")).unwrap() {
        let file = entry.unwrap().path();
        if file.file_name().unwrap() == "mod.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let ast = syn::parse_file(&text).unwrap();
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
        let http = if text.contains("Method::POST") { "post" } else { "get" };
        out.insert((http.to_owned(), path), methods);
    }
    out
}

#[test]
fn every_endpoint_upstream_lists_and_every_one_the_crates_shipped_is_a_method() {
    let generated = workspace_root().join("generated");
    let catalogue = catalogue();
    let seed = seed_index();
    assert_eq!(catalogue.entries.len(), 348);
    assert_eq!(catalogue.entries.iter().filter(|e| e.hidden).count(), 51);
    assert_eq!(seed.len(), 201);
    // (method, path) -> deprecated: the catalogue's word, and for what it no longer lists, deprecated here.
    let mut expected: BTreeMap<(String, String), bool> = catalogue
        .entries
        .iter()
        .map(|e| ((e.method.as_str().to_ascii_lowercase(), e.path.clone()), e.deprecated))
        .collect();
    let mut gone = 0;
    let mut hidden_shipped = 0;
    for e in &seed {
        let key = (e.method.clone(), e.path.clone());
        match catalogue.find(codegen::ir::Method::Get, &e.path) {
            Some(listed) => hidden_shipped += usize::from(listed.hidden),
            None => {
                gone += 1;
                expected.insert(key, true);
            }
        }
    }
    assert_eq!((hidden_shipped, gone), (38, 7));
    let mut crates: BTreeMap<String, BTreeMap<(String, String), Vec<Method>>> = BTreeMap::new();
    let mut missing = Vec::new();
    for ((http, path), deprecated) in &expected {
        let krate = format!("justoneapi-{}", platform(path));
        let methods = crates
            .entry(krate.clone())
            .or_insert_with(|| methods_by_endpoint(&generated.join(&krate)));
        match methods.get(&(http.clone(), path.clone())).map(Vec::as_slice) {
            Some([m]) => assert_eq!(
                m.deprecated, *deprecated,
                "{krate}::Client::{} ({http} {path}): #[deprecated] must follow upstream",
                m.name
            ),
            other => missing.push(format!(
                "{krate}: {http} {path} has {} methods",
                other.map_or(0, <[Method]>::len)
            )),
        }
    }
    assert_eq!(missing, Vec::<String>::new());
    assert_eq!(crates.len(), 36, "one crate per platform");
    // Nothing more either: every module of a crate is one of those endpoints.
    let known: BTreeSet<&(String, String)> = expected.keys().collect();
    for (krate, methods) in &crates {
        for endpoint in methods.keys() {
            assert!(
                known.contains(endpoint),
                "{krate}: {endpoint:?} is neither listed nor shipped before"
            );
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
    assert_eq!(platform_crates_with(&["full"]).len(), 36);
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
    let user = documented_example("definitions/douyin/get.get-user-detail.v3.en.json", USER);
    let fans = documented_example(
        "definitions/xiaohongshu-pgy/get.api.solar.kol.data.userId.fans_profile.v1.en.json",
        FANS,
    );
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
    assert_eq!(generated.stats.len(), 36);
    let operations: usize = generated.stats.iter().map(|s| s.operations).sum();
    assert_eq!(
        operations,
        348 + 7,
        "the catalogue's operations and the 7 it no longer lists"
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

/// rustdoc's search finds an operation by what people call it, in English and Chinese: upstream's search
/// aliases, also without the platform name they start with (rustdoc matches an alias from its start), and a
/// platform's client by the platform's names. (Checked in rustdoc's search page: "粉丝画像" and "audience
/// profile" list `api_solar_kol_data_user_id_fans_profile_v1`.)
#[test]
fn upstreams_search_aliases_are_rustdoc_aliases() {
    let generated = workspace_root().join("generated");
    let read = |p: &str| std::fs::read_to_string(generated.join(p)).unwrap();
    let profile = read("justoneapi-xiaohongshu-pgy/src/ops/api_solar_kol_data_user_id_fans_profile_v1.rs");
    for alias in [
        "小红书蒲公英粉丝画像",
        "粉丝画像",
        "Pugongying audience profile",
        "audience profile",
    ] {
        assert!(profile.contains(&format!("#[doc(alias = \"{alias}\")]")), "{alias}");
    }
    let lib = read("justoneapi-xiaohongshu-pgy/src/lib.rs");
    assert!(
        lib.contains("#[doc(alias = \"蒲公英\")]\n#[derive(Debug, Clone)]\npub struct Client"),
        "{lib}"
    );
    let facade = read("justoneapi/src/lib.rs");
    assert!(
        facade.contains("#[doc(alias = \"蒲公英\")]"),
        "the facade's method for the platform"
    );
    // No alias rustdoc would refuse anywhere: no quote, no apostrophe, no whitespace but inner single spaces.
    for entry in std::fs::read_dir(&generated).unwrap() {
        let ops = entry.unwrap().path().join("src/ops");
        for file in std::fs::read_dir(&ops).into_iter().flatten() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| l.trim_start().starts_with("#[doc(alias = ")) {
                let alias = line
                    .trim()
                    .trim_start_matches("#[doc(alias = \"")
                    .trim_end_matches("\")]");
                assert!(
                    !alias.contains(['"', '\'', '\\']) && alias.trim() == alias && !alias.contains("  "),
                    "{line}"
                );
            }
        }
    }
}
