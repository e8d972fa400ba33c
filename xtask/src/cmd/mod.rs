//! One module per `cargo xtask` command. Each reads what it needs, computes everything in memory (with
//! `codegen`), and writes through one [`Transaction`](crate::writer::Transaction).

pub mod check;
pub mod diff;
pub mod drift;
pub mod fetch;
pub mod generate;
pub mod regen;
pub mod stats;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::project::io_error;
use crate::writer::Transaction;

/// Stages `files` (relative to `root`) and the deletion of every other file under `owned_dirs`.
pub fn stage_outputs(
    tx: &mut Transaction,
    root: &Path,
    files: &std::collections::BTreeMap<PathBuf, String>,
    owned_dirs: &[PathBuf],
) -> Result<()> {
    tx.write_all(
        files
            .iter()
            .map(|(path, contents)| (root.join(path), contents.as_bytes())),
    );
    for existing in files_under(root, owned_dirs)? {
        if !files.contains_key(&existing) {
            tx.delete(root.join(existing));
        }
    }
    Ok(())
}

/// Every file under `dirs` (relative to `root`), relative to `root`, sorted.
pub fn files_under(root: &Path, dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| root.join(d)).filter(|d| d.exists()).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| io_error(&dir, e))? {
            let entry = entry.map_err(|e| io_error(&dir, e))?;
            let path = entry.path();
            let ty = entry.file_type().map_err(|e| io_error(&path, e))?;
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
