//! The exposition stays valid whatever the SDK holds: instruments of other meters with colliding
//! attribute keys, reserved label names, names another family has, equal label sets after
//! repair, exponential histograms. Each repair is named, and `promtool check metrics` (Prometheus's
//! own parser, where installed) accepts the result.

use catalog_runtime::prometheus::{Format, Repair, encode};
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::{
    Aggregation, InMemoryMetricExporter, Instrument, PeriodicReader, SdkMeterProvider, Stream,
};

/// What a provider set up by `record` exports, in `format`, with the repairs.
fn exposition(format: Format, record: impl FnOnce(&SdkMeterProvider)) -> (String, Vec<Repair>) {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .with_view(|i: &Instrument| {
            (i.name() == "other.exponential")
                .then(|| {
                    Stream::builder()
                        .with_aggregation(Aggregation::Base2ExponentialHistogram {
                            max_size: 160,
                            max_scale: 20,
                            record_min_max: true,
                        })
                        .build()
                        .ok()
                })
                .flatten()
        })
        .build();
    record(&provider);
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let rm = exported.last().expect("one export");
    let mut out = Vec::new();
    let repairs = encode(rm, format, "demo", &mut out);
    (String::from_utf8(out).unwrap(), repairs)
}

fn hostile(provider: &SdkMeterProvider) {
    let demo = provider.meter("demo");
    let other = provider.meter("other");
    demo.u64_counter("demo.requests").with_unit("{request}").build().add(3, &[KeyValue::new("route", "/a")]);
    // Same name and type from another meter: merged into the catalog's family.
    other.u64_counter("demo.requests").with_unit("{request}").build().add(5, &[KeyValue::new("route", "/b")]);
    // Two keys that become one label.
    other.u64_counter("other.events").build().add(1, &[KeyValue::new("a.b", "1"), KeyValue::new("a_b", "2")]);
    // Reserved label names.
    other.i64_gauge("other.reserved").build().record(7, &[KeyValue::new("__name__", "x"), KeyValue::new("ok", "y")]);
    other.f64_histogram("other.sizes").with_boundaries(vec![1.0]).build().record(0.5, &[KeyValue::new("le", "9")]);
    // The catalog family's name with another type; another family's series name.
    other.u64_gauge("demo.requests.total").build().record(1, &[]);
    demo.f64_histogram("demo.latency").with_unit("s").with_boundaries(vec![1.0]).build().record(0.2, &[]);
    other.u64_gauge("demo.latency.seconds.count").build().record(1, &[]);
    // Labels that become equal: one series exposed.
    let dupes = other.u64_counter("other.dupes").build();
    dupes.add(1, &[KeyValue::new("x.y", "1")]);
    dupes.add(2, &[KeyValue::new("x_y", "1")]);
    // What neither text format carries.
    other.f64_histogram("other.exponential").build().record(1.5, &[]);
}

