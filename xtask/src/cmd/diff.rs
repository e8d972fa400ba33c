//! `cargo xtask diff OLD NEW`: how the API changed between two definitions, judged by the generated crate.

use std::path::{Path, PathBuf};

use anyhow::Result;
use codegen::diff::{FailOn, Report};
use codegen::SpecOptions;

use crate::project::{read_memories, read_spec_input, today_utc};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DiffFormat {
    /// A pull-request body.
    Markdown,
    /// `{"changes":[{"method","path","kind","severity","detail"}],"semver":"..."}`
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FailOnArg {
    Breaking,
    Any,
}

impl From<FailOnArg> for FailOn {
    fn from(on: FailOnArg) -> FailOn {
        match on {
            FailOnArg::Breaking => FailOn::Breaking,
            FailOnArg::Any => FailOn::Any,
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The old definition: an aggregate OpenAPI file or per-endpoint file, or a folder of
    /// `<slug>-<lang>.json` definitions.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new definition (same kinds as OLD).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    /// Exit with code 3 on any breaking change (`breaking`) or on any change at all (`any`).
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOnArg>,
    /// Only this platform (the path segment after /api/).
    #[arg(long, value_name = "KEY")]
    pub platform: Option<String>,
    /// Judge with the type memory in DIR (`<platform>.json`, read only): a dropped example whose type is
    /// remembered is a docs change.
    #[arg(long, value_name = "DIR")]
    pub types: Option<PathBuf>,
}

/// The report of `args`.
pub fn report(root: &Path, args: &DiffArgs) -> Result<Report> {
    // Shared texts (servers, business codes, deprecation notice) are the same on both sides.
    let manifest = super::generate::shared_manifest(root)?;
    let opts = SpecOptions {
        platform: args.platform.clone(),
        crate_name: None,
        seen: Some(today_utc()),
    };
    let memory = match &args.types {
        Some(dir) => Some(read_memories(dir)?),
        None => None,
    };
    let (old, new) = (read_spec_input(&args.old)?, read_spec_input(&args.new)?);
    Ok(codegen::diff::diff_specs_remembering(
        &old,
        &new,
        &manifest,
        &opts,
        memory.as_ref(),
    )?)
}

/// Prints the report; `true` when `--fail-on` matches.
pub fn run(root: &Path, args: &DiffArgs) -> Result<bool> {
    let report = report(root, args)?;
    match args.format {
        DiffFormat::Json => println!("{}", report.to_json()),
        DiffFormat::Markdown => print!("{}", report.to_markdown()),
    }
    Ok(args.fail_on.is_some_and(|on| report.fails(on.into())))
}
