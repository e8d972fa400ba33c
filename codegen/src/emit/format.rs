//! Tokens -> formatted Rust text: `syn::parse2` + `prettyplease::unparse`, with two shortcuts that keep
//! prettyplease's output byte for byte but spare `syn` most of its work (re-parsing what the emitter just built
//! was most of the generator's time, and doc attributes and repeated methods were most of that):
//!
//! * **Docs**: an item's doc lines travel as one `#[doc]` attribute, the lines joined by [`DOC_LINES`] (syn
//!   parses every `#[doc = ..]` value as an expression, and an item has dozens of doc lines). prettyplease prints
//!   it as one `///` line (hard breaks around it, like any doc line), which [`rust_file`] splits back into the
//!   `///` lines prettyplease prints for one attribute per line: each line after `///`, its trailing spaces
//!   trimmed. Docs that prettyplease would not print as `///` lines (a line holding a newline becomes a
//!   `/** */` block) keep one attribute per line.
//! * **[`Fixed`] code**: items that are the same in every file that has them (a request builder's `send`,
//!   `timeout`, ...) are formatted once per process; the emitter puts a placeholder item where they go, and
//!   [`rust_file`] splices the formatted text in its place, at the placeholder's indentation.
//!
//! Both shortcuts are checked where it counts: `cargo xtask check` compares every committed file with a fresh
//! generation, and the tests below compare each shortcut with the plain formatting.

use std::sync::OnceLock;

use proc_macro2::TokenStream;
use quote::quote;

use super::{header, EmitOptions};
use crate::error::{Error, Result};

/// Joins the doc lines of one item inside its single `#[doc]` attribute. A control character: doc text never
/// holds one (`docs::printable` replaces them), so the join cannot be confused with the text.
pub const DOC_LINES: char = '\u{1}';
/// Starts the `#[doc]` marker of a placeholder for [`Fixed`] code.
const SPLICE: char = '\u{2}';

/// Code that is the same wherever it appears, formatted once per process and spliced into each file.
pub struct Fixed {
    key: &'static str,
    /// `true` for impl items (methods), formatted inside an `impl` block; `false` for top-level items.
    in_impl: bool,
    tokens: fn() -> TokenStream,
    text: OnceLock<std::result::Result<String, String>>,
}

impl Fixed {
    pub const fn new(key: &'static str, in_impl: bool, tokens: fn() -> TokenStream) -> Self {
        Self {
            key,
            in_impl,
            tokens,
            text: OnceLock::new(),
        }
    }

    /// The placeholder item the emitter puts where the code goes (a top-level item or an impl item).
    pub fn placeholder(&self) -> TokenStream {
        let marker = format!("{SPLICE}{}", self.key);
        quote! {
            #[doc = #marker]
            fn __splice() {}
        }
    }

