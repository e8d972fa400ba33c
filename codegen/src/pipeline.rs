//! The stages wired together, from definitions to one [`Api`] per crate:
//!
//! ```text
//! json      parse (file + line), 3.1 -> 3.0, fixups          json/
//! lower     OpenAPI -> IR operations, examples -> shapes      lower/
//! passes    bilingual merge                                   passes/merge.rs
//!           overlays' inference hints (maps / structs)        passes/overlay.rs
//!           integer or float across the crate                 passes/numbers.rs
//!           type memory (recall, learn)                       passes/memory.rs
//!           overlays (schemas, names, successors)             passes/overlay.rs
//!           successors of deprecated operations, order        passes/successor.rs
//! ```
//!
//! Naming and emitting follow in `generate.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalogue::inventory::{self, Endpoint};
use crate::catalogue::Catalogue;
use crate::error::{Error, Result};
use crate::input::{Memories, Source, SpecInput, Specs};
use crate::ir::{Api, BusinessCode, Deprecation, ExampleProgram, Method, Operation, Provenance, Server, State, Text};
use crate::lower::{self, Lowered, Warning};
use crate::manifest::{CrateSpec, Lang, Manifest};
use crate::passes::memory::{self, Recall, TypeMemory};
use crate::passes::overlay::Overlays;
use crate::passes::{merge, numbers, successor};

/// One crate's IR and the type memory its definitions teach.
#[derive(Debug, Clone)]
pub struct Built {
    pub api: Api,
    pub learned: TypeMemory,
}

/// The IR of every platform crate: one per platform of the catalogue's endpoints and of the vendored ones it no
/// longer lists, with the memory each one's definitions teach (by platform).
pub fn crate_apis(specs: &Specs, warnings: &mut Vec<Warning>) -> Result<Vec<Built>> {
    let catalogue = specs.parse_catalogue(warnings)?;
    let endpoints = inventory::resolve(
        &catalogue,
        specs.definitions.keys().map(String::as_str),
        &specs.lifecycle,
    )?;
    let mut by_platform: BTreeMap<&str, Vec<&Endpoint<'_>>> = BTreeMap::new();
    for e in &endpoints {
        by_platform.entry(&e.platform).or_default().push(e);
    }
    for krate in &specs.manifest.crates {
        if !by_platform.contains_key(krate.platform.as_str()) {
            return Err(Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!(
                    "crate `{}`: platform `{}` has no endpoint, neither in the catalogue nor vendored; a platform \
                     upstream drops keeps its vendored definitions, so this entry is a typo or its files were deleted",
                    krate.name, krate.platform
                ),
            });
        }
    }
    let mut overlays = Overlays::parse(&specs.overlays)?;
    // The manifest's crates in its order (the facade's first example is the first one's), then new platforms
    // by name: `regen` appends their entries in that order, so the order never changes when it writes them.
    let mut order: Vec<&str> = specs.manifest.crates.iter().map(|c| c.platform.as_str()).collect();
    order.extend(
        by_platform
            .keys()
            .filter(|p| !order.contains(p))
            .copied()
            .collect::<Vec<_>>(),
    );
    let built = order
        .into_iter()
        .map(|platform| {
            let krate = specs.manifest.crate_for(platform);
            crate_api(
                specs,
                &catalogue,
                &krate,
                &by_platform[platform],
                &mut overlays,
                warnings,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    overlays.check_all_applied()?;
    let mut names = BTreeMap::new();
    for b in &built {
        let name = b.api.crate_name.as_str();
        if name == crate::emit::RUNTIME_CRATE || specs.manifest.facade.as_ref().is_some_and(|f| f.name == name) {
            return Err(Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!(
                    "platform `{}` would be the crate `{name}`, the name of the runtime or facade crate; give it \
                     another under `crates:`",
                    b.api.platform
                ),
            });
        }
        if let Some(other) = names.insert(name, b.api.platform.as_str()) {
            return Err(Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!(
                    "platforms `{other}` and `{}` would both be the crate `{name}`",
                    b.api.platform
                ),
            });
        }
    }
    Ok(built)
}

