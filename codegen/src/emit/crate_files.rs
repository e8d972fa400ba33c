//! The files around the operations: `Cargo.toml`, `lib.rs`, servers, business codes, the runtime
//! templates, README, CHANGELOG and example programs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::format::{documented, inner, rust_module, Attrs, Code, OuterAttrs, Template};
use super::{docs, header, ident, rust_file, EmitOptions, GeneratedFile};
use crate::error::{Error, Result};
use crate::ir::{Api, ParamType, State};
use crate::names::{self, Namespace, OpNames, Plan};

/// The runtime crate's files copied verbatim from `codegen/templates/` (path in the crate, text); everything
/// else the emitter writes is built and formatted.
pub const TEMPLATES: [(&str, &str); 6] = [
    ("src/de.rs", include_str!("../../templates/de.rs")),
    ("src/runtime.rs", include_str!("../../templates/runtime.rs")),
    ("src/transport.rs", include_str!("../../templates/transport.rs")),
    ("src/text.rs", include_str!("../../templates/text.rs")),
    ("src/error.rs", include_str!("../../templates/error.rs")),
    ("src/blocking.rs", include_str!("../../templates/blocking.rs")),
];

/// The crate every platform crate depends on: client, retries, errors, business codes, servers. Emitted once
/// (`generated/justoneapi-runtime`), so 36 platform crates do not each compile a copy of it.
pub const RUNTIME_CRATE: &str = "justoneapi-runtime";
/// The runtime crate's name in Rust paths ([`RUNTIME_CRATE`] with `_`).
pub(super) const RUNTIME: &str = "justoneapi_runtime";
/// Version of the runtime crate; bump it with any change to `codegen/templates/` or to what `runtime_files`
/// emits.
pub const RUNTIME_VERSION: &str = "0.4.0";
/// sha256 of the runtime's hand-written source (every file of [`TEMPLATES`], in order) as released at
/// [`RUNTIME_VERSION`]. A unit test fails when the source changes and this does not: every change to the
/// runtime comes with a version bump, by Cargo's semver rules as for the platform crates (`0.x`: the minor for a
/// breaking change, else the patch), and a line in `specs/changelog/justoneapi-runtime.md`.
#[cfg_attr(not(test), allow(dead_code))]
pub const RUNTIME_SOURCES_SHA256: &str = "fcd511300ce1f52903528f7728ce166c835cfcc713539f057e0901b264947177";

/// The repository the crates are published from (`repository` in their `Cargo.toml`, links in their READMEs).
/// It does not exist yet: this is its intended address (see the README's "Publishing").
pub const REPOSITORY: &str = "https://github.com/justoneapi-codegen/justoneapi-rust";
/// `homepage`: the API the crates are clients of (its documentation, and where tokens come from); the crates'
/// own docs are `documentation` (docs.rs) and their source is `repository`.
pub(super) const HOMEPAGE: &str = "https://docs.justoneapi.com";
/// `rust-version` of every generated crate, equal to the workspace's (a test keeps them equal): the highest
/// `rust-version` in the workspace's locked tree (progenitor and the `icu_*` crates under xtask's reqwest ask
/// for 1.88). `scripts/check-msrv.py` fails CI when a locked dependency of any crate needs more.
pub const RUST_VERSION: &str = "1.88";

/// License texts, written into every crate verbatim (no `@generated` header: a license text is not edited,
/// and crates.io and license scanners match it as is). One copy, at the repository root.
pub const LICENSE_FILES: [(&str, &str); 2] = [
    ("LICENSE-APACHE", include_str!("../../../LICENSE-APACHE")),
    ("LICENSE-MIT", include_str!("../../../LICENSE-MIT")),
];

/// Dependencies of the runtime crate. reqwest is part of its public API (`http_client`, re-exported), and so is
/// reqwest-middleware with the `middleware` feature (DEPENDENCIES.md); hyper is named only to recognise one of
/// its errors, compact_str is `Text`'s storage, tower's traits count the connections reqwest opens.
const RUNTIME_DEPENDENCIES: &str = r#"[dependencies]
base64 = "0.22"
compact_str = "0.9"
form_urlencoded = "1"
httpdate = "1"
hyper = "1"
percent-encoding = "2"
reqwest = { version = "0.12.28", default-features = false, features = ["http2", "system-proxy"] }
reqwest-middleware = { version = "0.4", optional = true }
serde = { version = "1", features = ["derive"] }
serde_json = { version = "1", features = ["unbounded_depth"] }
simdutf8 = "0.1"
tokio = { version = "1.49", features = ["rt", "time"] }
tower-layer = "0.3"
tower-service = "0.3"
tracing = "0.1"

[dev-dependencies]
# The `middleware` example of `ClientBuilder::http_client_with_middleware` (a doctest).
async-trait = "0.1"
http = "1"

[features]
default = ["rustls-tls"]
# TLS by rustls, with Mozilla's root certificates built in: nothing to install on any platform.
rustls-tls = ["reqwest/rustls-tls"]
# TLS by rustls, trusting the operating system's root certificates instead.
rustls-tls-native-roots = ["reqwest/rustls-tls-native-roots"]
# TLS by the platform's library and certificate store (OpenSSL on Linux, which must be installed to build).
native-tls = ["reqwest/native-tls"]
# Accept gzip-compressed responses; the body limit applies to the decompressed body.
gzip = ["reqwest/gzip"]
# `socks5://` proxies.
socks = ["reqwest/socks"]
# `ClientBuilder::http_client_with_middleware`: middleware around every request (reqwest-middleware).
middleware = ["dep:reqwest-middleware"]
# `blocking::Client`, for programs without an async runtime.
blocking = []
"#;

/// Dependencies of every platform crate; its features forward to the runtime's.
fn platform_dependencies() -> String {
    format!(
        r#"[dependencies]
{RUNTIME_CRATE} = {{ version = "{RUNTIME_VERSION}", path = "../{RUNTIME_CRATE}", default-features = false }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "sync"] }}

