//! The comparison: two IRs in, [`Change`]s out (see the table in `diff/mod.rs` for kinds and severities).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::{Change, Kind, Report, Severity};
use crate::ir::{Api, EnumType, Method, Operation, Param, ParamLocation, ParamType, ResponseData, Shape, Text};

/// Compares two sets of APIs (matched by platform).
pub fn diff_apis(old: &[Api], new: &[Api]) -> Report {
    fn by_platform(apis: &[Api]) -> BTreeMap<String, Vec<&Operation>> {
        let mut map: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
        for api in apis {
            map.entry(api.platform.clone())
                .or_default()
                .extend(api.operations.iter());
        }
        map
    }
    let (old, new) = (by_platform(old), by_platform(new));
    let mut changes = Vec::new();
    let platforms: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for p in platforms {
        let none = Vec::new();
        diff_operations(old.get(p).unwrap_or(&none), new.get(p).unwrap_or(&none), &mut changes);
    }
    Report::new(changes)
}

/// Compares two versions of one API.
pub fn diff_api(old: &Api, new: &Api) -> Report {
    let mut changes = Vec::new();
    diff_operations(
        &old.operations.iter().collect::<Vec<_>>(),
        &new.operations.iter().collect::<Vec<_>>(),
        &mut changes,
    );
    if old.listed_codes != new.listed_codes {
        let codes = |c: &[i64]| {
            let v: Vec<String> = c.iter().map(i64::to_string).collect();
            format!("[{}]", v.join(", "))
        };
        changes.push(Change {
            method: Method::Get,
            path: String::new(),
            kind: Kind::BusinessCodesChanged,
            severity: Severity::Docs,
            detail: format!(
                "codes upstream lists without a published meaning: {} -> {}",
                codes(&old.listed_codes),
                codes(&new.listed_codes)
            ),
        });
    }
    Report::new(changes)
}

fn diff_operations(old: &[&Operation], new: &[&Operation], out: &mut Vec<Change>) {
    let old: BTreeMap<(Method, &str), &Operation> = old.iter().map(|o| (o.key(), *o)).collect();
    let new: BTreeMap<(Method, &str), &Operation> = new.iter().map(|o| (o.key(), *o)).collect();
    for (key, o) in &old {
        match new.get(key) {
            Some(n) => diff_operation(o, n, out),
            None => {
                let mut detail = describe_op(o);
                if let Some(s) = o.deprecation.as_ref().and_then(|d| d.successor.as_ref()) {
                    let _ = write!(detail, "; successor: {} {}", s.method.as_str(), s.path);
                }
                push(out, o, Kind::OperationRemoved, Severity::Breaking, detail);
            }
        }
    }
    for (key, n) in &new {
        if !old.contains_key(key) {
            push(out, n, Kind::OperationAdded, Severity::NonBreaking, describe_op(n));
        }
    }
}

fn describe_op(op: &Operation) -> String {
    let mut s = quoted(op.summary.primary());
    if op.is_deprecated() {
        s.push_str(" (deprecated)");
    }
    s
}

fn push(out: &mut Vec<Change>, op: &Operation, kind: Kind, severity: Severity, detail: impl Into<String>) {
    out.push(Change {
        method: op.method,
        path: op.path.clone(),
        kind,
        severity,
        detail: detail.into(),
    });
}

/// Hidden from the docs, gone from the catalogue, back: each a change of its own. Returns whether the
/// deprecation change (if any) is this transition's (a gone endpoint is deprecated here, not upstream).
fn diff_state(o: &Operation, n: &Operation, out: &mut Vec<Change>) -> bool {
    use crate::ir::State::{Gone, Hidden, Published};
    let (a, b) = (&o.listing.state, &n.listing.state);
    match (a, b) {
        (Gone { .. }, Gone { .. }) => true,
        (_, Gone { since }) => {
            let detail =
                format!("upstream no longer lists it (since {since}); kept, deprecated, until removed for good");
            push(out, n, Kind::OperationGone, Severity::NonBreaking, detail);
            true
        }
        (Gone { since }, _) => {
            let detail = format!(
                "listed again (gone since {since}){}",
                if matches!(b, Hidden { .. }) {
                    ", hidden from the docs"
                } else {
                    ""
                }
            );
            push(out, n, Kind::OperationReturned, Severity::NonBreaking, detail);
            true
        }
        (Published, Hidden { .. }) => {
            push(
                out,
                n,
                Kind::OperationHidden,
                Severity::Docs,
                "hidden from upstream's docs (still served); generated from the last definitions published",
            );
            false
        }
        (Hidden { .. }, Published) => {
            push(
                out,
                n,
                Kind::OperationUnhidden,
                Severity::Docs,
                "published in upstream's docs again",
            );
            false
        }
        _ => false,
    }
}

