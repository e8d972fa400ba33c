//! `cargo xtask stats`: what each generated crate covers (operations, deprecations, typed response fields),
//! computed from `specs/` + `codegen/` by `codegen::stats`; and the README's platform table, which `regen`
//! writes between two markers and `check` compares.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use codegen::stats::{markdown_table, CrateStats};

use crate::project::{io_error, Project};

/// The README's platform table sits between these lines.
pub const TABLE_START: &str =
    "<!-- platforms: start (written by `cargo xtask regen` from `cargo xtask stats`; do not edit) -->";
pub const TABLE_END: &str = "<!-- platforms: end -->";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct StatsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Markdown)]
    pub format: StatsFormat,
}

/// `text` with the table between the markers replaced by `table`; `None` when the markers are not there
/// (once each, start first).
pub fn with_table(text: &str, table: &str) -> Option<String> {
    let start = text.find(TABLE_START)?;
    let after_start = start + TABLE_START.len();
    let end = after_start + text[after_start..].find(TABLE_END)?;
    if text[end + TABLE_END.len()..].contains(TABLE_START) || text[..start].contains(TABLE_END) {
        return None;
    }
    Some(format!("{}\n\n{table}\n{}", &text[..after_start], &text[end..]))
}

/// The repository README (`root/README.md`) and what it should say: `None` when there is no README (a
/// checkout made only of specs/, as in tests), an error when it lacks the markers.
pub fn readme_update(root: &Path, stats: &[CrateStats]) -> Result<Option<(PathBuf, String, String)>> {
    let path = root.join("README.md");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&path, e)),
    };
    let Some(expected) = with_table(&text, &markdown_table(stats)) else {
        bail!(
            "{}: the platform table needs the lines `{TABLE_START}` and `{TABLE_END}` (once each, in this order)",
            path.display()
        );
    };
    Ok(Some((path, text, expected)))
}

pub fn run(root: &Path, args: &StatsArgs) -> Result<()> {
    let project = Project::load(root)?;
    let generated = codegen::generate(&project.specs)?;
    match args.format {
        StatsFormat::Markdown => print!("{}", markdown_table(&generated.stats)),
        StatsFormat::Json => println!("{}", serde_json::to_string_pretty(&generated.stats)?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_between_the_markers_is_replaced_and_nothing_else() {
        let text = format!("# T\n\nintro\n{TABLE_START}\nold | table\n{TABLE_END}\n\nrest\n");
        let new = with_table(&text, "| new |\n").unwrap();
        assert_eq!(
            new,
            format!("# T\n\nintro\n{TABLE_START}\n\n| new |\n\n{TABLE_END}\n\nrest\n")
        );
        assert_eq!(with_table(&new, "| new |\n").unwrap(), new, "idempotent");
    }

    #[test]
    fn missing_or_repeated_markers_are_refused() {
        assert_eq!(with_table("no markers", "x"), None);
        assert_eq!(with_table(&format!("{TABLE_END}\n{TABLE_START}"), "x"), None);
        let twice = format!("{TABLE_START}\n{TABLE_END}\n{TABLE_START}\n{TABLE_END}");
        assert_eq!(with_table(&twice, "x"), None);
    }
}
