//! `telemetry.toml`: the runtime settings of the export pipeline, with environment overrides.
//!
//! ```toml
//! [telemetry]
//! enabled = true
//! service_name = "checkout-dev"
//! sample_rate = 1.0
//!
//! [telemetry.opentelemetry]
//! enabled = true                      # must be true to export metrics
//! endpoint = "http://localhost:4317"  # OTLP gRPC; setting it (or OTEL_EXPORTER_OTLP_ENDPOINT) selects OTLP
//! export_interval_seconds = 60        # 1 to 86400
//! exporters = ["otlp", "prometheus"]  # optional: otlp, prometheus, stdout; or ["none"]
//! drop_labels = ["correlation_id"]    # optional: attribute keys dropped at export (kept on exemplars)
//! exemplar_filter = "trace_based"     # optional: trace_based (default), always_on, always_off
//!
//! [telemetry.prometheus]
//! listen_address = "127.0.0.1:9464"   # the embedded /metrics endpoint
//! ```
//!
//! Without `exporters`, metrics go to OTLP when an endpoint is configured (in the file or in
//! `OTEL_EXPORTER_OTLP_ENDPOINT`) and to the embedded Prometheus endpoint otherwise. The
//! environment overrides the file: `TELEMETRY_ENABLED`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
//! `OTEL_SERVICE_NAME`, `OTEL_METRICS_EXEMPLAR_FILTER` (see [`crate::exemplar`]).
//!
//! Every value is checked where it is read, and an error names `file:LINE:COL`, the key, what is
//! wrong and what to write instead: an export interval outside [`EXPORT_INTERVAL_SECONDS`], an
//! empty `exporters` list (`["none"]` says "record, export nowhere"), an endpoint that is not a URL
//! with scheme, host and port, an exporter this build lacks (each is a cargo feature of this crate:
//! listed or selected by a default, it is refused with the feature to enable). Nothing is clamped
//! or guessed.

use crate::exemplar::ExemplarFilter;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;

/// The default OTLP gRPC endpoint (a local collector or Grafana LGTM).
pub const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4317";
/// The default address of the embedded Prometheus endpoint (OpenTelemetry's conventional port).
pub const DEFAULT_PROMETHEUS_ADDRESS: &str = "127.0.0.1:9464";

/// The export intervals `export_interval_seconds` accepts, in seconds: from one second
/// (OpenTelemetry's default is 60; faster pushes only load the collector) to one day.
pub const EXPORT_INTERVAL_SECONDS: std::ops::RangeInclusive<f64> = 1.0..=86_400.0;

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

impl Exporter {
    /// The cargo feature of catalog-runtime that compiles the exporter in.
    pub const fn feature(self) -> &'static str {
        match self {
            Exporter::Otlp => "otlp",
            Exporter::Prometheus => "prometheus",
            Exporter::Stdout => "stdout",
        }
    }

    /// Whether this build has the exporter (its [`feature`](Exporter::feature) was enabled).
    pub const fn is_compiled(self) -> bool {
        Build::THIS.has(self)
    }

    /// Why a configuration cannot use the exporter in this build, and how to get it.
    pub(crate) fn not_compiled(self) -> String {
        let feature = self.feature();
        format!(
            "`{self}` is not compiled into this program: enable the cargo feature `{feature}` of catalog-runtime \
             (catalog-runtime = {{ features = [\"{feature}\"] }})"
        )
    }

    /// The hint to choose other exporters than `self`, naming one `build` has.
    fn choose_another(self, build: Build) -> String {
        let other = [Exporter::Prometheus, Exporter::Otlp, Exporter::Stdout]
            .into_iter()
            .find(|e| *e != self && build.has(*e))
            .map_or("none".to_owned(), |e| e.to_string());
        format!("or choose the exporters with `exporters` in [telemetry.opentelemetry], e.g. exporters = [\"{other}\"]")
    }
}

/// The exporters a build has. Configurations are read against this build's
/// ([`Build::THIS`]); the tests read them against others too, so that every refusal of an exporter
/// a build lacks is tested in every build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Build {
    pub(crate) otlp: bool,
    pub(crate) prometheus: bool,
    pub(crate) stdout: bool,
}

