//! `cargo xtask drift`: has upstream moved on from `specs/`? Computes what `cargo xtask regen` would vendor
//! (`upstream::pull`: the catalogue and every definition it publishes, in memory; nothing is written) and
//! compares each crate's API before and after, as `regen`'s changelog entries would: the body of the pull
//! request `regen` would make.
//!
//! States already recorded in `specs/` (hidden endpoints, gone ones kept) are not drift: right after a `regen`
//! against the same upstream this exits 0.
//!
//! Exit codes: 0 no drift; 3 drift (stdout is the pull-request body); 1 the check failed (the catalogue or a
//! definition could not be downloaded or does not load; the reason is on stderr).

use std::path::Path;

use anyhow::Result;
use codegen::diff::{self, FailOn, Report};

use super::fetch::DownloadArgs;
use crate::project::Project;
use crate::{release, upstream};

/// What upstream changed, per crate.
#[derive(Debug, Default)]
pub struct Drift {
    /// Crates whose API changed, with the changes.
    pub changed: Vec<(String, Report)>,
    /// Crates of new platforms, with their operation count.
    pub added: Vec<(String, usize)>,
}

impl Drift {
    pub fn drifted(&self) -> bool {
        !self.added.is_empty() || self.changed.iter().any(|(_, r)| r.fails(FailOn::Any))
    }
}

/// Compares upstream's current state with `specs/`.
pub fn compute(root: &Path, args: &DownloadArgs) -> Result<Drift> {
    let project = Project::load(root)?;
    let before = release::snapshot(&project.specs)?;
    let pulled = upstream::pull(&project, args)?;
    for w in &pulled.warnings {
        eprintln!("{w}");
    }
    let after = release::snapshot(&pulled.specs)?;
    let mut out = Drift::default();
    for (name, new) in &after {
        match before.get(name) {
            Some(old) => {
                let report = diff::diff_api(old, new);
                if !report.is_empty() {
                    out.changed.push((name.clone(), report));
                }
            }
            None => out.added.push((name.clone(), new.operations.len())),
        }
    }
    Ok(out)
}

/// Prints the pull-request body; `true` when upstream drifted.
pub fn run(root: &Path, args: &DownloadArgs) -> Result<bool> {
    let drift = compute(root, args)?;
    if !drift.drifted() {
        println!("No drift: upstream's catalogue and definitions match specs/.");
        return Ok(false);
    }
    for (name, operations) in &drift.added {
        println!(
            "## `{name}` (new platform)\n\n{operations} operations; a new crate and a new feature of the facade.\n"
        );
    }
    for (name, report) in &drift.changed {
        print!("## `{name}`\n\n{}\n", report.to_markdown());
    }
    println!(
        "Run `cargo xtask regen` to vendor the catalogue and definitions, bump the crate versions and write the \
         changelogs."
    );
    Ok(true)
}