/// Upstream's catalogue metadata: search aliases, highlights, the recommended mark, the docs order.
fn diff_listing(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let (a, b) = (&o.listing, &n.listing);
    if a.aliases != b.aliases {
        let added: Vec<&String> = b.aliases.iter().filter(|x| !a.aliases.contains(x)).collect();
        let removed: Vec<&String> = a.aliases.iter().filter(|x| !b.aliases.contains(x)).collect();
        push(
            out,
            n,
            Kind::DocsChanged,
            Severity::Docs,
            format!("search aliases: {} added, {} removed", added.len(), removed.len()),
        );
    }
    if a.highlights != b.highlights {
        push(
            out,
            n,
            Kind::DocsChanged,
            Severity::Docs,
            format!("highlights: {} -> {}", a.highlights.len(), b.highlights.len()),
        );
    }
    if a.recommended != b.recommended {
        let detail = if b.recommended {
            "recommended by upstream"
        } else {
            "no longer recommended by upstream"
        };
        push(out, n, Kind::DocsChanged, Severity::Docs, detail);
    }
}

fn diff_operation(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let state_changed_deprecation = diff_state(o, n, out);
    diff_listing(o, n, out);
    match (&o.deprecation, &n.deprecation) {
        // Gone or back: `operation-gone` / `operation-returned` say it (and the note is ours, not upstream's).
        _ if state_changed_deprecation && o.listing.state != n.listing.state => {}
        (None, Some(d)) => {
            let detail = match &d.successor {
                Some(s) => format!("successor: {} {}", s.method.as_str(), s.path),
                None => "no successor named".to_owned(),
            };
            push(out, n, Kind::OperationDeprecated, Severity::NonBreaking, detail);
        }
        (Some(_), None) => push(out, n, Kind::OperationUndeprecated, Severity::NonBreaking, ""),
        (Some(a), Some(b)) => {
            if let Some(d) = text_change("deprecation note", &a.note, &b.note) {
                push(out, n, Kind::DocsChanged, Severity::Docs, d);
            }
            let succ = |s: &Option<crate::ir::Successor>| {
                s.as_ref()
                    .map(|s| format!("{} {}", s.method.as_str(), s.path))
                    .unwrap_or_else(|| "none".to_owned())
            };
            let (sa, sb) = (succ(&a.successor), succ(&b.successor));
            if sa != sb {
                push(
                    out,
                    n,
                    Kind::DocsChanged,
                    Severity::Docs,
                    format!("successor: {sa} -> {sb}"),
                );
            }
        }
        (None, None) => {}
    }
    if o.operation_id != n.operation_id {
        let id = |s: &Option<String>| s.as_deref().map(|s| format!("`{s}`")).unwrap_or_else(|| "none".into());
        push(
            out,
            n,
            Kind::OperationIdChanged,
            Severity::Docs,
            format!("{} -> {}", id(&o.operation_id), id(&n.operation_id)),
        );
    }
    for (label, a, b) in [
        ("summary", &o.summary, &n.summary),
        ("description", &o.description, &n.description),
    ] {
        if let Some(d) = text_change(label, a, b) {
            push(out, n, Kind::DocsChanged, Severity::Docs, d);
        }
    }
    // A new definition URL for the same (method, path): upstream renamed a tag or summary. Only between two
    // published states (hiding or dropping an endpoint removes its URL, and says so itself).
    let published = |op: &Operation| op.listing.state == crate::ir::State::Published;
    if o.docs != n.docs && published(o) && published(n) {
        let url = |t: &Text| t.en.clone().or(t.zh.clone()).unwrap_or_else(|| "none".into());
        push(
            out,
            n,
            Kind::OperationMoved,
            Severity::Docs,
            format!("definition URL {} -> {}", url(&o.docs), url(&n.docs)),
        );
    }
    if o.tags != n.tags {
        let tags = |t: &[Text]| {
            let v: Vec<String> = t.iter().map(|t| quoted(t.primary())).collect();
            format!("[{}]", v.join(", "))
        };
        let (ta, tb) = (tags(&o.tags), tags(&n.tags));
        let detail = if ta == tb {
            "tags: translations changed".to_owned()
        } else {
            format!("tags: {ta} -> {tb}")
        };
        push(out, n, Kind::DocsChanged, Severity::Docs, detail);
    }
    diff_params(o, n, out);
    diff_response(o, n, out);
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Query => "query",
        ParamLocation::Form => "form",
    }
}

