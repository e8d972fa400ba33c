//! Response example -> [`Shape`].
//!
//! Upstream publishes no response schemas, only one example per endpoint, so the example is the contract:
//! objects become structs (keys in example order), arrays a `Vec` of the merged shape of all their
//! elements, integers `i64` unless a float is seen in the same place, `null` an `Option`. A key missing
//! from some array elements is optional too. Conflicting shapes fall back to raw JSON rather than guess.

use serde_json::Value;

use crate::ir::{Field, Shape};

/// Internal lattice: `Unknown` is what `null` or `[]` tells us (nothing), and merges into anything.
#[derive(Debug, Clone, PartialEq)]
enum S {
    Unknown,
    Bool,
    Integer,
    Number,
    String,
    Any,
    Array(Box<S>),
    Object(Vec<(String, S, bool)>), // (key, shape, optional)
    Nullable(Box<S>),
}

pub fn infer(example: &Value) -> Shape {
    finish(&of(example))
}

fn of(v: &Value) -> S {
    match v {
        Value::Null => S::Nullable(Box::new(S::Unknown)),
        Value::Bool(_) => S::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => S::Integer,
        Value::Number(_) => S::Number,
        Value::String(_) => S::String,
        Value::Array(items) => S::Array(Box::new(items.iter().map(of).fold(S::Unknown, merge))),
        Value::Object(map) => S::Object(map.iter().map(|(k, v)| (k.clone(), of(v), false)).collect()),
    }
}

fn merge(a: S, b: S) -> S {
    match (a, b) {
        (S::Unknown, x) | (x, S::Unknown) => x,
        (S::Nullable(a), S::Nullable(b)) => S::Nullable(Box::new(merge(*a, *b))),
        (S::Nullable(a), b) | (b, S::Nullable(a)) => S::Nullable(Box::new(merge(*a, b))),
        (S::Integer, S::Number) | (S::Number, S::Integer) => S::Number,
        (S::Array(a), S::Array(b)) => S::Array(Box::new(merge(*a, *b))),
        (S::Object(a), S::Object(b)) => {
            let mut fields = a;
            let mut seen = vec![false; fields.len()];
            for (k, s, opt) in b {
                match fields.iter().position(|(fk, _, _)| *fk == k) {
                    Some(i) => {
                        seen[i] = true;
                        let (fk, fs, fopt) = std::mem::replace(&mut fields[i], (String::new(), S::Unknown, false));
                        fields[i] = (fk, merge(fs, s), fopt || opt);
                    }
                    None => {
                        fields.push((k, s, true));
                        seen.push(true);
                    }
                }
            }
            for (f, seen) in fields.iter_mut().zip(seen) {
                if !seen {
                    f.2 = true;
                }
            }
            S::Object(fields)
        }
        (a, b) if a == b => a,
        _ => S::Any,
    }
}

fn finish(s: &S) -> Shape {
    match s {
        S::Unknown | S::Any => Shape::Any,
        S::Bool => Shape::Bool,
        S::Integer => Shape::Integer,
        S::Number => Shape::Number,
        S::String => Shape::String,
        S::Array(inner) => Shape::Array(Box::new(finish(inner))),
        S::Nullable(inner) => finish(inner).nullable(),
        S::Object(fields) => Shape::Object(
            fields
                .iter()
                .map(|(k, s, opt)| Field {
                    name: k.clone(),
                    shape: if *opt { finish(s).nullable() } else { finish(s) },
                })
                .collect(),
        ),
    }
}

/// The example's `data` when the example is a full response envelope (`{"code": 0, "data": ...}`).
pub fn envelope_data(example: &Value) -> Option<&Value> {
    match example {
        Value::Object(map) if map.contains_key("code") => map.get("data"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(fields: &[(&str, Shape)]) -> Shape {
        Shape::Object(
            fields
                .iter()
                .map(|(n, s)| Field {
                    name: (*n).to_owned(),
                    shape: s.clone(),
                })
                .collect(),
        )
    }

    #[test]
    fn scalars_and_nulls() {
        assert_eq!(infer(&json!(1)), Shape::Integer);
        assert_eq!(infer(&json!(1.5)), Shape::Number);
        assert_eq!(infer(&json!("x")), Shape::String);
        assert_eq!(infer(&json!(null)), Shape::Any);
        assert_eq!(
            infer(&json!({"a": null, "b": true})),
            obj(&[("a", Shape::Any), ("b", Shape::Bool)])
        );
    }

    #[test]
    fn array_elements_merge_into_one_shape() {
        let shape = infer(&json!([
            {"name": "a", "cnt": 1, "extra": null},
            {"name": "b", "cnt": 2.5, "extra": "x"},
            {"name": "c", "cnt": 3}
        ]));
        assert_eq!(
            shape,
            Shape::Array(Box::new(obj(&[
                ("name", Shape::String),
                ("cnt", Shape::Number),
                ("extra", Shape::Optional(Box::new(Shape::String))),
            ])))
        );
    }

    #[test]
    fn keys_missing_from_some_elements_are_optional() {
        let shape = infer(&json!([{"a": 1}, {"b": "x"}]));
        assert_eq!(
            shape,
            Shape::Array(Box::new(obj(&[
                ("a", Shape::Optional(Box::new(Shape::Integer))),
                ("b", Shape::Optional(Box::new(Shape::String))),
            ])))
        );
    }

    #[test]
    fn conflicts_become_raw_json_and_empty_arrays_hold_raw_json() {
        assert_eq!(infer(&json!([1, "x"])), Shape::Array(Box::new(Shape::Any)));
        assert_eq!(infer(&json!([])), Shape::Array(Box::new(Shape::Any)));
    }

    #[test]
    fn envelope_data_is_found_only_in_an_envelope() {
        assert_eq!(envelope_data(&json!({"code": 0, "data": [1]})), Some(&json!([1])));
        assert_eq!(envelope_data(&json!({"data": [1]})), None);
    }
}
