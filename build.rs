//! Generates the typed recorders and the metrics reference from metrics.yaml into OUT_DIR.
//! A catalog error fails the build with the located diagnostics, never a panic.

use std::path::PathBuf;

// The catalog compiler allocates heavily; see the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    println!("cargo:rerun-if-changed=metrics.yaml");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // The verification record (written by `docs-gen verify`) supplies each query's expected output.
    let record = manifest.join("docs/verification.json");
    // While a rerun-if-changed file is missing, cargo reruns the script on every build: watch docs/
    // until the record exists.
    println!("cargo:rerun-if-changed={}", if record.exists() { "docs/verification.json" } else { "docs" });
    if let Err(message) =
        docs_gen::generate_into_with_record(&manifest.join("metrics.yaml"), "metrics.yaml", &out, Some(&record))
    {
        eprintln!("{message}");
        std::process::exit(1);
    }
}
