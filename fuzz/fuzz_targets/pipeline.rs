//! Bytes as the English definition of one endpoint in a per-endpoint folder, through the whole pipeline
//! (`cargo xtask generate <folder>`): load, normalize, lower, names, emit. Success must be Rust that parses;
//! an error must name the folder or a file in it.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn manifest() -> &'static codegen::manifest::Manifest {
    static M: OnceLock<codegen::manifest::Manifest> = OnceLock::new();
    M.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/manifest.yaml");
        codegen::manifest::Manifest::load(&path).expect("the repository's manifest")
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("fuzz-en.json"), data).expect("write the input");
    match codegen::outputs::plan_generate(dir.path(), manifest(), &Default::default()) {
        Ok(out) => {
            for (path, text) in &out.files {
                if path.extension().is_some_and(|e| e == "rs") {
                    if let Err(e) = syn::parse_file(text) {
                        panic!("{}: not valid Rust: {e}", path.display());
                    }
                }
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains(&dir.path().display().to_string()), "{text}");
        }
    }
});
