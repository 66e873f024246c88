//! The Prometheus rule file and its `promtool test rules` file, generated from the catalog.
//!
//! Alerting rules come from every metric's `alerts` (one group per domain); recording rules from
//! the rate expressions the dashboards reuse ([`crate::plan::recording`]), which the Grafana
//! dashboards then read instead of recomputing them. The test file holds each alert's cases
//! from the catalog, with the labels and annotations promtool must see rendered exactly.
//!
//! YAML is written by yaml-rust2's emitter (already in the tree through marked-yaml), which quotes
//! what YAML would otherwise read as another type; promtool reads the result back in the tests.

use crate::plan::Plan;
use crate::plan::names::{alert_anchor, rule_file};
use catalog_model::model::{Alert, Catalog, Metric};
use catalog_model::notation::render_template;
use std::collections::BTreeMap;
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

/// How the rule files name their catalog and link back to the reference.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The catalog file as the header names it, e.g. `metrics.yaml`.
    pub catalog: String,
    /// The command that regenerates the files, for their header.
    pub regenerate: String,
    /// The reference, relative to the rule file's directory or as a URL: the base of `runbook_url`.
    pub reference: String,
}

/// The annotations of an alert, rendered for one expected alert's labels when `labels` is given.
fn annotations(plan: &Plan, layout: &Layout, a: &Alert, labels: Option<&BTreeMap<String, String>>) -> Hash {
    let c = plan.catalog;
    let mut h = Hash::new();
    let text = |t: &str| match labels {
        Some(l) => render_template(t.trim(), l),
        None => t.trim().to_owned(),
    };
    h.insert(s("summary"), s(&text(&a.summary)));
    if let Some(d) = &a.description {
        h.insert(s("description"), s(&text(d)));
    }
    h.insert(s("runbook_url"), s(&format!("{}#{}", layout.reference, alert_anchor(a))));
    if let Some((d, p)) = plan.alert_panel(a) {
        let dash = &c.dashboards[d];
        let link = match &c.document.grafana_url {
            Some(url) => format!("{}/d/{}?viewPanel={}", url.trim_end_matches('/'), plan.dashboards[d].uid, p + 1),
            None => format!("{} › {}", dash.title.trim(), dash.panels[p].title.trim()),
        };
        h.insert(s("dashboard"), s(&link));
    }
    h
}

fn s(text: &str) -> Yaml {
    Yaml::String(text.to_owned())
}

fn map(pairs: impl IntoIterator<Item = (&'static str, Yaml)>) -> Yaml {
    Yaml::Hash(pairs.into_iter().map(|(k, v)| (s(k), v)).collect())
}

fn dump(header: &str, doc: &Yaml) -> String {
    let mut body = String::new();
    let mut emitter = yaml_rust2::YamlEmitter::new(&mut body);
    emitter.multiline_strings(true);
    // Writing into a String cannot fail, and every node here is a string, list or map.
    emitter.dump(doc).expect("YAML emission into a String");
    let body = body.strip_prefix("---\n").unwrap_or(&body);
    format!("{header}{body}\n")
}

pub(crate) fn header(layout: &Layout, what: &str) -> String {
    format!(
        "# {what}, generated from {} by docs-gen.\n# Do not edit: change the catalog and run `{}`.\n",
        layout.catalog, layout.regenerate
    )
}

/// The rule group an alert goes in: `<meter>.<domain>`, or `<meter>.alerts` in a flat catalog.
fn group_name(c: &Catalog, m: &Metric) -> String {
    match m.domain {
        Some(d) => format!("{}.{}", c.meter_name, c.domains[d].id),
        None => format!("{}.alerts", c.meter_name),
    }
}

/// The rule file, or `None` when the catalog has neither alerts nor rates the dashboards reuse.
pub fn render_rules(plan: &Plan, layout: &Layout) -> Option<String> {
    let c = plan.catalog;
    let mut groups: Vec<(String, Vec<Yaml>)> = Vec::new();
    for m in &c.metrics {
        for a in &m.alerts {
            let group = group_name(c, m);
            let mut rule = Hash::new();
            rule.insert(s("alert"), s(&a.name));
            rule.insert(s("expr"), s(a.query.expr.trim()));
            if let Some(f) = &a.for_duration {
                rule.insert(s("for"), s(f));
            }
            rule.insert(s("labels"), map([("severity", s(a.severity.as_str()))]));
            rule.insert(s("annotations"), Yaml::Hash(annotations(plan, layout, a, None)));
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, rules)) => rules.push(Yaml::Hash(rule)),
                None => groups.push((group, vec![Yaml::Hash(rule)])),
            }
        }
    }
    let recording = &plan.recording;
    if !recording.is_empty() {
        let rules = recording.iter().map(|r| map([("record", s(&r.record)), ("expr", s(&r.expr))])).collect();
        groups.push((format!("{}.recording", c.meter_name), rules));
    }
    if groups.is_empty() {
        return None;
    }
    let groups = groups.into_iter().map(|(name, rules)| map([("name", s(&name)), ("rules", Yaml::Array(rules))]));
    let doc = map([("groups", Yaml::Array(groups.collect()))]);
    Some(dump(&header(layout, "Prometheus alerting and recording rules"), &doc))
}

/// The `promtool test rules` file: each alert test case of the catalog, in Prometheus 2.42's
/// format. `None` when the catalog has no alerts.
pub fn render_tests(plan: &Plan, layout: &Layout) -> Option<String> {
    let c = plan.catalog;
    let rule_file = rule_file(c);
    let rule_file = rule_file.rsplit('/').next().unwrap_or(&rule_file);
    let mut tests = Vec::new();
    for a in c.metrics.iter().flat_map(|m| &m.alerts) {
        for t in &a.tests {
            let input = t.input.iter().map(|(series, values)| map([("series", s(series)), ("values", s(values))]));
            let expected = t.fires.iter().map(|labels| {
                let mut all = labels.clone();
                all.insert("severity".into(), a.severity.as_str().into());
                let exp_labels = Yaml::Hash(all.iter().map(|(k, v)| (s(k), s(v))).collect());
                map([
                    ("exp_labels", exp_labels),
                    ("exp_annotations", Yaml::Hash(annotations(plan, layout, a, Some(&all)))),
                ])
            });
            let check = map([
                ("eval_time", s(&t.eval_at)),
                ("alertname", s(&a.name)),
                ("exp_alerts", Yaml::Array(expected.collect())),
            ]);
            let verdict = if t.quiet() { "stays quiet" } else { "fires" };
            tests.push(map([
                ("name", s(&format!("{} {verdict} at {}: {}", a.name, t.eval_at, t.case.trim()))),
                ("interval", s(&t.interval)),
                ("input_series", Yaml::Array(input.collect())),
                ("alert_rule_test", Yaml::Array(vec![check])),
            ]));
        }
    }
    if tests.is_empty() {
        return None;
    }
    let doc = map([
        ("rule_files", Yaml::Array(vec![s(rule_file)])),
        ("evaluation_interval", s("1m")),
        ("tests", Yaml::Array(tests)),
    ]);
    Some(dump(&header(layout, "Unit tests of the alerting rules (`promtool test rules`)"), &doc))
}
