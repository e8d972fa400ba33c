//! The change model: what changed ([`Kind`]), how much it matters ([`Severity`]), the release it calls for
//! ([`Semver`], [`bump_version`]), and the sorted [`Report`] of a comparison.

use serde::Serialize;

use crate::ir::Method;

/// What changed. The ids (`as_str`, also the JSON form) are stable: scripts may match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    OperationDeprecated,
    OperationUndeprecated,
    ParamAdded,
    ParamRemoved,
    ParamRequiredChanged,
    ParamTypeChanged,
    ParamEnumChanged,
    ParamDefaultChanged,
    ResponseFieldAdded,
    ResponseFieldRemoved,
    ResponseFieldTypeChanged,
    ResponseShapeChanged,
    OperationIdChanged,
    DocsChanged,
    OperationMoved,
    OperationHidden,
    OperationUnhidden,
    OperationGone,
    OperationReturned,
    BusinessCodesChanged,
}

impl Kind {
    pub const ALL: [Kind; 22] = [
        Kind::OperationAdded,
        Kind::OperationRemoved,
        Kind::OperationDeprecated,
        Kind::OperationUndeprecated,
        Kind::ParamAdded,
        Kind::ParamRemoved,
        Kind::ParamRequiredChanged,
        Kind::ParamTypeChanged,
        Kind::ParamEnumChanged,
        Kind::ParamDefaultChanged,
        Kind::ResponseFieldAdded,
        Kind::ResponseFieldRemoved,
        Kind::ResponseFieldTypeChanged,
        Kind::ResponseShapeChanged,
        Kind::OperationIdChanged,
        Kind::DocsChanged,
        Kind::OperationMoved,
        Kind::OperationHidden,
        Kind::OperationUnhidden,
        Kind::OperationGone,
        Kind::OperationReturned,
        Kind::BusinessCodesChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OperationAdded => "operation-added",
            Kind::OperationRemoved => "operation-removed",
            Kind::OperationDeprecated => "operation-deprecated",
            Kind::OperationUndeprecated => "operation-undeprecated",
            Kind::ParamAdded => "param-added",
            Kind::ParamRemoved => "param-removed",
            Kind::ParamRequiredChanged => "param-required-changed",
            Kind::ParamTypeChanged => "param-type-changed",
            Kind::ParamEnumChanged => "param-enum-changed",
            Kind::ParamDefaultChanged => "param-default-changed",
            Kind::ResponseFieldAdded => "response-field-added",
            Kind::ResponseFieldRemoved => "response-field-removed",
            Kind::ResponseFieldTypeChanged => "response-field-type-changed",
            Kind::ResponseShapeChanged => "response-shape-changed",
            Kind::OperationIdChanged => "operation-id-changed",
            Kind::DocsChanged => "docs-changed",
            Kind::OperationMoved => "operation-moved",
            Kind::OperationHidden => "operation-hidden",
            Kind::OperationUnhidden => "operation-unhidden",
            Kind::OperationGone => "operation-gone",
            Kind::OperationReturned => "operation-returned",
            Kind::BusinessCodesChanged => "business-codes-changed",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Effect of a change on code that uses the generated crate. Ordered from worst to mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Code that compiled against the old crate stops compiling or decodes differently.
    Breaking,
    /// New capabilities or warnings; existing code keeps compiling and behaving.
    NonBreaking,
    /// Documentation only.
    Docs,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::NonBreaking => "non-breaking",
            Severity::Docs => "docs",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The release a set of changes calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    None,
    Patch,
    Minor,
    Major,
}

impl Semver {
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }

    /// `major` if any change is breaking, `minor` if any is non-breaking, `patch` if there are only docs
    /// changes, `none` without changes.
    pub fn of(changes: &[Change]) -> Semver {
        changes
            .iter()
            .map(|c| match c.severity {
                Severity::Breaking => Semver::Major,
                Severity::NonBreaking => Semver::Minor,
                Severity::Docs => Semver::Patch,
            })
            .max()
            .unwrap_or(Semver::None)
    }
}

impl std::fmt::Display for Semver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference. Field order is the JSON key order of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub method: Method,
    /// The operation's path; empty for a change of the whole crate (`business-codes-changed`).
    pub path: String,
    pub kind: Kind,
    pub severity: Severity,
    /// Human-readable: which parameter, value or response field, and how it changed.
    pub detail: String,
}

impl Change {
    /// What changed, for reports: `GET /api/...`, or `the crate` for a change of the whole crate.
    pub fn subject(&self) -> String {
        if self.path.is_empty() {
            "the crate".to_owned()
        } else {
            format!("{} {}", self.method.as_str(), self.path)
        }
    }
}

/// When `cargo xtask diff --fail-on` exits with [`DRIFT_EXIT_CODE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any breaking change.
    Breaking,
    /// Any change at all.
    Any,
}

/// Exit code of `cargo xtask diff` when `--fail-on` matches (1 is for errors).
pub const DRIFT_EXIT_CODE: u8 = 3;

/// Every change between two versions, sorted by (path, method, kind id, detail), and the release it calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub changes: Vec<Change>,
    pub semver: Semver,
}

impl Report {
    pub fn new(mut changes: Vec<Change>) -> Report {
        changes.sort_by(|a, b| {
            (a.path.as_str(), a.method, a.kind.as_str(), a.detail.as_str()).cmp(&(
                b.path.as_str(),
                b.method,
                b.kind.as_str(),
                b.detail.as_str(),
            ))
        });
        changes.dedup();
        let semver = Semver::of(&changes);
        Report { changes, semver }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.changes.iter().filter(|c| c.severity == severity).count()
    }

    pub fn has_breaking(&self) -> bool {
        self.count(Severity::Breaking) > 0
    }

    /// Whether `--fail-on on` matches this report.
    pub fn fails(&self, on: FailOn) -> bool {
        match on {
            FailOn::Breaking => self.has_breaking(),
            FailOn::Any => !self.is_empty(),
        }
    }
}

/// A version string that [`bump_version`] cannot handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a plain MAJOR.MINOR.PATCH version")]
pub struct BadVersion(pub String);

/// The next version by Cargo's rules (the leftmost non-zero component is the "major" one):
/// `0.0.x` bumps the patch for any change; `0.x.y` bumps the minor for a breaking change, else the patch;
/// `x.y.z` (x >= 1) bumps major, minor or patch. `Semver::None` returns the version unchanged.
/// Pre-release and build suffixes are refused rather than guessed at.
pub fn bump_version(version: &str, semver: Semver) -> Result<String, BadVersion> {
    let bad = || BadVersion(version.to_owned());
    let parts: Vec<&str> = version.trim().split('.').collect();
    let [major, minor, patch] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |s: &str| -> Result<u64, BadVersion> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (x, y, z) = (num(major)?, num(minor)?, num(patch)?);
    let (x, y, z) = match (semver, x, y) {
        (Semver::None, ..) => (x, y, z),
        (_, 0, 0) => (0, 0, z + 1),
        (Semver::Major, 0, _) => (0, y + 1, 0),
        (_, 0, _) => (0, y, z + 1),
        (Semver::Major, ..) => (x + 1, 0, 0),
        (Semver::Minor, ..) => (x, y + 1, 0),
        (Semver::Patch, ..) => (x, y, z + 1),
    };
    Ok(format!("{x}.{y}.{z}"))
}
