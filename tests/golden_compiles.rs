//! The golden Rust of docs-gen's fixture catalogs compiles and records through the SDK.

#[allow(dead_code)]
mod minimal {
    include!("../docs-gen/tests/golden/minimal.rs");
}

#[allow(dead_code)]
mod edge {
    include!("../docs-gen/tests/golden/edge.rs");
}

use opentelemetry::metrics::MeterProvider;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

#[test]
fn golden_recorders_compile_and_record() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let meter = provider.meter("golden");

    let m = minimal::Metrics::new(&meter);
    m.jobs.jobs_completed_total.add(
        1,
        minimal::jobs::JobsCompletedTotalLabels { job_id: "job-1", outcome: minimal::labels::Outcome::TimedOut },
    );
    m.jobs.job_duration.record(12.5, minimal::jobs::JobDurationLabels { outcome: minimal::labels::Outcome::Ok });
    m.jobs.jobs_running.add(-1);
    m.health.breaker_state.record(minimal::values::BreakerState::HalfOpen);
    m.health.queue_usage_percent.record(40.0, minimal::health::QueueUsagePercentLabels { queue: "q" });

    let e = edge::Metrics::new(&meter);
    for kind in edge::labels::Kind::ALL {
        e.r#type.edge_requests_total.add(1.0, edge::r#type::EdgeRequestsTotalLabels { kind: *kind, r#type: "x" });
    }
    e.r#type.edge_unicode_gauge.record(3);

    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let names: Vec<String> = exported
        .iter()
        .flat_map(|rm| rm.scope_metrics())
        .flat_map(|sm| sm.metrics())
        .map(|m| m.name().to_owned())
        .collect();
    for want in [
        "app.jobs.completed.total",
        "app.job.duration",
        "app.jobs.running",
        "breaker_state",
        "queue_usage_percent",
        "edge.requests.total",
        "edge.unicode.gauge",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not exported; got {names:?}");
    }
}

#[test]
fn label_enums_round_trip_their_catalog_spelling() {
    use edge::labels::Kind;
    for kind in Kind::ALL {
        assert_eq!(kind.as_str().parse::<Kind>(), Ok(*kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(
        Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["type", "self", "match", "5xx", "2xx", "Self-Check", "ünïcode"]
    );
    let err = "nope".parse::<Kind>().unwrap_err();
    assert_eq!(err.to_string(), "`nope` is not an allowed value of label `kind`");
    assert_eq!(minimal::values::BreakerState::HalfOpen.value(), 1);
    assert_eq!(minimal::values::BreakerState::HalfOpen.name(), "Half-Open");
}
