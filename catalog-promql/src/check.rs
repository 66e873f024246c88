//! Every PromQL expression of the catalog checked against the series the catalog produces, and the
//! alert tests' input series checked as selectors. Rules: every selector names a series some metric
//! produces (`_bucket`/`_sum`/`_count` only for histograms); label matchers use labels that metric
//! has (`le` only on `_bucket`); equality matchers on closed labels use allowed values; `rate()` and
//! its kin only apply to counters; `by (...)` groups by labels the selected series have. A query of
//! a deprecated metric, other than the metric's own examples, is a warning.

use crate::queries::Parsed;
use crate::series::{SeriesIndex, SeriesKind, keys_of};
use crate::syntax;
use crate::syntax::{MAX_QUERY_BYTES, check_input_series, selector_name, selectors, walk};
use catalog_model::diag::message::{Alerting, Promql};
use catalog_model::diag::{Ctxt, did_you_mean};
use catalog_model::model::{Catalog, Instrument, Metric};
use catalog_model::source::join_key;
use otel_prometheus_names::HISTOGRAM_SUFFIXES;
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, LabelModifier, VectorSelector};
use std::collections::{BTreeSet, HashMap};

/// Parses every query and runs every rule; the parsed queries by id (`None` where a query does not
/// parse, which is reported).
pub fn all(catalog: &Catalog, cx: &mut Ctxt) -> Vec<Option<Parsed>> {
    let parsed = parse_all(catalog, cx);
    let index = SeriesIndex::new(catalog);
    for q in catalog.queries() {
        if let Some(p) = &parsed[q.id] {
            check_query(catalog, &index, &q.at, &p.ast, cx);
        }
    }
    input_series_are_selectors(catalog, cx);
    slis_count_real_events(catalog, &index, cx);
    deprecated_metrics_queried(catalog, &index, &parsed, cx);
    parsed
}

/// Every query parsed, with the work shared out among the machine's cores (parsing PromQL is a
/// fifth of the time of loading a large catalog, and the same text is parsed once); a query too
/// long to parse, or that does not parse, is reported at its expression.
fn parse_all(catalog: &Catalog, cx: &mut Ctxt) -> Vec<Option<Parsed>> {
    let mut texts: Vec<&str> =
        catalog.queries().map(|q| q.expr.as_str()).filter(|t| t.len() <= MAX_QUERY_BYTES).collect();
    texts.sort_unstable();
    texts.dedup();
    let asts = catalog_model::parallel::map_parallel(&texts, || (), |_, t| syntax::parse(t));
    let mut asts: HashMap<&str, Result<Expr, String>> = texts.into_iter().zip(asts).collect();
    // The catalog's dotted attribute keys and their Prometheus label names, for hints.
    let mut dotted: Vec<(&str, &str)> = catalog
        .labels
        .iter()
        .filter(|l| l.key.contains('.'))
        .map(|l| (l.key.as_str(), l.prometheus_key.as_str()))
        .collect();
    dotted.sort();
    dotted.dedup();
    let mut parsed: Vec<Option<Parsed>> = (0..catalog.query_count()).map(|_| None).collect();
    for q in catalog.queries() {
        if q.expr.len() > MAX_QUERY_BYTES {
            cx.error(&q.at, Promql::TooLong { bytes: q.expr.len(), max: MAX_QUERY_BYTES });
            continue;
        }
        // Each tree is taken, not cloned (a clone recurses once per level of the tree); the same
        // text a second time is parsed again.
        match asts.remove(q.expr.as_str()).unwrap_or_else(|| syntax::parse(&q.expr)) {
            Ok(ast) => parsed[q.id] = Some(Parsed { kind: syntax::kind(&ast), ast }),
            Err(error) => {
                // A dotted attribute key in a query is the likeliest mistake of a catalog in
                // OpenTelemetry's spelling: the hint names the Prometheus label to write instead.
                let dotted = dotted
                    .iter()
                    .filter(|(key, _)| q.expr.contains(key))
                    .map(|(key, name)| (key.to_string(), name.to_string()))
                    .collect();
                cx.error(
                    &q.at,
                    Promql::Syntax { query: q.expr.trim().to_owned(), error: error.trim().to_owned(), dotted },
                );
            }
        }
    }
    parsed
}

/// An alert test's input series is a selector promtool can feed: `rate(x[5m])` breaks it.
fn input_series_are_selectors(catalog: &Catalog, cx: &mut Ctxt) {
    for (at, series) in catalog.alert_test_series() {
        if let Err(error) = check_input_series(series) {
            cx.error(&at, Alerting::TestSeries { got: series.to_owned(), error });
        }
    }
}

