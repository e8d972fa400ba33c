//! `generated/` as a pure function of `specs/` + `codegen/`: compute every output file in memory, then
//! either write the difference (`regen`) or report it (`check`). Both go through [`plan`], as in
//! rust-analyzer's `ensure_file_contents`, so they can never disagree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::emit::{self, EmitOptions};
use crate::error::{Error, Result};
use crate::lock::{sha256_hex, Lock};
use crate::lower::Warning;
use crate::normalize::overlay::Overlays;
use crate::pipeline::{self, Input};

pub const REGEN_COMMAND: &str = "cargo xtask regen";

/// Every file `generated/` must hold, keyed by path relative to the repository root.
#[derive(Debug)]
pub struct Outputs {
    pub files: BTreeMap<PathBuf, String>,
    /// Platform crate folders the outputs own (relative to the root); anything else inside them is an orphan.
    pub crate_dirs: Vec<PathBuf>,
    /// The runtime crate's folder (`emit::RUNTIME_CRATE`), owned the same way.
    pub runtime_dir: PathBuf,
    pub warnings: Vec<Warning>,
    pub digest: String,
    /// The type memory of every platform, updated with what the definitions teach (written back by
    /// `cargo xtask regen` online and `generate --types`; compared with `specs/types/` by `check`).
    pub learned: pipeline::Memories,
}

impl Outputs {
    /// Every folder the outputs own.
    fn owned_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = self.crate_dirs.clone();
        dirs.push(self.runtime_dir.clone());
        dirs
    }
}

/// sha256 over the manifest, every definition it names, every overlay, the type memory and every changelog, in
/// a fixed order.
pub fn input_digest(input: &Input) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut add = |name: &str, path: &Path| -> Result<()> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        Ok(())
    };
    add("manifest.yaml", &input.layout.manifest())?;
    for (rel, abs) in pipeline::spec_paths(input) {
        add(&rel, &abs)?;
    }
    for (rel, abs) in overlay_paths(input)? {
        add(&rel, &abs)?;
    }
    for platform in input.memory.keys() {
        let name = crate::normalize::memory::file_name(platform);
        add(&format!("types/{name}"), &input.layout.types().join(&name))?;
    }
    for krate in &input.manifest.crates {
        let path = crate::release::changelog_path(&input.layout, &krate.name);
        if path.exists() {
            add(&format!("{}/{}.md", crate::release::CHANGELOG_DIR, krate.name), &path)?;
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn overlay_paths(input: &Input) -> Result<Vec<(String, PathBuf)>> {
    let dir = input.layout.overlays();
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push((format!("overlays/{name}"), entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Computes every generated file from the checkout at `root`.
pub fn plan(root: &Path) -> Result<Outputs> {
    let input = Input::load(root)?;
    let digest = input_digest(&input)?;
    let mut warnings = Vec::new();
    let mut files = BTreeMap::new();
    let mut crate_dirs = Vec::new();
    let mut overlays = Overlays::load(&overlay_paths(&input)?)?;
    let base_opts = EmitOptions {
        digest: digest.clone(),
        command: REGEN_COMMAND.to_owned(),
        changelog: None,
    };
    let mut apis = Vec::new();
    let mut learned = pipeline::Memories::new();
    for krate in &input.manifest.crates {
        let built = pipeline::crate_api(&input, krate, &mut overlays, &mut warnings)?;
        let api = built.api;
        learned.insert(krate.platform.clone(), built.learned);
        let opts = EmitOptions {
            // Written by `cargo xtask regen` under specs/ (see release.rs).
            changelog: crate::release::read_changelog(&input.layout, &krate.name)?,
            ..base_opts.clone()
        };
        let dir = PathBuf::from("generated").join(&krate.name);
        for f in emit::emit_crate(&api, &opts)? {
            files.insert(dir.join(&f.path), f.contents);
        }
        crate_dirs.push(dir);
        apis.push(api);
    }
    let runtime_dir = PathBuf::from("generated").join(emit::RUNTIME_CRATE);
    for f in emit::emit_runtime(&apis, &base_opts)? {
        files.insert(runtime_dir.join(&f.path), f.contents);
    }
    overlays.check_all_applied()?;
    warnings.sort();
    warnings.dedup();
    Ok(Outputs {
        files,
        crate_dirs,
        runtime_dir,
        warnings,
        digest,
        learned,
    })
}

/// What differs between the outputs and the disk.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// (path, unified diff from the disk to the expected contents)
    pub stale: Vec<(PathBuf, String)>,
    pub missing: Vec<PathBuf>,
    /// Files in a generated crate folder that no input produces.
    pub orphans: Vec<PathBuf>,
    /// Definitions whose sha256 is not the one in `specs/specs.lock`.
    pub unlocked: Vec<String>,
    /// Operations whose remembered type (`specs/types/`) is not what their definitions teach.
    pub memory: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty()
            && self.missing.is_empty()
            && self.orphans.is_empty()
            && self.unlocked.is_empty()
            && self.memory.is_empty()
    }
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for u in &self.unlocked {
            writeln!(
                f,
                "specs/{u}: sha256 differs from specs/specs.lock (edited by hand? run `cargo xtask fetch`)"
            )?;
        }
        for m in &self.memory {
            writeln!(
                f,
                "specs/types: {m} (run `{REGEN_COMMAND}` online, which records what the definitions teach)"
            )?;
        }
        for m in &self.missing {
            writeln!(f, "{}: missing (run `{REGEN_COMMAND}`)", m.display())?;
        }
        for o in &self.orphans {
            writeln!(
                f,
                "{}: not produced by any input (run `{REGEN_COMMAND}` to delete it)",
                o.display()
            )?;
        }
        for (p, diff) in &self.stale {
            writeln!(f, "{}: stale (run `{REGEN_COMMAND}`):\n{diff}", p.display())?;
        }
        Ok(())
    }
}

fn existing_files(root: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).filter(|d| d.exists()).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            let ty = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if ty.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compares the outputs with the disk and the definitions with the lock.
pub fn check(root: &Path, outputs: &Outputs) -> Result<Drift> {
    let mut drift = Drift::default();
    let input = Input::load(root)?;
    let lock = Lock::load(&input.layout.lock())?;
    for (rel, abs) in pipeline::spec_paths(&input) {
        let bytes = std::fs::read(&abs).map_err(|e| Error::io(&abs, e))?;
        if lock.files.get(&rel).map(|e| e.sha256.as_str()) != Some(sha256_hex(&bytes).as_str()) {
            drift.unlocked.push(rel);
        }
    }
    for (platform, learned) in &outputs.learned {
        let stored = input.memory.get(platform).cloned().unwrap_or_default();
        let file = crate::normalize::memory::file_name(platform);
        drift.memory.extend(
            crate::normalize::memory::disagreements(&stored, learned)
                .into_iter()
                .map(|d| format!("{file}: {d}")),
        );
    }
    for (path, expected) in &outputs.files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => {
                let diff = similar::TextDiff::from_lines(&actual, expected)
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{}", path.display()), &format!("b/{}", path.display()))
                    .to_string();
                drift.stale.push((path.clone(), diff));
            }
            Err(_) => drift.missing.push(path.clone()),
        }
    }
    for existing in existing_files(root, &outputs.owned_dirs())? {
        if !outputs.files.contains_key(&existing) {
            drift.orphans.push(existing);
        }
    }
    Ok(drift)
}

