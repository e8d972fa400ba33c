//! `cargo xtask fetch`: download the definitions listed in `specs/manifest.yaml` into `specs/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use codegen::fetch::{fetch, FetchOptions};
use codegen::manifest::{Layout, Manifest};

#[derive(Debug, clap::Args)]
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

pub fn run(root: &Path, args: FetchArgs) -> ExitCode {
    let layout = Layout::new(root);
    let manifest = match Manifest::load(&layout.manifest()) {
        Ok(manifest) => manifest,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = FetchOptions {
        base_url: args.base_url,
        only: args.only,
        out_dir: args.out,
        timeout: Duration::from_secs(args.timeout_secs),
        ..FetchOptions::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fetch(&layout, &manifest, &opts)) {
        Ok(report) => {
            for file in &report.files {
                println!(
                    "{:<12} {} ({} bytes, sha256 {})",
                    file.outcome, file.rel_path, file.size, file.sha256
                );
            }
            let lock = if report.lock_written { "updated" } else { "unchanged" };
            println!("{lock:<12} {}", report.lock_path.display());
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            eprintln!("fetch failed; nothing was written");
            ExitCode::FAILURE
        }
    }
}
