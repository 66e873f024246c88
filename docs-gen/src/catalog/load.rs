//! The loader: bytes → [`Parsed`] sections → [`Catalog`] → checked.
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

use crate::catalog::check;
use crate::catalog::diag::{Ctxt, Diagnostic, Diagnostics, Message};
use crate::catalog::model::{self, Broken, Catalog, Parsed};
use crate::catalog::parse::{self, RawCatalog, Scalar};
use crate::catalog::source::{SourceMap, join_index, join_key};
use marked_yaml::{LoadError, LoaderOptions, Node};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The largest catalog the loader reads: 32 MiB, about 26,000 metrics at the seed catalog's 1.2 KB
/// per metric. Anything bigger is refused before it is read, so that a huge or runaway file gets
/// its error at once and in bounded memory.
pub const MAX_CATALOG_BYTES: u64 = 32 << 20;

/// The deepest nesting of maps and lists the loader accepts (serde_yaml's limit, which it had
/// before). A catalog needs 6; deserialization recurses once per level, so a deeper tree could
/// overflow the stack.
pub const MAX_DEPTH: usize = 128;

/// The top-level sections a catalog may have.
const SECTIONS: &[&str] = &[
    "document",
    "domains",
    "labels",
    "value_maps",
    "metrics",
    "example_queries",
    "dashboards",
    "verification",
    "troubleshooting",
    "next_steps",
];

/// Loads and validates the catalog at `path`. Diagnostics name the file as `display` (e.g.
/// `metrics.yaml`).
pub fn load(path: &Path, display: &str) -> Result<Catalog, Diagnostics> {
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_CATALOG_BYTES
    {
        return Err(single(display, 1, 1, Message::TooLarge { bytes: meta.len(), limit: MAX_CATALOG_BYTES }));
    }
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(display, &bytes),
        Err(e) => Err(single(display, 1, 1, Message::Io { error: format!("{}: {e}", path.display()) })),
    }
}

/// Loads and validates a catalog from its bytes.
pub fn load_bytes(display: &str, bytes: &[u8]) -> Result<Catalog, Diagnostics> {
    if bytes.len() as u64 > MAX_CATALOG_BYTES {
        return Err(single(display, 1, 1, Message::TooLarge { bytes: bytes.len() as u64, limit: MAX_CATALOG_BYTES }));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(display, text),
        Err(e) => {
            let (line, col) = line_col(bytes, e.valid_up_to());
            Err(single(display, line, col, Message::NotUtf8))
        }
    }
}

