//! `cargo xtask check`: `generated/` is exactly what `specs/` + `codegen/` produce, every definition matches
//! the lock, and the type memory matches what the definitions teach.

use std::path::{Path, PathBuf};

use anyhow::Result;
use codegen::lock::sha256_hex;
use codegen::{Generated, REGEN_COMMAND};

use crate::project::Project;

/// What differs between the generated files and the disk.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// (path, unified diff from the disk to the expected contents)
    pub stale: Vec<(PathBuf, String)>,
    pub missing: Vec<PathBuf>,
    /// Files in a generated crate folder that no input produces.
    pub orphans: Vec<PathBuf>,
    /// Definitions whose sha256 is not the one in `specs/specs.lock` (or that are not there at all).
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

/// What `git diff` would show between the file `path` as it is and as it should be (2 lines of context).
fn unified_diff(path: &Path, actual: &str, expected: &str) -> String {
    similar::TextDiff::from_lines(actual, expected)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{}", path.display()), &format!("b/{}", path.display()))
        .to_string()
}

/// Compares `generated` with the disk of `project`, the definitions with the lock, and the memory with what
/// the definitions teach.
pub fn drift(project: &Project, generated: &Generated) -> Result<Drift> {
    let root = &project.layout.root;
    let specs = &project.specs;
    let mut drift = Drift::default();
    let vendored = specs
        .definitions
        .iter()
        .map(|(rel, s)| (rel.as_str(), &s.bytes))
        .chain(specs.catalogue.iter().map(|c| (codegen::catalogue::FILE, &c.bytes)));
    for (rel, bytes) in vendored {
        let locked = specs.lock.files.get(rel).map(|e| e.sha256.as_str());
        if locked != Some(sha256_hex(bytes).as_str()) {
            drift.unlocked.push(rel.to_owned());
        }
    }
    for (platform, learned) in &generated.learned {
        let stored = specs.memory.get(platform).cloned().unwrap_or_default();
        let file = codegen::memory_file_name(platform);
        drift.memory.extend(
            codegen::memory_disagreements(&stored, learned)
                .into_iter()
                .map(|d| format!("{file}: {d}")),
        );
    }
    for (path, expected) in &generated.files {
        match std::fs::read_to_string(root.join(path)) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => drift.stale.push((path.clone(), unified_diff(path, &actual, expected))),
            Err(_) => drift.missing.push(path.clone()),
        }
    }
    if let Some((path, actual, expected)) = super::stats::readme_update(root, &generated.stats)? {
        if actual != expected {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let diff = unified_diff(&rel, &actual, &expected);
            drift.stale.push((rel, diff));
        }
    }
    for existing in super::files_under(root, &generated.owned_dirs)? {
        if !generated.files.contains_key(&existing) {
            drift.orphans.push(existing);
        }
    }
    Ok(drift)
}

/// `cargo xtask check`: 0 when everything is up to date, 1 with a readable report otherwise.
pub fn run(root: &Path) -> Result<bool> {
    let project = Project::load(root)?;
    let generated = codegen::generate(&project.specs)?;
    for w in &generated.warnings {
        eprintln!("{w}");
    }
    let drift = drift(&project, &generated)?;
    if drift.is_clean() {
        println!(
            "check: generated/ is up to date with specs/ ({} files)",
            generated.files.len()
        );
        Ok(true)
    } else {
        eprint!("{drift}");
        eprintln!("check: generated/ or specs/ is out of date");
        Ok(false)
    }
}
