//! Response example -> [`Shape`].
//!
//! Upstream publishes no response schemas, only one example per endpoint, so the example is the contract.
//! The rules, in the order they apply:
//!
//! * Scalars give their type; integers are `Integer` unless a fraction (or a decimal point, `158.0`) is seen in
//!   the same place. (The whole crate's examples are consulted afterwards: see `passes/numbers.rs`.)
//! * Arrays get the merged shape of all their elements; `[]` says nothing (raw JSON unless merged with more).
//! * `null` makes a place optional; so does a key missing from some elements of an array.
//! * An object is a **map** (`BTreeMap<String, T>`, `T` the merged shape of its values) when its keys are
//!   data rather than names: when at least half of them look like data ([`key_is_data`]: numbers, dates,
//!   ranges, URLs, ids with five or more digits, `name_2021`-style years, hashes), or when at least half of
//!   them are not identifiers at all (`bpx-aux-block-icon`, `Brand Name`, `摩根士丹利`) *and* every value has
//!   the same shape. quicktype's `inferMaps` looks at the names only; requiring one shared value shape for
//!   non-identifier keys keeps records whose keys merely happen to be Chinese (toutiao's `作者名称`, `点赞量`, with
//!   strings, numbers and lists side by side) as structs.
//! * Otherwise it is a **struct**: a field per name-like key, and the data-like keys, if any (jd's `"18"` beside
//!   `pid`, `promoType`), gathered as `rest`, a map beside the fields, so no field is ever named after an id.
//! * An empty object says nothing, like `[]`.
//! * Conflicting shapes fall back to raw JSON rather than guess.
//!
//! An overlay can force either way for one place ([`Hints`]).

use serde_json::Value;

use crate::ir::{Field, Shape};

/// Overlay hints: JSON paths (`data.cidMap`, `data.list[].pic_infos`, map values `data.cidMap.*`) of objects
/// to infer as maps, or as structs, whatever their keys look like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    pub maps: Vec<String>,
    pub structs: Vec<String>,
}

impl Hints {
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty() && self.structs.is_empty()
    }
}

/// The inferred shape and the hints that matched no object of the example.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub shape: Shape,
    pub unused_hints: Vec<String>,
}

/// Path of the envelope's `data`, where every response shape starts.
pub const ROOT: &str = "data";

pub fn infer(example: &Value) -> Shape {
    infer_with(example, &Hints::default()).shape
}

pub fn infer_with(example: &Value, hints: &Hints) -> Inferred {
    let mut ctx = Ctx {
        hints,
        used: vec![false; hints.maps.len() + hints.structs.len()],
    };
    let mut path = ROOT.to_owned();
    let shape = finish(of(example, &mut path, &mut ctx));
    let unused_hints = hints
        .maps
        .iter()
        .chain(&hints.structs)
        .zip(&ctx.used)
        .filter(|(_, used)| !**used)
        .map(|(h, _)| h.clone())
        .collect();
    Inferred { shape, unused_hints }
}

/// Whether an object key looks like data (an id, a date, a number...) rather than a name.
pub fn key_is_data(key: &str) -> bool {
    let bytes = key.as_bytes();
    // Every rule but the URL needs a digit; most keys are names without one (one pass instead of six).
    if !bytes.iter().any(u8::is_ascii_digit) {
        return key.contains("://");
    }
    let starts_with_digit = bytes.first().is_some_and(u8::is_ascii_digit)
        || (bytes.first() == Some(&b'-') && bytes.get(1).is_some_and(u8::is_ascii_digit));
    // Numbers, dates, times, ranges, composite ids: `1`, `2024-01-31`, `18-24`, `00:30`, `1627207:16432173769`.
    if starts_with_digit && key.chars().all(|c| c.is_ascii_digit() || ":._/- ".contains(c)) {
        return true;
    }
    if key.contains("://") {
        return true;
    }
    let longest = |pred: fn(&u8) -> bool| bytes.split(|b| !pred(b)).map(<[u8]>::len).max().unwrap_or(0);
    // Numeric ids (`938287484162`, `sku_4553346542936`).
    if longest(u8::is_ascii_digit) >= 5 {
        return true;
    }
    // A year after a separator: `aoyun_2021`, `gaokao-2023` (weibo badges), not `mw2000`.
    if let Some(year) = key.get(key.len().saturating_sub(5)..) {
        let y = year.as_bytes();
        if y.len() == 5
            && (y[0] == b'_' || y[0] == b'-')
            && (y[1..3] == *b"19" || y[1..3] == *b"20")
            && y[3..].iter().all(u8::is_ascii_digit)
        {
            return true;
        }
    }
    // Hashes: `25bde0e4dfbf1470ad19f51c9aa59ed6`.
    let hex = bytes
        .split(|b| !b.is_ascii_hexdigit())
        .any(|run| run.len() >= 12 && run.iter().any(u8::is_ascii_digit) && run.iter().any(u8::is_ascii_alphabetic));
    if hex {
        return true;
    }
    // Opaque ids: long, with digits scattered among letters (`008bZ8H2gy1ib0v8cj2sbj31900u0gya`): at least 16
    // letters and digits, 4 of them digits, and 6 switches between a digit and a letter.
    if bytes.len() < 16 {
        return false;
    }
    let (mut alnum, mut digits, mut switches, mut prev_digit) = (0, 0, 0, None);
    for b in bytes.iter().filter(|b| b.is_ascii_alphanumeric()) {
        let digit = b.is_ascii_digit();
        alnum += 1;
        digits += usize::from(digit);
        switches += usize::from(prev_digit.is_some_and(|p| p != digit));
        prev_digit = Some(digit);
    }
    alnum >= 16 && digits >= 4 && switches >= 6
}

