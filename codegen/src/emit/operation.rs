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
    // As prettyplease prints it, for the items written as text (formatted once per module).
    let deprecated_text = super::format::attrs_text(&deprecated);
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
    let setters = optional.map(|pn| setter(pn.param, &pn.name, pn.enum_names.as_ref()));
    let runtime = format_ident!("{}", super::crate_files::RUNTIME_CRATE.replace('-', "_"));
    let into_parts = into_parts(params, op.method, func_name);
    let enums = params
        .iter()
        .filter_map(|pn| {
            pn.enum_names
                .as_ref()
                .map(|e| param_enum(pn.param, e, &deprecated, deprecated_text.as_deref()))
        })
        .collect::<Result<Vec<_>>>()?;
    let data = data_types(op, names, (&deprecated, deprecated_text.as_deref()), &names.func)?;

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

            #into_parts
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
    tokens_of(&arg_type_text(p, e))
}

fn arg_type_text(p: &Param, e: Option<&EnumNames>) -> String {
    if is_string(p) {
        "impl Into<String>".to_owned()
    } else {
        value_type_text(p, e)
    }
}

/// Type stored in the request.
fn value_type(p: &Param, e: Option<&EnumNames>) -> TokenStream {
    tokens_of(&value_type_text(p, e))
}

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

/// Tokens of a type or expression the emitter wrote as text (well-formed by construction).
fn tokens_of(text: &str) -> TokenStream {
    text.parse()
        .unwrap_or_else(|_| panic!("emitter wrote unparsable Rust: {text}"))
}

/// The longest line that code written as text may have, indentation included: prettyplease keeps a line of
/// this width whole (its margin is 89 columns), so the text is what it would print. Longer code goes through
/// prettyplease. Checked against prettyplease in the tests below.
const TEXT_WIDTH: usize = 80;

/// The indentation of a request builder's methods (inside `impl<'a> Request<'a>`).
const IN_IMPL: usize = 4;

/// A setter of an optional parameter: as text (see [`TEXT_WIDTH`]), else as tokens.
fn setter(p: &Param, name: &str, e: Option<&EnumNames>) -> TokenStream {
    let doc = setter_doc(p);
    match setter_text(&doc, p, name, e) {
        Some(code) => splice(&code),
        None => setter_tokens(&doc, p, name, e),
    }
}

fn setter_doc(p: &Param) -> Vec<String> {
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
    d
}

fn setter_value(p: &Param) -> &'static str {
    if is_string(p) {
        "value.into()"
    } else {
        "value"
    }
}

fn setter_text(doc: &[String], p: &Param, name: &str, e: Option<&EnumNames>) -> Option<String> {
    // As the identifier prints (`r#type`).
    let name = ident(name).to_string();
    let signature = format!("pub fn {name}(mut self, value: {}) -> Self {{", arg_type_text(p, e));
    let assign = format!("self.{name} = Some({});", setter_value(p));
    if IN_IMPL + signature.len() > TEXT_WIDTH || IN_IMPL + 4 + assign.len() > TEXT_WIDTH {
        return None;
    }
    let doc = docs::outer_lines(doc)?;
    Some(format!("{doc}{signature}\n    {assign}\n    self\n}}\n"))
}

fn setter_tokens(doc: &[String], p: &Param, name: &str, e: Option<&EnumNames>) -> TokenStream {
    let (n, ty, value) = (ident(name), arg_type(p, e), tokens_of(setter_value(p)));
    let d = docs::attrs(doc);
    quote! {
        #d
        pub fn #n(mut self, value: #ty) -> Self {
            self.#n = Some(#value);
            self
        }
    }
}

