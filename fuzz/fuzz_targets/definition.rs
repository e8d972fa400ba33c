//! Bytes as a definition file: parse, 3.1 -> 3.0 downgrade, the export's normalization, `openapiv3`
//! deserialization, and lowering to the IR. Any outcome but a panic (or a crash) is fine; errors must name
//! the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = Path::new("fuzz-en.json");
    let Ok(mut doc) = codegen::json::load::parse_json(data, file).map_err(|e| assert_names_file(&e)) else {
        return;
    };
    let mut exported = doc.clone();
    codegen::json::export::normalize_value(&mut exported, file, &mut Vec::new());
    codegen::json::downgrade::downgrade(&mut doc);
    match codegen::json::load::to_openapi(doc, file) {
        Ok(api) => {
            for lang in [codegen::manifest::Lang::En, codegen::manifest::Lang::Zh] {
                if let Err(e) = codegen::lower::lower(&api, file, lang, &mut Vec::new()) {
                    assert_names_file(&e);
                }
            }
        }
        Err(e) => assert_names_file(&e),
    }
});

fn assert_names_file(e: &codegen::Error) {
    assert!(e.to_string().contains("fuzz-en.json"), "{e}");
}
