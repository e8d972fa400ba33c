//! `specs/manifest.yaml`: what to fetch and what to generate.
//!
//! The manifest is edited by hand; everything else under `specs/` is written by `cargo xtask fetch`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default location of the per-endpoint definitions.
pub const DEFAULT_DOCS_BASE_URL: &str = "https://docs.justoneapi.com/openapi";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default = "default_docs_base_url")]
    pub docs_base_url: String,
    pub servers: Vec<Server>,
    pub business_codes: Vec<BusinessCode>,
    pub deprecation_notice: Bilingual,
    /// The crate that re-exports every platform crate behind a cargo feature; none when absent.
    #[serde(default)]
    pub facade: Option<FacadeSpec>,
    pub crates: Vec<CrateSpec>,
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateSpec {
    /// Cargo package name; also the folder under `generated/`.
    pub name: String,
    pub version: String,
    /// Path segment after `/api/` shared by every endpoint of the crate.
    pub platform: String,
    /// Default docs group (folder under `specs/` and under the docs base URL).
    pub group: String,
    pub title: Bilingual,
    pub endpoints: Vec<Endpoint>,
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
    /// Slug of the endpoint it calls.
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Overrides the crate's group for this endpoint.
    #[serde(default)]
    pub group: Option<String>,
    pub slug: String,
    /// The one HTTP path the definition must describe (checked by fetch and load).
    pub path: String,
    pub languages: Vec<Lang>,
    /// Slug of the endpoint that replaces this one (a hint; see `successor.rs` for inference).
    #[serde(default)]
    pub successor: Option<String>,
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

/// One definition file the manifest asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    pub group: String,
    pub slug: String,
    pub path: String,
    pub lang: Lang,
}

impl SpecFile {
    /// Path relative to `specs/`, always with `/` separators (it is also the lock key).
    pub fn rel_path(&self) -> String {
        format!("{}/{}-{}.json", self.group, self.slug, self.lang.as_str())
    }

    pub fn url(&self, base_url: &str) -> String {
        format!("{}/{}", base_url.trim_end_matches('/'), self.rel_path())
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
        for krate in &self.crates {
            let mut seen = std::collections::BTreeSet::new();
            for ep in &krate.endpoints {
                if ep.languages.is_empty() {
                    return fail(format!("endpoint `{}` lists no languages", ep.slug));
                }
                if !seen.insert((ep.group.clone(), ep.slug.clone())) {
                    return fail(format!(
                        "endpoint `{}` is listed twice in crate `{}`",
                        ep.slug, krate.name
                    ));
                }
            }
            for ex in &krate.examples {
                if !krate.endpoints.iter().any(|e| e.slug == ex.endpoint) {
                    return fail(format!(
                        "example `{}` calls `{}`, which crate `{}` does not list",
                        ex.name, ex.endpoint, krate.name
                    ));
                }
            }
            for ep in &krate.endpoints {
                if let Some(succ) = &ep.successor {
                    if !krate.endpoints.iter().any(|e| &e.slug == succ) {
                        return fail(format!(
                            "endpoint `{}` names successor `{succ}`, which crate `{}` does not list",
                            ep.slug, krate.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every definition file of every crate, in manifest order.
    pub fn spec_files(&self) -> Vec<SpecFile> {
        self.crates.iter().flat_map(|c| c.spec_files()).collect()
    }
}

impl CrateSpec {
    pub fn endpoint_group<'a>(&'a self, ep: &'a Endpoint) -> &'a str {
        ep.group.as_deref().unwrap_or(&self.group)
    }

    pub fn spec_files(&self) -> Vec<SpecFile> {
        self.endpoints
            .iter()
            .flat_map(|ep| {
                ep.languages.iter().map(move |&lang| SpecFile {
                    group: self.endpoint_group(ep).to_owned(),
                    slug: ep.slug.clone(),
                    path: ep.path.clone(),
                    lang,
                })
            })
            .collect()
    }
}
