//! Hostile definitions never panic: the loader, the normalizer, example inference and the emitter either
//! succeed with valid Rust (every emitted `.rs` file parses with `syn`) or fail with an error that names the
//! file and, for structural problems, a JSON pointer that exists in that file.
//!
//! Random inputs come from proptest (256 to 1024 cases each, a few seconds per test in a debug build;
//! `PROPTEST_CASES=N` sets every test's count for a longer hunt); fixed ones from
//! `tests/fixtures/malformed/` (one folder per case, each a per-endpoint definition folder) and from huge
//! inputs generated at test time.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use codegen::Error;
use codegen::Generated;
use codegen::SpecOptions;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{json, Map, Value};
use syn::ext::IdentExt;

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

fn manifest() -> &'static codegen::manifest::Manifest {
    static M: OnceLock<codegen::manifest::Manifest> = OnceLock::new();
    M.get_or_init(common::manifest)
}

fn malformed(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/malformed")
        .join(case)
}

/// Every slug of the vendored per-endpoint definitions.
fn slugs() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/docs-openapi");
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_suffix("-en.json").map(str::to_owned)
            })
            .collect();
        out.sort();
        out
    })
}

fn cases(n: u32) -> Config {
    // `PROPTEST_CASES=N` in the environment overrides `n` (proptest applies it over any explicit config).
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(3000).collect();
    if out.len() < s.len() {
        out.push_str(" ...");
    }
    out
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string panic>".into())
}

/// Runs `f`; a panic becomes a failure that shows the input.
fn no_panic<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        TestCaseError::fail(format!(
            "{what} panicked: {}\ninput: {}",
            panic_text(p.as_ref()),
            short(input)
        ))
    })
}

/// The full pipeline on a folder of per-endpoint definitions (`cargo xtask generate <dir>`).
fn generate(dir: &Path) -> Result<Generated, Error> {
    common::plan_generate(dir, manifest(), &SpecOptions::default())
}

/// Whether `path` is a file emitted verbatim from `codegen/templates/` (parsed once, in
/// `odd_names_generate_valid_rust`).
fn is_template(path: &str) -> bool {
    codegen::TEMPLATES.iter().any(|(t, _)| path.ends_with(t))
}

