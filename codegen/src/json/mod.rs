//! JSON -> JSON passes, before anything is typed: parse with positions ([`load`]), OpenAPI 3.1 -> 3.0
//! ([`downgrade`]), upstream's known bugs ([`fixups`]); and, for other generators, the normalized 3.0
//! document ([`export`]).

pub mod downgrade;
pub mod export;
pub mod fixups;
pub mod load;

use crate::error::Result;
use crate::input::Source;
use crate::lower::Warning;

/// A definition (OpenAPI 3.0 or 3.1; per-endpoint or aggregate) as an OpenAPI 3.0 document, upstream's known
/// bugs fixed (each fix a warning).
pub fn document(source: &Source, warnings: &mut Vec<Warning>) -> Result<openapiv3::OpenAPI> {
    let mut doc = load::parse_json(&source.bytes, &source.path)?;
    downgrade::downgrade(&mut doc);
    fixups::apply(&mut doc, &source.path, warnings);
    load::to_openapi(doc, &source.path)
}
