//! Upstream's catalogue: the aggregate definition (`specs/catalogue/public-api.json`, vendored whole) read as
//! the list of endpoints that exist, their state and metadata.
//!
//! ```text
//! mod.rs        parse and check the aggregate: one `Listed` per GET/POST operation
//! url.rs        upstream's rule for the URL of an endpoint's definitions on the docs site
//! layout.rs     where an endpoint's definitions live under specs/ (method + path; never group or slug)
//! meta.rs       the operation extensions (aliases, highlights, recommended, order) -> `ir::Listing`
//! lifecycle.rs  specs/catalogue/lifecycle.yaml: since when an endpoint is hidden or gone
//! inventory.rs  catalogue + vendored files + lifecycle -> every endpoint a crate has, with its sources
//! ```
//!
//! The catalogue is input like any other: a path that cannot name a file, a duplicate (method, path), a tag or
//! summary that gives no docs URL, too many operations, a document that is not JSON or not OpenAPI are errors
//! naming the file and JSON pointer, before anything is downloaded or written.

pub mod inventory;
pub mod layout;
pub mod lifecycle;
pub mod meta;
pub mod url;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{pointer, Error, Result};
use crate::input::Source;
use crate::ir::{Listing, Method};
use crate::lower::Warning;
pub use layout::ApiPath;
pub use lifecycle::Lifecycle;
pub use url::DocsLocation;

/// Where the vendored catalogue lives, relative to `specs/`.
pub const FILE: &str = "catalogue/public-api.json";

/// Sanity limits (k8s-openapi style): a catalogue far beyond what upstream has ever published is refused
/// before 20,000 downloads start. Upstream had 348 operations on 36 platforms on 2026-08-21.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_operations: usize,
    pub max_platforms: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 2000,
            max_platforms: 200,
        }
    }
}

/// One operation the catalogue lists.
#[derive(Debug, Clone)]
pub struct Listed {
    pub method: Method,
    pub path: String,
    pub api_path: ApiPath,
    /// Its first tag (the docs site's group, and the platform's name upstream shows).
    pub tag: Option<String>,
    /// JSON pointer of the operation object in the catalogue.
    pub pointer: String,
    pub deprecated: bool,
    /// `x-docs-hidden`: served, but with no docs page and no definition to download.
    pub hidden: bool,
    /// Where the docs site publishes its definitions (none when hidden).
    pub docs: Option<DocsLocation>,
    /// Aliases, highlights, recommended, order (state: published; the inventory sets the real one).
    pub listing: Listing,
    /// The path item's own `parameters`, and the operation object: for [`Catalogue::definition`].
    item_parameters: Option<Value>,
    operation: Value,
}

