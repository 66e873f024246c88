//! The loader: bytes → YAML tree → sections ([`crate::sections`]) → [`Catalog`]
//! ([`crate::resolve`]) → checked ([`crate::check`], then a later [`Stage`] if one is given).
//!
//! Stages: (1) UTF-8 and YAML syntax, one parse into a tree that keeps the position of every node
//! (marked-yaml), and the top-level shape; (2) each section item deserialized from its node on its
//! own, so every item's shape error is reported, the model built from the items that passed and
//! every rule checked, references to the items that did not left unreported. Errors of a stage are
//! all reported, sorted; a stage with errors stops the load.
//!
//! Why marked-yaml: it is the one maintained Rust YAML parser that yields a tree with a span on
//! every node and deserializes from it with serde (rattler-build reads conda recipes with it), on
//! yaml-rust2's pure-Rust parser. serde_yaml, which read values before, is archived and kept no
//! positions, so locations took a second parse (yaml-rust2) and deep flow nesting a third scan
//! (libyaml's time grew with depth × tokens). marked-yaml refuses anchors, aliases and tags, so an
//! alias bomb cannot be written at all; its scanner bounds flow nesting (255 levels) in linear
//! time; block nesting is bounded here (see [`MAX_DEPTH`]).

use crate::check;
use crate::diag::message::Source;
use crate::diag::{Ctxt, Diagnostic, Diagnostics, Message};
use crate::model::Catalog;
use crate::resolve;
use crate::sections::{self, plain_serde};
use crate::source::{SourceMap, position};
use marked_yaml::{LoadError, LoaderOptions, Node};
use std::path::Path;

/// The largest catalog the loader reads: 32 MiB, about 26,000 metrics at the seed catalog's 1.2 KB
/// per metric. Anything bigger is refused before it is read, so that a huge or runaway file gets
/// its error at once and in bounded memory.
pub const MAX_CATALOG_BYTES: u64 = 32 << 20;

/// The deepest nesting of maps and lists the loader accepts (serde_yaml's limit, which it had
/// before). A catalog needs 6; deserialization recurses once per level, so a deeper tree could
/// overflow the stack.
pub const MAX_DEPTH: usize = 128;

/// A stage that runs after the model's own checks and before the errors are collected, so that
/// one load reports the errors of every stage at once (the PromQL checks, the dashboards' checks):
/// it reads the catalog as far as it could be built, reports through the collector, and returns
/// what it derived (e.g. the parsed queries).
pub trait Stage {
    /// What the stage derives from the catalog.
    type Output;
    /// Checks `catalog`, reporting into `cx`.
    fn run(self, catalog: &Catalog, cx: &mut Ctxt) -> Self::Output;
}

/// No later stage: the model's own checks only.
impl Stage for () {
    type Output = ();
    fn run(self, _: &Catalog, _: &mut Ctxt) {}
}

impl<T, F: FnOnce(&Catalog, &mut Ctxt) -> T> Stage for F {
    type Output = T;
    fn run(self, catalog: &Catalog, cx: &mut Ctxt) -> T {
        self(catalog, cx)
    }
}

/// Loads and validates the catalog at `path`. Diagnostics name the file as `display` (e.g.
/// `metrics.yaml`).
pub fn load(path: &Path, display: &str) -> Result<Catalog, Diagnostics> {
    load_with(path, display, ()).map(|(c, ())| c)
}

/// Loads and validates a catalog from its bytes.
pub fn load_bytes(display: &str, bytes: &[u8]) -> Result<Catalog, Diagnostics> {
    load_bytes_with(display, bytes, ()).map(|(c, ())| c)
}

/// Loads and validates a catalog from its text.
pub fn load_str(display: &str, text: &str) -> Result<Catalog, Diagnostics> {
    load_str_with(display, text, ()).map(|(c, ())| c)
}

/// [`load`], with `stage` run on the catalog before the errors are collected.
pub fn load_with<S: Stage>(path: &Path, display: &str, stage: S) -> Result<(Catalog, S::Output), Diagnostics> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_CATALOG_BYTES
    {
        return Err(single(display, 1, 1, Source::TooLarge { bytes: meta.len(), limit: MAX_CATALOG_BYTES }));
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes_with(display, &bytes, stage),
        Err(e) => Err(single(display, 1, 1, Source::Io { error: format!("{}: {e}", path.display()) })),
    }
}

/// [`load_bytes`], with `stage` run on the catalog before the errors are collected.
pub fn load_bytes_with<S: Stage>(display: &str, bytes: &[u8], stage: S) -> Result<(Catalog, S::Output), Diagnostics> {
    if bytes.len() as u64 > MAX_CATALOG_BYTES {
        return Err(single(display, 1, 1, Source::TooLarge { bytes: bytes.len() as u64, limit: MAX_CATALOG_BYTES }));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str_with(display, text, stage),
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            Err(single(display, line, col, Source::NotUtf8))
        }
    }
}

