//! Upstream's operation extensions that are not part of a definition: search aliases, highlights, the
//! recommended mark and the docs order. One reader for the catalogue (`specs/catalogue/`) and for an aggregate
//! given to `cargo xtask generate`, so both give the same IR.

use serde_json::Value;

use crate::ir::{Highlight, Listing};

/// The listing metadata of an operation whose extensions `get` looks up (state: published; the caller sets
/// another). Values of the wrong type are ignored: this is documentation, never a reason to fail.
pub fn read<'a>(get: impl Fn(&str) -> Option<&'a Value>) -> Listing {
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut aliases = strings(get("x-search-aliases"));
    // Upstream lists an alias once per language and sometimes twice: keep the first of each.
    let mut seen = std::collections::BTreeSet::new();
    aliases.retain(|a| seen.insert(a.clone()));
    let highlights = get("x-highlights")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(highlight).collect())
        .unwrap_or_default();
    let order = match get("x-order") {
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    Listing {
        aliases,
        highlights,
        recommended: get("x-recommended").and_then(Value::as_bool) == Some(true),
        order,
        ..Listing::default()
    }
}

/// Adds each alias once more without a leading platform name (`platform_names`, the tag's
/// `x-platform-aliases`, longest first): rustdoc's search matches an alias from its start, so "Pugongying
/// audience profile" alone is not found by "audience profile", nor "小红书蒲公英粉丝画像" by "粉丝画像". A name is cut
/// only where a word ends (a space after an ASCII name; anything after a CJK one).
pub fn add_unprefixed_aliases(aliases: &mut Vec<String>, platform_names: &[String]) {
    let mut names: Vec<&str> = platform_names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut added = Vec::new();
    for alias in aliases.iter() {
        for name in &names {
            let Some(head) = alias.get(..name.len()) else { continue };
            if !head.eq_ignore_ascii_case(name) {
                continue;
            }
            let rest = &alias[name.len()..];
            let at_word_end = !name.is_ascii() || rest.starts_with(' ');
            let rest = rest.trim();
            if at_word_end && !rest.is_empty() {
                added.push(rest.to_owned());
            }
            break;
        }
    }
    for a in added {
        if !aliases.contains(&a) {
            aliases.push(a);
        }
    }
}

fn highlight(v: &Value) -> Option<Highlight> {
    let text = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Some(Highlight {
        content: text("content")?,
        title: text("title"),
        kind: text("type"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aliases_are_also_findable_without_the_platform_name() {
        let mut aliases: Vec<String> = [
            "Xiaohongshu Pugongying follower demographics",
            "Pugongying audience profile",
            "Pugongyingx profile",
            "小红书蒲公英粉丝画像",
            "蒲公英受众画像",
            "蒲公英",
            "小红书达人受众画像",
        ]
        .map(String::from)
        .into();
        let names: Vec<String> = ["Xiaohongshu Pugongying", "Pugongying", "小红书蒲公英", "蒲公英"]
            .map(String::from)
            .into();
        add_unprefixed_aliases(&mut aliases, &names);
        assert_eq!(
            aliases[7..],
            ["follower demographics", "audience profile", "粉丝画像", "受众画像"].map(String::from)
        );
    }

    #[test]
    fn extensions_become_the_listing() {
        let op = json!({
            "x-search-aliases": ["Pugongying audience profile", "蒲公英受众画像", " ", "蒲公英受众画像", 3],
            "x-highlights": [{"content": "Video links only.", "title": "Video Links Only", "type": "warning"}, {"title": "no content"}],
            "x-recommended": true,
            "x-order": "13001900",
        });
        let l = read(|k| op.get(k));
        assert_eq!(l.aliases, ["Pugongying audience profile", "蒲公英受众画像"]);
        assert_eq!(l.highlights.len(), 1);
        assert_eq!(l.highlights[0].title.as_deref(), Some("Video Links Only"));
        assert!(l.recommended);
        assert_eq!(l.order, Some(13_001_900));
        let none = json!({"x-order": "soon", "x-recommended": "yes"});
        let l = read(|k| none.get(k));
        assert_eq!((l.order, l.recommended), (None, false));
    }
}
