//! Upstream's rule for where the docs site publishes an endpoint's definitions.
//!
//! Since its rebuild in April 2026 the docs site derives every definition URL from the aggregate
//! (`../shared/README.md` gives the facts; the vendor's own tooling writes its README's docs links with the
//! same rule): `<docs base>/<group>/<slug>-<lang>.json`, where
//!
//! * `group` = slugify(the operation's first tag);
//! * `slug` = slugify(base title + " (Vn)" + " Deprecated" when deprecated), without the version part when
//!   the operation has none;
//! * the base title is the summary without, in this order, a trailing "(Vn)", " Vn", "Vn", then a trailing
//!   "[Deprecated]" / "[已弃用]" / "[已废弃]";
//! * the version is the first of `x-version`, `x-api-version`, `apiVersion`, `api_version`, `version` that
//!   reads as "vN" or "N"; else the path's last `vN` segment; else the operationId's trailing "Vn"; else "(Vn)"
//!   in the summary;
//! * slugify: lower-case, trim, whitespace runs -> "-", drop every character but a-z, 0-9, "-" and CJK
//!   ideographs (U+4E00-U+9FA5), collapse "-" runs, trim "-".
//!
//! The seed-era site (before 2026-04) used another rule; the lock keeps the URL each vendored file really came
//! from, so only the next fetch uses this one.

use serde_json::{Map, Value};

use crate::manifest::Lang;

/// Where the docs site publishes one endpoint: `<group>/<slug>-<lang>.json` under the docs base URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocsLocation {
    pub group: String,
    pub slug: String,
}

impl DocsLocation {
    /// `<base>/<group>/<slug>-<lang>.json`.
    pub fn url(&self, base_url: &str, lang: Lang) -> String {
        format!(
            "{}/{}/{}-{}.json",
            base_url.trim_end_matches('/'),
            self.group,
            self.slug,
            lang.as_str()
        )
    }
}

/// The docs location of an operation (`op`: its object in the aggregate), or why there is none.
pub fn location(op: &Map<String, Value>, path: &str) -> Result<DocsLocation, String> {
    let tag = op
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
        .ok_or("no first tag (`tags[0]`), which names the docs site's folder")?;
    let summary = op
        .get("summary")
        .and_then(Value::as_str)
        .ok_or("no `summary`, which names the docs site's page")?;
    let group = slugify(tag);
    if group.is_empty() {
        return Err(format!(
            "the first tag {tag:?} gives an empty folder name on the docs site"
        ));
    }
    let mut title = base_title(summary).to_owned();
    if let Some(v) = version(op, path) {
        title.push_str(&format!(" (V{v})"));
    }
    if op.get("deprecated").and_then(Value::as_bool) == Some(true) {
        title.push_str(" Deprecated");
    }
    let slug = slugify(&title);
    if slug.is_empty() {
        return Err(format!(
            "the summary {summary:?} gives an empty page name on the docs site"
        ));
    }
    Ok(DocsLocation { group, slug })
}

