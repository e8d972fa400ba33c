//! Following upstream: what `specs/` becomes when the current catalogue and the definitions it publishes are
//! vendored, computed in memory. `fetch` writes it, `regen` releases and generates from it, `drift` compares
//! it with `specs/`; all three share this one computation, so they never disagree.
//!
//! 1. The catalogue: `--catalogue URL|FILE`, else the manifest's `catalogue.url` with HTTP basic auth from
//!    `JUSTONEAPI_CATALOGUE_USER` / `JUSTONEAPI_CATALOGUE_PASSWORD`, else (no credentials) its
//!    `catalogue.public_copy`. Credentials only ever go to the manifest's `catalogue.url` origin.
//! 2. Every endpoint it publishes: its en and zh definitions from the URLs upstream's rule gives
//!    (`codegen::catalogue::url`), under `--base-url` when given (a mirror of the docs site).
//! 3. The lifecycle record: new hidden and gone states dated today, known ones keep their dates.
//!
//! Hidden and gone endpoints keep the definitions already vendored; nothing is deleted here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use codegen::catalogue::{self, inventory, layout, Catalogue};
use codegen::ir::Method;
use codegen::manifest::{Lang, Manifest};
use codegen::{Source, Specs};

use crate::cmd::fetch::DownloadArgs;
use crate::download::{self, Credentials, Downloaded, FetchOptions, NothingWritten, Wanted};
use crate::project::{read, today_utc, Project};

/// The catalogue's user name for HTTP basic auth.
pub const USER_VAR: &str = "JUSTONEAPI_CATALOGUE_USER";
/// The catalogue's password (never printed).
pub const PASSWORD_VAR: &str = "JUSTONEAPI_CATALOGUE_PASSWORD";

/// Where the catalogue comes from this time.
#[derive(Debug, Clone)]
pub enum CatalogueOrigin {
    File(PathBuf),
    Url {
        url: String,
        credentials: Option<Credentials>,
    },
}

impl CatalogueOrigin {
    /// What the lock records and messages show (never a credential).
    pub fn shown(&self) -> String {
        match self {
            CatalogueOrigin::File(p) => p.display().to_string(),
            CatalogueOrigin::Url { url, .. } => download::shown_url(url),
        }
    }
}

/// The credentials in the environment (empty variables count as unset).
pub fn credentials_from_env() -> Option<Credentials> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(Credentials::new(var(USER_VAR)?, var(PASSWORD_VAR).unwrap_or_default()))
}

/// `scheme://host:port` of a URL, to decide where credentials may go.
fn origin(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    Some(format!(
        "{}://{}:{}",
        u.scheme(),
        u.host_str()?,
        u.port_or_known_default()?
    ))
}

/// Decides where the catalogue comes from (see the module docs).
pub fn catalogue_origin(manifest: &Manifest, given: Option<&str>, credentials: Option<Credentials>) -> CatalogueOrigin {
    let source = &manifest.catalogue;
    let is_url = |s: &str| s.starts_with("http://") || s.starts_with("https://");
    // Credentials go to the manifest's catalogue URL only, never to a copy elsewhere.
    let for_url = |url: &str| {
        credentials
            .clone()
            .filter(|_| origin(url).is_some() && origin(url) == origin(&source.url))
    };
    match given {
        Some(g) if is_url(g) => CatalogueOrigin::Url {
            url: g.to_owned(),
            credentials: for_url(g),
        },
        Some(g) => CatalogueOrigin::File(PathBuf::from(g)),
        None => match (&credentials, &source.public_copy) {
            (None, Some(copy)) => CatalogueOrigin::Url {
                url: copy.clone(),
                credentials: None,
            },
            _ => CatalogueOrigin::Url {
                url: source.url.clone(),
                credentials: for_url(&source.url),
            },
        },
    }
}

/// `specs/` as it will be once upstream's current state is vendored, and what was downloaded for it.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub specs: Specs,
    /// The definitions downloaded, with their reports (the lock in `specs` already includes them).
    pub downloaded: Downloaded,
    /// Where the catalogue came from (`None` with `--only`, which keeps the vendored one).
    pub catalogue_origin: Option<String>,
    /// The catalogue's warnings (operations skipped).
    pub warnings: Vec<codegen::Warning>,
}

