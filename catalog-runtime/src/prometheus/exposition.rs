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
//! What is the format's (escapes, float text, the names a family's type gives its samples in each
//! format, `# EOF`) is [`prometheus_exposition`]'s, which writes every byte through its
//! [`Writer`]; this module decides what to write: the families, their points and their labels.

use crate::exemplar::{self, ExemplarStore};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, HistogramDataPoint, Metric, MetricData, ResourceMetrics};
use otel_prometheus_names::{Instrument, PrometheusName, label_name_cow};
pub use prometheus_exposition::Format;
use prometheus_exposition::{EXEMPLAR_MAX_CHARS, Exemplar, FamilyType, Labels, Number, Writer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

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
    /// An attribute kept on a metric's exemplars that did not fit in OpenMetrics' 128 characters
    /// beside the trace and span ids: the exemplars carry the rest without it.
    ExemplarLabelDropped {
        /// The metric.
        metric: String,
        /// The attribute key.
        key: String,
        /// The characters the exemplar's labels would have had with it.
        chars: usize,
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
            Repair::ExemplarLabelDropped { metric, key, chars } => write!(
                f,
                "metric `{metric}`: the exemplar attribute `{key}` is left off its exemplars: with it their labels \
                 would be {chars} characters, and OpenMetrics allows {EXEMPLAR_MAX_CHARS} (shorten the value, or \
                 keep `{key}` on the series)"
            ),
        }
    }
}

/// One metric family of the exposition: the SDK metrics (one, or several of the same name and
/// type from different meters) whose points it holds.
struct Family<'a> {
    ty: FamilyType,
    help: &'a str,
    members: Vec<(&'a str, &'a Metric)>,
}

/// Encodes `rm` in `format` into `out`, and returns what had to be repaired. `first_meter` (the
/// catalog's) is placed first when metrics of several meters want the same names.
pub fn encode(rm: &ResourceMetrics, format: Format, first_meter: &str, out: &mut Vec<u8>) -> Vec<Repair> {
    encode_with_exemplars(rm, format, first_meter, None, out)
}

/// [`encode`], with the exemplars `store` kept for its meter's counters and histograms, written in
/// OpenMetrics on `_total` and `_bucket` lines (the text format 0.0.4 carries none).
pub fn encode_with_exemplars(
    rm: &ResourceMetrics,
    format: Format,
    first_meter: &str,
    store: Option<&ExemplarStore>,
    out: &mut Vec<u8>,
) -> Vec<Repair> {
    let mut repairs = Vec::new();
    let families = plan(rm, first_meter, &mut repairs);
    let mut writer = Writer::new(out, format);
    let mut labels = PointLabels::default();
    let store = store.filter(|_| format == Format::OpenMetrics);
    for (name, family) in &families {
        writer.family(name, family.ty, family.help);
        write_points(&mut writer, name, family, &mut labels, store, &mut repairs);
    }
    writer.finish();
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
        let (ty, instrument) = match metric.data() {
            AggregatedMetrics::U64(d) => type_of(d),
            AggregatedMetrics::I64(d) => type_of(d),
            AggregatedMetrics::F64(d) => type_of(d),
        };
        let Some(ty) = ty else {
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
            if family.ty == ty {
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
                    type_name(family.ty),
                    first.name()
                )));
            }
            continue;
        }
        let names = ty.reserved_names(&name);
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
        families.insert(name, Family { ty, help: metric.description(), members: vec![(meter, metric)] });
    }
    families
}

/// The Prometheus type and the naming rule's instrument of a metric's data; no type for an
/// exponential histogram.
fn type_of<T>(data: &MetricData<T>) -> (Option<FamilyType>, Instrument) {
    match data {
        MetricData::Sum(s) if s.is_monotonic() => (Some(FamilyType::Counter), Instrument::Counter),
        MetricData::Sum(_) => (Some(FamilyType::Gauge), Instrument::UpDownCounter),
        MetricData::Gauge(_) => (Some(FamilyType::Gauge), Instrument::Gauge),
        MetricData::Histogram(_) => (Some(FamilyType::Histogram), Instrument::Histogram),
        MetricData::ExponentialHistogram(_) => (None, Instrument::Histogram),
    }
}

