//! The generator's input, in memory.
//!
//! `cargo xtask` reads it from disk (`xtask::project`), tests build it directly. Nothing in `codegen` reads
//! or writes a file, opens a socket or looks at the clock: the same input always gives the same output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalogue::{Catalogue, Lifecycle};
use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::manifest::Manifest;
use crate::passes::memory::{self, TypeMemory};

/// A file's bytes and the path that names it in errors (relative to the repository or as given by the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Source {
        Source {
            path: path.into(),
            bytes: bytes.into(),
        }
    }

    /// The bytes as UTF-8 text.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.bytes).map_err(|e| Error::spec(&self.path, "", format!("not UTF-8: {e}")))
    }

    /// The file name (`public-api-2026-04-16.json`).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Remembered response types by platform (`specs/types/<platform>.json`).
pub type Memories = BTreeMap<String, TypeMemory>;

/// Everything under `specs/`: the input of `cargo xtask regen` and `check`.
#[derive(Debug, Clone)]
pub struct Specs {
    pub manifest: Manifest,
    /// The manifest as written (its bytes are part of the inputs' digest).
    pub manifest_text: String,
    /// `specs/catalogue/public-api.json`: upstream's aggregate, the list of endpoints (none before the first
    /// fetch).
    pub catalogue: Option<Source>,
    /// `specs/catalogue/lifecycle.yaml`: since when endpoints are hidden or gone.
    pub lifecycle: Lifecycle,
    /// The vendored definitions, keyed by path relative to `specs/`
    /// (`definitions/<platform>/<method>.<path segments>.<lang>.json`, see `catalogue::layout`).
    pub definitions: BTreeMap<String, Source>,
    /// `specs/overlays/*.yaml`, sorted by path.
    pub overlays: Vec<Source>,
    /// `specs/types/`.
    pub memory: Memories,
    /// `specs/specs.lock`: where and when each definition was fetched.
    pub lock: Lock,
    /// `specs/changelog/<crate>.md`, by crate name.
    pub changelogs: BTreeMap<String, String>,
}

impl Specs {
    /// The definition at `rel` (relative to `specs/`), or an error naming the missing file.
    pub fn definition(&self, rel: &str) -> Result<&Source> {
        self.definitions.get(rel).ok_or_else(|| Error::Missing {
            file: Path::new("specs").join(rel),
            hint: "not vendored: run `cargo xtask fetch`".into(),
        })
    }

    /// The vendored catalogue, checked (warnings: operations it skips).
    pub fn parse_catalogue(&self, warnings: &mut Vec<crate::lower::Warning>) -> Result<Catalogue> {
        let source = self.catalogue.as_ref().ok_or_else(|| Error::Missing {
            file: Path::new("specs").join(crate::catalogue::FILE),
            hint: "no catalogue vendored: run `cargo xtask fetch`".into(),
        })?;
        Catalogue::parse(source, self.manifest.catalogue.limits(), warnings)
    }

    /// sha256 over every input, in a fixed order: the manifest, the catalogue and its lifecycle record, the
    /// definitions, the overlays, the type memory and the changelogs. One value names the whole input
    /// (`generated/README.md` shows it).
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        let mut add = |name: &str, bytes: &[u8]| {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        add("manifest.yaml", self.manifest_text.as_bytes());
        if let Some(c) = &self.catalogue {
            add(crate::catalogue::FILE, &c.bytes);
        }
        add(crate::catalogue::lifecycle::FILE, self.lifecycle.to_text().as_bytes());
        for (rel, source) in &self.definitions {
            add(rel, &source.bytes);
        }
        for source in &self.overlays {
            add(&source.path.to_string_lossy(), &source.bytes);
        }
        // The memory as it is written (serializing 27 platforms' types is most of this: in parallel).
        let memory: Vec<(String, String)> = self
            .memory
            .par_iter()
            .map(|(platform, m)| (format!("types/{}", memory::file_name(platform)), m.to_json()))
            .collect();
        for (name, text) in &memory {
            add(name, text.as_bytes());
        }
        for (krate, text) in &self.changelogs {
            add(&format!("changelog/{krate}.md"), text.as_bytes());
        }
        hex(&hasher.finalize())
    }
}

/// A definition given on the command line (`cargo xtask generate --spec`, `cargo xtask diff`): one aggregate or
/// per-endpoint file, or a folder of `<slug>-<lang>.json` files.
#[derive(Debug, Clone)]
pub enum SpecInput {
    File(Source),
    Folder { path: PathBuf, files: Vec<Source> },
}

impl SpecInput {
    /// The path the user gave.
    pub fn path(&self) -> &Path {
        match self {
            SpecInput::File(s) => &s.path,
            SpecInput::Folder { path, .. } => path,
        }
    }

    /// sha256 of the file, or of every file of the folder (names and contents, sorted).
    pub fn digest(&self) -> String {
        match self {
            SpecInput::File(s) => crate::lock::sha256_hex(&s.bytes),
            SpecInput::Folder { files, .. } => {
                let mut hasher = Sha256::new();
                let mut sorted: Vec<&Source> = files.iter().collect();
                sorted.sort_by_key(|s| s.name());
                for s in sorted {
                    hasher.update(s.name().as_bytes());
                    hasher.update([0]);
                    hasher.update((s.bytes.len() as u64).to_le_bytes());
                    hasher.update(&s.bytes);
                }
                hex(&hasher.finalize())
            }
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
