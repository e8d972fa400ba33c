//! Type memory: the last response type inferred for every operation, and where it came from.
//!
//! Upstream removed every response example on 2026-04-23. The API did not change, only its documentation got
//! poorer, so the types inferred from the last examples stay: `specs/types/<platform>.json` (or the folder
//! given to `cargo xtask generate --types`) maps each operation to its shape, the definition it was learned
//! from and the date it was seen there.
//!
//! * A definition with an example (or a real schema) teaches its type: it replaces the remembered one (the
//!   drift report shows the change as usual).
//! * A definition without one (no example, upstream's generic `Result` schema with `data: {}`, an example
//!   whose `data` is `null`) gets the remembered type, with a warning naming the operation and when the type
//!   was last seen.
//! * Overlays win over both (they run after this pass).
//!
//! This module only computes: the caller reads the memory and decides whether to write back what was learned
//! (`cargo xtask regen` online and `generate --types` do; `regen --offline` and `check` only read).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ir::{Api, Operation, Provenance, ResponseData, Shape, ShapeOrigin};
use crate::lower::Warning;

/// Remembered types of one platform, keyed by `METHOD /path`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TypeMemory {
    pub entries: BTreeMap<String, Remembered>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    /// The definition the type was learned from.
    pub source: String,
    /// When it was seen there (`YYYY-MM-DD`).
    pub seen: String,
    pub shape: Shape,
}

impl Remembered {
    pub fn provenance(&self) -> Provenance {
        Provenance {
            source: self.source.clone(),
            seen: self.seen.clone(),
        }
    }
}

/// `GET /api/...`, the key of an operation in the memory.
pub fn key(op: &Operation) -> String {
    format!("{} {}", op.method.as_str(), op.path)
}

/// The memory file of a platform inside a memory folder.
pub fn file_name(platform: &str) -> String {
    format!("{platform}.json")
}

impl TypeMemory {
    /// Parses a memory file; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<TypeMemory> {
        serde_json::from_str(text).map_err(|e| Error::Memory {
            file: file.to_path_buf(),
            message: format!("line {} column {}: {e}", e.line(), e.column()),
        })
    }

    /// The file's text: sorted keys, two-space indentation, a final newline (so it diffs well).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Where the types of one API are remembered, and where each operation's definition comes from.
pub struct Recall<'a> {
    pub memory: &'a TypeMemory,
    /// The memory file, for warnings.
    pub file: PathBuf,
    /// The definition and date an operation's type is learned from.
    pub provenance: &'a dyn Fn(&Operation) -> Provenance,
}

/// Whether a response says nothing about `data` (so the memory may speak instead).
fn says_nothing(response: &Option<ResponseData>) -> bool {
    match response {
        None => true,
        Some(r) => r.shape == Shape::Any && matches!(r.origin, ShapeOrigin::Example | ShapeOrigin::Schema),
    }
}

/// Fills in remembered types and returns the memory updated with what `api`'s definitions teach.
pub fn apply(api: &mut Api, recall: &Recall<'_>, warnings: &mut Vec<Warning>) -> TypeMemory {
    let mut learned = recall.memory.clone();
    for op in &mut api.operations {
        let key = key(op);
        if says_nothing(&op.response) {
            if let Some(r) = recall.memory.entries.get(&key) {
                warnings.push(Warning {
                    file: recall.file.clone(),
                    pointer: crate::error::pointer([key.as_str()]),
                    operation: key.clone(),
                    message: format!(
                        "the definition has no response example; using the type remembered from {} (seen {})",
                        r.source, r.seen
                    ),
                });
                op.response = Some(ResponseData {
                    remembered: Some(r.provenance()),
                    ..ResponseData::new(r.shape.clone(), ShapeOrigin::Memory)
                });
            }
            continue;
        }
        if let Some(r) = &op.response {
            if matches!(r.origin, ShapeOrigin::Example | ShapeOrigin::Schema) {
                let Provenance { source, seen } = (recall.provenance)(op);
                learned.entries.insert(
                    key,
                    Remembered {
                        source,
                        seen,
                        shape: r.shape.clone(),
                    },
                );
            }
        }
    }
    learned
}

/// Operations whose remembered type is not what their definitions teach today (for `cargo xtask check`): a
/// stored memory must equal the memory learned from it, types compared (not dates).
pub fn disagreements(stored: &TypeMemory, learned: &TypeMemory) -> Vec<String> {
    let mut out = Vec::new();
    for (key, l) in &learned.entries {
        match stored.entries.get(key) {
            None => out.push(format!("{key}: not remembered yet (learned from {})", l.source)),
            Some(s) if s.shape != l.shape => out.push(format!(
                "{key}: remembers the type seen in {} ({}), but {} now shows another",
                s.source, s.seen, l.source
            )),
            Some(s) if s.source != l.source => out.push(format!(
                "{key}: remembered from {}, but now learned from {}",
                s.source, l.source
            )),
            Some(_) => {}
        }
    }
    out
}