/// Downloads the catalogue (unless `--only`) and every definition it publishes, into memory.
pub fn pull(project: &Project, args: &DownloadArgs) -> Result<Pulled> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    runtime.block_on(pull_async(project, args, &args.options()))
}

/// [`pull`] on the caller's async runtime.
pub async fn pull_async(project: &Project, args: &DownloadArgs, opts: &FetchOptions) -> Result<Pulled> {
    let before = &project.specs;
    let manifest = &before.manifest;
    let today = today_utc();
    let mut specs = before.clone();
    let mut warnings = Vec::new();
    let mut catalogue_origin = None;
    if args.only.is_some() {
        if args.catalogue.is_some() {
            bail!("--only re-downloads definitions of the vendored catalogue; it takes no --catalogue");
        }
    } else {
        let origin = self::catalogue_origin(manifest, args.catalogue.as_deref(), credentials_from_env());
        let shown = origin.shown();
        eprintln!("catalogue: {shown}");
        let rel = catalogue::FILE;
        let now = httpdate::fmt_http_date(std::time::SystemTime::now());
        let (bytes, entry) = match &origin {
            CatalogueOrigin::File(path) => {
                let bytes = read(path)?;
                let entry = download::lock_entry(
                    before.lock.files.get(rel),
                    shown.clone(),
                    &bytes,
                    None,
                    None,
                    None,
                    &now,
                );
                (bytes, entry)
            }
            CatalogueOrigin::Url { url, credentials } => {
                let got = download::download_catalogue(url, credentials.as_ref(), opts)
                    .await
                    .map_err(|f| anyhow::Error::new(NothingWritten(f)))?;
                let entry = download::lock_entry(
                    before.lock.files.get(rel),
                    shown.clone(),
                    &got.bytes,
                    got.etag,
                    got.last_modified,
                    got.date,
                    &now,
                );
                (got.bytes, entry)
            }
        };
        // Checked before anything else is downloaded: a hostile catalogue is refused here.
        let source = Source::new(Path::new("specs").join(rel), bytes);
        Catalogue::parse(&source, manifest.catalogue.limits(), &mut warnings)
            .map_err(|e| anyhow!("catalogue from {shown}: {e}\nfetch failed; nothing was written"))?;
        specs.catalogue = Some(source);
        specs.lock.files.insert(rel.to_owned(), entry);
        catalogue_origin = Some(shown);
    }
    let catalogue = specs.parse_catalogue(&mut Vec::new())?;
    let base_url = args.base_url.as_deref().unwrap_or(&manifest.docs_base_url);
    let mut wanted = Vec::new();
    for listed in &catalogue.entries {
        let Some(docs) = &listed.docs else { continue };
        if let Some(only) = &args.only {
            // A platform, a path, or (as before the catalogue) the slug of the endpoint's docs page.
            if only != &listed.api_path.platform && only != &listed.path && only != &docs.slug {
                continue;
            }
        }
        for lang in [Lang::En, Lang::Zh] {
            wanted.push(Wanted {
                rel_path: layout::rel_path(listed.method, &listed.api_path, lang),
                url: docs.url(base_url, lang),
                canonical_url: docs.url(&manifest.docs_base_url, lang),
                method: listed.method,
                path: listed.path.clone(),
            });
        }
    }
    if let Some(only) = &args.only {
        if wanted.is_empty() {
            bail!(
                "--only {only}: no endpoint the vendored catalogue publishes has this platform, path or docs slug; \
                 nothing was downloaded"
            );
        }
    }
    let current: BTreeMap<String, Vec<u8>> = before
        .definitions
        .iter()
        .map(|(rel, s)| (rel.clone(), s.bytes.clone()))
        .collect();
    let downloaded = download::download(wanted, &specs.lock, &current, opts)
        .await
        .map_err(|f| anyhow::Error::new(NothingWritten(f)))?;
    for (rel, bytes) in &downloaded.definitions {
        specs
            .definitions
            .insert(rel.clone(), Source::new(Path::new("specs").join(rel), bytes.clone()));
    }
    // The lock the download started from already held the new catalogue's entry.
    specs.lock = downloaded.lock.clone();
    let vendored: Vec<(Method, String)> = specs
        .definitions
        .keys()
        .filter_map(|rel| layout::endpoint_of(rel).map(|(m, p, _)| (m, p)))
        .collect();
    specs.lifecycle = inventory::next_lifecycle(&catalogue, &vendored, &before.lifecycle, &today);
    Ok(Pulled {
        specs,
        downloaded,
        catalogue_origin,
        warnings,
    })
}

