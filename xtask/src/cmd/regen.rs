//! `cargo xtask regen [--offline]`: fetch (unless offline), then regenerate `generated/` from `specs/`.
//!
//! Online, everything is computed in memory first — the downloaded definitions and lock, the version bumps
//! and changelog entries they call for, the type memory they teach, and the generated crates — and then
//! committed as one transaction, so a failure anywhere leaves `specs/` and `generated/` as they were.
//!
//! `XTASK_FAIL_AFTER_FETCH=1` makes an online regen fail right after the download (a test hook).

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use codegen::{Generated, Specs};

use super::fetch::DownloadArgs;
use crate::project::{today_utc, Project};
use crate::release;
use crate::upstream;
use crate::writer::Transaction;

/// Environment variable that makes an online regen fail after its download (a test hook).
pub const FAIL_AFTER_FETCH: &str = "XTASK_FAIL_AFTER_FETCH";

/// `generated/` for the checkout at `root`, computed (nothing written).
pub fn plan(root: &Path) -> Result<(Project, Generated)> {
    let project = Project::load(root)?;
    let generated = codegen::generate(&project.specs)?;
    Ok((project, generated))
}

/// Stages `generated` (and the deletion of orphans in the crates' folders) into `tx`, with the README's
/// platform table.
pub fn stage_generated(tx: &mut Transaction, root: &Path, generated: &Generated) -> Result<()> {
    super::stage_outputs(tx, root, &generated.files, &generated.owned_dirs)?;
    if let Some((path, _, expected)) = super::stats::readme_update(root, &generated.stats)? {
        tx.write(path, expected.into_bytes());
    }
    Ok(())
}

/// Writes what changed of `generated` under `root` (one transaction). Returns the paths written or deleted.
pub fn apply(root: &Path, generated: &Generated) -> Result<Vec<std::path::PathBuf>> {
    let mut tx = Transaction::new();
    stage_generated(&mut tx, root, generated)?;
    Ok(tx.commit()?)
}

fn print_warnings(generated: &Generated) {
    for w in &generated.warnings {
        eprintln!("{w}");
    }
}

fn report(touched: &[std::path::PathBuf], root: &Path, generated: &Generated) {
    for t in touched {
        println!("updated {}", t.strip_prefix(root).unwrap_or(t).display());
    }
    println!(
        "regen: {} files, {} updated (inputs sha256 {})",
        generated.files.len(),
        touched.len(),
        &generated.digest[..12]
    );
}

pub fn offline(root: &Path) -> Result<()> {
    let (_, generated) = plan(root)?;
    print_warnings(&generated);
    let touched = apply(root, &generated)?;
    report(&touched, root, &generated);
    Ok(())
}

