//! The intermediate representation: one bilingual, language-neutral model of an API.
//!
//! Everything the emitter and the differ need, nothing about Rust syntax (names are derived later, in
//! `names.rs`) and nothing about OpenAPI (that stays in `load` / `normalize` / `lower`).

use serde::Serialize;

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
    pub servers: Vec<Server>,
    pub business_codes: Vec<BusinessCode>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
    Query,
    Path,
    Header,
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
}

/// A JSON shape, inferred from an example or converted from a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    Object(Vec<Field>),
}

impl Shape {
    /// The shape of a value that may also be `null` (or absent): `Optional(self)`, unless `self` already
    /// admits null: `Option<Value>` would be redundant (raw JSON holds `null`), and so would `Option<Option<T>>`.
    pub fn nullable(self) -> Shape {
        if matches!(self, Shape::Any | Shape::Optional(_)) {
            self
        } else {
            Shape::Optional(Box::new(self))
        }
    }

    /// The deepest run of `Array` / `Optional` levels with no object in between, anywhere in the shape.
    /// (Each object becomes a type of its own, so a run ends there.)
    pub fn max_type_depth(&self) -> usize {
        fn run(s: &Shape) -> usize {
            match s {
                Shape::Array(inner) | Shape::Optional(inner) => 1 + run(inner),
                _ => 0,
            }
        }
        fn deepest(s: &Shape) -> usize {
            match s {
                Shape::Array(inner) | Shape::Optional(inner) => deepest(inner),
                Shape::Object(fields) => fields
                    .iter()
                    .map(|f| run(&f.shape).max(deepest(&f.shape)))
                    .max()
                    .unwrap_or(0),
                _ => 0,
            }
        }
        run(self).max(deepest(self))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Key on the wire.
    pub name: String,
    pub shape: Shape,
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
    ManifestHint,
    Overlay,
    HigherVersion,
    SameSummary,
}
