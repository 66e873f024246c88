//! Checks every PromQL expression of the catalog against the series the catalog produces.
//!
//! Parsing is promql-parser's; this module walks its AST. Rules: every selector names a series some
//! metric produces (`_bucket`/`_sum`/`_count` only for histograms); label matchers use labels that
//! metric has (`le` only on `_bucket`); equality matchers on closed labels use allowed values;
//! `rate()` and its kin only apply to counters; `by (...)` groups by labels the selected series have.

use crate::catalog::diag::{Ctxt, Message, did_you_mean};
use crate::catalog::model::{Catalog, Instrument, Metric, Query, QueryKind};
use crate::names::prometheus::HISTOGRAM_SUFFIXES;
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, LabelModifier, VectorSelector};
use std::collections::{BTreeMap, BTreeSet};

/// Rate-based when the query has a range selector or a subquery anywhere.
pub fn kind(ast: &Expr) -> QueryKind {
    let mut rate = false;
    walk(ast, &mut |e| rate |= matches!(e, Expr::MatrixSelector(_) | Expr::Subquery(_)));
    if rate { QueryKind::Rate } else { QueryKind::Instant }
}

/// Calls `f` on `e` and every expression inside it, parents first.
pub fn walk(e: &Expr, f: &mut impl FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, f);
            }
            walk(&a.expr, f);
        }
        Expr::Unary(u) => walk(&u.expr, f),
        Expr::Binary(b) => {
            walk(&b.lhs, f);
            walk(&b.rhs, f);
        }
        Expr::Paren(p) => walk(&p.expr, f),
        Expr::Subquery(s) => walk(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, f)),
        Expr::MatrixSelector(_)
        | Expr::VectorSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

/// Every selector in `e`, including the one inside a range selector.
pub fn selectors(e: &Expr) -> Vec<&VectorSelector> {
    let mut out = Vec::new();
    collect_selectors(e, &mut out);
    out
}

fn collect_selectors<'e>(e: &'e Expr, out: &mut Vec<&'e VectorSelector>) {
    match e {
        Expr::VectorSelector(v) => out.push(v),
        Expr::MatrixSelector(m) => out.push(&m.vs),
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                collect_selectors(p, out);
            }
            collect_selectors(&a.expr, out);
        }
        Expr::Unary(u) => collect_selectors(&u.expr, out),
        Expr::Binary(b) => {
            collect_selectors(&b.lhs, out);
            collect_selectors(&b.rhs, out);
        }
        Expr::Paren(p) => collect_selectors(&p.expr, out),
        Expr::Subquery(s) => collect_selectors(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| collect_selectors(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Which series of its metric a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeriesKind {
    Plain,
    Bucket,
    Sum,
    Count,
}

/// Every series name of the catalog, with its metric.
pub struct SeriesIndex<'c> {
    series: BTreeMap<&'c str, (&'c Metric, SeriesKind)>,
    /// Prometheus base names of every metric, to tell "not a histogram" from "unknown".
    bases: BTreeMap<&'c str, &'c Metric>,
}

impl<'c> SeriesIndex<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        let mut series = BTreeMap::new();
        let mut bases = BTreeMap::new();
        for m in &catalog.metrics {
            // The first definition wins; a second one is a duplicate, reported by `check`.
            bases.entry(m.prometheus.base.as_str()).or_insert(m);
            for s in &m.prometheus.series {
                let kind = match m.instrument {
                    Instrument::Histogram if s.ends_with("_bucket") => SeriesKind::Bucket,
                    Instrument::Histogram if s.ends_with("_sum") => SeriesKind::Sum,
                    Instrument::Histogram => SeriesKind::Count,
                    _ => SeriesKind::Plain,
                };
                series.entry(s.as_str()).or_insert((m, kind));
            }
        }
        SeriesIndex { series, bases }
    }
}

impl<'c> SeriesIndex<'c> {
    /// The metric whose series `vs` selects, if it names one of the catalog's series.
    pub fn metric_of(&self, vs: &VectorSelector) -> Option<&'c Metric> {
        resolve(self, vs).map(|(m, _)| m)
    }

    /// Whether the series named `series` has the Prometheus label `key` (`le` on buckets).
    pub fn series_has_label(&self, catalog: &Catalog, series: &str, key: &str) -> bool {
        self.series.get(series).is_some_and(|&(m, kind)| keys_of(catalog, m, kind).iter().any(|k| k == key))
    }
}

