//! `specs/catalogue/lifecycle.yaml`: since when upstream hides an endpoint from its docs, or no longer lists
//! it at all. Written by `cargo xtask fetch` and `regen` when they vendor a catalogue; read by everything.
//!
//! The states themselves follow from the catalogue and the vendored files (listed and hidden; vendored but not
//! listed); this file records the dates, so a state seen once is not new drift the next day, and a crate can
//! say since when an endpoint is gone. An endpoint upstream lists and publishes has no entry.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ir::Method;

/// Where the record lives, relative to `specs/`.
pub const FILE: &str = "catalogue/lifecycle.yaml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Listed with `x-docs-hidden: true`: still served, no docs page.
    #[serde(default)]
    pub hidden: Vec<Entry>,
    /// Vendored, no longer listed: kept (deprecated) until a maintainer removes it.
    #[serde(default)]
    pub gone: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub method: Method,
    pub path: String,
    /// `YYYY-MM-DD`: the first catalogue that showed this state was vendored on that day.
    pub since: String,
}

const HEADER: &str = "# Since when upstream hides an endpoint from its docs (`hidden`: still served, no definition \
published) or no\n# longer lists it (`gone`: kept in the crate, deprecated, until `cargo xtask regen --remove`).\n# \
Written by `cargo xtask fetch` and `regen` from the vendored catalogue; not edited by hand.\n";

impl Lifecycle {
    pub fn parse(text: &str, path: &Path) -> Result<Lifecycle> {
        let fail = |message: String| Error::Manifest {
            file: path.to_path_buf(),
            message,
        };
        let lifecycle: Lifecycle = if text
            .trim()
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            Lifecycle::default()
        } else {
            serde_norway::from_str(text).map_err(|e| fail(e.to_string()))?
        };
        for e in lifecycle.hidden.iter().chain(&lifecycle.gone) {
            if !is_date(&e.since) {
                return Err(fail(format!(
                    "{} {}: `since` must be a date YYYY-MM-DD, got {:?}",
                    e.method.as_str(),
                    e.path,
                    e.since
                )));
            }
        }
        let mut all: Vec<(Method, &str)> = lifecycle
            .hidden
            .iter()
            .chain(&lifecycle.gone)
            .map(|e| (e.method, e.path.as_str()))
            .collect();
        all.sort_unstable();
        if let Some(w) = all.windows(2).find(|w| w[0] == w[1]) {
            return Err(fail(format!("{} {} is recorded twice", w[0].0.as_str(), w[0].1)));
        }
        Ok(lifecycle)
    }

    /// The file's text: sorted, so the same states always give the same bytes.
    pub fn to_text(&self) -> String {
        let mut sorted = self.clone();
        sorted.hidden.sort();
        sorted.gone.sort();
        let mut out = HEADER.to_owned();
        for (name, entries) in [("hidden", &sorted.hidden), ("gone", &sorted.gone)] {
            if entries.is_empty() {
                out.push_str(&format!("{name}: []\n"));
                continue;
            }
            out.push_str(&format!("{name}:\n"));
            for e in entries {
                // Paths are checked (`layout::check_path`): no character needs quoting.
                out.push_str(&format!(
                    "  - {{ method: {}, path: {}, since: {} }}\n",
                    e.method.as_str(),
                    e.path,
                    e.since
                ));
            }
        }
        out
    }

    pub fn hidden_since(&self, method: Method, path: &str) -> Option<&str> {
        find(&self.hidden, method, path)
    }

    pub fn gone_since(&self, method: Method, path: &str) -> Option<&str> {
        find(&self.gone, method, path)
    }
}

fn find<'a>(entries: &'a [Entry], method: Method, path: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|e| e.method == method && e.path == path)
        .map(|e| e.since.as_str())
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_reads_back_what_it_writes() {
        let l = Lifecycle {
            hidden: vec![Entry {
                method: Method::Get,
                path: "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1".into(),
                since: "2026-12-07".into(),
            }],
            gone: vec![],
        };
        let text = l.to_text();
        assert!(text.contains("gone: []"), "{text}");
        assert_eq!(Lifecycle::parse(&text, Path::new("l.yaml")).unwrap(), l);
        assert_eq!(
            Lifecycle::parse("# nothing\n", Path::new("l.yaml")).unwrap(),
            Lifecycle::default()
        );
    }

    #[test]
    fn bad_records_name_the_entry() {
        let err = Lifecycle::parse(
            "gone:\n  - { method: GET, path: /api/x/a, since: yesterday }\n",
            Path::new("l.yaml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("l.yaml") && err.contains("/api/x/a") && err.contains("YYYY-MM-DD"),
            "{err}"
        );
        let twice = "hidden:\n  - { method: GET, path: /api/x/a, since: 2026-01-01 }\ngone:\n  - { method: GET, path: /api/x/a, since: 2026-01-02 }\n";
        assert!(Lifecycle::parse(twice, Path::new("l.yaml"))
            .unwrap_err()
            .to_string()
            .contains("twice"));
    }
}
