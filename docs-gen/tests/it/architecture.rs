//! The architecture of the workspace, enforced (as rust-analyzer's tidy tests do): inside each
//! crate, a module imports only the modules listed below it (its stage's layer), modules of one
//! layer group never import each other, and no module imports the crate root; between crates, each
//! depends only on the crates allowed to it; and no generic crate has a Tasker word. The layers
//! here are those of the README's ARCHITECTURE section.
//!
//! `cargo test -p docs-gen --test it architecture` runs these alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One layer of a crate: a module, or modules side by side that must not import each other.
enum Layer {
    Module(&'static str),
    Siblings(&'static [&'static str]),
}

use Layer::{Module as M, Siblings as S};

/// Each crate's modules, lowest first. `emit::markdown` names a module of a folder whose modules
/// are siblings: the folder's own `mod.rs` is then the node `emit`.
const CRATES: &[(&str, &[Layer])] = &[
    ("prometheus-exposition", &[M("family"), S(&["read", "write"])]),
    ("otel-prometheus-names", &[]),
    (
        "catalog-model",
        &[
            S(&["parallel", "registry", "source", "ident", "markdown", "notation"]),
            M("diag"),
            M("parse"),
            M("model"),
            M("slos"),
            S(&["sections", "resolve"]),
            M("check"),
            M("load"),
        ],
    ),
    ("catalog-promql", &[M("syntax"), M("series"), M("queries"), M("check")]),
    (
        "catalog-docs",
        &[
            M("record"),
            M("plan"),
            M("check"),
            S(&["emit::markdown", "emit::rules", "emit::grafana"]),
            M("emit"),
            M("outputs"),
        ],
    ),
    ("catalog-build", &[M("emit"), M("builder")]),
    ("docs-gen", &[M("http"), S(&["diff", "live", "verify"]), M("commands")]),
    (
        "catalog-runtime",
        // The exemplar store sits under what builds recorders (instrument) and reads the
        // configuration (config): both name its types.
        &[
            S(&["catalog", "labels"]),
            M("exemplar"),
            S(&["config", "instrument"]),
            M("export"),
            S(&["otlp", "prometheus"]),
            M("telemetry"),
        ],
    ),
    // The Prometheus launcher reaps its server with the process module's child guard.
    ("test-support", &[S(&["fs", "log", "net", "span", "synthetic"]), M("process"), M("prometheus")]),
];

/// The workspace crates each crate may depend on (normal and build dependencies): the crates of
/// the catalog only look down, and a build script's generator needs no PromQL, documentation or
/// tool crate.
const DEPENDENCIES: &[(&str, &[&str])] = &[
    ("prometheus-exposition", &[]),
    ("otel-prometheus-names", &["prometheus-exposition"]),
    ("catalog-model", &["otel-prometheus-names"]),
    ("catalog-promql", &["catalog-model", "otel-prometheus-names"]),
    ("catalog-docs", &["catalog-model", "catalog-promql"]),
    ("catalog-build", &["catalog-model", "catalog-docs"]),
    (
        "docs-gen",
        &["catalog-model", "catalog-promql", "catalog-docs", "otel-prometheus-names", "prometheus-exposition"],
    ),
    ("catalog-runtime", &["otel-prometheus-names", "prometheus-exposition"]),
    ("test-support", &["otel-prometheus-names"]),
];

