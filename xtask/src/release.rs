//! Versions and changelogs of the generated crates, for `cargo xtask regen`.
//!
//! Both live under `specs/`, so `generated/` stays a pure function of `specs/`:
//!
//! * the version is the crate's `version:` line in `specs/manifest.yaml`;
//! * the changelog is `specs/changelog/<crate>.md`, written only here, emitted as the crate's `CHANGELOG.md`.
//!
//! `cargo xtask regen` (online) takes a [`snapshot`] of every crate's IR before and after the fetch (both in
//! memory) and calls [`plan`]: for each crate whose IR changed, the version is bumped by
//! `codegen::diff::bump_version` and an entry listing the changes is prepended to the changelog. A crate
//! whose IR did not change keeps its version and changelog byte for byte. The manifest is edited textually
//! (one line), so its comments survive. Nothing is written here: regen commits it with everything else.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{anyhow, Result};
use codegen::diff::{self, Report, Semver, Severity};
use codegen::ir::Api;
use codegen::manifest::Manifest;
use codegen::Specs;

/// First lines of every changelog.
pub const CHANGELOG_HEADER: &str = "# Changelog\n\n\
Every release of this crate follows a change of Just One API's published definitions, or of the generator. \
Entries for the first are written by `cargo xtask regen` from the difference between the API before and after \
the fetch; entries for the second come with the generator change (newest first). Versions follow Cargo's semver \
rules (`0.x`: a breaking change bumps the minor version, anything else the patch).\n";

/// The IR of every crate of `specs`, keyed by crate name (none before the first catalogue is vendored).
pub fn snapshot(specs: &Specs) -> Result<BTreeMap<String, Api>> {
    if specs.catalogue.is_none() {
        return Ok(BTreeMap::new());
    }
    let mut warnings = Vec::new();
    Ok(codegen::crate_apis(specs, &mut warnings)?
        .into_iter()
        .map(|b| (b.api.crate_name.clone(), b.api))
        .collect())
}

/// A version bump and its changelog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub crate_name: String,
    pub previous: String,
    pub version: String,
    pub semver: Semver,
    /// The changes, as in the changelog entry.
    pub report: Report,
}

/// What [`plan`] decided: the new manifest and changelogs (whole texts), and the releases.
#[derive(Debug, Clone)]
pub struct Planned {
    pub manifest_text: String,
    /// Every changelog that changed, by crate name.
    pub changelogs: BTreeMap<String, String>,
    pub releases: Vec<Release>,
    /// Crates released for the first time (a new platform), by name.
    pub added: Vec<String>,
    /// Crates no longer generated (every endpoint removed with `regen --remove`), by name.
    pub removed: Vec<String>,
    /// The facade's version bump (previous, new), when it has one.
    pub facade: Option<(String, String)>,
}

