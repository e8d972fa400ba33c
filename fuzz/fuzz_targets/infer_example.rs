//! Bytes as a response example: JSON -> inferred shape -> the export's JSON Schema. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(example) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let data = codegen::lower::infer::envelope_data(&example).unwrap_or(&example);
    let shape = codegen::lower::infer::infer(data);
    codegen::json::export::shape_schema(&shape);
});
