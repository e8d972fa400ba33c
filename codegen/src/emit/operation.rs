//! One module per operation: the `Client` method, its request builder, parameter enums, response types.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs;
use super::format::{match_arm, splice, Template, ARMS};
use super::ident;
use crate::error::Result;
use crate::ir::{Api, Field, Method, Operation, Param, ParamLocation, ParamType, Shape, ShapeOrigin};
use crate::names::{self, EnumNames, OpNames, ParamNames, ITEM};

pub fn module(api: &Api, names: &OpNames<'_>) -> Result<TokenStream> {
    let op = names.op;
    let func = ident(&names.func);
    let func_name = names.func.as_str();
    let label = format!("{} {}", op.method.as_str(), op.path);
    let path = &op.path;
    let deprecated = deprecated_attr(names);
    // The module defines deprecated items and necessarily refers to them.
    let allow_deprecated = op.is_deprecated().then(|| quote! { #![allow(deprecated)] });

    let params: &[ParamNames<'_>] = &names.params;

    let mut module_doc = vec![format!("**{}**", docs::inline(&op.summary)), String::new()];
    module_doc.push(format!("`{label}` — see [`Client::{}`].", names.func));
    let module_doc = docs::inner_attrs(&module_doc);

    // Method docs.
    let mut doc = vec![format!("**{}**", docs::inline(&op.summary)), String::new()];
    let desc = docs::paragraphs(&op.description);
    if !desc.is_empty() {
        doc.extend(desc);
        doc.push(String::new());
    }
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
    let method_doc = docs::attrs(&doc);

    // Arguments and request fields.
    let required = params.iter().filter(|p| p.param.required);
    let optional = params.iter().filter(|p| !p.param.required);
    let args = required.map(|p| {
        let n = ident(&p.name);
        let ty = arg_type(p.param, p.enum_names.as_ref());
        quote! { #n: #ty }
    });
    let inits = params.iter().map(|pn| {
        let (n, p) = (ident(&pn.name), pn.param);
        if !p.required {
            quote! { #n: None }
        } else if is_string(p) {
            quote! { #n: #n.into() }
        } else {
            quote! { #n }
        }
    });
    let fields = params.iter().map(|pn| {
        let (n, p) = (ident(&pn.name), pn.param);
        let ty = value_type(p, pn.enum_names.as_ref());
        if p.required {
            quote! { #n: #ty }
        } else {
            quote! { #n: Option<#ty> }
        }
    });
    let setters = optional.map(|pn| {
        let (n, p) = (ident(&pn.name), pn.param);
        let ty = arg_type(p, pn.enum_names.as_ref());
        let value = if is_string(p) {
            quote! { value.into() }
        } else {
            quote! { value }
        };
        let mut d = vec![format!(
            "`{}`: {}",
            p.name,
            docs::inline(&docs::without_value_list(&p.description))
        )];
        if let Some(def) = &p.default {
            d.push(String::new());
            d.push(format!(
                "Upstream default / 默认值: `{def}` (not sent unless set / 未设置时不发送)."
            ));
        }
        let d = docs::attrs(&d);
        quote! {
            #d
            pub fn #n(mut self, value: #ty) -> Self {
                self.#n = Some(#value);
                self
            }
        }
    });
    // One plain call per parameter (`Parts::query` / `Parts::form`): nothing generic to compile per operation.
    let adds: Vec<TokenStream> = params
        .iter()
        .map(|pn| {
            let (n, p) = (ident(&pn.name), pn.param);
            let wire = &p.name;
            let add = match p.location {
                ParamLocation::Query => quote! { query },
                ParamLocation::Form => quote! { form },
            };
            if p.required {
                let text = to_string(p, quote! { self.#n });
                quote! { parts.#add(#wire, #text); }
            } else {
                let text = to_string(p, quote! { value });
                quote! {
                    if let Some(value) = self.#n {
                        parts.#add(#wire, #text);
                    }
                }
            }
        })
        .collect();
    let runtime = format_ident!("{}", super::crate_files::RUNTIME_CRATE.replace('-', "_"));
    let http_method = match op.method {
        Method::Get => quote! { #runtime::Method::GET },
        Method::Post => quote! { #runtime::Method::POST },
    };

    let enums = params
        .iter()
        .filter_map(|pn| pn.enum_names.as_ref().map(|e| param_enum(pn.param, e, &deprecated)))
        .collect::<Result<Vec<_>>>()?;
    let data = data_types(op, names, &deprecated, &names.func)?;

    let request_doc = docs::attrs(&[
        format!(
            "Request builder of [`Client::{}`]: set optional parameters, then `.send().await` (or just `.await`).",
            names.func
        ),
        String::new(),
        format!(
            "[`Client::{}`] 的请求构造器：设置可选参数后 `.send().await`（或直接 `.await`）。",
            names.func
        ),
    ]);
    let path_doc = docs::attrs(&[format!("HTTP path of this operation: `{label}`.")]);

    // The response structs' decoding (`Deserialize`, `de::Object`) calls the runtime's lenient decoders.
    let imports = names::OP_IMPORTS.iter().map(|i| ident(i));
    let use_de = (!names.structs.is_empty()).then(|| quote! { use #runtime::de; });

    let start = quote! { #runtime::Parts::of(#http_method, PATH, #func_name, self._overrides) };
    let into_parts = if adds.is_empty() {
        start
    } else {
        quote! {
            let mut parts = #start;
            #(#adds)*
            parts
        }
    };

    let (request_methods, into_future) = (REQUEST_METHODS.placeholder(&[])?, INTO_FUTURE.placeholder(&[])?);
    Ok(quote! {
        #module_doc
        #allow_deprecated

        use crate::{#(#imports),*};
        #use_de

        #path_doc
        pub const PATH: &str = #path;

        impl Client {
            #method_doc
            #deprecated
            pub fn #func(&self, #(#args),*) -> Request<'_> {
                Request { _client: self, _overrides: Default::default(), #(#inits),* }
            }
        }

        #request_doc
        #deprecated
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent with `.send().await`"]
        pub struct Request<'a> {
            _client: &'a Client,
            _overrides: #runtime::Overrides,
            #(#fields,)*
        }

        impl<'a> Request<'a> {
            #(#setters)*

            #request_methods

            fn into_parts(self) -> #runtime::Parts {
                #into_parts
            }
        }

        #into_future

        #(#enums)*

        #data
    })
}

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

/// Type accepted by the method / setter.
pub(super) fn arg_type(p: &Param, e: Option<&EnumNames>) -> TokenStream {
    if is_string(p) {
        quote! { impl Into<String> }
    } else {
        value_type(p, e)
    }
}

/// Type stored in the request.
fn value_type(p: &Param, e: Option<&EnumNames>) -> TokenStream {
    match (&p.ty, e) {
        (ParamType::String, _) => quote! { String },
        (ParamType::Integer { format }, _) if format.as_deref() == Some("int32") => quote! { i32 },
        (ParamType::Integer { .. }, _) => quote! { i64 },
        (ParamType::Number, _) => quote! { f64 },
        (ParamType::Boolean, _) => quote! { bool },
        (ParamType::Enum(_), Some(e)) => {
            let t = format_ident!("{}", e.type_name);
            quote! { #t }
        }
        (ParamType::Enum(_), None) | (ParamType::Json, _) => quote! { serde_json::Value },
    }
}

/// Expression turning a stored value into the wire text.
fn to_string(p: &Param, value: TokenStream) -> TokenStream {
    match &p.ty {
        ParamType::String => value,
        ParamType::Enum(_) => quote! { #value.as_str().to_owned() },
        _ => quote! { #value.to_string() },
    }
}

fn param_enum(p: &Param, names: &EnumNames, deprecated: &TokenStream) -> Result<TokenStream> {
    let ParamType::Enum(e) = &p.ty else {
        return Ok(TokenStream::new());
    };
    let ty = format_ident!("{}", names.type_name);
    let mut doc = vec![format!(
        "Values of `{}`: {}",
        p.name,
        docs::inline(&docs::without_value_list(&p.description))
    )];
    if let Some(d) = &p.default {
        doc.push(String::new());
        doc.push(format!("Upstream default / 默认值: `{d}`."));
    }
    let doc = docs::attrs(&doc);
    let variants: Vec<_> = names.variants.iter().map(|v| format_ident!("{}", v)).collect();
    let variant_docs = e.values.iter().map(|v| {
        let meaning = docs::inline(&v.doc);
        let line = if meaning.is_empty() {
            format!("`{}`", v.value)
        } else {
            format!("`{}`: {meaning}", v.value)
        };
        docs::attrs(&[line])
    });
    let wires: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
    let other = format_ident!("{}", names::OTHER_VARIANT);
    // The impls as text where their layout is known (see `emit/format.rs`), else as tokens.
    let literals: Vec<String> = wires.iter().map(|w| Literal::string(w).to_string()).collect();
    let paths: Vec<String> = variants.iter().map(|v| format!("Self::{v}")).collect();
    let as_str_arms: Vec<(String, String)> = paths.iter().cloned().zip(literals.iter().cloned()).collect();
    let from_arms: Vec<(String, String)> = literals.into_iter().zip(paths).collect();
    let types = [ty.clone()];
    let as_str = with_arms(
        &ENUM_AS_STR,
        &types,
        &as_str_arms,
        quote! { #( Self::#variants => #wires, )* },
    )?;
    let display = ENUM_DISPLAY.placeholder(&[&names.type_name])?;
    let from = with_arms(
        &ENUM_FROM,
        &types,
        &from_arms,
        quote! { #( #wires => Self::#variants, )* },
    )?;
    Ok(quote! {
        #doc
        #deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #( #variant_docs #variants, )*
            /// A value this version of the crate does not list; sent as is. / 本版本未列出的值，原样发送。
            #other(String),
        }

        #as_str

        #display

        #from
    })
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

fn data_types(op: &Operation, names: &OpNames, deprecated: &TokenStream, func: &str) -> Result<TokenStream> {
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
        let doc = docs::attrs(&[format!("The `data` of [`Client::{func}`]: raw JSON ({origin}).")]);
        return Ok(quote! { #doc #deprecated pub type Data = serde_json::Value; });
    };
    let mut out = TokenStream::new();
    if !matches!(response.shape.non_null(), Shape::Object { .. }) {
        let ty = field_type(&response.shape, &mut Vec::new(), names);
        let doc = docs::attrs(&[
            format!("The `data` of [`Client::{func}`] ({origin})."),
            String::new(),
            "Decoded leniently: see the crate's \"Response types\". / 宽松解码，见 crate 文档。".into(),
        ]);
        out.extend(quote! { #doc #deprecated pub type Data = #ty; });
    }
    for (loc, s) in &names.structs {
        let Some((fields, rest)) = object_at(&response.shape, loc) else {
            continue;
        };
        let ty = format_ident!("{}", s.type_name);
        let where_ = if loc.is_empty() {
            "data".to_owned()
        } else {
            format!("data.{}", loc.join(".")).replace(".[]", "[]")
        };
        let doc = docs::attrs(&[
            format!("The object at `{where_}` of [`Client::{func}`]'s response ({origin})."),
            String::new(),
            "Fields are `None` (lists and maps empty) when the key is missing, `null` or holds a value that does \
             not fit; see the crate's \"Response types\". / 字段缺失、为 `null` 或无法表示时为 `None`（列表为空）。"
                .into(),
            String::new(),
            "`#[non_exhaustive]`: upstream may add fields; build values with `Default::default()`.".into(),
        ]);
        let mut field_tokens = Vec::new();
        let mut arms = Vec::new();
        let mut arm_lines = Vec::new();
        for (f, rust) in fields.iter().zip(&s.fields) {
            let n = ident(rust);
            let mut child = loc.clone();
            child.push(f.name.clone());
            let ty = field_type(&f.shape, &mut child, names);
            let wire = &f.name;
            let rename = (rust != wire).then(|| quote! { #[serde(rename = #wire)] });
            let mut line = format!("JSON `{}` / 字段 `{}`.", docs::escape(wire), docs::escape(wire));
            if let Some(example) = &f.example {
                line.push_str(&format!(" Example / 示例: {}", code_span(example)));
            }
            let d = docs::attrs(&[line]);
            field_tokens.push(quote! { #d #rename pub #n: #ty });
            arms.push(quote! { #wire => de::set(map, &mut self.#n), });
            arm_lines.push((
                Literal::string(wire).to_string(),
                format!("de::set(map, &mut self.{n})"),
            ));
        }
        let mut types = vec![ty.clone()];
        if let (Some(rest), Some(rust)) = (rest, &s.rest) {
            let n = ident(rust);
            let mut child = loc.clone();
            child.push(names::VALUE.to_owned());
            let value = element_type(rest, &mut child, names);
            let d = docs::attrs(&[
                "Entries under keys that are data (ids, dates, numbers) rather than names, and under any key this \
                 version does not know. / 以数据（ID、日期等）为键的条目，以及本版本未知的键。"
                    .into(),
            ]);
            field_tokens.push(quote! {
                #d
                #[serde(flatten)]
                pub #n: std::collections::BTreeMap<String, #value>
            });
            types.push(n);
        }
        let deserialize = DESERIALIZE.placeholder(&[&s.type_name])?;
        let template = if types.len() == 2 { &OBJECT_INSERT } else { &OBJECT_SKIP };
        let object = with_arms(template, &types, &arm_lines, quote! { #(#arms)* })?;
        out.extend(quote! {
            #doc
            #deprecated
            #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
            #[non_exhaustive]
            pub struct #ty {
                #(#field_tokens,)*
            }

            #deserialize

            #object
        });
    }
    Ok(out)
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

/// A template for these identifiers with these arms (pattern, body): as text, the arms written in place of the
/// template's [`ARMS`]; as tokens (`arm_tokens`) when an arm's layout is prettyplease's to decide (see
/// `format::match_arm`), or there is no arm.
fn with_arms(
    template: &Template,
    idents: &[proc_macro2::Ident],
    arms: &[(String, String)],
    arm_tokens: TokenStream,
) -> Result<TokenStream> {
    let names: Vec<String> = idents.iter().map(ToString::to_string).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let text = template.text(&names)?;
    let Some(at) = text.find(ARMS).filter(|_| !arms.is_empty()) else {
        return Ok(template.tokens(idents, arm_tokens));
    };
    let indent = at - text[..at].rfind('\n').map_or(0, |nl| nl + 1);
    let mut lines = Vec::new();
    for (pat, body) in arms {
        match match_arm(indent, pat, body) {
            Some(arm) => lines.extend(arm),
            None => return Ok(template.tokens(idents, arm_tokens)),
        }
    }
    let pad = " ".repeat(indent);
    Ok(splice(&text.replacen(ARMS, &lines.join(&format!("\n{pad}")), 1)))
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

/// The type of a struct field (or of the whole `data`): every scalar and object optional, lists and maps
/// empty when absent (see `templates/de.rs`).
pub(super) fn field_type(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> TokenStream {
    match shape {
        Shape::Any => quote! { serde_json::Value },
        Shape::Optional(inner) => field_type(inner, loc, names),
        Shape::Array(_) | Shape::Map(_) => element_type(shape, loc, names),
        other => {
            let t = element_type(other, loc, names);
            quote! { Option<#t> }
        }
    }
}

/// The type of an element of a list or map: as inferred, `Option` only where `null` was seen.
pub(super) fn element_type(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> TokenStream {
    match shape {
        Shape::Bool => quote! { bool },
        Shape::Integer => quote! { i64 },
        Shape::Number => quote! { f64 },
        Shape::String => quote! { String },
        Shape::Any => quote! { serde_json::Value },
        Shape::Optional(inner) if **inner == Shape::Any => quote! { serde_json::Value },
        Shape::Optional(inner) => {
            let t = element_type(inner, loc, names);
            quote! { Option<#t> }
        }
        Shape::Array(inner) => {
            loc.push(ITEM.to_owned());
            let t = element_type(inner, loc, names);
            loc.pop();
            quote! { Vec<#t> }
        }
        Shape::Map(inner) => {
            loc.push(names::VALUE.to_owned());
            let t = element_type(inner, loc, names);
            loc.pop();
            quote! { std::collections::BTreeMap<String, #t> }
        }
        Shape::Object { .. } => {
            let t = format_ident!("{}", names.structs[loc.as_slice()].type_name);
            quote! { #t }
        }
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
