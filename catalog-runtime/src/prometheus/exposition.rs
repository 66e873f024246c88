//! Collected metrics as a Prometheus scrape: the text format (version 0.0.4) or OpenMetrics 1.0
//! text, valid whatever the SDK holds.
//!
//! Names come from the one naming rule ([`otel_prometheus_names`]), for the catalog's metrics and
//! any other meter's alike. Whatever would make the scrape invalid (Prometheus drops an invalid
//! scrape whole, every good series with it) is repaired here and reported as a [`Repair`]:
//!
//! - attribute keys that become the same label name (`a.b`, `a_b`) are one label whose values are
//!   joined with `;` in the order of the original keys, as OpenTelemetry's Prometheus exporters do;
//! - label names Prometheus reserves (`__name__`, anything starting `__`, `le` on a histogram) are
//!   dropped;
//! - a metric from another meter with the same family name and type is merged into that family; one
//!   whose name or series names another family already has is dropped (the catalog's meter first);
//! - series whose labels became equal by a repair are exposed once;
//! - exponential histograms, which neither text format carries, are dropped.
//!
//! The encoder is this crate's own, not prometheus-client's: that crate writes only OpenMetrics,
//! does not escape `# HELP` text (a newline in a description breaks its output), checks no names,
//! and is driven only through its own `Registry`; the two formats differ in a handful of lines
//! here.

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, HistogramDataPoint, Metric, MetricData, ResourceMetrics};
use otel_prometheus_names::{Instrument, PrometheusName, label_name_cow};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};

/// A format of the exposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    Text,
    /// OpenMetrics 1.0 text (what Prometheus asks for first): `# EOF` at the end lets a scraper
    /// tell a cut-off answer from a whole one.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` of an answer in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// Something in the collected metrics that would have made the scrape invalid, and what the
/// exposition did instead. Each names the metric and its meter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Repair {
    /// Attribute keys of a metric that become the same label name: one label, values joined by `;`.
    MergedLabels {
        /// The metric (OpenTelemetry name) and its meter.
        metric: String,
        /// Its meter.
        meter: String,
        /// The label name they share.
        label: String,
        /// The attribute keys, in the order their values are joined.
        keys: Vec<String>,
    },
    /// An attribute whose label name Prometheus reserves, dropped.
    DroppedLabel {
        /// The metric.
        metric: String,
        /// Its meter.
        meter: String,
        /// The attribute key.
        key: String,
        /// Why the name cannot be used.
        why: &'static str,
    },
    /// A metric that is not exposed.
    DroppedMetric {
        /// The metric.
        metric: String,
        /// Its meter.
        meter: String,
        /// Why.
        why: String,
    },
    /// A metric of another meter merged into a family of the same name and type.
    MergedFamily {
        /// The metric.
        metric: String,
        /// Its meter.
        meter: String,
        /// The family it joined.
        family: String,
        /// The meter of the family's first metric.
        first_meter: String,
    },
    /// Series of one family whose labels became equal by a repair: only the first is exposed.
    DuplicateSeries {
        /// The family.
        family: String,
    },
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::MergedLabels { metric, meter, label, keys } => write!(
                f,
                "metric `{metric}` (meter `{meter}`): the attributes {} all become the Prometheus label `{label}`; \
                 their values are joined with `;` in one label (rename all but one of them to keep them apart)",
                keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
            Repair::DroppedLabel { metric, meter, key, why } => write!(
                f,
                "metric `{metric}` (meter `{meter}`): attribute `{key}` is not exposed: {why} (rename the attribute)"
            ),
            Repair::DroppedMetric { metric, meter, why } => {
                write!(f, "metric `{metric}` (meter `{meter}`) is not exposed: {why}")
            }
            Repair::MergedFamily { metric, meter, family, first_meter } => write!(
                f,
                "metric `{metric}` (meter `{meter}`) is exposed in the family `{family}` of meter `{first_meter}`, \
                 which has the same name and type (give the instruments different names to keep them apart)"
            ),
            Repair::DuplicateSeries { family } => write!(
                f,
                "family `{family}`: series whose labels became equal by the repairs above are exposed once, the \
                 first of each"
            ),
        }
    }
}

/// The Prometheus type of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// One metric family of the exposition: the SDK metrics (one, or several of the same name and
/// type from different meters) whose points it holds.
struct Family<'a> {
    kind: Kind,
    help: &'a str,
    members: Vec<(&'a str, &'a Metric)>,
}

