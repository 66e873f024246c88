//! Generates the typed recorders and the metrics reference from metrics.yaml into OUT_DIR.
//! A catalog error fails the build with the located diagnostics, never a panic.

// The catalog compiler allocates heavily; see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    docs_gen::Builder::new("metrics.yaml")
        // The reference, for `tasker_metrics::reference`, with each query's expected output from the
        // verification record (written by `docs-gen verify`).
        .reference_file("METRICS.md")
        .verification_record("docs/verification.json")
        .generate_or_exit();
}