/// Every emitted `.rs` file parses, every `pub mod x;` of `ops/mod.rs` has its file, and crate folders are
/// valid Cargo package names.
fn check_outputs(out: &Generated, with_templates: bool) -> Result<(), String> {
    for dir in &out.owned_dirs {
        let name = dir.to_string_lossy();
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(format!("crate `{name}` is not a valid Cargo package name"));
        }
    }
    for (path, text) in &out.files {
        let p = path.to_string_lossy().replace('\\', "/");
        if !p.ends_with(".rs") || (!with_templates && is_template(&p)) {
            continue;
        }
        if let Err(e) = syn::parse_file(text) {
            return Err(format!("{p} is not valid Rust: {e}\n{}", short(text)));
        }
        // rustc denies these (`text_direction_codepoint_in_comment` / `_in_literal`); syn does not check.
        if let Some(c) = text
            .chars()
            .find(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        {
            return Err(format!("{p} holds the bidirectional control {c:?}\n{}", short(text)));
        }
    }
    for dir in out.owned_dirs.iter().filter(|d| !d.ends_with(codegen::RUNTIME_CRATE)) {
        let mods = &out.files[&dir.join("src/ops/mod.rs")];
        let file = syn::parse_file(mods).map_err(|e| e.to_string())?;
        for item in file.items {
            if let syn::Item::Mod(m) = item {
                let f = dir.join(format!("src/ops/{}.rs", m.ident.unraw()));
                if !out.files.contains_key(&f) {
                    return Err(format!(
                        "`pub mod {};` in ops/mod.rs has no file {}",
                        m.ident,
                        f.display()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// JSON pointers in errors point into the document after the 3.1 -> 3.0 downgrade; most exist in the file
/// as written too.
fn pointer_exists(file: &Path, pointer: &str) -> bool {
    let Ok(bytes) = std::fs::read(file) else { return false };
    let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) else {
        return false;
    };
    if doc.pointer(pointer).is_some() {
        return true;
    }
    codegen::json::downgrade::downgrade(&mut doc);
    doc.pointer(pointer).is_some()
}

/// An error of the pipeline run on `dir`: its text names a file inside `dir` (or `dir` itself), and a
/// structural error's pointer exists in that file.
fn check_error(err: &Error, dir: &Path) -> Result<(), String> {
    let text = err.to_string();
    let inside = |f: &Path| f.starts_with(dir) && text.contains(&f.display().to_string());
    let ok = match err {
        Error::Json { file, line, .. } => inside(file) && *line > 0,
        Error::Spec { file, pointer, .. } => {
            inside(file)
                && (file.is_dir() || pointer.is_empty() || pointer_exists(file, pointer))
                && text.contains(&format!("#{pointer}"))
        }
        Error::Disagree { en, zh, .. } => inside(en) && inside(zh),
        Error::NameCollision { .. } => text.contains(&dir.display().to_string()),
        Error::Missing { file, .. } => inside(file),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "error does not name its file and a valid pointer: {text}\n{err:?}"
        ))
    }
}

/// Writes `files` into a fresh folder, runs the full pipeline, and checks the outcome.
fn pipeline_on(files: &[(&str, &[u8])]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let input = || {
        files
            .iter()
            .map(|(n, b)| format!("--- {n}\n{}", String::from_utf8_lossy(b)))
            .collect::<String>()
    };
    let result = no_panic("the pipeline", &input(), || generate(dir.path()))?;
    if std::env::var_os("HOSTILE_STATS").is_some() {
        match &result {
            Ok(o) => eprintln!("STAT ok {}", o.files.len()),
            Err(e) => eprintln!("STAT err {}", e.to_string().chars().take(160).collect::<String>()),
        }
    }
    match &result {
        Ok(out) => {
            check_outputs(out, false).map_err(|e| TestCaseError::fail(format!("{e}\ninput: {}", short(&input()))))?
        }
        Err(err) => {
            check_error(err, dir.path()).map_err(|e| TestCaseError::fail(format!("{e}\ninput: {}", short(&input()))))?
        }
    }
    Ok(())
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

// ---------------------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------------------

/// Names upstream could plausibly (or hostilely) use: keywords, digits first, Chinese, symbols only,
/// control characters, names the generator reserves, and arbitrary text.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "type", "self", "Self", "super", "crate", "_", "fn", "r#match", "async", "gen", "Unknown", "Data",
            "Request", "PATH", "Client", "", "美食", "生活记录", "排行", "!!!", "$", "-", "+", "1", "_1", "2nd",
            "123", "a", "A", "fansCount", "fans_count", "\r", "a\rb", "\u{0}", "\u{7f}", "😀", "a\nb", "*/",
            "/*", "\"", "\\", "`", "#", "{id}", "~1", "v1", "Option", "String", "Vec", "Some", "None", "Ok",
            "\u{202e}rtl", "\u{2066}", "\u{feff}", "a b", "[Deprecated]", "<18", "](x)",
        ])
        .prop_map(String::from),
        2 => "[a-zA-Z_][a-zA-Z0-9_-]{0,8}",
        1 => "\\PC{0,6}",
        1 => ".{0,4}",
    ]
}

/// Keys: OpenAPI's own vocabulary (so random documents get somewhere) or names.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "openapi", "info", "title", "version", "paths", "get", "post", "parameters", "name", "in", "query",
            "required", "schema", "type", "enum", "default", "description", "responses", "200", "content",
            "application/json", "*/*", "example", "examples", "value", "code", "data", "$ref", "items",
            "properties", "nullable", "deprecated", "requestBody", "components", "schemas", "operationId",
            "summary", "tags", "const", "exclusiveMinimum", "format", "allOf", "not", "additionalProperties",
        ])
        .prop_map(String::from),
        1 => name(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        Just(json!([])),
        Just(json!({})),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![0, 1, -1, 200, 301]).prop_map(Value::from),
        key().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn param_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "integer", "format": "int32", "default": 1})),
        Just(json!({"type": "boolean", "default": false})),
        Just(json!({"type": "number"})),
        Just(json!({"type": ["string", "null"]})),
        prop::collection::vec(name(), 1..6).prop_map(|v| json!({"type": "string", "enum": v})),
        (prop::collection::vec(any::<i32>(), 1..4), name())
            .prop_map(|(v, d)| json!({"type": "integer", "enum": v, "default": d})),
        json_value(),
    ]
}

