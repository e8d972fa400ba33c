//! The last stages: names, then Rust. `generated/` is a pure function of `specs/` + `codegen/`: every file
//! is computed here, in memory; `cargo xtask regen` writes the difference and `cargo xtask check` reports
//! it, both from the same [`Generated`], as in rust-analyzer's `ensure_file_contents`, so they can never
//! disagree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::emit::{self, EmitOptions};
use crate::error::{Error, Result};
use crate::input::{Memories, SpecInput, Specs};
use crate::ir::Api;
use crate::lower::Warning;
use crate::manifest::{FacadeSpec, Manifest};
use crate::pipeline::{self, SpecOptions};
use crate::stats::{self, CrateStats};

pub const REGEN_COMMAND: &str = "cargo xtask regen";
pub const GENERATE_COMMAND: &str = "cargo xtask generate";

/// Every file a generation produces, keyed by path relative to the output root.
#[derive(Debug)]
pub struct Generated {
    pub files: BTreeMap<PathBuf, String>,
    /// Folders the output owns (`generated/`, or one per crate for `generate --out`): anything else inside them
    /// is an orphan.
    pub owned_dirs: Vec<PathBuf>,
    /// Platform crates generated (not counting the runtime).
    pub crates: usize,
    pub warnings: Vec<Warning>,
    /// sha256 of the inputs (shown once, in the output's README or workspace manifest).
    pub digest: String,
    /// The type memory of every platform, updated with what the definitions teach (written back by
    /// `cargo xtask regen` online and `generate --types`; compared with `specs/types/` by `check`).
    pub learned: Memories,
    /// What each platform crate covers (the README's platform table).
    pub stats: Vec<CrateStats>,
}

/// Every file of `generated/`, from everything under `specs/`. Paths are relative to the repository root.
pub fn generate(specs: &Specs) -> Result<Generated> {
    let digest = specs.digest();
    let mut warnings = Vec::new();
    let built = pipeline::crate_apis(specs, &mut warnings)?;
    let opts = EmitOptions {
        digest: digest.clone(),
        command: REGEN_COMMAND.to_owned(),
    };
    let mut apis = Vec::new();
    let mut learned = Memories::new();
    for b in built {
        learned.insert(b.api.platform.clone(), b.learned);
        apis.push(b.api);
    }
    let changelogs: Vec<Option<String>> = apis
        .iter()
        .map(|a| specs.changelogs.get(&a.crate_name).cloned())
        .collect();
    let root = PathBuf::from("generated");
    let facade = specs
        .manifest
        .facade
        .as_ref()
        .map(|f| (f, specs.changelogs.get(&f.name).map(String::as_str)));
    let mut out = emit_all(&apis, &opts, &changelogs, facade, &root)
        .map_err(|e| named_in(Path::new("specs/manifest.yaml"), e))?;
    if let Some(log) = specs.changelogs.get(emit::RUNTIME_CRATE) {
        out.files.insert(
            root.join(emit::RUNTIME_CRATE).join("CHANGELOG.md"),
            emit::changelog_file(&opts, log),
        );
    }
    let stats = stats::stats(&apis);
    let facade_name = specs.manifest.facade.as_ref().map(|f| f.name.as_str());
    out.files.insert(
        root.join("README.md"),
        emit::generated_readme(&stats, facade_name, &opts),
    );
    warnings.sort();
    warnings.dedup();
    Ok(Generated {
        files: out.files,
        // All of `generated/`: a crate no longer generated (its platform removed for good) is deleted whole.
        owned_dirs: vec![root],
        crates: apis.len(),
        warnings,
        digest,
        stats,
        learned,
    })
}

