//! `cargo xtask fetch`: download the definitions listed in `specs/manifest.yaml` into `specs/` (or `--out`),
//! with `specs/specs.lock`, all or nothing.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, Result};
use codegen::lock::Lock;
use codegen::manifest::Manifest;

use crate::download::{
    download, Downloaded, FetchFailure, FetchOptions, FileReport, Outcome, Progress, DEFAULT_CONCURRENCY,
};
use crate::project::{read_text, Layout};
use crate::writer::Transaction;

/// `cargo xtask fetch`: where to download from, and where to write.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub download: DownloadArgs,
    /// Write the definitions and the lock into DIR instead of specs/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Where and how to download, shared by `fetch`, `regen` and `drift` (the last two only ever compare with or
/// write into specs/, so they take no `--out`).
#[derive(Debug, Clone, clap::Args)]
pub struct DownloadArgs {
    /// Download from this base URL instead of the manifest's `docs_base_url`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Fetch only the files of the endpoint with this slug.
    #[arg(long, value_name = "SLUG")]
    pub only: Option<String>,
    /// Limit for one download attempt, in seconds.
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub timeout_secs: u64,
    /// Downloads running at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

impl DownloadArgs {
    /// The options, with a progress display on stderr: a bar on a terminal, counted lines otherwise.
    pub fn options(&self) -> FetchOptions {
        let progress: Arc<dyn Progress> = if std::io::stderr().is_terminal() {
            Arc::new(Bar::default())
        } else {
            Arc::new(Lines::default())
        };
        FetchOptions {
            base_url: self.base_url.clone(),
            only: self.only.clone(),
            timeout: Duration::from_secs(self.timeout_secs),
            concurrency: usize::from(self.jobs),
            progress: Some(progress),
            ..FetchOptions::default()
        }
    }
}

/// Progress as a bar on stderr (a terminal).
#[derive(Debug, Default)]
struct Bar(OnceLock<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&self, total: usize) {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("fetch {bar:40} {pos}/{len} {elapsed} {wide_msg}") {
            bar.set_style(style);
        }
        let _ = self.0.set(bar);
    }

    fn file_done(&self, rel_path: &str, error: Option<&str>) {
        if let Some(bar) = self.0.get() {
            if let Some(error) = error {
                bar.println(format!("failed       {rel_path}: {error}"));
            }
            bar.set_message(rel_path.to_owned());
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.0.get() {
            bar.finish_and_clear();
        }
    }
}

/// Progress as one counted line per file on stderr (`[ 12/402] group/file.json`): logs, CI, pipes.
#[derive(Debug, Default)]
struct Lines {
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress for Lines {
    fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    fn file_done(&self, rel_path: &str, error: Option<&str>) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed);
        let width = total.to_string().len();
        match error {
            None => eprintln!("[{done:>width$}/{total}] {rel_path}"),
            Some(e) => eprintln!("[{done:>width$}/{total}] {rel_path}: failed: {e}"),
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

/// Prints a line per changed file and a count of the others, and stages the definitions and the lock into `tx`.
pub fn stage(tx: &mut Transaction, out: &Path, downloaded: &Downloaded) {
    let mut counts = BTreeMap::new();
    for file in &downloaded.files {
        *counts.entry(file.outcome.to_string()).or_insert(0usize) += 1;
        if file.outcome == Outcome::Downloaded {
            println!(
                "{:<12} {} ({} bytes, sha256 {})",
                file.outcome, file.rel_path, file.size, file.sha256
            );
        }
    }
    let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{n} {o}")).collect();
    println!("fetch: {} files ({})", downloaded.files.len(), counts.join(", "));
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
        .block_on(fetch_into(&out, &manifest, &args.download.options()))
        .map_err(|failure| anyhow!("{failure}\nfetch failed; nothing was written"))?;
    let lock = if report.lock_written { "updated" } else { "unchanged" };
    println!("{lock:<12} {}", report.lock_path.display());
    Ok(())
}