impl Listed {
    pub fn label(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// The catalogue, checked.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub file: PathBuf,
    /// Sorted by (method, path).
    pub entries: Vec<Listed>,
    /// `components.schemas.Result.properties.code.enum`: the business codes upstream lists.
    pub business_codes: Vec<i64>,
    /// Each top-level tag's platform names (`x-platform-aliases`: "Xiaohongshu Pugongying", "蒲公英", ...).
    pub platform_names: BTreeMap<String, Vec<String>>,
    openapi: String,
    components: Option<Value>,
}

impl Catalogue {
    /// Parses and checks an aggregate definition (OpenAPI 3.0 or 3.1). Operations with a method the generator
    /// does not support are skipped with a warning; anything else that does not fit is an error naming the file
    /// and the JSON pointer.
    pub fn parse(source: &Source, limits: Limits, warnings: &mut Vec<Warning>) -> Result<Catalogue> {
        let file = &source.path;
        if source.bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::spec(file, "", "the catalogue is empty"));
        }
        let first = source.bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(&source.bytes).is_ok() {
            return Err(Error::spec(
                file,
                "",
                "not an OpenAPI document: the top level is not a JSON object",
            ));
        }
        let raw: RawDocument = serde_json::from_slice(&source.bytes).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                Error::Json {
                    file: file.clone(),
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                }
            } else {
                Error::spec(file, "", format!("not an OpenAPI document: {e}"))
            }
        })?;
        let openapi = match &raw.openapi {
            Some(Value::String(v)) if v.starts_with("3.0.") || v.starts_with("3.1.") => v.clone(),
            Some(Value::String(v)) => {
                return Err(Error::spec(
                    file,
                    "/openapi",
                    format!("unsupported OpenAPI version {v:?}, expected 3.0.x or 3.1.x"),
                ))
            }
            Some(_) => return Err(Error::spec(file, "/openapi", "`openapi` is not a string")),
            None => return Err(Error::spec(file, "", "not an OpenAPI document: no `openapi` field")),
        };
        let Some(paths) = raw.paths else {
            return Err(Error::spec(file, "", "not an OpenAPI document: no `paths` object"));
        };
        let platform_names = platform_names(raw.tags.as_ref());
        let mut entries = Vec::new();
        let mut seen: BTreeMap<(Method, String), String> = BTreeMap::new();
        for (path, item) in paths.0 {
            if path.starts_with("x-") {
                continue; // an extension of the `paths` object
            }
            let item_ptr = pointer(["paths", path.as_str()]);
            let item = match item {
                PathItem::Entries(e) => e,
                PathItem::Other => {
                    return Err(Error::spec(file, item_ptr, "a path item must be a JSON object"));
                }
            };
            let item_parameters = item.0.iter().find(|(k, _)| k == "parameters").map(|(_, v)| v.clone());
            for (key, op) in item.0 {
                let method = match key.as_str() {
                    "get" => Method::Get,
                    "post" => Method::Post,
                    "put" | "delete" | "patch" | "head" | "options" | "trace" => {
                        warnings.push(Warning {
                            file: file.clone(),
                            pointer: pointer(["paths", path.as_str(), key.as_str()]),
                            operation: format!("{} {path}", key.to_ascii_uppercase()),
                            message: "skipped: only GET and POST operations are generated".into(),
                        });
                        continue;
                    }
                    _ => continue, // `parameters`, `summary`, `servers`, `x-...`
                };
                let op_ptr = pointer(["paths", path.as_str(), key.as_str()]);
                let label = format!("{} {path}", method.as_str());
                if let Some(first) = seen.insert((method, path.clone()), op_ptr.clone()) {
                    return Err(Error::spec(
                        file,
                        op_ptr,
                        format!("{label} is listed twice (first at {first}); which one upstream serves is unknown"),
                    ));
                }
                let fail = |message: String| Error::spec(file, &op_ptr, format!("{label}: {message}"));
                let api_path = layout::check_path(&path).map_err(fail)?;
                let Some(obj) = op.as_object() else {
                    return Err(fail("the operation is not a JSON object".into()));
                };
                let flag = |k: &str| obj.get(k).and_then(Value::as_bool) == Some(true);
                let hidden = flag("x-docs-hidden");
                let docs = if hidden {
                    None
                } else {
                    Some(url::location(obj, &path).map_err(fail)?)
                };
                let mut listing = meta::read(|k| obj.get(k));
                let tag = obj.get("tags").and_then(|t| t.get(0)).and_then(Value::as_str);
                if let Some(names) = tag.and_then(|t| platform_names.get(t)) {
                    meta::add_unprefixed_aliases(&mut listing.aliases, names);
                }
                let tag = tag.map(str::to_owned);
                entries.push(Listed {
                    method,
                    path: path.clone(),
                    api_path,
                    tag,
                    pointer: op_ptr.clone(),
                    deprecated: flag("deprecated"),
                    hidden,
                    docs,
                    listing,
                    item_parameters: item_parameters.clone(),
                    operation: op,
                });
            }
        }
        entries.sort_by(|a, b| (a.method, &a.path).cmp(&(b.method, &b.path)));
        check_limits(file, &entries, limits)?;
        check_unique_files(file, &entries)?;
        check_unique_docs(file, &entries)?;
        let business_codes = business_codes(raw.components.as_ref());
        Ok(Catalogue {
            file: file.clone(),
            entries,
            business_codes,
            platform_names,
            openapi,
            components: raw.components,
        })
    }

    pub fn find(&self, method: Method, path: &str) -> Option<&Listed> {
        self.entries
            .binary_search_by(|e| (e.method, e.path.as_str()).cmp(&(method, path)))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The catalogue's own definition of one operation, as a one-path document (same JSON pointers as in the
    /// catalogue, same components): what a hidden endpoint we never vendored is generated from.
    pub fn definition(&self, listed: &Listed) -> Source {
        let mut item = Map::new();
        if let Some(p) = &listed.item_parameters {
            item.insert("parameters".into(), p.clone());
        }
        item.insert(listed.method.as_str().to_ascii_lowercase(), listed.operation.clone());
        let mut paths = Map::new();
        paths.insert(listed.path.clone(), Value::Object(item));
        let mut doc = Map::new();
        doc.insert("openapi".into(), Value::String(self.openapi.clone()));
        doc.insert(
            "info".into(),
            serde_json::json!({ "title": "Just One API catalogue", "version": "0" }),
        );
        doc.insert("paths".into(), Value::Object(paths));
        if let Some(c) = &self.components {
            doc.insert("components".into(), c.clone());
        }
        let bytes = serde_json::to_vec(&Value::Object(doc)).unwrap_or_default();
        Source::new(&self.file, bytes)
    }
}