/// `cargo xtask regen` (online): follow upstream and release what changed. `remove`: endpoints upstream no
/// longer lists to drop for good (`METHOD /path`), a maintainer's explicit decision and a breaking change.
pub fn online(root: &Path, args: &DownloadArgs, remove: &[String]) -> Result<()> {
    let project = Project::load(root)?;
    let layout = &project.layout;
    // The API before, to bump versions and write changelogs for what changes.
    let before = release::snapshot(&project.specs)?;

    let mut pulled = upstream::pull(&project, args)?;
    for w in &pulled.warnings {
        eprintln!("{w}");
    }
    if std::env::var_os(FAIL_AFTER_FETCH).is_some() {
        bail!("failure injected by {FAIL_AFTER_FETCH} after the download; nothing was written");
    }
    let removed = remove_for_good(&mut pulled.specs, remove)?;
    let mut specs: Specs = pulled.specs.clone();

    // Version bumps and changelog entries for what changed.
    let after = release::snapshot(&specs)?;
    let planned = release::plan(&before, &after, &specs, &today_utc())?;
    if specs.manifest_text != planned.manifest_text {
        specs.manifest_text = planned.manifest_text.clone();
        specs.manifest = codegen::manifest::Manifest::parse(&specs.manifest_text, "specs/manifest.yaml".as_ref())?;
    }
    // Bumped crates and new ones (first entry, no bump) both bring a changelog.
    specs.changelogs.extend(planned.changelogs.clone());

    // What the definitions teach becomes the memory (`regen --offline` only reads it); the memory is an
    // input too, so generate from specs/ as it will be: again when the memory changed (the output is a
    // function of specs/, so when nothing changed the first run's is it).
    let first = codegen::generate(&specs)?;
    let mut memory_changed = Vec::new();
    for (platform, m) in &first.learned {
        if specs.memory.get(platform) != Some(m) {
            memory_changed.push(platform.clone());
            specs.memory.insert(platform.clone(), m.clone());
        }
    }
    let generated = if memory_changed.is_empty() {
        first
    } else {
        codegen::generate(&specs)?
    };
    print_warnings(&generated);

    let mut tx = Transaction::new();
    pulled.specs = specs.clone();
    upstream::stage(&mut tx, &layout.specs(), &pulled);
    for rel in &removed {
        tx.delete(layout.specs().join(rel));
    }
    tx.write(layout.manifest(), specs.manifest_text.as_bytes());
    for (name, text) in &planned.changelogs {
        tx.write(layout.changelog(name), text.as_bytes());
    }
    for platform in &memory_changed {
        tx.write(
            layout.types().join(codegen::memory_file_name(platform)),
            specs.memory[platform].to_json(),
        );
    }
    stage_generated(&mut tx, root, &generated)?;
    let touched = tx
        .commit()
        .map_err(|e| anyhow!("{e}\nregen failed; nothing was written"))?;
    for r in &planned.releases {
        println!(
            "release      {} {} -> {} ({}); see specs/changelog/{}.md",
            r.crate_name,
            r.previous,
            r.version,
            r.report.summary(),
            r.crate_name
        );
    }
    for name in &planned.added {
        println!("new crate    {name}; see specs/changelog/{name}.md");
    }
    if let Some((previous, version)) = &planned.facade {
        println!("release      facade {previous} -> {version} (with the crates above)");
    }
    if !memory_changed.is_empty() {
        println!("types: {} platform files updated in specs/types", memory_changed.len());
    }
    report(&touched, root, &generated);
    Ok(())
}

/// Drops endpoints upstream no longer lists, for good: their definitions, lock entries, lifecycle record and
/// remembered types. Each must be gone (vendored, not listed); anything else is refused, naming it. Returns
/// the files to delete (relative to `specs/`).
fn remove_for_good(specs: &mut Specs, remove: &[String]) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for arg in remove {
        let (method, path) = arg
            .split_once(' ')
            .map(|(m, p)| (m.trim(), p.trim()))
            .ok_or_else(|| anyhow!("--remove {arg:?}: expected `METHOD /api/...`, e.g. `GET /api/weixin/search/v1`"))?;
        let method = match method.to_ascii_uppercase().as_str() {
            "GET" => codegen::ir::Method::Get,
            "POST" => codegen::ir::Method::Post,
            other => bail!("--remove {arg:?}: unknown method {other}"),
        };
        if specs.lifecycle.gone_since(method, path).is_none() {
            bail!(
                "--remove {arg:?}: only an endpoint upstream no longer lists can be removed, and {} {path} is {}",
                method.as_str(),
                if specs.definitions.keys().any(|rel| {
                    codegen::catalogue::layout::endpoint_of(rel).is_some_and(|(m, p, _)| m == method && p == path)
                }) {
                    "still listed in the catalogue"
                } else {
                    "not in the crates"
                }
            );
        }
        let own: Vec<String> = specs
            .definitions
            .keys()
            .filter(|rel| {
                codegen::catalogue::layout::endpoint_of(rel).is_some_and(|(m, p, _)| m == method && p == path)
            })
            .cloned()
            .collect();
        for rel in &own {
            specs.definitions.remove(rel);
            specs.lock.files.remove(rel);
        }
        files.extend(own);
        specs.lifecycle.gone.retain(|e| !(e.method == method && e.path == path));
        let platform = codegen::platform_of(path);
        if let Some(m) = specs.memory.get_mut(&platform) {
            m.entries.remove(&format!("{} {path}", method.as_str()));
        }
        println!("remove       {} {path} (upstream no longer lists it)", method.as_str());
    }
    Ok(files)
}
