//! Exemplars from capture to the OpenMetrics exposition: the filter (no span, an unsampled span, a
//! sampled one; `always_on`, `always_off`), the attributes the series drop kept on the exemplar,
//! a histogram's exemplar in its bucket (a value on a bucket's edge included), OpenMetrics' 128
//! characters, the text format carrying none, the cardinality limit bounding the store, and a
//! counter and a histogram on bound tables recorded from many threads.

use catalog_runtime::MetricDescriptor;
use catalog_runtime::catalog::Instrument as Kind;
use catalog_runtime::exemplar::{ExemplarFilter, ExemplarStore};
use catalog_runtime::instrument::{Labels, Recorder, Table};
use catalog_runtime::prometheus::{Format, Repair, encode_with_exemplars};
use opentelemetry::metrics::{Counter, Histogram, MeterProvider as _};
use opentelemetry::{KeyValue, StringValue};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader as _;
use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
use prometheus_exposition::{Event, read};
use std::sync::Arc;

const METER: &str = "shop";
const BOUNDS: &[f64] = &[0.1, 0.5, 1.0];

static METRICS: &[MetricDescriptor] = &[
    MetricDescriptor {
        name: "shop.orders.total",
        instrument: Kind::Counter,
        unit: "{order}",
        prometheus_name: "shop_orders_total",
        label_keys: &["request_id", "route"],
        cardinality_limit: 3,
    },
    MetricDescriptor {
        name: "shop.order.duration",
        instrument: Kind::Histogram,
        unit: "s",
        prometheus_name: "shop_order_duration_seconds",
        label_keys: &["request_id", "route"],
        cardinality_limit: 100,
    },
];

/// A label set of the test catalog: `request_id` (dropped from the series) and `route`.
struct Order {
    request_id: StringValue,
    route: &'static str,
}

impl Labels for Order {
    type Attributes = [KeyValue; 2];
    fn attributes(self) -> Self::Attributes {
        [KeyValue::new("request_id", self.request_id), KeyValue::new("route", self.route)]
    }
}

fn order(request_id: &str, route: &'static str) -> Order {
    Order { request_id: request_id.to_owned().into(), route }
}

/// A pipeline like the one `Telemetry` builds: the view drops `request_id` from the series, and
/// the recorders are built inside the store's scope.
struct Pipeline {
    _provider: SdkMeterProvider,
    reader: Arc<ManualReader>,
    store: Option<Arc<ExemplarStore>>,
    orders: Recorder<Counter<u64>>,
    duration: Recorder<Histogram<f64>>,
}

#[derive(Clone, Debug)]
struct Shared(Arc<ManualReader>);

impl opentelemetry_sdk::metrics::reader::MetricReader for Shared {
    fn register_pipeline(&self, p: std::sync::Weak<opentelemetry_sdk::metrics::Pipeline>) {
        self.0.register_pipeline(p)
    }
    fn collect(&self, rm: &mut ResourceMetrics) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.collect(rm)
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, t: std::time::Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(t)
    }
    fn temporality(&self, k: opentelemetry_sdk::metrics::InstrumentKind) -> opentelemetry_sdk::metrics::Temporality {
        self.0.temporality(k)
    }
}

fn pipeline(filter: ExemplarFilter) -> Pipeline {
    let reader = Arc::new(ManualReader::builder().build());
    let provider = SdkMeterProvider::builder()
        .with_reader(Shared(Arc::clone(&reader)))
        .with_view(|i: &opentelemetry_sdk::metrics::Instrument| {
            let m = METRICS.iter().find(|m| m.name == i.name())?;
            opentelemetry_sdk::metrics::Stream::builder()
                .with_cardinality_limit(m.cardinality_limit)
                .with_allowed_attribute_keys([opentelemetry::Key::from_static_str("route")])
                .build()
                .ok()
        })
        .build();
    let store = ExemplarStore::new(filter, METER, METRICS, &["request_id".to_owned()]);
    let meter = provider.meter(METER);
    let build = || {
        (
            Recorder::new(&meter, "shop.orders.total", "{order}", "Orders", None),
            Recorder::new(&meter, "shop.order.duration", "s", "Order time", Some(BOUNDS)),
        )
    };
    let (orders, duration) = match &store {
        Some(s) => s.scope(build),
        None => build(),
    };
    Pipeline { _provider: provider, reader, store, orders, duration }
}

impl Pipeline {
    /// Collects and encodes as the endpoint does: a collection starts the exemplars' next
    /// sampling cycle, where each cell keeps the first measurement offered.
    fn scrape(&self, format: Format) -> (String, Vec<Repair>) {
        let mut rm = ResourceMetrics::default();
        self.reader.collect(&mut rm).unwrap();
        if let Some(store) = &self.store {
            store.next_cycle();
        }
        let mut out = Vec::new();
        let repairs = encode_with_exemplars(&rm, format, METER, self.store.as_deref(), &mut out);
        (String::from_utf8(out).unwrap(), repairs)
    }
}

