//! OpenAPI 3.1 -> 3.0, on the raw JSON, so that `openapiv3` (a 3.0 model) can parse upstream's aggregate.
//!
//! Only what upstream's definitions use, each rule tested:
//! * `"openapi": "3.1.x"` -> `"3.0.3"`; 3.1-only top-level keys (`webhooks`, `jsonSchemaDialect`) dropped.
//! * `"type": ["string", "null"]` -> `"type": "string", "nullable": true`; several non-null types -> no type.
//! * `"const": v` -> `"enum": [v]`; schema `"examples": [..]` -> `"example"` (the first).
//! * numeric `exclusiveMinimum` / `exclusiveMaximum` -> `minimum` / `maximum` + boolean flag.
//! * enum values of the wrong JSON type for their schema (`"0"` in an integer enum, `0` in a string enum)
//!   are converted to the declared type.
//! * `*/*` content -> `application/json` (upstream always answers JSON).
//!
//! Values that are data (`example`, `examples` of media types, `default`, `enum`, `x-*`) are never walked.

use rayon::prelude::*;
use serde_json::{Map, Value};

pub fn downgrade(doc: &mut Value) {
    let Value::Object(root) = doc else { return };
    if let Some(Value::String(v)) = root.get("openapi") {
        if v.starts_with("3.1") {
            root.insert("openapi".into(), Value::String("3.0.3".into()));
        }
    }
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    if let Some(Value::Object(info)) = root.get_mut("info") {
        info.remove("summary");
        if let Some(Value::Object(license)) = info.get_mut("license") {
            license.remove("identifier");
        }
    }
    walk_root(doc);
}

/// [`walk`], the path items in parallel (one aggregate holds hundreds, each independent of the others).
fn walk_root(doc: &mut Value) {
    let Value::Object(root) = doc else {
        return walk(doc);
    };
    for (k, child) in walked(root) {
        match child {
            Value::Object(paths) if k == "paths" => {
                let items: Vec<&mut Value> = walked(paths).map(|(_, item)| item).collect();
                items.into_par_iter().for_each(walk);
            }
            child => walk(child),
        }
    }
}

fn is_data_key(key: &str) -> bool {
    matches!(key, "example" | "default" | "enum" | "const") || key.starts_with("x-")
}

fn walk(v: &mut Value) {
    match v {
        Value::Object(map) => walked(map).for_each(|(_, child)| walk(child)),
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// Fixes the object `map` itself and yields the values under it that are walked (not data).
fn walked(map: &mut Map<String, Value>) -> impl Iterator<Item = (&String, &mut Value)> {
    fix_schema(map);
    fix_content(map);
    // `examples` of a media type is a map of Example objects (data); of a schema it was already turned into
    // `example` by `fix_schema`.
    map.iter_mut().filter(|(k, _)| !(is_data_key(k) || *k == "examples"))
}

fn looks_like_schema(map: &Map<String, Value>) -> bool {
    map.contains_key("type") || map.contains_key("properties") || map.contains_key("items") || map.contains_key("const")
}

fn fix_schema(map: &mut Map<String, Value>) {
    if !looks_like_schema(map) {
        return;
    }
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let non_null: Vec<&Value> = types.iter().filter(|t| t.as_str() != Some("null")).collect();
        let nullable = non_null.len() != types.len();
        match non_null.as_slice() {
            [one] => {
                map.insert("type".into(), (*one).clone());
            }
            _ => {
                map.remove("type");
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }
    if let Some(c) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![c]));
    }
    if let Some(Value::Array(examples)) = map.get("examples").cloned() {
        map.remove("examples");
        if let Some(first) = examples.into_iter().next() {
            map.entry("example").or_insert(first);
        }
    }
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(n @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    coerce_enum(map);
}

/// Makes enum values match the declared type; values that cannot be converted are dropped.
fn coerce_enum(map: &mut Map<String, Value>) {
    let ty = map.get("type").and_then(Value::as_str).map(str::to_owned);
    let Some(Value::Array(values)) = map.get_mut("enum") else {
        return;
    };
    match ty.as_deref() {
        Some("string") => {
            for v in values.iter_mut() {
                match v {
                    Value::Number(n) => *v = Value::String(n.to_string()),
                    Value::Bool(b) => *v = Value::String(b.to_string()),
                    _ => {}
                }
            }
        }
        Some("integer") => {
            values.retain_mut(|v| match v {
                Value::String(s) => match s.trim().parse::<i64>() {
                    Ok(n) => {
                        *v = Value::from(n);
                        true
                    }
                    Err(_) => false,
                },
                Value::Number(n) => n.is_i64() || n.is_u64(),
                Value::Null => true,
                _ => false,
            });
        }
        _ => {}
    }
}

fn fix_content(map: &mut Map<String, Value>) {
    let Some(Value::Object(content)) = map.get_mut("content") else {
        return;
    };
    if let Some(any) = content.remove("*/*") {
        content.entry("application/json").or_insert(any);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_arrays_become_nullable() {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"R": {"type": "object",
            "properties": {"message": {"type": ["string", "null"]}, "x": {"type": ["string", "integer"]}}}}}});
        downgrade(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        let props = &doc["components"]["schemas"]["R"]["properties"];
        assert_eq!(props["message"], json!({"type": "string", "nullable": true}));
        assert_eq!(props["x"], json!({}));
    }

    #[test]
    fn star_content_becomes_json_and_examples_stay_untouched() {
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"*/*": {
            "schema": {"$ref": "#/components/schemas/Result"},
            "example": {"type": ["not", "a", "schema"]}}}}}}}}});
        downgrade(&mut doc);
        let content = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"];
        assert!(content.get("*/*").is_none());
        assert_eq!(
            content["application/json"]["example"]["type"],
            json!(["not", "a", "schema"])
        );
    }

    #[test]
    fn enum_values_follow_the_declared_type() {
        let mut doc =
            json!({"s": {"type": "string", "enum": [0, "1"]}, "i": {"type": "integer", "enum": ["0", "301", "x"]}});
        downgrade(&mut doc);
        assert_eq!(doc["s"]["enum"], json!(["0", "1"]));
        assert_eq!(doc["i"]["enum"], json!([0, 301]));
    }

    #[test]
    fn const_and_exclusive_bounds() {
        let mut doc = json!({"a": {"type": "integer", "const": 3, "exclusiveMinimum": 1}});
        downgrade(&mut doc);
        assert_eq!(
            doc["a"],
            json!({"type": "integer", "enum": [3], "minimum": 1, "exclusiveMinimum": true})
        );
    }
}
