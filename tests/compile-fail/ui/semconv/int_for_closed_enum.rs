use semconv_example::{DbClientConnectionCountLabels, Metrics};

fn main() {
    Metrics::global().db_client_connection_count.add(
        1,
        DbClientConnectionCountLabels { db_client_connection_state: 1, db_client_connection_pool_name: "main".into() },
    );
}
