//! Grafana dashboards generated from the catalog: one JSON file per catalog dashboard, importable as
//! is (Grafana's classic dashboard model at `schemaVersion` 42, the version of `@grafana/schema`
//! 13.2.3, which type-checks them in the tests).
//!
//! Every panel reads a `datasource` variable of type prometheus. A label the dashboard groups by
//! (`sum by (namespace) (...)`) becomes a `label_values` variable, and the panels that group by it
//! filter on it (`namespace=~"$namespace"`, [`targets`]); those filtered targets go through the
//! catalog's PromQL checker like every other query (see `catalog::check`). Aggregations a recording
//! rule precomputes are read from the rule's series instead ([`crate::emit::rules::rewrite`]).
//! Panel ids and grid positions come from the panel's place in the catalog, so they are stable.
//!
//! JSON is written by serde_json (`json!`), keys in the order written (feature `preserve_order` is
//! not needed: `json!` objects are `Map`s sorted by key, which is as stable as the file needs).

use crate::catalog::model::{Catalog, Dashboard, Instrument, Panel, Query};
use crate::emit::rules::{self, RecordingRule};
use crate::promql::{self, SeriesIndex};
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, LabelModifier};
use serde_json::{Value, json};

/// The `schemaVersion` of `@grafana/schema` 13.2.3's dashboard model.
pub const SCHEMA_VERSION: u64 = 42;

/// The visualizations a catalog panel may ask for, by the names the reference uses.
pub const VISUALIZATIONS: &[&str] = &[
    "Time series",
    "Time series (stacked area)",
    "State timeline",
    "Stat",
    "Gauge",
    "Pie chart",
    "Bar chart",
    "Heatmap",
    "Table",
];

/// A catalog visualization's Grafana panel type, and whether it stacks.
pub fn panel_type(visualization: &str) -> Option<(&'static str, bool)> {
    Some(match visualization.trim() {
        "Time series" => ("timeseries", false),
        "Time series (stacked area)" => ("timeseries", true),
        "State timeline" => ("state-timeline", false),
        "Stat" => ("stat", false),
        "Gauge" => ("gauge", false),
        "Pie chart" => ("piechart", false),
        "Bar chart" => ("barchart", false),
        "Heatmap" => ("heatmap", false),
        "Table" => ("table", false),
        _ => return None,
    })
}

/// The dashboard file, relative to the deploy directory: `grafana/<uid>.json`.
pub fn file(c: &Catalog, d: usize) -> String {
    format!("grafana/{}.json", rules::dashboard_uid(c, d))
}

