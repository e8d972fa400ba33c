//! Lenient decoding of the response types inferred from upstream's examples.
//!
//! This file is emitted verbatim from `codegen/templates/de.rs` into the shared runtime crate.
//!
//! A type inferred from one example is a guess, and a call is billed before its response is decoded, so a
//! response that differs from the example in representation must never fail the call:
//!
//! * a missing key or `null` leaves the field empty: `None` for scalars and objects, an empty `Vec` or map for
//!   lists and maps, `Value::Null` for raw JSON. So `Some(0)`, `Some("")` and `Some(false)` always mean that
//!   upstream sent them;
//! * a value whose representation differs but whose meaning fits is converted: `12.0` into an integer,
//!   `"12"` into a number, `12` into a string, `"true"` or `1` into a boolean;
//! * a value that cannot be represented (`12.5` for an integer, an object for a string, `{}` for a list)
//!   leaves the field empty (an element of a list or map is left out) and is reported as a [`Mismatch`]
//!   with its JSON path, e.g. `data.ages[2].percent`.
//!
//! Decoding stays one pass over the body: the converters only count what did not fit. Only when something
//! did, the body is read a second time, as a tree, with its paths tracked, to name every place.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::text::Text;

/// A value of a response that did not fit its generated type, and was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// Where: `data.ages[2].percent`, `data.byId["1627207:1643"]`.
    pub path: String,
    /// The generated type's kind: `integer`, `number`, `string`, `boolean`, `object`, `array`.
    pub expected: &'static str,
    /// What arrived instead, shortened: `12.5`, `"abc"`, `an object`, `an array`, `null`.
    pub found: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: expected {}, found {}", self.path, self.expected, self.found)
    }
}

/// At most this many mismatches are kept per response (a hostile body could hold millions).
pub const MAX_MISMATCHES: usize = 1000;

/// A key longer than this (in characters) is cut in a mismatch's path, with `…`.
pub const MAX_PATH_KEY_CHARS: usize = 64;

/// A mismatch's path longer than this (in bytes) is cut, with `…`: 1000 mismatches under a long key or deep
/// in a body cost at most this much each.
pub const MAX_PATH_BYTES: usize = 512;

/// The deepest nesting of arrays and objects that the runtime parses into a tree ([`crate::ApiResponse::raw_data`],
/// and the pass that names mismatches). serde_json's own limit is 128; past this one a tree would risk the stack.
pub const MAX_TREE_DEPTH: usize = 512;

#[derive(Default)]
struct Collector {
    /// Values that did not fit in the current decode.
    misfits: usize,
    /// Whether the path is tracked (the second pass), so mismatches are recorded, not only counted.
    tracking: bool,
    path: Vec<Segment>,
    found: Vec<Mismatch>,
}

enum Segment {
    Key(String),
    Index(usize),
}

thread_local! {
    static COLLECTOR: RefCell<Collector> = RefCell::new(Collector::default());
}

fn record(expected: &'static str, found: impl FnOnce() -> String) {
    COLLECTOR.with(|c| {
        let mut c = c.borrow_mut();
        c.misfits += 1;
        if c.tracking && c.found.len() < MAX_MISMATCHES {
            let path = render(&c.path);
            c.found.push(Mismatch {
                path,
                expected,
                found: found(),
            });
        }
    });
}

/// `key` cut to [`MAX_PATH_KEY_CHARS`] characters.
fn shorten(key: &str) -> String {
    match key.char_indices().nth(MAX_PATH_KEY_CHARS) {
        Some((end, _)) => format!("{}…", &key[..end]),
        None => key.to_owned(),
    }
}

fn render(path: &[Segment]) -> String {
    let mut out = String::from("data");
    for segment in path {
        push_segment(&mut out, segment);
        if out.len() > MAX_PATH_BYTES {
            let mut end = MAX_PATH_BYTES;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
            out.push('…');
            break;
        }
    }
    out
}

