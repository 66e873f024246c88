//! `telemetry.toml`: the runtime settings of the export pipeline, with environment overrides.
//!
//! ```toml
//! [telemetry]
//! enabled = true
//! service_name = "tasker-core-dev"
//! sample_rate = 1.0
//!
//! [telemetry.opentelemetry]
//! enabled = true                      # must be true to export metrics
//! endpoint = "http://localhost:4317"  # OTLP gRPC; setting it (or OTEL_EXPORTER_OTLP_ENDPOINT) selects OTLP
//! export_interval_seconds = 60
//! exporters = ["otlp", "prometheus"]  # optional: otlp, prometheus, stdout
//! drop_labels = ["correlation_id"]    # optional: attribute keys dropped at export
//!
//! [telemetry.prometheus]
//! listen_address = "127.0.0.1:9464"   # the embedded /metrics endpoint
//! ```
//!
//! Without `exporters`, metrics go to OTLP when an endpoint is configured (in the file or in
//! `OTEL_EXPORTER_OTLP_ENDPOINT`) and to the embedded Prometheus endpoint otherwise. The
//! environment overrides the file: `TELEMETRY_ENABLED`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
//! `OTEL_SERVICE_NAME`.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The default OTLP gRPC endpoint (a local collector or Grafana LGTM).
pub const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4317";
/// The default address of the embedded Prometheus endpoint (OpenTelemetry's conventional port).
pub const DEFAULT_PROMETHEUS_ADDRESS: &str = "127.0.0.1:9464";

/// Where metrics go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exporter {
    /// OTLP gRPC push to a collector, every export interval.
    Otlp,
    /// The embedded pull endpoint serving the Prometheus text format on `/metrics`.
    Prometheus,
    /// Printed to standard output every export interval, for debugging.
    Stdout,
}

impl fmt::Display for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Exporter::Otlp => "otlp",
            Exporter::Prometheus => "prometheus",
            Exporter::Stdout => "stdout",
        })
    }
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetryConfig {
    /// Master switch: when false the recorders do no work.
    pub enabled: bool,
    /// The `service.name` resource attribute.
    pub service_name: String,
    /// Trace sampling ratio, kept for the seed's configuration; metrics are not sampled.
    pub sample_rate: f64,
    /// Must be true (with `enabled`) for metrics to be exported.
    pub opentelemetry_enabled: bool,
    /// Where metrics go.
    pub exporters: Vec<Exporter>,
    /// The OTLP gRPC endpoint, used when `exporters` has `otlp`.
    pub otlp_endpoint: String,
    /// How often push exporters (OTLP, stdout) export.
    pub export_interval: Duration,
    /// The address of the embedded `/metrics` endpoint, used when `exporters` has `prometheus`.
    pub prometheus_address: SocketAddr,
    /// Attribute keys removed from every metric at export (SDK views), e.g. `correlation_id`.
    pub drop_labels: Vec<String>,
    /// Whether the file listed `exporters`; if not, an endpoint from the environment selects OTLP.
    exporters_explicit: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            enabled: true,
            service_name: "tasker".into(),
            sample_rate: 1.0,
            opentelemetry_enabled: true,
            exporters: vec![Exporter::Prometheus],
            otlp_endpoint: DEFAULT_OTLP_ENDPOINT.into(),
            export_interval: Duration::from_secs(60),
            prometheus_address: DEFAULT_PROMETHEUS_ADDRESS.parse().expect("a valid default address"),
            drop_labels: Vec::new(),
            exporters_explicit: false,
        }
    }
}

impl TelemetryConfig {
    /// Whether metrics are recorded and exported at all.
    pub fn metrics_enabled(&self) -> bool {
        self.enabled && self.opentelemetry_enabled
    }