/// The labels dashboard `d` offers as variables: every catalog label one of its panels groups by,
/// in order of first use.
pub fn variables(c: &Catalog, d: &Dashboard) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for q in d.panels.iter().flat_map(|p| &p.queries) {
        for l in grouping(&q.ast) {
            if c.labels.iter().any(|def| def.prometheus_key == l) && !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// Every `by (...)` label of `e`.
fn grouping(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    promql::walk(e, &mut |e| {
        if let Expr::Aggregate(a) = e
            && let Some(LabelModifier::Include(l)) = &a.modifier
        {
            out.extend(l.labels.iter().cloned());
        }
    });
    out
}

fn each_selector_mut(e: &mut Expr, f: &mut impl FnMut(&mut promql_parser::parser::VectorSelector)) {
    match e {
        Expr::VectorSelector(v) => f(v),
        Expr::MatrixSelector(m) => f(&mut m.vs),
        Expr::Aggregate(a) => {
            if let Some(p) = &mut a.param {
                each_selector_mut(p, f);
            }
            each_selector_mut(&mut a.expr, f);
        }
        Expr::Unary(u) => each_selector_mut(&mut u.expr, f),
        Expr::Binary(b) => {
            each_selector_mut(&mut b.lhs, f);
            each_selector_mut(&mut b.rhs, f);
        }
        Expr::Paren(p) => each_selector_mut(&mut p.expr, f),
        Expr::Subquery(s) => each_selector_mut(&mut s.expr, f),
        Expr::Call(c) => c.args.args.iter_mut().for_each(|a| each_selector_mut(a, f)),
        _ => {}
    }
}

/// A panel query as the dashboard runs it: where the query groups by a variable's label, every
/// selector whose series has that label gets `label=~"$label"`. `None` when nothing changes.
pub fn filtered(c: &Catalog, index: &SeriesIndex, vars: &[String], q: &Query) -> Option<Expr> {
    let wanted: Vec<String> = grouping(&q.ast).into_iter().filter(|l| vars.contains(l)).collect();
    if wanted.is_empty() {
        return None;
    }
    let mut ast = q.ast.clone();
    let mut changed = false;
    each_selector_mut(&mut ast, &mut |vs| {
        let Some(metric) = index.metric_of(vs) else { return };
        for l in &wanted {
            let has = metric.labels.iter().any(|&i| c.label(i).prometheus_key == *l);
            if has
                && !vs.matchers.matchers.iter().any(|m| m.name == *l)
                && let Some(m) = variable_matcher(l)
            {
                vs.matchers.matchers.push(m);
                changed = true;
            }
        }
    });
    changed.then_some(ast)
}

/// `label=~"$label"`, made by promql-parser itself (its regex matcher holds a compiled regex;
/// `$label` compiles, and Grafana replaces it before Prometheus sees it).
fn variable_matcher(label: &str) -> Option<Matcher> {
    match promql_parser::parser::parse(&format!("x{{{label}=~\"${label}\"}}")) {
        Ok(Expr::VectorSelector(mut v)) => v.matchers.matchers.pop().filter(|m| matches!(m.op, MatchOp::Re(_))),
        _ => None,
    }
}

/// Each panel's targets, as the dashboard runs them: filtered by the dashboard's variables, then
/// with recording rules substituted. `[panel][query]`.
pub fn targets(c: &Catalog, d: &Dashboard, recording: &[RecordingRule]) -> Vec<Vec<String>> {
    let index = SeriesIndex::new(c);
    let vars = variables(c, d);
    d.panels
        .iter()
        .map(|p| {
            p.queries
                .iter()
                .map(|q| match filtered(c, &index, &vars, q) {
                    Some(ast) => rules::rewrite(&ast, recording).unwrap_or_else(|| ast.to_string()),
                    None => rules::rewrite(&q.ast, recording).unwrap_or_else(|| q.expr.trim().to_owned()),
                })
                .collect()
        })
        .collect()
}

/// What a query's values measure, for the panel's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    /// A per-second rate of a counter (or a histogram's `_count`); `true` for requests.
    PerSecond(bool),
    /// A per-second rate of a histogram's `_sum`, in the histogram's unit.
    SumRate(&'static str),
    /// A value in a Grafana unit.
    Unit(&'static str),
}

/// Grafana's unit id for a catalog (UCUM) unit.
pub fn grafana_unit(unit: &str) -> &'static str {
    match unit {
        "ms" => "ms",
        "s" => "s",
        "us" => "µs",
        "ns" => "ns",
        "By" => "bytes",
        "%" => "percent",
        "1" => "percentunit",
        _ => "short",
    }
}

fn measure(index: &SeriesIndex, e: &Expr) -> Option<Measure> {
    match e {
        Expr::Paren(p) => measure(index, &p.expr),
        Expr::Aggregate(a) => measure(index, &a.expr),
        Expr::Unary(u) => measure(index, &u.expr),
        Expr::Call(call) => match call.func.name {
            // In the unit of the histogram whose buckets it reads.
            "histogram_quantile" => {
                let unit = promql::selectors(call.args.args.get(1)?)
                    .into_iter()
                    .filter_map(|vs| index.metric_of(vs))
                    .find(|m| m.instrument == Instrument::Histogram)
                    .map(|m| grafana_unit(&m.unit));
                Some(Measure::Unit(unit.unwrap_or("short")))
            }
            "rate" | "irate" => {
                let Expr::MatrixSelector(m) = call.args.args.first()?.as_ref() else { return None };
                let (metric, name) = (index.metric_of(&m.vs)?, m.vs.name.as_deref().unwrap_or_default());
                Some(if metric.instrument == Instrument::Histogram && name.ends_with("_sum") {
                    Measure::SumRate(grafana_unit(&metric.unit))
                } else {
                    Measure::PerSecond(metric.unit == "{request}")
                })
            }
            "increase" => Some(Measure::Unit("short")),
            _ => call.args.args.iter().find_map(|a| measure(index, a)),
        },
        Expr::Binary(b) => {
            let (l, r) = (measure(index, &b.lhs), measure(index, &b.rhs));
            match (b.op.to_string().as_str(), l, r) {
                ("/", Some(Measure::PerSecond(_)), Some(Measure::PerSecond(_))) => Some(Measure::Unit("percentunit")),
                ("/", Some(Measure::SumRate(u)), Some(Measure::PerSecond(_))) => Some(Measure::Unit(u)),
                ("/", Some(Measure::Unit("percent")), None) => Some(Measure::Unit("percentunit")),
                (_, Some(m), _) => Some(m),
                (_, None, m) => m,
            }
        }
        Expr::VectorSelector(vs) => {
            let metric = index.metric_of(vs)?;
            let name = vs.name.as_deref().unwrap_or_default();
            Some(match metric.instrument {
                Instrument::Histogram if name.ends_with("_bucket") => Measure::Unit(grafana_unit(&metric.unit)),
                Instrument::Histogram if name.ends_with("_sum") => Measure::Unit(grafana_unit(&metric.unit)),
                Instrument::Histogram => Measure::Unit("short"),
                _ if metric.value_map.is_some() => Measure::Unit("none"),
                Instrument::Counter => Measure::Unit("short"),
                _ => Measure::Unit(grafana_unit(&metric.unit)),
            })
        }
        Expr::MatrixSelector(m) => measure(index, &Expr::VectorSelector(m.vs.clone())),
        _ => None,
    }
}

/// The panel's Grafana unit: what its first query measures.
pub fn panel_unit(index: &SeriesIndex, p: &Panel) -> &'static str {
    match p.queries.first().and_then(|q| measure(index, &q.ast)) {
        Some(Measure::PerSecond(true)) => "reqps",
        Some(Measure::PerSecond(false)) => "ops",
        Some(Measure::SumRate(_)) => "short",
        Some(Measure::Unit(u)) => u,
        None => "short",
    }
}

/// A threshold step: `None` is Grafana's base step (`value: null`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub color: String,
    pub value: Option<f64>,
}