/// One operation whose every name (parameters, enum values, response keys) comes from [`name`], whose texts
/// are hostile, and whose example data is arbitrary JSON. Parameters go to the query, or to a form body.
fn named_operation() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec((name(), any::<bool>(), param_schema(), name()), 0..5),
        json_value(),
        (name(), any::<bool>(), any::<bool>()),
    )
        .prop_map(|(params, data, (summary, deprecated, form))| {
            let mut parameters =
                vec![json!({"name": "token", "in": "query", "required": true, "schema": {"type": "string"}})];
            let mut properties = Map::new();
            let mut required = Vec::new();
            for (name, req, schema, description) in params {
                if form {
                    if req {
                        required.push(json!(name));
                    }
                    let mut schema = schema;
                    if let Some(obj) = schema.as_object_mut() {
                        obj.insert("description".into(), json!(description));
                    }
                    properties.insert(name, schema);
                } else {
                    parameters.push(json!({"name": name, "in": "query", "required": req, "schema": schema,
                                           "description": description}));
                }
            }
            let mut op = json!({
                "summary": summary,
                "description": format!("{summary}\r\n\r{summary}\u{202e}"),
                "deprecated": deprecated,
                "parameters": parameters,
                "responses": {"default": {"description": "default response",
                    "content": {"application/json": {"example": {"code": 0, "data": data}}}}}
            });
            if form {
                op["requestBody"] = json!({"content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object", "properties": properties, "required": required}}}});
            }
            op
        })
}

/// A well-formed per-endpoint definition with one to three operations on hostile paths (a GET and a POST
/// may share a path).
fn named_definition() -> impl Strategy<Value = Value> {
    (
        prop_oneof![3 => Just("fuzz".to_owned()), 1 => name()],
        prop::collection::vec(
            (
                prop::collection::vec(name(), 1..4),
                prop::option::of(named_operation()),
                prop::option::of(named_operation()),
            ),
            1..3,
        ),
        prop::sample::select(vec!["3.0.0", "3.1.0"]),
    )
        .prop_map(|(platform, items, version)| {
            let mut paths = Map::new();
            for (segs, get, post) in items {
                let mut item = Map::new();
                if let Some(op) = get {
                    item.insert("get".into(), op);
                }
                if let Some(op) = post {
                    item.insert("post".into(), op);
                }
                paths.insert(format!("/api/{platform}/{}", segs.join("/")), Value::Object(item));
            }
            json!({"openapi": version, "info": {"title": "hostile", "version": "1.0.0"}, "paths": paths})
        })
}

/// One step into a JSON value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Idx(usize),
}

/// Every location in `v` (the root excluded); `structural` skips what is inside examples.
fn locations(v: &Value, structural: bool) -> Vec<Vec<Step>> {
    fn walk(v: &Value, at: &mut Vec<Step>, structural: bool, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    at.push(Step::Key(k.clone()));
                    out.push(at.clone());
                    if !(structural && (k == "example" || k == "examples")) {
                        walk(child, at, structural, out);
                    }
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    at.push(Step::Idx(i));
                    out.push(at.clone());
                    walk(child, at, structural, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), structural, &mut out);
    out
}

