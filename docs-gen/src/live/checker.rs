//! The checker of live-check: fed a source family by family and point by point, it names every
//! drift ([`Kind`]) and keeps what was seen for the coverage of the [`Report`].

use super::report::{LabelCoverage, MetricCoverage, NotCounted, Report};
use catalog_model::model::{Catalog, Instrument, NumberType, RequirementLevel, Status};
use otel_prometheus_names::unit_suffix;
use serde::Serialize;
use std::collections::HashMap;

/// Families every OpenTelemetry Prometheus exporter may add beside a meter's metrics: the
/// resource and the scope, not metrics of the catalog.
const EXPORTER_FAMILIES: &[&str] = &["target_info", "otel_scope_info"];

/// The help of every bucket finding.
const BUCKET_HELP: &str = "record through the generated recorder (it sets the catalog's boundaries), or change the catalog's buckets (a breaking change)";

/// What kind of drift a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A metric family the catalog does not declare.
    UndeclaredMetric,
    /// The family's type differs from the instrument's.
    TypeMismatch,
    /// The unit differs (in Prometheus: the name's unit word, or `# UNIT`).
    UnitMismatch,
    /// Integer points where the catalog declares `f64`, or the reverse (OTLP).
    NumberTypeMismatch,
    /// Histogram bucket boundaries that differ from the catalog's.
    BucketMismatch,
    /// A series without a required label.
    MissingLabel,
    /// A label the catalog does not declare on the metric.
    UndeclaredLabel,
    /// A closed label's value outside its set.
    ValueOutsideSet,
    /// A series of attribute sets beyond the metric's cardinality limit.
    Overflow,
    /// A metric seen while the catalog says `planned` or `defined_not_instrumented`.
    NotInstrumented,
    /// An exemplar OpenMetrics or its consumers would not take: on a line other than a counter's
    /// `_total` or a histogram's `_bucket`, over 128 characters of labels, its value outside its
    /// bucket, or a `trace_id`/`span_id` that is not a valid id.
    BadExemplar,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::UndeclaredMetric,
        Kind::TypeMismatch,
        Kind::UnitMismatch,
        Kind::NumberTypeMismatch,
        Kind::BucketMismatch,
        Kind::MissingLabel,
        Kind::UndeclaredLabel,
        Kind::ValueOutsideSet,
        Kind::Overflow,
        Kind::NotInstrumented,
        Kind::BadExemplar,
    ];

    /// The name the text and JSON reports use (`undeclared_metric`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UndeclaredMetric => "undeclared_metric",
            Kind::TypeMismatch => "type_mismatch",
            Kind::UnitMismatch => "unit_mismatch",
            Kind::NumberTypeMismatch => "number_type_mismatch",
            Kind::BucketMismatch => "bucket_mismatch",
            Kind::MissingLabel => "missing_label",
            Kind::UndeclaredLabel => "undeclared_label",
            Kind::ValueOutsideSet => "value_outside_set",
            Kind::Overflow => "overflow",
            Kind::NotInstrumented => "not_instrumented",
            Kind::BadExemplar => "bad_exemplar",
        }
    }
}

/// The most values outside an open list's known ones a report lists per label.
pub const MAX_OTHERS: usize = 20;

/// One drift, reported once with how often it occurred.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The metric as the source names it (the family, or the OpenTelemetry name).
    pub metric: String,
    /// What varies within the kind: a label key, `key="value"`, a boundary; empty otherwise.
    pub detail: String,
    pub message: String,
    pub help: String,
    /// The first place it occurred: `scrape.prom:812`, or `otlp export 3`.
    pub at: String,
    pub count: u64,
    /// The catalog's declaration it is checked against (`metrics.yaml:LINE:COL`), resolved by the
    /// caller from `declared_path`.
    pub declared_at: Option<String>,
    #[serde(skip)]
    pub declared_path: Option<String>,
    /// The line or export number of `at`, for the order of the report.
    #[serde(skip)]
    pub(crate) order: u64,
}

