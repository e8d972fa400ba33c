//! What the client-side benchmarks of `tests` work on: the seed page's example of the portrait response
//! (`fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json`, code 0 + the full portrait, ~4 KB), and
//! the baseline types: the portrait as a hand-written serde client would type it, plain `#[derive(Deserialize)]`
//! structs with the portrait's fields, strict, `String` fields, no `Option`s.

// The baseline's fields are decoded, not read.
#![allow(dead_code)]

use serde::Deserialize;

/// The seed portrait response (code 0 and the full portrait) from the vendored definition.
pub fn seed_example() -> serde_json::Value {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/docs-openapi/kol-follower-profile-v1-deprecated-en.json"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let example = doc["paths"]["/api/xiaohongshu-pgy/get-kol-fans-portrait/v1"]["get"]["responses"]["default"]
        ["content"]["application/json"]["example"]
        .clone();
    assert!(example["data"].is_object(), "no example in {file}");
    example
}

#[derive(Deserialize)]
pub struct BareData {
    pub ages: Vec<BareGroup>,
    pub gender: BareGender,
    pub interests: Vec<BareShare>,
    pub provinces: Vec<BareShare>,
    pub cities: Vec<BareShare>,
    pub devices: Vec<BareDevice>,
    #[serde(rename = "dateKey")]
    pub date_key: String,
}

#[derive(Deserialize)]
pub struct BareGroup {
    pub group: String,
    pub percent: f64,
}

#[derive(Deserialize)]
pub struct BareGender {
    pub male: f64,
    pub female: f64,
}

#[derive(Deserialize)]
pub struct BareShare {
    pub name: String,
    pub percent: f64,
}

#[derive(Deserialize)]
pub struct BareDevice {
    pub name: String,
    pub desc: String,
    pub percent: f64,
}

/// The whole body as the bare client reads it: `{ "data": BareData }` (other fields skipped).
#[derive(Deserialize)]
pub struct BareEnvelope {
    pub data: BareData,
}
