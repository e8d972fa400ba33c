//! `cargo xtask <command>`: parses the command line and runs one of `xtask::cmd`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::cmd::{
    self,
    diff::DiffArgs,
    fetch::{DownloadArgs, FetchArgs},
    generate::GenerateArgs,
    stats::StatsArgs,
};

// Generation allocates millions of short-lived token trees and syn nodes; with glibc's allocator, malloc and
// free were a third of the profile (scripts/perf/profile.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Generate and check the Just One API client crates")]
struct Cli {
    /// The checkout to work on (default: the one this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Vendor upstream's catalogue and every definition it publishes into specs/, with specs/specs.lock and the
    /// lifecycle record (hidden and gone endpoints).
    Fetch(FetchArgs),
    /// Fetch (unless --offline), then regenerate generated/ from specs/.
    ///
    /// Online, a crate whose API the fetch changed gets its version bumped in specs/manifest.yaml (by the
    /// semver rules of `cargo xtask diff`) and an entry in specs/changelog/<crate>.md, a new platform gets a
    /// crate, and the type memory specs/types/ learns from the new definitions; everything is written at once,
    /// or nothing.
    Regen {
        /// Use the vendored specs as they are; no network.
        #[arg(long)]
        offline: bool,
        /// Drop an endpoint upstream no longer lists, for good (`METHOD /api/...`; repeatable): its definitions
        /// and its method go, a breaking release. Online only.
        #[arg(long, value_name = "METHOD PATH", conflicts_with = "offline")]
        remove: Vec<String>,
        #[command(flatten)]
        fetch: DownloadArgs,
    },
    /// Generate client crates from an aggregate definition or a folder of per-endpoint definitions.
    Generate(GenerateArgs),
    /// Exit non-zero when generated/ is not exactly what specs/ + codegen/ produce, specs/ does not match
    /// specs/specs.lock, or the type memory does not match the definitions.
    Check,
    /// Report how the API changed between two definitions, judged by the effect on the generated crate.
    ///
    /// Exit code 0, or 3 when --fail-on matches; 1 when a definition cannot be read.
    Diff(DiffArgs),
    /// Compare upstream's current catalogue and definitions with specs/ (nothing is written); print the
    /// pull-request body.
    ///
    /// Exit code 0 when nothing drifted, 3 when upstream drifted, 1 when the check failed.
    Drift(DownloadArgs),
    /// Per platform crate: operations, deprecated ones (and how many name a successor), and the share of
    /// response fields with a Rust type; the README's platform table (regen writes it there, check compares).
    Stats(StatsArgs),
}

/// The repository root (xtask lives in `<root>/xtask`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent folder")
        .to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(root);
    let drift_code = ExitCode::from(codegen::diff::DRIFT_EXIT_CODE);
    let result = match cli.command {
        Command::Fetch(args) => cmd::fetch::run(&root, &args).map(|()| ExitCode::SUCCESS),
        Command::Regen { offline: true, .. } => cmd::regen::offline(&root).map(|()| ExitCode::SUCCESS),
        Command::Regen {
            offline: false,
            fetch,
            remove,
        } => cmd::regen::online(&root, &fetch, &remove).map(|()| ExitCode::SUCCESS),
        Command::Generate(args) => cmd::generate::run(&root, &args).map(|()| ExitCode::SUCCESS),
        Command::Check => cmd::check::run(&root).map(|ok| if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Diff(args) => {
            cmd::diff::run(&root, &args).map(|fail| if fail { drift_code } else { ExitCode::SUCCESS })
        }
        Command::Stats(args) => cmd::stats::run(&root, &args).map(|()| ExitCode::SUCCESS),
        Command::Drift(args) => {
            cmd::drift::run(&root, &args).map(|drifted| if drifted { drift_code } else { ExitCode::SUCCESS })
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
