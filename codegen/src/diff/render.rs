//! A [`Report`] as text: a one-line summary, JSON for scripts, markdown for a pull-request body.

use std::fmt::Write as _;

use super::model::{Report, Severity};
use crate::ir::Method;

impl Report {
    /// `{"changes":[{"method","path","kind","severity","detail"}...],"semver":"..."}`, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }

    /// One line: `28 changes: 3 breaking, 1 non-breaking, 24 docs only (semver: major)`.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "no changes (semver: none)".to_owned();
        }
        format!(
            "{} {}: {} breaking, {} non-breaking, {} docs only (semver: {})",
            self.changes.len(),
            if self.changes.len() == 1 { "change" } else { "changes" },
            self.count(Severity::Breaking),
            self.count(Severity::NonBreaking),
            self.count(Severity::Docs),
            self.semver
        )
    }

    /// A pull-request body: a summary line, then one table per severity, breaking first.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("**API drift: {}**\n", self.summary());
        let ops = |sev: Severity| {
            let mut keys: Vec<(&str, Method)> = self
                .changes
                .iter()
                .filter(|c| c.severity == sev)
                .map(|c| (c.path.as_str(), c.method))
                .collect();
            keys.dedup();
            keys.len()
        };
        for (sev, title, note) in [
            (
                Severity::Breaking,
                "Breaking",
                "Code that compiled against the previous crate may stop compiling or decode differently.",
            ),
            (Severity::NonBreaking, "Non-breaking", "Additions and deprecations."),
            (
                Severity::Docs,
                "Docs only",
                "Documentation and operationIds (names derive from paths).",
            ),
        ] {
            let n = self.count(sev);
            if n == 0 {
                continue;
            }
            let _ = write!(out, "\n### {title} ({n} in {} operations)\n\n{note}\n\n", ops(sev));
            out.push_str("| operation | change | detail |\n|---|---|---|\n");
            for c in self.changes.iter().filter(|c| c.severity == sev) {
                let _ = writeln!(out, "| `{}` | `{}` | {} |", c.subject(), c.kind, table_cell(&c.detail));
            }
        }
        out
    }
}

fn table_cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}