fn describe_param(p: &Param) -> String {
    format!(
        "`{}` ({}, {}, {})",
        p.name,
        location(p.location),
        if p.required { "required" } else { "optional" },
        type_name(&p.ty)
    )
}

fn type_name(t: &ParamType) -> String {
    match t {
        ParamType::String => "string".into(),
        ParamType::Integer { format: Some(f) } => format!("integer ({f})"),
        ParamType::Integer { format: None } => "integer".into(),
        ParamType::Number => "number".into(),
        ParamType::Boolean => "boolean".into(),
        ParamType::Enum(e) => format!("{} enum", if e.integer { "integer" } else { "string" }),
        ParamType::Json => "JSON".into(),
    }
}

fn diff_params(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    let key = |p: &Param| (p.name.clone(), p.location);
    let old: BTreeMap<_, &Param> = o.params.iter().map(|p| (key(p), p)).collect();
    let new: BTreeMap<_, &Param> = n.params.iter().map(|p| (key(p), p)).collect();
    for (k, a) in &old {
        let Some(b) = new.get(k) else {
            push(out, n, Kind::ParamRemoved, Severity::Breaking, describe_param(a));
            continue;
        };
        let name = &a.name;
        if a.required != b.required {
            let req = |r: bool| if r { "required" } else { "optional" };
            push(
                out,
                n,
                Kind::ParamRequiredChanged,
                Severity::Breaking,
                format!("`{name}`: {} -> {}", req(a.required), req(b.required)),
            );
        }
        match (&a.ty, &b.ty) {
            (ParamType::Enum(ea), ParamType::Enum(eb)) if ea.integer == eb.integer => diff_enum(name, ea, eb, n, out),
            (ta, tb) if ta != tb => push(
                out,
                n,
                Kind::ParamTypeChanged,
                Severity::Breaking,
                format!("`{name}`: {} -> {}", type_name(ta), type_name(tb)),
            ),
            _ => {}
        }
        if a.default != b.default {
            let show =
                |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "none".into());
            push(
                out,
                n,
                Kind::ParamDefaultChanged,
                Severity::NonBreaking,
                format!("`{name}`: {} -> {}", show(&a.default), show(&b.default)),
            );
        }
        if let Some(d) = text_change(
            &format!("parameter `{name}` description"),
            &a.description,
            &b.description,
        ) {
            push(out, n, Kind::DocsChanged, Severity::Docs, d);
        }
    }
    for (k, b) in &new {
        if !old.contains_key(k) {
            let severity = if b.required {
                Severity::Breaking
            } else {
                Severity::NonBreaking
            };
            push(out, n, Kind::ParamAdded, severity, describe_param(b));
        }
    }
}

fn diff_enum(name: &str, a: &EnumType, b: &EnumType, n: &Operation, out: &mut Vec<Change>) {
    for va in &a.values {
        match b.values.iter().find(|vb| vb.value == va.value) {
            None => push(
                out,
                n,
                Kind::ParamEnumChanged,
                Severity::Breaking,
                format!("`{name}`: value `{}` removed", va.value),
            ),
            Some(vb) => {
                if let Some(d) = text_change(
                    &format!("parameter `{name}` value `{}` doc", va.value),
                    &va.doc,
                    &vb.doc,
                ) {
                    push(out, n, Kind::DocsChanged, Severity::Docs, d);
                }
            }
        }
    }
    for vb in &b.values {
        if !a.values.iter().any(|va| va.value == vb.value) {
            push(
                out,
                n,
                Kind::ParamEnumChanged,
                Severity::NonBreaking,
                format!("`{name}`: value `{}` added", vb.value),
            );
        }
    }
}

