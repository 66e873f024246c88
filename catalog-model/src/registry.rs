//! An OpenTelemetry semantic-conventions registry (its `model/` directory) read as a catalog: the
//! metrics a selection names (`http.server.*`), with the attributes they use, written out as the
//! catalog file every other stage reads. Both of the registry's syntaxes are read: `groups:`
//! (attribute groups with `id`, metrics as `type: metric` with `metric_name`, `extends`, `ref`)
//! and `file_format: definition/2` (`attributes:` with `key`, `attribute_groups:`, `metrics:` with
//! `name`, `ref_group`).
//!
//! What the conversion maps, and how:
//! - an attribute becomes a label under its key, with its type (`boolean` as `bool`, arrays as
//!   `T[]`), brief, examples, stability and deprecation; an enum (`members`) becomes `values`, each
//!   member with its id as its variant and its own stability and deprecation, and, for strings,
//!   `open: true` (the conventions' enums accept other values);
//! - a metric becomes a metric with its instrument, number type (`annotations.code_generation.
//!   metric_value_type`, `double` when absent), unit, brief, stability and deprecation, and each
//!   attribute it uses (through `ref`, `ref_group`, `extends`) as a use with its requirement level,
//!   brief and examples where the metric gives them;
//! - a metric refinement (`hw.errors` of a CPU) adds the attributes it uses that its metric lacks
//!   to that metric, conditionally required (or recommended, opt-in) "on" the refinement: one
//!   metric, one Prometheus name, one recorder;
//! - what the catalog has no place for is left out and said in [`Imported::left_out`]: template
//!   attributes (`template[string]`, a key per header).
//!
//! The registry is read with marked-yaml, as the catalog is, node by node: the conventions' files
//! carry fields this conversion does not need, which a serde struct per syntax would have to
//! list.

use marked_yaml::Node;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

/// A registry selection converted.
#[derive(Debug)]
pub struct Imported {
    /// The catalog, as YAML text.
    pub catalog: String,
    /// How many metrics it has.
    pub metrics: usize,
    /// How many YAML files were read.
    pub files: usize,
    /// What was left out, and why, one line each.
    pub left_out: Vec<String>,
    /// How many metric refinements were merged into the metrics they refine.
    pub refinements: usize,
}

#[derive(Debug, Clone, Default)]
struct Attribute {
    key: String,
    ty: Option<String>,
    brief: String,
    examples: Vec<String>,
    stability: Option<String>,
    deprecated: Option<Yaml>,
    /// `(value, variant, stability, deprecated)` of an enum's members.
    members: Vec<(Yaml, String, Option<String>, Option<Yaml>)>,
    /// Why it cannot be a label, if it cannot.
    unusable: Option<String>,
}

/// One use of an attribute by a group or metric, as written.
#[derive(Debug, Clone)]
enum Use {
    Ref { key: String, requirement: Option<Yaml>, brief: Option<String>, examples: Vec<String> },
    Group(String),
}

#[derive(Debug, Default)]
struct Group {
    extends: Option<String>,
    uses: Vec<Use>,
}

#[derive(Debug)]
struct MetricDef {
    name: String,
    instrument: String,
    value_type: Option<String>,
    unit: String,
    brief: String,
    stability: Option<String>,
    deprecated: Option<Yaml>,
    extends: Option<String>,
    uses: Vec<Use>,
    file: PathBuf,
}

#[derive(Default)]
struct Registry {
    attributes: BTreeMap<String, Attribute>,
    groups: BTreeMap<String, Group>,
    metrics: Vec<MetricDef>,
    refinements: Vec<Refinement>,
    files: usize,
}

/// A metric refinement: the metric it refines (`ref`), and the attributes it uses there.
#[derive(Debug)]
struct Refinement {
    id: String,
    metric: String,
    uses: Vec<Use>,
}

fn s(text: &str) -> Yaml {
    Yaml::String(text.to_owned())
}

fn text(n: Option<&Node>) -> Option<String> {
    n.and_then(Node::as_scalar).map(|x| x.as_str().trim().to_owned())
}

fn get<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    n.as_mapping()?.get_node(key)
}

fn list(n: Option<&Node>) -> Vec<&Node> {
    n.and_then(Node::as_sequence).map(|s| s.iter().collect()).unwrap_or_default()
}

