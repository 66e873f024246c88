//! Where each value of the YAML document is: a map from paths (`metrics[3].labels[1]`) to 1-based
//! line and column.
//!
//! serde_yaml reports locations for its own errors but keeps none after deserialization, so the
//! loader builds this index from yaml-rust2's event stream (which carries a mark on every event).
//! Aliases are not expanded here, so the index is linear in the size of the file.
//!
//! The index is built on the first lookup, as only a catalog with errors needs locations: for a
//! valid catalog of 10,000 metrics, the index (a second YAML parse and a path string per node) was
//! a third of the load.

use std::cell::OnceCell;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// The locations of one document's values and keys.
#[derive(Debug)]
pub struct SourceMap<'t> {
    text: &'t str,
    index: OnceCell<Index>,
}

#[derive(Debug, Default)]
struct Index {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
}

impl<'t> SourceMap<'t> {
    /// The locations of `text`, indexed when first asked for. A document yaml-rust2 cannot read
    /// gives an empty index (every lookup then answers 1:1); the loader only asks after serde_yaml
    /// has accepted the document.
    pub fn new(text: &'t str) -> SourceMap<'t> {
        SourceMap { text, index: OnceCell::new() }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut builder = Builder::default();
            let mut parser = Parser::new_from_str(self.text);
            if parser.load(&mut builder, false).is_err() {
                return Index::default();
            }
            builder.map
        })
    }

    /// The position of the value at `path`, or of its nearest ancestor that exists.
    pub fn value(&self, path: &str) -> (usize, usize) {
        Self::lookup(&self.index().values, path)
    }

    /// The position of the key of the entry at `path`, falling back to its value.
    pub fn key(&self, path: &str) -> (usize, usize) {
        match self.index().keys.get(path) {
            Some(&pos) => pos,
            None => self.value(path),
        }
    }

    fn lookup(map: &HashMap<String, (usize, usize)>, mut path: &str) -> (usize, usize) {
        loop {
            if let Some(&pos) = map.get(path) {
                return pos;
            }
            match parent(path) {
                Some(p) => path = p,
                None => return map.get("").copied().unwrap_or((1, 1)),
            }
        }
    }
}

/// `metrics[3].labels[1]` → `metrics[3].labels` → `metrics[3]` → `metrics` → ``.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// Appends a map key to a path (`metrics[3]` + `name` → `metrics[3].name`).
pub fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// Appends a sequence index to a path (`metrics` + 3 → `metrics[3]`).
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

enum Frame {
    Seq {
        path: String,
        next: usize,
    },
    /// `key` is the pending key once read; `None` while waiting for one.
    Map {
        path: String,
        key: Option<String>,
    },
}

#[derive(Default)]
struct Builder {
    map: Index,
    stack: Vec<Frame>,
}

impl Builder {
    /// The path of the node starting now, or `None` when the node is a mapping key.
    fn next_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join_index(path, *next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => key.take().map(|k| join_key(path, &k)),
        }
    }

    fn pos(mark: &Marker) -> (usize, usize) {
        // yaml-rust2 marks lines from 1 and columns from 0.
        (mark.line(), mark.col() + 1)
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            // Block scalars (`|`, `>`) are marked at their first content line, so an error in a
            // multi-line query points into it.
            Event::Scalar(value, ..) => match self.next_path() {
                Some(path) => {
                    self.map.values.insert(path, Self::pos(&mark));
                }
                None => {
                    // A key: remember it and where it is.
                    if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                        let full = join_key(path, &value);
                        self.map.keys.insert(full, Self::pos(&mark));
                        *key = Some(value);
                    }
                }
            },
            Event::Alias(_) => {
                if let Some(path) = self.next_path() {
                    self.map.values.insert(path, Self::pos(&mark));
                }
            }
            Event::SequenceStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.map.values.insert(path.clone(), Self::pos(&mark));
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.map.values.insert(path.clone(), Self::pos(&mark));
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_lines_and_columns() {
        let text = "a: 1\nmetrics:\n  - name: x\n    labels: [p, q]\n  - name: y\n    q: |\n      line one\n";
        let map = SourceMap::new(text);
        assert_eq!(map.value("a"), (1, 4));
        assert_eq!(map.key("metrics"), (2, 1));
        assert_eq!(map.value("metrics[0].name"), (3, 11));
        assert_eq!(map.key("metrics[0].name"), (3, 5));
        assert_eq!(map.value("metrics[0].labels[1]"), (4, 17));
        assert_eq!(map.value("metrics[1].name"), (5, 11));
        // A missing path falls back to its nearest ancestor.
        assert_eq!(map.value("metrics[1].missing"), map.value("metrics[1]"));
        assert_eq!(map.value("metrics[1].q"), (7, 7));
    }
}
