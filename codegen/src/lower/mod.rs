//! Normalized OpenAPI 3.0 (one language) -> IR operations.
//!
//! Texts land in the language the document is written in; `passes::merge` joins the two languages.
//! Each operation keeps the JSON pointers it came from, so later stages can point at the exact spot.

use std::path::{Path, PathBuf};

use openapiv3::{
    MediaType, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, Schema, SchemaKind,
    Type,
};
use serde_json::Value;

use crate::error::{pointer, push_pointer, Error, Result};
pub mod infer;
use crate::ir::{
    EnumType, EnumValue, Field, Method, Operation, Param, ParamLocation, ParamType, ResponseData, Shape, ShapeOrigin,
    Text,
};
use crate::manifest::Lang;

/// A warning about an upstream quirk the pipeline worked around.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub file: PathBuf,
    pub pointer: String,
    /// `GET /api/...`
    pub operation: String,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "warning: {}#{}: {}: {}",
            self.file.display(),
            self.pointer,
            self.operation,
            self.message
        )
    }
}

/// An operation plus where it came from.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub op: Operation,
    pub file: PathBuf,
    /// Pointer to the operation object.
    pub pointer: String,
    /// Pointer of each parameter in `op.params`.
    pub param_pointers: Vec<String>,
    /// Pointer of the response example the shape was inferred from.
    pub example_pointer: Option<String>,
}

/// Which token parameter the client supplies itself.
pub const TOKEN_PARAM: &str = "token";

pub fn lower(doc: &OpenAPI, file: &Path, lang: Lang, warnings: &mut Vec<Warning>) -> Result<Vec<Lowered>> {
    let mut out = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let item_ptr = pointer(["paths", path.as_str()]);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                return Err(Error::spec(
                    file,
                    item_ptr,
                    format!("path item $ref `{reference}` is not supported"),
                ))
            }
        };
        for (method, op) in [(Method::Get, &item.get), (Method::Post, &item.post)] {
            let Some(op) = op else { continue };
            let op_ptr = push_pointer(&item_ptr, method.as_str().to_ascii_lowercase());
            let ctx = Ctx {
                doc,
                file,
                lang,
                label: format!("{} {path}", method.as_str()),
                op_ptr: op_ptr.clone(),
            };
            let mut params = Vec::new();
            let mut param_pointers = Vec::new();
            let all = item
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("{item_ptr}/parameters/{i}"), p))
                .chain(
                    op.parameters
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (format!("{op_ptr}/parameters/{i}"), p)),
                );
            for (ptr, p) in all {
                let p = resolve_param(&ctx, p, &ptr)?;
                let data = p.parameter_data_ref();
                if data.name == TOKEN_PARAM {
                    continue;
                }
                // Upstream sends everything in the query (or a form body). The emitter has no path or header
                // parameters, so they are refused here, where the file and pointer are known.
                let location = match p {
                    Parameter::Query { .. } => ParamLocation::Query,
                    Parameter::Path { .. } | Parameter::Header { .. } | Parameter::Cookie { .. } => {
                        let kind = match p {
                            Parameter::Path { .. } => "path",
                            Parameter::Header { .. } => "header",
                            _ => "cookie",
                        };
                        return Err(Error::spec(
                            file,
                            ptr,
                            format!("parameter `{}`: {kind} parameters are not supported", data.name),
                        ));
                    }
                };
                if let Some(i) = params
                    .iter()
                    .position(|q: &Param| q.name == data.name && q.location == location)
                {
                    // An operation-level parameter overrides a path-level one of the same name.
                    params.remove(i);
                    param_pointers.remove(i);
                }
                let schema = match &data.format {
                    ParameterSchemaOrContent::Schema(s) => Some(resolve_schema(&ctx, s, &ptr)?),
                    ParameterSchemaOrContent::Content(_) => None,
                };
                params.push(param(
                    &ctx,
                    &data.name,
                    location,
                    data.required,
                    data.description.as_deref(),
                    schema,
                ));
                param_pointers.push(ptr);
            }
            if let Some(body) = &op.request_body {
                let ptr = format!("{op_ptr}/requestBody");
                form_params(&ctx, body, &ptr, &mut params, &mut param_pointers)?;
            }
            let (response, example_pointer) = response(&ctx, &op.responses, warnings)?;
            let op = Operation {
                method,
                path: path.clone(),
                operation_id: op.operation_id.clone(),
                name: None,
                summary: text(lang, op.summary.as_deref()),
                description: text(lang, op.description.as_deref()),
                tags: op.tags.iter().map(|t| text(lang, Some(t))).collect(),
                params,
                response,
                deprecation: op.deprecated.then(|| crate::ir::Deprecation {
                    note: Text::default(),
                    successor: None,
                }),
                docs: Text::default(),
                listing: listing(doc, op),
            };
            out.push(Lowered {
                op,
                file: file.to_path_buf(),
                pointer: op_ptr,
                param_pointers,
                example_pointer,
            });
        }
    }
    Ok(out)
}

