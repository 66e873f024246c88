//! Generates the typed recorders and the metrics reference from metrics.yaml into OUT_DIR.
//! A catalog error fails the build with the located diagnostics, never a panic.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=metrics.yaml");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if let Err(message) = docs_gen::generate_into(&manifest.join("metrics.yaml"), "metrics.yaml", &out) {
        eprintln!("{message}");
        std::process::exit(1);
    }
}
