//! The one place Rust names are made.
//!
//! Rules (they are part of the generated crates' public API, so they change only with a major version):
//!
//! * **Operations are named by their HTTP path, never by their operationId** (upstream renamed every
//!   operationId on 2026-05-11). Drop the `/api/<platform>/` prefix, split the remaining segments into
//!   words (at `/`, `-`, `_`, `.`, `{}`, other symbols, and lower→upper case changes), and join them:
//!   `/api/xiaohongshu-pgy/get-kol-fans-portrait/v1` → method `get_kol_fans_portrait_v1`, module
//!   `get_kol_fans_portrait_v1`, type prefix `GetKolFansPortraitV1`. Every POST operation gets a `post_`
//!   prefix (`post_get_article_comment_v1`), whether or not a GET shares its path: a name never depends on
//!   which other operations exist, so none changes when upstream adds or drops one.
//! * Fields, parameters and enum variants use the same word splitting on their wire name.
//! * A word with no ASCII letters or digits (e.g. Chinese) becomes `x` followed by the hex code points
//!   (`美食` → `x7f8e_98df`), so names are ASCII and stable.
//! * A name starting with a digit gets a prefix (`n` for snake case, `V` for types and variants).
//! * Rust keywords: snake-case names become raw identifiers (`r#type`), except `self`, `super`, `crate`
//!   and `Self`, which get a trailing `_`.
//! * When two fields, parameters or enum values of one type would get the same name (`bid` and `_bid`,
//!   `fansCount` and `fans_count`), each of the clashing ones is named from its exact spelling instead,
//!   symbols spelled out (`_` -> `underscore`, `-` -> `minus`, `.` -> `dot`, others `u<hex>`): `Bid` and
//!   `UnderscoreBid`. The rule looks at the whole set at once, so it never depends on order.
//! * Anything still clashing — and two operations deriving one method name — is an error naming both, never
//!   a silent suffix.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// Splits a wire name into lowercase ASCII words.
pub fn words(raw: &str) -> Vec<String> {
    split_words(raw, false)
}

/// Like [`words`], but every ASCII symbol becomes a word of its own, so distinct spellings stay distinct.
pub fn spelled_words(raw: &str) -> Vec<String> {
    split_words(raw, true)
}

fn symbol_word(c: char) -> String {
    match c {
        '_' => "underscore".into(),
        '-' => "minus".into(),
        '.' => "dot".into(),
        ' ' => "space".into(),
        '+' => "plus".into(),
        other => format!("u{:x}", other as u32),
    }
}

fn split_words(raw: &str, spell_symbols: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut non_ascii: Vec<char> = Vec::new();
    let flush_non_ascii = |non_ascii: &mut Vec<char>, out: &mut Vec<String>| {
        if !non_ascii.is_empty() {
            let hex: Vec<String> = non_ascii.iter().map(|c| format!("{:x}", *c as u32)).collect();
            out.push(format!("x{}", hex.join("_")));
            non_ascii.clear();
        }
    };
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            flush_non_ascii(&mut non_ascii, &mut out);
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if c.is_ascii_uppercase() => {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
                }
                _ => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !c.is_ascii() && c.is_alphanumeric() {
                non_ascii.push(c);
            } else {
                flush_non_ascii(&mut non_ascii, &mut out);
                if spell_symbols && c.is_ascii() {
                    out.push(symbol_word(c));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    flush_non_ascii(&mut non_ascii, &mut out);
    out
}

const STRICT_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];
const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

/// `snake_case` identifier (fields, methods, modules, parameters). `fallback` is used when the name has no words.
pub fn snake(raw: &str, fallback: &str) -> String {
    snake_of(words(raw), fallback)
}

/// `snake_case` from the exact spelling (see [`spelled_words`]).
pub fn snake_spelled(raw: &str, fallback: &str) -> String {
    snake_of(spelled_words(raw), fallback)
}

/// `UpperCamelCase` from the exact spelling (see [`spelled_words`]).
pub fn pascal_spelled(raw: &str, fallback: &str) -> String {
    pascal_of(spelled_words(raw), fallback)
}

fn snake_of(w: Vec<String>, fallback: &str) -> String {
    let mut s = if w.is_empty() { fallback.to_owned() } else { w.join("_") };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'n');
    }
    // Not after `ident_text`: a method or module name is also a file name (`src/ops/self_.rs`) and a doc link.
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `UpperCamelCase` identifier (types, enum variants).
pub fn pascal(raw: &str, fallback: &str) -> String {
    pascal_of(words(raw), fallback)
}