/// Compares `before` (a [`snapshot`] taken before the fetch) with `after`, and for every crate that changed
/// bumps its version in the manifest text and prepends a changelog entry dated `date` (`YYYY-MM-DD`). Crates
/// that did not exist before (new in the manifest) keep their version. Nothing is written: the caller
/// commits the result with everything else.
pub fn plan(
    before: &BTreeMap<String, Api>,
    after: &BTreeMap<String, Api>,
    specs: &Specs,
    date: &str,
) -> Result<Planned> {
    let mut manifest_text = specs.manifest_text.clone();
    let mut changelogs = BTreeMap::new();
    let mut releases = Vec::new();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for (name, new) in after {
        // Every crate released gets its entry in the manifest (a new platform's, or one a `fetch` + `regen
        // --offline` generated at its default version), so this and later releases bump it there.
        let manifest = Manifest::parse(&manifest_text, "specs/manifest.yaml".as_ref())?;
        if !manifest.crates.iter().any(|c| &c.name == name) {
            manifest_text = add_crate(&manifest_text, &new.platform, name, &new.version)?;
        }
        let Some(old) = before.get(name) else {
            // A new crate (a new platform) is released at its version, with a first entry.
            if !specs.changelogs.contains_key(name) {
                changelogs.insert(name.clone(), first_changelog(&new.version, date, new));
            }
            added.push(name.clone());
            continue;
        };
        let report = diff::diff_api(old, new);
        if report.is_empty() {
            continue;
        }
        let manifest = Manifest::parse(&manifest_text, "specs/manifest.yaml".as_ref())?;
        let krate = manifest
            .crates
            .iter()
            .find(|c| &c.name == name)
            .ok_or_else(|| anyhow!("specs/manifest.yaml: no crate `{name}`"))?;
        let previous = krate.version.clone();
        let version = diff::bump_version(&previous, report.semver)
            .map_err(|e| anyhow!("specs/manifest.yaml: crate `{name}`: {e}"))?;
        let edited = set_version(&manifest_text, name, &version).ok_or_else(|| {
            anyhow!("specs/manifest.yaml: cannot find the `version:` line of crate `{name}` to bump it to {version}")
        })?;
        // The edit must say exactly what we meant: parse it back.
        let check = Manifest::parse(&edited, "specs/manifest.yaml".as_ref())?;
        if check
            .crates
            .iter()
            .find(|c| &c.name == name)
            .map(|c| c.version.as_str())
            != Some(version.as_str())
        {
            return Err(anyhow!(
                "specs/manifest.yaml: editing the version of `{name}` did not give {version}; left unchanged"
            ));
        }
        manifest_text = edited;
        let old_log = specs
            .changelogs
            .get(name)
            .cloned()
            .unwrap_or_else(|| CHANGELOG_HEADER.to_owned());
        changelogs.insert(
            name.clone(),
            prepend_entry(&old_log, &changelog_entry(&version, date, &report)),
        );
        releases.push(Release {
            crate_name: name.clone(),
            previous,
            semver: report.semver,
            version,
            report,
        });
    }
    for (name, old) in before {
        if !after.contains_key(name) {
            // Every endpoint removed for good: the crate is no longer generated.
            manifest_text = remove_crate(&manifest_text, &old.platform)?;
            removed.push(name.clone());
        }
    }
    let facade = plan_facade(
        &mut manifest_text,
        &mut changelogs,
        &releases,
        (&added, &removed),
        after,
        specs,
        date,
    )?;
    Ok(Planned {
        manifest_text,
        changelogs,
        releases,
        added,
        removed,
        facade,
    })
}

/// The facade re-exports every platform crate, so it is released with them: bumped by the largest bump among
/// them (a new platform is a new feature: patch in `0.x`, minor after), with an entry naming each crate. A
/// facade without a changelog gets its first entry at its current version instead.
fn plan_facade(
    manifest_text: &mut String,
    changelogs: &mut BTreeMap<String, String>,
    releases: &[Release],
    (added, removed): (&[String], &[String]),
    after: &BTreeMap<String, Api>,
    specs: &Specs,
    date: &str,
) -> Result<Option<(String, String)>> {
    let manifest = Manifest::parse(manifest_text, "specs/manifest.yaml".as_ref())?;
    let Some(facade) = manifest.facade else {
        return Ok(None);
    };
    let Some(old_log) = specs.changelogs.get(&facade.name) else {
        let mut log = CHANGELOG_HEADER.to_owned();
        let _ = write!(
            log,
            "\n## {} ({date})\n\nFirst release: {} platform crates, one cargo feature each.\n",
            facade.version,
            after.len()
        );
        changelogs.insert(facade.name.clone(), log);
        return Ok(None);
    };
    if releases.is_empty() && added.is_empty() && removed.is_empty() {
        return Ok(None);
    }
    let mut semver = releases.iter().map(|r| r.semver).max().unwrap_or(Semver::None);
    if !added.is_empty() {
        semver = semver.max(Semver::Minor);
    }
    if !removed.is_empty() {
        // A feature of the facade disappears.
        semver = Semver::Major;
    }
    let version = diff::bump_version(&facade.version, semver)
        .map_err(|e| anyhow!("specs/manifest.yaml: facade `{}`: {e}", facade.name))?;
    let edited = set_facade_version(manifest_text, &version).ok_or_else(|| {
        anyhow!("specs/manifest.yaml: cannot find the `version:` line of `facade:` to bump it to {version}")
    })?;
    let check = Manifest::parse(&edited, "specs/manifest.yaml".as_ref())?;
    if check.facade.as_ref().map(|f| f.version.as_str()) != Some(version.as_str()) {
        return Err(anyhow!(
            "specs/manifest.yaml: editing the version of the facade did not give {version}; left unchanged"
        ));
    }
    *manifest_text = edited;
    let mut entry = format!("## {version} ({date})\n\nPlatform crates released with this version:\n\n");
    for r in releases {
        let _ = writeln!(
            entry,
            "- `{}` {} -> {} ({}): {}",
            r.crate_name,
            r.previous,
            r.version,
            r.semver.as_str(),
            r.report.summary()
        );
    }
    for name in added {
        let _ = writeln!(entry, "- `{name}` (new platform, new feature)");
    }
    for name in removed {
        let _ = writeln!(
            entry,
            "- `{name}` removed: every endpoint of its platform was removed for good (`regen --remove`); its \
             feature is gone"
        );
    }
    changelogs.insert(facade.name.clone(), prepend_entry(old_log, &entry));
    Ok(Some((facade.version, version)))
}