/// Whether an object key is a plain identifier (`fansCount`, `host_name`, `$ref`), the kind a field is named after.
pub fn key_is_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// The example value shown in a field's docs: scalars and lists of scalars, shortened.
pub fn example_text(v: &Value) -> Option<String> {
    const MAX_CHARS: usize = 48;
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => {
                let mut short: String = s.chars().take(MAX_CHARS).collect();
                if short.len() < s.len() {
                    short.push('…');
                }
                Some(Value::String(short).to_string())
            }
            Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
            _ => None,
        }
    }
    match v {
        Value::Array(items) if !items.is_empty() => {
            let shown: Option<Vec<String>> = items.iter().take(3).map(scalar).collect();
            let mut text = shown?.join(", ");
            if items.len() > 3 {
                text.push_str(", …");
            }
            Some(format!("[{text}]"))
        }
        other => scalar(other),
    }
}

/// Internal lattice: `Unknown` is what `null`, `[]` or `{}` tells us (nothing), and merges into anything.
#[derive(Debug, Clone, PartialEq)]
enum S {
    Unknown,
    Bool,
    Integer,
    Number,
    String,
    Any,
    Array(Box<S>),
    Object(Vec<F>, Option<Box<S>>),
    Map(Box<S>),
    Nullable(Box<S>),
}

#[derive(Debug, Clone, PartialEq)]
struct F {
    key: String,
    shape: S,
    /// Missing from some of the objects merged into this one.
    optional: bool,
    example: Option<String>,
}

struct Ctx<'a> {
    hints: &'a Hints,
    /// Per hint (maps, then structs): whether it matched an object.
    used: Vec<bool>,
}

impl Ctx<'_> {
    /// `Some(true)` when an overlay forces a map at `path`, `Some(false)` a struct.
    fn forced(&mut self, path: &str) -> Option<bool> {
        let maps = self.hints.maps.len();
        if let Some(i) = self.hints.maps.iter().position(|h| h == path) {
            self.used[i] = true;
            return Some(true);
        }
        if let Some(i) = self.hints.structs.iter().position(|h| h == path) {
            self.used[maps + i] = true;
            return Some(false);
        }
        None
    }
}

