//! Upstream quirks fixed in one visible place, each with a warning that names the operation.
//!
//! * **Duplicate operationIds** (the 2026-03-29 aggregate shares 17 ids among 44 operations): harmless for
//!   us (names come from paths), so they are reported, not changed.
//! * **Enum defaults that are not enum values** (10 query parameters of 2026-08-21) are removed, with a warning:
//!   a default the type cannot hold would be documented wrong (and breaks other generators). A value matches
//!   by its text (`1` and `"1"` are the same value), as the parameter is sent as text.
//! * **Envelope `$ref`s without the envelope** (4 per-endpoint definitions of Douyin Xingtu and TikTok Shop):
//!   a response schema `$ref: #/components/schemas/Result` in a file that has no such component (the aggregate
//!   defines it; the per-endpoint files leave `components` out). Replaced by the envelope it names, `{code,
//!   message, data, recordTime}` with `data` untyped, with a warning; any other dangling `$ref` stays an error.
//! * **Examples without schemas**: inferred in `lower/infer.rs`; nothing to do here.
//!
//! Applied to every definition, aggregate or per-endpoint, before it is typed (`json::document`),
//! and by the export for other generators (`json::export`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::pointer;
use crate::lower::Warning;

pub fn apply(doc: &mut Value, file: &Path, warnings: &mut Vec<Warning>) {
    report_duplicate_operation_ids(doc, file, warnings);
    drop_invalid_enum_defaults(doc, file, warnings);
    inline_missing_envelope(doc, file, warnings);
}

/// The `$ref` upstream's per-endpoint files use for the response envelope, and its component name.
const ENVELOPE_REF: &str = "#/components/schemas/Result";
const ENVELOPE_NAME: &str = "Result";

/// The aggregate's `Result` component as far as we rely on it: `data` is left without a type (the aggregate says
/// `object`, which is not what every operation returns) so it stays raw JSON.
fn envelope_schema() -> Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "data": {},
            "recordTime": {"type": "string", "format": "date-time"}
        }
    })
}

fn inline_missing_envelope(doc: &mut Value, file: &Path, warnings: &mut Vec<Warning>) {
    let defined = doc.pointer(&format!("/components/schemas/{ENVELOPE_NAME}")).is_some();
    if defined {
        return;
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, op) in item.iter_mut() {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
                    continue;
                };
                for (ct, media) in content.iter_mut() {
                    let Some(schema) = media.get_mut("schema") else {
                        continue;
                    };
                    if schema.get("$ref").and_then(Value::as_str) != Some(ENVELOPE_REF) {
                        continue;
                    }
                    *schema = envelope_schema();
                    warnings.push(Warning {
                        file: file.to_path_buf(),
                        pointer: pointer([
                            "paths",
                            path.as_str(),
                            method.as_str(),
                            "responses",
                            status.as_str(),
                            "content",
                            ct.as_str(),
                            "schema",
                        ]),
                        operation: format!("{} {path}", method.to_ascii_uppercase()),
                        message: format!(
                            "response schema `$ref: {ENVELOPE_REF}` names a component this file does not define; \
                             replaced by the `{{code, message, data}}` envelope (data untyped)"
                        ),
                    });
                }
            }
        }
    }
}

/// The text a value is sent as: a string as it is, anything else as JSON.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn drop_invalid_enum_defaults(doc: &mut Value, file: &Path, warnings: &mut Vec<Warning>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        let path_ptr = pointer(["paths", path.as_str()]);
        let methods: Vec<String> = item
            .keys()
            .filter(|k| matches!(k.as_str(), "get" | "post"))
            .cloned()
            .collect();
        let label_of = |m: &str| format!("{} {path}", m.to_ascii_uppercase());
        // Path-level parameters belong to every operation; report them under the first.
        let first = methods.first().map(|m| label_of(m)).unwrap_or_else(|| path.clone());
        if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
            for (i, p) in params.iter_mut().enumerate() {
                check_parameter(p, &format!("{path_ptr}/parameters/{i}"), &first, file, warnings);
            }
        }
        for method in methods {
            let label = label_of(&method);
            let op_ptr = format!("{path_ptr}/{method}");
            let Some(op) = item.get_mut(&method).and_then(Value::as_object_mut) else {
                continue;
            };
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for (i, p) in params.iter_mut().enumerate() {
                    check_parameter(p, &format!("{op_ptr}/parameters/{i}"), &label, file, warnings);
                }
            }
            // Fields of a form body are parameters too.
            let Some(content) = op
                .get_mut("requestBody")
                .and_then(|b| b.get_mut("content"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (ct, media) in content.iter_mut() {
                let props_ptr = format!(
                    "{}/schema/properties",
                    crate::error::push_pointer(&format!("{op_ptr}/requestBody/content"), ct)
                );
                let Some(props) = media
                    .get_mut("schema")
                    .and_then(|s| s.get_mut("properties"))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (name, schema) in props.iter_mut() {
                    let ptr = crate::error::push_pointer(&props_ptr, name);
                    check_schema(schema, name, &ptr, &label, file, warnings);
                }
            }
        }
    }
}