fn parent_mut<'a>(v: &'a mut Value, at: &[Step]) -> &'a mut Value {
    let mut cur = v;
    for s in at {
        cur = match s {
            Step::Key(k) => &mut cur[k.as_str()],
            Step::Idx(i) => &mut cur[*i],
        };
    }
    cur
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the key / element.
    Drop,
    /// Replace the value with one of another JSON type.
    Swap(u8),
    /// Rename the key (in place, order kept).
    Rename(String),
    /// Wrap the value in `n` arrays or objects.
    Deepen(u8, bool),
    /// Replace the value with arbitrary JSON.
    Replace(Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Drop),
        2 => (0u8..6).prop_map(Mutation::Swap),
        2 => name().prop_map(Mutation::Rename),
        1 => (1u8..12, any::<bool>()).prop_map(|(n, a)| Mutation::Deepen(n, a)),
        1 => json_value().prop_map(Mutation::Replace),
    ]
}

fn apply(doc: &mut Value, at: &[Step], m: &Mutation) {
    let (last, parent_at) = at.split_last().unwrap();
    let parent = parent_mut(doc, parent_at);
    match (m, last, parent) {
        (Mutation::Drop, Step::Key(k), Value::Object(map)) => {
            map.shift_remove(k);
        }
        (Mutation::Drop, Step::Idx(i), Value::Array(items)) => {
            items.remove(*i);
        }
        (Mutation::Rename(new), Step::Key(k), Value::Object(map)) => {
            let renamed: Map<String, Value> = std::mem::take(map)
                .into_iter()
                .map(|(key, v)| if &key == k { (new.clone(), v) } else { (key, v) })
                .collect();
            *map = renamed;
        }
        (m, last, parent) => {
            let slot = match last {
                Step::Key(k) => &mut parent[k.as_str()],
                Step::Idx(i) => &mut parent[*i],
            };
            let old = slot.take();
            *slot = match m {
                Mutation::Swap(kind) => {
                    let candidates = [
                        Value::Null,
                        json!(true),
                        json!(7),
                        json!(-2.5),
                        json!("swapped"),
                        json!([old.clone()]),
                        json!({"swapped": old.clone()}),
                    ];
                    let same = |c: &Value| std::mem::discriminant(c) == std::mem::discriminant(&old);
                    let others: Vec<&Value> = candidates.iter().filter(|c| !same(c)).collect();
                    others[*kind as usize % others.len()].clone()
                }
                Mutation::Deepen(n, arrays) => {
                    let mut v = old;
                    for _ in 0..*n {
                        v = if *arrays { json!([v]) } else { json!({"nested": v}) };
                    }
                    v
                }
                Mutation::Replace(v) => v.clone(),
                // Drop / Rename on the wrong kind of parent: replace with null instead.
                _ => Value::Null,
            };
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Random input
// ---------------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(1024))]

    /// Random JSON as a whole definition file: the loader, the downgrade, `to_openapi`, export's
    /// normalization, and the full pipeline (as `x-en.json` in a folder).
    #[test]
    fn random_json_as_a_definition_never_panics(doc in json_value(), wrap in any::<bool>()) {
        // Half the time inside a plausible skeleton, so the random part reaches past the top level.
        let doc = if wrap {
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/api/fuzz/x": doc}})
        } else {
            doc
        };
        let text = serde_json::to_string(&doc).unwrap();
        let file = Path::new("random-en.json");
        no_panic("load::parse_json + downgrade + to_openapi", &text, || {
            let mut v = codegen::json::load::parse_json(text.as_bytes(), file).unwrap();
            codegen::json::downgrade::downgrade(&mut v);
            let mut exported = v.clone();
            codegen::json::export::normalize_value(&mut exported, file, &mut Vec::new());
            if let Err(e) = codegen::json::load::to_openapi(v, file) {
                assert!(e.to_string().starts_with("random-en.json#"), "{e}");
            }
        })?;
        pipeline_on(&[("random-en.json", text.as_bytes())])?;
    }

    /// Random bytes (mostly almost-JSON) as a definition file.
    #[test]
    fn random_bytes_as_a_definition_never_panic(raw in prop::collection::vec(any::<u8>(), 0..256), doc in json_value(), cut in any::<Index>()) {
        let mut text = serde_json::to_vec(&doc).unwrap();
        text.truncate(cut.index(text.len() + 1));
        text.extend_from_slice(&raw[..raw.len().min(8)]);
        for input in [raw.as_slice(), text.as_slice()] {
            let shown = String::from_utf8_lossy(input).into_owned();
            let result = no_panic("load::parse_json", &shown, || codegen::json::load::parse_json(input, Path::new("bytes-en.json")))?;
            if let Err(e) = result {
                prop_assert!(e.to_string().starts_with("bytes-en.json"), "{}", e);
            }
        }
        pipeline_on(&[("bytes-en.json", &text)])?;
    }

}

proptest! {
    #![proptest_config(cases(256))]

    /// Random JSON as a response example: inference, the export's schema, and the full pipeline with the
    /// example in both languages of a real definition.
    #[test]
    fn random_json_as_a_response_example_never_panics(data in json_value(), envelope in any::<bool>()) {
        let text = serde_json::to_string(&data).unwrap();
        no_panic("infer::infer", &text, || {
            let shape = codegen::lower::infer::infer(&data);
            codegen::json::export::shape_schema(&shape);
            codegen::lower::infer::envelope_data(&data);
        })?;
        let example = if envelope { json!({"code": 0, "data": data}) } else { data };
        let mut files = Vec::new();
        for lang in ["en", "zh"] {
            let mut doc = common::fixture_json(common::PORTRAIT, lang);
            common::op_mut(&mut doc)["responses"]["default"]["content"]["application/json"]["example"] = example.clone();
            files.push((format!("{}-{lang}.json", common::PORTRAIT), bytes(&doc)));
        }
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        pipeline_on(&files)?;
    }

    /// Well-formed definitions whose names are hostile: success must be valid Rust.
    #[test]
    fn hostile_names_generate_valid_rust_or_a_clear_error(doc in named_definition(), both in any::<bool>()) {
        let text = bytes(&doc);
        if both {
            pipeline_on(&[("named-en.json", &text), ("named-zh.json", &text)])?;
        } else {
            pipeline_on(&[("named-en.json", &text)])?;
        }
    }
}

proptest! {
    #![proptest_config(cases(512))]

    /// Mutations of the vendored definitions (drop fields, swap value types, rename keys, deepen nesting,
    /// replace with random JSON) through the full pipeline; in one language or both.
    #[test]
    fn mutated_vendored_definitions_never_panic(
        slug in any::<Index>(),
        // Three in four mutations hit the structure rather than the examples.
        mutations in prop::collection::vec((any::<Index>(), prop::bool::weighted(0.75), mutation()), 1..4),
        both in any::<bool>(),
    ) {
        let slug = slug.get(slugs()).clone();
        let mut en = common::fixture_json(&slug, "en");
        let mut zh = common::fixture_json(&slug, "zh");
        for (at, structural, m) in &mutations {
            let locs = locations(&en, *structural);
            if locs.is_empty() {
                break;
            }
            let at = at.get(&locs).clone();
            apply(&mut en, &at, m);
            if both && zh.pointer(&pointer_of(&at)).is_some() {
                apply(&mut zh, &at, m);
            }
        }
        let (en, zh) = (bytes(&en), bytes(&zh));
        pipeline_on(&[(&format!("{slug}-en.json"), &en), (&format!("{slug}-zh.json"), &zh)])?;
    }
}

fn pointer_of(at: &[Step]) -> String {
    codegen::pointer(at.iter().map(|s| match s {
        Step::Key(k) => k.clone(),
        Step::Idx(i) => i.to_string(),
    }))
}

// ---------------------------------------------------------------------------------------------------------
// The malformed corpus (tests/fixtures/malformed/<case>/)
// ---------------------------------------------------------------------------------------------------------

/// Runs the pipeline on a corpus folder and returns the error text (checked by [`check_error`]).
fn corpus_error(case: &str) -> String {
    let dir = malformed(case);
    match generate(&dir) {
        Ok(_) => panic!("{case}: expected an error"),
        Err(e) => {
            check_error(&e, &dir).unwrap_or_else(|m| panic!("{case}: {m}"));
            e.to_string()
        }
    }
}

fn corpus_file(case: &str) -> String {
    malformed(case).join(format!("{case}-en.json")).display().to_string()
}

#[test]
fn truncated_json_names_the_file_and_the_line() {
    let err = corpus_error("truncated");
    assert!(
        err.starts_with(&format!("{}: not valid JSON at line", corpus_file("truncated"))),
        "{err}"
    );
    assert!(err.contains("EOF while parsing"), "{err}");
}

#[test]
fn empty_and_whitespace_only_files_are_refused_by_name() {
    for case in ["empty", "whitespace-only"] {
        let err = corpus_error(case);
        assert_eq!(err, format!("{}#: the file is empty", corpus_file(case)));
    }
}

#[test]
fn non_utf8_bytes_are_a_json_error_with_the_line() {
    let err = corpus_error("non-utf8");
    assert!(
        err.starts_with(&format!("{}: not valid JSON at line 3", corpus_file("non-utf8"))),
        "{err}"
    );
}

#[test]
fn a_byte_order_mark_is_a_json_error_at_line_one() {
    let err = corpus_error("bom");
    assert!(
        err.starts_with(&format!("{}: not valid JSON at line 1, column 1", corpus_file("bom"))),
        "{err}"
    );
}

#[test]
fn wrong_types_name_the_file_and_the_pointer() {
    for (case, pointer) in [
        ("not-an-object", "#: not a valid OpenAPI 3.0 document"),
        ("wrong-type-paths", "#/paths: not a valid OpenAPI 3.0 document"),
        ("wrong-type-openapi", "#/openapi: not a valid OpenAPI 3.0 document"),
        ("wrong-type-required", "#/paths/~1api~1wrong~1required/get/parameters/1"),
        (
            "wrong-type-parameters",
            "#/paths/~1api~1wrong~1parameters/get/parameters",
        ),
        ("wrong-type-enum", "#/paths/~1api~1wrong~1enum/get/parameters/1"),
        (
            "path-level-parameter-ref",
            "#/paths/~1api~1wrong~1path-param/parameters/0: unresolvable parameter $ref",
        ),
        (
            "cookie-parameter",
            "#/paths/~1api~1wrong~1cookie/get/parameters/1: parameter `session`: cookie parameters are not supported",
        ),
        (
            "schema-ref-cycle",
            "#/paths/~1api~1wrong~1cycle/get/parameters/0: schema $ref chain is longer than 32",
        ),
        (
            "path-parameter",
            "#/paths/~1api~1wrong~1{noteId}/get/parameters/0: parameter `noteId`: path parameters are not supported",
        ),
    ] {
        let err = corpus_error(case);
        assert!(
            err.starts_with(&format!("{}{pointer}", corpus_file(case))),
            "{case}: {err}"
        );
    }
}

#[test]
fn an_example_that_is_not_an_envelope_generates_untyped_data_with_a_warning() {
    let out = generate(&malformed("example-not-an-envelope")).unwrap();
    check_outputs(&out, false).unwrap();
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("not a `{code, data}` envelope")
                && w.file.ends_with("example-not-an-envelope-en.json")
                && w.pointer == "/paths/~1api~1wrong~1example/get/responses/200/content/application~1json/example"),
        "{:?}",
        out.warnings
    );
}