/// [`load_str`], with `stage` run on the catalog before the errors are collected.
pub fn load_str_with<S: Stage>(display: &str, text: &str, stage: S) -> Result<(Catalog, S::Output), Diagnostics> {
    if text.len() as u64 > MAX_CATALOG_BYTES {
        return Err(single(display, 1, 1, Source::TooLarge { bytes: text.len() as u64, limit: MAX_CATALOG_BYTES }));
    }
    // A byte-order mark is no content either.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if lines(body).all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(single(display, 1, 1, Source::Empty));
    }
    if let Some(line) = second_document(body) {
        return Err(single(display, line, 1, Source::SecondDocument));
    }
    if let Some((line, col)) = block_too_deep(text) {
        return Err(single(display, line, col, Source::Yaml { error: "recursion limit exceeded".into() }));
    }
    // Quoted scalars stay strings (`"404"` is not an int), as YAML types them.
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| yaml_error(display, text, e))?;
    if let Some(deep) = too_deep(&root) {
        let (line, col) = position(deep);
        dismantle(root);
        return Err(single(display, line, col, Source::Yaml { error: "recursion limit exceeded".into() }));
    }

    let map = SourceMap::new(&root);
    // Shape errors, the model's errors and a later stage's are one stage: an item with a shape
    // error is left out (and references to it are not reported), so every other item is still
    // checked.
    let mut cx = Ctxt::new(display, &map);
    let raw = sections::top_level(&root, &mut cx);
    let parsed = sections::sections(raw, &mut cx);
    let mut catalog = resolve::build(parsed, &mut cx);
    check::all(&catalog, &mut cx);
    let output = stage.run(&catalog, &mut cx);
    catalog.warnings = cx.finish()?;
    Ok((catalog, output))
}

/// Where the value at each catalog path (`metrics[3].unit`) is in `text`, `(line, column)`, or its
/// nearest ancestor's; `None` for a path that is `None`, or when the text does not parse. The text
/// is parsed and indexed once for all the paths. For reports about catalogs that have loaded, such
/// as those of `docs-gen diff` and `live-check`.
pub fn locate<'p>(text: &str, paths: impl IntoIterator<Item = Option<&'p str>>) -> Vec<Option<(usize, usize)>> {
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).ok();
    let map = root.as_ref().map(SourceMap::new);
    paths.into_iter().map(|p| Some(map.as_ref()?.key_or_parent(p?))).collect()
}

/// How deep block nesting may look, by [`block_too_deep`]'s estimate, before the parser runs.
const MAX_BLOCK_ESTIMATE: usize = 2 * MAX_DEPTH;

/// Where block collections (`- - - x`, or ever deeper indentation) may nest deeper than the parser
/// can take, if anywhere. yaml-rust2's parser, under marked-yaml, recurses once per level (about
/// 2 KB of stack each in a debug build): 5,000 levels of `- ` overflowed an 8 MB stack. Its scanner
/// bounds flow nesting (`[`, `{`) at 255 levels; block nesting it does not bound, so this pass
/// does, in linear time and without parsing. Each level of block nesting takes a deeper indentation
/// or an indicator (`- `, `? `) on the line, and a list may sit at its key's indentation, so twice
/// the indentations open plus the indicators is an upper bound on the depth. The exact limit,
/// [`MAX_DEPTH`], is applied to the tree after the parse; this bound only keeps the parse safe.
fn block_too_deep(text: &str) -> Option<(usize, usize)> {
    let mut indents: Vec<usize> = Vec::new();
    for (i, line) in lines(text).enumerate() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        while indents.last().is_some_and(|&top| top >= indent) {
            indents.pop();
        }
        indents.push(indent);
        let mut depth = 2 * indents.len();
        let mut rest = content;
        let mut col = indent;
        while let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            depth += 1;
            if depth > MAX_BLOCK_ESTIMATE {
                return Some((i + 1, line[..col].chars().count() + 1));
            }
            let trimmed = after.trim_start_matches(' ');
            col += rest.len() - trimmed.len();
            rest = trimmed;
        }
        if depth > MAX_BLOCK_ESTIMATE {
            return Some((i + 1, indent + 1));
        }
    }
    None
}

