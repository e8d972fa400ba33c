//! The one way `cargo xtask` writes to disk: a [`Transaction`] of whole-file writes and deletions that
//! happens completely or not at all.
//!
//! Every command that writes (`fetch`, `regen`, `generate`) computes everything first, in memory, and then
//! commits one transaction: new contents go to temporary files next to their targets (synced), then each is
//! renamed into place and each deletion done; if any step fails, the steps already done are undone (the
//! previous bytes put back, created files and directories removed), so a failure part-way leaves the disk
//! exactly as it was.
//!
//! For the tests of that promise, `XTASK_FAIL_COMMIT_AFTER=<n>` makes a commit fail after its first `n` steps.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Whether the file at `path` holds exactly `bytes` (its size tells most changes without reading it).
fn holds(path: &Path, bytes: &[u8]) -> bool {
    fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64) && fs::read(path).is_ok_and(|b| b == bytes)
}

/// Environment variable that makes a commit fail after that many steps (a test hook).
pub const FAIL_COMMIT_AFTER: &str = "XTASK_FAIL_COMMIT_AFTER";

/// Writes and deletions to make all at once.
#[derive(Debug, Default)]
pub struct Transaction {
    writes: Vec<(PathBuf, Vec<u8>)>,
    deletes: Vec<PathBuf>,
}

/// Why a commit changed nothing.
#[derive(Debug)]
pub struct CommitError {
    /// What failed, and anything that could not be undone; each line names its file.
    pub errors: Vec<String>,
}

impl std::fmt::Display for CommitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.errors.join("\n"))
    }
}

impl std::error::Error for CommitError {}

impl Transaction {
    pub fn new() -> Transaction {
        Transaction::default()
    }

    /// Writes `bytes` to `path` (unless the file already holds exactly them).
    pub fn write(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        let path = path.into();
        let bytes = bytes.into();
        if !holds(&path, &bytes) {
            self.replace(path, bytes);
        }
    }

