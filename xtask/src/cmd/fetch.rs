//! `cargo xtask fetch`: vendor upstream's catalogue and every definition it publishes into `specs/` (or
//! `--out`), with `specs/specs.lock` and the lifecycle record, all or nothing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, Result};

use crate::download::{FetchOptions, Progress, DEFAULT_CONCURRENCY};
use crate::project::Project;
use crate::upstream;
use crate::writer::Transaction;

/// `cargo xtask fetch`: where to download from, and where to write.
#[derive(Debug, Clone, clap::Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub download: DownloadArgs,
    /// Write the catalogue, definitions, lifecycle record and lock into DIR instead of specs/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Where and how to download, shared by `fetch`, `regen` and `drift` (the last two only ever compare with or
/// write into specs/, so they take no `--out`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DownloadArgs {
    /// Read the catalogue (upstream's aggregate definition) from this URL or file instead of the manifest's
    /// source.
    #[arg(long, value_name = "URL|FILE")]
    pub catalogue: Option<String>,
    /// Download the definitions from this base URL (a mirror of the docs site) instead of the manifest's
    /// `docs_base_url`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Re-download only the definitions of this platform (`xiaohongshu-pgy`), path or docs slug
    /// (`follower-distribution-v1`), with the vendored catalogue's URLs (the catalogue itself is not downloaded).
    #[arg(long, value_name = "PLATFORM|PATH|SLUG")]
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
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            concurrency: usize::from(self.jobs.max(1)),
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

pub fn run(root: &Path, args: &FetchArgs) -> Result<()> {
    let project = Project::load(root)?;
    let out = args.out.clone().unwrap_or_else(|| project.layout.specs());
    let pulled = upstream::pull(&project, &args.download)?;
    for w in &pulled.warnings {
        eprintln!("{w}");
    }
    let mut tx = Transaction::new();
    upstream::stage(&mut tx, &out, &pulled);
    let lock_path = out.join("specs.lock");
    let written = tx
        .commit()
        .map_err(|e| anyhow!("{e}\nfetch failed; nothing was written"))?;
    let lock = if written.contains(&lock_path) {
        "updated"
    } else {
        "unchanged"
    };
    println!("{lock:<12} {}", lock_path.display());
    Ok(())
}