fn origin_name(r: &ResponseData) -> String {
    match (r.origin, &r.remembered) {
        (crate::ir::ShapeOrigin::Example, _) => "a response example".into(),
        (crate::ir::ShapeOrigin::Schema, _) => "a response schema".into(),
        (crate::ir::ShapeOrigin::Overlay, _) => "an overlay".into(),
        (crate::ir::ShapeOrigin::Memory, Some(p)) => format!("the type memory (seen in {} on {})", p.source, p.seen),
        (crate::ir::ShapeOrigin::Memory, None) => "the type memory".into(),
    }
}

fn diff_response(o: &Operation, n: &Operation, out: &mut Vec<Change>) {
    // `data` of shape `Any` is emitted as raw JSON, exactly like no shape at all.
    fn typed(r: &Option<ResponseData>) -> Option<&ResponseData> {
        r.as_ref().filter(|r| r.shape != Shape::Any)
    }
    fn source(r: &Option<ResponseData>) -> String {
        r.as_ref()
            .map(origin_name)
            .unwrap_or_else(|| "nothing (untyped)".into())
    }
    match (typed(&o.response), typed(&n.response)) {
        (None, None) => {
            if source(&o.response) != source(&n.response) {
                push(
                    out,
                    n,
                    Kind::DocsChanged,
                    Severity::Docs,
                    format!(
                        "data: raw JSON either way; type source: {} -> {}",
                        source(&o.response),
                        source(&n.response)
                    ),
                );
            }
        }
        (Some(a), None) => push(
            out,
            n,
            Kind::ResponseShapeChanged,
            Severity::Breaking,
            format!(
                "data: typed {} (from {}) is gone; now raw JSON",
                shape_name(&a.shape),
                origin_name(a)
            ),
        ),
        (None, Some(b)) => push(
            out,
            n,
            Kind::ResponseShapeChanged,
            Severity::Breaking,
            format!(
                "data: raw JSON is now typed {} (from {})",
                shape_name(&b.shape),
                origin_name(b)
            ),
        ),
        (Some(a), Some(b)) => {
            if a.origin != b.origin {
                let detail = if b.origin == crate::ir::ShapeOrigin::Memory && a.origin != b.origin {
                    format!(
                        "data: the response example is gone; the type is kept from {}",
                        origin_name(b)
                    )
                } else {
                    format!("data: type source: {} -> {}", origin_name(a), origin_name(b))
                };
                push(out, n, Kind::DocsChanged, Severity::Docs, detail);
            }
            let mut changes = Vec::new();
            diff_shape("data", &a.shape, &b.shape, false, &mut changes);
            if changes.is_empty() && without_examples(&a.shape) == without_examples(&b.shape) && a.shape != b.shape {
                push(
                    out,
                    n,
                    Kind::DocsChanged,
                    Severity::Docs,
                    "data: the documented example values changed",
                );
            }
            for (kind, detail) in changes {
                let kind = match kind {
                    // At the root there is no field: the whole type of `data` changed.
                    Kind::ResponseFieldTypeChanged if detail.starts_with("data:") => Kind::ResponseShapeChanged,
                    k => k,
                };
                let severity = if kind == Kind::ResponseFieldAdded {
                    Severity::NonBreaking
                } else {
                    Severity::Breaking
                };
                push(out, n, kind, severity, detail);
            }
        }
    }
}

/// A short, Rust-free name of a shape for details: `object`, `array of string`, `optional integer`.
pub fn shape_name(s: &Shape) -> String {
    match s {
        Shape::Bool => "boolean".into(),
        Shape::Integer => "integer".into(),
        Shape::Number => "number".into(),
        Shape::String => "string".into(),
        Shape::Any => "any JSON".into(),
        Shape::Optional(inner) => format!("optional {}", shape_name(inner)),
        Shape::Array(inner) => format!("array of {}", shape_name(inner)),
        Shape::Object { .. } => "object".into(),
        Shape::Map(inner) => format!("map of {}", shape_name(inner)),
    }
}