fn check_limits(file: &Path, entries: &[Listed], limits: Limits) -> Result<()> {
    let platforms: BTreeSet<&str> = entries.iter().map(|e| e.api_path.platform.as_str()).collect();
    for (found, allowed, what, key) in [
        (entries.len(), limits.max_operations, "operations", "max_operations"),
        (platforms.len(), limits.max_platforms, "platforms", "max_platforms"),
    ] {
        if found > allowed {
            return Err(Error::spec(
                file,
                "/paths",
                format!(
                    "the catalogue lists {found} {what}, more than the {allowed} allowed (`catalogue.{key}` in \
                     specs/manifest.yaml); raise it if upstream really grew that much"
                ),
            ));
        }
    }
    Ok(())
}

/// Two operations whose definition files would differ only in letter case would overwrite each other on a
/// case-insensitive file system (macOS, Windows).
fn check_unique_files(file: &Path, entries: &[Listed]) -> Result<()> {
    let mut seen: BTreeMap<String, &Listed> = BTreeMap::new();
    for e in entries {
        let name = layout::rel_path(e.method, &e.api_path, crate::manifest::Lang::En).to_lowercase();
        if let Some(first) = seen.insert(name, e) {
            return Err(Error::spec(
                file,
                &e.pointer,
                format!(
                    "{} and {} differ only in letter case: their definition files would be one on a \
                     case-insensitive file system",
                    first.label(),
                    e.label()
                ),
            ));
        }
    }
    Ok(())
}

/// Two published operations with one docs URL: the docs site can serve only one of them.
fn check_unique_docs(file: &Path, entries: &[Listed]) -> Result<()> {
    let mut seen: BTreeMap<&DocsLocation, &Listed> = BTreeMap::new();
    for e in entries {
        let Some(docs) = &e.docs else { continue };
        if let Some(first) = seen.insert(docs, e) {
            return Err(Error::spec(
                file,
                &e.pointer,
                format!(
                    "{} and {} both get the docs URL <group>/<slug> = {}/{} by upstream's rule (same first tag, \
                     summary, version and deprecation); the docs site can serve only one",
                    first.label(),
                    e.label(),
                    docs.group,
                    docs.slug
                ),
            ));
        }
    }
    Ok(())
}

/// Each top-level tag's platform names (`x-platform-aliases`: "Xiaohongshu Pugongying", "蒲公英", ...).
fn platform_names(tags: Option<&Value>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for tag in tags.and_then(Value::as_array).into_iter().flatten() {
        let (Some(name), Some(aliases)) = (
            tag.get("name").and_then(Value::as_str),
            tag.get("x-platform-aliases").and_then(Value::as_array),
        ) else {
            continue;
        };
        let names = aliases.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        out.insert(name.to_owned(), names);
    }
    out
}

fn business_codes(components: Option<&Value>) -> Vec<i64> {
    let values = components
        .and_then(|c| c.pointer("/schemas/Result/properties/code/enum"))
        .and_then(Value::as_array);
    let mut codes: Vec<i64> = values
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The top level of an aggregate, with `paths` read entry by entry so a key given twice is seen.
#[derive(serde::Deserialize)]
struct RawDocument {
    #[serde(default)]
    openapi: Option<Value>,
    #[serde(default)]
    tags: Option<Value>,
    #[serde(default)]
    paths: Option<Entries<PathItem>>,
    #[serde(default)]
    components: Option<Value>,
}

/// A JSON object's entries in order, duplicates included (serde_json's `Map` keeps only the last).
struct Entries<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Of<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Of<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        deserializer.deserialize_map(Of(std::marker::PhantomData))
    }
}

/// A path item: its entries (methods given twice are seen), or anything else, refused with its pointer.
enum PathItem {
    Entries(Entries<Value>),
    Other,
}

