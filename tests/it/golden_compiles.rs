//! The golden Rust of catalog-build's fixture catalogs compiles and records through the SDK (with or
//! without the runtime's bound instruments: the generated code is the same).

use crate::golden::edge;
use crate::golden::minimal;
use crate::golden::otel;
use opentelemetry::metrics::MeterProvider;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

#[test]
fn golden_recorders_compile_and_record() {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let meter = provider.meter("golden");

    let m = minimal::Metrics::new(&meter);
    m.jobs.jobs_completed_total.add(
        1,
        minimal::jobs::JobsCompletedTotalLabels { job_id: "job-1".into(), outcome: minimal::labels::Outcome::TimedOut },
    );
    m.jobs.job_duration.record(12.5, minimal::jobs::JobDurationLabels { outcome: minimal::labels::Outcome::Ok });
    m.jobs.jobs_running.add(-1);
    m.health.breaker_state.record(minimal::values::BreakerState::HalfOpen);
    m.health.queue_usage_percent.record(40.0, minimal::health::QueueUsagePercentLabels { queue: "q".into() });

    let e = edge::Metrics::new(&meter);
    for kind in edge::labels::Kind::ALL {
        e.r#type
            .edge_requests_total
            .add(1.0, edge::r#type::EdgeRequestsTotalLabels { kind: *kind, r#type: "x".into() });
    }
    // The fixture deprecates it: recording it warns with the catalog's note (and nothing else in
    // the generated code does).
    #[allow(deprecated)]
    e.r#type.edge_unicode_gauge.record(3);

    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let names: Vec<String> = exported
        .iter()
        .flat_map(|rm| rm.scope_metrics())
        .flat_map(|sm| sm.metrics())
        .map(|m| m.name().to_owned())
        .collect();
    for want in [
        "app.jobs.completed.total",
        "app.job.duration",
        "app.jobs.running",
        "breaker_state",
        "queue_usage_percent",
        "edge.requests.total",
        "edge.unicode.gauge",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not exported; got {names:?}");
    }
}

#[test]
fn label_enums_round_trip_their_catalog_spelling() {
    use edge::labels::Kind;
    for kind in Kind::ALL {
        assert_eq!(kind.as_str().parse::<Kind>(), Ok(*kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(
        Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        ["type", "self", "match", "5xx", "2xx", "Self-Check", "ünïcode"]
    );
    let err = "nope".parse::<Kind>().unwrap_err();
    assert_eq!(err.to_string(), "`nope` is not an allowed value of label `kind`");
    assert_eq!(minimal::values::BreakerState::HalfOpen.value(), 1);
    assert_eq!(minimal::values::BreakerState::HalfOpen.name(), "Half-Open");
}

/// The attributes of every data point that has measurements, as `key=value` texts with the value's
/// OpenTelemetry type. (A `bind()` table's series are exported from the moment they are bound,
/// with nothing in them until recorded.)
fn points(exporter: &InMemoryMetricExporter, name: &str) -> Vec<Vec<String>> {
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    let exported = exporter.get_finished_metrics().unwrap();
    let metric = exported
        .iter()
        .flat_map(|rm| rm.scope_metrics())
        .flat_map(|sm| sm.metrics())
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("{name} not exported"));
    let attrs = |kvs: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| {
        let mut v: Vec<String> = kvs.map(|kv| format!("{}={:?}", kv.key, kv.value)).collect();
        v.sort();
        v
    };
    let mut out: Vec<Vec<String>> = match metric.data() {
        AggregatedMetrics::F64(MetricData::Histogram(h)) => {
            h.data_points().filter(|p| p.count() > 0).map(|p| attrs(&mut p.attributes())).collect()
        }
        AggregatedMetrics::I64(MetricData::Sum(s)) => {
            s.data_points().filter(|p| p.value() != 0).map(|p| attrs(&mut p.attributes())).collect()
        }
        AggregatedMetrics::U64(MetricData::Sum(s)) => {
            s.data_points().filter(|p| p.value() != 0).map(|p| attrs(&mut p.attributes())).collect()
        }
        other => panic!("unexpected data for {name}: {other:?}"),
    };
    out.sort();
    out
}

#[test]
fn typed_and_optional_attributes_reach_the_exporter_as_declared() {
    use catalog_runtime::labels::Open;
    use otel::labels::{ErrorType, HttpRequestMethod, NetworkProtocolVersion, ServerPort};
    // A flat catalog's recorders are re-exported at the top of the generated file.
    use otel::TlsHandshakesLabels;
    use otel::{HttpServerActiveRequestsLabels, HttpServerRequestDurationBindLabels, HttpServerRequestDurationLabels};
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let m = otel::Metrics::new(&provider.meter("otel"));

    // Every optional attribute absent, then every one present.
    let none = HttpServerRequestDurationLabels {
        http_request_method: HttpRequestMethod::Get,
        http_response_status_code: None,
        network_protocol_version: None,
        error_type: None,
        http_route: None,
    };
    m.http_server_request_duration.record(0.1, none);
    m.http_server_request_duration.record(
        0.2,
        HttpServerRequestDurationLabels {
            http_request_method: HttpRequestMethod::Other,
            http_response_status_code: Some(503),
            network_protocol_version: Some(NetworkProtocolVersion::Http11),
            error_type: Some(ErrorType::Timeout.into()),
            http_route: Some("/users/{id}".into()),
        },
    );
    // Through bind(): the same series as the call above. `error.type` is open, so bind() fixes it.
    let bound = m.http_server_request_duration.bind(HttpServerRequestDurationBindLabels {
        http_response_status_code: Some(503),
        error_type: Some(ErrorType::Timeout.into()),
        http_route: Some("/users/{id}".into()),
    });
    bound.record(0.3, HttpRequestMethod::Other, Some(NetworkProtocolVersion::Http11));
    // An open label takes what the conventions allow besides its known values: the exception's
    // name. `Open::new` of a known text is that known value (the same series as above).
    m.http_server_request_duration.record(
        0.4,
        HttpServerRequestDurationLabels {
            http_request_method: HttpRequestMethod::Get,
            http_response_status_code: None,
            network_protocol_version: None,
            error_type: Some(Open::new("java.net.UnknownHostException")),
            http_route: None,
        },
    );
    assert_eq!(Open::<ErrorType>::new("timeout"), Open::Known(ErrorType::Timeout));
    m.http_server_active_requests.add(
        1,
        HttpServerActiveRequestsLabels {
            http_request_method: HttpRequestMethod::Post,
            server_port: Some(ServerPort::V443),
            // Opt-in on this metric (its use's level), conditionally required on the other.
            http_route: None,
        },
    );
    #[allow(deprecated)] // Deprecated in the fixture; still recorded until it is removed.
    m.tls_handshakes.add(
        1,
        TlsHandshakesLabels {
            tls_resumed: Some(true),
            sample_weight: 0.5,
            tls_client_supported_ciphers: Some(vec!["TLS_AES_128_GCM_SHA256".into(), "TLS_AES_256_GCM_SHA384".into()]),
            tls_peer_ports: None,
        },
    );
    provider.force_flush().unwrap();

    assert_eq!(
        points(&exporter, "http.server.request.duration"),
        [
            // A text given as a `&'static str` stays one, open label or not.
            vec![
                "error.type=String(Static(\"java.net.UnknownHostException\"))".to_owned(),
                "http.request.method=String(Static(\"GET\"))".to_owned(),
            ],
            vec![
                "error.type=String(Static(\"timeout\"))".to_owned(),
                "http.request.method=String(Static(\"_OTHER\"))".to_owned(),
                "http.response.status_code=I64(503)".to_owned(),
                // A `&'static str` reaches the exporter as it was given, not copied.
                "http.route=String(Static(\"/users/{id}\"))".to_owned(),
                "network.protocol.version=String(Static(\"1.1\"))".to_owned(),
            ],
            vec!["http.request.method=String(Static(\"GET\"))".to_owned()],
        ]
    );
    assert_eq!(
        points(&exporter, "http.server.active_requests"),
        [vec!["http.request.method=String(Static(\"POST\"))".to_owned(), "server.port=I64(443)".to_owned()]]
    );
    assert_eq!(
        points(&exporter, "tls.handshakes"),
        [vec![
            "sample.weight=F64(0.5)".to_owned(),
            // An array attribute reaches the exporter as an OpenTelemetry array.
            "tls.client.supported_ciphers=Array(String([Static(\"TLS_AES_128_GCM_SHA256\"), Static(\"TLS_AES_256_GCM_SHA384\")]))".to_owned(),
            "tls.resumed=Bool(true)".to_owned(),
        ]]
    );
    // The int enum carries its number; the chosen variants keep their catalog spelling.
    assert_eq!(ServerPort::V443.value(), 443);
    assert_eq!(NetworkProtocolVersion::Http10Draft.as_str(), "10");
    assert_eq!("_OTHER".parse::<HttpRequestMethod>(), Ok(HttpRequestMethod::Other));
}
