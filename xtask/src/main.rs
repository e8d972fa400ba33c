//! `cargo xtask <command>`: repository chores.

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod fetch;

#[derive(Parser)]
#[command(
    name = "xtask",
    about = "Repository chores for the Just One API client generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Download the definitions listed in specs/manifest.yaml into specs/ and update specs/specs.lock.
    Fetch(fetch::FetchArgs),
}

fn main() -> ExitCode {
    // xtask/ sits directly in the repository root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory");
    match Cli::parse().command {
        Command::Fetch(args) => fetch::run(root, args),
    }
}
