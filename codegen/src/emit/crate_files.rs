//! The files around the operations: `Cargo.toml`, `lib.rs`, servers, business codes, the runtime
//! templates, README, CHANGELOG and example programs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{docs, header, ident, rust_file, EmitOptions, GeneratedFile};
use crate::error::{Error, Result};
use crate::ir::{Api, ParamType};
use crate::names::{self, Namespace, Plan};

/// The runtime crate's files copied verbatim from `codegen/templates/` (path in the crate, text); everything
/// else the emitter writes is built and formatted.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("src/runtime.rs", include_str!("../../templates/runtime.rs")),
    ("src/error.rs", include_str!("../../templates/error.rs")),
    ("src/blocking.rs", include_str!("../../templates/blocking.rs")),
];

/// The crate every platform crate depends on: client, retries, errors, business codes, servers. Emitted once
/// (`generated/justoneapi-runtime`), so 36 platform crates do not each compile a copy of it.
pub const RUNTIME_CRATE: &str = "justoneapi-runtime";
/// Version of the runtime crate; bump it with any change to `codegen/templates/` or to what `runtime_files`
/// emits.
pub const RUNTIME_VERSION: &str = "0.1.0";

/// The repository the crates are published from (`repository` in their `Cargo.toml`, links in their READMEs).
/// It does not exist yet: this is its intended address (see the README's "Publishing").
pub const REPOSITORY: &str = "https://github.com/justoneapi-codegen/justoneapi-rust";
/// `homepage`: the API the crates are clients of (its documentation, and where tokens come from); the crates'
/// own docs are `documentation` (docs.rs) and their source is `repository`.
const HOMEPAGE: &str = "https://docs.justoneapi.com";
/// `rust-version` of every generated crate: the highest `rust-version` in their locked dependency tree (the
/// `icu_*` crates behind `reqwest` -> `url` -> `idna` ask for 1.88). `scripts/check-msrv.py` fails CI when a
/// locked dependency needs more; keep it equal to the workspace's.
pub const RUST_VERSION: &str = "1.88";

/// License texts, written into every crate verbatim (no `@generated` header: a license text is not edited,
/// and crates.io and license scanners match it as is). One copy, at the repository root.
pub const LICENSE_FILES: [(&str, &str); 2] = [
    ("LICENSE-APACHE", include_str!("../../../LICENSE-APACHE")),
    ("LICENSE-MIT", include_str!("../../../LICENSE-MIT")),
];

/// Dependencies of the runtime crate.
const RUNTIME_DEPENDENCIES: &str = r#"[dependencies]
httpdate = "1"
reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "http2"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["time"] }
tracing = "0.1"

[features]
# `blocking::Client`, for programs without an async runtime.
blocking = ["tokio/rt"]
"#;

/// Dependencies of every platform crate.
fn platform_dependencies() -> String {
    format!(
        r#"[dependencies]
{RUNTIME_CRATE} = {{ version = "{RUNTIME_VERSION}", path = "../{RUNTIME_CRATE}" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

[features]
# `blocking::Client`, for programs without an async runtime.
blocking = ["{RUNTIME_CRATE}/blocking"]
"#
    )
}

/// The files of the runtime crate, from the servers and business codes of `api` (the same for every crate of a
/// run; `outputs` checks that).
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

/// `LICENSE-APACHE` and `LICENSE-MIT`, verbatim.
fn license_files() -> impl Iterator<Item = GeneratedFile> {
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
         ## Features / 特性\n\n| feature | |\n|---|---|\n\
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
        mod error;
        mod runtime;
        mod servers;

        pub use codes::BusinessCode;
        pub use error::Error;
        pub use runtime::{
            ApiResponse, Client, ClientBuilder, ResponseFuture, RetryPolicy, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
        };
        pub use servers::Server;

        // What the platform crates' request builders are made of; not part of the documented API.
        #[doc(hidden)]
        pub use reqwest::Method;
        #[doc(hidden)]
        pub use runtime::Parts;
    }
}

pub fn files(api: &Api, plan: &Plan, opts: &EmitOptions) -> Result<Vec<GeneratedFile>> {
    let mut out = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: platform_cargo_toml(api, opts),
        },
        GeneratedFile {
            path: "README.md".into(),
            contents: readme(api, plan, opts),
        },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: rust_file(opts, lib_rs(api, plan), "lib.rs")?,
        },
        GeneratedFile {
            path: "src/ops/mod.rs".into(),
            contents: rust_file(opts, ops_mod(plan), "ops/mod.rs")?,
        },
    ];
    out.extend(license_files());
    if let Some(changelog) = &opts.changelog {
        out.push(GeneratedFile {
            path: "CHANGELOG.md".into(),
            contents: format!("<!--{}-->\n\n{changelog}", header(opts, "").trim_end()),
        });
    }
    for ex in &api.examples {
        out.push(GeneratedFile {
            path: format!("examples/{}.rs", ex.name),
            contents: rust_file(opts, example(api, plan, ex)?, &ex.name)?,
        });
    }
    Ok(out)
}

