//! One module per operation: the `Client` method, its request builder, parameter enums, response types.
//!
//! The code is written as text in prettyplease's layout wherever the emitter knows that layout (lines that
//! prettyplease keeps as written, see `format::documented`), and as tokens elsewhere, for prettyplease to lay
//! out (see `format::Code`). A module written entirely as text, the common case, is never parsed: re-parsing
//! what the emitter had just built was most of the generator's time.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::crate_files::RUNTIME;
use super::docs;
use super::format::{
    self, documented, match_arm, parse_code, Attrs, Code, OuterAttrs, Template, ARMS, IN_IMPL, MARGIN,
};
use super::{ident, EmitOptions};
use crate::error::Result;
use crate::ir::{Api, Field, Method, Operation, Param, ParamLocation, ParamType, Shape, ShapeOrigin, State};
use crate::names::{self, EnumNames, OpNames, ParamNames, ITEM};

/// The file `src/ops/<func>.rs` of one operation.
pub fn file(api: &Api, names: &OpNames<'_>, opts: &EmitOptions) -> Result<String> {
    let op = names.op;
    let label = format!("{} {}", op.method.as_str(), op.path);
    let deprecated = deprecated_attr(names);
    let deprecation_attrs = OuterAttrs::new(deprecated.clone());
    let deprecation = deprecation_attrs.attrs();
    let params: &[ParamNames<'_>] = &names.params;

    let module_doc = vec![
        format!("**{}**", docs::inline(&op.summary)),
        String::new(),
        format!("`{label}` — see [`Client::{}`].", names.func),
    ];
    // The module defines deprecated items and necessarily refers to them.
    let allow = if op.is_deprecated() {
        "#![allow(deprecated)]\n"
    } else {
        ""
    };
    let inner = format::inner(&module_doc, allow)?;

    let mut items = vec![documented(
        &[],
        Attrs::NONE,
        format!("use crate::{{{}}};\n", names::OP_IMPORTS.join(", ")),
        0,
    )?];
    // The response structs' decoding (`Deserialize`, `de::Object`) calls the runtime's lenient decoders.
    if !names.structs.is_empty() {
        items.push(documented(&[], Attrs::NONE, format!("use {RUNTIME}::de;\n"), 0)?);
    }
    items.push(documented(
        &[format!("HTTP path of this operation: `{label}`.")],
        Attrs::NONE,
        format!("pub const PATH: &str = {};\n", Literal::string(&op.path)),
        0,
    )?);
    // The client method also carries upstream's search aliases, so rustdoc's search finds it by them.
    let method_attrs = OuterAttrs::new(client_method_attrs(names, &deprecated));
    items.push(Code::block(
        "impl Client",
        vec![client_method(api, names, &label, method_attrs.attrs())?],
    )?);
    items.push(request_struct(names, deprecation)?);
    let mut methods = params
        .iter()
        .filter(|p| !p.param.required)
        .map(|pn| setter(pn.param, &pn.name, pn.enum_names.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    methods.push(REQUEST_METHODS.code(&[])?);
    methods.push(into_parts(params, op.method, &names.func)?);
    items.push(Code::block("impl<'a> Request<'a>", methods)?);
    items.push(INTO_FUTURE.code(&[])?);
    for pn in params {
        if let Some(e) = &pn.enum_names {
            items.extend(param_enum(pn.param, e, deprecation)?);
        }
    }
    items.extend(data_types(op, names, deprecation, &names.func)?);
    format::rust_module(opts, inner, items, &op.path)
}

/// A method's signature up to its body's `{` as prettyplease lays it out at `indent` columns (`head`: `pub fn
/// name`, `ret`: ` -> Self`): on one line when it fits its margin, else one argument per line.
fn signature(indent: usize, head: &str, args: &[String], ret: &str) -> String {
    let flat = format!("{head}({}){ret} {{\n", args.join(", "));
    // The newline does not count.
    if indent + flat.len() - 1 <= MARGIN {
        return flat;
    }
    let args: String = args.iter().map(|a| format!("    {a},\n")).collect();
    format!("{head}(\n{args}){ret} {{\n")
}

/// The client method's attributes: one `#[doc(alias)]` per search alias upstream lists, then `deprecated`.
fn client_method_attrs(names: &OpNames<'_>, deprecated: &TokenStream) -> TokenStream {
    let aliases = docs::alias_attrs(&names.op.listing.aliases, &names.func);
    quote! {
        #aliases
        #deprecated
    }
}

/// What upstream's catalogue says beside the definition: the recommended mark, highlights, a hidden state.
fn listing_doc(op: &Operation) -> Vec<String> {
    let mut doc = Vec::new();
    let listing = &op.listing;
    if listing.recommended {
        doc.push(
            "**Recommended** by upstream among the operations that do the same. / 上游推荐：同类接口中优先使用。"
                .into(),
        );
        doc.push(String::new());
    }
    if !listing.highlights.is_empty() {
        doc.push("# Notes / 说明".into());
        doc.push(String::new());
        for h in &listing.highlights {
            let kind = h
                .kind
                .as_deref()
                .map(|k| format!(" ({})", docs::escape(k)))
                .unwrap_or_default();
            let title = h
                .title
                .as_deref()
                .map(|t| format!("**{}**{kind}: ", docs::escape(t)))
                .unwrap_or(kind);
            doc.push(format!("- {title}{}", docs::escape(&h.content)));
        }
        doc.push(String::new());
    }
    if let State::Hidden { since } = &listing.state {
        let since_en = since.as_deref().map(|d| format!(" since {d}")).unwrap_or_default();
        let since_zh = since.as_deref().map(|d| format!("自 {d} 起")).unwrap_or_default();
        doc.push("# Hidden upstream / 上游已隐藏".into());
        doc.push(String::new());
        doc.push(format!(
            "Upstream's docs no longer show this endpoint{since_en}, but the API still serves it; generated from the \
             last definitions upstream published (or, when there were none, its catalogue entry, in English). / \
             上游文档{since_zh}不再显示此接口，但接口仍可调用；由上游最后发布的定义生成。"
        ));
        doc.push(String::new());
    }
    doc
}

/// `Client::<func>`: takes the required parameters, returns the request builder.
fn client_method(api: &Api, names: &OpNames<'_>, label: &str, deprecation: Attrs<'_>) -> Result<Code> {
    let op = names.op;
    let params: &[ParamNames<'_>] = &names.params;
    let mut doc = vec![format!("**{}**", docs::inline(&op.summary)), String::new()];
    let desc = docs::paragraphs(&op.description);
    if !desc.is_empty() {
        doc.extend(desc);
        doc.push(String::new());
    }
    doc.extend(listing_doc(op));
    doc.push(format!("`{label}`"));
    if !params.is_empty() {
        doc.push(String::new());
        doc.push("# Parameters / 参数".into());
        doc.push(String::new());
        for p in params {
            doc.push(param_doc_line(p.param, &p.name));
        }
    }
    doc.push(String::new());
    doc.push("# Errors / 错误".into());
    doc.push(String::new());
    // The codes are the same for every operation: listed once, on `BusinessCode`, and linked from here.
    let retried: Vec<String> = api
        .business_codes
        .iter()
        .filter(|c| c.retry)
        .map(|c| format!("`{}`", c.code))
        .collect();
    let retried_en = if retried.is_empty() {
        String::new()
    } else {
        format!("; {} are retried first", retried.join(", "))
    };
    let retried_zh = if retried.is_empty() {
        String::new()
    } else {
        format!("；{} 会先自动重试", retried.join("、"))
    };
    doc.push(format!(
        "[`Error::Business`] for a business `code` other than 0 (see [`BusinessCode`](crate::BusinessCode){retried_en}); otherwise the other kinds of [`Error`]. / 业务码非 0 时返回 `Error::Business`（见 `BusinessCode`{retried_zh}），其他错误见 `Error`。"
    ));
    if let Some(d) = &op.deprecation {
        doc.push(String::new());
        doc.push("# Deprecated / 已弃用".into());
        doc.push(String::new());
        doc.extend(docs::paragraphs(&d.note));
        if let Some(succ) = &names.successor {
            doc.push(String::new());
            doc.push(format!("Use [`Client::{succ}`] instead. / 请改用 [`Client::{succ}`]。"));
        }
    }
    if op.docs.en.is_some() || op.docs.zh.is_some() {
        doc.push(String::new());
        let links: Vec<String> = [&op.docs.en, &op.docs.zh]
            .into_iter()
            .flatten()
            .map(|u| format!("<{u}>"))
            .collect();
        doc.push(format!("Definition / 定义: {}", links.join(" · ")));
    }

    let args: Vec<String> = params
        .iter()
        .filter(|p| p.param.required)
        .map(|p| format!("{}: {}", ident(&p.name), arg_type_text(p.param, p.enum_names.as_ref())))
        .collect();
    let inits: Vec<String> = params
        .iter()
        .map(|pn| {
            let n = ident(&pn.name);
            if !pn.param.required {
                format!("{n}: None")
            } else if is_string(pn.param) {
                format!("{n}: {n}.into()")
            } else {
                n.to_string()
            }
        })
        .collect();
    documented(
        &doc,
        deprecation,
        client_method_code(&names.func, &args, &inits),
        IN_IMPL,
    )
}

/// The code of `Client::<func>` (`args`: `name: Type` of the required parameters; `inits`: the request's
/// parameter fields, `name: name.into()`, `name: None`...).
fn client_method_code(func: &str, args: &[String], inits: &[String]) -> String {
    let args: Vec<String> = std::iter::once("&self".to_owned())
        .chain(args.iter().cloned())
        .collect();
    let fields: Vec<String> = ["_client: self", "_overrides: Default::default()"]
        .into_iter()
        .map(str::to_owned)
        .chain(inits.iter().cloned())
        .collect();
    let func = ident(func);
    let mut code = signature(IN_IMPL, &format!("pub fn {func}"), &args, " -> Request<'_>");
    // prettyplease lays a struct literal out on one line only up to 34 columns, which this one never fits.
    code.push_str("    Request {\n");
    for field in fields {
        code.push_str(&format!("        {field},\n"));
    }
    code.push_str("    }\n}\n");
    code
}

/// The request builder: the client, the per-request overrides and one field per parameter.
fn request_struct(names: &OpNames<'_>, deprecation: Attrs<'_>) -> Result<Code> {
    let doc = [
        format!(
            "Request builder of [`Client::{}`]: set optional parameters, then `.send().await` (or just `.await`).",
            names.func
        ),
        String::new(),
        format!(
            "[`Client::{}`] 的请求构造器：设置可选参数后 `.send().await`（或直接 `.await`）。",
            names.func
        ),
    ];
    let member = |code: String| Member {
        doc: Vec::new(),
        attr: None,
        code,
    };
    let mut members = vec![
        member("_client: &'a Client".to_owned()),
        member(format!("_overrides: {RUNTIME}::Overrides")),
    ];
    members.extend(names.params.iter().map(|pn| {
        let ty = value_type_text(pn.param, pn.enum_names.as_ref());
        let n = ident(&pn.name);
        member(if pn.param.required {
            format!("{n}: {ty}")
        } else {
            format!("{n}: Option<{ty}>")
        })
    }));
    braced(&doc, deprecation, &REQUEST_ATTRS, "pub struct Request<'a>", &members)
}

const REQUEST_ATTRS: [&str; 2] = [
    "#[derive(Debug, Clone)]",
    "#[must_use = \"a request does nothing until it is sent with `.send().await`\"]",
];

/// The request builder's methods that do not depend on the operation (formatted once, see `emit/format.rs`).
static REQUEST_METHODS: Template = Template::methods("request-methods", |_, _| {
    quote! {
        /// Timeout of each attempt of this request (replaces the client's for this request only).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self._overrides.set_timeout(timeout);
            self
        }

        /// Retry policy of this request (replaces the client's for this request only).
        pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
            self._overrides.set_retry_policy(policy);
            self
        }

        /// Sends the request and decodes `data` into [`Data`]: `.send().await`, or just `.await`. The future
        /// owns what it needs, so it can be spawned.
        pub fn send(self) -> ResponseFuture<Data> {
            ResponseFuture::new(&self._client.inner, self.into_parts())
        }

        /// Sends the request and returns `data` as raw JSON, for when the typed [`Data`] does not fit.
        pub fn send_raw(self) -> ResponseFuture<serde_json::Value> {
            ResponseFuture::new(&self._client.inner, self.into_parts())
        }
    }
});

/// `.await` on a request builder sends it.
static INTO_FUTURE: Template = Template::items("into-future", |_, _| {
    quote! {
        impl<'a> std::future::IntoFuture for Request<'a> {
            type Output = Result<ApiResponse<Data>, Error>;
            type IntoFuture = ResponseFuture<Data>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
});

fn param_doc_line(p: &Param, rust: &str) -> String {
    let mut line = format!(
        "- `{rust}` (`{}`, {}): {}",
        p.name,
        if p.required {
            "required / 必填"
        } else {
            "optional / 选填"
        },
        docs::inline(&docs::without_value_list(&p.description))
    );
    if let Some(d) = &p.default {
        line.push_str(&format!(" Default / 默认: `{d}`."));
    }
    line
}

fn is_string(p: &Param) -> bool {
    matches!(p.ty, ParamType::String)
}

/// Type accepted by the method / setter, as prettyplease prints it.
pub(super) fn arg_type_text(p: &Param, e: Option<&EnumNames>) -> String {
    if is_string(p) {
        "impl Into<String>".to_owned()
    } else {
        value_type_text(p, e)
    }
}

/// Type stored in the request.
fn value_type_text(p: &Param, e: Option<&EnumNames>) -> String {
    match (&p.ty, e) {
        (ParamType::String, _) => "String".to_owned(),
        (ParamType::Integer { format }, _) if format.as_deref() == Some("int32") => "i32".to_owned(),
        (ParamType::Integer { .. }, _) => "i64".to_owned(),
        (ParamType::Number, _) => "f64".to_owned(),
        (ParamType::Boolean, _) => "bool".to_owned(),
        (ParamType::Enum(_), Some(e)) => e.type_name.clone(),
        (ParamType::Enum(_), None) | (ParamType::Json, _) => "serde_json::Value".to_owned(),
    }
}

/// Expression turning a stored value (`value`: `self.kol_id` or `value`) into the wire text.
fn to_string_text(p: &Param, value: &str) -> String {
    match &p.ty {
        ParamType::String => value.to_owned(),
        ParamType::Enum(_) => format!("{value}.as_str().to_owned()"),
        _ => format!("{value}.to_string()"),
    }
}

/// A setter of an optional parameter.
fn setter(p: &Param, name: &str, e: Option<&EnumNames>) -> Result<Code> {
    let mut doc = vec![format!(
        "`{}`: {}",
        p.name,
        docs::inline(&docs::without_value_list(&p.description))
    )];
    if let Some(def) = &p.default {
        doc.push(String::new());
        doc.push(format!(
            "Upstream default / 默认值: `{def}` (not sent unless set / 未设置时不发送)."
        ));
    }
    // As the identifier prints (`r#type`).
    let name = ident(name).to_string();
    let value = if is_string(p) { "value.into()" } else { "value" };
    let args = ["mut self".to_owned(), format!("value: {}", arg_type_text(p, e))];
    let mut code = signature(IN_IMPL, &format!("pub fn {name}"), &args, " -> Self");
    code.push_str(&format!("    self.{name} = Some({value});\n    self\n}}\n"));
    documented(&doc, Attrs::NONE, code, IN_IMPL)
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
    }
}

fn add_call(p: &Param) -> &'static str {
    match p.location {
        ParamLocation::Query => "query",
        ParamLocation::Form => "form",
    }
}

/// `into_parts`: the operation's `Parts`, then one `Parts::query` / `Parts::form` call per parameter (an
/// optional one when set).
fn into_parts(params: &[ParamNames<'_>], method: Method, func: &str) -> Result<Code> {
    let wire = |p: &Param| Literal::string(&p.name).to_string();
    // The statements after `Parts::of`, at the body's indentation (4).
    let mut body = String::new();
    for pn in params {
        let (p, name) = (pn.param, ident(&pn.name).to_string());
        if p.required {
            let value = to_string_text(p, &format!("self.{name}"));
            body.push_str(&format!("    parts.{}({}, {value});\n", add_call(p), wire(p)));
        } else {
            body.push_str(&format!(
                "    if let Some(value) = self.{name} {{\n        parts.{}({}, {});\n    }}\n",
                add_call(p),
                wire(p),
                to_string_text(p, "value")
            ));
        }
    }
    // `Parts::of(..)` never fits on one line: one argument per line.
    let of = format!(
        "{RUNTIME}::Parts::of(\n        {RUNTIME}::Method::{},\n        PATH,\n        {},\n        self._overrides,\n    )",
        method_name(method),
        Literal::string(func)
    );
    let code = if params.is_empty() {
        format!("fn into_parts(self) -> {RUNTIME}::Parts {{\n    {of}\n}}\n")
    } else {
        format!("fn into_parts(self) -> {RUNTIME}::Parts {{\n    let mut parts = {of};\n{body}    parts\n}}\n")
    };
    documented(&[], Attrs::NONE, code, IN_IMPL)
}

/// A parameter's enum: its definition, `as_str`, `Display` and `From<&str>`.
fn param_enum(p: &Param, names: &EnumNames, deprecation: Attrs<'_>) -> Result<Vec<Code>> {
    let ParamType::Enum(e) = &p.ty else {
        return Ok(Vec::new());
    };
    let mut doc = vec![format!(
        "Values of `{}`: {}",
        p.name,
        docs::inline(&docs::without_value_list(&p.description))
    )];
    if let Some(d) = &p.default {
        doc.push(String::new());
        doc.push(format!("Upstream default / 默认值: `{d}`."));
    }
    let variants = &names.variants;
    let mut members: Vec<Member> = e
        .values
        .iter()
        .zip(variants)
        .map(|(v, variant)| {
            let meaning = docs::inline(&v.doc);
            let line = if meaning.is_empty() {
                format!("`{}`", v.value)
            } else {
                format!("`{}`: {meaning}", v.value)
            };
            Member {
                doc: vec![line],
                attr: None,
                code: variant.clone(),
            }
        })
        .collect();
    members.push(Member {
        doc: vec!["A value this version of the crate does not list; sent as is. / 本版本未列出的值，原样发送。".into()],
        attr: None,
        code: format!("{}(String)", names::OTHER_VARIANT),
    });
    let definition = braced(
        &doc,
        deprecation,
        &ENUM_ATTRS,
        &format!("pub enum {}", names.type_name),
        &members,
    )?;
    let literals: Vec<String> = e.values.iter().map(|v| Literal::string(&v.value).to_string()).collect();
    let paths: Vec<String> = variants.iter().map(|v| format!("Self::{v}")).collect();
    let as_str_arms: Vec<(String, String)> = paths.iter().cloned().zip(literals.iter().cloned()).collect();
    let from_arms: Vec<(String, String)> = literals.into_iter().zip(paths).collect();
    let ty = [names.type_name.as_str()];
    Ok(vec![
        definition,
        with_arms(&ENUM_AS_STR, &ty, &as_str_arms)?,
        ENUM_DISPLAY.code(&ty)?,
        with_arms(&ENUM_FROM, &ty, &from_arms)?,
    ])
}

/// A parameter enum's `as_str` (`arms`: the listed values').
static ENUM_AS_STR: Template = Template::items("enum-as-str", |ids, arms| {
    let (ty, other) = (&ids[0], format_ident!("{}", names::OTHER_VARIANT));
    quote! {
        impl #ty {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #arms
                    Self::#other(value) => value,
                }
            }
        }
    }
});