    /// [`Transaction::write`] for many files, in their order; the files on disk are compared with what they
    /// should hold in parallel (in a run that changes nothing, that comparison is most of the work left).
    pub fn write_all<'a>(&mut self, files: impl IntoIterator<Item = (PathBuf, &'a [u8])>) {
        let files: Vec<(PathBuf, &[u8])> = files.into_iter().collect();
        let unchanged: Vec<bool> = files.par_iter().map(|(path, bytes)| holds(path, bytes)).collect();
        for ((path, bytes), unchanged) in files.into_iter().zip(unchanged) {
            if !unchanged {
                self.replace(path, bytes.to_vec());
            }
        }
    }

    /// Makes `bytes` the one write of `path` (a later write of a path replaces an earlier one).
    fn replace(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.writes.retain(|(p, _)| p != &path);
        self.writes.push((path, bytes));
    }

    /// Deletes the file at `path`.
    pub fn delete(&mut self, path: impl Into<PathBuf>) {
        self.deletes.push(path.into());
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.deletes.is_empty()
    }

    /// The files this transaction changes, in order.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.writes
            .iter()
            .map(|(p, _)| p.clone())
            .chain(self.deletes.iter().cloned())
            .collect()
    }

    /// Makes every write and deletion, or none. Returns the paths changed.
    pub fn commit(self) -> Result<Vec<PathBuf>, CommitError> {
        let fail_after: Option<usize> = std::env::var(FAIL_COMMIT_AFTER).ok().and_then(|v| v.parse().ok());
        let paths = self.paths();
        let mut created_dirs = Vec::new();
        let mut staged: Vec<Staged> = Vec::new();
        let mut errors = Vec::new();

        // 1. Everything new is written next to its target, and everything replaced or deleted is read.
        for (target, bytes) in &self.writes {
            match stage(target, bytes, &mut created_dirs) {
                Ok(s) => staged.push(s),
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
        let mut doomed: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        if errors.is_empty() {
            for target in &self.deletes {
                match fs::read(target) {
                    Ok(bytes) => doomed.push((target.clone(), bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => {
                        errors.push(format!("{}: cannot read the file to delete: {e}", target.display()));
                        break;
                    }
                }
            }
        }

        // 2. Renames, then deletions, counted as steps.
        let mut step = 0;
        let mut renamed = 0;
        let mut deleted = 0;
        let fail = |step: usize| fail_after.is_some_and(|n| step >= n);
        if errors.is_empty() {
            for s in &staged {
                if fail(step) {
                    errors.push(format!(
                        "{}: failure injected by {FAIL_COMMIT_AFTER}",
                        s.target.display()
                    ));
                    break;
                }
                if let Err(e) = fs::rename(&s.temp, &s.target) {
                    errors.push(format!(
                        "{}: cannot move the new file into place: {e}",
                        s.target.display()
                    ));
                    break;
                }
                renamed += 1;
                step += 1;
            }
        }
        if errors.is_empty() {
            for (target, _) in &doomed {
                if fail(step) {
                    errors.push(format!("{}: failure injected by {FAIL_COMMIT_AFTER}", target.display()));
                    break;
                }
                if let Err(e) = fs::remove_file(target) {
                    errors.push(format!("{}: cannot delete: {e}", target.display()));
                    break;
                }
                deleted += 1;
                step += 1;
            }
        }
        if errors.is_empty() {
            return Ok(paths);
        }

        // 3. Undo, newest first.
        for (target, bytes) in doomed[..deleted].iter().rev() {
            if let Err(e) = put_back(target, bytes) {
                errors.push(format!("{}: cannot restore the deleted file: {e}", target.display()));
            }
        }
        for s in staged[..renamed].iter().rev() {
            let restored = match &s.original {
                Some(bytes) => put_back(&s.target, bytes),
                None => fs::remove_file(&s.target),
            };
            if let Err(e) = restored {
                errors.push(format!("{}: cannot restore the previous file: {e}", s.target.display()));
            }
        }
        for s in &staged[renamed..] {
            let _ = fs::remove_file(&s.temp);
        }
        // Deepest first; only empty ones go, so nothing that was there before is removed.
        for dir in created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        Err(CommitError { errors })
    }
}

/// A new file waiting next to its target, and what the target held before.
struct Staged {
    target: PathBuf,
    temp: PathBuf,
    original: Option<Vec<u8>>,
}

fn stage(target: &Path, bytes: &[u8], created_dirs: &mut Vec<PathBuf>) -> Result<Staged, String> {
    let parent = target.parent().unwrap_or(Path::new("."));
    create_dirs(parent, created_dirs).map_err(|e| format!("{}: cannot create the directory: {e}", parent.display()))?;
    let original = match fs::read(target) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        // rename() never puts a file over a directory, so this target is never replaced and needs no backup;
        // the rename reports the problem.
        Err(_) if target.is_dir() => None,
        Err(e) => return Err(format!("{}: cannot read the current file: {e}", target.display())),
    };
    let temp = write_temp(target, bytes)
        .map_err(|e| format!("{}: cannot write a temporary file next to it: {e}", target.display()))?;
    Ok(Staged {
        target: target.to_path_buf(),
        temp,
        original,
    })
}

fn put_back(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = write_temp(target, bytes)?;
    fs::rename(&temp, target).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Creates `dir` and its missing ancestors, recording each one created (outermost first).
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    for d in missing.into_iter().rev() {
        fs::create_dir(d)?;
        created.push(d.to_path_buf());
    }
    Ok(())
}

/// Writes `bytes` to a new, synced temporary file in the directory of `target` (so a rename is atomic).
fn write_temp(target: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut n = 0u32;
    loop {
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(mut file) => {
                let written = file.write_all(bytes).and_then(|()| file.sync_all());
                return match written {
                    Ok(()) => Ok(temp),
                    Err(e) => {
                        drop(file);
                        let _ = fs::remove_file(&temp);
                        Err(e)
                    }
                };
            }
            // A leftover of an earlier run, or another file of this run: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (dir.path().join("a"), dir.path().join("new/b"), dir.path().join("c"));
        fs::write(&a, "old a").unwrap();
        fs::write(&c, "old c").unwrap();
        let mut tx = Transaction::new();
        tx.write(&a, "new a");
        tx.write(&b, "new b");
        tx.delete(&c);
        assert_eq!(tx.commit().unwrap().len(), 3);
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert!(!c.exists());

        // `b`'s target is a directory: the rename fails, and `a` gets its bytes back.
        let mut tx = Transaction::new();
        tx.write(&a, "newer a");
        tx.write(dir.path().join("new"), "a file over a directory");
        let err = tx.commit().unwrap_err().to_string();
        assert!(err.contains("new"), "{err}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn unchanged_files_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::write(&a, "same").unwrap();
        let mut tx = Transaction::new();
        tx.write(&a, "same");
        assert!(tx.is_empty());
    }
}