/// `into_parts`: the operation's `Parts`, then one `Parts::query` / `Parts::form` call per parameter (an
/// optional one when set). As text (see [`TEXT_WIDTH`]), else as tokens.
fn into_parts(params: &[ParamNames<'_>], method: Method, func: &str) -> TokenStream {
    match into_parts_text(params, method, func) {
        Some(code) => splice(&code),
        None => into_parts_tokens(params, method, func),
    }
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

fn into_parts_text(params: &[ParamNames<'_>], method: Method, func: &str) -> Option<String> {
    let runtime = super::crate_files::RUNTIME_CRATE.replace('-', "_");
    let wire = |p: &Param| Literal::string(&p.name).to_string();
    // The statements after `Parts::of`, at the body's indentation (4).
    let mut body = String::new();
    let mut fits = true;
    for pn in params {
        let (p, name) = (pn.param, ident(&pn.name).to_string());
        let mut line = |indent: usize, text: String| {
            fits &= IN_IMPL + indent + text.len() <= TEXT_WIDTH;
            body.push_str(&" ".repeat(indent));
            body.push_str(&text);
            body.push('\n');
        };
        if p.required {
            let value = to_string_text(p, &format!("self.{name}"));
            line(4, format!("parts.{}({}, {value});", add_call(p), wire(p)));
        } else {
            line(4, format!("if let Some(value) = self.{name} {{"));
            line(
                8,
                format!("parts.{}({}, {});", add_call(p), wire(p), to_string_text(p, "value")),
            );
            line(4, "}".to_owned());
        }
    }
    if !fits {
        return None;
    }
    // `Parts::of(..)` never fits on one line: one argument per line.
    let of = format!(
        "{runtime}::Parts::of(\n        {runtime}::Method::{},\n        PATH,\n        {},\n        self._overrides,\n    )",
        method_name(method),
        Literal::string(func)
    );
    Some(if params.is_empty() {
        format!("fn into_parts(self) -> {runtime}::Parts {{\n    {of}\n}}\n")
    } else {
        format!("fn into_parts(self) -> {runtime}::Parts {{\n    let mut parts = {of};\n{body}    parts\n}}\n")
    })
}

fn into_parts_tokens(params: &[ParamNames<'_>], method: Method, func: &str) -> TokenStream {
    let runtime = format_ident!("{}", super::crate_files::RUNTIME_CRATE.replace('-', "_"));
    let http_method = format_ident!("{}", method_name(method));
    let start = quote! { #runtime::Parts::of(#runtime::Method::#http_method, PATH, #func, self._overrides) };
    let adds = params.iter().map(|pn| {
        let (n, p) = (ident(&pn.name), pn.param);
        let (wire, add) = (&p.name, format_ident!("{}", add_call(p)));
        if p.required {
            let text = tokens_of(&to_string_text(p, &format!("self.{n}")));
            quote! { parts.#add(#wire, #text); }
        } else {
            let text = tokens_of(&to_string_text(p, "value"));
            quote! {
                if let Some(value) = self.#n {
                    parts.#add(#wire, #text);
                }
            }
        }
    });
    let body = if params.is_empty() {
        start
    } else {
        quote! {
            let mut parts = #start;
            #(#adds)*
            parts
        }
    };
    quote! {
        fn into_parts(self) -> #runtime::Parts {
            #body
        }
    }
}

fn param_enum(
    p: &Param,
    names: &EnumNames,
    deprecated: &TokenStream,
    deprecated_text: Option<&str>,
) -> Result<TokenStream> {
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
    let variants: Vec<_> = names.variants.iter().map(|v| format_ident!("{}", v)).collect();
    let mut members: Vec<Member> = e
        .values
        .iter()
        .zip(&variants)
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
                code: variant.to_string(),
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
        (deprecated, deprecated_text),
        &ENUM_ATTRS,
        &format!("pub enum {}", names.type_name),
        &members,
    );
    let wires: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
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
        #definition

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

fn data_types(
    op: &Operation,
    names: &OpNames,
    (deprecated, deprecated_text): (&TokenStream, Option<&str>),
    func: &str,
) -> Result<TokenStream> {
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
        let mut arm_lines = Vec::new();
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
            types.push(n);
        }
        let head = format!("pub struct {}", s.type_name);
        let definition = braced(&doc, (deprecated, deprecated_text), &STRUCT_ATTRS, &head, &members);
        let deserialize = DESERIALIZE.placeholder(&[&s.type_name])?;
        let template = if types.len() == 2 { &OBJECT_INSERT } else { &OBJECT_SKIP };
        let object = with_arms(template, &types, &arm_lines, quote! { #(#arms)* })?;
        out.extend(quote! {
            #definition

            #deserialize

            #object
        });
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

/// A struct or enum definition (`head`: `pub struct Name`) as text (see [`TEXT_WIDTH`]); `None` when a line
/// would be wider, or the docs or the deprecation attribute cannot be written as text.
fn braced_text(
    doc: &[String],
    deprecated: Option<&str>,
    attrs: &[&str],
    head: &str,
    members: &[Member],
) -> Option<String> {
    if members.is_empty() {
        return None;
    }
    let mut out = docs::outer_lines(doc)?;
    out.push_str(deprecated?);
    for attr in attrs {
        out.push_str(attr);
        out.push('\n');
    }
    out.push_str(head);
    out.push_str(" {\n");
    let mut line = |text: &str| {
        out.push_str("    ");
        out.push_str(text);
        out.push('\n');
        4 + text.len() <= TEXT_WIDTH
    };
    for m in members {
        for doc_line in docs::outer_lines(&m.doc)?.lines() {
            line(doc_line);
        }
        if let Some(attr) = &m.attr {
            if !line(attr) {
                return None;
            }
        }
        if !line(&format!("{},", m.code)) {
            return None;
        }
    }
    out.push_str("}\n");
    Some(out)
}

fn braced_tokens(
    doc: &[String],
    deprecated: &TokenStream,
    attrs: &[&str],
    head: &str,
    members: &[Member],
) -> TokenStream {
    let doc = docs::attrs(doc);
    let (attrs, head) = (attrs.iter().map(|a| tokens_of(a)), tokens_of(head));
    let members = members.iter().map(|m| {
        let (d, code) = (docs::attrs(&m.doc), tokens_of(&m.code));
        let attr = m.attr.as_deref().map(tokens_of);
        quote! { #d #attr #code }
    });
    quote! {
        #doc
        #deprecated
        #(#attrs)*
        #head {
            #(#members,)*
        }
    }
}

/// [`braced_text`], else [`braced_tokens`].
fn braced(
    doc: &[String],
    deprecated: (&TokenStream, Option<&str>),
    attrs: &[&str],
    head: &str,
    members: &[Member],
) -> TokenStream {
    match braced_text(doc, deprecated.1, attrs, head, members) {
        Some(code) => splice(&code),
        None => braced_tokens(doc, deprecated.0, attrs, head, members),
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
    tokens_of(&field_type_text(shape, loc, names))
}

fn field_type_text(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> String {
    match shape {
        Shape::Any => "serde_json::Value".to_owned(),
        Shape::Optional(inner) => field_type_text(inner, loc, names),
        Shape::Array(_) | Shape::Map(_) => element_type_text(shape, loc, names),
        other => format!("Option<{}>", element_type_text(other, loc, names)),
    }
}

/// The type of an element of a list or map: as inferred, `Option` only where `null` was seen.
pub(super) fn element_type(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> TokenStream {
    tokens_of(&element_type_text(shape, loc, names))
}

/// [`element_type`] as prettyplease prints it.
fn element_type_text(shape: &Shape, loc: &mut Vec<String>, names: &OpNames) -> String {
    match shape {
        Shape::Bool => "bool".to_owned(),
        Shape::Integer => "i64".to_owned(),
        Shape::Number => "f64".to_owned(),
        Shape::String => "String".to_owned(),
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

    /// Items of a request builder's `impl`, printed as `rust_file` prints them.
    fn printed(items: TokenStream) -> String {
        let opts = EmitOptions {
            digest: String::new(),
            command: "test".into(),
        };
        super::super::format::rust_file(&opts, quote! { impl<'a> Request<'a> { #items } }, "test").unwrap()
    }

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

    #[test]
    fn setters_written_as_text_are_what_prettyplease_prints() {
        let (mut as_text, mut as_tokens) = (0, 0);
        // Plain prose, trailing spaces, a control character and a bidi control (made printable), an empty
        // description.
        let descriptions = ["Page number.", "trailing  ", "a\u{1}b\u{202e}c", ""];
        for (i, name) in rust_names().into_iter().enumerate() {
            for (ty, e) in kinds(i % 40 + 1) {
                let desc = descriptions[i % descriptions.len()];
                let p = param(&format!("w{i}"), false, ty, ParamLocation::Query, desc);
                let doc = setter_doc(&p);
                let tokens = setter_tokens(&doc, &p, &name, e.as_ref());
                match setter_text(&doc, &p, &name, e.as_ref()) {
                    Some(code) => {
                        as_text += 1;
                        assert_eq!(printed(splice(&code)), printed(tokens), "setter `{name}`");
                    }
                    None => {
                        as_tokens += 1;
                        // Too wide for text: prettyplease lays it out.
                        assert!(printed(tokens).contains(&format!("fn {}", ident(&name))));
                    }
                }
            }
        }
        assert!(
            as_text > 200 && as_tokens > 50,
            "{as_text} as text, {as_tokens} as tokens"
        );
    }

    #[test]
    fn structs_and_enums_written_as_text_are_what_prettyplease_prints() {
        let note = "This endpoint is deprecated and may be removed in future versions. / 此接口已过时。";
        let (mut as_text, mut as_tokens) = (0, 0);
        for deprecated in [
            TokenStream::new(),
            quote! { #[deprecated(note = #note)] },
            quote! { #[deprecated] },
        ] {
            let attrs = super::super::format::attrs_text(&deprecated);
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
                let ty = format_ident!("S{}", "s".repeat(len));
                // A struct of `len % 5 + 1` fields, and an enum of as many variants.
                let variants: Vec<Member> = (0..len % 5 + 1)
                    .map(|k| Member {
                        doc: if k == 1 {
                            Vec::new()
                        } else {
                            vec![format!("`{k}`: meaning {k}")]
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
                    let tokens = braced_tokens(&doc, &deprecated, attrs_lines, &head, members);
                    match braced_text(&doc, attrs.as_deref(), attrs_lines, &head, members) {
                        Some(code) => {
                            as_text += 1;
                            assert_eq!(printed_items(splice(&code)), printed_items(tokens), "{head}");
                        }
                        None => {
                            as_tokens += 1;
                            assert!(printed_items(tokens).contains(&head));
                        }
                    }
                }
            }
        }
        assert!(
            as_text > 30 && as_tokens > 30,
            "{as_text} as text, {as_tokens} as tokens"
        );
    }

    fn printed_items(items: TokenStream) -> String {
        let opts = EmitOptions {
            digest: String::new(),
            command: "test".into(),
        };
        super::super::format::rust_file(&opts, items, "test").unwrap()
    }

    #[test]
    fn a_setter_whose_doc_line_holds_a_newline_goes_through_prettyplease() {
        let p = param("w", false, ParamType::Boolean, ParamLocation::Query, "x");
        assert_eq!(setter_text(&["a\nb".to_owned()], &p, "w", None), None);
    }

    #[test]
    fn into_parts_written_as_text_is_what_prettyplease_prints() {
        let (mut as_text, mut as_tokens) = (0, 0);
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
                let tokens = into_parts_tokens(&named, method, func);
                match into_parts_text(&named, method, func) {
                    Some(code) => {
                        as_text += 1;
                        assert_eq!(
                            printed(splice(&code)),
                            printed(tokens),
                            "into_parts of `{func}`, {params:?}"
                        );
                    }
                    None => {
                        as_tokens += 1;
                        assert!(printed(tokens).contains("fn into_parts(self)"));
                    }
                }
            }
        }
        assert!(
            as_text > 60 && as_tokens > 20,
            "{as_text} as text, {as_tokens} as tokens"
        );
    }
}