/// The shape with the documented examples removed (they change the docs, not the types).
fn without_examples(s: &Shape) -> Shape {
    match s {
        Shape::Object { fields, rest } => Shape::Object {
            fields: fields
                .iter()
                .map(|f| crate::ir::Field::new(f.name.clone(), without_examples(&f.shape)))
                .collect(),
            rest: rest.as_deref().map(|r| Box::new(without_examples(r))),
        },
        Shape::Array(i) => Shape::Array(Box::new(without_examples(i))),
        Shape::Optional(i) => Shape::Optional(Box::new(without_examples(i))),
        Shape::Map(i) => Shape::Map(Box::new(without_examples(i))),
        other => other.clone(),
    }
}

/// The depth-first comparison of two shapes at `at` (`data`, `data.a`, `data.list[]`, `data.byId.*`), judged by
/// the generated types: a field is an `Option` (or an empty list or map) whether or not `null` was seen, so
/// `Optional` counts only for the elements of arrays and maps (`Vec<Option<T>>` is not `Vec<T>`).
fn diff_shape(at: &str, a: &Shape, b: &Shape, element: bool, out: &mut Vec<(Kind, String)>) {
    let (a, b) = if element { (a, b) } else { (a.non_null(), b.non_null()) };
    match (a, b) {
        // Not one key in common: a different object, not an edited one.
        (Shape::Object { fields: fa, .. }, Shape::Object { fields: fb, .. })
            if !fa.is_empty() && !fb.is_empty() && !fa.iter().any(|f| fb.iter().any(|g| g.name == f.name)) =>
        {
            out.push((
                Kind::ResponseFieldTypeChanged,
                format!("{at}: {} -> {}", object_keys(fa), object_keys(fb)),
            ));
        }
        (Shape::Object { fields: fa, rest: ra }, Shape::Object { fields: fb, rest: rb }) => {
            for f in fa {
                let child = format!("{at}.{}", f.name);
                match fb.iter().find(|g| g.name == f.name) {
                    Some(g) => diff_shape(&child, &f.shape, &g.shape, false, out),
                    None => out.push((
                        Kind::ResponseFieldRemoved,
                        format!("{child} ({})", shape_name(&f.shape)),
                    )),
                }
            }
            for g in fb {
                if !fa.iter().any(|f| f.name == g.name) {
                    out.push((
                        Kind::ResponseFieldAdded,
                        format!("{at}.{} ({})", g.name, shape_name(&g.shape)),
                    ));
                }
            }
            let entries = format!("{at}.*");
            match (ra, rb) {
                (Some(x), Some(y)) => diff_shape(&entries, x, y, true, out),
                (None, Some(y)) => out.push((
                    Kind::ResponseFieldAdded,
                    format!("{entries} (entries keyed by data, {})", shape_name(y)),
                )),
                (Some(x), None) => out.push((
                    Kind::ResponseFieldRemoved,
                    format!("{entries} (entries keyed by data, {})", shape_name(x)),
                )),
                (None, None) => {}
            }
        }
        (Shape::Map(x), Shape::Map(y)) => diff_shape(&format!("{at}.*"), x, y, true, out),
        (Shape::Array(ia), Shape::Array(ib)) => diff_shape(&format!("{at}[]"), ia, ib, true, out),
        (Shape::Optional(ia), Shape::Optional(ib)) => diff_shape(at, ia, ib, true, out),
        (Shape::Optional(ia), other) | (other, Shape::Optional(ia)) if ia.as_ref() == other || same_kind(ia, other) => {
            out.push((
                Kind::ResponseFieldTypeChanged,
                format!("{at}: {} -> {}", shape_name(a), shape_name(b)),
            ));
            // Optional-ness aside, the inner shapes may differ too.
            let (ia, ib) = (a.non_null(), b.non_null());
            if without_examples(ia) != without_examples(ib) {
                diff_shape(at, ia, ib, true, out);
            }
        }
        _ if without_examples(a) == without_examples(b) => {}
        _ => out.push((
            Kind::ResponseFieldTypeChanged,
            format!("{at}: {} -> {}", shape_name(a), shape_name(b)),
        )),
    }
}

/// `object {a, b, c}` (at most 8 keys named).
fn object_keys(fields: &[crate::ir::Field]) -> String {
    let mut keys: Vec<&str> = fields.iter().take(8).map(|f| f.name.as_str()).collect();
    if fields.len() > 8 {
        keys.push("…");
    }
    format!("object {{{}}}", keys.join(", "))
}

