//! Upstream quirks fixed in one visible place, each with a warning that names the operation.
//!
//! * **Duplicate operationIds** (the 2026-03-29 aggregate shares 17 ids among 44 operations): harmless for
//!   us (names come from paths), so they are reported, not changed.
//! * **Enum defaults that are not enum values** (10 query parameters of 2026-08-21) are dropped in `lower.rs`,
//!   with a warning, when parameters are read.
//! * **Examples without schemas**: inferred in `infer.rs`; nothing to do here.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::pointer;
use crate::lower::Warning;

pub fn apply(doc: &mut Value, file: &Path, warnings: &mut Vec<Warning>) {
    report_duplicate_operation_ids(doc, file, warnings);
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
