//! The generator: the definitions under `specs/` in, the files of `generated/` out, all in memory.
//!
//! ```text
//! input.rs    what the generator reads: manifest, catalogue, definitions, overlays, type memory, lock, changelogs
//! catalogue/  upstream's list of endpoints: their states, metadata, definition URLs and files under specs/
//! json/       JSON -> JSON: parse with positions, OpenAPI 3.1 -> 3.0, upstream's fixups, export
//! lower/      OpenAPI -> IR operations; response examples -> shapes (infer.rs)
//! ir.rs       one bilingual, language-neutral model of an API
//! passes/     IR -> IR: bilingual merge, overlays, integer or float, type memory, successors
//! pipeline.rs the stages above wired together, for `specs/` or a definition given on the command line
//! names.rs    every Rust name, derived from HTTP paths (never operationIds)
//! emit/       IR + names -> Rust (quote + prettyplease) and the crates' other files
//! generate.rs names + emit for every crate: the files of `generated/`
//! diff/       two IRs compared: changes, severities, semver, reports
//! ```
//!
//! Pure: no file is read or written, no socket opened, no clock read (`cargo xtask` does all of that), so
//! the same input always gives the same output.

pub mod catalogue;
pub mod diff;
mod emit;
mod error;
mod generate;
mod input;
pub mod ir;
pub mod json;
pub mod lock;
pub mod lower;
pub mod manifest;
pub mod names;
mod passes;
mod pipeline;
pub mod stats;

pub use emit::{
    api_surface, emit_crates, facade_files, EmitOptions, LICENSE_FILES, REPOSITORY, RUNTIME_CRATE, RUNTIME_VERSION,
    RUST_VERSION, TEMPLATES,
};
pub use error::{pointer, Error, Result};
pub use generate::{generate, generate_spec, Generated, GENERATE_COMMAND, REGEN_COMMAND};
pub use input::{Memories, Source, SpecInput, Specs};
pub use lower::Warning;
pub use passes::memory::{
    disagreements as memory_disagreements, file_name as memory_file_name, Remembered, TypeMemory,
};
pub use passes::overlay::Overlays;
pub use pipeline::{
    crate_api, crate_apis, platform_of, spec_apis, spec_apis_remembering, Built, SpecOptions, MAX_TYPE_DEPTH,
};
