//! Every endpoint the crates have, and where each one's definitions come from: the catalogue's operations
//! and the vendored files, joined by (method, path).
//!
//! | catalogue                 | vendored files | state                   | generated from                          |
//! |---------------------------|----------------|-------------------------|-----------------------------------------|
//! | listed                    | en + zh        | published               | the files                               |
//! | listed, `x-docs-hidden`   | en + zh        | hidden                  | the files (the last definitions we had) |
//! | listed, `x-docs-hidden`   | none           | hidden                  | the catalogue's operation (English)     |
//! | not listed                | en + zh        | gone (deprecated, kept) | the files                               |
//!
//! A published endpoint without its files is an error (`cargo xtask fetch` vendors them), and so is a gone one
//! that `specs/catalogue/lifecycle.yaml` does not date: both mean `specs/` was edited by hand.

use std::collections::BTreeMap;
use std::path::Path;

use super::{layout, lifecycle, Catalogue, Lifecycle, Listed};
use crate::error::{Error, Result};
use crate::ir::{Method, State};
use crate::manifest::Lang;

/// One endpoint of the crates.
#[derive(Debug, Clone)]
pub struct Endpoint<'a> {
    pub method: Method,
    pub path: String,
    pub platform: String,
    pub state: State,
    /// The catalogue's entry (none when gone).
    pub listed: Option<&'a Listed>,
    /// The vendored definitions (paths relative to `specs/`), English first.
    pub files: Vec<(Lang, String)>,
}

