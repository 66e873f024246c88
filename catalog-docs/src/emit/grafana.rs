//! Grafana dashboards generated from the catalog: one JSON file per catalog dashboard, importable as
//! is (Grafana's classic dashboard model at `schemaVersion` 42, the version of `@grafana/schema`
//! 13.2.3, which type-checks them in the tests).
//!
//! Every panel reads a `datasource` variable of type prometheus. A label the dashboard groups by
//! (`sum by (namespace) (...)`) becomes a `label_values` variable, and the panels that group by it
//! filter on it (`namespace=~"$namespace"`); those filtered targets go through the catalog's PromQL
//! checker like every other query (see [`crate::check`]). Aggregations a recording rule precomputes
//! are read from the rule's series instead ([`crate::plan::recording`]).
//! Panel ids and grid positions come from the panel's place in the catalog, so they are stable.
//!
//! JSON is written by serde_json (`json!`), keys in the order written (feature `preserve_order` is
//! not needed: `json!` objects are `Map`s sorted by key, which is as stable as the file needs).

use crate::plan::Plan;
use crate::plan::dashboard::{Step, grouping, threshold_steps};
use crate::plan::names::anchor;
use catalog_model::model::{Panel, Visualization};
use catalog_promql::syntax::selectors;
use serde_json::{Value, json};

/// The `schemaVersion` of `@grafana/schema` 13.2.3's dashboard model.
pub const SCHEMA_VERSION: u64 = 42;

/// A visualization's Grafana panel type, and whether it stacks.
pub fn panel_type(v: Visualization) -> (&'static str, bool) {
    match v {
        Visualization::TimeSeries => ("timeseries", false),
        Visualization::StackedArea => ("timeseries", true),
        Visualization::StateTimeline => ("state-timeline", false),
        Visualization::Stat => ("stat", false),
        Visualization::Gauge => ("gauge", false),
        Visualization::PieChart => ("piechart", false),
        Visualization::BarChart => ("barchart", false),
        Visualization::Heatmap => ("heatmap", false),
        Visualization::Table => ("table", false),
    }
}

