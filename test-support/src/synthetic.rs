//! Synthetic catalogs for the code generation benchmarks, generated at bench time (never committed).
//!
//! A catalog of `n` metrics looks like a large real one: domains that grow with the catalog (one of
//! them with groups), shared closed and free-form labels plus a closed label per domain, every
//! instrument kind and number type, histograms with buckets, gauges with value maps and ratio
//! units, 2–3 PromQL queries per metric (instant and rate-based), an alert on every seventh metric,
//! and example queries, dashboards, a checklist and next steps that name real series. Every catalog
//! it makes loads without errors (the bench asserts it), so the whole pipeline is measured.

use otel_prometheus_names::Instrument;
use otel_prometheus_names::PrometheusName;
use std::fmt::Write;

/// Domain names; past the end of the list, names repeat with a number (`orders_2`).
const DOMAINS: &[&str] = &[
    "orders",
    "payments",
    "inventory",
    "shipping",
    "search",
    "billing",
    "identity",
    "catalog",
    "pricing",
    "reviews",
    "notifications",
    "analytics",
];

/// Nouns metric names are made of; a number makes each name unique (`shipment3`).
const NOUNS: &[&str] = &[
    "request", "shipment", "invoice", "session", "batch", "message", "lookup", "refund", "upload", "render", "export",
    "import", "token", "webhook", "report", "job", "query", "snapshot", "lease", "cursor",
];

/// Closed labels shared by every domain: id, exported key (when not the id), values.
const SHARED_CLOSED: &[(&str, Option<&str>, &[&str])] = &[
    ("result", None, &["success", "error"]),
    ("outcome", None, &["commit", "rollback"]),
    ("http_method", Some("method"), &["get", "post", "put", "delete", "patch"]),
    ("status_class", None, &["1xx", "2xx", "3xx", "4xx", "5xx"]),
    ("error_type", None, &["timeout", "connection_refused", "invalid_input", "internal", "not_found"]),
    ("priority", None, &["low", "normal", "high", "critical"]),
    ("step_result_type", Some("result_type"), &["success", "error", "timeout", "cancelled", "skipped"]),
];

/// Free-form labels shared by every domain: id and an example value.
const SHARED_FREE: &[(&str, &str)] = &[
    ("correlation_id", "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5"),
    ("namespace", "rust_e2e_linear"),
    ("task_type", "mathematical_sequence"),
    ("queue", "orders_queue"),
    ("component", "ffi_completion"),
    ("endpoint", "/v1/tasks"),
];

/// Values of each domain's own closed `<domain>_operation` label.
const OPERATIONS: &[&str] = &["create", "read", "update", "delete", "list", "archive"];

const MS_BUCKETS: &str = "[1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]";
const BYTE_BUCKETS: &str = "[256, 1024, 4096, 16384, 65536, 262144, 1048576]";

/// The number of domains of a catalog of `n` metrics: 4 for 100 metrics, 6 for 1,000, 24 for 10,000.
pub fn domain_count(n: usize) -> usize {
    4 + n / 500
}

fn domain_id(d: usize) -> String {
    match d / DOMAINS.len() {
        0 => DOMAINS[d].to_owned(),
        k => format!("{}_{}", DOMAINS[d % DOMAINS.len()], k + 1),
    }
}

