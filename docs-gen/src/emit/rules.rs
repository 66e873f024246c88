//! The Prometheus rule file and its `promtool test rules` file, generated from the catalog.
//!
//! Alerting rules come from every metric's `alerts` (one group per domain); recording rules from
//! the rate expressions the dashboards reuse ([`recording_rules`]), which the Grafana dashboards
//! then read instead of recomputing them ([`rewrite`]). The test file holds each alert's cases
//! from the catalog, with the labels and annotations promtool must see rendered exactly.
//!
//! YAML is written by yaml-rust2's emitter (already in the tree through marked-yaml), which quotes
//! what YAML would otherwise read as another type; promtool reads the result back in the tests.

use crate::catalog::model::{Alert, Catalog, Metric, render_template};
use crate::promql::{self, SeriesIndex};
use promql_parser::parser::{AggregateExpr, Expr, LabelModifier};
use std::collections::BTreeMap;
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

/// Where the generated files go, relative to the deploy directory, and how they link back.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The catalog file as the header names it, e.g. `metrics.yaml`.
    pub catalog: String,
    /// The command that regenerates the files, for their header.
    pub regenerate: String,
    /// The reference, relative to the rule file's directory or as a URL: the base of `runbook_url`.
    pub reference: String,
}

impl Layout {
    /// `deploy/prometheus/<meter>.rules.yml`, relative to the deploy directory.
    pub fn rule_file(c: &Catalog) -> String {
        format!("prometheus/{}.rules.yml", file_stem(&c.meter_name))
    }

    /// `deploy/prometheus/<meter>.rules.test.yml`.
    pub fn test_file(c: &Catalog) -> String {
        format!("prometheus/{}.rules.test.yml", file_stem(&c.meter_name))
    }
}

/// A name safe as a file name: the meter name with anything but `[A-Za-z0-9._-]` made `_`.
pub fn file_stem(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// A recording rule, and the aggregation of the dashboards' queries it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingRule {
    /// `level:metric:operations`, e.g. `job_namespace:tasker_step_execution_duration_milliseconds_count:rate5m`.
    pub record: String,
    /// `sum by (job, namespace) (rate(...[5m]))`.
    pub expr: String,
    /// The grouping labels of the aggregation it replaces (without `job`).
    by: Vec<String>,
    /// The rate the rule precomputes, as promql-parser prints it: `rate(x[5m])`.
    rate: String,
    /// How many dashboard targets use it.
    pub uses: usize,
}

/// `sum(rate(M[R]))` or `sum by (L) (rate(M[R]))` without matchers: the aggregation a recording
/// rule can precompute. Returns the grouping labels and the rate's text.
fn rate_sum(e: &Expr) -> Option<(Vec<String>, String, String, String)> {
    let Expr::Aggregate(AggregateExpr { op, expr, param: None, modifier }) = e else { return None };
    if op.to_string() != "sum" {
        return None;
    }
    let by = match modifier {
        None => Vec::new(),
        Some(LabelModifier::Include(l)) => l.labels.clone(),
        Some(LabelModifier::Exclude(_)) => return None,
    };
    let Expr::Call(call) = expr.as_ref() else { return None };
    if call.func.name != "rate" || call.args.args.len() != 1 {
        return None;
    }
    let Expr::MatrixSelector(m) = call.args.args[0].as_ref() else { return None };
    let name = m.vs.name.clone()?;
    if !m.vs.matchers.matchers.is_empty()
        || !m.vs.matchers.or_matchers.is_empty()
        || m.vs.offset.is_some()
        || m.vs.at.is_some()
    {
        return None;
    }
    let range = promql_parser::util::display_duration(&m.range);
    Some((by, expr.to_string(), name, range))
}

/// The recording rules: every `sum [by (L)] (rate(M[R]))` that two or more dashboard targets
/// compute (the rates the dashboards reuse), recorded per job so that any dashboard filter by job
/// still works, and named by Prometheus's `level:metric:operations` convention (`_total` dropped
/// from a counter's name, as the convention's examples do). In order of first use.
pub fn recording_rules(c: &Catalog) -> Vec<RecordingRule> {
    let mut rules: Vec<RecordingRule> = Vec::new();
    let index = SeriesIndex::new(c);
    // The targets as the dashboards run them: a target filtered by a variable has matchers, and
    // no recording rule stands for it.
    let targets = c.dashboards.iter().flat_map(|d| {
        let vars = crate::emit::grafana::variables(c, d);
        let index = &index;
        d.panels
            .iter()
            .flat_map(|p| &p.queries)
            .map(move |q| crate::emit::grafana::filtered(c, index, &vars, q).unwrap_or_else(|| q.ast.clone()))
    });
    for ast in targets {
        promql::walk(&ast, &mut |e| {
            let Some((by, rate, name, range)) = rate_sum(e) else { return };
            if let Some(r) = rules.iter_mut().find(|r| r.by == by && r.rate == rate) {
                r.uses += 1;
                return;
            }
            let mut level = vec!["job".to_owned()];
            level.extend(by.iter().cloned());
            let metric = name.strip_suffix("_total").unwrap_or(&name);
            let record = format!("{}:{metric}:rate{range}", level.join("_"));
            let expr = format!("sum by ({}) ({rate})", level.join(", "));
            rules.push(RecordingRule { record, expr, by, rate, uses: 1 });
        });
    }
    rules.retain(|r| r.uses >= 2);
    rules
}