impl Endpoint<'_> {
    pub fn label(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// Joins the catalogue, the vendored definition files (paths relative to `specs/`) and the lifecycle record.
pub fn resolve<'a, 'f>(
    catalogue: &'a Catalogue,
    vendored: impl IntoIterator<Item = &'f str>,
    lifecycle: &Lifecycle,
) -> Result<Vec<Endpoint<'a>>> {
    let mut files: BTreeMap<(Method, String), Vec<(Lang, String)>> = BTreeMap::new();
    for rel in vendored {
        let Some((method, path, lang)) = layout::endpoint_of(rel) else {
            return Err(Error::spec(
                &Path::new("specs").join(rel),
                "",
                format!(
                    "not a definition file of this layout: `{}/<platform>/<method>.<path segments>.<en|zh>.json`",
                    layout::DEFINITIONS
                ),
            ));
        };
        files.entry((method, path)).or_default().push((lang, rel.to_owned()));
    }
    for langs in files.values_mut() {
        langs.sort();
    }
    let record = Path::new("specs").join(lifecycle::FILE);
    let stale = |method: Method, path: &str, message: &str| Error::Manifest {
        file: record.clone(),
        message: format!(
            "{} {path}: {message}; run `cargo xtask fetch` (or `regen`) to record the catalogue's states",
            method.as_str()
        ),
    };
    let mut out = Vec::new();
    for listed in &catalogue.entries {
        let key = (listed.method, listed.path.clone());
        let own = files.remove(&key).unwrap_or_default();
        if lifecycle.gone_since(listed.method, &listed.path).is_some() {
            return Err(stale(
                listed.method,
                &listed.path,
                "recorded as gone, but the catalogue lists it",
            ));
        }
        let state = if listed.hidden {
            State::Hidden {
                since: lifecycle.hidden_since(listed.method, &listed.path).map(str::to_owned),
            }
        } else {
            if lifecycle.hidden_since(listed.method, &listed.path).is_some() {
                return Err(stale(
                    listed.method,
                    &listed.path,
                    "recorded as hidden, but the catalogue publishes it",
                ));
            }
            for lang in [Lang::En, Lang::Zh] {
                if !own.iter().any(|(l, _)| *l == lang) {
                    return Err(Error::Missing {
                        file: Path::new("specs").join(layout::rel_path(listed.method, &listed.api_path, lang)),
                        hint: format!(
                            "{} is published in the catalogue but its {} definition is not vendored: run `cargo xtask \
                             fetch`",
                            listed.label(),
                            lang.as_str()
                        ),
                    });
                }
            }
            State::Published
        };
        out.push(Endpoint {
            method: listed.method,
            path: listed.path.clone(),
            platform: listed.api_path.platform.clone(),
            state,
            listed: Some(listed),
            files: own,
        });
    }
    for ((method, path), own) in files {
        let Some(since) = lifecycle.gone_since(method, &path) else {
            return Err(Error::Manifest {
                file: record.clone(),
                message: format!(
                    "{} {path} is vendored ({}) but neither listed in the catalogue nor recorded as gone; run `cargo \
                     xtask fetch` to record it, or delete its files",
                    method.as_str(),
                    own.iter()
                        .map(|(_, f)| format!("specs/{f}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        };
        let platform = layout::check_path(&path).map(|p| p.platform).unwrap_or_default();
        out.push(Endpoint {
            method,
            path,
            platform,
            state: State::Gone {
                since: since.to_owned(),
            },
            listed: None,
            files: own,
        });
    }
    for e in lifecycle.gone.iter() {
        if !out.iter().any(|o| o.method == e.method && o.path == e.path) {
            return Err(stale(
                e.method,
                &e.path,
                "recorded as gone, but no definition of it is vendored",
            ));
        }
    }
    for e in lifecycle.hidden.iter() {
        if catalogue.find(e.method, &e.path).is_none_or(|l| !l.hidden) {
            return Err(stale(
                e.method,
                &e.path,
                "recorded as hidden, but the catalogue does not hide it",
            ));
        }
    }
    out.sort_by(|a, b| (a.method, &a.path).cmp(&(b.method, &b.path)));
    Ok(out)
}

/// The lifecycle record after vendoring `catalogue` on `today` (`YYYY-MM-DD`), given the record before and
/// the endpoints vendored (by (method, path)): dates already recorded are kept, new states get `today`.
pub fn next_lifecycle(
    catalogue: &Catalogue,
    vendored: &[(Method, String)],
    before: &Lifecycle,
    today: &str,
) -> Lifecycle {
    let mut next = Lifecycle::default();
    for listed in catalogue.entries.iter().filter(|l| l.hidden) {
        let since = before.hidden_since(listed.method, &listed.path).unwrap_or(today);
        next.hidden.push(lifecycle::Entry {
            method: listed.method,
            path: listed.path.clone(),
            since: since.to_owned(),
        });
    }
    for (method, path) in vendored {
        if catalogue.find(*method, path).is_none() {
            let since = before.gone_since(*method, path).unwrap_or(today);
            next.gone.push(lifecycle::Entry {
                method: *method,
                path: path.clone(),
                since: since.to_owned(),
            });
        }
    }
    next.hidden.sort();
    next.gone.sort();
    next.gone.dedup();
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Limits;
    use crate::input::Source;

    fn catalogue(paths: &str) -> Catalogue {
        let json = format!(r#"{{"openapi": "3.1.0", "paths": {{{paths}}}}}"#);
        Catalogue::parse(
            &Source::new("c.json", json.into_bytes()),
            Limits::default(),
            &mut Vec::new(),
        )
        .unwrap()
    }

    const PUBLISHED: &str = r#""/api/x/a/v1": {"get": {"tags": ["X"], "summary": "A"}}"#;
    const HIDDEN: &str = r#""/api/x/h/v1": {"get": {"x-docs-hidden": true}}"#;

    fn both(path: &str) -> Vec<String> {
        let p = layout::check_path(path).unwrap();
        [Lang::En, Lang::Zh]
            .map(|l| layout::rel_path(Method::Get, &p, l))
            .into()
    }

    #[test]
    fn each_state_is_joined_from_catalogue_files_and_record() {
        let c = catalogue(&format!("{PUBLISHED}, {HIDDEN}"));
        let mut files = both("/api/x/a/v1");
        files.extend(both("/api/x/gone/v1"));
        let lifecycle = next_lifecycle(
            &c,
            &[
                (Method::Get, "/api/x/a/v1".into()),
                (Method::Get, "/api/x/gone/v1".into()),
            ],
            &Lifecycle::default(),
            "2026-12-07",
        );
        let got = resolve(&c, files.iter().map(String::as_str), &lifecycle).unwrap();
        let states: Vec<(String, State, usize)> = got
            .iter()
            .map(|e| (e.path.clone(), e.state.clone(), e.files.len()))
            .collect();
        assert_eq!(
            states,
            [
                ("/api/x/a/v1".into(), State::Published, 2),
                (
                    "/api/x/gone/v1".into(),
                    State::Gone {
                        since: "2026-12-07".into()
                    },
                    2
                ),
                (
                    "/api/x/h/v1".into(),
                    State::Hidden {
                        since: Some("2026-12-07".into())
                    },
                    0
                ),
            ]
        );
        // A later vendoring keeps the first dates.
        let again = next_lifecycle(&c, &[(Method::Get, "/api/x/gone/v1".into())], &lifecycle, "2027-01-01");
        assert_eq!(again, lifecycle);
    }

    #[test]
    fn inconsistent_specs_name_what_to_run() {
        let c = catalogue(PUBLISHED);
        let err = resolve(&c, [], &Lifecycle::default()).unwrap_err().to_string();
        assert!(
            err.contains("get.a.v1.en.json") && err.contains("cargo xtask fetch"),
            "{err}"
        );
        let mut files = both("/api/x/a/v1");
        files.extend(both("/api/x/old/v1"));
        let err = resolve(&c, files.iter().map(String::as_str), &Lifecycle::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("GET /api/x/old/v1") && err.contains("neither listed"),
            "{err}"
        );
        let err = resolve(&c, ["definitions/x/a-v1-en.json"], &Lifecycle::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a definition file"), "{err}");
    }
}
