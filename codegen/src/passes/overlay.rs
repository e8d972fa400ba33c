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
//!     maps: [data.cidMap]        # infer these objects of the example as maps (`BTreeMap<String, T>`)
//!     structs: [data.nanoTheme]  # ... or as structs, whatever their keys look like (see infer.rs)
//! ```
//!
//! `maps` and `structs` are hints for inferring the example, applied first ([`Overlays::apply_hints`]);
//! each must name an object of the example. The rest ([`Overlays::apply`]) runs after the type memory, so a
//! pinned schema wins over both the example and the memory.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::Source;
use crate::ir::{Api, Method, Operation, ResponseData, Shape, ShapeOrigin, Successor, SuccessorSource};
use crate::json::downgrade;
use crate::lower::infer::{self, Hints};

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
    /// JSON paths of objects in the response example to infer as maps.
    #[serde(default)]
    pub maps: Vec<String>,
    /// JSON paths of objects in the response example to infer as structs.
    #[serde(default)]
    pub structs: Vec<String>,
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
    /// Parses the overlay files (`specs/overlays/*.yaml`).
    pub fn parse(files: &[Source]) -> Result<Overlays> {
        let mut entries = Vec::new();
        for source in files {
            let path = &source.path;
            let doc: OverlayDoc = serde_norway::from_str(source.text()?).map_err(|e| Error::Overlay {
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

    /// The operation an overlay targets, if `api` has it.
    fn target<'a>(file: &Path, i: usize, o: &Overlay, api: &'a mut Api) -> Result<Option<&'a mut Operation>> {
        let method = match o.method.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            other => {
                return Err(Error::Overlay {
                    file: file.to_path_buf(),
                    message: format!("overlays[{i}]: unsupported method `{other}`"),
                })
            }
        };
        Ok(api
            .operations
            .iter_mut()
            .find(|op| op.method == method && op.path == o.path))
    }

    /// Infers again, with the overlay's `maps` / `structs` hints, every response example they target. Each
    /// hint must name an object of the example.
    pub fn apply_hints(&mut self, api: &mut Api) -> Result<()> {
        for (k, (file, i, o)) in self.entries.iter().enumerate() {
            if o.maps.is_empty() && o.structs.is_empty() {
                continue;
            }
            let Some(op) = Self::target(file, *i, o, api)? else {
                continue;
            };
            self.used[k] = true;
            let at = |m: String| Error::Overlay {
                file: file.clone(),
                message: format!("overlays[{i}] ({} {}): {m}", o.method, o.path),
            };
            let hints = Hints {
                maps: o.maps.clone(),
                structs: o.structs.clone(),
            };
            let Some(response) = op.response.as_mut().filter(|r| r.origin == ShapeOrigin::Example) else {
                return Err(at(
                    "`maps` / `structs` need a response example to infer, and there is none".into(),
                ));
            };
            let Some(example) = &response.example else {
                return Err(at(
                    "`maps` / `structs` need a response example to infer, and there is none".into(),
                ));
            };
            let inferred = infer::infer_with(example, &hints);
            if !inferred.unused_hints.is_empty() {
                return Err(at(format!(
                    "no object of the response example at {} (paths look like `data.list[].byId`, map values \
                     `data.byId.*`)",
                    inferred.unused_hints.join(", ")
                )));
            }
            response.shape = inferred.shape;
        }
        Ok(())
    }

    /// Applies every overlay whose target is in `api`: response types, names, successors.
    pub fn apply(&mut self, api: &mut Api, warnings: &mut Vec<crate::lower::Warning>) -> Result<()> {
        for (k, (file, i, o)) in self.entries.iter().enumerate() {
            let Some(op) = Self::target(file, *i, o, api)? else {
                continue;
            };
            self.used[k] = true;
            let at = |m: String| Error::Overlay {
                file: file.clone(),
                message: format!("overlays[{i}] ({} {}): {m}", o.method, o.path),
            };
            if let Some(schema) = &o.response_schema {
                op.response = Some(ResponseData::new(schema_shape(schema, file)?, ShapeOrigin::Overlay));
            }
            if let Some(example) = &o.response_example {
                op.response = Some(ResponseData::new(infer::infer(example), ShapeOrigin::Overlay));
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
                    // Upstream may take a deprecation back (it did on 2026-08-21): the hint has nothing left to
                    // do, which is no reason to stop a regen; it is reported so someone removes it.
                    None => warnings.push(crate::lower::Warning {
                        file: file.clone(),
                        pointer: format!("/overlays/{i}/successor"),
                        operation: format!("{} {}", o.method, o.path),
                        message: "names a successor, but upstream no longer deprecates the operation: the hint is \
                                  unused (remove it)"
                            .into(),
                    }),
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
                    "overlay {}#overlays[{i}] never applied: no operation {} {} (remove it, or fix its path); it \
                     was there to {}",
                    file.file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    o.method,
                    o.path,
                    o.reason
                ),
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// An overlay's `response_schema` (JSON Schema as OpenAPI 3.0 or 3.1 writes it) -> Shape, by the same rules
/// as a schema in a definition (`lower::schema_shape`).
fn schema_shape(schema: &Value, file: &Path) -> Result<Shape> {
    let mut schema = schema.clone();
    downgrade::downgrade(&mut schema);
    if let Some(at) = unknown_type(&schema, "response_schema") {
        return Err(Error::Overlay {
            file: file.to_path_buf(),
            message: format!("{at}: unknown type (string, integer, number, boolean, array, object)"),
        });
    }
    let parsed: openapiv3::Schema = serde_path_to_error::deserialize(&schema).map_err(|e| Error::Overlay {
        file: file.to_path_buf(),
        message: format!(
            "response_schema/{}: {}",
            e.path().to_string().replace('.', "/"),
            e.inner()
        ),
    })?;
    crate::lower::schema_shape(&parsed, None, file, "response_schema")
}

/// The pointer of the first `type` that is not a JSON Schema type (a typo would otherwise mean "anything").
fn unknown_type(schema: &Value, at: &str) -> Option<String> {
    const TYPES: &[&str] = &["string", "integer", "number", "boolean", "array", "object", "null"];
    let map = schema.as_object()?;
    if let Some(Value::String(t)) = map.get("type") {
        if !TYPES.contains(&t.as_str()) {
            return Some(format!("{at}/type"));
        }
    }
    let children = map
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (format!("{at}/properties/{k}"), v))
        .chain(map.get("items").map(|v| (format!("{at}/items"), v)))
        .chain(
            map.get("additionalProperties")
                .map(|v| (format!("{at}/additionalProperties"), v)),
        );
    for (ptr, child) in children {
        if let Some(found) = unknown_type(child, &ptr) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Field;
    use serde_json::json;

    #[test]
    fn schemas_become_shapes_with_required_nullable_and_maps() {
        let s = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "array", "items": {"type": "integer"}},
            "b": {"type": ["string", "null"]},
            "c": {"type": "number"},
            "d": {"type": "object", "additionalProperties": {"type": "string"}}}});
        let opt = |s: Shape| Shape::Optional(Box::new(s));
        assert_eq!(
            schema_shape(&s, Path::new("o.yaml")).unwrap(),
            Shape::object(vec![
                Field::new("a", Shape::Array(Box::new(Shape::Integer))),
                Field::new("b", opt(Shape::String)),
                Field::new("c", opt(Shape::Number)),
                Field::new("d", opt(Shape::Map(Box::new(Shape::String)))),
            ])
        );
        let err = schema_shape(&json!({"type": "tuple"}), Path::new("o.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("o.yaml") && err.contains("response_schema/type"), "{err}");
    }
}