/// Stages what `pulled` changes under `specs/` into `tx`: the catalogue, the lifecycle record, the definitions
/// and, last, the lock. Prints a line per changed definition and a count of the others.
pub fn stage(tx: &mut crate::writer::Transaction, specs_dir: &Path, pulled: &Pulled) {
    let mut counts = BTreeMap::new();
    for file in &pulled.downloaded.files {
        *counts.entry(file.outcome.to_string()).or_insert(0usize) += 1;
        if file.outcome == download::Outcome::Downloaded {
            println!(
                "{:<12} {} ({} bytes, sha256 {})",
                file.outcome, file.rel_path, file.size, file.sha256
            );
        }
    }
    let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{n} {o}")).collect();
    println!("fetch: {} files ({})", pulled.downloaded.files.len(), counts.join(", "));
    if let Some(c) = &pulled.specs.catalogue {
        tx.write(specs_dir.join(catalogue::FILE), c.bytes.clone());
    }
    tx.write(
        specs_dir.join(catalogue::lifecycle::FILE),
        pulled.specs.lifecycle.to_text().into_bytes(),
    );
    for (rel, bytes) in &pulled.downloaded.definitions {
        tx.write(specs_dir.join(rel), bytes.clone());
    }
    // Last, so the lock never describes files that did not make it to disk (the transaction keeps order).
    tx.write(specs_dir.join("specs.lock"), pulled.specs.lock.to_text());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(public_copy: Option<&str>) -> Manifest {
        let copy = public_copy.map(|c| format!("  public_copy: {c}\n")).unwrap_or_default();
        let text = format!(
            "catalogue:\n  url: https://api.justoneapi.com/v3/api-docs/public-api\n{copy}servers:\n  - {{ name: a, url: \
             http://a, description: {{ en: a, zh: a }} }}\nbusiness_codes:\n  - {{ code: 0, name: Success, en: ok, \
             zh: ok }}\ndeprecation_notice: {{ en: d, zh: d }}\n"
        );
        Manifest::parse(&text, "m.yaml".as_ref()).unwrap()
    }

    #[test]
    fn credentials_go_only_to_the_manifest_catalogue_url() {
        let copy = "https://raw.githubusercontent.com/justoneapi/justoneapi-python/main/openapi/public-api.json";
        let m = manifest(Some(copy));
        let creds = Some(Credentials::new("u", "secret"));
        let url_of = |o: CatalogueOrigin| match o {
            CatalogueOrigin::Url { url, credentials } => (url, credentials.is_some()),
            CatalogueOrigin::File(p) => (p.display().to_string(), false),
        };
        assert_eq!(
            url_of(catalogue_origin(&m, None, creds.clone())),
            ("https://api.justoneapi.com/v3/api-docs/public-api".to_owned(), true)
        );
        assert_eq!(url_of(catalogue_origin(&m, None, None)), (copy.to_owned(), false));
        assert_eq!(
            url_of(catalogue_origin(&m, Some(copy), creds.clone())),
            (copy.to_owned(), false)
        );
        // Another path of the same origin is the manifest's API: the credentials go there.
        let other = url_of(catalogue_origin(
            &m,
            Some("https://api.justoneapi.com/other"),
            creds.clone(),
        ));
        assert!(other.1, "{other:?}");
        assert_eq!(
            url_of(catalogue_origin(&m, Some("cat.json"), creds)),
            ("cat.json".to_owned(), false)
        );
        let debug = format!(
            "{:?}",
            catalogue_origin(&m, None, Some(Credentials::new("u", "secret")))
        );
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn shown_urls_never_carry_credentials() {
        assert_eq!(download::shown_url("https://u:secret@host/x"), "https://host/x");
        assert_eq!(download::shown_url("not a url u:secret@host"), "<redacted>@host");
    }
}
