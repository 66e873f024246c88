//! The Prometheus names of a metric and its attributes: the rule lives in the
//! `otel-prometheus-names` crate, which the runtime's `/metrics` endpoint uses too, so that the
//! reference, every PromQL check and the exposition cannot disagree.

pub use otel_prometheus_names::{HISTOGRAM_SUFFIXES, PrometheusName, UNIT_NAMES, label_name, unit_suffix};

use crate::catalog::model::Instrument;

impl From<Instrument> for otel_prometheus_names::Instrument {
    fn from(i: Instrument) -> Self {
        match i {
            Instrument::Counter => Self::Counter,
            Instrument::UpDownCounter => Self::UpDownCounter,
            Instrument::Histogram => Self::Histogram,
            Instrument::Gauge => Self::Gauge,
        }
    }
}
