//! The whole build script a service needs to generate its recorders from its catalog.

fn main() {
    catalog_build::Builder::new("semconv.yaml").generate_or_exit();
}