/// An exemplar as the source shows it, for [`Checker::exemplar`].
pub struct ExemplarSeen<'a> {
    /// The sample's name.
    pub sample: &'a str,
    /// The sample's ending within its family (`_total`, `_bucket`, `` for the family's own name);
    /// `None` where any point may carry exemplars (OTLP).
    pub line: Option<&'a str>,
    /// The combined characters of its label names and values.
    pub chars: usize,
    pub value: f64,
    /// A `_bucket` sample's bucket: (previous bound, `le`).
    pub bucket: Option<(f64, f64)>,
    /// Its `trace_id` and `span_id` labels, where it has them.
    pub ids: Vec<(&'a str, &'a str)>,
}

/// Whose names the source uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Prometheus family and label names (`shop_orders_total`, `http_route`).
    Prometheus,
    /// OpenTelemetry metric names, units and attribute keys (`shop.orders`).
    OpenTelemetry,
}

/// How the check reads its source.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Attribute keys the service drops at export (its `drop_labels`), by OpenTelemetry key or
    /// Prometheus label name: their absence is not a missing label.
    pub drop_labels: Vec<String>,
    /// Families (or OpenTelemetry metrics) of other meters to pass over: an exact name, or a prefix
    /// ending in `*`.
    pub ignore: Vec<String>,
}

/// What the checker knows of one catalog metric.
struct Declared {
    /// The name the source uses for it.
    name: String,
    /// The type the source shows for it.
    kind: &'static str,
    /// (key as the source writes it, index into the catalog's labels), in the metric's order.
    keys: Vec<(String, usize)>,
    /// Bit i: label i of `keys` must be present (required, not dropped).
    required: u64,
    boundaries: Option<Vec<f64>>,
    seen: bool,
    /// Per label of `keys`: which of its closed values were seen (empty for a free-form label).
    values_seen: Vec<Vec<bool>>,
    /// Per label of `keys`: the values seen outside an open list's known ones (information, not
    /// drift), the first [`MAX_OTHERS`] of them.
    others_seen: Vec<std::collections::BTreeSet<String>>,
    boundaries_seen: Vec<bool>,
    /// Where the first bucket of the family was, for boundaries never seen.
    first_bucket: Option<u64>,
    /// The exemplars its samples carried.
    exemplars: u64,
}

/// Compares a source with the catalog, family by family and point by point.
pub struct Checker<'c> {
    catalog: &'c Catalog,
    naming: Naming,
    source: String,
    options: Options,
    declared: Vec<Declared>,
    by_name: HashMap<String, usize>,
    /// Prometheus: the name without `_total` and its unit word, for families renamed by a unit or
    /// type change.
    by_stem: HashMap<String, usize>,
    /// The unit words of [`stem`].
    words: Vec<String>,
    findings: Vec<Finding>,
    index: HashMap<(Kind, String, String), usize>,
    families: u64,
    samples: u64,
    ignored: u64,
}

/// The type a source shows for an instrument.
fn kind_of(instrument: Instrument, naming: Naming) -> &'static str {
    match (instrument, naming) {
        (Instrument::Counter, _) => "counter",
        (Instrument::UpDownCounter, Naming::Prometheus) => "gauge",
        (Instrument::UpDownCounter, Naming::OpenTelemetry) => "up_down_counter",
        (Instrument::Gauge, _) => "gauge",
        (Instrument::Histogram, _) => "histogram",
    }
}

/// Every unit word a Prometheus name may end in (`milliseconds`, `bytes_per_second`, `ratio`),
/// longest first.
fn unit_words() -> Vec<String> {
    let mut words: Vec<String> = otel_prometheus_names::UNIT_NAMES
        .iter()
        .filter_map(|u| unit_suffix(u))
        .chain(["s", "m", "h", "d"].iter().filter_map(|p| unit_suffix(&format!("By/{p}"))))
        .chain(["ratio".to_owned()])
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words
}

/// A Prometheus name without `_total` and without its unit word: `x_duration_seconds_total` and
/// `x_duration_milliseconds` share the stem `x_duration`.
fn stem<'a>(name: &'a str, words: &[String]) -> (&'a str, &'a str) {
    let base = name.strip_suffix("_total").unwrap_or(name);
    for w in words {
        if let Some(s) = base.strip_suffix(w.as_str()).and_then(|s| s.strip_suffix('_')) {
            return (s, &base[s.len() + 1..]);
        }
    }
    (base, "")
}

