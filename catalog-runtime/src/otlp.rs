//! OTLP/gRPC push with the runtime's exemplars on the points.
//!
//! opentelemetry-otlp's exporter serialises the SDK's data as it is, and the SDK (0.33) collects
//! no exemplars and keeps its `Exemplar` fields private, so the store's exemplars cannot be handed
//! to it. This exporter does what it does with the official pieces: opentelemetry-proto's
//! conversion of the SDK's data (`ExportMetricsServiceRequest::from`) and its tonic client, on the
//! telemetry's own Tokio runtime. Between the two, each point of the catalog's counters and
//! histograms gets the exemplars the store kept for its series (`filtered_attributes` are the
//! attributes `drop_labels` removed, as OTLP defines them).
//!
//! What opentelemetry-otlp did beside the call, kept here:
//! - the timeout of one export, with retries of what gRPC calls transient (`UNAVAILABLE`,
//!   `RESOURCE_EXHAUSTED`, `ABORTED`, `DEADLINE_EXCEEDED`, `CANCELLED`) with a doubling delay from
//!   100 ms, within that timeout (its retry is crate-private, so it is written here in a dozen lines);
//! - the headers of `OTEL_EXPORTER_OTLP_METRICS_HEADERS`, else `OTEL_EXPORTER_OTLP_HEADERS`
//!   (`key=value` pairs separated by commas, values percent-decoded), so that an authenticated
//!   collector keeps working; a malformed list is an error at start-up, never dropped;
//! - partial success: the rejected points are an export error, so that the failure log says so.
//!
//! When the SDK collects exemplars itself, this module goes back to opentelemetry-otlp's exporter
//! (see [`crate::exemplar`]).