fn pascal_of(w: Vec<String>, fallback: &str) -> String {
    let mut s: String = if w.is_empty() {
        fallback.to_owned()
    } else {
        w.iter()
            .map(|word| {
                let mut cs = word.chars();
                match cs.next() {
                    // Hex words of non-ASCII text (`x7f8e_98df`) separate code points with `U` in
                    // UpperCamelCase (`X7f8eU98df`): an underscore would trip `non_camel_case_types`.
                    Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().replace('_', "U"),
                    None => String::new(),
                }
            })
            .collect()
    };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Turns a snake-case name into identifier source text, escaping keywords.
pub fn ident_text(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if STRICT_KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// The part of an HTTP path that names an operation.
pub fn operation_stem(path: &str, platform: &str) -> String {
    let prefix = format!("/api/{platform}/");
    let rest = path
        .strip_prefix(&prefix)
        .or_else(|| path.strip_prefix("/api/"))
        .unwrap_or(path);
    rest.to_owned()
}

/// Method / module name of an operation.
pub fn operation_fn(method: crate::ir::Method, path: &str, platform: &str) -> String {
    let stem = snake(&operation_stem(path, platform), "root");
    match method {
        crate::ir::Method::Get => stem,
        crate::ir::Method::Post => format!("post_{stem}"),
    }
}

/// Type-name prefix of an operation (`GetKolFansPortraitV1`).
pub fn operation_type(method: crate::ir::Method, path: &str, platform: &str) -> String {
    let stem = pascal(&operation_stem(path, platform), "Root");
    match method {
        crate::ir::Method::Get => stem,
        crate::ir::Method::Post => format!("Post{stem}"),
    }
}

/// A platform crate as the facade crate shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacadeEntry {
    pub crate_name: String,
    /// The cargo feature that enables it: the platform, lowercase, other characters as `-`.
    pub feature: String,
    /// The module re-exporting it, and the facade client's method returning its client (`douyin_xingtu`).
    pub module: String,
}

/// Members of the facade crate's `Client` that a platform's method must not take.
pub const FACADE_CLIENT_MEMBERS: &[&str] = &[
    "new",
    "builder",
    "from_env",
    "base_url",
    "timeout",
    "retry_policy",
    "user_agent",
    "inner",
];
/// Features the facade defines besides one per platform.
pub const FACADE_FEATURES: &[&str] = &["default", "full", "rustls-tls", "native-tls", "gzip", "blocking"];

/// Feature and module names of each platform crate in the facade (in the order given).
pub fn facade_plan(apis: &[crate::ir::Api]) -> Result<Vec<FacadeEntry>> {
    let mut modules = Namespace::new("module of the facade crate");
    for m in FACADE_CLIENT_MEMBERS {
        modules.claim(m, "the facade's `Client`")?;
    }
    let mut features = Namespace::new("feature of the facade crate");
    for f in FACADE_FEATURES {
        features.claim(f, "the facade itself")?;
    }
    let mut out = Vec::with_capacity(apis.len());
    for api in apis {
        let owner = format!("crate `{}` (platform `{}`)", api.crate_name, api.platform);
        let feature: String = api
            .platform
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '_' | '-') => c,
                _ => '-',
            })
            .collect();
        let module = snake(&api.platform, "platform");
        features.claim(&feature, owner.clone())?;
        modules.claim(&module, owner)?;
        out.push(FacadeEntry {
            crate_name: api.crate_name.clone(),
            feature,
            module,
        });
    }
    Ok(out)
}

/// Records names in one namespace and reports the first clash, naming both owners.
#[derive(Debug, Default)]
pub struct Namespace {
    what: String,
    taken: BTreeMap<String, String>,
}

impl Namespace {
    pub fn new(what: impl Into<String>) -> Self {
        Namespace {
            what: what.into(),
            taken: BTreeMap::new(),
        }
    }

    /// Claims `name` for `owner` (a human description, e.g. the wire name and JSON pointer).
    pub fn claim(&mut self, name: &str, owner: impl Into<String>) -> Result<()> {
        let owner = owner.into();
        if let Some(prev) = self.taken.get(name) {
            return Err(Error::NameCollision {
                message: format!(
                    "{} `{name}` would be derived from both {prev} and {owner}; add a name overlay in specs/overlays/",
                    self.what
                ),
            });
        }
        self.taken.insert(name.to_owned(), owner);
        Ok(())
    }
}

