//! `cargo xtask generate --spec <file|dir> --out <dir>`: client crates from an aggregate definition or a folder
//! of per-endpoint definitions, with an optional type memory (`--types`).

use std::path::{Path, PathBuf};

use anyhow::Result;
use codegen::manifest::Manifest;
use codegen::SpecOptions;

use crate::project::{read_memories, read_spec_input, read_text, today_utc, Layout};
use crate::writer::Transaction;

#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// An aggregate OpenAPI file (3.0 or 3.1), or a folder of `<slug>-<lang>.json` definitions.
    #[arg(long, value_name = "FILE|DIR")]
    pub spec: PathBuf,
    /// Output folder: one crate per platform plus a workspace Cargo.toml.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only this platform (the path segment after /api/, e.g. xiaohongshu-pgy).
    #[arg(long, value_name = "KEY", conflicts_with = "all_platforms")]
    pub platform: Option<String>,
    /// Every platform (the default when --platform is not given).
    #[arg(long)]
    pub all_platforms: bool,
    /// Crate name when a single platform is generated (default justoneapi-<platform>).
    #[arg(long, value_name = "NAME")]
    pub crate_name: Option<String>,
    /// Type memory: read remembered response types from DIR (`<platform>.json`) and write back what this spec
    /// teaches (DIR is created when absent).
    #[arg(long, value_name = "DIR")]
    pub types: Option<PathBuf>,
}

/// The repository's manifest: the texts every crate shares (servers, business codes, deprecation notice).
pub fn shared_manifest(root: &Path) -> Result<Manifest> {
    Ok(Manifest::parse(
        &read_text(&Layout::new(root).manifest())?,
        "specs/manifest.yaml".as_ref(),
    )?)
}

pub fn run(root: &Path, args: &GenerateArgs) -> Result<()> {
    let manifest = shared_manifest(root)?;
    let spec = read_spec_input(&args.spec)?;
    let memory = match &args.types {
        Some(dir) => read_memories(dir)?,
        None => Default::default(),
    };
    let opts = SpecOptions {
        // `--all-platforms` is the default; with `--platform` clap refuses it.
        platform: args.platform.clone().filter(|_| !args.all_platforms),
        crate_name: args.crate_name.clone(),
        seen: Some(today_utc()),
    };
    let generated = codegen::generate_spec(&spec, &manifest, &opts, &memory)?;
    for w in &generated.warnings {
        eprintln!("{w}");
    }
    let mut tx = Transaction::new();
    super::stage_outputs(&mut tx, &args.out, &generated.files, &generated.owned_dirs)?;
    let mut memory_files = 0;
    if let Some(dir) = &args.types {
        for (platform, m) in &generated.learned {
            if memory.get(platform) != Some(m) {
                tx.write(dir.join(codegen::memory_file_name(platform)), m.to_json());
                memory_files += 1;
            }
        }
    }
    let touched = tx.commit()?;
    if let Some(dir) = &args.types {
        println!(
            "types: {memory_files} of {} platform files updated in {}",
            generated.learned.len(),
            dir.display()
        );
    }
    println!(
        "generate: {} crates, {} files, {} updated in {}",
        generated.crates,
        generated.files.len(),
        touched.len() - memory_files,
        args.out.display()
    );
    Ok(())
}
