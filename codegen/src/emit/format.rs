//! Code -> formatted Rust text, byte for byte what prettyplease prints, without making prettyplease (and `syn`,
//! which re-parsed everything the emitter had just built, most of the generator's time) do the work:
//!
//! * **Text** ([`Code::Text`]): the emitter writes most code as text in prettyplease's layout, [`documented`]
//!   checking that prettyplease would keep every line as written ([`kept`]); otherwise the text is parsed and
//!   laid out by prettyplease ([`Code::Tokens`]). A module that is all text is never parsed ([`rust_module`]).
//! * **Templates** ([`Template`]): items the same wherever they appear (a request builder's `send`, `timeout`,
//!   ...) or that differ only by identifiers (a response struct's `Deserialize` impl), formatted by prettyplease
//!   once per process *per identifier length* with placeholder identifiers of those lengths: its layout depends
//!   on the widths of tokens, not on their letters, so the real identifiers put in their place give the text it
//!   would print for them. `match` arms are written in prettyplease's arm layout ([`match_arm`]).
//! * **Tokens**, for what is left (the runtime's `codes.rs`, examples, a too-wide item): `syn::parse2` +
//!   `prettyplease::unparse`, with two shortcuts. An item's doc lines travel as one `#[doc]` attribute, the lines
//!   joined by [`DOC_LINES`] (syn parses every `#[doc = ..]` value as an expression), which [`rust_file`] splits
//!   back into the `///` lines prettyplease prints for one attribute per line (trailing spaces trimmed; a line
//!   holding a newline keeps one attribute per line, as prettyplease prints that as a block). Text inside tokens
//!   travels as a placeholder item ([`splice`]) that [`rust_file`] replaces by the text, at its indentation.
//!
//! All of it is checked where it counts: `cargo xtask check` compares every committed file with a fresh
//! generation, the tests in `operation.rs` compare each kind of text with prettyplease on both sides of its width
//! limits, and `generate.rs`'s test regenerates a whole aggregate with every text re-laid-out by prettyplease
//! ([`FORCE_PRETTYPLEASE`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{docs, header, EmitOptions};
use crate::error::{Error, Result};

/// Joins the doc lines of one item inside its single `#[doc]` attribute. A control character: doc text never
/// holds one (`docs::printable` replaces them), so the join cannot be confused with the text.
pub const DOC_LINES: char = '\u{1}';
/// Starts the `#[doc]` marker of a placeholder for formatted code ([`splice`]).
const SPLICE: char = '\u{2}';
/// Stands for a newline in a [`splice`] marker (a `#[doc]` holding a newline would print as a block).
const SPLICE_NEWLINE: char = '\u{3}';
/// A placeholder item standing for `code` (formatted, indentation 0): [`rust_file`] puts the code in its place,
/// at its indentation. At the top level or inside an `impl` block.
pub fn splice(code: &str) -> TokenStream {
    let mut marker = String::with_capacity(code.len() + 1);
    marker.push(SPLICE);
    marker.extend(
        code.trim_end()
            .chars()
            .map(|c| if c == '\n' { SPLICE_NEWLINE } else { c }),
    );
    let marker = super::docs::raw_literal(&marker);
    quote! {
        #[doc = #marker]
        fn __splice() {}
    }
}

