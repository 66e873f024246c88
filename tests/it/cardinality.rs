//! A metric's cardinality limit, from the catalog to the scrape: the fixture catalog `otel.yaml`
//! gives `app.requests` a limit of 1,000; 5,000 correlation ids make 1,000 series and one overflow
//! series that holds the rest, the total stays exact, and the overflow is logged once however many
//! scrapes see it. (In a process of its own: it installs a global tracing subscriber.)

use crate::golden::otel;
use catalog_runtime::{Catalog as _, Telemetry, TelemetryConfig};
use test_support::{Log, scrape};

#[test]
fn five_thousand_ids_over_a_limit_of_one_thousand() {
    if !crate::in_own_process("cardinality::five_thousand_ids_over_a_limit_of_one_thousand") {
        return;
    }
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).init();

    assert_eq!(otel::Metrics::metric("app.requests").unwrap().cardinality_limit, 1000);
    let config = TelemetryConfig::from_toml(
        "t.toml",
        "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\n[telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let telemetry = Telemetry::<otel::Metrics>::init(&config).unwrap();
    let metrics = telemetry.metrics();
    for i in 0..5_000 {
        let id = format!("0199c3e0-{i:04}");
        metrics.app_requests.add(
            1,
            otel::AppRequestsLabels {
                app_correlation_id: id.clone().into(),
                http_request_method: otel::labels::HttpRequestMethod::Get,
            },
        );
    }
    let address = telemetry.prometheus_address().unwrap();
    let text = scrape(address).text();
    let samples: Vec<(&str, f64)> = text
        .lines()
        .filter(|l| l.starts_with("app_requests_total"))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series, value.parse().unwrap())
        })
        .collect();
    let with_id = samples.iter().filter(|(s, _)| s.contains("app_correlation_id=")).count();
    let overflow: Vec<&(&str, f64)> = samples.iter().filter(|(s, _)| s.contains("otel_metric_overflow")).collect();
    let total: f64 = samples.iter().map(|(_, v)| v).sum();
    eprintln!("{with_id} series with an id, overflow {overflow:?}, total {total}, {} samples in all", samples.len());
    assert_eq!(with_id, 1000, "series with an id");
    assert_eq!(overflow.len(), 1);
    // The overflow series has the one label, and none of the metric's others.
    assert_eq!(overflow[0].0, "app_requests_total{otel_metric_overflow=\"true\"}");
    assert_eq!(overflow[0].1, 4000.0);
    assert_eq!(total, 5000.0, "the total is exact");

    // More scrapes, more ids: still one log line for the metric.
    metrics.app_requests.add(
        1,
        otel::AppRequestsLabels {
            app_correlation_id: "late".into(),
            http_request_method: otel::labels::HttpRequestMethod::Post,
        },
    );
    scrape(address);
    scrape(address);
    drop(telemetry);
    let logged = log.take();
    let lines: Vec<&str> = logged.lines().filter(|l| l.contains("reached its cardinality limit")).collect();
    assert_eq!(lines.len(), 1, "{logged}");
    assert!(
        lines[0].contains(
            "metric `app.requests` reached its cardinality limit of 1000 attribute sets: every new set is now counted in \
             one series with the label otel_metric_overflow=\"true\" and no other (totals stay exact, breakdowns do not); \
             raise its cardinality_limit in the catalog, or drop an unbounded label with drop_labels in telemetry.toml"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("WARN"), "{}", lines[0]);
    assert!(lines[0].contains("meter=\"otel\"") && lines[0].contains("cardinality_limit=1000"), "{}", lines[0]);
}