/// Each SLI selector is a series name with equality matchers (the unit tests feed it to promtool
/// as an input series) of a counter's events, with real labels and values; a latency SLI names a
/// histogram whose bucket boundaries include its threshold.
fn slis_count_real_events(catalog: &Catalog, index: &SeriesIndex, cx: &mut Ctxt) {
    use catalog_model::diag::message::Slo as Msg;
    use catalog_model::model::Sli;
    for slo in &catalog.slos {
        match &slo.sli {
            Sli::Ratio { good, bad, total } => {
                for s in [good, bad, total].into_iter().flatten() {
                    let Some(vs) = sli_selector(&s.at, &s.selector, cx) else { continue };
                    let ast = Expr::VectorSelector(vs.clone());
                    check_query(catalog, index, &s.at, &ast, cx);
                    if let Some((m, kind)) = index.resolve(&vs)
                        && !(m.instrument == Instrument::Counter || kind == SeriesKind::Count)
                    {
                        let series = selector_name(&vs).unwrap_or_default().to_owned();
                        cx.error(&s.at, Msg::NotCounter { series, instrument: m.instrument.as_str() });
                    }
                }
            }
            Sli::Latency { histogram, threshold } => {
                let Some(mut vs) = sli_selector(&histogram.at, &histogram.selector, cx) else { continue };
                let name = selector_name(&vs).unwrap_or_default().to_owned();
                let Some(m) = index.base(&name).filter(|m| m.instrument == Instrument::Histogram) else {
                    if !catalog.names_unresolved_metric(&name) {
                        let histograms = catalog
                            .metrics
                            .iter()
                            .filter(|m| m.instrument == Instrument::Histogram)
                            .map(|m| m.prometheus.base.as_str());
                        let trimmed = HISTOGRAM_SUFFIXES.iter().find_map(|s| name.strip_suffix(s)).unwrap_or(&name);
                        let suggestion = did_you_mean(trimmed, histograms.clone())
                            .or_else(|| histograms.clone().find(|h| *h == trimmed).map(str::to_owned));
                        cx.error(&histogram.at, Msg::NotHistogram { got: name, suggestion });
                    }
                    continue;
                };
                vs.name = Some(format!("{name}_bucket"));
                check_query(catalog, index, &histogram.at, &Expr::VectorSelector(vs), cx);
                let bounds = m.histogram_buckets().map(|(b, _)| b).unwrap_or_default();
                if !bounds.contains(threshold) {
                    cx.error(
                        &join_key(&slo.at, "sli.threshold"),
                        Msg::Threshold {
                            threshold: *threshold,
                            unit: m.unit.clone(),
                            metric: m.name.clone(),
                            below: bounds.iter().copied().rfind(|b| b < threshold),
                            above: bounds.iter().copied().find(|b| b > threshold),
                        },
                    );
                }
            }
        }
    }
}

/// An SLI's selector parsed, or its error reported at `at`.
fn sli_selector(at: &str, text: &str, cx: &mut Ctxt) -> Option<VectorSelector> {
    use catalog_model::diag::message::Slo as Msg;
    if let Err(error) = check_input_series(text) {
        cx.error(at, Msg::Selector { got: text.trim().to_owned(), error });
        return None;
    }
    match syntax::parse(text) {
        Ok(Expr::VectorSelector(vs)) => Some(vs),
        _ => None,
    }
}

/// A query of a deprecated metric, other than the metric's own examples, is a warning: it breaks
/// when the metric is removed.
fn deprecated_metrics_queried(catalog: &Catalog, index: &SeriesIndex, parsed: &[Option<Parsed>], cx: &mut Ctxt) {
    if catalog.metrics.iter().all(|m| m.deprecated.is_none()) {
        return;
    }
    for q in catalog.queries() {
        let Some(p) = &parsed[q.id] else { continue };
        for m in index.metrics_selected(&p.ast) {
            let Some(d) = &m.deprecated else { continue };
            if m.queries.iter().any(|own| std::ptr::eq(own, q)) {
                continue;
            }
            cx.warn(
                &q.at,
                Promql::DeprecatedMetricQueried {
                    metric: m.name.clone(),
                    since: d.since.clone(),
                    reason: d.reason.trim().to_owned(),
                    renamed_to: d.renamed_to.clone(),
                },
            );
        }
    }
}

/// Functions that are only meaningful on counters.
const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];