/// Loads and validates a catalog from its text.
pub fn load_str(display: &str, text: &str) -> Result<Catalog, Diagnostics> {
    if text.len() as u64 > MAX_CATALOG_BYTES {
        return Err(single(display, 1, 1, Message::TooLarge { bytes: text.len() as u64, limit: MAX_CATALOG_BYTES }));
    }
    // A byte-order mark is no content either.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if lines(body).all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(single(display, 1, 1, Message::EmptyCatalog));
    }
    if let Some(line) = second_document(body) {
        return Err(single(display, line, 1, Message::SecondDocument));
    }
    if let Some((line, col)) = block_too_deep(text) {
        return Err(single(display, line, col, Message::Yaml { error: "recursion limit exceeded".into() }));
    }
    // Quoted scalars stay strings (`"404"` is not an int), as YAML types them.
    let options = LoaderOptions::default().error_on_duplicate_keys(true).prevent_coercion(true);
    let root = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| yaml_error(display, text, e))?;
    if let Some(deep) = too_deep(&root) {
        let (line, col) = position(deep);
        dismantle(root);
        return Err(single(display, line, col, Message::Yaml { error: "recursion limit exceeded".into() }));
    }

    let map = SourceMap::new(&root);
    // Shape errors and the model's errors are one stage: an item with a shape error is left out
    // (and references to it are not reported), so every other item is still checked.
    let mut cx = Ctxt::new(display, &map);
    let raw = top_level(&root, &mut cx);
    let parsed = sections(raw, &mut cx);
    let mut catalog = model::build(parsed, &mut cx);
    check::all(&catalog, &mut cx);
    catalog.warnings = cx.finish()?;
    Ok(catalog)
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
        LoadError::ScanError(m, se) => (at(&m), Message::Yaml { error: se.info().to_owned() }),
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
            (at(&m), Message::Yaml { error })
        }
        // Marked at the node after the anchor: point at the `&` itself when it is on that line.
        LoadError::UnexpectedAnchor(m) => (back_to(text, &m, '&'), Message::YamlAnchor),
        LoadError::UnexpectedTag(m) => (back_to(text, &m, '!'), Message::YamlTag),
        LoadError::MappingKeyMustBeScalar(m) => {
            (at(&m), Message::Yaml { error: "a map's key is a scalar, not a list or a map".into() })
        }
        LoadError::DuplicateKey(inner) => {
            let first = inner.prev_key.span().start().map_or((1, 1), at);
            let second = inner.key.span().start().map_or((1, 1), at);
            (second, Message::DuplicateKey { key: inner.key.as_str().to_owned(), first })
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

/// The 1-based line and column where a node starts.
pub(crate) fn position(node: &Node) -> (usize, usize) {
    position_of(node.span())
}

/// The 1-based line and column where a span starts.
pub(crate) fn position_of(span: &marked_yaml::Span) -> (usize, usize) {
    span.start().map_or((1, 1), |m| (m.line(), m.column()))
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

/// The sections of the top-level map: unknown keys and sections of the wrong kind are reported at
/// them; `metrics` is required.
fn top_level<'n>(root: &'n Node, cx: &mut Ctxt) -> RawCatalog<'n> {
    let mut raw = RawCatalog::default();
    let Some(top) = root.as_mapping() else {
        // The parser refuses any other top level (`TopLevelMustBeMapping`); kept so this never panics.
        cx.error("", Message::Yaml { error: format!("invalid type: {}, expected a map", kind(root)) });
        return raw;
    };
    let mut has_metrics = false;
    for (key, value) in top.iter() {
        let name = key.as_str();
        let list = |cx: &mut Ctxt| -> Vec<&'n Node> {
            match value {
                Node::Sequence(s) => s.iter().collect(),
                Node::Scalar(s) if s.is_empty() && s.may_coerce() => Vec::new(),
                other => {
                    cx.error(name, Message::Yaml { error: format!("invalid type: {}, expected a list", kind(other)) });
                    Vec::new()
                }
            }
        };
        let map = |cx: &mut Ctxt| -> Vec<(String, &'n Node)> {
            match value {
                Node::Mapping(m) => {
                    let mut items: Vec<_> = m.iter().map(|(k, v)| (k.as_str().to_owned(), v)).collect();
                    items.sort_by(|a, b| a.0.cmp(&b.0));
                    items
                }
                Node::Scalar(s) if s.is_empty() && s.may_coerce() => Vec::new(),
                other => {
                    cx.error(name, Message::Yaml { error: format!("invalid type: {}, expected a map", kind(other)) });
                    Vec::new()
                }
            }
        };
        match name {
            "document" => raw.document = Some(value),
            "domains" => raw.domains = list(cx),
            "labels" => raw.labels = map(cx),
            "value_maps" => raw.value_maps = map(cx),
            "metrics" => {
                has_metrics = true;
                raw.metrics = list(cx);
            }
            "example_queries" => raw.example_queries = list(cx),
            "dashboards" => raw.dashboards = list(cx),
            "verification" => raw.verification = list(cx),
            "troubleshooting" => raw.troubleshooting = list(cx),
            "next_steps" => raw.next_steps = list(cx),
            _ => {
                // serde's wording, so that the did-you-mean hint reads it like any other.
                let expected = SECTIONS.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
                let error = format!("unknown field `{name}`, expected one of {expected}");
                cx.error_at_key(name, Message::Yaml { error });
            }
        }
    }
    if !has_metrics {
        cx.error_at_key("", Message::Yaml { error: "missing field `metrics`".into() });
    }
    raw
}