fn title(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One metric of the catalog, with what its queries need.
struct Spec {
    name: String,
    domain: usize,
    instrument: Instrument,
    number: &'static str,
    unit: &'static str,
    labels: Vec<String>,
    value_map: Option<&'static str>,
    buckets: Option<&'static str>,
    /// Prometheus base name.
    base: String,
}

/// The groups of the domain that has them (domain 1).
const GROUPS: &[&str] = &["circuit_breaker", "channel"];
const GROUPED_DOMAIN: usize = 1;

fn spec(i: usize, n: usize, domains: usize) -> Spec {
    // Metrics of a domain are contiguous, as in a real catalog.
    let domain = i * domains / n;
    let dom = domain_id(domain);
    let noun = format!("{}{}", NOUNS[i % NOUNS.len()], i / NOUNS.len());
    let op = format!("{dom}_operation");
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let (suffix, instrument, number, unit, labels, value_map, buckets) = match i % 10 {
        0 => (
            "processed.total",
            Instrument::Counter,
            "u64",
            "{request}",
            s(&["correlation_id", "namespace", "result"]),
            None,
            None,
        ),
        1 => ("transferred", Instrument::Counter, "f64", "By", vec!["namespace".into(), op], None, None),
        2 => (
            "duration",
            Instrument::Histogram,
            "f64",
            "ms",
            vec!["namespace".into(), op, "step_result_type".into()],
            None,
            Some(MS_BUCKETS),
        ),
        3 => ("pending", Instrument::Gauge, "u64", "{item}", s(&["queue"]), None, None),
        4 => ("in_flight", Instrument::UpDownCounter, "i64", "{connection}", s(&["component", "priority"]), None, None),
        5 => (
            "payload.size",
            Instrument::Histogram,
            "u64",
            "By",
            s(&["http_method", "status_class", "endpoint"]),
            None,
            Some(BYTE_BUCKETS),
        ),
        6 => {
            let map = if (i / 10).is_multiple_of(2) { "breaker_state" } else { "connection_state" };
            ("state", Instrument::Gauge, "i64", "{state}", s(&["component"]), Some(map), None)
        }
        7 => ("cache.hit", Instrument::Gauge, "f64", "1", s(&["namespace", "task_type"]), None, None),
        8 => ("errors.total", Instrument::Counter, "u64", "{error}", s(&["error_type", "outcome"]), None, None),
        _ => ("usage", Instrument::Gauge, "f64", "%", Vec::new(), None, None),
    };
    let name = format!("acme.{dom}.{noun}.{suffix}");
    let base = PrometheusName::of(&name, unit, instrument).base;
    Spec { name, domain, instrument, number, unit, labels, value_map, buckets, base }
}

/// The values of a closed label of the catalog, or `None` for a free-form one.
fn closed_values(label: &str) -> Option<Vec<String>> {
    if let Some((_, _, values)) = SHARED_CLOSED.iter().find(|(id, _, _)| *id == label) {
        return Some(values.iter().map(|v| (*v).to_owned()).collect());
    }
    label.ends_with("_operation").then(|| OPERATIONS.iter().map(|v| (*v).to_owned()).collect())
}

fn key_of(label: &str) -> &str {
    SHARED_CLOSED.iter().find(|(id, _, _)| *id == label).and_then(|(_, key, _)| *key).unwrap_or(label)
}

/// `(title, expr)` of each query of a metric: an instant and a rate-based one, and a third on every
/// other metric.
fn queries(m: &Spec, i: usize) -> Vec<(String, String)> {
    let b = &m.base;
    let group = m.labels.first().map(|l| key_of(l).to_owned());
    let closed = m.labels.iter().find_map(|l| closed_values(l).map(|v| (key_of(l).to_owned(), v[0].clone())));
    let by = |inner: &str| match &group {
        Some(g) => format!("sum by ({g}) ({inner})"),
        None => format!("sum({inner})"),
    };
    let mut q = match m.instrument {
        Instrument::Counter => vec![
            (format!("Total by {}", group.as_deref().unwrap_or("all")), by(b)),
            ("Rate over 5 minutes".into(), format!("sum(rate({b}[5m]))")),
        ],
        Instrument::Histogram => vec![
            ("Simple average".into(), format!("{b}_sum /\n{b}_count")),
            ("P95 over 5 minutes".into(), format!("histogram_quantile(0.95, sum by (le) (rate({b}_bucket[5m])))")),
        ],
        Instrument::UpDownCounter => {
            vec![("Current".into(), by(b)), ("Change over 5 minutes".into(), format!("sum(delta({b}[5m]))"))]
        }
        Instrument::Gauge => {
            vec![("Current".into(), by(b)), ("Average over 5 minutes".into(), format!("avg_over_time({b}[5m])"))]
        }
    };
    if i.is_multiple_of(2) {
        match (&closed, m.instrument) {
            (Some((k, v)), Instrument::Histogram) => q.push((
                format!("P99 for {k}={v}"),
                format!("histogram_quantile(0.99, sum by (le) ({b}_bucket{{{k}=\"{v}\"}}))"),
            )),
            (Some((k, v)), _) => q.push((format!("Only {k}={v}"), format!("{b}{{{k}=\"{v}\"}}"))),
            (None, Instrument::Histogram) => {
                q.push(("P50".into(), format!("histogram_quantile(0.50, sum by (le) ({b}_bucket))")))
            }
            (None, _) => q.push(("Maximum over 1 hour".into(), format!("max_over_time({b}[1h])"))),
        }
    }
    q
}

/// An alert on every seventh metric: `(name, severity, expr, for)`.
fn alert(m: &Spec, i: usize) -> Option<(String, &'static str, String, Option<&'static str>)> {
    if i % 7 != 3 {
        return None;
    }
    let b = &m.base;
    let expr = match m.instrument {
        Instrument::Counter => format!("sum(rate({b}[5m])) > 100"),
        Instrument::Histogram => format!("histogram_quantile(0.99, sum by (le) (rate({b}_bucket[5m]))) > 1000"),
        Instrument::UpDownCounter => format!("sum({b}) > 500"),
        Instrument::Gauge if m.value_map.is_some() => format!("max({b}) == 2"),
        Instrument::Gauge => format!("max({b}) > 0.9"),
    };
    let severity = ["info", "warning", "critical"][i % 3];
    let name: String = m.name.split(['.', '_']).skip(1).map(title).collect::<Vec<_>>().join("").replace(' ', "");
    Some((format!("{name}High"), severity, expr, (i % 2 == 1).then_some("5m")))
}

/// YAML double-quoted scalar.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A block scalar under `key` at `indent` spaces, for multi-line queries.
fn expr_field(out: &mut String, indent: usize, key: &str, expr: &str) {
    let pad = " ".repeat(indent);
    if expr.contains('\n') {
        let _ = writeln!(out, "{pad}{key}: |-");
        for line in expr.lines() {
            let _ = writeln!(out, "{pad}  {line}");
        }
    } else {
        let _ = writeln!(out, "{pad}{key}: {}", q(expr));
    }
}

/// The text of a catalog of `n` metrics (`n` ≥ 10).
pub fn catalog(n: usize) -> String {
    assert!(n >= 10, "a synthetic catalog has at least one metric of each kind");
    let domains = domain_count(n);
    let specs: Vec<Spec> = (0..n).map(|i| spec(i, n, domains)).collect();
    let mut out = String::with_capacity(n * 1200);
    let _ = writeln!(out, "# A synthetic catalog of {n} metrics for the code generation benchmarks.\n");
    out.push_str(
        r#"document:
  title: Acme Metrics Reference
  summary: >-
    A synthetic catalog the size of a large platform's, generated for the code generation
    benchmarks.
  meter_name: acme
  rust_prefix: acme
  export_interval_seconds: 60
  otlp_endpoint: http://localhost:4317
  grafana_url: http://localhost:3000
  prometheus_url: http://localhost:9090
  overview_note: |-
    **Prometheus metric names.** Dots become underscores and units are appended.
  query_patterns:
    instant_when: [Testing with burst/batch execution, Viewing data from recent runs]
    rate_when: [Continuous production monitoring, Building alerting rules]
    why: The `rate()` function needs data points spread across its window.
  configuration:
    file: config/telemetry.toml
    snippet: |-
      [telemetry]
      enabled = true
    log_check: |-
      # Should see:
      # opentelemetry_enabled=true
  footer: Generated by test-support/src/synthetic.rs.

domains:
"#,
    );
    for d in 0..domains {
        let id = domain_id(d);
        let _ = writeln!(out, "  - id: {id}\n    title: {}\n    summary: {} service metrics", title(&id), title(&id));
        let _ = writeln!(out, "    module: services/{id}/src/metrics.rs");
        let _ = writeln!(out, "    instrumentation: services/{id}/src/*.rs");
        if d.is_multiple_of(3) {
            let _ =
                writeln!(out, "    intro: |-\n      Metrics of the {id} service.\n\n      **Related docs:** Runbook");
        }
        if d == GROUPED_DOMAIN {
            out.push_str("    groups:\n");
            for g in GROUPS {
                let _ =
                    writeln!(out, "      - id: {g}\n        title: {} Metrics\n        intro: About {g}.", title(g));
            }
        }
    }

    out.push_str("\nlabels:\n");
    for (id, key, values) in SHARED_CLOSED {
        let _ = writeln!(out, "  {id}:");
        if let Some(k) = key {
            let _ = writeln!(out, "    key: {k}");
        }
        let _ = writeln!(out, "    description: The {} of the operation", id.replace('_', " "));
        let _ = writeln!(out, "    values: [{}]", values.iter().map(|v| q(v)).collect::<Vec<_>>().join(", "));
    }
    for (id, example) in SHARED_FREE {
        let _ = writeln!(out, "  {id}:\n    description: The {}", id.replace('_', " "));
        let _ = writeln!(out, "    free_form: One value per {}; unbounded.", id.replace('_', " "));
        let _ = writeln!(out, "    examples: [{}]", q(example));
    }
    for d in 0..domains {
        let id = domain_id(d);
        let _ = writeln!(out, "  {id}_operation:\n    description: The {id} operation measured");
        let _ = writeln!(out, "    values: [{}]", OPERATIONS.join(", "));
    }

    out.push_str(
        r#"
value_maps:
  breaker_state:
    description: State of a circuit breaker
    values:
      - {value: 0, name: Closed, color: green}
      - {value: 1, name: Half-Open, color: yellow}
      - {value: 2, name: Open, color: red}
  connection_state:
    description: State of a connection
    values:
      - {value: 0, name: Disconnected}
      - {value: 1, name: Connecting}
      - {value: 2, name: Connected}

metrics:
"#,
    );
    for (i, m) in specs.iter().enumerate() {
        let _ = writeln!(out, "  - name: {}", m.name);
        let _ = writeln!(out, "    domain: {}", domain_id(m.domain));
        if m.domain == GROUPED_DOMAIN {
            let _ = writeln!(out, "    group: {}", GROUPS[i % GROUPS.len()]);
        }
        let _ = writeln!(out, "    instrument: {}", m.instrument.as_str());
        let _ = writeln!(out, "    type: {}\n    unit: {}", m.number, q(m.unit));
        let _ = writeln!(out, "    description: {} of {}", title(m.name.rsplit('.').next().unwrap_or("")), m.name);
        let _ = writeln!(out, "    labels: [{}]", m.labels.join(", "));
        match i % 5 {
            0..=2 => {
                let _ = writeln!(
                    out,
                    "    status: instrumented\n    recorded_in: {}",
                    q(&format!("{}.rs:record()", m.base))
                );
            }
            3 => out.push_str("    status: planned\n"),
            _ => out.push_str("    status: defined_not_instrumented\n    status_note: awaiting the new client\n"),
        }
        if let Some(map) = m.value_map {
            let _ = writeln!(out, "    value_map: {map}");
        }
        if let Some(b) = m.buckets {
            let _ = writeln!(out, "    buckets: {b}");
        }
        if i.is_multiple_of(11) {
            out.push_str("    note: >-\n      The unit was chosen by this catalog; the service reports seconds.\n");
        }
        out.push_str("    queries:\n");
        for (title, expr) in queries(m, i) {
            let _ = writeln!(out, "      - title: {}", q(&title));
            expr_field(&mut out, 8, "expr", &expr);
        }
        if let Some((name, severity, expr, for_duration)) = alert(m, i) {
            let _ = writeln!(out, "    alerts:\n      - name: {name}\n        severity: {severity}");
            expr_field(&mut out, 8, "expr", &expr);
            if let Some(f) = for_duration {
                let _ = writeln!(out, "        for: {f}");
            }
            let _ = writeln!(out, "        summary: {}", q(&format!("{} is too high", m.name)));
            // Shaped like a real catalog's cases; promtool runs only the real catalogs' tests.
            let series = match m.instrument {
                Instrument::Histogram => format!("{}_bucket{{le=\"+Inf\"}}", m.base),
                _ => m.base.clone(),
            };
            let _ = writeln!(out, "        tests:");
            for (case, values, fires) in [("far above", "0+100000x20", "[{}]"), ("at zero", "0x20", "[]")] {
                let _ = writeln!(
                    out,
                    "          - case: {case}\n            input:\n              - series: {}\n                values: {values}\n            at: 10m\n            fires: {fires}",
                    q(&series)
                );
            }
        }
    }

    // Document-level sections that name real series: per domain, a few of its first metrics.
    let first_of = |d: usize, k: usize| specs.iter().filter(move |m| m.domain == d).take(k);
    out.push_str("\nexample_queries:\n");
    for d in 0..domains {
        let _ = writeln!(out, "  - title: {} Flow\n    examples:", title(&domain_id(d)));
        let _ = writeln!(out, "      - title: Everything the {} service counted\n        queries:", domain_id(d));
        for m in first_of(d, 10).filter(|m| m.instrument == Instrument::Counter) {
            let _ = writeln!(
                out,
                "          - title: {}\n            expr: {}",
                q(&m.name),
                q(&format!("sum({})", m.base))
            );
            let _ = writeln!(
                out,
                "          - title: {}\n            expr: {}",
                q(&format!("{} rate", m.name)),
                q(&format!("sum(rate({}[5m]))", m.base))
            );
        }
        out.push_str("        note: \"Expected flow: `1 → N → 1`.\"\n");
    }
    out.push_str("\ndashboards:\n");
    for d in 0..domains {
        let _ = writeln!(out, "  - title: {} Overview", title(&domain_id(d)));
        if d.is_multiple_of(2) {
            let _ = writeln!(out, "    domain: {}", domain_id(d));
        }
        out.push_str("    panels:\n");
        for m in first_of(d, 10) {
            let (viz, expr) = match m.instrument {
                Instrument::Counter => ("Time series", format!("sum(rate({}[5m]))", m.base)),
                Instrument::Histogram => ("Heatmap", format!("sum by (le) (rate({}_bucket[5m]))", m.base)),
                _ => ("Gauge", format!("max({})", m.base)),
            };
            let _ = writeln!(out, "      - title: {}\n        visualization: {viz}", q(&m.name));
            let _ = writeln!(out, "        queries:\n          - title: Series\n            expr: {}", q(&expr));
            if let Some(map) = m.value_map {
                let _ = writeln!(out, "        value_map: {map}\n        thresholds: green < 1, yellow < 2, red >= 2");
            }
        }
    }
    out.push_str("\nverification:\n");
    for d in 0..domains {
        let _ = writeln!(out, "  - title: {}\n    items:", title(&domain_id(d)));
        let _ = writeln!(out, "      - text: The {} service exports its metrics", domain_id(d));
        if let Some(m) = first_of(d, 1).next() {
            let series =
                if m.instrument == Instrument::Histogram { format!("{}_count", m.base) } else { m.base.clone() };
            let _ = writeln!(out, "      - text: returns non-zero\n        query: {}", q(&series));
        }
    }
    out.push_str(
        r#"
troubleshooting:
  - title: No metrics appearing
    body: |-
      Check that telemetry is enabled and that the collector is reachable.
  - title: Rate queries return nothing
    body: The data points must be spread over the window; see Query Patterns.
  - title: Missing label values
    body: Free-form labels only show values that were recorded.

next_steps:
  - title: Instrumentation
    items:
"#,
    );
    for d in 0..domains {
        let _ =
            writeln!(out, "      - text: Instrument the {} service\n        domain: {}", domain_id(d), domain_id(d));
    }
    out.push_str("      - text: Build the dashboards\n");
    out
}