/// Checks one query (its syntax tree `ast`). Every problem is reported at `at`, the query's location.
pub fn check_query(catalog: &Catalog, index: &SeriesIndex, at: &str, ast: &Expr, cx: &mut Ctxt) {
    for vs in selectors(ast) {
        check_selector(catalog, index, vs, at, cx);
    }
    walk(ast, &mut |e| match e {
        Expr::Call(call) if COUNTER_FUNCTIONS.contains(&call.func.name) => {
            for arg in &call.args.args {
                for vs in selectors(arg) {
                    if let Some((metric, SeriesKind::Plain)) = index.resolve(vs)
                        && matches!(metric.instrument, Instrument::Gauge | Instrument::UpDownCounter)
                    {
                        cx.error(
                            at,
                            Promql::RateOnGauge {
                                function: call.func.name.to_owned(),
                                series: metric.prometheus.base.clone(),
                                instrument: metric.instrument.as_str(),
                            },
                        );
                    }
                }
            }
        }
        Expr::Aggregate(agg) => {
            if let Some(LabelModifier::Include(by)) = &agg.modifier {
                check_grouping(catalog, index, &agg.expr, &by.labels, at, cx);
            }
        }
        _ => {}
    });
}

fn check_selector(catalog: &Catalog, index: &SeriesIndex, vs: &VectorSelector, at: &str, cx: &mut Ctxt) {
    let Some(name) = selector_name(vs) else {
        let example = catalog.metrics.first().map(|m| m.prometheus.series[0].clone());
        cx.error(at, Promql::NoMetricName { example });
        return;
    };
    let Some(&(metric, kind)) = index.series.get(name) else {
        if catalog.names_unresolved_metric(name) || catalog.has_duplicate_metric_names() {
            return; // Its metric already has an error, or a duplicate stands where it should be.
        }
        let not_histogram = HISTOGRAM_SUFFIXES
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).and_then(|base| index.bases.get(base)));
        match not_histogram {
            Some(metric) => cx.error(
                at,
                Promql::SuffixNotHistogram { series: name.to_owned(), metric: metric.prometheus.base.clone() },
            ),
            None => cx.error(
                at,
                Promql::UnknownSeries {
                    series: name.to_owned(),
                    // The search is over every series: skip it for errors that will only be counted.
                    suggestion: if cx.is_full() { None } else { did_you_mean(name, index.series.keys().copied()) },
                },
            ),
        }
        return;
    };
    let keys = keys_of(catalog, metric, kind);
    let matchers = vs.matchers.matchers.iter().chain(vs.matchers.or_matchers.iter().flatten());
    for m in matchers.filter(|m| m.name != "__name__") {
        check_matcher(catalog, metric, kind, &keys, m, name, at, cx);
    }
}

#[allow(clippy::too_many_arguments)]
fn check_matcher(
    catalog: &Catalog,
    metric: &Metric,
    kind: SeriesKind,
    keys: &[String],
    m: &Matcher,
    series: &str,
    at: &str,
    cx: &mut Ctxt,
) {
    if m.name == "le" && kind != SeriesKind::Bucket {
        cx.error(at, Promql::LeNotBucket { series: series.to_owned() });
        return;
    }
    if !keys.contains(&m.name) {
        if metric.has_unresolved_labels() {
            return;
        }
        cx.error(at, Promql::UnknownLabel { label: m.name.clone(), series: series.to_owned(), known: keys.to_vec() });
        return;
    }
    if m.op != MatchOp::Equal {
        return;
    }
    // An open list (`open: true`) takes other values too.
    let closed = metric
        .labels
        .iter()
        .map(|&l| catalog.label(l))
        .find(|l| l.prometheus_key == m.name)
        .filter(|l| !l.is_open_enum())
        .and_then(|l| l.values());
    if let Some(values) = closed
        && !values.iter().any(|v| v.value == m.value)
    {
        cx.error(
            at,
            Promql::ValueNotAllowed {
                label: m.name.clone(),
                value: m.value.clone(),
                allowed: values.iter().map(|v| v.value.clone()).collect(),
            },
        );
    }
}

/// `sum by (namespace, le) (X)`: each grouping label must be a label of some series selected in X.
/// Skipped where the inner expression makes labels of its own (`label_replace`, `label_join`).
fn check_grouping(catalog: &Catalog, index: &SeriesIndex, inner: &Expr, by: &[String], at: &str, cx: &mut Ctxt) {
    let mut makes_labels = false;
    walk(inner, &mut |e| {
        makes_labels |= matches!(e, Expr::Call(c) if c.func.name.starts_with("label_"));
    });
    if makes_labels {
        return;
    }
    let mut known = BTreeSet::new();
    for vs in selectors(inner) {
        match index.resolve(vs) {
            Some((metric, _)) if metric.has_unresolved_labels() => return,
            Some((metric, kind)) => known.extend(keys_of(catalog, metric, kind)),
            None => return, // Already reported by the selector check.
        }
    }
    for label in by {
        if !known.contains(label) {
            cx.error(at, Promql::UnknownGroupingLabel { label: label.clone(), known: known.iter().cloned().collect() });
        }
    }
}