/// The docs site's slugify.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.trim().to_lowercase().chars() {
        if c.is_whitespace() {
            in_space = true;
            continue;
        }
        if in_space {
            out.push('-');
            in_space = false;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || ('\u{4e00}'..='\u{9fa5}').contains(&c) {
            out.push(c);
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    collapsed.trim_matches('-').to_owned()
}

/// The summary without its version and deprecation marks (see the module docs for the order).
pub fn base_title(summary: &str) -> &str {
    let mut s = summary.trim();
    // A trailing "(Vn)".
    if let Some(open) = s.strip_suffix(')').and_then(|rest| rest.rfind('(').map(|i| (rest, i))) {
        let (rest, i) = open;
        if v_number(&rest[i + 1..]).is_some() {
            s = rest[..i].trim_end();
        }
    }
    // A trailing " Vn", then a trailing "Vn".
    if let Some(i) = trailing_version_word(s) {
        s = s[..i].trim_end();
    }
    for mark in ["[Deprecated]", "[已弃用]", "[已废弃]"] {
        if let Some(rest) = strip_suffix_ignore_ascii_case(s, mark) {
            s = rest.trim_end();
            break;
        }
    }
    s
}

/// The start of a trailing `Vn` (after a space or not).
fn trailing_version_word(s: &str) -> Option<usize> {
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let v = s.len() - digits - 1;
    matches!(s.as_bytes().get(v), Some(b'V' | b'v')).then_some(v)
}

fn strip_suffix_ignore_ascii_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

/// `vN` / `VN` -> N.
fn v_number(s: &str) -> Option<u64> {
    version_word(s.strip_prefix(['v', 'V'])?).filter(|_| !s[1..].starts_with(['v', 'V']))
}

/// `vN` / `VN` / `N` -> N.
fn version_word(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.strip_prefix(['v', 'V']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The operation's version number (see the module docs for where it comes from).
pub fn version(op: &Map<String, Value>, path: &str) -> Option<u64> {
    for key in ["x-version", "x-api-version", "apiVersion", "api_version", "version"] {
        let v = match op.get(key) {
            Some(Value::String(s)) => version_word(s),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        if v.is_some() {
            return v;
        }
    }
    if let Some(v) = path.rsplit('/').find_map(v_number) {
        return Some(v);
    }
    if let Some(id) = op.get("operationId").and_then(Value::as_str) {
        if let Some(i) = trailing_version_word(id).filter(|&i| id.as_bytes()[i] == b'V') {
            return id[i + 1..].parse().ok();
        }
    }
    let summary = op.get("summary").and_then(Value::as_str)?;
    let mut rest = summary;
    while let Some(open) = rest.find("(V") {
        let after = &rest[open + 1..];
        if let Some(close) = after.find(')') {
            if let Some(v) = v_number(&after[..close]) {
                return Some(v);
            }
        }
        rest = &rest[open + 2..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loc(op: Value, path: &str) -> Result<DocsLocation, String> {
        location(op.as_object().unwrap(), path)
    }

    #[test]
    fn slugs_are_lowercase_dashed_ascii_and_cjk() {
        assert_eq!(
            slugify("Xiaohongshu Creator Marketplace (Pugongying)"),
            "xiaohongshu-creator-marketplace-pugongying"
        );
        assert_eq!(slugify("  Taobao & Tmall  "), "taobao-tmall");
        assert_eq!(slugify("X(Twitter) APIs"), "xtwitter-apis");
        assert_eq!(slugify("小红书 蒲公英"), "小红书-蒲公英");
        assert_eq!(slugify("--a -- b--"), "a-b");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn the_base_title_drops_version_and_deprecation_marks_in_order() {
        assert_eq!(base_title("Creator Profile (V1)"), "Creator Profile");
        assert_eq!(base_title("Note Details V2"), "Note Details");
        assert_eq!(base_title("Note DetailsV3"), "Note Details");
        assert_eq!(base_title("KOL Follower Profile [Deprecated]"), "KOL Follower Profile");
        // The version goes first, so a version before the mark stays.
        assert_eq!(base_title("KOL Profile (V1) [Deprecated]"), "KOL Profile (V1)");
        assert_eq!(base_title("粉丝画像 [已弃用]"), "粉丝画像");
        assert_eq!(base_title("Ask Dots AI"), "Ask Dots AI");
    }

    #[test]
    fn the_version_comes_from_the_first_source_that_has_one() {
        let path = "/api/x/a/v3";
        let op = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(version(&op(json!({"x-api-version": "v2"})), path), Some(2));
        assert_eq!(
            version(&op(json!({"x-version": 7, "x-api-version": "v2"})), path),
            Some(7)
        );
        assert_eq!(version(&op(json!({"x-api-version": "latest"})), path), Some(3));
        assert_eq!(version(&op(json!({"operationId": "getThingV4"})), "/api/x/a"), Some(4));
        assert_eq!(version(&op(json!({"summary": "Thing (V5)"})), "/api/x/a"), Some(5));
        assert_eq!(version(&op(json!({"summary": "Thing"})), "/api/x/a"), None);
    }

    #[test]
    fn locations_as_upstream_publishes_them() {
        let portrait = json!({
            "tags": ["Xiaohongshu Creator Marketplace (Pugongying)"],
            "summary": "Creator Profile",
            "deprecated": true,
            "x-api-version": "v1",
        });
        let l = loc(portrait, "/api/xiaohongshu-pgy/get-kol-info/v1").unwrap();
        assert_eq!(l.group, "xiaohongshu-creator-marketplace-pugongying");
        assert_eq!(l.slug, "creator-profile-v1-deprecated");
        assert_eq!(
            l.url("https://docs.justoneapi.com/openapi/", Lang::Zh),
            "https://docs.justoneapi.com/openapi/xiaohongshu-creator-marketplace-pugongying/creator-profile-v1-deprecated-zh.json"
        );
        let unversioned = json!({"tags": ["LLM"], "summary": "Ask Dots AI"});
        assert_eq!(loc(unversioned, "/api/llm/ask").unwrap().slug, "ask-dots-ai");
        let err = loc(json!({"tags": ["!!"], "summary": "A"}), "/api/x/a").unwrap_err();
        assert!(err.contains("empty folder name"), "{err}");
        let err = loc(json!({"tags": ["T"], "summary": "??"}), "/api/x/a").unwrap_err();
        assert!(err.contains("empty page name"), "{err}");
        let err = loc(json!({"summary": "A"}), "/api/x/a").unwrap_err();
        assert!(err.contains("tag"), "{err}");
    }
}