/// Grafana threshold steps from the catalog's text, e.g. `green > 0.95, yellow > 0.90, red <
/// 0.90` or `green < 70%, yellow < 90%, red >= 90%`. Each region between the stated bounds takes
/// the colour whose condition holds there with the nearest bound; `%` values are divided by 100
/// on a 0–1 (`percentunit`) panel. `Err` names what does not parse.
pub fn threshold_steps(text: &str, unit: &str) -> Result<Vec<Step>, String> {
    let mut rules: Vec<(String, &str, f64)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let (Some(color), Some(op), Some(value), None) = (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(format!("`{part}` is not `COLOUR OP VALUE`"));
        };
        let op = match op {
            ">" | ">=" | "<" | "<=" => op,
            _ => return Err(format!("`{op}` in `{part}` is not one of >, >=, <, <=")),
        };
        let (number, percent) = match value.strip_suffix('%') {
            Some(n) => (n, true),
            None => (value, false),
        };
        let mut v: f64 = number.parse().map_err(|_| format!("`{value}` in `{part}` is not a number"))?;
        if percent && unit == "percentunit" {
            v /= 100.0;
        }
        rules.push((color.to_owned(), op, v));
    }
    if rules.is_empty() {
        return Err("no thresholds".into());
    }
    let mut bounds: Vec<f64> = rules.iter().map(|r| r.2).collect();
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    let color_at = |x: f64| {
        rules
            .iter()
            .filter(|(_, op, v)| match *op {
                ">" => x > *v,
                ">=" => x >= *v,
                "<" => x < *v,
                _ => x <= *v,
            })
            .min_by(|a, b| (x - a.2).abs().total_cmp(&(x - b.2).abs()))
            .map(|r| r.0.clone())
    };
    let below = bounds[0] - 1.0 - bounds[0].abs();
    let mut steps =
        vec![Step { color: color_at(below).ok_or_else(|| format!("no colour below {}", bounds[0]))?, value: None }];
    for (i, &b) in bounds.iter().enumerate() {
        let next = bounds.get(i + 1).map_or(b + 1.0 + b.abs(), |n| (b + n) / 2.0);
        // At the bound itself `>=` applies and `>` does not: test just above it, and at it.
        let x = if rules.iter().any(|r| r.2 == b && r.1 == ">=") { b } else { (b + next) / 2.0 };
        let color = color_at(x).ok_or_else(|| format!("no colour above {b}"))?;
        if steps.last().is_some_and(|s| s.color != color) {
            steps.push(Step { color, value: Some(b) });
        }
    }
    Ok(steps)
}

