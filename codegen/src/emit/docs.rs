//! Bilingual rustdoc text. Upstream prose is escaped so rustdoc never mistakes it for links or HTML.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::format::DOC_LINES;
use crate::ir::Text;

/// Escapes Markdown that rustdoc would interpret (`[Deprecated]` as a link, `<18` as HTML), and makes bare
/// URLs autolinks (`<https://...>`; rustdoc's `bare_urls` lint denies them otherwise).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = url_len(rest) {
            out.push('<');
            out.push_str(&rest[..len]);
            out.push('>');
            rest = &rest[len..];
            continue;
        }
        if matches!(c, '[' | ']' | '<' | '>' | '*' | '\\') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Length of the URL `s` starts with, if it starts with one: `http(s)://` and a host, up to whitespace, a
/// non-ASCII character or a character an autolink cannot hold, without trailing punctuation (`(see
/// https://a.b/c).` links `https://a.b/c`).
fn url_len(s: &str) -> Option<usize> {
    let scheme = ["https://", "http://"].into_iter().find(|p| s.starts_with(p))?;
    let end = s
        .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\'))
        .unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '*']);
    // An opening parenthesis inside the URL keeps its closing one (`https://en.wikipedia.org/wiki/A_(b)`).
    let url = match (url.matches('(').count(), s[..end].len() > url.len()) {
        (open, true) if open > url.matches(')').count() && s[url.len()..].starts_with(')') => &s[..url.len() + 1],
        _ => url,
    };
    (url.len() > scheme.len()).then_some(url.len())
}

/// Drops the indentation upstream's multi-line descriptions carry after their first line (four spaces, as
/// in a Python docstring), which Markdown would render as a code block; what is indented beyond that keeps
/// up to three spaces (enough to nest a list, too few for a code block).
fn dedent(text: &str) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let lines: Vec<&str> = text.lines().collect();
    let common = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let own = indent(l);
            let keep = if i == 0 { 0 } else { (own - common.min(own)).min(3) };
            format!("{}{}", " ".repeat(keep), l.trim_start_matches([' ', '\t']))
        })
        .collect()
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
        out.extend(dedent(s).iter().map(|l| escape(l)));
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

/// Outer docs (`///`): one `#[doc]` attribute holding every line, which `format::rust_file` prints as the
/// `///` lines of one attribute per line (see `emit/format.rs`), or one attribute per line when a line holds
/// a newline.
pub fn attrs(lines: &[String]) -> TokenStream {
    match joined(lines) {
        Some(doc) => quote! { #[doc = #doc] },
        None => {
            let lines = lines.iter().map(|l| raw_literal(&doc_line(l)));
            quote! { #( #[doc = #lines] )* }
        }
    }
}

/// The `///` lines that [`attrs`] prints as (indentation 0, each ending in a newline), for code written as
/// text; `None` when a line holds a newline (then [`attrs`] gives one attribute per line).
pub fn outer_lines(lines: &[String]) -> Option<String> {
    comment_lines(lines, "///")
}

/// The `//!` lines that [`inner_attrs`] prints as, as [`outer_lines`].
pub fn inner_lines(lines: &[String]) -> Option<String> {
    comment_lines(lines, "//!")
}

fn comment_lines(lines: &[String], comment: &str) -> Option<String> {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 5).sum());
    for line in lines {
        if line.contains('\n') {
            return None;
        }
        out.push_str(comment);
        if !line.is_empty() {
            // As `format::rust_file` prints a line of joined docs: trailing spaces trimmed.
            let shown = shown(line);
            let shown = shown.trim_end_matches(' ');
            if !shown.is_empty() {
                out.push(' ');
                out.push_str(shown);
            }
        }
        out.push('\n');
    }
    Some(out)
}

/// Inner `//!` docs for a module, as [`attrs`].
pub fn inner_attrs(lines: &[String]) -> TokenStream {
    match joined(lines) {
        Some(doc) => quote! { #![doc = #doc] },
        None => {
            let lines = lines.iter().map(|l| raw_literal(&doc_line(l)));
            quote! { #( #![doc = #lines] )* }
        }
    }
}

/// The lines of one item's docs as one literal, each line after a [`DOC_LINES`]; `None` for no lines, or
/// when a line holds a newline (prettyplease prints that as a `/** */` block, not `///` lines).
fn joined(lines: &[String]) -> Option<Literal> {
    if lines.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 2).sum());
    for line in lines {
        if line.contains('\n') {
            return None;
        }
        text.push(DOC_LINES);
        if line.is_empty() {
            continue;
        }
        text.push(' ');
        text.push_str(&shown(line));
    }
    Some(raw_literal(&text))
}

