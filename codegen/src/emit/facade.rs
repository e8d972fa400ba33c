//! The facade crate (`justoneapi`): every platform crate behind a cargo feature, and one `Client` whose
//! methods hand out each enabled platform's client. A downstream project adds one dependency and compiles
//! only the platforms it enables; the per-platform crates stay available on their own.

use proc_macro2::Literal;
use quote::{format_ident, quote};

use super::crate_files::{
    cargo_toml, changelog_file, example_call, license_files, readme_links, LIB_ATTRS, README_LICENSE, RUNTIME,
};
use super::format::{documented, inner, rust_module, Attrs, Code, OuterAttrs, Template, IN_IMPL};
use super::{docs, header, ident, EmitOptions, GeneratedFile, RUNTIME_CRATE, RUNTIME_VERSION};
use crate::error::Result;
use crate::ir::Api;
use crate::manifest::FacadeSpec;
use crate::names::{self, FacadeEntry};

/// The facade's files, relative to its folder: `apis` are the platform crates it re-exports.
pub fn facade_files(
    apis: &[Api],
    facade: &FacadeSpec,
    opts: &EmitOptions,
    changelog: Option<&str>,
) -> Result<Vec<GeneratedFile>> {
    let entries = names::facade_plan(apis)?;
    let example = example(apis, &entries)?;
    let mut files = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: cargo_toml(
                opts,
                &facade.name,
                &facade.version,
                "Typed async clients for every Just One API platform, one cargo feature each.",
                r#"["justoneapi", "api-client", "openapi"]"#,
                &dependencies(apis, &entries),
            ),
        },
        GeneratedFile {
            path: "README.md".into(),
            contents: readme(apis, &entries, facade, opts, example.as_ref(), changelog.is_some()),
        },
        GeneratedFile {
            path: "src/lib.rs".into(),
            contents: lib_rs(apis, &entries, example.as_ref(), opts)?,
        },
    ];
    files.extend(license_files());
    if let Some(changelog) = changelog {
        files.push(GeneratedFile {
            path: "CHANGELOG.md".into(),
            contents: changelog_file(opts, changelog),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The usage example: a call through the first platform that has one.
struct Example {
    feature: String,
    module: String,
    call: String,
}

fn example(apis: &[Api], entries: &[FacadeEntry]) -> Result<Option<Example>> {
    for (api, entry) in apis.iter().zip(entries) {
        let plan = names::plan(api)?;
        if let Some(call) = example_call(&plan) {
            return Ok(Some(Example {
                feature: entry.feature.clone(),
                module: entry.module.clone(),
                call,
            }));
        }
    }
    Ok(None)
}

fn dependencies(apis: &[Api], entries: &[FacadeEntry]) -> String {
    let mut s = format!(
        "[dependencies]\n\
         {RUNTIME_CRATE} = {{ version = \"{RUNTIME_VERSION}\", path = \"../{RUNTIME_CRATE}\", default-features = false }}\n"
    );
    for api in apis {
        s.push_str(&format!(
            "{name} = {{ version = \"{version}\", path = \"../{name}\", default-features = false, optional = true }}\n",
            name = api.crate_name,
            version = api.version
        ));
    }
    // The README's example runs on tokio.
    s.push_str("\n[dev-dependencies]\ntokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n");
    let quoted = |items: Vec<String>| items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
    s.push_str("\n[features]\ndefault = [\"rustls-tls\"]\n# Every platform.\n");
    s.push_str(&format!(
        "full = [{}]\n",
        quoted(entries.iter().map(|e| e.feature.clone()).collect())
    ));
    for (api, e) in apis.iter().zip(entries) {
        s.push_str(&format!(
            "# {}: module `{}`, `Client::{}`.\n{} = [\"dep:{}\"]\n",
            docs::inline(&api.title).replace('\\', ""),
            e.module,
            e.module,
            e.feature,
            api.crate_name
        ));
    }
    s.push_str(&format!(
        "# TLS by rustls, with Mozilla's root certificates built in: nothing to install on any platform.\n\
         rustls-tls = [\"{RUNTIME_CRATE}/rustls-tls\"]\n\
         # TLS by rustls, trusting the operating system's root certificates instead.\n\
         rustls-tls-native-roots = [\"{RUNTIME_CRATE}/rustls-tls-native-roots\"]\n\
         # TLS by the platform's library and certificate store (OpenSSL on Linux, which must be installed to build).\n\
         native-tls = [\"{RUNTIME_CRATE}/native-tls\"]\n\
         # Accept gzip-compressed responses; the body limit applies to the decompressed body.\n\
         gzip = [\"{RUNTIME_CRATE}/gzip\"]\n\
         # `socks5://` proxies.\n\
         socks = [\"{RUNTIME_CRATE}/socks\"]\n\
         # `ClientBuilder::http_client_with_middleware`: middleware around every request (reqwest-middleware).\n\
         middleware = [\"{RUNTIME_CRATE}/middleware\"]\n\
         # Each enabled platform's `blocking::Client`, for programs without an async runtime.\n"
    ));
    let mut blocking = vec![format!("{RUNTIME_CRATE}/blocking")];
    blocking.extend(apis.iter().map(|a| format!("{}?/blocking", a.crate_name)));
    s.push_str(&format!("blocking = [{}]\n", quoted(blocking)));
    s
}

fn lib_rs(apis: &[Api], entries: &[FacadeEntry], example: Option<&Example>, opts: &EmitOptions) -> Result<String> {
    let mut doc = vec![
        "Typed async clients for **every Just One API platform** in one dependency: enable the platforms you call \
         as cargo features (`full` for all), and only those are compiled. / 一个依赖覆盖 Just One API 的所有平台：按 \
         cargo feature 启用需要的平台（`full` 为全部），只编译启用的部分。"
            .to_owned(),
        String::new(),
        "```toml".into(),
        "[dependencies]".into(),
        format!(
            "justoneapi = {{ version = \"*\", features = [\"{}\"] }}",
            example.map(|e| e.feature.as_str()).unwrap_or("full")
        ),
        "```".into(),
        String::new(),
        "One [`Client`] (token, server, timeout, retries) serves every platform: `client.douyin()` is the \
         Douyin crate's client, sharing the connection pool. Each platform is also its own module \
         (`justoneapi::douyin::ops::...` for its request and response types), re-exporting its crate."
            .into(),
        String::new(),
    ];
    if let Some(e) = example {
        doc.extend([
            "```no_run".to_owned(),
            format!("# #[cfg(feature = \"{}\")]", e.feature),
            "# async fn demo() -> Result<(), justoneapi::Error> {".into(),
            "// JUSTONEAPI_TOKEN, and optionally JUSTONEAPI_SERVER, JUSTONEAPI_TIMEOUT_SECS, ...".into(),
            "let client = justoneapi::Client::from_env()?;".into(),
            format!("let response = client.{}().{}.await?;", e.module, e.call),
            "println!(\"{:?}\", response.data);".into(),
            "# Ok(())".into(),
            "# }".into(),
            "```".into(),
            String::new(),
        ]);
    }
    doc.extend([
        "| feature | module | crate | operations |".into(),
        "|---|---|---|---|".into(),
    ]);
    for (api, e) in apis.iter().zip(entries) {
        doc.push(format!(
            "| `{}` | `{}` | [`{}`](https://docs.rs/{}) | {} |",
            e.feature,
            e.module,
            api.crate_name,
            api.crate_name,
            api.operations.len()
        ));
    }
    doc.extend([
        String::new(),
        "Other features: `rustls-tls` (default), `rustls-tls-native-roots`, `native-tls`, `gzip`, `socks`, \
         `middleware`, `blocking` (each enabled platform's `blocking::Client`)."
            .into(),
    ]);
    let mut items = Vec::new();
    // The README's example compiles as a doctest when its platform is enabled.
    if let Some(e) = example {
        items.push(documented(
            &[],
            Attrs::NONE,
            format!(
                "#[cfg(all(doctest, feature = {}))]\n#[doc = include_str!(\"../README.md\")]\nstruct ReadmeDoctests;\n",
                Literal::string(&e.feature)
            ),
            0,
        )?);
    }
    items.push(FACADE_USE.code(&[])?);
    // Each platform's crate as a module, and a method handing out its client; both behind its feature.
    let gate = |feature: &str| {
        let feature = Literal::string(feature);
        format!("#[cfg(feature = {feature})]\n#[cfg_attr(docsrs, doc(cfg(feature = {feature})))]\n")
    };
    let mut methods = vec![FACADE_METHODS.code(&[])?];
    for (api, e) in apis.iter().zip(entries) {
        let (title, module) = (docs::inline(&api.title), ident(&e.module));
        items.push(documented(
            &[format!("{title} (cargo feature `{}`).", e.feature)],
            Attrs::NONE,
            format!(
                "{}pub use {} as {module};\n",
                gate(&e.feature),
                api.crate_name.replace('-', "_")
            ),
            0,
        )?);
        // The platform's names (Pugongying, 蒲公英) find its client in rustdoc's search.
        let aliases = OuterAttrs::new(docs::alias_attrs(&api.platform_aliases, &e.module));
        methods.push(documented(
            &[format!(
                "The client of the {title} operations, sharing this client's configuration and connection pool."
            )],
            aliases.attrs(),
            format!(
                "{}pub fn {module}(&self) -> {module}::Client {{\n    {module}::Client::from(self.inner.clone())\n}}\n",
                gate(&e.feature)
            ),
            IN_IMPL,
        )?);
    }
    items.push(FACADE_CLIENT.code(&[])?);
    items.push(Code::block("impl Client", methods)?);
    items.push(FACADE_TAIL.code(&[])?);
    rust_module(opts, inner(&doc, LIB_ATTRS)?, items, "lib.rs")
}

/// The facade re-exports the runtime's public types (formatted once, see `emit/format.rs`).
static FACADE_USE: Template = Template::items("facade-use", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
        pub use #runtime::{
            reqwest, ApiResponse, BusinessCode, Error, Mismatch, ResponseFuture, RetryPolicy, Server, Text,
            TransportError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT,
        };
        #[cfg(feature = "middleware")]
        pub use #runtime::reqwest_middleware;
    }
});

