//! The generator: `specs/` in, `generated/` out.
//!
//! ```text
//! specs/manifest.yaml + specs/<group>/<slug>-<lang>.json + specs/overlays/*.yaml
//!   -> load       read JSON, errors carry file + line
//!   -> normalize  3.1 -> 3.0, overlays, upstream fixups, bilingual merge
//!   -> ir         one bilingual, language-neutral model of the API
//!   -> emit       quote! -> prettyplease -> files with an @generated header
//! ```

pub mod error;
pub mod fetch;
pub mod lock;
pub mod manifest;

pub use error::{Error, Result};
