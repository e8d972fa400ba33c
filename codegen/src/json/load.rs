//! Bytes -> JSON value -> OpenAPI 3.0 document, with errors that name the file and the line (for syntax) or
//! the JSON pointer (for structure).

use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Error, Result};

pub fn parse_json(bytes: &[u8], path: &Path) -> Result<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::spec(path, "", "the file is empty"));
    }
    serde_json::from_slice(bytes).map_err(|e| Error::Json {
        file: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Deserializes an already normalized (3.0) document into `openapiv3` types.
///
/// The path items are deserialized on their own, in parallel, and the rest of the document beside them, so an
/// error names the JSON pointer of the value that does not fit inside its path item (the first such item in
/// document order, whichever thread finds it). openapiv3's types (untagged enums, flattened extensions) make
/// this 2.6 times the JSON parse on one thread. Each path item's `Value` is freed once read.
pub fn to_openapi(mut doc: Value, path: &Path) -> Result<openapiv3::OpenAPI> {
    let items: Vec<(String, Value)> = match doc.get_mut("paths").and_then(Value::as_object_mut) {
        Some(paths) => {
            // `x-` keys are the `paths` object's extensions: they stay with the rest.
            let (extensions, items): (Vec<_>, Vec<_>) = std::mem::take(paths)
                .into_iter()
                .partition(|(key, _)| key.starts_with("x-"));
            *paths = extensions.into_iter().collect();
            items
        }
        None => Vec::new(),
    };
    let path_item = |(key, item): (String, Value)| {
        // `ReferenceOr` is untagged: serde would lose the position inside it, so a path item without
        // `$ref` is read as a `PathItem` (what `ReferenceOr` does for it), keeping the pointer exact.
        let parsed = if item.get("$ref").is_some() {
            deserialize::<openapiv3::ReferenceOr<openapiv3::PathItem>>(&item)
        } else {
            deserialize::<openapiv3::PathItem>(&item).map(openapiv3::ReferenceOr::Item)
        };
        drop(item);
        parsed
            .map_err(|(inner, message)| {
                Error::spec(
                    path,
                    format!("{}{inner}", crate::error::pointer(["paths", key.as_str()])),
                    format!("not a valid OpenAPI 3.0 document: {message}"),
                )
            })
            .map(|item| (key, item))
    };
    let (api, items) = rayon::join(
        || deserialize::<openapiv3::OpenAPI>(&doc),
        || items.into_par_iter().map(path_item).collect::<Vec<_>>(),
    );
    let mut api = api.map_err(|(pointer, message)| {
        Error::spec(path, pointer, format!("not a valid OpenAPI 3.0 document: {message}"))
    })?;
    let items = items.into_iter().collect::<Result<Vec<_>>>()?;
    api.paths.paths.extend(items);
    Ok(api)
}

/// `T` from `value`, or the JSON pointer (relative to `value`) and message of what does not fit.
///
/// Plain serde first: only a failure needs the pointer, and tracking the path (`serde_path_to_error`) wraps
/// every value of the document (6% of the instructions of [`to_openapi`]); a failure is deserialized again
/// with tracking, which fails at the same value (same input, same deserializer).
fn deserialize<T: serde::de::DeserializeOwned>(value: &Value) -> std::result::Result<T, (String, String)> {
    T::deserialize(value).map_err(|plain| match serde_path_to_error::deserialize::<_, T>(value) {
        Err(e) => (path_to_pointer(e.path()), e.inner().to_string()),
        // Cannot happen (deserializing is deterministic); the plain error still says what is wrong.
        Ok(_) => (String::new(), plain.to_string()),
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let tokens: Vec<String> = path
        .iter()
        .filter_map(|seg| match seg {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    crate::error::pointer(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_file_and_line() {
        let err = parse_json(b"{\n  \"a\": [1,\n", Path::new("x.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("x.json: not valid JSON at line 3"), "{text}");
    }

    #[test]
    fn empty_files_are_rejected() {
        let err = parse_json(b"  \n", Path::new("e.json")).unwrap_err();
        assert!(err.to_string().contains("e.json") && err.to_string().contains("empty"));
    }

    #[test]
    fn path_items_keep_their_order_and_the_paths_extensions() {
        let doc = serde_json::json!({
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/b": {"get": {"responses": {}}},
                "x-ext": {"k": 1},
                "/a": {"$ref": "#/components/pathItems/a"},
                "/c": {"post": {"responses": {}}}
            }
        });
        let api = to_openapi(doc, Path::new("d.json")).unwrap();
        let keys: Vec<&str> = api.paths.paths.keys().map(String::as_str).collect();
        assert_eq!(keys, ["/b", "/a", "/c"]);
        assert!(
            matches!(&api.paths.paths["/a"], openapiv3::ReferenceOr::Reference { reference } if reference.ends_with("/a"))
        );
        assert_eq!(api.paths.extensions["x-ext"], serde_json::json!({"k": 1}));
    }

    #[test]
    fn structure_errors_name_the_pointer() {
        let doc = serde_json::json!({
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"parameters": [{"name": "x", "in": "query", "required": "yes"}],
                                      "responses": {}}}}
        });
        let err = to_openapi(doc, Path::new("d.json")).unwrap_err().to_string();
        assert!(err.starts_with("d.json#/paths/~1a/get/parameters/0"), "{err}");
    }
}