/// The facade's `Client` (after the platform modules)...
static FACADE_CLIENT: Template = Template::items("facade-client", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
        /// Configures a [`Client`]: server, timeout, retries, body limit, user agent, headers, proxy, root
        /// certificates; or all of it from the environment ([`ClientBuilder::from_env`]).
        pub type ClientBuilder = #runtime::ClientBuilder<Client>;

        /// One client for every enabled platform: each platform method returns that platform's client, which
        /// shares this one's configuration and connection pool.
        ///
        /// Cheap to clone: clones share one connection pool.
        #[derive(Debug, Clone)]
        pub struct Client {
            inner: #runtime::Client,
        }
    }
});

/// ... its methods before the platforms' ...
static FACADE_METHODS: Template = Template::methods("facade-methods", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
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

            /// The runtime client underneath, e.g. to build a platform client by hand.
            pub fn inner(&self) -> &#runtime::Client {
                &self.inner
            }
    }
});

/// ... and the impls after them.
static FACADE_TAIL: Template = Template::items("facade-tail", |_, _| {
    let runtime = format_ident!("{RUNTIME}");
    quote! {
        impl From<#runtime::Client> for Client {
            fn from(inner: #runtime::Client) -> Self {
                Client { inner }
            }
        }

        impl #runtime::ClientKind for Client {
            const USER_AGENT: &'static str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        }
    }
});

