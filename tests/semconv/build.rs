//! The whole build script a service needs to generate its recorders from its catalog.

fn main() {
    docs_gen::Builder::new("semconv.yaml").reference_file("METRICS.md").generate_or_exit();
}
