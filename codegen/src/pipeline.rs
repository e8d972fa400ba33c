//! The stages wired together: manifest + vendored definitions -> one [`Api`] per crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ir::{
    Api, BusinessCode, ExampleProgram, Method, Operation, Provenance, Server, Successor, SuccessorSource, Text,
};
use crate::lock::Lock;
use crate::lower::{self, Lowered, Warning};
use crate::manifest::{CrateSpec, Lang, Layout, Manifest};
use crate::normalize::memory::{self, Recall, TypeMemory};
use crate::normalize::overlay::Overlays;
use crate::normalize::{self, merge, numbers, successor};

/// Remembered response types by platform (`specs/types/<platform>.json`).
pub type Memories = BTreeMap<String, TypeMemory>;

/// The input of one generation run, read once.
#[derive(Debug)]
pub struct Input {
    pub layout: Layout,
    pub manifest: Manifest,
    /// `specs/specs.lock` (empty when there is none yet): when each definition was fetched.
    pub lock: Lock,
    /// `specs/types/`.
    pub memory: Memories,
}

impl Input {
    pub fn load(root: &Path) -> Result<Input> {
        let layout = Layout::new(root);
        let manifest = Manifest::load(&layout.manifest())?;
        let lock = Lock::load_or_default(&layout.lock())?;
        let memory = load_memories(&layout.types())?;
        Ok(Input {
            layout,
            manifest,
            lock,
            memory,
        })
    }
}

/// Every `<platform>.json` of a type memory folder (none when the folder does not exist).
pub fn load_memories(dir: &Path) -> Result<Memories> {
    let mut out = Memories::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let Some(platform) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        out.insert(platform.to_owned(), TypeMemory::parse(&text, &path)?);
    }
    Ok(out)
}

/// One crate's IR and the type memory its definitions teach.
#[derive(Debug, Clone)]
pub struct Built {
    pub api: Api,
    pub learned: TypeMemory,
}