fn of(v: &Value, path: &mut String, ctx: &mut Ctx<'_>) -> S {
    match v {
        Value::Null => S::Nullable(Box::new(S::Unknown)),
        Value::Bool(_) => S::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => S::Integer,
        Value::Number(_) => S::Number,
        Value::String(_) => S::String,
        Value::Array(items) => {
            let len = path.len();
            path.push_str("[]");
            let mut merged = S::Unknown;
            for item in items {
                merged = merge(merged, of(item, path, ctx), &mut false);
            }
            path.truncate(len);
            S::Array(Box::new(merged))
        }
        Value::Object(map) if map.is_empty() => S::Unknown,
        Value::Object(map) => {
            let forced = ctx.forced(path);
            let as_map = |ctx: &mut Ctx<'_>, path: &mut String| {
                let len = path.len();
                path.push_str(".*");
                let mut merged = S::Unknown;
                for value in map.values() {
                    merged = merge(merged, of(value, path, ctx), &mut false);
                }
                path.truncate(len);
                S::Map(Box::new(merged))
            };
            let n = map.len();
            let data_keys = map.keys().filter(|k| key_is_data(k)).count();
            match forced {
                Some(true) => return as_map(ctx, path),
                None if 2 * data_keys >= n => return as_map(ctx, path),
                None => {
                    let odd_keys = map.keys().filter(|k| key_is_data(k) || !key_is_name(k)).count();
                    if 2 * odd_keys >= n && values_share_one_shape(map) {
                        return as_map(ctx, path);
                    }
                }
                Some(false) => {}
            }
            let mut fields = Vec::with_capacity(n);
            let mut rest: Option<S> = None;
            let len = path.len();
            for (key, value) in map {
                if forced.is_none() && key_is_data(key) {
                    path.push_str(".*");
                    let shape = of(value, path, ctx);
                    path.truncate(len);
                    rest = Some(merge(rest.unwrap_or(S::Unknown), shape, &mut false));
                    continue;
                }
                path.push('.');
                path.push_str(key);
                let shape = of(value, path, ctx);
                path.truncate(len);
                fields.push(F {
                    key: key.clone(),
                    shape,
                    optional: false,
                    example: example_text(value),
                });
            }
            S::Object(fields, rest.map(Box::new))
        }
    }
}

/// Whether all values of an object merge without a conflict (ignoring the hints: this only decides).
fn values_share_one_shape(map: &serde_json::Map<String, Value>) -> bool {
    let hints = Hints::default();
    let mut ctx = Ctx {
        hints: &hints,
        used: Vec::new(),
    };
    let mut conflict = false;
    let mut merged = S::Unknown;
    let mut path = String::new();
    for value in map.values() {
        merged = merge(merged, of(value, &mut path, &mut ctx), &mut conflict);
        if conflict {
            return false;
        }
    }
    true
}

/// The least shape holding both; `Any` (and `conflict` set) where they cannot be reconciled.
fn merge(a: S, b: S, conflict: &mut bool) -> S {
    match (a, b) {
        (S::Unknown, x) | (x, S::Unknown) => x,
        (S::Nullable(a), S::Nullable(b)) => S::Nullable(Box::new(merge(*a, *b, conflict))),
        (S::Nullable(a), b) | (b, S::Nullable(a)) => S::Nullable(Box::new(merge(*a, b, conflict))),
        (S::Integer, S::Number) | (S::Number, S::Integer) => S::Number,
        (S::Array(a), S::Array(b)) => S::Array(Box::new(merge(*a, *b, conflict))),
        (S::Map(a), S::Map(b)) => S::Map(Box::new(merge(*a, *b, conflict))),
        // An object merged with a map (one element keyed by ids, another by a name-like id): its values are
        // entries of the map too.
        (S::Map(m), S::Object(fields, rest)) | (S::Object(fields, rest), S::Map(m)) => {
            let mut merged = *m;
            for f in fields {
                merged = merge(merged, f.shape, conflict);
            }
            if let Some(r) = rest {
                merged = merge(merged, *r, conflict);
            }
            S::Map(Box::new(merged))
        }
        (S::Object(a, ra), S::Object(b, rb)) => {
            let mut fields = a;
            let mut seen = vec![false; fields.len()];
            for f in b {
                match fields.iter().position(|g| g.key == f.key) {
                    Some(i) => {
                        seen[i] = true;
                        let g = &mut fields[i];
                        g.shape = merge(std::mem::replace(&mut g.shape, S::Unknown), f.shape, conflict);
                        g.optional |= f.optional;
                        if g.example.is_none() {
                            g.example = f.example;
                        }
                    }
                    None => {
                        fields.push(F { optional: true, ..f });
                        seen.push(true);
                    }
                }
            }
            for (f, seen) in fields.iter_mut().zip(seen) {
                if !seen {
                    f.optional = true;
                }
            }
            let rest = match (ra, rb) {
                (Some(x), Some(y)) => Some(Box::new(merge(*x, *y, conflict))),
                (x, y) => x.or(y),
            };
            S::Object(fields, rest)
        }
        (a, b) if a == b => a,
        _ => {
            *conflict = true;
            S::Any
        }
    }
}

