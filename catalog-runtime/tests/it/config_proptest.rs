//! telemetry.toml under arbitrary text: loading never panics, every error is located inside the
//! text, and every configuration that loads is one the exporters can use as it says (an interval
//! in range, at least one exporter or an explicit `none`, an endpoint with scheme, host and port).

use catalog_runtime::config::{EXPORT_INTERVAL_SECONDS, TelemetryConfig};
use proptest::prelude::*;

/// A complete file whose values are filled in from the strategy below.
fn file(interval: &str, exporters: &str, endpoint: &str, rate: &str, address: &str) -> String {
    format!(
        "[telemetry]\nenabled = true\nservice_name = \"svc\"\nsample_rate = {rate}\n\n\
         [telemetry.opentelemetry]\nenabled = true\nendpoint = {endpoint}\nexport_interval_seconds = {interval}\n\
         exporters = {exporters}\n\n[telemetry.prometheus]\nlisten_address = {address}\n"
    )
}

/// TOML values of every kind, the awkward ones often.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-5".to_owned()),
        Just("nan".to_owned()),
        Just("inf".to_owned()),
        Just("-inf".to_owned()),
        Just("1e30".to_owned()),
        Just("1e-30".to_owned()),
        Just("[]".to_owned()),
        Just("[\"none\"]".to_owned()),
        Just("\"\"".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        "[a-z:/.0-9]{0,30}".prop_map(|s| format!("{s:?}")),
        proptest::sample::subsequence(vec!["\"otlp\"", "\"prometheus\"", "\"stdout\"", "\"none\"", "\"otlp\""], 0..5)
            .prop_map(|v| format!("[{}]", v.join(", "))),
        Just("\"http://127.0.0.1:4317\"".to_owned()),
        Just("\"127.0.0.1:9464\"".to_owned()),
        Just("30".to_owned()),
        Just("0.5".to_owned()),
    ]
}

/// The 1-based position of an error is inside the text (or one past its last line).
fn located_inside(text: &str, e: &catalog_runtime::config::ConfigError) -> bool {
    let lines = text.lines().count().max(1);
    e.line >= 1 && e.line <= lines + 1 && e.col >= 1
}

fn usable(c: &TelemetryConfig) -> Result<(), String> {
    let secs = c.export_interval.as_secs_f64();
    if !EXPORT_INTERVAL_SECONDS.contains(&secs) {
        return Err(format!("interval {secs} s"));
    }
    if !(0.0..=1.0).contains(&c.sample_rate) {
        return Err(format!("sample rate {}", c.sample_rate));
    }
    let mut seen = c.exporters.clone();
    seen.dedup();
    if seen.len() != c.exporters.len() {
        return Err(format!("exporters {:?}", c.exporters));
    }
    let uri: http::Uri = c.otlp_endpoint.parse().map_err(|e| format!("endpoint {}: {e}", c.otlp_endpoint))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() || uri.port_u16().is_none() {
        return Err(format!("endpoint {}", c.otlp_endpoint));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_text_loads_or_is_located(text in "\\PC{0,200}") {
        match TelemetryConfig::from_toml("t.toml", &text) {
            Ok(c) => prop_assert!(usable(&c).is_ok(), "{:?}: {:?}", text, usable(&c)),
            Err(e) => prop_assert!(located_inside(&text, &e), "{text:?}: {e}"),
        }
    }

    #[test]
    fn any_values_load_usable_or_are_located(
        interval in value(), exporters in value(), endpoint in value(), rate in value(), address in value(),
    ) {
        let text = file(&interval, &exporters, &endpoint, &rate, &address);
        match TelemetryConfig::from_toml("t.toml", &text) {
            Ok(c) => prop_assert!(usable(&c).is_ok(), "{}: {:?}", text, usable(&c)),
            Err(e) => {
                prop_assert!(located_inside(&text, &e), "{text:?}: {e}");
                // The error names the file and a position, and says what is wrong.
                let prefix = format!("t.toml:{}:{}: error: ", e.line, e.col);
                prop_assert!(e.to_string().starts_with(&prefix), "{}", e);
            }
        }
    }
}

/// The workspace's committed files (those of its first catalog) all load, and are usable. The
/// production file pushes OTLP (its `endpoint` selects it): a build without the `otlp` feature
/// refuses it, naming the feature.
#[test]
fn the_committed_configurations_load() {
    for env in ["development", "test", "production"] {
        let path = format!("{}/../config/tasker/environments/{env}/telemetry.toml", env!("CARGO_MANIFEST_DIR"));
        match TelemetryConfig::load(std::path::Path::new(&path)) {
            Ok(c) => usable(&c).unwrap_or_else(|e| panic!("{env}: {e}")),
            Err(e) if env == "production" && !cfg!(feature = "otlp") => {
                assert!(e.to_string().contains("enable the cargo feature `otlp` of catalog-runtime"), "{e}")
            }
            Err(e) => panic!("{e}"),
        }
    }
}