impl<'c> Checker<'c> {
    /// A checker of a source named `source` (a file, a URL, `otlp 127.0.0.1:4317`).
    pub fn new(catalog: &'c Catalog, naming: Naming, source: &str, options: Options) -> Checker<'c> {
        let dropped = |key: &str, prom: &str| options.drop_labels.iter().any(|d| d == key || d == prom);
        let mut declared = Vec::with_capacity(catalog.metrics.len());
        let mut by_name = HashMap::new();
        let mut by_stem = HashMap::new();
        let words = unit_words();
        for (i, m) in catalog.metrics.iter().enumerate() {
            let name = match naming {
                Naming::Prometheus => m.prometheus.base.clone(),
                Naming::OpenTelemetry => m.name.clone(),
            };
            let mut keys = Vec::new();
            let mut required = 0u64;
            let mut values_seen = Vec::new();
            for (bit, (&l, usage)) in m.labels.iter().zip(&m.label_uses).enumerate() {
                let def = &catalog.labels[l];
                let key = match naming {
                    Naming::Prometheus => def.prometheus_key.clone(),
                    Naming::OpenTelemetry => def.key.clone(),
                };
                // Required on this metric (its use's level, else the definition's).
                if usage.requirement.level == RequirementLevel::Required && !dropped(&def.key, &def.prometheus_key) {
                    required |= 1 << bit.min(63);
                }
                keys.push((key, l));
                values_seen.push(vec![false; def.values().map_or(0, <[_]>::len)]);
            }
            let others_seen = vec![Default::default(); keys.len()];
            // What the generated recorder sets: the declared boundaries or its unit's default.
            let boundaries = m.histogram_buckets().map(|(b, _)| b.to_vec());
            if naming == Naming::Prometheus {
                by_stem.insert(stem(&name, &words).0.to_owned(), i);
            }
            by_name.insert(name.clone(), i);
            declared.push(Declared {
                name,
                kind: kind_of(m.instrument, naming),
                keys,
                required,
                boundaries_seen: vec![false; boundaries.as_ref().map_or(0, Vec::len)],
                boundaries,
                seen: false,
                values_seen,
                others_seen,
                first_bucket: None,
                exemplars: 0,
            });
        }
        Checker {
            catalog,
            naming,
            source: source.to_owned(),
            options,
            declared,
            by_name,
            by_stem,
            words,
            findings: Vec::new(),
            index: HashMap::new(),
            families: 0,
            samples: 0,
            ignored: 0,
        }
    }

    fn place(&self, at: u64) -> String {
        match self.naming {
            Naming::Prometheus => format!("{}:{at}", self.source),
            Naming::OpenTelemetry => format!("{} export {at}", self.source),
        }
    }

    /// Records a finding, or counts it again.
    #[allow(clippy::too_many_arguments)]
    fn report(
        &mut self,
        kind: Kind,
        metric: &str,
        detail: &str,
        at: u64,
        declared_path: Option<String>,
        message: impl FnOnce() -> String,
        help: impl FnOnce() -> String,
    ) {
        let key = (kind, metric.to_owned(), detail.to_owned());
        if let Some(&i) = self.index.get(&key) {
            self.findings[i].count += 1;
            return;
        }
        self.index.insert(key, self.findings.len());
        let place = self.place(at);
        self.findings.push(Finding {
            kind,
            metric: metric.to_owned(),
            detail: detail.to_owned(),
            message: message(),
            help: help(),
            at: place,
            count: 1,
            declared_at: None,
            declared_path,
            order: at,
        });
    }

    fn is_ignored(&self, name: &str) -> bool {
        (self.naming == Naming::Prometheus && EXPORTER_FAMILIES.contains(&name))
            || self.options.ignore.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => p == name,
            })
    }

    /// Whether the catalog declares a metric of this name (in the source's naming).
    pub fn declares(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// One sample (or data point) read; counts it.
    pub fn count_sample(&mut self) {
        self.samples += 1;
    }

    /// A metric family of the source: its name as the source writes it, its type (`counter`,
    /// `gauge`, `histogram`, ...; in OpenTelemetry terms for OTLP: `up_down_counter` for a
    /// non-monotonic sum), and its unit where the source states one. Returns the catalog metric
    /// its points are checked against: the one of that name. A family that is a catalog metric in
    /// another unit or type (`x_seconds` for `x_milliseconds`) is reported as such, and its points
    /// are not checked: no query of the catalog reads them.
    pub fn family(&mut self, name: &str, kind: &str, unit: Option<&str>, at: u64) -> Option<usize> {
        if self.is_ignored(name) {
            self.ignored += 1;
            return None;
        }
        self.families += 1;
        let catalog = self.catalog;
        let naming = self.naming;
        if let Some(&i) = self.by_name.get(name) {
            let m = &catalog.metrics[i];
            let expected = self.declared[i].kind;
            if kind != expected {
                self.report(
                    Kind::TypeMismatch,
                    name,
                    kind,
                    at,
                    Some(format!("{}.instrument", m.at)),
                    || {
                        let shown = match naming {
                            Naming::Prometheus => format!(" (a {expected})"),
                            Naming::OpenTelemetry => String::new(),
                        };
                        format!(
                            "`{name}` is exposed as a {kind}, but the catalog declares `{}` with instrument `{}`{shown}",
                            m.name,
                            m.instrument.as_str()
                        )
                    },
                    || "record it with the catalog's instrument (its generated recorder does), or change the instrument in the catalog (a breaking change)".into(),
                );
            }
            if let Some(unit) = unit {
                let declared = match naming {
                    Naming::Prometheus => unit_suffix(&m.unit).unwrap_or_default(),
                    Naming::OpenTelemetry => m.unit.clone(),
                };
                if unit != declared && !(naming == Naming::Prometheus && unit.is_empty()) {
                    self.report(
                        Kind::UnitMismatch,
                        name,
                        unit,
                        at,
                        Some(format!("{}.unit", m.at)),
                        || match naming {
                            Naming::Prometheus => {
                                format!(
                                    "`{name}` has the unit `{unit}`, but the catalog declares `{}` (`{declared}`)",
                                    m.unit
                                )
                            }
                            Naming::OpenTelemetry => {
                                format!("`{name}` has the unit `{unit}`, but the catalog declares `{declared}`")
                            }
                        },
                        || "record in the catalog's unit, or change the unit in the catalog (a breaking change)".into(),
                    );
                }
            }
            if m.status != Status::Instrumented {
                self.report(
                    Kind::NotInstrumented,
                    name,
                    "",
                    at,
                    Some(format!("{}.status", m.at)),
                    || format!("`{name}` is emitted, but the catalog says its status is `{}`", m.status.as_str()),
                    || "set `status: instrumented` (and `recorded_in`) on it in the catalog".into(),
                );
            }
            return Some(i);
        }
        if naming == Naming::Prometheus {
            let (s, word) = stem(name, &self.words);
            if let Some(&i) = self.by_stem.get(s) {
                let m = &catalog.metrics[i];
                let base = self.declared[i].name.clone();
                let (_, declared_word) = stem(&base, &self.words);
                let unit_differs = word != declared_word;
                let (kind_found, field) =
                    if unit_differs { (Kind::UnitMismatch, "unit") } else { (Kind::TypeMismatch, "instrument") };
                self.report(
                    kind_found,
                    name,
                    "",
                    at,
                    Some(format!("{}.{field}", m.at)),
                    || {
                        if unit_differs {
                            format!(
                                "`{name}` ({kind}) is `{}` in another unit: the catalog's unit `{}` exposes it as `{base}`",
                                m.name, m.unit
                            )
                        } else {
                            format!(
                                "`{name}` ({kind}) is `{}` as another type: its instrument `{}` exposes it as `{base}` (a {})",
                                m.name,
                                m.instrument.as_str(),
                                kind_of(m.instrument, Naming::Prometheus)
                            )
                        }
                    },
                    || format!("every query of the catalog reads `{base}`; record it through the generated recorder, or change the catalog (a breaking change)"),
                );
                // Its points are not the metric's: no query reads them.
                return None;
            }
        }
        let similar = self
            .declared
            .iter()
            .enumerate()
            .map(|(i, d)| (strsim::normalized_levenshtein(name, &d.name), i))
            .filter(|(score, _)| *score >= 0.75)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, i)| i);
        let catalog_name = self.catalog.source.clone();
        let hint = similar.map(|i| self.declared[i].name.clone());
        self.report(
            Kind::UndeclaredMetric,
            name,
            "",
            at,
            similar.map(|i| format!("{}.name", catalog.metrics[i].at)),
            || format!("metric family `{name}` ({kind}) is not declared in the catalog"),
            || match hint {
                Some(h) => format!("did you mean `{h}`? Otherwise declare it in {catalog_name}, or pass --ignore {name} if another meter owns it"),
                None => format!("declare it in {catalog_name}, or pass --ignore {name} if another meter owns it"),
            },
        );
        None
    }

    /// One point of metric `i` with its labels (without `le` and `quantile`). `moved`: its value
    /// is not zero. Every point is checked for drift, but a counter's or a histogram's point counts
    /// towards coverage only when it moved: a zero series is an attribute set something created,
    /// not a measurement (a gauge's or an up-down counter's zero is a value, and counts).
    pub fn point<'a>(&mut self, i: usize, labels: impl IntoIterator<Item = (&'a str, &'a str)>, at: u64, moved: bool) {
        let catalog = self.catalog;
        let m = &catalog.metrics[i];
        let counts = moved || matches!(m.instrument, Instrument::Gauge | Instrument::UpDownCounter);
        if counts {
            self.declared[i].seen = true;
        }
        let overflow_key = match self.naming {
            Naming::Prometheus => "otel_metric_overflow",
            Naming::OpenTelemetry => "otel.metric.overflow",
        };
        let mut present = 0u64;
        let mut bad: Vec<(Kind, &str, &str, Option<usize>)> = Vec::new();
        for (key, value) in labels {
            if key == overflow_key && value == "true" {
                let name = self.declared[i].name.clone();
                self.report(
                    Kind::Overflow,
                    &name,
                    "",
                    at,
                    Some(m.at.clone()),
                    || {
                        format!(
                            "`{name}` reached its cardinality limit of {} attribute sets: a series with `{overflow_key}=\"true\"` counts what did not fit",
                            m.cardinality_limit()
                        )
                    },
                    || "raise its cardinality_limit in the catalog, or drop an unbounded label with drop_labels".into(),
                );
                return;
            }
            if self.naming == Naming::Prometheus && key.starts_with("otel_scope_") {
                continue;
            }
            let d = &mut self.declared[i];
            match d.keys.iter().position(|(k, _)| k == key) {
                None => bad.push((Kind::UndeclaredLabel, key, value, None)),
                Some(bit) => {
                    present |= 1 << bit.min(63);
                    let def = &catalog.labels[d.keys[bit].1];
                    if let Some(values) = def.values() {
                        match values.iter().position(|v| v.value == value) {
                            Some(v) => d.values_seen[bit][v] |= counts,
                            // An open list takes other values: noted, not drift.
                            None if def.is_open_enum() => {
                                if d.others_seen[bit].len() < MAX_OTHERS {
                                    d.others_seen[bit].insert(value.to_owned());
                                }
                            }
                            None => bad.push((Kind::ValueOutsideSet, key, value, Some(bit))),
                        }
                    }
                }
            }
        }
        let missing = self.declared[i].required & !present;
        if bad.is_empty() && missing == 0 {
            return;
        }
        let name = self.declared[i].name.clone();
        for (kind, key, value, bit) in bad {
            match kind {
                Kind::UndeclaredLabel => self.report(
                    kind,
                    &name,
                    key,
                    at,
                    Some(format!("{}.labels", m.at)),
                    || format!("`{name}` has the label `{key}`, which the catalog does not declare on it"),
                    || format!("declare `{key}` on the metric in the catalog, or drop it at export (drop_labels)"),
                ),
                _ => {
                    let def = &catalog.labels[self.declared[i].keys[bit.unwrap_or_default()].1];
                    let set: Vec<&str> = def.values().unwrap_or_default().iter().map(|v| v.value.as_str()).collect();
                    self.report(
                        kind,
                        &name,
                        &format!("{key}=\"{value}\""),
                        at,
                        Some(def.at.clone()),
                        || format!("`{name}` has `{key}=\"{value}\"`, outside the label's declared values ({})", set.join(", ")),
                        || format!("record one of the declared values (the generated enum has them), or add `{value}` to the label's values in the catalog"),
                    );
                }
            }
        }
        for bit in 0..self.declared[i].keys.len().min(64) {
            if missing & (1 << bit) != 0 {
                let (key, l) = self.declared[i].keys[bit].clone();
                self.report(
                    Kind::MissingLabel,
                    &name,
                    &key,
                    at,
                    Some(catalog.labels[l].at.clone()),
                    || format!("`{name}` has a series without the required label `{key}`"),
                    || format!("record `{key}` on every point (the generated label set requires it), or tell live-check the service drops it (--drop-labels {key})"),
                );
            }
        }
    }

    /// One bucket boundary (`le`) of a Prometheus histogram of metric `i` (not `+Inf`).
    pub fn bucket(&mut self, i: usize, le: f64, at: u64) {
        let d = &mut self.declared[i];
        d.first_bucket.get_or_insert(at);
        let Some(bounds) = &d.boundaries else { return };
        match bounds.iter().position(|b| *b == le) {
            Some(p) => d.boundaries_seen[p] = true,
            None => {
                let (name, list) = (d.name.clone(), list_f64(bounds));
                let path = format!("{}.buckets", self.catalog.metrics[i].at);
                self.report(
                    Kind::BucketMismatch,
                    &name,
                    &format!("le={le}"),
                    at,
                    Some(path),
                    || format!("`{name}` has a bucket boundary `le=\"{le}\"` the catalog does not declare (it declares {list})"),
                    || BUCKET_HELP.into(),
                );
            }
        }
    }

    /// The explicit boundaries of an OTLP histogram point of metric `i`.
    pub fn boundaries(&mut self, i: usize, bounds: &[f64], at: u64) {
        let d = &mut self.declared[i];
        let Some(expected) = &d.boundaries else { return };
        if expected.as_slice() == bounds {
            d.boundaries_seen.iter_mut().for_each(|s| *s = true);
            return;
        }
        let (name, want, got) = (d.name.clone(), list_f64(expected), list_f64(bounds));
        let path = format!("{}.buckets", self.catalog.metrics[i].at);
        self.report(
            Kind::BucketMismatch,
            &name,
            &got.clone(),
            at,
            Some(path),
            || format!("`{name}` has the boundaries {got}, but the catalog declares {want}"),
            || BUCKET_HELP.into(),
        );
    }

    /// Whether a point of metric `i` carried an integer or a floating-point value (OTLP).
    pub fn number(&mut self, i: usize, integer: bool, at: u64) {
        let m = &self.catalog.metrics[i];
        if integer == (m.number != NumberType::F64) {
            return;
        }
        let got = if integer { "integer" } else { "floating-point" };
        let name = self.declared[i].name.clone();
        let path = format!("{}.type", m.at);
        self.report(
            Kind::NumberTypeMismatch,
            &name,
            got,
            at,
            Some(path),
            || format!("`{name}` exports {got} values, but the catalog declares `{}`", m.number.as_str()),
            || "record through the generated recorder (it takes the catalog's number type), or change the catalog's type".into(),
        );
    }

    /// An exemplar on a sample of catalog metric `i`: `line` says where (`"_total"`, `"_bucket"`, or
    /// another sample name's ending), `bucket` the bucket's bounds `(above, le)` on a `_bucket`
    /// line. Counts it for the metric, and reports what makes it bad.
    pub fn exemplar(&mut self, i: usize, e: &ExemplarSeen<'_>, at: u64) {
        self.declared[i].exemplars += 1;
        let name = self.declared[i].name.clone();
        let bad = |me: &mut Self, detail: &str, message: String, help: &'static str| {
            me.report(Kind::BadExemplar, &name, detail, at, None, || message, || help.into());
        };
        let placed = match (self.declared[i].kind, e.line) {
            (_, None) => true,
            ("counter", Some(line)) => line == "_total",
            ("histogram", Some(line)) => line == "_bucket",
            _ => false,
        };
        if !placed {
            bad(
                self,
                "placement",
                format!("`{name}` carries an exemplar on a `{}` sample", e.sample),
                "OpenMetrics allows exemplars on a counter's `_total` and a histogram's `_bucket` samples only",
            );
        }
        if e.chars > prometheus_exposition::EXEMPLAR_MAX_CHARS {
            bad(
                self,
                "length",
                format!("`{name}` carries an exemplar whose labels have {} characters", e.chars),
                "OpenMetrics allows 128 characters of exemplar label names and values; Prometheus refuses the scrape",
            );
        }
        if let Some((above, le)) = e.bucket
            && !(e.value > above && e.value <= le)
        {
            bad(
                self,
                "bucket",
                format!("`{name}` carries an exemplar of {} in the bucket ({above}, {le}]", e.value),
                "a bucket's exemplar is a measurement that bucket counted: its value is above the previous bound and at most `le`",
            );
        }
        for (key, digits) in [("trace_id", 32), ("span_id", 16)] {
            if let Some(id) = e.ids.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
                && !(id.len() == digits
                    && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    && id.bytes().any(|b| b != b'0'))
            {
                bad(
                    self,
                    key,
                    format!(
                        "`{name}` carries an exemplar whose {key} `{id}` is not {digits} lowercase hex digits, not all zero"
                    ),
                    "W3C trace context ids: a trace id is 16 bytes, a span id 8, as lowercase hex; all zeros is invalid",
                );
            }
        }
    }

    /// The report: findings in the order they first occurred, and the coverage.
    pub fn finish(mut self) -> Report {
        for i in 0..self.declared.len() {
            let d = &self.declared[i];
            let (Some(at), Some(bounds)) = (d.first_bucket, &d.boundaries) else { continue };
            let missing: Vec<f64> =
                bounds.iter().zip(&d.boundaries_seen).filter(|(_, seen)| !**seen).map(|(b, _)| *b).collect();
            if missing.is_empty() {
                continue;
            }
            let (name, list) = (d.name.clone(), list_f64(&missing));
            let path = format!("{}.buckets", self.catalog.metrics[i].at);
            self.report(
                Kind::BucketMismatch,
                &name,
                &format!("missing {list}"),
                at,
                Some(path),
                || format!("`{name}` lacks the declared bucket boundaries {list}"),
                || BUCKET_HELP.into(),
            );
        }
        // Findings of the last pass (boundaries never seen) take their place in the source's order.
        self.findings.sort_by_key(|f| f.order);
        let catalog = self.catalog;
        let mut metrics = Vec::new();
        let mut not_counted = Vec::new();
        for (m, d) in catalog.metrics.iter().zip(&self.declared) {
            if m.status != Status::Instrumented {
                not_counted.push(NotCounted { metric: m.name.clone(), status: m.status.as_str(), seen: d.seen });
                continue;
            }
            let labels = d
                .keys
                .iter()
                .zip(&d.values_seen)
                .zip(&d.others_seen)
                .filter_map(|(((key, l), seen), others)| {
                    let values = catalog.labels[*l].values()?;
                    let (mut yes, mut no) = (Vec::new(), Vec::new());
                    for (v, s) in values.iter().zip(seen) {
                        if *s { &mut yes } else { &mut no }.push(v.value.clone());
                    }
                    let others = others.iter().cloned().collect();
                    Some(LabelCoverage { key: key.clone(), seen: yes, not_seen: no, others })
                })
                .collect();
            metrics.push(MetricCoverage {
                metric: m.name.clone(),
                name: d.name.clone(),
                seen: d.seen,
                labels,
                exemplars: d.exemplars,
            });
        }
        Report {
            naming: self.naming,
            source: self.source,
            catalog: catalog.source.clone(),
            families: self.families,
            samples: self.samples,
            ignored: self.ignored,
            findings: self.findings,
            metrics,
            not_counted,
        }
    }
}

fn list_f64(v: &[f64]) -> String {
    format!("[{}]", v.iter().map(f64::to_string).collect::<Vec<_>>().join(", "))
}
