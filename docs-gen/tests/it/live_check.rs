//! `docs-gen live-check`: each kind of drift named at its exact place, coverage and its gate, the
//! exit codes, and the OTLP reading. The fixtures are in `tests/fixtures/live/`: a catalog, a clean
//! scrape in each text format, and a drifted scrape whose every drift sits on the line named here.
//! The workload's real scrape and OTLP export are checked in the workspace's `tests/live_check.rs`.

use docs_gen::live::{Checker, Kind, Naming, Options};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    Gauge, Histogram, HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, metric,
    number_data_point,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const CATALOG: &str = "tests/fixtures/live/catalog.yaml";

fn fixture(name: &str) -> String {
    format!("tests/fixtures/live/{name}")
}

/// Runs docs-gen in the crate's directory; (exit code, stdout, stderr).
fn docs_gen(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docs-gen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn live_check(extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["--catalog", CATALOG, "live-check"];
    args.extend_from_slice(extra);
    docs_gen(&args)
}

/// `live-check --exposition -` with `exposition` on standard input; (exit code, stdout).
fn live_check_stdin(exposition: &str) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_docs-gen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--catalog", CATALOG, "live-check", "--exposition", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(exposition.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// The `error[...]` lines of a text report, as `LINE kind`.
fn errors(stdout: &str, file: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{file}:")))
        .filter_map(|l| {
            let (line, rest) = l.split_once(": error[")?;
            Some(format!("{line} {}", rest.split_once(']')?.0))
        })
        .collect()
}

#[test]
fn a_clean_scrape_passes_with_its_coverage() {
    let file = fixture("clean.prom");
    let (code, out, err) = live_check(&["--exposition", &file]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("read 17 samples of 4 metric families\n"), "{out}");
    assert!(
        out.contains("coverage: 4 of 4 instrumented metrics seen (100.0%), 5 of 6 closed values seen (83.3%)\n"),
        "{out}"
    );
    assert!(out.contains("  seen     shop.orders          outcome 3/3\n"), "{out}");
    assert!(out.contains("  seen     shop.order.duration  outcome 2/3 (not seen: timeout)\n"), "{out}");
    assert!(out.contains("not counted (planned or defined_not_instrumented): 1 metric, 0 of them seen\n"), "{out}");
    assert!(out.ends_with("result: ok: 0 violation(s)\n"), "{out}");
    assert!(err.contains("live-check: checked 4 metric families in "), "{err}");
}

#[test]
fn openmetrics_text_reads_as_the_same_families() {
    // Counter families without `_total`, `_created` samples, `# UNIT`, an exemplar, an escaped
    // quote, `5.0` for the boundary 5, `# EOF`.
    let (code, out, _) = live_check(&["--exposition", &fixture("clean.om.txt")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("4 of 4 instrumented metrics seen (100.0%), 4 of 6 closed values seen (66.7%)"), "{out}");
}

#[test]
fn each_drift_is_named_at_its_line() {
    let file = fixture("drifted.prom");
    let (code, out, _) = live_check(&["--exposition", &file]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        errors(&out, &file),
        [
            "5 value_outside_set",
            "6 missing_label",
            "7 undeclared_label",
            "8 overflow",
            "11 unit_mismatch",
            "16 type_mismatch",
            "19 unit_mismatch",
            "19 bucket_mismatch",
            "20 bucket_mismatch",
            "25 undeclared_metric",
            "27 not_instrumented",
            "28 unit_mismatch",
        ],
        "{out}"
    );
    for expected in [
        // Counted, not repeated: line 9 has the same undeclared value.
        "drifted.prom:5: error[value_outside_set]: `shop_orders_total` has `outcome=\"cancelled\"`, outside the label's declared values (ok, failed, timeout) (in 2 samples)\n  = declared at tests/fixtures/live/catalog.yaml:6:3\n",
        "drifted.prom:6: error[missing_label]: `shop_orders_total` has a series without the required label `outcome`\n",
        "drifted.prom:7: error[undeclared_label]: `shop_orders_total` has the label `region`, which the catalog does not declare on it\n  = declared at tests/fixtures/live/catalog.yaml:22:5\n",
        "drifted.prom:8: error[overflow]: `shop_orders_total` reached its cardinality limit of 2000 attribute sets",
        "drifted.prom:11: error[unit_mismatch]: `shop_order_duration_seconds` (histogram) is `shop.order.duration` in another unit: the catalog's unit `ms` exposes it as `shop_order_duration_milliseconds`\n  = declared at tests/fixtures/live/catalog.yaml:26:5\n",
        "drifted.prom:16: error[type_mismatch]: `shop_queue_depth` is exposed as a counter, but the catalog declares `shop.queue.depth` with instrument `up_down_counter` (a gauge)\n",
        "drifted.prom:19: error[unit_mismatch]: `shop_order_duration_milliseconds` has the unit `seconds`, but the catalog declares `ms` (`milliseconds`)\n",
        "drifted.prom:19: error[bucket_mismatch]: `shop_order_duration_milliseconds` lacks the declared bucket boundaries [50, 500]\n  = declared at tests/fixtures/live/catalog.yaml:29:5\n",
        "drifted.prom:20: error[bucket_mismatch]: `shop_order_duration_milliseconds` has a bucket boundary `le=\"25\"` the catalog does not declare (it declares [5, 50, 500])\n",
        "drifted.prom:25: error[undeclared_metric]: metric family `shop_carts_total` (counter) is not declared in the catalog\n",
        "  = help: declare it in tests/fixtures/live/catalog.yaml, or pass --ignore shop_carts_total if another meter owns it\n",
        "drifted.prom:27: error[not_instrumented]: `shop_refunds_total` is emitted, but the catalog says its status is `planned`\n  = declared at tests/fixtures/live/catalog.yaml:47:5\n",
        "drifted.prom:28: error[unit_mismatch]: `shop_cache_hit` (untyped) is `shop.cache.hit` in another unit: the catalog's unit `1` exposes it as `shop_cache_hit_ratio`\n",
        // The gauge read under another type is there by its name: its queries find it.
        "coverage: 3 of 4 instrumented metrics seen (75.0%), 2 of 6 closed values seen (33.3%)\n",
        "  seen     shop.queue.depth\n",
        "  NOT SEEN shop.cache.hit\n",
        "not counted (planned or defined_not_instrumented): 1 metric, 1 of them seen: shop.refunds\n",
        "result: FAILED: 13 violation(s)\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn a_near_miss_gets_the_declared_name_and_stdin_is_a_source() {
    let (code, text) = live_check_stdin("# TYPE shop_order_total counter\nshop_order_total{outcome=\"ok\"} 1\n");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("<stdin>:2: error[undeclared_metric]: metric family `shop_order_total` (counter) is not declared in the catalog\n  = declared at tests/fixtures/live/catalog.yaml:17:5\n  = help: did you mean `shop_orders_total`? Otherwise declare it"), "{text}");
}

#[test]
fn dropped_and_ignored_names_are_not_drift() {
    let file = fixture("drifted.prom");
    let (_, out, _) =
        live_check(&["--exposition", &file, "--drop-labels", "outcome", "--ignore", "shop_carts*", "--ignore", "x"]);
    let found = errors(&out, &file);
    assert!(!found.iter().any(|e| e.ends_with("missing_label") || e.ends_with("undeclared_metric")), "{out}");
    assert_eq!(found.len(), 10, "{out}");
    assert!(out.contains("read 19 samples of 6 metric families (1 ignored)\n"), "{out}");
}

#[test]
fn the_coverage_gate_fails_below_its_minimum() {
    let file = fixture("clean.prom");
    let (code, out, _) = live_check(&["--exposition", &file, "--min-coverage", "100"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out, _) = live_check(&["--exposition", &file, "--min-coverage", "100", "--min-value-coverage", "90"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("error: closed-value coverage 83.3% (5 of 6) is below --min-value-coverage 90\n"), "{out}");
    assert!(out.ends_with("result: FAILED: 0 violation(s)\n"), "{out}");
    // A scrape without the cache gauge: 3 of 4 metrics.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&file)).unwrap();
    let partial = text.lines().filter(|l| !l.contains("shop_cache_hit_ratio")).collect::<Vec<_>>().join("\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.prom");
    std::fs::write(&path, partial).unwrap();
    let (code, out, _) = live_check(&["--exposition", path.to_str().unwrap(), "--min-coverage", "80"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("  NOT SEEN shop.cache.hit\n"), "{out}");
    assert!(out.contains("error: metric coverage 75.0% (3 of 4) is below --min-coverage 80\n"), "{out}");
    let (code, out, _) = live_check(&["--exposition", path.to_str().unwrap(), "--min-coverage", "75"]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn json_carries_the_same_findings_and_coverage() {
    let (code, out, _) = live_check(&["--exposition", &fixture("drifted.prom"), "--format", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["violations"], 13);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 12);
    assert_eq!(findings[0]["kind"], "value_outside_set");
    assert_eq!(findings[0]["detail"], "outcome=\"cancelled\"");
    assert_eq!(findings[0]["at"], "tests/fixtures/live/drifted.prom:5");
    assert_eq!(findings[0]["count"], 2);
    assert_eq!(findings[0]["declared_at"], "tests/fixtures/live/catalog.yaml:6:3");
    assert_eq!(v["coverage"]["metrics"]["seen"], 3);
    assert_eq!(v["coverage"]["metrics"]["total"], 4);
    let orders = &v["coverage"]["per_metric"][0];
    assert_eq!(orders["metric"], "shop.orders");
    assert_eq!(orders["name"], "shop_orders_total");
    assert_eq!(orders["labels"][0]["seen"], serde_json::json!(["ok"]));
    assert_eq!(orders["labels"][0]["not_seen"], serde_json::json!(["failed", "timeout"]));
    assert_eq!(v["not_counted"][0], serde_json::json!({"metric": "shop.refunds", "status": "planned", "seen": true}));
}

#[test]
fn a_source_that_cannot_be_read_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.prom");
    std::fs::write(&bad, "# TYPE shop_orders_total counter\nshop_orders_total{outcome=\"ok\" 1\n").unwrap();
    let (code, _, err) = live_check(&["--exposition", bad.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!(
            "{}:2:32: error: expected `,` or `}}` after the value of label `outcome`",
            bad.display()
        )),
        "{err}"
    );
    let (code, _, err) = live_check(&["--exposition", "no/such.prom"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("error: cannot read no/such.prom:"), "{err}");
    // Nothing listens on port 9 of loopback (discard), or it refuses HTTP.
    let (code, _, err) = live_check(&["--scrape", "http://127.0.0.1:9/metrics"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("error: cannot scrape http://127.0.0.1:9/metrics:"), "{err}");
    let (code, out, err) = live_check(&["--otlp", "127.0.0.1:0", "--timeout", "1"]);
    assert_eq!(code, Some(2));
    assert!(out.starts_with("otlp: listening on 127.0.0.1:"), "{out}");
    assert!(err.contains("error: no OTLP export arrived at 127.0.0.1:"), "{err}");
    assert!(err.contains("within 1 s"), "{err}");
    // Values out of range are refused, not clamped.
    for (flag, value) in [("--min-coverage", "101"), ("--min-value-coverage", "-1"), ("--timeout", "0")] {
        let (code, _, err) = live_check(&["--exposition", &fixture("clean.prom"), &format!("{flag}={value}")]);
        assert_eq!(code, Some(2), "{flag} {value}");
        assert!(err.contains(&format!("invalid value '{value}' for '{flag}")), "{err}");
    }
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue { key: key.into(), value: Some(AnyValue { value: Some(value) }), ..Default::default() }
}

fn s(key: &str, value: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(value.into()))
}

fn number(attributes: Vec<KeyValue>, value: number_data_point::Value) -> NumberDataPoint {
    NumberDataPoint { attributes, value: Some(value), ..Default::default() }
}

fn sum(name: &str, unit: &str, monotonic: bool, points: Vec<NumberDataPoint>) -> Metric {
    Metric {
        name: name.into(),
        unit: unit.into(),
        data: Some(metric::Data::Sum(Sum { data_points: points, aggregation_temporality: 2, is_monotonic: monotonic })),
        ..Default::default()
    }
}

fn histogram(name: &str, unit: &str, bounds: &[f64], attributes: Vec<KeyValue>) -> Metric {
    let point = HistogramDataPoint {
        attributes,
        explicit_bounds: bounds.to_vec(),
        // One measurement in the first bucket: a point that moved.
        bucket_counts: std::iter::once(1).chain(std::iter::repeat_n(0, bounds.len())).collect(),
        count: 1,
        sum: Some(1.0),
        ..Default::default()
    };
    Metric {
        name: name.into(),
        unit: unit.into(),
        data: Some(metric::Data::Histogram(Histogram { data_points: vec![point], aggregation_temporality: 2 })),
        ..Default::default()
    }
}

fn request(metrics: Vec<Metric>) -> ExportMetricsServiceRequest {
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            scope_metrics: vec![ScopeMetrics { metrics, ..Default::default() }],
            ..Default::default()
        }],
    }
}

fn check_otlp(requests: &[ExportMetricsServiceRequest]) -> docs_gen::live::Report {
    let catalog = catalog_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(CATALOG), CATALOG).unwrap();
    let mut checker = Checker::new(&catalog, Naming::OpenTelemetry, "OTLP at test", Options::default());
    for (n, r) in requests.iter().enumerate() {
        docs_gen::live::otlp::check_request(&mut checker, r, n as u64 + 1);
    }
    checker.finish()
}

use number_data_point::Value::{AsDouble, AsInt};

#[test]
fn otlp_exports_are_checked_in_opentelemetry_terms() {
    let clean = request(vec![
        sum("shop.orders", "{order}", true, vec![number(vec![s("outcome", "ok"), s("queue", "a")], AsInt(3))]),
        histogram("shop.order.duration", "ms", &[5.0, 50.0, 500.0], vec![s("outcome", "failed")]),
        sum("shop.queue.depth", "{order}", false, vec![number(vec![s("queue", "a")], AsInt(-1))]),
        Metric {
            name: "shop.cache.hit".into(),
            unit: "1".into(),
            data: Some(metric::Data::Gauge(Gauge { data_points: vec![number(vec![], AsDouble(0.5))] })),
            ..Default::default()
        },
    ]);
    let report = check_otlp(std::slice::from_ref(&clean));
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.metric_coverage(), (4, 4));
    assert_eq!(report.value_coverage(), (2, 6));

    let drifted = request(vec![
        // Floating-point points and an attribute value outside the set.
        sum("shop.orders", "{order}", true, vec![number(vec![s("outcome", "lost"), s("queue", "a")], AsDouble(1.0))]),
        // Seconds where the catalog says ms, other boundaries, a missing and an undeclared attribute.
        histogram("shop.order.duration", "s", &[0.005, 0.05], vec![s("queue", "a")]),
        // A monotonic sum where the catalog declares an up-down counter.
        sum("shop.queue.depth", "{order}", true, vec![number(vec![s("queue", "a")], AsInt(1))]),
        // An overflow point: the SDK's attribute is a bool.
        sum(
            "shop.orders",
            "{order}",
            true,
            vec![number(vec![kv("otel.metric.overflow", any_value::Value::BoolValue(true))], AsInt(9))],
        ),
        sum("shop.carts", "{cart}", true, vec![number(vec![], AsInt(1))]),
        sum("shop.refunds", "{refund}", true, vec![number(vec![s("outcome", "ok")], AsInt(1))]),
    ]);
    // Two exports of the same state: each finding once, counted twice.
    let report = check_otlp(&[drifted.clone(), drifted]);
    let found: Vec<(&str, &str, &str, &str, u64)> = report
        .findings
        .iter()
        .map(|f| (f.kind.as_str(), f.metric.as_str(), f.detail.as_str(), f.at.as_str(), f.count))
        .collect();
    assert_eq!(
        found,
        [
            ("number_type_mismatch", "shop.orders", "floating-point", "OTLP at test export 1", 2),
            ("value_outside_set", "shop.orders", "outcome=\"lost\"", "OTLP at test export 1", 2),
            ("unit_mismatch", "shop.order.duration", "s", "OTLP at test export 1", 2),
            ("bucket_mismatch", "shop.order.duration", "[0.005, 0.05]", "OTLP at test export 1", 2),
            ("undeclared_label", "shop.order.duration", "queue", "OTLP at test export 1", 2),
            ("missing_label", "shop.order.duration", "outcome", "OTLP at test export 1", 2),
            ("type_mismatch", "shop.queue.depth", "counter", "OTLP at test export 1", 2),
            ("overflow", "shop.orders", "", "OTLP at test export 1", 2),
            ("undeclared_metric", "shop.carts", "", "OTLP at test export 1", 2),
            ("not_instrumented", "shop.refunds", "", "OTLP at test export 1", 2),
        ]
    );
    let messages: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(messages.contains(&"`shop.orders` exports floating-point values, but the catalog declares `u64`"));
    assert!(messages.contains(&"`shop.order.duration` has the unit `s`, but the catalog declares `ms`"));
    assert!(
        messages
            .contains(&"`shop.order.duration` has the boundaries [0.005, 0.05], but the catalog declares [5, 50, 500]")
    );
    assert!(messages.contains(&"`shop.queue.depth` is exposed as a counter, but the catalog declares `shop.queue.depth` with instrument `up_down_counter`"), "{messages:#?}");
}

/// Exemplars are checked where OpenMetrics puts them: on a counter's `_total` and a histogram's
/// `_bucket` only, at most 128 characters of labels, a bucket's value inside its bucket (the
/// previous bound excluded, `le` included), ids of 32 and 16 lowercase hex digits, not all zero.
/// Each bad one is named at its line; the report says which metrics carried exemplars.
#[test]
fn exemplars_are_checked_and_counted() {
    let file = fixture("exemplars.om.txt");
    let (code, out, _) = live_check(&["--exposition", &file]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        errors(&out, &file),
        [
            "4 bad_exemplar",  // on `_created`
            "5 bad_exemplar",  // an upper-case trace id
            "10 bad_exemplar", // 4.5 is not in (5, 50]
            "11 bad_exemplar", // 129 characters
            "13 bad_exemplar", // on `_sum`
            "16 bad_exemplar", // on a gauge
            "16 bad_exemplar", // and an all-zero span id
        ],
        "{out}"
    );
    // The same kind at several lines is one finding per detail, each at its first line.
    assert!(out.contains("carries an exemplar on a `shop_orders_created` sample"), "{out}");
    assert!(out.contains("whose labels have 129 characters"), "{out}");
    assert!(out.contains("an exemplar of 4.5 in the bucket (5, 50]"), "{out}");
    assert!(out.contains("trace_id `4BF92F3577B34DA6A3CE929D0E0E4736` is not 32 lowercase hex digits"), "{out}");
    assert!(out.contains("span_id `0000000000000000` is not 16 lowercase hex digits, not all zero"), "{out}");
    assert!(
        out.contains("exemplars: 8 on 3 metrics: shop.orders (3), shop.order.duration (4), shop.queue.depth (1)"),
        "{out}"
    );
    let (code, out, _) = live_check(&["--exposition", &fixture("clean.om.txt")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("exemplars: 1 on 1 metric: shop.orders (1)"), "{out}");
}

#[test]
fn the_fixtures_cover_every_kind_of_drift() {
    let file = fixture("drifted.prom");
    let (_, out, _) = live_check(&["--exposition", &file]);
    let mut kinds: BTreeSet<String> =
        errors(&out, &file).iter().map(|e| e.split_once(' ').unwrap().1.to_owned()).collect();
    // Exemplars are OpenMetrics': checked on their own fixture.
    let exemplars = fixture("exemplars.om.txt");
    let (_, out, _) = live_check(&["--exposition", &exemplars]);
    kinds.extend(errors(&out, &exemplars).iter().map(|e| e.split_once(' ').unwrap().1.to_owned()));
    // Only OTLP says whether a point is an integer.
    kinds.insert("number_type_mismatch".into());
    let all: BTreeSet<String> = Kind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    assert_eq!(kinds, all);
}

/// A series that never moved is an attribute set something created, not a measurement: a counter's
/// or a histogram's zero series do not count as seen (a bound recorder used to export every
/// combination at zero, and coverage read "3 of 3 outcomes" after one was recorded). A gauge's or an
/// up-down counter's zero is a value, and counts.
#[test]
fn zero_series_of_counters_and_histograms_are_not_coverage() {
    let exposition = "\
# TYPE shop_orders_total counter
shop_orders_total{outcome=\"ok\"} 3
shop_orders_total{outcome=\"failed\"} 0
shop_orders_total{outcome=\"timeout\"} 0
# TYPE shop_order_duration_milliseconds histogram
shop_order_duration_milliseconds_bucket{outcome=\"ok\",le=\"50\"} 0
shop_order_duration_milliseconds_bucket{outcome=\"ok\",le=\"500\"} 0
shop_order_duration_milliseconds_bucket{outcome=\"ok\",le=\"+Inf\"} 0
shop_order_duration_milliseconds_sum{outcome=\"ok\"} 0
shop_order_duration_milliseconds_count{outcome=\"ok\"} 0
# TYPE shop_queue_depth gauge
shop_queue_depth 0
";
    let (_, text) = live_check_stdin(exposition);
    assert!(text.contains("outcome 1/3 (not seen: failed, timeout)"), "{text}");
    assert!(text.contains("NOT SEEN shop.order.duration"), "{text}");
    assert!(!text.contains("NOT SEEN shop.queue.depth"), "{text}");
}

/// A value outside an open list's known ones (`error.type` as the conventions define it) is not
/// drift: the report lists it beside the label's coverage, which counts the known values only. A
/// value outside a closed list still is.
#[test]
fn an_open_list_takes_other_values_as_information() {
    use std::io::Write;
    let series = |method: &str, error: &str| format!("http_request_method=\"{method}\",error_type=\"{error}\"");
    let mut text = String::from("# TYPE http_server_request_duration_seconds histogram\n");
    for (method, error) in [("GET", "java.net.UnknownHostException"), ("GET", "timeout"), ("PATCH", "timeout")] {
        let l = series(method, error);
        text.push_str(&format!("http_server_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} 1\n"));
        text.push_str(&format!("http_server_request_duration_seconds_sum{{{l}}} 0.4\n"));
        text.push_str(&format!("http_server_request_duration_seconds_count{{{l}}} 1\n"));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_docs-gen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--catalog", "../test-support/fixtures/good/otel.yaml", "live-check", "--exposition", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    let outside: Vec<&str> = out.lines().filter(|l| l.contains("error[value_outside_set]")).collect();
    // `PATCH` is outside the closed list of `http.request.method`; the exception's name is not
    // outside the open list of `error.type`.
    assert_eq!(outside.len(), 1, "{out}");
    assert!(outside[0].contains("http_request_method=\"PATCH\""), "{out}");
    assert!(out.contains("error_type 1/2 (not seen: _OTHER) (open, also: java.net.UnknownHostException)"), "{out}");
}