/// A node as plain YAML (deprecations, requirement levels and examples are copied over as they are).
fn plain(n: &Node) -> Yaml {
    match n {
        Node::Scalar(x) => s(x.as_str()),
        Node::Sequence(q) => Yaml::Array(q.iter().map(plain).collect()),
        Node::Mapping(m) => Yaml::Hash(m.iter().map(|(k, v)| (s(k.as_str()), plain(v))).collect()),
    }
}

/// Examples as text: a scalar or a list of them (an array attribute's example, a list, is
/// written as JSON-ish text).
fn examples(n: Option<&Node>) -> Vec<String> {
    let one = |n: &Node| match n {
        Node::Scalar(x) => x.as_str().to_owned(),
        Node::Sequence(q) => {
            format!("[{}]", q.iter().filter_map(|v| text(Some(v))).collect::<Vec<_>>().join(", "))
        }
        Node::Mapping(_) => String::new(),
    };
    match n {
        None => Vec::new(),
        Some(Node::Sequence(q)) => q.iter().map(one).filter(|e| !e.is_empty()).collect(),
        Some(other) => vec![one(other)],
    }
}

/// `http.request.method`'s member `get` → `Get`; `1.1` → `V1_1` is left to the catalog.
fn variant(id: &str) -> String {
    let mut out = String::new();
    for word in id.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut c = word.chars();
        if let Some(f) = c.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(c);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// A stability as the catalog spells it: the conventions' older `experimental` is `development`.
fn stability(n: Option<&Node>) -> Option<String> {
    text(n).map(|s| if s == "experimental" { "development".to_owned() } else { s })
}

fn attribute(n: &Node, key: String) -> Attribute {
    let mut a = Attribute {
        key,
        brief: text(get(n, "brief")).unwrap_or_default(),
        examples: examples(get(n, "examples")),
        stability: stability(get(n, "stability")),
        deprecated: get(n, "deprecated").map(plain),
        ..Default::default()
    };
    match get(n, "type") {
        Some(Node::Scalar(t)) => {
            let t = t.as_str();
            if t.starts_with("template[") {
                a.unusable = Some(format!("a template attribute (`{t}`): one key per instance"));
            } else if t == "any" {
                a.unusable = Some("of type `any`".into());
            } else {
                a.ty = Some(t.replace("boolean", "bool"));
            }
        }
        Some(t @ Node::Mapping(_)) => {
            for m in list(get(t, "members")) {
                let Some(value) = get(m, "value") else { continue };
                let id = text(get(m, "id")).unwrap_or_default();
                a.members.push((
                    plain(value),
                    variant(&id),
                    stability(get(m, "stability")),
                    get(m, "deprecated").map(plain),
                ));
            }
            // An enum of integers is an `int` attribute; of strings, a `string` one.
            let ints = a.members.iter().all(|(v, ..)| matches!(v, Yaml::String(t) if t.parse::<i64>().is_ok()));
            a.ty = Some(if ints && !a.members.is_empty() { "int" } else { "string" }.into());
        }
        _ => a.ty = Some("string".into()),
    }
    a
}

fn uses(n: Option<&Node>) -> Vec<Use> {
    list(n)
        .into_iter()
        .filter_map(|u| {
            if let Some(g) = text(get(u, "ref_group")) {
                return Some(Use::Group(g));
            }
            let key = text(get(u, "ref")).or_else(|| text(get(u, "id"))).or_else(|| text(get(u, "key")))?;
            Some(Use::Ref {
                key,
                requirement: get(u, "requirement_level").map(plain),
                brief: text(get(u, "brief")),
                examples: examples(get(u, "examples")),
            })
        })
        .collect()
}

impl Registry {
    fn read_file(&mut self, path: &Path) -> Result<(), String> {
        let body = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root = marked_yaml::parse_yaml(0, &body).map_err(|e| format!("{}: {e}", path.display()))?;
        self.files += 1;
        let definition2 = text(get(&root, "file_format")).is_some_and(|f| f.starts_with("definition/2"));
        if definition2 {
            for a in list(get(&root, "attributes")) {
                if let Some(key) = text(get(a, "key")) {
                    self.attributes.insert(key.clone(), attribute(a, key));
                }
            }
            for g in list(get(&root, "attribute_groups")) {
                if let Some(id) = text(get(g, "id")) {
                    self.groups.insert(id, Group { extends: None, uses: uses(get(g, "attributes")) });
                }
            }
            for m in list(get(&root, "metrics")) {
                self.metric(m, text(get(m, "name")), path);
            }
            for r in list(get(&root, "metric_refinements")) {
                self.refinement(r);
            }
            return Ok(());
        }
        for g in list(get(&root, "groups")) {
            let Some(id) = text(get(g, "id")) else { continue };
            // Attribute definitions are wherever an attribute has an `id` (the registry's groups).
            for a in list(get(g, "attributes")) {
                if let Some(key) = text(get(a, "id")) {
                    self.attributes.insert(key.clone(), attribute(a, key));
                }
            }
            match text(get(g, "type")).as_deref() {
                Some("metric") => self.metric(g, text(get(g, "metric_name")), path),
                Some("metric_refinement") => self.refinement(g),
                _ => {
                    self.groups
                        .insert(id, Group { extends: text(get(g, "extends")), uses: uses(get(g, "attributes")) });
                }
            }
        }
        Ok(())
    }

    fn refinement(&mut self, r: &Node) {
        let (Some(id), Some(metric)) = (text(get(r, "id")), text(get(r, "ref")).or_else(|| text(get(r, "extends"))))
        else {
            return;
        };
        self.refinements.push(Refinement {
            id,
            metric: metric.trim_start_matches("metric.").to_owned(),
            uses: uses(get(r, "attributes")),
        });
    }

    fn metric(&mut self, m: &Node, name: Option<String>, path: &Path) {
        let Some(name) = name else { return };
        let value_type = get(m, "annotations")
            .and_then(|a| get(a, "code_generation"))
            .and_then(|c| text(get(c, "metric_value_type")));
        self.metrics.push(MetricDef {
            name,
            instrument: text(get(m, "instrument")).unwrap_or_default(),
            value_type,
            unit: text(get(m, "unit")).unwrap_or_else(|| "1".into()),
            brief: text(get(m, "brief")).unwrap_or_default(),
            stability: stability(get(m, "stability")),
            deprecated: get(m, "deprecated").map(plain),
            extends: text(get(m, "extends")),
            uses: uses(get(m, "attributes")),
            file: path.to_owned(),
        });
    }

    /// Every attribute use of a group (its `extends` first, then its own), each key once, the
    /// later use of a key over the earlier.
    fn expand(&self, extends: Option<&str>, own: &[Use], depth: usize, out: &mut Vec<Use>) {
        if depth > 32 {
            return; // A cycle of `extends`: the registry's own tools refuse it.
        }
        if let Some(g) = extends.and_then(|e| self.groups.get(e)) {
            self.expand(g.extends.as_deref(), &g.uses, depth + 1, out);
        }
        for u in own {
            match u {
                Use::Group(id) => {
                    if let Some(g) = self.groups.get(id) {
                        self.expand(g.extends.as_deref(), &g.uses, depth + 1, out);
                    }
                }
                Use::Ref { key, .. } => {
                    out.retain(|o| !matches!(o, Use::Ref { key: k, .. } if k == key));
                    out.push(u.clone());
                }
            }
        }
    }
}

/// Whether `name` matches `pattern`, where `*` stands for any text (`http.server.*`).
pub fn matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            yaml_files(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// The metrics of the registry at `dir` that `select` names (every one when it is empty), as a
/// catalog whose meter is `meter`.
pub fn import(dir: &Path, select: &[String], meter: &str) -> Result<Imported, String> {
    let mut files = Vec::new();
    yaml_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no YAML files: give the registry's `model/` directory", dir.display()));
    }
    let mut r = Registry::default();
    let mut left_out = Vec::new();
    let mut refined = 0;
    for f in &files {
        // A file the YAML parser refuses (yaml-rust2 is stricter about a flow list's closing
        // bracket than the conventions' own tools) is left out and said, not the whole registry.
        if let Err(e) = r.read_file(f) {
            left_out.push(format!("the file {e}"));
        }
    }
    let mut labels: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut metrics = Vec::new();
    let selected: Vec<&MetricDef> =
        r.metrics.iter().filter(|m| select.is_empty() || select.iter().any(|p| matches(p, &m.name))).collect();
    // Names that differ only in `.` and `_` are one name in Prometheus and Rust: where one of them
    // is deprecated, it is left out (the catalog's check would ask the same), and said.
    let flat = |n: &str| n.replace('.', "_");
    let dropped: BTreeSet<&str> = selected
        .iter()
        .filter(|m| m.deprecated.is_some())
        .filter(|m| {
            selected.iter().any(|o| o.name != m.name && flat(&o.name) == flat(&m.name) && o.deprecated.is_none())
        })
        .map(|m| m.name.as_str())
        .collect();
    for m in selected {
        if dropped.contains(m.name.as_str()) {
            left_out.push(format!(
                "{}: deprecated, and Prometheus and Rust write its name as they write that of the metric that replaces it",
                m.name
            ));
            continue;
        }
        let instrument = match m.instrument.as_str() {
            "counter" => "counter",
            "updowncounter" => "up_down_counter",
            "histogram" => "histogram",
            "gauge" => "gauge",
            other => {
                left_out.push(format!("{}: instrument `{other}` ({})", m.name, m.file.display()));
                continue;
            }
        };
        let number = match (m.value_type.as_deref(), instrument) {
            (Some("int"), "counter" | "histogram") => "u64",
            (Some("int"), _) => "i64",
            _ => "f64",
        };
        let mut used = Vec::new();
        r.expand(m.extends.as_deref(), &m.uses, 0, &mut used);
        // A refinement is the metric where it applies (`hw.errors` of a CPU): its attributes the
        // metric does not have are added, at most conditionally required, on the refinement.
        for refinement in r.refinements.iter().filter(|x| x.metric == m.name) {
            let mut extra = Vec::new();
            r.expand(None, &refinement.uses, 0, &mut extra);
            for u in extra {
                let Use::Ref { key, requirement, brief, examples } = u else { continue };
                if used.iter().any(|o| matches!(o, Use::Ref { key: k, .. } if *k == key)) {
                    continue;
                }
                let when = format!("On `{}`, a refinement of the metric.", refinement.id);
                let requirement = match requirement.as_ref().and_then(Yaml::as_str) {
                    Some("opt_in") => s("opt_in"),
                    Some("recommended") | None => {
                        let mut h = Hash::new();
                        h.insert(s("recommended"), s(&when));
                        Yaml::Hash(h)
                    }
                    _ => {
                        let mut h = Hash::new();
                        h.insert(s("conditionally_required"), s(&when));
                        Yaml::Hash(h)
                    }
                };
                used.push(Use::Ref { key, requirement: Some(requirement), brief, examples });
            }
            refined += 1;
        }
        let mut uses = Vec::new();
        for u in used {
            let Use::Ref { key, requirement, brief, examples } = u else { continue };
            let Some(a) = r.attributes.get(&key) else {
                left_out.push(format!("{}: attribute `{key}`, which the registry does not define", m.name));
                continue;
            };
            if let Some(why) = &a.unusable {
                left_out.push(format!("{}: attribute `{key}`, {why}", m.name));
                continue;
            }
            labels.entry(key.clone()).or_insert_with(|| label(a));
            let mut h = Hash::new();
            h.insert(s("ref"), s(&key));
            // The conventions' default requirement level is `recommended`.
            h.insert(s("requirement_level"), requirement.unwrap_or_else(|| s("recommended")));
            if let Some(b) = brief {
                h.insert(s("brief"), s(&b));
            }
            if !examples.is_empty() && (a.members.is_empty() || a.ty.as_deref() == Some("string")) {
                h.insert(s("examples"), Yaml::Array(examples.iter().map(|e| s(e)).collect()));
            }
            uses.push(Yaml::Hash(h));
        }
        let mut h = Hash::new();
        h.insert(s("name"), s(&m.name));
        h.insert(s("instrument"), s(instrument));
        h.insert(s("type"), s(number));
        h.insert(s("unit"), s(&m.unit));
        h.insert(s("description"), s(if m.brief.is_empty() { &m.name } else { &m.brief }));
        if !uses.is_empty() {
            h.insert(s("labels"), Yaml::Array(uses));
        }
        if let Some(st) = &m.stability {
            h.insert(s("stability"), s(st));
        }
        if let Some(d) = m.deprecated.as_ref().and_then(deprecation) {
            h.insert(s("deprecated"), d);
        }
        metrics.push(Yaml::Hash(h));
    }
    // A refinement of a metric outside the selection, or of none the registry defines, is said.
    for x in &r.refinements {
        if !r.metrics.iter().any(|m| m.name == x.metric) {
            left_out
                .push(format!("refinement `{}`: it refines `{}`, which the registry does not define", x.id, x.metric));
        }
    }
    let count = metrics.len();
    let mut doc = Hash::new();
    let mut document = Hash::new();
    document.insert(s("meter_name"), s(meter));
    doc.insert(s("document"), Yaml::Hash(document));
    doc.insert(s("labels"), Yaml::Hash(labels.into_iter().map(|(k, v)| (s(&k), v)).collect()));
    doc.insert(s("metrics"), Yaml::Array(metrics));
    let mut body = String::new();
    let mut emitter = yaml_rust2::YamlEmitter::new(&mut body);
    emitter.multiline_strings(true);
    emitter.dump(&Yaml::Hash(doc)).map_err(|e| format!("writing the catalog: {e}"))?;
    let body = body.strip_prefix("---\n").unwrap_or(&body);
    let selection = if select.is_empty() { "every metric".to_owned() } else { select.join(", ") };
    let catalog = format!("# Generated by `docs-gen registry` from {} ({selection}).\n{body}\n", dir.display());
    Ok(Imported { catalog, metrics: count, files: r.files, left_out, refinements: refined })
}

/// The conventions' deprecation (`{reason: renamed, renamed_to: x}`, `{reason: obsoleted, note}`,
/// or a sentence) as the catalog's `{since, reason, renamed_to}`; the registry does not say
/// since when.
fn deprecation(d: &Yaml) -> Option<Yaml> {
    let mut h = Hash::new();
    h.insert(s("since"), s("the semantic conventions"));
    match d {
        Yaml::String(text) => {
            h.insert(s("reason"), s(text));
        }
        Yaml::Hash(m) => {
            let field = |k: &str| m.get(&s(k)).and_then(Yaml::as_str).map(str::to_owned);
            let reason = field("note").or_else(|| field("reason")).unwrap_or_else(|| "deprecated".into());
            h.insert(s("reason"), s(&reason));
            if let Some(to) = field("renamed_to") {
                h.insert(s("renamed_to"), s(&to));
            }
        }
        _ => return None,
    }
    Some(Yaml::Hash(h))
}

fn label(a: &Attribute) -> Yaml {
    let mut h = Hash::new();
    if let Some(t) = &a.ty
        && t != "string"
    {
        h.insert(s("type"), s(t));
    }
    // Every use says its level; the definition's stays the catalog's default.
    h.insert(s("description"), s(if a.brief.is_empty() { &a.key } else { &a.brief }));
    if let Some(st) = &a.stability {
        h.insert(s("stability"), s(st));
    }
    if let Some(d) = a.deprecated.as_ref().and_then(deprecation) {
        h.insert(s("deprecated"), d);
    }
    // Examples of a free-form attribute, or of the other values of an open enum (`error.type`'s
    // exception names).
    let open = !a.members.is_empty() && a.ty.as_deref() == Some("string");
    if (a.members.is_empty() || open) && !a.examples.is_empty() {
        h.insert(s("examples"), Yaml::Array(a.examples.iter().map(|e| s(e)).collect()));
    }
    if !a.members.is_empty() {
        let mut seen = BTreeSet::new();
        let values = a
            .members
            .iter()
            .filter(|(v, ..)| seen.insert(format!("{v:?}")))
            .map(|(v, variant, stability, deprecated)| {
                let mut m = Hash::new();
                let value = match v {
                    Yaml::String(t) if a.ty.as_deref() == Some("int") => Yaml::Integer(t.parse().unwrap_or_default()),
                    other => other.clone(),
                };
                m.insert(s("value"), value);
                if !variant.is_empty() {
                    m.insert(s("variant"), s(variant));
                }
                if let Some(st) = stability {
                    m.insert(s("stability"), s(st));
                }
                if let Some(d) = deprecated.as_ref().and_then(deprecation) {
                    m.insert(s("deprecated"), d);
                }
                Yaml::Hash(m)
            })
            .collect();
        h.insert(s("values"), Yaml::Array(values));
        if a.ty.as_deref() == Some("string") {
            h.insert(s("open"), Yaml::Boolean(true));
        }
    }
    Yaml::Hash(h)
}

#[cfg(test)]
mod tests {
    #[test]
    fn selections_are_globs() {
        use super::matches;
        assert!(matches("http.server.*", "http.server.request.duration"));
        assert!(!matches("http.server.*", "http.client.request.duration"));
        assert!(matches("db.client.*.duration", "db.client.operation.duration"));
        assert!(matches("hw.errors", "hw.errors"));
        assert!(!matches("hw.errors", "hw.errors.total"));
        assert!(matches("*", "anything"));
    }
}
