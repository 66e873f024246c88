use semconv_example::labels::HttpRequestMethod;
use semconv_example::{HttpServerActiveRequestsLabels, Metrics};

fn main() {
    // An optional attribute is `None` when absent, and says so: leaving it out does not compile.
    Metrics::global().http_server_active_requests.add(
        1,
        HttpServerActiveRequestsLabels { http_request_method: HttpRequestMethod::Get, url_scheme: "https".into(), server_port: None },
    );
}