/// What an aggregate's operation says about itself besides its definition (a per-endpoint definition has
/// none of these extensions; the catalogue fills them in).
fn listing(doc: &OpenAPI, op: &openapiv3::Operation) -> crate::ir::Listing {
    let get = |key: &str| op.extensions.get(key);
    let mut listing = crate::catalogue::meta::read(get);
    if get("x-docs-hidden").and_then(Value::as_bool) == Some(true) {
        listing.state = crate::ir::State::Hidden { since: None };
    }
    // The platform's names (its tag's `x-platform-aliases`), as the catalogue reads them.
    let names = op
        .tags
        .first()
        .and_then(|t| doc.tags.iter().find(|tag| &tag.name == t))
        .and_then(|tag| tag.extensions.get("x-platform-aliases"))
        .and_then(Value::as_array);
    if let Some(names) = names {
        let names: Vec<String> = names.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        crate::catalogue::meta::add_unprefixed_aliases(&mut listing.aliases, &names);
    }
    listing
}

struct Ctx<'a> {
    doc: &'a OpenAPI,
    file: &'a Path,
    lang: Lang,
    label: String,
    op_ptr: String,
}

impl Ctx<'_> {
    fn warn(&self, warnings: &mut Vec<Warning>, ptr: &str, message: String) {
        warnings.push(Warning {
            file: self.file.to_path_buf(),
            pointer: ptr.to_owned(),
            operation: self.label.clone(),
            message,
        });
    }
}

pub fn text(lang: Lang, s: Option<&str>) -> Text {
    let s = s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    match lang {
        Lang::En => Text { en: s, zh: None },
        Lang::Zh => Text { en: None, zh: s },
    }
}

fn component_name<'r>(reference: &'r str, kind: &str) -> Option<&'r str> {
    reference.strip_prefix(&format!("#/components/{kind}/"))
}

fn resolve_param<'a>(ctx: &Ctx<'a>, p: &'a ReferenceOr<Parameter>, ptr: &str) -> Result<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => component_name(reference, "parameters")
            .and_then(|name| ctx.doc.components.as_ref()?.parameters.get(name))
            .and_then(|p| p.as_item())
            .ok_or_else(|| Error::spec(ctx.file, ptr, format!("unresolvable parameter $ref `{reference}`"))),
    }
}

/// Follows `$ref`s to a schema.
fn resolve_schema<'a>(ctx: &Ctx<'a>, s: &'a ReferenceOr<Schema>, ptr: &str) -> Result<&'a Schema> {
    follow_refs(s, ctx.doc.components.as_ref(), ctx.file, ptr)
}

fn resolve_boxed_schema<'a>(ctx: &Ctx<'a>, s: &'a ReferenceOr<Box<Schema>>, ptr: &str) -> Result<&'a Schema> {
    match s {
        ReferenceOr::Item(s) => Ok(s),
        ReferenceOr::Reference { reference } => {
            let target = component_name(reference, "schemas")
                .and_then(|name| ctx.doc.components.as_ref()?.schemas.get(name))
                .ok_or_else(|| Error::spec(ctx.file, ptr, format!("unresolvable schema $ref `{reference}`")))?;
            resolve_schema(ctx, target, ptr)
        }
    }
}