/// Builds the IR of one platform crate from its endpoints (see `catalogue::inventory`).
pub fn crate_api(
    specs: &Specs,
    catalogue: &Catalogue,
    krate: &CrateSpec,
    endpoints: &[&Endpoint<'_>],
    overlays: &mut Overlays,
    warnings: &mut Vec<Warning>,
) -> Result<Built> {
    let manifest = &specs.manifest;
    let mut ops: Vec<Operation> = Vec::new();
    // The definition a remembered type was learned from, by operation.
    let mut learned_from: BTreeMap<(Method, String), String> = BTreeMap::new();
    for ep in endpoints {
        // Where upstream publishes the definitions now (a hidden or gone endpoint has no page).
        let docs = match (&ep.state, ep.listed.and_then(|l| l.docs.as_ref())) {
            (State::Published, Some(d)) => Text::bilingual(
                d.url(&manifest.docs_base_url, Lang::En),
                d.url(&manifest.docs_base_url, Lang::Zh),
            ),
            _ => Text::default(),
        };
        let fallback;
        let mut sources: Vec<(Lang, &Source)> = Vec::new();
        for (lang, rel) in &ep.files {
            sources.push((*lang, specs.definition(rel)?));
        }
        let learned = match (ep.files.first(), ep.listed) {
            (Some((_, rel)), _) => rel.clone(),
            (None, Some(listed)) => {
                // Hidden and never vendored: the catalogue's own (English) definition.
                fallback = catalogue.definition(listed);
                sources.push((Lang::En, &fallback));
                crate::catalogue::FILE.to_owned()
            }
            (None, None) => unreachable!("the inventory gives a gone endpoint its files"),
        };
        learned_from.insert((ep.method, ep.path.clone()), learned);
        let mut lowered = bilingual(&sources, Some((ep.method, &ep.path)), warnings)?;
        let mut op = lowered.remove(0).op;
        op.docs = docs;
        op.listing = ep.listed.map(|l| l.listing.clone()).unwrap_or_default();
        op.listing.state = ep.state.clone();
        // The catalogue is upstream's current word on deprecation (a hidden endpoint's definition may be old);
        // an endpoint it no longer lists is deprecated here, with a note saying since when.
        let deprecated = ep.listed.is_none_or(|l| l.deprecated);
        op.deprecation = deprecated.then(|| Deprecation {
            note: match &ep.state {
                State::Gone { since } => gone_note(since),
                _ => Text::bilingual(&manifest.deprecation_notice.en, &manifest.deprecation_notice.zh),
            },
            successor: None,
        });
        ops.push(op);
    }
    let examples = krate
        .examples
        .iter()
        .map(|ex| ExampleProgram {
            name: ex.name.clone(),
            method: Method::Get,
            path: ex.path.clone(),
        })
        .collect();
    let title = match &krate.title {
        Some(t) => Text::bilingual(&t.en, &t.zh),
        None => upstream_title(&ops).unwrap_or_else(|| Text::en(krate.platform.clone())),
    };
    let mut listed_codes: Vec<i64> = catalogue
        .business_codes
        .iter()
        .copied()
        .filter(|c| !manifest.business_codes.iter().any(|k| k.code == *c))
        .collect();
    listed_codes.sort_unstable();
    let mut api = Api {
        crate_name: krate.name.clone(),
        version: krate.version.clone(),
        platform: krate.platform.clone(),
        title,
        platform_aliases: platform_aliases(catalogue, endpoints),
        servers: servers(manifest),
        business_codes: business_codes(manifest),
        listed_codes,
        operations: ops,
        examples,
    };
    // A type is learned from the English definition (the Chinese one has the same example), on the date the
    // lock says it was fetched.
    let provenance = |op: &Operation| {
        let file = learned_from
            .get(&(op.method, op.path.clone()))
            .cloned()
            .unwrap_or_default();
        let seen = specs
            .lock
            .files
            .get(&file)
            .and_then(|entry| crate::lock::iso_date(&entry.date))
            .unwrap_or_else(|| "unknown".to_owned());
        Provenance { source: file, seen }
    };
    let empty = TypeMemory::default();
    let recall = Recall {
        memory: specs.memory.get(&krate.platform).unwrap_or(&empty),
        file: PathBuf::from("specs/types").join(memory::file_name(&krate.platform)),
        provenance: &provenance,
    };
    let learned = ir_passes(&mut api, Some(overlays), &recall, warnings)?;
    let api = finish(api, Path::new("specs/manifest.yaml"))?;
    for ex in &api.examples {
        if !api
            .operations
            .iter()
            .any(|o| o.method == ex.method && o.path == ex.path)
        {
            return Err(Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!(
                    "example `{}` of crate `{}` calls GET {}, which the crate does not have",
                    ex.name, api.crate_name, ex.path
                ),
            });
        }
    }
    Ok(Built { api, learned })
}