/// Encodes `rm` in `format` into `out`, and returns what had to be repaired. `first_meter` (the
/// catalog's) is placed first when metrics of several meters want the same names.
pub fn encode(rm: &ResourceMetrics, format: Format, first_meter: &str, out: &mut Vec<u8>) -> Vec<Repair> {
    let mut repairs = Vec::new();
    let families = plan(rm, first_meter, &mut repairs);
    let mut writer = Writer { out, format, labels: String::new(), scratch: String::new() };
    for (name, family) in &families {
        writer.family(name, family, &mut repairs);
    }
    if format == Format::OpenMetrics {
        writer.out.extend_from_slice(b"# EOF\n");
    }
    repairs
}

/// The families, by name, with the metrics that could not be exposed reported.
fn plan<'a>(rm: &'a ResourceMetrics, first_meter: &str, repairs: &mut Vec<Repair>) -> BTreeMap<String, Family<'a>> {
    let mut metrics: Vec<(&str, &Metric)> =
        rm.scope_metrics().flat_map(|s| s.metrics().map(move |m| (s.scope().name(), m))).collect();
    // The catalog's meter first (a stable sort keeps the SDK's order otherwise).
    metrics.sort_by_key(|(meter, _)| *meter != first_meter);
    let mut families: BTreeMap<String, Family<'a>> = BTreeMap::new();
    // Every name a family's series or metadata lines use, in either format, and its family.
    let mut taken: BTreeMap<String, String> = BTreeMap::new();
    for (meter, metric) in metrics {
        let dropped = |why: String| Repair::DroppedMetric { metric: metric.name().into(), meter: meter.into(), why };
        let (kind, instrument) = match metric.data() {
            AggregatedMetrics::U64(d) => kind_of(d),
            AggregatedMetrics::I64(d) => kind_of(d),
            AggregatedMetrics::F64(d) => kind_of(d),
        };
        let Some(kind) = kind else {
            repairs.push(dropped(
                "it is an exponential histogram, which the Prometheus text formats cannot carry (export it with OTLP, \
                 or give it explicit buckets with a view)"
                    .into(),
            ));
            continue;
        };
        let name = PrometheusName::of(metric.name(), metric.unit(), instrument).base;
        // The naming rule makes every name valid (`[a-zA-Z0-9:]` words joined by `_`, never
        // starting with a digit or `__`); only a name without a letter or digit is left empty, and
        // the SDK refuses those itself.
        if name.is_empty() {
            repairs.push(dropped("its Prometheus name is empty (rename the instrument)".into()));
            continue;
        }
        if let Some(family) = families.get_mut(&name) {
            if family.kind == kind {
                repairs.push(Repair::MergedFamily {
                    metric: metric.name().into(),
                    meter: meter.into(),
                    family: name.clone(),
                    first_meter: family.members[0].0.into(),
                });
                family.members.push((meter, metric));
            } else {
                let (first_meter, first) = family.members[0];
                repairs.push(dropped(format!(
                    "its Prometheus name `{name}` is already the {} `{}` of meter `{first_meter}` (rename one of the \
                     instruments)",
                    family.kind.as_str(),
                    first.name()
                )));
            }
            continue;
        }
        let names = reserved_names(&name, kind);
        if let Some((used, owner)) = names.iter().find_map(|n| taken.get(n).map(|owner| (n, owner))) {
            let (first_meter, first) = families[owner].members[0];
            repairs.push(dropped(format!(
                "its series name `{used}` is already used by the family `{owner}` (metric `{}` of meter \
                 `{first_meter}`); rename one of the instruments",
                first.name()
            )));
            continue;
        }
        for n in names {
            taken.insert(n, name.clone());
        }
        families.insert(name, Family { kind, help: metric.description(), members: vec![(meter, metric)] });
    }
    families
}

/// The Prometheus type and the naming rule's instrument of a metric's data; no type for an
/// exponential histogram.
fn kind_of<T>(data: &MetricData<T>) -> (Option<Kind>, Instrument) {
    match data {
        MetricData::Sum(s) if s.is_monotonic() => (Some(Kind::Counter), Instrument::Counter),
        MetricData::Sum(_) => (Some(Kind::Gauge), Instrument::UpDownCounter),
        MetricData::Gauge(_) => (Some(Kind::Gauge), Instrument::Gauge),
        MetricData::Histogram(_) => (Some(Kind::Histogram), Instrument::Histogram),
        MetricData::ExponentialHistogram(_) => (None, Instrument::Histogram),
    }
}

