//! `specs/manifest.yaml`: where upstream's catalogue and definitions are, what every crate shares (servers,
//! business codes, the deprecation notice), and the crates: a name, a version and options per platform.
//!
//! The manifest does not list endpoints: the catalogue does (`catalogue/`). It is edited by hand, except the
//! `version:` lines and new platforms' crates, which `cargo xtask regen` writes when it releases them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default location of the per-endpoint definitions.
pub const DEFAULT_DOCS_BASE_URL: &str = "https://docs.justoneapi.com/openapi";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Where upstream's aggregate (the list of endpoints) comes from.
    pub catalogue: CatalogueSource,
    #[serde(default = "default_docs_base_url")]
    pub docs_base_url: String,
    pub servers: Vec<Server>,
    pub business_codes: Vec<BusinessCode>,
    pub deprecation_notice: Bilingual,
    /// The crate that re-exports every platform crate behind a cargo feature; none when absent.
    #[serde(default)]
    pub facade: Option<FacadeSpec>,
    /// One entry per platform crate released so far; a platform of the catalogue without one is generated as
    /// `justoneapi-<platform>` at [`FIRST_VERSION`] (and `regen` adds its entry when it releases it).
    #[serde(default)]
    pub crates: Vec<CrateSpec>,
}

/// Where `cargo xtask fetch` reads the catalogue from (`--catalogue URL|FILE` overrides both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueSource {
    /// Upstream's aggregate, behind HTTP basic auth (`JUSTONEAPI_CATALOGUE_USER` / `JUSTONEAPI_CATALOGUE_PASSWORD`).
    pub url: String,
    /// A public copy of the same document (the vendor's SDK repository), read when no credentials are set.
    #[serde(default)]
    pub public_copy: Option<String>,
    /// Sanity limits: a catalogue with more operations or platforms is refused (see `catalogue::Limits`).
    #[serde(default = "default_max_operations")]
    pub max_operations: usize,
    #[serde(default = "default_max_platforms")]
    pub max_platforms: usize,
}

fn default_max_operations() -> usize {
    crate::catalogue::Limits::default().max_operations
}

fn default_max_platforms() -> usize {
    crate::catalogue::Limits::default().max_platforms
}

impl CatalogueSource {
    pub fn limits(&self) -> crate::catalogue::Limits {
        crate::catalogue::Limits {
            max_operations: self.max_operations,
            max_platforms: self.max_platforms,
        }
    }
}

/// The version a platform crate is released at first.
pub const FIRST_VERSION: &str = "0.1.0";

/// The facade crate: one dependency for the whole API, one cargo feature per platform crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacadeSpec {
    /// Cargo package name; also the folder under `generated/`.
    pub name: String,
    /// Bumped by `cargo xtask regen` with the largest bump of the crates it re-exports.
    pub version: String,
}

fn default_docs_base_url() -> String {
    DEFAULT_DOCS_BASE_URL.to_owned()
}

/// A text given in both languages by the manifest author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub en: String,
    pub zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Stable name, e.g. `prod-global`; becomes an enum variant.
    pub name: String,
    pub url: String,
    pub description: Bilingual,
}

/// A business code whose meaning is known. The catalogue lists more (`Result.code`); those are documented as
/// listed by upstream and arrive as `BusinessCode::Unknown(n)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessCode {
    pub code: i64,
    /// Variant name in the generated `BusinessCode` enum (UpperCamelCase).
    pub name: String,
    pub en: String,
    pub zh: String,
    /// Whether the client retries a response with this code (with backoff).
    #[serde(default)]
    pub retry: bool,
}

/// A platform crate: `justoneapi-<platform>`, the platform being the path segment after `/api/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateSpec {
    pub platform: String,
    /// Cargo package name; also the folder under `generated/`.
    pub name: String,
    pub version: String,
    /// The crate's title; by default upstream's (the most common first tag of the platform's operations).
    #[serde(default)]
    pub title: Option<Bilingual>,
    /// Example programs to generate under `examples/`.
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
}

/// An example program that calls one endpoint with its single required parameter taken from the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    /// File stem under `examples/`.
    pub name: String,
    /// The HTTP path of the GET endpoint it calls.
    pub path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl Manifest {
    pub fn parse(text: &str, path: &Path) -> Result<Manifest> {
        let manifest: Manifest = serde_norway::from_str(text).map_err(|e| Error::Manifest {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        manifest.validate(path)?;
        Ok(manifest)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let fail = |message: String| {
            Err(Error::Manifest {
                file: path.to_path_buf(),
                message,
            })
        };
        if self.servers.is_empty() {
            return fail("`servers` is empty; the generated client needs at least one".into());
        }
        let mut codes: Vec<i64> = self.business_codes.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return fail("`business_codes` lists a code twice".into());
        }
        if !codes.contains(&0) {
            return fail("`business_codes` must define code 0 (success)".into());
        }
        if let Some(f) = &self.facade {
            if let Some(k) = self.crates.iter().find(|k| k.name == f.name) {
                return fail(format!("`facade` is named `{}`, like a crate of `crates`", k.name));
            }
        }
        let mut platforms = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for krate in &self.crates {
            if crate::catalogue::layout::check_path(&format!("/api/{}/x", krate.platform)).is_err() {
                return fail(format!(
                    "crate `{}`: platform `{}` is not a path segment of lowercase ASCII letters, digits, `-` or `_`",
                    krate.name, krate.platform
                ));
            }
            if !platforms.insert(krate.platform.as_str()) {
                return fail(format!("platform `{}` has two crates", krate.platform));
            }
            if !names.insert(krate.name.as_str()) {
                return fail(format!("two crates are named `{}`", krate.name));
            }
            let mut examples = std::collections::BTreeSet::new();
            for ex in &krate.examples {
                if !examples.insert(ex.name.as_str()) {
                    return fail(format!("crate `{}` has two examples named `{}`", krate.name, ex.name));
                }
                if crate::pipeline::platform_of(&ex.path) != krate.platform {
                    return fail(format!(
                        "example `{}` of crate `{}` calls {}, which is not under /api/{}/",
                        ex.name, krate.name, ex.path, krate.platform
                    ));
                }
            }
        }
        Ok(())
    }

    /// The crate of `platform`: its entry, or the default a new platform gets.
    pub fn crate_for(&self, platform: &str) -> CrateSpec {
        self.crates
            .iter()
            .find(|c| c.platform == platform)
            .cloned()
            .unwrap_or_else(|| CrateSpec {
                platform: platform.to_owned(),
                name: default_crate_name(platform),
                version: FIRST_VERSION.to_owned(),
                title: None,
                examples: Vec::new(),
            })
    }
}

/// `justoneapi-<platform>`.
pub fn default_crate_name(platform: &str) -> String {
    format!("justoneapi-{platform}")
}
