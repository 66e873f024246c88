//! The OTLP gRPC path, proven against a receiver built from the official OTLP service definitions
//! (opentelemetry-proto's tonic server) on loopback: the one `docs-gen live-check --otlp` runs.

use docs_gen::live::otlp::{Listening, listen};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Metric, metric, number_data_point};
use std::collections::BTreeMap;
use std::time::Duration;
use tasker_metrics::config::Exporter;
use tasker_metrics::labels::{ClaimMethod, StepResultType};
use tasker_metrics::values::CircuitBreakerState;
use tasker_metrics::{Telemetry, TelemetryConfig, orchestration as o, resilience as r, worker as w};

/// Starts the receiver (`docs-gen live-check --otlp`'s) on a free loopback port; returns it and
/// its endpoint. Dropping it stops the server.
fn start_receiver() -> (Listening, String) {
    let receiver = listen("127.0.0.1:0".parse().unwrap()).unwrap();
    let endpoint = format!("http://{}", receiver.address());
    (receiver, endpoint)
}

fn otlp_config(endpoint: &str, interval: Duration) -> TelemetryConfig {
    let mut config = TelemetryConfig::default();
    config.service_name = "tasker-otlp-test".into();
    config.exporters = vec![Exporter::Otlp];
    config.otlp_endpoint = endpoint.into();
    config.export_interval = interval;
    config
}