/// A type's name in messages (`counter`): OpenMetrics has a name for every type.
fn type_name(ty: FamilyType) -> &'static str {
    ty.name(Format::OpenMetrics).unwrap_or("unknown")
}

/// Writes every point of `family`'s members, and reports the repairs of their labels.
fn write_points(
    writer: &mut Writer<'_>,
    name: &str,
    family: &Family<'_>,
    labels: &mut PointLabels,
    store: Option<&ExemplarStore>,
    repairs: &mut Vec<Repair>,
) {
    // Series are checked for equal labels only where a merge or a repair could have made two
    // alike: the SDK keeps one point per attribute set of a metric, and keys that are already
    // label names, none of them reserved, stay as distinct as they were.
    let check = family.members.len() > 1 || family.members.iter().any(|(_, m)| !keys_are_labels(m, family.ty));
    let mut seen = Seen { set: check.then(HashSet::new), duplicates: false };
    for &(meter, metric) in &family.members {
        let exemplars = store
            .filter(|s| s.meter() == meter && matches!(family.ty, FamilyType::Counter | FamilyType::Histogram))
            .and_then(|s| s.metric(metric.name()));
        let mut ctx = PointContext { metric, meter, ty: family.ty, repairs, reported: HashSet::new(), exemplars };
        match metric.data() {
            AggregatedMetrics::U64(d) => points(writer, d, labels, &mut ctx, &mut seen),
            AggregatedMetrics::I64(d) => points(writer, d, labels, &mut ctx, &mut seen),
            AggregatedMetrics::F64(d) => points(writer, d, labels, &mut ctx, &mut seen),
        }
    }
    if seen.duplicates {
        repairs.push(Repair::DuplicateSeries { family: name.into() });
    }
}

fn points<T: Number>(
    writer: &mut Writer<'_>,
    data: &MetricData<T>,
    labels: &mut PointLabels,
    ctx: &mut PointContext<'_>,
    seen: &mut Seen,
) {
    match data {
        MetricData::Sum(s) => {
            for p in s.data_points() {
                if labels.render(p.attributes(), ctx, seen) {
                    let kept = ctx.exemplars_of(|| p.attributes(), None);
                    let exemplar = kept.first().and_then(|e| e.as_ref()).and_then(ExemplarText::exemplar);
                    writer.sample_with_exemplar(&labels.labels, p.value(), exemplar);
                }
            }
        }
        MetricData::Gauge(g) => {
            for p in g.data_points() {
                if labels.render(p.attributes(), ctx, seen) {
                    writer.sample(&labels.labels, p.value());
                }
            }
        }
        MetricData::Histogram(h) => {
            for p in h.data_points() {
                if labels.render(p.attributes(), ctx, seen) {
                    let kept = match ctx.exemplars.is_some() {
                        true => ctx.exemplars_of(|| p.attributes(), Some(&p.bounds().collect::<Vec<f64>>())),
                        false => Vec::new(),
                    };
                    histogram(writer, &labels.labels, p, &kept);
                }
            }
        }
        MetricData::ExponentialHistogram(_) => {}
    }
}

/// A histogram point: OpenTelemetry counts each bucket on its own, the last one above the last
/// bound; Prometheus counts cumulatively, up to `le`.
/// Each bucket's exemplar (`kept`, empty when there are none) goes on its `_bucket` line.
fn histogram<T: Number>(
    writer: &mut Writer<'_>,
    labels: &Labels,
    p: &HistogramDataPoint<T>,
    kept: &[Option<ExemplarText>],
) {
    let mut bounds = p.bounds();
    let mut cumulative = 0u64;
    let buckets = p.bucket_counts().enumerate().map(|(i, count)| {
        cumulative = cumulative.saturating_add(count);
        let exemplar = kept.get(i).and_then(|e| e.as_ref()).and_then(ExemplarText::exemplar);
        (bounds.next().unwrap_or(f64::INFINITY), cumulative, exemplar)
    });
    writer.histogram_with_exemplars(labels, buckets, p.sum(), p.count());
}

