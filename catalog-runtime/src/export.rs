//! What every export passes through: the first overflow of each metric's cardinality limit is
//! logged once, and a failing exporter logs one line, not one per retry and per reader.
//!
//! The OpenTelemetry crates' own diagnostics (`internal-logs`) are not enabled by this crate: with
//! them, one refused OTLP connection logged a retry warning from opentelemetry-otlp and an error
//! from the SDK's periodic reader, every export interval. A crate that wants them enables
//! `opentelemetry_sdk/internal-logs` itself.
//!
//! The overflow watch is compiled with any exporter, the failure log with the push exporters
//! (`otlp`, `stdout`).

use std::time::Duration;
#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
use {
    crate::catalog::MetricDescriptor,
    opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics},
    std::collections::HashSet,
    std::sync::Mutex,
};
#[cfg(any(feature = "otlp", feature = "stdout"))]
use {
    opentelemetry_sdk::error::OTelSdkResult, opentelemetry_sdk::metrics::Temporality,
    opentelemetry_sdk::metrics::exporter::PushMetricExporter, std::time::Instant,
};

pub use crate::catalog::OVERFLOW_ATTRIBUTE;

/// The SDK's cardinality limit for metrics that set none (not the catalog's: another meter's).
#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
const SDK_DEFAULT_CARDINALITY_LIMIT: usize = 2000;

/// Watches collected metrics for overflow series and logs the first of each metric.
#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
#[derive(Debug)]
pub(crate) struct OverflowWatch {
    meter: &'static str,
    metrics: &'static [MetricDescriptor],
    /// (meter, metric) already logged.
    reported: Mutex<HashSet<(String, String)>>,
    /// The exemplars, whose sampling starts a new cycle at each collection.
    exemplars: Option<std::sync::Arc<crate::exemplar::ExemplarStore>>,
}

#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
impl OverflowWatch {
    pub(crate) fn new(
        meter: &'static str,
        metrics: &'static [MetricDescriptor],
        exemplars: Option<std::sync::Arc<crate::exemplar::ExemplarStore>>,
    ) -> Self {
        OverflowWatch { meter, metrics, reported: Mutex::new(HashSet::new()), exemplars }
    }

    /// Logs each metric of `rm` that has an overflow series, the first time it is seen; and
    /// starts the exemplars' next collection cycle.
    pub(crate) fn check(&self, rm: &ResourceMetrics) {
        if let Some(store) = &self.exemplars {
            store.next_cycle();
        }
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        for scope in rm.scope_metrics() {
            let meter = scope.scope().name();
            for metric in scope.metrics() {
                let key = (meter.to_owned(), metric.name().to_owned());
                if reported.contains(&key) || !has_overflow(metric.data()) {
                    continue;
                }
                let limit = (meter == self.meter)
                    .then(|| self.metrics.iter().find(|m| m.name == metric.name()))
                    .flatten()
                    .map_or(SDK_DEFAULT_CARDINALITY_LIMIT, |m| m.cardinality_limit);
                tracing::warn!(
                    metric = metric.name(),
                    meter,
                    cardinality_limit = limit,
                    "metric `{}` reached its cardinality limit of {limit} attribute sets: every new set is now counted \
                     in one series with the label otel_metric_overflow=\"true\" and no other (totals stay exact, \
                     breakdowns do not); raise its cardinality_limit in the catalog, or drop an unbounded label \
                     with drop_labels in telemetry.toml",
                    metric.name()
                );
                reported.insert(key);
            }
        }
    }
}

#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
fn has_overflow(data: &AggregatedMetrics) -> bool {
    any_attribute(data, |kv| kv.key.as_str() == OVERFLOW_ATTRIBUTE)
}

/// Whether any attribute of any data point of `data` satisfies `f`.
#[cfg(any(feature = "otlp", feature = "prometheus", feature = "stdout"))]
pub(crate) fn any_attribute(data: &AggregatedMetrics, f: impl Fn(&opentelemetry::KeyValue) -> bool) -> bool {
    fn points<T>(data: &MetricData<T>, f: &impl Fn(&opentelemetry::KeyValue) -> bool) -> bool {
        match data {
            MetricData::Sum(s) => s.data_points().any(|p| p.attributes().any(f)),
            MetricData::Gauge(g) => g.data_points().any(|p| p.attributes().any(f)),
            MetricData::Histogram(h) => h.data_points().any(|p| p.attributes().any(f)),
            MetricData::ExponentialHistogram(h) => h.data_points().any(|p| p.attributes().any(f)),
        }
    }
    match data {
        AggregatedMetrics::U64(d) => points(d, &f),
        AggregatedMetrics::I64(d) => points(d, &f),
        AggregatedMetrics::F64(d) => points(d, &f),
    }
}

/// How often a failing exporter logs again while it keeps failing.
pub const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// A push exporter whose exports are watched for overflow and whose failures are logged: the
/// first failure at once, then at most one line per [`FAILURE_LOG_INTERVAL`] with the number of
/// failures since the last line, and one line when exports succeed again.
#[cfg(any(feature = "otlp", feature = "stdout"))]
pub(crate) struct Watched<E> {
    inner: E,
    /// `otlp`, `stdout`.
    exporter: &'static str,
    /// Where it exports, for the log.
    destination: String,
    watch: std::sync::Arc<OverflowWatch>,
    failures: Mutex<Failures>,
}

#[cfg(any(feature = "otlp", feature = "stdout"))]
#[derive(Default)]
struct Failures {
    /// Failed exports since the last success.
    streak: u64,
    /// Failed exports not yet logged.
    unlogged: u64,
    logged_at: Option<Instant>,
}

#[cfg(any(feature = "otlp", feature = "stdout"))]
impl<E> Watched<E> {
    pub(crate) fn new(
        inner: E,
        exporter: &'static str,
        destination: String,
        watch: std::sync::Arc<OverflowWatch>,
    ) -> Self {
        Watched { inner, exporter, destination, watch, failures: Mutex::new(Failures::default()) }
    }

    fn record(&self, result: &OTelSdkResult) {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(()) => {
                if f.streak > 0 {
                    tracing::info!(
                        exporter = self.exporter,
                        destination = %self.destination,
                        failed_exports = f.streak,
                        "metrics export recovered after {} failed exports",
                        f.streak
                    );
                }
                *f = Failures::default();
            }
            Err(error) => {
                f.streak += 1;
                f.unlogged += 1;
                if f.logged_at.is_none_or(|t| t.elapsed() >= FAILURE_LOG_INTERVAL) {
                    tracing::warn!(
                        exporter = self.exporter,
                        destination = %self.destination,
                        failed_exports = f.unlogged,
                        error = %error,
                        "metrics export failed: {error} ({} failed exports since the last report; while it fails, \
                         reported at most once every {} s)",
                        f.unlogged,
                        FAILURE_LOG_INTERVAL.as_secs()
                    );
                    f.unlogged = 0;
                    f.logged_at = Some(Instant::now());
                }
            }
        }
    }
}

#[cfg(any(feature = "otlp", feature = "stdout"))]
impl<E: PushMetricExporter> PushMetricExporter for Watched<E> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        self.watch.check(metrics);
        let result = self.inner.export(metrics).await;
        self.record(&result);
        result
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}
