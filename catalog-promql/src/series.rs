//! The series a catalog makes, by name: what a selector of a query selects in the catalog's terms
//! (its metric, and whether it is a histogram's `_bucket`, `_sum` or `_count`), and the labels each
//! series has in Prometheus.

use crate::syntax::selector_name;
use catalog_model::model::{Catalog, Instrument, Metric};
use promql_parser::parser::{Expr, VectorSelector};
use std::collections::BTreeMap;

/// Which series of its metric a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    Plain,
    Bucket,
    Sum,
    Count,
}

/// Every series name of the catalog, with its metric.
pub struct SeriesIndex<'c> {
    pub(crate) series: BTreeMap<&'c str, (&'c Metric, SeriesKind)>,
    /// Prometheus base names of every metric, to tell "not a histogram" from "unknown".
    pub(crate) bases: BTreeMap<&'c str, &'c Metric>,
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
        self.resolve(vs).map(|(m, _)| m)
    }

    /// The metric whose series `vs` selects, and which of its series it is.
    pub fn resolve(&self, vs: &VectorSelector) -> Option<(&'c Metric, SeriesKind)> {
        selector_name(vs).and_then(|n| self.series.get(n).copied())
    }

    /// The metric whose Prometheus base name (without `_bucket`, `_sum`, `_count`) is `name`.
    pub fn base(&self, name: &str) -> Option<&'c Metric> {
        self.bases.get(name).copied()
    }

    /// The metrics whose series `ast` selects, each once, in the order the query names them.
    /// Selectors that name no series of the catalog are left out (the checks report them).
    pub fn metrics_selected(&self, ast: &Expr) -> Vec<&'c Metric> {
        let mut out: Vec<&'c Metric> = Vec::new();
        for (metric, _) in crate::syntax::selectors(ast).into_iter().filter_map(|vs| self.resolve(vs)) {
            if !out.iter().any(|m| std::ptr::eq(*m, metric)) {
                out.push(metric);
            }
        }
        out
    }

    /// Whether the series named `series` has the Prometheus label `key` (`le` on buckets).
    pub fn series_has_label(&self, catalog: &Catalog, series: &str, key: &str) -> bool {
        self.series.get(series).is_some_and(|&(m, kind)| keys_of(catalog, m, kind).iter().any(|k| k == key))
    }
}

/// The label names a series has in Prometheus: its metric's labels (`http.route` as `http_route`),
/// plus `le` on histogram buckets.
pub fn keys_of(catalog: &Catalog, metric: &Metric, kind: SeriesKind) -> Vec<String> {
    let mut keys: Vec<String> = metric.labels.iter().map(|&l| catalog.label(l).prometheus_key.clone()).collect();
    if kind == SeriesKind::Bucket {
        keys.push("le".into());
    }
    keys
}