/// How serde names a node's kind in its `invalid type` messages.
fn kind(node: &Node) -> &'static str {
    match node {
        Node::Scalar(_) => "string",
        Node::Sequence(_) => "sequence",
        Node::Mapping(_) => "map",
    }
}

fn single(file: &str, line: usize, col: usize, message: Message) -> Diagnostics {
    let (message, help) = message.text();
    Diagnostics(vec![Diagnostic { file: file.to_owned(), line, col, message, help }], 0)
}

/// serde names the Rust type it expected (`expected struct Metric`); users wrote YAML. And it quotes
/// a string of the wrong type whole, which for a catalog given as one long string is the catalog.
fn plain_serde(message: &str) -> String {
    let message = match message.find("expected struct ") {
        Some(i) => {
            let after = &message[i + "expected struct ".len()..];
            let end = after.find(|c: char| !c.is_alphanumeric()).unwrap_or(after.len());
            format!("{}expected a map{}", &message[..i], &after[end..])
        }
        None => message.to_owned(),
    };
    shorten_quoted(&message)
}

/// Longest string serde's `invalid type: string "..."` keeps whole.
const MAX_QUOTED_CHARS: usize = 80;

/// `invalid type: string "<4,000 characters>", expected ...` → the first characters, `…` and the
/// length.
fn shorten_quoted(message: &str) -> String {
    const OPEN: &str = "invalid type: string \"";
    const CLOSE: &str = "\", expected ";
    let (Some(start), Some(end)) = (message.find(OPEN), message.rfind(CLOSE)) else { return message.to_owned() };
    let quoted = &message[start + OPEN.len()..end.max(start + OPEN.len())];
    let chars = quoted.chars().count();
    if chars <= MAX_QUOTED_CHARS {
        return message.to_owned();
    }
    let kept: String = quoted.chars().take(60).collect();
    format!("{}{kept}…\" ({chars} characters){}", &message[..start + OPEN.len()], &message[end + 1..])
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

/// Deserializes every section item on its own. Items with shape errors (all reported) are left out
/// and named in [`Broken`].
fn sections(raw: RawCatalog, cx: &mut Ctxt) -> Parsed {
    let mut broken = Broken::default();
    let document = match raw.document {
        Some(document) => item::<parse::Document>("document".into(), document, cx).unwrap_or_default(),
        None => parse::Document::default(),
    };
    let mut domains = Vec::new();
    for (i, v) in raw.domains.into_iter().enumerate() {
        let id = string_field(v, "id");
        let at = join_index("domains", i);
        match item::<parse::Domain>(at.clone(), v, cx) {
            Some(d) => domains.push((at, d)),
            None => match id {
                Some(id) => broken.domains.push(id),
                None => broken.domain_without_id = true,
            },
        }
    }
    let mut labels = Vec::new();
    for (id, v) in raw.labels {
        let at = join_key("labels", &id);
        match item::<parse::Label>(at.clone(), v, cx) {
            Some(mut l) => {
                retype_label_values(&mut l, v);
                labels.push((at, id, l))
            }
            None => broken.labels.push(id),
        }
    }
    let mut value_maps = Vec::new();
    for (id, v) in raw.value_maps {
        let at = join_key("value_maps", &id);
        match item::<parse::ValueMap>(at.clone(), v, cx) {
            Some(m) => value_maps.push((at, id, m)),
            None => broken.value_maps.push(id),
        }
    }
    let mut metrics = Vec::new();
    for (i, v) in raw.metrics.into_iter().enumerate() {
        let name = string_field(v, "name");
        let at = join_index("metrics", i);
        match item::<parse::Metric>(at.clone(), v, cx) {
            Some(m) => metrics.push((at, m)),
            None => broken.metrics.extend(name),
        }
    }
    Parsed {
        document,
        domains,
        labels,
        value_maps,
        metrics,
        examples: list("example_queries", raw.example_queries, cx),
        dashboards: list("dashboards", raw.dashboards, cx),
        verification: list("verification", raw.verification, cx),
        troubleshooting: list::<parse::Troubleshooting>("troubleshooting", raw.troubleshooting, cx)
            .into_iter()
            .map(|(_, t)| t)
            .collect(),
        next_steps: list("next_steps", raw.next_steps, cx),
        broken,
    }
}

/// The string at `key` of a mapping, to name an item that failed its shape check.
fn string_field(v: &Node, key: &str) -> Option<String> {
    v.as_mapping()?.get_scalar(key).map(|s| s.as_str().to_owned())
}

/// The items of a list section that pass their shape check, with their paths.
fn list<T: DeserializeOwned>(key: &str, values: Vec<&Node>, cx: &mut Ctxt) -> Vec<(String, T)> {
    values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let at = join_index(key, i);
            item::<T>(at.clone(), v, cx).map(|t| (at, t))
        })
        .collect()
}