fn readme(
    apis: &[Api],
    entries: &[FacadeEntry],
    facade: &FacadeSpec,
    opts: &EmitOptions,
    example: Option<&Example>,
    changelog: bool,
) -> String {
    let name = &facade.name;
    let mut s = format!("<!--{}-->\n\n# {name}\n\n", header(opts, "").trim_end());
    s.push_str(
        "Typed async Rust clients for every Just One API platform, in one dependency: enable the platforms you \
         call as cargo features (`full` for all). / Just One API 全平台的 Rust 异步类型化客户端：按 cargo feature \
         启用所需平台（`full` 为全部）。\n\n",
    );
    s.push_str(&format!(
        "Generated by [justoneapi-codegen]({}); never edited by hand. / 由 justoneapi-codegen 生成，请勿手工修改。\n\n",
        super::REPOSITORY
    ));
    let feature = example.map(|e| e.feature.as_str()).unwrap_or("full");
    s.push_str(&format!(
        "## Install / 安装\n\n```toml\n[dependencies]\n{name} = {{ version = \"{}\", features = [\"{feature}\"] }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n```\n\n",
        facade.version
    ));
    if let Some(e) = example {
        s.push_str(&format!(
            "## Usage / 用法\n\n```rust,no_run\n\
             #[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
             \x20   let client = {krate}::Client::from_env()?; // JUSTONEAPI_TOKEN, ...\n\
             \x20   let response = client.{}().{}.await?;\n\
             \x20   println!(\"{{:?}}\", response.data);\n\
             \x20   Ok(())\n}}\n```\n\n\
             One client serves every enabled platform; `client.{}()` returns the `{}` crate's client, sharing the \
             configuration and connection pool. / 一个客户端服务所有启用的平台。\n\n",
            e.module,
            e.call,
            e.module,
            apis.iter()
                .zip(entries)
                .find(|(_, en)| en.module == e.module)
                .map(|(a, _)| a.crate_name.as_str())
                .unwrap_or_default(),
            krate = name.replace('-', "_"),
        ));
    }
    s.push_str(
        "## Platforms / 平台\n\n| feature | module | crate | operations | deprecated |\n|---|---|---|---:|---:|\n",
    );
    for (api, e) in apis.iter().zip(entries) {
        s.push_str(&format!(
            "| `{}` | `{}` | [`{}`](https://docs.rs/{}) | {} | {} |\n",
            e.feature,
            e.module,
            api.crate_name,
            api.crate_name,
            api.operations.len(),
            api.operations.iter().filter(|o| o.is_deprecated()).count()
        ));
    }
    s.push_str(
        "\nOther features / 其他特性: `rustls-tls` (default), `rustls-tls-native-roots`, `native-tls`, `gzip`, \
         `socks`, `middleware`, `blocking`.\n\n",
    );
    s.push_str(&readme_links(name, changelog));
    s.push_str(README_LICENSE);
    s
}
