//! progenitor's output for the same operations as ours, as a crate (for `scripts/perf/`: compile time, line
//! counts, whole-process time and peak memory of progenitor's generation).
//!
//! ```text
//! cargo run --release -p codegen --example progenitor_crate -- normalize SPEC OUT.json [PLATFORM]
//!     our normalized 3.0 document of SPEC (json::export), cut to /api/PLATFORM/ when given
//! cargo run --release -p codegen --example progenitor_crate -- normalize-dir SPEC_DIR... OUT.json
//!     every English per-endpoint definition (`*-en.json`, `*.en.json`) of the SPEC_DIRs (e.g.
//!     specs/definitions/xiaohongshu-pgy, the input of generated/justoneapi-xiaohongshu-pgy; or every platform
//!     folder of specs/definitions), normalized and merged into one document
//! cargo run --release -p codegen --example progenitor_crate -- generate NORMALIZED.json OUT_DIR CRATE_NAME
//!     what a progenitor build.rs does (read, serde_json -> openapiv3, generate_tokens, prettyplease), written
//!     as OUT_DIR/src/lib.rs with a Cargo.toml naming the dependencies the generated code uses
//! ```
//! `generate` alone is progenitor's whole process: its time and peak memory are progenitor's, not ours.

use std::path::Path;

// The allocator `cargo xtask` ships with, so whole-process times and peak memory compare like with like.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["normalize", spec, out, rest @ ..] => normalize(Path::new(spec), Path::new(out), rest.first().copied()),
        ["normalize-dir", dirs @ .., out] if !dirs.is_empty() => normalize_dirs(dirs, Path::new(out)),
        ["generate", doc, out, name] => generate(Path::new(doc), Path::new(out), name),
        _ => {
            eprintln!(
                "usage: progenitor_crate normalize SPEC OUT.json [PLATFORM] | normalize-dir SPEC_DIR... OUT.json \
                 | generate NORMALIZED.json OUT_DIR NAME"
            );
            std::process::exit(2);
        }
    }
}

fn normalize(spec: &Path, out: &Path, platform: Option<&str>) {
    let source = codegen::Source::new(spec, std::fs::read(spec).unwrap());
    let mut doc = codegen::json::export::normalized_document(&source, &mut Vec::new()).unwrap();
    if let Some(p) = platform {
        let prefix = format!("/api/{p}/");
        doc["paths"]
            .as_object_mut()
            .unwrap()
            .retain(|path, _| path.starts_with(&prefix));
    }
    std::fs::write(out, serde_json::to_vec(&doc).unwrap()).unwrap();
}

fn normalize_dirs(dirs: &[&str], out: &Path) {
    let mut files: Vec<_> = dirs
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        // `<slug>-en.json` as the docs site names them, `<method>.<path>.en.json` as specs/definitions/ does.
        .filter(|p| p.to_string_lossy().ends_with("-en.json") || p.to_string_lossy().ends_with(".en.json"))
        .collect();
    files.sort();
    let mut merged: Option<serde_json::Value> = None;
    for f in files {
        let source = codegen::Source::new(&f, std::fs::read(&f).unwrap());
        let doc = codegen::json::export::normalized_document(&source, &mut Vec::new()).unwrap();
        match &mut merged {
            None => merged = Some(doc),
            Some(m) => {
                for (path, item) in doc["paths"].as_object().unwrap() {
                    m["paths"][path.as_str()] = item.clone();
                }
            }
        }
    }
    let mut merged = merged.expect("no English definition (*-en.json or *.en.json)");
    drop_colliding_fields(&mut merged, "");
    std::fs::write(out, serde_json::to_vec(&merged).unwrap()).unwrap();
}

/// progenitor names a struct field by the snake case of its property and does not tell apart two properties
/// with the same snake case: two of the committed definitions (tiktok `get-post-detail` and `get-user-post`)
/// have both `statusCode` and `status_code`, and its crate would not compile (E0124). Its input keeps the first
/// of each such pair (said on stderr); our generator names them apart.
fn drop_colliding_fields(value: &mut serde_json::Value, pointer: &str) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get_mut("properties") {
                let mut seen = std::collections::HashSet::new();
                let dropped: Vec<String> = props
                    .keys()
                    .filter(|k| {
                        let name = codegen::names::snake(k, "");
                        !name.is_empty() && !seen.insert(name)
                    })
                    .cloned()
                    .collect();
                for key in &dropped {
                    props.remove(key);
                    eprintln!("progenitor input: {pointer}/properties: `{key}` dropped (same field name as another)");
                }
                if let Some(serde_json::Value::Array(required)) = map.get_mut("required") {
                    required.retain(|r| !dropped.iter().any(|d| r == d));
                }
            }
            for (key, child) in map.iter_mut() {
                drop_colliding_fields(child, &format!("{pointer}{}", codegen::pointer([key])));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                drop_colliding_fields(child, &format!("{pointer}/{i}"));
            }
        }
        _ => {}
    }
}

fn generate(doc: &Path, out: &Path, name: &str) {
    let bytes = std::fs::read(doc).unwrap();
    let spec: openapiv3::OpenAPI = serde_json::from_slice(&bytes).unwrap();
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&spec).unwrap();
    let source = prettyplease::unparse(&syn::parse2::<syn::File>(tokens).unwrap());
    let mut deps = String::from(
        "futures = \"0.3\"\nprogenitor-client = \"0.15\"\n\
         reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"stream\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\n",
    );
    if source.contains("chrono::") {
        deps.push_str("chrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }\n");
    }
    if source.contains("uuid::") {
        deps.push_str("uuid = { version = \"1\", features = [\"serde\", \"v4\"] }\n");
    }
    if source.contains("regress::") {
        deps.push_str("regress = \"0.10\"\n");
    }
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(
        out.join("Cargo.toml"),
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"),
    )
    .unwrap();
    // progenitor's output has no crate docs; allow what it trips over so the build measures code, not lints.
    std::fs::write(out.join("src/lib.rs"), format!("#![allow(warnings)]\n{source}")).unwrap();
}