fn param(
    ctx: &Ctx<'_>,
    name: &str,
    location: ParamLocation,
    required: bool,
    description: Option<&str>,
    schema: Option<&Schema>,
) -> Param {
    let description = description.or_else(|| schema.and_then(|s| s.schema_data.description.as_deref()));
    // Enum defaults that are not enum values were removed by `json::fixups`.
    let (ty, default) = match schema {
        None => (ParamType::Json, None),
        Some(schema) => (
            param_type(ctx.lang, schema, description),
            schema.schema_data.default.clone(),
        ),
    };
    Param {
        name: name.to_owned(),
        location,
        required,
        ty,
        default,
        description: text(ctx.lang, description),
    }
}

fn param_type(lang: Lang, schema: &Schema, description: Option<&str>) -> ParamType {
    let meanings = description.map(enum_meanings).unwrap_or_default();
    let doc_of = |value: &str| {
        let m = meanings.iter().find(|(v, _)| v == value).map(|(_, m)| m.as_str());
        text(lang, m)
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => ParamType::Enum(EnumType {
            integer: false,
            values: s
                .enumeration
                .iter()
                .flatten()
                .map(|v| EnumValue {
                    value: v.clone(),
                    doc: doc_of(v),
                })
                .collect(),
        }),
        SchemaKind::Type(Type::String(_)) => ParamType::String,
        SchemaKind::Type(Type::Integer(i)) if !i.enumeration.is_empty() => ParamType::Enum(EnumType {
            integer: true,
            values: i
                .enumeration
                .iter()
                .flatten()
                .map(|v| EnumValue {
                    value: v.to_string(),
                    doc: doc_of(&v.to_string()),
                })
                .collect(),
        }),
        SchemaKind::Type(Type::Integer(i)) => ParamType::Integer {
            format: match &i.format {
                openapiv3::VariantOrUnknownOrEmpty::Item(f) => Some(format!("{f:?}").to_ascii_lowercase()),
                openapiv3::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
                openapiv3::VariantOrUnknownOrEmpty::Empty => None,
            },
        },
        SchemaKind::Type(Type::Number(_)) => ParamType::Number,
        SchemaKind::Type(Type::Boolean(_)) => ParamType::Boolean,
        _ => ParamType::Json,
    }
}

/// Parses the value list upstream writes into descriptions:
///
/// ```text
/// Available Values:            可用值：   (also 可选值：)
/// - `DAILY_NOTE`: Daily notes   - `DAILY_NOTE`： 每日笔记
/// ```
pub fn enum_meanings(description: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in description.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("- `").or_else(|| line.strip_prefix("* `")) else {
            continue;
        };
        let Some(end) = rest.find('`') else { continue };
        let value = &rest[..end];
        let meaning = rest[end + 1..].trim_start().trim_start_matches([':', '：']).trim();
        out.push((value.to_owned(), meaning.to_owned()));
    }
    out
}

/// Fields of an `application/x-www-form-urlencoded` (or JSON object) body become `Form` parameters.
fn form_params(
    ctx: &Ctx<'_>,
    body: &ReferenceOr<RequestBody>,
    ptr: &str,
    params: &mut Vec<Param>,
    pointers: &mut Vec<String>,
) -> Result<()> {
    let ReferenceOr::Item(body) = body else {
        return Err(Error::spec(ctx.file, ptr, "request body $ref is not supported"));
    };
    let Some((ct, media)) = body
        .content
        .iter()
        .find(|(ct, _)| ct.starts_with("application/x-www-form-urlencoded"))
        .or_else(|| body.content.iter().find(|(ct, _)| ct.starts_with("application/json")))
        .or_else(|| body.content.first())
    else {
        return Ok(());
    };
    let media_ptr = push_pointer(&format!("{ptr}/content"), ct);
    let Some(schema) = &media.schema else { return Ok(()) };
    let schema = resolve_schema(ctx, schema, &media_ptr)?;
    let SchemaKind::Type(Type::Object(obj)) = &schema.schema_kind else {
        return Err(Error::spec(
            ctx.file,
            format!("{media_ptr}/schema"),
            "request body is not an object",
        ));
    };
    for (name, prop) in obj.properties.iter() {
        // The token is the client's, never an argument, in a form body as in a query string.
        if name == TOKEN_PARAM {
            continue;
        }
        let prop_ptr = push_pointer(&format!("{media_ptr}/schema/properties"), name);
        let prop = resolve_boxed_schema(ctx, prop, &prop_ptr)?;
        let required = obj.required.contains(name);
        params.push(param(
            ctx,
            name,
            ParamLocation::Form,
            required,
            prop.schema_data.description.as_deref(),
            Some(prop),
        ));
        pointers.push(prop_ptr);
    }
    Ok(())
}

