//! The whole build script a service needs to generate its recorders from its catalog.

fn main() {
    docs_gen::Builder::new("semconv.yaml").bound_instruments(true).reference_file("METRICS.md").generate_or_exit();
}