/// Label pairs in the order written.
type Pairs = Vec<(String, String)>;

/// One exemplar of a scrape: the sample's name, its labels, the exemplar's labels, its value.
type Found = (String, Pairs, Pairs, f64);

/// The exemplars of a scrape.
fn exemplars(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    read(text, |e| {
        if let Event::Sample(s) = e
            && let Some(x) = &s.exemplar
        {
            let pairs = |l: &[(&str, std::borrow::Cow<'_, str>)]| {
                l.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>()
            };
            found.push((s.name.to_owned(), pairs(&s.labels), pairs(&x.labels), x.value));
        }
    })
    .unwrap_or_else(|e| panic!("the scrape does not read: {e:?}\n{text}"));
    found
}

use test_support::span::{SPAN_ID as SPAN, TRACE_ID as TRACE};

/// Runs `f` inside a span with the ids above, sampled or not.
fn in_span<T>(sampled: bool, f: impl FnOnce() -> T) -> T {
    let _guard = test_support::span::enter(sampled);
    f()
}

#[test]
fn trace_based_keeps_measurements_of_sampled_spans_only() {
    let p = pipeline(ExemplarFilter::TraceBased);
    p.orders.record(1, order("no-span", "/a"));
    in_span(false, || p.orders.record(1, order("unsampled", "/a")));
    let (text, _) = p.scrape(Format::OpenMetrics);
    assert_eq!(exemplars(&text), vec![], "no span, or an unsampled one: no exemplar\n{text}");

    in_span(true, || p.orders.record(2, order("req-7", "/a")));
    let (text, repairs) = p.scrape(Format::OpenMetrics);
    assert_eq!(repairs, vec![]);
    let ex = exemplars(&text);
    assert_eq!(
        ex,
        vec![(
            "shop_orders_total".to_owned(),
            vec![("route".to_owned(), "/a".to_owned())],
            vec![
                ("trace_id".to_owned(), TRACE.to_owned()),
                ("span_id".to_owned(), SPAN.to_owned()),
                ("request_id".to_owned(), "req-7".to_owned()),
            ],
            2.0
        )],
        "{text}"
    );
    // The series has no request_id: the exemplar keeps what the view dropped.
    assert!(text.contains("shop_orders_total{route=\"/a\"} 4 # {trace_id="), "{text}");
}

#[test]
fn the_text_format_carries_none() {
    let p = pipeline(ExemplarFilter::AlwaysOn);
    in_span(true, || p.orders.record(1, order("r", "/a")));
    let (text, _) = p.scrape(Format::Text);
    assert!(!text.contains('#') || text.lines().all(|l| l.starts_with('#') || !l.contains(" # ")), "{text}");
    assert_eq!(exemplars(&text), vec![]);
}

#[test]
fn always_on_keeps_measurements_without_a_span_and_always_off_builds_no_store() {
    let p = pipeline(ExemplarFilter::AlwaysOn);
    p.orders.record(1, order("r1", "/a"));
    let (text, _) = p.scrape(Format::OpenMetrics);
    let ex = exemplars(&text);
    assert_eq!(ex.len(), 1, "{text}");
    assert_eq!(ex[0].2, vec![("request_id".to_owned(), "r1".to_owned())], "no trace outside a span");
    // In a span that is not sampled, always_on keeps the measurement with the span's ids.
    in_span(false, || p.orders.record(1, order("r2", "/a")));
    let (text, _) = p.scrape(Format::OpenMetrics);
    let ex = exemplars(&text);
    assert_eq!(ex[0].2[..2], [("trace_id".to_owned(), TRACE.to_owned()), ("span_id".to_owned(), SPAN.to_owned())]);

    let off = pipeline(ExemplarFilter::AlwaysOff);
    assert!(off.store.is_none() && !off.orders.keeps_exemplars());
    in_span(true, || off.orders.record(1, order("r", "/a")));
    let (text, _) = off.scrape(Format::OpenMetrics);
    assert_eq!(exemplars(&text), vec![], "{text}");
}

/// Upper bounds are inclusive: 0.5 is in `le="0.5"`, 0.5000001 in `le="1"`, 7 in `+Inf`.
#[test]
fn a_histogram_keeps_one_exemplar_per_bucket_each_in_its_bucket() {
    let p = pipeline(ExemplarFilter::TraceBased);
    in_span(true, || {
        for v in [0.5, 0.500_000_1, 7.0] {
            p.duration.record(v, order(&format!("v{v}"), "/a"));
        }
    });
    let (text, _) = p.scrape(Format::OpenMetrics);
    let got: Vec<(String, f64)> = exemplars(&text)
        .into_iter()
        .map(|(_, labels, _, value)| (labels.iter().find(|(k, _)| k == "le").unwrap().1.clone(), value))
        .collect();
    assert_eq!(got, vec![("0.5".into(), 0.5), ("1".into(), 0.500_000_1), ("+Inf".into(), 7.0)], "{text}");
}

/// OpenMetrics allows 128 characters of exemplar labels: trace_id and span_id take 63 (names and
/// values), `request_id` 10, so a request id of 55 characters fits (128 exactly) and one of 56 is
/// left off, with a repair that names it.
#[test]
fn exemplar_labels_stay_within_128_characters() {
    for (len, fits) in [(55, true), (56, false)] {
        let p = pipeline(ExemplarFilter::TraceBased);
        // Multibyte characters count as one each.
        let id: String = std::iter::repeat_n('é', len).collect();
        in_span(true, || p.orders.record(1, order(&id, "/a")));
        let (text, repairs) = p.scrape(Format::OpenMetrics);
        let ex = exemplars(&text);
        assert_eq!(ex.len(), 1, "{text}");
        let labels = &ex[0].2;
        let chars: usize = labels.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
        assert!(chars <= 128, "{chars}");
        assert_eq!(labels.iter().any(|(k, _)| k == "request_id"), fits, "{len}: {labels:?}");
        if fits {
            assert_eq!(chars, 128);
            assert_eq!(repairs, vec![]);
        } else {
            assert_eq!(
                repairs,
                vec![Repair::ExemplarLabelDropped {
                    metric: "shop.orders.total".into(),
                    key: "request_id".into(),
                    chars: 129
                }]
            );
        }
    }
}

/// The store keeps at most as many series as the SDK does (the limit, then the overflow series);
/// beyond it, measurements share the overflow series' exemplar, which the exposition writes on
/// the overflow series.
#[test]
fn the_cardinality_limit_bounds_the_store() {
    let p = pipeline(ExemplarFilter::TraceBased);
    in_span(true, || {
        for route in ["/a", "/b", "/c", "/d", "/e"] {
            p.orders.record(1, order("r", route));
        }
    });
    let metric = p.store.as_ref().unwrap().metric("shop.orders.total").unwrap();
    // Limit 3: three series and the overflow series.
    assert_eq!(metric.series().len(), 4);
    let (text, _) = p.scrape(Format::OpenMetrics);
    let mut routes: Vec<String> = exemplars(&text)
        .into_iter()
        .map(|(_, labels, _, _)| labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .collect();
    routes.sort();
    assert_eq!(routes, vec!["otel_metric_overflow=true", "route=/a", "route=/b", "route=/c"], "{text}");
    assert!(text.contains("shop_orders_total{otel_metric_overflow=\"true\"} 2 # {"), "{text}");
}

/// Bound tables of a counter and a histogram, recorded from eight threads at once: every
/// exemplar is one of the measurements made, in its bucket, with its thread's request id.
#[test]
fn bound_tables_from_many_threads() {
    let p = pipeline(ExemplarFilter::TraceBased);
    type Tables = (Table<Counter<u64>>, Table<Histogram<f64>>);
    let tables: Vec<Tables> = (0..8)
        .map(|t| {
            let mut c = p.orders.table(1);
            c.push(order(&format!("thread-{t}"), "/bound"));
            let mut h = p.duration.table(1);
            h.push(order(&format!("thread-{t}"), "/bound"));
            (c.finish(), h.finish())
        })
        .collect();
    std::thread::scope(|s| {
        for (t, (c, h)) in tables.iter().enumerate() {
            s.spawn(move || {
                in_span(true, || {
                    for i in 0..2000 {
                        c.record(0, 1);
                        h.record(0, (t * 2000 + i) as f64 / 16_000.0);
                    }
                })
            });
        }
    });
    let (text, repairs) = p.scrape(Format::OpenMetrics);
    assert_eq!(repairs, vec![]);
    assert!(text.contains("shop_orders_total{route=\"/bound\"} 16000 # {"), "{text}");
    let ex = exemplars(&text);
    let buckets: Vec<&Found> = ex.iter().filter(|e| e.0 == "shop_order_duration_seconds_bucket").collect();
    assert_eq!(buckets.len(), 3, "values 0 to 1 fill le=0.1, 0.5 and 1: {text}");
    for (_, labels, exemplar, value) in buckets {
        let le = &labels.iter().find(|(k, _)| k == "le").unwrap().1;
        let (lo, hi) = match le.as_str() {
            "0.1" => (f64::NEG_INFINITY, 0.1),
            "0.5" => (0.1, 0.5),
            "1" => (0.5, 1.0),
            other => panic!("bucket {other}"),
        };
        assert!(*value > lo && *value <= hi, "{value} in le={le}");
        let thread = (value * 16_000.0) as usize / 2000;
        assert_eq!(exemplar.last().unwrap(), &("request_id".to_owned(), format!("thread-{thread}")));
    }
}