fn text(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn attrs(kvs: &[KeyValue]) -> BTreeMap<String, String> {
    kvs.iter().map(|kv| (kv.key.clone(), text(&kv.value))).collect()
}

/// The last exported state of every metric, by name.
fn latest(requests: &[ExportMetricsServiceRequest]) -> BTreeMap<String, Metric> {
    let mut out = BTreeMap::new();
    for req in requests {
        for rm in &req.resource_metrics {
            for sm in &rm.scope_metrics {
                for m in &sm.metrics {
                    out.insert(m.name.clone(), m.clone());
                }
            }
        }
    }
    out
}

#[test]
fn otlp_receiver_gets_names_units_labels_and_values_as_recorded() {
    let (receiver, endpoint) = start_receiver();
    // A long interval: the export below happens because of flush, not a timer.
    let telemetry = Telemetry::init(&otlp_config(&endpoint, Duration::from_secs(3600))).unwrap();
    assert_eq!(telemetry.exporters(), [Exporter::Otlp]);
    let m = telemetry.metrics();
    let id = "0199c3e0-ccdb-7581-87ab-3f67daeaa4a5";

    m.orchestration.tasks_requests_total.add(
        3,
        o::TasksRequestsTotalLabels {
            correlation_id: id.into(),
            task_type: "mathematical_sequence".into(),
            namespace: "rust_e2e_linear".into(),
        },
    );
    for ms in [2.0, 40.0, 700.0] {
        m.worker.step_claim_duration.record(
            ms,
            w::StepClaimDurationLabels { namespace: "rust_e2e_linear".into(), claim_method: ClaimMethod::Poll },
        );
    }
    m.orchestration
        .step_results_processed_total
        .add(4, o::StepResultsProcessedTotalLabels { correlation_id: id.into(), result_type: StepResultType::Timeout });
    m.resilience.api_circuit_breaker_state.record(CircuitBreakerState::HalfOpen);
    m.resilience.mpsc_channel_usage_percent.record(
        42.5,
        r::MpscChannelUsagePercentLabels { channel: "orchestration_command".into(), component: "orchestration".into() },
    );
    telemetry.flush();
    telemetry.shutdown();

    let requests = receiver.received();
    assert!(!requests.is_empty(), "the receiver got no export");
    let service_names: Vec<String> = requests
        .iter()
        .flat_map(|r| &r.resource_metrics)
        .flat_map(|rm| rm.resource.iter().flat_map(|res| &res.attributes))
        .filter(|kv| kv.key == "service.name")
        .map(|kv| text(&kv.value))
        .collect();
    assert!(service_names.iter().all(|s| s == "tasker-otlp-test") && !service_names.is_empty(), "{service_names:?}");

    let metrics = latest(&requests);
    assert_eq!(
        metrics.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "api_circuit_breaker_state",
            "mpsc_channel_usage_percent",
            "tasker.step.claim.duration",
            "tasker.step_results.processed.total",
            "tasker.tasks.requests.total",
        ],
        "exactly the metrics recorded"
    );

    let requests_total = &metrics["tasker.tasks.requests.total"];
    assert_eq!(requests_total.unit, o::TasksRequestsTotal::UNIT);
    assert_eq!(requests_total.description, o::TasksRequestsTotal::DESCRIPTION);
    let Some(metric::Data::Sum(sum)) = &requests_total.data else { panic!("a counter is a Sum: {requests_total:?}") };
    assert!(sum.is_monotonic);
    assert_eq!(sum.data_points.len(), 1);
    let point = &sum.data_points[0];
    assert_eq!(point.value, Some(number_data_point::Value::AsInt(3)));
    assert_eq!(
        attrs(&point.attributes),
        BTreeMap::from([
            ("correlation_id".into(), id.into()),
            ("namespace".into(), "rust_e2e_linear".into()),
            ("task_type".into(), "mathematical_sequence".into()),
        ])
    );

    let claim = &metrics["tasker.step.claim.duration"];
    assert_eq!(claim.unit, "ms");
    let Some(metric::Data::Histogram(h)) = &claim.data else { panic!("a histogram: {claim:?}") };
    let p = &h.data_points[0];
    assert_eq!(p.count, 3);
    assert_eq!(p.sum, Some(742.0));
    assert_eq!(p.explicit_bounds, [1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0]);
    assert_eq!(p.bucket_counts.iter().sum::<u64>(), 3);
    assert_eq!(
        attrs(&p.attributes),
        BTreeMap::from([("claim_method".into(), "poll".into()), ("namespace".into(), "rust_e2e_linear".into())])
    );

    let processed = &metrics["tasker.step_results.processed.total"];
    let Some(metric::Data::Sum(sum)) = &processed.data else { panic!("{processed:?}") };
    assert_eq!(attrs(&sum.data_points[0].attributes)["result_type"], "timeout");
    assert_eq!(sum.data_points[0].value, Some(number_data_point::Value::AsInt(4)));

    let breaker = &metrics["api_circuit_breaker_state"];
    let Some(metric::Data::Gauge(g)) = &breaker.data else { panic!("a gauge: {breaker:?}") };
    assert_eq!(g.data_points[0].value, Some(number_data_point::Value::AsInt(1)), "HalfOpen is 1");
    assert!(g.data_points[0].attributes.is_empty());

    let usage = &metrics["mpsc_channel_usage_percent"];
    assert_eq!(usage.unit, "%");
    let Some(metric::Data::Gauge(g)) = &usage.data else { panic!("a gauge: {usage:?}") };
    assert_eq!(g.data_points[0].value, Some(number_data_point::Value::AsDouble(42.5)));
}

#[test]
fn drop_labels_removes_correlation_id_at_export() {
    let (receiver, endpoint) = start_receiver();
    let mut config = otlp_config(&endpoint, Duration::from_secs(3600));
    config.drop_labels = vec!["correlation_id".into()];
    let telemetry = Telemetry::init(&config).unwrap();
    for id in ["a", "b", "c"] {
        telemetry.metrics().orchestration.tasks_requests_total.add(
            1,
            o::TasksRequestsTotalLabels {
                correlation_id: id.into(),
                task_type: "mathematical_sequence".into(),
                namespace: "ns".into(),
            },
        );
    }
    telemetry.shutdown();
    let metrics = latest(&receiver.received());
    let Some(metric::Data::Sum(sum)) = &metrics["tasker.tasks.requests.total"].data else { panic!() };
    // Three correlation ids, one series: the unbounded label is gone, the others stay.
    assert_eq!(sum.data_points.len(), 1);
    assert_eq!(sum.data_points[0].value, Some(number_data_point::Value::AsInt(3)));
    assert_eq!(
        attrs(&sum.data_points[0].attributes),
        BTreeMap::from([("namespace".into(), "ns".into()), ("task_type".into(), "mathematical_sequence".into())])
    );
}

