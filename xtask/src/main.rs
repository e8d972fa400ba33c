//! `cargo xtask <command>`: the maintainers' front end. Thin: the logic lives in the `codegen` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod fetch;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Generate and check the Just One API client crates")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Download the definitions listed in specs/manifest.yaml into specs/ and update specs/specs.lock.
    Fetch(fetch::FetchArgs),
    /// Fetch (unless --offline), then regenerate generated/ from specs/.
    Regen {
        /// Use the vendored specs as they are; no network.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        fetch: fetch::FetchArgs,
    },
    /// Generate client crates from an aggregate definition or a folder of per-endpoint definitions.
    Generate {
        /// An aggregate OpenAPI file (3.0 or 3.1), or a folder of `<slug>-<lang>.json` definitions.
        #[arg(long, value_name = "FILE|DIR")]
        spec: PathBuf,
        /// Output folder: one crate per platform plus a workspace Cargo.toml.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only this platform (the path segment after /api/, e.g. xiaohongshu-pgy).
        #[arg(long, value_name = "KEY", conflicts_with = "all_platforms")]
        platform: Option<String>,
        /// Every platform (the default when --platform is not given).
        #[arg(long)]
        all_platforms: bool,
        /// Crate name when a single platform is generated (default justoneapi-<platform>).
        #[arg(long, value_name = "NAME")]
        crate_name: Option<String>,
    },
    /// Exit non-zero when generated/ is not exactly what specs/ + codegen/ produce, or specs/ does not
    /// match specs/specs.lock.
    Check,
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
    let root = root();
    let result = match cli.command {
        Command::Fetch(args) => return fetch::run(&root, args),
        Command::Regen { offline, fetch } => {
            if !offline {
                let code = fetch::run(&root, fetch);
                if code != ExitCode::SUCCESS {
                    return code;
                }
            }
            regen(&root)
        }
        Command::Check => check(&root),
        Command::Generate {
            spec,
            out,
            platform,
            all_platforms: _,
            crate_name,
        } => generate(
            &root,
            &spec,
            &out,
            codegen::pipeline::SpecOptions { platform, crate_name },
        ),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_warnings(outputs: &codegen::outputs::Outputs) {
    for w in &outputs.warnings {
        eprintln!("{w}");
    }
}

fn regen(root: &Path) -> anyhow::Result<ExitCode> {
    let outputs = codegen::outputs::plan(root)?;
    print_warnings(&outputs);
    let touched = codegen::outputs::apply(root, &outputs)?;
    for t in &touched {
        println!("updated {}", t.display());
    }
    println!(
        "regen: {} files, {} updated (specs sha256 {})",
        outputs.files.len(),
        touched.len(),
        &outputs.digest[..12]
    );
    Ok(ExitCode::SUCCESS)
}

fn check(root: &Path) -> anyhow::Result<ExitCode> {
    let outputs = codegen::outputs::plan(root)?;
    print_warnings(&outputs);
    let drift = codegen::outputs::check(root, &outputs)?;
    if drift.is_clean() {
        println!(
            "check: generated/ is up to date with specs/ ({} files)",
            outputs.files.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprint!("{drift}");
        eprintln!("check: generated/ or specs/ is out of date");
        Ok(ExitCode::FAILURE)
    }
}

fn generate(root: &Path, spec: &Path, out: &Path, opts: codegen::pipeline::SpecOptions) -> anyhow::Result<ExitCode> {
    let manifest = codegen::manifest::Manifest::load(&codegen::manifest::Layout::new(root).manifest())?;
    let outputs = codegen::outputs::plan_generate(spec, &manifest, &opts)?;
    print_warnings(&outputs);
    let touched = codegen::outputs::apply(out, &outputs)?;
    println!(
        "generate: {} crates, {} files, {} updated in {}",
        outputs.crate_dirs.len(),
        outputs.files.len(),
        touched.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