/// An exemplar's labels and value, ready to write.
struct ExemplarText {
    labels: Labels,
    value: f64,
    timestamp: Option<f64>,
}

impl ExemplarText {
    fn exemplar(&self) -> Option<Exemplar<'_>> {
        // Built within the limit (see `PointContext::exemplars_of`), so never refused here.
        Exemplar::new(&self.labels, self.value, self.timestamp).ok()
    }
}

/// The labels of the point being written, and a buffer for joined values.
#[derive(Default)]
struct PointLabels {
    labels: Labels,
    joined: String,
}

impl PointLabels {
    /// Renders a point's labels into `self.labels`; false when the point is not to be written
    /// (its labels equal an earlier point's after a repair).
    fn render<'k>(
        &mut self,
        attributes: impl Iterator<Item = &'k KeyValue>,
        ctx: &mut PointContext<'_>,
        seen: &mut Seen,
    ) -> bool {
        let mut pairs: Vec<(Cow<'k, str>, &'k str, Cow<'k, str>)> =
            attributes.map(|kv| (label_name_cow(kv.key.as_str()), kv.key.as_str(), value_text(&kv.value))).collect();
        pairs.retain(|(label, key, _)| match reserved(label, ctx.ty) {
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
            if j - i == 1 {
                self.labels.push(&pairs[i].0, &pairs[i].2);
            } else {
                self.joined.clear();
                for (n, (_, _, value)) in pairs[i..j].iter().enumerate() {
                    if n > 0 {
                        self.joined.push(';');
                    }
                    self.joined.push_str(value);
                }
                self.labels.push(&pairs[i].0, &self.joined);
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
    set: Option<HashSet<Labels>>,
    duplicates: bool,
}

/// Whether every attribute key of `metric` is a label name Prometheus takes as it is for a family
/// of type `ty`: then no two of a point's keys can become one label, and none is dropped.
fn keys_are_labels(metric: &Metric, ty: FamilyType) -> bool {
    !crate::export::any_attribute(metric.data(), |kv| {
        matches!(label_name_cow(kv.key.as_str()), Cow::Owned(_)) || reserved(kv.key.as_str(), ty).is_some()
    })
}

/// What a point's repairs are reported against; each repair once per metric.
struct PointContext<'r> {
    metric: &'r Metric,
    meter: &'r str,
    ty: FamilyType,
    repairs: &'r mut Vec<Repair>,
    reported: HashSet<Repair>,
    /// The metric's exemplars, when it keeps some and the format carries them.
    exemplars: Option<Arc<exemplar::MetricExemplars>>,
}

impl PointContext<'_> {
    fn report(&mut self, repair: Repair) {
        if self.reported.insert(repair.clone()) {
            self.repairs.push(repair);
        }
    }

    /// The exemplars of the point with `attributes` as OpenMetrics text, one per cell (a
    /// histogram's buckets; see [`MetricExemplars::of_point`](exemplar::MetricExemplars::of_point)),
    /// empty when it has none.
    fn exemplars_of<'k, A>(&mut self, attributes: impl Fn() -> A, bounds: Option<&[f64]>) -> Vec<Option<ExemplarText>>
    where
        A: Iterator<Item = &'k KeyValue>,
    {
        let Some(exemplars) = &self.exemplars else { return Vec::new() };
        let metric = exemplars.name();
        let mut dropped = Vec::new();
        let mut hex = String::with_capacity(32);
        let texts = exemplars.of_point(attributes, bounds, |e| {
            let mut labels = Labels::new();
            if let Some((trace_id, span_id)) = e.trace {
                use std::fmt::Write as _;
                hex.clear();
                let _ = write!(hex, "{trace_id}");
                labels.push(exemplar::TRACE_ID_LABEL, &hex);
                hex.clear();
                let _ = write!(hex, "{span_id}");
                labels.push(exemplar::SPAN_ID_LABEL, &hex);
            }
            for kv in &e.filtered_attributes {
                let name = label_name_cow(kv.key.as_str());
                let value = value_text(&kv.value);
                let chars = labels.chars() + name.chars().count() + value.chars().count();
                if chars > EXEMPLAR_MAX_CHARS || reserved(&name, FamilyType::Histogram).is_some() {
                    dropped.push((kv.key.as_str().to_owned(), chars));
                } else {
                    labels.push(&name, &value);
                }
            }
            let timestamp = e.time.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs_f64());
            ExemplarText { labels, value: e.value, timestamp }
        });
        for (key, chars) in dropped {
            self.report(Repair::ExemplarLabelDropped { metric: metric.into(), key, chars });
        }
        texts
    }
}

/// Why Prometheus cannot take `label` as a label name of a family of type `ty`, if it cannot.
fn reserved(label: &str, ty: FamilyType) -> Option<&'static str> {
    if label.is_empty() {
        Some("its Prometheus label name is empty")
    } else if label.starts_with("__") {
        Some("Prometheus reserves label names that start with `__`")
    } else if ty.reserved_label() == Some(label) {
        Some(match ty {
            FamilyType::Summary => "`quantile` is the quantile label of a Prometheus summary",
            _ => "`le` is the bucket label of a Prometheus histogram",
        })
    } else {
        None
    }
}