fn push_segment(out: &mut String, segment: &Segment) {
    match segment {
        Segment::Index(i) => {
            out.push('[');
            out.push_str(&i.to_string());
            out.push(']');
        }
        Segment::Key(k) if is_plain(k) => {
            out.push('.');
            out.push_str(k);
        }
        Segment::Key(k) => {
            out.push('[');
            out.push_str(&serde_json::Value::String(k.clone()).to_string());
            out.push(']');
        }
    }
}

fn is_plain(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Runs `decode` with a fresh count of misfits; returns its result and the count. Nested uses (a
/// `Deserialize` impl calling another decode) keep the outer count intact.
pub(crate) fn counting<T>(decode: impl FnOnce() -> T) -> (T, usize) {
    let saved = COLLECTOR.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let out = decode();
    let mine = COLLECTOR.with(|c| std::mem::replace(&mut *c.borrow_mut(), saved));
    (out, mine.misfits)
}

/// Decodes `data` from a parsed JSON tree with paths tracked, and returns every mismatch.
pub(crate) fn locate<T: Decode>(data: &serde_json::Value) -> Vec<Mismatch> {
    let saved = COLLECTOR.with(|c| {
        std::mem::replace(
            &mut *c.borrow_mut(),
            Collector {
                tracking: true,
                ..Collector::default()
            },
        )
    });
    // The value is the same as the first pass's; only the report is wanted.
    let _ = T::decode(Tracked(data));
    let mine = COLLECTOR.with(|c| std::mem::replace(&mut *c.borrow_mut(), saved));
    mine.found
}

/// Decodes a JSON document into `T` by the rules of this module, and reports what did not fit (with paths
/// starting at `data`). For responses stored earlier, e.g. `from_slice::<Data>(bytes)`.
pub fn from_slice<T: Decode>(json: &[u8]) -> Result<(T, Vec<Mismatch>), serde_json::Error> {
    let (value, misfits) = counting(|| {
        let mut de = serde_json::Deserializer::from_slice(json);
        let value = T::decode(&mut de)?;
        de.end()?;
        Ok::<T, serde_json::Error>(value)
    });
    let value = value?;
    if misfits == 0 {
        return Ok((value, Vec::new()));
    }
    Ok((value, locate_in::<T>(json, misfits, |tree| tree)))
}

/// Deepest nesting of arrays and objects in `json`, counted in one scan without parsing.
fn nesting(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// `json` as a tree, when it is JSON nested at most [`MAX_TREE_DEPTH`] deep.
pub(crate) fn tree(json: &[u8]) -> Option<serde_json::Value> {
    use serde::Deserialize as _;
    if nesting(json) > MAX_TREE_DEPTH {
        return None;
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    // serde_json stops at 128 levels; `nesting` bounds the depth instead.
    de.disable_recursion_limit();
    let tree = serde_json::Value::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(tree)
}

/// The mismatches of `T` in `json` (where `data` picks the decoded value out of the tree). When the body is
/// nested too deeply to be read as a tree, one mismatch at `data` says how many values did not fit.
pub(crate) fn locate_in<T: Decode>(
    json: &[u8],
    misfits: usize,
    data: impl FnOnce(&serde_json::Value) -> &serde_json::Value,
) -> Vec<Mismatch> {
    match tree(json) {
        Some(tree) => locate::<T>(data(&tree)),
        None => vec![Mismatch {
            path: "data".to_owned(),
            expected: "its generated type",
            found: format!("{misfits} values that did not fit, nested more than {MAX_TREE_DEPTH} deep (not named)"),
        }],
    }
}

/// A type a field of a generated response type can have, decoded by the rules of this module.
pub trait Decode: Sized {
    /// Decodes a value; never fails over a value that does not fit (it is counted and left empty), only over
    /// malformed JSON.
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// A type an element of a list or map (or an optional field) can have.
pub trait Element: Sized {
    /// `None` for `null` and for a value that does not fit (which is recorded; so is `null` unless `nullable`).
    fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error>;
}

/// A generated response struct: fills its fields from an object's keys.
pub trait Object: Default {
    /// Consumes the value of `key` into its field (or skips it).
    fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

/// Decodes the next value of `map` into `slot` (what generated [`Object::set`] impls call).
#[inline]
pub fn set<'de, A: MapAccess<'de>, T: Decode>(map: &mut A, slot: &mut T) -> Result<(), A::Error> {
    *slot = map.next_value_seed(Seed::<T>(PhantomData))?;
    Ok(())
}

/// Decodes the next value of `map` into an entry of `entries`, for a struct's data-keyed keys.
pub fn insert<'de, A: MapAccess<'de>, T: Element>(
    map: &mut A,
    entries: &mut BTreeMap<String, T>,
    key: &str,
) -> Result<(), A::Error> {
    if let Some(value) = map.next_value_seed(ElementSeed::<T>(false, PhantomData))? {
        entries.insert(key.to_owned(), value);
    }
    Ok(())
}

/// Skips the next value of `map` (a key the generated type does not know).
#[inline]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// `Deserialize` for a generated struct: the lenient rules, so stored responses decode like live ones.
pub fn object<'de, D: Deserializer<'de>, T: Object>(deserializer: D) -> Result<T, D::Error> {
    Ok(T::element(deserializer, true)?.unwrap_or_default())
}

pub(crate) struct Seed<T>(pub(crate) PhantomData<T>);

impl<'de, T: Decode> DeserializeSeed<'de> for Seed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::decode(deserializer)
    }
}

struct ElementSeed<T>(bool, PhantomData<T>);

impl<'de, T: Element> DeserializeSeed<'de> for ElementSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        T::element(deserializer, self.0)
    }
}

/// An object key, borrowed from the body when it can be.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// What arrived, for a [`Mismatch`].
fn shown(v: impl fmt::Display) -> String {
    let text = v.to_string();
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn shown_str(v: &str) -> String {
    shown(serde_json::Value::String(v.chars().take(40).collect()))
}

/// Reads (and drops) the rest of a sequence or map that does not fit, so decoding can go on after it.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The visitor of one scalar type: converts what fits, records the rest.
macro_rules! scalar_visitor {
    ($visitor:ident, $ty:ty, $expected:literal, |$this:ident| {
        bool: $bool:expr,
        i64: $i64:expr,
        u64: $u64:expr,
        f64: $f64:expr,
        str: $str:expr,
    }) => {
        struct $visitor(bool);

        impl<'de> Visitor<'de> for $visitor {
            type Value = Option<$ty>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!("any JSON value (", $expected, " expected)"))
            }
            fn visit_bool<E: de::Error>(self, $this: bool) -> Result<Self::Value, E> {
                Ok($bool)
            }
            fn visit_i64<E: de::Error>(self, $this: i64) -> Result<Self::Value, E> {
                Ok($i64)
            }
            fn visit_u64<E: de::Error>(self, $this: u64) -> Result<Self::Value, E> {
                Ok($u64)
            }
            fn visit_f64<E: de::Error>(self, $this: f64) -> Result<Self::Value, E> {
                Ok($f64)
            }
            fn visit_str<E: de::Error>(self, $this: &str) -> Result<Self::Value, E> {
                Ok($str)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                if !self.0 {
                    record($expected, || "null".to_owned());
                }
                Ok(None)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                self.visit_unit()
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                deserializer.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                record($expected, || "an array".to_owned());
                drain_seq(seq).map(|()| None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                record($expected, || "an object".to_owned());
                drain_map(map).map(|()| None)
            }
        }

        impl Element for $ty {
            fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error> {
                deserializer.deserialize_any($visitor(nullable))
            }
        }

        impl Decode for Option<$ty> {
            fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$ty as Element>::element(deserializer, true)
            }
        }
    };
}

/// Records a value that does not fit and leaves it out.
fn misfit<T>(expected: &'static str, found: impl FnOnce() -> String) -> Option<T> {
    record(expected, found);
    None
}

/// The largest integer an `f64` holds exactly (2^53): beyond it, a float is not a precise integer.
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

fn f64_to_i64(v: f64) -> Option<i64> {
    (v.fract() == 0.0 && v.abs() <= EXACT_F64).then_some(v as i64)
}

fn str_to_i64(v: &str) -> Option<i64> {
    let t = v.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(f64_to_i64))
}