/// Names for a set of sibling wire names (fields of one struct, parameters of one operation, values of one
/// enum): `derive` for each, and `spelled` for every member of a clash (see the module docs). `reserved`
/// names are treated as already taken.
fn sibling_names(
    raws: &[&str],
    derive: impl Fn(&str) -> String,
    spelled: impl Fn(&str) -> String,
    ns: &mut Namespace,
    what: &str,
) -> Result<Vec<String>> {
    let first: Vec<String> = raws.iter().map(|r| derive(r)).collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &first {
        *count.entry(n.as_str()).or_default() += 1;
    }
    let names: Vec<String> = raws
        .iter()
        .zip(&first)
        .map(|(raw, n)| {
            if count[n.as_str()] > 1 || ns.taken.contains_key(n.as_str()) {
                spelled(raw)
            } else {
                n.clone()
            }
        })
        .collect();
    for (raw, n) in raws.iter().zip(&names) {
        ns.claim(n, format!("{what} `{raw}`"))?;
    }
    Ok(names)
}

/// Every Rust name one generated crate uses, derived from the IR in one pass so clashes are found before
/// anything is emitted: the model the emitter walks (each operation with its names, each parameter with its
/// names), so nothing is looked up by index in a list parallel to the IR.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// In the order of `api.operations`.
    pub ops: Vec<OpNames<'a>>,
}

#[derive(Debug, Clone)]
pub struct OpNames<'a> {
    pub op: &'a crate::ir::Operation,
    /// Module under `ops::` and method on `Client`.
    pub func: String,
    /// In the order of `op.params`.
    pub params: Vec<ParamNames<'a>>,
    /// Response structs keyed by their location in the data (`[]` marks an array element, `*` map values);
    /// the root is `[]`.
    pub structs: BTreeMap<Vec<String>, StructNames>,
    /// The method of the successor, when the operation is deprecated and has one.
    pub successor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ParamNames<'a> {
    pub param: &'a crate::ir::Param,
    /// Argument, field and setter name.
    pub name: String,
    /// The enum type generated for it, if it has an enum.
    pub enum_names: Option<EnumNames>,
}

impl<'a> Plan<'a> {
    /// The names of the operation `method path`, if the crate has it.
    pub fn find(&self, method: crate::ir::Method, path: &str) -> Option<&OpNames<'a>> {
        self.ops.iter().find(|o| o.op.method == method && o.op.path == path)
    }
}

