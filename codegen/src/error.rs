//! One error type for the whole pipeline. Every variant names the file, and where it helps the JSON pointer
//! inside it, so a maintainer can jump straight to the offending spot.

use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the input names is not there.
    #[error("{}: {hint}", file.display())]
    Missing { file: PathBuf, hint: String },

    #[error("{}: {message}", file.display())]
    Manifest { file: PathBuf, message: String },

    #[error("{}: not valid JSON at line {line}, column {column}: {message}", file.display())]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// Something in a definition the pipeline cannot use.
    #[error("{}#{pointer}: {message}", file.display())]
    Spec {
        file: PathBuf,
        pointer: String,
        message: String,
    },

    /// The English and Chinese definitions of one endpoint differ in structure.
    #[error(
        "{} and {} disagree at {pointer}: {message}",
        en.display(),
        zh.display()
    )]
    Disagree {
        en: PathBuf,
        zh: PathBuf,
        pointer: String,
        message: String,
    },

    /// Two things would get the same Rust name.
    #[error("name collision: {message}")]
    NameCollision { message: String },

    /// The emitter produced something that is not Rust: a bug of the generator, never of the input.
    #[error("internal error: {message}")]
    Internal { message: String },

    /// The crates of one run disagree on what they share (servers, business codes of the runtime crate).
    #[error("inconsistent input: {message}")]
    Inconsistent { message: String },

    #[error("{}: {message}", file.display())]
    Overlay { file: PathBuf, message: String },

    #[error("{}: {message}", file.display())]
    Lock { file: PathBuf, message: String },

    /// A type memory file (`specs/types/<platform>.json`) that cannot be read.
    #[error("{}: {message}", file.display())]
    Memory { file: PathBuf, message: String },
}

impl Error {
    pub fn spec(file: &Path, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_path_buf(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// JSON pointer (RFC 6901) built from reference tokens.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&t.as_ref().replace('~', "~0").replace('/', "~1"));
    }
    out
}

/// Appends one reference token to a pointer.
pub fn push_pointer(base: &str, token: impl AsRef<str>) -> String {
    format!("{base}{}", pointer([token]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_slash_and_tilde() {
        assert_eq!(pointer(["paths", "/api/a~b", "get"]), "/paths/~1api~1a~0b/get");
        assert_eq!(push_pointer("/paths", "/x"), "/paths/~1x");
    }
}