/// `path` followed by the segments serde stopped at, in the source map's spelling.
fn join_path(mut path: String, segments: &serde_path_to_error::Path) -> String {
    for segment in segments.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => path = join_index(&path, *index),
            serde_path_to_error::Segment::Map { key } => path = join_key(&path, key),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    path
}

/// Deserializes one item; a shape error is reported at the exact path serde stopped at.
fn item<T: DeserializeOwned>(at: String, node: &Node, cx: &mut Ctxt) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(marked_yaml::spanned_serde::NodeDeserializer::new(node)) {
        Ok(t) => Some(t),
        Err(e) => {
            let scalar = scalar_at(node, e.path());
            let path = join_path(at, e.path());
            let message = plain_serde(&serde_message(e.inner(), scalar));
            // Unknown fields point at their key, missing ones at the key of the item that lacks
            // them (named, as the message cannot show where the field should have been); other
            // shape errors at the offending value.
            if message.starts_with("unknown field") {
                cx.error_at_key(&path, Message::Yaml { error: message });
            } else if message.starts_with("missing field") {
                let error = if path.is_empty() { message } else { format!("`{path}` is {message}") };
                cx.error_at_key(&path, Message::Yaml { error });
            } else {
                cx.error(&path, Message::Yaml { error: message });
            }
            None
        }
    }
}

/// The scalar at the end of `path` under `node`, if there is one there.
fn scalar_at<'n>(mut node: &'n Node, path: &serde_path_to_error::Path) -> Option<&'n str> {
    for segment in path.iter() {
        node = match segment {
            serde_path_to_error::Segment::Seq { index } => node.as_sequence()?.get_node(*index)?,
            serde_path_to_error::Segment::Map { key } => node.as_mapping()?.get_node(key)?,
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => node,
        };
    }
    node.as_scalar().map(|s| s.as_str())
}

/// marked-yaml's own errors in serde's wording, as the rest of the loader's messages are.
fn serde_message(e: &marked_yaml::Error, scalar: Option<&str>) -> String {
    use marked_yaml::Error as E;
    let found = match scalar {
        Some(text) => format!("string {text:?}"),
        None => "string".to_owned(),
    };
    match e {
        E::NotBoolean(_) => format!("invalid type: {found}, expected a boolean"),
        E::IntegerParseFailure(..) => format!("invalid type: {found}, expected an integer"),
        E::FloatParseFailure(..) => format!("invalid type: {found}, expected a number"),
        E::UnknownFieldError(field, expected, _) => {
            let expected = expected.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>();
            match expected.as_slice() {
                [] => format!("unknown field `{field}`, there are no fields"),
                [one] => format!("unknown field `{field}`, expected {one}"),
                [a, b] => format!("unknown field `{field}`, expected {a} or {b}"),
                all => format!("unknown field `{field}`, expected one of {}", all.join(", ")),
            }
        }
        other => other.to_string(),
    }
}