/// An attribute value as label text: strings as they are, arrays in JSON (as OpenTelemetry's
/// Prometheus compatibility specifies: `["a","b"]`, `[1,2]`), other types as OpenTelemetry prints
/// them.
fn value_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s.as_str()),
        Value::Array(a) => Cow::Owned(json_array(a)),
        other => Cow::Owned(other.to_string()),
    }
}

/// An array attribute as JSON. Written here rather than through serde_json, which the runtime does
/// not otherwise need: OpenTelemetry's own `Display` quotes strings without escaping them (a `"`
/// in a value would end it) and writes a float that is not finite as `NaN`, which JSON has no word
/// for (written `null` here, as JavaScript's `JSON.stringify` does).
fn json_array(a: &opentelemetry::Array) -> String {
    use opentelemetry::Array;
    use std::fmt::Write as _;
    let mut out = String::from("[");
    let sep = |out: &mut String, i: usize| {
        if i > 0 {
            out.push(',');
        }
    };
    match a {
        Array::Bool(v) => v.iter().enumerate().for_each(|(i, b)| {
            sep(&mut out, i);
            out.push_str(if *b { "true" } else { "false" });
        }),
        Array::I64(v) => v.iter().enumerate().for_each(|(i, n)| {
            sep(&mut out, i);
            let _ = write!(out, "{n}");
        }),
        Array::F64(v) => v.iter().enumerate().for_each(|(i, x)| {
            sep(&mut out, i);
            if x.is_finite() {
                let _ = write!(out, "{x}");
            } else {
                out.push_str("null");
            }
        }),
        Array::String(v) => v.iter().enumerate().for_each(|(i, s)| {
            sep(&mut out, i);
            out.push('"');
            for c in s.as_str().chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }),
        // A kind of array a later OpenTelemetry adds: as it prints it.
        _ => return a.to_string(),
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use opentelemetry::{Array, StringValue, Value};

    #[test]
    fn array_attributes_are_json_label_values() {
        let text = |a: Array| super::value_text(&Value::Array(a)).into_owned();
        let strings = vec![StringValue::from("a \"b\""), StringValue::from("c\\d\n")];
        assert_eq!(text(Array::String(strings)), r#"["a \"b\"","c\\d\n"]"#);
        assert_eq!(text(Array::I64(vec![1, -2])), "[1,-2]");
        assert_eq!(text(Array::F64(vec![0.5, f64::NAN])), "[0.5,null]");
        assert_eq!(text(Array::Bool(vec![true, false])), "[true,false]");
        assert_eq!(text(Array::String(Vec::new())), "[]");
    }
}
