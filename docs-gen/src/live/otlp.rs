//! The OTLP source of `docs-gen live-check --otlp ADDR`: an OTLP/gRPC metrics receiver built from
//! the official service definitions (opentelemetry-proto's tonic server), and the reading of its
//! export requests into a [`Checker`] in OpenTelemetry's own terms (metric names, units, attribute
//! keys, monotonic or not, integer or floating-point points, explicit bucket boundaries, and the
//! points' exemplars).

use super::Checker;
use super::checker::ExemplarSeen;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Exemplar, exemplar, metric, number_data_point};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The largest export request taken, decoded.
const MAX_REQUEST: usize = 512 * 1024 * 1024;

/// Passes every export request to the checking thread and answers it as accepted.
struct Receiver(mpsc::Sender<ExportMetricsServiceRequest>);

#[tonic::async_trait]
impl MetricsService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        let _ = self.0.send(request.into_inner());
        Ok(tonic::Response::new(ExportMetricsServiceResponse { partial_success: None }))
    }
}

/// A receiver listening on its address; dropping it stops the server.
pub struct Listening {
    address: SocketAddr,
    requests: mpsc::Receiver<ExportMetricsServiceRequest>,
    runtime: tokio::runtime::Runtime,
}

/// Starts a receiver on `address` (port 0: any free port; [`Listening::address`] says which).
pub fn listen(address: SocketAddr) -> Result<Listening, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("otlp-receiver")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the receiver's runtime: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(address))
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let address = listener.local_addr().map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let (tx, requests) = mpsc::channel();
    // A service's whole state can be one request: with ids on every series that is tens of MB,
    // beyond tonic's default limit of 4 MB, which would refuse it and leave nothing to check. An
    // exporter may compress (OTEL_EXPORTER_OTLP_COMPRESSION=gzip).
    let service = MetricsServiceServer::new(Receiver(tx))
        .max_decoding_message_size(MAX_REQUEST)
        .accept_compressed(tonic::codec::CompressionEncoding::Gzip);
    let server = tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener));
    // The server runs on the runtime's worker while the caller waits on the channel.
    runtime.spawn(server);
    Ok(Listening { address, requests, runtime })
}

impl Listening {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The export requests that have arrived so far, without waiting.
    pub fn received(&self) -> Vec<ExportMetricsServiceRequest> {
        self.requests.try_iter().collect()
    }

    /// The export requests that arrive until `exports` have, or `timeout` has passed.
    pub fn collect(self, exports: usize, timeout: Duration) -> Vec<ExportMetricsServiceRequest> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        while out.len() < exports {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.requests.recv_timeout(left) {
                Ok(r) => out.push(r),
                Err(_) => break,
            }
        }
        self.runtime.shutdown_background();
        out
    }
}

/// An attribute's value as text, as the catalog writes values (`GET`, `200`, `true`).
fn text(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn attributes(kvs: &[KeyValue]) -> Vec<(String, String)> {
    kvs.iter().map(|kv| (kv.key.clone(), text(&kv.value))).collect()
}

/// Feeds a point's exemplars to `checker`: their ids as hex (OTLP carries bytes: 16 and 8 of
/// them, or none outside a span), their values; OTLP's points may all carry exemplars, and the
/// 128 characters are OpenMetrics' limit, not OTLP's.
fn exemplars(checker: &mut Checker, i: usize, name: &str, exemplars: &[Exemplar], n: u64) {
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    for e in exemplars {
        let (trace, span) = (hex(&e.trace_id), hex(&e.span_id));
        let mut ids = Vec::new();
        if !e.trace_id.is_empty() {
            ids.push(("trace_id", trace.as_str()));
        }
        if !e.span_id.is_empty() {
            ids.push(("span_id", span.as_str()));
        }
        let value = match e.value {
            Some(exemplar::Value::AsDouble(v)) => v,
            Some(exemplar::Value::AsInt(v)) => v as f64,
            None => f64::NAN,
        };
        let seen = ExemplarSeen { sample: name, line: None, chars: 0, value, bucket: None, ids };
        checker.exemplar(i, &seen, n);
    }
}

/// Feeds one export request (the `n`th) to `checker`.
pub fn check_request(checker: &mut Checker, request: &ExportMetricsServiceRequest, n: u64) {
    let metrics = request.resource_metrics.iter().flat_map(|r| &r.scope_metrics).flat_map(|s| &s.metrics);
    for m in metrics {
        let kind = match &m.data {
            Some(metric::Data::Sum(s)) if s.is_monotonic => "counter",
            Some(metric::Data::Sum(_)) => "up_down_counter",
            Some(metric::Data::Gauge(_)) => "gauge",
            Some(metric::Data::Histogram(_)) => "histogram",
            Some(metric::Data::ExponentialHistogram(_)) => "exponential_histogram",
            Some(metric::Data::Summary(_)) => "summary",
            None => continue,
        };
        let Some(i) = checker.family(&m.name, kind, Some(&m.unit), n) else { continue };
        let numbers = match &m.data {
            Some(metric::Data::Sum(s)) => s.data_points.as_slice(),
            Some(metric::Data::Gauge(g)) => g.data_points.as_slice(),
            _ => &[],
        };
        for p in numbers {
            checker.count_sample();
            if let Some(v) = &p.value {
                checker.number(i, matches!(v, number_data_point::Value::AsInt(_)), n);
            }
            let moved = match p.value {
                Some(number_data_point::Value::AsInt(v)) => v != 0,
                Some(number_data_point::Value::AsDouble(v)) => v != 0.0,
                None => false,
            };
            let attrs = attributes(&p.attributes);
            checker.point(i, attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())), n, moved);
            exemplars(checker, i, &m.name, &p.exemplars, n);
        }
        if let Some(metric::Data::Histogram(h)) = &m.data {
            for p in &h.data_points {
                checker.count_sample();
                checker.boundaries(i, &p.explicit_bounds, n);
                let attrs = attributes(&p.attributes);
                checker.point(i, attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())), n, p.count > 0);
                exemplars(checker, i, &m.name, &p.exemplars, n);
            }
        }
    }
}