/// Outer attributes (`#[deprecated(..)]`) as prettyplease prints them on an item at indentation 0 and on a
/// method (inside an `impl` block, relative to its indentation), each line ending in a newline (empty for
/// none); `None` where they do not format.
pub fn attrs_text(attrs: &TokenStream) -> (Option<String>, Option<String>) {
    if attrs.is_empty() {
        return (Some(String::new()), Some(String::new()));
    }
    let item = format_tokens(quote! { #attrs struct __Attrs; }, "attributes")
        .ok()
        .and_then(|t| t.strip_suffix("struct __Attrs;\n").map(str::to_owned));
    let method = format_tokens(quote! { impl __Attrs { #attrs fn f() {} } }, "attributes")
        .ok()
        .and_then(|t| {
            let body = t.strip_prefix("impl __Attrs {\n")?.strip_suffix("    fn f() {}\n}\n")?;
            body.lines()
                .map(|l| l.strip_prefix("    ").map(|l| format!("{l}\n")))
                .collect::<Option<String>>()
        });
    (item, method)
}

/// Outer attributes as tokens together with their text ([`attrs_text`]), lent to [`documented`] as [`Attrs`].
pub struct OuterAttrs {
    tokens: TokenStream,
    item: Option<String>,
    method: Option<String>,
}

impl OuterAttrs {
    pub fn new(tokens: TokenStream) -> Self {
        let (item, method) = attrs_text(&tokens);
        OuterAttrs { tokens, item, method }
    }

    pub fn attrs(&self) -> Attrs<'_> {
        Attrs {
            tokens: Some(&self.tokens),
            item: self.item.as_deref(),
            method: self.method.as_deref(),
        }
    }
}

/// The code of one item, or of one method of an `impl` block: text at indentation 0 in prettyplease's layout
/// (the emitter wrote it, knowing the layout), or tokens for prettyplease to lay out.
pub enum Code {
    Text(String),
    Tokens(TokenStream),
}

impl Code {
    /// As tokens: text travels as a placeholder ([`splice`]).
    pub fn into_tokens(self) -> TokenStream {
        match self {
            Code::Text(text) => splice(&text),
            Code::Tokens(tokens) => tokens,
        }
    }

    /// `head { items }` (`head`: `impl Client`): text when every item is text, the items indented.
    pub fn block(head: &str, items: Vec<Code>) -> Result<Code> {
        if items.iter().all(|c| matches!(c, Code::Text(_))) {
            let mut out = format!("{head} {{\n");
            for item in &items {
                let Code::Text(text) = item else { continue };
                for line in text.lines() {
                    if !line.is_empty() {
                        out.push_str("    ");
                    }
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.push_str("}\n");
            return Ok(Code::Text(out));
        }
        let head = parse_code(head)?;
        let items = items.into_iter().map(Code::into_tokens);
        Ok(Code::Tokens(quote! { #head { #(#items)* } }))
    }
}

/// Outer attributes of an item (an operation's deprecation): as tokens, and as prettyplease prints them at
/// indentation 0 on an item and on a method (`None`: not writable as text).
#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    pub tokens: Option<&'a TokenStream>,
    pub item: Option<&'a str>,
    pub method: Option<&'a str>,
}

impl Attrs<'_> {
    pub const NONE: Attrs<'static> = Attrs {
        tokens: None,
        item: Some(""),
        method: Some(""),
    };
}

/// `doc`, `attrs` and `code` (text at indentation 0, each line ending in a newline) as one item or method at
/// `indent` columns: text when the docs and attributes can be written as text and prettyplease would keep
/// every line of the code as written ([`kept`]; the emitter writes code in the layout prettyplease gives code
/// that fits); else tokens, the code parsed for prettyplease to lay out.
pub fn documented(doc: &[String], attrs: Attrs<'_>, code: String, indent: usize) -> Result<Code> {
    let attrs_text = if indent == 0 { attrs.item } else { attrs.method };
    if code.lines().all(|l| kept(l, indent)) {
        if let (Some(mut text), Some(a)) = (docs::outer_lines(doc), attrs_text) {
            text.push_str(a);
            text.push_str(&code);
            return Ok(Code::Text(text));
        }
    }
    as_tokens(doc, attrs, &code)
}

/// `doc`, `attrs` and `code` as tokens, the code parsed for prettyplease to lay out (see [`documented`]).
pub fn as_tokens(doc: &[String], attrs: Attrs<'_>, code: &str) -> Result<Code> {
    let (doc, attrs, code) = (docs::attrs(doc), attrs.tokens, parse_code(code)?);
    Ok(Code::Tokens(quote! { #doc #attrs #code }))
}

/// A file's inner docs (`//!`) followed by inner attributes (`attrs`: text, e.g. `#![allow(deprecated)]\n`),
/// for [`rust_module`]: as text when the docs can be written as text, and as tokens.
pub fn inner(doc: &[String], attrs: &str) -> Result<(Option<String>, TokenStream)> {
    let text = docs::inner_lines(doc).map(|mut text| {
        text.push_str(attrs);
        text
    });
    let mut tokens = docs::inner_attrs(doc);
    tokens.extend(parse_code(attrs)?);
    Ok((text, tokens))
}

/// Whether prettyplease prints `line` of code written as text (at `indent` columns) as it is written.
fn kept(line: &str, indent: usize) -> bool {
    let width = indent + line.len();
    if line.trim_start().starts_with("///") {
        // Doc comments are never wrapped.
        true
    } else if line.starts_with("pub const ") && line.ends_with("\";") {
        // Nor is a constant string: prettyplease does not break after a const's `=`, nor inside a literal.
        true
    } else if line.starts_with("pub fn ") || line.starts_with("fn ") {
        // A signature: prettyplease keeps it on one line up to its margin (`operation::signature` writes
        // longer ones one argument per line).
        width <= MARGIN
    } else {
        width <= TEXT_WIDTH
    }
}

/// The longest line that code written as text may have, indentation included: prettyplease keeps a line of
/// this width whole (its margin is 89 columns), so the text is what it would print. Longer code goes through
/// prettyplease. Checked against prettyplease by the tests of each kind of code written as text (`operation.rs`).
const TEXT_WIDTH: usize = 80;

/// The indentation of methods (inside an `impl` block).
pub const IN_IMPL: usize = 4;

/// Tokens of code the emitter wrote as text; an internal error (naming the code) if it does not lex.
pub fn parse_code(text: &str) -> Result<TokenStream> {
    text.parse().map_err(|e| Error::Internal {
        message: format!("emitted Rust does not lex ({e}): {text}"),
    })
}

/// A module file: inner docs and attributes (`inner`: as text when they could be written as text, and as
/// tokens), then the items. When all of it is text, prettyplease has nothing to lay out and is not called:
/// the text is what it would print (see [`Code`]), spaced as [`rust_file`] spaces it.
pub fn rust_module(
    opts: &EmitOptions,
    inner: (Option<String>, TokenStream),
    items: Vec<Code>,
    what: &str,
) -> Result<String> {
    let all_text = items.iter().all(|c| matches!(c, Code::Text(_))) && !FORCE_PRETTYPLEASE.load(Relaxed);
    if let (Some(inner), true) = (&inner.0, all_text) {
        let mut text = String::with_capacity(inner.len() + items.iter().map(code_len).sum::<usize>());
        text.push_str(inner);
        for item in &items {
            if let Code::Text(t) = item {
                text.push_str(t);
            }
        }
        return Ok(format!("{}\n{}", header(opts, "//"), space_items(&text)));
    }
    let items: Vec<TokenStream> = if FORCE_PRETTYPLEASE.load(Relaxed) {
        let parsed = items.into_iter().map(|c| match c {
            Code::Text(text) => parse_code(&text),
            Code::Tokens(tokens) => Ok(tokens),
        });
        parsed.collect::<Result<_>>()?
    } else {
        items.into_iter().map(Code::into_tokens).collect()
    };
    let inner = inner.1;
    rust_file(opts, quote! { #inner #(#items)* }, what)
}

/// Makes [`rust_module`] hand every module to prettyplease, its text parsed and laid out again: set only by
/// the test that checks the text is what prettyplease prints (`generate.rs`).
pub(crate) static FORCE_PRETTYPLEASE: AtomicBool = AtomicBool::new(false);

fn code_len(code: &Code) -> usize {
    match code {
        Code::Text(t) => t.len(),
        Code::Tokens(_) => 0,
    }
}

/// Code that differs between its uses only by identifiers (or not at all), and by the arms of one `match`
/// ([`ARMS`] stands for them): formatted once per process for each combination of identifier lengths, with
/// placeholder identifiers of those lengths, then the real identifiers substituted.
pub struct Template {
    key: &'static str,
    /// `true` for impl items (methods), formatted inside an `impl` block; `false` for top-level items.
    in_impl: bool,
    /// The code for these identifiers and `match` arms.
    tokens: fn(&[Ident], TokenStream) -> TokenStream,
    /// The compiled text per combination of identifier lengths.
    cache: Mutex<BTreeMap<Vec<usize>, Arc<Compiled>>>,
}

/// The arm a template's text holds where the real arms go (see `operation::with_arms`).
pub const ARMS: &str = "__arms__ => {}";

/// The letter of the placeholder identifier at each position (repeated to the identifier's length). None
/// occurs in a template's own tokens as a whole identifier.
const PLACEHOLDER_LETTERS: [char; 4] = ['Q', 'X', 'Z', 'J'];

impl Template {
    /// Top-level items.
    pub const fn items(key: &'static str, tokens: fn(&[Ident], TokenStream) -> TokenStream) -> Self {
        Self {
            key,
            in_impl: false,
            tokens,
            cache: Mutex::new(BTreeMap::new()),
        }
    }

    /// Methods, for an `impl` block.
    pub const fn methods(key: &'static str, tokens: fn(&[Ident], TokenStream) -> TokenStream) -> Self {
        Self {
            key,
            in_impl: true,
            tokens,
            cache: Mutex::new(BTreeMap::new()),
        }
    }

    /// The code as tokens, for arms whose layout is prettyplease's to decide.
    pub fn tokens(&self, idents: &[Ident], arms: TokenStream) -> TokenStream {
        (self.tokens)(idents, arms)
    }

    /// The code for these identifiers, as text.
    pub fn code(&self, idents: &[&str]) -> Result<Code> {
        let mut text = self.text(idents)?;
        text.push('\n');
        Ok(Code::Text(text))
    }

    /// The formatted code for these identifiers (as printed: `r#type` for a raw one), indentation 0 (`in_impl`:
    /// the methods without their `impl` block), no final newline.
    pub fn text(&self, idents: &[&str]) -> Result<String> {
        if idents.len() > PLACEHOLDER_LETTERS.len() || idents.iter().any(|i| i.is_empty()) {
            return Err(Error::Internal {
                message: format!("template `{}` takes up to 4 identifiers", self.key),
            });
        }
        let lens: Vec<usize> = idents.iter().map(|i| i.len()).collect();
        let cached = self.cache.lock().ok().and_then(|c| c.get(&lens).cloned());
        let compiled = match cached {
            Some(compiled) => compiled,
            None => {
                let compiled = Arc::new(self.compile(&lens));
                if let Ok(mut cache) = self.cache.lock() {
                    cache.insert(lens, compiled.clone());
                }
                compiled
            }
        };
        let pieces = compiled.as_ref().as_ref().map_err(|message| Error::Internal {
            message: message.clone(),
        })?;
        let mut out = String::with_capacity(pieces.iter().map(|p| p.len(idents)).sum::<usize>() + 1);
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Ident(i) => out.push_str(idents[*i]),
            }
        }
        Ok(out)
    }

    /// The code formatted with placeholder identifiers of these lengths, cut where the identifiers go.
    fn compile(&self, lens: &[usize]) -> Compiled {
        let placeholders: Vec<String> = lens
            .iter()
            .zip(PLACEHOLDER_LETTERS)
            .map(|(n, c)| std::iter::repeat_n(c, *n).collect())
            .collect();
        let ids: Vec<Ident> = placeholders.iter().map(|p| Ident::new(p, Span::call_site())).collect();
        let arms: TokenStream = ARMS.parse().map_err(|e| format!("{ARMS}: {e}"))?;
        let text = self.format(self.tokens(&ids, arms))?;
        Ok(pieces(&text, &placeholders))
    }

    fn format(&self, tokens: TokenStream) -> std::result::Result<String, String> {
        if !self.in_impl {
            return format_tokens(tokens, self.key)
                .map(|t| t.trim_end().to_owned())
                .map_err(|e| e.to_string());
        }
        let text = format_tokens(quote! { impl __Template { #tokens } }, self.key).map_err(|e| e.to_string())?;
        match text.lines().collect::<Vec<_>>().as_slice() {
            [first, body @ .., "}"] if first.starts_with("impl __Template") => Ok(body
                .iter()
                .map(|l| l.strip_prefix("    ").unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n")),
            _ => Err(format!("template `{}` is not one impl block", self.key)),
        }
    }
}

/// A template formatted for some identifier lengths: its pieces, or why it does not format.
type Compiled = std::result::Result<Vec<Piece>, String>;

/// A template's text between identifiers, or the index of the identifier that goes there.
enum Piece {
    Text(String),
    Ident(usize),
}

impl Piece {
    fn len(&self, idents: &[&str]) -> usize {
        match self {
            Piece::Text(text) => text.len(),
            Piece::Ident(i) => idents[*i].len(),
        }
    }
}

/// `text` cut at every whole identifier equal to `placeholders[i]` (which becomes `Piece::Ident(i)`).
fn pieces(text: &str, placeholders: &[String]) -> Vec<Piece> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(is_ident) {
        literal.push_str(&rest[..start]);
        let word_len = rest[start..].find(|c: char| !is_ident(c)).unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        match placeholders.iter().position(|p| p == word) {
            Some(i) => {
                out.push(Piece::Text(std::mem::take(&mut literal)));
                out.push(Piece::Ident(i));
            }
            None => literal.push_str(word),
        }
        rest = &rest[start + word_len..];
    }
    literal.push_str(rest);
    out.push(Piece::Text(literal));
    out
}

/// The lines prettyplease prints for the `match` arm `pat => body,` at `indent` (a pattern and a call, path or
/// literal without line breaks or blocks), relative to `indent`: one line when it fits within prettyplease's
/// margin (widths in bytes, as prettyplease counts them, the trailing comma not counted); else the body in braces
/// on a line of its own, when that line fits; `None` when not even that fits (prettyplease then breaks the
/// body; the caller leaves it to it).
pub fn match_arm(indent: usize, pat: &str, body: &str) -> Option<Vec<String>> {
    let flat = format!("{pat} => {body},");
    // The comma is printed only when the arm does not break, and does not count towards the width.
    if indent + flat.len() - 1 <= MARGIN {
        return Some(vec![flat]);
    }
    let opening = format!("{pat} => {{");
    if indent + opening.len() <= MARGIN && indent + 4 + body.len() <= MARGIN {
        return Some(vec![opening, format!("    {body}"), "}".to_owned()]);
    }
    None
}

/// prettyplease's line width.
pub const MARGIN: usize = 89;

/// Formats tokens as a Rust file with the generated header.
pub fn rust_file(opts: &EmitOptions, tokens: TokenStream, what: &str) -> Result<String> {
    Ok(format!(
        "{}\n{}",
        header(opts, "//"),
        space_items(&format_tokens(tokens, what)?)
    ))
}

/// prettyplease's text of `tokens`, doc markers split into lines and placeholders replaced.
fn format_tokens(tokens: TokenStream, what: &str) -> Result<String> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Internal {
        message: format!("emitted Rust for {what} does not parse: {e}"),
    })?;
    expand(&prettyplease::unparse(&file), what)
}

/// Splits doc markers into `///` (or `//!`) lines and replaces placeholders by their code.
fn expand(src: &str, what: &str) -> Result<String> {
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
            if lines.next().map(str::trim) != Some("fn __splice() {}") {
                return Err(Error::Internal {
                    message: format!("{what}: a placeholder for formatted code was not printed as one item"),
                });
            }
            for l in rest[3 + SPLICE.len_utf8()..].split(SPLICE_NEWLINE) {
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
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    // The previous line: trimmed, and its indentation.
    let mut prev: Option<(&str, usize)> = None;
    for line in src.lines() {
        let lt = line.trim();
        let indent = line.len() - line.trim_start().len();
        if let Some((pt, prev_indent)) = prev {
            let comments = pt.starts_with("//") && lt.starts_with("//");
            let same_level = prev_indent == indent;
            let item_ended = pt == "}" || pt == "};" || (prev_indent == 0 && pt.ends_with(';'));
            let starts_item = !lt.is_empty() && !lt.starts_with('}') && !lt.starts_with(')');
            let after_docs = pt.starts_with("//!") && !lt.starts_with("//!");
            if !comments && ((same_level && item_ended && starts_item) || after_docs) {
                let kind = decl_kind(pt);
                let grouped = kind.is_some() && kind == decl_kind(lt);
                if !grouped {
                    out.push('\n');
                }
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some((lt, indent));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::docs;
    use proc_macro2::Literal;

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
            )
            .unwrap();
            let theirs = plain(quote! { #one pub struct A { #one pub field: u8 } impl A { #one pub fn f(&self) {} } });
            assert_eq!(ours, theirs);
            let ours = format_tokens(quote! { #inner pub struct A; }, "test").unwrap();
            let theirs = plain(quote! { #one pub struct A; }).replace("///", "//!");
            assert_eq!(ours, theirs);
        }
    }

    static METHODS: Template = Template::methods("methods", |_, _| {
        quote! {
            /// Doc of a fixed method.
            pub fn a(mut self, timeout: std::time::Duration) -> Self { self.t = Some(timeout); self }
            pub fn b(self) -> u8 { 1 }
        }
    });
    static ITEM: Template = Template::items("item", |_, _| {
        quote! { impl std::fmt::Display for X { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("x") } } }
    });

    #[test]
    fn fixed_code_is_spliced_where_plain_formatting_puts_it() {
        let (methods, item) = (
            METHODS.tokens(&[], TokenStream::new()),
            ITEM.tokens(&[], TokenStream::new()),
        );
        let (m, i) = (
            METHODS.code(&[]).unwrap().into_tokens(),
            ITEM.code(&[]).unwrap().into_tokens(),
        );
        let ours = format_tokens(
            quote! { impl X { pub fn before(&self) {} #m fn after(&self) {} } #i struct Y; },
            "test",
        )
        .unwrap();
        let theirs = plain(quote! { impl X { pub fn before(&self) {} #methods fn after(&self) {} } #item struct Y; });
        assert_eq!(ours, theirs);
    }

    static IMPL: Template = Template::items("impl", |ids, _| {
        let (ty, field) = (&ids[0], &ids[1]);
        quote! {
            impl std::fmt::Display for #ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&self.#field.to_string())
                }
            }
        }
    });

    #[test]
    fn a_template_prints_what_plain_formatting_prints_for_any_identifier_length() {
        // Short and long names: the long ones make prettyplease break lines differently.
        for (ty, field) in [
            ("A", "b"),
            ("SortType", "value"),
            ("QQ", "XXXX"),
            (
                "AVeryLongTypeNameThatPushesTheSignaturePastTheMarginOfPrettyplease",
                "a_field_name_as_long_as_that",
            ),
        ] {
            let (t, f) = (Ident::new(ty, Span::call_site()), Ident::new(field, Span::call_site()));
            let theirs = plain(IMPL.tokens(&[t, f], TokenStream::new()));
            assert_eq!(IMPL.text(&[ty, field]).unwrap(), theirs.trim_end(), "{ty}");
            let spliced = splice(&IMPL.text(&[ty, field]).unwrap());
            assert_eq!(format_tokens(spliced, "test").unwrap(), theirs);
        }
        let raw = Ident::new_raw("type", Span::call_site());
        let theirs = plain(IMPL.tokens(&[Ident::new("T", Span::call_site()), raw], TokenStream::new()));
        assert_eq!(IMPL.text(&["T", "r#type"]).unwrap(), theirs.trim_end());
    }

    #[test]
    fn match_arms_are_laid_out_as_prettyplease_lays_them_out() {
        let mut checked = 0;
        for key_len in 1..90 {
            let key = "k".repeat(key_len);
            let field = "f".repeat(key_len / 2 + 1);
            let pat = Literal::string(&key);
            let field_ident = Ident::new(&field, Span::call_site());
            let variant = Ident::new(&"V".repeat(key_len / 2 + 1), Span::call_site());
            // The arms the emitter writes: a call (`de::Object`), a path (`From<&str>`), a path pattern with a
            // literal body (`as_str`); at 8 columns (in a function) and at 12 (in a method).
            let shapes = [
                (
                    pat.to_string(),
                    format!("de::set(map, &mut self.{field})"),
                    quote! { #pat => de::set(map, &mut self.#field_ident), },
                ),
                (
                    pat.to_string(),
                    format!("Self::{variant}"),
                    quote! { #pat => Self::#variant, },
                ),
                (
                    format!("Self::{variant}"),
                    pat.to_string(),
                    quote! { Self::#variant => #pat, },
                ),
            ];
            for (arm_pat, body, arm) in shapes {
                let in_fn = plain(quote! { fn f() { match key { #arm _ => de::skip(map), } } });
                let in_impl = plain(quote! { impl X { fn f() { match key { #arm _ => de::skip(map), } } } });
                for (indent, theirs) in [(8, in_fn), (12, in_impl)] {
                    let Some(lines) = match_arm(indent, &arm_pat, &body) else {
                        continue;
                    };
                    let pad = " ".repeat(indent);
                    let ours: String = lines.iter().map(|l| format!("{pad}{l}\n")).collect();
                    let (open, end) = if indent == 8 {
                        ("fn f() {\n    match key {\n", "    }\n}\n")
                    } else {
                        ("impl X {\n    fn f() {\n        match key {\n", "        }\n    }\n}\n")
                    };
                    let expected = format!("{open}{ours}{pad}_ => de::skip(map),\n{end}");
                    assert_eq!(theirs, expected, "{arm_pat} => {body} at {indent} columns");
                    checked += 1;
                }
            }
        }
        assert!(checked > 400, "{checked}");
    }

    #[test]
    fn a_placeholder_printed_anywhere_but_as_an_item_is_an_error_not_a_panic() {
        let text = prettyplease::unparse(&syn::parse_quote! { struct A; });
        let broken = format!("///{SPLICE}x\n{text}");
        let err = expand(&broken, "ops/x.rs").unwrap_err();
        assert!(err.to_string().contains("ops/x.rs"), "{err}");
    }
}