/// The lines of `text`, without their ends, broken as YAML 1.2 and the parser break them: at `\n`,
/// `\r\n` or a lone `\r`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.find(['\n', '\r']) {
            Some(i) => {
                let skip = if r[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&r[i + skip..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The line of a second YAML document, if the text has one. The YAML parser reads the first
/// document and stops, so a catalog split by `---` would otherwise lose its second half without a
/// word. A document marker (`---` or `...` at the start of a line, alone or before a space) cannot
/// occur inside any scalar, so this needs no parse.
fn second_document(text: &str) -> Option<usize> {
    let marker = |l: &str, m: &str| l.strip_prefix(m).is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']));
    let content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let (mut seen_content, mut ended) = (false, false);
    for (i, line) in lines(text).enumerate() {
        let (start, end) = (marker(line, "---"), marker(line, "..."));
        if start || end {
            if seen_content {
                ended = true;
            }
            let rest = &line[3..];
            if ended && start && content(rest) {
                return Some(i + 1);
            }
            seen_content |= start && content(rest);
        } else if content(line) && !line.starts_with('%') {
            if ended {
                return Some(i + 1);
            }
            seen_content = true;
        }
    }
    None
}

/// A YAML syntax error, located where the parser stopped.
fn yaml_error(display: &str, text: &str, e: LoadError) -> Diagnostics {
    let at = |m: &marked_yaml::Marker| (m.line(), m.column());
    let ((line, col), message) = match e {
        LoadError::ScanError(m, se) => (at(&m), Source::Yaml { error: se.info().to_owned() }),
        LoadError::TopLevelMustBeMapping(m) | LoadError::TopLevelMustBeSequence(m) => {
            // The parser names no kind; the text where the document's value starts does.
            let rest: String = text.chars().skip(m.character()).collect();
            let rest = rest.trim();
            let error = if rest.is_empty() || rest == "..." {
                // An empty document (`---` alone) is an empty map.
                "missing field `metrics`".to_owned()
            } else if rest.starts_with(['[', '-']) {
                "invalid type: sequence, expected a map".to_owned()
            } else if rest.contains(['\n', '\r']) {
                "invalid type: string, expected a map".to_owned()
            } else {
                plain_serde(&format!("invalid type: string {rest:?}, expected a map"))
            };
            (at(&m), Source::Yaml { error })
        }
        // Marked at the node after the anchor: point at the `&` itself when it is on that line.
        LoadError::UnexpectedAnchor(m) => (back_to(text, &m, '&'), Source::Anchor),
        LoadError::UnexpectedTag(m) => (back_to(text, &m, '!'), Source::Tag),
        LoadError::MappingKeyMustBeScalar(m) => {
            (at(&m), Source::Yaml { error: "a map's key is a scalar, not a list or a map".into() })
        }
        LoadError::DuplicateKey(inner) => {
            let first = inner.prev_key.span().start().map_or((1, 1), at);
            let second = inner.key.span().start().map_or((1, 1), at);
            (second, Source::DuplicateKey { key: inner.key.as_str().to_owned(), first })
        }
    };
    single(display, line, col, message)
}

/// The position of the last `c` before marker `m` on its line, else of `m`.
fn back_to(text: &str, m: &marked_yaml::Marker, c: char) -> (usize, usize) {
    let before: Vec<char> = text.chars().take(m.character()).collect();
    let line_start = before.iter().rposition(|&ch| ch == '\n' || ch == '\r').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    match line.iter().rposition(|&ch| ch == c) {
        // A run such as `!!str` starts at its first `!`.
        Some(mut i) => {
            while i > 0 && line[i - 1] == c {
                i -= 1;
            }
            (m.line(), i + 1)
        }
        None => (m.line(), m.column()),
    }
}

/// The first node nested deeper than [`MAX_DEPTH`], found without recursion.
fn too_deep(root: &Node) -> Option<&Node> {
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Some(node);
        }
        match node {
            Node::Scalar(_) => {}
            Node::Sequence(s) => stack.extend(s.iter().rev().map(|n| (n, depth + 1))),
            Node::Mapping(m) => stack.extend(m.values().rev().map(|n| (n, depth + 1))),
        }
    }
    None
}

/// Drops a tree without recursion: dropping one nested 100,000 levels deep the usual way would
/// overflow the stack.
fn dismantle(root: Node) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node {
            Node::Scalar(_) => {}
            Node::Sequence(mut s) => stack.extend(std::mem::take(&mut *s)),
            Node::Mapping(mut m) => stack.extend(std::mem::take(&mut *m).into_iter().map(|(_, v)| v)),
        }
    }
}

fn single(file: &str, line: usize, col: usize, message: impl Into<Message>) -> Diagnostics {
    let (message, help) = message.into().text();
    Diagnostics(vec![Diagnostic { file: file.to_owned(), line, col, message, help }], 0)
}

/// The 1-based line and column (in characters) of a byte offset. Lines end as YAML 1.2 and
/// yaml-rust2 end them: at `\n`, `\r\n` or a lone `\r`.
fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let ends_line = |i: usize| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
    let line = (0..before.len()).filter(|&i| ends_line(i)).count() + 1;
    let line_start = (0..before.len()).rev().find(|&i| ends_line(i)).map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_break_as_yaml_breaks_them() {
        let got: Vec<&str> = super::lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(got, ["a", "b", "c", "", "d"]);
        // `\r\n` is one break: the second document starts on line 3, not 5.
        assert_eq!(super::second_document("a: 1\r\n---\r\nb: 2\r\n"), Some(3));
        assert_eq!(super::second_document("--- # first\nmetrics: []\n...\n# end\n"), None);
    }
}
