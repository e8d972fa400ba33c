//! Every lifecycle upstream has shown, each followed by one `cargo xtask regen` against a loopback upstream,
//! from a seed-era checkout of three platforms (Xiaohongshu Pgy, Taobao, Facebook; fixtures in
//! `tests/fixtures/lifecycle/`, built from `../shared/upstream` by its `build.py`):
//!
//! * the 2026-04-16 era as upstream published it: every Pgy definition moved (tags and summaries renamed),
//!   Facebook gained two endpoints, `web` is a new platform, Taobao's `get-item-detail/v3` left the catalogue;
//! * a copy of its catalogue edited for the rest: an endpoint hidden from the docs, a hidden one never vendored,
//!   one listed again, a whole platform gone, a POST added beside a GET of the same path, a definition upstream
//!   does not serve, an endpoint removed for good, and the older catalogue again.
//!
//! After each regen `check` is clean and `drift` against the same upstream exits 0: the states are recorded.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{code, copy_dir, published, repo_root, snapshot, text, xtask, Server};

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/lifecycle")
}

fn today() -> String {
    xtask::project::today_utc()
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_file(path: impl AsRef<Path>) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// A seed-era checkout: the repository's manifest (its shared part: servers, codes, notice, catalogue source)
/// with the three platforms' crates at 0.2.0, the repository's README (for the platform table) and portrait
/// overlay, the seed catalogue and definitions, a lock describing them, and `generated/` from them.
fn seed_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("specs");
    let real = read(repo_root().join("specs/manifest.yaml"));
    let shared = &real[..real.find("\ncrates:").unwrap()];
    let mut manifest = format!("{shared}\ncrates:\n");
    for platform in ["xiaohongshu-pgy", "taobao", "facebook"] {
        manifest.push_str(&format!(
            "  - platform: {platform}\n    name: justoneapi-{platform}\n    version: 0.2.0\n"
        ));
    }
    std::fs::create_dir_all(specs.join("catalogue")).unwrap();
    std::fs::create_dir_all(specs.join("overlays")).unwrap();
    std::fs::write(specs.join("manifest.yaml"), manifest).unwrap();
    std::fs::create_dir_all(specs.join("changelog")).unwrap();
    std::fs::write(
        specs.join("changelog/justoneapi.md"),
        format!(
            "{}\n## 0.2.0 (2026-03-29)\n\nFirst release.\n",
            xtask::release::CHANGELOG_HEADER
        ),
    )
    .unwrap();
    std::fs::copy(repo_root().join("README.md"), dir.path().join("README.md")).unwrap();
    std::fs::copy(
        repo_root().join("specs/overlays/kol-fans-portrait-response.yaml"),
        specs.join("overlays/kol-fans-portrait-response.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("seed/catalogue.json"),
        specs.join("catalogue/public-api.json"),
    )
    .unwrap();
    copy_dir(&fixtures().join("seed/definitions"), &specs.join("definitions"));
    // The seed era's Pgy definitions are the fixtures every other test uses.
    let pgy = repo_root().join("tests/fixtures/docs-openapi");
    for entry in std::fs::read_dir(&pgy).unwrap() {
        let file = entry.unwrap().path();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (stem, lang) = match name.strip_suffix(".json").and_then(|s| s.rsplit_once('-')) {
            Some((stem, lang @ ("en" | "zh"))) => (stem.to_owned(), lang.to_owned()),
            _ => continue,
        };
        let doc = json_file(&file);
        let path = doc["paths"].as_object().unwrap().keys().next().unwrap().clone();
        let api = codegen::catalogue::layout::check_path(&path).unwrap();
        let lang = if lang == "zh" {
            codegen::manifest::Lang::Zh
        } else {
            codegen::manifest::Lang::En
        };
        let rel = codegen::catalogue::layout::rel_path(codegen::ir::Method::Get, &api, lang);
        let target = specs.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, target).unwrap_or_else(|e| panic!("{stem}: {e}"));
    }
    lock(&specs);
    let out = xtask(dir.path(), &["regen", "--offline"], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    dir
}

/// Writes `specs/specs.lock` for every vendored file (what the seed era's fetch had recorded).
fn lock(specs: &Path) {
    let mut lock = codegen::lock::Lock::empty();
    for (rel, bytes) in snapshot(specs) {
        let rel = rel.to_string_lossy().into_owned();
        if rel == "catalogue/public-api.json" || rel.starts_with("definitions/") {
            lock.files.insert(
                rel.clone(),
                codegen::lock::LockEntry {
                    url: format!("https://docs.justoneapi.com/openapi/seed/{rel}"),
                    sha256: codegen::lock::sha256_hex(&bytes),
                    size: bytes.len() as u64,
                    etag: None,
                    last_modified: None,
                    date: "Sun, 29 Mar 2026 00:00:00 GMT".into(),
                },
            );
        }
    }
    std::fs::write(specs.join("specs.lock"), lock.to_text()).unwrap();
}

/// Upstream of 2026-04-16: its catalogue at `/public-api.json`, its docs site under `/openapi/`.
fn upstream_0416() -> Server {
    let site = fixtures().join("2026-04-16");
    let mut routes = BTreeMap::new();
    routes.insert(
        "/public-api.json".to_owned(),
        std::fs::read(site.join("public-api.json")).unwrap(),
    );
    for (rel, bytes) in snapshot(&site.join("openapi")) {
        routes.insert(format!("/openapi/{}", rel.to_string_lossy()), bytes);
    }
    Server::start(routes)
}

fn regen(root: &Path, upstream: &Server, more: &[&str]) -> std::process::Output {
    let catalogue = format!("{}/public-api.json", upstream.base);
    let base = format!("{}/openapi", upstream.base);
    let mut args = vec!["regen", "--catalogue", &catalogue, "--base-url", &base];
    args.extend(more);
    xtask(root, &args, &[])
}

/// `check` is clean and `drift` against `upstream` finds nothing: every state is recorded in `specs/`.
fn assert_recorded(root: &Path, upstream: &Server) {
    let out = xtask(root, &["check"], &[]);
    assert_eq!(code(&out), 0, "check after regen: {}", text(&out));
    let catalogue = format!("{}/public-api.json", upstream.base);
    let base = format!("{}/openapi", upstream.base);
    let out = xtask(root, &["drift", "--catalogue", &catalogue, "--base-url", &base], &[]);
    assert_eq!(code(&out), 0, "drift right after regen: {}", text(&out));
}

/// The changelog section (`### Breaking`, `### Non-breaking`, `### Documentation`) of the newest entry of a
/// crate's changelog.
fn newest_entry(root: &Path, krate: &str) -> String {
    let log = read(root.join(format!("specs/changelog/{krate}.md")));
    let start = log.find("\n## ").expect("an entry") + 1;
    let end = log[start + 3..].find("\n## ").map_or(log.len(), |i| start + 3 + i);
    log[start..end].to_owned()
}

fn section<'a>(entry: &'a str, title: &str) -> &'a str {
    let Some(start) = entry.find(&format!("### {title}\n")) else {
        return "";
    };
    let rest = &entry[start..];
    let end = rest[4..].find("\n### ").map_or(rest.len(), |i| i + 4);
    &rest[..end]
}

