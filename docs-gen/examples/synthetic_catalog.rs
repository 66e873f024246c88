//! Prints the synthetic catalog of N metrics that the codegen benchmark measures, for measuring
//! other tools on the same catalog: `cargo run -p docs-gen --example synthetic_catalog -- 440`.

use test_support::synthetic;

fn main() {
    let n = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(440);
    print!("{}", synthetic::catalog(n));
}
