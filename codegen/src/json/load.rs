//! Bytes -> JSON value -> OpenAPI 3.0 document, with errors that name the file and the line (for syntax) or
//! the JSON pointer (for structure).

use std::path::Path;

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
pub fn to_openapi(doc: Value, path: &Path) -> Result<openapiv3::OpenAPI> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&doc).map_err(|e| {
        let (pointer, message) =
            precise_pointer(&doc).unwrap_or_else(|| (path_to_pointer(e.path()), e.inner().to_string()));
        Error::spec(path, pointer, format!("not a valid OpenAPI 3.0 document: {message}"))
    })
}

/// serde loses track of the position inside `openapiv3`'s flattened maps, so after a failure each path
/// item is tried on its own to find the exact pointer.
fn precise_pointer(doc: &Value) -> Option<(String, String)> {
    let paths = doc.get("paths")?.as_object()?;
    for (p, item) in paths {
        if let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::PathItem>(item) {
            let inner = path_to_pointer(e.path());
            return Some((
                format!("{}{inner}", crate::error::pointer(["paths", p.as_str()])),
                e.inner().to_string(),
            ));
        }
    }
    None
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
