//! `cargo xtask`: the maintainers' commands, and every side effect of the project — following upstream
//! ([`upstream`]: the catalogue, the definitions it publishes, the lifecycle record), downloads ([`download`]), the files under `specs/` ([`project`]), version bumps and changelogs ([`release`]), and
//! the one all-or-nothing writer ([`writer`]). The generator itself (`codegen`) only computes.

pub mod cmd;
pub mod download;
pub mod project;
pub mod release;
pub mod upstream;
pub mod writer;