/// A parameter enum's `Display`: its wire value.
static ENUM_DISPLAY: Template = Template::items("enum-display", |ids, _| {
    let ty = &ids[0];
    quote! {
        impl std::fmt::Display for #ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
});

/// A parameter enum from its wire value (`arms`: the listed values').
static ENUM_FROM: Template = Template::items("enum-from", |ids, arms| {
    let (ty, other) = (&ids[0], format_ident!("{}", names::OTHER_VARIANT));
    quote! {
        impl From<&str> for #ty {
            fn from(value: &str) -> Self {
                match value {
                    #arms
                    other => Self::#other(other.to_owned()),
                }
            }
        }
    }
});

/// `Data` and the response structs under it, with their decoding impls.
fn data_types(op: &Operation, names: &OpNames, deprecation: Attrs<'_>, func: &str) -> Result<Vec<Code>> {
    let origin = match op.response.as_ref() {
        Some(r) => match (r.origin, &r.remembered) {
            (ShapeOrigin::Example, _) => "inferred from the upstream response example / 由上游响应示例推断".to_owned(),
            (ShapeOrigin::Schema, _) => "from the upstream response schema / 来自上游响应 schema".to_owned(),
            (ShapeOrigin::Overlay, _) => "pinned by an overlay in specs/overlays / 由 specs/overlays 固定".to_owned(),
            (ShapeOrigin::Memory, p) => format!(
                "inferred from an earlier example{}, remembered in specs/types: upstream's current definition has none \
                 / 由早先的示例推断并记录在 specs/types 中",
                p.as_ref()
                    .map(|p| format!(" ({}, {})", docs::escape(&p.source), p.seen))
                    .unwrap_or_default()
            ),
        },
        None => {
            "untyped: upstream publishes neither example nor schema / 上游未提供示例或 schema，保留原始 JSON".to_owned()
        }
    };
    let Some(response) = &op.response else {
        let doc = [format!("The `data` of [`Client::{func}`]: raw JSON ({origin}).")];
        let code = "pub type Data = serde_json::Value;\n".to_owned();
        return Ok(vec![documented(&doc, deprecation, code, 0)?]);
    };
    let mut out = Vec::new();
    if !matches!(response.shape.non_null(), Shape::Object { .. }) {
        let ty = field_type_text(&response.shape, &mut Vec::new(), names);
        let doc = [
            format!("The `data` of [`Client::{func}`] ({origin})."),
            String::new(),
            "Decoded leniently: see the crate's \"Response types\". / 宽松解码，见 crate 文档。".into(),
        ];
        out.push(documented(&doc, deprecation, format!("pub type Data = {ty};\n"), 0)?);
    }
    for (loc, s) in &names.structs {
        let Some((fields, rest)) = object_at(&response.shape, loc) else {
            continue;
        };
        let where_ = if loc.is_empty() {
            "data".to_owned()
        } else {
            format!("data.{}", loc.join(".")).replace(".[]", "[]")
        };
        let doc = [
            format!("The object at `{where_}` of [`Client::{func}`]'s response ({origin})."),
            String::new(),
            "Fields are `None` (lists and maps empty) when the key is missing, `null` or holds a value that does \
             not fit; see the crate's \"Response types\". / 字段缺失、为 `null` 或无法表示时为 `None`（列表为空）。"
                .into(),
            String::new(),
            "`#[non_exhaustive]`: upstream may add fields; build values with `Default::default()`.".into(),
        ];
        let mut members = Vec::new();
        let mut arms = Vec::new();
        for (f, rust) in fields.iter().zip(&s.fields) {
            let n = ident(rust);
            let mut child = loc.clone();
            child.push(f.name.clone());
            let wire = &f.name;
            let mut line = format!("JSON `{}` / 字段 `{}`.", docs::escape(wire), docs::escape(wire));
            if let Some(example) = &f.example {
                line.push_str(&format!(" Example / 示例: {}", code_span(example)));
            }
            members.push(Member {
                doc: vec![line],
                attr: (rust != wire).then(|| format!("#[serde(rename = {})]", Literal::string(wire))),
                code: format!("pub {n}: {}", field_type_text(&f.shape, &mut child, names)),
            });
            arms.push((
                Literal::string(wire).to_string(),
                format!("de::set(map, &mut self.{n})"),
            ));
        }
        let mut types = vec![s.type_name.clone()];
        if let (Some(rest), Some(rust)) = (rest, &s.rest) {
            let n = ident(rust);
            let mut child = loc.clone();
            child.push(names::VALUE.to_owned());
            members.push(Member {
                doc: vec![
                    "Entries under keys that are data (ids, dates, numbers) rather than names, and under any key \
                     this version does not know. / 以数据（ID、日期等）为键的条目，以及本版本未知的键。"
                        .into(),
                ],
                attr: Some("#[serde(flatten)]".into()),
                code: format!(
                    "pub {n}: std::collections::BTreeMap<String, {}>",
                    element_type_text(rest, &mut child, names)
                ),
            });
            types.push(n.to_string());
        }
        let head = format!("pub struct {}", s.type_name);
        out.push(braced(&doc, deprecation, &STRUCT_ATTRS, &head, &members)?);
        out.push(DESERIALIZE.code(&[&s.type_name])?);
        let template = if types.len() == 2 { &OBJECT_INSERT } else { &OBJECT_SKIP };
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        out.push(with_arms(template, &types, &arms)?);
    }
    Ok(out)
}

