//! The loader: bytes → [`Parsed`] sections → [`Catalog`] → checked.
//!
//! Stages: (1) UTF-8 and YAML syntax, the top-level shape (serde_yaml, which also bounds alias
//! expansion and nesting depth; flow nesting is bounded before it, see `flow_too_deep`); (2) each
//! section item deserialized on its own, so every item's shape error is reported, the model built
//! from the items that passed and every rule checked, references to the items that did not left
//! unreported. Errors of a stage are all reported, sorted; a stage with errors stops the load.

use crate::catalog::check;
use crate::catalog::diag::{Ctxt, Diagnostic, Diagnostics, Message};
use crate::catalog::model::{self, Broken, Catalog, Parsed};
use crate::catalog::parse::{self, RawCatalog};
use crate::catalog::source::{SourceMap, join_index, join_key};
use serde::de::DeserializeOwned;
use std::path::Path;

/// The largest catalog the loader reads: 32 MiB, about 26,000 metrics at the seed catalog's 1.2 KB
/// per metric. Anything bigger is refused before it is read, so that a huge or runaway file gets
/// its error at once and in bounded memory.
pub const MAX_CATALOG_BYTES: u64 = 32 << 20;

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
    if body.split(['\n', '\r']).all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(single(display, 1, 1, Message::EmptyCatalog));
    }
    if let Some((line, col)) = flow_too_deep(text) {
        return Err(single(display, line, col, Message::Yaml { error: "recursion limit exceeded".into() }));
    }
    let raw: RawCatalog = serde_yaml::from_str(text).map_err(|e| {
        // libyaml also breaks lines at NEL, LS and PS (YAML 1.1), which editors and yaml-rust2 do
        // not: the position is counted again from its byte offset.
        let (line, col) = match e.location() {
            Some(l) => line_col(text.as_bytes(), l.index()),
            None => where_deserialization_stopped(text),
        };
        single(display, line, col, Message::Yaml { error: strip_location(&e.to_string()) })
    })?;

    let map = SourceMap::new(text);
    // Shape errors and the model's errors are one stage: an item with a shape error is left out
    // (and references to it are not reported), so every other item is still checked.
    let mut cx = Ctxt::new(display, &map);
    let parsed = sections(raw, &mut cx);
    let catalog = model::build(parsed, &mut cx);
    check::all(&catalog, &mut cx);
    cx.finish()?;
    Ok(catalog)
}

/// Where flow collections (`[`, `{`) nest deeper than yaml-rust2's scanner allows (255 levels;
/// serde_yaml refuses more than 128 anyway), if they do.
///
/// libyaml, under serde_yaml, looks at every open flow collection for each token, so its time grows
/// with depth × tokens: 100,000 unclosed `[` (100 KB) took 20 s, all before serde_yaml's recursion
/// limit could refuse them. yaml-rust2's scanner stops at its limit instead (or at a syntax error,
/// where libyaml stops too). Its pass is skipped where the number of `[` and `{` (a bound on the
/// depth) times the size (a bound on the tokens) is small, as for the seed catalog: libyaml's extra
/// work there is small too.
fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    let opens = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if opens <= 255 || opens.saturating_mul(text.len()) <= 1 << 27 {
        return None;
    }
    let mut scanner = yaml_rust2::scanner::Scanner::new(text.chars());
    scanner.by_ref().for_each(drop);
    let error = scanner.get_error()?;
    // yaml-rust2 counts lines from 1 and columns from 0.
    (error.info() == "recursion limit exceeded").then(|| (error.marker().line(), error.marker().col() + 1))
}

/// serde_yaml's repetition limit (an alias bomb) has no position: deserializing again with the
/// path tracked finds where it stopped, and the source map finds that path (or the nearest
/// enclosing one it has: it does not expand aliases).
fn where_deserialization_stopped(text: &str) -> (usize, usize) {
    match serde_path_to_error::deserialize::<_, RawCatalog>(serde_yaml::Deserializer::from_str(text)) {
        Ok(_) => (1, 1),
        Err(e) => SourceMap::new(text).value(&join_path(String::new(), e.path())),
    }
}

fn single(file: &str, line: usize, col: usize, message: Message) -> Diagnostics {
    let (message, help) = message.text();
    Diagnostics(vec![Diagnostic { file: file.to_owned(), line, col, message, help }], 0)
}

/// serde_yaml puts " at line L column C" into its messages; the diagnostic says where already.
fn strip_location(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).count();
        let n = digits(tail);
        match tail[n..].strip_prefix(" column ") {
            Some(after) if n > 0 && digits(after) > 0 => rest = &after[digits(after)..],
            _ => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    plain_serde(&out)
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
        let id = string_field(&v, "id");
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
            Some(l) => labels.push((at, id, l)),
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
        let name = string_field(&v, "name");
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
fn string_field(v: &serde_yaml::Value, key: &str) -> Option<String> {
    v.get(key).and_then(serde_yaml::Value::as_str).map(str::to_owned)
}

/// The items of a list section that pass their shape check, with their paths.
fn list<T: DeserializeOwned>(key: &str, values: Vec<serde_yaml::Value>, cx: &mut Ctxt) -> Vec<(String, T)> {
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
fn item<T: DeserializeOwned>(at: String, value: serde_yaml::Value, cx: &mut Ctxt) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(t),
        Err(e) => {
            let path = join_path(at, e.path());
            let message = plain_serde(&e.into_inner().to_string());
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

#[cfg(test)]
mod tests {
    #[test]
    fn serde_messages_lose_locations_and_rust_type_names() {
        assert_eq!(
            super::strip_location(
                "did not find expected ',' or ']' at line 2 column 1, while parsing a flow sequence at line 1 column 11"
            ),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(
            super::strip_location("invalid type: sequence, expected struct RawCatalog"),
            "invalid type: sequence, expected a map"
        );
        assert_eq!(super::strip_location("at line x"), "at line x");
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
