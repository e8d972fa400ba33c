//! IR -> IR passes, in the order `pipeline` runs them: the bilingual merge ([`merge`]), the overlays' inference
//! hints ([`overlay`]), integer-or-float across the crate ([`numbers`]), remembered response types
//! ([`memory`]), the rest of the overlays, and successors of deprecated operations ([`successor`]).

pub mod memory;
pub mod merge;
pub mod numbers;
pub mod overlay;
pub mod successor;
