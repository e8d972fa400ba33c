//! `cargo xtask drift`: has upstream changed the definitions vendored under `specs/`? Downloads every
//! definition into memory (nothing is written), compares each docs group with `specs/<group>`, and prints the
//! reports: the body of the pull request `cargo xtask regen` would make.
//!
//! Exit codes: 0 no drift; 3 drift (stdout is the pull-request body); 1 the check failed (a download failed,
//! a definition does not load; the reason is on stderr).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use codegen::diff::{FailOn, Report};
use codegen::{Source, SpecInput, SpecOptions};

use super::fetch::{download_blocking, DownloadArgs};
use crate::project::{today_utc, Project};

/// The report of each docs group, in group order.
pub fn reports(root: &Path, args: &DownloadArgs) -> Result<Vec<(String, Report)>> {
    let project = Project::load(root)?;
    let specs = &project.specs;
    let current: BTreeMap<String, Vec<u8>> = specs
        .definitions
        .iter()
        .map(|(rel, s)| (rel.clone(), s.bytes.clone()))
        .collect();
    let downloaded = download_blocking(&specs.manifest, &specs.lock, &current, &args.options())?;
    let opts = SpecOptions {
        seen: Some(today_utc()),
        ..SpecOptions::default()
    };
    let mut groups: BTreeMap<String, (Vec<Source>, Vec<Source>)> = BTreeMap::new();
    for file in specs.manifest.spec_files() {
        let rel = file.rel_path();
        let entry = groups.entry(file.group.clone()).or_default();
        if let Some(old) = specs.definitions.get(&rel) {
            entry.0.push(old.clone());
        }
        if let Some(bytes) = downloaded.definitions.get(&rel) {
            entry
                .1
                .push(Source::new(PathBuf::from("upstream").join(&rel), bytes.clone()));
        }
    }
    let mut out = Vec::new();
    for (group, (old, new)) in groups {
        let folder = |prefix: &str, files: Vec<Source>| SpecInput::Folder {
            path: PathBuf::from(prefix).join(&group),
            files,
        };
        let report =
            codegen::diff::diff_specs(&folder("specs", old), &folder("upstream", new), &specs.manifest, &opts)?;
        out.push((group, report));
    }
    Ok(out)
}

/// Prints the pull-request body; `true` when upstream drifted.
pub fn run(root: &Path, args: &DownloadArgs) -> Result<bool> {
    let reports = reports(root, args)?;
    let drifted = reports.iter().any(|(_, r)| r.fails(FailOn::Any));
    for (group, report) in &reports {
        print!("## `specs/{group}`\n\n{}\n", report.to_markdown());
    }
    if drifted {
        println!(
            "Run `cargo xtask regen` to vendor these definitions, bump the crate versions and write the changelogs."
        );
    }
    Ok(drifted)
}
