//! The start-up lines the reference's troubleshooting section tells operators to grep for.
//! (In a process of its own: it installs a global tracing subscriber.)

use tasker_metrics::config::Exporter;
use tasker_metrics::{Telemetry, TelemetryConfig};
use test_support::Log;

#[test]
fn enabled_and_disabled_start_up_lines() {
    if !crate::in_own_process("startup_log::enabled_and_disabled_start_up_lines") {
        return;
    }
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).init();

    let mut config = TelemetryConfig::default();
    config.prometheus_address = "127.0.0.1:0".parse().unwrap();
    config.exporters = vec![Exporter::Prometheus, Exporter::Stdout];
    let telemetry = Telemetry::init(&config).unwrap();
    let port = telemetry.prometheus_address().unwrap().port();
    drop(telemetry);
    let text = log.take();
    assert!(text.contains("opentelemetry_enabled=true"), "{text}");
    assert!(text.contains("exporters=prometheus,stdout"), "{text}");
    assert!(text.contains(&format!("prometheus_endpoint=\"http://127.0.0.1:{port}/metrics\"")), "{text}");

    let disabled = TelemetryConfig::default().with_env(|k| (k == "TELEMETRY_ENABLED").then(|| "false".into())).unwrap();
    let telemetry = Telemetry::init(&disabled).unwrap();
    assert!(telemetry.exporters().is_empty());
    assert!(telemetry.prometheus_address().is_none());
    let text = log.take();
    assert!(text.contains("Metrics collection disabled (TELEMETRY_ENABLED=false)"), "{text}");
    assert!(!text.contains("opentelemetry_enabled=true"), "{text}");
}