fn finish(s: S) -> Shape {
    match s {
        S::Unknown | S::Any => Shape::Any,
        S::Bool => Shape::Bool,
        S::Integer => Shape::Integer,
        S::Number => Shape::Number,
        S::String => Shape::String,
        S::Array(inner) => Shape::Array(Box::new(finish(*inner))),
        S::Map(inner) => Shape::Map(Box::new(finish(*inner))),
        S::Nullable(inner) => finish(*inner).nullable(),
        S::Object(fields, rest) => Shape::Object {
            fields: fields
                .into_iter()
                .map(|f| {
                    let shape = finish(f.shape);
                    Field {
                        name: f.key,
                        shape: if f.optional { shape.nullable() } else { shape },
                        example: f.example,
                    }
                })
                .collect(),
            rest: rest.map(|r| Box::new(finish(*r))),
        },
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
        Shape::object(fields.iter().map(|(n, s)| Field::new(*n, s.clone())).collect())
    }

    /// The shape without the documented examples, to compare structure only.
    fn bare(s: Shape) -> Shape {
        match s {
            Shape::Object { fields, rest } => Shape::Object {
                fields: fields.into_iter().map(|f| Field::new(f.name, bare(f.shape))).collect(),
                rest: rest.map(|r| Box::new(bare(*r))),
            },
            Shape::Array(i) => Shape::Array(Box::new(bare(*i))),
            Shape::Optional(i) => Shape::Optional(Box::new(bare(*i))),
            Shape::Map(i) => Shape::Map(Box::new(bare(*i))),
            other => other,
        }
    }

    fn shape(v: Value) -> Shape {
        bare(infer(&v))
    }

    fn map(of: Shape) -> Shape {
        Shape::Map(Box::new(of))
    }

    #[test]
    fn scalars_and_nulls() {
        assert_eq!(shape(json!(1)), Shape::Integer);
        assert_eq!(shape(json!(1.5)), Shape::Number);
        assert_eq!(shape(json!(158.0)), Shape::Number);
        assert_eq!(shape(json!("x")), Shape::String);
        assert_eq!(shape(json!(null)), Shape::Any);
        assert_eq!(
            shape(json!({"a": null, "b": true})),
            obj(&[("a", Shape::Any), ("b", Shape::Bool)])
        );
    }

    #[test]
    fn array_elements_merge_into_one_shape() {
        let s = shape(json!([
            {"name": "a", "cnt": 1, "extra": null},
            {"name": "b", "cnt": 2.5, "extra": "x"},
            {"name": "c", "cnt": 3}
        ]));
        assert_eq!(
            s,
            Shape::Array(Box::new(obj(&[
                ("name", Shape::String),
                ("cnt", Shape::Number),
                ("extra", Shape::Optional(Box::new(Shape::String))),
            ])))
        );
    }

    #[test]
    fn keys_missing_from_some_elements_are_optional() {
        let s = shape(json!([{"a": 1}, {"b": "x"}]));
        assert_eq!(
            s,
            Shape::Array(Box::new(obj(&[
                ("a", Shape::Optional(Box::new(Shape::Integer))),
                ("b", Shape::Optional(Box::new(Shape::String))),
            ])))
        );
    }

    #[test]
    fn conflicts_become_raw_json_and_empty_containers_hold_raw_json() {
        assert_eq!(shape(json!([1, "x"])), Shape::Array(Box::new(Shape::Any)));
        assert_eq!(shape(json!([])), Shape::Array(Box::new(Shape::Any)));
        assert_eq!(shape(json!({"a": {}})), obj(&[("a", Shape::Any)]));
        assert_eq!(
            shape(json!([{}, {"x": 1}])),
            Shape::Array(Box::new(obj(&[("x", Shape::Integer)])))
        );
    }

    #[test]
    fn data_keys_and_name_keys() {
        for data in [
            "114733139104444",
            "1",
            "2024-01-31",
            "18-24",
            "00:30",
            "1627207:16432173769",
            "https://b23.tv/x",
            "aoyun_2021",
            "sku4553346542936",
            "v2-25bde0e4dfbf1470ad19f51c9aa59ed6",
            "008bZ8H2gy1ib0v8cj2sbj31900u0gya",
        ] {
            assert!(key_is_data(data), "{data} is data");
        }
        for name in [
            "fansCount",
            "avatar_168x168",
            "mw2000",
            "v2",
            "top3",
            "BV1JiKhzDEmo",
            "host-name",
            "作者名称",
            "dateKey",
            "pic_1080p",
        ] {
            assert!(!key_is_data(name), "{name} is a name");
        }
        assert!(key_is_name("fansCount") && key_is_name("_bid") && key_is_name("$ref"));
        assert!(!key_is_name("host-name") && !key_is_name("Brand Name") && !key_is_name("作者") && !key_is_name(""));
    }

    #[test]
    fn objects_keyed_by_data_are_maps() {
        // bilibili `cidMap`: one numeric key and one BV id; the values share one shape.
        let cid = json!({"aid": 1, "bvid": "BV1", "cids": {"1": 30659969522_i64}});
        let s = shape(json!({"cidMap": {"114733139104444": cid, "BV1JiKhzDEmo": cid}}));
        let value = obj(&[
            ("aid", Shape::Integer),
            ("bvid", Shape::String),
            ("cids", map(Shape::Integer)),
        ]);
        assert_eq!(s, obj(&[("cidMap", map(value))]));
        // douyin-xingtu `like_info` by seconds, numeric strings as values.
        assert_eq!(
            shape(json!({"0": "29968", "10": "3453", "100": "513"})),
            map(Shape::String)
        );
        // weibo badges: mostly `name_year`.
        assert_eq!(
            shape(json!({"aoyun_2021": 1, "bind_taobao": 1, "biyeji_2024": 1, "fu_2026": 2})),
            map(Shape::Integer)
        );
    }

    #[test]
    fn non_identifier_keys_are_a_map_only_when_the_values_agree() {
        assert_eq!(
            shape(json!({"bpx-aux-block-icon": "var(--text3)", "bpx-aux-button-bg": "var(--bg3)"})),
            map(Shape::String)
        );
        assert_eq!(
            shape(json!({"ASIN": "B0C", "Brand Name": "PETKIT", "Item Weight": "3.83 pounds"})),
            map(Shape::String)
        );
        // toutiao's search results: Chinese keys, but a record of mixed fields.
        let record = shape(json!({"作者名称": "x", "点赞量": 41, "图片链接": [{"url": "u"}], "是否包含视频": false}));
        assert!(
            matches!(record, Shape::Object { ref fields, rest: None } if fields.len() == 4),
            "{record:?}"
        );
        // kuaishou: one hyphenated key among names stays a field.
        let data = shape(json!({"host-name": "node", "result": 1, "feeds": []}));
        assert!(
            matches!(data, Shape::Object { ref fields, .. } if fields[0].name == "host-name"),
            "{data:?}"
        );
    }

    #[test]
    fn a_few_data_keys_beside_names_are_gathered_in_rest() {
        let s = shape(json!({"18": "满300元可得赠品", "pid": "299631861510_10", "promoType": 10}));
        assert_eq!(
            s,
            Shape::Object {
                fields: vec![
                    Field::new("pid", Shape::String),
                    Field::new("promoType", Shape::Integer)
                ],
                rest: Some(Box::new(Shape::String)),
            }
        );
    }

    #[test]
    fn hints_force_a_map_or_a_struct_and_report_what_matched_nothing() {
        let example = json!({"list": [{"a": 1, "b": 2}], "byId": {"123456": {"x": 1}}});
        let hints = Hints {
            maps: vec!["data.list[]".into()],
            structs: vec!["data.byId".into(), "data.nowhere".into()],
        };
        let inferred = infer_with(&example, &hints);
        assert_eq!(
            bare(inferred.shape),
            obj(&[
                ("list", Shape::Array(Box::new(map(Shape::Integer)))),
                ("byId", obj(&[("123456", obj(&[("x", Shape::Integer)]))])),
            ])
        );
        assert_eq!(inferred.unused_hints, ["data.nowhere"]);
    }

    #[test]
    fn fields_keep_their_documented_example() {
        let s =
            infer(&json!({"percent": 0.0204, "name": "女性", "tags": ["a", "b", "c", "d"], "o": {"x": 1}, "n": null}));
        let Shape::Object { fields, .. } = s else {
            panic!("{s:?}")
        };
        let examples: Vec<Option<&str>> = fields.iter().map(|f| f.example.as_deref()).collect();
        assert_eq!(
            examples,
            [
                Some("0.0204"),
                Some("\"女性\""),
                Some("[\"a\", \"b\", \"c\", …]"),
                None,
                None
            ]
        );
        let long = "x".repeat(60);
        assert_eq!(example_text(&json!(long)), Some(format!("\"{}…\"", "x".repeat(48))));
    }

    #[test]
    fn envelope_data_is_found_only_in_an_envelope() {
        assert_eq!(envelope_data(&json!({"code": 0, "data": [1]})), Some(&json!([1])));
        assert_eq!(envelope_data(&json!({"data": [1]})), None);
    }
}
