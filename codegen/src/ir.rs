//! The intermediate representation: one bilingual, language-neutral model of an API.
//!
//! Everything the emitter and the differ need, nothing about Rust syntax (names are derived later, in
//! `names.rs`) and nothing about OpenAPI (that stays in `json` and `lower`).

use serde::{Deserialize, Serialize};

/// A text in the languages upstream publishes. Either side may be missing (the aggregate is English only).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Text {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Text {
    pub fn en(s: impl Into<String>) -> Self {
        Text {
            en: Some(s.into()),
            zh: None,
        }
    }

    pub fn bilingual(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Text {
            en: Some(en.into()),
            zh: Some(zh.into()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.as_deref().is_none_or(str::is_empty) && self.zh.as_deref().is_none_or(str::is_empty)
    }

    /// English when present, else Chinese, else "".
    pub fn primary(&self) -> &str {
        self.en.as_deref().or(self.zh.as_deref()).unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Api {
    /// Cargo package name of the generated crate.
    pub crate_name: String,
    pub version: String,
    /// Path segment after `/api/` shared by the operations (e.g. `xiaohongshu-pgy`); stripped from names.
    pub platform: String,
    pub title: Text,
    /// The names people know the platform by (upstream's `x-platform-aliases`: "Pugongying", "蒲公英").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platform_aliases: Vec<String>,
    pub servers: Vec<Server>,
    pub business_codes: Vec<BusinessCode>,
    /// Codes upstream's catalogue lists (`Result.code`) whose meaning is not known: documented, not named.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listed_codes: Vec<i64>,
    /// Sorted by (path, method): the order never depends on the input files.
    pub operations: Vec<Operation>,
    /// Example programs to ship with the crate.
    pub examples: Vec<ExampleProgram>,
}

/// A runnable example that calls one operation with its single required parameter from the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleProgram {
    pub name: String,
    pub method: Method,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Server {
    pub name: String,
    pub url: String,
    pub description: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessCode {
    pub code: i64,
    pub name: String,
    pub description: Text,
    pub retry: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    pub method: Method,
    pub path: String,
    /// Kept for reports only: names never derive from it (upstream renames them).
    pub operation_id: Option<String>,
    /// Method name pinned by an overlay; otherwise it derives from the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub summary: Text,
    pub description: Text,
    pub tags: Vec<Text>,
    /// Every parameter except the `token`, which is client configuration.
    pub params: Vec<Param>,
    /// Shape of the envelope's `data` on success; `None` when upstream gives nothing to go on.
    pub response: Option<ResponseData>,
    pub deprecation: Option<Deprecation>,
    /// Published documentation pages (per-endpoint definition URLs) this operation came from.
    pub docs: Text,
    /// What upstream's catalogue says about it besides its definition: published, hidden or gone, search
    /// aliases, highlights, the recommended mark, the docs order.
    pub listing: Listing,
}

/// An operation as upstream's catalogue lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Listing {
    pub state: State,
    /// `x-search-aliases`: what people search for (English and Chinese), as upstream wrote them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `x-highlights`: notes upstream shows on the docs page (English).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<Highlight>,
    /// `x-recommended`: upstream's pick among operations that do the same thing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recommended: bool,
    /// `x-order`: the position in upstream's docs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<u64>,
}

/// Whether upstream still shows an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum State {
    /// Listed, with a docs page and definitions.
    #[default]
    Published,
    /// Listed with `x-docs-hidden`: still served, no docs page; generated from the last definitions we had (or
    /// the catalogue's own, English only, when we never had any). `since`: first seen hidden (`YYYY-MM-DD`).
    Hidden { since: Option<String> },
    /// No longer listed: kept (deprecated) until a maintainer removes it. `since`: first seen missing.
    Gone { since: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// `warning`, `tip`, ... as upstream labels it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub content: String,
}

impl Operation {
    pub fn key(&self) -> (Method, &str) {
        (self.method, &self.path)
    }

    pub fn is_deprecated(&self) -> bool {
        self.deprecation.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// The query string. (Upstream has no path, header or cookie parameters; `lower` refuses them.)
    Query,
    /// A field of an `application/x-www-form-urlencoded` request body.
    Form,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: ParamType,
    /// Documented default; documented only, never sent unless the caller sets it.
    pub default: Option<serde_json::Value>,
    pub description: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ParamType {
    String,
    Integer {
        format: Option<String>,
    },
    Number,
    Boolean,
    Enum(EnumType),
    /// Anything else (arrays, objects): sent as its JSON text.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumType {
    /// Whether the wire values are integers (`"1"` is sent as `1` either way in a query string).
    pub integer: bool,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumValue {
    pub value: String,
    /// Meaning, parsed from the "Available Values:" / "可用值：" lines of the description.
    pub doc: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseData {
    pub shape: Shape,
    pub origin: ShapeOrigin,
    /// For a shape remembered in `specs/types/` (origin [`ShapeOrigin::Memory`]): where it was last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remembered: Option<Provenance>,
    /// The example the shape was inferred from, kept so an overlay's shape hints can infer it again.
    #[serde(skip)]
    pub example: Option<std::sync::Arc<serde_json::Value>>,
}

impl ResponseData {
    pub fn new(shape: Shape, origin: ShapeOrigin) -> Self {
        ResponseData {
            shape,
            origin,
            remembered: None,
            example: None,
        }
    }
}

/// Where a response type was learned: the definition (a file under `specs/`, or an aggregate's file name) and
/// the date it was seen there (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Provenance {
    pub source: String,
    pub seen: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeOrigin {
    /// Inferred from a response example.
    Example,
    /// Taken from a response schema.
    Schema,
    /// Pinned by an overlay in `specs/overlays/`.
    Overlay,
    /// Remembered from an earlier definition (`specs/types/`): the current one has no example.
    Memory,
}

/// A JSON shape, inferred from an example or converted from a schema.
///
/// It says what upstream sends, not how Rust holds it: the emitter decides that (every scalar and object
/// field becomes an `Option`, for example), so `Optional` only records that `null` was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "of", rename_all = "lowercase")]
pub enum Shape {
    Bool,
    Integer,
    Number,
    String,
    /// Anything (mixed types, `{}` schemas, empty arrays): kept as raw JSON.
    Any,
    /// `null` seen, or the field is missing from some elements.
    Optional(Box<Shape>),
    Array(Box<Shape>),
    /// An object with named fields; `rest` is the shape of the values under keys that are data (ids, dates,
    /// numbers) beside them, when there are such keys.
    Object {
        fields: Vec<Field>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rest: Option<Box<Shape>>,
    },
    /// An object whose keys are data (ids, dates, numbers...): every value has this shape.
    Map(Box<Shape>),
}

impl Shape {
    /// An object with these fields and no data-keyed entries.
    pub fn object(fields: Vec<Field>) -> Shape {
        Shape::Object { fields, rest: None }
    }

    /// The shape of a value that may also be `null` (or absent): `Optional(self)`, unless `self` already
    /// admits null: `Option<Value>` would be redundant (raw JSON holds `null`), and so would `Option<Option<T>>`.
    pub fn nullable(self) -> Shape {
        if matches!(self, Shape::Any | Shape::Optional(_)) {
            self
        } else {
            Shape::Optional(Box::new(self))
        }
    }

    /// The shape without its `Optional` wrapper.
    pub fn non_null(&self) -> &Shape {
        match self {
            Shape::Optional(inner) => inner,
            other => other,
        }
    }

    /// The deepest run of `Array` / `Optional` / `Map` levels with no object in between, anywhere in the shape.
    /// (Each object becomes a type of its own, so a run ends there.)
    pub fn max_type_depth(&self) -> usize {
        fn run(s: &Shape) -> usize {
            match s {
                Shape::Array(inner) | Shape::Optional(inner) | Shape::Map(inner) => 1 + run(inner),
                _ => 0,
            }
        }
        fn deepest(s: &Shape) -> usize {
            match s {
                Shape::Array(inner) | Shape::Optional(inner) | Shape::Map(inner) => deepest(inner),
                Shape::Object { fields, rest } => fields
                    .iter()
                    .map(|f| &f.shape)
                    .chain(rest.as_deref())
                    .map(|s| run(s).max(deepest(s)))
                    .max()
                    .unwrap_or(0),
                _ => 0,
            }
        }
        run(self).max(deepest(self))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Key on the wire.
    pub name: String,
    pub shape: Shape,
    /// The documented example value (JSON text, shortened), shown in the field's docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

impl Field {
    pub fn new(name: impl Into<String>, shape: Shape) -> Field {
        Field {
            name: name.into(),
            shape,
            example: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deprecation {
    /// Upstream's notice.
    pub note: Text,
    pub successor: Option<Successor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Successor {
    pub method: Method,
    pub path: String,
    /// How the successor was found.
    pub source: SuccessorSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuccessorSource {
    Overlay,
    OtherMethod,
    HigherVersion,
    SameSummary,
}