use crate::exemplar::{Exemplar, ExemplarStore, MetricExemplars};
use opentelemetry::{KeyValue, Value};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::common::v1::{KeyValue as ProtoKeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{Exemplar as ProtoExemplar, exemplar, metric, number_data_point};
use opentelemetry_proto::transform::common::tonic::Attributes;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::Channel;

/// The OTLP/gRPC metrics exporter.
pub(crate) struct OtlpExporter {
    client: MetricsServiceClient<Channel>,
    runtime: tokio::runtime::Handle,
    timeout: Duration,
    headers: MetadataMap,
    exemplars: Option<Arc<ExemplarStore>>,
}

impl OtlpExporter {
    /// An exporter to `endpoint` (checked by the configuration: scheme, host and port), its calls
    /// run on `runtime`; the connection is made at the first export.
    pub(crate) fn new(
        endpoint: &str,
        timeout: Duration,
        runtime: tokio::runtime::Handle,
        exemplars: Option<Arc<ExemplarStore>>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<OtlpExporter, String> {
        let headers = headers(&var)?;
        let channel = {
            let _entered = runtime.enter();
            tonic::transport::Endpoint::from_shared(endpoint.to_owned())
                .map_err(|e| format!("`{endpoint}` is not an endpoint: {e}"))?
                .timeout(timeout)
                .connect_lazy()
        };
        Ok(OtlpExporter { client: MetricsServiceClient::new(channel), runtime, timeout, headers, exemplars })
    }
}

/// The gRPC codes worth another try within the export's timeout.
fn transient(code: tonic::Code) -> bool {
    use tonic::Code::*;
    matches!(code, Unavailable | ResourceExhausted | Aborted | DeadlineExceeded | Cancelled)
}

impl PushMetricExporter for OtlpExporter {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let mut request = ExportMetricsServiceRequest::from(metrics);
        if let Some(store) = &self.exemplars {
            join(&mut request, store);
        }
        let (mut client, headers, timeout) = (self.client.clone(), self.headers.clone(), self.timeout);
        // On the telemetry's runtime: the SDK's reader thread has no reactor or timer.
        let call = self.runtime.spawn(async move {
            let deadline = tokio::time::Instant::now() + timeout;
            let mut delay = Duration::from_millis(100);
            loop {
                let mut call = tonic::Request::new(request.clone());
                *call.metadata_mut() = headers.clone();
                let status = match tokio::time::timeout_at(deadline, client.export(call)).await {
                    Err(_) => return Err(format!("no answer within {} s", timeout.as_secs_f64())),
                    Ok(Ok(response)) => {
                        return match response.into_inner().partial_success {
                            Some(p) if p.rejected_data_points > 0 => Err(format!(
                                "the collector rejected {} data points: {}",
                                p.rejected_data_points, p.error_message
                            )),
                            _ => Ok(()),
                        };
                    }
                    Ok(Err(status)) => status,
                };
                if !transient(status.code()) || tokio::time::Instant::now() + delay >= deadline {
                    return Err(format!("{}: {}", status.code(), status.message()));
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        });
        match call.await {
            Ok(result) => result.map_err(OTelSdkError::InternalFailure),
            Err(e) => Err(OTelSdkError::InternalFailure(format!("the export task failed: {e}"))),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

/// `OTEL_EXPORTER_OTLP_METRICS_HEADERS`, else `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs
/// separated by commas, values percent-decoded, as OpenTelemetry's exporters read them.
fn headers(var: &impl Fn(&str) -> Option<String>) -> Result<MetadataMap, String> {
    let mut map = MetadataMap::new();
    let Some((name, list)) = ["OTEL_EXPORTER_OTLP_METRICS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"]
        .into_iter()
        .find_map(|name| var(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
    else {
        return Ok(map);
    };
    for pair in list.split(',').filter(|p| !p.trim().is_empty()) {
        let bad = |why: &str| format!("{name}: `{}` {why}: write key=value pairs separated by commas", pair.trim());
        let (key, value) = pair.split_once('=').ok_or_else(|| bad("has no `=`"))?;
        let key = MetadataKey::from_bytes(key.trim().to_ascii_lowercase().as_bytes())
            .map_err(|_| bad("has a key that is not a header name"))?;
        let value = percent_decode(value.trim()).ok_or_else(|| bad("has a malformed %-escape"))?;
        let value =
            MetadataValue::try_from(value.as_str()).map_err(|_| bad("has a value that is not a header value"))?;
        map.insert(key, value);
    }
    Ok(map)
}

/// `%XX` escapes decoded (W3C baggage's encoding of header values); `None` for a malformed one.
/// Our own rather than the percent-encoding crate's: that one passes a malformed escape (`%zz`)
/// through as it is, which would send the collector another header than the one meant, silently.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Puts the store's exemplars on the points of the catalog's counters and histograms.
fn join(request: &mut ExportMetricsServiceRequest, store: &ExemplarStore) {
    let scopes = request.resource_metrics.iter_mut().flat_map(|r| r.scope_metrics.iter_mut());
    for scope in scopes.filter(|s| s.scope.as_ref().is_some_and(|s| s.name == store.meter())) {
        for m in &mut scope.metrics {
            let Some(exemplars) = store.metric(&m.name) else { continue };
            match &mut m.data {
                Some(metric::Data::Sum(sum)) if sum.is_monotonic => {
                    for p in &mut sum.data_points {
                        let integer = matches!(p.value, Some(number_data_point::Value::AsInt(_)));
                        p.exemplars = kept(&exemplars, &p.attributes, None, integer);
                    }
                }
                Some(metric::Data::Histogram(h)) => {
                    for p in &mut h.data_points {
                        p.exemplars = kept(&exemplars, &p.attributes, Some(&p.explicit_bounds), false);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The exemplars of the point with `attributes` (and a histogram's `bounds`), as OTLP carries them.
fn kept(
    exemplars: &MetricExemplars,
    attributes: &[ProtoKeyValue],
    bounds: Option<&[f64]>,
    integer: bool,
) -> Vec<ProtoExemplar> {
    let attributes: Vec<KeyValue> = attributes.iter().filter_map(api_attribute).collect();
    exemplars.of_point(|| attributes.iter(), bounds, |e| proto_exemplar(e, integer)).into_iter().flatten().collect()
}

fn proto_exemplar(e: &Exemplar, integer: bool) -> ProtoExemplar {
    let (trace_id, span_id) = match e.trace {
        Some((trace, span)) => (trace.to_bytes().to_vec(), span.to_bytes().to_vec()),
        None => (Vec::new(), Vec::new()),
    };
    ProtoExemplar {
        filtered_attributes: Attributes::from(e.filtered_attributes.clone()).0,
        time_unix_nano: e.time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64),
        value: Some(match integer {
            true => exemplar::Value::AsInt(e.value as i64),
            false => exemplar::Value::AsDouble(e.value),
        }),
        span_id,
        trace_id,
    }
}

/// A point's attribute as the API has it (the scalar types the recorders record).
fn api_attribute(kv: &ProtoKeyValue) -> Option<KeyValue> {
    let value = match kv.value.as_ref()?.value.as_ref()? {
        any_value::Value::StringValue(s) => Value::from(s.clone()),
        any_value::Value::IntValue(i) => Value::I64(*i),
        any_value::Value::DoubleValue(d) => Value::F64(*d),
        any_value::Value::BoolValue(b) => Value::Bool(*b),
        _ => return None,
    };
    Some(KeyValue::new(kv.key.clone(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
        };
        let map = headers(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Basic%20abc, x-tenant = t1")])).unwrap();
        assert_eq!(map.get("authorization").unwrap(), "Basic abc");
        assert_eq!(map.get("x-tenant").unwrap(), "t1");
        // The metrics signal's variable wins.
        let map =
            headers(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", "a=1"), ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "b=2")]))
                .unwrap();
        assert!(map.get("a").is_none() && map.get("b").unwrap() == "2");
        assert_eq!(
            headers(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", "token")])).unwrap_err(),
            "OTEL_EXPORTER_OTLP_HEADERS: `token` has no `=`: write key=value pairs separated by commas"
        );
        assert!(headers(&env(&[("OTEL_EXPORTER_OTLP_HEADERS", "a=%zz")])).unwrap_err().contains("%-escape"));
        assert!(headers(&env(&[])).unwrap().is_empty());
    }

    #[test]
    fn transient_codes_are_retried() {
        assert!(transient(tonic::Code::Unavailable));
        assert!(!transient(tonic::Code::InvalidArgument));
        assert!(!transient(tonic::Code::Unauthenticated));
    }
}
