//! Recorders from templates: the code of each [`Shape`] is written and parsed once, with
//! placeholder names, and each metric of that shape gets a copy of the syntax tree with its own
//! names put in. Building and parsing tokens was most of the time of the Rust stage (about 70%
//! for 10,000 metrics); copying a tree is a fraction of it.
//!
//! Doc comments, the bulk of the text, do not go through the tree at all: the template has a
//! marker attribute where each doc comment goes (`#[__catalog_build_doc = 3]`, the third doc of
//! the part), and [`Docs::fill`] writes the doc lines in its place after formatting, as prettyplease
//! prints doc attributes (`{indent}/// {line}`, trailing spaces trimmed).
//!
//! The output is the same, byte for byte, as formatting [`recorder::tokens`] with the real names
//! (the tests hold [`super::render`] to [`super::render_direct`]): the tree is the same but for the
//! docs, and the docs are printed the same.

use super::ident;
use super::recorder::{self, Names, Shape};
use proc_macro2::Span;
use std::collections::HashMap;
use syn::visit_mut::VisitMut;

/// A placeholder for text `i` of the names. The template's only texts are the placeholders and the
/// emitter's own fixed code, so no catalog text can be mistaken for one.
fn placeholder(i: usize) -> String {
    format!("__CATALOG_BUILD_TEMPLATE_{i}")
}

fn placeholder_index(text: &str) -> Option<usize> {
    text.strip_prefix("__CATALOG_BUILD_TEMPLATE_")?.parse().ok()
}

/// The path of the marker attributes. Nothing else prints as a line `#[__catalog_build_doc = N]`:
/// the emitter writes no such attribute, and catalog text is only ever printed inside doc comments
/// (`///` lines) and string literals (escaped, so on one line with its item).
const DOC_MARKER: &str = "__catalog_build_doc";

/// Markers at or above this number stand for the template's own doc lines (`fixed`), below it for
/// the names' texts.
const FIXED_DOCS: usize = 1 << 20;

/// The parsed templates of the shapes seen so far.
#[derive(Default)]
pub(super) struct Templates {
    parsed: HashMap<Shape, Template>,
}

/// A shape's items with markers for every doc comment, and the doc lines that are the emitter's
/// own (`/// The UCUM unit.`), which the markers at or above [`FIXED_DOCS`] stand for.
struct Template {
    items: Vec<syn::Item>,
    fixed: Vec<String>,
}

impl Templates {
    /// The recorder items of a metric of this shape with these names; its doc comments are added to
    /// `docs` and marked in the items.
    pub(super) fn items(&mut self, shape: Shape, names: &Names, docs: &mut Docs) -> Vec<syn::Item> {
        let template = self.parsed.entry(shape).or_insert_with_key(|shape| {
            let tokens = recorder::tokens(shape, &names.placeholders(placeholder));
            let mut items =
                syn::parse2::<syn::File>(tokens).expect("the Rust emitter produced tokens that do not parse").items;
            let mut mark = MarkDocs { fixed: Vec::new() };
            items.iter_mut().for_each(|item| mark.visit_item_mut(item));
            Template { items, fixed: mark.fixed }
        });
        let mut items = template.items.clone();
        let mut fill = Fill { texts: names.texts(), fixed: &template.fixed, docs, spelling: String::new() };
        items.iter_mut().for_each(|item| fill.visit_item_mut(item));
        items
    }
}

/// The doc comments of one part of the file, by marker number: a catalog text (each of its lines
/// printed as `doc` makes it, `#[doc = " {line}"]`) or one of the emitter's doc values.
#[derive(Default)]
pub(super) struct Docs(Vec<(String, Kind)>);

#[derive(Clone, Copy)]
enum Kind {
    /// A text `doc` splits into lines, each with a leading space.
    Text,
    /// One doc attribute's value, as it is.
    Value,
}

