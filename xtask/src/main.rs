//! `cargo xtask <command>`: the maintainers' front end. Thin: the logic lives in the `codegen` library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod fetch;

// Generation allocates millions of short-lived token trees and syn nodes; with glibc's allocator, malloc and
// free were a third of the profile (scripts/perf/profile.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    ///
    /// Online, a crate whose API the fetch changed gets its version bumped in specs/manifest.yaml (by the
    /// semver rules of `cargo xtask diff`) and an entry in specs/changelog/<crate>.md.
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
        /// Type memory: read remembered response types from DIR (`<platform>.json`) and write back what this
        /// spec teaches (DIR is created when absent).
        #[arg(long, value_name = "DIR")]
        types: Option<PathBuf>,
    },
    /// Exit non-zero when generated/ is not exactly what specs/ + codegen/ produce, or specs/ does not
    /// match specs/specs.lock.
    Check,
    /// Report how the API changed between two definitions, judged by the effect on the generated crate.
    ///
    /// Exit code 0, or 3 when --fail-on matches; 1 when a definition cannot be read.
    Diff {
        /// The old definition: an aggregate OpenAPI file or per-endpoint file, or a folder of
        /// `<slug>-<lang>.json` definitions.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The new definition (same kinds as OLD).
        #[arg(value_name = "NEW")]
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
        format: DiffFormat,
        /// Exit with code 3 on any breaking change (`breaking`) or on any change at all (`any`).
        #[arg(long, value_enum, value_name = "WHAT")]
        fail_on: Option<FailOn>,
        /// Only this platform (the path segment after /api/).
        #[arg(long, value_name = "KEY")]
        platform: Option<String>,
        /// Judge with the type memory in DIR (`<platform>.json`, read only): a dropped example whose type is
        /// remembered is a docs change.
        #[arg(long, value_name = "DIR")]
        types: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DiffFormat {
    /// A pull-request body.
    Markdown,
    /// `{"changes":[{"method","path","kind","severity","detail"}],"semver":"..."}`
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FailOn {
    Breaking,
    Any,
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
                // The API before the fetch, to bump versions and write changelogs for what the fetch changed.
                let before = match codegen::release::snapshot(&root) {
                    Ok(before) => Some(before),
                    Err(e) => {
                        eprintln!(
                            "warning: cannot build the API from specs/ before the fetch ({e}); \
                             versions and changelogs are left alone"
                        );
                        None
                    }
                };
                let code = fetch::run(&root, fetch);
                if code != ExitCode::SUCCESS {
                    return code;
                }
                if let Some(before) = before {
                    match codegen::release::record(&root, &before, &codegen::release::today_utc()) {
                        Ok(releases) => {
                            for r in &releases {
                                println!(
                                    "release      {} {} -> {} ({}); see {}",
                                    r.crate_name,
                                    r.previous,
                                    r.version,
                                    r.report.summary(),
                                    r.changelog.display()
                                );
                            }
                        }
                        Err(e) => {
                            eprintln!("error: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                }
            }
            regen(&root, !offline)
        }
        Command::Check => check(&root),
        Command::Generate {
            spec,
            out,
            platform,
            all_platforms: _,
            crate_name,
            types,
        } => generate(
            &root,
            &spec,
            &out,
            codegen::pipeline::SpecOptions {
                platform,
                crate_name,
                seen: Some(codegen::release::today_utc()),
            },
            types.as_deref(),
        ),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
            platform,
            types,
        } => diff(&root, &old, &new, format, fail_on, platform, types.as_deref()),
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

fn regen(root: &Path, remember: bool) -> anyhow::Result<ExitCode> {
    let outputs = codegen::outputs::plan(root)?;
    print_warnings(&outputs);
    if remember {
        // Online: what the fetched definitions teach becomes the memory (`regen --offline` only reads it).
        let layout = codegen::manifest::Layout::new(root);
        let before = codegen::pipeline::load_memories(&layout.types())?;
        let written = write_memories(&layout.types(), &before, &outputs.learned)?;
        if written > 0 {
            println!("types: {written} platform files updated in specs/types");
            // The memory is an input: generate again so the headers' digest covers it.
            return regen(root, false);
        }
    }
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

fn generate(
    root: &Path,
    spec: &Path,
    out: &Path,
    opts: codegen::pipeline::SpecOptions,
    types: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let manifest = codegen::manifest::Manifest::load(&codegen::manifest::Layout::new(root).manifest())?;
    let memory = match types {
        Some(dir) => codegen::pipeline::load_memories(dir)?,
        None => Default::default(),
    };
    let outputs = codegen::outputs::plan_generate_remembering(spec, &manifest, &opts, &memory)?;
    print_warnings(&outputs);
    let touched = codegen::outputs::apply(out, &outputs)?;
    if let Some(dir) = types {
        let written = write_memories(dir, &memory, &outputs.learned)?;
        println!(
            "types: {written} of {} platform files updated in {}",
            outputs.learned.len(),
            dir.display()
        );
    }
    println!(
        "generate: {} crates, {} files, {} updated in {}",
        outputs.crate_dirs.len(),
        outputs.files.len(),
        touched.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the memory files whose content changed (one file per platform); returns how many.
fn write_memories(
    dir: &Path,
    before: &codegen::pipeline::Memories,
    learned: &codegen::pipeline::Memories,
) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir).map_err(|e| codegen::Error::io(dir, e))?;
    let mut written = 0;
    for (platform, memory) in learned {
        if before.get(platform) == Some(memory) {
            continue;
        }
        let path = dir.join(codegen::normalize::memory::file_name(platform));
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, memory.to_json()).map_err(|e| codegen::Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| codegen::Error::io(&path, e))?;
        written += 1;
    }
    Ok(written)
}

#[allow(clippy::too_many_arguments)]
fn diff(
    root: &Path,
    old: &Path,
    new: &Path,
    format: DiffFormat,
    fail_on: Option<FailOn>,
    platform: Option<String>,
    types: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    // Shared texts (servers, business codes, deprecation notice) are the same on both sides.
    let manifest = codegen::manifest::Manifest::load(&codegen::manifest::Layout::new(root).manifest())?;
    let opts = codegen::pipeline::SpecOptions {
        platform,
        crate_name: None,
        seen: Some(codegen::release::today_utc()),
    };
    let memory = match types {
        Some(dir) => Some(codegen::pipeline::load_memories(dir)?),
        None => None,
    };
    let report = codegen::diff::diff_specs_remembering(old, new, &manifest, &opts, memory.as_ref())?;
    match format {
        DiffFormat::Json => println!("{}", report.to_json()),
        DiffFormat::Markdown => print!("{}", report.to_markdown()),
    }
    let fail = fail_on.is_some_and(|on| {
        report.fails(match on {
            FailOn::Breaking => codegen::diff::FailOn::Breaking,
            FailOn::Any => codegen::diff::FailOn::Any,
        })
    });
    Ok(if fail {
        ExitCode::from(codegen::diff::DRIFT_EXIT_CODE)
    } else {
        ExitCode::SUCCESS
    })
}
