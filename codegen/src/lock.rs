//! `specs/specs.lock`: provenance of every vendored definition (url, sha256, size, etag, date).
//! Written only by `cargo xtask fetch`; `cargo xtask check` verifies the files against it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    /// Keyed by path relative to `specs/` (sorted, so the file is deterministic).
    pub files: BTreeMap<String, LockEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    pub url: String,
    pub sha256: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the file was downloaded (the server's `Date`, else the local clock), HTTP date format.
    pub date: String,
}

pub const LOCK_VERSION: u32 = 1;

impl Lock {
    /// Parses `specs/specs.lock`; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Lock> {
        let lock: Lock = serde_json::from_str(text).map_err(|e| Error::Lock {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if lock.version != LOCK_VERSION {
            return Err(Error::Lock {
                file: path.to_path_buf(),
                message: format!("unsupported lock version {}", lock.version),
            });
        }
        Ok(lock)
    }

    /// A lock describing no file.
    pub fn empty() -> Lock {
        Lock {
            version: LOCK_VERSION,
            files: BTreeMap::new(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("lock serializes");
        s.push('\n');
        s
    }
}

/// `Mon, 23 Nov 2026 20:40:37 GMT` (a lock entry's `date`) -> `2026-11-23`; `None` for anything else.
pub fn iso_date(http_date: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = http_date.split_whitespace().skip(1);
    let day: u32 = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == name)? + 1;
    let year: u32 = parts.next()?.parse().ok()?;
    (1..=31)
        .contains(&day)
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_become_iso_dates() {
        assert_eq!(iso_date("Mon, 23 Nov 2026 20:40:37 GMT").as_deref(), Some("2026-11-23"));
        assert_eq!(iso_date("Sun, 06 Nov 1994 08:49:37 GMT").as_deref(), Some("1994-11-06"));
        assert_eq!(iso_date("yesterday"), None);
    }
}