#[derive(Debug, Clone)]
pub struct EnumNames {
    pub type_name: String,
    /// Per enum value.
    pub variants: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StructNames {
    pub type_name: String,
    /// Per field, in order.
    pub fields: Vec<String>,
    /// The field holding the entries under keys that are data, when the object has such keys.
    pub rest: Option<String>,
}

/// Names for the map of an object's data-keyed entries (`Shape::Object::rest`), the first one free.
pub const REST_FIELDS: &[&str] = &["extra", "extra_entries", "data_keyed_entries"];

/// Type names an operation module already uses, so no response struct or enum may take them: what the module
/// defines (`Request`, `Data`), what it imports from the crate root ([`OP_IMPORTS`]), the generic parameters
/// of its `Deserialize` impls (`D`, `A`), and the standard prelude's types and traits (a response object under
/// a key `result` must not shadow `Result`).
pub const RESERVED_OP_TYPES: &[&str] = &[
    "Request",
    "Data",
    "ApiResponse",
    "Client",
    "Error",
    "ResponseFuture",
    "RetryPolicy",
    "D",
    "A",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "FromIterator",
    "ToString",
    "ToOwned",
    "Into",
    "From",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "PartialEq",
    "PartialOrd",
    "Eq",
    "Ord",
    "Debug",
    "Self",
];
/// What every operation module imports from its crate's root (`use crate::{...}`); reserved above.
pub const OP_IMPORTS: &[&str] = &["ApiResponse", "Client", "Error", "ResponseFuture", "RetryPolicy"];
/// Fields and methods of every request builder besides the parameters' own. The fields start with `_`, which
/// no parameter name does (they are snake-case words), so only the methods can really clash.
pub const REQUEST_MEMBERS: &[&str] = &[
    "_client",
    "_overrides",
    "timeout",
    "retry_policy",
    "send",
    "send_raw",
    "into_parts",
];
/// Name of the variant that carries enum values the spec does not list.
pub const OTHER_VARIANT: &str = "Unknown";
/// Element marker in struct locations.
pub const ITEM: &str = "[]";
/// Marker of the values of a map (or of an object's data-keyed entries) in struct locations.
pub const VALUE: &str = "*";

pub fn plan(api: &crate::ir::Api) -> Result<Plan<'_>> {
    use crate::ir::ParamType;
    let mut funcs = Namespace::new("method");
    let mut ops = Vec::with_capacity(api.operations.len());
    for op in &api.operations {
        let func = match &op.name {
            Some(pinned) => pinned.clone(),
            None => operation_fn(op.method, &op.path, &api.platform),
        };
        funcs.claim(&func, format!("{} {}", op.method.as_str(), op.path))?;
        let label = format!("{} {}", op.method.as_str(), op.path);

        let mut args = Namespace::new(format!("parameter of {label}:"));
        // A parameter's field and setter share the request builder with its own members.
        for m in REQUEST_MEMBERS {
            args.claim(m, "the request builder")?;
        }
        let mut types = Namespace::new(format!("type in module `{func}`:"));
        for t in RESERVED_OP_TYPES {
            types.claim(t, "the generator")?;
        }
        let raws: Vec<&str> = op.params.iter().map(|p| p.name.as_str()).collect();
        let names = sibling_names(
            &raws,
            |r| snake(r, "param"),
            |r| snake_spelled(r, "param"),
            &mut args,
            "parameter",
        )?;
        let mut params = Vec::with_capacity(op.params.len());
        for (p, name) in op.params.iter().zip(names) {
            let enum_names = match &p.ty {
                ParamType::Enum(e) => {
                    let type_name = pascal(&p.name, "Param");
                    types.claim(&type_name, format!("the enum of parameter `{}`", p.name))?;
                    let mut vs = Namespace::new(format!("variant of `{type_name}` ({label}):"));
                    vs.claim(OTHER_VARIANT, "the fallback for unlisted values")?;
                    let raws: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
                    let variants = sibling_names(
                        &raws,
                        |r| pascal(r, "Empty"),
                        |r| pascal_spelled(r, "Empty"),
                        &mut vs,
                        "value",
                    )?;
                    Some(EnumNames { type_name, variants })
                }
                _ => None,
            };
            params.push(ParamNames {
                param: p,
                name,
                enum_names,
            });
        }
        let structs = match &op.response {
            Some(r) => struct_names(&r.shape, &mut types, &label)?,
            None => BTreeMap::new(),
        };
        ops.push(OpNames {
            op,
            func,
            params,
            structs,
            successor: None,
        });
    }
    // Successors last, once every method has its name: the successor's own method (pinned names included), or
    // the name its path derives when the crate does not have it (a successor named by an overlay).
    let successors: Vec<Option<String>> = ops
        .iter()
        .map(|o| {
            let s = o.op.deprecation.as_ref()?.successor.as_ref()?;
            Some(
                ops.iter()
                    .find(|t| t.op.method == s.method && t.op.path == s.path)
                    .map(|t| t.func.clone())
                    .unwrap_or_else(|| operation_fn(s.method, &s.path, &api.platform)),
            )
        })
        .collect();
    for (o, s) in ops.iter_mut().zip(successors) {
        o.successor = s;
    }
    Ok(Plan { ops })
}

