//! A normalized OpenAPI 3.0 document for other generators (progenitor, openapi-generator...): the same
//! downgrade we use ourselves, plus the fixes other tools need because they trust the spec more than we do:
//!
//! * every operationId replaced by the path-derived name with its platform (`names.rs`), so ids are unique and
//!   stable;
//! * enum defaults that are not enum values removed (each with a warning naming the parameter);
//! * response examples without a schema get the schema inferred from the example (`infer.rs`), wrapped in the
//!   `{code, message, data, recordTime, requestId}` envelope; media types with neither get the any-schema `{}`.

use std::path::Path;

use serde_json::{json, Map, Value};

use crate::error::Result;
use crate::input::Source;
use crate::ir::{Field, Shape};
use crate::json::{downgrade, fixups, load};
use crate::lower::infer;
use crate::lower::Warning;
use crate::names;

/// A definition (aggregate or per-endpoint) as the normalized 3.0 document.
pub fn normalized_document(spec: &Source, warnings: &mut Vec<Warning>) -> Result<Value> {
    let mut doc = load::parse_json(&spec.bytes, &spec.path)?;
    normalize_value(&mut doc, &spec.path, warnings);
    // Prove it parses as 3.0 with the same errors our own pipeline gives.
    load::to_openapi(doc.clone(), &spec.path)?;
    Ok(doc)
}

pub fn normalize_value(doc: &mut Value, file: &Path, warnings: &mut Vec<Warning>) {
    downgrade::downgrade(doc);
    fixups::apply(doc, file, warnings);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "delete" | "patch") {
                continue;
            }
            let Some(op) = op.as_object_mut() else { continue };
            // Unique across platforms: the platform stays in the name (`xiaohongshu_pgy_get_kol_fans_portrait_v1`).
            let id = match method.as_str() {
                "post" => names::operation_fn(crate::ir::Method::Post, path, ""),
                "get" => names::operation_fn(crate::ir::Method::Get, path, ""),
                other => format!("{other}_{}", names::operation_fn(crate::ir::Method::Get, path, "")),
            };
            op.insert("operationId".into(), Value::String(id));
            add_response_schemas(op);
        }
    }
}

fn add_response_schemas(op: &mut Map<String, Value>) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (_, response) in responses.iter_mut() {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        for (_, media) in content.iter_mut() {
            let Some(media) = media.as_object_mut() else { continue };
            if media.contains_key("schema") {
                continue;
            }
            let schema = match media.get("example") {
                Some(example) => match infer::envelope_data(example) {
                    Some(data) => envelope(shape_schema(&infer::infer(data))),
                    None => shape_schema(&infer::infer(example)),
                },
                // Neither schema nor example: any JSON (progenitor cannot handle a schema-less media type).
                None => json!({}),
            };
            media.insert("schema".into(), schema);
        }
    }
}

fn envelope(data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {"type": "integer", "format": "int64"},
            "message": {"type": "string", "nullable": true},
            "data": data,
            "recordTime": {"type": "string", "nullable": true},
            "requestId": {"type": "string", "nullable": true}
        }
    })
}

/// IR shape -> OpenAPI 3.0 schema.
pub fn shape_schema(shape: &Shape) -> Value {
    match shape {
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Integer => json!({"type": "integer", "format": "int64"}),
        Shape::Number => json!({"type": "number", "format": "double"}),
        Shape::String => json!({"type": "string"}),
        Shape::Any => json!({}),
        Shape::Optional(inner) => {
            let mut s = shape_schema(inner);
            if let Some(obj) = s.as_object_mut() {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            s
        }
        Shape::Array(inner) => json!({"type": "array", "items": shape_schema(inner)}),
        Shape::Map(values) => json!({"type": "object", "additionalProperties": shape_schema(values)}),
        Shape::Object { fields, rest } => {
            let props: Map<String, Value> = fields
                .iter()
                .map(|f| (f.name.clone(), shape_schema(&f.shape)))
                .collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(|f: &&Field| !matches!(f.shape, Shape::Optional(_) | Shape::Any))
                .map(|f| f.name.as_str())
                .collect();
            let mut obj = json!({"type": "object", "properties": props});
            if !required.is_empty() {
                obj["required"] = json!(required);
            }
            if let Some(rest) = rest {
                obj["additionalProperties"] = shape_schema(rest);
            }
            obj
        }
    }
}
