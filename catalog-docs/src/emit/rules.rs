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
use crate::plan::names::{alert_anchor, rule_file, slo_anchor, test_file, test_file_every};
use crate::plan::slo::{SloPlan, num};
use crate::record::percent;
use catalog_model::model::{Alert, Catalog, Metric};
use catalog_model::notation::format_duration;
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
    for p in &plan.slos {
        let mut rules: Vec<Yaml> = p
            .records
            .iter()
            .map(|r| map([("record", s(&r.record)), ("expr", s(&r.expr)), ("labels", labels(&r.labels))]))
            .collect();
        for a in &p.alerts {
            let t = &p.slo.tiers[a.tier];
            let mut rule = Hash::new();
            rule.insert(s("alert"), s(&p.slo.alert));
            rule.insert(s("expr"), s(&a.expr));
            if let Some(f) = &t.for_duration {
                rule.insert(s("for"), s(f));
            }
            let mut own = a.labels.clone();
            own.remove("slo"); // The expression's series carry it.
            for k in p.slo.labels.keys() {
                own.remove(k);
            }
            rule.insert(s("labels"), labels(&own));
            rule.insert(s("annotations"), Yaml::Hash(slo_annotations(plan, p, a.tier, layout)));
            rules.push(Yaml::Hash(rule));
        }
        groups.push((p.group.clone(), rules));
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

fn labels(l: &BTreeMap<String, String>) -> Yaml {
    Yaml::Hash(l.iter().map(|(k, v)| (s(k), s(v))).collect())
}

/// The annotations of an SLO tier's alert: the same for every alert it raises (no templates).
fn slo_annotations(plan: &Plan, p: &SloPlan, tier: usize, layout: &Layout) -> Hash {
    let slo = p.slo;
    let t = &slo.tiers[tier];
    let mut h = Hash::new();
    h.insert(
        s("summary"),
        s(&format!(
            "{}: the error budget burns at over {}× its sustainable rate over {} and {}",
            slo.title.trim(),
            num(t.burn),
            t.long.text,
            t.short.text
        )),
    );
    h.insert(
        s("description"),
        s(&format!(
            "At {}× the {} error budget of {} bad events lasts {}; {} of it is spent before this fires. Objective: {} % over {}.",
            num(t.burn),
            slo.period.text,
            percent(slo.budget()),
            t.exhaustion(slo).text,
            percent(t.budget_spent(slo)),
            num(slo.objective),
            slo.period.text
        )),
    );
    h.insert(s("runbook_url"), s(&format!("{}#{}", layout.reference, slo_anchor(slo))));
    // The error-budget dashboard's burn-rate panel of this SLO.
    let row = plan.slos.iter().position(|q| std::ptr::eq(q.slo, slo)).unwrap_or(0);
    let c = plan.catalog;
    let link = match &c.document.grafana_url {
        Some(url) => format!(
            "{}/d/{}?viewPanel={}",
            url.trim_end_matches('/'),
            crate::plan::names::slo_dashboard_uid(c),
            3 * row + 2
        ),
        None => format!("Error Budgets › {}: {}", slo.title.trim(), crate::plan::names::SLO_PANELS[1]),
    };
    h.insert(s("dashboard"), s(&link));
    for (k, v) in &slo.annotations {
        h.insert(s(k), s(v.trim()));
    }
    h
}

/// The `promtool test rules` files, `(path relative to the deploy directory, text)`: each alert
/// test case of the catalog, and the SLO cases evaluated every minute, in
/// [`test_file`](crate::plan::names::test_file); the SLO cases of slower tiers in a file per
/// evaluation interval ([`test_file_every`]), which is their input interval. Prometheus 2.42's
/// format. Empty when the catalog has no alerts.
pub fn render_tests(plan: &Plan, layout: &Layout) -> Vec<(String, String)> {
    let c = plan.catalog;
    let rule_file = rule_file(c);
    let rule_file = rule_file.rsplit('/').next().unwrap_or(&rule_file).to_owned();
    let mut files: BTreeMap<u64, Vec<Yaml>> = BTreeMap::new();
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
            files.entry(60).or_default().push(map([
                ("name", s(&format!("{} {verdict} at {}: {}", a.name, t.eval_at, t.case.trim()))),
                ("interval", s(&t.interval)),
                ("input_series", Yaml::Array(input.collect())),
                ("alert_rule_test", Yaml::Array(vec![check])),
            ]));
        }
    }
    for p in &plan.slos {
        for case in &p.cases {
            let input = case.input.iter().map(|(series, values)| map([("series", s(series)), ("values", s(values))]));
            let expected = case.fires.iter().map(|&tier| {
                let alert = &p.alerts[tier];
                map([
                    ("exp_labels", labels(&alert.labels)),
                    ("exp_annotations", Yaml::Hash(slo_annotations(plan, p, tier, layout))),
                ])
            });
            let eval = format_duration(case.eval_secs);
            let check = map([
                ("eval_time", s(&eval)),
                ("alertname", s(&p.slo.alert)),
                ("exp_alerts", Yaml::Array(expected.collect())),
            ]);
            files.entry(case.interval.max(60)).or_default().push(map([
                ("name", s(&case.name)),
                ("interval", s(&format_duration(case.interval))),
                ("input_series", Yaml::Array(input.collect())),
                ("alert_rule_test", Yaml::Array(vec![check])),
            ]));
        }
    }
    files
        .into_iter()
        .map(|(every, tests)| {
            let every_text = format_duration(every);
            let path = if every == 60 { test_file(c) } else { test_file_every(c, &every_text) };
            let doc = map([
                ("rule_files", Yaml::Array(vec![s(&rule_file)])),
                ("evaluation_interval", s(&every_text)),
                ("tests", Yaml::Array(tests)),
            ]);
            let what = if every == 60 {
                "Unit tests of the alerting rules (`promtool test rules`)".to_owned()
            } else {
                format!(
                    "Unit tests of the SLO alerts whose rules are evaluated every {every_text} (`promtool test rules`)"
                )
            };
            (path, dump(&header(layout, &what), &doc))
        })
        .collect()
}