fn str_to_f64(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

scalar_visitor!(IntVisitor, i64, "integer", |v| {
    bool: misfit("integer", || v.to_string()),
    i64: Some(v),
    u64: i64::try_from(v).ok().or_else(|| misfit("integer", || v.to_string())),
    f64: f64_to_i64(v).or_else(|| misfit("integer", || shown(v))),
    str: str_to_i64(v).or_else(|| misfit("integer", || shown_str(v))),
});

scalar_visitor!(FloatVisitor, f64, "number", |v| {
    bool: misfit("number", || v.to_string()),
    i64: Some(v as f64),
    u64: Some(v as f64),
    f64: Some(v),
    str: str_to_f64(v).or_else(|| misfit("number", || shown_str(v))),
});

scalar_visitor!(TextVisitor, Text, "string", |v| {
    bool: Some(Text::from(if v { "true" } else { "false" })),
    i64: Some(Text::from(v.to_string())),
    u64: Some(Text::from(v.to_string())),
    f64: Some(Text::from(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))),
    str: Some(Text::from(v)),
});

/// `String` by the rules of [`Text`] (the envelope's `message`, say).
impl Element for String {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error> {
        Ok(Text::element(deserializer, nullable)?.map(Text::into_string))
    }
}

impl Decode for Option<String> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::element(deserializer, true)
    }
}