impl Docs {
    /// `formatted` with each marker line replaced by its doc lines, indented like the marker.
    pub(super) fn fill(&self, formatted: String) -> String {
        if self.0.is_empty() {
            return formatted;
        }
        let mut out = String::with_capacity(formatted.len() + self.0.iter().map(|(d, _)| d.len() + 8).sum::<usize>());
        for line in formatted.split_inclusive('\n') {
            let content = line.trim_start_matches(' ');
            let marker = content
                .strip_prefix("#[")
                .and_then(|rest| rest.strip_prefix(DOC_MARKER))
                .and_then(|rest| rest.strip_prefix(" = "))
                .and_then(|rest| rest.trim_end().strip_suffix(']'))
                .and_then(|n| n.parse::<usize>().ok());
            let Some(n) = marker else {
                out.push_str(line);
                continue;
            };
            let indent = &line[..line.len() - content.len()];
            // As prettyplease prints `#[doc = "{value}"]`: `///`, the value, trailing spaces trimmed.
            let mut push = |value: &str| {
                out.push_str(indent);
                out.push_str("///");
                out.push_str(value.trim_end_matches(' '));
                out.push('\n');
            };
            match &self.0[n] {
                (text, Kind::Text) => text.lines().for_each(|l| push(&format!(" {l}"))),
                (value, Kind::Value) => push(value),
            }
        }
        out
    }
}

/// Turns the template's doc attributes into markers: a placeholder's (`#[doc = "
/// __CATALOG_BUILD_TEMPLATE_7"]`, as `doc` writes them) into one that names the placeholder
/// (`#[__catalog_build_doc = 7]`), the emitter's own into one that names its value in `fixed`.
struct MarkDocs {
    fixed: Vec<String>,
}

/// `#[__catalog_build_doc = n]`.
fn marker(n: usize) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta: syn::Meta::NameValue(syn::MetaNameValue {
            path: syn::Ident::new(DOC_MARKER, Span::call_site()).into(),
            eq_token: Default::default(),
            value: syn::Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Int(syn::LitInt::new(&n.to_string(), Span::call_site())),
            }),
        }),
    }
}

impl VisitMut for MarkDocs {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        let syn::Meta::NameValue(nv) = &attr.meta else { return };
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value else { return };
        if !nv.path.is_ident("doc") {
            return;
        }
        let value = s.value();
        *attr = match value.strip_prefix(' ').and_then(placeholder_index) {
            Some(i) => marker(i),
            None => {
                self.fixed.push(value);
                marker(FIXED_DOCS + self.fixed.len() - 1)
            }
        };
    }
}

/// Puts the real texts where the template has placeholders: in identifiers and string literals,
/// and, for doc comments, in `docs`, numbering the markers to match.
struct Fill<'n, 'd> {
    texts: Vec<&'n str>,
    fixed: &'n [String],
    docs: &'d mut Docs,
    /// Each identifier's text, written here rather than into a new `String` per identifier.
    spelling: String,
}

impl<'n> Fill<'n, '_> {
    fn text(&self, candidate: &str) -> Option<&str> {
        placeholder_index(candidate).map(|i| self.texts[i])
    }

    /// `tokens` with every placeholder identifier replaced by its name.
    fn tokens(&self, tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        use proc_macro2::{Group, TokenTree};
        tokens
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Ident(i) => match self.text(&i.to_string()) {
                    Some(text) => TokenTree::Ident(ident(text)),
                    None => TokenTree::Ident(i),
                },
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), self.tokens(g.stream()));
                    group.set_span(g.span());
                    TokenTree::Group(group)
                }
                other => other,
            })
            .collect()
    }
}

impl VisitMut for Fill<'_, '_> {
    fn visit_ident_mut(&mut self, i: &mut proc_macro2::Ident) {
        use std::fmt::Write;
        self.spelling.clear();
        let _ = write!(self.spelling, "{i}");
        if let Some(n) = placeholder_index(&self.spelling) {
            *i = ident(self.texts[n]);
        }
    }

    fn visit_lit_str_mut(&mut self, s: &mut syn::LitStr) {
        if let Some(text) = self.text(&s.value()) {
            *s = syn::LitStr::new(text, s.span());
        }
    }

    /// A macro's tokens are no syntax tree to visit: their placeholder identifiers are replaced
    /// token by token.
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.tokens(std::mem::take(&mut m.tokens));
    }

    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        // The emitter's own attributes hold no placeholder; markers hold a text's number.
        let syn::Meta::NameValue(nv) = &mut attr.meta else { return };
        if !nv.path.is_ident(DOC_MARKER) {
            return;
        }
        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) = &mut nv.value else { return };
        let i: usize = n.base10_parse().expect("markers hold a number");
        self.docs.0.push(match i.checked_sub(FIXED_DOCS) {
            Some(j) => (self.fixed[j].clone(), Kind::Value),
            None => (self.texts[i].to_owned(), Kind::Text),
        });
        *n = syn::LitInt::new(&(self.docs.0.len() - 1).to_string(), n.span());
    }
}
