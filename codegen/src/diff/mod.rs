//! Drift between two versions of an API, judged by what it does to the generated crate.
//!
//! Input is two sets of IR [`Api`]s (so key order, whitespace and the file layout of the definitions never
//! count): APIs are matched by platform, operations by (method, path), parameters by (name, location),
//! enum values by value, response fields by wire key. Each difference is a [`Change`] with a stable
//! [`Kind`] id and a [`Severity`]:
//!
//! | severity | kinds |
//! |---|---|
//! | `breaking`: code that compiled against the old crate stops compiling, or decodes differently | `operation-removed`, `param-removed`, `param-added` (required), `param-required-changed` (either way), `param-type-changed`, `param-enum-changed` (value removed), `response-field-removed`, `response-field-type-changed`, `response-shape-changed` |
//! | `non-breaking` | `operation-added`, `operation-deprecated`, `operation-undeprecated`, `param-added` (optional), `param-enum-changed` (value added: enums are `#[non_exhaustive]`), `param-default-changed`, `response-field-added` |
//! | `docs` | `docs-changed` (summary, description, tags, translations, parameter and enum value docs, deprecation note, successor, documentation URLs, where the response type comes from), `operation-id-changed` (names derive from paths, so a rename alone changes no Rust name) |
//!
//! Response shapes compare recursively; `detail` names the place as `data.a.b[]` (`[]` = the items of an
//! array). A change at the root of `data` (typed data gone or new, object -> array, an object replaced by
//! one with not a single key in common, ...) is `response-shape-changed`; below it, `response-field-*`
//! (an object replaced by one with no key in common is one `response-field-type-changed`, not a list of
//! removals and additions). Every scalar and object field of a generated struct is an `Option` anyway, so
//! `null` appearing or going away at a field changes nothing; inside lists and maps (`Vec<Option<T>>`) it is
//! a type change, and the comparison continues inside. `data` of shape "any JSON" is raw JSON, the same as no shape at all:
//! between those two only the documented source changes (`docs-changed`).
//!
//! `model.rs` holds the change model and the version bump, `compare.rs` the comparison, `render.rs` the
//! reports.
//!
//! API-level metadata (crate name, version, title, servers, business codes) is not compared: it comes from
//! `specs/manifest.yaml`, which is the same on both sides of a drift check.

mod compare;
mod model;
mod render;

pub use compare::{diff_api, diff_apis, shape_name};
pub use model::{bump_version, BadVersion, Change, FailOn, Kind, Report, Semver, Severity, DRIFT_EXIT_CODE};

use crate::input::{Memories, SpecInput};
use crate::manifest::Manifest;
use crate::pipeline::{self, SpecOptions};

/// Compares two spec files or folders (see [`pipeline::spec_apis`]): `cargo xtask diff OLD NEW`.
///
/// Errors name the file (and the JSON pointer) that could not be read.
pub fn diff_specs(old: &SpecInput, new: &SpecInput, manifest: &Manifest, opts: &SpecOptions) -> crate::Result<Report> {
    diff_specs_remembering(old, new, manifest, opts, None)
}

/// [`diff_specs`] judged with a type memory (`cargo xtask diff --types`): OLD is read with `memory`, NEW with
/// what OLD taught it, so an example that disappears while its type is remembered is a `docs` change, as it
/// is for the generated crate.
pub fn diff_specs_remembering(
    old: &SpecInput,
    new: &SpecInput,
    manifest: &Manifest,
    opts: &SpecOptions,
    memory: Option<&Memories>,
) -> crate::Result<Report> {
    let mut warnings = Vec::new();
    let Some(memory) = memory else {
        let old = pipeline::spec_apis(old, manifest, opts, &mut warnings)?;
        let new = pipeline::spec_apis(new, manifest, opts, &mut warnings)?;
        return Ok(diff_apis(&old, &new));
    };
    let (old, taught) = pipeline::spec_apis_remembering(old, manifest, opts, memory, &mut warnings)?;
    // Platforms OLD does not have keep what the memory knew of them.
    let mut merged = memory.clone();
    merged.extend(taught);
    let (new, _) = pipeline::spec_apis_remembering(new, manifest, opts, &merged, &mut warnings)?;
    Ok(diff_apis(&old, &new))
}
