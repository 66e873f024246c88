//! Label values of every awkward kind round-trip exactly through a real Prometheus (Debian's
//! 2.42): the endpoint serves them, Prometheus scrapes them every second (it asks for OpenMetrics,
//! which this endpoint answers with), and its HTTP API gives back each value byte for byte, beside
//! the count recorded with it. The text format's escaping is checked by promtool in the other
//! tests (`catalog-runtime/tests/it/exposition.rs`, the workload end to end): Prometheus 2.42
//! cannot be told to ask for it.
//!
//! Needs `prometheus` (`apt-get install -y prometheus`); without it the test says so and passes,
//! except under `CI=true`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tasker_metrics::{Telemetry, TelemetryConfig, orchestration as o};
use test_support::{Prometheus, TempDir};

const JOB: &str = "hostile";

/// Every value a label may hold that a careless encoder would break. (An empty value cannot
/// round-trip: Prometheus treats a label with an empty value as absent.)
fn hostile_values() -> Vec<String> {
    vec![
        "plain".into(),
        "double \" quote".into(),
        "back\\slash, and a trailing one \\".into(),
        "\\n is not a line feed, \\\" is not a quote".into(),
        "line\nfeed".into(),
        "carriage\rreturn and\ttab".into(),
        "nul\0byte".into(),
        "x".repeat(100_000),
        "עברית right to left \u{202E}overridden\u{202C} and back".into(),
        "emoji 🎉 and a family 👩\u{200D}👩\u{200D}👧".into(),
        "{looks=\"like labels\"}, 1 # and a comment".into(),
        "# EOF".into(),
        "\u{FEFF}byte order mark, \u{0}\u{1}\u{1F} controls".into(),
    ]
}

#[test]
fn hostile_label_values_round_trip_through_prometheus() {
    let deadline = Instant::now() + Duration::from_secs(75);
    if !test_support::prometheus_installed() {
        return;
    }
    let config = TelemetryConfig::from_toml(
        "hostile.toml",
        "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\n[telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let telemetry = Telemetry::init(&config).unwrap();
    let values = hostile_values();
    // Value i is recorded i + 1 times, so that each label value is checked beside its own count.
    for (i, v) in values.iter().enumerate() {
        telemetry.metrics().orchestration.tasks_requests_total.add(
            i as u64 + 1,
            o::TasksRequestsTotalLabels {
                correlation_id: v.clone().into(),
                task_type: "hostile".into(),
                namespace: "hostile".into(),
            },
        );
    }
    let address = telemetry.prometheus_address().unwrap();
    let dir = TempDir::new("prometheus-hostile");
    let prometheus = Prometheus::start(&dir.0, JOB, &address.to_string(), deadline).unwrap_or_else(|e| panic!("{e}"));

    let selector = format!("tasker_tasks_requests_total{{job=\"{JOB}\"}}");
    let t = Instant::now();
    let got: BTreeMap<String, f64> = loop {
        let result = prometheus.api.query(&selector).unwrap_or_default();
        if result.len() >= values.len() {
            break result.into_iter().map(|(labels, v)| (labels["correlation_id"].clone(), v)).collect();
        }
        if Instant::now() >= deadline.min(t + Duration::from_secs(30)) {
            panic!(
                "{} of {} series in Prometheus after {:.1} s; targets: {:?}\n{}",
                result.len(),
                values.len(),
                t.elapsed().as_secs_f64(),
                prometheus.api.targets(),
                prometheus.log_tail()
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    eprintln!("{} hostile series in Prometheus after {:.1} s", got.len(), t.elapsed().as_secs_f64());
    let targets = prometheus.api.targets().unwrap();
    assert!(targets.iter().all(|(_, health, error)| health == "up" && error.is_empty()), "{targets:?}");

    let want: BTreeMap<String, f64> = values.iter().enumerate().map(|(i, v)| (v.clone(), (i + 1) as f64)).collect();
    let show = |v: &str| if v.len() > 80 { format!("{:?}… ({} bytes)", &v[..40], v.len()) } else { format!("{v:?}") };
    for (value, count) in &want {
        match got.get(value) {
            Some(c) => assert_eq!(c, count, "the series of {} has the count of another", show(value)),
            None => panic!(
                "{} did not come back; Prometheus has: {:?}",
                show(value),
                got.keys().map(|k| show(k)).collect::<Vec<_>>()
            ),
        }
    }
    assert_eq!(got.len(), want.len(), "extra series: {:?}", got.keys().map(|k| show(k)).collect::<Vec<_>>());
}
