//! Start-up and shutdown of the export pipeline, from a [`TelemetryConfig`].
//!
//! One OpenTelemetry SDK meter provider, with a reader per configured exporter: OTLP gRPC push
//! ([`crate::otlp`], with the exemplars, on its own small Tokio runtime so the program needs none), the embedded
//! Prometheus endpoint (a `ManualReader` collected on each scrape), and stdout for debugging; each
//! compiled in by the cargo feature of its name.
//! Recording never touches the network: exporters run on their own threads, so an unreachable
//! collector costs the program nothing but a log line (the first failure, then at most one a
//! minute: see [`crate::export`]).

use crate::catalog::{Catalog, MetricDescriptor};
use crate::config::{Build, Exporter, TelemetryConfig};
use crate::exemplar::ExemplarStore;
#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
use crate::export::OverflowWatch;
#[cfg(feature = "prometheus")]
use crate::prometheus::{Endpoint, SharedReader};
use opentelemetry::Key;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{Instrument, SdkMeterProvider, Stream};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
#[cfg(feature = "otlp")]
use std::time::Duration;
#[cfg(any(feature = "otlp", feature = "stdout"))]
use {crate::export::Watched, opentelemetry_sdk::metrics::PeriodicReader};

/// How long one OTLP export may take before it is abandoned (and retried next interval).
#[cfg(feature = "otlp")]
const OTLP_TIMEOUT: Duration = Duration::from_secs(3);

/// The name of the OTLP exporter's thread.
#[cfg(feature = "otlp")]
pub const OTLP_THREAD_NAME: &str = "catalog-runtime-otlp";

/// The running pipeline and the recorders of catalog `C` that feed it. Dropping it flushes and
/// shuts down.
pub struct Telemetry<C: Catalog> {
    metrics: C,
    provider: Option<SdkMeterProvider>,
    #[cfg(feature = "prometheus")]
    endpoint: Option<Endpoint>,
    /// The OTLP exporter's runtime.
    #[cfg(feature = "otlp")]
    runtime: Option<tokio::runtime::Runtime>,
    exporters: Vec<Exporter>,
    exemplars: Option<Arc<ExemplarStore>>,
}

/// Why the pipeline could not start. Its `Debug` form is its message (`{:#?}` gives the
/// variant), so that an error returned from `main` with `?` reads as a sentence.
pub enum TelemetryError {
    /// The Prometheus endpoint's address could not be bound.
    Prometheus {
        /// The address asked for.
        address: SocketAddr,
        /// Why binding failed.
        error: std::io::Error,
    },
    /// The OTLP exporter could not be built (e.g. an endpoint that is not a URI).
    Otlp {
        /// The endpoint asked for.
        endpoint: String,
        /// The exporter's error.
        error: String,
    },
    /// The exporters' runtime could not start.
    Runtime(std::io::Error),
    /// The configuration names an exporter whose cargo feature this build of catalog-runtime
    /// lacks (a configuration built in code: telemetry.toml refuses it when it is read).
    NotCompiled(Exporter),
}

impl fmt::Display for TelemetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TelemetryError::Prometheus { address, error } => {
                write!(f, "cannot serve Prometheus metrics on {address}: {error}")
            }
            TelemetryError::Otlp { endpoint, error } => write!(f, "cannot export OTLP to {endpoint}: {error}"),
            TelemetryError::Runtime(e) => write!(f, "cannot start the exporters' runtime: {e}"),
            TelemetryError::NotCompiled(exporter) => {
                write!(f, "{}, or remove it from the configuration's exporters", exporter.not_compiled())
            }
        }
    }
}

impl fmt::Debug for TelemetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        match self {
            TelemetryError::Prometheus { address, error } => {
                f.debug_struct("Prometheus").field("address", address).field("error", error).finish()
            }
            TelemetryError::Otlp { endpoint, error } => {
                f.debug_struct("Otlp").field("endpoint", endpoint).field("error", error).finish()
            }
            TelemetryError::Runtime(e) => f.debug_tuple("Runtime").field(e).finish(),
            TelemetryError::NotCompiled(exporter) => f.debug_tuple("NotCompiled").field(exporter).finish(),
        }
    }
}

impl std::error::Error for TelemetryError {}