/// Response struct names: the field's name in PascalCase (`gender` -> `Gender`), `Item` appended for array
/// elements (`ages` -> `AgesItem`), `Value` for the values of a map (`cidMap` -> `CidMapValue`), the root
/// is `Data`. The map of an object's data-keyed entries is its field `extra` (or the first free name of
/// [`REST_FIELDS`]). When names clash — with each other or with a
/// parameter enum — every clashing struct is prefixed with its parent's name (`Gender` -> `DataGender`),
/// repeatedly; the rule looks at the whole set at once, so the result never depends on order.
fn struct_names(
    shape: &crate::ir::Shape,
    types: &mut Namespace,
    label: &str,
) -> Result<BTreeMap<Vec<String>, StructNames>> {
    let mut found: Vec<(Vec<String>, &[crate::ir::Field], bool)> = Vec::new();
    collect_objects(shape, &mut Vec::new(), &mut found);
    fn base(loc: &[String]) -> String {
        match loc {
            [] => "Data".to_owned(),
            [only] if only == ITEM => "DataItem".to_owned(),
            [.., field, last] if last == ITEM && field != ITEM && field != VALUE => {
                format!("{}Item", pascal(field, "Field"))
            }
            [.., last] if last == ITEM => "Item".to_owned(),
            [parent @ .., last] if last == VALUE => format!("{}Value", base(parent)),
            [.., last] => pascal(last, "Field"),
        }
    }
    let mut names: BTreeMap<Vec<String>, String> = found.iter().map(|(loc, _, _)| (loc.clone(), base(loc))).collect();
    for _ in 0..16 {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (loc, n) in &names {
            if !loc.is_empty() {
                *count.entry(n.as_str()).or_default() += 1;
            }
        }
        let clashing: Vec<Vec<String>> = names
            .iter()
            .filter(|(loc, n)| !loc.is_empty() && (count[n.as_str()] > 1 || types.taken.contains_key(n.as_str())))
            .map(|(loc, _)| loc.clone())
            .collect();
        if clashing.is_empty() {
            break;
        }
        for loc in clashing {
            let parent = parent_struct(&loc, &names);
            let own = names[&loc].clone();
            names.insert(loc, format!("{parent}{own}"));
        }
    }
    let mut out = BTreeMap::new();
    for (loc, fields, has_rest) in found {
        let type_name = names[&loc].clone();
        if !loc.is_empty() {
            // The root is `Data`, which the generator reserves for exactly this.
            types.claim(&type_name, format!("the response object at data/{}", loc.join("/")))?;
        }
        let mut fns = Namespace::new(format!("field of `{type_name}` ({label}):"));
        let raws: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let field_names = sibling_names(
            &raws,
            |r| snake(r, "field"),
            |r| snake_spelled(r, "field"),
            &mut fns,
            "key",
        )?;
        // The map of data-keyed entries takes the first of these names no field has.
        let rest = match has_rest {
            false => None,
            true => {
                let name = REST_FIELDS
                    .iter()
                    .find(|n| !field_names.iter().any(|f| f == *n))
                    .ok_or_else(|| Error::NameCollision {
                        message: format!(
                            "`{type_name}` ({label}) has fields named {}: no name is left for its data-keyed entries",
                            REST_FIELDS.join(", ")
                        ),
                    })?;
                Some((*name).to_owned())
            }
        };
        out.insert(
            loc,
            StructNames {
                type_name,
                fields: field_names,
                rest,
            },
        );
    }
    Ok(out)
}

fn parent_struct(loc: &[String], names: &BTreeMap<Vec<String>, String>) -> String {
    let mut cut = loc.len();
    while cut > 0 {
        cut -= 1;
        if let Some(n) = names.get(&loc[..cut]) {
            return n.clone();
        }
    }
    "Data".to_owned()
}