/// The OTLP export carries the runtime's exemplars on the points, as the receiver (live-check's)
/// decodes them: a measurement made in a sampled span keeps its trace and span ids as bytes, and
/// the `correlation_id` the series dropped as a filtered attribute; the histogram's exemplar is
/// the outlier's value, on the series it was recorded in. live-check reads them without a finding.
#[test]
fn the_otlp_export_carries_the_exemplars_on_their_points() {
    let (receiver, endpoint) = start_receiver();
    let mut config = otlp_config(&endpoint, Duration::from_secs(3600));
    config.drop_labels = vec!["correlation_id".into()];
    let telemetry = Telemetry::init(&config).unwrap();
    let (trace, span) = (test_support::span::TRACE_ID, test_support::span::SPAN_ID);
    {
        let _span = test_support::span::enter(true);
        let m = telemetry.metrics();
        m.worker.steps_executions_total.add(1, w::StepsExecutionsTotalLabels { correlation_id: "task-7".into() });
        m.worker.step_execution_duration.record(
            9000.0,
            w::StepExecutionDurationLabels {
                correlation_id: "task-7".into(),
                namespace: "ns".into(),
                result: tasker_metrics::labels::Result::Success,
            },
        );
    }
    telemetry.shutdown();
    let requests = receiver.received();
    let metrics = latest(&requests);
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let Some(metric::Data::Sum(sum)) = &metrics["tasker.steps.executions.total"].data else { panic!() };
    let e = &sum.data_points[0].exemplars;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((hex(&e[0].trace_id), hex(&e[0].span_id)), (trace.to_owned(), span.to_owned()));
    assert_eq!(attrs(&e[0].filtered_attributes), BTreeMap::from([("correlation_id".into(), "task-7".into())]));
    assert_eq!(e[0].value, Some(opentelemetry_proto::tonic::metrics::v1::exemplar::Value::AsInt(1)));
    let Some(metric::Data::Histogram(h)) = &metrics["tasker.step.execution.duration"].data else { panic!() };
    let p = &h.data_points[0];
    assert_eq!(attrs(&p.attributes).get("correlation_id"), None, "the series dropped it");
    assert_eq!(p.exemplars.len(), 1, "{:?}", p.exemplars);
    let e = &p.exemplars[0];
    assert_eq!(e.value, Some(opentelemetry_proto::tonic::metrics::v1::exemplar::Value::AsDouble(9000.0)));
    assert_eq!(hex(&e.trace_id), trace);
    assert_eq!(attrs(&e.filtered_attributes), BTreeMap::from([("correlation_id".into(), "task-7".into())]));
    assert!(e.time_unix_nano > 0);

    // live-check reads the same requests: no finding, and the exemplars counted per metric.
    let catalog = catalog_docs::load(&test_support::workspace().join("metrics.yaml"), "metrics.yaml")
        .unwrap_or_else(|d| panic!("{d}"))
        .0;
    let options = docs_gen::live::Options { drop_labels: vec!["correlation_id".into()], ..Default::default() };
    let mut checker = docs_gen::live::Checker::new(&catalog, docs_gen::live::Naming::OpenTelemetry, "otlp", options);
    for (n, r) in requests.iter().enumerate() {
        docs_gen::live::otlp::check_request(&mut checker, r, n as u64 + 1);
    }
    let report = checker.finish();
    let bad: Vec<_> = report.findings.iter().filter(|f| f.kind.as_str() == "bad_exemplar").collect();
    assert!(bad.is_empty(), "{bad:?}");
    let carried = |name: &str| report.metrics.iter().find(|m| m.metric == name).map_or(0, |m| m.exemplars);
    assert!(carried("tasker.steps.executions.total") >= 1 && carried("tasker.step.execution.duration") >= 1);
}