/// `line` as a doc line shows it: [`printable`], without rebuilding the (common) line it would not change.
fn shown(line: &str) -> std::borrow::Cow<'_, str> {
    if needs_printable(line) {
        std::borrow::Cow::Owned(printable(line))
    } else {
        std::borrow::Cow::Borrowed(line)
    }
}

/// Whether [`printable`] would change `line`, by a scan of its bytes: almost no doc line holds a control
/// character or a bidirectional control, and this keeps the common case from rebuilding the line char by char.
fn needs_printable(line: &str) -> bool {
    let b = line.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b'\t' | b'\n' => false,
        0..=0x1f | 0x7f => true,
        // U+0080..=U+009F (C1 controls).
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        // U+202A..=U+202E and U+2066..=U+2069 (bidirectional controls).
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// `text` as a raw string literal (`r#"..."#`). Doc text is most of what the emitter writes; a cooked
/// literal (`Literal::string`) escape-checks every character and syn unescapes it again before prettyplease
/// prints it, while a raw one is copied through both. The output is the same `///` line.
pub(super) fn raw_literal(text: &str) -> Literal {
    let mut hashes = String::new();
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

/// `#[doc(alias = ...)]` values for an item named `item` from upstream's search aliases: the characters rustdoc
/// refuses in an alias left out (quotes, apostrophes, whitespace other than single inner spaces), aliases equal
/// to the item's name (rustdoc refuses those too) or empty after that dropped, each one once.
pub fn doc_aliases(aliases: &[String], item: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for alias in aliases {
        let kept: String = alias
            .chars()
            .filter(|c| !matches!(c, '"' | '\'') && !c.is_control())
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let words: Vec<&str> = kept.split(' ').filter(|w| !w.is_empty()).collect();
        let alias = words.join(" ");
        if !alias.is_empty() && alias != item && !out.contains(&alias) {
            out.push(alias);
        }
    }
    out
}

/// `#[doc(alias)]` attributes for an item named `item` (see [`doc_aliases`]), as tokens.
pub fn alias_attrs(aliases: &[String], item: &str) -> TokenStream {
    let aliases = doc_aliases(aliases, item);
    quote::quote! { #(#[doc(alias = #aliases)])* }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_angles_are_escaped() {
        assert_eq!(escape("KOL (V1) [Deprecated] <18"), "KOL (V1) \\[Deprecated\\] \\<18");
    }

    #[test]
    fn bare_urls_become_autolinks_without_their_trailing_punctuation() {
        assert_eq!(
            escape("e.g., https://b23.tv/...) or 'https://b23.tv/'."),
            "e.g., <https://b23.tv/>...) or '<https://b23.tv/>'."
        );
        assert_eq!(
            escape("例如：https://amazon.com/s?node=172282 - ID"),
            "例如：<https://amazon.com/s?node=172282> - ID"
        );
        assert_eq!(
            escape("(https://en.wikipedia.org/wiki/A_(b))"),
            "(<https://en.wikipedia.org/wiki/A_(b)>)"
        );
        assert_eq!(escape("http:// alone"), "http:// alone");
    }

    #[test]
    fn indented_description_lines_never_become_code_blocks() {
        let text = "Get products.\n    Supports categories.\n\n    Use cases:\n    - one\n        - nested";
        assert_eq!(
            paragraphs(&Text::en(text)),
            [
                "Get products.",
                "Supports categories.",
                "",
                "Use cases:",
                "- one",
                "   - nested"
            ]
        );
    }

    #[test]
    fn doc_lines_hold_no_bare_carriage_return_nor_bidi_control() {
        assert_eq!(printable("a\r\nb\rc\u{202e}d\u{0}e\tf"), "a \nb c\u{fffd}d\u{fffd}e\tf");
    }

    #[test]
    fn the_byte_scan_finds_exactly_what_printable_replaces() {
        for line in [
            "plain",
            "中文 — “quoted” … ‘x’",
            "tab\there",
            "a\u{0}b",
            "\u{1f}",
            "\u{7f}",
            "\u{80}",
            "\u{9f}",
            "\u{a0} nbsp",
            "\u{202a}",
            "\u{202e}",
            "\u{202f}",
            "\u{2029}",
            "\u{2066}",
            "\u{2069}",
            "\u{206a}",
            "\u{2065}",
            "é",
            "\r",
        ] {
            assert_eq!(needs_printable(line), printable(line) != line, "{line:?}");
        }
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

    #[test]
    fn aliases_keep_what_rustdoc_accepts() {
        let raw: Vec<String> = [
            "Pugongying audience profile",
            "creator's  \"profile\"",
            "\tleading tab",
            "get_kol_fans_portrait_v1",
            "粉丝画像",
            "粉丝画像",
            "''",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            doc_aliases(&raw, "get_kol_fans_portrait_v1"),
            [
                "Pugongying audience profile",
                "creators profile",
                "leading tab",
                "粉丝画像"
            ]
        );
    }
}