    /// The formatted code at indentation 0 (`in_impl`: the methods without their `impl` block), no final newline.
    fn text(&self) -> Result<&str> {
        let text = self.text.get_or_init(|| {
            let items = (self.tokens)();
            let wrapped = if self.in_impl {
                quote! { impl __Fixed { #items } }
            } else {
                items
            };
            let text = format_tokens(wrapped, self.key, &[]).map_err(|e| e.to_string())?;
            if !self.in_impl {
                return Ok(text.trim_end().to_owned());
            }
            let lines: Vec<&str> = text.lines().collect();
            match lines.as_slice() {
                [first, body @ .., "}"] if first.starts_with("impl __Fixed") => Ok(body
                    .iter()
                    .map(|l| l.strip_prefix("    ").unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")),
                _ => Err(format!("fixed code `{}` is not one impl block", self.key)),
            }
        });
        text.as_deref().map_err(|message| Error::Internal {
            message: message.clone(),
        })
    }
}

/// Formats tokens as a Rust file with the generated header; `fixed` is the code its placeholders stand for.
pub fn rust_file(opts: &EmitOptions, tokens: TokenStream, what: &str, fixed: &[&Fixed]) -> Result<String> {
    Ok(format!(
        "{}\n{}",
        header(opts, "//"),
        space_items(&format_tokens(tokens, what, fixed)?)
    ))
}

/// prettyplease's text of `tokens`, doc markers split into lines and placeholders replaced.
fn format_tokens(tokens: TokenStream, what: &str, fixed: &[&Fixed]) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Internal {
        message: format!("emitted Rust for {what} does not parse: {e}"),
    })?;
    expand(&prettyplease::unparse(&file), what, fixed)
}

/// Splits doc markers into `///` (or `//!`) lines and replaces placeholders by their code.
fn expand(src: &str, what: &str, fixed: &[&Fixed]) -> Result<String> {
    let mut out = String::with_capacity(src.len() + src.len() / 2);
    let mut lines = src.lines();
    while let Some(line) = lines.next() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let rest = &line[indent.len()..];
        let comment = ["///", "//!"].into_iter().find(|c| rest.starts_with(c));
        let marked = |c: char| comment.is_some_and(|co| rest[co.len()..].starts_with(c));
        if let (Some(comment), true) = (comment, marked(DOC_LINES)) {
            for doc in rest[comment.len() + DOC_LINES.len_utf8()..].split(DOC_LINES) {
                out.push_str(indent);
                out.push_str(comment);
                out.push_str(doc.trim_end_matches(' '));
                out.push('\n');
            }
        } else if marked(SPLICE) {
            let key = &rest[3 + SPLICE.len_utf8()..];
            let code = fixed
                .iter()
                .find(|f| f.key == key)
                .ok_or_else(|| Error::Internal {
                    message: format!("{what}: placeholder for fixed code `{key}`, which was not given"),
                })?
                .text()?;
            if lines.next().map(str::trim) != Some("fn __splice() {}") {
                return Err(Error::Internal {
                    message: format!("{what}: the placeholder for `{key}` was not printed as one item"),
                });
            }
            for l in code.lines() {
                if !l.is_empty() {
                    out.push_str(indent);
                }
                out.push_str(l);
                out.push('\n');
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// prettyplease puts items back to back; a blank line between items (and after the module docs) reads
/// the way rustfmt-formatted, hand-written code does.
fn space_items(src: &str) -> String {
    // Declarations of one kind (`mod`, `use`) stay grouped, as rustfmt-formatted code keeps them.
    fn decl_kind(l: &str) -> Option<&'static str> {
        let l = l.strip_prefix("pub ").unwrap_or(l);
        if l.starts_with("mod ") {
            Some("mod")
        } else if l.starts_with("use ") {
            Some("use")
        } else {
            None
        }
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    let mut prev: Option<&str> = None;
    for line in src.lines() {
        if let Some(p) = prev {
            let (pt, lt) = (p.trim(), line.trim());
            let comments = pt.starts_with("//") && lt.starts_with("//");
            let same_level = indent(p) == indent(line);
            let item_ended = pt == "}" || pt == "};" || (indent(p) == 0 && pt.ends_with(';'));
            let starts_item = !lt.is_empty() && !lt.starts_with('}') && !lt.starts_with(')');
            let grouped = decl_kind(pt).is_some() && decl_kind(pt) == decl_kind(lt);
            let after_docs = pt.starts_with("//!") && !lt.starts_with("//!");
            if !comments && !grouped && ((same_level && item_ended && starts_item) || after_docs) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::docs;

    fn plain(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// One attribute per line, as prettyplease sees docs without the shortcut.
    fn per_line(v: &[String]) -> TokenStream {
        let v = v
            .iter()
            .map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
        quote! { #( #[doc = #v] )* }
    }

    #[test]
    fn joined_docs_print_as_one_attribute_per_line_does() {
        let cases = [
            lines(&[
                "Get products.",
                "",
                "Trailing spaces   ",
                "  indented",
                "`code` *and* <https://x.y>",
            ]),
            lines(&["one line"]),
            lines(&["", "starts empty", ""]),
            lines(&["/ starts with a slash", "tab\there", "中文 / English"]),
        ];
        for doc in &cases {
            let joined = docs::attrs(doc);
            let inner = docs::inner_attrs(doc);
            let one = per_line(doc);
            let ours = format_tokens(
                quote! { #joined pub struct A { #joined pub field: u8 } impl A { #joined pub fn f(&self) {} } },
                "test",
                &[],
            )
            .unwrap();
            let theirs = plain(quote! { #one pub struct A { #one pub field: u8 } impl A { #one pub fn f(&self) {} } });
            assert_eq!(ours, theirs);
            let ours = format_tokens(quote! { #inner pub struct A; }, "test", &[]).unwrap();
            let theirs = plain(quote! { #one pub struct A; }).replace("///", "//!");
            assert_eq!(ours, theirs);
        }
    }

    static METHODS: Fixed = Fixed::new("methods", true, || {
        quote! {
            /// Doc of a fixed method.
            pub fn a(mut self, timeout: std::time::Duration) -> Self { self.t = Some(timeout); self }
            pub fn b(self) -> u8 { 1 }
        }
    });
    static ITEM: Fixed = Fixed::new("item", false, || {
        quote! { impl std::fmt::Display for X { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("x") } } }
    });

    #[test]
    fn fixed_code_is_spliced_where_plain_formatting_puts_it() {
        let (methods, item) = ((METHODS.tokens)(), (ITEM.tokens)());
        let (m, i) = (METHODS.placeholder(), ITEM.placeholder());
        let ours = format_tokens(
            quote! { impl X { pub fn before(&self) {} #m fn after(&self) {} } #i struct Y; },
            "test",
            &[&METHODS, &ITEM],
        )
        .unwrap();
        let theirs = plain(quote! { impl X { pub fn before(&self) {} #methods fn after(&self) {} } #item struct Y; });
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_placeholder_without_its_code_is_an_error_not_a_panic() {
        let m = METHODS.placeholder();
        let err = format_tokens(quote! { impl X { #m } }, "ops/x.rs", &[]).unwrap_err();
        assert!(
            err.to_string().contains("ops/x.rs") && err.to_string().contains("methods"),
            "{err}"
        );
    }
}
