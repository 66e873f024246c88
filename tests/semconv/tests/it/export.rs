//! Records through every recorder of the semantic-conventions catalog into the SDK's in-memory
//! exporter and checks what it receives: OpenTelemetry's dotted attribute keys, an optional
//! attribute absent when `None`, an int attribute as an int, and the names, units and buckets of
//! the conventions.

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use semconv_example::labels::{DbClientConnectionState, DbSystemName, HttpRequestMethod, NetworkProtocolVersion};
use semconv_example::*;

fn provider() -> (SdkMeterProvider, InMemoryMetricExporter, Metrics) {
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
    let metrics = Metrics::new(&provider.meter(Metrics::METER_NAME));
    (provider, exporter, metrics)
}

fn find<'r>(exported: &'r [ResourceMetrics], name: &str) -> &'r Metric {
    exported
        .iter()
        .flat_map(|rm| rm.scope_metrics())
        .flat_map(|sm| sm.metrics())
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("{name} was not exported"))
}

/// Each data point with measurements: its attributes, sorted by key.
fn attribute_sets(metric: &Metric) -> Vec<Vec<KeyValue>> {
    let sorted = |kvs: &mut dyn Iterator<Item = &KeyValue>| {
        let mut v: Vec<KeyValue> = kvs.cloned().collect();
        v.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
        v
    };
    let mut sets: Vec<Vec<KeyValue>> = match metric.data() {
        AggregatedMetrics::F64(MetricData::Histogram(h)) => {
            h.data_points().filter(|p| p.count() > 0).map(|p| sorted(&mut p.attributes())).collect()
        }
        AggregatedMetrics::I64(MetricData::Sum(s)) => {
            s.data_points().filter(|p| p.value() != 0).map(|p| sorted(&mut p.attributes())).collect()
        }
        other => panic!("unexpected data for {}: {other:?}", metric.name()),
    };
    sets.sort_by_key(|s| format!("{s:?}"));
    sets
}

fn kv(key: &'static str, value: impl Into<Value>) -> KeyValue {
    KeyValue::new(key, value)
}

#[test]
fn every_recorder_exports_the_conventions_names_units_and_attributes() {
    let (provider, exporter, m) = provider();
    // A request with every optional attribute absent, one with the conditional ones present.
    m.http_server_request_duration.record(
        0.02,
        HttpServerRequestDurationLabels {
            http_request_method: HttpRequestMethod::Get,
            url_scheme: "https".into(),
            error_type: None,
            http_response_status_code: None,
            http_route: None,
            network_protocol_name: None,
            network_protocol_version: None,
            server_address: None,
            server_port: None,
        },
    );
    m.http_server_request_duration.record(
        0.5,
        HttpServerRequestDurationLabels {
            http_request_method: HttpRequestMethod::Other,
            url_scheme: "http".into(),
            error_type: Some("500".into()),
            http_response_status_code: Some(500),
            http_route: Some("/users/{id}".into()),
            network_protocol_name: None,
            network_protocol_version: Some(NetworkProtocolVersion::Http11),
            server_address: None,
            server_port: Some(8080),
        },
    );
    m.http_server_active_requests.add(
        1,
        HttpServerActiveRequestsLabels {
            http_request_method: HttpRequestMethod::Post,
            url_scheme: "https".into(),
            server_address: None,
            server_port: None,
        },
    );
    m.db_client_operation_duration.record(
        0.003,
        DbClientOperationDurationLabels {
            db_system_name: DbSystemName::Postgresql,
            db_collection_name: Some("public.users".into()),
            db_namespace: None,
            db_operation_name: Some("SELECT".into()),
            db_response_status_code: None,
            error_type: None,
            server_port: Some(5432),
            server_address: Some("db.internal".into()),
        },
    );
    m.db_client_connection_count.add(
        3,
        DbClientConnectionCountLabels {
            db_client_connection_state: DbClientConnectionState::Used,
            db_client_connection_pool_name: "main".into(),
        },
    );
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();

    let duration = find(&exported, "http.server.request.duration");
    assert_eq!((duration.unit(), duration.description()), ("s", "Duration of HTTP server requests."));
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = duration.data() else { panic!("not an f64 histogram") };
    let bounds: Vec<f64> = h.data_points().next().unwrap().bounds().collect();
    // The catalog declares no `buckets`: a histogram in seconds gets the conventions' advice, not the
    // SDK's default (0, 5, 10, … made for milliseconds, where every request would land in `le="5"`).
    assert_eq!(bounds, [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0]);
    let counts: Vec<Vec<u64>> = h.data_points().map(|p| p.bucket_counts().collect()).collect();
    assert!(counts.iter().any(|c| c[2] == 1), "0.02 s in (0.01, 0.025]: {counts:?}");
    assert_eq!(
        attribute_sets(duration),
        [
            vec![
                kv("error.type", "500"),
                kv("http.request.method", "_OTHER"),
                // The int attribute is an int, not the text "500".
                kv("http.response.status_code", 500i64),
                kv("http.route", "/users/{id}"),
                kv("network.protocol.version", "1.1"),
                kv("server.port", 8080i64),
                kv("url.scheme", "http"),
            ],
            // `None` leaves the attribute out: no empty `error.type`, no `http.route`.
            vec![kv("http.request.method", "GET"), kv("url.scheme", "https")],
        ]
    );
    let status = attribute_sets(duration)[0].iter().find(|kv| kv.key.as_str() == "http.response.status_code").cloned();
    assert!(matches!(status.map(|kv| kv.value), Some(Value::I64(500))));

    let active = find(&exported, "http.server.active_requests");
    assert_eq!(active.unit(), "{request}");
    assert_eq!(attribute_sets(active), [vec![kv("http.request.method", "POST"), kv("url.scheme", "https")]]);

    let db = find(&exported, "db.client.operation.duration");
    assert_eq!(db.unit(), "s");
    assert_eq!(
        attribute_sets(db),
        [vec![
            kv("db.collection.name", "public.users"),
            kv("db.operation.name", "SELECT"),
            kv("db.system.name", "postgresql"),
            kv("server.address", "db.internal"),
            kv("server.port", 5432i64),
        ]]
    );

    let connections = find(&exported, "db.client.connection.count");
    assert_eq!(connections.unit(), "{connection}");
    assert_eq!(
        attribute_sets(connections),
        [vec![kv("db.client.connection.pool.name", "main"), kv("db.client.connection.state", "used")]]
    );
}