scalar_visitor!(BoolVisitor, bool, "boolean", |v| {
    bool: Some(v),
    i64: match v {
        0 => Some(false),
        1 => Some(true),
        _ => misfit("boolean", || v.to_string()),
    },
    u64: match v {
        0 => Some(false),
        1 => Some(true),
        _ => misfit("boolean", || v.to_string()),
    },
    f64: misfit("boolean", || shown(v)),
    str: match v.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => misfit("boolean", || shown_str(v)),
    },
});

impl Element for serde_json::Value {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, _nullable: bool) -> Result<Option<Self>, D::Error> {
        de::Deserialize::deserialize(deserializer).map(Some)
    }
}

impl Decode for serde_json::Value {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::Deserialize::deserialize(deserializer)
    }
}

/// A container visitor's answer to a value that is not a container of its kind.
macro_rules! not_a_container {
    ($expected:literal) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            record($expected, || v.to_string());
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            record($expected, || v.to_string());
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            record($expected, || v.to_string());
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            record($expected, || shown(v));
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            record($expected, || shown_str(v));
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            if !self.0 {
                record($expected, || "null".to_owned());
            }
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            self.visit_unit()
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    };
}

/// The first capacity of a list without a size hint: 512 bytes of elements, at least 4 of them.
fn first_capacity<T>() -> usize {
    (512 / std::mem::size_of::<T>().max(1)).max(4)
}

struct SeqVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Element> Visitor<'de> for SeqVisitor<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value (an array expected)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        if let Some(hint) = seq.size_hint() {
            out.reserve(hint.min(4096));
        }
        while let Some(item) = seq.next_element_seed(ElementSeed::<T>(false, PhantomData))? {
            if let Some(item) = item {
                if out.capacity() == 0 {
                    // JSON gives no length ahead: start at 512 bytes' worth rather than at 4 elements, so a list
                    // of dozens grows two or three times instead of five or six (each a reallocation).
                    out.reserve(first_capacity::<T>());
                }
                out.push(item);
            }
        }
        // A short list gives back what it did not use: a body of many one-element lists (`[[1],[1],...]`)
        // must not hold 512 bytes for each.
        if out.capacity() > 2 * out.len() {
            out.shrink_to_fit();
        }
        Ok(Some(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        record("array", || "an object".to_owned());
        drain_map(map).map(|()| None)
    }

    not_a_container!("array");
}