/// A field of a struct or a variant of an enum.
struct Member {
    doc: Vec<String>,
    /// `#[serde(..)]`, when it has one.
    attr: Option<String>,
    /// `pub name: Type` (the name as it prints: `r#type`) or `Variant`.
    code: String,
}

const STRUCT_ATTRS: [&str; 2] = [
    "#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]",
    "#[non_exhaustive]",
];

const ENUM_ATTRS: [&str; 2] = ["#[derive(Debug, Clone, PartialEq, Eq, Hash)]", "#[non_exhaustive]"];

/// A struct or enum definition (`head`: `pub struct Name`), its fields or variants one per line (see
/// [`documented`]).
fn braced(doc: &[String], deprecation: Attrs<'_>, attrs: &[&str], head: &str, members: &[Member]) -> Result<Code> {
    let mut code = String::new();
    for attr in attrs {
        code.push_str(attr);
        code.push('\n');
    }
    code.push_str(head);
    code.push_str(" {\n");
    // prettyplease prints an empty body as `{}`, and a doc holding a newline as a block: left to it.
    let mut laid_out = !members.is_empty();
    for m in members {
        match docs::outer_lines(&m.doc) {
            Some(lines) => lines.lines().for_each(|l| {
                code.push_str("    ");
                code.push_str(l);
                code.push('\n');
            }),
            None => {
                laid_out = false;
                code.push_str(&docs::attrs(&m.doc).to_string());
            }
        }
        for line in m.attr.iter().chain([&format!("{},", m.code)]) {
            code.push_str("    ");
            code.push_str(line);
            code.push('\n');
        }
    }
    code.push_str("}\n");
    if laid_out {
        documented(doc, deprecation, code, 0)
    } else {
        format::as_tokens(doc, deprecation, &code)
    }
}