/// A dashboard target with every aggregation a recording rule precomputes replaced by a sum over
/// the rule's series: `sum by (L) (rate(M[5m]))` → `sum by (L) (job_L:M:rate5m)`, the same value
/// (the rule's `job` dimension is summed away). Printed by promql-parser; unchanged when no rule
/// applies.
pub fn rewrite(expr: &Expr, rules: &[RecordingRule]) -> Option<String> {
    let mut changed = false;
    let rewritten = replace(expr, rules, &mut changed);
    changed.then(|| rewritten.to_string())
}

fn replace(e: &Expr, rules: &[RecordingRule], changed: &mut bool) -> Expr {
    if let Some((by, rate, _, _)) = rate_sum(e)
        && let Some(rule) = rules.iter().find(|r| r.by == by && r.rate == rate)
    {
        let text = if by.is_empty() {
            format!("sum({})", rule.record)
        } else {
            format!("sum by ({}) ({})", by.join(", "), rule.record)
        };
        if let Ok(ast) = promql_parser::parser::parse(&text) {
            *changed = true;
            return ast;
        }
    }
    let mut e = e.clone();
    match &mut e {
        Expr::Aggregate(a) => {
            if let Some(p) = &mut a.param {
                **p = replace(p, rules, changed);
            }
            *a.expr = replace(&a.expr, rules, changed);
        }
        Expr::Unary(u) => *u.expr = replace(&u.expr, rules, changed),
        Expr::Binary(b) => {
            *b.lhs = replace(&b.lhs, rules, changed);
            *b.rhs = replace(&b.rhs, rules, changed);
        }
        Expr::Paren(p) => *p.expr = replace(&p.expr, rules, changed),
        Expr::Subquery(s) => *s.expr = replace(&s.expr, rules, changed),
        Expr::Call(c) => {
            for a in &mut c.args.args {
                **a = replace(a, rules, changed);
            }
        }
        _ => {}
    }
    e
}

/// The dashboard and panel an alert belongs to: the first panel that shows every metric the alert
/// selects (or, failing that, any of them). `(dashboard index, panel index)`.
pub fn alert_panel(c: &Catalog, index: &SeriesIndex, a: &Alert) -> Option<(usize, usize)> {
    let wanted = promql::metrics_selected(index, &a.query);
    let panels = || {
        c.dashboards
            .iter()
            .enumerate()
            .flat_map(|(d, dash)| dash.panels.iter().enumerate().map(move |(p, panel)| (d, p, panel)))
    };
    let shows = |panel: &crate::catalog::model::Panel, all: bool| {
        let shown: Vec<&Metric> = panel.queries.iter().flat_map(|q| promql::metrics_selected(index, q)).collect();
        let has = |m: &&Metric| shown.iter().any(|s| std::ptr::eq(*s, *m));
        if all { wanted.iter().all(has) } else { wanted.iter().any(has) }
    };
    let found = panels().find(|(_, _, p)| shows(p, true)).or_else(|| panels().find(|(_, _, p)| shows(p, false)));
    found.map(|(d, p, _)| (d, p))
}

/// The GitHub anchor of an alert's heading in the reference (`#### Alert `Name``).
pub fn alert_anchor(a: &Alert) -> String {
    format!("alert-{}", a.name.to_lowercase())
}

/// The annotations of an alert, rendered for one expected alert's labels when `labels` is given.
fn annotations(
    c: &Catalog,
    index: &SeriesIndex,
    layout: &Layout,
    a: &Alert,
    labels: Option<&BTreeMap<String, String>>,
) -> Hash {
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
    if let Some((d, p)) = alert_panel(c, index, a) {
        let dash = &c.dashboards[d];
        let link = match &c.document.grafana_url {
            Some(url) => format!("{}/d/{}?viewPanel={}", url.trim_end_matches('/'), dashboard_uid(c, d), p + 1),
            None => format!("{} › {}", dash.title.trim(), dash.panels[p].title.trim()),
        };
        h.insert(s("dashboard"), s(&link));
    }
    h
}

/// The Grafana uid of a catalog dashboard: the meter name and the title's slug, at most 40
/// characters (Grafana's limit), stable for as long as the title is.
pub fn dashboard_uid(c: &Catalog, d: usize) -> String {
    let mut uid = format!("{}-{}", slug(&c.meter_name), slug(&c.dashboards[d].title));
    uid.truncate(40);
    uid.trim_end_matches('-').to_owned()
}

/// `Task Execution Overview` → `task-execution-overview`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
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

fn header(layout: &Layout, what: &str) -> String {
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
pub fn render_rules(c: &Catalog, layout: &Layout) -> Option<String> {
    let index = SeriesIndex::new(c);
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
            rule.insert(s("annotations"), Yaml::Hash(annotations(c, &index, layout, a, None)));
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, rules)) => rules.push(Yaml::Hash(rule)),
                None => groups.push((group, vec![Yaml::Hash(rule)])),
            }
        }
    }
    let recording = recording_rules(c);
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
pub fn render_tests(c: &Catalog, layout: &Layout) -> Option<String> {
    let index = SeriesIndex::new(c);
    let rule_file = Layout::rule_file(c);
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
                    ("exp_annotations", Yaml::Hash(annotations(c, &index, layout, a, Some(&all)))),
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