[features]
default = ["rustls-tls"]
# TLS by rustls, with Mozilla's root certificates built in: nothing to install on any platform.
rustls-tls = ["{RUNTIME_CRATE}/rustls-tls"]
# TLS by rustls, trusting the operating system's root certificates instead.
rustls-tls-native-roots = ["{RUNTIME_CRATE}/rustls-tls-native-roots"]
# TLS by the platform's library and certificate store (OpenSSL on Linux, which must be installed to build).
native-tls = ["{RUNTIME_CRATE}/native-tls"]
# Accept gzip-compressed responses; the body limit applies to the decompressed body.
gzip = ["{RUNTIME_CRATE}/gzip"]
# `socks5://` proxies.
socks = ["{RUNTIME_CRATE}/socks"]
# `ClientBuilder::http_client_with_middleware`: middleware around every request (reqwest-middleware).
middleware = ["{RUNTIME_CRATE}/middleware"]
# `blocking::Client`, for programs without an async runtime.
blocking = ["{RUNTIME_CRATE}/blocking"]
"#
    )
}

/// The files of the runtime crate, from the servers and business codes of `api` (the same for every crate of a
/// run; `emit_runtime` checks that).
pub fn runtime_files(api: &Api, opts: &EmitOptions) -> Result<Vec<GeneratedFile>> {
    let mut files = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: cargo_toml(
                opts,
                RUNTIME_CRATE,
                RUNTIME_VERSION,
                "Runtime of the generated Just One API clients: HTTP, retries, errors, business codes, servers.",
                r#"["justoneapi", "api-client", "openapi"]"#,
                RUNTIME_DEPENDENCIES,
            ),
        },
        GeneratedFile {
            path: "README.md".into(),
            contents: runtime_readme(opts),
        },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: rust_file(opts, runtime_lib_rs(), "lib.rs")?,
        },
        GeneratedFile {
            path: "src/codes.rs".into(),
            contents: rust_file(opts, codes_rs(api)?, "codes.rs")?,
        },
        GeneratedFile {
            path: "src/servers.rs".into(),
            contents: rust_file(opts, servers_rs(api)?, "servers.rs")?,
        },
    ];
    files.extend(TEMPLATES.iter().map(|(path, text)| GeneratedFile {
        path: (*path).into(),
        contents: format!("{}\n{text}", header(opts, "//")),
    }));
    files.extend(license_files());
    Ok(files)
}

/// A crate's `CHANGELOG.md`: the header, then the changelog kept under `specs/changelog/`.
pub fn changelog_file(opts: &EmitOptions, changelog: &str) -> String {
    format!("<!--{}-->\n\n{changelog}", header(opts, "").trim_end())
}

/// `LICENSE-APACHE` and `LICENSE-MIT`, verbatim.
pub(super) fn license_files() -> impl Iterator<Item = GeneratedFile> {
    LICENSE_FILES.iter().map(|(path, text)| GeneratedFile {
        path: (*path).into(),
        contents: (*text).into(),
    })
}

fn runtime_readme(opts: &EmitOptions) -> String {
    format!(
        "<!--{header}-->\n\n# {RUNTIME_CRATE}\n\n\
         The runtime every generated Just One API client crate depends on: client configuration, retries, the error \
         type, business codes and servers. / 所有生成的 Just One API 客户端共用的运行时：客户端配置、重试、错误类型、\
         业务码与服务器。\n\n\
         Generated by [justoneapi-codegen]({REPOSITORY}); never edited by hand. / 由 justoneapi-codegen 生成，请勿手工修改。\n\n\
         ## Install / 安装\n\n\
         Depend on a platform crate instead (e.g. `justoneapi-xiaohongshu-pgy`): it depends on this one and \
         re-exports what a program needs (`Server`, `Error`, `RetryPolicy`, ...), and its README shows the usage. / \
         请直接依赖某个平台的客户端（例如 `justoneapi-xiaohongshu-pgy`），它会引入并重新导出本运行时。\n\n\
         HTTP is reqwest's (re-exported as `justoneapi_runtime::reqwest`): `ClientBuilder::http_client` takes your \
         own `reqwest::Client`. / HTTP 由 reqwest 完成，可通过 `ClientBuilder::http_client` 传入自己的 \
         `reqwest::Client`。\n\n\
         ## Features / 特性\n\n| feature | |\n|---|---|\n\
         | `rustls-tls` (default) | TLS by rustls with Mozilla's root certificates / rustls 与 Mozilla 根证书 |\n\
         | `rustls-tls-native-roots` | rustls with the operating system's root certificates / rustls 与系统根证书 |\n\
         | `native-tls` | the platform's TLS library and certificate store / 平台自带的 TLS 库与证书库 |\n\
         | `gzip` | compressed responses; the body limit counts decompressed bytes / 压缩响应，体积上限按解压后计算 |\n\
         | `socks` | `socks5://` proxies / SOCKS5 代理 |\n\
         | `middleware` | `ClientBuilder::http_client_with_middleware` (reqwest-middleware) / 请求中间件 |\n\
         | `blocking` | `blocking::Client`, for programs without an async runtime (enabled by a platform crate's \
         `blocking`) / 无需异步运行时的阻塞客户端 |\n\n\
         {links}{README_LICENSE}",
        header = header(opts, "").trim_end(),
        links = readme_links(RUNTIME_CRATE, false),
    )
}