impl Build {
    /// This build's exporters: its cargo features.
    pub(crate) const THIS: Build = Build {
        otlp: cfg!(feature = "otlp"),
        prometheus: cfg!(feature = "prometheus"),
        stdout: cfg!(feature = "stdout"),
    };

    /// Whether the build has `exporter`.
    pub(crate) const fn has(self, exporter: Exporter) -> bool {
        match exporter {
            Exporter::Otlp => self.otlp,
            Exporter::Prometheus => self.prometheus,
            Exporter::Stdout => self.stdout,
        }
    }
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
    /// Where metrics go; empty when the file says `exporters = ["none"]` (recorded, not exported).
    pub exporters: Vec<Exporter>,
    /// The OTLP gRPC endpoint, used when `exporters` has `otlp`.
    pub otlp_endpoint: String,
    /// How often push exporters (OTLP, stdout) export.
    pub export_interval: Duration,
    /// The address of the embedded `/metrics` endpoint, used when `exporters` has `prometheus`.
    pub prometheus_address: SocketAddr,
    /// Attribute keys removed from every metric at export (SDK views), e.g. `correlation_id`; kept
    /// on the exemplars.
    pub drop_labels: Vec<String>,
    /// Which measurements become exemplars (`OTEL_METRICS_EXEMPLAR_FILTER`).
    pub exemplar_filter: ExemplarFilter,
    /// Whether the file listed `exporters`; if not, an endpoint from the environment selects OTLP.
    exporters_explicit: bool,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            enabled: true,
            // OpenTelemetry's name for a service that gave none; every file should set its own.
            service_name: "unknown_service".into(),
            sample_rate: 1.0,
            opentelemetry_enabled: true,
            exporters: vec![Exporter::Prometheus],
            otlp_endpoint: DEFAULT_OTLP_ENDPOINT.into(),
            export_interval: Duration::from_secs(60),
            prometheus_address: DEFAULT_PROMETHEUS_ADDRESS.parse().expect("a valid default address"),
            drop_labels: Vec::new(),
            exemplar_filter: ExemplarFilter::default(),
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
        Self::from_toml_in(file, text, Build::THIS)
    }

    /// [`TelemetryConfig::from_toml`] for a build with the exporters of `build`.
    pub(crate) fn from_toml_in(file: &str, text: &str, build: Build) -> Result<TelemetryConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let at = |span: std::ops::Range<usize>, key: &str, what: String| ConfigError::at(file, text, span, key, what);
        // Where a default exporter this build lacks is reported: the table that would list
        // `exporters`, or the end of the file.
        let mut table = text.len()..text.len();
        let t = raw.telemetry.map_or_else(RawTelemetry::default, |t| {
            table = t.span();
            t.into_inner()
        });
        let o = t.opentelemetry.map_or_else(RawOpenTelemetry::default, |o| {
            table = o.span();
            o.into_inner()
        });
        let defaults = TelemetryConfig::default();
        let address = match t.prometheus.and_then(|p| p.listen_address) {
            None => defaults.prometheus_address,
            Some(a) => a.get_ref().parse().map_err(|_| {
                at(
                    a.span(),
                    "listen_address",
                    format!(
                        "`{}` is not a socket address: write an IP and a port, e.g. \"127.0.0.1:9464\"",
                        a.get_ref()
                    ),
                )
            })?,
        };
        let sample_rate = match t.sample_rate {
            None => defaults.sample_rate,
            Some(r) if (0.0..=1.0).contains(r.get_ref()) => *r.get_ref(),
            Some(r) => {
                return Err(at(
                    r.span(),
                    "sample_rate",
                    format!("{} is not a ratio: write a number from 0.0 to 1.0", r.get_ref()),
                ));
            }
        };
        let export_interval = match o.export_interval_seconds {
            None => defaults.export_interval,
            Some(s) => export_interval(*s.get_ref()).map_err(|what| at(s.span(), "export_interval_seconds", what))?,
        };
        let endpoint_span = o.endpoint.as_ref().map(Spanned::span);
        let otlp_endpoint = match o.endpoint {
            None => defaults.otlp_endpoint,
            Some(e) => {
                check_endpoint(e.get_ref()).map_err(|what| at(e.span(), "endpoint", what))?;
                e.into_inner()
            }
        };
        let exemplar_filter = match o.exemplar_filter {
            None => defaults.exemplar_filter,
            Some(f) => f.get_ref().parse().map_err(|what| at(f.span(), "exemplar_filter", what))?,
        };
        let exporters_explicit = o.exporters.is_some();
        // Without `exporters`, an endpoint selects OTLP and nothing selects Prometheus: a default
        // this build lacks is refused like a listed one, never dropped.
        let exporters = match (o.exporters, endpoint_span) {
            (Some(list), _) => exporters(list, build).map_err(|(span, what)| at(span, "exporters", what))?,
            (None, Some(span)) if !build.has(Exporter::Otlp) => {
                return Err(at(
                    span,
                    "endpoint",
                    format!(
                        "an endpoint without `exporters` selects OTLP, but {}; {}",
                        Exporter::Otlp.not_compiled(),
                        Exporter::Otlp.choose_another(build)
                    ),
                ));
            }
            (None, Some(_)) => vec![Exporter::Otlp],
            (None, None) if !build.has(Exporter::Prometheus) => {
                return Err(at(
                    table,
                    "exporters",
                    format!(
                        "without `exporters` or an `endpoint`, metrics go to the embedded Prometheus endpoint, but \
                         {}; {}",
                        Exporter::Prometheus.not_compiled(),
                        Exporter::Prometheus.choose_another(build)
                    ),
                ));
            }
            (None, None) => vec![Exporter::Prometheus],
        };
        Ok(TelemetryConfig {
            enabled: t.enabled.unwrap_or(defaults.enabled),
            service_name: t.service_name.unwrap_or(defaults.service_name),
            sample_rate,
            opentelemetry_enabled: o.enabled.unwrap_or(defaults.opentelemetry_enabled),
            exporters,
            otlp_endpoint,
            export_interval,
            prometheus_address: address,
            drop_labels: o.drop_labels.unwrap_or_default(),
            exemplar_filter,
            exporters_explicit,
        })
    }

    /// Applies the environment overrides, read through `var` (so tests need not touch the process
    /// environment).
    pub fn with_env(self, var: impl Fn(&str) -> Option<String>) -> Result<TelemetryConfig, ConfigError> {
        self.with_env_in(var, Build::THIS)
    }

    /// [`TelemetryConfig::with_env`] for a build with the exporters of `build`.
    pub(crate) fn with_env_in(
        mut self,
        var: impl Fn(&str) -> Option<String>,
        build: Build,
    ) -> Result<TelemetryConfig, ConfigError> {
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
            check_endpoint(endpoint.trim()).map_err(|what| ConfigError {
                file: "environment".into(),
                line: 0,
                col: 0,
                message: format!("OTEL_EXPORTER_OTLP_ENDPOINT: {what}"),
            })?;
            self.otlp_endpoint = endpoint.trim().to_owned();
            if !self.exporters_explicit {
                if !build.has(Exporter::Otlp) {
                    return Err(ConfigError {
                        file: "environment".into(),
                        line: 0,
                        col: 0,
                        message: format!(
                            "OTEL_EXPORTER_OTLP_ENDPOINT selects OTLP when telemetry.toml lists no `exporters`, but \
                             {}; {} (the variable then selects nothing), or unset the variable",
                            Exporter::Otlp.not_compiled(),
                            Exporter::Otlp.choose_another(build)
                        ),
                    });
                }
                // A collector was named: it replaces the default pull endpoint.
                self.exporters = vec![Exporter::Otlp];
            }
        }
        if let Some(name) = var("OTEL_SERVICE_NAME").filter(|n| !n.trim().is_empty()) {
            self.service_name = name.trim().to_owned();
        }
        if let Some(filter) = var("OTEL_METRICS_EXEMPLAR_FILTER").filter(|f| !f.trim().is_empty()) {
            self.exemplar_filter = filter.parse().map_err(|what| ConfigError {
                file: "environment".into(),
                line: 0,
                col: 0,
                message: format!("OTEL_METRICS_EXEMPLAR_FILTER: {what}"),
            })?;
        }
        Ok(self)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    telemetry: Option<Spanned<RawTelemetry>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTelemetry {
    enabled: Option<bool>,
    service_name: Option<String>,
    sample_rate: Option<Spanned<f64>>,
    opentelemetry: Option<Spanned<RawOpenTelemetry>>,
    prometheus: Option<RawPrometheus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOpenTelemetry {
    enabled: Option<bool>,
    endpoint: Option<Spanned<String>>,
    export_interval_seconds: Option<Spanned<f64>>,
    exporters: Option<Spanned<Vec<Spanned<RawExporter>>>>,
    drop_labels: Option<Vec<String>>,
    exemplar_filter: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrometheus {
    listen_address: Option<Spanned<String>>,
}

/// An entry of `exporters`: an [`Exporter`], or `none` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawExporter {
    Otlp,
    Prometheus,
    Stdout,
    None,
}

/// The export interval of `seconds`, if it is a number of seconds in [`EXPORT_INTERVAL_SECONDS`].
fn export_interval(seconds: f64) -> Result<Duration, String> {
    let (min, max) = (EXPORT_INTERVAL_SECONDS.start(), EXPORT_INTERVAL_SECONDS.end());
    if !seconds.is_finite() || !EXPORT_INTERVAL_SECONDS.contains(&seconds) {
        return Err(format!(
            "{seconds} is not an export interval: write a number of seconds from {min} to {max} (OpenTelemetry's default is 60)"
        ));
    }
    // In range, so the conversion cannot fail; `try_` keeps it from ever panicking.
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{seconds}: {e}"))
}

/// `exporters`: not empty, no entry twice, `none` only alone (which leaves the list empty), and
/// every exporter compiled in.
fn exporters(
    list: Spanned<Vec<Spanned<RawExporter>>>,
    build: Build,
) -> Result<Vec<Exporter>, (std::ops::Range<usize>, String)> {
    let span = list.span();
    let list = list.into_inner();
    if list.is_empty() {
        return Err((
            span,
            "the list is empty: name where metrics go (`otlp`, `prometheus`, `stdout`), or write [\"none\"] to record them without exporting".into(),
        ));
    }
    let mut out = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let exporter = match *e.get_ref() {
            RawExporter::Otlp => Exporter::Otlp,
            RawExporter::Prometheus => Exporter::Prometheus,
            RawExporter::Stdout => Exporter::Stdout,
            RawExporter::None if list.len() == 1 => return Ok(Vec::new()),
            RawExporter::None => {
                return Err((e.span(), "`none` means no exporter: write it alone, or remove it".into()));
            }
        };
        if list[..i].iter().any(|earlier| earlier.get_ref() == e.get_ref()) {
            return Err((e.span(), format!("`{exporter}` is listed twice: remove one")));
        }
        out.push((exporter, e.span()));
    }
    // Once the list is well formed: what this build cannot do.
    if let Some((exporter, span)) = out.iter().find(|(e, _)| !build.has(*e)) {
        return Err((span.clone(), format!("{}, or remove it from the list", exporter.not_compiled())));
    }
    Ok(out.into_iter().map(|(e, _)| e).collect())
}