/// The shape of the success `data`: from an example when there is one, else from a schema that says more
/// than the generic envelope's `data: {}`.
fn response(
    ctx: &Ctx<'_>,
    responses: &openapiv3::Responses,
    warnings: &mut Vec<Warning>,
) -> Result<(Option<ResponseData>, Option<String>)> {
    let chosen = responses
        .responses
        .iter()
        .find(|(code, _)| matches!(code, openapiv3::StatusCode::Code(200)))
        .map(|(code, r)| (code.to_string(), r))
        .or_else(|| responses.default.as_ref().map(|r| ("default".to_owned(), r)));
    let Some((code, response)) = chosen else {
        return Ok((None, None));
    };
    let resp_ptr = format!("{}/responses/{code}", ctx.op_ptr);
    let response: &Response = match response {
        ReferenceOr::Item(r) => r,
        ReferenceOr::Reference { reference } => component_name(reference, "responses")
            .and_then(|name| ctx.doc.components.as_ref()?.responses.get(name))
            .and_then(|r| r.as_item())
            .ok_or_else(|| Error::spec(ctx.file, &resp_ptr, format!("unresolvable response $ref `{reference}`")))?,
    };
    let Some((ct, media)) = response
        .content
        .iter()
        .find(|(ct, _)| ct.starts_with("application/json"))
        .or_else(|| response.content.first())
    else {
        return Ok((None, None));
    };
    let media_ptr = push_pointer(&format!("{resp_ptr}/content"), ct);
    if let Some((example, ex_ptr)) = example_of(media, &media_ptr) {
        return match infer::envelope_data(example) {
            Some(data) => Ok((
                Some(ResponseData {
                    // Kept for the overlays' shape hints, which infer it again.
                    example: Some(std::sync::Arc::new(data.clone())),
                    ..ResponseData::new(infer::infer(data), ShapeOrigin::Example)
                }),
                Some(format!("{ex_ptr}/data")),
            )),
            None => {
                ctx.warn(
                    warnings,
                    &ex_ptr,
                    "the response example is not a `{code, data}` envelope; data left untyped".into(),
                );
                Ok((None, None))
            }
        };
    }
    if let Some(schema) = &media.schema {
        let schema_ptr = format!("{media_ptr}/schema");
        let schema = resolve_schema(ctx, schema, &schema_ptr)?;
        if let SchemaKind::Type(Type::Object(obj)) = &schema.schema_kind {
            if let Some(data) = obj.properties.get("data") {
                let data = resolve_boxed_schema(ctx, data, &schema_ptr)?;
                let shape = schema_shape(data, ctx.doc.components.as_ref(), ctx.file, &schema_ptr)?;
                if shape != Shape::Any {
                    return Ok((Some(ResponseData::new(shape, ShapeOrigin::Schema)), None));
                }
            }
        }
    }
    Ok((None, None))
}

fn example_of<'a>(media: &'a MediaType, media_ptr: &str) -> Option<(&'a Value, String)> {
    if let Some(ex) = &media.example {
        return Some((ex, format!("{media_ptr}/example")));
    }
    media.examples.iter().find_map(|(name, ex)| match ex {
        ReferenceOr::Item(e) => e
            .value
            .as_ref()
            .map(|v| (v, format!("{media_ptr}/examples/{name}/value"))),
        ReferenceOr::Reference { .. } => None,
    })
}

/// JSON Schema -> Shape: the rare schema upstream does publish, and the overlays' `response_schema`.
///
/// Properties not listed in `required` and `nullable` schemas may be `null`; `additionalProperties` without
/// properties is a map; anything else without a type is raw JSON. `$ref`s resolve against `components`.
pub fn schema_shape(
    schema: &Schema,
    components: Option<&openapiv3::Components>,
    file: &Path,
    ptr: &str,
) -> Result<Shape> {
    shape_of(schema, components, file, ptr, 0)
}

