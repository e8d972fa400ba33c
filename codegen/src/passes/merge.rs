//! Bilingual merge: the English and Chinese definitions of an endpoint become one operation.
//!
//! Texts are joined; everything structural must agree (paths, methods, parameters and their types,
//! required flags, enum values, defaults, the deprecated flag, the example's shape). A disagreement is an
//! error naming both files and the JSON pointer, because one of the two is wrong and a human must decide.

use crate::error::{push_pointer, Error, Result};
use crate::ir::{Operation, ParamType, Shape, Text};
use crate::lower::Lowered;

pub fn merge(en: Vec<Lowered>, zh: Vec<Lowered>) -> Result<Vec<Lowered>> {
    let disagree = |a: &Lowered, b: &Lowered, pointer: &str, message: String| Error::Disagree {
        en: a.file.clone(),
        zh: b.file.clone(),
        pointer: pointer.to_owned(),
        message,
    };
    let mut out = Vec::with_capacity(en.len());
    let mut zh = zh;
    for mut e in en {
        let Some(i) = zh.iter().position(|z| z.op.key() == e.op.key()) else {
            let other = zh.first().cloned().unwrap_or_else(|| e.clone());
            return Err(disagree(
                &e,
                &other,
                &e.pointer,
                "operation missing from the Chinese definition".into(),
            ));
        };
        let z = zh.remove(i);
        check_structure(&e, &z).map_err(|(ptr, msg)| disagree(&e, &z, &ptr, msg))?;
        join_texts(&mut e.op, z.op);
        out.push(e);
    }
    if let Some(z) = zh.first() {
        let other = out.first().cloned().unwrap_or_else(|| z.clone());
        return Err(disagree(
            &other,
            z,
            &z.pointer,
            "operation missing from the English definition".into(),
        ));
    }
    Ok(out)
}

fn check_structure(e: &Lowered, z: &Lowered) -> std::result::Result<(), (String, String)> {
    let (a, b) = (&e.op, &z.op);
    if a.is_deprecated() != b.is_deprecated() {
        return Err((
            format!("{}/deprecated", e.pointer),
            format!(
                "deprecated is {} in English, {} in Chinese",
                a.is_deprecated(),
                b.is_deprecated()
            ),
        ));
    }
    if a.params.len() != b.params.len() {
        return Err((
            format!("{}/parameters", e.pointer),
            format!(
                "{} parameters in English, {} in Chinese",
                a.params.len(),
                b.params.len()
            ),
        ));
    }
    for (i, (pa, pb)) in a.params.iter().zip(&b.params).enumerate() {
        let ptr = &e.param_pointers[i];
        let differs =
            |what: &str, x: String, y: String| Err((format!("{ptr}{what}"), format!("English {x}, Chinese {y}")));
        if pa.name != pb.name {
            return differs("/name", format!("`{}`", pa.name), format!("`{}`", pb.name));
        }
        if pa.location != pb.location {
            return differs("/in", format!("{:?}", pa.location), format!("{:?}", pb.location));
        }
        if pa.required != pb.required {
            return differs("/required", pa.required.to_string(), pb.required.to_string());
        }
        if pa.default != pb.default {
            return differs(
                "/schema/default",
                format!("{:?}", pa.default),
                format!("{:?}", pb.default),
            );
        }
        match (&pa.ty, &pb.ty) {
            (ParamType::Enum(x), ParamType::Enum(y)) => {
                let xv: Vec<&str> = x.values.iter().map(|v| v.value.as_str()).collect();
                let yv: Vec<&str> = y.values.iter().map(|v| v.value.as_str()).collect();
                if xv != yv || x.integer != y.integer {
                    return differs("/schema/enum", format!("{xv:?}"), format!("{yv:?}"));
                }
            }
            (x, y) if x != y => return differs("/schema/type", format!("{x:?}"), format!("{y:?}")),
            _ => {}
        }
    }
    match (&a.response, &b.response) {
        (Some(x), Some(y)) => {
            let base = e
                .example_pointer
                .clone()
                .unwrap_or_else(|| format!("{}/responses", e.pointer));
            shape_diff(&x.shape, &y.shape, &base)?;
        }
        (None, None) => {}
        _ => {
            return Err((
                format!("{}/responses", e.pointer),
                "one language has a response example, the other not".into(),
            ))
        }
    }
    Ok(())
}

/// First place where two inferred shapes differ, as a pointer into the example.
fn shape_diff(a: &Shape, b: &Shape, ptr: &str) -> std::result::Result<(), (String, String)> {
    match (a, b) {
        (Shape::Optional(x), Shape::Optional(y)) => shape_diff(x, y, ptr),
        (Shape::Array(x), Shape::Array(y)) => shape_diff(x, y, &format!("{ptr}/0")),
        (Shape::Map(x), Shape::Map(y)) => shape_diff(x, y, ptr),
        (Shape::Object { fields: x, rest: rx }, Shape::Object { fields: y, rest: ry }) => {
            for f in x {
                let fp = push_pointer(ptr, &f.name);
                match y.iter().find(|g| g.name == f.name) {
                    Some(g) => shape_diff(&f.shape, &g.shape, &fp)?,
                    None => return Err((fp, format!("key `{}` only in the English example", f.name))),
                }
            }
            if let Some(g) = y.iter().find(|g| !x.iter().any(|f| f.name == g.name)) {
                return Err((
                    push_pointer(ptr, &g.name),
                    format!("key `{}` only in the Chinese example", g.name),
                ));
            }
            match (rx, ry) {
                (Some(rx), Some(ry)) => shape_diff(rx, ry, ptr),
                (None, None) => Ok(()),
                _ => Err((
                    ptr.to_owned(),
                    "keys that are data (ids, dates) in one language's example only".to_owned(),
                )),
            }
        }
        (x, y) if x == y => Ok(()),
        (x, y) => Err((
            ptr.to_owned(),
            format!(
                "example shape differs: English {}, Chinese {}",
                describe(x),
                describe(y)
            ),
        )),
    }
}

fn describe(s: &Shape) -> &'static str {
    match s {
        Shape::Bool => "boolean",
        Shape::Integer => "integer",
        Shape::Number => "number",
        Shape::String => "string",
        Shape::Any => "any",
        Shape::Optional(_) => "nullable",
        Shape::Array(_) => "array",
        Shape::Object { .. } => "object",
        Shape::Map(_) => "object keyed by data",
    }
}

fn join(a: &mut Text, b: Text) {
    if a.zh.is_none() {
        a.zh = b.zh;
    }
    if a.en.is_none() {
        a.en = b.en;
    }
}

fn join_texts(a: &mut Operation, b: Operation) {
    join(&mut a.summary, b.summary);
    join(&mut a.description, b.description);
    for (ta, tb) in a.tags.iter_mut().zip(b.tags) {
        join(ta, tb);
    }
    for (pa, pb) in a.params.iter_mut().zip(b.params) {
        join(&mut pa.description, pb.description);
        if let (ParamType::Enum(x), ParamType::Enum(y)) = (&mut pa.ty, pb.ty) {
            for (va, vb) in x.values.iter_mut().zip(y.values) {
                join(&mut va.doc, vb.doc);
            }
        }
    }
    join(&mut a.docs, b.docs);
}
