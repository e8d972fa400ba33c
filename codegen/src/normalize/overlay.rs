//! `specs/overlays/*.yaml`: the maintainers' patches for what upstream leaves loose — a response schema
//! (so a type survives upstream dropping its example), a successor, a name.
//!
//! Like k8s-openapi's fixups, every overlay must apply: one whose target no longer exists is an error
//! ("overlay X never applied"), so stale patches are noticed and removed instead of silently rotting.
//!
//! ```yaml
//! overlays:
//!   - path: /api/xiaohongshu-pgy/get-kol-fans-portrait/v1   # method defaults to GET
//!     reason: why this patch exists (required)
//!     response_schema: { type: object, properties: { ... } }  # or response_example: { ... }
//!     successor: /api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1
//!     name: get_kol_fans_portrait_v1                          # method / module name
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::infer;
use crate::ir::{Api, Field, Method, ResponseData, Shape, ShapeOrigin, Successor, SuccessorSource};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverlayDoc {
    overlays: Vec<Overlay>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    #[serde(default = "get")]
    pub method: String,
    pub path: String,
    pub reason: String,
    #[serde(default)]
    pub response_schema: Option<Value>,
    #[serde(default)]
    pub response_example: Option<Value>,
    #[serde(default)]
    pub successor: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

fn get() -> String {
    "GET".into()
}

/// Every overlay of a checkout, with a record of which ones applied.
#[derive(Debug, Default)]
pub struct Overlays {
    entries: Vec<(PathBuf, usize, Overlay)>,
    used: Vec<bool>,
}

impl Overlays {
    pub fn load(files: &[(String, PathBuf)]) -> Result<Overlays> {
        let mut entries = Vec::new();
        for (_, path) in files {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let doc: OverlayDoc = serde_norway::from_str(&text).map_err(|e| Error::Overlay {
                file: path.clone(),
                message: e.to_string(),
            })?;
            for (i, o) in doc.overlays.into_iter().enumerate() {
                if o.response_schema.is_some() && o.response_example.is_some() {
                    return Err(Error::Overlay {
                        file: path.clone(),
                        message: format!("overlays[{i}]: give response_schema or response_example, not both"),
                    });
                }
                entries.push((path.clone(), i, o));
            }
        }
        let used = vec![false; entries.len()];
        Ok(Overlays { entries, used })
    }

    /// Applies every overlay whose target is in `api`.
    pub fn apply(&mut self, api: &mut Api) -> Result<()> {
        for (k, (file, i, o)) in self.entries.iter().enumerate() {
            let method = match o.method.to_ascii_uppercase().as_str() {
                "GET" => Method::Get,
                "POST" => Method::Post,
                other => {
                    return Err(Error::Overlay {
                        file: file.clone(),
                        message: format!("overlays[{i}]: unsupported method `{other}`"),
                    })
                }
            };
            let Some(op) = api
                .operations
                .iter_mut()
                .find(|op| op.method == method && op.path == o.path)
            else {
                continue;
            };
            self.used[k] = true;
            let at = |m: String| Error::Overlay {
                file: file.clone(),
                message: format!("overlays[{i}] ({} {}): {m}", o.method, o.path),
            };
            if let Some(schema) = &o.response_schema {
                let shape = schema_shape(schema, "response_schema", 0).map_err(at)?;
                op.response = Some(ResponseData {
                    shape,
                    origin: ShapeOrigin::Overlay,
                });
            }
            if let Some(example) = &o.response_example {
                op.response = Some(ResponseData {
                    shape: infer::infer(example),
                    origin: ShapeOrigin::Overlay,
                });
            }
            if let Some(name) = &o.name {
                if crate::names::snake(name, "") != *name {
                    return Err(at(format!("name `{name}` is not snake_case")));
                }
                op.name = Some(name.clone());
            }
            if let Some(succ) = &o.successor {
                match op.deprecation.as_mut() {
                    Some(d) => {
                        d.successor = Some(Successor {
                            method: Method::Get,
                            path: succ.clone(),
                            source: SuccessorSource::Overlay,
                        })
                    }
                    None => return Err(at("sets a successor, but the operation is not deprecated".into())),
                }
            }
        }
        Ok(())
    }

    /// Fails on the first overlay that matched no operation.
    pub fn check_all_applied(&self) -> Result<()> {
        match self.entries.iter().zip(&self.used).find(|(_, used)| !**used) {
            None => Ok(()),
            Some(((file, i, o), _)) => Err(Error::Overlay {
                file: file.clone(),
                message: format!(
                    "overlay {}#overlays[{i}] never applied: no operation {} {} (remove it, or fix its path)",
                    file.file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    o.method,
                    o.path
                ),
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A small JSON Schema -> Shape conversion (type, properties, required, items, nullable, `type: [.., "null"]`).
fn schema_shape(schema: &Value, at: &str, depth: usize) -> std::result::Result<Shape, String> {
    if depth > 64 {
        return Err(format!("{at}: nests deeper than 64 levels"));
    }
    let Some(obj) = schema.as_object() else {
        return Err(format!("{at}: a schema must be a mapping"));
    };
    let (ty, mut nullable) = match obj.get("type") {
        Some(Value::String(t)) => (Some(t.as_str()), false),
        Some(Value::Array(ts)) => {
            let non_null: Vec<&str> = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
            (
                if non_null.len() == 1 { Some(non_null[0]) } else { None },
                non_null.len() != ts.len(),
            )
        }
        None => (None, false),
        Some(other) => return Err(format!("{at}/type: expected a string or a list, found {other}")),
    };
    nullable |= obj.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    let shape = match ty {
        Some("string") => Shape::String,
        Some("integer") => Shape::Integer,
        Some("number") => Shape::Number,
        Some("boolean") => Shape::Bool,
        Some("array") => match obj.get("items") {
            Some(items) => Shape::Array(Box::new(schema_shape(items, &format!("{at}/items"), depth + 1)?)),
            None => Shape::Array(Box::new(Shape::Any)),
        },
        Some("object") | None if obj.contains_key("properties") => {
            let required: Vec<&str> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = obj
                .get("properties")
                .and_then(Value::as_object)
                .ok_or(format!("{at}/properties: expected a mapping"))?;
            let mut fields = Vec::new();
            for (name, prop) in props {
                let mut shape = schema_shape(prop, &format!("{at}/properties/{name}"), depth + 1)?;
                if !required.contains(&name.as_str()) {
                    shape = shape.nullable();
                }
                fields.push(Field {
                    name: name.clone(),
                    shape,
                });
            }
            Shape::Object(fields)
        }
        Some("object") | None => Shape::Any,
        Some(other) => return Err(format!("{at}/type: unknown type `{other}`")),
    };
    Ok(if nullable { shape.nullable() } else { shape })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_become_shapes_with_required_and_nullable() {
        let s = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "array", "items": {"type": "integer"}},
            "b": {"type": ["string", "null"]},
            "c": {"type": "number"}}});
        assert_eq!(
            schema_shape(&s, "", 0).unwrap(),
            Shape::Object(vec![
                Field {
                    name: "a".into(),
                    shape: Shape::Array(Box::new(Shape::Integer))
                },
                Field {
                    name: "b".into(),
                    shape: Shape::Optional(Box::new(Shape::String))
                },
                Field {
                    name: "c".into(),
                    shape: Shape::Optional(Box::new(Shape::Number))
                },
            ])
        );
        assert!(schema_shape(&json!({"type": "tuple"}), "s", 0)
            .unwrap_err()
            .contains("s/type"));
    }
}
