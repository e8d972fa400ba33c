//! `cargo xtask fetch`: download the definitions listed in `specs/manifest.yaml` into `specs/` (or `--out`),
//! with `specs/specs.lock`, all or nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Result};
use codegen::lock::Lock;
use codegen::manifest::Manifest;

use crate::download::{download, Downloaded, FetchFailure, FetchOptions, FileReport};
use crate::project::{read_text, Layout};
use crate::writer::Transaction;

#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    /// Download from this base URL instead of the manifest's `docs_base_url`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Fetch only the files of the endpoint with this slug.
    #[arg(long, value_name = "SLUG")]
    pub only: Option<String>,
    /// Write the definitions and the lock into DIR instead of specs/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Limit for one download attempt, in seconds.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub timeout_secs: u64,
}

impl FetchArgs {
    pub fn options(&self) -> FetchOptions {
        FetchOptions {
            base_url: self.base_url.clone(),
            only: self.only.clone(),
            timeout: Duration::from_secs(self.timeout_secs),
            ..FetchOptions::default()
        }
    }
}

/// Downloads into memory (nothing written): the manifest's definitions, given what `current` holds.
pub fn download_blocking(
    manifest: &Manifest,
    lock: &Lock,
    current: &BTreeMap<String, Vec<u8>>,
    opts: &FetchOptions,
) -> Result<Downloaded> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    runtime
        .block_on(download(manifest, lock, current, opts))
        .map_err(|failure| anyhow!("{failure}\nfetch failed; nothing was written"))
}

/// Prints one line per file and stages the changed definitions and the lock into `tx`.
pub fn stage(tx: &mut Transaction, out: &Path, downloaded: &Downloaded) {
    for file in &downloaded.files {
        println!(
            "{:<12} {} ({} bytes, sha256 {})",
            file.outcome, file.rel_path, file.size, file.sha256
        );
    }
    for (rel, bytes) in &downloaded.definitions {
        tx.write(out.join(rel), bytes.clone());
    }
    // Last, so the lock never describes files that did not make it to disk (the transaction keeps order).
    tx.write(out.join("specs.lock"), downloaded.lock.to_text());
}

/// What a successful `fetch` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchReport {
    /// One entry per fetched file, in manifest order.
    pub files: Vec<FileReport>,
    pub lock_path: PathBuf,
    /// Whether the lock's bytes changed (it is not rewritten when they would stay the same).
    pub lock_written: bool,
}

/// Downloads the manifest's definitions and vendors them under `out` with `out/specs.lock`, all or nothing:
/// on any failure (a download, a write) nothing under `out` changes.
pub async fn fetch_into(out: &Path, manifest: &Manifest, opts: &FetchOptions) -> Result<FetchReport, FetchFailure> {
    let failure = |message: String| FetchFailure {
        downloads: Vec::new(),
        errors: vec![message],
    };
    let lock_path = out.join("specs.lock");
    let lock = match std::fs::read_to_string(&lock_path) {
        Ok(text) => Lock::parse(&text, &lock_path).map_err(|e| failure(e.to_string()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Lock::empty(),
        Err(e) => return Err(failure(format!("{}: {e}", lock_path.display()))),
    };
    let current: BTreeMap<String, Vec<u8>> = manifest
        .spec_files()
        .into_iter()
        .filter_map(|f| {
            let rel = f.rel_path();
            std::fs::read(out.join(&rel)).ok().map(|b| (rel, b))
        })
        .collect();
    let downloaded = download(manifest, &lock, &current, opts).await?;
    let mut tx = Transaction::new();
    stage(&mut tx, out, &downloaded);
    let lock_written = tx.paths().contains(&lock_path);
    tx.commit().map_err(|e| FetchFailure {
        downloads: Vec::new(),
        errors: e.errors,
    })?;
    Ok(FetchReport {
        files: downloaded.files,
        lock_path,
        lock_written,
    })
}

pub fn run(root: &Path, args: &FetchArgs) -> Result<()> {
    let layout = Layout::new(root);
    let manifest = Manifest::parse(&read_text(&layout.manifest())?, "specs/manifest.yaml".as_ref())?;
    let out = args.out.clone().unwrap_or_else(|| layout.specs());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    let report = runtime
        .block_on(fetch_into(&out, &manifest, &args.options()))
        .map_err(|failure| anyhow!("{failure}\nfetch failed; nothing was written"))?;
    let lock = if report.lock_written { "updated" } else { "unchanged" };
    println!("{lock:<12} {}", report.lock_path.display());
    Ok(())
}