/// A response struct's `Deserialize` impl: the runtime's lenient object decoder.
static DESERIALIZE: Template = Template::items("deserialize", |ids, _| {
    let ty = &ids[0];
    quote! {
        impl<'de> serde::Deserialize<'de> for #ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                de::object(deserializer)
            }
        }
    }
});

/// A response struct's `de::Object` impl, one `match` arm per field (`arms`), unknown keys
/// skipped...
static OBJECT_SKIP: Template = Template::items("object-skip", |ids, arms| {
    let ty = &ids[0];
    quote! {
        impl de::Object for #ty {
            fn set<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
                match key {
                    #arms
                    _ => de::skip(map),
                }
            }
        }
    }
});

/// ... or kept in the struct's map of data-keyed entries.
static OBJECT_INSERT: Template = Template::items("object-insert", |ids, arms| {
    let (ty, rest) = (&ids[0], &ids[1]);
    quote! {
        impl de::Object for #ty {
            fn set<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
                match key {
                    #arms
                    key => de::insert(map, &mut self.#rest, key),
                }
            }
        }
    }
});

/// A template for these identifiers (as printed: `r#type`) with these arms (pattern, body): as text, the arms
/// written in place of the template's [`ARMS`]; as tokens when an arm's layout is prettyplease's to decide
/// (see `format::match_arm`), or there is no arm.
fn with_arms(template: &Template, idents: &[&str], arms: &[(String, String)]) -> Result<Code> {
    let text = template.text(idents)?;
    if let Some(at) = text.find(ARMS).filter(|_| !arms.is_empty()) {
        let indent = at - text[..at].rfind('\n').map_or(0, |nl| nl + 1);
        let lines: Option<Vec<Vec<String>>> = arms.iter().map(|(pat, body)| match_arm(indent, pat, body)).collect();
        if let Some(lines) = lines {
            let pad = format!("\n{}", " ".repeat(indent));
            let mut code = text.replacen(ARMS, &lines.concat().join(&pad), 1);
            code.push('\n');
            return Ok(Code::Text(code));
        }
    }
    let idents: Vec<proc_macro2::Ident> = idents
        .iter()
        .map(|i| match i.strip_prefix("r#") {
            Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
            None => proc_macro2::Ident::new(i, proc_macro2::Span::call_site()),
        })
        .collect();
    let arms: String = arms.iter().map(|(pat, body)| format!("{pat} => {body}, ")).collect();
    Ok(Code::Tokens(template.tokens(&idents, parse_code(&arms)?)))
}