fn runtime_lib_rs() -> TokenStream {
    let doc = docs::inner_attrs(&[
        "The runtime of the generated Just One API client crates: client configuration, retries, the one error \
         type, business codes and servers."
            .into(),
        String::new(),
        "Use it through a platform crate (e.g. `justoneapi-xiaohongshu-pgy`): it re-exports what a program needs \
         and adds one method per operation to its own `Client`."
            .into(),
    ]);
    quote! {
        #doc
        #![warn(missing_docs)]
        // docs.rs (`--cfg docsrs`, nightly): label feature-gated items such as `blocking` with their feature.
        #![cfg_attr(docsrs, feature(doc_cfg))]

        #[cfg(feature = "blocking")]
        pub mod blocking;
        mod codes;
        pub mod de;
        mod error;
        mod runtime;
        mod servers;
        mod text;
        mod transport;

        pub use codes::BusinessCode;
        pub use de::Mismatch;
        pub use error::{Error, TransportError};
        pub use runtime::{
            ApiResponse, Client, ClientBuilder, ClientKind, ResponseFuture, RetryPolicy, DEFAULT_CONNECT_TIMEOUT,
            DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
        };
        pub use servers::Server;
        pub use text::Text;
        /// The HTTP client underneath, for [`ClientBuilder::http_client`]: the version this crate uses.
        pub use reqwest;
        /// Middleware around every request, for [`ClientBuilder::http_client_with_middleware`].
        #[cfg(feature = "middleware")]
        pub use reqwest_middleware;

        // What the platform crates' request builders are made of; not part of the documented API.
        #[doc(hidden)]
        pub use reqwest::Method;
        #[doc(hidden)]
        pub use runtime::{decode_body, Overrides, Parts};
    }
}

pub fn files(api: &Api, plan: &Plan, opts: &EmitOptions, changelog: Option<&str>) -> Result<Vec<GeneratedFile>> {
    let mut out = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: platform_cargo_toml(api, opts),
        },
        GeneratedFile {
            path: "README.md".into(),
            contents: readme(api, plan, opts, changelog.is_some()),
        },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: lib_rs(api, plan, opts)?,
        },
        GeneratedFile {
            path: "src/ops/mod.rs".into(),
            contents: ops_mod(plan, opts)?,
        },
    ];
    out.extend(license_files());
    if let Some(changelog) = changelog {
        out.push(GeneratedFile {
            path: "CHANGELOG.md".into(),
            contents: changelog_file(opts, changelog),
        });
    }
    for ex in &api.examples {
        out.push(GeneratedFile {
            path: format!("examples/{}.rs", ex.name),
            contents: rust_file(opts, example(api, plan, ex)?, &ex.name)?,
        });
        let batch = format!("{}_batch", ex.name);
        out.push(GeneratedFile {
            path: format!("examples/{batch}.rs"),
            contents: rust_file(opts, batch_example(api, plan, ex)?, &batch)?,
        });
    }
    Ok(out)
}