/// The manifest text with a crate entry for a new platform appended to `crates:` (created when absent); checked
/// by parsing it back.
pub fn add_crate(manifest: &str, platform: &str, name: &str, version: &str) -> Result<String> {
    let entry = format!("  - platform: {platform}\n    name: {name}\n    version: {version}\n");
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let mut out = String::with_capacity(manifest.len() + entry.len() + 16);
    match lines
        .iter()
        .position(|l| l.trim_end() == "crates:" || l.trim_end() == "crates: []")
    {
        Some(start) => {
            // The list ends at the next top-level key (or the end of the file); trailing comments stay after it.
            let end = lines[start + 1..]
                .iter()
                .position(|l| !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#'))
                .map_or(lines.len(), |i| start + 1 + i);
            let mut insert = end;
            while insert > start + 1 && (lines[insert - 1].trim().is_empty() || lines[insert - 1].starts_with('#')) {
                insert -= 1;
            }
            for (i, l) in lines.iter().enumerate() {
                if i == start {
                    out.push_str("crates:\n");
                    continue;
                }
                if i == insert {
                    out.push_str(&entry);
                }
                out.push_str(l);
            }
            if insert == lines.len() {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&entry);
            }
        }
        None => {
            out.push_str(manifest);
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("crates:\n");
            out.push_str(&entry);
        }
    }
    let check = Manifest::parse(&out, "specs/manifest.yaml".as_ref())?;
    if !check
        .crates
        .iter()
        .any(|c| c.name == name && c.platform == platform && c.version == version)
    {
        return Err(anyhow!(
            "specs/manifest.yaml: adding crate `{name}` did not give its entry; left unchanged"
        ));
    }
    Ok(out)
}