/// Every name a family uses in either format: its series, and its OpenMetrics family and
/// `_created` names.
fn reserved_names(name: &str, kind: Kind) -> Vec<String> {
    match kind {
        Kind::Gauge => vec![name.to_owned()],
        Kind::Counter => {
            let base = name.strip_suffix("_total").unwrap_or(name);
            vec![base.to_owned(), format!("{base}_total"), format!("{base}_created")]
        }
        Kind::Histogram => ["", "_bucket", "_sum", "_count", "_created"].iter().map(|s| format!("{name}{s}")).collect(),
    }
}

/// One number of a point, as its instrument recorded it.
trait Number: Copy {
    fn write(self, out: &mut String);
}

impl Number for u64 {
    fn write(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Number for i64 {
    fn write(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Number for f64 {
    fn write(self, out: &mut String) {
        float(out, self);
    }
}

/// Prometheus float text: `+Inf`, `-Inf`, `NaN`, else the shortest text that reads back the same.
fn float(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
    format: Format,
    /// The label text of the current point, without braces.
    labels: String,
    /// A line being built.
    scratch: String,
}

impl Writer<'_> {
    fn family(&mut self, name: &str, family: &Family<'_>, repairs: &mut Vec<Repair>) {
        let meta_name = match (self.format, family.kind) {
            (Format::OpenMetrics, Kind::Counter) => name.strip_suffix("_total").unwrap_or(name),
            _ => name,
        };
        if !family.help.is_empty() {
            self.scratch.clear();
            let _ = write!(self.scratch, "# HELP {meta_name} ");
            escape_help(&mut self.scratch, family.help, self.format);
            self.scratch.push('\n');
            self.out.extend_from_slice(self.scratch.as_bytes());
        }
        self.out.extend_from_slice(format!("# TYPE {meta_name} {}\n", family.kind.as_str()).as_bytes());
        let sample = match (self.format, family.kind) {
            (Format::OpenMetrics, Kind::Counter) => Cow::Owned(format!("{meta_name}_total")),
            _ => Cow::Borrowed(name),
        };
        // Series are checked for equal labels only where a merge or a repair could have made two
        // alike: the SDK keeps one point per attribute set of a metric, and keys that are already
        // label names, none of them reserved, stay as distinct as they were.
        let check = family.members.len() > 1 || family.members.iter().any(|(_, m)| !keys_are_labels(m, family.kind));
        let mut seen = Seen { set: check.then(HashSet::new), duplicates: false };
        for &(meter, metric) in &family.members {
            let mut ctx = PointContext { metric, meter, repairs, reported: HashSet::new() };
            match metric.data() {
                AggregatedMetrics::U64(d) => self.points(&sample, d, family.kind, &mut ctx, &mut seen),
                AggregatedMetrics::I64(d) => self.points(&sample, d, family.kind, &mut ctx, &mut seen),
                AggregatedMetrics::F64(d) => self.points(&sample, d, family.kind, &mut ctx, &mut seen),
            }
        }
        let duplicates = seen.duplicates;
        if duplicates {
            repairs.push(Repair::DuplicateSeries { family: name.into() });
        }
    }

    fn points<T: Number>(
        &mut self,
        sample: &str,
        data: &MetricData<T>,
        kind: Kind,
        ctx: &mut PointContext<'_>,
        seen: &mut Seen,
    ) {
        match data {
            MetricData::Sum(s) => {
                for p in s.data_points() {
                    if self.point_labels(p.attributes(), kind, ctx, seen) {
                        self.sample(sample, "", None, |out| p.value().write(out));
                    }
                }
            }
            MetricData::Gauge(g) => {
                for p in g.data_points() {
                    if self.point_labels(p.attributes(), kind, ctx, seen) {
                        self.sample(sample, "", None, |out| p.value().write(out));
                    }
                }
            }
            MetricData::Histogram(h) => {
                for p in h.data_points() {
                    if self.point_labels(p.attributes(), kind, ctx, seen) {
                        self.histogram(sample, p);
                    }
                }
            }
            MetricData::ExponentialHistogram(_) => {}
        }
    }

    fn histogram<T: Number>(&mut self, name: &str, p: &HistogramDataPoint<T>) {
        let mut cumulative = 0u64;
        let mut bounds = p.bounds();
        let mut le = String::new();
        for count in p.bucket_counts() {
            cumulative += count;
            le.clear();
            match bounds.next() {
                Some(b) => float(&mut le, b),
                None => le.push_str("+Inf"),
            }
            self.sample(name, "_bucket", Some(&le), |out| {
                let _ = write!(out, "{cumulative}");
            });
        }
        self.sample(name, "_sum", None, |out| p.sum().write(out));
        let count = p.count();
        self.sample(name, "_count", None, |out| {
            let _ = write!(out, "{count}");
        });
    }

    /// One sample line: `name{labels[,le="…"]} value`.
    fn sample(&mut self, name: &str, suffix: &str, le: Option<&str>, value: impl FnOnce(&mut String)) {
        let line = &mut self.scratch;
        line.clear();
        line.push_str(name);
        line.push_str(suffix);
        if !self.labels.is_empty() || le.is_some() {
            line.push('{');
            line.push_str(&self.labels);
            if let Some(le) = le {
                if !self.labels.is_empty() {
                    line.push(',');
                }
                line.push_str("le=\"");
                line.push_str(le);
                line.push('"');
            }
            line.push('}');
        }
        line.push(' ');
        value(line);
        line.push('\n');
        self.out.extend_from_slice(line.as_bytes());
    }

    /// Renders a point's labels into `self.labels`; false when the point is not to be written (its
    /// labels equal an earlier point's after a repair).
    fn point_labels<'k>(
        &mut self,
        attributes: impl Iterator<Item = &'k KeyValue>,
        kind: Kind,
        ctx: &mut PointContext<'_>,
        seen: &mut Seen,
    ) -> bool {
        let mut pairs: Vec<(Cow<'k, str>, &'k str, Cow<'k, str>)> =
            attributes.map(|kv| (label_name_cow(kv.key.as_str()), kv.key.as_str(), value_text(&kv.value))).collect();
        pairs.retain(|(label, key, _)| match reserved(label, kind) {
            Some(why) => {
                ctx.report(Repair::DroppedLabel {
                    metric: ctx.metric.name().into(),
                    meter: ctx.meter.into(),
                    key: (*key).into(),
                    why,
                });
                false
            }
            None => true,
        });
        pairs.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        self.labels.clear();
        let mut i = 0;
        while i < pairs.len() {
            let mut j = i + 1;
            while j < pairs.len() && pairs[j].0 == pairs[i].0 {
                j += 1;
            }
            if !self.labels.is_empty() {
                self.labels.push(',');
            }
            self.labels.push_str(&pairs[i].0);
            self.labels.push_str("=\"");
            for (n, (_, _, value)) in pairs[i..j].iter().enumerate() {
                if n > 0 {
                    self.labels.push(';');
                }
                escape_label_value(&mut self.labels, value);
            }
            self.labels.push('"');
            if j - i > 1 {
                ctx.report(Repair::MergedLabels {
                    metric: ctx.metric.name().into(),
                    meter: ctx.meter.into(),
                    label: pairs[i].0.clone().into_owned(),
                    keys: pairs[i..j].iter().map(|p| p.1.to_owned()).collect(),
                });
            }
            i = j;
        }
        let Some(set) = &mut seen.set else { return true };
        let new = set.insert(self.labels.clone());
        seen.duplicates |= !new;
        new
    }
}

/// The label sets a family has written, where two could be alike.
struct Seen {
    set: Option<HashSet<String>>,
    duplicates: bool,
}

/// Whether every attribute key of `metric` is a label name Prometheus takes as it is for a family
/// of `kind`: then no two of a point's keys can become one label, and none is dropped.
fn keys_are_labels(metric: &Metric, kind: Kind) -> bool {
    !crate::export::any_attribute(metric.data(), |kv| {
        matches!(label_name_cow(kv.key.as_str()), Cow::Owned(_)) || reserved(kv.key.as_str(), kind).is_some()
    })
}

/// What a point's repairs are reported against; each repair once per metric.
struct PointContext<'r> {
    metric: &'r Metric,
    meter: &'r str,
    repairs: &'r mut Vec<Repair>,
    reported: HashSet<Repair>,
}

impl PointContext<'_> {
    fn report(&mut self, repair: Repair) {
        if self.reported.insert(repair.clone()) {
            self.repairs.push(repair);
        }
    }
}

/// Why Prometheus cannot take `label` as a label name of a family of `kind`, if it cannot.
fn reserved(label: &str, kind: Kind) -> Option<&'static str> {
    if label.is_empty() {
        Some("its Prometheus label name is empty")
    } else if label.starts_with("__") {
        Some("Prometheus reserves label names that start with `__`")
    } else if kind == Kind::Histogram && label == "le" {
        Some("`le` is the bucket label of a Prometheus histogram")
    } else {
        None
    }
}

/// An attribute value as label text: strings as they are, other types as OpenTelemetry prints them.
fn value_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(other.to_string()),
    }
}

/// A label value inside double quotes: backslash, double quote and line feed escaped.
fn escape_label_value(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// `# HELP` text: backslash and line feed escaped, and in OpenMetrics the double quote too.
fn escape_help(out: &mut String, v: &str, format: Format) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if format == Format::OpenMetrics => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}