/// crates.io keywords: ours, and the platform's first word (`xiaohongshu-pgy` -> `xiaohongshu`) when it is a
/// valid keyword (ASCII letters, digits, `-`, `_`; a letter first; at most 20 characters).
fn platform_keywords(platform: &str) -> String {
    let word = platform.split('-').next().unwrap_or_default();
    let valid = word.len() <= 20
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut keywords = vec!["justoneapi", "api-client"];
    if valid && !keywords.contains(&word) {
        keywords.push(word);
    }
    keywords.push("openapi");
    let quoted: Vec<String> = keywords.iter().map(|k| format!("\"{k}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn platform_cargo_toml(api: &Api, opts: &EmitOptions) -> String {
    let title = api.title.en.as_deref().unwrap_or(&api.crate_name);
    let zh = api.title.zh.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
    cargo_toml(
        opts,
        &api.crate_name,
        &api.version,
        &format!("Typed async client for Just One API's {title}{zh}."),
        &platform_keywords(&api.platform),
        &platform_dependencies(),
    )
}

/// A crate's `Cargo.toml`: everything `cargo package` and crates.io want, docs.rs settings, then
/// `dependencies` (which ends with `[features]`).
pub(super) fn cargo_toml(
    opts: &EmitOptions,
    name: &str,
    version: &str,
    description: &str,
    keywords: &str,
    dependencies: &str,
) -> String {
    format!(
        r#"{header}
[package]
name = "{name}"
version = "{version}"
edition = "2021"
rust-version = "{RUST_VERSION}"
description = "{description}"
license = "MIT OR Apache-2.0"
readme = "README.md"
repository = "{REPOSITORY}"
documentation = "https://docs.rs/{name}"
homepage = "{HOMEPAGE}"
keywords = {keywords}
categories = ["api-bindings", "web-programming::http-client"]

{dependencies}
[package.metadata.docs.rs]
# `blocking` included; `--cfg docsrs` turns on `doc_cfg`, which labels it "Available on crate feature blocking only".
all-features = true
rustdoc-args = ["--cfg", "docsrs"]
"#,
        header = header(opts, "#"),
    )
}

/// The server the usage examples pick, to show `.server(...)`: the last one documented.
fn example_server(api: &Api) -> String {
    names::pascal(
        &api.servers.last().map(|s| s.name.clone()).unwrap_or_default(),
        "Custom",
    )
}

/// The call the usage examples (crate docs, README) make, e.g. `api_..._v1("USER_ID")`: the first operation
/// that is not deprecated and whose required parameters are all strings, with placeholder arguments.
pub(super) fn example_call(plan: &Plan) -> Option<String> {
    let names = plan.ops.iter().find(|n| {
        !n.op.is_deprecated()
            && n.op
                .params
                .iter()
                .filter(|p| p.required)
                .all(|p| matches!(p.ty, ParamType::String))
    })?;
    let op = names.op;
    let args: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("\"{}\"", names::snake(&p.name, "value").to_ascii_uppercase()))
        .collect();
    Some(format!("{}({})", names.func, args.join(", ")))
}

fn lib_rs(api: &Api, plan: &Plan, opts: &EmitOptions) -> Result<String> {
    let title = docs::inline(&api.title);
    let krate = api.crate_name.replace('-', "_");
    let mut doc = vec![
        format!("Typed async client for Just One API's **{title}**."),
        String::new(),
        format!(
            "Generated from upstream's bilingual OpenAPI definitions: {} operations, {} of them deprecated. \
             Method names derive from the HTTP path, so upstream renaming an operationId never changes this API.",
            api.operations.len(),
            api.operations.iter().filter(|o| o.is_deprecated()).count()
        ),
        String::new(),
        "```no_run".into(),
        format!("use {krate}::Client;"),
        String::new(),
        "# async fn demo() -> Result<(), Box<dyn std::error::Error>> {".into(),
        "// JUSTONEAPI_TOKEN, and optionally JUSTONEAPI_SERVER, JUSTONEAPI_TIMEOUT_SECS, ...".into(),
        "// (see `ClientBuilder::from_env`); the default server is the first one listed below.".into(),
        "let client = Client::from_env()?;".into(),
    ];
    if let Some(call) = example_call(plan) {
        doc.push(format!("let response = client.{call}.await?;"));
        doc.push("println!(\"{:?} (request {:?})\", response.data, response.request_id);".into());
    }
    doc.extend([
        "# Ok(())".into(),
        "# }".into(),
        "```".into(),
        String::new(),
        "Servers / 服务器:".into(),
        String::new(),
    ]);
    for (i, s) in api.servers.iter().enumerate() {
        let default = if i == 0 { " (the default)" } else { "" };
        // The token travels in the query string or the form body: over plain HTTP anyone on the path reads it.
        let plain = if s.url.starts_with("http://") {
            " Plain HTTP: the token crosses the network unencrypted; prefer an HTTPS server where it is reachable."
        } else {
            ""
        };
        doc.push(format!(
            "- [`Server::{}`]{default}: <{}> — {}{plain}",
            names::pascal(&s.name, "Server"),
            s.url,
            docs::inline(&s.description)
        ));
    }
    if !api.listed_codes.is_empty() {
        let codes: Vec<String> = api.listed_codes.iter().map(|c| format!("`{c}`")).collect();
        doc.extend([
            String::new(),
            format!(
                "Business codes upstream lists without a published meaning: {}; they arrive as \
                 [`BusinessCode::Unknown`]. / 上游列出但未说明含义的业务码：{}，解码为 `BusinessCode::Unknown`。",
                codes.join(", "),
                codes.join("、")
            ),
        ]);
    }
    doc.extend([
        String::new(),
        "Configuration: [`ClientBuilder`] (server, timeout, retries with backoff and jitter, body limit, user \
         agent, headers, a proxy, extra root certificates, or your own `reqwest::Client` and middleware); each request \
         builder's `timeout` and `retry_policy` replace the client's for one request. Requests own what they \
         need, so `tokio::spawn(client.some_operation(..).send())` works; each call is a `tracing` span \
         (see [`ResponseFuture`])."
            .into(),
        String::new(),
        "Cargo features: `rustls-tls` (default), `rustls-tls-native-roots` (the operating system's root \
         certificates), `native-tls` (the platform's TLS library instead), `gzip` (compressed responses), `socks` \
         (`socks5://` proxies), `middleware` (`ClientBuilder::http_client_with_middleware`), `blocking`."
            .into(),
        String::new(),
        "With the cargo feature `blocking`, `blocking::Client` runs the same requests without an async runtime.".into(),
        String::new(),
        "Every call returns [`ApiResponse`] with the typed `data`, or an [`Error`] whose kinds tell transport, \
         HTTP, decoding and business failures apart; business codes are in [`BusinessCode`]. The token never \
         appears in `Debug` output, errors or logs."
            .into(),
        String::new(),
        "# Response types / 响应类型".into(),
        String::new(),
        "Upstream publishes one example per endpoint and no schema, so the types are inferred from the examples \
         (and remembered when upstream drops them). A guess must never fail a billed call, so decoding is \
         lenient:"
            .into(),
        String::new(),
        "- every scalar and object field is an `Option`: `None` when the key is missing or `null`, so `Some(0)`, \
         `Some(\"\")` and `Some(false)` always mean upstream sent them; lists and maps are empty instead;"
            .into(),
        "- a value in another representation is converted: `12.0` into an integer, `\"12\"` into a number, `12` \
         into a string;"
            .into(),
        "- strings are [`Text`]: read one as a `&str` (it derefs to one), `String::from(text)` to own it; up to 24 \
         bytes are stored inline, so the short labels and ids of a response are decoded without an allocation \
         each;"
            .into(),
        "- a value that cannot be represented (`12.5` for an integer, an object for a string) leaves its field \
         empty and is listed, with its JSON path, in [`ApiResponse::mismatches`] (and logged as a `tracing` \
         warning); the body as received is kept: [`ApiResponse::raw_data`];"
            .into(),
        "- objects keyed by data (ids, dates) are `BTreeMap<String, T>`; every numeric field that might hold a \
         fraction anywhere is an `f64`."
            .into(),
        String::new(),
        "类型由上游示例推断；解码宽松：缺失或为 `null` 的字段为 `None`，表示方式不同的值会被转换，无法表示的值留空并记录在 \
         `mismatches` 中，原始 JSON 可通过 `raw_data()` 取得。"
            .into(),
    ]);
    let client_doc = [
        format!("Asynchronous client of the {title} operations: one method per operation (see [`ops`])."),
        String::new(),
        "Cheap to clone: clones share one connection pool.".into(),
    ];
    // The platform's names (Pugongying, 蒲公英) find its client in rustdoc's search.
    let aliases = OuterAttrs::new(docs::alias_attrs(&api.platform_aliases, "Client"));
    let items = vec![
        Code::Text("pub mod ops;\n".into()),
        LIB_HEAD.code(&[])?,
        documented(
            &client_doc,
            aliases.attrs(),
            format!("#[derive(Debug, Clone)]\npub struct Client {{\n    inner: {RUNTIME}::Client,\n}}\n"),
            0,
        )?,
        LIB_TAIL.code(&[])?,
    ];
    rust_module(opts, inner(&doc, LIB_ATTRS)?, items, "lib.rs")
}

/// The crate attributes of a client crate's (and the facade's) `lib.rs`, after its docs. docs.rs (`--cfg
/// docsrs`, nightly) labels feature-gated items (`blocking`, the facade's platforms) with their feature.
pub(super) const LIB_ATTRS: &str = "#![warn(missing_docs)]\n#![cfg_attr(docsrs, feature(doc_cfg))]\n";

/// What a client crate's `lib.rs` holds before `Client` (formatted once, see `emit/format.rs`).
static LIB_HEAD: Template = Template::items("lib-head", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
        // The README's examples compile as doctests; its blocking example needs the feature.
        #[cfg(all(doctest, feature = "blocking"))]
        #[doc = include_str!("../README.md")]
        struct ReadmeDoctests;

        pub use #runtime::{
            reqwest, ApiResponse, BusinessCode, Error, Mismatch, ResponseFuture, RetryPolicy, Server, Text,
            TransportError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
        };
        #[cfg(feature = "middleware")]
        pub use #runtime::reqwest_middleware;

        /// Configures a [`Client`]: server, timeouts, retries, body limit, user agent, headers, proxy, root
        /// certificates, or your own reqwest client and middleware; or all of it
        /// from the environment ([`ClientBuilder::from_env`]).
        pub type ClientBuilder = #runtime::ClientBuilder<Client>;
    }
});