/// Writes what changed and deletes orphans. Returns the paths written or deleted.
pub fn apply(root: &Path, outputs: &Outputs) -> Result<Vec<PathBuf>> {
    let mut touched = Vec::new();
    for (path, expected) in &outputs.files {
        let abs = root.join(path);
        if std::fs::read_to_string(&abs).ok().as_deref() == Some(expected.as_str()) {
            continue;
        }
        if let Some(parent) = abs.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let tmp = abs.with_extension("tmp-regen");
        std::fs::write(&tmp, expected).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &abs).map_err(|e| Error::io(&abs, e))?;
        touched.push(path.clone());
    }
    for existing in existing_files(root, &outputs.owned_dirs())? {
        if !outputs.files.contains_key(&existing) {
            let abs = root.join(&existing);
            std::fs::remove_file(&abs).map_err(|e| Error::io(&abs, e))?;
            touched.push(existing);
        }
    }
    Ok(touched)
}

pub const GENERATE_COMMAND: &str = "cargo xtask generate";

/// Every file of the crates generated from one spec file or folder, keyed relative to the output folder,
/// plus a workspace `Cargo.toml` so `cargo build` in the output folder builds them all.
pub fn plan_generate(
    spec: &Path,
    manifest: &crate::manifest::Manifest,
    opts: &pipeline::SpecOptions,
) -> Result<Outputs> {
    plan_generate_remembering(spec, manifest, opts, &pipeline::Memories::new())
}

/// [`plan_generate`] with a type memory (`cargo xtask generate --types`); [`Outputs::learned`] holds what to
/// write back.
pub fn plan_generate_remembering(
    spec: &Path,
    manifest: &crate::manifest::Manifest,
    opts: &pipeline::SpecOptions,
    memory: &pipeline::Memories,
) -> Result<Outputs> {
    let mut warnings = Vec::new();
    let (apis, learned) = pipeline::spec_apis_remembering(spec, manifest, opts, memory, &mut warnings)?;
    let digest = spec_digest(spec)?;
    let emit_opts = EmitOptions {
        digest: digest.clone(),
        command: GENERATE_COMMAND.to_owned(),
        changelog: None,
    };
    let mut files = BTreeMap::new();
    let mut crate_dirs = Vec::new();
    for (api, crate_files) in apis.iter().zip(emit::emit_crates(&apis, &emit_opts)?) {
        let dir = PathBuf::from(&api.crate_name);
        for f in crate_files {
            files.insert(dir.join(&f.path), f.contents);
        }
        crate_dirs.push(dir);
    }
    let runtime_dir = PathBuf::from(emit::RUNTIME_CRATE);
    for f in emit::emit_runtime(&apis, &emit_opts)? {
        files.insert(runtime_dir.join(&f.path), f.contents);
    }
    let members: Vec<String> = std::iter::once(emit::RUNTIME_CRATE)
        .chain(apis.iter().map(|a| a.crate_name.as_str()))
        .map(|name| format!("    \"{name}\",\n"))
        .collect();
    files.insert(
        PathBuf::from("Cargo.toml"),
        format!(
            "{}\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
            emit::header(&emit_opts, "#"),
            members.concat()
        ),
    );
    warnings.sort();
    warnings.dedup();
    Ok(Outputs {
        files,
        crate_dirs,
        runtime_dir,
        warnings,
        digest,
        learned,
    })
}

/// sha256 of a spec file, or of every file in a spec folder (names and contents, sorted).
pub fn spec_digest(spec: &Path) -> Result<String> {
    if !spec.is_dir() {
        let bytes = std::fs::read(spec).map_err(|e| Error::io(spec, e))?;
        return Ok(sha256_hex(&bytes));
    }
    let mut hasher = Sha256::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(spec)
        .map_err(|e| Error::io(spec, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for p in entries {
        let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        hasher.update(p.file_name().unwrap_or_default().to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()))
}