    /// Reads `path` and applies the process environment.
    pub fn load(path: &Path) -> Result<TelemetryConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            col: 0,
            message: e.to_string(),
        })?;
        Self::from_toml(&path.display().to_string(), &text)?.with_env(|k| std::env::var(k).ok())
    }

    /// Parses a telemetry.toml text; `file` names it in errors. No environment is applied.
    pub fn from_toml(file: &str, text: &str) -> Result<TelemetryConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let t = raw.telemetry.unwrap_or_default();
        let o = t.opentelemetry.unwrap_or_default();
        let defaults = TelemetryConfig::default();
        let endpoint_set = o.endpoint.is_some();
        let address = match t.prometheus.and_then(|p| p.listen_address) {
            None => defaults.prometheus_address,
            Some(a) => a.parse().map_err(|_| {
                ConfigError::at_key(file, text, "listen_address", format!("invalid socket address `{a}`"))
            })?,
        };
        let mut config = TelemetryConfig {
            enabled: t.enabled.unwrap_or(defaults.enabled),
            service_name: t.service_name.unwrap_or(defaults.service_name),
            sample_rate: t.sample_rate.unwrap_or(defaults.sample_rate),
            opentelemetry_enabled: o.enabled.unwrap_or(defaults.opentelemetry_enabled),
            exporters: Vec::new(),
            otlp_endpoint: o.endpoint.unwrap_or(defaults.otlp_endpoint),
            export_interval: o
                .export_interval_seconds
                .map(|s| Duration::from_secs_f64(s.max(0.001)))
                .unwrap_or(defaults.export_interval),
            prometheus_address: address,
            drop_labels: o.drop_labels.unwrap_or_default(),
            exporters_explicit: o.exporters.is_some(),
        };
        config.exporters = match o.exporters {
            Some(list) => list,
            None if endpoint_set => vec![Exporter::Otlp],
            None => vec![Exporter::Prometheus],
        };
        if !(0.0..=1.0).contains(&config.sample_rate) {
            return Err(ConfigError::at_key(file, text, "sample_rate", "must be between 0.0 and 1.0".into()));
        }
        Ok(config)
    }

    /// Applies the environment overrides, read through `var` (so tests need not touch the process
    /// environment).
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Result<TelemetryConfig, ConfigError> {
        if let Some(v) = var("TELEMETRY_ENABLED") {
            self.enabled = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(ConfigError {
                        file: "environment".into(),
                        line: 0,
                        col: 0,
                        message: format!("TELEMETRY_ENABLED=`{v}` is not a boolean (use true or false)"),
                    });
                }
            };
        }
        if let Some(endpoint) = var("OTEL_EXPORTER_OTLP_ENDPOINT").filter(|e| !e.trim().is_empty()) {
            self.otlp_endpoint = endpoint.trim().to_owned();
            if !self.exporters_explicit {
                // A collector was named: it replaces the default pull endpoint.
                self.exporters = vec![Exporter::Otlp];
            }
        }
        if let Some(name) = var("OTEL_SERVICE_NAME").filter(|n| !n.trim().is_empty()) {
            self.service_name = name.trim().to_owned();
        }
        Ok(self)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    telemetry: Option<RawTelemetry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTelemetry {
    enabled: Option<bool>,
    service_name: Option<String>,
    sample_rate: Option<f64>,
    opentelemetry: Option<RawOpenTelemetry>,
    prometheus: Option<RawPrometheus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpenTelemetry {
    enabled: Option<bool>,
    endpoint: Option<String>,
    export_interval_seconds: Option<f64>,
    exporters: Option<Vec<Exporter>>,
    drop_labels: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrometheus {
    listen_address: Option<String>,
}

/// A telemetry.toml that cannot be used: `file:LINE:COL: error: ...`, naming the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `environment`).
    pub file: String,
    /// 1-based; 0 when the error has no position (an unreadable file, the environment).
    pub line: usize,
    /// 1-based column; 0 with `line`.
    pub col: usize,
    /// What is wrong, naming the key.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: error: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.col, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> ConfigError {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        let mut message = e.message().trim().to_owned();
        // toml names unknown keys itself; for a wrong value, name the key the line assigns.
        if !message.contains('`')
            && let Some(key) = key_on_line(text, line)
        {
            message = format!("`{key}`: {message}");
        }
        ConfigError { file: file.into(), line, col, message }
    }

    fn at_key(file: &str, text: &str, key: &str, what: String) -> ConfigError {
        let (line, col) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
            .map_or((1, 1), |(i, l)| (i + 1, l.len() - l.trim_start().len() + 1));
        ConfigError { file: file.into(), line, col, message: format!("`{key}`: {what}") }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `export_interval_seconds = "soon"` → `export_interval_seconds`.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn seed_configuration_means_prometheus_pull_by_default() {
        let text = "[telemetry]\nenabled = true\nservice_name = \"tasker-core-dev\"\nsample_rate = 1.0\n\n\
                    [telemetry.opentelemetry]\nenabled = true\n";
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(no_env).unwrap();
        assert!(c.metrics_enabled());
        assert_eq!(c.service_name, "tasker-core-dev");
        assert_eq!(c.exporters, [Exporter::Prometheus]);
        assert_eq!(c.otlp_endpoint, "http://localhost:4317");
        assert_eq!(c.export_interval, Duration::from_secs(60));
        assert_eq!(c.prometheus_address.to_string(), "127.0.0.1:9464");
    }

    #[test]
    fn an_endpoint_selects_otlp() {
        let text = "[telemetry.opentelemetry]\nendpoint = \"http://collector:4317\"\nexport_interval_seconds = 5\n";
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap();
        assert_eq!(c.exporters, [Exporter::Otlp]);
        assert_eq!(c.otlp_endpoint, "http://collector:4317");
        assert_eq!(c.export_interval, Duration::from_secs(5));
    }

    #[test]
    fn environment_overrides_the_file() {
        let text = "[telemetry]\nenabled = true\nservice_name = \"from-file\"\n";
        let env = |k: &str| match k {
            "TELEMETRY_ENABLED" => Some("false".to_owned()),
            "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:4999".to_owned()),
            "OTEL_SERVICE_NAME" => Some("from-env".to_owned()),
            _ => None,
        };
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(env).unwrap();
        assert!(!c.enabled);
        assert!(!c.metrics_enabled());
        assert_eq!(c.service_name, "from-env");
        assert_eq!(c.otlp_endpoint, "http://127.0.0.1:4999");
        assert_eq!(c.exporters, [Exporter::Otlp]);

        let bad = |k: &str| (k == "TELEMETRY_ENABLED").then(|| "maybe".to_owned());
        let err = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment: error: TELEMETRY_ENABLED=`maybe` is not a boolean (use true or false)"
        );
    }

    #[test]
    fn malformed_files_name_file_line_and_key() {
        let cases = [
            (
                "[telemetry]\nenabeld = true\n",
                "t.toml:2:1: error: unknown field `enabeld`, expected one of `enabled`, `service_name`, `sample_rate`, \
                 `opentelemetry`, `prometheus`",
            ),
            (
                "[telemetry]\nenabled = \"yes\"\n",
                "t.toml:2:11: error: `enabled`: invalid type: string \"yes\", expected a boolean",
            ),
            (
                "[telemetry.opentelemetry]\nexport_interval_seconds = \"soon\"\n",
                "t.toml:2:27: error: `export_interval_seconds`: invalid type: string \"soon\", expected f64",
            ),
            (
                "[telemetry.opentelemetry]\nexporters = [\"otlp\", \"zipkin\"]\n",
                "t.toml:2:22: error: unknown variant `zipkin`, expected one of `otlp`, `prometheus`, `stdout`",
            ),
            (
                "[telemetry.prometheus]\nlisten_address = \"localhost\"\n",
                "t.toml:2:1: error: `listen_address`: invalid socket address `localhost`",
            ),
            ("[telemetry]\nsample_rate = 2.0\n", "t.toml:2:1: error: `sample_rate`: must be between 0.0 and 1.0"),
            ("[telemetry\nenabled = true\n", "t.toml:1:11: error: unclosed table, expected `]`"),
        ];
        for (text, want) in cases {
            let got = TelemetryConfig::from_toml("t.toml", text).unwrap_err().to_string();
            assert_eq!(got, want, "for {text:?}");
        }
    }
}
