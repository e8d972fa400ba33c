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
        let text = std::fs::read_to_string(&path).expect("the repository's manifest");
        codegen::manifest::Manifest::parse(&text, &path).expect("the repository's manifest")
    })
}

fuzz_target!(|data: &[u8]| {
    // A folder of one definition, in memory: the generator reads nothing from disk.
    let dir = Path::new("fuzz");
    let input = codegen::SpecInput::Folder {
        path: dir.to_path_buf(),
        files: vec![codegen::Source::new(dir.join("fuzz-en.json"), data)],
    };
    match codegen::generate_spec(&input, manifest(), &Default::default(), &codegen::Memories::new()) {
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
            assert!(text.contains(&dir.display().to_string()), "{text}");
        }
    }
});