impl<'de> Deserialize<'de> for PathItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PathItem;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a path item")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<PathItem, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(PathItem::Entries(Entries(out)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<PathItem, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(PathItem::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<PathItem, E> {
                Ok(PathItem::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Catalogue> {
        Catalogue::parse(
            &Source::new("c.json", json.as_bytes()),
            Limits::default(),
            &mut Vec::new(),
        )
    }

    fn op(summary: &str) -> String {
        format!(r#"{{"tags": ["Xiaohongshu"], "summary": "{summary}", "x-api-version": "v1", "responses": {{}}}}"#)
    }

    #[test]
    fn every_get_and_post_is_listed_with_its_docs_location() {
        let json = format!(
            r#"{{"openapi": "3.1.0", "paths": {{
                "/api/xiaohongshu/b/v1": {{"get": {op}, "post": {op2}, "delete": {op}}},
                "/api/xiaohongshu/a/v1": {{"get": {hidden}}}
            }}, "components": {{"schemas": {{"Result": {{"properties": {{"code": {{"enum": [0, 301, "100"]}}}}}}}}}}}}"#,
            op = op("Note Details"),
            op2 = op("Note Details Form"),
            hidden = r#"{"tags": [], "summary": "", "x-docs-hidden": true}"#,
        );
        let mut warnings = Vec::new();
        let c = Catalogue::parse(
            &Source::new("c.json", json.as_bytes()),
            Limits::default(),
            &mut warnings,
        )
        .unwrap();
        let labels: Vec<String> = c.entries.iter().map(Listed::label).collect();
        assert_eq!(
            labels,
            [
                "GET /api/xiaohongshu/a/v1",
                "GET /api/xiaohongshu/b/v1",
                "POST /api/xiaohongshu/b/v1"
            ]
        );
        assert!(c.entries[0].hidden && c.entries[0].docs.is_none());
        assert_eq!(c.entries[1].docs.as_ref().unwrap().slug, "note-details-v1");
        assert_eq!(c.business_codes, [0, 100, 301]);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].to_string().contains("DELETE /api/xiaohongshu/b/v1"),
            "{}",
            warnings[0]
        );
        let doc: Value = serde_json::from_slice(&c.definition(&c.entries[2]).bytes).unwrap();
        assert!(doc["paths"]["/api/xiaohongshu/b/v1"]["post"].is_object());
        assert!(doc["components"]["schemas"]["Result"].is_object());
    }

    #[test]
    fn hostile_catalogues_are_errors_naming_file_and_pointer() {
        let cases = [
            ("", "empty"),
            ("not json", "not valid JSON"),
            ("[1, 2]", "not an OpenAPI document"),
            (r#"{"openapi": "2.0", "paths": {}}"#, "unsupported OpenAPI version"),
            (r#"{"paths": {}}"#, "no `openapi`"),
            (r#"{"openapi": "3.1.0"}"#, "no `paths`"),
            (
                r#"{"openapi": "3.1.0", "paths": {"/api/x/a": 3}}"#,
                "must be a JSON object",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/../y": {{"get": {}}}}}}}"#,
                    op("A")
                ),
                "c.json#/paths/~1api~1x~1..~1y/get: GET /api/x/../y",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/%2e%2e": {{"get": {}}}}}}}"#,
                    op("A")
                ),
                "is not ASCII letters",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/a": {{"get": {0}}}, "/api/x/a": {{"get": {0}}}}}}}"#,
                    op("A")
                ),
                "listed twice",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/a": {{"get": {0}, "get": {0}}}}}}}"#,
                    op("A")
                ),
                "listed twice",
            ),
            (
                r#"{"openapi": "3.1.0", "paths": {"/api/x/a": {"get": {"tags": ["???"], "summary": "A"}}}}"#,
                "empty folder name",
            ),
            (
                r#"{"openapi": "3.1.0", "paths": {"/api/x/a": {"get": {"tags": ["T"], "summary": "!!"}}}}"#,
                "empty page name",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/a/v1": {{"get": {0}}}, "/api/x/b/v1": {{"get": {0}}}}}}}"#,
                    op("A")
                ),
                "both get the docs URL",
            ),
            (
                &format!(
                    r#"{{"openapi": "3.1.0", "paths": {{"/api/x/Ab": {{"get": {}}}, "/api/x/ab": {{"get": {}}}}}}}"#,
                    op("A"),
                    op("B")
                ),
                "differ only in letter case",
            ),
        ];
        for (json, expected) in cases {
            let err = parse(json).map(|_| ()).unwrap_err().to_string();
            assert!(err.contains(expected) && err.contains("c.json"), "{json}\n=> {err}");
        }
    }

    #[test]
    fn too_many_operations_are_refused_before_anything_else() {
        let paths: Vec<String> = (0..30)
            .map(|i| format!(r#""/api/p{}/op{i}/v1": {{"get": {}}}"#, i % 3, op(&format!("Op {i}"))))
            .collect();
        let json = format!(r#"{{"openapi": "3.1.0", "paths": {{{}}}}}"#, paths.join(","));
        let source = Source::new("c.json", json.as_bytes());
        let few = Limits {
            max_operations: 10,
            max_platforms: 200,
        };
        let err = Catalogue::parse(&source, few, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("30 operations") && err.contains("max_operations"), "{err}");
        let narrow = Limits {
            max_operations: 100,
            max_platforms: 2,
        };
        let err = Catalogue::parse(&source, narrow, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 platforms"), "{err}");
        assert_eq!(
            Catalogue::parse(&source, Limits::default(), &mut Vec::new())
                .unwrap()
                .entries
                .len(),
            30
        );
    }
}