fn shape_of(
    schema: &Schema,
    components: Option<&openapiv3::Components>,
    file: &Path,
    ptr: &str,
    depth: usize,
) -> Result<Shape> {
    if depth > 64 {
        return Err(Error::spec(file, ptr, "schema nests deeper than 64 levels"));
    }
    let child = |s: &ReferenceOr<Box<Schema>>, ptr: String| -> Result<Shape> {
        let resolved = match s {
            ReferenceOr::Item(s) => s.as_ref(),
            ReferenceOr::Reference { reference } => {
                let target = component_name(reference, "schemas")
                    .and_then(|name| components?.schemas.get(name))
                    .ok_or_else(|| Error::spec(file, &ptr, format!("unresolvable schema $ref `{reference}`")))?;
                follow_refs(target, components, file, &ptr)?
            }
        };
        shape_of(resolved, components, file, &ptr, depth + 1)
    };
    let shape = match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Shape::String,
        SchemaKind::Type(Type::Integer(_)) => Shape::Integer,
        SchemaKind::Type(Type::Number(_)) => Shape::Number,
        SchemaKind::Type(Type::Boolean(_)) => Shape::Bool,
        SchemaKind::Type(Type::Array(a)) => match &a.items {
            Some(items) => Shape::Array(Box::new(child(items, format!("{ptr}/items"))?)),
            None => Shape::Array(Box::new(Shape::Any)),
        },
        SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
            let mut fields = Vec::new();
            for (name, prop) in o.properties.iter() {
                let mut shape = child(prop, push_pointer(&format!("{ptr}/properties"), name))?;
                if !o.required.contains(name) {
                    shape = shape.nullable();
                }
                fields.push(Field::new(name.clone(), shape));
            }
            Shape::object(fields)
        }
        SchemaKind::Type(Type::Object(o)) => match &o.additional_properties {
            Some(openapiv3::AdditionalProperties::Schema(values)) => {
                let ptr = format!("{ptr}/additionalProperties");
                let values = follow_refs(values, components, file, &ptr)?;
                Shape::Map(Box::new(shape_of(values, components, file, &ptr, depth + 1)?))
            }
            _ => Shape::Any,
        },
        _ => Shape::Any,
    };
    Ok(if schema.schema_data.nullable {
        shape.nullable()
    } else {
        shape
    })
}

/// Follows `$ref`s from a component to a schema (at most 32 hops, so a cycle is an error, not a hang).
fn follow_refs<'a>(
    mut cur: &'a ReferenceOr<Schema>,
    components: Option<&'a openapiv3::Components>,
    file: &Path,
    ptr: &str,
) -> Result<&'a Schema> {
    for _ in 0..32 {
        match cur {
            ReferenceOr::Item(s) => return Ok(s),
            ReferenceOr::Reference { reference } => {
                cur = component_name(reference, "schemas")
                    .and_then(|name| components?.schemas.get(name))
                    .ok_or_else(|| Error::spec(file, ptr, format!("unresolvable schema $ref `{reference}`")))?;
            }
        }
    }
    Err(Error::spec(file, ptr, "schema $ref chain is longer than 32 (a cycle?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_lists_parse_in_both_languages() {
        let en =
            "Business type.\n\nAvailable Values:\n- `DAILY_NOTE`: Daily notes\n- `COOPERATE_NOTE`: Cooperative notes";
        assert_eq!(
            enum_meanings(en),
            [
                ("DAILY_NOTE".to_owned(), "Daily notes".to_owned()),
                ("COOPERATE_NOTE".to_owned(), "Cooperative notes".to_owned())
            ]
        );
        let zh = "业务类型。\n\n可用值：\n- `DAILY_NOTE`： 每日笔记\n- `_1`: 合作笔记";
        assert_eq!(
            enum_meanings(zh),
            [
                ("DAILY_NOTE".to_owned(), "每日笔记".to_owned()),
                ("_1".to_owned(), "合作笔记".to_owned())
            ]
        );
    }
}