/// Builds the IR of one crate from its per-endpoint definitions.
pub fn crate_api(
    input: &Input,
    krate: &CrateSpec,
    overlays: &mut Overlays,
    warnings: &mut Vec<Warning>,
) -> Result<Built> {
    let manifest = &input.manifest;
    let specs = input.layout.specs();
    let mut ops: Vec<Operation> = Vec::new();
    let mut hints: Vec<(String, String)> = Vec::new(); // (path, successor slug)
    for ep in &krate.endpoints {
        let mut merged: Option<Vec<Lowered>> = None;
        let mut docs = Text::default();
        for file in krate.spec_files().into_iter().filter(|f| f.slug == ep.slug) {
            let path = specs.join(file.rel_path());
            let doc = normalize::load_document(&path)?;
            let lowered = lower::lower(&doc, &path, file.lang, warnings)?;
            check_single_path(&lowered, &path, &ep.path)?;
            let url = Some(file.url(&manifest.docs_base_url));
            match file.lang {
                Lang::En => docs.en = url,
                Lang::Zh => docs.zh = url,
            }
            merged = Some(match merged {
                None => lowered,
                Some(prev) => match file.lang {
                    Lang::Zh => merge::merge(prev, lowered)?,
                    Lang::En => merge::merge(lowered, prev)?,
                },
            });
        }
        for mut l in merged.unwrap_or_default() {
            l.op.docs = docs.clone();
            if let Some(d) = &mut l.op.deprecation {
                d.note = Text::bilingual(&manifest.deprecation_notice.en, &manifest.deprecation_notice.zh);
            }
            if let Some(s) = &ep.successor {
                hints.push((l.op.path.clone(), s.clone()));
            }
            ops.push(l.op);
        }
    }
    for (path, slug) in hints {
        let target = krate
            .endpoints
            .iter()
            .find(|e| e.slug == slug)
            .map(|e| e.path.clone())
            .expect("manifest validation checked successor slugs");
        let target_method = ops
            .iter()
            .find(|o| o.path == target)
            .map(|o| o.method)
            .unwrap_or(Method::Get);
        if let Some(d) = ops
            .iter_mut()
            .find(|o| o.path == path)
            .and_then(|o| o.deprecation.as_mut())
        {
            d.successor = Some(Successor {
                method: target_method,
                path: target,
                source: SuccessorSource::ManifestHint,
            });
        }
    }
    let mut api = Api {
        crate_name: krate.name.clone(),
        version: krate.version.clone(),
        platform: krate.platform.clone(),
        title: Text::bilingual(&krate.title.en, &krate.title.zh),
        servers: servers(manifest),
        business_codes: business_codes(manifest),
        operations: ops,
        examples: krate
            .examples
            .iter()
            .map(|ex| ExampleProgram {
                name: ex.name.clone(),
                method: Method::Get,
                path: krate
                    .endpoints
                    .iter()
                    .find(|e| e.slug == ex.endpoint)
                    .map(|e| e.path.clone())
                    .expect("manifest validation checked example endpoints"),
            })
            .collect(),
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
        let seen = input
            .lock
            .files
            .get(&file)
            .and_then(|entry| crate::lock::iso_date(&entry.date))
            .unwrap_or_else(|| "unknown".to_owned());
        Provenance { source: file, seen }
    };
    let empty = TypeMemory::default();
    let recall = Recall {
        memory: input.memory.get(&krate.platform).unwrap_or(&empty),
        file: PathBuf::from("specs/types").join(memory::file_name(&krate.platform)),
        provenance: &provenance,
    };
    let learned = ir_passes(&mut api, Some(overlays), &recall, warnings)?;
    Ok(Built {
        api: finish(api, Path::new(&input.layout.manifest()))?,
        learned,
    })
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
pub fn servers(manifest: &Manifest) -> Vec<Server> {
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

pub fn business_codes(manifest: &Manifest) -> Vec<BusinessCode> {
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

/// How deeply arrays and nullable values may nest in one response type (`Vec<Option<Vec<..>>>`). Deeper
/// generics exhaust the stack of the Rust parser and printer the emitter uses (about 40 KiB per level in a
/// debug build; a test thread has 2 MiB); upstream's examples nest at most 5.
pub const MAX_TYPE_DEPTH: usize = 24;

/// Common last steps: successor inference, stable order, name checks, type depth.
pub fn finish(mut api: Api, origin: &Path) -> Result<Api> {
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
                    "{} {}: the response data nests arrays and nullable values {depth} levels deep; at most \
                     {MAX_TYPE_DEPTH} are supported (pin a flatter type with a response_schema overlay)",
                    op.method.as_str(),
                    op.path
                ),
            ));
        }
    }
    // Collisions name both owners (operations, keys); the input they came from is named here.
    crate::emit::check_names(&api).map_err(|e| match e {
        Error::NameCollision { message } => Error::NameCollision {
            message: format!("{}: {message}", origin.display()),
        },
        other => other,
    })?;
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