/// The manifest text without the crate entry of `platform` (its lines up to the next entry); checked by
/// parsing it back.
pub fn remove_crate(manifest: &str, platform: &str) -> Result<String> {
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let start_list = lines
        .iter()
        .position(|l| l.trim_end() == "crates:")
        .ok_or_else(|| anyhow!("specs/manifest.yaml: no `crates:` list to remove platform `{platform}` from"))?;
    let is_item = |l: &str| l.trim_start().starts_with("- ") && l.len() - l.trim_start().len() == 2;
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut i = start_list + 1;
    while i < lines.len() {
        let l = lines[i];
        if !l.starts_with(' ') && !l.trim().is_empty() && !l.starts_with('#') {
            break;
        }
        if is_item(l) {
            let mut j = i + 1;
            while j < lines.len() && !is_item(lines[j]) && (lines[j].starts_with("    ") || lines[j].trim().is_empty())
            {
                j += 1;
            }
            items.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    let owns = |(a, b): &(usize, usize)| {
        lines[*a..*b]
            .iter()
            .any(|l| l.trim_start().trim_start_matches("- ").trim() == format!("platform: {platform}"))
    };
    let (a, b) =
        items.iter().copied().find(|r| owns(r)).ok_or_else(|| {
            anyhow!("specs/manifest.yaml: cannot find the entry of platform `{platform}` to remove it")
        })?;
    let out: String = lines[..a].concat() + &lines[b..].concat();
    let check = Manifest::parse(&out, "specs/manifest.yaml".as_ref())?;
    if check.crates.iter().any(|c| c.platform == platform) {
        return Err(anyhow!(
            "specs/manifest.yaml: removing platform `{platform}` did not remove it; left unchanged"
        ));
    }
    Ok(out)
}

/// The manifest text with the `version:` value of the top-level `facade:` block replaced; `None` when the
/// line cannot be found.
pub fn set_facade_version(manifest: &str, version: &str) -> Option<String> {
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| l.trim_end() == "facade:")?;
    let line_no = lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with(' ') || l.trim().is_empty() || l.trim_start().starts_with('#'))
        .position(|l| l.trim_start().starts_with("version:"))
        .map(|i| start + 1 + i)?;
    let line = lines[line_no];
    let indent = &line[..line.len() - line.trim_start().len()];
    let ending = if line.ends_with('\n') { "\n" } else { "" };
    let mut out = String::with_capacity(manifest.len() + 8);
    for (i, l) in lines.iter().enumerate() {
        if i == line_no {
            out.push_str(&format!("{indent}version: {version}{ending}"));
        } else {
            out.push_str(l);
        }
    }
    Some(out)
}

/// The changelog of a crate released for the first time.
pub fn first_changelog(version: &str, date: &str, api: &Api) -> String {
    let deprecated = api.operations.iter().filter(|op| op.is_deprecated()).count();
    let mut s = CHANGELOG_HEADER.to_owned();
    let _ = write!(
        s,
        "\n## {version} ({date})\n\nFirst release: {} operations of `/api/{}/`",
        api.operations.len(),
        api.platform
    );
    if deprecated > 0 {
        let _ = write!(s, ", {deprecated} of them deprecated upstream");
    }
    s.push_str(".\n");
    s
}

/// The manifest text with crate `crate_name`'s `version:` value replaced (indentation, quotes and a
/// trailing comment kept; every other byte unchanged). `None` when the line cannot be found.
pub fn set_version(manifest: &str, crate_name: &str, version: &str) -> Option<String> {
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let crates = lines.iter().position(|l| l.trim_end() == "crates:")?;
    // Items of the `crates:` list: lines whose first non-space character is `-`, at one indentation.
    let item_indent = lines[crates + 1..]
        .iter()
        .find(|l| l.trim_start().starts_with('-'))
        .map(|l| indent(l))?;
    let key_indent = item_indent + 2;
    // (line index, key, value part) of the keys of the current item.
    let mut item: Vec<(usize, &str, &str)> = Vec::new();
    let mut items: Vec<Vec<(usize, &str, &str)>> = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(crates + 1) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = indent(line);
        if ind < item_indent || (ind == item_indent && !trimmed.starts_with('-')) {
            break; // the end of the crates list
        }
        let body = if ind == item_indent {
            items.push(std::mem::take(&mut item));
            trimmed[1..].trim_start()
        } else if ind == key_indent {
            trimmed
        } else {
            continue;
        };
        if let Some((key, value)) = body.split_once(':') {
            item.push((i, key.trim(), value));
        }
    }
    items.push(item);
    let unquote = |v: &str| {
        let v = v.split(" #").next().unwrap_or("").trim();
        v.trim_matches(|c| c == '"' || c == '\'').to_owned()
    };
    let target = items
        .iter()
        .find(|it| it.iter().any(|(_, k, v)| *k == "name" && unquote(v) == crate_name))?;
    let &(line_no, _, value) = target.iter().find(|(_, k, _)| *k == "version")?;
    let line = lines[line_no];
    // `value` is a slice of `line` (trimmed, so without the line break).
    let start = value.as_ptr() as usize - line.as_ptr() as usize;
    let end = start + value.len();
    let (value_text, comment) = match value.find(" #") {
        Some(c) => (&value[..c], &value[c..]),
        None => (value, ""),
    };
    let old = value_text.trim();
    let quote = if old.starts_with('"') {
        "\""
    } else if old.starts_with('\'') {
        "'"
    } else {
        ""
    };
    let lead = &value_text[..value_text.len() - value_text.trim_start().len()];
    let trail = &value_text[value_text.trim_end().len()..];
    let new_line = format!(
        "{}{lead}{quote}{version}{quote}{trail}{comment}{}",
        &line[..start],
        &line[end..]
    );
    let mut out = String::with_capacity(manifest.len() + 8);
    for (i, l) in lines.iter().enumerate() {
        out.push_str(if i == line_no { &new_line } else { l });
    }
    Some(out)
}