impl<T: Element> Element for Vec<T> {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(SeqVisitor::<T>(nullable, PhantomData))
    }
}

impl<T: Element> Decode for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::element(deserializer, true)?.unwrap_or_default())
    }
}

struct MapVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Element> Visitor<'de> for MapVisitor<T> {
    type Value = Option<BTreeMap<String, T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value (an object expected)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if let Some(value) = map.next_value_seed(ElementSeed::<T>(false, PhantomData))? {
                out.insert(key.0.into_owned(), value);
            }
        }
        Ok(Some(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        record("object", || "an array".to_owned());
        drain_seq(seq).map(|()| None)
    }

    not_a_container!("object");
}

impl<T: Element> Element for BTreeMap<String, T> {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(MapVisitor::<T>(nullable, PhantomData))
    }
}

impl<T: Element> Decode for BTreeMap<String, T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::element(deserializer, true)?.unwrap_or_default())
    }
}

/// `Option<T>` as an element (`Vec<Option<i64>>`): `null` and misfits are `None` in place.
impl<T: Element> Element for Option<T> {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, _nullable: bool) -> Result<Option<Self>, D::Error> {
        T::element(deserializer, true).map(Some)
    }
}

struct ObjectVisitor<T>(bool, PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value (an object expected)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            out.set(&key.0, &mut map)?;
        }
        Ok(Some(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        record("object", || "an array".to_owned());
        drain_seq(seq).map(|()| None)
    }

    not_a_container!("object");
}

impl<T: Object> Element for T {
    fn element<'de, D: Deserializer<'de>>(deserializer: D, nullable: bool) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(ObjectVisitor::<T>(nullable, PhantomData))
    }
}

/// A struct field holding an object: `None` when it is missing, `null` or not an object.
impl<T: Object> Decode for Option<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::element(deserializer, true)
    }
}

/// The whole `data` of a response when it is an object: empty (`Default`) when it is `null` or missing.
impl<T: Object> Decode for T {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(T::element(deserializer, true)?.unwrap_or_default())
    }
}

/// A deserializer over a parsed JSON tree that tracks the path of the value being decoded, for the second
/// pass that names the mismatches.
struct Tracked<'a>(&'a serde_json::Value);

impl<'de> Deserializer<'de> for Tracked<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use serde_json::Value;
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => visitor.visit_unit(),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(TrackedSeq {
                items: items.iter(),
                index: 0,
            }),
            Value::Object(map) => visitor.visit_map(TrackedMap {
                entries: map.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            serde_json::Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

fn with_segment<T>(segment: Segment, decode: impl FnOnce() -> T) -> T {
    COLLECTOR.with(|c| c.borrow_mut().path.push(segment));
    let out = decode();
    COLLECTOR.with(|c| c.borrow_mut().path.pop());
    out
}

struct TrackedSeq<'a> {
    items: std::slice::Iter<'a, serde_json::Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for TrackedSeq<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        with_segment(Segment::Index(index), || seed.deserialize(Tracked(item))).map(Some)
    }
}

struct TrackedMap<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<(&'a String, &'a serde_json::Value)>,
}

