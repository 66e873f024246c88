//! The embedded pull endpoint: `GET /metrics` in the Prometheus text format (version 0.0.4).
//!
//! A `ManualReader` registered with the meter provider is collected on each scrape, so the
//! exposition is always current. Names come from the catalog's [`MetricDescriptor`]s, which the catalog
//! compiler computed with its one naming rule; the encoder adds only `_bucket`, `_sum` and `_count`
//! for histograms. (opentelemetry-prometheus 0.33 was seen to expose `..._total_total` and
//! `..._percent_percent` for this catalog's names, which is why this endpoint encodes itself.)

use crate::catalog::MetricDescriptor;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

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

/// The running endpoint. Dropping it stops the server thread.
pub(crate) struct Endpoint {
    address: SocketAddr,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Endpoint {
    /// Binds `address` (port 0 picks a free one) and serves `/metrics` from `reader`.
    pub(crate) fn start(
        address: SocketAddr,
        reader: SharedReader,
        metrics: &'static [MetricDescriptor],
    ) -> std::io::Result<Endpoint> {
        let server = tiny_http::Server::http(address).map_err(std::io::Error::other)?;
        let address = server.server_addr().to_ip().unwrap_or(address);
        let server = Arc::new(server);
        let serving = Arc::clone(&server);
        let thread = std::thread::Builder::new()
            .name("tasker-metrics-prometheus".into())
            .spawn(move || serve(&serving, &reader, metrics))?;
        Ok(Endpoint { address, server, thread: Some(thread) })
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(server: &tiny_http::Server, reader: &SharedReader, metrics: &'static [MetricDescriptor]) {
    let names: HashMap<&str, &str> = metrics.iter().map(|m| (m.name, m.prometheus_name)).collect();
    for request in server.incoming_requests() {
        let path = request.url().split('?').next().unwrap_or("");
        let response = if path == "/metrics" && *request.method() == tiny_http::Method::Get {
            let mut rm = ResourceMetrics::default();
            match reader.collect(&mut rm) {
                Ok(()) => tiny_http::Response::from_string(encode(&rm, &names))
                    .with_header(tiny_http::Header::from_bytes("Content-Type", CONTENT_TYPE).expect("a valid header")),
                Err(e) => tiny_http::Response::from_string(format!("collect failed: {e}\n")).with_status_code(500),
            }
        } else {
            tiny_http::Response::from_string("not found: the metrics are at /metrics\n").with_status_code(404)
        };
        // A client that went away is its own problem, not the program's.
        let _ = request.respond(response);
    }
}

/// Encodes collected metrics in the text exposition format, families sorted by name.
pub fn encode(rm: &ResourceMetrics, names: &HashMap<&str, &str>) -> String {
    let mut families: Vec<(String, &Metric)> = rm
        .scope_metrics()
        .flat_map(|s| s.metrics())
        .map(|m| (names.get(m.name()).map_or_else(|| sanitize(m.name()), |n| (*n).to_owned()), m))
        .collect();
    families.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (name, metric) in families {
        match metric.data() {
            AggregatedMetrics::U64(d) => family(&mut out, &name, metric, d, |v| v.to_string()),
            AggregatedMetrics::I64(d) => family(&mut out, &name, metric, d, |v| v.to_string()),
            AggregatedMetrics::F64(d) => family(&mut out, &name, metric, d, |v| float(*v)),
        }
    }
    out
}

fn family<T: Copy>(out: &mut String, name: &str, metric: &Metric, data: &MetricData<T>, fmt: impl Fn(&T) -> String) {
    let kind = match data {
        MetricData::Sum(s) if s.is_monotonic() => "counter",
        MetricData::Sum(_) | MetricData::Gauge(_) => "gauge",
        MetricData::Histogram(_) => "histogram",
        // Not produced by this catalog's instruments.
        MetricData::ExponentialHistogram(_) => return,
    };
    let _ = writeln!(out, "# HELP {name} {}", escape_help(metric.description()));
    let _ = writeln!(out, "# TYPE {name} {kind}");
    match data {
        MetricData::Sum(s) => {
            for p in s.data_points() {
                let _ = writeln!(out, "{name}{} {}", labels(p.attributes(), None), fmt(&p.value()));
            }
        }
        MetricData::Gauge(g) => {
            for p in g.data_points() {
                let _ = writeln!(out, "{name}{} {}", labels(p.attributes(), None), fmt(&p.value()));
            }
        }
        MetricData::Histogram(h) => {
            for p in h.data_points() {
                let mut cumulative = 0u64;
                let bounds: Vec<f64> = p.bounds().collect();
                for (i, count) in p.bucket_counts().enumerate() {
                    cumulative += count;
                    let le = bounds.get(i).map_or_else(|| "+Inf".to_owned(), |b| float(*b));
                    let _ = writeln!(out, "{name}_bucket{} {cumulative}", labels(p.attributes(), Some(&le)));
                }
                let l = labels(p.attributes(), None);
                let _ = writeln!(out, "{name}_sum{l} {}", fmt(&p.sum()));
                let _ = writeln!(out, "{name}_count{l} {}", p.count());
            }
        }
        MetricData::ExponentialHistogram(_) => {}
    }
}

/// `{k="v",...}` with the attributes sorted by key, plus `le` for buckets; empty for no labels.
fn labels<'a>(attributes: impl Iterator<Item = &'a KeyValue>, le: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> =
        attributes.map(|kv| (sanitize(kv.key.as_str()), value_text(&kv.value))).collect();
    pairs.sort();
    if let Some(le) = le {
        pairs.push(("le".into(), le.into()));
    }
    if pairs.is_empty() {
        return String::new();
    }
    let body = pairs.iter().map(|(k, v)| format!("{k}=\"{}\"", escape_label(v))).collect::<Vec<_>>().join(",");
    format!("{{{body}}}")
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// Prometheus float text: `+Inf`, `-Inf`, `NaN`, else the shortest round-trip form.
fn float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        v.to_string()
    }
}

/// A name outside the catalog: every character Prometheus does not allow becomes `_`.
fn sanitize(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == ':' { c } else { '_' }).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_details() {
        assert_eq!(float(10.0), "10");
        assert_eq!(float(0.25), "0.25");
        assert_eq!(float(f64::INFINITY), "+Inf");
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(sanitize("other.lib-metric"), "other_lib_metric");
        assert_eq!(sanitize("9x"), "_9x");
        let kvs = [KeyValue::new("z", "1"), KeyValue::new("a", "q\"")];
        assert_eq!(labels(kvs.iter(), Some("+Inf")), "{a=\"q\\\"\",z=\"1\",le=\"+Inf\"}");
        assert_eq!(labels([].iter(), None), "");
    }
}