fn check_parameter(p: &mut Value, ptr: &str, label: &str, file: &Path, warnings: &mut Vec<Warning>) {
    let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    if let Some(schema) = p.get_mut("schema") {
        check_schema(schema, &name, &format!("{ptr}/schema"), label, file, warnings);
    }
}

fn check_schema(schema: &mut Value, name: &str, ptr: &str, label: &str, file: &Path, warnings: &mut Vec<Warning>) {
    let Some(schema) = schema.as_object_mut() else { return };
    let (Some(Value::Array(values)), Some(default)) = (schema.get("enum"), schema.get("default")) else {
        return;
    };
    let text = as_text(default);
    if values.iter().any(|v| as_text(v) == text) {
        return;
    }
    warnings.push(Warning {
        file: file.to_path_buf(),
        pointer: format!("{ptr}/default"),
        operation: label.to_owned(),
        message: format!("parameter `{name}`: default {default} is not one of its enum values; removed"),
    });
    schema.remove("default");
}

fn report_duplicate_operation_ids(doc: &Value, file: &Path, warnings: &mut Vec<Warning>) {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return;
    };
    let mut seen: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                seen.entry(id)
                    .or_default()
                    .push((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    for (id, ops) in seen.into_iter().filter(|(_, ops)| ops.len() > 1) {
        for (method, path) in &ops {
            warnings.push(Warning {
                file: file.to_path_buf(),
                pointer: pointer(["paths", path.as_str(), &method.to_ascii_lowercase(), "operationId"]),
                operation: format!("{method} {path}"),
                message: format!(
                    "operationId `{id}` is shared by {} operations (names come from paths; ignored)",
                    ops.len()
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc_with_schema(schema: Value) -> Value {
        json!({"openapi": "3.0.0", "paths": {"/api/x/v1": {"get": {"responses": {"200": {"content": {
            "application/json": {"schema": schema}}}}}}}})
    }

    const SCHEMA: &str = "/paths/~1api~1x~1v1/get/responses/200/content/application~1json/schema";

    #[test]
    fn a_dangling_envelope_ref_becomes_the_envelope_with_a_warning_naming_the_pointer() {
        let mut doc = doc_with_schema(json!({"$ref": "#/components/schemas/Result"}));
        let mut warnings = Vec::new();
        apply(&mut doc, Path::new("x-en.json"), &mut warnings);
        assert_eq!(doc.pointer(SCHEMA), Some(&envelope_schema()));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pointer, SCHEMA);
        assert_eq!(warnings[0].operation, "GET /api/x/v1");
    }

    #[test]
    fn a_defined_envelope_and_other_dangling_refs_are_left_alone() {
        let mut defined = doc_with_schema(json!({"$ref": "#/components/schemas/Result"}));
        defined["components"] = json!({"schemas": {"Result": {"type": "object"}}});
        let before = defined.clone();
        let mut warnings = Vec::new();
        apply(&mut defined, Path::new("x-en.json"), &mut warnings);
        assert_eq!(defined, before);

        // Only the envelope has a known meaning; anything else must still fail in `lower`.
        let mut other = doc_with_schema(json!({"$ref": "#/components/schemas/Page"}));
        let before = other.clone();
        apply(&mut other, Path::new("x-en.json"), &mut warnings);
        assert_eq!(other, before);
        assert!(warnings.is_empty());
    }
}