/// The dashboard JSON (pretty-printed, with a final newline).
pub fn render(plan: &Plan, d_index: usize, reference: &str) -> String {
    let c = plan.catalog;
    let d = &c.dashboards[d_index];
    let dash = &plan.dashboards[d_index];
    let ds = json!({ "type": "prometheus", "uid": "${datasource}" });
    let mut templating = vec![datasource_variable()];
    for l in &dash.variables {
        // The first series of this dashboard's queries that has the label.
        let series = d
            .panels
            .iter()
            .flat_map(|p| &p.queries)
            .flat_map(|q| selectors(plan.queries.ast(q)).into_iter().filter_map(|vs| vs.name.clone()))
            .find(|s| plan.index.series_has_label(c, s, l))
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
        d.panels.iter().enumerate().map(|(i, p)| panel(plan, p, i, &dash.targets[i], &ds, reference)).collect();
    let anchor = anchor(d.title.trim());
    let dashboard = json!({
        "uid": dash.uid,
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
        "annotations": builtin_annotations(),
        "templating": { "list": templating },
        "panels": panels,
    });
    let mut text = serde_json::to_string_pretty(&dashboard).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// The error-budget dashboard of a catalog with SLOs (`None` without): a row per SLO with its
/// budget remaining over the period, its burn rate over each window its tiers use (the tiers' burn
/// rates as threshold lines), and its SLI over the period against the objective. Every target reads
/// the SLO's recording rules.
pub fn render_slo_dashboard(plan: &Plan, reference: &str) -> Option<String> {
    use crate::plan::names::{SLO_PANELS, slo_anchor, slo_dashboard_uid};
    use crate::plan::slo::{error_record, num};
    let c = plan.catalog;
    if plan.slos.is_empty() {
        return None;
    }
    let ds = json!({ "type": "prometheus", "uid": "${datasource}" });
    let mut panels = Vec::new();
    for (row, p) in plan.slos.iter().enumerate() {
        let slo = p.slo;
        let sel = |record: &str| format!("{record}{{slo=\"{}\"}}", slo.name);
        let target = |k: usize, expr: String, legend: &str, instant: bool| {
            json!({
                "refId": ref_id(k), "datasource": ds, "expr": expr, "legendFormat": legend,
                "range": !instant, "instant": instant, "format": "time_series", "editorMode": "code",
            })
        };
        let description = format!(
            "{} [The SLO in the metrics reference]({reference}#{})",
            slo.description.split_whitespace().collect::<Vec<_>>().join(" "),
            slo_anchor(slo)
        );
        let legend = json!({ "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [] });
        let id = |k: usize| 3 * row + k + 1;
        let title = |k: usize| format!("{}: {}", slo.title.trim(), SLO_PANELS[k]);
        // Budget remaining: red when spent, orange under a quarter left.
        panels.push(json!({
            "id": id(0), "type": "stat", "title": title(0), "description": description, "datasource": ds,
            "gridPos": { "h": 8, "w": 6, "x": 0, "y": row * 8 },
            "fieldConfig": { "defaults": {
                "unit": "percentunit", "color": { "mode": "thresholds" },
                "thresholds": { "mode": "absolute", "steps": [
                    { "color": "red", "value": null }, { "color": "orange", "value": 0 }, { "color": "green", "value": 0.25 },
                ] },
                "mappings": [],
            }, "overrides": [] },
            "options": stat_options(),
            "targets": [target(0, sel("slo:period_error_budget_remaining:ratio"), &format!("budget remaining over {}", slo.period.text), true)],
        }));
        // Burn rate per window: each window's error ratio over the budget; a line at each tier's
        // burn rate, red for the tiers whose severity is the first tier's, orange for the others.
        let mut windows: Vec<&catalog_model::model::Window> =
            slo.tiers.iter().flat_map(|t| [&t.long, &t.short]).collect();
        windows.sort_by_key(|w| w.secs);
        windows.dedup_by_key(|w| w.secs);
        let targets: Vec<Value> = windows
            .iter()
            .enumerate()
            .map(|(k, w)| target(k, format!("{} / {}", sel(&error_record(w)), num(slo.budget())), &w.text, false))
            .collect();
        let mut burns: Vec<(f64, &str)> = slo
            .tiers
            .iter()
            .map(|t| (t.burn, if t.severity == slo.tiers[0].severity { "red" } else { "orange" }))
            .collect();
        burns.sort_by(|a, b| a.0.total_cmp(&b.0));
        burns.dedup_by(|a, b| a.0 == b.0);
        let mut steps = vec![json!({ "color": "green", "value": null })];
        steps.extend(burns.iter().map(|(b, color)| json!({ "color": color, "value": b })));
        panels.push(json!({
            "id": id(1), "type": "timeseries", "title": title(1), "description": description, "datasource": ds,
            "gridPos": { "h": 8, "w": 9, "x": 6, "y": row * 8 },
            "fieldConfig": { "defaults": {
                "unit": "none", "color": { "mode": "palette-classic" },
                "thresholds": { "mode": "absolute", "steps": steps }, "mappings": [], "custom": timeseries_custom(false, true),
            }, "overrides": [] },
            "options": { "legend": legend, "tooltip": { "mode": "multi", "sort": "none" } },
            "targets": targets,
        }));
        // The SLI over the period, against the objective.
        panels.push(json!({
            "id": id(2), "type": "timeseries", "title": title(2), "description": description, "datasource": ds,
            "gridPos": { "h": 8, "w": 9, "x": 15, "y": row * 8 },
            "fieldConfig": { "defaults": {
                "unit": "percentunit", "color": { "mode": "palette-classic" },
                "thresholds": { "mode": "absolute", "steps": [
                    { "color": "red", "value": null }, { "color": "green", "value": slo.objective_ratio() },
                ] },
                "mappings": [], "custom": timeseries_custom(false, true),
            }, "overrides": [] },
            "options": { "legend": legend, "tooltip": { "mode": "multi", "sort": "none" } },
            "targets": [target(0, format!("1 - {}", sel(&error_record(&slo.period))), &format!("good events over {}", slo.period.text), false)],
        }));
    }
    let dashboard = json!({
        "uid": slo_dashboard_uid(c),
        "title": "Error Budgets",
        "description": format!(
            "The service level objectives of {}: generated by docs-gen, do not edit; change the catalog and regenerate.",
            c.source
        ),
        "tags": [c.meter_name.clone(), "docs-gen", "slo"],
        "editable": true, "graphTooltip": 1, "liveNow": false, "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION, "version": 1,
        "time": { "from": "now-7d", "to": "now" }, "timepicker": {}, "timezone": "browser",
        "fiscalYearStartMonth": 0, "weekStart": "",
        "links": [{
            "title": "Service level objectives", "type": "link",
            "url": format!("{reference}#{}", anchor("Service Level Objectives")), "icon": "doc",
            "tooltip": "Each SLO's objective, SLI, tiers and unit tests", "targetBlank": true,
            "asDropdown": false, "includeVars": false, "keepTime": false, "tags": [],
        }],
        "annotations": builtin_annotations(),
        "templating": { "list": [datasource_variable()] },
        "panels": panels,
    });
    let mut text = serde_json::to_string_pretty(&dashboard).expect("a JSON value serializes");
    text.push('\n');
    Some(text)
}

fn panel(plan: &Plan, p: &Panel, i: usize, targets: &[String], ds: &Value, reference: &str) -> Value {
    let c = plan.catalog;
    // The model's checks let only known visualizations through.
    let (kind, stacked) = Visualization::parse(p.visualization.trim()).map_or(("timeseries", false), panel_type);
    let unit = plan.panel_unit(p);
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
        defaults["custom"] = timeseries_custom(stacked, p.thresholds.is_some());
    }
    if kind == "table" {
        defaults["custom"] = json!({ "align": "auto", "cellOptions": { "type": "auto" }, "inspect": false });
    }
    let reduce = json!({ "calcs": ["lastNotNull"], "fields": "", "values": false });
    let legend =
        |placement: &str| json!({ "displayMode": "list", "placement": placement, "showLegend": true, "calcs": [] });
    let options = match kind {
        "stat" => stat_options(),
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
    let instant = !Plan::graphs_over_time(p);
    let targets: Vec<Value> = p
        .queries
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(k, (q, expr))| {
            let by = grouping(plan.queries.ast(q));
            let legend = if by.is_empty() {
                q.title.trim().to_owned()
            } else {
                by.iter().filter(|l| *l != "le").map(|l| format!("{{{{{l}}}}}")).collect::<Vec<_>>().join(" ")
            };
            let mut target = json!({
                "refId": ref_id(k),
                "datasource": ds,
                "expr": expr,
                "legendFormat": if legend.is_empty() { q.title.trim().to_owned() } else { legend },
                "range": !instant,
                "format": if kind == "heatmap" { "heatmap" } else { "time_series" },
                "instant": instant,
                "editorMode": "code",
            });
            // A graph of a histogram's buckets shows their exemplars: a point per kept
            // measurement, linked to its trace through the data source's `trace_id` destination.
            if plan.shows_exemplars(p, q) {
                target["exemplar"] = json!(true);
            }
            target
        })
        .collect();
    // Grafana renders a panel description as Markdown: the note, and a link to the panel's section
    // of the reference.
    let section = anchor(&format!("{}. {}", i + 1, p.title.trim()));
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

/// The label of an exemplar that holds its trace id, as catalog-runtime writes it (OpenMetrics'
/// and OpenTelemetry's Prometheus convention).
pub const EXEMPLAR_TRACE_ID_LABEL: &str = "trace_id";

/// Grafana's data-source provisioning for the catalog's dashboards: the Prometheus data source they
/// select by default, whose exemplars' `trace_id` links to a Tempo data source, and that Tempo data
/// source. The URLs and uids are Grafana's environment variables (`${NAME}`, which Grafana expands
/// in provisioning files), not values fixed here: a deployment names its own.
pub fn render_datasources(plan: &Plan, header: &str) -> String {
    let c = plan.catalog;
    format!(
        "{header}\
# Grafana data sources for the {meter} dashboards: a panel that graphs a histogram's buckets shows
# their exemplars (one point per kept measurement); clicking one offers \"Trace in Tempo\", which
# opens the trace whose id the exemplar's `{label}` label holds. Copy this file into Grafana's
# provisioning/datasources/ and set, in Grafana's environment:
#   PROMETHEUS_URL          where Grafana reaches Prometheus (run with --enable-feature=exemplar-storage)
#   PROMETHEUS_DATASOURCE_UID  the Prometheus data source's uid (the dashboards select it by type)
#   TEMPO_URL               where Grafana reaches Tempo
#   TEMPO_DATASOURCE_UID    the Tempo data source's uid; with a Tempo data source already provisioned,
#                           give its uid and delete the Tempo entry below
apiVersion: 1
datasources:
  - name: Prometheus ({meter})
    type: prometheus
    uid: ${{PROMETHEUS_DATASOURCE_UID}}
    access: proxy
    url: ${{PROMETHEUS_URL}}
    isDefault: true
    jsonData:
      exemplarTraceIdDestinations:
        - name: {label}
          datasourceUid: ${{TEMPO_DATASOURCE_UID}}
          urlDisplayLabel: Trace in Tempo
  - name: Tempo
    type: tempo
    uid: ${{TEMPO_DATASOURCE_UID}}
    access: proxy
    url: ${{TEMPO_URL}}
",
        meter = c.meter_name,
        label = EXEMPLAR_TRACE_ID_LABEL,
    )
}

/// The `datasource` variable every generated dashboard's panels read (of type prometheus).
fn datasource_variable() -> Value {
    json!({
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
    })
}

/// Grafana's built-in annotations (alerts and annotations on the graphs), as a new dashboard has.
fn builtin_annotations() -> Value {
    json!({ "list": [{
        "builtIn": 1,
        "datasource": { "type": "grafana", "uid": "-- Grafana --" },
        "enable": true,
        "hide": true,
        "iconColor": "rgba(0, 211, 255, 1)",
        "name": "Annotations & Alerts",
        "type": "dashboard",
    }] })
}

/// A stat panel's options: the last value, coloured by the thresholds.
fn stat_options() -> Value {
    json!({
        "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false },
        "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
        "orientation": "auto", "textMode": "auto", "wideLayout": true, "showPercentChange": false,
        "percentChangeColorMode": "standard",
    })
}

/// A time series panel's field `custom`: lines, stacked or not, the thresholds drawn as lines or not.
fn timeseries_custom(stacked: bool, threshold_lines: bool) -> Value {
    json!({
        "drawStyle": "line",
        "lineInterpolation": "linear",
        "lineWidth": 1,
        "fillOpacity": if stacked { 40 } else { 10 },
        "showPoints": "never",
        "spanNulls": false,
        "stacking": { "mode": if stacked { "normal" } else { "none" }, "group": "A" },
        "axisPlacement": "auto",
        "thresholdsStyle": { "mode": if threshold_lines { "line" } else { "off" } },
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

    #[test]
    fn ref_ids_are_grafanas() {
        assert_eq!([0, 1, 25, 26, 27, 701].map(ref_id), ["A", "B", "Z", "AA", "AB", "ZZ"]);
    }

    #[test]
    fn visualizations_map_to_panel_types() {
        for v in Visualization::ALL {
            let (kind, _) = panel_type(*v);
            assert!(!kind.is_empty(), "{v:?}");
        }
        assert_eq!(panel_type(Visualization::StackedArea), ("timeseries", true));
        assert_eq!(panel_type(Visualization::PieChart), ("piechart", false));
        assert_eq!(Visualization::parse("Candlestick"), None);
    }
}