/// One changelog entry: heading with version and date, the summary, and the changes by severity.
pub fn changelog_entry(version: &str, date: &str, report: &Report) -> String {
    let mut out = format!(
        "## {version} ({date})\n\nUpstream definitions changed: {}.\n",
        report.summary()
    );
    for (sev, title) in [
        (Severity::Breaking, "Breaking"),
        (Severity::NonBreaking, "Non-breaking"),
        (Severity::Docs, "Documentation"),
    ] {
        let changes: Vec<_> = report.changes.iter().filter(|c| c.severity == sev).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = write!(out, "\n### {title}\n\n");
        for c in changes {
            let _ = write!(out, "- `{}` {}", c.subject(), c.kind);
            if !c.detail.is_empty() {
                let _ = write!(out, ": {}", c.detail.replace('\n', " "));
            }
            out.push('\n');
        }
    }
    out
}

/// Puts `entry` above the newest entry (the first `## ` heading), below the header.
pub fn prepend_entry(changelog: &str, entry: &str) -> String {
    let at = changelog
        .match_indices("## ")
        .find(|(i, _)| *i == 0 || changelog.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i);
    match at {
        Some(i) => format!("{}{entry}\n{}", &changelog[..i], &changelog[i..]),
        None => {
            let head = changelog.trim_end();
            format!("{head}\n\n{entry}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "# comment\nservers: []\ncrates:\n  # the first\n  - name: a\n    version: 0.1.0   # pinned\n    platform: a\n  - platform: b\n    version: \"1.2.3\"\n    name: b\nother: x\n";

    #[test]
    fn set_version_edits_one_line_and_keeps_comments_and_quotes() {
        let a = set_version(MANIFEST, "a", "0.2.0").unwrap();
        assert_eq!(
            a,
            MANIFEST.replace("version: 0.1.0   # pinned", "version: 0.2.0   # pinned")
        );
        let b = set_version(MANIFEST, "b", "2.0.0").unwrap();
        assert_eq!(b, MANIFEST.replace("\"1.2.3\"", "\"2.0.0\""));
        assert_eq!(set_version(MANIFEST, "c", "1.0.0"), None);
        assert_eq!(set_version("crates:\n  - name: a\n", "a", "1.0.0"), None);
    }

    #[test]
    fn entries_go_above_the_newest_one() {
        let one = prepend_entry(CHANGELOG_HEADER, "## 0.2.0 (d)\n\nx\n");
        assert!(one.starts_with(CHANGELOG_HEADER.trim_end()));
        let two = prepend_entry(&one, "## 0.3.0 (e)\n\ny\n");
        let (a, b) = (two.find("## 0.3.0").unwrap(), two.find("## 0.2.0").unwrap());
        assert!(a < b, "{two}");
        assert!(two.contains("y\n\n## 0.2.0"), "{two}");
    }
}