/// Crates for any service's catalog: no word of Tasker's in their code or manifest.
const GENERIC: &[&str] = &[
    "prometheus-exposition",
    "otel-prometheus-names",
    "catalog-model",
    "catalog-promql",
    "catalog-docs",
    "catalog-build",
    "docs-gen",
    "catalog-runtime",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (doc links name modules without importing them).
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The crate-relative paths a file names: `crate::a::b` and every path of `crate::{a::b, c}`.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let is_word_before = rest[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        rest = &rest[i + "crate::".len()..];
        if is_word_before {
            continue; // `catalog_crate::` is another crate; `$crate::` a macro's path for its users.
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                out.push(words(part.trim()));
            }
        } else {
            let path = words(rest);
            // `crate::name!`: a macro the crate exports, called where it is defined.
            let len = path.iter().map(|w| w.len() + 2).sum::<usize>().saturating_sub(2);
            if !rest[len..].starts_with('!') {
                out.push(path);
            }
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// `a::b::{c, d}` → `[a, b]`: the leading path of identifiers.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_owned());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    out
}

/// The node of a file: `src/foo.rs`, `src/foo/mod.rs` and `src/foo/bar.rs` are `foo`, unless `foo`
/// is a folder of siblings (`foo::bar` is a node); `lib.rs` and `main.rs` are the root (`None`).
fn node(src: &Path, file: &Path, groups: &BTreeSet<&str>) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    match parts.as_slice() {
        [root] if root == "lib" || root == "main" => None,
        [module] => Some(module.clone()),
        [dir, child, ..] if groups.contains(dir.as_str()) && child != "mod" => Some(format!("{dir}::{child}")),
        [dir, ..] => Some(dir.clone()),
        [] => None,
    }
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let root = test_support::workspace();
    let mut violations = Vec::new();
    for (krate, layers) in CRATES {
        let src = root.join(krate).join("src");
        // The rank of each node: layers low to high; siblings share one.
        let mut rank: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, layer) in layers.iter().enumerate() {
            match layer {
                M(m) => {
                    rank.insert(m, i);
                }
                S(ms) => ms.iter().for_each(|m| {
                    rank.insert(m, i);
                }),
            }
        }
        let groups: BTreeSet<&str> = rank.keys().filter_map(|k| k.split_once("::").map(|(g, _)| g)).collect();
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        for file in &files {
            let Some(from) = node(&src, file, &groups) else { continue };
            let text = code(&std::fs::read_to_string(file).unwrap());
            let mut targets: Vec<String> = Vec::new();
            for path in crate_paths(&text) {
                let first = &path[0];
                targets.push(match path.get(1) {
                    Some(second)
                        if groups.contains(first.as_str())
                            && rank.contains_key(format!("{first}::{second}").as_str()) =>
                    {
                        format!("{first}::{second}")
                    }
                    _ => first.clone(),
                });
            }
            // `super::x` in a sibling of a folder of siblings names another sibling.
            if let Some((group, _)) = from.split_once("::") {
                for path in text.match_indices("super::").map(|(i, _)| words(&text[i + "super::".len()..])) {
                    if let Some(first) = path.first()
                        && rank.contains_key(format!("{group}::{first}").as_str())
                    {
                        targets.push(format!("{group}::{first}"));
                    }
                }
            }
            for to in targets {
                if to != from {
                    edges.insert((from.clone(), to));
                }
            }
            if !rank.contains_key(from.as_str()) {
                violations.push(format!("{krate}: module `{from}` ({}) is in no layer", file.display()));
            }
        }
        for (from, to) in &edges {
            let (Some(&f), t) = (rank.get(from.as_str()), rank.get(to.as_str())) else { continue };
            match t {
                None if !rank.keys().any(|k| k.starts_with(&format!("{to}::"))) => violations.push(format!(
                    "{krate}: `{from}` uses `crate::{to}`, which is the crate root's or no module: import it from the module that defines it"
                )),
                Some(&t) if t >= f => violations.push(format!(
                    "{krate}: `{from}` imports `{to}`, {}",
                    if t == f { "a module of its own layer" } else { "a module of a higher layer" }
                )),
                _ => {}
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// The `[dependencies]` and `[build-dependencies]` of a manifest that are workspace crates.
fn workspace_dependencies(manifest: &str, members: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_section = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[dependencies]" || line == "[build-dependencies]";
            continue;
        }
        if !in_section || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default().trim();
        if members.contains(name) {
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn crates_depend_only_on_the_crates_below_them() {
    let root = test_support::workspace();
    let members: BTreeSet<String> = DEPENDENCIES.iter().map(|(c, _)| c.to_string()).collect();
    let mut violations = Vec::new();
    for (krate, allowed) in DEPENDENCIES {
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml")).unwrap();
        for dep in workspace_dependencies(&manifest, &members) {
            if !allowed.contains(&dep.as_str()) {
                violations.push(format!("{krate} depends on {dep}, which it may not (allowed: {allowed:?})"));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_generic_crate_has_a_tasker_word() {
    let root = test_support::workspace();
    let mut found = Vec::new();
    for krate in GENERIC {
        let mut files = vec![root.join(krate).join("Cargo.toml")];
        rust_files(&root.join(krate).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.to_lowercase().contains("tasker") {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "Tasker words in generic crates:\n{}", found.join("\n"));
}

#[test]
fn the_scan_sees_imports() {
    // The parser of this file, on the forms the crates write.
    assert_eq!(crate_paths("use crate::diag::{Ctxt, Message};"), [vec!["diag".to_owned()]]);
    assert_eq!(
        crate_paths("use crate::{check, plan::names};\nx(crate::model::Y);"),
        [
            vec!["check".to_owned()],
            vec!["plan".to_owned(), "names".to_owned()],
            vec!["model".to_owned(), "Y".to_owned()]
        ]
    );
    assert!(crate_paths("use catalog_crate::x;").is_empty());
    assert!(crate_paths("$crate::recorder!(x)").is_empty());
    assert!(crate_paths("crate::label_enum!(x)").is_empty());
    let groups: BTreeSet<&str> = ["emit"].into();
    let src = Path::new("/c/src");
    assert_eq!(node(src, Path::new("/c/src/emit/rules.rs"), &groups).as_deref(), Some("emit::rules"));
    assert_eq!(node(src, Path::new("/c/src/emit/mod.rs"), &groups).as_deref(), Some("emit"));
    assert_eq!(node(src, Path::new("/c/src/plan/names.rs"), &groups).as_deref(), Some("plan"));
    assert_eq!(node(src, Path::new("/c/src/lib.rs"), &groups), None);
}
