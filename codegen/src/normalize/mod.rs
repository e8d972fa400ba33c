//! Everything that turns upstream's loose definitions into one clean model:
//! 3.1 -> 3.0 ([`downgrade`]), bilingual merge ([`merge`]), successors of deprecated operations
//! ([`successor`]), the maintainers' patches ([`overlay`]), integer-or-float across the crate ([`numbers`]) and
//! remembered response types ([`memory`]).

pub mod downgrade;
pub mod export;
pub mod fixups;
pub mod memory;
pub mod merge;
pub mod numbers;
pub mod overlay;
pub mod successor;

use std::path::Path;

use crate::error::Result;
use crate::load;

/// Reads a definition file and returns it as a parsed OpenAPI 3.0 document.
pub fn load_document(path: &Path) -> Result<openapiv3::OpenAPI> {
    let mut doc = load::read_json(path)?;
    downgrade::downgrade(&mut doc);
    load::to_openapi(doc, path)
}
