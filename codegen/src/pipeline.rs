//! The stages wired together: manifest + vendored definitions -> one [`Api`] per crate.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ir::{Api, BusinessCode, Deprecation, ExampleProgram, Method, Operation, Server, Successor, SuccessorSource, Text};
use crate::lower::{self, Lowered, Warning};
use crate::manifest::{CrateSpec, Lang, Layout, Manifest};
use crate::normalize::{self, merge, successor};

/// The input of one generation run, read once.
#[derive(Debug)]
pub struct Input {
    pub layout: Layout,
    pub manifest: Manifest,
}

impl Input {
    pub fn load(root: &Path) -> Result<Input> {
        let layout = Layout::new(root);
        let manifest = Manifest::load(&layout.manifest())?;
        Ok(Input { layout, manifest })
    }
}

/// Builds the IR of one crate from its per-endpoint definitions.
pub fn crate_api(input: &Input, krate: &CrateSpec, warnings: &mut Vec<Warning>) -> Result<Api> {
    let manifest = &input.manifest;
    let specs = input.layout.specs();
    let mut ops: Vec<Operation> = Vec::new();
    let mut hints: Vec<(String, String)> = Vec::new(); // (path, successor slug)
    for ep in &krate.endpoints {
        let mut merged: Option<Vec<Lowered>> = None;
        let mut docs = Text::default();
        for file in krate.spec_files().into_iter().filter(|f| f.slug == ep.slug) {
            let path = specs.join(file.rel_path());
            let doc = normalize::load_document(&path)?;
            let lowered = lower::lower(&doc, &path, file.lang, warnings)?;
            check_single_path(&lowered, &path, &ep.path)?;
            let url = Some(file.url(&manifest.docs_base_url));
            match file.lang {
                Lang::En => docs.en = url,
                Lang::Zh => docs.zh = url,
            }
            merged = Some(match merged {
                None => lowered,
                Some(prev) => match file.lang {
                    Lang::Zh => merge::merge(prev, lowered)?,
                    Lang::En => merge::merge(lowered, prev)?,
                },
            });
        }
        for mut l in merged.unwrap_or_default() {
            l.op.docs = docs.clone();
            if let Some(d) = &mut l.op.deprecation {
                d.note = Text::bilingual(&manifest.deprecation_notice.en, &manifest.deprecation_notice.zh);
            }
            if let Some(s) = &ep.successor {
                hints.push((l.op.path.clone(), s.clone()));
            }
            ops.push(l.op);
        }
    }
    for (path, slug) in hints {
        let target = krate
            .endpoints
            .iter()
            .find(|e| e.slug == slug)
            .map(|e| e.path.clone())
            .expect("manifest validation checked successor slugs");
        let target_method = ops.iter().find(|o| o.path == target).map(|o| o.method).unwrap_or(Method::Get);
        if let Some(d) = ops.iter_mut().find(|o| o.path == path).and_then(|o| o.deprecation.as_mut()) {
            d.successor = Some(Successor {
                method: target_method,
                path: target,
                source: SuccessorSource::ManifestHint,
            });
        }
    }
    finish(
        Api {
            crate_name: krate.name.clone(),
            version: krate.version.clone(),
            platform: krate.platform.clone(),
            title: Text::bilingual(&krate.title.en, &krate.title.zh),
            servers: servers(manifest),
            business_codes: business_codes(manifest),
            operations: ops,
            examples: krate
                .examples
                .iter()
                .map(|ex| ExampleProgram {
                    name: ex.name.clone(),
                    method: Method::Get,
                    path: krate
                        .endpoints
                        .iter()
                        .find(|e| e.slug == ex.endpoint)
                        .map(|e| e.path.clone())
                        .expect("manifest validation checked example endpoints"),
                })
                .collect(),
        },
        Path::new(&input.layout.manifest()),
    )
}

/// What every API gets from the manifest: servers and business codes.
pub fn servers(manifest: &Manifest) -> Vec<Server> {
    manifest
        .servers
        .iter()
        .map(|s| Server {
            name: s.name.clone(),
            url: s.url.clone(),
            description: Text::bilingual(&s.description.en, &s.description.zh),
        })
        .collect()
}

pub fn business_codes(manifest: &Manifest) -> Vec<BusinessCode> {
    manifest
        .business_codes
        .iter()
        .map(|c| BusinessCode {
            code: c.code,
            name: c.name.clone(),
            description: Text::bilingual(&c.en, &c.zh),
            retry: c.retry,
        })
        .collect()
}

/// Common last steps: successor inference, stable order, name checks.
pub fn finish(mut api: Api, origin: &Path) -> Result<Api> {
    successor::infer_successors(&mut api.operations);
    api.operations.sort_by(|a, b| a.key().cmp(&b.key()));
    for w in api.operations.windows(2) {
        if w[0].key() == w[1].key() {
            return Err(Error::spec(
                origin,
                crate::error::pointer(["paths", w[0].path.as_str()]),
                format!("{} {} is defined twice", w[0].method.as_str(), w[0].path),
            ));
        }
    }
    crate::emit::check_names(&api)?;
    Ok(api)
}

fn check_single_path(lowered: &[Lowered], file: &Path, expected: &str) -> Result<()> {
    let paths: Vec<&str> = lowered.iter().map(|l| l.op.path.as_str()).collect();
    if paths.is_empty() || paths.iter().any(|p| *p != expected) {
        return Err(Error::spec(
            file,
            "/paths",
            format!("expected exactly the path {expected} (from specs/manifest.yaml), found {paths:?}"),
        ));
    }
    Ok(())
}

/// Deprecation without a note (aggregate input has no notice text).
pub fn default_deprecation(manifest: Option<&Manifest>) -> Deprecation {
    Deprecation {
        note: manifest
            .map(|m| Text::bilingual(&m.deprecation_notice.en, &m.deprecation_notice.zh))
            .unwrap_or_else(|| Text::en("This endpoint is deprecated upstream.")),
        successor: None,
    }
}

/// Every spec file of every crate, with its absolute path (for digests and lock checks).
pub fn spec_paths(input: &Input) -> Vec<(String, PathBuf)> {
    input
        .manifest
        .spec_files()
        .into_iter()
        .map(|f| {
            let rel = f.rel_path();
            let abs = input.layout.specs().join(&rel);
            (rel, abs)
        })
        .collect()
}