/// The dashboard JSON (pretty-printed, with a final newline).
pub fn render(c: &Catalog, d_index: usize, reference: &str) -> String {
    let d = &c.dashboards[d_index];
    let index = SeriesIndex::new(c);
    let recording = rules::recording_rules(c);
    let targets = targets(c, d, &recording);
    let ds = json!({ "type": "prometheus", "uid": "${datasource}" });
    let mut templating = vec![json!({
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "hide": 0,
        "includeAll": false,
        "multi": false,
        "options": [],
        "refresh": 1,
        "regex": "",
        "skipUrlSync": false,
    })];
    for l in variables(c, d) {
        // The first series of this dashboard's queries that has the label.
        let series = d
            .panels
            .iter()
            .flat_map(|p| &p.queries)
            .flat_map(|q| promql::selectors(&q.ast).into_iter().filter_map(|vs| vs.name.clone()))
            .find(|s| index.series_has_label(c, s, &l))
            .unwrap_or_default();
        let query = format!("label_values({series}, {l})");
        templating.push(json!({
            "name": l,
            "label": l,
            "type": "query",
            "datasource": ds,
            "query": { "query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1 },
            "hide": 0,
            "includeAll": true,
            "allValue": ".*",
            "multi": true,
            "options": [],
            "refresh": 2,
            "regex": "",
            "skipUrlSync": false,
            "sort": 1,
        }));
    }
    let panels: Vec<Value> =
        d.panels.iter().enumerate().map(|(i, p)| panel(c, &index, p, i, &targets[i], &ds, reference)).collect();
    let anchor = crate::emit::markdown::heading_anchor(d.title.trim());
    let dashboard = json!({
        "uid": rules::dashboard_uid(c, d_index),
        "title": d.title.trim(),
        "description": format!(
            "Generated from {} by docs-gen: do not edit; change the catalog and regenerate.",
            c.source
        ),
        "tags": [c.meter_name.clone(), "docs-gen"],
        "editable": true,
        "graphTooltip": 1,
        "liveNow": false,
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "time": { "from": "now-1h", "to": "now" },
        "timepicker": {},
        "timezone": "browser",
        "fiscalYearStartMonth": 0,
        "weekStart": "",
        "links": [{
            "title": "Metrics reference",
            "type": "link",
            "url": format!("{reference}#{anchor}"),
            "icon": "doc",
            "tooltip": "The catalog's reference: every metric, label and query of this dashboard",
            "targetBlank": true,
            "asDropdown": false,
            "includeVars": false,
            "keepTime": false,
            "tags": [],
        }],
        "annotations": { "list": [{
            "builtIn": 1,
            "datasource": { "type": "grafana", "uid": "-- Grafana --" },
            "enable": true,
            "hide": true,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        }] },
        "templating": { "list": templating },
        "panels": panels,
    });
    let mut text = serde_json::to_string_pretty(&dashboard).expect("a JSON value serializes");
    text.push('\n');
    text
}

fn panel(
    c: &Catalog,
    index: &SeriesIndex,
    p: &Panel,
    i: usize,
    targets: &[String],
    ds: &Value,
    reference: &str,
) -> Value {
    let (kind, stacked) = panel_type(&p.visualization).unwrap_or(("timeseries", false));
    let unit = panel_unit(index, p);
    let steps = match (&p.thresholds, p.value_map) {
        (Some(t), _) => threshold_steps(t, unit).unwrap_or_default(),
        (None, Some(m)) => c.value_maps[m]
            .entries
            .iter()
            .enumerate()
            .map(|(k, e)| Step {
                color: e.color.clone().unwrap_or_else(|| "text".into()),
                value: (k > 0).then_some(e.value as f64),
            })
            .collect(),
        (None, None) => vec![Step { color: "green".into(), value: None }],
    };
    let steps: Vec<Value> = steps.iter().map(|s| json!({ "color": s.color, "value": s.value })).collect();
    let mappings: Vec<Value> = match p.value_map {
        Some(m) => {
            let options: serde_json::Map<String, Value> = c.value_maps[m]
                .entries
                .iter()
                .enumerate()
                .map(|(k, e)| {
                    let mut o = json!({ "text": e.name, "index": k });
                    if let Some(color) = &e.color {
                        o["color"] = json!(color);
                    }
                    (e.value.to_string(), o)
                })
                .collect();
            vec![json!({ "type": "value", "options": options })]
        }
        None => Vec::new(),
    };
    let mut defaults = json!({
        "unit": unit,
        "color": { "mode": if p.thresholds.is_some() || p.value_map.is_some() { "thresholds" } else { "palette-classic" } },
        "thresholds": { "mode": "absolute", "steps": steps },
        "mappings": mappings,
    });
    match unit {
        "percentunit" if kind == "gauge" || kind == "stat" => {
            defaults["min"] = json!(0);
            defaults["max"] = json!(1);
        }
        "percent" if kind == "gauge" => {
            defaults["min"] = json!(0);
            defaults["max"] = json!(100);
        }
        _ => {}
    }
    if kind == "timeseries" {
        defaults["custom"] = json!({
            "drawStyle": "line",
            "lineInterpolation": "linear",
            "lineWidth": 1,
            "fillOpacity": if stacked { 40 } else { 10 },
            "showPoints": "never",
            "spanNulls": false,
            "stacking": { "mode": if stacked { "normal" } else { "none" }, "group": "A" },
            "axisPlacement": "auto",
            "thresholdsStyle": { "mode": if p.thresholds.is_some() { "line" } else { "off" } },
        });
    }
    if kind == "table" {
        defaults["custom"] = json!({ "align": "auto", "cellOptions": { "type": "auto" }, "inspect": false });
    }
    let reduce = json!({ "calcs": ["lastNotNull"], "fields": "", "values": false });
    let legend =
        |placement: &str| json!({ "displayMode": "list", "placement": placement, "showLegend": true, "calcs": [] });
    let options = match kind {
        "stat" => json!({
            "reduceOptions": reduce, "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
            "orientation": "auto", "textMode": "auto", "wideLayout": true, "showPercentChange": false,
            "percentChangeColorMode": "standard",
        }),
        // The gauge plugin's defaults in @grafana/schema 13.2.3 (its `defaultOptions`), all of which
        // its `Options` type requires.
        "gauge" => json!({
            "reduceOptions": reduce, "orientation": "auto", "showThresholdLabels": false, "showThresholdMarkers": true,
            "minVizHeight": 75, "minVizWidth": 75, "sizing": "auto", "barShape": "flat", "barWidthFactor": 0.5,
            "effects": {}, "segmentCount": 1, "segmentSpacing": 0.3, "shape": "gauge",
        }),
        "piechart" => json!({
            "reduceOptions": reduce, "pieType": "pie", "displayLabels": ["percent"], "sort": "desc", "orientation": "auto",
            "legend": { "displayMode": "list", "placement": "right", "showLegend": true, "calcs": [], "values": ["percent"] },
            "tooltip": { "mode": "single", "sort": "none" },
        }),
        "barchart" => json!({
            "orientation": "auto", "showValue": "auto", "stacking": "none", "groupWidth": 0.7, "barWidth": 0.97,
            "xTickLabelRotation": 0, "xTickLabelSpacing": 0, "xTickLabelMaxLength": 0, "fullHighlight": false,
            "legend": legend("bottom"),
            "tooltip": { "mode": "single", "sort": "none" },
        }),
        "state-timeline" => json!({
            "showValue": "auto", "mergeValues": true, "alignValue": "left", "rowHeight": 0.9,
            "legend": legend("bottom"), "tooltip": { "mode": "single", "sort": "none" },
        }),
        // The heatmap plugin's defaults in @grafana/schema 13.2.3, reading Prometheus's buckets as
        // they are (`calculate: false`, one row per `le`).
        "heatmap" => json!({
            "calculate": false, "cellGap": 1, "cellValues": {}, "showValue": "auto", "selectionMode": "x",
            "color": { "mode": "scheme", "scheme": "Oranges", "fill": "dark-orange", "scale": "exponential", "reverse": false, "exponent": 0.5, "steps": 64 },
            "exemplars": { "color": "rgba(255,0,255,0.7)" },
            "filterValues": { "le": 1e-9 },
            "legend": { "show": true },
            "rowsFrame": { "layout": "auto" },
            "tooltip": { "mode": "single", "yHistogram": false, "showColorScale": false },
            "yAxis": { "axisPlacement": "left", "reverse": false },
        }),
        "table" => json!({ "showHeader": true, "cellHeight": "sm", "frameIndex": 0 }),
        _ => json!({ "legend": legend("bottom"), "tooltip": { "mode": "multi", "sort": "none" } }),
    };
    // Instant values for panels that show one number per series; ranges for graphs.
    let instant = matches!(kind, "stat" | "gauge" | "piechart" | "barchart" | "table");
    let targets: Vec<Value> = p
        .queries
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(k, (q, expr))| {
            let by = grouping(&q.ast);
            let legend = if by.is_empty() {
                q.title.trim().to_owned()
            } else {
                by.iter().filter(|l| *l != "le").map(|l| format!("{{{{{l}}}}}")).collect::<Vec<_>>().join(" ")
            };
            json!({
                "refId": ref_id(k),
                "datasource": ds,
                "expr": expr,
                "legendFormat": if legend.is_empty() { q.title.trim().to_owned() } else { legend },
                "range": !instant,
                "format": if kind == "heatmap" { "heatmap" } else { "time_series" },
                "instant": instant,
                "editorMode": "code",
            })
        })
        .collect();
    // Grafana renders a panel description as Markdown: the note, and a link to the panel's section
    // of the reference.
    let section = crate::emit::markdown::heading_anchor(&format!("{}. {}", i + 1, p.title.trim()));
    let mut description = format!("[In the metrics reference]({reference}#{section})");
    if let Some(n) = &p.note {
        description = format!("{} {description}", n.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    json!({
        "id": i + 1,
        "type": kind,
        "title": p.title.trim(),
        "description": description,
        "datasource": ds,
        "gridPos": { "h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8 },
        "fieldConfig": { "defaults": defaults, "overrides": [] },
        "options": options,
        "targets": targets,
    })
}

/// `A`, `B`, … `Z`, `AA`, …: Grafana's query ids.
fn ref_id(mut k: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (k % 26) as u8);
        if k < 26 {
            break;
        }
        k = k / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str, unit: &str) -> Vec<(String, Option<f64>)> {
        threshold_steps(text, unit).unwrap().into_iter().map(|s| (s.color, s.value)).collect()
    }

    #[test]
    fn thresholds_become_grafana_steps() {
        // The System Health success rate: red below 0.90, yellow from 0.90, green above 0.95.
        assert_eq!(
            steps("green > 0.95, yellow > 0.90, red < 0.90", "percentunit"),
            [("red".into(), None), ("yellow".into(), Some(0.90)), ("green".into(), Some(0.95))]
        );
        // Channel saturation on a 0-100 gauge, and the same text on a 0-1 panel.
        assert_eq!(
            steps("green < 70%, yellow < 90%, red >= 90%", "percent"),
            [("green".into(), None), ("yellow".into(), Some(70.0)), ("red".into(), Some(90.0))]
        );
        assert_eq!(
            steps("green < 70%, yellow < 90%, red >= 90%", "percentunit"),
            [("green".into(), None), ("yellow".into(), Some(0.7)), ("red".into(), Some(0.9))]
        );
        // One bound that says nothing below it: Grafana's base step has no colour to take.
        assert!(threshold_steps("red > 10", "ops").is_err());
    }

    #[test]
    fn bad_thresholds_say_what_does_not_parse() {
        assert_eq!(
            threshold_steps("green above 0.95", "short").unwrap_err(),
            "`above` in `green above 0.95` is not one of >, >=, <, <="
        );
        assert_eq!(threshold_steps("green > high", "short").unwrap_err(), "`high` in `green > high` is not a number");
        assert_eq!(threshold_steps("green >", "short").unwrap_err(), "`green >` is not `COLOUR OP VALUE`");
        assert_eq!(threshold_steps("red > 10", "short").unwrap_err(), "no colour below 10");
    }

    #[test]
    fn ref_ids_are_grafanas() {
        assert_eq!([0, 1, 25, 26, 27, 701].map(ref_id), ["A", "B", "Z", "AA", "AB", "ZZ"]);
    }

    #[test]
    fn visualizations_map_to_panel_types() {
        for v in VISUALIZATIONS {
            assert!(panel_type(v).is_some(), "{v}");
        }
        assert_eq!(panel_type("Time series (stacked area)"), Some(("timeseries", true)));
        assert_eq!(panel_type("Pie chart"), Some(("piechart", false)));
        assert_eq!(panel_type("Candlestick"), None);
    }
}