/// ... and after it.
static LIB_TAIL: Template = Template::items("lib-tail", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
        impl Client {
            /// A client for the default server with default settings.
            pub fn new(token: impl Into<String>) -> Result<Client, Error> {
                Client::builder(token).build()
            }

            /// Starts configuring a client.
            pub fn builder(token: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(token)
            }

            /// A client configured from the environment: `JUSTONEAPI_TOKEN`, `JUSTONEAPI_SERVER` or
            /// `JUSTONEAPI_BASE_URL`, `JUSTONEAPI_TIMEOUT_SECS`, `JUSTONEAPI_MAX_ATTEMPTS` (see
            /// [`ClientBuilder::from_env`]).
            pub fn from_env() -> Result<Client, Error> {
                ClientBuilder::from_env()?.build()
            }

            /// Base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.inner.base_url()
            }

            /// Timeout of one attempt.
            pub fn timeout(&self) -> std::time::Duration {
                self.inner.timeout()
            }

            /// Retry policy.
            pub fn retry_policy(&self) -> &RetryPolicy {
                self.inner.retry_policy()
            }

            /// `User-Agent` sent with every request.
            pub fn user_agent(&self) -> &str {
                self.inner.user_agent()
            }
        }

        impl From<#runtime::Client> for Client {
            fn from(inner: #runtime::Client) -> Self {
                Client { inner }
            }
        }

        impl #runtime::ClientKind for Client {
            const USER_AGENT: &'static str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        }

        /// A blocking client for programs without an async runtime (cargo feature `blocking`).
        #[cfg(feature = "blocking")]
        pub mod blocking {
            /// [`crate::Client`] with its own single-threaded runtime, e.g.
            /// `Client::new(token)?.run(|c| c.some_operation("id").send())`.
            pub type Client = #runtime::blocking::Client<crate::Client>;
        }
    }
});

fn ops_mod(plan: &Plan, opts: &EmitOptions) -> Result<String> {
    let doc = [
        "One module per operation: its request builder, parameter enums and response types, in upstream's docs \
         order (rustdoc lists the client's methods in this order too)."
            .to_owned(),
    ];
    let mods = docs_order(plan)
        .into_iter()
        .map(|o| documented(&[], Attrs::NONE, format!("pub mod {};\n", ident(&o.func)), 0));
    rust_module(opts, inner(&doc, "")?, mods.collect::<Result<_>>()?, "ops/mod.rs")
}

fn codes_rs(api: &Api) -> Result<TokenStream> {
    let mut ns = Namespace::new("business code variant");
    ns.claim("Unknown", "the fallback for unlisted codes")?;
    for c in &api.business_codes {
        if names::pascal(&c.name, "Code") != c.name {
            return Err(Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!("business code {} name `{}` is not UpperCamelCase", c.code, c.name),
            });
        }
        ns.claim(&c.name, format!("code {}", c.code))?;
    }
    let variants: Vec<_> = api.business_codes.iter().map(|c| format_ident!("{}", c.name)).collect();
    let codes: Vec<i64> = api.business_codes.iter().map(|c| c.code).collect();
    let en: Vec<&str> = api
        .business_codes
        .iter()
        .map(|c| c.description.en.as_deref().unwrap_or(""))
        .collect();
    let zh: Vec<&str> = api
        .business_codes
        .iter()
        .map(|c| c.description.zh.as_deref().unwrap_or(""))
        .collect();
    let docs = api.business_codes.iter().map(|c| {
        docs::attrs(&[format!(
            "`{}`: {}{}",
            c.code,
            docs::inline(&c.description),
            if c.retry {
                " (retried by the client / 客户端自动重试)"
            } else {
                ""
            }
        )])
    });
    let retry: Vec<_> = api
        .business_codes
        .iter()
        .filter(|c| c.retry)
        .map(|c| format_ident!("{}", c.name))
        .collect();
    let retryable = if retry.is_empty() {
        quote! { false }
    } else {
        quote! { matches!(self, #(Self::#retry)|*) }
    };
    Ok(quote! {
        //! Business codes of the JSON envelope's `code` field, as documented upstream.

        use std::fmt;

        /// The envelope's business `code` (0 means success). / 返回体中的业务码（0 表示成功）。
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum BusinessCode {
            #( #docs #variants, )*
            /// A code upstream did not document; the number is kept. / 未记录的业务码，保留原值。
            Unknown(i64),
        }

        impl BusinessCode {
            /// The variant for a numeric code.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    #( #codes => Self::#variants, )*
                    other => Self::Unknown(other),
                }
            }

            /// The numeric code.
            pub const fn code(self) -> i64 {
                match self {
                    #( Self::#variants => #codes, )*
                    Self::Unknown(code) => code,
                }
            }

            /// Whether the client retries a response with this code.
            pub const fn is_retryable(self) -> bool {
                #retryable
            }

            /// Documented meaning, in English.
            pub const fn description(self) -> &'static str {
                match self {
                    #( Self::#variants => #en, )*
                    Self::Unknown(_) => "Undocumented code",
                }
            }

            /// Documented meaning, in Chinese.
            pub const fn description_zh(self) -> &'static str {
                match self {
                    #( Self::#variants => #zh, )*
                    Self::Unknown(_) => "未记录的业务码",
                }
            }
        }

        impl fmt::Display for BusinessCode {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} ({})", self.code(), self.description())
            }
        }
    })
}