/// The label names a series has in Prometheus: its metric's labels (`http.route` as `http_route`),
/// plus `le` on histogram buckets.
fn keys_of(catalog: &Catalog, metric: &Metric, kind: SeriesKind) -> Vec<String> {
    let mut keys: Vec<String> = metric.labels.iter().map(|&l| catalog.label(l).prometheus_key.clone()).collect();
    if kind == SeriesKind::Bucket {
        keys.push("le".into());
    }
    keys
}

/// Functions that are only meaningful on counters.
const COUNTER_FUNCTIONS: &[&str] = &["rate", "irate", "increase", "resets"];

/// Checks one query. Every problem is reported at the query's location.
pub fn check_query(catalog: &Catalog, index: &SeriesIndex, query: &Query, cx: &mut Ctxt) {
    let at = query.at.as_str();
    for vs in selectors(&query.ast) {
        check_selector(catalog, index, vs, at, cx);
    }
    walk(&query.ast, &mut |e| match e {
        Expr::Call(call) if COUNTER_FUNCTIONS.contains(&call.func.name) => {
            for arg in &call.args.args {
                for vs in selectors(arg) {
                    if let Some((metric, SeriesKind::Plain)) = resolve(index, vs)
                        && matches!(metric.instrument, Instrument::Gauge | Instrument::UpDownCounter)
                    {
                        cx.error(
                            at,
                            Message::PromqlRateOnGauge {
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

/// Whether a selector of `e` has a matcher on `label`.
pub fn matches_on(e: &Expr, label: &str) -> bool {
    selectors(e).iter().any(|vs| vs.matchers.matchers.iter().any(|m| m.name == label))
}

/// The metrics whose series `query` selects, each once, in the order the query names them. Selectors
/// that name no series of the catalog are left out (the checks report them).
pub fn metrics_selected<'c>(index: &SeriesIndex<'c>, query: &Query) -> Vec<&'c Metric> {
    let mut out: Vec<&'c Metric> = Vec::new();
    for (metric, _) in selectors(&query.ast).into_iter().filter_map(|vs| resolve(index, vs)) {
        if !out.iter().any(|m| std::ptr::eq(*m, metric)) {
            out.push(metric);
        }
    }
    out
}

fn selector_name(vs: &VectorSelector) -> Option<&str> {
    vs.name.as_deref().or_else(|| {
        vs.matchers.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal).map(|m| m.value.as_str())
    })
}

fn resolve<'c>(index: &SeriesIndex<'c>, vs: &VectorSelector) -> Option<(&'c Metric, SeriesKind)> {
    selector_name(vs).and_then(|n| index.series.get(n).copied())
}

fn check_selector(catalog: &Catalog, index: &SeriesIndex, vs: &VectorSelector, at: &str, cx: &mut Ctxt) {
    let Some(name) = selector_name(vs) else {
        cx.error(at, Message::PromqlNoMetricName);
        return;
    };
    let Some(&(metric, kind)) = index.series.get(name) else {
        if catalog.unresolved.iter().any(|prefix| name.starts_with(prefix.as_str())) {
            return; // Its metric already has an error.
        }
        let not_histogram = HISTOGRAM_SUFFIXES
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).and_then(|base| index.bases.get(base)));
        match not_histogram {
            Some(metric) => cx.error(
                at,
                Message::PromqlSuffixNotHistogram { series: name.to_owned(), metric: metric.prometheus.base.clone() },
            ),
            None => cx.error(
                at,
                Message::PromqlUnknownSeries {
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
        cx.error(at, Message::PromqlLeNotBucket { series: series.to_owned() });
        return;
    }
    if !keys.contains(&m.name) {
        if metric.labels_unresolved {
            return;
        }
        cx.error(
            at,
            Message::PromqlUnknownLabel { label: m.name.clone(), series: series.to_owned(), known: keys.to_vec() },
        );
        return;
    }
    if m.op != MatchOp::Equal {
        return;
    }
    let closed =
        metric.labels.iter().map(|&l| catalog.label(l)).find(|l| l.prometheus_key == m.name).and_then(|l| l.values());
    if let Some(values) = closed
        && !values.iter().any(|v| v.value == m.value)
    {
        cx.error(
            at,
            Message::PromqlValueNotAllowed {
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
        match resolve(index, vs) {
            Some((metric, _)) if metric.labels_unresolved => return,
            Some((metric, kind)) => known.extend(keys_of(catalog, metric, kind)),
            None => return, // Already reported by the selector check.
        }
    }
    for label in by {
        if !known.contains(label) {
            cx.error(
                at,
                Message::PromqlUnknownGroupingLabel { label: label.clone(), known: known.iter().cloned().collect() },
            );
        }
    }
}
