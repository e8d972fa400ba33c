//! The generator: `specs/` in, `generated/` out.
//!
//! ```text
//! specs/manifest.yaml + specs/<group>/<slug>-<lang>.json + specs/overlays/*.yaml
//!   -> load       read JSON; errors carry file + line or JSON pointer       (load.rs)
//!   -> normalize  3.1 -> 3.0, bilingual merge, successors, overlays           (normalize/)
//!   -> lower      OpenAPI -> IR, response examples -> shapes                  (lower.rs, infer.rs)
//!   -> ir         one bilingual, language-neutral model of the API           (ir.rs)
//!   -> emit       names (names.rs), quote! -> prettyplease -> files            (emit/)
//! ```
//! `diff.rs` compares two IRs for `cargo xtask diff` and for the version bump of `cargo xtask regen`
//! (`release.rs`).
//! `outputs.rs` runs the whole thing for `cargo xtask regen` and `cargo xtask check`; `fetch.rs` refreshes
//! `specs/` from upstream for `cargo xtask fetch`.

pub mod diff;
pub mod emit;
pub mod error;
pub mod fetch;
pub mod infer;
pub mod ir;
pub mod load;
pub mod lock;
pub mod lower;
pub mod manifest;
pub mod names;
pub mod normalize;
pub mod outputs;
pub mod pipeline;
pub mod release;

pub use error::{Error, Result};
