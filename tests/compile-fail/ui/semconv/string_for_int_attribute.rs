use semconv_example::labels::HttpRequestMethod;
use semconv_example::{HttpServerRequestDurationLabels, Metrics};

fn main() {
    Metrics::global().http_server_request_duration.record(
        0.1,
        HttpServerRequestDurationLabels {
            http_request_method: HttpRequestMethod::Get,
            url_scheme: "https".into(),
            error_type: None,
            http_response_status_code: Some("200"),
            http_route: None,
            network_protocol_name: None,
            network_protocol_version: None,
            server_address: None,
            server_port: None,
        },
    );
}