impl<C: Catalog> Telemetry<C> {
    /// Starts the pipeline `config` describes. With telemetry disabled it starts nothing and the
    /// recorders do no work.
    pub fn init(config: &TelemetryConfig) -> Result<Telemetry<C>, TelemetryError> {
        if !config.metrics_enabled() {
            tracing::info!(opentelemetry_enabled = false, "Metrics collection disabled (TELEMETRY_ENABLED=false)");
            return Ok(Telemetry {
                metrics: C::disabled(),
                provider: None,
                #[cfg(feature = "prometheus")]
                endpoint: None,
                #[cfg(feature = "otlp")]
                runtime: None,
                exporters: Vec::new(),
                exemplars: None,
            });
        }
        // Before anything starts: an exporter this build lacks is an error, never skipped.
        if let Some(missing) = not_compiled(config, Build::THIS) {
            return Err(TelemetryError::NotCompiled(missing));
        }
        let resource = Resource::builder().with_service_name(config.service_name.clone()).build();
        #[cfg_attr(not(any(feature = "otlp", feature = "prometheus", feature = "stdout")), allow(unused_mut))]
        let mut builder = SdkMeterProvider::builder().with_resource(resource).with_view(catalog_view(
            C::METER_NAME,
            C::METRICS,
            config.drop_labels.clone(),
        ));
        let exemplars = ExemplarStore::new(config.exemplar_filter, C::METER_NAME, C::METRICS, &config.drop_labels);
        #[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
        let watch = Arc::new(OverflowWatch::new(C::METER_NAME, C::METRICS, exemplars.clone()));
        #[cfg(feature = "prometheus")]
        let mut endpoint = None;
        #[cfg(feature = "otlp")]
        let mut runtime = None;
        // Without any exporter compiled in, every arm returns.
        #[cfg_attr(not(any(feature = "otlp", feature = "prometheus", feature = "stdout")), allow(clippy::never_loop))]
        for exporter in &config.exporters {
            match exporter {
                #[cfg(feature = "otlp")]
                Exporter::Otlp => {
                    let rt = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(1)
                        .thread_name(OTLP_THREAD_NAME)
                        .enable_all()
                        .build()
                        .map_err(TelemetryError::Runtime)?;
                    let otlp = crate::otlp::OtlpExporter::new(
                        &config.otlp_endpoint,
                        OTLP_TIMEOUT.min(config.export_interval),
                        rt.handle().clone(),
                        exemplars.clone(),
                        |k| std::env::var(k).ok(),
                    )
                    .map_err(|error| TelemetryError::Otlp { endpoint: config.otlp_endpoint.clone(), error })?;
                    let otlp = Watched::new(otlp, "otlp", config.otlp_endpoint.clone(), Arc::clone(&watch));
                    builder = builder
                        .with_reader(PeriodicReader::builder(otlp).with_interval(config.export_interval).build());
                    runtime = Some(rt);
                }
                #[cfg(feature = "prometheus")]
                Exporter::Prometheus => {
                    let reader = SharedReader::new();
                    builder = builder.with_reader(reader.clone());
                    let started = Endpoint::start(
                        config.prometheus_address,
                        reader,
                        C::METER_NAME,
                        Arc::clone(&watch),
                        exemplars.clone(),
                        Default::default(),
                    );
                    endpoint =
                        Some(started.map_err(|error| TelemetryError::Prometheus {
                            address: config.prometheus_address,
                            error,
                        })?);
                }
                #[cfg(feature = "stdout")]
                Exporter::Stdout => {
                    let stdout = opentelemetry_stdout::MetricExporter::default();
                    let stdout = Watched::new(stdout, "stdout", "standard output".into(), Arc::clone(&watch));
                    builder = builder
                        .with_reader(PeriodicReader::builder(stdout).with_interval(config.export_interval).build());
                }
                // Refused above; matched here so that every feature set compiles.
                #[allow(unreachable_patterns)]
                &missing => return Err(TelemetryError::NotCompiled(missing)),
            }
        }
        let provider = builder.build();
        let meter = provider.meter(C::METER_NAME);
        let metrics = match &exemplars {
            Some(store) => store.scope(|| C::new(&meter)),
            None => C::new(&meter),
        };
        let exporters = match config.exporters.is_empty() {
            // `exporters = ["none"]`: recorded, exported nowhere, and said so.
            true => "none".to_owned(),
            false => config.exporters.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
        };
        #[cfg(feature = "prometheus")]
        let prometheus = endpoint.as_ref().map(|e| format!("http://{}/metrics", e.address()));
        #[cfg(not(feature = "prometheus"))]
        let prometheus: Option<String> = None;
        tracing::info!(
            opentelemetry_enabled = true,
            exporters = %exporters,
            otlp_endpoint = config.exporters.contains(&Exporter::Otlp).then_some(config.otlp_endpoint.as_str()),
            prometheus_endpoint = prometheus.as_deref(),
            export_interval_seconds = config.export_interval.as_secs_f64(),
            exemplar_filter = %config.exemplar_filter,
            service_name = %config.service_name,
            "OpenTelemetry metrics enabled"
        );
        Ok(Telemetry {
            metrics,
            provider: Some(provider),
            #[cfg(feature = "prometheus")]
            endpoint,
            #[cfg(feature = "otlp")]
            runtime,
            exporters: config.exporters.clone(),
            exemplars,
        })
    }