/// An OTLP endpoint is a URL with a scheme (`http`, or `https` for TLS), a host and a port, as
/// tonic needs it: `127.0.0.1:4317` or `localhost` alone would fail later, at the first export,
/// with a message about something else.
fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let example = "e.g. \"http://localhost:4317\"";
    if endpoint.trim().is_empty() {
        return Err(format!("the endpoint is empty: write the collector's URL, {example}, or remove the key"));
    }
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|e| format!("`{endpoint}` is not a URL ({e}): write scheme, host and port, {example}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(format!(
                "`{endpoint}`: the scheme `{other}` is not OTLP's: use http (or https for TLS), {example}"
            ));
        }
        None => return Err(format!("`{endpoint}` has no scheme: write `http://{endpoint}` (or `https://` for TLS)")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("`{endpoint}` has no host: {example}"));
    }
    if uri.port_u16().is_none() {
        return Err(format!(
            "`{endpoint}` has no port: OTLP gRPC listens on 4317, e.g. `{}:4317`",
            endpoint.trim_end_matches('/')
        ));
    }
    Ok(())
}

/// A telemetry.toml that cannot be used: `file:LINE:COL: error: ...`, naming the key.
///
/// Its `Debug` form is that same text (`{:#?}` gives the fields), so that an error returned from
/// `main` with `?` prints `telemetry.toml:9:27: error: …` rather than a struct.
#[derive(Clone, PartialEq, Eq)]
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

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("ConfigError")
                .field("file", &self.file)
                .field("line", &self.line)
                .field("col", &self.col)
                .field("message", &self.message)
                .finish()
        } else {
            fmt::Display::fmt(self, f)
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

    /// An error of the value at `span`, naming its key.
    fn at(file: &str, text: &str, span: std::ops::Range<usize>, key: &str, what: String) -> ConfigError {
        let (line, col) = line_col(text, span.start);
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

    #[cfg(feature = "prometheus")]
    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[cfg(feature = "prometheus")]
    #[test]
    fn seed_configuration_means_prometheus_pull_by_default() {
        let text = "[telemetry]\nenabled = true\nservice_name = \"checkout-dev\"\nsample_rate = 1.0\n\n\
                    [telemetry.opentelemetry]\nenabled = true\n";
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(no_env).unwrap();
        assert!(c.metrics_enabled());
        assert_eq!(c.service_name, "checkout-dev");
        assert_eq!(c.exporters, [Exporter::Prometheus]);
        assert_eq!(c.otlp_endpoint, "http://localhost:4317");
        assert_eq!(c.export_interval, Duration::from_secs(60));
        assert_eq!(c.prometheus_address.to_string(), "127.0.0.1:9464");
    }

    #[cfg(feature = "otlp")]
    #[test]
    fn an_endpoint_selects_otlp() {
        let text = "[telemetry.opentelemetry]\nendpoint = \"http://collector:4317\"\nexport_interval_seconds = 5\n";
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap();
        assert_eq!(c.exporters, [Exporter::Otlp]);
        assert_eq!(c.otlp_endpoint, "http://collector:4317");
        assert_eq!(c.export_interval, Duration::from_secs(5));
    }

    /// The file selects no exporter: the default (Prometheus) is what the environment overrides.
    #[cfg(feature = "prometheus")]
    #[test]
    fn environment_overrides_the_file() {
        let text = "[telemetry]\nenabled = true\nservice_name = \"from-file\"\n";
        let env = |k: &str| match k {
            "TELEMETRY_ENABLED" => Some("false".to_owned()),
            "OTEL_EXPORTER_OTLP_ENDPOINT" => Some("http://127.0.0.1:4999".to_owned()),
            "OTEL_SERVICE_NAME" => Some("from-env".to_owned()),
            _ => None,
        };
        // The endpoint selects OTLP where it is compiled in (and is refused elsewhere: see
        // `exporters_not_compiled_in_are_refused`).
        #[cfg(feature = "otlp")]
        {
            let c = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(env).unwrap();
            assert!(!c.enabled);
            assert!(!c.metrics_enabled());
            assert_eq!(c.service_name, "from-env");
            assert_eq!(c.otlp_endpoint, "http://127.0.0.1:4999");
            assert_eq!(c.exporters, [Exporter::Otlp]);
        }
        // Without an endpoint the file's exporters stay.
        let no_endpoint = |k: &str| (k != "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| env(k)).flatten();
        let c = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(no_endpoint).unwrap();
        assert!(!c.enabled && !c.metrics_enabled());
        assert_eq!(c.service_name, "from-env");
        assert_eq!(c.otlp_endpoint, DEFAULT_OTLP_ENDPOINT);
        assert_eq!(c.exporters, [Exporter::Prometheus]);

        let bad = |k: &str| (k == "TELEMETRY_ENABLED").then(|| "maybe".to_owned());
        let err = TelemetryConfig::from_toml("t.toml", text).unwrap().with_env(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment: error: TELEMETRY_ENABLED=`maybe` is not a boolean (use true or false)"
        );
    }

    /// The exemplar filter, as OpenTelemetry names it: `trace_based` by default, from the file or
    /// `OTEL_METRICS_EXEMPLAR_FILTER` (which wins), and anything else an error at the value.
    #[test]
    fn exemplar_filter_from_the_file_and_the_environment() {
        let otel = |line: &str| format!("[telemetry.opentelemetry]\n{line}\n");
        assert_eq!(TelemetryConfig::default().exemplar_filter, ExemplarFilter::TraceBased);
        let c = TelemetryConfig::from_toml("t.toml", &otel("exemplar_filter = \"always_off\"")).unwrap();
        assert_eq!(c.exemplar_filter, ExemplarFilter::AlwaysOff);
        let env = |k: &str| (k == "OTEL_METRICS_EXEMPLAR_FILTER").then(|| "always_on".to_owned());
        assert_eq!(c.with_env(env).unwrap().exemplar_filter, ExemplarFilter::AlwaysOn);
        let err = TelemetryConfig::from_toml("t.toml", &otel("exemplar_filter = \"sampled\"")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml:2:19: error: `exemplar_filter`: `sampled` is not an exemplar filter: write trace_based (the \
             default: measurements inside a sampled span), always_on or always_off"
        );
        let bad = |k: &str| (k == "OTEL_METRICS_EXEMPLAR_FILTER").then(|| "on".to_owned());
        let err = TelemetryConfig::default().with_env(bad).unwrap_err();
        assert!(err.to_string().starts_with("environment: error: OTEL_METRICS_EXEMPLAR_FILTER: `on` is not"), "{err}");
    }

    /// Values that parse but cannot be used are errors at the value, never clamped (`0`, `-5` and
    /// `nan` became 1 ms; `inf` and `1e30` panicked), and say what to write.
    #[test]
    fn values_out_of_range_are_errors_at_the_value() {
        let otel = |line: &str| format!("[telemetry]\nenabled = true\n\n[telemetry.opentelemetry]\n{line}\n");
        let interval = |v: &str| {
            format!(
                "t.toml:5:27: error: `export_interval_seconds`: {v} is not an export interval: write a number of \
                 seconds from 1 to 86400 (OpenTelemetry's default is 60)"
            )
        };
        let cases = [
            (otel("export_interval_seconds = 0"), interval("0")),
            (otel("export_interval_seconds = -5"), interval("-5")),
            (otel("export_interval_seconds = nan"), interval("NaN")),
            (otel("export_interval_seconds = inf"), interval("inf")),
            (otel("export_interval_seconds = 1e30"), interval("1000000000000000000000000000000")),
            (otel("export_interval_seconds = 0.5"), interval("0.5")),
            (
                otel("exporters = []"),
                "t.toml:5:13: error: `exporters`: the list is empty: name where metrics go (`otlp`, `prometheus`, \
                 `stdout`), or write [\"none\"] to record them without exporting"
                    .into(),
            ),
            (
                otel("exporters = [\"none\", \"otlp\"]"),
                "t.toml:5:14: error: `exporters`: `none` means no exporter: write it alone, or remove it".into(),
            ),
            (
                otel("exporters = [\"otlp\", \"otlp\"]"),
                "t.toml:5:22: error: `exporters`: `otlp` is listed twice: remove one".into(),
            ),
            (
                otel("endpoint = \"\""),
                "t.toml:5:12: error: `endpoint`: the endpoint is empty: write the collector's URL, e.g. \
                 \"http://localhost:4317\", or remove the key"
                    .into(),
            ),
            (
                otel("endpoint = \"127.0.0.1:4317\""),
                "t.toml:5:12: error: `endpoint`: `127.0.0.1:4317` has no scheme: write `http://127.0.0.1:4317` (or \
                 `https://` for TLS)"
                    .into(),
            ),
            (
                otel("endpoint = \"http://collector\""),
                "t.toml:5:12: error: `endpoint`: `http://collector` has no port: OTLP gRPC listens on 4317, e.g. \
                 `http://collector:4317`"
                    .into(),
            ),
            (
                otel("endpoint = \"grpc://collector:4317\""),
                "t.toml:5:12: error: `endpoint`: `grpc://collector:4317`: the scheme `grpc` is not OTLP's: use http \
                 (or https for TLS), e.g. \"http://localhost:4317\""
                    .into(),
            ),
        ];
        for (text, want) in cases {
            let got = TelemetryConfig::from_toml("t.toml", &text).unwrap_err().to_string();
            assert_eq!(got, want, "for {text:?}");
        }
        // In range: kept exactly (`none`, so that no exporter's feature matters).
        let c = TelemetryConfig::from_toml("t.toml", &otel("export_interval_seconds = 1.5\nexporters = [\"none\"]"))
            .unwrap();
        assert_eq!(c.export_interval, Duration::from_millis(1500));
        let c = TelemetryConfig::from_toml("t.toml", &otel("export_interval_seconds = 86400\nexporters = [\"none\"]"))
            .unwrap();
        assert_eq!(c.export_interval, Duration::from_secs(86_400));
        // `none` alone: recorded, exported nowhere.
        let c = TelemetryConfig::from_toml("t.toml", &otel("exporters = [\"none\"]")).unwrap();
        assert!(c.exporters.is_empty() && c.metrics_enabled());
        #[cfg(feature = "otlp")]
        {
            let c =
                TelemetryConfig::from_toml("t.toml", &otel("endpoint = \"https://collector.example:443\"")).unwrap();
            assert_eq!(c.exporters, [Exporter::Otlp]);
        }
        // The environment's endpoint is checked too.
        let env = |k: &str| (k == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| "localhost:4317".to_owned());
        let err = TelemetryConfig::default().with_env(env).unwrap_err().to_string();
        assert_eq!(
            err,
            "environment: error: OTEL_EXPORTER_OTLP_ENDPOINT: `localhost:4317` has no scheme: write \
             `http://localhost:4317` (or `https://` for TLS)"
        );
    }

    /// A build with the `/metrics` endpoint only: the default features.
    const PROMETHEUS_ONLY: Build = Build { otlp: false, prometheus: true, stdout: false };

    /// This build's exporters as a configuration reads them.
    #[test]
    fn an_error_returned_from_main_prints_located() {
        // `fn main() -> Result<(), Box<dyn Error>>` prints `Error: {:?}` of what `?` returned.
        let text = "[telemetry.opentelemetry]\nexport_interval_seconds = \"soon\"\n";
        let e: Box<dyn std::error::Error> = TelemetryConfig::from_toml("telemetry.toml", text).unwrap_err().into();
        let shown = format!("{e:?}");
        assert!(shown.starts_with("telemetry.toml:2:27: error: `export_interval_seconds`: "), "{shown}");
        let e = TelemetryConfig::from_toml("telemetry.toml", text).unwrap_err();
        assert!(format!("{e:#?}").starts_with("ConfigError {\n    file: \"telemetry.toml\",\n    line: 2,"), "{e:#?}");
    }

    #[test]
    fn this_build_has_its_features() {
        assert_eq!(Build::THIS.has(Exporter::Otlp), cfg!(feature = "otlp"));
        assert_eq!(Build::THIS.has(Exporter::Prometheus), cfg!(feature = "prometheus"));
        assert_eq!(Build::THIS.has(Exporter::Stdout), cfg!(feature = "stdout"));
        assert_eq!(Exporter::Otlp.is_compiled(), cfg!(feature = "otlp"));
    }

    /// An exporter a build lacks is refused wherever it is asked for, never dropped: listed in
    /// the file (at its entry), or selected by a default (an `endpoint` in the file, at the
    /// endpoint; `OTEL_EXPORTER_OTLP_ENDPOINT`, in the environment). Read as a build with the
    /// default features (no `otlp`, no `stdout`) reads them, whatever this build has.
    #[test]
    fn exporters_not_compiled_in_are_refused() {
        let build = PROMETHEUS_ONLY;
        let from_toml = |text: &str| TelemetryConfig::from_toml_in("t.toml", text, build);
        let otel = |line: &str| format!("[telemetry]\nenabled = true\n\n[telemetry.opentelemetry]\n{line}\n");
        let listed = from_toml(&otel("exporters = [\"otlp\"]")).unwrap_err();
        assert_eq!(
            listed.to_string(),
            "t.toml:5:14: error: `exporters`: `otlp` is not compiled into this program: enable the cargo feature \
             `otlp` of catalog-runtime (catalog-runtime = { features = [\"otlp\"] }), or remove it from the list"
        );
        let other = "prometheus";
        let by_endpoint = from_toml(&otel("endpoint = \"http://collector:4317\"")).unwrap_err();
        assert_eq!(
            by_endpoint.to_string(),
            format!(
                "t.toml:5:12: error: `endpoint`: an endpoint without `exporters` selects OTLP, but `otlp` is not \
                 compiled into this program: enable the cargo feature `otlp` of catalog-runtime (catalog-runtime = \
                 {{ features = [\"otlp\"] }}); or choose the exporters with `exporters` in [telemetry.opentelemetry], \
                 e.g. exporters = [\"{other}\"]"
            )
        );
        // Listed with the endpoint, another exporter is used and the endpoint kept.
        let c = from_toml(&otel(&format!("endpoint = \"http://collector:4317\"\nexporters = [\"{other}\"]"))).unwrap();
        assert_eq!(c.otlp_endpoint, "http://collector:4317");
        let env = |k: &str| (k == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| "http://127.0.0.1:4999".to_owned());
        // A file without `exporters` (the default configuration is one; an empty file is refused
        // already where the default Prometheus endpoint is not compiled in either).
        let by_environment = TelemetryConfig::default().with_env_in(env, build).unwrap_err();
        assert_eq!(
            by_environment.to_string(),
            format!(
                "environment: error: OTEL_EXPORTER_OTLP_ENDPOINT selects OTLP when telemetry.toml lists no \
                 `exporters`, but `otlp` is not compiled into this program: enable the cargo feature `otlp` of \
                 catalog-runtime (catalog-runtime = {{ features = [\"otlp\"] }}); or choose the exporters with \
                 `exporters` in [telemetry.opentelemetry], e.g. exporters = [\"{other}\"] (the variable then \
                 selects nothing), or unset the variable"
            )
        );
        // With `exporters` listed, the environment's endpoint selects nothing.
        let c =
            from_toml(&otel(&format!("exporters = [\"{other}\"]"))).and_then(|c| c.with_env_in(env, build)).unwrap();
        assert_eq!(c.otlp_endpoint, "http://127.0.0.1:4999");
        assert!(!c.exporters.contains(&Exporter::Otlp));
    }

    #[test]
    fn stdout_not_compiled_in_is_refused() {
        let text = "[telemetry.opentelemetry]\nexporters = [\"stdout\"]\n";
        let err = TelemetryConfig::from_toml_in("t.toml", text, PROMETHEUS_ONLY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml:2:14: error: `exporters`: `stdout` is not compiled into this program: enable the cargo feature \
             `stdout` of catalog-runtime (catalog-runtime = { features = [\"stdout\"] }), or remove it from the list"
        );
    }

    /// Without the `prometheus` feature, the default exporter (no `exporters`, no `endpoint`) is
    /// refused at the table that would list `exporters`, or at the end of a file without one. Read
    /// as a build with OTLP only, and as one with no exporter at all.
    #[test]
    fn the_default_prometheus_endpoint_not_compiled_in_is_refused() {
        for (build, other) in [
            (Build { otlp: true, prometheus: false, stdout: false }, "otlp"),
            (Build { otlp: false, prometheus: false, stdout: false }, "none"),
        ] {
            default_prometheus_refused(build, other);
        }
    }

    fn default_prometheus_refused(build: Build, other: &str) {
        let want = |at: &str| {
            format!(
                "t.toml:{at}: error: `exporters`: without `exporters` or an `endpoint`, metrics go to the embedded \
                 Prometheus endpoint, but `prometheus` is not compiled into this program: enable the cargo feature \
                 `prometheus` of catalog-runtime (catalog-runtime = {{ features = [\"prometheus\"] }}); or choose \
                 the exporters with `exporters` in [telemetry.opentelemetry], e.g. exporters = [\"{other}\"]"
            )
        };
        for (text, at) in [
            ("[telemetry]\nenabled = true\n\n[telemetry.opentelemetry]\nenabled = true\n", "4:1"),
            ("[telemetry]\nenabled = true\n", "1:1"),
            ("# nothing\n", "2:1"),
        ] {
            let err = TelemetryConfig::from_toml_in("t.toml", text, build).unwrap_err();
            assert_eq!(err.to_string(), want(at), "{text:?}");
        }
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
                "t.toml:2:22: error: unknown variant `zipkin`, expected one of `otlp`, `prometheus`, `stdout`, `none`",
            ),
            (
                "[telemetry.prometheus]\nlisten_address = \"localhost\"\n",
                "t.toml:2:18: error: `listen_address`: `localhost` is not a socket address: write an IP and a port, \
                 e.g. \"127.0.0.1:9464\"",
            ),
            (
                "[telemetry]\nsample_rate = 2.0\n",
                "t.toml:2:15: error: `sample_rate`: 2 is not a ratio: write a number from 0.0 to 1.0",
            ),
            ("[telemetry\nenabled = true\n", "t.toml:1:11: error: unclosed table, expected `]`"),
        ];
        for (text, want) in cases {
            let got = TelemetryConfig::from_toml("t.toml", text).unwrap_err().to_string();
            assert_eq!(got, want, "for {text:?}");
        }
    }
}
