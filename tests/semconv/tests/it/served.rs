//! The semantic-conventions catalog served by the runtime as Tasker's is: `Telemetry` over this
//! crate's `Metrics`, its `/metrics` under OpenTelemetry's Prometheus names (the units' words, dots
//! made underscores), and `drop_labels` removing an attribute key of this catalog at export.

use catalog_runtime::{Telemetry, TelemetryConfig};
use semconv_example::labels::{DbClientConnectionState, HttpRequestMethod};
use semconv_example::*;

/// `GET /metrics`: the body.
fn scrape(address: std::net::SocketAddr) -> String {
    test_support::scrape(address).text()
}

#[test]
fn served_under_opentelemetry_names_with_drop_labels() {
    let config = TelemetryConfig::from_toml(
        "semconv.toml",
        "[telemetry.opentelemetry]\nexporters = [\"prometheus\"]\ndrop_labels = [\"http.route\", \"server.address\"]\n\
         [telemetry.prometheus]\nlisten_address = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let telemetry = Telemetry::<Metrics>::init(&config).unwrap();
    let m = telemetry.metrics();
    for route in ["/users/{id}", "/orders/{id}"] {
        m.http_server_request_duration.record(
            0.02,
            HttpServerRequestDurationLabels {
                http_request_method: HttpRequestMethod::Get,
                url_scheme: "https".into(),
                error_type: None,
                http_response_status_code: Some(200),
                http_route: Some(route.into()),
                network_protocol_name: None,
                network_protocol_version: None,
                server_address: Some("api.internal".into()),
                server_port: None,
            },
        );
    }
    m.db_client_connection_count.add(
        2,
        DbClientConnectionCountLabels {
            db_client_connection_state: DbClientConnectionState::Idle,
            db_client_connection_pool_name: "main".into(),
        },
    );
    let text = scrape(telemetry.prometheus_address().unwrap());

    // OpenTelemetry's names for Prometheus: the unit `s` is `_seconds`; dotted keys are underscored.
    assert!(text.contains("# TYPE http_server_request_duration_seconds histogram\n"), "{text}");
    assert!(text.contains("# TYPE db_client_connection_count gauge\n"), "{text}");
    assert!(
        text.contains("db_client_connection_count{db_client_connection_pool_name=\"main\",db_client_connection_state=\"idle\"} 2\n"),
        "{text}"
    );
    // The two routes were dropped at export: one series holds both requests.
    let counts: Vec<&str> =
        text.lines().filter(|l| l.starts_with("http_server_request_duration_seconds_count")).collect();
    assert_eq!(
        counts,
        ["http_server_request_duration_seconds_count{http_request_method=\"GET\",http_response_status_code=\"200\",\
             url_scheme=\"https\"} 2"],
        "{text}"
    );
    assert!(!text.contains("http_route"), "{text}");
    assert!(!text.contains("server_address"), "{text}");
}