#[test]
fn every_repair_is_made_and_named() {
    let (text, repairs) = exposition(Format::Text, hostile);
    let messages: Vec<String> = repairs.iter().map(ToString::to_string).collect();
    let expect = [
        "metric `demo.requests` (meter `other`) is exposed in the family `demo_requests_total` of meter `demo`, \
         which has the same name and type (give the instruments different names to keep them apart)",
        "metric `demo.requests.total` (meter `other`) is not exposed: its Prometheus name `demo_requests_total` is \
         already the counter `demo.requests` of meter `demo` (rename one of the instruments)",
        "metric `demo.latency.seconds.count` (meter `other`) is not exposed: its series name \
         `demo_latency_seconds_count` is already used by the family `demo_latency_seconds` (metric `demo.latency` of \
         meter `demo`); rename one of the instruments",
        "metric `other.exponential` (meter `other`) is not exposed: it is an exponential histogram, which the \
         Prometheus text formats cannot carry (export it with OTLP, or give it explicit buckets with a view)",
        "metric `other.events` (meter `other`): the attributes `a.b`, `a_b` all become the Prometheus label `a_b`; \
         their values are joined with `;` in one label (rename all but one of them to keep them apart)",
        "metric `other.reserved` (meter `other`): attribute `__name__` is not exposed: Prometheus reserves label \
         names that start with `__` (rename the attribute)",
        "metric `other.sizes` (meter `other`): attribute `le` is not exposed: `le` is the bucket label of a \
         Prometheus histogram (rename the attribute)",
        "family `other_dupes_total`: series whose labels became equal by the repairs above are exposed once, the \
         first of each",
    ];
    for e in expect {
        assert!(messages.iter().any(|m| m == e), "missing repair:\n  {e}\nall:\n  {}", messages.join("\n  "));
    }
    assert_eq!(messages.len(), expect.len(), "{}", messages.join("\n"));

    // The catalog's series are intact, the foreign ones repaired.
    for line in [
        "# TYPE demo_requests_total counter",
        "demo_requests_total{route=\"/a\"} 3",
        "demo_requests_total{route=\"/b\"} 5",
        "demo_latency_seconds_count 1",
        "other_events_total{a_b=\"1;2\"} 1",
        "other_reserved{ok=\"y\"} 7",
        "other_sizes_bucket{le=\"+Inf\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "no line `{line}` in:\n{text}");
    }
    assert_eq!(text.matches("# TYPE demo_requests_total ").count(), 1, "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("other_dupes_total")).count(), 1, "{text}");
    for absent in ["__name__", "exponential", "# TYPE demo_latency_seconds_count"] {
        assert!(!text.contains(absent), "`{absent}` in:\n{text}");
    }
    if let Some(rejected) = crate::common::promtool_rejects(&text) {
        panic!("{rejected}\n{text}");
    }
}

#[test]
fn openmetrics_of_the_same_is_whole_and_names_counters_without_total() {
    let (text, _) = exposition(Format::OpenMetrics, hostile);
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(text.contains("# TYPE demo_requests counter\ndemo_requests_total{"), "{text}");
    assert!(text.contains("# TYPE other_events counter\nother_events_total{a_b=\"1;2\"} 1\n"), "{text}");
    assert_eq!(text.matches("# EOF").count(), 1);
}

/// Label values of every kind survive escaping; descriptions with line feeds and backslashes too.
#[test]
fn values_and_help_are_escaped() {
    let (text, repairs) = exposition(Format::Text, |p| {
        p.meter("demo").u64_counter("demo.odd").with_description("line one\nline \\two\" end").build().add(
            1,
            &[
                KeyValue::new("quote", "a\"b"),
                KeyValue::new("backslash", "c\\d"),
                KeyValue::new("newline", "e\nf"),
                KeyValue::new("number", 42i64),
                KeyValue::new("flag", true),
            ],
        )
    });
    assert!(repairs.is_empty(), "{repairs:?}");
    assert!(text.contains("# HELP demo_odd_total line one\\nline \\\\two\" end\n"), "{text}");
    assert!(
        text.contains(
            "demo_odd_total{backslash=\"c\\\\d\",flag=\"true\",newline=\"e\\nf\",number=\"42\",quote=\"a\\\"b\"} 1\n"
        ),
        "{text}"
    );
    let (om, _) = exposition(Format::OpenMetrics, |p| {
        p.meter("demo").u64_counter("demo.odd").with_description("say \"hi\"").build().add(1, &[])
    });
    assert!(om.contains("# HELP demo_odd say \\\"hi\\\"\n"), "{om}");
    if let Some(rejected) = crate::common::promtool_rejects(&text) {
        panic!("{rejected}\n{text}");
    }
}

/// Through the running endpoint: a foreign meter's colliding keys leave a valid scrape with the
/// catalog's series intact, and each repair is logged once however many scrapes see it.
#[test]
fn a_foreign_meter_cannot_break_the_scrape() {
    let telemetry = crate::common::serve("");
    telemetry.metrics().request("/catalog", 0.3);
    let provider = telemetry.meter_provider().unwrap();
    let foreign = provider.meter("foreign");
    foreign.u64_counter("x").build().add(1, &[KeyValue::new("a.b", "1"), KeyValue::new("a_b", "2")]);
    foreign.u64_counter("y").build().add(1, &[KeyValue::new("__name__", "z")]);
    let address = telemetry.prometheus_address().unwrap();
    let text = crate::common::scrape(address).text();
    assert!(text.contains("demo_requests_total{route=\"/catalog\"} 1\n"), "{text}");
    assert!(text.contains("demo_latency_seconds_bucket{route=\"/catalog\",le=\"1\"} 1\n"), "{text}");
    assert!(text.contains("x_total{a_b=\"1;2\"} 1\n"), "{text}");
    assert!(text.contains("\ny_total 1\n"), "{text}");
    if let Some(rejected) = crate::common::promtool_rejects(&text) {
        panic!("{rejected}\n{text}");
    }
}

/// One point per metric (the SDK keeps a metric's points in hash order), of every kind the
/// exposition writes, with the escapes, merges and drops that change its bytes.
fn pinned(provider: &SdkMeterProvider) {
    let demo = provider.meter("demo");
    let other = provider.meter("other");
    demo.u64_counter("demo.requests")
        .with_unit("{request}")
        .with_description("Requests \"served\",\nby route \\ method.")
        .build()
        .add(18_446_744_073_709_551_615, &[KeyValue::new("route", "/a\"b\\c\nd"), KeyValue::new("method", "GET")]);
    other.u64_counter("demo.requests").with_unit("{request}").build().add(2, &[KeyValue::new("route", "")]);
    demo.f64_histogram("demo.latency")
        .with_unit("s")
        .with_description("Latency.")
        .with_boundaries(vec![0.005, 0.1, 1.0, 1e21])
        .build()
        .record(0.25, &[KeyValue::new("route", "/h")]);
    demo.i64_up_down_counter("demo.in_flight").build().add(-3, &[]);
    demo.f64_gauge("demo.ratio")
        .with_unit("1")
        .build()
        .record(1e-7, &[KeyValue::new("a.b", "x"), KeyValue::new("a_b", "y")]);
    demo.f64_counter("demo.work").with_unit("s").build().add(0.1, &[KeyValue::new("__name__", "no")]);
    other.u64_gauge("other.flags").build().record(7, &[KeyValue::new("on", true), KeyValue::new("n", 42i64)]);
    demo.f64_gauge("demo.zero").build().record(-0.0, &[]);
    demo.f64_gauge("demo.tiny").build().record(5e-324, &[]);
}

/// The exposition of a known set of metrics, byte for byte, in both formats: what `/metrics` sends
/// for the same metrics must not change when the encoder does.
#[test]
fn a_known_exposition_is_pinned_byte_for_byte() {
    let (text, _) = exposition(Format::Text, pinned);
    assert_eq!(text, PINNED_TEXT, "text format");
    let (om, _) = exposition(Format::OpenMetrics, pinned);
    assert_eq!(om, PINNED_OPENMETRICS, "OpenMetrics");
    if let Some(rejected) = crate::common::promtool_rejects(&text) {
        panic!("{rejected}\n{text}");
    }
}

const PINNED_TEXT: &str = r#"# TYPE demo_in_flight gauge
demo_in_flight -3
# HELP demo_latency_seconds Latency.
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{route="/h",le="0.005"} 0
demo_latency_seconds_bucket{route="/h",le="0.1"} 0
demo_latency_seconds_bucket{route="/h",le="1"} 1
demo_latency_seconds_bucket{route="/h",le="1000000000000000000000"} 1
demo_latency_seconds_bucket{route="/h",le="+Inf"} 1
demo_latency_seconds_sum{route="/h"} 0.25
demo_latency_seconds_count{route="/h"} 1
# TYPE demo_ratio gauge
demo_ratio{a_b="x;y"} 0.0000001
# HELP demo_requests_total Requests "served",\nby route \\ method.
# TYPE demo_requests_total counter
demo_requests_total{method="GET",route="/a\"b\\c\nd"} 18446744073709551615
demo_requests_total{route=""} 2
# TYPE demo_tiny gauge
demo_tiny 0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005
# TYPE demo_work_seconds_total counter
demo_work_seconds_total 0.1
# TYPE demo_zero gauge
demo_zero -0
# TYPE other_flags gauge
other_flags{n="42",on="true"} 7
"#;

const PINNED_OPENMETRICS: &str = r#"# TYPE demo_in_flight gauge
demo_in_flight -3
# HELP demo_latency_seconds Latency.
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{route="/h",le="0.005"} 0
demo_latency_seconds_bucket{route="/h",le="0.1"} 0
demo_latency_seconds_bucket{route="/h",le="1"} 1
demo_latency_seconds_bucket{route="/h",le="1000000000000000000000"} 1
demo_latency_seconds_bucket{route="/h",le="+Inf"} 1
demo_latency_seconds_sum{route="/h"} 0.25
demo_latency_seconds_count{route="/h"} 1
# TYPE demo_ratio gauge
demo_ratio{a_b="x;y"} 0.0000001
# HELP demo_requests Requests \"served\",\nby route \\ method.
# TYPE demo_requests counter
demo_requests_total{method="GET",route="/a\"b\\c\nd"} 18446744073709551615
demo_requests_total{route=""} 2
# TYPE demo_tiny gauge
demo_tiny 0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005
# TYPE demo_work_seconds counter
demo_work_seconds_total 0.1
# TYPE demo_zero gauge
demo_zero -0
# TYPE other_flags gauge
other_flags{n="42",on="true"} 7
# EOF
"#;