/// `text` as an inline code span, whatever backticks it holds.
fn code_span(text: &str) -> String {
    let mut fence = "`".to_owned();
    while text.contains(fence.as_str()) {
        fence.push('`');
    }
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The fields and data-keyed entries of the object at `loc` (`[]` steps into arrays, `*` into map values).
pub(super) fn object_at<'a>(shape: &'a Shape, loc: &[String]) -> Option<(&'a [Field], Option<&'a Shape>)> {
    match (shape, loc.split_first()) {
        (Shape::Optional(inner), _) => object_at(inner, loc),
        (Shape::Object { fields, rest }, None) => Some((fields, rest.as_deref())),
        (Shape::Object { rest: Some(rest), .. }, Some((key, tail))) if key == names::VALUE => object_at(rest, tail),
        (Shape::Object { fields, .. }, Some((key, tail))) => fields
            .iter()
            .find(|f| &f.name == key)
            .and_then(|f| object_at(&f.shape, tail)),
        (Shape::Array(inner), Some((item, tail))) if item == ITEM => object_at(inner, tail),
        (Shape::Map(inner), Some((value, tail))) if value == names::VALUE => object_at(inner, tail),
        _ => None,
    }
}

/// The type of a struct field (or of the whole `data`), as prettyplease prints it: every scalar and object
/// optional, lists and maps empty when absent (see `templates/de.rs`).
pub(super) fn field_type_text(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> String {
    match shape {
        Shape::Any => "serde_json::Value".to_owned(),
        Shape::Optional(inner) => field_type_text(inner, loc, names),
        Shape::Array(_) | Shape::Map(_) => element_type_text(shape, loc, names),
        other => format!("Option<{}>", element_type_text(other, loc, names)),
    }
}

/// The type of an element of a list or map, as prettyplease prints it: as inferred, `Option` only where
/// `null` was seen.
pub(super) fn element_type_text(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> String {
    match shape {
        Shape::Bool => "bool".to_owned(),
        Shape::Integer => "i64".to_owned(),
        Shape::Number => "f64".to_owned(),
        Shape::String => "crate::Text".to_owned(),
        Shape::Any => "serde_json::Value".to_owned(),
        Shape::Optional(inner) if **inner == Shape::Any => "serde_json::Value".to_owned(),
        Shape::Optional(inner) => format!("Option<{}>", element_type_text(inner, loc, names)),
        Shape::Array(inner) => {
            loc.push(ITEM.to_owned());
            let t = element_type_text(inner, loc, names);
            loc.pop();
            format!("Vec<{t}>")
        }
        Shape::Map(inner) => {
            loc.push(names::VALUE.to_owned());
            let t = element_type_text(inner, loc, names);
            loc.pop();
            format!("std::collections::BTreeMap<String, {t}>")
        }
        Shape::Object { .. } => names.structs[loc.as_slice()].type_name.clone(),
    }
}

/// `#[deprecated(note = "...")]` with upstream's notice in both languages and the successor.
pub fn deprecated_attr(names: &OpNames<'_>) -> TokenStream {
    let Some(d) = &names.op.deprecation else {
        return TokenStream::new();
    };
    let mut note = String::new();
    if let Some(en) = &d.note.en {
        note.push_str(en.trim());
    }
    if let Some(succ) = &names.successor {
        note.push_str(&format!(" Use `Client::{succ}` instead."));
    }
    if let Some(zh) = &d.note.zh {
        note.push_str(&format!(" / {}", zh.trim()));
    }
    if let Some(succ) = &names.successor {
        note.push_str(&format!("请改用 `Client::{succ}`。"));
    }
    let note = note.trim().to_owned();
    quote! { #[deprecated(note = #note)] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::EmitOptions;
    use crate::ir::{EnumType, EnumValue, Text};

    fn text(en: &str) -> Text {
        Text {
            en: Some(en.into()),
            zh: Some("中文说明".into()),
        }
    }

    /// Every parameter type, the enum's type name `len` characters long.
    fn kinds(len: usize) -> Vec<(ParamType, Option<EnumNames>)> {
        let enum_type = ParamType::Enum(EnumType {
            integer: false,
            values: vec![EnumValue {
                value: "a".into(),
                doc: Text::default(),
            }],
        });
        let names = EnumNames {
            type_name: format!("E{}", "x".repeat(len.saturating_sub(1))),
            variants: vec!["A".into()],
        };
        vec![
            (ParamType::String, None),
            (ParamType::Integer { format: None }, None),
            (
                ParamType::Integer {
                    format: Some("int32".into()),
                },
                None,
            ),
            (ParamType::Number, None),
            (ParamType::Boolean, None),
            (ParamType::Json, None),
            (enum_type, Some(names)),
        ]
    }

    fn param(wire: &str, required: bool, ty: ParamType, location: ParamLocation, desc: &str) -> Param {
        Param {
            name: wire.into(),
            location,
            required,
            ty,
            default: (!required).then(|| serde_json::json!("x")),
            description: text(desc),
        }
    }

    /// Rust names of every length 1..=70, and a keyword (printed `r#type`).
    fn rust_names() -> Vec<String> {
        let mut names: Vec<String> = (1..=70).map(|n| format!("p{}", "a".repeat(n - 1))).collect();
        names.push("type".into());
        names
    }

    /// Code written as text is what prettyplease prints for it: spliced as is, or parsed and laid out by
    /// prettyplease, the file is the same. `wrap`: the file's items around the code (`impl` for methods).
    fn is_fixed_point(code: &str, wrap: fn(TokenStream) -> TokenStream) -> bool {
        let spliced = printed_items(wrap(format::Code::Text(code.to_owned()).into_tokens()));
        let parsed = printed_items(wrap(parse_code(code).unwrap()));
        assert_eq!(spliced, parsed, "written as text:\n{code}");
        true
    }

    fn in_impl(items: TokenStream) -> TokenStream {
        quote! { impl<'a> Request<'a> { #items } }
    }

    fn top_level(items: TokenStream) -> TokenStream {
        items
    }

    /// Counts the code written as text (each checked against prettyplease) and left to prettyplease.
    #[derive(Default, Debug)]
    struct Tally {
        text: usize,
        tokens: usize,
    }

    impl Tally {
        fn check(&mut self, code: Code, wrap: fn(TokenStream) -> TokenStream, must_hold: &str) {
            match code {
                Code::Text(text) => {
                    self.text += 1;
                    assert!(is_fixed_point(&text, wrap));
                }
                Code::Tokens(tokens) => {
                    self.tokens += 1;
                    // Too wide for text: prettyplease lays it out.
                    let printed = printed_items(wrap(tokens));
                    assert!(printed.contains(must_hold), "{must_hold}:\n{printed}");
                }
            }
        }
    }

    #[test]
    fn setters_written_as_text_are_what_prettyplease_prints() {
        let (mut tally, mut widths) = (Tally::default(), std::collections::BTreeSet::new());
        // Plain prose, trailing spaces, a control character and a bidi control (made printable), an empty
        // description.
        let descriptions = ["Page number.", "trailing  ", "a\u{1}b\u{202e}c", ""];
        for (i, name) in rust_names().into_iter().enumerate() {
            for (ty, e) in kinds(i % 40 + 1) {
                let desc = descriptions[i % descriptions.len()];
                let p = param(&format!("w{i}"), false, ty, ParamLocation::Query, desc);
                let code = setter(&p, &name, e.as_ref()).unwrap();
                if let Code::Text(text) = &code {
                    let signature = text.lines().find(|l| l.starts_with("pub fn")).unwrap_or_default();
                    widths.insert(IN_IMPL + signature.len());
                }
                tally.check(code, in_impl, &format!("fn {}", ident(&name)));
            }
        }
        // One-line signatures up to prettyplease's margin (longer ones are written one argument per line).
        assert!((40..=MARGIN).all(|w| widths.contains(&w)), "{widths:?}");
        assert!(tally.text > 300, "{tally:?}");
    }

    #[test]
    fn client_methods_written_as_text_are_what_prettyplease_prints() {
        let note = "This endpoint is deprecated and may be removed in future versions. / 此接口已过时。";
        let deprecated = quote! { #[deprecated(note = #note)] };
        let (_, method) = format::attrs_text(&deprecated);
        let attrs = [
            Attrs::NONE,
            Attrs {
                tokens: Some(&deprecated),
                item: None,
                method: method.as_deref(),
            },
        ];
        let mut tally = Tally::default();
        // The widths of the one-line signatures written as text, and how many were written one argument per line.
        let (mut flat, mut broken) = (std::collections::BTreeSet::new(), 0);
        let types = ["impl Into<String>", "i64", "bool", "SortType", "serde_json::Value"];
        let funcs = rust_names()
            .into_iter()
            .chain((0..455).map(|n| format!("f{}", "x".repeat(n % 91))));
        for (i, func) in funcs.enumerate() {
            // 0 to 4 required parameters of every type and names of many lengths, 0 to 2 optional ones.
            let required: Vec<(String, &str)> = (0..i % 5)
                .map(|k| {
                    (
                        "q".repeat((i * 7 + k * 13) % 24 + 1) + &k.to_string(),
                        types[(i + k) % types.len()],
                    )
                })
                .collect();
            let args: Vec<String> = required.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            let mut inits: Vec<String> = required
                .iter()
                .map(|(n, t)| {
                    if t.starts_with("impl") {
                        format!("{n}: {n}.into()")
                    } else {
                        n.clone()
                    }
                })
                .collect();
            inits.extend((0..i % 3).map(|k| format!("o{}: None", "o".repeat(i % 17 + k))));
            let code = client_method_code(&func, &args, &inits);
            let doc = ["**Summary**".to_owned(), String::new(), "`GET /x`".to_owned()];
            let written = documented(&doc, attrs[i % 2], code.clone(), IN_IMPL).unwrap();
            if matches!(written, Code::Text(_)) {
                match code.lines().next().filter(|l| l.ends_with('{')) {
                    Some(line) => {
                        flat.insert(IN_IMPL + line.len());
                    }
                    None => broken += 1,
                }
            }
            tally.check(written, in_impl, &format!("fn {}", ident(&func)));
        }
        // Both sides of prettyplease's margin were checked.
        assert!((60..=MARGIN).all(|w| flat.contains(&w)), "{flat:?}");
        assert!(tally.text > 300 && broken > 100, "{tally:?} {broken}");
    }

    #[test]
    fn a_path_constant_is_one_line_however_long() {
        for len in 1..=150 {
            let path = Literal::string(&format!("/api/{}", "a/b-c".repeat(len / 5 + 1)));
            let code = format!("pub const PATH: &str = {path};\n");
            let doc = ["HTTP path of this operation.".to_owned()];
            let written = documented(&doc, Attrs::NONE, code, 0).unwrap();
            assert!(matches!(&written, Code::Text(_)), "{path}");
            Tally::default().check(written, top_level, "PATH");
        }
    }

    #[test]
    fn the_runtime_path_is_the_runtime_crate_name() {
        assert_eq!(RUNTIME, super::super::RUNTIME_CRATE.replace('-', "_"));
    }

    #[test]
    fn structs_and_enums_written_as_text_are_what_prettyplease_prints() {
        let note = "This endpoint is deprecated and may be removed in future versions. / 此接口已过时。";
        let mut tally = Tally::default();
        for deprecated in [
            TokenStream::new(),
            quote! { #[deprecated(note = #note)] },
            quote! { #[deprecated] },
        ] {
            let (item, method) = format::attrs_text(&deprecated);
            let attrs = Attrs {
                tokens: Some(&deprecated),
                item: item.as_deref(),
                method: method.as_deref(),
            };
            for len in 1..=70 {
                let field = |k: usize| Member {
                    doc: vec![format!("JSON `f{k}` / 字段 `f{k}`. Example / 示例: `\"x  \"`")],
                    attr: k
                        .is_multiple_of(2)
                        .then(|| format!("#[serde(rename = {})]", Literal::string(&"w".repeat(len + k)))),
                    code: format!(
                        "pub {}: {}",
                        ident(&format!("f{}", "a".repeat(len - 1 + k))),
                        match k % 4 {
                            0 => "Option<i64>".to_owned(),
                            1 => format!("Vec<Item{}>", "x".repeat(len)),
                            2 => format!("std::collections::BTreeMap<String, Option<V{}>>", "y".repeat(len)),
                            _ => "serde_json::Value".to_owned(),
                        }
                    ),
                };
                let members: Vec<Member> = (0..len % 5 + 1).map(field).collect();
                let doc = [
                    format!("The object at `data.x{len}`."),
                    String::new(),
                    "More.".to_owned(),
                ];
                let ty = format!("S{}", "s".repeat(len));
                // A struct of `len % 5 + 1` fields, and an enum of as many variants.
                let variants: Vec<Member> = (0..len % 5 + 1)
                    .map(|k| Member {
                        doc: match k {
                            1 => Vec::new(),
                            // A doc line holding a newline: prettyplease prints a block.
                            2 if len % 7 == 0 => vec!["two\nlines".to_owned()],
                            _ => vec![format!("`{k}`: meaning {k}")],
                        },
                        attr: None,
                        code: if k == 0 {
                            "Other(String)".to_owned()
                        } else {
                            format!("V{}", "v".repeat(len + k))
                        },
                    })
                    .collect();
                for (attrs_lines, head, members) in [
                    (&STRUCT_ATTRS, format!("pub struct {ty}"), &members),
                    (&ENUM_ATTRS, format!("pub enum {ty}"), &variants),
                ] {
                    let code = braced(&doc, attrs, attrs_lines, &head, members).unwrap();
                    tally.check(code, top_level, &head);
                }
            }
        }
        assert!(tally.text > 30 && tally.tokens > 30, "{tally:?}");
    }

    fn printed_items(items: TokenStream) -> String {
        let opts = EmitOptions {
            digest: String::new(),
            command: "test".into(),
        };
        super::super::format::rust_file(&opts, items, "test").unwrap()
    }

    #[test]
    fn docs_holding_a_newline_go_through_prettyplease() {
        let code = "fn f(self) {}\n".to_owned();
        let written = documented(&["a\nb".to_owned()], Attrs::NONE, code, IN_IMPL).unwrap();
        assert!(matches!(written, Code::Tokens(_)));
    }

    #[test]
    fn into_parts_written_as_text_is_what_prettyplease_prints() {
        let mut tally = Tally::default();
        let names = rust_names();
        for (i, name) in names.iter().enumerate() {
            for method in [Method::Get, Method::Post] {
                // 0 to 3 parameters: required and optional, query and form, every type, names of every length.
                let params: Vec<Param> = kinds(i % 30 + 1)
                    .into_iter()
                    .enumerate()
                    .take(i % 4)
                    .map(|(k, (ty, _))| {
                        let location = if k % 2 == 0 {
                            ParamLocation::Query
                        } else {
                            ParamLocation::Form
                        };
                        param(&"w".repeat(i % 50 + 1), (i + k) % 2 == 0, ty, location, "d")
                    })
                    .collect();
                let named: Vec<ParamNames<'_>> = params
                    .iter()
                    .enumerate()
                    .map(|(k, p)| ParamNames {
                        param: p,
                        name: if k == 0 { name.clone() } else { format!("{name}_{k}") },
                        enum_names: None,
                    })
                    .collect();
                let func = names[names.len() - 1 - i].as_str();
                let code = into_parts(&named, method, func).unwrap();
                tally.check(code, in_impl, "fn into_parts(self)");
            }
        }
        assert!(tally.text > 60 && tally.tokens > 20, "{tally:?}");
    }
}
