//! Bilingual rustdoc text. Upstream prose is escaped so rustdoc never mistakes it for links or HTML.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::Text;

/// Escapes Markdown that rustdoc would interpret (`[Deprecated]` as a link, `<18` as HTML).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '[' | ']' | '<' | '>' | '*' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `English / 中文` on one line, each side escaped; one side alone when only one exists.
pub fn inline(t: &Text) -> String {
    match (t.en.as_deref(), t.zh.as_deref()) {
        (Some(en), Some(zh)) if en != zh => format!("{} / {}", escape(first_line(en)), escape(first_line(zh))),
        (Some(one), _) | (None, Some(one)) => escape(first_line(one)),
        (None, None) => String::new(),
    }
}

/// Both languages as paragraphs (English first), for longer prose.
pub fn paragraphs(t: &Text) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(s.lines().map(escape));
    };
    match (t.en.as_deref(), t.zh.as_deref()) {
        (Some(en), Some(zh)) if en == zh => push(en),
        (en, zh) => {
            if let Some(en) = en {
                push(en);
            }
            if let Some(zh) = zh {
                push(zh);
            }
        }
    }
    out
}

/// The part of a parameter description before the "Available Values" list (the list becomes variant docs).
pub fn without_value_list(t: &Text) -> Text {
    let cut = |s: &String| {
        let end = ["Available Values:", "可用值：", "可选值：", "可用值:", "可选值:"]
            .iter()
            .filter_map(|m| s.find(m))
            .min()
            .unwrap_or(s.len());
        s[..end].trim().to_owned()
    };
    Text {
        en: t.en.as_ref().map(cut),
        zh: t.zh.as_ref().map(cut),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

/// What a `///` comment cannot hold: a carriage return not followed by a newline is a syntax error ("bare CR
/// not allowed in doc-comment"), Unicode bidirectional controls are denied by rustc's
/// `text_direction_codepoint_in_comment` lint, and other control characters are invisible. Each becomes a
/// space (a CR) or U+FFFD; newlines and tabs stay.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\r' => ' ',
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn doc_line(l: &str) -> String {
    if l.is_empty() {
        String::new()
    } else {
        format!(" {}", printable(l))
    }
}

/// One `#[doc]` attribute per line, so prettyplease prints ordinary `///` comments.
pub fn attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| raw_literal(&doc_line(l)));
    quote! { #( #[doc = #lines] )* }
}

/// Inner `//!` docs for a module.
pub fn inner_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| raw_literal(&doc_line(l)));
    quote! { #( #![doc = #lines] )* }
}

/// `text` as a raw string literal (`r#"..."#`). Doc text is most of what the emitter writes; a cooked
/// literal (`Literal::string`) escape-checks every character and syn unescapes it again before prettyplease
/// prints it, while a raw one is copied through both. The output is the same `///` line.
fn raw_literal(text: &str) -> Literal {
    let mut hashes = String::new();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_angles_are_escaped() {
        assert_eq!(escape("KOL (V1) [Deprecated] <18"), "KOL (V1) \\[Deprecated\\] \\<18");
    }

    #[test]
    fn doc_lines_hold_no_bare_carriage_return_nor_bidi_control() {
        assert_eq!(printable("a\r\nb\rc\u{202e}d\u{0}e\tf"), "a \nb c\u{fffd}d\u{fffd}e\tf");
    }

    #[test]
    fn doc_literals_survive_quotes_and_hashes() {
        for text in ["plain", "say \"hi\"", "a \"# b", "\"## and \"#", "末尾\\"] {
            let lit = raw_literal(text);
            let parsed: syn::LitStr = syn::parse2(quote! { #lit }).unwrap();
            assert_eq!(parsed.value(), text);
        }
    }

    #[test]
    fn inline_joins_languages() {
        assert_eq!(
            inline(&Text::bilingual("Enable cache.", "启用缓存。")),
            "Enable cache. / 启用缓存。"
        );
        assert_eq!(inline(&Text::en("KOL ID.")), "KOL ID.");
    }

    #[test]
    fn value_lists_are_cut_from_descriptions() {
        let t = Text::bilingual(
            "Business type.\n\nAvailable Values:\n- `A`: a",
            "业务类型。\n\n可用值：\n- `A`：甲",
        );
        assert_eq!(without_value_list(&t), Text::bilingual("Business type.", "业务类型。"));
    }
}
