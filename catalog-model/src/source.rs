//! Where each value of the YAML document is: a map from paths (`metrics[3].labels[1]`) to 1-based
//! line and column.
//!
//! The parser keeps a position on every node of the tree; this index finds a node by the path the
//! model names it by. It is built on the first lookup, as only a catalog with errors needs
//! locations: for a valid catalog of 10,000 metrics, a path string per node would be a large part
//! of the load.

use marked_yaml::Node;
use std::cell::OnceCell;
use std::collections::HashMap;

/// The locations of one document's values and keys.
#[derive(Debug)]
pub struct SourceMap<'n> {
    root: &'n Node,
    index: OnceCell<Index>,
}

#[derive(Debug, Default)]
struct Index {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, (usize, usize)>,
}

impl<'n> SourceMap<'n> {
    /// The locations of the tree under `root`, indexed when first asked for.
    pub fn new(root: &'n Node) -> SourceMap<'n> {
        SourceMap { root, index: OnceCell::new() }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            let mut stack = vec![(String::new(), self.root)];
            while let Some((path, node)) = stack.pop() {
                match node {
                    Node::Scalar(_) => {}
                    Node::Sequence(s) => stack.extend(s.iter().enumerate().map(|(i, n)| (join_index(&path, i), n))),
                    Node::Mapping(m) => {
                        for (k, v) in m.iter() {
                            let p = join_key(&path, k.as_str());
                            index.keys.insert(p.clone(), position_of(k.span()));
                            stack.push((p, v));
                        }
                    }
                }
                index.values.insert(path, position(node));
            }
            // A map is marked where its first value is; the document starts at its first key.
            if let Some((first, _)) = self.root.as_mapping().and_then(|m| m.iter().next()) {
                index.values.insert(String::new(), position_of(first.span()));
            }
            index
        })
    }

    /// The position of the value at `path`, or of its nearest ancestor that exists.
    pub fn value(&self, path: &str) -> (usize, usize) {
        Self::lookup(&self.index().values, path)
    }

    /// The position of the key at `path`, or of the nearest ancestor's key (a field the catalog
    /// leaves out is reported at the entry that would hold it).
    pub fn key_or_parent(&self, path: &str) -> (usize, usize) {
        let mut p = path;
        loop {
            if let Some(&pos) = self.index().keys.get(p) {
                return pos;
            }
            // A list item (a metric, a label value) is where its `name` is, else where it starts.
            if p.ends_with(']') {
                return self.index().keys.get(&join_key(p, "name")).copied().unwrap_or_else(|| self.value(p));
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.value(path),
            }
        }
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

/// The 1-based line and column where a node starts.
pub fn position(node: &Node) -> (usize, usize) {
    position_of(node.span())
}

/// The 1-based line and column where a span starts.
pub fn position_of(span: &marked_yaml::Span) -> (usize, usize) {
    span.start().map_or((1, 1), |m| (m.line(), m.column()))
}

/// Appends a map key to a path (`metrics[3]` + `name` → `metrics[3].name`).
pub fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// Appends a sequence index to a path (`metrics` + 3 → `metrics[3]`).
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_lines_and_columns() {
        let text = "a: 1\nmetrics:\n  - name: x\n    labels: [p, q]\n  - name: y\n    q: |\n      line one\n";
        let root = marked_yaml::parse_yaml(0, text).expect("valid YAML");
        let map = SourceMap::new(&root);
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