/// The SLOs as a Sloth spec (`prometheus/v1`), for teams that generate their SLO rules with Sloth:
/// the same SLI (bad and all events over `{{.window}}`), objective, alert name, severities and
/// labels. Where Sloth cannot say what the catalog says (another period, tiers of its own, a
/// minimum event rate), the spec says so in a comment above the SLO. `None` without SLOs.
pub fn render_sloth(plan: &Plan, layout: &Layout) -> Option<String> {
    let c = plan.catalog;
    if plan.slos.is_empty() {
        return None;
    }
    let slos = plan.slos.iter().map(|p| {
        let slo = p.slo;
        let (error, total) = p.sloth_queries();
        let severity = |name: &str| {
            slo.tiers.iter().find(|t| t.name == name).map(|t| t.severity.clone()).unwrap_or_else(|| match name {
                "page" => "critical".into(),
                _ => "warning".into(),
            })
        };
        let mut annotations = Hash::new();
        annotations.insert(s("runbook_url"), s(&format!("{}#{}", layout.reference, slo_anchor(slo))));
        for (k, v) in &slo.annotations {
            annotations.insert(s(k), s(v.trim()));
        }
        let alerting = map([
            ("name", s(&slo.alert)),
            ("annotations", Yaml::Hash(annotations)),
            ("page_alert", map([("labels", map([("severity", s(&severity("page")))]))])),
            ("ticket_alert", map([("labels", map([("severity", s(&severity("ticket")))]))])),
        ]);
        let mut item = Hash::new();
        item.insert(s("name"), s(&slo.name));
        item.insert(s("objective"), Yaml::Real(num(slo.objective)));
        item.insert(s("description"), s(slo.description.trim()));
        if !slo.labels.is_empty() {
            item.insert(s("labels"), labels(&slo.labels));
        }
        item.insert(s("sli"), map([("events", map([("error_query", s(&error)), ("total_query", s(&total))]))]));
        item.insert(s("alerting"), alerting);
        Yaml::Hash(item)
    });
    let doc =
        map([("version", s("prometheus/v1")), ("service", s(&c.meter_name)), ("slos", Yaml::Array(slos.collect()))]);
    let mut notes = String::new();
    for p in &plan.slos {
        for d in &p.sloth_differences {
            notes.push_str(&format!("# Not exact for `{}`: {d}.\n", p.slo.name));
        }
    }
    let header = format!(
        "{}# For Sloth (https://github.com/slok/sloth): `sloth generate -i {} -o rules.yml`.\n{notes}",
        header(layout, "The service level objectives as a Sloth spec"),
        crate::plan::names::sloth_file(c).rsplit('/').next().unwrap_or_default()
    );
    Some(dump(&header, &doc))
}