/// Every file of the crates generated from one spec file or folder, keyed relative to the output folder,
/// plus a workspace `Cargo.toml` so `cargo build` in the output folder builds them all. `memory`: the type
/// memory to recall from ([`Generated::learned`] holds what to write back).
pub fn generate_spec(
    spec: &SpecInput,
    manifest: &Manifest,
    opts: &SpecOptions,
    memory: &Memories,
) -> Result<Generated> {
    let mut warnings = Vec::new();
    let (apis, learned) = pipeline::spec_apis_remembering(spec, manifest, opts, memory, &mut warnings)?;
    let digest = spec.digest();
    let emit_opts = EmitOptions {
        digest: digest.clone(),
        command: GENERATE_COMMAND.to_owned(),
    };
    let changelogs = vec![None; apis.len()];
    // A facade over several platforms; one platform is its own crate.
    let facade = manifest.facade.as_ref().filter(|_| apis.len() > 1);
    let mut out = emit_all(&apis, &emit_opts, &changelogs, facade.map(|f| (f, None)), Path::new(""))
        .map_err(|e| named_in(spec.path(), e))?;
    let members: Vec<String> = std::iter::once(emit::RUNTIME_CRATE)
        .chain(apis.iter().map(|a| a.crate_name.as_str()))
        .chain(facade.map(|f| f.name.as_str()))
        .map(|name| format!("    \"{name}\",\n"))
        .collect();
    out.files.insert(
        PathBuf::from("Cargo.toml"),
        format!(
            "{}# Inputs: sha256 {digest}.\n\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
            emit::header(&emit_opts, "#"),
            members.concat()
        ),
    );
    warnings.sort();
    warnings.dedup();
    Ok(Generated {
        files: out.files,
        owned_dirs: out.owned_dirs,
        crates: apis.len(),
        warnings,
        digest,
        stats: stats::stats(&apis),
        learned,
    })
}

/// A name collision, with the input it came from (the collision itself names both owners).
fn named_in(origin: &Path, e: Error) -> Error {
    match e {
        Error::NameCollision { message } => Error::NameCollision {
            message: format!("{}: {message}", origin.display()),
        },
        other => other,
    }
}

struct Emitted {
    files: BTreeMap<PathBuf, String>,
    owned_dirs: Vec<PathBuf>,
}

/// The platform crates (under `root/<crate>`) and the runtime crate (`root/justoneapi-runtime`).
/// The facade to emit, if any, and its changelog.
type Facade<'a> = Option<(&'a FacadeSpec, Option<&'a str>)>;

/// The platform crates (under `root/<crate>`), the runtime crate (`root/justoneapi-runtime`) and the facade.
fn emit_all(
    apis: &[Api],
    opts: &EmitOptions,
    changelogs: &[Option<String>],
    facade: Facade<'_>,
    root: &Path,
) -> Result<Emitted> {
    let mut files = BTreeMap::new();
    let mut owned_dirs = Vec::new();
    for (api, crate_files) in apis.iter().zip(emit::emit_crates(apis, opts, changelogs)?) {
        let dir = root.join(&api.crate_name);
        for f in crate_files {
            files.insert(dir.join(&f.path), f.contents);
        }
        owned_dirs.push(dir);
    }
    let runtime_dir = root.join(emit::RUNTIME_CRATE);
    for f in emit::emit_runtime(apis, opts)? {
        files.insert(runtime_dir.join(&f.path), f.contents);
    }
    owned_dirs.push(runtime_dir);
    if let Some((spec, changelog)) = facade {
        if spec.name == emit::RUNTIME_CRATE || apis.iter().any(|a| a.crate_name == spec.name) {
            return Err(Error::NameCollision {
                message: format!(
                    "the facade crate `{}` has the name of another generated crate",
                    spec.name
                ),
            });
        }
        let dir = root.join(&spec.name);
        for f in emit::facade_files(apis, spec, opts, changelog)? {
            files.insert(dir.join(&f.path), f.contents);
        }
        owned_dirs.push(dir);
    }
    Ok(Emitted { files, owned_dirs })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering::Relaxed;

    use super::*;
    use crate::input::Source;

    /// Most code is written as text in prettyplease's layout and never parsed (see `emit/format.rs`); every
    /// file of every platform of an aggregate is what prettyplease prints when it is handed all of it.
    #[test]
    fn code_written_as_text_is_what_prettyplease_prints_for_the_whole_api() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest_path = root.join("specs/manifest.yaml");
        let manifest = Manifest::parse(&std::fs::read_to_string(&manifest_path).unwrap(), &manifest_path).unwrap();
        let spec = root.join("tests/fixtures/public-api/public-api-2026-08-21.json");
        let input = SpecInput::File(Source::new(&spec, std::fs::read(&spec).unwrap()));
        let generate = || generate_spec(&input, &manifest, &SpecOptions::default(), &Memories::new()).unwrap();
        let as_text = generate();
        emit::FORCE_PRETTYPLEASE.store(true, Relaxed);
        let by_prettyplease = generate();
        emit::FORCE_PRETTYPLEASE.store(false, Relaxed);
        assert!(as_text.files.len() > 300, "{}", as_text.files.len());
        for (path, text) in &as_text.files {
            assert_eq!(Some(text), by_prettyplease.files.get(path), "{}", path.display());
        }
        assert_eq!(as_text.files.len(), by_prettyplease.files.len());
    }
}