/// The platform's names in upstream's catalogue: those of the tag most of its listed operations carry first.
fn platform_aliases(catalogue: &Catalogue, endpoints: &[&Endpoint<'_>]) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for tag in endpoints.iter().filter_map(|e| e.listed?.tag.as_deref()) {
        *counts.entry(tag).or_default() += 1;
    }
    // Ties go to the smallest tag, so the choice never depends on order.
    let best = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .and_then(|(tag, _)| catalogue.platform_names.get(tag).cloned())
        .unwrap_or_default()
}

/// The note of an endpoint upstream no longer lists.
fn gone_note(since: &str) -> Text {
    Text::bilingual(
        format!(
            "Upstream no longer lists this endpoint (since {since}); it may stop working at any time. It is kept so \
             code calling it still compiles."
        ),
        format!("上游自 {since} 起不再列出此接口，它随时可能停止服务；保留它是为了让调用它的代码仍能编译。"),
    )
}

/// The crate's title as upstream gives it: the most common first tag of the operations it publishes (else of
/// all of them).
fn upstream_title(ops: &[Operation]) -> Option<Text> {
    let published: Vec<Operation> = ops
        .iter()
        .filter(|o| o.listing.state == State::Published)
        .cloned()
        .collect();
    most_common_tag(&published).or_else(|| most_common_tag(ops))
}