    /// The recorders' exemplars (`None` when the filter is `always_off` or telemetry is disabled).
    pub fn exemplars(&self) -> Option<&Arc<ExemplarStore>> {
        self.exemplars.as_ref()
    }

    /// The recorders: live when telemetry is enabled, no-ops otherwise.
    pub fn metrics(&self) -> &C {
        &self.metrics
    }

    /// The meter provider, when telemetry is enabled (e.g. to install it globally).
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.provider.as_ref()
    }

    /// The exporters in use (empty when disabled).
    pub fn exporters(&self) -> &[Exporter] {
        &self.exporters
    }

    /// The address the Prometheus endpoint listens on (with the real port when 0 was asked for);
    /// `None` when it is not serving (always without the `prometheus` feature).
    pub fn prometheus_address(&self) -> Option<SocketAddr> {
        #[cfg(feature = "prometheus")]
        return self.endpoint.as_ref().map(Endpoint::address);
        #[cfg(not(feature = "prometheus"))]
        None
    }

    /// Exports what is pending now, on every push exporter.
    pub fn flush(&self) {
        if let Some(p) = &self.provider
            && let Err(e) = p.force_flush()
        {
            tracing::warn!(error = %e, "metrics flush failed");
        }
    }

    /// Flushes and stops every exporter. Dropping the value does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(p) = self.provider.take()
            && let Err(e) = p.shutdown()
        {
            tracing::warn!(error = %e, "metrics shutdown did not complete");
        }
        #[cfg(feature = "prometheus")]
        self.endpoint.take();
        #[cfg(feature = "otlp")]
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

impl<C: Catalog> Drop for Telemetry<C> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The first exporter of `config` that `build` lacks: a configuration built in code can name one
/// (telemetry.toml refuses it where it is read).
fn not_compiled(config: &TelemetryConfig, build: Build) -> Option<Exporter> {
    config.exporters.iter().copied().find(|e| !build.has(*e))
}

/// The one view of the catalog's instruments (the SDK makes a stream for every view that matches,
/// so there is exactly one): each metric's cardinality limit, and its label keys except `drop`
/// (e.g. the unbounded `correlation_id`), so that cardinality can be cut at export without code
/// changes. Other meters' instruments keep the SDK's defaults.
fn catalog_view(
    meter: &'static str,
    metrics: &'static [MetricDescriptor],
    drop: Vec<String>,
) -> impl Fn(&Instrument) -> Option<Stream> + Send + Sync + 'static {
    move |instrument: &Instrument| {
        if instrument.scope().name() != meter {
            return None;
        }
        let m = metrics.iter().find(|m| m.name == instrument.name())?;
        let mut stream = Stream::builder().with_cardinality_limit(m.cardinality_limit);
        if m.label_keys.iter().any(|k| drop.iter().any(|d| d == k)) {
            let kept = m.label_keys.iter().filter(|k| !drop.iter().any(|d| d == *k)).map(|k| Key::from_static_str(k));
            stream = stream.with_allowed_attribute_keys(kept);
        }
        match stream.build() {
            Ok(stream) => Some(stream),
            Err(e) => {
                tracing::warn!(metric = m.name, error = %e, "the catalog's view of a metric is invalid; the SDK's defaults apply");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fn main() -> Result<(), Box<dyn Error>>` prints `Error: {:?}`: the sentence, not a variant.
    #[test]
    fn an_error_returned_from_main_reads_as_its_message() {
        let e: Box<dyn std::error::Error> = TelemetryError::NotCompiled(Exporter::Stdout).into();
        assert_eq!(format!("{e:?}"), e.to_string());
        assert!(format!("{:#?}", TelemetryError::NotCompiled(Exporter::Stdout)).starts_with("NotCompiled("));
    }

    /// A configuration built in code with an exporter the build lacks is refused before anything
    /// starts, naming the feature: read as a build with the default features (no `otlp`).
    #[test]
    fn an_exporter_the_build_lacks_is_refused_by_init() {
        let build = Build { otlp: false, prometheus: true, stdout: false };
        let mut config = TelemetryConfig::default();
        config.exporters = vec![Exporter::Prometheus, Exporter::Otlp];
        assert_eq!(not_compiled(&config, build), Some(Exporter::Otlp));
        config.exporters = vec![Exporter::Prometheus];
        assert_eq!(not_compiled(&config, build), None);
        assert_eq!(
            TelemetryError::NotCompiled(Exporter::Otlp).to_string(),
            "`otlp` is not compiled into this program: enable the cargo feature `otlp` of catalog-runtime \
             (catalog-runtime = { features = [\"otlp\"] }), or remove it from the configuration's exporters"
        );
    }
}
