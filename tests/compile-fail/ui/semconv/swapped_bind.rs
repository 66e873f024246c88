use semconv_example::{HttpServerRequestDurationBindLabels, Metrics};

fn main() {
    let m = Metrics::global();
    // Positional labels, as bind took them before: route and scheme could be swapped unnoticed.
    m.http_server_request_duration.bind("/users/{id}", "https");
    // Named fields: the route where the scheme goes does not type-check either.
    m.http_server_request_duration.bind(HttpServerRequestDurationBindLabels {
        url_scheme: Some(opentelemetry::StringValue::from("/users/{id}")),
        http_route: opentelemetry::StringValue::from("https"),
        error_type: None,
        http_response_status_code: None,
        network_protocol_name: None,
        server_address: None,
        server_port: None,
    });
}