/// The YAML type of a plain (unquoted) scalar under YAML 1.2's core schema, for label values,
/// whose type the catalog checks (`200` is an int, `"200"` a string, `1.0` a float). marked-yaml
/// hands every scalar over as text and leaves typing to the reader; the core schema is these few
/// patterns, so they are kept here rather than taken from a second YAML crate.
fn plain_scalar(text: &str) -> Scalar {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits(unsigned, 10) {
        return text.parse::<i64>().map_or_else(|_| Scalar::Other(text.to_owned()), Scalar::Int);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(n) = text.strip_prefix(prefix)
            && digits(n, radix)
        {
            return i64::from_str_radix(n, radix).map_or_else(|_| Scalar::Other(text.to_owned()), Scalar::Int);
        }
    }
    let is_float = {
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mantissa_ok = (whole.is_empty() || digits(whole, 10))
            && (fraction.is_empty() || digits(fraction, 10))
            && !(whole.is_empty() && fraction.is_empty());
        mantissa_ok && exponent.is_none_or(|e| digits(e, 10))
    };
    let special = matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN");
    let other = matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE");
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        Scalar::Other("null".into())
    } else if is_float || special || other {
        Scalar::Other(text.to_owned())
    } else {
        Scalar::String(text.to_owned())
    }
}

/// Gives the plain scalars among a label's `values` their YAML type (see [`plain_scalar`]).
fn retype_label_values(label: &mut parse::Label, node: &Node) {
    let (Some(values), Some(nodes)) =
        (label.values.as_mut(), node.as_mapping().and_then(|m| m.get_node("values")).and_then(Node::as_sequence))
    else {
        return;
    };
    for (value, node) in values.iter_mut().zip(nodes.iter()) {
        let (scalar, node) = match value {
            parse::LabelValue::Scalar(s) => (s, Some(node)),
            parse::LabelValue::Named { value, .. } => (value, node.as_mapping().and_then(|m| m.get_node("value"))),
        };
        if let Some(Node::Scalar(n)) = node
            && n.may_coerce()
        {
            *scalar = plain_scalar(n.as_str());
        }
    }
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

    #[test]
    fn plain_scalars_take_their_core_schema_type() {
        use super::{Scalar, plain_scalar};
        assert_eq!(plain_scalar("200"), Scalar::Int(200));
        assert_eq!(plain_scalar("-7"), Scalar::Int(-7));
        assert_eq!(plain_scalar("0x1F"), Scalar::Int(31));
        assert_eq!(plain_scalar("0o17"), Scalar::Int(15));
        assert_eq!(plain_scalar("99999999999999999999"), Scalar::Other("99999999999999999999".into()));
        for float in ["1.0", "1.1", ".5", "1e3", "-2.5E-3", ".inf", "-.Inf", ".nan"] {
            assert_eq!(plain_scalar(float), Scalar::Other(float.into()), "{float}");
        }
        for other in ["true", "False"] {
            assert_eq!(plain_scalar(other), Scalar::Other(other.into()));
        }
        assert_eq!(plain_scalar("~"), Scalar::Other("null".into()));
        for string in ["GET", "_OTHER", "1.1.1", "0x", "e5", ".", "yes", "1_000", "v1"] {
            assert_eq!(plain_scalar(string), Scalar::String(string.into()), "{string}");
        }
    }

    #[test]
    fn long_strings_of_the_wrong_type_are_shortened() {
        let long = "x".repeat(5_000);
        assert_eq!(
            super::plain_serde(&format!("invalid type: string \"{long}\", expected struct RawCatalog")),
            format!("invalid type: string \"{}…\" (5000 characters), expected a map", "x".repeat(60))
        );
        let short = "invalid type: string \"just a string\", expected a map";
        assert_eq!(super::plain_serde(short), short);
        // Characters, not bytes: a cut never splits one.
        let wide = "é".repeat(81);
        assert_eq!(
            super::plain_serde(&format!("invalid type: string \"{wide}\", expected a sequence")),
            format!("invalid type: string \"{}…\" (81 characters), expected a sequence", "é".repeat(60))
        );
    }
}