fn platform_cargo_toml(api: &Api, opts: &EmitOptions) -> String {
    let title = api.title.en.as_deref().unwrap_or(&api.crate_name);
    let zh = api.title.zh.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
    cargo_toml(
        opts,
        &api.crate_name,
        &api.version,
        &format!("Typed async client for Just One API's {title}{zh}."),
        r#"["justoneapi", "api-client", "xiaohongshu", "openapi"]"#,
        &platform_dependencies(),
    )
}

/// A crate's `Cargo.toml`: everything `cargo package` and crates.io want, docs.rs settings, then
/// `dependencies` (which ends with `[features]`).
fn cargo_toml(
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
fn example_call(api: &Api, plan: &Plan) -> Option<String> {
    let (i, op) = api.operations.iter().enumerate().find(|(_, o)| {
        !o.is_deprecated()
            && o.params
                .iter()
                .filter(|p| p.required)
                .all(|p| matches!(p.ty, ParamType::String))
    })?;
    let args: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("\"{}\"", names::snake(&p.name, "value").to_ascii_uppercase()))
        .collect();
    Some(format!("{}({})", plan.ops[i].func, args.join(", ")))
}

fn lib_rs(api: &Api, plan: &Plan) -> TokenStream {
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
        format!("use {krate}::{{Client, Server}};"),
        String::new(),
        "# async fn demo() -> Result<(), Box<dyn std::error::Error>> {".into(),
        "let client = Client::builder(std::env::var(\"JUSTONEAPI_TOKEN\")?)".into(),
        format!("    .server(Server::{})", example_server(api)),
        "    .build()?;".into(),
    ];
    if let Some(call) = example_call(api, plan) {
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
    for s in &api.servers {
        doc.push(format!(
            "- [`Server::{}`]: <{}> — {}",
            names::pascal(&s.name, "Server"),
            s.url,
            docs::inline(&s.description)
        ));
    }
    doc.extend([
        String::new(),
        "With the cargo feature `blocking`, `blocking::Client` runs the same requests without an async runtime.".into(),
        String::new(),
        "Every call returns [`ApiResponse`] with the typed `data`, or an [`Error`] whose kinds tell transport, \
         HTTP, decoding and business failures apart; business codes are in [`BusinessCode`]. The token never \
         appears in `Debug` output, errors or logs."
            .into(),
    ]);
    let doc = docs::inner_attrs(&doc);
    let client_doc = docs::attrs(&[
        format!("Asynchronous client of the {title} operations: one method per operation (see [`ops`])."),
        String::new(),
        "Cheap to clone: clones share one connection pool.".into(),
    ]);
    let runtime = format_ident!("{}", RUNTIME_CRATE.replace('-', "_"));
    quote! {
        #doc
        #![warn(missing_docs)]
        // docs.rs (`--cfg docsrs`, nightly): label feature-gated items such as `blocking` with their feature.
        #![cfg_attr(docsrs, feature(doc_cfg))]

        pub mod ops;

        // The README's examples compile as doctests; its blocking example needs the feature.
        #[cfg(all(doctest, feature = "blocking"))]
        #[doc = include_str!("../README.md")]
        struct ReadmeDoctests;

        pub use #runtime::{
            ApiResponse, BusinessCode, Error, ResponseFuture, RetryPolicy, Server, DEFAULT_MAX_BODY_BYTES,
            DEFAULT_TIMEOUT,
        };

        /// Configures a [`Client`]: server, timeout, retries, body limit, user agent.
        pub type ClientBuilder = #runtime::ClientBuilder<Client>;

        #client_doc
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: #runtime::Client,
        }

        impl Client {
            /// A client for the default server with default settings.
            pub fn new(token: impl Into<String>) -> Result<Client, Error> {
                Client::builder(token).build()
            }

            /// Starts configuring a client.
            pub fn builder(token: impl Into<String>) -> ClientBuilder {
                ClientBuilder::new(token)
            }

            /// Base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.inner.base_url()
            }
        }

        impl From<#runtime::Client> for Client {
            fn from(inner: #runtime::Client) -> Self {
                Client { inner }
            }
        }

        /// A blocking client for programs without an async runtime (cargo feature `blocking`).
        #[cfg(feature = "blocking")]
        pub mod blocking {
            /// [`crate::Client`] with its own single-threaded runtime, e.g.
            /// `Client::new(token)?.run(|c| c.some_operation("id").send())`.
            pub type Client = #runtime::blocking::Client<crate::Client>;
        }
    }
}

fn ops_mod(plan: &Plan) -> TokenStream {
    let mods = plan.ops.iter().map(|o| ident(&o.func));
    quote! {
        //! One module per operation: its request builder, parameter enums and response types.

        #( pub mod #mods; )*
    }
}

