//! Integer or float: one example shows `0` where the next response sends `0.5`.
//!
//! A number inferred from an example is an integer only when nothing says otherwise. Across the whole crate
//! (every operation's example, both languages, the overlays), a field becomes a float (`f64`) when:
//!
//! 1. any example anywhere in the crate shows a fraction or a decimal point for a field of the same name
//!    (names compared without case, `_` and `-`: `picture_price` is `picturePrice`); or
//! 2. its name says it is a ratio, a price or an average: its last word (split like Rust names are, digits
//!    aside) is in [`FLOAT_WORDS`] (`interact_rate`, `picturePrice`, `hundredLikePercent30`, `ctr`), or its first
//!    word is an average (`avgViews`). `priceState` is a state: its last word decides.
//!
//! The direction is deliberate: an integer arrives in an `f64` field without loss (up to 2^53), while `0.5`
//! cannot arrive in an `i64` one. Only shapes inferred from examples are changed; a schema or an overlay
//! that says `integer` is taken at its word, and a remembered type keeps what it was when it was learned.

use std::collections::BTreeSet;

use crate::ir::{Api, Shape, ShapeOrigin};
use crate::names;

/// Words that make a number a float.
pub const FLOAT_WORDS: &[&str] = &[
    "rate",
    "ratio",
    "percent",
    "percentage",
    "pct",
    "proportion",
    "avg",
    "average",
    "mean",
    "price",
    "cost",
    "amount",
    "cpm",
    "cpe",
    "cpc",
    "cpv",
    "cpa",
    "ctr",
    "cvr",
    "roi",
    "score",
    "double",
    "latitude",
    "longitude",
    "lat",
    "lng",
];

/// Applies the rules above to every example-inferred response of `api`.
pub fn promote_floats(api: &mut Api) {
    let mut floats = BTreeSet::new();
    for op in &api.operations {
        if let Some(r) = &op.response {
            collect_floats(&r.shape, None, &mut floats);
        }
    }
    for op in &mut api.operations {
        if let Some(r) = &mut op.response {
            if r.origin == ShapeOrigin::Example {
                promote(&mut r.shape, None, &floats);
            }
        }
    }
}

/// `picture_price`, `picturePrice`, `PicturePrice` -> `pictureprice`.
fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The name's last word (digits aside: `hundredLikePercent30`) is in [`FLOAT_WORDS`], or it starts with an
/// average (`avgViews`). The last word is what the name is: `priceState` is a state, not a price.
fn has_float_word(key: &str) -> bool {
    let words: Vec<String> = names::words(key)
        .into_iter()
        .map(|w| w.trim_matches(|c: char| c.is_ascii_digit()).to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let last = words.last().is_some_and(|w| FLOAT_WORDS.contains(&w.as_str()));
    let first = words
        .first()
        .is_some_and(|w| matches!(w.as_str(), "avg" | "average" | "mean"));
    last || first
}

fn collect_floats(shape: &Shape, key: Option<&str>, out: &mut BTreeSet<String>) {
    match shape {
        Shape::Number => {
            if let Some(k) = key {
                out.insert(normalized(k));
            }
        }
        Shape::Optional(inner) | Shape::Array(inner) | Shape::Map(inner) => collect_floats(inner, key, out),
        Shape::Object { fields, rest } => {
            for f in fields {
                collect_floats(&f.shape, Some(&f.name), out);
            }
            if let Some(r) = rest {
                collect_floats(r, None, out);
            }
        }
        _ => {}
    }
}

/// `key` is the name of the field the shape belongs to (the array's or map's field for their elements).
fn promote(shape: &mut Shape, key: Option<&str>, floats: &BTreeSet<String>) {
    match shape {
        Shape::Integer if key.is_some_and(|k| floats.contains(&normalized(k)) || has_float_word(k)) => {
            *shape = Shape::Number;
        }
        Shape::Optional(inner) | Shape::Array(inner) | Shape::Map(inner) => promote(inner, key, floats),
        Shape::Object { fields, rest } => {
            for f in fields {
                promote(&mut f.shape, Some(&f.name), floats);
            }
            if let Some(r) = rest {
                promote(r, None, floats);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Method, Operation, ResponseData, Text};
    use crate::lower::infer::infer;
    use serde_json::json;

    fn api(examples: &[serde_json::Value]) -> Api {
        Api {
            crate_name: "c".into(),
            version: "0.1.0".into(),
            platform: "p".into(),
            title: Text::default(),
            platform_aliases: Vec::new(),
            servers: vec![],
            business_codes: vec![],
            listed_codes: vec![],
            operations: examples
                .iter()
                .enumerate()
                .map(|(i, ex)| Operation {
                    method: Method::Get,
                    path: format!("/api/p/{i}"),
                    operation_id: None,
                    name: None,
                    summary: Text::default(),
                    description: Text::default(),
                    tags: vec![],
                    params: vec![],
                    response: Some(ResponseData::new(infer(ex), ShapeOrigin::Example)),
                    deprecation: None,
                    docs: Text::default(),
                    listing: Default::default(),
                })
                .collect(),
            examples: vec![],
        }
    }

    fn field(api: &Api, op: usize, path: &[&str]) -> Shape {
        let mut shape = &api.operations[op].response.as_ref().unwrap().shape;
        for key in path {
            shape = match shape.non_null() {
                Shape::Object { fields, .. } => &fields.iter().find(|f| f.name == *key).unwrap().shape,
                Shape::Array(inner) => inner,
                other => panic!("{other:?}"),
            };
        }
        shape.clone()
    }

    #[test]
    fn a_fraction_anywhere_makes_every_field_of_that_name_a_float() {
        // The Pgy case: `picturePrice` is `0` in one place and `158.0` one level up.
        let mut a = api(&[
            json!({"picturePrice": 158.0, "prices": [{"picture_price": 0}]}),
            json!({"PicturePrice": 3, "count": 0}),
        ]);
        promote_floats(&mut a);
        assert_eq!(field(&a, 0, &["prices", "[]", "picture_price"]), Shape::Number);
        assert_eq!(field(&a, 1, &["PicturePrice"]), Shape::Number);
        assert_eq!(field(&a, 1, &["count"]), Shape::Integer);
    }

    #[test]
    fn names_of_ratios_prices_and_averages_are_floats() {
        let mut a = api(&[
            json!({"interact_rate": 0, "avgViews": 12, "ctr": 1, "fansNum": 3, "rated": 1, "scores": [1, 2], "priceState": 1, "likePercent30": 2}),
        ]);
        promote_floats(&mut a);
        assert_eq!(field(&a, 0, &["interact_rate"]), Shape::Number);
        assert_eq!(field(&a, 0, &["avgViews"]), Shape::Number);
        assert_eq!(field(&a, 0, &["ctr"]), Shape::Number);
        assert_eq!(field(&a, 0, &["fansNum"]), Shape::Integer);
        assert_eq!(field(&a, 0, &["rated"]), Shape::Integer);
        assert_eq!(field(&a, 0, &["scores"]), Shape::Array(Box::new(Shape::Integer)));
        assert_eq!(field(&a, 0, &["priceState"]), Shape::Integer);
        assert_eq!(field(&a, 0, &["likePercent30"]), Shape::Number);
    }

    #[test]
    fn schemas_and_overlays_are_taken_at_their_word() {
        let mut a = api(&[json!({"rate": 1})]);
        a.operations[0].response.as_mut().unwrap().origin = ShapeOrigin::Schema;
        promote_floats(&mut a);
        assert_eq!(field(&a, 0, &["rate"]), Shape::Integer);
    }
}