#[test]
fn bind_fixes_the_open_attributes_by_name() {
    let (provider, exporter, m) = provider();
    let bound = m.http_server_request_duration.bind(HttpServerRequestDurationBindLabels {
        url_scheme: "https".into(),
        error_type: None,
        http_response_status_code: Some(200),
        http_route: Some("/health".into()),
        network_protocol_name: None,
        server_address: None,
        server_port: None,
    });
    bound.record(0.001, HttpRequestMethod::Get, Some(NetworkProtocolVersion::Http2));
    bound.record(0.002, HttpRequestMethod::Get, Some(NetworkProtocolVersion::Http2));
    bound.record(0.004, HttpRequestMethod::Head, None);
    let pool = m
        .db_client_connection_count
        .bind(DbClientConnectionCountBindLabels { db_client_connection_pool_name: "main".into() });
    pool.add(2, DbClientConnectionState::Idle);
    pool.add(-1, DbClientConnectionState::Idle);
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();

    let duration = find(&exported, "http.server.request.duration");
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = duration.data() else { panic!("not an f64 histogram") };
    // Only the combinations that recorded are series: `bind()` resolves each on its first use, so
    // the other methods and versions are not exported as zero series.
    let counts: Vec<(u64, Vec<String>)> = {
        let mut v: Vec<_> = h
            .data_points()
            .map(|p| {
                let mut keys: Vec<String> = p.attributes().map(|kv| format!("{}={}", kv.key, kv.value)).collect();
                keys.sort();
                (p.count(), keys)
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        counts,
        [
            (
                1,
                vec![
                    "http.request.method=HEAD".to_owned(),
                    "http.response.status_code=200".to_owned(),
                    "http.route=/health".to_owned(),
                    "url.scheme=https".to_owned(),
                ]
            ),
            (
                2,
                vec![
                    "http.request.method=GET".to_owned(),
                    "http.response.status_code=200".to_owned(),
                    "http.route=/health".to_owned(),
                    "network.protocol.version=2".to_owned(),
                    "url.scheme=https".to_owned(),
                ]
            ),
        ]
    );
    let connections = find(&exported, "db.client.connection.count");
    let AggregatedMetrics::I64(MetricData::Sum(s)) = connections.data() else { panic!("not an i64 sum") };
    // The bound up-down counter agrees with the histogram: the one state that moved, not all of them.
    assert_eq!(s.data_points().count(), 1);
    let idle: i64 = s
        .data_points()
        .filter(|p| {
            p.attributes().any(|kv| kv.key.as_str() == "db.client.connection.state" && kv.value.as_str() == "idle")
        })
        .map(|p| p.value())
        .sum();
    assert_eq!(idle, 1);
}

#[test]
fn the_reference_speaks_prometheus_and_opentelemetry_and_not_tasker() {
    let committed = include_str!("../../docs/METRICS.md");
    {
        let md = committed;
        assert!(
            md.contains("In PromQL: `http_server_request_duration_seconds_bucket{http_request_method=\"CONNECT\"}`"),
            "{md}"
        );
        assert!(md.contains("| `http.route`<br>Prometheus: `http_route` | free-form"), "{md}");
        assert!(md.contains("*Conditionally required: If and only if one was received/sent.*"), "{md}");
        assert!(
            md.contains("| `http.response.status_code`<br>Prometheus: `http_response_status_code` | int · free-form")
        );
        for word in ["Tasker", "tasker", "correlation_id", "worker's namespace", "Next Steps", "Troubleshooting"] {
            assert!(!md.contains(word), "the reference says {word:?}");
        }
    }
    // The committed copy names the command that regenerates it. (The copy a build script writes,
    // `Builder::reference_file`, is tested with the builder: catalog-build's `build_script` tests.)
    assert!(committed.starts_with(
        "<!-- @generated by docs-gen from tests/semconv/semconv.yaml. Do not edit: change tests/semconv/semconv.yaml \
         and run `cargo run -p docs-gen -- --catalog tests/semconv/semconv.yaml`. -->\n"
    ));
}

#[test]
fn the_generated_code_is_neutral_too() {
    let rust = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/semconv.rs")).unwrap();
    assert!(rust.starts_with(
        "// @generated by catalog-build from semconv.yaml. Do not edit: change semconv.yaml and rebuild (build.rs \
         regenerates this file).\n"
    ));
    for word in ["Tasker", "tasker", "correlation_id", "worker's namespace", "#[cfg(feature"] {
        assert!(!rust.contains(word), "the generated code says {word:?}");
    }
}

#[test]
fn names_and_label_keys_are_opentelemetry_and_prometheus_ones() {
    assert_eq!(Metrics::METER_NAME, "semconv-example");
    let metric = |name| <Metrics as catalog_runtime::Catalog>::metric(name).unwrap();
    assert_eq!(metric("http.server.request.duration").prometheus_name, "http_server_request_duration_seconds");
    assert_eq!(metric("db.client.connection.count").prometheus_name, "db_client_connection_count");
    assert_eq!(
        metric("http.server.active_requests").label_keys,
        ["http.request.method", "url.scheme", "server.address", "server.port"]
    );
    assert_eq!(HttpRequestMethod::Other.as_str(), "_OTHER");
    assert_eq!(NetworkProtocolVersion::Http11.as_str(), "1.1");
    assert_eq!(HttpRequestMethod::KEY, "http.request.method");
}

/// Binding many routes at start-up takes no room of the cardinality limit for combinations never
/// recorded: 60 routes of a histogram whose closed labels make 50 combinations each would be
/// thousands of attribute sets up front, beyond the default limit of 2,000, and real requests would
/// land in the overflow series.
#[test]
fn binding_many_routes_overflows_nothing() {
    let (provider, exporter, m) = provider();
    let routes: Vec<_> = (0..60)
        .map(|i| {
            m.http_server_request_duration.bind(HttpServerRequestDurationBindLabels {
                url_scheme: "https".into(),
                error_type: None,
                http_response_status_code: Some(200),
                http_route: Some(format!("/route/{i}").into()),
                network_protocol_name: None,
                server_address: None,
                server_port: None,
            })
        })
        .collect();
    // A bound set per route for each method and each protocol version (or none).
    let combinations = routes.len() * HttpRequestMethod::ALL.len() * (NetworkProtocolVersion::ALL.len() + 1);
    assert!(combinations > 2000, "{combinations} combinations bound: more than the default limit");
    for route in &routes {
        route.record(0.003, HttpRequestMethod::Get, None);
    }
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let AggregatedMetrics::F64(MetricData::Histogram(h)) = find(&exported, "http.server.request.duration").data()
    else {
        panic!("not an f64 histogram")
    };
    let points: Vec<_> = h.data_points().collect();
    assert_eq!(points.len(), 60, "one series per route that recorded");
    assert!(
        points.iter().all(|p| p.count() == 1 && !p.attributes().any(|kv| kv.key.as_str() == "otel.metric.overflow"))
    );
}