fn servers_rs(api: &Api) -> Result<TokenStream> {
    let mut ns = Namespace::new("server variant");
    ns.claim("Custom", "the custom-URL variant")?;
    let mut variants = Vec::new();
    for s in &api.servers {
        let v = names::pascal(&s.name, "Server");
        ns.claim(&v, format!("server `{}`", s.name))?;
        variants.push(format_ident!("{}", v));
    }
    let urls: Vec<&str> = api.servers.iter().map(|s| s.url.as_str()).collect();
    let names_: Vec<&str> = api.servers.iter().map(|s| s.name.as_str()).collect();
    let docs = api.servers.iter().enumerate().map(|(i, s)| {
        let mut d = vec![
            format!("`{}`: <{}>", s.name, s.url),
            String::new(),
            docs::inline(&s.description),
        ];
        if i == 0 {
            d.push(String::new());
            d.push("The default. / 默认。".into());
        }
        docs::attrs(&d)
    });
    let first = variants.first().cloned();
    let default_attr = |i: usize| {
        if i == 0 {
            quote! { #[default] }
        } else {
            TokenStream::new()
        }
    };
    let defaults: Vec<_> = (0..variants.len()).map(default_attr).collect();
    let _ = first;
    Ok(quote! {
        //! The servers upstream documents.

        /// Where requests go. / 请求发送到的服务器。
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub enum Server {
            #( #docs #defaults #variants, )*
            /// Any other base URL (a proxy, a mock server), e.g. `http://127.0.0.1:8080`.
            Custom(String),
        }

        impl Server {
            /// Base URL, without a trailing slash.
            pub fn url(&self) -> &str {
                match self {
                    #( Self::#variants => #urls, )*
                    Self::Custom(url) => url,
                }
            }

            /// Every documented server, the default first.
            pub const ALL: &'static [Server] = &[#( Self::#variants, )*];

            /// The documentation's name for the server (`custom` for [`Server::Custom`]).
            pub fn name(&self) -> &str {
                match self {
                    #( Self::#variants => #names_, )*
                    Self::Custom(_) => "custom",
                }
            }

            /// The documented server of this name (e.g. `prod-cn`), as in `JUSTONEAPI_SERVER`.
            pub fn from_name(name: &str) -> Option<Server> {
                match name {
                    #( #names_ => Some(Self::#variants), )*
                    _ => None,
                }
            }
        }
    })
}

/// The operation an example program calls (its index and its one required string parameter).
fn example_operation<'p, 'a>(
    plan: &'p Plan<'a>,
    ex: &crate::ir::ExampleProgram,
) -> Result<(&'p names::OpNames<'a>, &'a crate::ir::Operation, &'a crate::ir::Param)> {
    let names = plan.find(ex.method, &ex.path).ok_or_else(|| Error::Manifest {
        file: "specs/manifest.yaml".into(),
        message: format!("example `{}` calls {} which the crate does not have", ex.name, ex.path),
    })?;
    let op = names.op;
    let required: Vec<_> = op.params.iter().filter(|p| p.required).collect();
    let [arg] = required.as_slice() else {
        return Err(Error::Manifest {
            file: "specs/manifest.yaml".into(),
            message: format!(
                "example `{}`: {} has {} required parameters; examples take exactly one",
                ex.name,
                op.path,
                required.len()
            ),
        });
    };
    if !matches!(arg.ty, ParamType::String) {
        return Err(Error::Manifest {
            file: "specs/manifest.yaml".into(),
            message: format!("example `{}`: parameter `{}` is not a string", ex.name, arg.name),
        });
    }
    Ok((names, op, arg))
}

fn example(api: &Api, plan: &Plan, ex: &crate::ir::ExampleProgram) -> Result<TokenStream> {
    let (names, op, arg) = example_operation(plan, ex)?;
    let krate = format_ident!("{}", api.crate_name.replace('-', "_"));
    let func = ident(&names.func);
    let arg_name = &arg.name;
    let usage = format!("error[usage]: expected exactly one argument, the {arg_name}");
    let doc = docs::inner_attrs(&[
        format!("Calls `{} {}` and prints the decoded `data` as JSON on stdout.", op.method.as_str(), op.path),
        String::new(),
        "Environment (read by `Client::from_env`): `JUSTONEAPI_TOKEN` (required); `JUSTONEAPI_SERVER` (`prod-global`,".into(),
        "the default, or `prod-cn`) or `JUSTONEAPI_BASE_URL`; `JUSTONEAPI_TIMEOUT_SECS` (default 60);".into(),
        "`JUSTONEAPI_MAX_ATTEMPTS` (default 3).".into(),
        String::new(),
        format!("Usage: `cargo run --example {} -- <{arg_name}>`", ex.name),
        String::new(),
        "On failure prints one line on stderr, `error[<kind>]: ...` (with `code <n>` for business errors), and exits 1."
            .into(),
    ]);
    let allow = op.is_deprecated().then(|| {
        quote! {
            // Shows the deprecated endpoint on purpose; new code should call its successor.
            #[allow(deprecated)]
        }
    });
    Ok(quote! {
        #doc

        use std::process::ExitCode;

        use #krate::{Client, Error};

        #[tokio::main]
        async fn main() -> ExitCode {
            match run().await {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    // One line, whatever the server put in its message.
                    let line: String = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                    eprintln!("{line}");
                    ExitCode::FAILURE
                }
            }
        }

        #allow
        async fn run() -> Result<String, String> {
            let mut args = std::env::args().skip(1);
            let (Some(value), None) = (args.next(), args.next()) else {
                return Err(#usage.to_owned());
            };
            let client = Client::from_env().map_err(describe)?;
            let response = client.#func(value).send().await.map_err(describe)?;
            serde_json::to_string_pretty(&response.data).map_err(|e| format!("error[encode]: {e}"))
        }

        fn describe(error: Error) -> String {
            match error.business_code() {
                Some(code) => format!("error[{}]: code {}: {error}", error.kind(), code.code()),
                None => format!("error[{}]: {error}", error.kind()),
            }
        }
    })
}

/// The batch variant of an example program: many values of its parameter, a bounded number of requests at a
/// time, rate limits waited out instead of failing the batch.
fn batch_example(api: &Api, plan: &Plan, ex: &crate::ir::ExampleProgram) -> Result<TokenStream> {
    let (names, op, arg) = example_operation(plan, ex)?;
    let krate = format_ident!("{}", api.crate_name.replace('-', "_"));
    let func = ident(&names.func);
    let arg_name = &arg.name;
    let usage = format!("error[usage]: expected one or more {arg_name}s, as arguments or one per line on stdin");
    let doc = docs::inner_attrs(&[
        format!(
            "Calls `{} {}` for many {arg_name}s, at most `JUSTONEAPI_CONCURRENCY` (default 4) at a time, and prints one",
            op.method.as_str(),
            op.path
        ),
        format!("JSON line per {arg_name} as it completes: `{{\"{arg_name}\": ..., \"data\": ...}}` or `{{\"{arg_name}\": ..., \"error\": ...}}`."),
        String::new(),
        "A rate limit (business code 302) or another retryable failure does not fail the batch: the client retries"
            .into(),
        "it with backoff and jitter, and a request still failing that way afterwards waits (the retry policy's".into(),
        "backoff again) and goes again, up to `REQUEUE_ROUNDS` more times, without holding a concurrency slot while it"
            .into(),
        "waits.".into(),
        String::new(),
        format!("Usage: `cargo run --example {}_batch -- <{arg_name}>...` (or the {arg_name}s one per line on stdin)", ex.name),
        String::new(),
        "Environment: as the single-call example (`Client::from_env`), plus `JUSTONEAPI_CONCURRENCY`. Exit code 0 when"
            .into(),
        "every request succeeded, 1 otherwise (after all of them ran).".into(),
    ]);
    let allow = op.is_deprecated().then(|| {
        quote! {
            // Shows the deprecated endpoint on purpose; new code should call its successor.
            #[allow(deprecated)]
        }
    });
    Ok(quote! {
        #doc

        use std::io::BufRead;
        use std::process::ExitCode;
        use std::sync::Arc;

        use #krate::{Client, Error};
        use serde_json::{json, Value};
        use tokio::sync::Semaphore;
        use tokio::task::JoinSet;

        /// How many times a request that keeps being rate-limited goes back in the queue.
        const REQUEUE_ROUNDS: u32 = 3;

        #[tokio::main]
        async fn main() -> ExitCode {
            let mut ids: Vec<String> = std::env::args().skip(1).collect();
            if ids.is_empty() {
                ids = std::io::stdin().lock().lines().map_while(Result::ok).map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
            }
            if ids.is_empty() {
                eprintln!(#usage);
                return ExitCode::FAILURE;
            }
            let concurrency = match std::env::var("JUSTONEAPI_CONCURRENCY") {
                Err(_) => 4,
                Ok(text) => match text.trim().parse::<usize>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        eprintln!("error[config]: JUSTONEAPI_CONCURRENCY must be a whole number, at least 1, got `{text}`");
                        return ExitCode::FAILURE;
                    }
                },
            };
            let client = match Client::from_env() {
                Ok(client) => client,
                Err(error) => {
                    eprintln!("error[{}]: {error}", error.kind());
                    return ExitCode::FAILURE;
                }
            };
            let slots = Arc::new(Semaphore::new(concurrency));
            let mut tasks = JoinSet::new();
            for id in ids {
                // Each task owns a clone of the client (they share one connection pool).
                let (client, slots) = (client.clone(), slots.clone());
                tasks.spawn(async move {
                    let result = fetch(&client, &slots, &id).await;
                    (id, result)
                });
            }
            let mut failed = 0;
            while let Some(done) = tasks.join_next().await {
                let (id, result) = done.expect("a request task panicked");
                let line = match result {
                    Ok(data) => json!({ #arg_name: id, "data": data }),
                    Err(error) => {
                        failed += 1;
                        json!({ #arg_name: id, "error": {
                            "kind": error.kind(),
                            "code": error.business_code().map(|c| c.code()),
                            "message": error.to_string(),
                        }})
                    }
                };
                println!("{line}");
            }
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                eprintln!("{failed} request(s) failed");
                ExitCode::FAILURE
            }
        }

        /// One request, put back in the queue while it fails with a retryable error (a rate limit, typically).
        #allow
        async fn fetch(client: &Client, slots: &Semaphore, id: &str) -> Result<Value, Error> {
            let mut round = 0;
            loop {
                let result = {
                    let _slot = slots.acquire().await.expect("the semaphore is never closed");
                    client.#func(id).send().await
                };
                match result {
                    Err(error) if error.is_retryable() && round < REQUEUE_ROUNDS => {
                        round += 1;
                        // Outside the slot, so that other requests go on meanwhile.
                        tokio::time::sleep(client.retry_policy().delay(round)).await;
                    }
                    Err(error) => return Err(error),
                    Ok(response) => {
                        return Ok(serde_json::to_value(response.data).expect("response data serializes"));
                    }
                }
            }
        }
    })
}

