//! A checkout, read once: where things live ([`Layout`]) and everything under `specs/` ([`Project::load`]),
//! as the in-memory [`codegen::Specs`] the generator takes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use codegen::catalogue::Lifecycle;
use codegen::lock::Lock;
use codegen::manifest::Manifest;
use codegen::{Memories, Source, SpecInput, Specs, TypeMemory};

/// Where a checkout keeps its pipeline input and output.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }
    pub fn specs(&self) -> PathBuf {
        self.root.join("specs")
    }
    pub fn manifest(&self) -> PathBuf {
        self.specs().join("manifest.yaml")
    }
    pub fn lock(&self) -> PathBuf {
        self.specs().join("specs.lock")
    }
    /// The vendored catalogue, `specs/catalogue/public-api.json`.
    pub fn catalogue(&self) -> PathBuf {
        self.specs().join(codegen::catalogue::FILE)
    }
    /// `specs/catalogue/lifecycle.yaml`.
    pub fn lifecycle(&self) -> PathBuf {
        self.specs().join(codegen::catalogue::lifecycle::FILE)
    }
    /// `specs/definitions/`: one folder per platform.
    pub fn definitions(&self) -> PathBuf {
        self.specs().join(codegen::catalogue::layout::DEFINITIONS)
    }
    pub fn overlays(&self) -> PathBuf {
        self.specs().join("overlays")
    }
    /// Remembered response types, one `<platform>.json` per crate.
    pub fn types(&self) -> PathBuf {
        self.specs().join("types")
    }
    /// `specs/changelog/<crate>.md`.
    pub fn changelog(&self, crate_name: &str) -> PathBuf {
        self.specs().join("changelog").join(format!("{crate_name}.md"))
    }
    pub fn generated(&self) -> PathBuf {
        self.root.join("generated")
    }
}

/// `path: message` for an I/O error, naming the file.
pub fn io_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("{}: {e}", path.display())
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| io_error(path, e))
}

pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, e))
}

/// `path` relative to the repository root, for messages and the paths in errors.
fn shown(layout: &Layout, path: &Path) -> PathBuf {
    path.strip_prefix(&layout.root).unwrap_or(path).to_path_buf()
}

/// A checkout and its `specs/`.
#[derive(Debug, Clone)]
pub struct Project {
    pub layout: Layout,
    pub specs: Specs,
}

impl Project {
    /// Reads `specs/`: the manifest, the catalogue and its lifecycle record, every vendored definition,
    /// overlays, type memory, lock and changelogs.
    pub fn load(root: &Path) -> Result<Project> {
        let layout = Layout::new(root);
        let manifest_path = layout.manifest();
        let manifest_text = read_text(&manifest_path)?;
        let manifest = Manifest::parse(&manifest_text, &shown(&layout, &manifest_path))?;
        let catalogue_path = layout.catalogue();
        let catalogue = match std::fs::read(&catalogue_path) {
            Ok(bytes) => Some(Source::new(shown(&layout, &catalogue_path), bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&catalogue_path, e)),
        };
        let lifecycle_path = layout.lifecycle();
        let lifecycle = match std::fs::read_to_string(&lifecycle_path) {
            Ok(text) => Lifecycle::parse(&text, &shown(&layout, &lifecycle_path))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Lifecycle::default(),
            Err(e) => return Err(io_error(&lifecycle_path, e)),
        };
        let mut definitions = BTreeMap::new();
        let definitions_dir = layout.definitions();
        if definitions_dir.exists() {
            for platform in read_dir_sorted(&definitions_dir)? {
                if !platform.is_dir() {
                    return Err(anyhow::anyhow!(
                        "{}: only one folder per platform belongs in {}",
                        shown(&layout, &platform).display(),
                        shown(&layout, &definitions_dir).display()
                    ));
                }
                for path in read_dir_sorted(&platform)? {
                    let rel = path
                        .strip_prefix(layout.specs())
                        .map(|r| r.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    let bytes = read(&path)?;
                    definitions.insert(rel, Source::new(shown(&layout, &path), bytes));
                }
            }
        }
        let overlays = read_folder(&layout.overlays(), &["yaml", "yml"])?
            .into_iter()
            .map(|(path, bytes)| Source::new(shown(&layout, &path), bytes))
            .collect();
        let memory = read_memories(&layout.types())?;
        let lock_path = layout.lock();
        let lock = if lock_path.exists() {
            Lock::parse(&read_text(&lock_path)?, &shown(&layout, &lock_path))?
        } else {
            Lock::empty()
        };
        let mut changelogs = BTreeMap::new();
        for (path, bytes) in read_folder(&layout.specs().join("changelog"), &["md"])? {
            let Some(name) = path.file_stem().and_then(|n| n.to_str()) else {
                continue;
            };
            let text = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{}: not UTF-8: {e}", path.display()))?;
            changelogs.insert(name.to_owned(), text);
        }
        Ok(Project {
            layout,
            specs: Specs {
                manifest,
                manifest_text,
                catalogue,
                lifecycle,
                definitions,
                overlays,
                memory,
                lock,
                changelogs,
            },
        })
    }
}

/// The entries of `dir`, sorted.
fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        out.push(entry.map_err(|e| io_error(dir, e))?.path());
    }
    out.sort();
    Ok(out)
}

/// The files of `dir` with one of `extensions`, sorted by path (none when `dir` does not exist).
fn read_folder(dir: &Path, extensions: &[&str]) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        let matches = path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| extensions.contains(&x));
        if matches && path.is_file() {
            let bytes = read(&path)?;
            out.push((path, bytes));
        }
    }
    out.sort();
    Ok(out)
}

/// Every `<platform>.json` of a type memory folder (none when the folder does not exist).
pub fn read_memories(dir: &Path) -> Result<Memories> {
    let mut out = Memories::new();
    for (path, bytes) in read_folder(dir, &["json"])? {
        let Some(platform) = path.file_stem().and_then(|n| n.to_str()) else {
            continue;
        };
        let text = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{}: not UTF-8: {e}", path.display()))?;
        out.insert(platform.to_owned(), TypeMemory::parse(&text, &path)?);
    }
    Ok(out)
}

/// A definition given on the command line: one file, or a folder of `<slug>-<lang>.json` files.
pub fn read_spec_input(path: &Path) -> Result<SpecInput> {
    if path.is_dir() {
        let files = read_folder(path, &["json"])?
            .into_iter()
            .map(|(p, bytes)| Source::new(p, bytes))
            .collect();
        Ok(SpecInput::Folder {
            path: path.to_path_buf(),
            files,
        })
    } else {
        Ok(SpecInput::File(Source::new(path, read(path)?)))
    }
}

/// Today's date in UTC, `YYYY-MM-DD` (changelog entries, the date a type is seen on).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 -> `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_584), "2026-05-11");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