#[test]
fn two_paths_deriving_one_method_name_are_an_error_naming_both_and_the_folder() {
    let err = corpus_error("duplicate-method");
    for needle in [
        "method `get_x_v1`",
        "GET /api/dup/get-x/v1",
        "GET /api/dup/get_x/v1",
        malformed("duplicate-method").to_str().unwrap(),
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn keys_differing_only_in_case_are_an_error_naming_both() {
    let err = corpus_error("case-only-clash");
    for needle in [
        "`fansCount`",
        "`FansCount`",
        "GET /api/clash/case",
        malformed("case-only-clash").to_str().unwrap(),
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn odd_names_generate_valid_rust() {
    let out = generate(&malformed("odd-names")).unwrap();
    check_outputs(&out, true).unwrap();
    let ops = |name: &str| out.files[&PathBuf::from(format!("justoneapi-odd-names/src/ops/{name}.rs"))].clone();
    let mods = &out.files[&PathBuf::from("justoneapi-odd-names/src/ops/mod.rs")];
    // Keywords: raw identifiers, or a trailing `_` where Rust has no raw form.
    assert!(
        mods.contains("pub mod r#type;") && ops("type").contains("pub fn r#type("),
        "{mods}"
    );
    assert!(
        mods.contains("pub mod self_;") && ops("self_").contains("pub fn self_("),
        "{mods}"
    );
    // Digits first, Chinese, symbols only.
    for m in ["n123_v1", "x7f8e_98df_x6392_884c", "root", "super_crate"] {
        assert!(mods.contains(&format!("pub mod {m};")), "{m}: {mods}");
    }
    let ty = ops("type");
    for needle in [
        // required parameters are arguments, optional ones setters
        "r#type: impl Into<String>,",
        "crate_: impl Into<String>,",
        "r#fn: impl Into<String>,",
        "n1st: impl Into<String>,",
        "x7f8e_98df: impl Into<String>,",
        "u24: impl Into<String>,",
        "pub fn self_(mut self, value: impl Into<String>)",
        "pub fn super_(mut self,",
        "pub fn underscore(mut self,",
        "pub fn r#async(mut self,",
        "pub fn n123(mut self,",
        "pub fn u21_u21_u21(mut self,",
        "pub fn r_match(mut self,",
        "pub fn r#gen(mut self,",
        // enum values
        "Self::Type => \"type\"",
        "Self::Self_ => \"self\"",
        "Self::V1 => \"1\"",
        "Self::Underscore1 => \"_1\"",
        "Self::V2nd => \"2nd\"",
        "Self::X7f8eU98df => \"美食\"",
        "Self::Plus => \"+\"",
        "Self::Minus => \"-\"",
        "Self::U21U21U21 => \"!!!\"",
        "Self::Empty => \"\"",
        // response keys
        "pub r#type: Option<i64>,",
        "#[serde(rename = \"self\")]\n    pub self_: Option<crate::Text>,",
        // `1` is data, not a name: it goes with the data-keyed entries.
        "#[serde(flatten)]\n    pub extra: std::collections::BTreeMap<String, f64>,",
        "#[serde(rename = \"美食\")]\n    pub x7f8e_98df: Option<X7f8eU98df>,",
        "#[serde(rename = \"\")]\n    pub field: Option<crate::Text>,",
        "#[serde(rename = \"$\")]\n    pub u24: Option<crate::Text>,",
        "pub data: Option<DataData>,",
        "pub r#fn: Vec<Vec<Item>>,",
        "pub r#match: Option<i64>,",
    ] {
        assert!(ty.contains(needle), "{needle}:\n{ty}");
    }
}

/// Parsing is not compiling: the crates generated from the hostile names are built by `cargo check`, warnings
/// denied (keywords as raw identifiers, digits first, Chinese, symbols, data-keyed entries).
#[test]
fn odd_names_compile_without_warnings() {
    let out = generate(&malformed("odd-names")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in &out.files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    // The repository's lock: the same dependency versions as the generated crates are tested with, offline.
    std::fs::copy(
        common::workspace_root().join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["check", "--offline", "--all-targets", "--color", "never"])
        .current_dir(dir.path())
        // Flags as the example tests use them, so the dependencies built for those are reused.
        .env(
            "CARGO_TARGET_DIR",
            common::workspace_root().join("target").join("nested"),
        )
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo check of the odd-names crates failed:\n{stderr}"
    );
    // Warnings are printed for the checked crates only (not for dependencies).
    assert!(
        !stderr.contains("warning"),
        "the odd-names crates have warnings:\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Huge inputs, generated at test time
// ---------------------------------------------------------------------------------------------------------

fn folder_with(name: &str, contents: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), contents).unwrap();
    dir
}

#[test]
fn ten_thousand_levels_of_nesting_are_a_json_error_not_a_stack_overflow() {
    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    // Inside a real definition, as the response example.
    let mut doc = common::fixture_json(common::PORTRAIT, "en");
    common::op_mut(&mut doc)["responses"]["default"]["content"]["application/json"]["example"] = json!("DEEP");
    let in_example = serde_json::to_string(&doc).unwrap().replace("\"DEEP\"", &deep_array);
    for (what, text) in [
        ("array", &deep_array),
        ("object", &deep_object),
        ("example", &in_example),
    ] {
        let dir = folder_with("deep-en.json", text.as_bytes());
        let err = generate(dir.path()).unwrap_err();
        check_error(&err, dir.path()).unwrap();
        assert!(err.to_string().contains("recursion limit exceeded"), "{what}: {err}");
    }
}

fn with_example_data(data: Value) -> tempfile::TempDir {
    let mut doc = common::fixture_json(common::PORTRAIT, "en");
    common::op_mut(&mut doc)["responses"]["default"]["content"]["application/json"]["example"] =
        json!({"code": 0, "data": data});
    folder_with("deep-en.json", &bytes(&doc))
}

/// Just under serde_json's limit (128 levels; the example sits 8 levels deep in its file).
#[test]
fn nesting_just_under_the_parser_limit_is_an_error_or_valid_rust() {
    // Arrays in arrays: one Rust type `Vec<Vec<..>>` per level, which would exhaust the stack of `syn` and
    // `prettyplease` (this test thread has 2 MiB), so the pipeline refuses it with the file and pointer.
    let mut data = json!({"leaf": 1});
    for _ in 0..110 {
        data = json!([data]);
    }
    let dir = with_example_data(data);
    let err = generate(dir.path()).unwrap_err();
    check_error(&err, dir.path()).unwrap();
    assert!(
        err.to_string()
            .contains("#/paths/~1api~1xiaohongshu-pgy~1get-kol-fans-portrait~1v1: GET ")
            && err.to_string().contains("110 levels deep; at most 24"),
        "{err}"
    );

    // Objects in objects: one struct per level, so no deep type.
    let mut data = json!(1);
    for i in 0..110 {
        data = json!({format!("k{}", i % 3): data});
    }
    let out = generate(with_example_data(data).path()).unwrap();
    check_outputs(&out, false).unwrap();
}

#[test]
fn the_deepest_type_allowed_generates_valid_rust_on_a_test_thread() {
    // `[null, [null, ...]]`: `Vec<Option<Vec<Option<..>>>>`, two levels per array.
    let limit = codegen::MAX_TYPE_DEPTH;
    let mut data = json!("leaf");
    for _ in 0..limit / 2 {
        data = json!([null, data]);
    }
    let out = generate(with_example_data(data.clone()).path()).unwrap();
    check_outputs(&out, false).unwrap();
    let op = &out.files[&PathBuf::from("justoneapi-xiaohongshu-pgy/src/ops/get_kol_fans_portrait_v1.rs")];
    let deepest = format!(
        "{}crate::Text{}",
        "Vec<Option<".repeat(limit / 2),
        ">>".repeat(limit / 2)
    );
    let squeezed: String = op.split_whitespace().collect::<String>().replace(",>", ">");
    assert!(squeezed.contains(&format!("pubtypeData={deepest};")), "{op}");
    // One more level is refused.
    let err = generate(with_example_data(json!([data])).path())
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{} levels deep", limit + 1)), "{err}");
}

#[test]
fn a_ten_megabyte_string_generates_in_bounded_time() {
    let huge = "长".repeat(10 * 1024 * 1024 / 3);
    let mut doc = common::fixture_json(common::PORTRAIT, "en");
    let op = common::op_mut(&mut doc);
    op["responses"]["default"]["content"]["application/json"]["example"]["data"]["dateKey"] = json!(huge);
    op["parameters"][1]["description"] = json!(huge);
    let dir = folder_with("huge-en.json", &bytes(&doc));
    let start = Instant::now();
    let out = generate(dir.path()).unwrap();
    check_outputs(&out, false).unwrap();
    assert!(start.elapsed() < Duration::from_secs(60), "{:?}", start.elapsed());
}