/// Every spec file of every crate, with its absolute path (for digests and lock checks).
pub fn spec_paths(input: &Input) -> Vec<(String, PathBuf)> {
    input
        .manifest
        .spec_files()
        .into_iter()
        .map(|f| {
            let rel = f.rel_path();
            let abs = input.layout.specs().join(&rel);
            (rel, abs)
        })
        .collect()
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
    spec: &Path,
    manifest: &Manifest,
    opts: &SpecOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Api>> {
    Ok(spec_apis_remembering(spec, manifest, opts, &Memories::new(), warnings)?.0)
}

/// [`spec_apis`] with a type memory (`memory`, by platform): remembered types fill in operations without an
/// example. Returns the APIs and the memory of every platform generated, updated with what this spec teaches.
pub fn spec_apis_remembering(
    spec: &Path,
    manifest: &Manifest,
    opts: &SpecOptions,
    memory: &Memories,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Api>, Memories)> {
    let lowered = if spec.is_dir() {
        load_dir(spec, warnings)?
    } else {
        load_aggregate(spec, warnings)?
    };
    let mut by_platform: BTreeMap<String, Vec<Operation>> = Default::default();
    // Where each platform was first seen, for the error when it cannot name a crate.
    let mut first_seen: BTreeMap<String, (PathBuf, String)> = Default::default();
    // The file each operation was read from, for the type memory.
    let mut sources: BTreeMap<String, String> = Default::default();
    for mut l in lowered {
        let platform = platform_of(&l.op.path);
        if opts.platform.as_ref().is_some_and(|p| p != &platform) {
            continue;
        }
        first_seen
            .entry(platform.clone())
            .or_insert_with(|| (l.file.clone(), crate::error::pointer(["paths", l.op.path.as_str()])));
        if let Some(d) = &mut l.op.deprecation {
            d.note = Text::bilingual(&manifest.deprecation_notice.en, &manifest.deprecation_notice.zh);
        }
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
            return Err(Error::spec(spec, "/paths", format!("no operation under /api/{p}/")));
        }
    }
    let single = by_platform.len() == 1;
    let provenance = |op: &Operation| {
        let source = sources.get(&memory::key(op)).cloned().unwrap_or_default();
        let seen = memory::date_in_name(&source)
            .or_else(|| {
                spec.file_name()
                    .and_then(|n| memory::date_in_name(&n.to_string_lossy()))
            })
            .or_else(|| opts.seen.clone())
            .unwrap_or_else(|| "unknown".to_owned());
        Provenance { source, seen }
    };
    let empty = TypeMemory::default();
    let mut apis = Vec::new();
    let mut learned = Memories::new();
    for (platform, operations) in by_platform {
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
        apis.push(finish(api, spec)?);
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
    let mut counts: std::collections::BTreeMap<&Text, usize> = Default::default();
    for t in ops.iter().flat_map(|o| o.tags.first()) {
        *counts.entry(t).or_default() += 1;
    }
    // Ties go to the smallest tag, so the title never depends on order.
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(t, _)| t.clone())
}

fn load_aggregate(spec: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<Lowered>> {
    let mut doc = crate::load::read_json(spec)?;
    normalize::downgrade::downgrade(&mut doc);
    normalize::fixups::apply(&mut doc, spec, warnings);
    let doc = crate::load::to_openapi(doc, spec)?;
    lower::lower(&doc, spec, Lang::En, warnings)
}

fn load_dir(dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<Lowered>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut by_slug: std::collections::BTreeMap<String, Vec<(Lang, PathBuf)>> = Default::default();
    for f in files {
        let stem = f.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let (slug, lang) = match stem.rsplit_once('-') {
            Some((slug, "en")) => (slug.to_owned(), Lang::En),
            Some((slug, "zh")) => (slug.to_owned(), Lang::Zh),
            _ => continue, // not a per-endpoint definition (an index, a lock)
        };
        by_slug.entry(slug).or_default().push((lang, f));
    }
    if by_slug.is_empty() {
        // An empty folder is a mistake (a wrong path, a failed download), not an API without operations.
        return Err(Error::io(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no per-endpoint definitions (`<slug>-en.json` / `<slug>-zh.json`) in this folder",
            ),
        ));
    }
    let mut out = Vec::new();
    for (_, mut langs) in by_slug {
        langs.sort();
        let mut merged: Option<Vec<Lowered>> = None;
        for (lang, path) in langs {
            let doc = normalize::load_document(&path)?;
            let lowered = lower::lower(&doc, &path, lang, warnings)?;
            merged = Some(match merged {
                None => lowered,
                Some(en) => merge::merge(en, lowered)?,
            });
        }
        out.extend(merged.unwrap_or_default());
    }
    Ok(out)
}
