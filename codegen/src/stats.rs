//! What each generated crate covers, computed from its IR: the numbers behind the README's platform table
//! (`cargo xtask stats`), so the table is never typed by hand.

use serde::Serialize;

use crate::ir::{Api, Shape};

/// One crate's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateStats {
    pub crate_name: String,
    pub platform: String,
    /// The group's English title (`Douyin APIs`).
    pub title: String,
    pub operations: usize,
    /// Operations upstream marks deprecated (each a `#[deprecated]` method).
    pub deprecated: usize,
    /// Deprecated operations whose `#[deprecated]` note names the method to use instead.
    pub with_successor: usize,
    /// Response fields: every field of every response object, plus one for each operation whose `data` has
    /// no known shape at all.
    pub fields: usize,
    /// Response fields with a Rust type (not raw `serde_json::Value`).
    pub typed_fields: usize,
}

impl CrateStats {
    /// `typed_fields / fields` in percent, rounded down to one decimal (100.0 only when every field is typed).
    pub fn typed_percent(&self) -> String {
        if self.fields == 0 {
            return "-".to_owned();
        }
        let tenths = self.typed_fields * 1000 / self.fields;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// The numbers of every crate, in the order given.
pub fn stats(apis: &[Api]) -> Vec<CrateStats> {
    apis.iter().map(crate_stats).collect()
}

fn crate_stats(api: &Api) -> CrateStats {
    let mut s = CrateStats {
        crate_name: api.crate_name.clone(),
        platform: api.platform.clone(),
        title: api
            .title
            .en
            .clone()
            .or_else(|| api.title.zh.clone())
            .unwrap_or_default(),
        operations: api.operations.len(),
        deprecated: 0,
        with_successor: 0,
        fields: 0,
        typed_fields: 0,
    };
    for op in &api.operations {
        if let Some(d) = &op.deprecation {
            s.deprecated += 1;
            s.with_successor += usize::from(d.successor.is_some());
        }
        match op.response.as_ref().map(|r| &r.shape) {
            None | Some(Shape::Any) => s.fields += 1,
            Some(shape) => count_fields(shape, &mut s),
        }
    }
    s
}

/// Counts the fields of every object in `shape`.
fn count_fields(shape: &Shape, s: &mut CrateStats) {
    match shape {
        Shape::Object { fields, rest } => {
            for f in fields {
                s.fields += 1;
                s.typed_fields += usize::from(!is_raw(&f.shape));
                count_fields(&f.shape, s);
            }
            if let Some(rest) = rest {
                count_fields(rest, s);
            }
        }
        Shape::Map(inner) | Shape::Array(inner) | Shape::Optional(inner) => count_fields(inner, s),
        Shape::Bool | Shape::Integer | Shape::Number | Shape::String | Shape::Any => {}
    }
}

/// Whether a field's value is kept as raw JSON (`Any`, also inside lists, maps and nullables).
fn is_raw(shape: &Shape) -> bool {
    match shape {
        Shape::Any => true,
        Shape::Optional(inner) | Shape::Array(inner) | Shape::Map(inner) => is_raw(inner),
        _ => false,
    }
}

/// The README's platform table (Markdown), with a total row.
pub fn markdown_table(stats: &[CrateStats]) -> String {
    let mut out = String::from(
        "| Platform | Crate | Operations | Deprecated (with successor) | Typed response fields |\n\
         |---|---|---:|---:|---:|\n",
    );
    let mut total = CrateStats {
        crate_name: String::new(),
        platform: String::new(),
        title: String::new(),
        operations: 0,
        deprecated: 0,
        with_successor: 0,
        fields: 0,
        typed_fields: 0,
    };
    for s in stats {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} ({}) | {} ({} of {}) |\n",
            s.title,
            s.crate_name,
            s.operations,
            s.deprecated,
            s.with_successor,
            s.typed_percent(),
            s.typed_fields,
            s.fields
        ));
        total.operations += s.operations;
        total.deprecated += s.deprecated;
        total.with_successor += s.with_successor;
        total.fields += s.fields;
        total.typed_fields += s.typed_fields;
    }
    out.push_str(&format!(
        "| **Total** | {} crates | {} | {} ({}) | {} ({} of {}) |\n",
        stats.len(),
        total.operations,
        total.deprecated,
        total.with_successor,
        total.typed_percent(),
        total.typed_fields,
        total.fields
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Field;

    #[test]
    fn raw_json_fields_are_untyped_wherever_they_are_nested() {
        let shape = Shape::object(vec![
            Field::new("id", Shape::String),
            Field::new("raw", Shape::Any),
            Field::new("raws", Shape::Array(Box::new(Shape::Optional(Box::new(Shape::Any))))),
            Field::new(
                "items",
                Shape::Array(Box::new(Shape::object(vec![Field::new("n", Shape::Integer)]))),
            ),
        ]);
        let mut s = crate_stats(&Api {
            crate_name: "c".into(),
            version: "0.1.0".into(),
            platform: "p".into(),
            title: Default::default(),
            platform_aliases: Vec::new(),
            servers: Vec::new(),
            business_codes: Vec::new(),
            listed_codes: Vec::new(),
            operations: Vec::new(),
            examples: Vec::new(),
        });
        count_fields(&shape, &mut s);
        // id, raw, raws, items, items[].n
        assert_eq!((s.typed_fields, s.fields), (3, 5));
        assert_eq!(s.typed_percent(), "60.0%");
    }

    #[test]
    fn percentages_round_down_so_100_means_all() {
        let s = |typed, fields| CrateStats {
            crate_name: String::new(),
            platform: String::new(),
            title: String::new(),
            operations: 0,
            deprecated: 0,
            with_successor: 0,
            fields,
            typed_fields: typed,
        };
        assert_eq!(s(1999, 2000).typed_percent(), "99.9%");
        assert_eq!(s(2, 2).typed_percent(), "100.0%");
        assert_eq!(s(0, 0).typed_percent(), "-");
    }
}
