//! The embedded pull endpoint: `/metrics` in the Prometheus text format (version 0.0.4) or
//! OpenMetrics 1.0, gzipped when asked.
//!
//! A `ManualReader` registered with the meter provider is collected on each scrape, so the
//! exposition is always current. Every metric is named by the one naming rule the catalog compiler
//! uses ([`otel_prometheus_names`]), whichever meter it comes from, and the exposition is valid
//! whatever the metrics hold ([`exposition`]). The server ([`endpoint`]) is hyper's, bounded in
//! connections, time and memory. (opentelemetry-prometheus 0.33 was seen to expose
//! `..._total_total` and `..._percent_percent` for names that already end in their suffix, which is
//! why this crate encodes itself, through the `prometheus-exposition` codec.)

pub mod endpoint;
pub mod exposition;
pub mod negotiate;

pub(crate) use endpoint::Endpoint;
pub use endpoint::Limits;
pub use exposition::{Format, Repair, encode, encode_with_exemplars};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// A `ManualReader` that the meter provider and the HTTP endpoint share.
#[derive(Debug, Clone)]
pub(crate) struct SharedReader(Arc<ManualReader>);

impl SharedReader {
    pub(crate) fn new() -> Self {
        SharedReader(Arc::new(ManualReader::builder().with_temporality(Temporality::Cumulative).build()))
    }
}

impl MetricReader for SharedReader {
    fn register_pipeline(&self, pipeline: Weak<Pipeline>) {
        self.0.register_pipeline(pipeline)
    }
    fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
        self.0.collect(rm)
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.0.temporality(kind)
    }
}