fn version_of(root: &Path, krate: &str) -> String {
    let toml = read(root.join(format!("generated/{krate}/Cargo.toml")));
    let line = toml.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

fn module(root: &Path, krate: &str, func: &str) -> String {
    read(root.join(format!("generated/{krate}/src/ops/{func}.rs")))
}

/// The methods every generated crate offers: `crate::method` for each operation module.
fn methods(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(root.join("generated")).unwrap() {
        let krate = krate.unwrap().path();
        let ops = krate.join("src/ops");
        if !ops.is_dir() {
            continue;
        }
        for m in std::fs::read_dir(ops).unwrap() {
            let name = m.unwrap().file_name().to_string_lossy().into_owned();
            if name != "mod.rs" {
                out.push(format!(
                    "{}::{}",
                    krate.file_name().unwrap().to_string_lossy(),
                    name.trim_end_matches(".rs")
                ));
            }
        }
    }
    out.sort();
    out
}

/// The seed-era checkout moved to 2026-04-16 by one regen (asserted by the first test).
fn at_0416() -> (tempfile::TempDir, Server) {
    let repo = seed_checkout();
    let upstream = upstream_0416();
    let out = regen(repo.path(), &upstream, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    (repo, upstream)
}

const PGY: &str = "justoneapi-xiaohongshu-pgy";
const FANS: &str = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";
const TAOBAO_V3: &str = "/api/taobao/get-item-detail/v3";
const SEARCH_POST: &str = "/api/facebook/search-post/v1";

#[test]
fn the_2026_04_16_era_moves_adds_and_drops_endpoints_in_one_regen() {
    let repo = seed_checkout();
    let root = repo.path();
    let before = methods(root);
    let upstream = upstream_0416();
    let out = regen(root, &upstream, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    // Moved: every Pgy definition has a new URL, a documentation change and nothing else.
    let pgy = newest_entry(root, PGY);
    let moved = section(&pgy, "Documentation").matches("operation-moved").count();
    assert_eq!(moved, 25, "{pgy}");
    assert!(
        section(&pgy, "Breaking").is_empty() && section(&pgy, "Non-breaking").is_empty(),
        "{pgy}"
    );
    let lock = read(root.join("specs/specs.lock"));
    assert!(
        lock.contains("/openapi/xiaohongshu-creator-marketplace-pugongying/follower-distribution-v1-en.json"),
        "the lock names upstream's new URL"
    );
    assert!(module(root, PGY, "api_solar_kol_data_user_id_fans_profile_v1")
        .contains("xiaohongshu-creator-marketplace-pugongying/follower-distribution-v1-en.json"));
    assert_eq!(version_of(root, PGY), "0.2.1", "documentation only: a patch");

    // New endpoints: added to their platform's crate, a non-breaking (patch in 0.x) release.
    let facebook = newest_entry(root, "justoneapi-facebook");
    for path in ["/api/facebook/get-profile-id/v1", "/api/facebook/get-profile-posts/v1"] {
        assert!(
            section(&facebook, "Non-breaking").contains(&format!("`GET {path}` operation-added")),
            "{facebook}"
        );
    }
    assert!(module(root, "justoneapi-facebook", "get_profile_id_v1").contains("pub fn get_profile_id_v1("));

    // A new platform: a crate at its first version, its entry in the manifest, a feature of the facade, a row of
    // the README's table.
    assert_eq!(version_of(root, "justoneapi-web"), "0.1.0");
    let manifest = read(root.join("specs/manifest.yaml"));
    assert!(
        manifest.contains("  - platform: web\n    name: justoneapi-web\n    version: 0.1.0\n"),
        "{manifest}"
    );
    assert!(read(root.join("specs/changelog/justoneapi-web.md")).contains("First release: 3 operations"));
    assert!(read(root.join("generated/justoneapi/Cargo.toml")).contains("web = [\"dep:justoneapi-web\"]"));
    assert!(read(root.join("README.md")).contains("| `justoneapi-web` | 3 |"));
    assert!(read(root.join("specs/changelog/justoneapi.md")).contains("- `justoneapi-web` (new platform, new feature)"));

    // Gone from the catalogue: kept, deprecated since today, a non-breaking release.
    let lifecycle = read(root.join("specs/catalogue/lifecycle.yaml"));
    assert!(
        lifecycle.contains(&format!("  - {{ method: GET, path: {TAOBAO_V3}, since: {} }}", today())),
        "{lifecycle}"
    );
    let v3 = module(root, "justoneapi-taobao", "get_item_detail_v3");
    assert!(
        v3.contains(&format!(
            "note = \"Upstream no longer lists this endpoint (since {})",
            today()
        )),
        "{v3}"
    );
    let taobao = newest_entry(root, "justoneapi-taobao");
    assert!(
        section(&taobao, "Non-breaking").contains(&format!("`GET {TAOBAO_V3}` operation-gone")),
        "{taobao}"
    );
    assert!(
        !taobao.contains("operation-removed") && section(&taobao, "Breaking").is_empty(),
        "{taobao}"
    );
    assert_eq!(version_of(root, "justoneapi-taobao"), "0.2.1");

    // Nothing downstream code used is gone, and no method was renamed.
    let after = methods(root);
    let lost: Vec<&String> = before.iter().filter(|m| !after.contains(m)).collect();
    assert!(lost.is_empty(), "{lost:?}");
    assert_recorded(root, &upstream);
}

/// The 2026-04-16 catalogue with `edit` applied, served in place of it.
fn serve_catalogue(upstream: &Server, edit: impl FnOnce(&mut Value)) {
    let mut doc = json_file(fixtures().join("2026-04-16/public-api.json"));
    edit(&mut doc);
    upstream.serve("/public-api.json", serde_json::to_vec(&doc).unwrap());
}

/// Serves `definitions` (vendored files of the seed era: relative to the fixtures' `seed/`) at the URLs the
/// served catalogue gives `method path`.
fn serve_definitions(upstream: &Server, root: &Path, method: &str, path: &str, en: Value, zh: Value) {
    // Where upstream's rule puts them: vendor the served catalogue into a scratch copy and ask it.
    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(scratch.path().join("catalogue")).unwrap();
    std::fs::write(
        scratch.path().join("catalogue/public-api.json"),
        upstream.routes.lock().unwrap()["/public-api.json"].clone(),
    )
    .unwrap();
    let urls = published(scratch.path());
    for (lang, doc) in [("en", en), ("zh", zh)] {
        let (url, _) = &urls[&(method.to_owned(), path.to_owned(), lang.to_owned())];
        upstream.serve(url, serde_json::to_vec(&doc).unwrap());
    }
    let _ = root;
}

fn seed_definition(rel: &str) -> Value {
    json_file(fixtures().join("seed").join(rel))
}

#[test]
fn hidden_back_platform_gone_post_beside_get_unreachable_and_removed_for_good() {
    let (repo, upstream) = at_0416();
    let root = repo.path();
    let search_en = json_file(fixtures().join("2026-04-16/openapi/facebook/post-search-v1-en.json"));

    // The catalogue of a later day: the follower profile hidden from the docs; a Facebook endpoint upstream
    // lists but never documented; Taobao's v3 listed again; every `web` endpoint dropped; a POST beside the
    // GET of `search-post`.
    let seed_catalogue = json_file(fixtures().join("seed/catalogue.json"));
    serve_catalogue(&upstream, |doc| {
        let paths = doc["paths"].as_object_mut().unwrap();
        paths[FANS]["get"]["x-docs-hidden"] = json!(true);
        let mut page = paths["/api/facebook/get-profile-id/v1"].clone();
        page["get"]["x-docs-hidden"] = json!(true);
        page["get"]["summary"] = json!("Page Details");
        paths.insert("/api/facebook/get-page-detail/v1".into(), page);
        paths.insert(TAOBAO_V3.into(), seed_catalogue["paths"][TAOBAO_V3].clone());
        paths.retain(|p, _| !p.starts_with("/api/web/"));
        let mut post = paths[SEARCH_POST]["get"].clone();
        post["summary"] = json!("Post Search Form");
        paths[SEARCH_POST]["post"] = post;
    });
    serve_definitions(
        &upstream,
        root,
        "GET",
        TAOBAO_V3,
        seed_definition("definitions/taobao/get.get-item-detail.v3.en.json"),
        seed_definition("definitions/taobao/get.get-item-detail.v3.zh.json"),
    );
    let as_post = |mut doc: Value| {
        let item = doc["paths"][SEARCH_POST].as_object_mut().unwrap();
        let op = item.remove("get").unwrap();
        item.insert("post".into(), op);
        doc
    };
    let search_zh = json_file(fixtures().join("2026-04-16/openapi/facebook/post-search-v1-zh.json"));
    serve_definitions(
        &upstream,
        root,
        "POST",
        SEARCH_POST,
        as_post(search_en),
        as_post(search_zh),
    );
    let before = methods(root);
    let out = regen(root, &upstream, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    // Hidden from the docs: kept from the last definitions, not deprecated, with a note; a documentation change.
    let lifecycle = read(root.join("specs/catalogue/lifecycle.yaml"));
    assert!(
        lifecycle.contains(&format!("{{ method: GET, path: {FANS}, since: {} }}", today())),
        "{lifecycle}"
    );
    let fans = module(root, PGY, "api_solar_kol_data_user_id_fans_profile_v1");
    assert!(
        fans.contains("# Hidden upstream / 上游已隐藏") && !fans.contains("#[deprecated"),
        "{fans}"
    );
    assert!(!fans.contains("Definition / 定义"), "no docs page to link: {fans}");
    assert!(
        fans.contains("pub struct Gender"),
        "the types of the last definitions stay"
    );
    let pgy = newest_entry(root, PGY);
    assert!(
        section(&pgy, "Documentation").contains(&format!("`GET {FANS}` operation-hidden")),
        "{pgy}"
    );

    // Hidden and never vendored: generated from the catalogue's own (English) definition.
    let page = module(root, "justoneapi-facebook", "get_page_detail_v1");
    assert!(
        page.contains("pub fn get_page_detail_v1(") && page.contains("its catalogue entry, in English"),
        "{page}"
    );
    assert!(!root
        .join("specs/definitions/facebook/get.get-page-detail.v1.en.json")
        .exists());

    // Listed again: no longer deprecated, no longer recorded as gone.
    assert!(!lifecycle.contains(TAOBAO_V3), "{lifecycle}");
    assert!(!module(root, "justoneapi-taobao", "get_item_detail_v3").contains("#[deprecated"));
    let taobao = newest_entry(root, "justoneapi-taobao");
    assert!(
        section(&taobao, "Non-breaking").contains(&format!("`GET {TAOBAO_V3}` operation-returned")),
        "{taobao}"
    );

    // A whole platform gone: its crate and feature stay, every method deprecated.
    for func in ["html_v1", "markdown_v1", "rendered_html_v1"] {
        let m = module(root, "justoneapi-web", func);
        assert!(m.contains("Upstream no longer lists this endpoint"), "{func}: {m}");
    }
    assert!(read(root.join("generated/justoneapi/Cargo.toml")).contains("web = [\"dep:justoneapi-web\"]"));
    assert_eq!(
        newest_entry(root, "justoneapi-web").matches("operation-gone").count(),
        3
    );

    // A POST beside a GET of the same path: a name of its own; the GET keeps its name.
    assert!(module(root, "justoneapi-facebook", "post_search_post_v1").contains("pub fn post_search_post_v1("));
    assert!(module(root, "justoneapi-facebook", "search_post_v1").contains("pub fn search_post_v1("));

    let after = methods(root);
    assert!(
        before.iter().all(|m| after.contains(m)),
        "nothing gone: {before:?} / {after:?}"
    );
    assert_recorded(root, &upstream);

    // A definition the catalogue publishes but upstream does not serve: the regen fails, nothing is written.
    let served = upstream.routes.lock().unwrap()["/public-api.json"].clone();
    let mut unreachable: Value = serde_json::from_slice(&served).unwrap();
    let mut extra = unreachable["paths"]["/api/facebook/get-profile-id/v1"].clone();
    extra["get"]["summary"] = json!("Profile Timeline");
    unreachable["paths"]["/api/facebook/get-profile-timeline/v1"] = extra;
    upstream.serve("/public-api.json", serde_json::to_vec(&unreachable).unwrap());
    let untouched = snapshot(root);
    let out = regen(root, &upstream, &[]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("/openapi/facebook/profile-timeline-v1-en.json: HTTP 404"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("nothing was written"), "{}", text(&out));
    assert_eq!(snapshot(root), untouched);
    upstream.serve("/public-api.json", served);

    // Removing an endpoint upstream still lists is refused; one it no longer lists goes, a breaking release.
    let out = regen(root, &upstream, &["--remove", &format!("GET {SEARCH_POST}")]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("still listed in the catalogue"), "{}", text(&out));
    assert_eq!(snapshot(root), untouched);
    let out = regen(root, &upstream, &["--remove", "GET /api/web/html/v1"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!root.join("generated/justoneapi-web/src/ops/html_v1.rs").exists());
    assert!(!root.join("specs/definitions/web/get.html.v1.en.json").exists());
    assert!(!read(root.join("specs/catalogue/lifecycle.yaml")).contains("/api/web/html/v1"));
    let web = newest_entry(root, "justoneapi-web");
    assert!(
        section(&web, "Breaking").contains("`GET /api/web/html/v1` operation-removed"),
        "{web}"
    );
    assert_eq!(
        version_of(root, "justoneapi-web"),
        "0.2.0",
        "breaking in 0.x: the minor"
    );
    assert_recorded(root, &upstream);
}

#[test]
fn regen_follows_an_older_catalogue_back() {
    let (repo, upstream) = at_0416();
    let root = repo.path();
    // Upstream goes back to the seed era's catalogue: its definitions served where its own rule puts them.
    let seed = seed_checkout();
    let mut routes = BTreeMap::new();
    routes.insert(
        "/public-api.json".to_owned(),
        std::fs::read(seed.path().join("specs/catalogue/public-api.json")).unwrap(),
    );
    for ((_, _, _), (url, file)) in published(&seed.path().join("specs")) {
        routes.insert(url, std::fs::read(file).unwrap());
    }
    drop(upstream);
    let older = Server::start(routes);
    let out = regen(root, &older, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    // Taobao's v3 is back; what 2026-04-16 added is kept, deprecated, as gone.
    assert!(!module(root, "justoneapi-taobao", "get_item_detail_v3").contains("#[deprecated"));
    let lifecycle = read(root.join("specs/catalogue/lifecycle.yaml"));
    for path in ["/api/facebook/get-profile-id/v1", "/api/web/html/v1"] {
        assert!(
            lifecycle.contains(&format!("path: {path}, since:")),
            "{path}: {lifecycle}"
        );
    }
    assert!(module(root, "justoneapi-facebook", "get_profile_id_v1").contains("Upstream no longer lists"));
    assert_recorded(root, &older);
}

#[test]
fn a_platform_fetched_before_it_was_released_gets_its_manifest_entry_at_its_first_release() {
    let repo = seed_checkout();
    let root = repo.path();
    let upstream = upstream_0416();
    // `fetch` then `regen --offline`: the new platform's crate is generated at 0.1.0, unreleased.
    let catalogue = format!("{}/public-api.json", upstream.base);
    let base = format!("{}/openapi", upstream.base);
    let out = xtask(root, &["fetch", "--catalogue", &catalogue, "--base-url", &base], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = xtask(root, &["regen", "--offline"], &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(version_of(root, "justoneapi-web"), "0.1.0");
    assert!(!read(root.join("specs/manifest.yaml")).contains("platform: web"));

    // Upstream then changes it: the online regen records the crate in the manifest and releases it.
    let url = "/openapi/web-page/html-content-v1-en.json";
    let mut doc: Value = serde_json::from_slice(&upstream.routes.lock().unwrap()[url]).unwrap();
    doc["paths"]["/api/web/html/v1"]["get"]["description"] = json!("Fetch a page's HTML, now with a new description.");
    upstream.serve(url, serde_json::to_vec(&doc).unwrap());
    let out = regen(root, &upstream, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let manifest = read(root.join("specs/manifest.yaml"));
    assert!(
        manifest.contains("  - platform: web\n    name: justoneapi-web\n    version: 0.1.1\n"),
        "{manifest}"
    );
    assert_eq!(version_of(root, "justoneapi-web"), "0.1.1");
    assert_recorded(root, &upstream);
}