impl<'de> MapAccess<'de> for TrackedMap<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a map value was asked for before its key"));
        };
        with_segment(Segment::Key(shorten(key)), || seed.deserialize(Tracked(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response struct as the generator writes one.
    #[derive(Debug, Default, PartialEq)]
    struct Item {
        count: Option<i64>,
        rate: Option<f64>,
        name: Option<String>,
        on: Option<bool>,
        tags: Vec<String>,
        extra: BTreeMap<String, i64>,
    }

    impl Object for Item {
        fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
            match key {
                "count" => set(map, &mut self.count),
                "rate" => set(map, &mut self.rate),
                "name" => set(map, &mut self.name),
                "on" => set(map, &mut self.on),
                "tags" => set(map, &mut self.tags),
                key => insert(map, &mut self.extra, key),
            }
        }
    }

    /// The items and the mismatches, sorted (keys come in the body's order only with serde_json's
    /// `preserve_order`).
    fn decode(json: &str) -> (Vec<Item>, Vec<String>) {
        let (items, mismatches) = from_slice::<Vec<Item>>(json.as_bytes()).unwrap();
        let mut found: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        found.sort();
        (items, found)
    }

    #[test]
    fn missing_and_null_are_empty_and_not_reported() {
        let (items, mismatches) = decode(r#"[{}, {"count": null, "tags": null, "name": null}]"#);
        assert_eq!(items, [Item::default(), Item::default()]);
        assert!(mismatches.is_empty());
    }

    #[test]
    fn other_representations_of_the_same_meaning_are_converted() {
        let (items, mismatches) =
            decode(r#"[{"count": 12.0, "rate": "0.5", "name": 12, "on": "true", "tags": [1, true], "7": "8"}]"#);
        let item = &items[0];
        assert_eq!(
            (item.count, item.rate, item.name.as_deref(), item.on),
            (Some(12), Some(0.5), Some("12"), Some(true))
        );
        assert_eq!(item.tags, ["1", "true"]);
        assert_eq!(item.extra["7"], 8);
        assert!(mismatches.is_empty(), "{mismatches:?}");
    }

    #[test]
    fn misfits_are_left_out_and_named_by_path() {
        let (items, mismatches) = decode(
            r#"[{"count": 12.5}, {"rate": {"x": 1}, "tags": ["a", {"b": 1}, null], "on": 2}, {"name": [1]}, "x"]"#,
        );
        assert_eq!(items.len(), 3, "the string element is left out");
        assert_eq!(items[0].count, None);
        assert_eq!(items[1].tags, ["a"]);
        assert_eq!(
            mismatches,
            [
                "data[0].count: expected integer, found 12.5",
                "data[1].on: expected boolean, found 2",
                "data[1].rate: expected number, found an object",
                "data[1].tags[1]: expected string, found an object",
                "data[1].tags[2]: expected string, found null",
                "data[2].name: expected string, found an array",
                "data[3]: expected object, found \"x\"",
            ]
        );
    }

    #[test]
    fn keys_that_are_not_plain_names_are_quoted_in_paths() {
        let (_, mismatches) = from_slice::<BTreeMap<String, i64>>(br#"{"1627207:1643": "n/a"}"#).unwrap();
        assert_eq!(mismatches[0].path, r#"data["1627207:1643"]"#);
    }

    #[test]
    fn malformed_json_is_still_an_error() {
        assert!(from_slice::<Vec<Item>>(b"[{").is_err());
    }

    #[test]
    fn short_lists_keep_no_more_room_than_twice_their_length() {
        // Lists start at 512 bytes' worth; one of one element must not keep them (a hostile body of many).
        let json = format!("[{}[1]]", "[1],".repeat(999));
        let (lists, _) = from_slice::<Vec<Vec<i64>>>(json.as_bytes()).unwrap();
        assert_eq!(lists.len(), 1000);
        assert!(
            lists.iter().all(|l| l == &[1] && l.capacity() <= 2),
            "{}",
            lists[0].capacity()
        );
        let (long, _) = from_slice::<Vec<i64>>(format!("[{}0]", "1,".repeat(99)).as_bytes()).unwrap();
        assert_eq!(long.len(), 100);
        assert!(long.capacity() <= 200);
    }
}
