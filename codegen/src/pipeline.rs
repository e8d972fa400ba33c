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

use crate::error::{Error, Result};
use crate::input::{Memories, Source, SpecInput, Specs};
use crate::ir::{
    Api, BusinessCode, ExampleProgram, Method, Operation, Provenance, Server, Successor, SuccessorSource, Text,
};
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

/// The IR of every crate of the manifest, with the memory each one's definitions teach (by platform).
pub fn crate_apis(specs: &Specs, warnings: &mut Vec<Warning>) -> Result<Vec<Built>> {
    let mut overlays = Overlays::parse(&specs.overlays)?;
    let built = specs
        .manifest
        .crates
        .iter()
        .map(|krate| crate_api(specs, krate, &mut overlays, warnings))
        .collect::<Result<Vec<_>>>()?;
    overlays.check_all_applied()?;
    Ok(built)
}

/// Builds the IR of one crate from its per-endpoint definitions.
pub fn crate_api(
    specs: &Specs,
    krate: &CrateSpec,
    overlays: &mut Overlays,
    warnings: &mut Vec<Warning>,
) -> Result<Built> {
    let manifest = &specs.manifest;
    let mut ops: Vec<Operation> = Vec::new();
    for ep in &krate.endpoints {
        let mut docs = Text::default();
        let mut sources = Vec::new();
        for file in krate.spec_files().into_iter().filter(|f| f.slug == ep.slug) {
            let source = specs.definition(&file.rel_path())?;
            let url = Some(file.url(&manifest.docs_base_url));
            match file.lang {
                Lang::En => docs.en = url,
                Lang::Zh => docs.zh = url,
            }
            sources.push((file.lang, source));
        }
        for lowered in bilingual(&sources, Some(&ep.path), warnings)? {
            let mut op = lowered.op;
            op.docs = docs.clone();
            ops.push(op);
        }
    }
    with_deprecation_notice(&mut ops, manifest);
    // The manifest's successor hints.
    for ep in krate.endpoints.iter().filter(|e| e.successor.is_some()) {
        let target = krate
            .endpoints
            .iter()
            .find(|e| Some(&e.slug) == ep.successor.as_ref())
            .map(|e| e.path.clone())
            .ok_or_else(|| Error::Manifest {
                file: "specs/manifest.yaml".into(),
                message: format!("endpoint `{}` names a successor the crate does not list", ep.slug),
            })?;
        let method = ops.iter().find(|o| o.path == target).map_or(Method::Get, |o| o.method);
        if let Some(d) = ops
            .iter_mut()
            .find(|o| o.path == ep.path)
            .and_then(|o| o.deprecation.as_mut())
        {
            d.successor = Some(Successor {
                method,
                path: target,
                source: SuccessorSource::ManifestHint,
            });
        }
    }
    let examples = krate
        .examples
        .iter()
        .map(|ex| {
            let path = krate
                .endpoints
                .iter()
                .find(|e| e.slug == ex.endpoint)
                .map(|e| e.path.clone())
                .ok_or_else(|| Error::Manifest {
                    file: "specs/manifest.yaml".into(),
                    message: format!("example `{}` calls an endpoint the crate does not list", ex.name),
                })?;
            Ok(ExampleProgram {
                name: ex.name.clone(),
                method: Method::Get,
                path,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut api = Api {
        crate_name: krate.name.clone(),
        version: krate.version.clone(),
        platform: krate.platform.clone(),
        title: Text::bilingual(&krate.title.en, &krate.title.zh),
        servers: servers(manifest),
        business_codes: business_codes(manifest),
        operations: ops,
        examples,
    };
    // A type is learned from the English definition (the Chinese one has the same example), on the date the
    // lock says it was fetched.
    let provenance = |op: &Operation| {
        let file = krate
            .endpoints
            .iter()
            .find(|e| e.path == op.path)
            .and_then(|e| krate.spec_files().into_iter().find(|f| f.slug == e.slug))
            .map(|f| f.rel_path())
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
    Ok(Built {
        api: finish(api, Path::new("specs/manifest.yaml"))?,
        learned,
    })
}

/// The English and Chinese definitions of one endpoint (or of several, in a folder), lowered and merged into
/// one bilingual operation each. `expected_path`: the one path the definitions must describe.
fn bilingual(
    sources: &[(Lang, &Source)],
    expected_path: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Lowered>> {
    let mut merged: Option<(Lang, Vec<Lowered>)> = None;
    for (lang, source) in sources {
        let doc = crate::json::document(source, warnings)?;
        let lowered = lower::lower(&doc, &source.path, *lang, warnings)?;
        if let Some(expected) = expected_path {
            check_single_path(&lowered, &source.path, expected)?;
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
        o.apply(api)?;
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

fn check_single_path(lowered: &[Lowered], file: &Path, expected: &str) -> Result<()> {
    let paths: Vec<&str> = lowered.iter().map(|l| l.op.path.as_str()).collect();
    if paths.is_empty() || paths.iter().any(|p| *p != expected) {
        return Err(Error::spec(
            file,
            "/paths",
            format!("expected exactly the path {expected} (from specs/manifest.yaml), found {paths:?}"),
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
            servers: servers(manifest),
            business_codes: business_codes(manifest),
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
        let (slug, lang) = match stem.rsplit_once('-') {
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
            hint: "no per-endpoint definitions (`<slug>-en.json` / `<slug>-zh.json`) in this folder".into(),
        });
    }
    let mut out = Vec::new();
    for (_, mut langs) in by_slug {
        langs.sort_by_key(|(lang, _)| *lang);
        out.extend(bilingual(&langs, None, warnings)?);
    }
    Ok(out)
}