fn readme(api: &Api, plan: &Plan, opts: &EmitOptions, has_changelog: bool) -> String {
    let name = &api.crate_name;
    let krate = name.replace('-', "_");
    let mut s = format!("<!--{}-->\n\n", header(opts, "").trim_end());
    s.push_str(&format!("# {name}\n\n"));
    s.push_str(&format!(
        "Typed async Rust client for Just One API's {}.\n\n",
        api.title.en.as_deref().unwrap_or(name)
    ));
    if let Some(zh) = &api.title.zh {
        s.push_str(&format!("Just One API「{zh}」的 Rust 异步类型化客户端。\n\n"));
    }
    s.push_str(&format!(
        "Generated by [justoneapi-codegen]({REPOSITORY}) from upstream's bilingual OpenAPI definitions; never edited \
         by hand. / 由 justoneapi-codegen 根据上游的中英文 OpenAPI 定义生成，请勿手工修改。\n\n"
    ));

    s.push_str(&format!(
        "## Install / 安装\n\n```toml\n[dependencies]\n{name} = \"{version}\"\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n```\n\n\
         From a checkout of the repository / 从仓库源码引用: \
         `{name} = {{ path = \"generated/{name}\" }}`.\n\n",
        version = api.version
    ));

    // Both examples compile as doctests of the crate (`ReadmeDoctests` in lib.rs).
    let call = example_call(plan);
    s.push_str("## Usage / 用法\n\n```rust,no_run\n");
    s.push_str(&format!("use {krate}::{{Client, Server}};\n\n"));
    s.push_str("#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    s.push_str("    let client = Client::builder(std::env::var(\"JUSTONEAPI_TOKEN\")?)\n");
    s.push_str(&format!(
        "        .server(Server::{})\n        .build()?;\n",
        example_server(api)
    ));
    if let Some(call) = &call {
        s.push_str(&format!("    let response = client.{call}.await?;\n"));
        s.push_str("    println!(\"{:?} (request {:?})\", response.data, response.request_id);\n");
    }
    s.push_str("    Ok(())\n}\n```\n\n");
    s.push_str(
        "The token is client configuration and never printed (not in `Debug` output, errors or logs). Server, \
         timeout and retries (`RetryPolicy`) are set on the builder; errors tell transport, timeout, HTTP, decoding \
         and business failures apart (`Error::kind`, `BusinessCode`).\n\n\
         令牌只是客户端配置，不会出现在 `Debug` 输出、错误或日志中。服务器、超时与重试（`RetryPolicy`）在 builder \
         上设置；错误区分传输、超时、HTTP、解码与业务失败（`Error::kind`、`BusinessCode`）。\n\n",
    );

    s.push_str(
        "## Features / 特性\n\n| feature | |\n|---|---|\n\
         | `blocking` | `blocking::Client`, for programs without an async runtime / 无需异步运行时的阻塞客户端 |\n\n\
         ```rust,no_run\n",
    );
    s.push_str(&format!("use {krate}::blocking::Client;\n\n"));
    s.push_str("fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    s.push_str("    let client = Client::new(std::env::var(\"JUSTONEAPI_TOKEN\")?)?;\n");
    if let Some(call) = &call {
        s.push_str(&format!("    let response = client.run(|c| c.{call}.send())?;\n"));
        s.push_str("    println!(\"{:?}\", response.data);\n");
    } else {
        s.push_str("    println!(\"{}\", client.inner().base_url());\n");
    }
    s.push_str("    Ok(())\n}\n```\n\n");

    s.push_str(&readme_links(name, has_changelog));
    s.push_str("## Operations / 接口\n\n");
    s.push_str("In upstream's docs order. / 按上游文档顺序。\n\n");
    s.push_str("| Method | HTTP | Summary | Status |\n|---|---|---|---|\n");
    for names in docs_order(plan) {
        let op = names.op;
        let mut status: Vec<String> = Vec::new();
        match &op.listing.state {
            State::Published => {}
            State::Hidden { .. } => status.push("hidden upstream".into()),
            State::Gone { since } => status.push(format!("gone upstream since {since}")),
        }
        match (&op.deprecation, &names.successor) {
            (None, _) => {}
            (Some(_), Some(f)) => status.push(format!("deprecated → `{f}`")),
            (Some(_), None) => status.push("deprecated".into()),
        }
        if op.listing.recommended {
            status.push("recommended".into());
        }
        let status = status.join("; ");
        s.push_str(&format!(
            "| `{}` | `{} {}` | {} | {} |\n",
            names.func,
            op.method.as_str(),
            op.path,
            op.summary.primary().replace('|', "\\|"),
            status
        ));
    }
    s.push('\n');
    s.push_str(README_LICENSE);
    s
}

/// The operations in upstream's docs order (`x-order`), those without one last, each group by (method, path).
pub(super) fn docs_order<'p, 'a>(plan: &'p Plan<'a>) -> Vec<&'p OpNames<'a>> {
    let mut ops: Vec<&OpNames<'a>> = plan.ops.iter().collect();
    ops.sort_by_key(|o| (o.op.listing.order.unwrap_or(u64::MAX), o.op.key()));
    ops
}

/// "Documentation" section of a README: docs.rs, upstream's docs, the changelog.
pub(super) fn readme_links(name: &str, changelog: bool) -> String {
    let mut s = format!(
        "## Documentation / 文档\n\n\
         - API reference / API 参考: <https://docs.rs/{name}>\n\
         - Just One API (endpoints, tokens) / 上游文档: <{HOMEPAGE}>\n\
         - Source / 源码: <{REPOSITORY}>\n"
    );
    if changelog {
        s.push_str("- Changes / 变更记录: [CHANGELOG.md](CHANGELOG.md)\n");
    }
    s.push('\n');
    s
}

/// Last section of every README.
pub(super) const README_LICENSE: &str = "## License / 许可证\n\n\
     Licensed under either of [Apache License, Version 2.0](LICENSE-APACHE) or [MIT license](LICENSE-MIT) at your \
     option. / 以 Apache-2.0 或 MIT 许可证（任选其一）授权。\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_runtime_comes_with_a_new_version() {
        let mut all = Vec::new();
        for (path, text) in TEMPLATES {
            all.extend_from_slice(path.as_bytes());
            all.push(0);
            all.extend_from_slice(text.as_bytes());
        }
        let digest = crate::lock::sha256_hex(&all);
        assert_eq!(
            digest, RUNTIME_SOURCES_SHA256,
            "codegen/templates changed since justoneapi-runtime {RUNTIME_VERSION}: bump RUNTIME_VERSION (semver), \
             add the change to specs/changelog/justoneapi-runtime.md, and set RUNTIME_SOURCES_SHA256 to {digest}"
        );
    }
}