fn codes_rs(api: &Api) -> Result<TokenStream> {
    let mut ns = Namespace::new("business code variant");
    ns.claim("Unknown", "the fallback for unlisted codes")?;
    for c in &api.business_codes {
        if names::pascal(&c.name, "Code") != c.name {
            return Err(Error::NameCollision {
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

            /// The documentation's name for the server (`custom` for [`Server::Custom`]).
            pub fn name(&self) -> &str {
                match self {
                    #( Self::#variants => #names_, )*
                    Self::Custom(_) => "custom",
                }
            }
        }
    })
}

fn example(api: &Api, plan: &Plan, ex: &crate::ir::ExampleProgram) -> Result<TokenStream> {
    let (i, op) = api
        .operations
        .iter()
        .enumerate()
        .find(|(_, o)| o.path == ex.path && o.method == ex.method)
        .ok_or_else(|| Error::NameCollision {
            message: format!("example `{}` calls {} which the crate does not have", ex.name, ex.path),
        })?;
    let required: Vec<_> = op.params.iter().filter(|p| p.required).collect();
    let [arg] = required.as_slice() else {
        return Err(Error::NameCollision {
            message: format!(
                "example `{}`: {} has {} required parameters; examples take exactly one",
                ex.name,
                op.path,
                required.len()
            ),
        });
    };
    if !matches!(arg.ty, ParamType::String) {
        return Err(Error::NameCollision {
            message: format!("example `{}`: parameter `{}` is not a string", ex.name, arg.name),
        });
    }
    let krate = format_ident!("{}", api.crate_name.replace('-', "_"));
    let func = ident(&plan.ops[i].func);
    let arg_name = &arg.name;
    let usage = format!("error[usage]: expected exactly one argument, the {arg_name}");
    let doc = docs::inner_attrs(&[
        format!("Calls `{} {}` and prints the decoded `data` as JSON on stdout.", op.method.as_str(), op.path),
        String::new(),
        "Environment: `JUSTONEAPI_TOKEN` (required), `JUSTONEAPI_BASE_URL` (default: the prod-global server),".into(),
        "`JUSTONEAPI_TIMEOUT_SECS` (default 60), `JUSTONEAPI_MAX_ATTEMPTS` (default 3).".into(),
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
        use std::time::Duration;

        use #krate::{Client, Error, RetryPolicy};

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
            let token = std::env::var("JUSTONEAPI_TOKEN")
                .map_err(|_| "error[config]: JUSTONEAPI_TOKEN is not set".to_owned())?;
            let mut builder = Client::builder(token);
            if let Ok(url) = std::env::var("JUSTONEAPI_BASE_URL") {
                builder = builder.base_url(url);
            }
            if let Some(secs) = env_number("JUSTONEAPI_TIMEOUT_SECS")? {
                builder = builder.timeout(Duration::from_secs(secs));
            }
            if let Some(attempts) = env_number("JUSTONEAPI_MAX_ATTEMPTS")? {
                let max_attempts = u32::try_from(attempts.max(1)).unwrap_or(u32::MAX);
                builder = builder.retry_policy(RetryPolicy { max_attempts, ..RetryPolicy::default() });
            }
            let client = builder.build().map_err(describe)?;
            let response = client.#func(value).send().await.map_err(describe)?;
            serde_json::to_string_pretty(&response.data).map_err(|e| format!("error[encode]: {e}"))
        }

        fn env_number(name: &str) -> Result<Option<u64>, String> {
            match std::env::var(name) {
                Ok(text) => text
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("error[config]: {name} must be a whole number, got `{text}`")),
                Err(_) => Ok(None),
            }
        }

        fn describe(error: Error) -> String {
            match error.business_code() {
                Some(code) => format!("error[{}]: code {}: {error}", error.kind(), code.code()),
                None => format!("error[{}]: {error}", error.kind()),
            }
        }
    })
}

fn readme(api: &Api, plan: &Plan, opts: &EmitOptions) -> String {
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
    let call = example_call(api, plan);
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

    s.push_str(&readme_links(name, opts.changelog.is_some()));
    s.push_str("## Operations / 接口\n\n");
    s.push_str("| Method | HTTP | Summary | Status |\n|---|---|---|---|\n");
    for (op, names) in api.operations.iter().zip(&plan.ops) {
        let status = match &op.deprecation {
            None => String::new(),
            Some(d) => match &d.successor {
                Some(succ) => {
                    let f = api
                        .operations
                        .iter()
                        .position(|o| o.path == succ.path && o.method == succ.method)
                        .map(|i| plan.ops[i].func.clone())
                        .unwrap_or_default();
                    format!("deprecated → `{f}`")
                }
                None => "deprecated".into(),
            },
        };
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

/// "Documentation" section of a README: docs.rs, upstream's docs, the changelog.
fn readme_links(name: &str, changelog: bool) -> String {
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
const README_LICENSE: &str = "## License / 许可证\n\n\
     Licensed under either of [Apache License, Version 2.0](LICENSE-APACHE) or [MIT license](LICENSE-MIT) at your \
     option. / 以 Apache-2.0 或 MIT 许可证（任选其一）授权。\n";
