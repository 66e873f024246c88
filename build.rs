//! Generates the typed recorders from metrics.yaml into OUT_DIR. A catalog error fails the build
//! with the located diagnostics, never a panic. (The reference, `docs/METRICS.md`, is generated and
//! stale-checked by `cargo run -p docs-gen`; `src/lib.rs` includes it for rustdoc.)

fn main() {
    catalog_build::Builder::new("metrics.yaml").generate_or_exit();
}
