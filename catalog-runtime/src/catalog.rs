//! What the runtime needs to know of a catalog: the generated `Metrics` of any catalog implements
//! [`Catalog`], so that one [`Telemetry`](crate::Telemetry) serves every catalog the same way.

pub use otel_prometheus_names::Instrument;

/// The attribute the SDK gives the one series into which a metric's attribute sets overflow.
pub const OVERFLOW_ATTRIBUTE: &str = "otel.metric.overflow";

/// A catalog's recorders, as `docs_gen::Builder` generates them (`Metrics`).
pub trait Catalog: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The name of the meter (instrumentation scope) the recorders are created from.
    const METER_NAME: &'static str;
    /// Every metric of the catalog, in catalog order.
    const METRICS: &'static [MetricDescriptor];
    /// Creates every recorder from `meter`.
    fn new(meter: &opentelemetry::metrics::Meter) -> Self;
    /// Recorders that record nothing and build no attributes.
    fn disabled() -> Self;

    /// The descriptor of the metric named `name` (its OpenTelemetry name), if the catalog has it.
    fn metric(name: &str) -> Option<&'static MetricDescriptor> {
        Self::METRICS.iter().find(|m| m.name == name)
    }
}

/// One metric of a catalog, as the runtime needs it: computed by the catalog compiler with the same
/// naming rule the reference and the PromQL checks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDescriptor {
    /// The OpenTelemetry instrument name, e.g. `http.server.request.duration`.
    pub name: &'static str,
    /// The instrument kind.
    pub instrument: Instrument,
    /// The UCUM unit.
    pub unit: &'static str,
    /// The Prometheus metric family name (histograms add `_bucket`, `_sum`, `_count`), e.g.
    /// `http_server_request_duration_seconds`.
    pub prometheus_name: &'static str,
    /// The attribute keys, in catalog order.
    pub label_keys: &'static [&'static str],
    /// How many attribute sets the SDK keeps for the metric before it folds new ones into the
    /// overflow series (`otel.metric.overflow = true`).
    pub cardinality_limit: usize,
}