/// `YYYY-MM-DD` found in a file name (`public-api-2026-04-16.json`), the date an aggregate was published.
pub fn date_in_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = &b[i..i + 10];
        let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
        (digits(0..4) && s[4] == b'-' && digits(5..7) && s[7] == b'-' && digits(8..10))
            .then(|| String::from_utf8_lossy(s).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Method, Text};

    fn op(path: &str, response: Option<ResponseData>) -> Operation {
        Operation {
            method: Method::Get,
            path: path.into(),
            operation_id: None,
            name: None,
            summary: Text::default(),
            description: Text::default(),
            tags: vec![],
            params: vec![],
            response,
            deprecation: None,
            docs: Text::default(),
            listing: Default::default(),
        }
    }

    fn api(ops: Vec<Operation>) -> Api {
        Api {
            crate_name: "c".into(),
            version: "0.1.0".into(),
            platform: "p".into(),
            title: Text::default(),
            platform_aliases: Vec::new(),
            servers: vec![],
            business_codes: vec![],
            listed_codes: vec![],
            operations: ops,
            examples: vec![],
        }
    }

    fn typed(shape: Shape) -> Option<ResponseData> {
        Some(ResponseData::new(shape, ShapeOrigin::Example))
    }

    fn learn(api: &mut Api, memory: &TypeMemory, seen: &str, warnings: &mut Vec<Warning>) -> TypeMemory {
        let provenance = |_: &Operation| Provenance {
            source: "def.json".into(),
            seen: seen.into(),
        };
        apply(
            api,
            &Recall {
                memory,
                file: "types/p.json".into(),
                provenance: &provenance,
            },
            warnings,
        )
    }

    #[test]
    fn an_example_teaches_and_a_missing_one_recalls() {
        let portrait = Shape::object(vec![Field::new("ages", Shape::Array(Box::new(Shape::String)))]);
        let mut first = api(vec![op("/a", typed(portrait.clone())), op("/b", None)]);
        let mut warnings = Vec::new();
        let memory = learn(&mut first, &TypeMemory::default(), "2026-04-16", &mut warnings);
        assert_eq!(memory.entries.len(), 1);
        assert_eq!(memory.entries["GET /a"].seen, "2026-04-16");
        assert!(warnings.is_empty());

        // The example is gone (or says `data: null`): the remembered type comes back, with a warning.
        let mut second = api(vec![op("/a", typed(Shape::Any)), op("/b", None)]);
        let again = learn(&mut second, &memory, "2026-04-23", &mut warnings);
        let r = second.operations[0].response.as_ref().unwrap();
        assert_eq!((r.origin, &r.shape), (ShapeOrigin::Memory, &portrait));
        assert_eq!(r.remembered.as_ref().unwrap().seen, "2026-04-16");
        assert_eq!(again, memory, "nothing new was learned");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].to_string().contains("GET /a") && warnings[0].message.contains("2026-04-16"));
        assert!(second.operations[1].response.is_none());

        // A new example replaces the remembered type.
        let mut third = api(vec![op("/a", typed(Shape::String))]);
        let newer = learn(&mut third, &memory, "2026-05-01", &mut warnings);
        assert_eq!(newer.entries["GET /a"].shape, Shape::String);
        assert_eq!(disagreements(&memory, &newer).len(), 1);
        assert!(disagreements(&newer, &newer).is_empty());
    }

    #[test]
    fn overlays_are_neither_learned_nor_replaced() {
        let mut a = api(vec![op(
            "/a",
            Some(ResponseData::new(Shape::Bool, ShapeOrigin::Overlay)),
        )]);
        let mut memory = TypeMemory::default();
        memory.entries.insert(
            "GET /a".into(),
            Remembered {
                source: "old.json".into(),
                seen: "2026-01-01".into(),
                shape: Shape::String,
            },
        );
        let learned = learn(&mut a, &memory, "2026-02-02", &mut Vec::new());
        assert_eq!(learned, memory);
        assert_eq!(a.operations[0].response.as_ref().unwrap().shape, Shape::Bool);
    }

    #[test]
    fn the_file_round_trips_and_names_itself_in_errors() {
        let mut memory = TypeMemory::default();
        memory.entries.insert(
            "GET /a".into(),
            Remembered {
                source: "x.json".into(),
                seen: "2026-04-16".into(),
                shape: Shape::Map(Box::new(Shape::Optional(Box::new(Shape::Integer)))),
            },
        );
        let text = memory.to_json();
        assert_eq!(TypeMemory::parse(&text, Path::new("t.json")).unwrap(), memory);
        let err = TypeMemory::parse("{\"GET /a\": {\"source\": 1}}", Path::new("types/p.json")).unwrap_err();
        assert!(err.to_string().contains("types/p.json"), "{err}");
    }

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name("public-api-2026-04-16.json").as_deref(),
            Some("2026-04-16")
        );
        assert_eq!(
            date_in_name("xiaohongshu-pgy-2026-08-21.json").as_deref(),
            Some("2026-08-21")
        );
        assert_eq!(date_in_name("spec.json"), None);
    }
}