/// Both objects, both arrays or both maps: worth comparing inside after an `Option` change.
fn same_kind(a: &Shape, b: &Shape) -> bool {
    matches!(
        (a, b),
        (Shape::Object { .. }, Shape::Object { .. })
            | (Shape::Array(_), Shape::Array(_))
            | (Shape::Map(_), Shape::Map(_))
    )
}

/// `"..."`, at most 80 characters, on one line.
fn quoted(s: &str) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let mut short: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    format!("\"{short}\"")
}

/// `summary (en): "old" -> "new"`; `description (en, zh) changed` for long texts; `None` when equal.
fn text_change(label: &str, a: &Text, b: &Text) -> Option<String> {
    if a == b {
        return None;
    }
    let mut parts = Vec::new();
    for (lang, x, y) in [("en", &a.en, &b.en), ("zh", &a.zh, &b.zh)] {
        if x == y {
            continue;
        }
        let show = |v: &Option<String>| v.as_deref().map(quoted).unwrap_or_else(|| "none".into());
        let short = |v: &Option<String>| {
            v.as_deref()
                .is_none_or(|s| s.chars().count() <= 80 && !s.contains('\n'))
        };
        parts.push(if short(x) && short(y) {
            format!("({lang}) {} -> {}", show(x), show(y))
        } else {
            match (x, y) {
                (None, Some(_)) => format!("({lang}) added"),
                (Some(_), None) => format!("({lang}) removed"),
                _ => format!("({lang}) rewritten"),
            }
        });
    }
    Some(format!("{label} {}", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::model::{bump_version, Semver};
    use crate::ir::{Deprecation, EnumValue, Field, ShapeOrigin};

    fn op(path: &str) -> Operation {
        Operation {
            method: Method::Get,
            path: path.into(),
            operation_id: Some("getX".into()),
            name: None,
            summary: Text::en("X"),
            description: Text::default(),
            tags: vec![Text::en("T")],
            params: vec![param("id", true, ParamType::String)],
            response: None,
            deprecation: None,
            docs: Text::default(),
            listing: Default::default(),
        }
    }

    fn param(name: &str, required: bool, ty: ParamType) -> Param {
        Param {
            name: name.into(),
            location: ParamLocation::Query,
            required,
            ty,
            default: None,
            description: Text::default(),
        }
    }

    fn api(ops: Vec<Operation>) -> Api {
        Api {
            crate_name: "c".into(),
            version: "0.1.0".into(),
            platform: "p".into(),
            title: Text::default(),
            platform_aliases: Vec::new(),
            servers: vec![],
            business_codes: vec![],
            listed_codes: vec![],
            operations: ops,
            examples: vec![],
        }
    }

    fn obj(fields: &[(&str, Shape)]) -> Shape {
        Shape::object(fields.iter().map(|(n, s)| Field::new(*n, s.clone())).collect())
    }

    fn kinds(r: &Report) -> Vec<(&str, Severity, &str)> {
        r.changes
            .iter()
            .map(|c| (c.kind.as_str(), c.severity, c.detail.as_str()))
            .collect()
    }

    #[test]
    fn identical_apis_have_no_changes() {
        let a = api(vec![op("/api/p/a/v1")]);
        let r = diff_api(&a, &a.clone());
        assert!(r.is_empty());
        assert_eq!(r.semver, Semver::None);
    }

    #[test]
    fn operations_added_removed_and_deprecated() {
        let old = api(vec![op("/api/p/a/v1"), op("/api/p/b/v1")]);
        let mut b = op("/api/p/b/v1");
        b.deprecation = Some(Deprecation {
            note: Text::en("old"),
            successor: None,
        });
        let new = api(vec![b, op("/api/p/c/v1")]);
        let r = diff_api(&old, &new);
        assert_eq!(
            kinds(&r),
            [
                ("operation-removed", Severity::Breaking, "\"X\""),
                ("operation-deprecated", Severity::NonBreaking, "no successor named"),
                ("operation-added", Severity::NonBreaking, "\"X\""),
            ]
        );
        assert_eq!(r.semver, Semver::Major);
    }

    #[test]
    fn params_required_type_enum_default() {
        let mut a = op("/api/p/a/v1");
        let e = |vals: &[&str]| {
            ParamType::Enum(EnumType {
                integer: false,
                values: vals
                    .iter()
                    .map(|v| EnumValue {
                        value: (*v).into(),
                        doc: Text::default(),
                    })
                    .collect(),
            })
        };
        a.params = vec![
            param("id", true, ParamType::String),
            param("page", false, ParamType::Integer { format: None }),
            param("sort", false, e(&["A", "B"])),
            param("cache", false, ParamType::Boolean),
        ];
        let mut b = a.clone();
        b.params[0].required = false;
        b.params[1].ty = ParamType::String;
        b.params[2].ty = e(&["B", "C"]);
        b.params[2].default = Some(serde_json::json!("B"));
        b.params.remove(3);
        b.params.push(param("opt", false, ParamType::String));
        b.params.push(param("req", true, ParamType::String));
        let r = diff_api(&api(vec![a]), &api(vec![b]));
        assert_eq!(
            kinds(&r),
            [
                ("param-added", Severity::NonBreaking, "`opt` (query, optional, string)"),
                ("param-added", Severity::Breaking, "`req` (query, required, string)"),
                ("param-default-changed", Severity::NonBreaking, "`sort`: none -> \"B\""),
                ("param-enum-changed", Severity::Breaking, "`sort`: value `A` removed"),
                ("param-enum-changed", Severity::NonBreaking, "`sort`: value `C` added"),
                (
                    "param-removed",
                    Severity::Breaking,
                    "`cache` (query, optional, boolean)"
                ),
                (
                    "param-required-changed",
                    Severity::Breaking,
                    "`id`: required -> optional"
                ),
                ("param-type-changed", Severity::Breaking, "`page`: integer -> string"),
            ]
        );
    }

    #[test]
    fn response_fields_compare_recursively_with_locations() {
        let mut a = op("/api/p/a/v1");
        let ages = |item: Shape| obj(&[("ageDistribution", Shape::Array(Box::new(item)))]);
        a.response = Some(ResponseData::new(
            obj(&[
                (
                    "fansPortrait",
                    ages(obj(&[("name", Shape::String), ("percent", Shape::Number)])),
                ),
                ("count", Shape::Integer),
                ("tags", Shape::Array(Box::new(Shape::Integer))),
                ("byId", Shape::Map(Box::new(Shape::String))),
            ]),
            ShapeOrigin::Example,
        ));
        let mut b = a.clone();
        b.response = Some(ResponseData::new(
            obj(&[
                (
                    "fansPortrait",
                    ages(obj(&[("name", Shape::String), ("cnt", Shape::Integer)])),
                ),
                // `null` seen where it was not: both are `Option<i64>` fields, so nothing changes.
                ("count", Shape::Optional(Box::new(Shape::Integer))),
                // ... but a list of optional integers is another type.
                (
                    "tags",
                    Shape::Array(Box::new(Shape::Optional(Box::new(Shape::Integer)))),
                ),
                ("byId", Shape::Map(Box::new(Shape::Integer))),
                ("extra", Shape::Bool),
            ]),
            ShapeOrigin::Example,
        ));
        let r = diff_api(&api(vec![a.clone()]), &api(vec![b]));
        assert_eq!(
            kinds(&r),
            [
                ("response-field-added", Severity::NonBreaking, "data.extra (boolean)"),
                (
                    "response-field-added",
                    Severity::NonBreaking,
                    "data.fansPortrait.ageDistribution[].cnt (integer)"
                ),
                (
                    "response-field-removed",
                    Severity::Breaking,
                    "data.fansPortrait.ageDistribution[].percent (number)"
                ),
                (
                    "response-field-type-changed",
                    Severity::Breaking,
                    "data.byId.*: string -> integer"
                ),
                (
                    "response-field-type-changed",
                    Severity::Breaking,
                    "data.tags[]: integer -> optional integer"
                ),
            ]
        );
        let mut c = a.clone();
        c.response = None;
        let r = diff_api(&api(vec![a.clone()]), &api(vec![c]));
        assert_eq!(kinds(&r)[0].0, "response-shape-changed");
        let mut d = a.clone();
        d.response.as_mut().unwrap().shape = Shape::Array(Box::new(Shape::String));
        let r = diff_api(&api(vec![a]), &api(vec![d]));
        assert_eq!(
            kinds(&r),
            [(
                "response-shape-changed",
                Severity::Breaking,
                "data: object -> array of string"
            )]
        );
    }

    #[test]
    fn an_object_with_no_key_in_common_is_a_new_shape_and_any_is_raw_json() {
        let mut a = op("/api/p/a/v1");
        a.response = Some(ResponseData::new(
            obj(&[("ages", Shape::String), ("gender", Shape::String)]),
            ShapeOrigin::Example,
        ));
        let mut b = a.clone();
        b.response.as_mut().unwrap().shape = obj(&[("fansPortrait", obj(&[("x", Shape::Integer)]))]);
        let r = diff_api(&api(vec![a.clone()]), &api(vec![b]));
        assert_eq!(
            kinds(&r),
            [(
                "response-shape-changed",
                Severity::Breaking,
                "data: object {ages, gender} -> object {fansPortrait}"
            )]
        );
        let mut any = a.clone();
        any.response.as_mut().unwrap().shape = Shape::Any;
        let mut none = a;
        none.response = None;
        let r = diff_api(&api(vec![any]), &api(vec![none]));
        assert_eq!(
            kinds(&r),
            [(
                "docs-changed",
                Severity::Docs,
                "data: raw JSON either way; type source: a response example -> nothing (untyped)"
            )]
        );
    }

    #[test]
    fn operation_id_and_docs_are_docs_only() {
        let a = op("/api/p/a/v1");
        let mut b = a.clone();
        b.operation_id = Some("getApiPA".into());
        b.summary = Text::bilingual("Y", "新");
        let r = diff_api(&api(vec![a]), &api(vec![b]));
        assert_eq!(
            kinds(&r),
            [
                (
                    "docs-changed",
                    Severity::Docs,
                    "summary (en) \"X\" -> \"Y\"; (zh) none -> \"新\""
                ),
                ("operation-id-changed", Severity::Docs, "`getX` -> `getApiPA`"),
            ]
        );
        assert_eq!(r.semver, Semver::Patch);
    }

    #[test]
    fn apis_match_by_platform() {
        let mut other = api(vec![op("/api/q/a/v1")]);
        other.platform = "q".into();
        let r = diff_apis(&[api(vec![op("/api/p/a/v1")])], &[api(vec![op("/api/p/a/v1")]), other]);
        assert_eq!(kinds(&r), [("operation-added", Severity::NonBreaking, "\"X\"")]);
    }

    #[test]
    fn json_and_markdown() {
        let r = diff_api(&api(vec![op("/api/p/a/v1")]), &api(vec![]));
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"changes": [{"method": "GET", "path": "/api/p/a/v1", "kind": "operation-removed",
                "severity": "breaking", "detail": "\"X\""}], "semver": "major"})
        );
        let md = r.to_markdown();
        assert!(
            md.starts_with("**API drift: 1 change: 1 breaking, 0 non-breaking, 0 docs only (semver: major)**"),
            "{md}"
        );
        assert!(
            md.contains("| `GET /api/p/a/v1` | `operation-removed` | \"X\" |"),
            "{md}"
        );
    }

    #[test]
    fn kind_ids_are_the_serde_names() {
        for k in Kind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
        }
    }

    #[test]
    fn versions_bump_by_cargo_rules() {
        let b = |v, s| bump_version(v, s).unwrap();
        assert_eq!(b("0.0.3", Semver::Major), "0.0.4");
        assert_eq!(b("0.0.3", Semver::Patch), "0.0.4");
        assert_eq!(b("0.1.0", Semver::Major), "0.2.0");
        assert_eq!(b("0.1.4", Semver::Minor), "0.1.5");
        assert_eq!(b("0.1.4", Semver::Patch), "0.1.5");
        assert_eq!(b("1.2.3", Semver::Major), "2.0.0");
        assert_eq!(b("1.2.3", Semver::Minor), "1.3.0");
        assert_eq!(b("1.2.3", Semver::Patch), "1.2.4");
        assert_eq!(b("1.2.3", Semver::None), "1.2.3");
        for bad in ["1.2", "1.2.3-alpha", "x.1.2", "01.2.3", ""] {
            assert!(bump_version(bad, Semver::Patch).is_err(), "{bad}");
        }
    }
}