fn collect_objects<'a>(
    shape: &'a crate::ir::Shape,
    loc: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a [crate::ir::Field], bool)>,
) {
    use crate::ir::Shape;
    match shape {
        Shape::Object { fields, rest } => {
            out.push((loc.clone(), fields, rest.is_some()));
            for f in fields {
                loc.push(f.name.clone());
                collect_objects(&f.shape, loc, out);
                loc.pop();
            }
            if let Some(rest) = rest {
                loc.push(VALUE.to_owned());
                collect_objects(rest, loc, out);
                loc.pop();
            }
        }
        Shape::Map(values) => {
            loc.push(VALUE.to_owned());
            collect_objects(values, loc, out);
            loc.pop();
        }
        Shape::Array(inner) => {
            loc.push(ITEM.to_owned());
            collect_objects(inner, loc, out);
            loc.pop();
        }
        Shape::Optional(inner) => collect_objects(inner, loc, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_objects_never_take_a_name_the_module_or_the_prelude_uses() {
        use crate::ir::{Field, Shape};
        let obj = |name: &str| Field::new(name, Shape::object(vec![Field::new("x", Shape::Integer)]));
        let shape = Shape::object(vec![obj("result"), obj("request"), obj("client"), obj("d"), obj("vec")]);
        let mut types = Namespace::new("type");
        for t in RESERVED_OP_TYPES {
            types.claim(t, "the generator").unwrap();
        }
        let names = struct_names(&shape, &mut types, "GET /api/x/v1").unwrap();
        let mut got: Vec<&str> = names.values().map(|n| n.type_name.as_str()).collect();
        got.sort_unstable();
        assert_eq!(
            got,
            ["Data", "DataClient", "DataD", "DataRequest", "DataResult", "DataVec"]
        );
        for import in OP_IMPORTS {
            assert!(
                RESERVED_OP_TYPES.contains(import),
                "{import} is imported but not reserved"
            );
        }
    }

    #[test]
    fn operation_names_come_from_the_path() {
        let p = "/api/xiaohongshu-pgy/get-kol-fans-portrait/v1";
        use crate::ir::Method::{Get, Post};
        assert_eq!(operation_fn(Get, p, "xiaohongshu-pgy"), "get_kol_fans_portrait_v1");
        assert_eq!(operation_type(Get, p, "xiaohongshu-pgy"), "GetKolFansPortraitV1");
        let q = "/api/xiaohongshu-pgy/api/solar/kol/data/userId/fans_profile/v1";
        assert_eq!(
            operation_fn(Get, q, "xiaohongshu-pgy"),
            "api_solar_kol_data_user_id_fans_profile_v1"
        );
        // A POST is `post_` whether or not a GET shares its path, so neither name depends on the other.
        assert_eq!(
            operation_fn(Post, q, "xiaohongshu-pgy"),
            "post_api_solar_kol_data_user_id_fans_profile_v1"
        );
        assert_eq!(
            operation_type(Post, q, "xiaohongshu-pgy"),
            "PostApiSolarKolDataUserIdFansProfileV1"
        );
    }

    #[test]
    fn words_split_case_and_symbols() {
        assert_eq!(words("dataV3/dataSummary"), ["data", "v3", "data", "summary"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("distribution_data"), ["distribution", "data"]);
        assert_eq!(words("{noteId}"), ["note", "id"]);
        assert_eq!(words("<18"), ["18"]);
    }

    #[test]
    fn awkward_names_become_valid_identifiers() {
        assert_eq!(snake("type", "x"), "type");
        assert_eq!(ident_text("type"), "r#type");
        assert_eq!(ident_text("self"), "self_");
        assert_eq!(snake("self", "x"), "self_");
        assert_eq!(operation_fn(crate::ir::Method::Get, "/api/p/super", "p"), "super_");
        assert_eq!(snake("18-24", "x"), "n18_24");
        assert_eq!(pascal("_1", "X"), "V1");
        assert_eq!(pascal("FE_MALE_HIGH", "X"), "FeMaleHigh");
        assert_eq!(snake("美食", "x"), "x7f8e_98df");
        assert_eq!(pascal("美食", "X"), "X7f8eU98df");
        assert_eq!(snake("!!!", "field"), "field");
        assert_eq!(pascal("self", "X"), "Self_");
    }

    #[test]
    fn clashing_siblings_are_named_from_their_exact_spelling() {
        let mut ns = Namespace::new("variant");
        ns.claim("Unknown", "fallback").unwrap();
        let names = sibling_names(
            &["coefp", "bid", "_bid"],
            |r| pascal(r, "E"),
            |r| pascal_spelled(r, "E"),
            &mut ns,
            "value",
        )
        .unwrap();
        assert_eq!(names, ["Coefp", "Bid", "UnderscoreBid"]);
        let err = sibling_names(
            &["UNKNOWN"],
            |r| pascal(r, "E"),
            |r| pascal_spelled(r, "E"),
            &mut ns,
            "value",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`UNKNOWN`") && err.contains("fallback"), "{err}");
        let fields = sibling_names(
            &["fansCount", "fans_count"],
            |r| snake(r, "f"),
            |r| snake_spelled(r, "f"),
            &mut Namespace::new("field"),
            "key",
        )
        .unwrap();
        assert_eq!(fields, ["fans_count", "fans_underscore_count"]);
    }

    #[test]
    fn a_clash_names_both_owners() {
        let mut ns = Namespace::new("field");
        ns.claim("fans_count", "`fansCount`").unwrap();
        let err = ns.claim("fans_count", "`fans_count`").unwrap_err().to_string();
        assert!(err.contains("`fansCount`") && err.contains("`fans_count`"), "{err}");
    }
}