/// The English and Chinese definitions of one endpoint (or of several, in a folder), lowered and merged into
/// one bilingual operation each. `expected_path`: the one path the definitions must describe.
fn bilingual(
    sources: &[(Lang, &Source)],
    expected: Option<(Method, &str)>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Lowered>> {
    let mut merged: Option<(Lang, Vec<Lowered>)> = None;
    for (lang, source) in sources {
        let doc = crate::json::document(source, warnings)?;
        let lowered = lower::lower(&doc, &source.path, *lang, warnings)?;
        if let Some((method, path)) = expected {
            check_single_operation(&lowered, &source.path, method, path)?;
        }
        merged = Some(match merged {
            None => (*lang, lowered),
            // English first: its texts and structure lead, the Chinese ones must agree.
            Some((Lang::En, en)) => (Lang::En, merge::merge(en, lowered)?),
            Some((_, zh)) => (*lang, merge::merge(lowered, zh)?),
        });
    }
    Ok(merged.map(|(_, ops)| ops).unwrap_or_default())
}

/// Upstream's definitions say only `deprecated: true`; the notice comes from the documentation pages.
fn with_deprecation_notice(ops: &mut [Operation], manifest: &Manifest) {
    for d in ops.iter_mut().filter_map(|o| o.deprecation.as_mut()) {
        d.note = Text::bilingual(&manifest.deprecation_notice.en, &manifest.deprecation_notice.zh);
    }
}

/// The IR passes between lowering and naming, in order: the overlays' inference hints, integer-or-float
/// across the crate, the type memory, then the rest of the overlays (which win over both). Returns the
/// memory learned from `api`'s definitions.
fn ir_passes(
    api: &mut Api,
    mut overlays: Option<&mut Overlays>,
    recall: &Recall<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<TypeMemory> {
    if let Some(o) = overlays.as_deref_mut() {
        o.apply_hints(api)?;
    }
    numbers::promote_floats(api);
    let learned = memory::apply(api, recall, warnings);
    if let Some(o) = overlays {
        o.apply(api, warnings)?;
    }
    Ok(learned)
}

/// What every API gets from the manifest: servers and business codes.
fn servers(manifest: &Manifest) -> Vec<Server> {
    manifest
        .servers
        .iter()
        .map(|s| Server {
            name: s.name.clone(),
            url: s.url.clone(),
            description: Text::bilingual(&s.description.en, &s.description.zh),
        })
        .collect()
}

fn business_codes(manifest: &Manifest) -> Vec<BusinessCode> {
    manifest
        .business_codes
        .iter()
        .map(|c| BusinessCode {
            code: c.code,
            name: c.name.clone(),
            description: Text::bilingual(&c.en, &c.zh),
            retry: c.retry,
        })
        .collect()
}

/// How deeply arrays, maps and nullable values may nest in one response type (`Vec<Option<Vec<..>>>`).
/// Deeper generics exhaust the stack of the Rust parser and printer the emitter uses (about 40 KiB per level
/// in a debug build; a test thread has 2 MiB); upstream's examples nest at most 5.
pub const MAX_TYPE_DEPTH: usize = 24;

/// Common last steps: successor inference, stable order, duplicates, type depth.
fn finish(mut api: Api, origin: &Path) -> Result<Api> {
    successor::infer_successors(&mut api.operations);
    api.operations.sort_by(|a, b| a.key().cmp(&b.key()));
    for w in api.operations.windows(2) {
        if w[0].key() == w[1].key() {
            return Err(Error::spec(
                origin,
                crate::error::pointer(["paths", w[0].path.as_str()]),
                format!("{} {} is defined twice", w[0].method.as_str(), w[0].path),
            ));
        }
    }
    for op in &api.operations {
        let depth = op.response.as_ref().map_or(0, |r| r.shape.max_type_depth());
        if depth > MAX_TYPE_DEPTH {
            return Err(Error::spec(
                origin,
                crate::error::pointer(["paths", op.path.as_str()]),
                format!(
                    "{} {}: the response data nests arrays, maps and nullable values {depth} levels deep; at most \
                     {MAX_TYPE_DEPTH} are supported (pin a flatter type with a response_schema overlay)",
                    op.method.as_str(),
                    op.path
                ),
            ));
        }
    }
    Ok(api)
}

/// A vendored definition must describe exactly the endpoint its file name says.
fn check_single_operation(lowered: &[Lowered], file: &Path, method: Method, path: &str) -> Result<()> {
    let found: Vec<String> = lowered
        .iter()
        .map(|l| format!("{} {}", l.op.method.as_str(), l.op.path))
        .collect();
    if found.len() != 1 || lowered[0].op.method != method || lowered[0].op.path != path {
        return Err(Error::spec(
            file,
            "/paths",
            format!(
                "expected exactly {} {path} (the endpoint the file is named after), found {found:?}",
                method.as_str()
            ),
        ));
    }
    Ok(())
}

/// How to turn a spec file or folder into APIs (`cargo xtask generate`, `cargo xtask diff`).
#[derive(Debug, Clone, Default)]
pub struct SpecOptions {
    /// Only this platform (the path segment after `/api/`); `None` = every platform.
    pub platform: Option<String>,
    /// Crate name for a single-platform run; default `justoneapi-<platform>`.
    pub crate_name: Option<String>,
    /// The date types are seen on when the spec's file name has none (`YYYY-MM-DD`; the caller's today).
    pub seen: Option<String>,
}

/// APIs of an aggregate definition (one file, OpenAPI 3.0 or 3.1) or of a folder of per-endpoint definitions
/// (`<slug>-<lang>.json`), one API per platform, sorted by platform.
///
/// Texts shared by every crate (servers, business codes, the deprecation notice) come from `manifest`.
pub fn spec_apis(
    spec: &SpecInput,
    manifest: &Manifest,
    opts: &SpecOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Api>> {
    Ok(spec_apis_remembering(spec, manifest, opts, &Memories::new(), warnings)?.0)
}

/// [`spec_apis`] with a type memory (`memory`, by platform): remembered types fill in operations without an
/// example. Returns the APIs and the memory of every platform generated, updated with what this spec teaches.
pub fn spec_apis_remembering(
    spec: &SpecInput,
    manifest: &Manifest,
    opts: &SpecOptions,
    memory: &Memories,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Api>, Memories)> {
    let lowered = match spec {
        SpecInput::File(source) => {
            let doc = crate::json::document(source, warnings)?;
            lower::lower(&doc, &source.path, Lang::En, warnings)?
        }
        SpecInput::Folder { path, files } => load_folder(path, files, warnings)?,
    };
    let mut by_platform: BTreeMap<String, Vec<Operation>> = Default::default();
    // Where each platform was first seen, for the error when it cannot name a crate.
    let mut first_seen: BTreeMap<String, (PathBuf, String)> = Default::default();
    // The file each operation was read from, for the type memory.
    let mut sources: BTreeMap<String, String> = Default::default();
    for l in lowered {
        let platform = platform_of(&l.op.path);
        if opts.platform.as_ref().is_some_and(|p| p != &platform) {
            continue;
        }
        first_seen
            .entry(platform.clone())
            .or_insert_with(|| (l.file.clone(), crate::error::pointer(["paths", l.op.path.as_str()])));
        let name = l
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        sources.insert(memory::key(&l.op), name);
        by_platform.entry(platform).or_default().push(l.op);
    }
    if let Some(p) = &opts.platform {
        if !by_platform.contains_key(p) {
            return Err(Error::spec(
                spec.path(),
                "/paths",
                format!("no operation under /api/{p}/"),
            ));
        }
    }
    let single = by_platform.len() == 1;
    let spec_name = spec.path().file_name().map(|n| n.to_string_lossy().into_owned());
    let provenance = |op: &Operation| {
        let source = sources.get(&memory::key(op)).cloned().unwrap_or_default();
        let seen = memory::date_in_name(&source)
            .or_else(|| spec_name.as_deref().and_then(memory::date_in_name))
            .or_else(|| opts.seen.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        Provenance { source, seen }
    };
    let empty = TypeMemory::default();
    let mut apis = Vec::new();
    let mut learned = Memories::new();
    for (platform, mut operations) in by_platform {
        let crate_name = match (&opts.crate_name, single) {
            (Some(name), true) => name.clone(),
            _ if !is_crate_name_part(&platform) => {
                let (file, pointer) = &first_seen[&platform];
                return Err(Error::spec(
                    file,
                    pointer,
                    format!(
                        "platform `{platform}` (the path segment after /api/) cannot be part of a crate name: \
                         Cargo package names are ASCII letters, digits, `-` and `_`; generate this platform \
                         alone with --platform and --crate-name"
                    ),
                ));
            }
            _ => format!("justoneapi-{platform}"),
        };
        with_deprecation_notice(&mut operations, manifest);
        let title = most_common_tag(&operations).unwrap_or_else(|| Text::en(platform.clone()));
        let mut api = Api {
            crate_name,
            version: "0.1.0".into(),
            platform: platform.clone(),
            title,
            platform_aliases: Vec::new(),
            servers: servers(manifest),
            business_codes: business_codes(manifest),
            listed_codes: Vec::new(),
            operations,
            examples: Vec::new(),
        };
        let recall = Recall {
            memory: memory.get(&platform).unwrap_or(&empty),
            file: PathBuf::from(memory::file_name(&platform)),
            provenance: &provenance,
        };
        let taught = ir_passes(&mut api, None, &recall, warnings)?;
        learned.insert(platform, taught);
        apis.push(finish(api, spec.path())?);
    }
    Ok((apis, learned))
}

/// Whether `justoneapi-<platform>` is a valid Cargo package name.
fn is_crate_name_part(platform: &str) -> bool {
    !platform.is_empty()
        && platform
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `/api/<platform>/...` -> `<platform>`.
pub fn platform_of(path: &str) -> String {
    let mut segs = path.trim_start_matches('/').split('/');
    match (segs.next(), segs.next()) {
        (Some("api"), Some(p)) if !p.is_empty() => p.to_owned(),
        (Some(first), _) => first.to_owned(),
        _ => String::new(),
    }
}

fn most_common_tag(ops: &[Operation]) -> Option<Text> {
    let mut counts: BTreeMap<&Text, usize> = Default::default();
    for t in ops.iter().flat_map(|o| o.tags.first()) {
        *counts.entry(t).or_default() += 1;
    }
    // Ties go to the smallest tag, so the title never depends on order.
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(t, _)| t.clone())
}

/// A folder of `<slug>-<lang>.json` definitions: each slug's languages merged.
fn load_folder(dir: &Path, files: &[Source], warnings: &mut Vec<Warning>) -> Result<Vec<Lowered>> {
    let mut by_slug: BTreeMap<String, Vec<(Lang, &Source)>> = Default::default();
    for f in files {
        let name = f.name();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        // `<slug>-<lang>.json` as the docs site names them, `<method>.<path>.<lang>.json` as specs/definitions/.
        let (slug, lang) = match stem.rsplit_once(['-', '.']) {
            Some((slug, "en")) => (slug.to_owned(), Lang::En),
            Some((slug, "zh")) => (slug.to_owned(), Lang::Zh),
            _ => continue, // not a per-endpoint definition (an index, a lock)
        };
        by_slug.entry(slug).or_default().push((lang, f));
    }
    if by_slug.is_empty() {
        // An empty folder is a mistake (a wrong path, a failed download), not an API without operations.
        return Err(Error::Missing {
            file: dir.to_path_buf(),
            hint: "no per-endpoint definitions (`<slug>-en.json` / `<slug>-zh.json`, or `<method>.<path>.en.json` / \
                   `.zh.json`) in this folder"
                .into(),
        });
    }
    let mut out = Vec::new();
    for (_, mut langs) in by_slug {
        langs.sort_by_key(|(lang, _)| *lang);
        out.extend(bilingual(&langs, None, warnings)?);
    }
    Ok(out)
}
